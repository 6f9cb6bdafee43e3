//! The validated [`Spec`] and its parts, with every default filled in, and the constants the
//! rest of the crate names (defaults, images, valid values).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, EnvVar, LocalObjectReference, ResourceRequirements, Toleration,
};

use super::image;
use super::raw::RawSkyfloAI;

pub const API_VERSION: &str = "skyflo.ai/v1";
pub const KIND: &str = "SkyfloAI";
pub const DEFAULT_NAME: &str = "skyflo";
pub const DEFAULT_NAMESPACE: &str = "skyflo-ai";

/// The embedded default spec: the v0.7.0 images, in-cluster PostgreSQL and Redis.
pub const DEFAULT_SPEC_YAML: &str = include_str!("../../examples/skyflo.yaml");
pub const DEFAULT_SPEC_FILE: &str = "<embedded default spec>";

pub const DEFAULT_POSTGRES_IMAGE: &str = "postgres:15.15-alpine";
pub const DEFAULT_REDIS_IMAGE: &str = "redis:7.4.7-alpine";
/// The alpine PostgreSQL image's `postgres` user, which owns data written by upstream's
/// install.yaml and by skyflo.
pub const DEFAULT_POSTGRES_UID: i64 = 70;
pub const DEFAULT_PROXY_IMAGE: &str = "skyfloaiagent/proxy:v0.7.0";

/// A spec that passed validation, with every default filled in. Only [`validate::validate`]
/// builds one, so nothing downstream re-checks user input.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Spec {
    pub name: String,
    /// `metadata.namespace`, when the file names one.
    pub namespace: Option<String>,
    pub ui: Ui,
    pub engine: Engine,
    pub mcp: Mcp,
    pub scheduling: Scheduling,
    pub network_policies: bool,
    /// The user's spec as written (after parsing), kept for the release record.
    pub raw: RawSkyfloAI,
}

/// Settings every Skyflo workload shares.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    pub image: String,
    pub replicas: i32,
    pub resources: Option<ResourceRequirements>,
    pub env: Vec<EnvVar>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer,
}

