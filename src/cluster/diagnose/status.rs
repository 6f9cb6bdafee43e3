//! The live state of an installation, explained: per-component health and why something is
//! not ready, drift from the last applied spec, the release, the lock, how to reach the UI.

use std::collections::BTreeSet;

use anyhow::Result;
use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::api::{Api, ListParams};
use serde::Serialize;
use serde_json::Value;

use crate::cluster::conditions::{
    deployment_ready, fatal_pod_problem, pod_note, stateful_set_ready,
};
use crate::cluster::release::{self, Release};
use crate::cluster::{Cluster, inventory, lock};
use crate::render::labels::{self, instance_selector};
use crate::render::{self, Inputs, ObjectRef, secrets};
use crate::spec::{Database, Redis, Spec};

pub const COMPONENTS: [&str; 5] = ["ui", "engine", "mcp", "postgres", "redis"];

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ComponentStatus {
    /// Ready, Progressing, NotReady, Missing, or External (a database skyflo does not run).
    pub phase: String,
    pub message: String,
    pub ready_replicas: i32,
    pub desired_replicas: i32,
    pub updated_replicas: i32,
    pub image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

/// A Kubernetes-style condition (`metav1.Condition` shape).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
    pub last_transition_time: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Drift {
    pub object: ObjectRef,
    pub field: String,
    pub live: Value,
    pub desired: Value,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Access {
    pub ui: String,
    pub mcp: String,
    /// Who can reach what, from the deployed spec.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposure: Option<crate::spec::ExposureSummary>,
    /// Whether an account (the first is the admin) exists; asked of the engine only when the
    /// UI is reachable from outside. `None`: not asked, or no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_exists: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub name: String,
    pub namespace: String,
    pub ui_status: ComponentStatus,
    pub engine_status: ComponentStatus,
    pub mcp_status: ComponentStatus,
    pub postgres_status: ComponentStatus,
    pub redis_status: ComponentStatus,
    pub conditions: Vec<Condition>,
    pub drift: Vec<Drift>,
    pub release: Option<ReleaseInfo>,
    pub lock: Option<lock::Holder>,
    pub access: Access,
    /// Things that work now but will bite (a disruption budget that blocks node drains).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseInfo {
    pub revision: u32,
    pub time: String,
    pub cli_version: String,
    pub operation: String,
    pub outcome: release::Outcome,
}

impl ReleaseInfo {
    fn of(r: &Release) -> Self {
        ReleaseInfo {
            revision: r.revision,
            time: r.time.clone(),
            cli_version: r.cli_version.clone(),
            operation: r.operation.clone(),
            outcome: r.outcome,
        }
    }
}

impl Status {
    pub fn components(&self) -> [(&'static str, &ComponentStatus); 5] {
        [
            ("ui", &self.ui_status),
            ("engine", &self.engine_status),
            ("mcp", &self.mcp_status),
            ("postgres", &self.postgres_status),
            ("redis", &self.redis_status),
        ]
    }

    pub fn ready(&self) -> bool {
        self.components()
            .iter()
            .all(|(_, c)| c.phase == "Ready" || c.phase == "External")
    }
}

fn age(t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>) -> Option<String> {
    t.map(|t| t.0.to_string())
}

fn missing(message: &str) -> ComponentStatus {
    ComponentStatus {
        phase: "Missing".into(),
        message: message.into(),
        ready_replicas: 0,
        desired_replicas: 0,
        updated_replicas: 0,
        image: String::new(),
        created: None,
    }
}

/// Why the pods of a component are not ready: a fatal pod problem first, then the latest
/// Warning event of its pods or workload, then a waiting reason.
fn why(component: &str, pods: &[Pod], events: &[Event], workload: &str) -> String {
    let mine: Vec<&Pod> = pods
        .iter()
        .filter(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(labels::COMPONENT))
                .map(String::as_str)
                == Some(component)
                && p.metadata.deletion_timestamp.is_none()
        })
        .collect();
    if let Some(problem) = mine.iter().find_map(|p| fatal_pod_problem(p)) {
        return problem;
    }
    let names: BTreeSet<String> = mine
        .iter()
        .filter_map(|p| p.metadata.name.clone())
        .chain([workload.to_string()])
        .collect();
    let latest = events
        .iter()
        .filter(|e| {
            e.involved_object
                .name
                .as_ref()
                .is_some_and(|n| names.contains(n) || n.starts_with(&format!("{workload}-")))
        })
        .max_by_key(|e| {
            e.last_timestamp
                .as_ref()
                .map(|t| t.0)
                .or_else(|| e.event_time.as_ref().map(|t| t.0))
        });
    if let Some(e) = latest {
        return format!(
            "{}: {}",
            e.reason.clone().unwrap_or_default(),
            e.message.clone().unwrap_or_default()
        );
    }
    mine.iter().find_map(|p| pod_note(p)).unwrap_or_default()
}

/// The image of a pod template's first container (the component's own; the UI's second is
/// its proxy).
fn main_image(template: Option<&k8s_openapi::api::core::v1::PodTemplateSpec>) -> String {
    template
        .and_then(|t| t.spec.as_ref())
        .and_then(|p| p.containers.first())
        .and_then(|c| c.image.clone())
        .unwrap_or_default()
}

fn phase(ready: i32, done: bool) -> &'static str {
    if done {
        "Ready"
    } else if ready > 0 {
        "Progressing"
    } else {
        "NotReady"
    }
}

