//! What an installation has in the cluster right now: one LIST per kind by label selector.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use base64::Engine as _;
use futures::future::try_join_all;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DynamicObject, ListParams, PartialObjectMeta, TypeMeta};

use super::Cluster;
use super::release;
use crate::render::ObjectRef;
use crate::render::labels::{self, instance_selector};
use crate::render::object::api_resource_for;
use crate::render::secrets::{
    CHECKSUM_KEY, ExistingSecrets, JWT_SECRET_KEY, POSTGRES_PASSWORD_KEY,
};

/// Namespaced kinds skyflo creates, in apply order.
pub const NAMESPACED_KINDS: [&str; 11] = [
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ConfigMap",
    "Secret",
    "NetworkPolicy",
    "Service",
    "Ingress",
    "StatefulSet",
    "Deployment",
    "PodDisruptionBudget",
];

#[derive(Debug, Default, Clone)]
pub struct Live {
    pub namespace: Option<Namespace>,
    /// Every object carrying this installation's labels, by reference.
    pub objects: BTreeMap<ObjectRef, DynamicObject>,
    /// Objects of the kinds skyflo renders that are not this installation's, with who they
    /// belong to (read only when writing; empty for `status`).
    pub foreign: BTreeMap<ObjectRef, String>,
    /// This installation's PersistentVolumeClaims (the StatefulSets' data).
    pub claims: Vec<ObjectRef>,
    /// The release records, oldest first.
    pub releases: Vec<release::Release>,
    /// Upstream installations of Skyflo found in the namespace (install.sh or the Helm chart).
    pub upstream: Vec<String>,
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

    /// True when the namespace does not exist yet or skyflo recorded creating it for this
    /// installation. A namespace that existed before is never relabelled or deleted.
    pub fn owns_namespace(&self, instance: &str) -> bool {
        match &self.namespace {
            None => true,
            Some(ns) => labels::created_by(&ns.metadata) == Some(instance),
        }
    }
}

pub fn object_ref(kind: &str, obj: &DynamicObject) -> ObjectRef {
    ObjectRef {
        kind: kind.to_string(),
        namespace: obj.metadata.namespace.clone(),
        name: obj.metadata.name.clone().unwrap_or_default(),
    }
}

/// What to read: `status` needs only this installation's objects; a run that writes also
/// needs every other object of the same kinds, to refuse a name that is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Ours,
    WithForeign,
}

/// Reads the namespace first and lists nothing in a namespace that does not exist (a fresh
/// install makes the fewest requests).
/// The namespace as the pre-flight saw it a moment earlier in the same run, so a default
/// install does not ask twice. A namespace that appears in between is still never claimed:
/// skyflo creates its namespace with a create, which fails if it exists.
#[derive(Debug, Clone, Default)]
pub enum Seen {
    #[default]
    Unknown,
    Absent,
    Present(Box<Namespace>),
}

impl Seen {
    pub fn absent(&self) -> bool {
        matches!(self, Seen::Absent)
    }
}

pub async fn read(cluster: &Cluster, seen: &Seen) -> Result<Live> {
    // The cluster-wide bindings are listed either way: in the same round as the namespace.
    let (namespace, bindings) = futures::try_join!(
        async {
            Ok(match seen {
                Seen::Unknown => get_namespace(cluster).await?,
                Seen::Absent => None,
                Seen::Present(n) => Some(n.as_ref().clone()),
            })
        },
        list_all(cluster, &[], true, Scope::WithForeign)
    )?;
    let mut live = match namespace {
        Some(_) => {
            let mut live = list_all(cluster, &NAMESPACED_KINDS, false, Scope::WithForeign).await?;
            live.objects.extend(bindings.objects);
            live.foreign.extend(bindings.foreign);
            live
        }
        None => bindings,
    };
    live.namespace = namespace;
    add_namespace_object(cluster, &mut live)?;
    Ok(live)
}

/// Reads the namespace and lists everything at the same time: one round trip, for `status`,
/// where the installation usually exists.
/// Kinds that only some specs render (read-only access, an Ingress, several replicas).
pub const OPTIONAL_KINDS: [&str; 4] = ["Role", "RoleBinding", "Ingress", "PodDisruptionBudget"];

