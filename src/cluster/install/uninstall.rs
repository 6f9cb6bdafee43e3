//! Removing an installation: what will be deleted and kept, then deletion in reverse apply
//! order, waiting until each group is gone. Data (PersistentVolumeClaims) and generated Secrets
//! are kept unless purging, so a later install reuses the volume and the same password.

use anyhow::Result;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::api::ListParams;
use serde::Serialize;
use tokio::time::Instant;

use super::foreign;
use crate::cluster::{Cluster, Reporter, apply, inventory, lock, release};
use crate::render::ObjectRef;
use crate::render::labels;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Kept {
    pub object: ObjectRef,
    /// The claim's size, for PersistentVolumeClaims.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Removal {
    pub delete: Vec<ObjectRef>,
    pub keep: Vec<Kept>,
    pub delete_namespace: bool,
    /// Why the namespace stays although `--purge` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_kept: Option<String>,
    pub release_records: usize,
    /// The uid of the namespace as it was read: only that namespace is deleted, never one
    /// that replaced it meanwhile.
    #[serde(skip)]
    pub namespace_uid: Option<String>,
}

impl Removal {
    pub fn is_empty(&self) -> bool {
        self.delete.is_empty()
            && self.release_records == 0
            && !self.delete_namespace
            && self.keep.is_empty()
    }
}

/// Order of deletion: the reverse of apply order, workloads first so no pod is left running
/// against deleted configuration; then the volumes, and only after them the Secrets with
/// their passwords (interrupted in between, a volume never survives without its password).
const ORDER: [&[&str]; 5] = [
    &["Deployment", "PodDisruptionBudget", "Ingress"],
    &["StatefulSet"],
    &["PersistentVolumeClaim"],
    &[
        "Service",
        "NetworkPolicy",
        "ConfigMap",
        "ServiceAccount",
        "Role",
        "RoleBinding",
    ],
    &["Secret", "ClusterRoleBinding"],
];

fn has_label(obj: &kube::api::DynamicObject, key: &str) -> bool {
    obj.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(key))
        .is_some_and(|v| v == "true")
}

pub async fn plan(cluster: &Cluster, purge: bool) -> Result<Option<Removal>> {
    let live = inventory::read(cluster, &inventory::Seen::Unknown).await?;
    let records = live.releases.len();
    let claims = if live.namespace_exists() {
        cluster
            .typed::<PersistentVolumeClaim>()
            .list(&ListParams::default().labels(&format!(
                "{}=skyflo,{}={}",
                labels::NAME,
                labels::INSTANCE,
                cluster.instance
            )))
            .await?
            .items
    } else {
        Vec::new()
    };
    let mut delete = Vec::new();
    let mut keep = Vec::new();
    for (key, obj) in &live.objects {
        if key.kind == "Namespace" {
            continue;
        }
        if has_label(obj, labels::KEEP) && !purge {
            keep.push(Kept {
                object: key.clone(),
                size: None,
            });
        } else {
            delete.push(key.clone());
        }
    }
    for c in claims {
        let key = ObjectRef {
            kind: "PersistentVolumeClaim".into(),
            namespace: c.metadata.namespace.clone(),
            name: c.metadata.name.clone().unwrap_or_default(),
        };
        if purge {
            delete.push(key);
        } else {
            keep.push(Kept {
                object: key,
                size: claim_size(&c),
            });
        }
    }
    if delete.is_empty() && records == 0 {
        return Ok(None);
    }
    let namespace_kept = if purge && live.namespace_exists() {
        namespace_stays(cluster, &live).await?
    } else {
        None
    };
    Ok(Some(Removal {
        delete,
        keep,
        delete_namespace: purge && live.namespace_exists() && namespace_kept.is_none(),
        namespace_kept,
        release_records: records,
        namespace_uid: live.namespace.as_ref().and_then(|n| n.metadata.uid.clone()),
    }))
}

fn claim_size(c: &PersistentVolumeClaim) -> Option<String> {
    c.status
        .as_ref()
        .and_then(|s| s.capacity.as_ref())
        .and_then(|cap| cap.get("storage"))
        .or_else(|| {
            c.spec
                .as_ref()?
                .resources
                .as_ref()?
                .requests
                .as_ref()?
                .get("storage")
        })
        .map(|q| q.0.clone())
}