fn deployment_status(
    d: Option<&Deployment>,
    component: &str,
    pods: &[Pod],
    events: &[Event],
) -> ComponentStatus {
    let Some(d) = d else {
        return missing("the Deployment does not exist");
    };
    let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let st = d.status.clone().unwrap_or_default();
    let ready = st.ready_replicas.unwrap_or(0);
    let done = deployment_ready(d);
    let mut message = String::new();
    if !done {
        message = st
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == "ReplicaFailure" && c.status == "True")
            .map(|c| {
                format!(
                    "pods cannot be created: {}",
                    c.message.clone().unwrap_or_default()
                )
            })
            .unwrap_or_else(|| {
                why(
                    component,
                    pods,
                    events,
                    d.metadata.name.as_deref().unwrap_or_default(),
                )
            });
    }
    ComponentStatus {
        phase: phase(ready, done).into(),
        message,
        ready_replicas: ready,
        desired_replicas: desired,
        updated_replicas: st.updated_replicas.unwrap_or(0),
        image: main_image(d.spec.as_ref().map(|s| &s.template)),
        created: age(d.metadata.creation_timestamp.as_ref()),
    }
}

fn stateful_set_status(
    s: Option<&StatefulSet>,
    component: &str,
    pods: &[Pod],
    events: &[Event],
) -> ComponentStatus {
    let Some(s) = s else {
        return missing("the StatefulSet does not exist");
    };
    let desired = s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let st = s.status.clone().unwrap_or_default();
    let ready = st.ready_replicas.unwrap_or(0);
    let done = stateful_set_ready(s);
    ComponentStatus {
        phase: phase(ready, done).into(),
        message: if done {
            String::new()
        } else {
            why(
                component,
                pods,
                events,
                s.metadata.name.as_deref().unwrap_or_default(),
            )
        },
        ready_replicas: ready,
        desired_replicas: desired,
        updated_replicas: st.updated_replicas.unwrap_or(0),
        image: main_image(s.spec.as_ref().map(|s| &s.template)),
        created: age(s.metadata.creation_timestamp.as_ref()),
    }
}

fn external(host: &str, port: i32) -> ComponentStatus {
    ComponentStatus {
        phase: "External".into(),
        message: format!("external at {host}:{port} (not checked by skyflo)"),
        ready_replicas: 0,
        desired_replicas: 0,
        updated_replicas: 0,
        image: String::new(),
        created: None,
    }
}

