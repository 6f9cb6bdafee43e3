//! Server-side apply (field manager `skyflo`, forced) and deletion.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use futures::stream::{self, StreamExt, TryStreamExt};
use kube::api::{
    DeleteParams, DynamicObject, Patch, PatchParams, Preconditions, PropagationPolicy,
};

use super::Cluster;
use super::errors::{is_gone, is_invalid, message};
use crate::render::labels::MANAGER;
use crate::render::{Object, ObjectRef};

/// Applies objects concurrently (they belong to one stage, so order within it is free).
/// `force` takes over fields last set by someone else (`kubectl edit`, `kubectl scale`):
/// the spec file is the source of truth.
pub async fn apply_all(cluster: &Cluster, objects: &[&Object]) -> Result<Vec<DynamicObject>> {
    stream::iter(objects.iter())
        .map(|o| apply_one(cluster, o))
        // One HTTP/2 connection carries them all; a round of writes costs one etcd commit.
        .buffered(64)
        .try_collect()
        .await
}

pub async fn apply_one(cluster: &Cluster, object: &Object) -> Result<DynamicObject> {
    let key = object.object_ref();
    let api = cluster.api_for_ref(&key);
    let pp = PatchParams::apply(MANAGER).force();
    let body = object.to_dynamic();
    super::client::retrying(cluster.write_deadline(), || async {
        cluster.fence.check().await?;
        api.patch(&key.name, &pp, &Patch::Apply(&body))
            .await
            .map_err(|e| {
                if !matches!(e, kube::Error::Api(_)) {
                    return anyhow::Error::new(e);
                }
                let hint = if is_invalid(&e) && message(&e).contains("already allocated") {
                    " (`skyflo check` names the Service that holds it)"
                } else {
                    ""
                };
                anyhow::anyhow!("{}{hint}", message(&e))
            })
    })
    .await
    .with_context(|| format!("applying {key}"))
}

/// Creates the namespace of a fresh install (before the lock, which lives in it). A create,
/// not an apply: a namespace that appeared meanwhile is someone else's and stays untouched.
pub async fn create_namespace(cluster: &Cluster, object: &Object) -> Result<()> {
    let key = object.object_ref();
    let api = cluster.api_for_ref(&key);
    match api
        .create(&kube::api::PostParams::default(), &object.to_dynamic())
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if super::errors::is_conflict(&e) => anyhow::bail!(
            "namespace {} was created by someone else while this run was planning; run the command again \
(skyflo will treat it as a namespace it did not create)",
            key.name
        ),
        Err(e) => Err(anyhow::Error::new(e).context(format!("creating {key}"))),
    }
}

/// Deletes an object and returns its uid, or `None` when it was already gone. Deployments
/// and StatefulSets are deleted in the foreground so their pods go first.
pub async fn delete(cluster: &Cluster, key: &ObjectRef) -> Result<Option<String>> {
    let api = cluster.api_for_ref(key);
    let mut dp = DeleteParams::default();
    if matches!(key.kind.as_str(), "Deployment" | "StatefulSet") {
        dp.propagation_policy = Some(PropagationPolicy::Foreground);
    }
    super::client::retrying(cluster.write_deadline(), || async {
        cluster.fence.check().await?;
        match api.delete(&key.name, &dp).await {
            Ok(either) => Ok(either
                .left()
                .and_then(|o| o.metadata.uid)
                .or(Some(String::new()))),
            Err(e) if is_gone(&e) => Ok(None),
            Err(e) => Err(anyhow::Error::new(e)),
        }
    })
    .await
    .with_context(|| format!("deleting {key}"))
}

/// What a delete by uid found.
pub enum Deleted {
    /// Still there, being deleted (finalizers, dependents): wait for it.
    Deleting,
    /// Deleted at once: nothing to wait for.
    Removed,
    /// Nothing by that name.
    Gone,
    /// Another object by that name (another uid): left alone.
    Replaced,
}

/// Deletes `key` only if it is still the object with `uid` (a precondition the API server
/// checks), so an object deleted and created again by someone else in between is never hit.
pub async fn delete_uid(cluster: &Cluster, key: &ObjectRef, uid: &str) -> Result<Deleted> {
    let api = cluster.api_for_ref(key);
    let dp = DeleteParams {
        preconditions: Some(Preconditions {
            uid: Some(uid.to_string()),
            resource_version: None,
        }),
        ..Default::default()
    };
    super::client::retrying(cluster.write_deadline(), || async {
        cluster.fence.check().await?;
        match api.delete(&key.name, &dp).await {
            Ok(either) if either.is_right() => Ok(Deleted::Removed),
            Ok(_) => Ok(Deleted::Deleting),
            Err(e) if is_gone(&e) => Ok(Deleted::Gone),
            Err(e) if super::errors::is_conflict(&e) => Ok(Deleted::Replaced),
            Err(e) => Err(anyhow::Error::new(e)),
        }
    })
    .await
    .with_context(|| format!("deleting {key}"))
}

