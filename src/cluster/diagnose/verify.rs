//! `skyflo verify`: does the installation work end to end? Each check talks to a component
//! the way its users and peers do, through port-forwards made with the Kubernetes API:
//! nothing is exposed, nothing is written to the cluster, and no user is registered. The
//! paths, headers and JSON-RPC sequence are upstream's (the proxy's nginx routes, the
//! engine's health and auth routes, MCP's streamable HTTP transport).

use std::time::Duration;

use serde_json::{Value, json};

use crate::cluster::Cluster;
use crate::cluster::diagnose::check::{Check, fail, pass};
use crate::cluster::tunnel::{Response, Tunnel};

/// Every check, in the order they run and print.
pub const CHECKS: [(&str, &str); 8] = [
    ("proxy", "the proxy answers"),
    ("proxy-ui", "the proxy reaches the UI"),
    ("proxy-engine", "the proxy reaches the engine"),
    (
        "proxy-auth",
        "the proxy turns away agent calls without a login, and self-registration",
    ),
    ("engine-database", "the engine reaches PostgreSQL"),
    (
        "engine-redis",
        "the engine reaches Redis (through its rate limiter)",
    ),
    ("mcp", "MCP answers its protocol (initialize, tools/list)"),
    (
        "mcp-tools",
        "a read-only MCP tool call reaches the Kubernetes API",
    ),
];

