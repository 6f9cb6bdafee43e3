//! Removing an installation: what will be deleted and kept, then deletion in reverse apply
//! order, waiting until each group is gone. Data (PersistentVolumeClaims) and generated Secrets
//! are kept unless purging, so a later install reuses the volume and the same password.

use anyhow::Result;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::api::ListParams;
use serde::Serialize;
use tokio::time::Instant;

use super::{Cluster, Reporter, apply, inventory, lock, release};
use crate::render::labels;
use crate::render::{Names, ObjectRef};

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
    pub release_records: usize,
}

impl Removal {
    pub fn is_empty(&self) -> bool {
        self.delete.is_empty()
            && self.release_records == 0
            && !self.delete_namespace
            && self.keep.is_empty()
    }
}

/// Order of deletion: the reverse of apply order, workloads first so no pod is left
/// running against deleted configuration.
const ORDER: [&[&str]; 4] = [
    &["Deployment"],
    &["StatefulSet"],
    &[
        "Service",
        "NetworkPolicy",
        "ConfigMap",
        "Secret",
        "ServiceAccount",
    ],
    &["ClusterRoleBinding", "PersistentVolumeClaim"],
];

pub async fn plan(cluster: &Cluster, purge: bool) -> Result<Option<Removal>> {
    let live = inventory::read(cluster).await?;
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
        let generated = obj
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(labels::KEEP))
            .is_some_and(|v| v == "true");
        if generated && !purge {
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
        let size = c
            .status
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
            .map(|q| q.0.clone());
        if purge {
            delete.push(key);
        } else {
            keep.push(Kept { object: key, size });
        }
    }
    let removal = Removal {
        delete,
        keep,
        delete_namespace: purge && live.namespace_exists(),
        release_records: records,
    };
    if removal.delete.is_empty() && records == 0 {
        return Ok(None);
    }
    Ok(Some(removal))
}

pub async fn run(
    cluster: &Cluster,
    removal: &Removal,
    timeout: std::time::Duration,
    reporter: &dyn Reporter,
) -> Result<()> {
    let deadline = Instant::now() + timeout;
    let names = Names {
        instance: cluster.instance.clone(),
        namespace: cluster.namespace.clone(),
    };
    let held = lock::acquire(cluster, &names.lock(), "uninstall").await?;
    let result = async {
        for group in ORDER {
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
        }
        release::delete_all(cluster).await?;
        Ok::<_, anyhow::Error>(())
    };
    let result = tokio::select! {
        r = result => r,
        _ = tokio::signal::ctrl_c() => Err(crate::error::Exit::Interrupted.into()),
    };
    held.release().await?;
    result?;
    if removal.delete_namespace {
        let ns = ObjectRef {
            kind: "Namespace".into(),
            namespace: None,
            name: cluster.namespace.clone(),
        };
        if let Some(uid) = apply::delete(cluster, &ns).await? {
            reporter.line(&format!(
                "deleting namespace {} (waits for everything in it)",
                cluster.namespace
            ));
            apply::wait_deleted(cluster, &[(ns, uid)], deadline).await?;
        }
    }
    Ok(())
}
