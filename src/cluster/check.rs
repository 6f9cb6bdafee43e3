//! Pre-flight checks: what would make an install fail, found before anything is written.

use std::collections::BTreeMap;

use anyhow::Result;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::{Namespace, Node, Pod, Secret, Service};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, ListParams, PostParams};
use serde::Serialize;

use super::Cluster;
use crate::render::labels;
use crate::spec::{Database, Redis, Spec, quantity};

/// The oldest Kubernetes minor skyflo supports: PodSecurity admission is GA from 1.25.
pub const MIN_MINOR: u32 = 25;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Warn,
    Fail,
    /// Could not be verified from here (the LLM provider did not answer): shown as failed,
    /// but it does not stop an install, since the cluster's egress can differ.
    Unverified,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: String,
    pub outcome: Outcome,
    pub message: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub hint: String,
}

/// The LLM key skyflo stored in `<name>-llm-credentials`, or the one in the user's
/// `apiKeySecret`, under the first of `vars` that it holds. One GET; missing is `None`.
pub async fn stored_llm_key(cluster: &Cluster, spec: &Spec, vars: &[String]) -> Option<String> {
    let name = spec
        .engine
        .llm
        .api_key_secret
        .clone()
        .unwrap_or_else(|| format!("{}-llm-credentials", spec.name));
    let secret = Api::<Secret>::namespaced(cluster.client.clone(), &cluster.namespace)
        .get_opt(&name)
        .await
        .ok()??;
    let data = secret.data?;
    vars.iter()
        .find_map(|v| data.get(v))
        .map(|b| String::from_utf8_lossy(&b.0).into_owned())
}

pub fn unverified(name: &str, message: impl Into<String>, hint: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        outcome: Outcome::Unverified,
        message: message.into(),
        hint: hint.into(),
    }
}

pub fn pass(name: &str, message: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        outcome: Outcome::Pass,
        message: message.into(),
        hint: String::new(),
    }
}
pub fn warn(name: &str, message: impl Into<String>, hint: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        outcome: Outcome::Warn,
        message: message.into(),
        hint: hint.into(),
    }
}
pub fn fail(name: &str, message: impl Into<String>, hint: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        outcome: Outcome::Fail,
        message: message.into(),
        hint: hint.into(),
    }
}

/// Runs every check. Only "the cluster does not answer" stops early: the rest need it.
pub async fn run(cluster: &Cluster, spec: &Spec) -> Result<Vec<Check>> {
    let mut out = Vec::new();
    match cluster.client.apiserver_version().await {
        Err(e) => {
            out.push(fail(
                "cluster",
                format!("cannot reach the cluster at {}: {e}", cluster.server),
                "check KUBECONFIG / --context and that the API server is reachable",
            ));
            return Ok(out);
        }
        Ok(v) => {
            let minor: u32 = v.minor.trim_end_matches('+').parse().unwrap_or(0);
            if v.major == "1" && minor >= MIN_MINOR {
                out.push(pass(
                    "cluster",
                    format!("Kubernetes {} at {}", v.git_version, cluster.server),
                ));
            } else {
                out.push(fail(
                    "cluster",
                    format!("Kubernetes {} is too old", v.git_version),
                    format!(
                        "skyflo needs Kubernetes 1.{MIN_MINOR} or newer (PodSecurity admission)"
                    ),
                ));
            }
        }
    }
    let (perms, storage, ports, ns, room, upstream) = tokio::join!(
        permissions(cluster, spec),
        storage_class(cluster, spec),
        node_ports(cluster, spec),
        namespace(cluster),
        capacity(cluster, spec),
        upstream(cluster),
    );
    for c in [perms, storage, ports, ns, room, upstream] {
        out.push(c.unwrap_or_else(|e| warn("check", format!("could not run a check: {e:#}"), "")));
    }
    out.push(exposure(spec));
    let images = [
        ("ui", spec.ui.workload.image.as_str()),
        ("proxy", spec.ui.proxy_image.as_str()),
        ("engine", spec.engine.workload.image.as_str()),
        ("mcp", spec.mcp.workload.image.as_str()),
    ];
    out.push(match crate::spec::mixed_versions(&images) {
        None => pass(
            "versions",
            "UI, proxy, engine and MCP images are one Skyflo release",
        ),
        Some(w) => warn("versions", "the Skyflo images are not one release", w),
    });
    Ok(out)
}