/// How long one component's checks may take, port-forward included.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// Runs the checks named in `only` (all when empty), one component's checks at a time per
/// tunnel, the components side by side.
pub async fn run(cluster: &Cluster, only: &[String]) -> Vec<Check> {
    let wanted = |n: &str| only.is_empty() || only.iter().any(|o| o == n);
    let pick = |names: &[&'static str]| -> Vec<&'static str> {
        names.iter().copied().filter(|n| wanted(n)).collect()
    };
    let (ui, engine, mcp) = tokio::join!(
        group(
            cluster,
            "ui",
            "http-proxy",
            pick(&["proxy", "proxy-ui", "proxy-engine", "proxy-auth"])
        ),
        group(
            cluster,
            "engine",
            "http",
            pick(&["engine-database", "engine-redis"])
        ),
        group(cluster, "mcp", "http", pick(&["mcp", "mcp-tools"])),
    );
    let mut all: Vec<Check> = ui.into_iter().chain(engine).chain(mcp).collect();
    all.sort_by_key(|c| CHECKS.iter().position(|(n, _)| *n == c.name));
    // Redacted whole, then shortened: a cut never leaves half a secret behind.
    let r = crate::redact::Redactor::new(super::secrets::known(cluster, &[]).await.values);
    for c in &mut all {
        finish(&r, c);
    }
    all
}

/// Redacted whole, then shortened.
fn finish(r: &crate::redact::Redactor, c: &mut Check) {
    c.message = short(&r.text(&c.message));
    c.hint = short(&r.text(&c.hint));
}

/// At most a few lines' worth of a message.
fn short(s: &str) -> String {
    const MAX: usize = 400;
    if s.chars().count() <= MAX {
        return s.to_string();
    }
    let cut: String = s.chars().take(MAX).collect();
    format!("{cut}…")
}

/// The checks of one component over one tunnel to a ready pod of it, within [`TIMEOUT`].
async fn group(
    cluster: &Cluster,
    component: &str,
    port_name: &str,
    names: Vec<&'static str>,
) -> Vec<Check> {
    if names.is_empty() {
        return Vec::new();
    }
    let work = async {
        let (pod, port) = crate::cluster::tunnel::target(cluster, component, port_name).await?;
        let mut t = Tunnel::open(cluster, &pod, port).await?;
        let mut out = Vec::new();
        match component {
            "mcp" => out.extend(mcp_checks(cluster, &mut t, &names).await),
            _ => {
                for name in &names {
                    out.push(match *name {
                        "proxy-auth" => proxy_auth(cluster, &mut t).await,
                        _ => http_check(name, &mut t).await,
                    });
                }
            }
        }
        Ok::<_, String>(out)
    };
    let failed = |reason: String, hint: &str| {
        names
            .iter()
            .map(|n| fail(n, reason.clone(), hint))
            .collect::<Vec<_>>()
    };
    match tokio::time::timeout(TIMEOUT, work).await {
        Ok(Ok(checks)) => checks,
        Ok(Err(reason)) => failed(
            reason,
            &format!("see `skyflo status` and `skyflo logs {component}`"),
        ),
        Err(_) => failed(
            format!("no answer within {} s", TIMEOUT.as_secs()),
            &format!(
                "the {component} pod accepts connections but does not answer; see `skyflo logs {component}`"
            ),
        ),
    }
}

/// A ready pod of `component` and the number of its container port `port_name`.
/// An answer as it may be shown: on one line, with no password or key shape in it (the
/// installation's own secret values are removed, and the message shortened, by [`run`]).
fn shown(body: &str) -> String {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::redact::Redactor::default().text(&one_line)
}

/// Through the proxy: an agent call without a login must get 401, and so must a conversation
/// asked through the UI's own route handler (its server reaches the engine through the proxy
/// only when API_URL points there); a registration, as the browser and as the UI's server spell
/// it, 403 (unless the deployed spec opens signup). Posts have an empty body, so an engine that
/// does receive them refuses them (422) before it starts a run or creates an account.
async fn proxy_auth(cluster: &Cluster, t: &mut Tunnel) -> Check {
    let name = "proxy-auth";
    let signup_open = crate::cluster::release::list(cluster)
        .await
        .ok()
        .and_then(|h| crate::cluster::release::last_deployed(&h)?.spec().ok())
        .is_some_and(|s| s.ui.signup_open);
    let hint = format!(
        "the UI pod does not run skyflo's proxy configuration (ConfigMaps {0}-proxy-config and \
{0}-ui-config); `skyflo upgrade` puts it back",
        cluster.instance
    );
    if let Err(reason) = gated(t).await {
        return fail(name, reason, hint);
    }
    if signup_open {
        return pass(
            name,
            "agent and conversation calls without a login get 401, through the UI's routes too; self-registration is open (spec.ui.signup: open)",
        );
    }
    for path in REGISTRATION {
        match post_empty(t, path).await {
            Ok(r) if r.status == 403 => {}
            Ok(r) => {
                return fail(
                    name,
                    format!(
                        "POST {path} through the proxy answered {} (expected 403): whoever reaches the UI can register (the first account becomes the admin)",
                        r.status
                    ),
                    hint,
                );
            }
            Err(e) => return fail(name, format!("POST {path}: {e}"), hint),
        }
    }
    pass(
        name,
        "agent and conversation calls without a login get 401, through the UI's routes too; self-registration 403 (nothing was created)",
    )
}

/// The registration route as the browser's code and the UI's server action spell it.
const REGISTRATION: [&str; 2] = [
    "/api/v1/auth/register/register",
    "/api/v1/auth/register/register/",
];

/// The engine's agent route and the UI's conversation route, without a login: 401 from the
/// gate (the UI's handler passes its status on). The conversation id exists nowhere, so an
/// engine reached past the gate answers 404 and reveals nothing.
async fn gated(t: &mut Tunnel) -> Result<(), String> {
    let chat = post_empty(t, "/api/v1/agent/chat")
        .await
        .map_err(|e| format!("POST /api/v1/agent/chat: {e}"))?;
    if chat.status != 401 {
        return Err(format!(
            "POST /api/v1/agent/chat without a login answered {} (expected 401): whoever reaches the UI can drive the agent, and MCP's rights with it",
            chat.status
        ));
    }
    let path = "/api/conversation/00000000-0000-0000-0000-000000000000";
    let conv = t.get(path).await.map_err(|e| format!("GET {path}: {e}"))?;
    if conv.status != 401 {
        return Err(format!(
            "GET {path} (the UI's own route) without a login answered {} (expected 401): the UI's server reaches the engine past the proxy's gate, so conversations and its registration form need no login",
            conv.status
        ));
    }
    Ok(())
}

async fn post_empty(t: &mut Tunnel, path: &str) -> Result<Response, String> {
    let json = [("content-type", "application/json".to_string())];
    t.request(http::Method::POST, path, &json, Some("{}".into()))
        .await
}

async fn http_check(name: &str, t: &mut Tunnel) -> Check {
    let path = match name {
        "proxy" => "/health",
        "proxy-ui" => "/api/health",
        // FastAPI's route has the slash; without it the engine answers a redirect.
        "proxy-engine" => "/api/v1/health/",
        "engine-database" => "/api/v1/health/database",
        _ => "/api/v1/auth/is_admin_user",
    };
    match t.get(path).await {
        Err(e) => fail(name, format!("GET {path}: {e}"), "see `skyflo logs`"),
        Ok(r) => judge(name, path, &r),
    }
}

fn judge(name: &str, path: &str, r: &Response) -> Check {
    let answered = format!("GET {path} answered {}: {}", r.status, shown(&r.body));
    let gateway = matches!(r.status, 502..=504);
    match name {
        "proxy" if r.status == 200 => {
            pass(name, format!("GET {path} answered 200 {}", shown(&r.body)))
        }
        "proxy" => fail(
            name,
            answered,
            "the proxy container (nginx) is not serving; see `skyflo logs ui`",
        ),
        "proxy-ui" if (200..400).contains(&r.status) => pass(
            name,
            format!("GET {path} through the proxy: the UI answered {}", r.status),
        ),
        "proxy-ui" if gateway => fail(
            name,
            format!("the proxy cannot reach the UI ({answered})"),
            "the UI container is not listening on its port, or the proxy's UI_UPSTREAM is wrong; see `skyflo logs ui`",
        ),
        "proxy-ui" => fail(name, answered, "the proxy has no working route to the UI"),
        "proxy-engine" => proxy_engine(name, path, r, gateway, answered),
        "engine-database" => engine_database(name, r, answered),
        _ => engine_redis(name, r, answered),
    }
}

fn proxy_engine(name: &str, path: &str, r: &Response, gateway: bool, answered: String) -> Check {
    let body = r.json();
    let status = body
        .as_ref()
        .and_then(|b| b["status"].as_str().map(str::to_string));
    match (r.status, status.as_deref()) {
        (200, Some("ok")) => pass(
            name,
            format!(
                "GET {path} through the proxy: the engine {} is up",
                body.as_ref()
                    .and_then(|b| b["version"].as_str())
                    .unwrap_or("")
            ),
        ),
        _ if gateway => fail(
            name,
            format!("the proxy cannot reach the engine ({answered})"),
            "is the engine ready (`skyflo status`)? Otherwise the proxy's ENGINE_UPSTREAM is wrong",
        ),
        (404, _) => fail(
            name,
            format!("the proxy has no route to the engine ({answered})"),
            "the proxy's configuration must send /api/v1/ to the engine",
        ),
        _ => fail(
            name,
            format!("not the engine's health answer ({answered})"),
            "see `skyflo logs ui` (proxy) and `skyflo logs engine`",
        ),
    }
}

/// The engine answers 200 either way: only the body says whether PostgreSQL answered.
fn engine_database(name: &str, r: &Response, answered: String) -> Check {
    let body = r.json().unwrap_or(Value::Null);
    if r.status == 200 && body["status"] == "ok" && body["database"] == "connected" {
        return pass(name, "the engine ran SELECT 1 on PostgreSQL");
    }
    if body["status"] == "error" {
        return fail(
            name,
            format!(
                "the engine cannot reach PostgreSQL (HTTP {} with database {}: {})",
                r.status,
                body["database"].as_str().unwrap_or("?"),
                shown(body["error"].as_str().unwrap_or(""))
            ),
            "see `skyflo status` (postgres) and `skyflo logs engine postgres`; the engine reads its URL from Secret <name>-connection",
        );
    }
    fail(name, answered, "see `skyflo logs engine`")
}

/// `is_admin_user` needs no login and is rate limited: the limiter counts it in Redis before
/// the handler runs, so any answer of the handler proves Redis (it reads only a user count).
fn engine_redis(name: &str, r: &Response, answered: String) -> Check {
    let body = r.json().unwrap_or(Value::Null);
    let handler_failed = body["detail"]
        .as_str()
        .is_some_and(|d| d.contains("admin status"));
    match r.status {
        200 if body.get("is_admin").is_some() => pass(
            name,
            "an unauthenticated, rate-limited request passed the limiter (Redis counted it)",
        ),
        429 => pass(
            name,
            "the rate limiter (Redis) counted this request and refused it: Redis works",
        ),
        500 if handler_failed => pass(
            name,
            "the request passed the rate limiter (Redis counted it), then failed in the database (see engine-database)",
        ),
        500 => fail(
            name,
            format!(
                "the request failed before its handler: the rate limiter cannot use Redis ({answered})"
            ),
            "see `skyflo status` (redis) and `skyflo logs engine` (\"Failed to initialize rate limiter\"); the engine reads REDIS_URL from Secret <name>-connection",
        ),
        _ => fail(name, answered, "see `skyflo logs engine`"),
    }
}

/// An MCP client session over one tunnel (streamable HTTP: JSON-RPC in POSTs to /mcp, the
/// answer as JSON or as one SSE event).
struct Session<'a> {
    t: &'a mut Tunnel,
    id: Option<String>,
    protocol: Option<String>,
    next: u64,
}