pub async fn read_parallel(cluster: &Cluster) -> Result<Live> {
    let common: Vec<&str> = NAMESPACED_KINDS
        .into_iter()
        .filter(|k| !OPTIONAL_KINDS.contains(k))
        .collect();
    let (namespace, mut live) = futures::try_join!(
        get_namespace(cluster),
        list_all(cluster, &common, true, Scope::Ours)
    )?;
    // A second round trip only for installations whose records name an optional kind.
    let optional: Vec<&str> = OPTIONAL_KINDS
        .into_iter()
        .filter(|k| {
            live.releases
                .iter()
                .any(|r| r.objects.iter().any(|o| o.kind == *k))
        })
        .collect();
    if !optional.is_empty() {
        let more = list_all(cluster, &optional, false, Scope::Ours).await?;
        live.objects.extend(more.objects);
    }
    live.namespace = namespace;
    add_namespace_object(cluster, &mut live)?;
    Ok(live)
}

pub async fn get_namespace(cluster: &Cluster) -> Result<Option<Namespace>> {
    let ns_api: Api<Namespace> = Api::all(cluster.client.clone());
    ns_api.get_opt(&cluster.namespace).await.map_err(|e| {
        if super::client::is_unreachable(&e) {
            anyhow::anyhow!("cannot reach the cluster at {}: {e}", cluster.server)
        } else {
            anyhow::Error::new(e).context(format!("reading namespace {}", cluster.namespace))
        }
    })
}

/// The namespace is one of "our" objects only when skyflo created it for this installation.
fn add_namespace_object(cluster: &Cluster, live: &mut Live) -> Result<()> {
    if let Some(ns) = &live.namespace {
        let obj: DynamicObject = serde_json::from_value(serde_json::to_value(ns)?)?;
        if live.owns_namespace(&cluster.instance) {
            live.objects.insert(object_ref("Namespace", &obj), obj);
        }
    }
    Ok(())
}

/// Who an object belongs to, when it is not this installation's.
fn owner_of(cluster: &Cluster, kind: &str, obj: &DynamicObject) -> Option<String> {
    let l = obj.metadata.labels.clone().unwrap_or_default();
    let get = |k: &str| l.get(k).map(String::as_str);
    let skyflo = get(labels::MANAGED_BY) == Some(labels::MANAGER);
    let ours = skyflo
        && get(labels::INSTANCE) == Some(cluster.instance.as_str())
        && (kind != "ClusterRoleBinding"
            || get(labels::OWNER_NAMESPACE) == Some(cluster.namespace.as_str()));
    if ours {
        return None;
    }
    Some(
        match (skyflo, get(labels::INSTANCE), get(labels::OWNER_NAMESPACE)) {
            (true, Some(i), Some(ns)) => format!("skyflo installation {i:?} in namespace {ns}"),
            (true, Some(i), None) => format!("skyflo installation {i:?}"),
            (_, _, _) => match get(labels::MANAGED_BY) {
                Some(m) => format!("managed by {m:?}, not by this installation"),
                None => {
                    "not created by skyflo (no app.kubernetes.io/managed-by=skyflo label)".into()
                }
            },
        },
    )
}

/// The label selector each kind is listed with: this installation's labels, none for a
/// check of foreign objects (`WithForeign`), and for Secrets the looser selector that also
/// matches release records, so one LIST serves both.
fn selectors(cluster: &Cluster, kinds: &[&str], crb: bool, foreign: bool) -> Vec<(String, String)> {
    let selector = instance_selector(&cluster.instance);
    let secret_selector = format!(
        "{}={},{}={}",
        labels::INSTANCE,
        cluster.instance,
        labels::MANAGED_BY,
        labels::MANAGER
    );
    let mine = |kind: &str| -> String {
        match (foreign, kind) {
            (_, "Secret") => secret_selector.clone(),
            (true, _) => String::new(),
            (false, "ClusterRoleBinding") => format!(
                "{selector},{}={}",
                labels::OWNER_NAMESPACE,
                cluster.namespace
            ),
            (false, _) => selector.clone(),
        }
    };
    // Cluster-scoped bindings can outlive a deleted namespace, so they are always listed.
    let mut lists = Vec::new();
    if crb {
        lists.push(("ClusterRoleBinding".to_string(), mine("ClusterRoleBinding")));
    }
    lists.extend(kinds.iter().map(|k| (k.to_string(), mine(k))));
    lists
}

