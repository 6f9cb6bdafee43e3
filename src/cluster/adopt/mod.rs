//! `skyflo adopt`: an upstream installation becomes an ordinary skyflo installation.
//!
//! The steps, each safe to repeat (a second run continues where one stopped):
//! 1. inside `deploy`'s lock, before its stages: a journal ConfigMap (the spec, the source),
//!    the provider keys into `<name>-llm-credentials`, every upstream object that has a
//!    rendered namesake overwritten in place (Secrets first, with their values kept), the
//!    volume claims labelled, and the StatefulSets (whose immutable selectors differ) deleted,
//!    their claims kept;
//! 2. `deploy`'s stages create skyflo's workloads and wait until they are Ready: PostgreSQL
//!    and Redis first; only then are upstream's app Deployments deleted and skyflo's created;
//!    then the revision is recorded (operation `adopt`);
//! 3. under the lock again: upstream's leftovers removed (the dead controller, its RBAC, the
//!    CRD if no SkyfloAI object and no other upstream installation needs it, Helm's release
//!    Secrets last), then the journal.

pub mod derive;
pub mod detect;
pub mod external;
pub mod model;

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use kube::api::{Api, ApiResource, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use serde::Serialize;
use serde_json::json;

use super::{Cluster, Reporter, apply};
use crate::render::{ObjectRef, Rendered, labels, secrets::Generated};
pub use detect::{Candidate, Journal, Source, Stored, Upstream};

/// What `deploy` needs to adopt: passed through its options.
#[derive(Debug, Clone)]
pub struct Adoption {
    pub journal: Journal,
    /// Upstream's JWT secret and PostgreSQL password, kept byte for byte.
    pub generated: Generated,
    pub upstream: Upstream,
}

impl Adoption {
    /// Upstream objects a rendered object will replace; the plan does not count them as
    /// conflicts.
    pub fn excuses(&self, key: &ObjectRef) -> bool {
        self.upstream.objects.contains_key(key)
    }
}

/// What happens to one upstream object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Fate {
    /// Overwritten in place with skyflo's object of the same name (values of Secrets kept).
    TakeOver,
    /// A workload whose selector skyflo cannot change: deleted, its claims kept, created anew.
    Replace,
    /// Upstream-only: removed once skyflo's installation is Ready.
    Remove,
    /// Left as it is (credentials skyflo no longer reads, an Ingress that keeps working).
    Keep,
}

pub fn fate(key: &ObjectRef, rendered: &BTreeSet<ObjectRef>) -> Fate {
    match (rendered.contains(key), key.kind.as_str()) {
        (true, "Deployment" | "StatefulSet") => Fate::Replace,
        (true, _) => Fate::TakeOver,
        (false, "Secret" | "Ingress") => Fate::Keep,
        (false, _) => Fate::Remove,
    }
}

fn journal_name(instance: &str) -> String {
    format!("{instance}-adopt")
}

/// The Secrets step 1 applies before anything else; the stages need not apply them again.
pub fn stored_early(cluster: &Cluster, key: &ObjectRef) -> bool {
    let names = cluster.names();
    key.kind == "Secret" && [names.llm_credentials(), names.checksum_key()].contains(&key.name)
}

