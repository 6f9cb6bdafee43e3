//! Pre-flight checks: what would make an install fail, found before anything is written.

use std::collections::BTreeMap;

use anyhow::Result;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, ResourceRule, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
    SelfSubjectRulesReview, SelfSubjectRulesReviewSpec,
};
use k8s_openapi::api::core::v1::{Namespace, Node, Pod, Secret, Service};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, ListParams, PostParams};
use serde::Serialize;

use crate::cluster::Cluster;
use crate::cluster::inventory::{self, Seen};

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

/// The checks, and the namespace as they saw it (so an install right after need not ask).
pub struct Report {
    pub checks: Vec<Check>,
    pub namespace: Seen,
}

/// Runs every check. Only "the cluster does not answer" stops early: the rest need it.
/// Every check shares the few reads it needs (one Service list answers both the node port
/// and the upstream check), to keep the pre-flight of an install cheap.
pub async fn run(cluster: &Cluster, spec: &Spec) -> Result<Report> {
    let (version, ns) = tokio::join!(
        cluster.client.apiserver_version(),
        inventory::get_namespace(cluster)
    );
    let mut out = vec![match version {
        Err(e) => {
            return Ok(Report {
                checks: vec![out_of_reach(cluster, e)],
                namespace: Seen::Unknown,
            });
        }
        Ok(v) => version_check(cluster, &v),
    }];
    let (seen, ns_check) = match ns {
        Ok(None) => (Seen::Absent, Ok(namespace_absent(cluster))),
        Ok(Some(n)) => {
            let c = namespace_present(cluster, &n);
            (Seen::Present(Box::new(n)), Ok(c))
        }
        Err(e) => (Seen::Unknown, Err(e)),
    };
    // The objects' shapes, rendered once: which kinds need rights, what the pods request.
    let shapes = crate::render::render(spec, &placeholder_inputs());
    let (perms, storage, services, room, named) = tokio::join!(
        permissions(cluster, spec, &shapes, &seen),
        storage_class(cluster, spec),
        services(cluster, spec),
        capacity(cluster, spec, &shapes),
        named_secrets(cluster, spec, &seen),
    );
    let (ports, upstream) = match services {
        Ok((p, u)) => (Ok(p), Ok(u)),
        Err(e) => (Err(anyhow::anyhow!("{e:#}")), Err(e)),
    };
    for c in [perms, storage, ports, ns_check, room, upstream, named] {
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
    Ok(Report {
        checks: out,
        namespace: seen,
    })
}

fn out_of_reach(cluster: &Cluster, e: kube::Error) -> Check {
    fail(
        "cluster",
        format!("cannot reach the cluster at {}: {e}", cluster.server),
        "check KUBECONFIG / --context and that the API server is reachable",
    )
}

fn version_check(cluster: &Cluster, v: &k8s_openapi::apimachinery::pkg::version::Info) -> Check {
    let minor: u32 = v.minor.trim_end_matches('+').parse().unwrap_or(0);
    if v.major == "1" && minor >= MIN_MINOR {
        pass(
            "cluster",
            format!("Kubernetes {} at {}", v.git_version, cluster.server),
        )
    } else {
        fail(
            "cluster",
            format!("Kubernetes {} is too old", v.git_version),
            format!("skyflo needs Kubernetes 1.{MIN_MINOR} or newer (PodSecurity admission)"),
        )
    }
}

/// (verb, group, resource, namespaced) that install, upgrade and uninstall use: full rights on
/// the kinds this spec renders, and `list` on every kind skyflo may have created (to find
/// what to prune).
fn needed(shapes: &[crate::render::Rendered]) -> Vec<(&'static str, String, String, bool)> {
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
    let rendered: std::collections::BTreeSet<&'static str> = shapes
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
    for kind in crate::cluster::inventory::NAMESPACED_KINDS {
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
            checksum_key: String::new(),
        }),
        llm_credentials: Default::default(),
        connection: None,
    }
}

/// A namespace name that can never exist (a colon is not allowed in one). Nothing can be
/// bound in it, so a rules review for it lists only what ClusterRoleBindings grant: exactly
/// the rights that count for cluster-scoped objects.
const NO_NAMESPACE: &str = "skyflo:cluster-scope";

