//! An upstream installation's objects → the equivalent SkyfloAI file, plus what it cannot say.
//! Pure: works on the objects `detect::read` returned.

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Container, PodSpec, Service};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::detect::{Candidate, Upstream};
use super::model::{Credentials, Derived};
use crate::spec::raw::*;

fn typed<T: DeserializeOwned>(up: &Upstream, kind: &str, name: &str) -> Option<T> {
    let obj = up
        .objects
        .iter()
        .find(|(k, _)| k.kind == kind && k.name == name)?
        .1;
    serde_json::from_value(serde_json::to_value(obj).ok()?).ok()
}

fn pod(d: &Option<PodSpec>) -> PodSpec {
    d.clone().unwrap_or_default()
}

fn container<'a>(p: &'a PodSpec, name: &str) -> Option<&'a Container> {
    p.containers.iter().find(|c| c.name == name)
}

/// The three application Deployments' pod specs, which every setting is read from.
struct Apps {
    ui: (Deployment, PodSpec),
    engine: (Deployment, PodSpec),
    mcp: (Deployment, PodSpec),
}

fn image(p: &PodSpec, n: &str) -> Option<String> {
    container(p, n).and_then(|c| c.image.clone())
}

fn resources(p: &PodSpec, n: &str) -> Option<k8s_openapi::api::core::v1::ResourceRequirements> {
    container(p, n).and_then(|c| c.resources.clone())
}

fn replicas(x: &Deployment) -> Option<i64> {
    x.spec.as_ref().and_then(|s| s.replicas).map(i64::from)
}

pub fn derive(c: &Candidate, up: &Upstream, creds: &Credentials, namespace: &str) -> Derived {
    let f = &c.prefix;
    let mut d = Derived::default();
    let dep = |n: &str| {
        let x = typed::<Deployment>(up, "Deployment", &format!("{f}-{n}"))?;
        let p = pod(&x.spec.clone().unwrap_or_default().template.spec);
        Some((x, p))
    };
    let (Some(ui), Some(engine), Some(mcp)) = (dep("ui"), dep("engine"), dep("mcp")) else {
        d.blockers.push(format!(
            "the Deployments {f}-ui, {f}-engine and {f}-mcp must all exist to read the installation's settings from"
        ));
        return d;
    };
    let apps = Apps { ui, engine, mcp };
    let raw_ui = ui_spec(f, up, &apps, &mut d);
    let raw_engine = engine_spec(c, up, &apps, creds, &mut d);
    let raw_mcp = RawMcp {
        image: image(&apps.mcp.1, "mcp"),
        replicas: replicas(&apps.mcp.0),
        resources: resources(&apps.mcp.1, "mcp"),
        service: exposure(up, &format!("{f}-mcp"), 8888),
        env: user_env(&apps.mcp.1, "mcp"),
        ..Default::default()
    };
    env_notes(f, namespace, &apps.engine.1, &mut d);
    helm_notes(c, &mut d);
    scheduling_notes(f, up, &apps, &mut d);
    let network_policy = up
        .objects
        .keys()
        .any(|k| k.kind == "NetworkPolicy" && k.name == format!("{f}-mcp-policy"));
    let e = &apps.engine.1;
    d.raw = RawSkyfloAI {
        api_version: Some(crate::spec::API_VERSION.into()),
        kind: Some(crate::spec::KIND.into()),
        metadata: Some(RawMetadata {
            name: Some(f.clone()),
            namespace: None,
        }),
        spec: Some(RawSpec {
            ui: Some(raw_ui),
            engine: Some(raw_engine),
            mcp: Some(raw_mcp),
            image_pull_secrets: e.image_pull_secrets.clone().unwrap_or_default(),
            node_selector: e.node_selector.clone().unwrap_or_default(),
            tolerations: e.tolerations.clone().unwrap_or_default(),
            affinity: e.affinity.clone(),
            network_policy: Some(RawNetworkPolicy {
                enabled: Some(network_policy),
            }),
            ..Default::default()
        }),
    };
    d
}