/// Reads everything status needs, in parallel: one LIST per kind.
/// The installation's Deployments and StatefulSets among the objects the inventory read.
fn workloads(live: &inventory::Live) -> (Vec<Deployment>, Vec<StatefulSet>) {
    let typed = |kind: &str| -> Vec<serde_json::Value> {
        live.objects
            .iter()
            .filter(|(k, _)| k.kind == kind)
            .filter_map(|(_, o)| serde_json::to_value(o).ok())
            .collect()
    };
    let deps = typed("Deployment")
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect();
    let stss = typed("StatefulSet")
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect();
    (deps, stss)
}

/// The installation's pods and the namespace's Warning events (events are best effort).
async fn pods_and_warnings(cluster: &Cluster) -> Result<(Vec<Pod>, Vec<Event>)> {
    let selector = instance_selector(&cluster.instance);
    let lp = ListParams::default().labels(&selector);
    let warnings = ListParams::default().fields("type=Warning");
    let (pods, events) = (cluster.typed::<Pod>(), cluster.typed::<Event>());
    let (p, e) = tokio::join!(pods.list(&lp), events.list(&warnings));
    Ok((p?.items, e.map(|l| l.items).unwrap_or_default()))
}

/// PostgreSQL's and Redis's status: their StatefulSets, or the external hosts the spec names.
fn data_stores(
    spec: Option<&Spec>,
    (postgres, redis): (Option<&StatefulSet>, Option<&StatefulSet>),
    pods: &[Pod],
    events: &[Event],
) -> (ComponentStatus, ComponentStatus) {
    let postgres_status = match spec.map(|s| &s.engine.database) {
        Some(Database::External { host, port, .. }) => external(host, *port),
        _ => stateful_set_status(postgres, "postgres", pods, events),
    };
    let redis_status = match spec.map(|s| &s.engine.redis) {
        Some(Redis::External { host, port, .. }) => external(host, *port),
        _ => stateful_set_status(redis, "redis", pods, events),
    };
    (postgres_status, redis_status)
}

pub async fn read(cluster: &Cluster) -> Result<Option<Status>> {
    let nodes: Api<Node> = Api::all(cluster.client.clone());
    let names = cluster.names();
    let lock_name = names.lock();
    let all = ListParams::default();
    let (live, holder, node_list) = tokio::try_join!(
        inventory::read_parallel(cluster),
        lock::current(cluster, &lock_name),
        // Node addresses complete NodePort URLs; a user who may not list nodes still gets status.
        async {
            Ok::<_, anyhow::Error>(nodes.list(&all).await.map(|l| l.items).unwrap_or_default())
        },
    )?;
    let (deps, stss) = workloads(&live);
    let history = live.releases.clone();
    let current = release::last_deployed(&history)
        .cloned()
        .or_else(|| history.last().cloned());
    // What uninstall keeps (claims, generated Secrets) is data, not an installation.
    if current.is_none() && deps.is_empty() && stss.is_empty() {
        return Ok(None);
    }
    let spec = current.as_ref().and_then(|r| r.spec().ok());

    // Pods and events explain what is not ready: read only when something is.
    let all_ready =
        deps.iter().all(deployment_ready) && stss.iter().all(stateful_set_ready) && deps.len() == 3;
    let (pod_list, event_list) = if all_ready {
        (Vec::new(), Vec::new())
    } else {
        pods_and_warnings(cluster).await?
    };
    let find_d = |c: &str| {
        deps.iter()
            .find(|d| d.metadata.name.as_deref() == Some(&names.of(c)))
    };
    let find_s = |c: &str| {
        stss.iter()
            .find(|s| s.metadata.name.as_deref() == Some(&names.of(c)))
    };
    let (postgres_status, redis_status) = data_stores(
        spec.as_ref(),
        (find_s("postgres"), find_s("redis")),
        &pod_list,
        &event_list,
    );
    let drift = match &spec {
        Some(s) => drift(cluster, s, &live).await?,
        None => Vec::new(),
    };
    let mut status = Status {
        name: cluster.instance.clone(),
        namespace: cluster.namespace.clone(),
        ui_status: deployment_status(find_d("ui"), "ui", &pod_list, &event_list),
        engine_status: deployment_status(find_d("engine"), "engine", &pod_list, &event_list),
        mcp_status: deployment_status(find_d("mcp"), "mcp", &pod_list, &event_list),
        postgres_status,
        redis_status,
        conditions: Vec::new(),
        drift,
        release: current.as_ref().map(ReleaseInfo::of),
        lock: holder,
        access: access(cluster, &live, &node_list),
        warnings: Vec::new(),
    };
    if let Some(s) = &spec {
        exposure(cluster, s, &mut status.access).await;
    }
    status.warnings = drain_blockers(&live);
    status.warnings.extend(crate::spec::mixed_versions(&[
        ("ui", &status.ui_status.image),
        ("engine", &status.engine_status.image),
        ("mcp", &status.mcp_status.image),
    ]));
    status.conditions = conditions(&status, &deps, &stss, current.as_ref());
    Ok(Some(status))
}

