//! `(Spec, Inputs)` → the ordered list of typed Kubernetes objects. Pure and deterministic:
//! the same inputs give the same bytes. Anything that must come from the cluster (above all
//! the existing generated secrets) arrives through [`Inputs`].

pub mod config;
pub mod images;
pub mod labels;
pub mod network;
pub mod object;
pub mod secrets;
pub mod templates;
pub mod workloads;

pub use object::{Object, ObjectRef, Rendered, Stage};
pub use secrets::{ExistingSecrets, Generated};

use crate::spec::Spec;

/// What rendering needs besides the spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pub namespace: String,
    /// The JWT secret and PostgreSQL password: read from the cluster when they exist there,
    /// generated once otherwise (see [`secrets::resolve`]). `None` (GitOps rendering with
    /// `template`): the Secrets that hold them are left out of the render; the pods refer to
    /// them by name all the same.
    pub generated: Option<Generated>,
    /// LLM credentials skyflo stores for the engine (from the environment at install time),
    /// used when the spec names no `llm.apiKeySecret` of its own.
    pub llm_credentials: LlmCredentials,
    /// URL-encoded copies of the user's database passwords (see [`secrets::Connection`]);
    /// `None` without a cluster (`template`): the Secret is left out, the engine refers to it.
    pub connection: Option<secrets::Connection>,
}

/// Whether the engine's connection URLs use credentials from the user's Secrets (which may
/// hold any character, so they travel URL-encoded through `<name>-connection`).
pub fn needs_connection(spec: &Spec) -> bool {
    use crate::spec::{Database, Redis};
    matches!(spec.engine.redis, Redis::External { .. })
        || matches!(
            spec.engine.database,
            Database::External { .. }
                | Database::InCluster {
                    password_secret: Some(_),
                    ..
                }
        )
}

/// The Secret `<name>-llm-credentials`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum LlmCredentials {
    #[default]
    None,
    /// It exists in the cluster from an earlier run; referenced, never re-rendered. Its
    /// values only feed the engine's checksum, so a run without the variables after one with
    /// them sees the same checksum and restarts nothing.
    Existing(std::collections::BTreeMap<String, String>),
    /// Given now: rendered (values never printed: plans redact Secret data).
    New(std::collections::BTreeMap<String, String>),
}

/// Names of every object, derived from the SkyfloAI name and namespace.
#[derive(Debug, Clone)]
pub struct Names {
    pub instance: String,
    pub namespace: String,
}

impl Names {
    pub fn new(spec: &Spec, namespace: &str) -> Self {
        Names {
            instance: spec.name.clone(),
            namespace: namespace.to_string(),
        }
    }
    pub fn of(&self, suffix: &str) -> String {
        format!("{}-{}", self.instance, suffix)
    }
    /// The ServiceAccount every pod except MCP runs as (no token mounted). Never the bare
    /// instance name: instance `a`'s `a-mcp` would then be instance `a-mcp`'s as well.
    pub fn service_account(&self) -> String {
        self.of("workloads")
    }
    /// Cluster-scoped names carry the namespace. `:` appears in neither a namespace nor an
    /// instance name, so (namespace, instance) pairs map to distinct names: `a-mcp` in `x`
    /// and `a` in `mcp-x` no longer meet at `a-mcp-mcp-x`.
    pub fn mcp_binding(&self) -> String {
        format!("skyflo:{}:{}-mcp", self.namespace, self.instance)
    }
    pub fn engine_secret(&self) -> String {
        self.of("engine-secrets")
    }
    pub fn postgres_secret(&self) -> String {
        self.of("postgres-secrets")
    }
    pub fn lock(&self) -> String {
        self.of("lock")
    }
    pub fn connection(&self) -> String {
        self.of("connection")
    }
    pub fn llm_credentials(&self) -> String {
        self.of("llm-credentials")
    }
}