/// Why a purge must keep the namespace, if it must: skyflo did not create it, or it holds
/// objects that are not this installation's.
async fn namespace_stays(cluster: &Cluster, live: &inventory::Live) -> Result<Option<String>> {
    if !live.owns_namespace(&cluster.instance) {
        return Ok(Some(format!(
            "skyflo did not create namespace {} (it has no {}={} annotation), so it stays as it is",
            cluster.namespace,
            labels::CREATED_BY,
            cluster.instance
        )));
    }
    let others = foreign::objects_in_namespace(cluster).await?;
    if others.is_empty() {
        return Ok(None);
    }
    let shown: Vec<String> = others.iter().take(10).cloned().collect();
    Ok(Some(format!(
        "namespace {} holds {} object{} skyflo did not create: {}{}",
        cluster.namespace,
        others.len(),
        if others.len() == 1 { "" } else { "s" },
        shown.join(", "),
        if others.len() > shown.len() {
            ", …"
        } else {
            ""
        }
    )))
}

pub async fn run(
    cluster: &Cluster,
    removal: &Removal,
    timeout: std::time::Duration,
    reporter: &dyn Reporter,
) -> Result<()> {
    let deadline = crate::cluster::deadline_after(timeout);
    let job = lock::Job {
        operation: "uninstall",
        timeout,
        reporter,
        after_lock: Some("uninstall-after-lock"),
    };
    // The namespace goes under the lock too, so no operation that takes the lock after this
    // one finds it half deleted; its deletion is waited for once the lock is released (the
    // lease lives in it).
    let work = |locked: Cluster| async move {
        delete_groups(&locked, removal, deadline, reporter).await?;
        match removal.delete_namespace {
            true => delete_namespace(&locked, removal, reporter).await,
            false => Ok(None),
        }
    };
    let deleting = lock::with_lock(cluster, job, work, lock::nothing_to_record).await?;
    if let Some(ns) = deleting {
        apply::wait_deleted(cluster, &[ns], deadline).await?;
    }
    Ok(())
}

async fn delete_groups(
    cluster: &Cluster,
    removal: &Removal,
    deadline: Instant,
    reporter: &dyn Reporter,
) -> Result<()> {
    for (i, group) in ORDER.iter().enumerate() {
        let mut pending = Vec::new();
        for key in removal
            .delete
            .iter()
            .filter(|k| group.contains(&k.kind.as_str()))
        {
            if let Some(uid) = apply::delete(cluster, key).await? {
                pending.push((key.clone(), uid));
            }
        }
        if !pending.is_empty() {
            apply::wait_deleted(cluster, &pending, deadline).await?;
            reporter.line(&format!(
                "deleted {}",
                pending
                    .iter()
                    .map(|(k, _)| k.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        crate::failpoint::hit(&format!("uninstall-after-group-{}", i + 1));
    }
    release::delete_all(cluster).await?;
    Ok(())
}

/// Deletes the namespace skyflo created (by its uid: never one that replaced it), after
/// checking once more, just before the delete, that nothing of anyone else's appeared in it.
/// Returns what to wait for.
async fn delete_namespace(
    cluster: &Cluster,
    removal: &Removal,
    reporter: &dyn Reporter,
) -> Result<Option<(ObjectRef, String)>> {
    let others = foreign::objects_in_namespace(cluster).await?;
    if !others.is_empty() {
        reporter.line(&format!(
            "keeping namespace {}: {} appeared in it meanwhile",
            cluster.namespace,
            others.join(", ")
        ));
        return Ok(None);
    }
    crate::failpoint::hit("uninstall-before-namespace");
    let ns = ObjectRef {
        kind: "Namespace".into(),
        namespace: None,
        name: cluster.namespace.clone(),
    };
    let Some(uid) = removal.namespace_uid.as_deref() else {
        return Ok(None);
    };
    match apply::delete_uid(cluster, &ns, uid).await? {
        apply::Deleted::Gone => Ok(None),
        apply::Deleted::Replaced => {
            reporter.line(&format!(
                "keeping namespace {}: it was deleted and created again meanwhile, so it is not the one skyflo created",
                cluster.namespace
            ));
            Ok(None)
        }
        apply::Deleted::Deleting => {
            reporter.line(&format!("deleting namespace {}", cluster.namespace));
            Ok(Some((ns, uid.to_string())))
        }
        apply::Deleted::Removed => {
            reporter.line(&format!("deleted namespace {}", cluster.namespace));
            Ok(None)
        }
    }
}