/// (verb, group, resource, namespaced) that install, upgrade and uninstall use: full rights on
/// the kinds this spec renders, and `list` on every kind skyflo may have created (to find
/// what to prune).
fn needed(spec: &Spec) -> Vec<(&'static str, String, String, bool)> {
    let mut v: Vec<(&'static str, String, String, bool)> = vec![
        ("get", "".into(), "namespaces".into(), false),
        ("create", "".into(), "namespaces".into(), false),
        ("patch", "".into(), "namespaces".into(), false),
        // The lock: created, read to judge expiry and before renewing, renewed with a
        // conditional update, released with a conditional delete.
        (
            "create",
            "coordination.k8s.io".into(),
            "leases".into(),
            true,
        ),
        ("get", "coordination.k8s.io".into(), "leases".into(), true),
        (
            "update",
            "coordination.k8s.io".into(),
            "leases".into(),
            true,
        ),
        (
            "delete",
            "coordination.k8s.io".into(),
            "leases".into(),
            true,
        ),
        ("watch", "".into(), "pods".into(), true),
        ("list", "".into(), "events".into(), true),
        // The wait watches the StatefulSets' FailedCreate events.
        ("watch", "".into(), "events".into(), true),
    ];
    let rendered: std::collections::BTreeSet<&'static str> =
        crate::render::render(spec, &placeholder_inputs())
            .iter()
            .map(|r| r.object.kind())
            .filter(|k| *k != "Namespace")
            .collect();
    for kind in rendered {
        let Some((ar, namespaced)) = crate::render::object::api_resource_for(kind) else {
            continue;
        };
        let verbs: &[&'static str] = if namespaced {
            &["get", "list", "create", "patch", "delete", "watch"]
        } else {
            &["create", "patch", "delete"]
        };
        for verb in verbs {
            v.push((verb, ar.group.clone(), ar.plural.clone(), namespaced));
        }
    }
    for kind in super::inventory::NAMESPACED_KINDS {
        if let Some((ar, _)) = crate::render::object::api_resource_for(kind)
            && !v
                .iter()
                .any(|(verb, _, r, _)| *verb == "list" && *r == ar.plural)
        {
            v.push(("list", ar.group, ar.plural, true));
        }
    }
    v
}

/// Inputs for renders that only look at the shape of the objects (no credential is used,
/// but every Secret an install writes is there, empty).
fn placeholder_inputs() -> crate::render::Inputs {
    crate::render::Inputs {
        namespace: "check".into(),
        generated: Some(crate::render::Generated {
            jwt_secret: String::new(),
            postgres_password: String::new(),
        }),
        llm_credentials: Default::default(),
        connection: None,
    }
}

async fn permissions(cluster: &Cluster, spec: &Spec) -> Result<Check> {
    let api: Api<SelfSubjectAccessReview> = Api::all(cluster.client.clone());
    let mut asks: Vec<(String, ResourceAttributes)> = needed(spec)
        .into_iter()
        .map(|(verb, group, resource, namespaced)| {
            (
                format!(
                    "{verb} {resource}{}",
                    if group.is_empty() {
                        String::new()
                    } else {
                        format!(".{group}")
                    }
                ),
                ResourceAttributes {
                    verb: Some(verb.into()),
                    group: Some(group),
                    resource: Some(resource),
                    namespace: namespaced.then(|| cluster.namespace.clone()),
                    ..Default::default()
                },
            )
        })
        .collect();
    // Binding MCP to a ClusterRole needs the right to grant it.
    if let Some(role) = spec.mcp.access_level.cluster_role() {
        asks.push((
            format!("bind clusterroles.rbac.authorization.k8s.io/{role}"),
            ResourceAttributes {
                verb: Some("bind".into()),
                group: Some("rbac.authorization.k8s.io".into()),
                resource: Some("clusterroles".into()),
                name: Some(role.into()),
                ..Default::default()
            },
        ));
    }
    let results = futures::future::join_all(asks.iter().map(|(label, attrs)| {
        let api = api.clone();
        async move {
            let review = SelfSubjectAccessReview {
                spec: SelfSubjectAccessReviewSpec {
                    resource_attributes: Some(attrs.clone()),
                    ..Default::default()
                },
                ..Default::default()
            };
            let allowed = api
                .create(&PostParams::default(), &review)
                .await
                .ok()
                .and_then(|r| r.status)
                .is_some_and(|s| s.allowed);
            (label.clone(), allowed)
        }
    }))
    .await;
    let missing: Vec<String> = results
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(l, _)| l)
        .collect();
    Ok(if missing.is_empty() {
        pass(
            "permissions",
            format!(
                "you may do everything install needs ({} checks)",
                asks.len()
            ),
        )
    } else {
        fail(
            "permissions",
            format!(
                "missing {} permission(s): {}",
                missing.len(),
                missing.join(", ")
            ),
            "ask a cluster admin for these rights, or bind your user to cluster-admin for the install",
        )
    })
}

