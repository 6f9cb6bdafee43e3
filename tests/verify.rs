//! `skyflo verify` against the test control plane: kwok's port-forward maps each pod's port to
//! a local server (tests/servers/skyflo_components.py) that answers like the real component.

mod common;

use common::*;

/// The component servers, stopped when dropped; `mode` makes one of them misbehave.
struct Components {
    child: std::process::Child,
    state: tempfile::TempDir,
    ports: serde_json::Value,
}

impl Components {
    fn start() -> Self {
        use std::io::BufRead;
        let state = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/servers/skyflo_components.py"
            ))
            .arg(state.path())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let ports = serde_json::from_str(&line).expect("the servers print their ports");
        Components {
            child,
            state,
            ports,
        }
    }

    fn port(&self, name: &str) -> u64 {
        self.ports[name].as_u64().unwrap()
    }

    fn mode(&self, mode: &str) {
        std::fs::write(self.state.path().join("mode"), mode).unwrap();
    }

    fn requests(&self) -> String {
        std::fs::read_to_string(self.state.path().join("requests.log")).unwrap_or_default()
    }
}

impl Drop for Components {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// kwok forwards a pod's ports to the local servers: the UI pod's proxy (8080) and UI (3000),
/// the engine's 8080 and MCP's 8888, as the rendered container ports say.
fn forward(ns: &str, c: &Components) {
    let forwards = [
        (
            "ui",
            vec![(8080, c.port("proxy") as u16), (3000, c.port("ui") as u16)],
        ),
        ("engine", vec![(8080, c.port("engine") as u16)]),
        ("mcp", vec![(8888, c.port("mcp") as u16)]),
    ];
    for (component, ports) in forwards {
        port_forward(ns, &pod_of(ns, component), &ports);
    }
}

fn verify(kc: &std::path::Path, ns: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["verify", "-n", ns];
    args.extend_from_slice(extra);
    let out = skyflo_via(kc, &args, &[]);
    (out.status.code(), text(&out))
}

fn line<'a>(out: &'a str, check: &str) -> &'a str {
    out.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(check))
        .unwrap_or_else(|| panic!("no {check} line: {out}"))
}

