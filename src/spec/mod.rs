//! The `SkyfloAI` input: loading, validation and the validated [`Spec`]. No cluster I/O.

pub mod diag;
pub mod image;
pub mod layers;
pub mod llm;
pub mod load;
pub mod model;
pub mod quantity;
pub mod raw;
pub mod schema;
pub mod validate;

pub use diag::{Diagnostic, SpecErrors};
pub use load::{Loaded, SourceMap, load_bytes};
pub use model::{
    API_VERSION, AccessLevel, DEFAULT_NAME, DEFAULT_NAMESPACE, DEFAULT_POSTGRES_IMAGE,
    DEFAULT_POSTGRES_UID, DEFAULT_PROXY_IMAGE, DEFAULT_REDIS_IMAGE, DEFAULT_SPEC_FILE,
    DEFAULT_SPEC_YAML, Database, Engine, Exposure, Ingress, KIND, Llm, LlmTuning, Mcp,
    PULL_POLICIES, Redis, SSL_MODES, Scheduling, ServiceType, Spec, Storage, Ui, Workload,
    mixed_versions, through_registry, with_tag,
};
pub use raw::RawSkyfloAI;

/// Loads and validates a file's bytes in one step.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Spec, SpecErrors> {
    let loaded = load_bytes(file, bytes)?;
    validate::validate(&loaded)
}

/// The embedded default spec, validated.
pub fn default_spec() -> Spec {
    parse(DEFAULT_SPEC_FILE, DEFAULT_SPEC_YAML.as_bytes())
        .expect("the embedded default spec is valid (checked by tests)")
}

/// Settings that are valid but dangerous, said by `validate`, `install`, `upgrade` and
/// `check`. Pure: the spec alone decides.
pub fn warnings(spec: &Spec) -> Vec<String> {
    let mut out = Vec::new();
    let mcp = &spec.mcp.service;
    if mcp.type_ != ServiceType::ClusterIP {
        let reach = match (mcp.type_, mcp.node_port) {
            (ServiceType::LoadBalancer, _) => "through a LoadBalancer".to_string(),
            (_, Some(p)) => format!("on NodePort {p} of every node"),
            _ => "on a NodePort of every node".to_string(),
        };
        let can = match spec.mcp.access_level {
            AccessLevel::ClusterAdmin => "run any kubectl and helm command as cluster-admin",
            AccessLevel::ReadOnly => {
                "read the whole cluster and create Secrets in the integrations namespace"
            }
            AccessLevel::None => "do whatever the kubeconfig in spec.mcp.kubeconfigSecret allows",
        };
        out.push(format!(
            "spec.mcp.service: MCP is reachable from outside the cluster {reach} and has no authentication: \
anyone who reaches it can {can}. Close it with spec.mcp.service.type: ClusterIP (the engine reaches MCP \
inside the cluster; use `kubectl port-forward svc/{}-mcp 8888` yourself){}",
            spec.name,
            if spec.network_policies {
                "; the NetworkPolicy only protects it where the CNI enforces NetworkPolicies"
            } else {
                "; spec.networkPolicy.enabled is false, so nothing else stands in the way"
            }
        ));
    }
    let e = exposure(spec);
    if let Some(w) = ui_exposure_warning(&e) {
        out.insert(0, w);
    }
    if !e.ui_plain_http.is_empty() {
        out.push(format!(
            "spec.ui: the UI is reachable over plain http through {}: {PLAIN_HTTP}",
            e.ui_plain_http.join(" and ")
        ));
    }
    if let Some(how) = &e.engine_outside {
        out.push(format!(
            "spec.engine.service: the engine is reachable from outside the cluster through {how}: {ENGINE_OUTSIDE}"
        ));
    }
    out.extend(llm_host_warning(spec));
    out
}

