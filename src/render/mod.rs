//! `(Spec, Inputs)` → the ordered list of typed Kubernetes objects. Pure and deterministic:
//! the same inputs give the same bytes. Anything that must come from the cluster (above all
//! the existing generated secrets) arrives through [`Inputs`].

pub mod config;
pub mod images;
pub mod inputs;
pub mod labels;
pub mod network;
pub mod object;
pub mod secrets;
pub mod templates;
pub mod workloads;

pub use inputs::{Inputs, LlmCredentials, Names, needs_connection};
pub use object::{Object, ObjectRef, Rendered, Stage};
pub use secrets::{ExistingSecrets, Generated};

use crate::spec::Spec;

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
    let (secrets, stored) = secrets_of_inputs(spec, &names, inputs);
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
    let key = inputs.generated.as_ref().map(|g| g.checksum_key.as_bytes());
    let checksums =
        workloads::Checksums::new(&config_maps, &[secrets.as_slice(), &stored].concat(), key);
    if let Some(sts) = workloads::postgres(spec, &names, &checksums) {
        push(Stage::Data, Object::StatefulSet(sts));
    }
    if let Some(sts) = workloads::redis(spec, &names) {
        push(Stage::Data, Object::StatefulSet(sts));
    }
    for d in apps(spec, &names, &checksums, &inputs.llm_credentials) {
        push(Stage::Apps, d);
    }
    for r in &mut out {
        if let Some(t) = r.object.pod_template_mut() {
            images::apply_policy(t, &spec.scheduling);
        }
    }
    out
}

/// The Secrets made from what came from outside the spec: the connection Secret, and the
/// LLM credentials given now (applied) or stored by an earlier run (`stored`: only counted in
/// the checksums).
fn secrets_of_inputs(
    spec: &Spec,
    names: &Names,
    inputs: &Inputs,
) -> (
    Vec<k8s_openapi::api::core::v1::Secret>,
    Vec<k8s_openapi::api::core::v1::Secret>,
) {
    let mut secrets = Vec::new();
    if let (true, Some(c)) = (needs_connection(spec), &inputs.connection) {
        secrets.push(config::connection(names, c));
    }
    let mut stored = Vec::new();
    match (&spec.engine.llm.api_key_secret, &inputs.llm_credentials) {
        (None, LlmCredentials::New(values)) => {
            secrets.push(config::llm_credentials(names, values));
        }
        (None, LlmCredentials::Existing(values)) => {
            stored.push(config::llm_credentials(names, values));
        }
        _ => {}
    }
    (secrets, stored)
}

/// The engine, MCP and UI Deployments (spread as the spec asks), then their disruption
/// budgets.
fn apps(
    spec: &Spec,
    names: &Names,
    checksums: &workloads::Checksums,
    credentials: &LlmCredentials,
) -> Vec<Object> {
    let apps = [
        (
            "engine",
            workloads::engine(spec, names, checksums, credentials),
        ),
        ("mcp", workloads::mcp(spec, names, checksums)),
        ("ui", workloads::ui(spec, names, checksums)),
    ];
    let mut deployments = Vec::new();
    let mut budgets = Vec::new();
    for (component, mut d) in apps {
        if let Some(when) = &spec.scheduling.topology_spread {
            workloads::spread(&mut d, names, component, when);
        }
        budgets.extend(workloads::disruption_budget(&d, names, component));
        deployments.push(Object::Deployment(d));
    }
    deployments.extend(budgets.into_iter().map(Object::PodDisruptionBudget));
    deployments
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
