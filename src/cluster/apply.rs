//! Server-side apply (field manager `skyflo`, forced) and deletion.

use anyhow::{Context, Result};
use futures::stream::{self, StreamExt, TryStreamExt};
use kube::api::{DeleteParams, DynamicObject, Patch, PatchParams, PropagationPolicy};

use super::errors::{is_gone, is_invalid, message};
use super::Cluster;
use crate::render::labels::MANAGER;
use crate::render::{Object, ObjectRef};

/// Applies objects concurrently (they belong to one stage, so order within it is free).
/// `force` takes over fields last set by someone else (`kubectl edit`, `kubectl scale`):
/// the spec file is the source of truth.
pub async fn apply_all(cluster: &Cluster, objects: &[&Object]) -> Result<Vec<DynamicObject>> {
    stream::iter(objects.iter())
        .map(|o| apply_one(cluster, o))
        .buffered(16)
        .try_collect()
        .await
}

pub async fn apply_one(cluster: &Cluster, object: &Object) -> Result<DynamicObject> {
    let key = object.object_ref();
    let api = cluster.api_for_ref(&key);
    let pp = PatchParams::apply(MANAGER).force();
    api.patch(&key.name, &pp, &Patch::Apply(&object.to_dynamic()))
        .await
        .map_err(|e| {
            let hint = if is_invalid(&e) {
                " (the API server rejected it; see `skyflo upgrade --diff` for the change)"
            } else {
                ""
            };
            anyhow::anyhow!("{}{hint}", message(&e))
        })
        .with_context(|| format!("applying {key}"))
}

/// Deletes an object; an object that is already gone counts as deleted. Deployments and
/// StatefulSets are deleted in the foreground so their pods go first.
pub async fn delete(cluster: &Cluster, key: &ObjectRef) -> Result<bool> {
    let api = cluster.api_for_ref(key);
    let mut dp = DeleteParams::default();
    if matches!(key.kind.as_str(), "Deployment" | "StatefulSet") {
        dp.propagation_policy = Some(PropagationPolicy::Foreground);
    }
    match api.delete(&key.name, &dp).await {
        Ok(_) => Ok(true),
        Err(e) if is_gone(&e) => Ok(false),
        Err(e) => Err(anyhow::Error::new(e).context(format!("deleting {key}"))),
    }
}