type Meta = PartialObjectMeta<DynamicObject>;

/// Every Secret's metadata (other teams' Secrets are read as metadata only) and this
/// installation's claims.
async fn secret_names_and_claims(cluster: &Cluster) -> Result<(Vec<Meta>, Vec<Meta>)> {
    let secrets = cluster.api_for("Secret", None);
    let claims = cluster.api_for("PersistentVolumeClaim", None);
    let claim_selector = format!(
        "{}=skyflo,{}={}",
        labels::NAME,
        labels::INSTANCE,
        cluster.instance
    );
    let (s, c) = futures::try_join!(
        async {
            secrets
                .list_metadata(&ListParams::default())
                .await
                .context("listing Secrets")
        },
        async {
            claims
                .list_metadata(&ListParams::default().labels(&claim_selector))
                .await
                .context("listing PersistentVolumeClaims")
        },
    )?;
    Ok((s.items, c.items))
}

/// Files a Secret known only by its metadata under foreign when someone else owns it.
fn sort_secret_name(cluster: &Cluster, live: &mut Live, m: Meta) {
    let r = ObjectRef {
        kind: "Secret".into(),
        namespace: m.metadata.namespace.clone(),
        name: m.metadata.name.clone().unwrap_or_default(),
    };
    let as_dynamic = DynamicObject {
        types: None,
        metadata: m.metadata,
        data: serde_json::Value::Null,
    };
    if !live.objects.contains_key(&r)
        && !is_release_name(cluster, &r.name)
        && let Some(owner) = owner_of(cluster, "Secret", &as_dynamic)
    {
        live.foreign.insert(r, owner);
    }
}

async fn list_all(cluster: &Cluster, kinds: &[&str], crb: bool, scope: Scope) -> Result<Live> {
    let namespaced = !kinds.is_empty();
    let foreign = scope == Scope::WithForeign;
    let lists = selectors(cluster, kinds, crb, foreign);
    let full = try_join_all(lists.iter().map(|(kind, sel)| async move {
        let items = cluster
            .api_for(kind, None)
            .list(&ListParams::default().labels(sel))
            .await
            .with_context(|| format!("listing {kind}s"))?;
        Ok::<_, anyhow::Error>((kind.as_str(), items.items))
    }));
    let extra = async {
        if !(namespaced && foreign) {
            return Ok((Vec::new(), Vec::new()));
        }
        secret_names_and_claims(cluster).await
    };
    let (results, (secret_names, claims)) = futures::try_join!(full, extra)?;
    let mut live = Live::default();
    for (kind, items) in results {
        for obj in items {
            sort_listed(cluster, &mut live, kind, obj);
        }
    }
    for m in secret_names {
        sort_secret_name(cluster, &mut live, m);
    }
    live.claims = claims
        .into_iter()
        .map(|c| ObjectRef {
            kind: "PersistentVolumeClaim".into(),
            namespace: c.metadata.namespace.clone(),
            name: c.metadata.name.clone().unwrap_or_default(),
        })
        .collect();
    live.releases.sort_by_key(|r| r.revision);
    Ok(live)
}

/// Release records are this installation's by name and labels; they never collide with a
/// rendered name (they are created, not applied).
fn is_release_name(cluster: &Cluster, name: &str) -> bool {
    name.strip_prefix(&format!("{}-release-v", cluster.instance))
        .is_some_and(|n| n.parse::<u32>().is_ok())
}

