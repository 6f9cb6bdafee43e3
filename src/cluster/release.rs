//! Release records: one Secret per revision (type `skyflo.ai/release.v1`) holding the applied
//! spec, the CLI version, the time, the outcome and the list of object references. Compact: no
//! manifests. The last [`KEEP`] are kept. `status`, `history`, `rollback` and prune read them.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Cluster;
use crate::render::ObjectRef;
use crate::render::labels;
use crate::spec::RawSkyfloAI;

pub const SECRET_TYPE: &str = "skyflo.ai/release.v1";
pub const RECORD_LABEL: &str = "skyflo.ai/record";
pub const KEEP: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Deployed,
    Failed,
    Superseded,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Release {
    pub revision: u32,
    pub time: String,
    pub cli_version: String,
    pub operation: String,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    pub spec_digest: String,
    pub spec: RawSkyfloAI,
    pub objects: Vec<ObjectRef>,
    /// The database backup taken for this revision (before an engine image change, or the
    /// one a restore put back): its file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<String>,
}

impl Release {
    /// The spec this revision applied, validated again (records hold the parsed spec).
    pub fn spec(&self) -> Result<crate::spec::Spec> {
        let loaded = crate::spec::Loaded {
            raw: self.spec.clone(),
            source: crate::spec::SourceMap::unnamed(&format!("release revision {}", self.revision)),
            unknown_keys: Vec::new(),
        };
        Ok(crate::spec::validate::validate(&loaded)?)
    }
}

pub fn digest(spec: &RawSkyfloAI) -> String {
    let json = serde_json::to_vec(spec).expect("specs serialize");
    format!("sha256:{:x}", Sha256::digest(json))
}

fn secret_name(instance: &str, revision: u32) -> String {
    format!("{instance}-release-v{revision}")
}

fn selector(instance: &str) -> String {
    format!(
        "{}={instance},{}={},{RECORD_LABEL}=release",
        labels::INSTANCE,
        labels::MANAGED_BY,
        labels::MANAGER
    )
}