#[tokio::test]
async fn verify_proves_each_path_and_names_what_breaks() {
    let Installed {
        ns,
        dir: _dir,
        file: _file,
    } = installed("verify").await;
    let servers = Components::start();
    forward(&ns.name, &servers);
    // An API server of its own, so its audit log holds only what verify sent.
    let api = ExtraApiServer::start("verify");

    let (code, out) = verify(&api.kubeconfig, &ns.name, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("8/8 checks passed"), "{out}");
    for check in [
        "proxy",
        "proxy-ui",
        "proxy-engine",
        "proxy-auth",
        "engine-database",
        "engine-redis",
        "mcp",
        "mcp-tools",
    ] {
        assert!(line(&out, check).starts_with('✓'), "{check}: {out}");
    }
    // MCP was spoken to as a client does, in order, in one session that was closed.
    let log = servers.requests();
    let mcp: Vec<&str> = log.lines().filter(|l| l.starts_with("mcp ")).collect();
    assert_eq!(
        mcp,
        [
            "mcp POST /mcp initialize",
            "mcp POST /mcp notifications/initialized",
            "mcp POST /mcp tools/list",
            "mcp POST /mcp tools/call",
            "mcp DELETE /mcp",
        ],
        "{log}"
    );
    assert!(
        !log.contains("engine POST"),
        "nothing reached the engine: {log}"
    );
    // The tunnels went through this API server (a port-forward is a GET upgraded to a
    // WebSocket), and nothing was written.
    let audit = api.audit();
    let tunnels = audit
        .iter()
        .filter(|e| {
            e["stage"] == "ResponseComplete" && e["objectRef"]["subresource"] == "portforward"
        })
        .count();
    assert_eq!(tunnels, 3, "one port-forward per component");
    let writes = skyflo_writes(&audit);
    assert!(writes.is_empty(), "verify wrote: {writes:?}");

    let json = skyflo_via(
        &api.kubeconfig,
        &["verify", "-n", &ns.name, "-o", "json"],
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(
        (v["passed"].as_u64(), v["total"].as_u64()),
        (Some(8), Some(8)),
        "{v}"
    );

    // Each misbehaving server fails its own check, with its own reason; the rest pass.
    for (mode, check, reason) in [
        (
            "database-down",
            "engine-database",
            "cannot reach PostgreSQL",
        ),
        (
            "redis-down",
            "engine-redis",
            "rate limiter cannot use Redis",
        ),
        (
            "proxy-no-engine-route",
            "proxy-engine",
            "no route to the engine",
        ),
        ("mcp-forbidden", "mcp-tools", "refused MCP's ServiceAccount"),
        (
            "proxy-open",
            "proxy-auth",
            "without a login answered 422 (expected 401)",
        ),
    ] {
        servers.mode(mode);
        let (code, out) = verify(&api.kubeconfig, &ns.name, &[]);
        assert_eq!(code, Some(3), "{mode}: {out}");
        assert!(out.contains("7/8 checks passed"), "{mode}: {out}");
        let l = line(&out, check);
        assert!(l.starts_with('✗') && l.contains(reason), "{mode}: {out}");
        // The engine's error names its database URL, password included: never shown.
        assert!(!out.contains("planted-pw-4711"), "{mode}: {out}");
    }
    servers.mode("mcp-forbidden");
    let (code, out) = verify(&api.kubeconfig, &ns.name, &["--check", "mcp"]);
    assert_eq!(
        code,
        Some(0),
        "a Forbidden is a tool result, not a protocol error: {out}"
    );
    assert!(out.contains("1/1 checks passed"), "{out}");
}

#[tokio::test]
async fn verify_without_ready_pods_or_with_an_unknown_check_says_so() {
    let ns = TestNamespace::create("verify-empty", false).await;
    let out = skyflo(&["verify", "-n", &ns.name, "--check", "nonsense"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("engine-database"), "{}", text(&out));
    let out = skyflo(&["verify", "-n", &ns.name]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("0/8 checks passed"), "{stdout}");
    assert!(stdout.contains("no ready ui pod"), "{stdout}");
}

/// `verify --check proxy-auth` against real nginx running skyflo's rendered template in front
/// of a stand-in engine: it passes, and nothing was created; against the engine itself (a
/// proxy that routes everything, as the image's own configuration does) it fails, saying why.
#[tokio::test]
async fn verify_proxy_auth_passes_through_the_rendered_nginx_and_fails_without_it() {
    let Installed {
        ns,
        dir: _dir,
        file: _file,
    } = installed("verifyauth").await;
    let b = common::nginx::Backends::start();
    let conf_dir = tempfile::tempdir().unwrap();
    let port = common::nginx::free_port();
    let conf = common::nginx::configure(&spec_yaml(""), &b, port, conf_dir.path());
    let _nginx = common::nginx::Nginx::start(&conf, port);
    let pod = pod_of(&ns.name, "ui");
    let forward_to = |to: u16| port_forward(&ns.name, &pod, &[(8080, to)]);
    forward_to(port);
    let (code, out) = verify(&kubeconfig(), &ns.name, &["--check", "proxy-auth"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        line(&out, "proxy-auth").contains("through the UI's routes too; self-registration 403"),
        "{out}"
    );
    let seen = b.requests();
    assert!(
        !seen.contains("/api/v1/agent/chat") && !seen.contains("register"),
        "nothing reached the engine but the token check: {seen}"
    );
    forward_to(b.engine);
    let (code, out) = verify(&kubeconfig(), &ns.name, &["--check", "proxy-auth"]);
    assert_eq!(code, Some(3), "{out}");
    let l = line(&out, "proxy-auth");
    assert!(l.starts_with('✗') && l.contains("expected 401"), "{out}");
}