/// Files one listed object under ours, foreign, or release records.
fn sort_listed(cluster: &Cluster, live: &mut Live, kind: &str, mut obj: DynamicObject) {
    let (ar, _) = api_resource_for(kind).expect("listed kinds are known");
    if kind == "Secret"
        && obj.data.get("type").and_then(|t| t.as_str()) == Some(release::SECRET_TYPE)
    {
        if let Some(r) = release::parse(&obj) {
            live.releases.push(r);
        }
        return;
    }
    let key = object_ref(kind, &obj);
    if let Some(journal) = super::upstream::unfinished_adoption(kind, &obj) {
        live.upstream.push(journal);
    }
    if let Some(owner) = owner_of(cluster, kind, &obj) {
        if kind == "Service"
            && let Some(found) = super::upstream::installation(&obj.metadata)
        {
            live.upstream.push(found);
        }
        live.foreign.insert(key, owner);
        return;
    }
    // Secrets matched only the looser selector: without name=skyflo they are not ours.
    if obj
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(labels::NAME))
        .map(String::as_str)
        != Some("skyflo")
    {
        live.foreign
            .insert(key, "not labelled app.kubernetes.io/name=skyflo".into());
        return;
    }
    // List items carry no apiVersion/kind; the plan compares whole objects.
    obj.types = Some(TypeMeta {
        api_version: ar.api_version.clone(),
        kind: ar.kind.clone(),
    });
    live.objects.insert(key, obj);
}

/// The generated values already in the cluster, from this installation's own Secrets (an
/// object with the same name that is not ours is a conflict the plan refuses).
pub fn existing_secrets(cluster: &Cluster, live: &Live) -> ExistingSecrets {
    let names = cluster.names();
    let value = |name: String, key: &str| secret_value(cluster, live, &name, key);
    ExistingSecrets {
        jwt_secret: value(names.engine_secret(), JWT_SECRET_KEY),
        postgres_password: value(names.postgres_secret(), POSTGRES_PASSWORD_KEY),
        checksum_key: value(names.checksum_key(), CHECKSUM_KEY),
    }
}

/// Every key of one of our Secrets, decoded (for checksums of stored credentials).
pub fn secret_data(cluster: &Cluster, live: &Live, name: &str) -> Option<BTreeMap<String, String>> {
    let r = ObjectRef {
        kind: "Secret".into(),
        namespace: Some(cluster.namespace.clone()),
        name: name.to_string(),
    };
    let data = live.objects.get(&r)?.data.get("data")?.as_object()?.clone();
    Some(
        data.iter()
            .filter_map(|(k, v)| Some((k.clone(), decode(v.as_str()?)?)))
            .collect(),
    )
}

fn decode(b64: &str) -> Option<String> {
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
}

fn secret_value(cluster: &Cluster, live: &Live, name: &str, key: &str) -> Option<String> {
    secret_data(cluster, live, name)?.remove(key)
}

/// What is wrong with the Secrets the spec names: each one missing from the namespace or
/// lacking a key the pods read, with the field that names it. A real kubelet would stop the
/// pod (CreateContainerConfigError, or a volume that never mounts) where kwok and the API
/// server do not, so it is said before the first write. One GET per Secret, concurrently.
pub async fn named_secret_problems(
    cluster: &Cluster,
    spec: &crate::spec::Spec,
) -> Result<Vec<String>> {
    let api: Api<k8s_openapi::api::core::v1::Secret> = cluster.typed();
    let named = crate::spec::named_secrets(spec);
    let found = futures::future::try_join_all(named.iter().map(|n| {
        let api = api.clone();
        async move {
            api.get_opt(&n.name)
                .await
                .with_context(|| format!("reading Secret {}/{}", cluster.namespace, n.name))
        }
    }))
    .await?;
    let mut out = Vec::new();
    for (n, secret) in named.iter().zip(found) {
        let Some(secret) = secret else {
            let keys = if n.keys.is_empty() {
                String::new()
            } else {
                format!(" with the key(s) {}", n.keys.join(", "))
            };
            out.push(format!(
                "{} names Secret {}/{}, which does not exist; create it{keys}",
                n.field, cluster.namespace, n.name
            ));
            continue;
        };
        let data = secret.data.unwrap_or_default();
        let have = |k: &str| {
            data.contains_key(k)
                || secret
                    .string_data
                    .as_ref()
                    .is_some_and(|d| d.contains_key(k))
        };
        let lacking: Vec<&str> = n.keys.iter().copied().filter(|k| !have(k)).collect();
        if !lacking.is_empty() {
            out.push(format!(
                "Secret {}/{} ({}) has no key {}",
                cluster.namespace,
                n.name,
                n.field,
                lacking.join(", ")
            ));
        }
    }
    Ok(out)
}

