//! Finding an upstream Skyflo installation in a namespace (upstream's install.sh, v0.6.1+ with
//! objects `skyflo-*` or before with `skyflo-ai-*`, or a release of upstream's Helm chart) and
//! reading its objects. Reads only.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use anyhow::{Context, Result};
use base64::Engine as _;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::{Api, DynamicObject, ListParams};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cluster::Cluster;
use crate::render::ObjectRef;
use crate::render::labels;
use crate::render::object::api_resource_for;

use crate::cluster::upstream::JOURNAL_RECORD;
const HELM_RELEASE_TYPE: &str = "helm.sh/release.v1";
const HELM_RELEASE_NAME: &str = "meta.helm.sh/release-name";
const HELM_RELEASE_NAMESPACE: &str = "meta.helm.sh/release-namespace";
pub const CRD: &str = "skyfloais.skyflo.ai";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "installer", rename_all = "camelCase")]
pub enum Source {
    /// Upstream's install.sh; `legacy`: v0.6.0 or older (`skyflo-ai-*` names).
    #[serde(rename = "install.sh")]
    InstallSh { legacy: bool },
    #[serde(rename = "helm", rename_all = "camelCase")]
    Helm {
        release: String,
        revision: u32,
        chart_version: String,
    },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::InstallSh { legacy: false } => write!(f, "install.sh (v0.6.1 or later)"),
            Source::InstallSh { legacy: true } => write!(f, "install.sh (v0.6.0 or earlier)"),
            Source::Helm {
                release,
                revision,
                chart_version,
            } => write!(
                f,
                "Helm release {release:?} (revision {revision}, chart skyflo-{chart_version})"
            ),
        }
    }
}

/// One upstream installation: where it came from and how its objects are named.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    pub source: Source,
    /// The workloads' name prefix (the chart's fullname): skyflo's instance name.
    pub prefix: String,
    /// The prefix of the Secrets and ConfigMaps (install.sh kept `skyflo-` before v0.6.1).
    pub secret_prefix: String,
    /// Helm's release Secrets, oldest first.
    #[serde(default)]
    pub helm_records: Vec<String>,
    /// The values the user gave Helm (`helm get values`), for what skyflo cannot express.
    #[serde(default)]
    pub helm_values: Value,
}

impl Candidate {
    pub fn release(&self) -> Option<&str> {
        match &self.source {
            Source::Helm { release, .. } => Some(release),
            Source::InstallSh { .. } => None,
        }
    }
}

/// An adoption that started and did not finish: the spec it wrote and what it adopts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Journal {
    pub candidate: Candidate,
    pub spec_yaml: String,
    /// As read back: the stored text and its signature, checked before the journal is
    /// trusted (anyone who may edit ConfigMaps in the namespace could have written it).
    #[serde(skip)]
    pub stored: Option<Stored>,
}

/// A journal's text as stored, and the signature stored beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub text: String,
    pub signature: Option<String>,
}

impl Journal {
    /// What is written: no secret value (Helm's values hold the JWT secret, the database
    /// password and the provider keys, and a ConfigMap is readable with `view`).
    pub fn to_store(&self) -> Result<String> {
        let mut j = self.clone();
        j.candidate.helm_values = Value::Null;
        Ok(serde_json::to_string(&j)?)
    }

    /// Whether the journal read back is one skyflo wrote: its signature, made with the
    /// installation's generated key (`<name>-checksum-key`, a Secret), matches.
    pub fn authentic(&self, key: Option<&str>) -> bool {
        match (&self.stored, key) {
            (
                Some(Stored {
                    text,
                    signature: Some(sig),
                }),
                Some(k),
            ) => crate::render::secrets::keyed(k.as_bytes(), text.as_bytes()) == *sig,
            _ => false,
        }
    }
}