struct Ask {
    label: String,
    attrs: ResourceAttributes,
}

fn asks(cluster: &Cluster, spec: &Spec, shapes: &[crate::render::Rendered]) -> Vec<Ask> {
    let mut asks: Vec<Ask> = needed(shapes)
        .into_iter()
        .map(|(verb, group, resource, namespaced)| Ask {
            label: format!(
                "{verb} {resource}{}",
                if group.is_empty() {
                    String::new()
                } else {
                    format!(".{group}")
                }
            ),
            attrs: ResourceAttributes {
                verb: Some(verb.into()),
                group: Some(group),
                resource: Some(resource),
                namespace: namespaced.then(|| cluster.namespace.clone()),
                ..Default::default()
            },
        })
        .collect();
    // Binding MCP to a ClusterRole needs the right to grant it.
    if let Some(role) = spec.mcp.access_level.cluster_role() {
        asks.push(Ask {
            label: format!("bind clusterroles.rbac.authorization.k8s.io/{role}"),
            attrs: ResourceAttributes {
                verb: Some("bind".into()),
                group: Some("rbac.authorization.k8s.io".into()),
                resource: Some("clusterroles".into()),
                name: Some(role.into()),
                ..Default::default()
            },
        });
    }
    asks
}

/// The rules a rules review lists for `namespace`. Rules only ever grant, so a listed rule
/// holds even when the review says its list is incomplete; a failed review lists nothing.
async fn rules_for(cluster: &Cluster, namespace: &str) -> Vec<ResourceRule> {
    let review = SelfSubjectRulesReview {
        spec: SelfSubjectRulesReviewSpec {
            namespace: Some(namespace.into()),
        },
        ..Default::default()
    };
    Api::<SelfSubjectRulesReview>::all(cluster.client.clone())
        .create(&PostParams::default(), &review)
        .await
        .ok()
        .and_then(|r| r.status)
        .map(|s| s.resource_rules)
        .unwrap_or_default()
}

fn grants(rule: &ResourceRule, attrs: &ResourceAttributes) -> bool {
    let has = |list: &[String], v: &Option<String>| {
        list.iter()
            .any(|x| x == "*" || Some(x.as_str()) == v.as_deref())
    };
    let names_ok = match rule.resource_names.as_deref() {
        None | Some([]) => true,
        Some(names) => attrs.name.as_ref().is_some_and(|n| names.contains(n)),
    };
    has(&rule.verbs, &attrs.verb)
        && has(rule.api_groups.as_deref().unwrap_or_default(), &attrs.group)
        && has(
            rule.resources.as_deref().unwrap_or_default(),
            &attrs.resource,
        )
        && names_ok
}