/// A Service's type and the node port of `port`; `None` for a plain ClusterIP Service.
fn exposure(up: &Upstream, name: &str, port: i32) -> Option<RawService> {
    let svc = typed::<Service>(up, "Service", name)?.spec?;
    let type_ = svc.type_.unwrap_or_else(|| "ClusterIP".into());
    if type_ == "ClusterIP" {
        return None;
    }
    let node_port = svc
        .ports
        .unwrap_or_default()
        .iter()
        .find(|p| p.port == port)
        .and_then(|p| p.node_port)
        .map(i64::from);
    Some(RawService {
        type_: Some(type_),
        node_port,
    })
}

fn ui_spec(f: &str, up: &Upstream, apps: &Apps, d: &mut Derived) -> RawUi {
    let p = &apps.ui.1;
    let service = exposure(up, &format!("{f}-ui"), 80);
    let raw_ui_port = typed::<Service>(up, "Service", &format!("{f}-ui"))
        .and_then(|s| s.spec)
        .and_then(|s| s.ports)
        .unwrap_or_default()
        .iter()
        .any(|p| p.port == 3000 && p.node_port.is_some());
    if raw_ui_port {
        d.not_expressed.push(format!(
            "Service {f}-ui also exposed the UI without its proxy (port 3000) on a node port; skyflo keeps that port inside the cluster (Service {f}-ui-app)"
        ));
    }
    RawUi {
        env: user_env(p, "ui"),
        image: image(p, "ui"),
        replicas: replicas(&apps.ui.0),
        resources: resources(p, "ui"),
        service: Some(service.unwrap_or(RawService {
            type_: Some("ClusterIP".into()),
            node_port: None,
        })),
        proxy: Some(RawProxy {
            image: image(p, "proxy"),
            resources: resources(p, "proxy"),
        }),
        ..Default::default()
    }
}

fn llm_spec(creds: &Credentials) -> RawLlm {
    let mut llm = RawLlm {
        model: creds.llm_model.clone(),
        host: creds.llm_host.clone(),
        ..Default::default()
    };
    for (k, v) in &creds.tuning {
        match k.as_str() {
            "LLM_REASONING_EFFORT" => llm.reasoning_effort = Some(v.clone()),
            "LLM_THINKING_BUDGET_TOKENS" => llm.thinking_budget_tokens = v.parse().ok(),
            _ => llm.max_tokens = v.parse().ok(),
        }
    }
    llm
}

fn engine_spec(
    c: &Candidate,
    up: &Upstream,
    apps: &Apps,
    creds: &Credentials,
    d: &mut Derived,
) -> RawEngine {
    let f = &c.prefix;
    let sts = |n: &str| typed::<StatefulSet>(up, "StatefulSet", &format!("{f}-{n}"));
    let database_config = match sts("postgres") {
        Some(pg) => {
            in_cluster_credentials(c, creds, d);
            pointed_elsewhere(
                creds.database_url.as_deref(),
                &format!("{f}-postgres"),
                "PostgreSQL",
                d,
            );
            Some(database(&pg, d))
        }
        None => super::external::database(f, creds, d),
    };
    let redis_config = match sts("redis") {
        Some(r) => {
            pointed_elsewhere(
                creds.redis_url.as_deref(),
                &format!("{f}-redis"),
                "Redis",
                d,
            );
            Some(redis(&r))
        }
        None => super::external::redis(f, creds, d),
    };
    RawEngine {
        image: image(&apps.engine.1, "engine"),
        env: user_env(&apps.engine.1, "engine"),
        replicas: replicas(&apps.engine.0),
        resources: resources(&apps.engine.1, "engine"),
        service: exposure(up, &format!("{f}-engine"), 8080),
        llm: Some(llm_spec(creds)),
        database_config,
        redis_config,
        ..Default::default()
    }
}

