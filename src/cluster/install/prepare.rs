//! Everything up to the plan, with no writes: live state, generated secrets reused, the spec
//! rendered and compared with what the cluster holds.

use anyhow::Result;

use super::model::Prepared;
use super::plan::{self, Plan};
use crate::cluster::release::{self, Release};
use crate::cluster::{Cluster, inventory};
use crate::render::{self, Inputs, LlmCredentials, Stage, secrets};
use crate::spec::Spec;

/// Everything up to the plan; no writes.
pub async fn prepare(
    cluster: &Cluster,
    spec: &Spec,
    given: &std::collections::BTreeMap<String, String>,
    seen: &inventory::Seen,
    adopted: Option<&secrets::Generated>,
) -> Result<Prepared> {
    let live = inventory::read(cluster, seen).await?;
    if live.namespace_terminating() {
        anyhow::bail!(
            "namespace {} is being deleted; wait until it is gone (kubectl get namespace {}) and try again",
            cluster.namespace,
            cluster.namespace
        );
    }
    let history = live.releases.clone();
    let existing = inventory::existing_secrets(cluster, &live);
    let generated = match adopted {
        // Upstream's values, in Secrets skyflo takes over only once the lock is held.
        Some(g) => g.clone(),
        None => {
            refuse_missing_secrets(cluster, spec).await?;
            refuse_volume_without_password(cluster, spec, &live, &existing)?;
            secrets::resolve(&existing)
        }
    };
    let credentials = inventory::llm_credentials(cluster, &live, given);
    let kept = keep_ui_exposure(cluster, spec, &live);
    let spec = kept.as_ref().map_or(spec, |(s, _)| s);
    let mut prepared = prepare_with(cluster, spec, live, history, generated, credentials).await?;
    if let Some((s, note)) = kept {
        prepared.notes.push(note);
        prepared.spec = Some(s);
    }
    Ok(prepared)
}

/// An installation deployed while the UI's default was NodePort 30080 (or exposed by a spec
/// that no longer says) keeps its exposure when the spec does not choose one: the default
/// changed, the installation does not change by itself. The spec then says so explicitly, so
/// the record (and an `upgrade` without -f) keeps it too.
fn keep_ui_exposure(
    cluster: &Cluster,
    spec: &Spec,
    live: &inventory::Live,
) -> Option<(Spec, String)> {
    use crate::spec::{Exposure, ServiceType, raw::RawService};
    let chosen = spec
        .raw
        .spec
        .as_ref()?
        .ui
        .as_ref()
        .and_then(|u| u.service.as_ref());
    if chosen.is_some() {
        return None;
    }
    let key = crate::render::ObjectRef {
        kind: "Service".into(),
        namespace: Some(cluster.namespace.clone()),
        name: format!("{}-ui", cluster.instance),
    };
    let live_spec = &live.objects.get(&key)?.data["spec"];
    let type_ = match live_spec["type"].as_str()? {
        "NodePort" => ServiceType::NodePort,
        "LoadBalancer" => ServiceType::LoadBalancer,
        _ => return None,
    };
    let node_port = live_spec["ports"][0]["nodePort"]
        .as_i64()
        .and_then(|p| i32::try_from(p).ok())
        .filter(|_| type_ == ServiceType::NodePort);
    let mut kept = spec.clone();
    kept.ui.service = Exposure { type_, node_port };
    if let Some(ui) = kept.raw.spec.as_mut().and_then(|s| s.ui.as_mut()) {
        ui.service = Some(RawService {
            type_: Some(type_.as_str().to_string()),
            node_port: node_port.map(i64::from),
        });
    }
    let how = match node_port {
        Some(p) => format!("{} {p}", type_.as_str()),
        None => type_.as_str().to_string(),
    };
    let note = format!(
        "the UI stays exposed as deployed ({how}): the spec does not choose, and the default is now \
ClusterIP (open it with `skyflo dashboard`). Set spec.ui.service.type in your file to choose: ClusterIP closes \
it, {} keeps it",
        type_.as_str()
    );
    Some((kept, note))
}