/// What a namespace holds.
#[derive(Debug, Default)]
pub struct Survey {
    pub candidates: Vec<Candidate>,
    pub journal: Option<Journal>,
    /// skyflo installations (instance names) with release records here.
    pub skyflo_instances: BTreeSet<String>,
}

pub async fn survey(cluster: &Cluster) -> Result<Survey> {
    let secrets: Api<Secret> = cluster.typed();
    let config_maps: Api<ConfigMap> = cluster.typed();
    let journal_selector = format!(
        "{}={JOURNAL_RECORD},{}={}",
        crate::cluster::release::RECORD_LABEL,
        labels::MANAGED_BY,
        labels::MANAGER
    );
    let release_selector = format!(
        "{}=release,{}={}",
        crate::cluster::release::RECORD_LABEL,
        labels::MANAGED_BY,
        labels::MANAGER
    );
    let (helm, journal, releases, install_sh) = futures::try_join!(
        async {
            secrets
                .list(&ListParams::default().labels("owner=helm"))
                .await
                .context("listing Helm's release Secrets")
        },
        async {
            config_maps
                .list(&ListParams::default().labels(&journal_selector))
                .await
                .context("listing ConfigMaps")
        },
        async {
            secrets
                .list_metadata(&ListParams::default().labels(&release_selector))
                .await
                .context("listing skyflo's release records")
        },
        install_sh_candidates(cluster),
    )?;
    let mut candidates = helm_candidates(&helm.items);
    candidates.extend(install_sh);
    let journal = journal.items.iter().find_map(|c| {
        let data = c.data.as_ref()?;
        let text = data.get("journal")?;
        let mut j: Journal = serde_json::from_str(text).ok()?;
        j.stored = Some(Stored {
            text: text.clone(),
            signature: data.get("signature").cloned(),
        });
        Some(j)
    });
    let skyflo_instances = releases
        .items
        .iter()
        .filter_map(|m| m.metadata.labels.as_ref()?.get(labels::INSTANCE).cloned())
        .collect();
    Ok(Survey {
        candidates,
        journal,
        skyflo_instances,
    })
}

/// Releases of a chart named `skyflo`, from their newest release Secret.
fn helm_candidates(secrets: &[Secret]) -> Vec<Candidate> {
    let mut by_release: BTreeMap<String, Vec<(u32, &Secret)>> = BTreeMap::new();
    for s in secrets
        .iter()
        .filter(|s| s.type_.as_deref() == Some(HELM_RELEASE_TYPE))
    {
        let l = s.metadata.labels.clone().unwrap_or_default();
        let (Some(name), Some(v)) = (l.get("name"), l.get("version")) else {
            continue;
        };
        if let Ok(v) = v.parse::<u32>() {
            by_release.entry(name.clone()).or_default().push((v, s));
        }
    }
    let mut out = Vec::new();
    for (release, mut revisions) in by_release {
        revisions.sort_by_key(|(v, _)| *v);
        let Some((revision, newest)) = revisions.last() else {
            continue;
        };
        let Some(json) = newest
            .data
            .as_ref()
            .and_then(|d| d.get("release"))
            .and_then(|b| decode_release(&b.0))
        else {
            continue;
        };
        let chart = &json["chart"]["metadata"];
        if chart["name"].as_str() != Some("skyflo") {
            continue;
        }
        let config = json["config"].clone();
        let defaults = &json["chart"]["values"];
        let prefix = helm_fullname(&release, defaults, &config);
        out.push(Candidate {
            source: Source::Helm {
                release: release.clone(),
                revision: *revision,
                chart_version: chart["version"].as_str().unwrap_or("?").to_string(),
            },
            secret_prefix: prefix.clone(),
            prefix,
            helm_records: revisions
                .iter()
                .filter_map(|(_, s)| s.metadata.name.clone())
                .collect(),
            helm_values: config,
        });
    }
    out
}

