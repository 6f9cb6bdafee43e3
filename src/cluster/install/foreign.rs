//! What else lives in a namespace: every listable namespaced resource the API server offers
//! (aggregated discovery, then one metadata-only LIST per resource), less this installation's
//! own objects and what the cluster puts into every namespace by itself. Used only before a
//! purge deletes a namespace skyflo created, so it may cost a few dozen requests.

use anyhow::{Context, Result};
use futures::stream::{self, StreamExt, TryStreamExt};
use kube::api::{Api, DynamicObject, ListParams};
use kube::discovery::{Discovery, Scope, verbs};

use crate::cluster::Cluster;
use crate::cluster::errors::{is_forbidden, is_gone};
use crate::render::labels;

/// Kinds whose objects follow others' lifecycles (events, endpoints of our Services, leases
/// of our lock) and never count as someone else's work.
const DERIVED: [&str; 4] = ["Event", "Endpoints", "EndpointSlice", "Lease"];

/// `Kind name` of every object in the namespace that is not this installation's.
pub async fn objects_in_namespace(cluster: &Cluster) -> Result<Vec<String>> {
    let discovery = Discovery::new(cluster.client.clone())
        .run_aggregated()
        .await
        .context("discovering the API server's resources")?;
    let mut resources = Vec::new();
    for group in discovery.groups() {
        for (ar, caps) in group.recommended_resources() {
            if caps.scope == Scope::Namespaced
                && caps.supports_operation(verbs::LIST)
                && !DERIVED.contains(&ar.kind.as_str())
            {
                resources.push(ar);
            }
        }
    }
    let found: Vec<Vec<String>> = stream::iter(resources)
        .map(|ar| async move {
            let api: Api<DynamicObject> =
                Api::namespaced_with(cluster.client.clone(), &cluster.namespace, &ar);
            match api.list_metadata(&ListParams::default()).await {
                Ok(list) => Ok(list
                    .items
                    .into_iter()
                    .filter(|m| !is_ours_or_builtin(cluster, &ar.kind, &m.metadata))
                    .map(|m| format!("{} {}", ar.kind, m.metadata.name.unwrap_or_default()))
                    .collect()),
                // A resource we may not list might hold anything: say so rather than guess.
                Err(e) if is_forbidden(&e) => Ok(vec![format!(
                    "{} (not allowed to list them, so they may exist)",
                    ar.plural
                )]),
                Err(e) if is_gone(&e) => Ok(Vec::new()),
                Err(e) => Err(anyhow::Error::new(e).context(format!("listing {}", ar.plural))),
            }
        })
        .buffered(8)
        .try_collect()
        .await?;
    let mut all: Vec<String> = found.into_iter().flatten().collect();
    all.sort();
    Ok(all)
}

fn is_ours_or_builtin(
    cluster: &Cluster,
    kind: &str,
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) -> bool {
    let l = meta.labels.clone().unwrap_or_default();
    let ours = l.get(labels::INSTANCE) == Some(&cluster.instance)
        && (l.get(labels::NAME).map(String::as_str) == Some("skyflo")
            || l.get(labels::MANAGED_BY).map(String::as_str) == Some(labels::MANAGER));
    let name = meta.name.as_deref().unwrap_or_default();
    let builtin = matches!(
        (kind, name),
        ("ServiceAccount", "default") | ("ConfigMap", "kube-root-ca.crt")
    );
    ours || builtin || meta.deletion_timestamp.is_some()
}