/// A Secret the spec names must exist (with the keys the pods read) before anything is
/// written: the pods could not start without it. (An adoption creates them itself.)
async fn refuse_missing_secrets(cluster: &Cluster, spec: &Spec) -> Result<()> {
    let problems = inventory::named_secret_problems(cluster, spec).await?;
    if problems.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "{}\nnothing was changed; run again once the Secret{} exist{}",
        problems.join("\n"),
        if problems.len() == 1 { "" } else { "s" },
        if problems.len() == 1 { "s" } else { "" },
    )
}

/// A PostgreSQL volume outlives its password Secret only when a purge was interrupted or the
/// Secret was deleted by hand. A new password would not open the existing database.
fn refuse_volume_without_password(
    cluster: &Cluster,
    spec: &Spec,
    live: &inventory::Live,
    existing: &secrets::ExistingSecrets,
) -> Result<()> {
    let generates_password = matches!(
        spec.engine.database,
        crate::spec::Database::InCluster {
            password_secret: None,
            ..
        }
    );
    if !generates_password || existing.postgres_password.is_some() {
        return Ok(());
    }
    let prefix = format!("postgres-data-{}-postgres-", cluster.instance);
    let Some(claim) = live.claims.iter().find(|c| c.name.starts_with(&prefix)) else {
        return Ok(());
    };
    let secret = format!("{}-postgres-secrets", cluster.instance);
    anyhow::bail!(
        "{claim} holds PostgreSQL data, but Secret {ns}/{secret} with its password is gone \
(an interrupted `uninstall --purge`, or deleted by hand). A newly generated password would not open \
that database, so nothing was changed. Either restore the Secret (key POSTGRES_PASSWORD) from a backup, \
or, if the data is not needed, delete the volume: kubectl -n {ns} delete pvc {name}",
        ns = cluster.namespace,
        name = claim.name,
    )
}

pub async fn prepare_with(
    cluster: &Cluster,
    spec: &Spec,
    live: inventory::Live,
    history: Vec<Release>,
    generated: secrets::Generated,
    llm_credentials: LlmCredentials,
) -> Result<Prepared> {
    let inputs = Inputs {
        namespace: cluster.namespace.clone(),
        generated: Some(generated.clone()),
        llm_credentials,
        connection: inventory::connection(cluster, spec).await?,
    };
    let mut rendered = render::render(spec, &inputs);
    if !live.owns_namespace(&cluster.instance) {
        // It existed before skyflo (or belongs to another installation): never relabelled.
        rendered.retain(|r| r.stage != Stage::Namespace);
    }
    let previous = release::last_deployed(&history)
        .map(|r| r.objects.clone())
        .unwrap_or_default();
    let plan = plan::compute(cluster, &rendered, &live, &previous).await?;
    Ok(Prepared {
        spec: None,
        notes: Vec::new(),
        applied_early: Vec::new(),
        rendered,
        plan,
        live,
        history,
        generated,
        backup: Default::default(),
    })
}

/// The engine image moves (old, new), with PostgreSQL in the cluster before and after: the
/// new engine migrates the database when it starts, so the data is backed up first.
pub fn engine_image_change(history: &[Release], spec: &Spec) -> Option<(String, String)> {
    let before = release::last_deployed(history)?.spec().ok()?;
    let (old, new) = (&before.engine.workload.image, &spec.engine.workload.image);
    (old != new && before.postgres_in_cluster() && spec.postgres_in_cluster())
        .then(|| (old.clone(), new.clone()))
}

pub fn blocked_error(plan: &Plan) -> anyhow::Error {
    let mut msg = String::from("the plan contains changes the API server cannot make in place:");
    for b in &plan.blocked {
        msg.push_str(&format!(
            "\n  {}: {}\n    way forward: {}",
            b.object, b.reason, b.advice
        ));
    }
    msg.push_str("\nnothing was changed");
    anyhow::anyhow!(msg)
}