/// Helm stores base64(gzip(JSON)) in the Secret's `release` key (older releases: no gzip).
pub fn decode_release(data: &[u8]) -> Option<Value> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(data.trim_ascii())
        .ok()?;
    let json = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .take(64 << 20)
            .read_to_end(&mut out)
            .ok()?;
        out
    } else {
        raw
    };
    serde_json::from_slice(&json).ok()
}

/// The chart's `fullname` helper: `fullnameOverride`, else the release name if it contains
/// the chart name (or `nameOverride`), else `<release>-<name>`; 63 characters at most.
pub fn helm_fullname(release: &str, defaults: &Value, config: &Value) -> String {
    let value = |k: &str| {
        config
            .get(k)
            .or_else(|| defaults.get(k))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let full = match value("fullnameOverride") {
        Some(f) => f,
        None => {
            let name = value("nameOverride").unwrap_or_else(|| "skyflo".into());
            if release.contains(&name) {
                release.to_string()
            } else {
                format!("{release}-{name}")
            }
        }
    };
    full.chars()
        .take(63)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

/// Every object of `kind` in the namespace, as metadata.
async fn list_metadata(cluster: &Cluster, kind: &str) -> Result<Vec<DynamicObject>> {
    let items = cluster
        .api_for(kind, None)
        .list_metadata(&ListParams::default())
        .await
        .with_context(|| format!("listing {kind}s"))?
        .items;
    Ok(items
        .into_iter()
        .map(|m| DynamicObject {
            types: None,
            metadata: m.metadata,
            data: Value::Null,
        })
        .collect())
}

/// install.sh's objects carry no labels: its engine, controller or PostgreSQL under one of
/// its two name prefixes, not managed by anyone (Helm's and skyflo's are labelled).
async fn install_sh_candidates(cluster: &Cluster) -> Result<Vec<Candidate>> {
    // One LIST per kind serves both prefixes (six GETs before).
    let (deployments, stateful_sets) = futures::try_join!(
        list_metadata(cluster, "Deployment"),
        list_metadata(cluster, "StatefulSet")
    )?;
    let mut out = Vec::new();
    for (prefix, legacy) in [("skyflo", false), ("skyflo-ai", true)] {
        let names = [
            ("Deployment", format!("{prefix}-engine")),
            ("Deployment", format!("{prefix}-controller")),
            ("StatefulSet", format!("{prefix}-postgres")),
        ];
        let found: Vec<Option<&DynamicObject>> = names
            .iter()
            .map(|(kind, name)| {
                let items = if *kind == "Deployment" {
                    &deployments
                } else {
                    &stateful_sets
                };
                items
                    .iter()
                    .find(|o| o.metadata.name.as_deref() == Some(name.as_str()))
            })
            .collect();
        if found
            .iter()
            .flatten()
            .any(|o| managed_by(o).is_none() && helm_release(o).is_none())
        {
            out.push(Candidate {
                source: Source::InstallSh { legacy },
                prefix: prefix.to_string(),
                secret_prefix: "skyflo".into(),
                helm_records: Vec::new(),
                helm_values: Value::Null,
            });
        }
    }
    Ok(out)
}

/// Proof that a Secret is one of Helm's records of `release`: its type, `owner=helm` and
/// `name=<release>` labels, as Helm writes them.
pub fn helm_record_of(o: &DynamicObject, release: &str) -> Result<(), String> {
    let l = o.metadata.labels.clone().unwrap_or_default();
    let type_ = o.data["type"].as_str().unwrap_or_default();
    if type_ != HELM_RELEASE_TYPE
        || l.get("owner").map(String::as_str) != Some("helm")
        || l.get("name").map(String::as_str) != Some(release)
    {
        return Err(format!(
            "not a Helm record of release {release:?} (type {type_:?}, labels owner={:?} name={:?})",
            l.get("owner"),
            l.get("name")
        ));
    }
    Ok(())
}

fn managed_by(o: &DynamicObject) -> Option<&str> {
    o.metadata
        .labels
        .as_ref()?
        .get(labels::MANAGED_BY)
        .map(String::as_str)
}

fn helm_release(o: &DynamicObject) -> Option<(&str, &str)> {
    let a = o.metadata.annotations.as_ref()?;
    Some((
        a.get(HELM_RELEASE_NAME)?.as_str(),
        a.get(HELM_RELEASE_NAMESPACE)?.as_str(),
    ))
}

/// The objects of one upstream installation as they are now.
#[derive(Debug, Default, Clone)]
pub struct Upstream {
    /// Provably upstream's: named as the installer names them and carrying its marks.
    pub objects: BTreeMap<ObjectRef, DynamicObject>,
    /// Expected names that are already skyflo's (an adoption that stopped midway).
    pub ours: BTreeMap<ObjectRef, DynamicObject>,
    /// Expected names held by something else, with why they are left alone.
    pub left_alone: Vec<(ObjectRef, String)>,
    /// The StatefulSets' volume claims (never deleted).
    pub claims: Vec<DynamicObject>,
}

/// Every name upstream's installers give their objects, by kind.
pub fn expected(c: &Candidate) -> Vec<(&'static str, String)> {
    let (f, s) = (c.prefix.as_str(), c.secret_prefix.as_str());
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for n in ["engine-config", "mcp-config", "ui-config"] {
        out.push(("ConfigMap", format!("{s}-{n}")));
    }
    for n in ["engine-secrets", "postgres-secrets"] {
        out.push(("Secret", format!("{s}-{n}")));
    }
    for n in ["mcp", "controller"] {
        out.push(("ServiceAccount", format!("{f}-{n}")));
    }
    for n in ["controller", "ui", "engine", "mcp"] {
        out.push(("Deployment", format!("{f}-{n}")));
    }
    for n in ["redis", "postgres"] {
        out.push(("StatefulSet", format!("{f}-{n}")));
    }
    for n in [
        "redis-headless",
        "redis",
        "postgres-headless",
        "postgres",
        "ui",
        "engine",
        "mcp",
    ] {
        out.push(("Service", format!("{f}-{n}")));
    }
    out.push(("NetworkPolicy", format!("{f}-mcp-policy")));
    for n in ["engine", "mcp", "ui", "controller"] {
        out.push(("PodDisruptionBudget", format!("{f}-{n}-pdb")));
    }
    out.push(("Ingress", format!("{f}-ui-ingress")));
    out.push(("ClusterRole", format!("{f}-controller-role")));
    out.push(("ClusterRoleBinding", format!("{f}-controller-rolebinding")));
    out.push(("ClusterRoleBinding", format!("{f}-mcp-admin-binding")));
    out.push(("CustomResourceDefinition", CRD.to_string()));
    out
}

/// Reads every object the candidate's installer would have created and its volume claims,
/// and sorts out what provably belongs to it. Namespaced kinds are listed once each (a GET per
/// expected name cost three times the requests); cluster-scoped ones, which a cluster holds
/// many of, are read by name.
pub async fn read(cluster: &Cluster, c: &Candidate) -> Result<Upstream> {
    let names = expected(c);
    let wanted: BTreeSet<(&str, &str)> = names.iter().map(|(k, n)| (*k, n.as_str())).collect();
    let namespaced = |kind: &str| api_resource_for(kind).is_some_and(|(_, ns)| ns);
    let kinds: BTreeSet<&str> = names
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| namespaced(k))
        .collect();
    let wanted = &wanted;
    let listed = futures::future::try_join_all(kinds.iter().map(|kind| async move {
        let items = cluster
            .api_for(kind, None)
            .list(&ListParams::default())
            .await
            .with_context(|| format!("listing {kind}s"))?
            .items;
        Ok::<_, anyhow::Error>(
            items
                .into_iter()
                .filter(|o| wanted.contains(&(*kind, o.metadata.name.as_deref().unwrap_or(""))))
                .map(|o| Some((crate::cluster::inventory::object_ref(kind, &o), o)))
                .collect::<Vec<_>>(),
        )
    }));
    let by_name = futures::future::try_join_all(names.iter().filter(|(k, _)| !namespaced(k)).map(
        |(kind, name)| async move {
            let o = cluster
                .api_for(kind, None)
                .get_opt(name)
                .await
                .with_context(|| format!("reading {kind} {name}"))?;
            Ok::<_, anyhow::Error>(o.map(|o| (crate::cluster::inventory::object_ref(kind, &o), o)))
        },
    ));
    let (listed, by_name, claims) = futures::try_join!(listed, by_name, claims(cluster, c))?;
    let got: Vec<Option<(ObjectRef, DynamicObject)>> =
        listed.into_iter().flatten().chain(by_name).collect();
    let mut up = Upstream {
        claims,
        ..Default::default()
    };
    for (key, obj) in got.into_iter().flatten() {
        if managed_by(&obj) == Some(labels::MANAGER)
            && obj
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(labels::INSTANCE))
                == Some(&c.prefix)
        {
            up.ours.insert(key, obj);
            continue;
        }
        match belongs(cluster, c, &key, &obj) {
            Ok(()) => {
                up.objects.insert(key, obj);
            }
            Err(why) => up.left_alone.push((key, why)),
        }
    }
    Ok(up)
}