/// skyflo's in-cluster PostgreSQL uses user and database `skyflo` and needs the password.
fn in_cluster_credentials(c: &Candidate, creds: &Credentials, d: &mut Derived) {
    for (what, value) in [
        ("POSTGRES_USER", &creds.postgres_user),
        ("POSTGRES_DB", &creds.postgres_db),
    ] {
        if value.as_deref() != Some(crate::render::secrets::POSTGRES_USER) {
            d.blockers.push(format!(
                "Secret {}-postgres-secrets has {what} {}; skyflo's in-cluster PostgreSQL uses user and database \"skyflo\"",
                c.secret_prefix,
                value.as_deref().map_or("missing".to_string(), |v| format!("{v:?}"))
            ));
        }
    }
    if creds.postgres_password.is_none() {
        d.blockers.push(format!(
            "Secret {}-postgres-secrets has no POSTGRES_PASSWORD: without it the existing database cannot be opened",
            c.secret_prefix
        ));
    }
}

/// install.yaml always runs PostgreSQL and Redis, even when the engine's URL points elsewhere
/// (set through install.sh's environment): which data is the user's is then unclear.
fn pointed_elsewhere(url: Option<&str>, service: &str, what: &str, d: &mut Derived) {
    let Some(host) = url
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string))
    else {
        return;
    };
    if host != service && !host.starts_with(&format!("{service}.")) {
        d.blockers.push(format!(
            "the engine's {what} URL points at {host}, not at the in-cluster {service}: adopt cannot tell which data to keep"
        ));
    }
}

/// The engine's pod placement is the file's; a component placed differently is listed.
fn scheduling_notes(f: &str, up: &Upstream, apps: &Apps, d: &mut Derived) {
    let placement = |p: &PodSpec| {
        serde_json::json!([
            p.node_selector,
            p.tolerations,
            p.affinity,
            p.image_pull_secrets
        ])
    };
    let engine = placement(&apps.engine.1);
    let mut others: Vec<(String, PodSpec)> = vec![
        (format!("Deployment {f}-ui"), apps.ui.1.clone()),
        (format!("Deployment {f}-mcp"), apps.mcp.1.clone()),
    ];
    for n in ["postgres", "redis"] {
        if let Some(s) = typed::<StatefulSet>(up, "StatefulSet", &format!("{f}-{n}")) {
            others.push((
                format!("StatefulSet {f}-{n}"),
                pod(&s.spec.unwrap_or_default().template.spec),
            ));
        }
    }
    for (what, p) in others {
        if placement(&p) != engine {
            d.not_expressed.push(format!(
                "{what} had its own nodeSelector, tolerations, affinity or imagePullSecrets; skyflo places every component as the engine was (spec.nodeSelector, spec.tolerations, spec.affinity, spec.imagePullSecrets)"
            ));
        }
    }
}

fn claim_size(s: &StatefulSet) -> (Option<String>, Option<String>) {
    let t = s
        .spec
        .as_ref()
        .and_then(|s| s.volume_claim_templates.as_ref())
        .and_then(|v| v.first())
        .and_then(|c| c.spec.clone())
        .unwrap_or_default();
    let size = t
        .resources
        .and_then(|r| r.requests)
        .and_then(|r| r.get("storage").map(|q| q.0.clone()));
    (size, t.storage_class_name)
}

fn database(s: &StatefulSet, d: &mut Derived) -> RawDatabase {
    let p = pod(&s.spec.clone().unwrap_or_default().template.spec);
    let c = p.containers.first().cloned().unwrap_or_default();
    let uid = c
        .security_context
        .as_ref()
        .and_then(|x| x.run_as_user)
        .or(p.security_context.as_ref().and_then(|x| x.run_as_user));
    let (size, class) = claim_size(s);
    if size.is_none() {
        d.blockers.push(
            "the PostgreSQL StatefulSet keeps its data in no volume claim (persistence disabled): there is no data volume to keep".into(),
        );
    }
    RawDatabase {
        image: c.image.clone(),
        resources: c.resources.clone(),
        storage_size: size,
        storage_class: class,
        // No securityContext: the alpine entrypoint drops to its postgres user, uid 70.
        run_as_user: uid.filter(|u| *u != crate::spec::DEFAULT_POSTGRES_UID),
        ..Default::default()
    }
}