/// Step 1 (called by `deploy` under its lock, before the stages).
pub async fn take_over(
    cluster: &Cluster,
    adoption: &Adoption,
    rendered: &[Rendered],
    reporter: &dyn Reporter,
) -> Result<()> {
    let refs: BTreeSet<ObjectRef> = rendered.iter().map(|r| r.object.object_ref()).collect();
    // The provider keys are stored before the Secret that held them is overwritten, and the
    // key that signs the journal before the journal.
    let stored: Vec<_> = rendered
        .iter()
        .filter(|r| stored_early(cluster, &r.object.object_ref()))
        .map(|r| &r.object)
        .collect();
    apply::apply_all(cluster, &stored).await?;
    write_journal(cluster, &adoption.journal, &adoption.generated.checksum_key).await?;
    let mut order: Vec<(&ObjectRef, &DynamicObject)> = adoption.upstream.objects.iter().collect();
    order.sort_by_key(|(k, _)| match k.kind.as_str() {
        "Secret" => 0,
        "StatefulSet" => 2,
        "Deployment" => 3,
        _ => 1,
    });
    for (key, live) in &order {
        if fate(key, &refs) == Fate::TakeOver {
            let r = rendered
                .iter()
                .find(|r| &r.object.object_ref() == *key)
                .expect("taken-over objects are rendered");
            overwrite(cluster, &r.object.to_json(), live).await?;
            reporter.line(&format!("took over {key}"));
        }
    }
    // The apps go only once skyflo's PostgreSQL and Redis are Ready (`replace_apps`).
    replace(cluster, &replaced(adoption, &refs, "StatefulSet"), reporter).await?;
    label_claims(cluster, &adoption.upstream).await
}

/// Called by `deploy` before its last stage, when PostgreSQL and Redis are skyflo's and Ready:
/// upstream's Deployments make way for skyflo's.
pub async fn replace_apps(
    cluster: &Cluster,
    adoption: &Adoption,
    rendered: &[Rendered],
    reporter: &dyn Reporter,
) -> Result<()> {
    let refs: BTreeSet<ObjectRef> = rendered.iter().map(|r| r.object.object_ref()).collect();
    replace(cluster, &replaced(adoption, &refs, "Deployment"), reporter).await
}

/// Upstream's workloads of `kind` that skyflo deletes and creates anew.
fn replaced(adoption: &Adoption, refs: &BTreeSet<ObjectRef>, kind: &str) -> Vec<ObjectRef> {
    adoption
        .upstream
        .objects
        .keys()
        .filter(|key| key.kind == kind && fate(key, refs) == Fate::Replace)
        .cloned()
        .collect()
}

/// Deletes workloads whose selectors skyflo cannot change (their pods first; their claims
/// stay), all of them before waiting, so one watch sees them go.
async fn replace(cluster: &Cluster, keys: &[ObjectRef], reporter: &dyn Reporter) -> Result<()> {
    let mut pending = Vec::new();
    for key in keys {
        if let Some(uid) = apply::delete(cluster, key).await? {
            pending.push((key.clone(), uid));
        }
    }
    apply::wait_deleted(cluster, &pending, cluster.write_deadline()).await?;
    for key in keys {
        reporter.line(&format!(
            "deleted {key} (skyflo creates it again; its volume claims stay)"
        ));
    }
    if !keys.is_empty() {
        crate::failpoint::hit("adopt-after-replace");
    }
    Ok(())
}

/// The key that signs the journal, if an earlier run stored it (`<name>-checksum-key`).
pub async fn stored_key(cluster: &Cluster) -> Result<Option<String>> {
    let name = cluster.names().checksum_key();
    let secret = cluster
        .typed::<k8s_openapi::api::core::v1::Secret>()
        .get_opt(&name)
        .await
        .with_context(|| format!("reading Secret {name}"))?;
    Ok(secret
        .and_then(|s| s.data?.remove(crate::render::secrets::CHECKSUM_KEY))
        .map(|b| String::from_utf8_lossy(&b.0).into_owned()))
}

async fn write_journal(cluster: &Cluster, journal: &Journal, key: &str) -> Result<()> {
    let names = cluster.names();
    let mut meta = crate::render::config::meta(&names, journal_name(&cluster.instance), "skyflo");
    let l = meta.labels.get_or_insert_with(Default::default);
    l.insert(labels::KEEP.into(), "true".into());
    l.insert(
        super::release::RECORD_LABEL.into(),
        super::upstream::JOURNAL_RECORD.into(),
    );
    let cm = k8s_openapi::api::core::v1::ConfigMap {
        metadata: meta,
        data: Some({
            let text = journal.to_store()?;
            let signature = crate::render::secrets::keyed(key.as_bytes(), text.as_bytes());
            [
                ("journal".to_string(), text),
                ("signature".to_string(), signature),
            ]
            .into()
        }),
        ..Default::default()
    };
    cluster.fence.check().await?;
    let api: Api<k8s_openapi::api::core::v1::ConfigMap> = cluster.typed();
    match api.create(&PostParams::default(), &cm).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(e)) if e.code == 409 => Ok(()),
        Err(e) => Err(anyhow::Error::new(e).context("recording the adoption (ConfigMap)")),
    }
}