/// `<name>-connection`'s data: copies of the credentials in the user's Secrets
/// that the spec names (one GET per Secret, at most two). A missing Secret or key is an error
/// before any write: the engine could not start without it.
pub async fn connection(
    cluster: &Cluster,
    spec: &crate::spec::Spec,
) -> Result<Option<crate::render::secrets::Connection>> {
    use crate::render::secrets::{
        CONNECTION_PG_PASSWORD, CONNECTION_PG_PASSWORD_PLAIN, CONNECTION_PG_USER,
        CONNECTION_REDIS_PASSWORD, Connection,
    };
    use crate::spec::{Database, Redis};
    if !crate::render::needs_connection(spec) {
        return Ok(None);
    }
    let read = |field: &'static str, name: String, keys: &'static [&'static str]| async move {
        let api: Api<k8s_openapi::api::core::v1::Secret> = cluster.typed();
        let secret = api
            .get_opt(&name)
            .await
            .with_context(|| format!("reading Secret {name}"))?
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{field} names Secret {}/{name}, which does not exist; create it with the key(s) {} and run again (nothing was changed)",
                    cluster.namespace,
                    keys.join(", ")
                )
            })?;
        let data = secret.data.unwrap_or_default();
        keys.iter()
            .map(|k| {
                let v = data.get(*k).ok_or_else(|| {
                    anyhow::anyhow!(
                        "Secret {}/{name} ({field}) has no key {k}; nothing was changed",
                        cluster.namespace
                    )
                })?;
                Ok(String::from_utf8_lossy(&v.0).into_owned())
            })
            .collect::<Result<Vec<String>>>()
    };
    let mut plain: Vec<(&str, String)> = Vec::new();
    match &spec.engine.database {
        Database::External { secret_name, .. } => {
            let v = read(
                "spec.engine.databaseConfig.secretName",
                secret_name.clone(),
                &["POSTGRES_USER", "POSTGRES_PASSWORD"],
            )
            .await?;
            plain.push((CONNECTION_PG_USER, v[0].clone()));
            plain.push((CONNECTION_PG_PASSWORD_PLAIN, v[1].clone()));
        }
        Database::InCluster {
            password_secret: Some(s),
            ..
        } => {
            let v = read(
                "spec.engine.databaseConfig.secretName",
                s.clone(),
                &["POSTGRES_PASSWORD"],
            )
            .await?;
            plain.push((CONNECTION_PG_PASSWORD, v[0].clone()));
        }
        Database::InCluster { .. } => {}
    }
    if let Redis::External { secret_name, .. } = &spec.engine.redis {
        let v = read(
            "spec.engine.redisConfig.secretName",
            secret_name.clone(),
            &["REDIS_PASSWORD"],
        )
        .await?;
        plain.push((CONNECTION_REDIS_PASSWORD, v[0].clone()));
    }
    let refs: Vec<(&str, &str)> = plain.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Ok(Some(Connection::encode(&refs)))
}

/// Credentials given now, or else the ones stored by an earlier run.
pub fn llm_credentials(
    cluster: &Cluster,
    live: &Live,
    given: &std::collections::BTreeMap<String, String>,
) -> crate::render::LlmCredentials {
    if !given.is_empty() {
        return crate::render::LlmCredentials::New(given.clone());
    }
    let name = format!("{}-llm-credentials", cluster.instance);
    match secret_data(cluster, live, &name) {
        Some(stored) => crate::render::LlmCredentials::Existing(stored),
        None => crate::render::LlmCredentials::None,
    }
}