fn redis(s: &StatefulSet) -> RawRedis {
    let p = pod(&s.spec.clone().unwrap_or_default().template.spec);
    let c = p.containers.first().cloned().unwrap_or_default();
    let (size, class) = claim_size(s);
    RawRedis {
        image: c.image.clone(),
        resources: c.resources.clone(),
        storage_size: size,
        storage_class: class,
        ..Default::default()
    }
}

/// Engine settings upstream sets through env that skyflo derives itself.
/// Variables upstream's installers set themselves (skyflo sets its own equivalents).
const INSTALLER_ENV: [&str; 9] = [
    "APP_VERSION",
    "MCP_SERVER_URL",
    "INTEGRATIONS_SECRET_NAMESPACE",
    "_PG_USER",
    "_PG_PASS",
    "_PG_DB",
    "POSTGRES_DATABASE_URL",
    "ENGINE_UPSTREAM",
    "UI_UPSTREAM",
];

/// Variables someone added to a container: carried into the file's `env`.
fn user_env(p: &PodSpec, name: &str) -> Vec<k8s_openapi::api::core::v1::EnvVar> {
    container(p, name)
        .and_then(|c| c.env.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|e| !INSTALLER_ENV.contains(&e.name.as_str()))
        .collect()
}

fn env_notes(f: &str, namespace: &str, engine: &PodSpec, d: &mut Derived) {
    let Some(c) = container(engine, "engine") else {
        return;
    };
    for e in c.env.clone().unwrap_or_default() {
        let v = e.value.clone().unwrap_or_default();
        match e.name.as_str() {
            "MCP_SERVER_URL" if v != format!("http://{f}-mcp:8888/mcp") => d.not_expressed.push(
                format!("the engine's MCP_SERVER_URL {v:?}: skyflo points the engine at its own MCP Service"),
            ),
            "INTEGRATIONS_SECRET_NAMESPACE" if !v.is_empty() && v != namespace => d.not_expressed.push(format!(
                "the engine's INTEGRATIONS_SECRET_NAMESPACE {v:?}: skyflo keeps integration Secrets in the installation's namespace"
            )),
            _ => {}
        }
    }
}

/// Chart values skyflo's format has no field for.
fn helm_notes(c: &Candidate, d: &mut Derived) {
    let v = &c.helm_values;
    let on = |path: &[&str]| {
        path.iter()
            .try_fold(v, |acc, k| acc.get(k))
            .and_then(Value::as_bool)
            == Some(true)
    };
    let set = |path: &[&str]| {
        path.iter()
            .try_fold(v, |acc, k| acc.get(k))
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    if on(&["ui", "ingress", "enabled"]) {
        d.not_expressed.push(format!(
            "the chart's Ingress {}-ui-ingress: left in place as it is (it routes to Service {}-ui, port http, which skyflo keeps); move it to spec.ui.ingress when convenient",
            c.prefix, c.prefix
        ));
    }
    if on(&["networkPolicy", "allowAllEgress"]) {
        d.not_expressed.push(
            "networkPolicy.allowAllEgress: skyflo's NetworkPolicies are its own (spec.networkPolicy.enabled)".into(),
        );
    }
    for c in ["engine", "mcp", "ui", "controller"] {
        if on(&["podDisruptionBudget", c, "enabled"]) {
            d.not_expressed.push(format!(
                "podDisruptionBudget.{c}: skyflo adds PodDisruptionBudgets by itself for components with more than one replica"
            ));
        }
    }
    if set(&["engine", "secrets", "existingSecret"])
        || set(&["postgresql", "auth", "existingSecret"])
    {
        d.blockers.push(
            "the release reads its credentials from an existingSecret; adopt only takes over the chart's own Secrets".into(),
        );
    }
}