/// A record from a listed Secret (as a dynamic object), if it is readable.
pub fn parse(obj: &kube::api::DynamicObject) -> Option<Release> {
    use base64::Engine as _;
    let b64 = obj.data.get("data")?.get("release")?.as_str()?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Every record of the installation, oldest first. Unreadable records are skipped.
pub async fn list(cluster: &Cluster) -> Result<Vec<Release>> {
    let api: Api<Secret> = cluster.typed();
    let items = api
        .list(&ListParams::default().labels(&selector(&cluster.instance)))
        .await
        .context("listing release records")?;
    let mut out: Vec<Release> = items
        .items
        .iter()
        .filter(|s| s.type_.as_deref() == Some(SECRET_TYPE))
        .filter_map(|s| s.data.as_ref()?.get("release"))
        .filter_map(|b| serde_json::from_slice(&b.0).ok())
        .collect();
    out.sort_by_key(|r: &Release| r.revision);
    Ok(out)
}

/// The instance names of every skyflo installation with records in the namespace.
pub async fn instances(cluster: &Cluster) -> Result<std::collections::BTreeSet<String>> {
    let api: Api<Secret> = cluster.typed();
    let selector = format!(
        "{RECORD_LABEL}=release,{}={}",
        labels::MANAGED_BY,
        labels::MANAGER
    );
    let items = api
        .list_metadata(&ListParams::default().labels(&selector))
        .await
        .context("listing release records")?;
    Ok(items
        .items
        .iter()
        .filter_map(|m| m.metadata.labels.as_ref()?.get(labels::INSTANCE).cloned())
        .collect())
}

/// The newest record that deployed successfully.
pub fn last_deployed(history: &[Release]) -> Option<&Release> {
    history
        .iter()
        .rev()
        .find(|r| r.outcome == Outcome::Deployed)
}

/// Writes a new record, marks the previous deployed one superseded, and trims old ones.
pub async fn record(cluster: &Cluster, history: &[Release], release: &Release) -> Result<()> {
    let api: Api<Secret> = cluster.typed();
    // The history was read before the lock was taken; if another operation recorded a
    // revision in between, this one takes the next free number.
    let mut release = release.clone();
    let created = create(cluster, &api, &release).await;
    if let Err(e) = created {
        let taken = e.chain().any(|c| {
            c.downcast_ref::<kube::Error>()
                .is_some_and(super::errors::is_conflict)
        });
        if !taken {
            return Err(e.context(format!("writing release record {}", release.revision)));
        }
        let fresh = list(cluster).await?;
        release.revision = fresh.iter().map(|r| r.revision).max().unwrap_or(0) + 1;
        create(cluster, &api, &release)
            .await
            .with_context(|| format!("writing release record {}", release.revision))?;
    }
    if release.outcome == Outcome::Deployed
        && let Some(prev) = last_deployed(history)
    {
        let mut p = prev.clone();
        p.outcome = Outcome::Superseded;
        let patch = serde_json::json!({
            "metadata": {"labels": {"skyflo.ai/outcome": "superseded"}},
            "data": {"release": base64_json(&p)?},
        });
        let name = secret_name(&cluster.instance, prev.revision);
        super::client::retrying(cluster.write_deadline(), || async {
            cluster.fence.check().await?;
            api.patch(
                &name,
                &kube::api::PatchParams::default(),
                &kube::api::Patch::Merge(&patch),
            )
            .await
            .map_err(anyhow::Error::new)
        })
        .await
        .with_context(|| format!("marking release record {} superseded", prev.revision))?;
    }
    for old in expired(history, &release) {
        cluster.fence.check().await?;
        let _ = api
            .delete(
                &secret_name(&cluster.instance, old),
                &DeleteParams::default(),
            )
            .await;
    }
    Ok(())
}

async fn create(cluster: &Cluster, api: &Api<Secret>, release: &Release) -> Result<()> {
    let secret = record_secret(cluster, release)?;
    super::client::retrying(cluster.write_deadline(), || async {
        cluster.fence.check().await?;
        api.create(&PostParams::default(), &secret)
            .await
            .map(drop)
            .map_err(anyhow::Error::new)
    })
    .await
}

/// The revisions to delete once `new` is recorded: the oldest beyond [`KEEP`], but never the
/// newest deployed one (after a run of failures it is what `rollback` returns to).
fn expired(history: &[Release], new: &Release) -> Vec<u32> {
    let keep_deployed = if new.outcome == Outcome::Deployed {
        Some(new.revision)
    } else {
        last_deployed(history).map(|r| r.revision)
    };
    let mut all: Vec<u32> = history.iter().map(|r| r.revision).collect();
    all.push(new.revision);
    all.sort_unstable();
    let excess = all.len().saturating_sub(KEEP);
    let mut out = Vec::new();
    for rev in all {
        if out.len() == excess {
            break;
        }
        if Some(rev) != keep_deployed {
            out.push(rev);
        }
    }
    out
}

fn record_secret(cluster: &Cluster, release: &Release) -> Result<Secret> {
    let outcome = serde_json::to_value(release.outcome)?;
    let l = BTreeMap::from([
        (labels::INSTANCE.to_string(), cluster.instance.clone()),
        (labels::MANAGED_BY.to_string(), labels::MANAGER.to_string()),
        (RECORD_LABEL.to_string(), "release".to_string()),
        ("skyflo.ai/revision".into(), release.revision.to_string()),
        (
            "skyflo.ai/outcome".into(),
            outcome.as_str().unwrap_or_default().to_string(),
        ),
    ]);
    Ok(Secret {
        metadata: ObjectMeta {
            name: Some(secret_name(&cluster.instance, release.revision)),
            namespace: Some(cluster.namespace.clone()),
            labels: Some(l),
            ..Default::default()
        },
        type_: Some(SECRET_TYPE.into()),
        data: Some(BTreeMap::from([(
            "release".to_string(),
            ByteString(serde_json::to_vec(release)?),
        )])),
        ..Default::default()
    })
}

fn base64_json(r: &Release) -> Result<String> {
    use base64::Engine as _;
    Ok(base64::engine::general_purpose::STANDARD.encode(serde_json::to_vec(r)?))
}

/// Deletes every record (uninstall).
pub async fn delete_all(cluster: &Cluster) -> Result<usize> {
    let api: Api<Secret> = cluster.typed();
    let items = api
        .list(&ListParams::default().labels(&selector(&cluster.instance)))
        .await
        .context("listing release records")?;
    let mut n = 0;
    for s in items.items {
        cluster.fence.check().await?;
        if let Some(name) = s.metadata.name
            && api.delete(&name, &DeleteParams::default()).await.is_ok()
        {
            n += 1;
        }
    }
    Ok(n)
}

/// Where `rollback` without a revision goes: the newest revision that deployed successfully
/// before the newest record. After a failed upgrade N+1 that is N, not N-1.
/// Where `rollback` goes by default: after a failed revision, the last that worked; after a
/// deployed one, the last earlier one with another spec (a `restore`, or a drift repair,
/// records the same spec again, and going back to it would change nothing).
pub fn rollback_target(history: &[Release]) -> Option<&Release> {
    let newest = history.iter().max_by_key(|r| r.revision)?;
    let same_spec =
        |r: &Release| newest.outcome == Outcome::Deployed && r.spec_digest == newest.spec_digest;
    history
        .iter()
        .rev()
        .find(|r| r.revision < newest.revision && r.outcome != Outcome::Failed && !same_spec(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(revision: u32, outcome: Outcome) -> Release {
        let raw = RawSkyfloAI::default();
        Release {
            revision,
            time: String::new(),
            cli_version: String::new(),
            operation: "upgrade".into(),
            outcome,
            message: String::new(),
            spec_digest: format!("sha256:{revision}"),
            spec: raw,
            objects: Vec::new(),
            backup: None,
        }
    }

    #[test]
    fn retention_never_drops_the_newest_deployed_record() {
        // Revision 1 deployed, then 2..=10 failed; recording failed revision 11 must trim
        // revision 2, not 1.
        let mut history = vec![rel(1, Outcome::Deployed)];
        history.extend((2..=10).map(|r| rel(r, Outcome::Failed)));
        assert_eq!(expired(&history, &rel(11, Outcome::Failed)), vec![2]);
        // A deployed revision 11 makes 1 expendable.
        assert_eq!(expired(&history, &rel(11, Outcome::Deployed)), vec![1]);
        // Under the limit nothing goes.
        assert!(expired(&history[..5], &rel(6, Outcome::Failed)).is_empty());
    }

    #[test]
    fn rollback_after_a_failed_upgrade_returns_to_the_last_deployed() {
        let h = vec![
            rel(1, Outcome::Superseded),
            rel(2, Outcome::Deployed),
            rel(3, Outcome::Failed),
        ];
        assert_eq!(rollback_target(&h).map(|r| r.revision), Some(2));
        let h = vec![rel(1, Outcome::Superseded), rel(2, Outcome::Deployed)];
        assert_eq!(rollback_target(&h).map(|r| r.revision), Some(1));
        let h = vec![
            rel(1, Outcome::Deployed),
            rel(2, Outcome::Failed),
            rel(3, Outcome::Failed),
        ];
        assert_eq!(rollback_target(&h).map(|r| r.revision), Some(1));
        assert!(rollback_target(&[rel(1, Outcome::Deployed)]).is_none());
    }

    #[test]
    fn rollback_skips_revisions_that_recorded_the_deployed_spec_again() {
        // 1 install, 2 an engine upgrade, 3 a restore recording 2's spec again.
        let mut restore = rel(3, Outcome::Deployed);
        restore.spec_digest = rel(2, Outcome::Deployed).spec_digest;
        let h = vec![
            rel(1, Outcome::Superseded),
            rel(2, Outcome::Superseded),
            restore,
        ];
        assert_eq!(rollback_target(&h).map(|r| r.revision), Some(1));
    }
}