/// Replaces the whole object (so no field of upstream's survives, above all the Services'
/// `app:` selectors) and clears its field managers, so that skyflo's server-side apply that
/// follows owns exactly the fields it sets.
async fn overwrite(
    cluster: &Cluster,
    desired: &serde_json::Value,
    live: &DynamicObject,
) -> Result<()> {
    let mut body = desired.clone();
    body["metadata"]["resourceVersion"] = json!(live.metadata.resource_version);
    body["metadata"]["managedFields"] = json!([{}]);
    if desired["kind"] == "Service" {
        for k in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
            if body["spec"].get(k).is_none() && live.data["spec"].get(k).is_some() {
                body["spec"][k] = live.data["spec"][k].clone();
            }
        }
    }
    let obj: DynamicObject = serde_json::from_value(body)?;
    let key = ObjectRef {
        kind: desired["kind"].as_str().unwrap_or_default().to_string(),
        namespace: live.metadata.namespace.clone(),
        name: live.metadata.name.clone().unwrap_or_default(),
    };
    cluster.fence.check().await?;
    cluster
        .api_for_ref(&key)
        .replace(&key.name, &PostParams::default(), &obj)
        .await
        .with_context(|| format!("taking over {key}"))?;
    Ok(())
}

/// The claims become visible to skyflo's status and uninstall (`--purge` only) as its own.
async fn label_claims(cluster: &Cluster, up: &Upstream) -> Result<()> {
    for c in &up.claims {
        let name = c.metadata.name.clone().unwrap_or_default();
        let component = if name.starts_with("postgres-data-") {
            "postgres"
        } else {
            "redis"
        };
        let patch = json!({"metadata": {"labels": {
            labels::NAME: "skyflo",
            labels::INSTANCE: cluster.instance,
            labels::COMPONENT: component,
            labels::MANAGED_BY: labels::MANAGER,
        }}});
        cluster.fence.check().await?;
        cluster
            .api_for("PersistentVolumeClaim", None)
            .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .with_context(|| format!("labelling PersistentVolumeClaim {name}"))?;
    }
    Ok(())
}

/// Upstream objects with no skyflo namesake that step 3 deletes, and why some are not.
#[derive(Debug, Default, Serialize)]
pub struct Leftovers {
    pub remove: Vec<ObjectRef>,
    pub kept: Vec<(ObjectRef, String)>,
}

/// Decides step 3: a ClusterRole only if no other binding uses it, the CRD only if no
/// SkyfloAI object exists anywhere, Helm's release Secrets (last).
pub async fn leftovers(
    cluster: &Cluster,
    c: &Candidate,
    up: &Upstream,
    rendered: &BTreeSet<ObjectRef>,
) -> Result<Leftovers> {
    let mut out = Leftovers::default();
    let removed: Vec<&ObjectRef> = up
        .objects
        .keys()
        .filter(|k| fate(k, rendered) == Fate::Remove)
        .collect();
    for key in &removed {
        let keep_why = match key.kind.as_str() {
            "ClusterRole" => role_in_use(cluster, &key.name, &removed).await?,
            "CustomResourceDefinition" => crd_in_use(cluster).await?,
            _ => None,
        };
        match keep_why {
            Some(why) => out.kept.push(((*key).clone(), why)),
            None => out.remove.push((*key).clone()),
        }
    }
    for name in &c.helm_records {
        out.remove.push(ObjectRef {
            kind: "Secret".into(),
            namespace: Some(cluster.namespace.clone()),
            name: name.clone(),
        });
    }
    Ok(out)
}