fn conditions(
    status: &Status,
    deps: &[Deployment],
    stss: &[StatefulSet],
    release: Option<&Release>,
) -> Vec<Condition> {
    // The newest transition among the workloads' own conditions, so the time means something.
    let latest = deps
        .iter()
        .flat_map(|d| d.status.iter().flat_map(|s| s.conditions.iter().flatten()))
        .filter_map(|c| c.last_transition_time.as_ref().map(|t| t.0))
        .chain(
            stss.iter()
                .filter_map(|s| s.metadata.creation_timestamp.as_ref().map(|t| t.0)),
        )
        .max()
        .or_else(|| release.and_then(|r| r.time.parse::<Timestamp>().ok()))
        .unwrap_or_else(Timestamp::now)
        .to_string();
    let not_ready: Vec<String> = status
        .components()
        .iter()
        .filter(|(_, c)| c.phase != "Ready" && c.phase != "External")
        .map(|(n, c)| format!("{n} {}", c.phase))
        .collect();
    let mut out = vec![if not_ready.is_empty() {
        Condition {
            type_: "Ready".into(),
            status: "True".into(),
            reason: "AllComponentsReady".into(),
            message: "every component is ready".into(),
            last_transition_time: latest.clone(),
        }
    } else {
        Condition {
            type_: "Ready".into(),
            status: "False".into(),
            reason: "ComponentsNotReady".into(),
            message: not_ready.join(", "),
            last_transition_time: latest.clone(),
        }
    }];
    out.push(Condition {
        type_: "Drifted".into(),
        status: if status.drift.is_empty() {
            "False"
        } else {
            "True"
        }
        .into(),
        reason: if status.drift.is_empty() {
            "MatchesLastApply"
        } else {
            "ChangedOutsideSkyflo"
        }
        .into(),
        message: if status.drift.is_empty() {
            "the cluster matches the last applied spec".into()
        } else {
            format!(
                "{} field(s) changed outside skyflo; `skyflo upgrade` restores them",
                status.drift.len()
            )
        },
        last_transition_time: latest,
    });
    out
}

/// Who can reach what; whether an admin exists is asked of the engine only when the UI is
/// reachable from outside (a port-forward, at most 10 s).
async fn exposure(cluster: &Cluster, spec: &Spec, access: &mut Access) {
    let e = crate::spec::exposure(spec);
    if e.ui_outside.is_some() {
        let asked = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            crate::cluster::engine::admin_exists(cluster),
        );
        access.admin_exists = asked.await.ok().and_then(Result::ok);
    }
    access.exposure = Some(e);
}

