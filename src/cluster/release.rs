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
    let mut l = BTreeMap::from([
        (labels::INSTANCE.to_string(), cluster.instance.clone()),
        (labels::MANAGED_BY.to_string(), labels::MANAGER.to_string()),
        (RECORD_LABEL.to_string(), "release".to_string()),
    ]);
    l.insert("skyflo.ai/revision".into(), release.revision.to_string());
    l.insert(
        "skyflo.ai/outcome".into(),
        serde_json::to_value(release.outcome)?
            .as_str()
            .unwrap_or_default()
            .to_string(),
    );
    let secret = Secret {
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
    };
    // The history was read before the lock was taken; if another operation recorded a
    // revision in between, this one takes the next free number.
    let mut release = release.clone();
    let mut secret = secret;
    if let Err(e) = api.create(&PostParams::default(), &secret).await {
        if !super::errors::is_conflict(&e) {
            return Err(anyhow::Error::new(e)
                .context(format!("writing release record {}", release.revision)));
        }
        let fresh = list(cluster).await?;
        release.revision = fresh.iter().map(|r| r.revision).max().unwrap_or(0) + 1;
        secret.metadata.name = Some(secret_name(&cluster.instance, release.revision));
        if let Some(l) = secret.metadata.labels.as_mut() {
            l.insert("skyflo.ai/revision".into(), release.revision.to_string());
        }
        secret.data = Some(BTreeMap::from([(
            "release".to_string(),
            ByteString(serde_json::to_vec(&release)?),
        )]));
        api.create(&PostParams::default(), &secret)
            .await
            .with_context(|| format!("writing release record {}", release.revision))?;
    }
    let release = &release;

    if release.outcome == Outcome::Deployed
        && let Some(prev) = last_deployed(history)
    {
        let mut p = prev.clone();
        p.outcome = Outcome::Superseded;
        let patch = serde_json::json!({
            "metadata": {"labels": {"skyflo.ai/outcome": "superseded"}},
            "data": {"release": base64_json(&p)?},
        });
        let _ = api
            .patch(
                &secret_name(&cluster.instance, prev.revision),
                &kube::api::PatchParams::default(),
                &kube::api::Patch::Merge(&patch),
            )
            .await;
    }
    let total = history.len() + 1;
    if total > KEEP {
        for old in history.iter().take(total - KEEP) {
            let _ = api
                .delete(
                    &secret_name(&cluster.instance, old.revision),
                    &DeleteParams::default(),
                )
                .await;
        }
    }
    Ok(())
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
        if let Some(name) = s.metadata.name
            && api.delete(&name, &DeleteParams::default()).await.is_ok()
        {
            n += 1;
        }
    }
    Ok(n)
}