/// Who can reach what, from the spec alone: said by validate, check, install, upgrade and
/// status.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExposureSummary {
    /// How the UI is reachable from outside the cluster; `None`: only inside (ClusterIP).
    pub ui_outside: Option<String>,
    pub signup_open: bool,
    /// MCP's access level: what the agent can do through kubectl.
    pub mcp_access: String,
    /// How MCP is reachable from outside the cluster (it has no authentication).
    pub mcp_outside: Option<String>,
    /// The ways the UI is reachable from outside over plain http (a NodePort or LoadBalancer
    /// Service, an Ingress without TLS): the UI's login cookies are `Secure`, and browsers keep
    /// those over http only for localhost, so nobody stays logged in there.
    pub ui_plain_http: Vec<String>,
    /// How the engine is reachable from outside the cluster: it answers the agent without a
    /// login, past the proxy's gate.
    pub engine_outside: Option<String>,
}

fn outside(e: &Exposure) -> Option<String> {
    match (e.type_, e.node_port) {
        (ServiceType::ClusterIP, _) => None,
        (ServiceType::LoadBalancer, _) => Some("LoadBalancer".into()),
        (_, Some(p)) => Some(format!("NodePort {p} of every node")),
        _ => Some("a NodePort of every node".into()),
    }
}

pub fn exposure(spec: &Spec) -> ExposureSummary {
    let service = outside(&spec.ui.service);
    let mut ui = service.clone();
    let mut plain: Vec<String> = service.into_iter().collect();
    if let Some(i) = &spec.ui.ingress {
        let hosts = format!("Ingress {}", i.hosts.join(", "));
        if !ingress_has_tls(i) {
            plain.push(hosts.clone());
        }
        ui = Some(match ui {
            Some(u) => format!("{u} and {hosts}"),
            None => hosts,
        });
    }
    ExposureSummary {
        ui_outside: ui,
        signup_open: spec.ui.signup_open,
        mcp_access: spec.mcp.access_level.as_str().to_string(),
        mcp_outside: outside(&spec.mcp.service),
        ui_plain_http: plain,
        engine_outside: outside(&spec.engine.service),
    }
}

/// TLS on skyflo's Ingress (`tlsSecret`, which cert-manager may fill). A NodePort or
/// LoadBalancer Service is plain http as far as skyflo can know: the proxy listens on http.
fn ingress_has_tls(i: &Ingress) -> bool {
    i.tls_secret.is_some()
}

/// What a UI reached over plain http means for a browser, and how to fix it.
pub const PLAIN_HTTP: &str = "the UI's login cookies are Secure, and browsers keep those over plain http only for \
localhost, so nobody stays logged in there: put the UI behind spec.ui.ingress with tlsSecret (or a load balancer \
that terminates TLS), or open it with `skyflo dashboard`";

/// What an engine reachable from outside means.
pub const ENGINE_OUTSIDE: &str = "the engine answers the agent (POST /api/v1/agent/chat) and conversations \
without a login, past the proxy's gate, with MCP's rights: keep spec.engine.service ClusterIP (the UI's proxy \
reaches it inside the cluster)";

/// An exposed UI: whoever reaches it can log in (or register, with signup open) and drive an
/// agent with MCP's rights.
fn ui_exposure_warning(e: &ExposureSummary) -> Option<String> {
    let how = e.ui_outside.as_ref()?;
    let signup = if e.signup_open {
        "self-registration is OPEN (spec.ui.signup: open): anyone who reaches it can make an account and drive the agent"
    } else {
        "self-registration is closed (the proxy answers 403), and the agent's routes need a login"
    };
    Some(format!(
        "spec.ui.service: the UI is reachable from outside the cluster through {how}; {signup}. The agent runs kubectl \
with MCP's access level ({}). Create the first admin with `skyflo admin create --email E` before you share the \
address; or keep the UI inside the cluster (ClusterIP, the default) and open it with `skyflo dashboard`",
        e.mcp_access
    ))
}

/// Whether a warning is about who can reach what (the others are about settings).
pub fn is_exposure_warning(w: &str) -> bool {
    w.starts_with("spec.mcp.service")
        || w.starts_with("spec.ui")
        || w.starts_with("spec.engine.service")
}