const PROTOCOL: &str = "2025-06-18";

impl Session<'_> {
    fn headers(&self) -> Vec<(&'static str, String)> {
        let mut h = vec![
            ("content-type", "application/json".to_string()),
            ("accept", "application/json, text/event-stream".to_string()),
        ];
        if let Some(id) = &self.id {
            h.push(("mcp-session-id", id.clone()));
        }
        if let Some(p) = &self.protocol {
            h.push(("mcp-protocol-version", p.clone()));
        }
        h
    }

    /// One JSON-RPC message in a POST to /mcp.
    async fn post(&mut self, method: &str, msg: Value) -> Result<Response, String> {
        let headers = self.headers();
        self.t
            .request(http::Method::POST, "/mcp", &headers, Some(msg.to_string()))
            .await
            .map_err(|e| format!("{method}: {e}"))
    }

    async fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.next += 1;
        let id = self.next;
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let r = self.post(method, msg).await?;
        if r.status != 200 {
            return Err(format!("{method}: HTTP {}: {}", r.status, shown(&r.body)));
        }
        if self.id.is_none() {
            self.id = r.header("mcp-session-id");
        }
        let reply = messages(&r)
            .into_iter()
            .find(|m| m["id"] == id)
            .ok_or_else(|| {
                format!(
                    "{method}: no JSON-RPC answer with id {id} in: {}",
                    shown(&r.body)
                )
            })?;
        if let Some(e) = reply.get("error") {
            return Err(format!(
                "{method}: JSON-RPC error {}: {}",
                e["code"],
                shown(e["message"].as_str().unwrap_or(""))
            ));
        }
        Ok(reply["result"].clone())
    }

    async fn notify(&mut self, method: &str) -> Result<(), String> {
        let msg = json!({"jsonrpc": "2.0", "method": method});
        let r = self.post(method, msg).await?;
        match r.status {
            200 | 202 => Ok(()),
            s => Err(format!("{method}: HTTP {s}: {}", shown(&r.body))),
        }
    }

    /// Ends the session on the server (the transport's DELETE); its answer does not matter.
    async fn close(&mut self) {
        if self.id.is_some() {
            let _ = self
                .t
                .request(http::Method::DELETE, "/mcp", &self.headers(), None)
                .await;
        }
    }
}