/// Why a ClusterRole must stay: a ClusterRoleBinding (other than one removed with it) or a
/// RoleBinding in any namespace still refers to it.
async fn role_in_use(
    cluster: &Cluster,
    name: &str,
    removed: &[&ObjectRef],
) -> Result<Option<String>> {
    use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, RoleBinding};
    let (cluster_bindings, bindings) = futures::try_join!(
        async {
            Api::<ClusterRoleBinding>::all(cluster.client.clone())
                .list(&ListParams::default())
                .await
                .context("listing ClusterRoleBindings")
        },
        async {
            Api::<RoleBinding>::all(cluster.client.clone())
                .list(&ListParams::default())
                .await
                .context("listing RoleBindings")
        },
    )?;
    let removed_too = |b: &Option<String>| {
        removed
            .iter()
            .any(|r| r.kind == "ClusterRoleBinding" && Some(&r.name) == b.as_ref())
    };
    if let Some(b) = cluster_bindings.items.iter().find(|b| {
        b.role_ref.kind == "ClusterRole"
            && b.role_ref.name == name
            && !removed_too(&b.metadata.name)
    }) {
        return Ok(Some(format!(
            "ClusterRoleBinding {} still uses it",
            b.metadata.name.clone().unwrap_or_default()
        )));
    }
    Ok(bindings
        .items
        .iter()
        .find(|b| b.role_ref.kind == "ClusterRole" && b.role_ref.name == name)
        .map(|b| {
            format!(
                "RoleBinding {}/{} still uses it",
                b.metadata.namespace.clone().unwrap_or_default(),
                b.metadata.name.clone().unwrap_or_default()
            )
        }))
}

/// Why the CRD must stay: SkyfloAI objects (deleting the CRD deletes them), or another
/// upstream installation in the cluster (install.yaml and the chart share the one CRD).
async fn crd_in_use(cluster: &Cluster) -> Result<Option<String>> {
    if let Some(n) = skyfloai_objects(cluster).await? {
        return Ok(Some(format!(
            "{n} SkyfloAI object(s) exist; deleting the CRD would delete them"
        )));
    }
    let services = Api::<k8s_openapi::api::core::v1::Service>::all(cluster.client.clone())
        .list(&ListParams::default())
        .await
        .context("listing Services")?;
    let others: Vec<String> = services
        .items
        .iter()
        .filter(|s| s.metadata.namespace.as_deref() != Some(cluster.namespace.as_str()))
        .filter_map(|s| super::upstream::installation(&s.metadata))
        .collect();
    Ok((!others.is_empty()).then(|| {
        format!(
            "another upstream installation shares it: {}",
            others.join(", ")
        )
    }))
}

async fn skyfloai_objects(cluster: &Cluster) -> Result<Option<usize>> {
    let ar = ApiResource {
        group: "skyflo.ai".into(),
        version: "v1".into(),
        api_version: "skyflo.ai/v1".into(),
        kind: "SkyfloAI".into(),
        plural: "skyfloais".into(),
    };
    match Api::<DynamicObject>::all_with(cluster.client.clone(), &ar)
        .list_metadata(&ListParams::default().limit(1))
        .await
    {
        Ok(l) if l.items.is_empty() => Ok(None),
        Ok(l) => Ok(Some(
            l.items.len() + l.metadata.remaining_item_count.unwrap_or(0) as usize,
        )),
        Err(kube::Error::Api(e)) if e.code == 404 => Ok(None),
        Err(e) => Err(anyhow::Error::new(e).context("listing SkyfloAI objects")),
    }
}