/// One SelfSubjectAccessReview: the authorizer's own answer, for what no listed rule grants.
async fn access_review(cluster: &Cluster, attrs: &ResourceAttributes) -> bool {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(attrs.clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    Api::<SelfSubjectAccessReview>::all(cluster.client.clone())
        .create(&PostParams::default(), &review)
        .await
        .ok()
        .and_then(|r| r.status)
        .is_some_and(|s| s.allowed)
}

/// Rules reviews answer most asks in one or two requests: one for the namespace, one for
/// cluster-scoped objects (the same one while the namespace does not exist yet, since nothing
/// can be bound in it). What their rules do not grant (another authorizer, rules that name
/// objects) is asked one by one with access reviews, so the answers are the authorizer's.
async fn permissions(
    cluster: &Cluster,
    spec: &Spec,
    shapes: &[crate::render::Rendered],
    seen: &Seen,
) -> Result<Check> {
    let asks = asks(cluster, spec, shapes);
    let (in_namespace, cluster_wide) = if seen.absent() {
        let rules = rules_for(cluster, &cluster.namespace).await;
        (rules.clone(), rules)
    } else {
        tokio::join!(
            rules_for(cluster, &cluster.namespace),
            rules_for(cluster, NO_NAMESPACE)
        )
    };
    let unanswered: Vec<&Ask> = asks
        .iter()
        .filter(|a| {
            let rules = match a.attrs.namespace {
                Some(_) => &in_namespace,
                None => &cluster_wide,
            };
            !rules.iter().any(|r| grants(r, &a.attrs))
        })
        .collect();
    let answers =
        futures::future::join_all(unanswered.iter().map(|a| access_review(cluster, &a.attrs)))
            .await;
    let missing: Vec<&str> = unanswered
        .iter()
        .zip(answers)
        .filter(|(_, allowed)| !allowed)
        .map(|(a, _)| a.label.as_str())
        .collect();
    Ok(if missing.is_empty() {
        pass(
            "permissions",
            format!(
                "you may do everything install needs ({} rights; {} asked one by one)",
                asks.len(),
                unanswered.len()
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

/// One list of every Service answers two checks: are the requested node ports free, and is
/// there an upstream installation (its Services are as telling as its Deployments).
async fn services(cluster: &Cluster, spec: &Spec) -> Result<(Check, Check)> {
    let services = Api::<Service>::all(cluster.client.clone())
        .list(&ListParams::default())
        .await?
        .items;
    Ok((node_ports(cluster, spec, &services), upstream(&services)))
}

fn node_ports(cluster: &Cluster, spec: &Spec, services: &[Service]) -> Check {
    let wanted = spec.requested_node_ports();
    if wanted.is_empty() {
        return pass("node ports", "no fixed node ports requested");
    }
    let mut taken = Vec::new();
    for (component, port) in &wanted {
        let ours = format!("{}-{component}", spec.name);
        for s in services {
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
    if taken.is_empty() {
        pass("node ports", format!("{list} free"))
    } else {
        fail(
            "node ports",
            taken.join("; "),
            "pick another spec.<component>.service.nodePort, or remove it to let Kubernetes choose",
        )
    }
}

fn namespace_absent(cluster: &Cluster) -> Check {
    pass(
        "namespace",
        format!(
            "{} will be created (PodSecurity restricted)",
            cluster.namespace
        ),
    )
}

fn namespace_present(cluster: &Cluster, n: &Namespace) -> Check {
    if n.metadata.deletion_timestamp.is_some() {
        return fail(
            "namespace",
            format!("namespace {} is being deleted", cluster.namespace),
            "wait until it is gone (kubectl get namespace), or install into another namespace with -n",
        );
    }
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

/// The Secrets the spec names exist with the keys the pods read (install stops otherwise).
async fn named_secrets(cluster: &Cluster, spec: &Spec, seen: &Seen) -> Result<Check> {
    let count = crate::spec::named_secrets(spec).len();
    if count == 0 {
        return Ok(pass(
            "secrets",
            "the spec names no Secret of yours; skyflo generates what it needs",
        ));
    }
    if matches!(seen, Seen::Absent) {
        return Ok(fail(
            "secrets",
            format!(
                "the spec names {count} Secret(s), and namespace {} does not exist yet",
                cluster.namespace
            ),
            "create the namespace and the Secrets the spec names before installing",
        ));
    }
    let problems = inventory::named_secret_problems(cluster, spec).await?;
    Ok(if problems.is_empty() {
        pass(
            "secrets",
            format!("the {count} Secret(s) the spec names exist with the keys the pods read"),
        )
    } else {
        fail(
            "secrets",
            problems.join("; "),
            "install stops before its first write until they exist",
        )
    })
}

/// MCP has no authentication: exposing it outside the cluster is a warning (the spec decides).
fn exposure(spec: &Spec) -> Check {
    let e = crate::spec::exposure(spec);
    let warnings: Vec<String> = crate::spec::warnings(spec)
        .into_iter()
        .filter(|w| crate::spec::is_exposure_warning(w))
        .collect();
    let said = format!(
        "UI: {}{}; self-registration {}; MCP: {} (access level {}){}",
        e.ui_outside.as_deref().map_or(
            "inside the cluster only (ClusterIP; `skyflo dashboard` opens it)".to_string(),
            |h| format!("reachable from outside through {h}")
        ),
        if e.ui_plain_http.is_empty() {
            String::new()
        } else {
            format!(" (plain http through {})", e.ui_plain_http.join(" and "))
        },
        if e.signup_open { "open" } else { "closed" },
        e.mcp_outside
            .as_deref()
            .map_or("inside the cluster only".to_string(), |h| format!(
                "reachable from outside through {h}, without authentication"
            )),
        e.mcp_access,
        e.engine_outside
            .as_deref()
            .map_or(String::new(), |h| format!(
                "; engine: reachable from outside through {h}, without a login"
            ))
    );
    if warnings.is_empty() {
        pass("exposure", said)
    } else {
        warn("exposure", said, warnings.join("\n"))
    }
}

/// CPU and memory requests of the whole installation (one pod per replica).
fn requested(shapes: &[crate::render::Rendered]) -> (f64, f64) {
    let mut cpu = 0.0;
    let mut mem = 0.0;
    for r in shapes {
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

/// CPU and memory the `nodes` can allocate that no running pod requests.
fn unrequested(nodes: &[&Node], pods: &[Pod]) -> (f64, f64) {
    let mut free_cpu = 0.0;
    let mut free_mem = 0.0;
    for n in nodes {
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
    (free_cpu, free_mem)
}

async fn capacity(
    cluster: &Cluster,
    spec: &Spec,
    shapes: &[crate::render::Rendered],
) -> Result<Check> {
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
    let (free_cpu, free_mem) = unrequested(&eligible, &pods);
    let (cpu, mem) = requested(shapes);
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

/// Upstream installations anywhere in the cluster.
fn upstream(services: &[Service]) -> Check {
    let mut found: Vec<String> = services
        .iter()
        .filter_map(|s| crate::cluster::upstream::installation(&s.metadata))
        .collect();
    found.sort();
    found.dedup();
    let mut namespaces: Vec<&str> = services
        .iter()
        .filter(|s| crate::cluster::upstream::installation(&s.metadata).is_some())
        .filter_map(|s| s.metadata.namespace.as_deref())
        .collect();
    namespaces.dedup();
    if found.is_empty() {
        pass(
            "upstream",
            "no install.sh or Helm installation of Skyflo found",
        )
    } else {
        warn(
            "upstream",
            format!("an upstream installation exists: {}", found.join(", ")),
            format!(
                "take it over with {} (keeps its data, passwords and keys; add --dry-run to see the plan first). \
An install into that namespace refuses: it would start a second, empty Skyflo beside it",
                namespaces
                    .iter()
                    .map(|ns| format!("`skyflo adopt -n {ns}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str]) -> ResourceRule {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        ResourceRule {
            verbs: v(verbs),
            api_groups: Some(v(groups)),
            resources: Some(v(resources)),
            resource_names: Some(v(names)),
        }
    }

    fn ask(verb: &str, group: &str, resource: &str, name: Option<&str>) -> ResourceAttributes {
        ResourceAttributes {
            verb: Some(verb.into()),
            group: Some(group.into()),
            resource: Some(resource.into()),
            name: name.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn a_rule_grants_only_what_it_names() {
        let admin = rule(&["*"], &["*"], &["*"], &[]);
        assert!(grants(&admin, &ask("create", "apps", "deployments", None)));
        let apps = rule(&["get", "create"], &["apps"], &["deployments"], &[]);
        assert!(grants(&apps, &ask("create", "apps", "deployments", None)));
        assert!(!grants(&apps, &ask("delete", "apps", "deployments", None)));
        assert!(!grants(&apps, &ask("create", "", "deployments", None)));
        assert!(!grants(&apps, &ask("create", "apps", "statefulsets", None)));
        // A rule that names objects grants nothing about unnamed requests (a create, a list).
        let named = rule(
            &["bind"],
            &["rbac.authorization.k8s.io"],
            &["clusterroles"],
            &["view"],
        );
        let bind = |n| ask("bind", "rbac.authorization.k8s.io", "clusterroles", n);
        assert!(grants(&named, &bind(Some("view"))));
        assert!(!grants(&named, &bind(Some("cluster-admin"))));
        assert!(!grants(&named, &bind(None)));
    }
}