/// The JSON-RPC messages of an answer: a JSON body, or the `data:` of each SSE event.
fn messages(r: &Response) -> Vec<Value> {
    let sse = r
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/event-stream"));
    if !sse {
        return r.json().into_iter().collect();
    }
    r.body
        .replace("\r\n", "\n")
        .split("\n\n")
        .filter_map(|event| {
            let data: Vec<&str> = event
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            serde_json::from_str(&data.join("\n")).ok()
        })
        .collect()
}

async fn mcp_checks(cluster: &Cluster, t: &mut Tunnel, names: &[&str]) -> Vec<Check> {
    let mut s = Session {
        t,
        id: None,
        protocol: None,
        next: 0,
    };
    let mut out = Vec::new();
    let started = handshake(&mut s).await;
    if names.contains(&"mcp") {
        out.push(match &started {
            Ok((summary, _)) => pass("mcp", summary.clone()),
            Err(e) => fail("mcp", e.clone(), "see `skyflo logs mcp`"),
        });
    }
    if names.contains(&"mcp-tools") {
        out.push(match &started {
            Err(_) => fail(
                "mcp-tools",
                "not run: the MCP session did not start (see mcp)",
                "see `skyflo logs mcp`",
            ),
            Ok((_, tools)) if !tools.iter().any(|t| t == "k8s_get") => fail(
                "mcp-tools",
                format!("MCP offers no k8s_get tool (it has: {})", tools.join(", ")),
                "an MCP server of another Skyflo release? see `skyflo status`",
            ),
            Ok(_) => tool_call(&mut s, &cluster.namespace, &cluster.instance).await,
        });
    }
    s.close().await;
    out
}