/// The engine uses an OpenAI-compatible host as the base URL as given (`<host>/chat/completions`);
/// for Anthropic and Ollama, litellm appends the API's own path (`/v1/messages`, `/api/...`), so
/// a host written with `/v1` doubles it (seen with the real engine in the product tier).
fn llm_host_warning(spec: &Spec) -> Option<String> {
    let llm = &spec.engine.llm;
    let (host, model) = (llm.host.as_ref()?, llm.model.as_ref()?);
    let provider = llm::provider_of(model);
    let path = host.trim_end_matches('/');
    let appended = match provider.to_ascii_lowercase().as_str() {
        "anthropic" => Some("/v1/messages"),
        "ollama" | "ollama_chat" => Some("/api/generate (or /api/chat)"),
        _ => None,
    };
    if let (Some(suffix), Some(base)) = (appended, path.strip_suffix("/v1")) {
        return Some(format!(
            "spec.engine.llm.host: {host:?} ends in /v1, and the engine's {provider} requests go to <host>{suffix}, \
so to {path}{suffix}: use {base} unless your server really serves that path"
        ));
    }
    (llm::openai_compatible(provider) && !path.ends_with("/v1")).then(|| {
        format!(
            "spec.engine.llm.host: {host:?} does not end in /v1; the engine sends {provider} requests to \
<host>/chat/completions as given, and an OpenAI-compatible server (vLLM, LM Studio, a gateway) serves them under \
/v1: use {}/v1 unless your server really answers without it",
            path
        )
    })
}

/// A Secret the spec names (the user creates it; skyflo never writes it), with the keys the
/// pods read from it (empty: the whole Secret is read, any key will do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedSecret {
    pub field: &'static str,
    pub name: String,
    pub keys: Vec<&'static str>,
}

/// Every Secret the spec names, in the order of the spec.
pub fn named_secrets(spec: &Spec) -> Vec<NamedSecret> {
    // cert-manager creates the TLS Secret of an Ingress annotated for it, after the Ingress.
    let user_made = |i: &&Ingress| {
        !i.annotations
            .keys()
            .any(|k| k == "cert-manager.io/cluster-issuer" || k == "cert-manager.io/issuer")
    };
    let tls = spec.ui.ingress.as_ref().filter(user_made);
    let mut named: Vec<Named<'_>> = vec![
        (
            "spec.ui.ingress.tlsSecret",
            tls.and_then(|i| i.tls_secret.as_ref()),
            &["tls.crt", "tls.key"],
        ),
        (
            "spec.engine.jwtSecretName",
            spec.engine.jwt_secret.as_ref(),
            &["JWT_SECRET"],
        ),
        (
            "spec.engine.llm.apiKeySecret",
            spec.engine.llm.api_key_secret.as_ref(),
            &[],
        ),
    ];
    named.extend(data_secrets(spec));
    named.push((
        "spec.mcp.kubeconfigSecret",
        spec.mcp.kubeconfig_secret.as_ref(),
        &["kubeconfig"],
    ));
    named
        .into_iter()
        .filter_map(|(field, name, keys)| {
            name.map(|n| NamedSecret {
                field,
                name: n.clone(),
                keys: keys.to_vec(),
            })
        })
        .collect()
}

type Named<'a> = (&'static str, Option<&'a String>, &'static [&'static str]);

/// The database's and Redis's Secrets and CA Secrets.
fn data_secrets(spec: &Spec) -> Vec<Named<'_>> {
    let mut out: Vec<Named<'_>> = Vec::new();
    match &spec.engine.database {
        Database::InCluster {
            password_secret, ..
        } => out.push((
            "spec.engine.databaseConfig.secretName",
            password_secret.as_ref(),
            &["POSTGRES_PASSWORD"],
        )),
        Database::External {
            secret_name,
            ca_secret,
            ..
        } => {
            out.push((
                "spec.engine.databaseConfig.secretName",
                Some(secret_name),
                &["POSTGRES_USER", "POSTGRES_PASSWORD"],
            ));
            out.push((
                "spec.engine.databaseConfig.caSecret",
                ca_secret.as_ref(),
                &["ca.crt"],
            ));
        }
    }
    if let Redis::External {
        secret_name,
        ca_secret,
        ..
    } = &spec.engine.redis
    {
        out.push((
            "spec.engine.redisConfig.secretName",
            Some(secret_name),
            &["REDIS_PASSWORD"],
        ));
        out.push((
            "spec.engine.redisConfig.caSecret",
            ca_secret.as_ref(),
            &["ca.crt"],
        ));
    }
    out
}