/// Renders the complete installation in apply order.
pub fn render(spec: &Spec, inputs: &Inputs) -> Vec<Rendered> {
    let names = Names::new(spec, &inputs.namespace);
    let mut out = Vec::new();
    let mut push = |stage: Stage, object: Object| out.push(Rendered { stage, object });

    push(
        Stage::Namespace,
        Object::Namespace(config::namespace(&names)),
    );

    for sa in config::service_accounts(spec, &names) {
        push(Stage::Config, Object::ServiceAccount(sa));
    }
    if let Some(b) = config::mcp_binding(spec, &names) {
        push(Stage::Config, Object::ClusterRoleBinding(b));
    }
    if let Some((role, binding)) = config::mcp_integrations(spec, &names) {
        push(Stage::Config, Object::Role(role));
        push(Stage::Config, Object::RoleBinding(binding));
    }
    let config_maps = config::config_maps(spec, &names);
    let generated = inputs
        .generated
        .as_ref()
        .map(|g| config::secrets(spec, &names, g))
        .unwrap_or_default();
    let mut secrets = Vec::new();
    if let (true, Some(c)) = (needs_connection(spec), &inputs.connection) {
        secrets.push(config::connection(&names, c));
    }
    let mut stored = Vec::new();
    match (&spec.engine.llm.api_key_secret, &inputs.llm_credentials) {
        (None, LlmCredentials::New(values)) => {
            secrets.push(config::llm_credentials(&names, values));
        }
        (None, LlmCredentials::Existing(values)) => {
            stored.push(config::llm_credentials(&names, values));
        }
        _ => {}
    }
    for cm in &config_maps {
        push(Stage::Config, Object::ConfigMap(cm.clone()));
    }
    for s in generated.iter().chain(&secrets) {
        push(Stage::Config, Object::Secret(s.clone()));
    }

    if spec.network_policies {
        for np in network::network_policies(spec, &names) {
            push(Stage::Network, Object::NetworkPolicy(np));
        }
    }
    for svc in network::services(spec, &names) {
        push(Stage::Network, Object::Service(svc));
    }
    if let Some(ing) = network::ingress(spec, &names) {
        push(Stage::Network, Object::Ingress(ing));
    }

    // Generated credentials are not part of the checksums: they are created once and never
    // change, and leaving them out makes `template` (which does not print them) render the
    // same pod templates as `install`.
    let checksums =
        workloads::Checksums::new(&config_maps, &[secrets.as_slice(), &stored].concat());
    if let Some(sts) = workloads::postgres(spec, &names, &checksums) {
        push(Stage::Data, Object::StatefulSet(sts));
    }
    if let Some(sts) = workloads::redis(spec, &names) {
        push(Stage::Data, Object::StatefulSet(sts));
    }
    let apps = [
        (
            "engine",
            workloads::engine(spec, &names, &checksums, &inputs.llm_credentials),
        ),
        ("mcp", workloads::mcp(spec, &names, &checksums)),
        ("ui", workloads::ui(spec, &names, &checksums)),
    ];
    let mut budgets = Vec::new();
    for (component, mut d) in apps {
        if let Some(when) = &spec.scheduling.topology_spread {
            workloads::spread(&mut d, &names, component, when);
        }
        budgets.extend(workloads::disruption_budget(&d, &names, component));
        push(Stage::Apps, Object::Deployment(d));
    }
    for b in budgets {
        push(Stage::Apps, Object::PodDisruptionBudget(b));
    }
    for r in &mut out {
        if let Some(t) = r.object.pod_template_mut() {
            images::apply_policy(t, &spec.scheduling);
        }
    }
    out
}

/// Multi-document YAML of the rendered objects, in apply order (`skyflo template`).
pub fn to_yaml(objects: &[Rendered]) -> String {
    let mut out = String::new();
    for r in objects {
        out.push_str("---\n");
        out.push_str(
            &serde_saphyr::to_string(&r.object.to_json()).expect("JSON values serialize to YAML"),
        );
    }
    out
}