/// initialize, notifications/initialized, tools/list: a summary and the tools' names.
async fn handshake(s: &mut Session<'_>) -> Result<(String, Vec<String>), String> {
    let init = s
        .call(
            "initialize",
            json!({
                "protocolVersion": PROTOCOL,
                "capabilities": {},
                "clientInfo": {"name": "skyflo-verify", "version": env!("CARGO_PKG_VERSION")},
            }),
        )
        .await?;
    let protocol = init["protocolVersion"]
        .as_str()
        .ok_or("initialize: the answer has no protocolVersion")?
        .to_string();
    s.protocol = Some(protocol.clone());
    s.notify("notifications/initialized").await?;
    let list = s.call("tools/list", json!({})).await?;
    let tools: Vec<String> = list["tools"]
        .as_array()
        .ok_or("tools/list: the answer has no tools")?
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_string))
        .collect();
    let server = &init["serverInfo"];
    Ok((
        format!(
            "{} {}: protocol {protocol}, {} tools",
            server["name"].as_str().unwrap_or("MCP"),
            server["version"].as_str().unwrap_or(""),
            tools.len()
        ),
        tools,
    ))
}

/// `k8s_get pods` in skyflo's namespace: read-only, and it needs MCP's RBAC. A refusal comes
/// back inside the tool's result (kubectl's error text), not as a protocol error.
async fn tool_call(s: &mut Session<'_>, namespace: &str, instance: &str) -> Check {
    let name = "mcp-tools";
    let result = match s
        .call(
            "tools/call",
            json!({"name": "k8s_get", "arguments": {"resource_type": "pods", "namespace": namespace}}),
        )
        .await
    {
        Ok(r) => r,
        Err(e) => return fail(name, e, "see `skyflo logs mcp`"),
    };
    let text: String = result["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    // Skyflo's tools return {"output", "error"}: as structured content, or as JSON text.
    let parsed = match &result["structuredContent"] {
        Value::Object(_) => result["structuredContent"].clone(),
        _ => serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
    };
    let failed =
        result["isError"].as_bool() == Some(true) || parsed["error"].as_bool() == Some(true);
    let output = parsed["output"]
        .as_str()
        .map(str::to_string)
        .unwrap_or(text);
    if !failed {
        return pass(
            name,
            format!("k8s_get listed the pods of {namespace} with MCP's ServiceAccount"),
        );
    }
    let forbidden = output
        .lines()
        .find(|l| l.to_lowercase().contains("forbidden"))
        .map(shown);
    match forbidden {
        Some(line) => fail(
            name,
            format!("the Kubernetes API refused MCP's ServiceAccount: {line}"),
            format!(
                "MCP's rights come from spec.mcp.accessLevel; try `kubectl auth can-i list pods -n {namespace} --as system:serviceaccount:{namespace}:{instance}-mcp`"
            ),
        ),
        None => fail(
            name,
            format!("the tool reported an error: {}", shown(&output)),
            "see `skyflo logs mcp`",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A secret that straddles the cut: shortened first, its first half would stay.
    #[test]
    fn messages_are_redacted_before_they_are_shortened() {
        let secret = "Zq8-very-long-stored-password-value-9c1d";
        let r = crate::redact::Redactor::new([format!("{secret}\n")]);
        let mut c = crate::cluster::diagnose::check::warn(
            "engine-database",
            format!("{}{secret} more", "x".repeat(380)),
            "",
        );
        finish(&r, &mut c);
        assert!(!c.message.contains("Zq8-very"), "{}", c.message);
        assert!(c.message.contains("(redacted)"), "{}", c.message);
    }
}