async fn storage_class(cluster: &Cluster, spec: &Spec) -> Result<Check> {
    let mut wanted: Vec<Option<String>> = Vec::new();
    if let Database::InCluster { storage, .. } = &spec.engine.database {
        wanted.push(storage.storage_class.clone());
    }
    if let Redis::InCluster { storage, .. } = &spec.engine.redis {
        wanted.push(storage.storage_class.clone());
    }
    if wanted.is_empty() {
        return Ok(pass(
            "storage",
            "PostgreSQL and Redis are external: no volumes needed",
        ));
    }
    let classes = Api::<StorageClass>::all(cluster.client.clone())
        .list(&ListParams::default())
        .await?
        .items;
    let default = classes.iter().find(|c| {
        c.metadata.annotations.as_ref().is_some_and(|a| {
            a.get("storageclass.kubernetes.io/is-default-class")
                .map(String::as_str)
                == Some("true")
        })
    });
    for w in &wanted {
        match w {
            Some(name)
                if !classes
                    .iter()
                    .any(|c| c.metadata.name.as_deref() == Some(name)) =>
            {
                return Ok(fail(
                    "storage",
                    format!("StorageClass {name} does not exist"),
                    format!(
                        "use one of: {}",
                        classes
                            .iter()
                            .filter_map(|c| c.metadata.name.clone())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            None if default.is_none() => {
                return Ok(fail(
                    "storage",
                    "no default StorageClass: the PostgreSQL and Redis volume claims would stay Pending",
                    "mark a StorageClass as default (storageclass.kubernetes.io/is-default-class=true) or set spec.engine.databaseConfig.storageClass and redisConfig.storageClass",
                ));
            }
            _ => {}
        }
    }
    Ok(pass(
        "storage",
        match default {
            Some(d) => format!(
                "default StorageClass {}",
                d.metadata.name.clone().unwrap_or_default()
            ),
            None => "the requested StorageClasses exist".into(),
        },
    ))
}

async fn node_ports(cluster: &Cluster, spec: &Spec) -> Result<Check> {
    let wanted = spec.requested_node_ports();
    if wanted.is_empty() {
        return Ok(pass("node ports", "no fixed node ports requested"));
    }
    let services = Api::<Service>::all(cluster.client.clone())
        .list(&ListParams::default())
        .await?
        .items;
    let mut taken = Vec::new();
    for (component, port) in &wanted {
        let ours = format!("{}-{component}", spec.name);
        for s in &services {
            let is_ours = s.metadata.namespace.as_deref() == Some(&cluster.namespace)
                && s.metadata.name.as_deref() == Some(&ours);
            let uses = s
                .spec
                .iter()
                .flat_map(|sp| sp.ports.iter().flatten())
                .any(|p| p.node_port == Some(*port));
            if uses && !is_ours {
                taken.push(format!(
                    "{port} (for {component}) is taken by Service {}/{}",
                    s.metadata.namespace.clone().unwrap_or_default(),
                    s.metadata.name.clone().unwrap_or_default()
                ));
            }
        }
    }
    let list = wanted
        .iter()
        .map(|(_, p)| p.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Ok(if taken.is_empty() {
        pass("node ports", format!("{list} free"))
    } else {
        fail(
            "node ports",
            taken.join("; "),
            "pick another spec.<component>.service.nodePort, or remove it to let Kubernetes choose",
        )
    })
}

async fn namespace(cluster: &Cluster) -> Result<Check> {
    let ns = Api::<Namespace>::all(cluster.client.clone())
        .get_opt(&cluster.namespace)
        .await?;
    Ok(match ns {
        None => pass(
            "namespace",
            format!(
                "{} will be created (PodSecurity restricted)",
                cluster.namespace
            ),
        ),
        Some(n) if n.metadata.deletion_timestamp.is_some() => fail(
            "namespace",
            format!("namespace {} is being deleted", cluster.namespace),
            "wait until it is gone (kubectl get namespace), or install into another namespace with -n",
        ),
        Some(n) => {
            // Every skyflo pod meets `restricted`, the strictest level, so any level admits them.
            let level = n
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("pod-security.kubernetes.io/enforce").cloned())
                .unwrap_or_else(|| "privileged (default)".into());
            let ownership = if crate::render::labels::created_by(&n.metadata)
                == Some(cluster.instance.as_str())
            {
                "skyflo created it for this installation"
            } else {
                "skyflo did not create it, so its labels stay as they are and uninstall --purge keeps it"
            };
            pass(
                "namespace",
                format!(
                    "{} exists; PodSecurity enforce={level} admits skyflo's pods (they meet restricted); {ownership}",
                    cluster.namespace
                ),
            )
        }
    })
}

/// MCP has no authentication: exposing it outside the cluster is a warning (the spec decides).
fn exposure(spec: &Spec) -> Check {
    match crate::spec::warnings(spec).into_iter().next() {
        None => pass(
            "exposure",
            "MCP is reachable only inside the cluster (ClusterIP)",
        ),
        Some(w) => warn(
            "exposure",
            "MCP is exposed outside the cluster without authentication",
            w,
        ),
    }
}

/// CPU and memory requests of the whole installation (one pod per replica).
fn requested(spec: &Spec) -> (f64, f64) {
    let objects = crate::render::render(spec, &placeholder_inputs());
    let mut cpu = 0.0;
    let mut mem = 0.0;
    for r in objects {
        let (replicas, template) = match &r.object {
            crate::render::Object::Deployment(d) => (
                d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                d.spec.as_ref().map(|s| s.template.clone()),
            ),
            crate::render::Object::StatefulSet(s) => (
                s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                s.spec.as_ref().map(|s| s.template.clone()),
            ),
            _ => continue,
        };
        for c in template
            .and_then(|t| t.spec)
            .map(|s| s.containers)
            .unwrap_or_default()
        {
            let req = c.resources.and_then(|r| r.requests).unwrap_or_default();
            cpu += replicas as f64
                * req
                    .get("cpu")
                    .and_then(|q| quantity::parse(&q.0))
                    .unwrap_or(0.0);
            mem += replicas as f64
                * req
                    .get("memory")
                    .and_then(|q| quantity::parse(&q.0))
                    .unwrap_or(0.0);
        }
    }
    (cpu, mem)
}

async fn capacity(cluster: &Cluster, spec: &Spec) -> Result<Check> {
    let nodes = Api::<Node>::all(cluster.client.clone())
        .list(&ListParams::default())
        .await?
        .items;
    let pods = Api::<Pod>::all(cluster.client.clone())
        .list(&ListParams::default().fields("status.phase!=Succeeded,status.phase!=Failed"))
        .await?
        .items;
    let selector = &spec.scheduling.node_selector;
    let eligible: Vec<&Node> = nodes
        .iter()
        .filter(|n| {
            let l = n.metadata.labels.clone().unwrap_or_default();
            selector.iter().all(|(k, v)| l.get(k) == Some(v))
                && !n
                    .spec
                    .as_ref()
                    .and_then(|s| s.unschedulable)
                    .unwrap_or(false)
        })
        .collect();
    if eligible.is_empty() {
        return Ok(fail(
            "capacity",
            "no schedulable node matches spec.nodeSelector",
            "check the node labels (kubectl get nodes --show-labels) against spec.nodeSelector",
        ));
    }
    let mut free_cpu = 0.0;
    let mut free_mem = 0.0;
    for n in &eligible {
        let alloc: BTreeMap<String, f64> = n
            .status
            .as_ref()
            .and_then(|s| s.allocatable.clone())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, q)| quantity::parse(&q.0).map(|v| (k, v)))
            .collect();
        let name = n.metadata.name.clone();
        let (mut used_cpu, mut used_mem) = (0.0, 0.0);
        for p in pods
            .iter()
            .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.clone()) == name)
        {
            for c in p.spec.iter().flat_map(|s| s.containers.iter()) {
                let req = c
                    .resources
                    .as_ref()
                    .and_then(|r| r.requests.clone())
                    .unwrap_or_default();
                used_cpu += req
                    .get("cpu")
                    .and_then(|q| quantity::parse(&q.0))
                    .unwrap_or(0.0);
                used_mem += req
                    .get("memory")
                    .and_then(|q| quantity::parse(&q.0))
                    .unwrap_or(0.0);
            }
        }
        free_cpu += (alloc.get("cpu").copied().unwrap_or(0.0) - used_cpu).max(0.0);
        free_mem += (alloc.get("memory").copied().unwrap_or(0.0) - used_mem).max(0.0);
    }
    let (cpu, mem) = requested(spec);
    let gib = |b: f64| b / 1024f64.powi(3);
    Ok(if cpu <= free_cpu && mem <= free_mem {
        pass(
            "capacity",
            format!(
                "needs {cpu:.1} CPU and {:.1} GiB; {} node(s) have {free_cpu:.1} CPU and {:.1} GiB free",
                gib(mem),
                eligible.len(),
                gib(free_mem)
            ),
        )
    } else {
        warn(
            "capacity",
            format!(
                "needs {cpu:.1} CPU and {:.1} GiB, but the eligible nodes have {free_cpu:.1} CPU and {:.1} GiB unrequested",
                gib(mem),
                gib(free_mem)
            ),
            "add nodes (a cluster autoscaler may), or lower spec.*.resources / replicas",
        )
    })
}