impl ServiceType {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::ClusterIP => "ClusterIP",
            ServiceType::NodePort => "NodePort",
            ServiceType::LoadBalancer => "LoadBalancer",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Exposure {
    pub type_: ServiceType,
    /// Only for NodePort and LoadBalancer; `None` lets the API server pick one.
    pub node_port: Option<i32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ui {
    pub workload: Workload,
    pub proxy_image: String,
    pub proxy_resources: Option<ResourceRequirements>,
    pub service: Exposure,
    pub ingress: Option<Ingress>,
    /// `spec.ui.signup: open`: anyone who reaches the UI may register (the first account
    /// becomes the admin). Closed by default: the proxy answers registration with 403.
    pub signup_open: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ingress {
    pub class_name: Option<String>,
    pub hosts: Vec<String>,
    pub tls_secret: Option<String>,
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Engine {
    pub workload: Workload,
    pub service: Exposure,
    pub database: Database,
    pub redis: Redis,
    pub llm: Llm,
    /// The user's Secret with key `JWT_SECRET`; `None`: skyflo generates it once.
    pub jwt_secret: Option<String>,
}

/// Where the data of an in-cluster StatefulSet lives.
#[derive(Debug, Clone, PartialEq)]
pub struct Storage {
    pub size: String,
    pub storage_class: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Database {
    InCluster {
        image: String,
        storage: Storage,
        resources: Option<ResourceRequirements>,
        /// The user's Secret with key `POSTGRES_PASSWORD`; `None`: skyflo generates it once.
        password_secret: Option<String>,
        /// The user (and group) id PostgreSQL runs as: the owner of the data directory.
        run_as_user: i64,
    },
    /// The Secret holds `POSTGRES_USER` and `POSTGRES_PASSWORD`.
    External {
        host: String,
        port: i32,
        database: String,
        secret_name: String,
        /// libpq's sslmode (disable … verify-full), added to the URL.
        ssl_mode: Option<String>,
        /// A Secret with key `ca.crt`, mounted for verify-ca / verify-full.
        ca_secret: Option<String>,
    },
}

pub const SSL_MODES: [&str; 6] = [
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
];

#[derive(Debug, Clone, PartialEq)]
pub enum Redis {
    InCluster {
        image: String,
        storage: Storage,
        resources: Option<ResourceRequirements>,
    },
    /// The Secret holds `REDIS_PASSWORD` (may be empty for a server without auth).
    External {
        host: String,
        port: i32,
        secret_name: String,
        /// `rediss://` instead of `redis://`.
        tls: bool,
        /// A Secret with key `ca.crt`, mounted and passed as `ssl_ca_certs`.
        ca_secret: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Llm {
    pub model: Option<String>,
    pub host: Option<String>,
    pub api_key_secret: Option<String>,
    /// `LLM_REASONING_EFFORT`, `LLM_THINKING_BUDGET_TOKENS`, `LLM_MAX_TOKENS` (upstream's
    /// engine reads them; upstream's chart dropped them with the in-cluster database).
    pub tuning: LlmTuning,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LlmTuning {
    pub reasoning_effort: Option<String>,
    pub thinking_budget_tokens: Option<i64>,
    pub max_tokens: Option<i64>,
}

impl LlmTuning {
    /// What the engine's settings accept (`settings.py`): anything else crash-loops it.
    pub const EFFORTS: [&'static str; 4] = ["low", "medium", "high", "default"];
    pub const THINKING_BUDGET: std::ops::RangeInclusive<i64> = 1024..=200_000;
    pub const MAX_TOKENS: std::ops::RangeInclusive<i64> = 1..=1_000_000;

    /// The engine's environment variables for the settings that are given.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(e) = &self.reasoning_effort {
            out.push(("LLM_REASONING_EFFORT", e.clone()));
        }
        if let Some(t) = self.thinking_budget_tokens {
            out.push(("LLM_THINKING_BUDGET_TOKENS", t.to_string()));
        }
        if let Some(m) = self.max_tokens {
            out.push(("LLM_MAX_TOKENS", m.to_string()));
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessLevel {
    ClusterAdmin,
    ReadOnly,
    None,
}

impl AccessLevel {
    pub const NAMES: [&'static str; 3] = ["cluster-admin", "read-only", "none"];

    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::ClusterAdmin => "cluster-admin",
            AccessLevel::ReadOnly => "read-only",
            AccessLevel::None => "none",
        }
    }

    /// The built-in ClusterRole MCP's ServiceAccount is bound to, if any.
    pub fn cluster_role(self) -> Option<&'static str> {
        match self {
            AccessLevel::ClusterAdmin => Some("cluster-admin"),
            AccessLevel::ReadOnly => Some("view"),
            AccessLevel::None => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mcp {
    pub workload: Workload,
    pub service: Exposure,
    pub kubeconfig_secret: Option<String>,
    pub access_level: AccessLevel,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scheduling {
    /// `ScheduleAnyway` or `DoNotSchedule` when replicas are spread across nodes.
    pub topology_spread: Option<String>,
    /// A registry (`host[:port][/path]`) that replaces the registry of every image.
    pub image_registry: Option<String>,
    /// `Always`, `IfNotPresent` or `Never` for every container; unset: Kubernetes' default.
    pub image_pull_policy: Option<String>,
    pub image_pull_secrets: Vec<LocalObjectReference>,
    pub node_selector: BTreeMap<String, String>,
    pub tolerations: Vec<Toleration>,
    pub affinity: Option<Affinity>,
}

pub const PULL_POLICIES: [&str; 3] = ["Always", "IfNotPresent", "Never"];

/// A warning when Skyflo's images (`component`, image) carry different release tags: they are
/// released together and expect each other's API.
pub fn mixed_versions(images: &[(&str, &str)]) -> Option<String> {
    let tagged: Vec<(&str, String)> = images
        .iter()
        .filter(|(_, i)| !i.is_empty())
        .map(|(c, i)| {
            (
                *c,
                image::version_of(i).unwrap_or_else(|| "untagged".into()),
            )
        })
        .collect();
    let first = &tagged.first()?.1;
    if tagged.iter().all(|(_, v)| v == first) {
        return None;
    }
    Some(format!(
        "Skyflo's components run different versions ({}); they are released together: \
`skyflo upgrade --version <vX.Y.Z>` moves them as one",
        tagged
            .iter()
            .map(|(c, v)| format!("{c} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// `image` with its tag replaced by `tag`; an image pinned by digest is left as it is.
pub fn with_tag(image: &str, tag: &str) -> String {
    if image.contains('@') {
        return image.to_string();
    }
    let (path, last) = image.rsplit_once('/').map_or(("", image), |(p, l)| (p, l));
    let repo = last.split_once(':').map_or(last, |(r, _)| r);
    if path.is_empty() {
        format!("{repo}:{tag}")
    } else {
        format!("{path}/{repo}:{tag}")
    }
}

/// `image` as pulled through `registry`: the original registry host (if any) is replaced, and
/// Docker Hub's official images gain their implicit `library/` (`postgres:15` →
/// `<registry>/library/postgres:15`), the layout `crane copy` and registry mirrors use.
pub fn through_registry(image: &str, registry: &str) -> String {
    let registry = registry.trim_end_matches('/');
    let (first, rest) = match image.split_once('/') {
        Some((f, r)) => (f, Some(r)),
        None => (image, None),
    };
    let has_host =
        rest.is_some() && (first.contains('.') || first.contains(':') || first == "localhost");
    let path = match (has_host, rest) {
        (true, Some(r)) => r.to_string(),
        (false, Some(_)) => image.to_string(),
        (_, None) => format!("library/{image}"),
    };
    format!("{registry}/{path}")
}

impl Spec {
    pub fn postgres_in_cluster(&self) -> bool {
        matches!(self.engine.database, Database::InCluster { .. })
    }

    pub fn redis_in_cluster(&self) -> bool {
        matches!(self.engine.redis, Redis::InCluster { .. })
    }

    /// The node ports the spec asks for, with the component that asks.
    pub fn requested_node_ports(&self) -> Vec<(&'static str, i32)> {
        [
            ("ui", &self.ui.service),
            ("engine", &self.engine.service),
            ("mcp", &self.mcp.service),
        ]
        .into_iter()
        .filter_map(|(c, e)| e.node_port.map(|p| (c, p)))
        .collect()
    }
}
