//! What rendering takes besides the spec: the names of an installation's objects, and what
//! must come from the cluster (generated secrets, stored LLM credentials, a connection).

use super::secrets::{self, Generated};
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
    pub fn checksum_key(&self) -> String {
        self.of("checksum-key")
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