/// Upstream installations: install.sh (objects named skyflo-* or, before v0.6.1, skyflo-ai-*)
/// and the Helm chart (a release Secret of the skyflo chart).
async fn upstream(cluster: &Cluster) -> Result<Check> {
    let deployments = Api::<Deployment>::all(cluster.client.clone())
        .list(&ListParams::default())
        .await?
        .items;
    let mut found = Vec::new();
    for d in &deployments {
        let name = d.metadata.name.clone().unwrap_or_default();
        let managed_by = d
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(labels::MANAGED_BY))
            .cloned();
        let upstream_name = [
            "skyflo-ui",
            "skyflo-engine",
            "skyflo-mcp",
            "skyflo-controller",
            "skyflo-ai-ui",
            "skyflo-ai-engine",
            "skyflo-ai-mcp",
            "skyflo-ai-controller",
        ]
        .contains(&name.as_str());
        if upstream_name && managed_by.as_deref() != Some(labels::MANAGER) {
            let ns = d.metadata.namespace.clone().unwrap_or_default();
            let by = if managed_by.as_deref() == Some("Helm") {
                "the Helm chart"
            } else {
                "install.sh"
            };
            found.push(format!("Deployment {ns}/{name} (from {by})"));
        }
    }
    let helm = Api::<Secret>::all(cluster.client.clone())
        .list(
            &ListParams::default()
                .labels("owner=helm")
                .fields("type=helm.sh/release.v1"),
        )
        .await
        .map(|l| l.items)
        .unwrap_or_default();
    for s in helm {
        let name = s
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("name"))
            .cloned()
            .unwrap_or_default();
        if name.contains("skyflo")
            && s.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("status"))
                .map(String::as_str)
                == Some("deployed")
        {
            found.push(format!(
                "Helm release {}/{name}",
                s.metadata.namespace.clone().unwrap_or_default()
            ));
        }
    }
    found.sort();
    found.dedup();
    Ok(if found.is_empty() {
        pass(
            "upstream",
            "no install.sh or Helm installation of Skyflo found",
        )
    } else {
        warn(
            "upstream",
            format!("an upstream installation exists: {}", found.join(", ")),
            "two installations compete for node ports and cluster roles. skyflo never takes over objects it did not create: an install into that namespace stops before writing and names them. Keep the old one, install skyflo into another namespace, or see the README (\"Migrating from upstream\") for labelling the old objects so skyflo may take them over",
        )
    })
}
