//! What an installation has in the cluster right now: one LIST per kind by label selector.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use base64::Engine as _;
use futures::future::try_join_all;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, DynamicObject, ListParams, TypeMeta};

use super::Cluster;
use super::errors::is_gone;
use super::release;
use crate::render::labels::{self, instance_selector};
use crate::render::object::api_resource_for;
use crate::render::secrets::{ExistingSecrets, JWT_SECRET_KEY, POSTGRES_PASSWORD_KEY};
use crate::render::{Names, ObjectRef};

/// Namespaced kinds skyflo creates, in apply order.
pub const NAMESPACED_KINDS: [&str; 7] = [
    "ServiceAccount",
    "ConfigMap",
    "Secret",
    "NetworkPolicy",
    "Service",
    "StatefulSet",
    "Deployment",
];

#[derive(Debug, Default, Clone)]
pub struct Live {
    pub namespace: Option<Namespace>,
    /// Every object carrying this installation's labels, by reference.
    pub objects: BTreeMap<ObjectRef, DynamicObject>,
    /// The release records, oldest first.
    pub releases: Vec<release::Release>,
}

impl Live {
    pub fn namespace_exists(&self) -> bool {
        self.namespace.is_some()
    }

    pub fn namespace_terminating(&self) -> bool {
        self.namespace
            .as_ref()
            .is_some_and(|n| n.metadata.deletion_timestamp.is_some())
    }
}

pub fn object_ref(kind: &str, obj: &DynamicObject) -> ObjectRef {
    ObjectRef {
        kind: kind.to_string(),
        namespace: obj.metadata.namespace.clone(),
        name: obj.metadata.name.clone().unwrap_or_default(),
    }
}

/// Reads the namespace first and lists nothing in a namespace that does not exist (a fresh
/// install makes the fewest requests).
pub async fn read(cluster: &Cluster) -> Result<Live> {
    let namespace = get_namespace(cluster).await?;
    let exists = namespace.is_some();
    let mut live = list_all(cluster, exists).await?;
    live.namespace = namespace;
    add_namespace_object(&mut live)?;
    Ok(live)
}

/// Reads the namespace and lists everything at the same time: one round trip, for `status`,
/// where the installation usually exists.
pub async fn read_parallel(cluster: &Cluster) -> Result<Live> {
    let (namespace, mut live) =
        futures::try_join!(get_namespace(cluster), list_all(cluster, true))?;
    live.namespace = namespace;
    add_namespace_object(&mut live)?;
    Ok(live)
}

async fn get_namespace(cluster: &Cluster) -> Result<Option<Namespace>> {
    let ns_api: Api<Namespace> = Api::all(cluster.client.clone());
    ns_api.get_opt(&cluster.namespace).await.map_err(|e| {
        if super::client::is_unreachable(&e) {
            anyhow::anyhow!("cannot reach the cluster at {}: {e}", cluster.server)
        } else {
            anyhow::Error::new(e).context(format!("reading namespace {}", cluster.namespace))
        }
    })
}

fn add_namespace_object(live: &mut Live) -> Result<()> {
    if let Some(ns) = &live.namespace {
        let obj: DynamicObject = serde_json::from_value(serde_json::to_value(ns)?)?;
        live.objects.insert(object_ref("Namespace", &obj), obj);
    }
    Ok(())
}

async fn list_all(cluster: &Cluster, namespaced: bool) -> Result<Live> {
    let mut live = Live::default();
    let selector = instance_selector(&cluster.instance);
    let crb_selector = format!(
        "{selector},{}={}",
        labels::OWNER_NAMESPACE,
        cluster.namespace
    );
    // Secrets are listed with the looser selector that also matches release records, so one
    // LIST serves both.
    let secret_selector = format!(
        "{}={},{}={}",
        labels::INSTANCE,
        cluster.instance,
        labels::MANAGED_BY,
        labels::MANAGER
    );
    // Cluster-scoped bindings can outlive a deleted namespace, so they are always listed.
    let mut lists: Vec<(&str, String)> = vec![("ClusterRoleBinding", crb_selector)];
    if namespaced {
        lists.extend(NAMESPACED_KINDS.iter().map(|k| {
            let sel = if *k == "Secret" {
                secret_selector.clone()
            } else {
                selector.clone()
            };
            (*k, sel)
        }));
    }
    let results = try_join_all(lists.iter().map(|(kind, sel)| async move {
        let items = cluster
            .api_for(kind, None)
            .list(&ListParams::default().labels(sel))
            .await
            .with_context(|| format!("listing {kind}s"))?;
        Ok::<_, anyhow::Error>((*kind, items.items))
    }))
    .await?;
    for (kind, items) in results {
        let (ar, _) = api_resource_for(kind).expect("listed kinds are known");
        for mut obj in items {
            if kind == "Secret"
                && obj.data.get("type").and_then(|t| t.as_str()) == Some(release::SECRET_TYPE)
            {
                if let Some(r) = release::parse(&obj) {
                    live.releases.push(r);
                }
                continue;
            }
            if kind == "Secret"
                && obj
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(labels::NAME))
                    .map(String::as_str)
                    != Some("skyflo")
            {
                continue;
            }
            // List items carry no apiVersion/kind; the plan compares whole objects.
            obj.types = Some(TypeMeta {
                api_version: ar.api_version.clone(),
                kind: ar.kind.clone(),
            });
            live.objects.insert(object_ref(kind, &obj), obj);
        }
    }
    live.releases.sort_by_key(|r| r.revision);
    Ok(live)
}

/// The generated values already in the cluster. Read by name too (not only by label), so
/// that the Secrets of an upstream install.sh/Helm installation with the same names are
/// reused rather than replaced.
pub async fn existing_secrets(cluster: &Cluster, live: &Live) -> Result<ExistingSecrets> {
    if !live.namespace_exists() {
        return Ok(ExistingSecrets::default());
    }
    let names = Names {
        instance: cluster.instance.clone(),
        namespace: cluster.namespace.clone(),
    };
    let value = |name: String, key: &'static str| async move {
        let r = ObjectRef {
            kind: "Secret".into(),
            namespace: Some(cluster.namespace.clone()),
            name: name.clone(),
        };
        let data = match live.objects.get(&r) {
            Some(obj) => obj.data.get("data").cloned(),
            None => {
                let api: Api<Secret> = cluster.typed();
                match api.get_opt(&name).await {
                    Ok(s) => s.and_then(|s| serde_json::to_value(s.data).ok()),
                    Err(e) if is_gone(&e) => None,
                    Err(e) => {
                        return Err(anyhow::Error::new(e).context(format!("reading Secret {name}")));
                    }
                }
            }
        };
        Ok(data
            .as_ref()
            .and_then(|d| d.get(key))
            .and_then(|v| v.as_str())
            .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
            .and_then(|b| String::from_utf8(b).ok()))
    };
    let (jwt, pg) = futures::try_join!(
        value(names.engine_secret(), JWT_SECRET_KEY),
        value(names.postgres_secret(), POSTGRES_PASSWORD_KEY)
    )?;
    Ok(ExistingSecrets {
        jwt_secret: jwt,
        postgres_password: pg,
    })
}
