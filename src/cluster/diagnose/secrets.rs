//! The secret values a diagnosis must never show, read from the cluster for the
//! [`crate::redact::Redactor`]: every Secret of the installation, every Secret its pods read,
//! and every Secret its deployed spec names (a pod that is not running still logged them).

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::api::{Api, ListParams};

use crate::cluster::{Cluster, release};
use crate::render::labels;

/// The values, and the Secrets (or lists) that could not be read, with why.
pub struct Known {
    pub values: Vec<String>,
    pub unread: Vec<(String, String)>,
}

/// Reads every secret value the installation has or refers to. Never fails: what cannot be
/// read is listed in `unread` (pattern-based redaction still applies to it).
pub async fn known(cluster: &Cluster, pods: &[Pod]) -> Known {
    let api: Api<Secret> = cluster.typed();
    let mut out = Known {
        values: Vec::new(),
        unread: Vec::new(),
    };
    let mut names: BTreeSet<String> = pods.iter().flat_map(referenced).collect();
    if let Ok(history) = release::list(cluster).await
        && let Some(spec) = release::last_deployed(&history).and_then(|r| r.spec().ok())
    {
        names.extend(
            crate::spec::named_secrets(&spec)
                .into_iter()
                .map(|n| n.name),
        );
    }
    let ours = ListParams::default().labels(&labels::instance_selector(&cluster.instance));
    match api.list(&ours).await {
        Ok(list) => {
            for s in list.items {
                names.remove(s.metadata.name.as_deref().unwrap_or_default());
                out.values.extend(values_of(s));
            }
        }
        Err(e) => out
            .unread
            .push(("the installation's Secrets".into(), e.to_string())),
    }
    let reads = futures::future::join_all(names.iter().map(|n| api.get_opt(n))).await;
    for (name, read) in names.into_iter().zip(reads) {
        match read {
            Ok(Some(s)) => out.values.extend(values_of(s)),
            Ok(None) => {}
            Err(e) => out.unread.push((format!("Secret {name}"), e.to_string())),
        }
    }
    out
}

/// The Secrets a pod reads: env, envFrom and volumes.
fn referenced(p: &Pod) -> Vec<String> {
    let spec = p.spec.clone().unwrap_or_default();
    let mut out = Vec::new();
    for c in spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
    {
        out.extend(
            c.env
                .iter()
                .flatten()
                .filter_map(|e| Some(e.value_from.as_ref()?.secret_key_ref.as_ref()?.name.clone())),
        );
        out.extend(
            c.env_from
                .iter()
                .flatten()
                .filter_map(|f| Some(f.secret_ref.as_ref()?.name.clone())),
        );
    }
    out.extend(
        spec.volumes
            .iter()
            .flatten()
            .filter_map(|v| v.secret.as_ref()?.secret_name.clone()),
    );
    out
}

fn values_of(s: Secret) -> Vec<String> {
    s.data
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| !not_secret(k))
        .map(|(_, b)| String::from_utf8_lossy(&b.0).into_owned())
        .collect()
}

/// Keys whose values are names, not secrets (redacting "skyflo" everywhere would blind the
/// output); everything else a Secret holds is treated as secret.
fn not_secret(key: &str) -> bool {
    const PLAIN: [&str; 9] = [
        "_USER",
        "_DB",
        "_PORT",
        "_HOST",
        "_REGION_NAME",
        "_PROJECT",
        "_LOCATION",
        "_API_BASE",
        "_API_VERSION",
    ];
    PLAIN.iter().any(|s| key.ends_with(s))
}
