//! The base manifests in `templates/`, embedded at build time and parsed into k8s-openapi
//! types. They are complete Kubernetes YAML (no text templating); the spec is overlaid in
//! typed code.

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Container, Namespace};
use serde::de::DeserializeOwned;

pub const UI: &str = include_str!("../../templates/ui.yaml");
pub const ENGINE: &str = include_str!("../../templates/engine.yaml");
pub const MCP: &str = include_str!("../../templates/mcp.yaml");
pub const POSTGRES: &str = include_str!("../../templates/postgres.yaml");
pub const REDIS: &str = include_str!("../../templates/redis.yaml");
pub const WAIT_FOR: &str = include_str!("../../templates/wait-for.yaml");
pub const ENGINE_CONFIG: &str = include_str!("../../templates/engine-config.yaml");
pub const MCP_CONFIG: &str = include_str!("../../templates/mcp-config.yaml");
pub const UI_CONFIG: &str = include_str!("../../templates/ui-config.yaml");
pub const NAMESPACE: &str = include_str!("../../templates/namespace.yaml");
pub const PROXY_CONF: &str = include_str!("../../templates/proxy.conf.template");

/// Parses an embedded template. The templates are part of the binary and covered by tests,
/// so a parse failure is a build defect, not a user error.
fn parse<T: DeserializeOwned>(name: &str, text: &str) -> T {
    crate::spec::load::parse_yaml(text)
        .unwrap_or_else(|e| panic!("embedded template {name} does not parse: {e}"))
}

pub fn deployment(name: &str, text: &str) -> Deployment {
    parse(name, text)
}

pub fn stateful_set(name: &str, text: &str) -> StatefulSet {
    parse(name, text)
}

pub fn config_map(name: &str, text: &str) -> ConfigMap {
    parse(name, text)
}

pub fn container(name: &str, text: &str) -> Container {
    parse(name, text)
}

pub fn namespace() -> Namespace {
    parse("namespace.yaml", NAMESPACE)
}