/// Returns once `name` is gone (or is another object than `uid`), asking with GETs.
async fn poll_gone(api: &kube::Api<DynamicObject>, name: &str, uid: &str) {
    loop {
        match api.get_opt(name).await {
            Ok(None) => return,
            Ok(Some(o)) if !uid.is_empty() && o.metadata.uid.as_deref() != Some(uid) => return,
            _ => tokio::time::sleep(std::time::Duration::from_millis(300)).await,
        }
    }
}

/// Waits until every deleted object is gone, naming the ones still there and their
/// finalizers when the deadline passes. Objects of one kind in one namespace share one watch
/// (a LIST and a WATCH however many there are).
pub async fn wait_deleted(
    cluster: &Cluster,
    objects: &[(ObjectRef, String)],
    deadline: tokio::time::Instant,
) -> Result<()> {
    let mut groups: BTreeMap<_, Vec<&(ObjectRef, String)>> = BTreeMap::new();
    for o in objects {
        groups
            .entry((o.0.kind.clone(), o.0.namespace.clone()))
            .or_default()
            .push(o);
    }
    let waits = groups.into_values().map(|group| async move {
        let api = cluster.api_for_ref(&group[0].0);
        let gone = async {
            let watched = all_gone(&api, &group).await;
            // A watch that cannot run (forbidden, cut off) proves nothing: ask until it is gone.
            if !watched {
                for (key, uid) in &group {
                    poll_gone(&api, &key.name, uid).await;
                }
            }
        };
        match tokio::time::timeout_at(deadline, gone).await {
            Ok(()) => Vec::new(),
            Err(_) => still_there(&api, &group).await,
        }
    });
    let still: Vec<String> = futures::future::join_all(waits)
        .await
        .into_iter()
        .flatten()
        .collect();
    if still.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("still present after the timeout: {}", still.join("; "))
    }
}

/// Whether one watch of the kind saw every object of `group` go (false: it could not run).
/// A single object is watched by name, as kube's `await_condition` does.
async fn all_gone(api: &kube::Api<DynamicObject>, group: &[&(ObjectRef, String)]) -> bool {
    use kube::runtime::watcher::{Config, Event, watcher};
    let config = match group {
        [(key, _)] => Config::default().fields(&format!("metadata.name={}", key.name)),
        _ => Config::default(),
    };
    let mut left: BTreeMap<&str, &str> = group
        .iter()
        .map(|(k, uid)| (k.name.as_str(), uid.as_str()))
        .collect();
    // Still the deleted object: same name and, where its uid is known, same uid.
    let same = |left: &BTreeMap<&str, &str>, o: &DynamicObject| {
        let name = o.metadata.name.as_deref().unwrap_or_default();
        left.get(name)
            .is_some_and(|uid| uid.is_empty() || o.metadata.uid.as_deref() == Some(*uid))
    };
    let mut listed = BTreeSet::new();
    let mut events = std::pin::pin!(watcher(api.clone(), config));
    while let Some(event) = events.next().await {
        match event {
            Err(_) => return false,
            Ok(Event::Init) => listed.clear(),
            Ok(Event::InitApply(o)) if same(&left, &o) => {
                listed.insert(o.metadata.name.clone().unwrap_or_default());
            }
            Ok(Event::InitDone) => left.retain(|name, _| listed.contains(*name)),
            Ok(Event::Apply(o)) if !same(&left, &o) => {
                left.remove(o.metadata.name.as_deref().unwrap_or_default());
            }
            Ok(Event::Delete(o)) if same(&left, &o) => {
                left.remove(o.metadata.name.as_deref().unwrap_or_default());
            }
            Ok(_) => {}
        }
        if left.is_empty() {
            return true;
        }
    }
    false
}

/// The objects of a group still there at the deadline, with the finalizers that hold them.
async fn still_there(
    api: &kube::Api<DynamicObject>,
    group: &[&(ObjectRef, String)],
) -> Vec<String> {
    let mut out = Vec::new();
    for (key, uid) in group {
        let live = match api.get_opt(&key.name).await {
            Ok(None) => continue,
            Ok(Some(o)) if !uid.is_empty() && o.metadata.uid.as_deref() != Some(uid.as_str()) => {
                continue;
            }
            Ok(Some(o)) => o,
            // Unknown: reported by name.
            Err(_) => {
                out.push(key.to_string());
                continue;
            }
        };
        let finalizers = live.metadata.finalizers.unwrap_or_default();
        out.push(if finalizers.is_empty() {
            key.to_string()
        } else {
            format!("{key} (held by finalizers: {})", finalizers.join(", "))
        });
    }
    out
}