fn access(cluster: &Cluster, live: &inventory::Live, nodes: &[Node]) -> Access {
    let address = nodes
        .iter()
        .flat_map(|n| n.status.iter().flat_map(|s| s.addresses.iter().flatten()))
        .find(|a| a.type_ == "ExternalIP")
        .or_else(|| {
            nodes
                .iter()
                .flat_map(|n| n.status.iter().flat_map(|s| s.addresses.iter().flatten()))
                .find(|a| a.type_ == "InternalIP")
        })
        .map(|a| a.address.clone());
    let describe = |component: &str, forward: &str| -> String {
        let key = ObjectRef {
            kind: "Service".into(),
            namespace: Some(cluster.namespace.clone()),
            name: format!("{}-{component}", cluster.instance),
        };
        let node_port = live
            .objects
            .get(&key)
            .and_then(|s| s.data["spec"]["ports"][0]["nodePort"].as_i64());
        match (node_port, &address) {
            (Some(p), Some(a)) => format!("http://{a}:{p} (NodePort {p})"),
            (Some(p), None) => format!("NodePort {p} on any node"),
            _ if component == "ui" => format!(
                "inside the cluster only: skyflo dashboard -n {} opens it",
                cluster.namespace
            ),
            _ => format!(
                "kubectl -n {} port-forward svc/{} {forward}",
                cluster.namespace, key.name
            ),
        }
    };
    Access {
        ui: ingress_url(cluster, live).unwrap_or_else(|| describe("ui", "3000:80")),
        mcp: describe("mcp", "8888:8888"),
        exposure: None,
        admin_exists: None,
    }
}

/// PodDisruptionBudgets that allow no eviction right now: `kubectl drain` of a node running
/// one of their pods would wait (or time out) until the component is healthy again.
fn drain_blockers(live: &inventory::Live) -> Vec<String> {
    live.objects
        .iter()
        .filter(|(k, _)| k.kind == "PodDisruptionBudget")
        .filter_map(|(k, o)| {
            let st = &o.data["status"];
            let allowed = st["disruptionsAllowed"].as_i64()?;
            let expected = st["expectedPods"].as_i64().unwrap_or(0);
            (allowed == 0 && expected > 0).then(|| {
                format!(
                    "{k} allows no disruption now ({} of {expected} pods healthy, {} needed): draining a node with one of its pods waits until the component is healthy again",
                    st["currentHealthy"].as_i64().unwrap_or(0),
                    st["desiredHealthy"].as_i64().unwrap_or(0),
                )
            })
        })
        .collect()
}

/// The UI's Ingress, as the URL(s) users open, with the address the controller published.
fn ingress_url(cluster: &Cluster, live: &inventory::Live) -> Option<String> {
    let key = ObjectRef {
        kind: "Ingress".into(),
        namespace: Some(cluster.namespace.clone()),
        name: format!("{}-ui", cluster.instance),
    };
    let ing = &live.objects.get(&key)?.data;
    let scheme = if ing["spec"]["tls"].as_array().is_some_and(|t| !t.is_empty()) {
        "https"
    } else {
        "http"
    };
    let hosts: Vec<String> = ing["spec"]["rules"]
        .as_array()?
        .iter()
        .filter_map(|r| r["host"].as_str())
        .map(|h| format!("{scheme}://{h}"))
        .collect();
    let lb = &ing["status"]["loadBalancer"]["ingress"][0];
    let address = lb["ip"].as_str().or(lb["hostname"].as_str());
    Some(format!(
        "{} (Ingress {}, {})",
        hosts.join(", "),
        key.name,
        address.map_or("no address published yet".to_string(), |a| format!(
            "address {a}"
        ))
    ))
}

