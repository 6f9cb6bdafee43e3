//! Rendered objects + live state → what would change. Existing objects are previewed with a
//! server-side dry-run apply (the same approach as `kubectl diff --server-side`), so defaults
//! and admission are the server's, not guessed.

use std::collections::BTreeSet;

use anyhow::Result;
use futures::stream::{self, StreamExt, TryStreamExt};
use kube::api::{DynamicObject, Patch, PatchParams};
use serde::Serialize;
use serde_json::Value;

use crate::cluster::Cluster;
use crate::cluster::errors::{is_invalid, message};
use crate::cluster::inventory::Live;
use crate::render::labels::{self, MANAGER};
use crate::render::{ObjectRef, Rendered};

#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desired: Option<Value>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "action", rename_all = "lowercase")]
pub enum Action {
    Create,
    Update {
        changes: Vec<FieldChange>,
    },
    /// A binding whose `roleRef` changes: the API server cannot change it in place, so the live
    /// object (this uid, proven ours) is deleted and the new one created, under the lock.
    Replace {
        changes: Vec<FieldChange>,
        #[serde(skip)]
        uid: String,
    },
    Unchanged,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub rendered: Rendered,
    pub action: Action,
}

/// A change the server refuses to make in place (an immutable field).
#[derive(Debug, Clone, Serialize)]
pub struct Blocked {
    pub object: ObjectRef,
    pub reason: String,
    pub advice: String,
}

/// A rendered name already taken by an object this installation did not create.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub object: ObjectRef,
    pub owner: String,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub prune: Vec<ObjectRef>,
    pub blocked: Vec<Blocked>,
    pub conflicts: Vec<Conflict>,
}

impl Plan {
    pub fn has_changes(&self) -> bool {
        !self.prune.is_empty()
            || self
                .steps
                .iter()
                .any(|s| !matches!(s.action, Action::Unchanged))
    }

    pub fn count(&self) -> (usize, usize, usize, usize) {
        let mut c = (0, 0, 0, self.prune.len());
        for s in &self.steps {
            match s.action {
                Action::Create => c.0 += 1,
                Action::Update { .. } | Action::Replace { .. } => c.1 += 1,
                Action::Unchanged => c.2 += 1,
            }
        }
        c
    }
}

fn apply_params(dry_run: bool) -> PatchParams {
    let mut pp = PatchParams::apply(MANAGER).force();
    if dry_run {
        pp = pp.dry_run();
    }
    pp
}

/// Computes the plan. `previous` lists the objects of the last release, so that something
/// removed from the spec is pruned even if its labels were edited away.
pub async fn compute(
    cluster: &Cluster,
    rendered: &[Rendered],
    live: &Live,
    previous: &[ObjectRef],
) -> Result<Plan> {
    let wanted: BTreeSet<ObjectRef> = rendered.iter().map(|r| r.object.object_ref()).collect();
    let results: Vec<(Step, Option<Blocked>)> = stream::iter(rendered.iter().cloned())
        .map(|r| step_for(cluster, r, live))
        .buffered(16)
        .try_collect()
        .await?;

    let mut plan = Plan::default();
    for (step, blocked) in results {
        plan.steps.push(step);
        plan.blocked.extend(blocked);
    }
    plan.conflicts = rendered
        .iter()
        .filter_map(|r| {
            let key = r.object.object_ref();
            let owner = live.foreign.get(&key)?;
            Some(Conflict {
                object: key,
                owner: owner.clone(),
            })
        })
        .collect();
    plan.prune = prune_set(cluster, &wanted, live, previous)?;
    Ok(plan)
}

/// What the plan does with one rendered object: create it, change it (previewed by a
/// server-side dry-run), replace it (a binding's roleRef), or leave it; and whether the
/// server refuses the change.
async fn step_for(cluster: &Cluster, r: Rendered, live: &Live) -> Result<(Step, Option<Blocked>)> {
    let key = r.object.object_ref();
    let Some(current) = live.objects.get(&key) else {
        // Absent, or someone else's (a conflict, refused before any write).
        return Ok((
            Step {
                rendered: r,
                action: Action::Create,
            },
            None,
        ));
    };
    if let Some(action) = replace_binding(&key.kind, current, &r.object) {
        return Ok((
            Step {
                rendered: r,
                action,
            },
            None,
        ));
    }
    let api = cluster.api_for_ref(&key);
    let preview = api
        .patch(
            &key.name,
            &apply_params(true),
            &Patch::Apply(&r.object.to_dynamic()),
        )
        .await;
    match preview {
        Ok(p) => {
            let changes = diff_objects(&key.kind, current, &p);
            let action = if changes.is_empty() {
                Action::Unchanged
            } else {
                Action::Update { changes }
            };
            Ok((
                Step {
                    rendered: r,
                    action,
                },
                None,
            ))
        }
        Err(e) if is_invalid(&e) => {
            let blocked = Blocked {
                advice: advice_for(&key, &message(&e)),
                reason: message(&e),
                object: key.clone(),
            };
            Ok((
                Step {
                    rendered: r,
                    action: Action::Update { changes: vec![] },
                },
                Some(blocked),
            ))
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("previewing {key}"))),
    }
}