/// The StatefulSets' volume claims, PostgreSQL's first (one LIST).
async fn claims(cluster: &Cluster, c: &Candidate) -> Result<Vec<DynamicObject>> {
    let all = cluster
        .api_for("PersistentVolumeClaim", None)
        .list(&ListParams::default())
        .await
        .context("listing PersistentVolumeClaims")?
        .items;
    Ok([("postgres-data", "postgres"), ("redis-data", "redis")]
        .iter()
        .map(|(template, sts)| format!("{template}-{}-{sts}-0", c.prefix))
        .filter_map(|n| {
            all.iter()
                .find(|o| o.metadata.name.as_deref() == Some(n.as_str()))
                .cloned()
        })
        .collect())
}

/// Proof that an object with an expected name is the installer's, not merely named alike.
pub fn belongs(
    cluster: &Cluster,
    c: &Candidate,
    key: &ObjectRef,
    obj: &DynamicObject,
) -> Result<(), String> {
    if key.kind == "CustomResourceDefinition" {
        // Helm's crds/ carry no release annotations; install.yaml's none at all.
        return match managed_by(obj) {
            None | Some("Helm") => Ok(()),
            Some(m) => Err(format!("managed by {m:?}")),
        };
    }
    match (&c.source, helm_release(obj), managed_by(obj)) {
        (Source::Helm { release, .. }, Some((r, ns)), _)
            if r == release && ns == cluster.namespace => {}
        (Source::Helm { release, .. }, _, _) => {
            return Err(format!(
                "not part of Helm release {release:?} (no matching meta.helm.sh annotations)"
            ));
        }
        (Source::InstallSh { .. }, None, None) => {}
        (Source::InstallSh { .. }, Some((r, _)), _) => {
            return Err(format!("belongs to Helm release {r:?}"));
        }
        (Source::InstallSh { .. }, None, Some(m)) => return Err(format!("managed by {m:?}")),
    }
    if key.kind == "ClusterRoleBinding" {
        let subjects = obj.data["subjects"].as_array().cloned().unwrap_or_default();
        let elsewhere: Vec<String> = subjects
            .iter()
            .filter_map(|s| s["namespace"].as_str())
            .filter(|ns| *ns != cluster.namespace)
            .map(str::to_string)
            .collect();
        if !elsewhere.is_empty() {
            return Err(format!(
                "also binds ServiceAccounts in namespace(s) {}: shared with another installation",
                elsewhere.join(", ")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_helm_record_is_proven_by_type_owner_and_release() {
        let record = |type_: &str, owner: &str, name: &str| -> DynamicObject {
            serde_json::from_value(serde_json::json!({
                "apiVersion": "v1", "kind": "Secret", "type": type_,
                "metadata": {"name": "sh.helm.release.v1.prod.v1", "labels": {"owner": owner, "name": name}},
            }))
            .unwrap()
        };
        assert!(helm_record_of(&record(HELM_RELEASE_TYPE, "helm", "prod"), "prod").is_ok());
        assert!(helm_record_of(&record("Opaque", "helm", "prod"), "prod").is_err());
        assert!(helm_record_of(&record(HELM_RELEASE_TYPE, "someone", "prod"), "prod").is_err());
        assert!(helm_record_of(&record(HELM_RELEASE_TYPE, "helm", "other"), "prod").is_err());
    }

    #[test]
    fn only_a_journal_signed_with_the_key_is_authentic_and_it_holds_no_values() {
        let mut j = Journal {
            candidate: Candidate {
                source: Source::InstallSh { legacy: false },
                prefix: "skyflo".into(),
                secret_prefix: "skyflo".into(),
                helm_records: vec![],
                helm_values: serde_json::json!({"postgresql": {"auth": {"password": "pw-7c1"}}}),
            },
            spec_yaml: "kind: SkyfloAI".into(),
            stored: None,
        };
        let text = j.to_store().unwrap();
        assert!(!text.contains("pw-7c1"), "{text}");
        let sig = crate::render::secrets::keyed(b"key", text.as_bytes());
        j.stored = Some(Stored {
            text: text.clone(),
            signature: Some(sig.clone()),
        });
        assert!(j.authentic(Some("key")));
        assert!(!j.authentic(Some("other")));
        assert!(!j.authentic(None));
        j.stored = Some(Stored {
            text: text.replace("skyflo", "victim"),
            signature: Some(sig),
        });
        assert!(!j.authentic(Some("key")));
        j.stored = Some(Stored {
            text,
            signature: None,
        });
        assert!(!j.authentic(Some("key")));
    }

    #[test]
    fn fullname_follows_the_chart_helper() {
        let none = Value::Null;
        assert_eq!(helm_fullname("skyflo", &none, &none), "skyflo");
        assert_eq!(
            helm_fullname("my-skyflo-prod", &none, &none),
            "my-skyflo-prod"
        );
        assert_eq!(helm_fullname("prod", &none, &none), "prod-skyflo");
        let over = serde_json::json!({"fullnameOverride": "ai"});
        assert_eq!(helm_fullname("prod", &none, &over), "ai");
        let name = serde_json::json!({"nameOverride": "sky"});
        assert_eq!(helm_fullname("prod", &none, &name), "prod-sky");
        // The chart's default values apply when the user gave none.
        assert_eq!(helm_fullname("prod", &over, &none), "ai");
        let long = "r".repeat(60);
        let full = helm_fullname(&long, &none, &none);
        assert_eq!(full.len(), 63);
        assert!(full.starts_with(&long));
        assert_eq!(
            helm_fullname(&format!("{}-", "a".repeat(62)), &none, &over),
            "ai"
        );
        let dash = serde_json::json!({"fullnameOverride": format!("{}-x", "a".repeat(62))});
        assert_eq!(
            helm_fullname("p", &none, &dash),
            "a".repeat(62),
            "no trailing dash"
        );
    }

    #[test]
    fn release_records_decode_with_and_without_gzip() {
        let json = br#"{"name":"prod","chart":{"metadata":{"name":"skyflo"}}}"#;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(json).unwrap();
        let zipped = gz.finish().unwrap();
        for stored in [b64(&zipped), b64(json)] {
            let v = decode_release(stored.as_bytes()).expect("decodes");
            assert_eq!(v["chart"]["metadata"]["name"], "skyflo");
        }
        assert!(decode_release(b"not base64!").is_none());
    }
}