/// Step 3, under the lock: deletes the leftovers (Helm's records last, so `helm list` shows
/// the release until the rest is gone), then the journal. Each one is proven again under
/// the lock (the plan was made before it) and deleted only as the object that was proven.
pub async fn remove_leftovers(
    cluster: &Cluster,
    c: &Candidate,
    leftovers: &Leftovers,
    timeout: std::time::Duration,
    reporter: &dyn Reporter,
) -> Result<()> {
    let work = |fenced: Cluster| async move {
        let mut pending = Vec::new();
        let planned: Vec<&ObjectRef> = leftovers.remove.iter().collect();
        for key in &leftovers.remove {
            match recheck(&fenced, c, key, &planned).await? {
                Recheck::Gone => {}
                Recheck::Keep(why) => reporter.line(&format!("kept {key}: {why}")),
                Recheck::Delete(uid) => {
                    if matches!(
                        apply::delete_uid(&fenced, key, &uid).await?,
                        apply::Deleted::Deleting
                    ) {
                        pending.push((key.clone(), uid));
                    }
                    reporter.line(&format!("removed {key}"));
                }
            }
        }
        apply::wait_deleted(&fenced, &pending, fenced.write_deadline()).await?;
        let journal = ObjectRef {
            kind: "ConfigMap".into(),
            namespace: Some(fenced.namespace.clone()),
            name: journal_name(&fenced.instance),
        };
        apply::delete(&fenced, &journal).await?;
        Ok(())
    };
    let job = super::lock::Job {
        operation: "adopt",
        timeout,
        reporter,
        after_lock: None,
    };
    super::lock::with_lock(cluster, job, work, super::lock::nothing_to_record).await
}

/// What a planned leftover is once proven again under the lock.
enum Recheck {
    Gone,
    Keep(String),
    /// Still upstream's and unused: delete it as this uid.
    Delete(String),
}

async fn recheck(
    cluster: &Cluster,
    c: &Candidate,
    key: &ObjectRef,
    planned: &[&ObjectRef],
) -> Result<Recheck> {
    let Some(obj) = cluster
        .api_for_ref(key)
        .get_opt(&key.name)
        .await
        .with_context(|| format!("reading {key}"))?
    else {
        return Ok(Recheck::Gone);
    };
    let uid = obj.metadata.uid.clone().unwrap_or_default();
    let helm_record = key.kind == "Secret" && c.helm_records.contains(&key.name);
    let proof = match (helm_record, c.release()) {
        (true, Some(release)) => detect::helm_record_of(&obj, release),
        (true, None) => Err("install.sh keeps no Helm records".to_string()),
        (false, _) => detect::belongs(cluster, c, key, &obj),
    };
    if let Err(why) = proof {
        return Ok(Recheck::Keep(why));
    }
    let in_use = match key.kind.as_str() {
        "ClusterRole" => role_in_use(cluster, &key.name, planned).await?,
        "CustomResourceDefinition" => crd_in_use(cluster).await?,
        _ => None,
    };
    Ok(match in_use {
        Some(why) => Recheck::Keep(why),
        None => Recheck::Delete(uid),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fates() {
        let r = |kind: &str, name: &str| ObjectRef {
            kind: kind.into(),
            namespace: Some("ns".into()),
            name: name.into(),
        };
        let rendered: BTreeSet<ObjectRef> = [
            r("StatefulSet", "a-postgres"),
            r("Service", "a-ui"),
            r("Secret", "a-engine-secrets"),
        ]
        .into();
        assert_eq!(
            fate(&r("StatefulSet", "a-postgres"), &rendered),
            Fate::Replace
        );
        assert_eq!(fate(&r("Service", "a-ui"), &rendered), Fate::TakeOver);
        assert_eq!(
            fate(&r("Secret", "a-engine-secrets"), &rendered),
            Fate::TakeOver
        );
        // Credentials skyflo does not render are never deleted; the controller is.
        assert_eq!(
            fate(&r("Secret", "skyflo-engine-secrets"), &rendered),
            Fate::Keep
        );
        assert_eq!(
            fate(&r("Deployment", "a-controller"), &rendered),
            Fate::Remove
        );
        assert_eq!(fate(&r("Ingress", "a-ui-ingress"), &rendered), Fate::Keep);
    }
}