/// A binding whose role changes (`accessLevel` cluster-admin ↔ read-only): `roleRef` is
/// immutable, so the plan replaces it. Deleted first, then created: between the two MCP holds
/// neither role, never more than the broader of them.
fn replace_binding(
    kind: &str,
    live: &DynamicObject,
    wanted: &crate::render::Object,
) -> Option<Action> {
    if kind != "ClusterRoleBinding" && kind != "RoleBinding" {
        return None;
    }
    let desired = wanted.to_dynamic().data.get("roleRef").cloned();
    let current = live.data.get("roleRef").cloned();
    if desired.is_none() || desired == current {
        return None;
    }
    Some(Action::Replace {
        changes: vec![FieldChange {
            path: "roleRef".into(),
            live: current,
            desired,
        }],
        uid: live.metadata.uid.clone()?,
    })
}

/// What to delete: objects of this installation that the new render no longer has, found by
/// label or named in the previous release record. A record is only a hint: a reference that
/// is not provably this installation's (another namespace, a kind skyflo never creates, an
/// object without our labels) means the record was altered, and nothing is deleted.
fn prune_set(
    cluster: &Cluster,
    wanted: &BTreeSet<ObjectRef>,
    live: &Live,
    previous: &[ObjectRef],
) -> Result<Vec<ObjectRef>> {
    let mut prune: BTreeSet<ObjectRef> = BTreeSet::new();
    for (key, obj) in &live.objects {
        if !wanted.contains(key) && prunable(key, obj) {
            prune.insert(key.clone());
        }
    }
    for key in previous {
        check_recorded(cluster, key)?;
        if wanted.contains(key)
            || matches!(key.kind.as_str(), "PersistentVolumeClaim" | "Namespace")
        {
            continue;
        }
        if let Some(owner) = live.foreign.get(key) {
            anyhow::bail!(
                "the release record lists {key} for pruning, but that object is not this installation's ({owner}); \
the record does not match the cluster, so nothing was changed. Check the object, then remove it from the \
record by running `skyflo install` with a spec that still renders it, or delete the record Secrets \
(kubectl -n {} delete secret -l skyflo.ai/record=release,app.kubernetes.io/instance={})",
                cluster.namespace,
                cluster.instance
            );
        }
        // Absent objects need no deletion; ours were found by label above.
    }
    Ok(prune.into_iter().collect())
}

/// A reference from a release record must name a kind skyflo creates, in this namespace
/// (cluster-scoped: only ClusterRoleBindings).
pub fn check_recorded(cluster: &Cluster, key: &ObjectRef) -> Result<()> {
    let Some((_, namespaced)) = crate::render::object::api_resource_for(&key.kind) else {
        anyhow::bail!(
            "a release record lists {key}, a kind skyflo never creates: the record was altered or \
written by a newer skyflo; nothing was changed"
        );
    };
    let here = if namespaced {
        key.namespace.as_deref() == Some(cluster.namespace.as_str())
    } else {
        key.namespace.is_none()
    };
    if !here {
        anyhow::bail!(
            "a release record lists {key}, which is outside namespace {}: the record was altered; nothing was changed",
            cluster.namespace
        );
    }
    Ok(())
}

/// Never pruned: volumes (PVCs are never listed here), the namespace, and Secrets that hold
/// generated values.
fn prunable(key: &ObjectRef, obj: &DynamicObject) -> bool {
    if key.kind == "Namespace" || key.kind == "PersistentVolumeClaim" {
        return false;
    }
    let keep = obj
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(labels::KEEP))
        .is_some_and(|v| v == "true");
    !keep
}