/// Objects changed outside skyflo since the last apply: every field skyflo sets is compared
/// with the live object (skyflo's fields are a subset; others' additions are not drift).
async fn drift(cluster: &Cluster, spec: &Spec, live: &inventory::Live) -> Result<Vec<Drift>> {
    let existing = inventory::existing_secrets(cluster, live);
    let inputs = Inputs {
        namespace: cluster.namespace.clone(),
        generated: Some(secrets::resolve(&existing)),
        llm_credentials: crate::cluster::inventory::llm_credentials(
            cluster,
            live,
            &Default::default(),
        ),
        // As last written: status reads no user Secret.
        connection: inventory::secret_data(
            cluster,
            live,
            &format!("{}-connection", cluster.instance),
        )
        .map(secrets::Connection),
    };
    let mut out = Vec::new();
    for r in render::render(spec, &inputs) {
        if r.stage == crate::render::Stage::Namespace && !live.owns_namespace(&cluster.instance) {
            // A namespace that existed before is never skyflo's to manage, so never drift.
            continue;
        }
        let key = r.object.object_ref();
        match live.objects.get(&key) {
            None => out.push(Drift {
                object: key,
                field: "(object)".into(),
                live: Value::String("deleted".into()),
                desired: Value::String("present".into()),
            }),
            Some(obj) => {
                let desired = r.object.to_json();
                let actual = serde_json::to_value(obj).unwrap_or_default();
                let mut fields = Vec::new();
                subset_diff("", &desired, &actual, &mut fields);
                for (field, d, l) in fields {
                    let secret = key.kind == "Secret" && field.starts_with("data");
                    out.push(Drift {
                        object: key.clone(),
                        field,
                        live: if secret {
                            Value::String("(redacted)".into())
                        } else {
                            l
                        },
                        desired: if secret {
                            Value::String("(redacted)".into())
                        } else {
                            d
                        },
                    });
                }
            }
        }
    }
    Ok(out)
}

fn same_scalar(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    // The API server canonicalises quantities ("1000m" is stored as "1").
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => match (
            crate::spec::quantity::parse(x),
            crate::spec::quantity::parse(y),
        ) {
            (Some(p), Some(q)) => (p - q).abs() < 1e-9,
            _ => false,
        },
        _ => false,
    }
}

fn subset_diff(path: &str, desired: &Value, live: &Value, out: &mut Vec<(String, Value, Value)>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (desired, live) {
        (Value::Object(d), Value::Object(l)) => {
            for (k, dv) in d {
                if path.is_empty() && (k == "status" || k == "apiVersion" || k == "kind") {
                    continue;
                }
                match l.get(k) {
                    Some(lv) => subset_diff(&join(k), dv, lv, out),
                    None => out.push((join(k), dv.clone(), Value::Null)),
                }
            }
        }
        (Value::Array(d), Value::Array(l)) => {
            let named = |v: &Vec<Value>| {
                v.iter()
                    .all(|i| i.get("name").and_then(Value::as_str).is_some())
            };
            if named(d) && named(l) && !d.is_empty() {
                for item in d {
                    let n = item["name"].as_str().unwrap_or_default();
                    match l.iter().find(|i| i["name"] == item["name"]) {
                        Some(li) => subset_diff(&format!("{path}[{n}]"), item, li, out),
                        None => out.push((format!("{path}[{n}]"), item.clone(), Value::Null)),
                    }
                }
            } else if d.len() != l.len() {
                out.push((path.to_string(), desired.clone(), live.clone()));
            } else {
                for (i, (dv, lv)) in d.iter().zip(l).enumerate() {
                    subset_diff(&format!("{path}[{i}]"), dv, lv, out);
                }
            }
        }
        (d, l) if !same_scalar(d, l) => out.push((path.to_string(), d.clone(), l.clone())),
        _ => {}
    }
}

/// Exposed for tests of the drift rules.
pub fn drift_fields(desired: &Value, live: &Value) -> Vec<(String, Value, Value)> {
    let mut out = Vec::new();
    subset_diff("", desired, live, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn drift_ignores_additions_and_canonical_quantities() {
        let desired = json!({"spec": {"replicas": 1, "template": {"spec": {"containers": [
            {"name": "ui", "image": "a", "resources": {"limits": {"cpu": "1000m"}}}]}}}});
        let live = json!({"spec": {"replicas": 1, "progressDeadlineSeconds": 600, "template": {"spec": {"containers": [
            {"name": "ui", "image": "a", "imagePullPolicy": "IfNotPresent", "resources": {"limits": {"cpu": "1"}}}]}}}});
        assert!(drift_fields(&desired, &live).is_empty());
        let scaled = json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [
            {"name": "ui", "image": "b", "resources": {"limits": {"cpu": "1"}}}]}}}});
        let d = drift_fields(&desired, &scaled);
        let fields: Vec<&str> = d.iter().map(|(f, _, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            ["spec.replicas", "spec.template.spec.containers[ui].image"]
        );
    }
}