fn advice_for(key: &ObjectRef, msg: &str) -> String {
    if key.kind == "StatefulSet" && msg.contains("spec: Forbidden") {
        format!(
            "A StatefulSet's volume claim templates (storage size, storage class) and selector cannot change in place. \
Your data is in the PersistentVolumeClaims, which stay. To go ahead: (1) to grow the volume, resize each claim \
(kubectl -n {ns} patch pvc <claim> -p '{{\"spec\":{{\"resources\":{{\"requests\":{{\"storage\":\"<size>\"}}}}}}}}', \
if the StorageClass allows expansion); (2) delete only the StatefulSet, keeping its pods and claims: \
kubectl -n {ns} delete statefulset {name} --cascade=orphan; (3) run the upgrade again.",
            ns = key.namespace.as_deref().unwrap_or_default(),
            name = key.name
        )
    } else if msg.contains("field is immutable") || msg.contains("Forbidden") {
        format!(
            "This field of {key} cannot change in place. Delete the object (kubectl delete {} {} -n {}) and run the upgrade again; \
skyflo recreates it.",
            key.kind.to_lowercase(),
            key.name,
            key.namespace.as_deref().unwrap_or_default()
        )
    } else {
        "The API server rejected the object; fix the spec field named above.".into()
    }
}

/// Fields that the server owns or that change on every write.
fn normalize(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("status");
        if let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut) {
            for k in [
                "managedFields",
                "resourceVersion",
                "generation",
                "creationTimestamp",
                "uid",
                "selfLink",
            ] {
                m.remove(k);
            }
        }
    }
    v
}

/// The fields that differ between the live object and the server's preview of the applied
/// one. Secret values are redacted.
pub fn diff_objects(kind: &str, live: &DynamicObject, preview: &DynamicObject) -> Vec<FieldChange> {
    let a = normalize(&serde_json::to_value(live).unwrap_or_default());
    let b = normalize(&serde_json::to_value(preview).unwrap_or_default());
    let mut out = Vec::new();
    diff_values("", &a, &b, &mut out);
    if kind == "Secret" {
        for c in &mut out {
            if c.path.starts_with("data") || c.path.starts_with("stringData") {
                let redact = |v: &mut Option<Value>| {
                    if v.is_some() {
                        *v = Some(Value::String("(redacted)".into()));
                    }
                };
                redact(&mut c.live);
                redact(&mut c.desired);
            }
        }
    }
    out
}

fn join(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_string()
    } else {
        format!("{base}.{key}")
    }
}

fn named(items: &[Value]) -> bool {
    !items.is_empty()
        && items
            .iter()
            .all(|i| i.get("name").and_then(Value::as_str).is_some())
}

fn diff_values(path: &str, a: &Value, b: &Value, out: &mut Vec<FieldChange>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let p = join(path, k);
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => diff_values(&p, u, v, out),
                    (u, v) => out.push(FieldChange {
                        path: p,
                        live: u.cloned(),
                        desired: v.cloned(),
                    }),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if named(x) && named(y) => {
            // Lists of named items (containers, env, ports) compare by name, so adding one
            // env var shows as that var, not as the whole list.
            let by_name = |v: &Vec<Value>| -> Vec<(String, Value)> {
                v.iter()
                    .map(|i| {
                        (
                            i["name"].as_str().unwrap_or_default().to_string(),
                            i.clone(),
                        )
                    })
                    .collect()
            };
            let (xs, ys) = (by_name(x), by_name(y));
            let mut names: Vec<&String> = xs.iter().map(|(n, _)| n).collect();
            for (n, _) in &ys {
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            for n in names {
                let p = format!("{path}[{n}]");
                let u = xs.iter().find(|(k, _)| k == n).map(|(_, v)| v);
                let v = ys.iter().find(|(k, _)| k == n).map(|(_, v)| v);
                match (u, v) {
                    (Some(u), Some(v)) => diff_values(&p, u, v, out),
                    (u, v) => out.push(FieldChange {
                        path: p,
                        live: u.cloned(),
                        desired: v.cloned(),
                    }),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                diff_values(&format!("{path}[{i}]"), u, v, out);
            }
        }
        _ if a != b => out.push(FieldChange {
            path: path.to_string(),
            live: Some(a.clone()),
            desired: Some(b.clone()),
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diffs_name_list_items_and_skip_server_fields() {
        let live: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "x", "resourceVersion": "1", "generation": 1},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "ui", "image": "a"}]}}},
            "status": {"readyReplicas": 1}
        }))
        .unwrap();
        let preview: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "x", "resourceVersion": "2", "generation": 2},
            "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "ui", "image": "a"}]}}}
        }))
        .unwrap();
        let d = diff_objects("Deployment", &live, &preview);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "spec.replicas");
        let same = diff_objects("Deployment", &live, &live);
        assert!(same.is_empty());
    }

    #[test]
    fn secret_values_are_redacted() {
        let a: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"K": "b2xk"}
        }))
        .unwrap();
        let b: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"K": "bmV3"}
        }))
        .unwrap();
        let d = diff_objects("Secret", &a, &b);
        assert_eq!(d[0].desired, Some(json!("(redacted)")));
        assert!(!serde_json::to_string(&d).unwrap().contains("bmV3"));
    }
}
