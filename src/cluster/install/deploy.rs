//! The install / upgrade / rollback pipeline: read live state → reuse generated secrets →
//! render → plan → lock → apply stage by stage, waiting after each → prune → record → unlock.

use std::time::Duration;

use anyhow::Result;
use jiff::Timestamp;
use tokio::time::Instant;

use super::plan;
use crate::cluster::install::plan::{Action, Plan};
use crate::cluster::release::{self, Outcome, Release};
use crate::cluster::wait::{self, Target, WaitFailure, WorkloadKind};
use crate::cluster::{Cluster, Reporter, apply, inventory, lock};
use crate::error::Exit;
use crate::render::{self, Inputs, LlmCredentials, Object, Rendered, Stage, secrets};
use crate::spec::Spec;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Install,
    Upgrade,
    Rollback,
    Adopt,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Install => "install",
            Operation::Upgrade => "upgrade",
            Operation::Rollback => "rollback",
            Operation::Adopt => "adopt",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub operation: Operation,
    pub timeout: Duration,
    pub wait: bool,
    pub atomic: bool,
    /// Stop after the plan (`--dry-run`, `upgrade --diff`).
    pub plan_only: bool,
    /// LLM credentials given for this run (from the environment); empty when none.
    pub llm_credentials: std::collections::BTreeMap<String, String>,
    /// The namespace as the pre-flight saw it (`Unknown` without one).
    pub namespace_seen: inventory::Seen,
    /// Where to back up PostgreSQL before a change of the engine image (`None`: no backup,
    /// as for `install` and `--no-backup`).
    pub backup: Option<BackupTo>,
    /// A backup to restore (the engine stopped meanwhile) before the new spec is applied:
    /// `rollback --restore`.
    pub restore_first: Option<crate::cluster::data::backup::Backup>,
    /// `adopt`: the upstream installation this run takes over.
    pub adopt: Option<std::sync::Arc<crate::cluster::adopt::Adoption>>,
}

#[derive(Debug, Clone)]
pub struct BackupTo {
    pub root: std::path::PathBuf,
    pub keep: usize,
}

/// What happened.
#[derive(Debug)]
pub struct Deployed {
    pub plan: Plan,
    /// The revision written, or `None` when nothing changed (or plan only).
    pub revision: Option<u32>,
    /// The revision in force before this run.
    pub previous: Option<u32>,
}

/// A failed rollout, with what `--atomic` did about it.
#[derive(Debug, thiserror::Error)]
#[error("{failure}{rollback}")]
pub struct RolloutFailed {
    pub failure: WaitFailure,
    pub revision: u32,
    pub rollback: String,
}

fn targets(
    rendered: &[Rendered],
    stage: Stage,
    generations: &std::collections::HashMap<String, i64>,
) -> Vec<Target> {
    rendered
        .iter()
        .filter(|r| r.stage == stage)
        .filter_map(|r| {
            let component = r
                .object
                .meta()
                .labels
                .as_ref()?
                .get(render::labels::COMPONENT)?
                .clone();
            let kind = match &r.object {
                Object::Deployment(_) => WorkloadKind::Deployment,
                Object::StatefulSet(_) => WorkloadKind::StatefulSet,
                _ => return None,
            };
            let name = r.object.name().to_string();
            Some(Target {
                component,
                kind,
                min_generation: generations.get(&name).copied().unwrap_or(0),
                name,
            })
        })
        .collect()
}

/// The workloads of every stage: what the watches, opened once per rollout, must cover.
fn all_targets(rendered: &[Rendered]) -> Vec<Target> {
    Stage::ALL
        .into_iter()
        .flat_map(|stage| targets(rendered, stage, &Default::default()))
        .collect()
}

/// True when every workload in `live` is already rolled out (no wait needed after a no-op).
fn live_workloads_ready(live: &inventory::Live, rendered: &[Rendered]) -> bool {
    rendered.iter().all(|r| {
        let key = r.object.object_ref();
        match &r.object {
            Object::Deployment(_) => live
                .objects
                .get(&key)
                .and_then(|o| serde_json::from_value(serde_json::to_value(o).ok()?).ok())
                .is_some_and(|d| crate::cluster::conditions::deployment_ready(&d)),
            Object::StatefulSet(_) => live
                .objects
                .get(&key)
                .and_then(|o| serde_json::from_value(serde_json::to_value(o).ok()?).ok())
                .is_some_and(|s| crate::cluster::conditions::stateful_set_ready(&s)),
            _ => true,
        }
    })
}

pub struct Prepared {
    /// Objects applied before the stages ran (the namespace of a fresh install, which the
    /// lock needs).
    pub applied_early: Vec<crate::render::ObjectRef>,
    pub rendered: Vec<Rendered>,
    pub plan: Plan,
    pub live: inventory::Live,
    pub history: Vec<Release>,
    pub generated: secrets::Generated,
    /// The backup this run took before changing the engine image.
    pub backup: std::sync::OnceLock<crate::cluster::data::backup::Backup>,
}

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
            refuse_volume_without_password(cluster, spec, &live, &existing)?;
            secrets::resolve(&existing)
        }
    };
    let credentials = inventory::llm_credentials(cluster, &live, given);
    prepare_with(cluster, spec, live, history, generated, credentials).await
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

async fn prepare_with(
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

/// Backs up PostgreSQL (before an engine image change) and keeps the newest per retention.
/// `old`: the engine image the deployed revision runs (from [`engine_image_change`]).
async fn backup_first(
    cluster: &Cluster,
    prepared: &Prepared,
    to: &BackupTo,
    old: &str,
    revision: u32,
    reporter: &dyn Reporter,
) -> Result<()> {
    let Some(last) = release::last_deployed(&prepared.history) else {
        return Ok(());
    };
    let dir = crate::cluster::data::backup::dir(&to.root, &cluster.namespace, &cluster.instance);
    reporter.line(&format!(
        "backing up PostgreSQL before the engine image changes (into {})",
        dir.display()
    ));
    let req = crate::cluster::data::backup::Request {
        file: None,
        dir: dir.clone(),
        revision: last.revision,
        engine_image: old,
        reason: format!("before revision {revision}"),
    };
    let b = crate::cluster::data::backup::take(cluster, &req, &|n| reporter.bytes("backup", n))
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "the backup before the engine upgrade failed, so nothing was changed: {e}; \
fix the cause, or pass --no-backup to upgrade without one"
            )
        })?;
    reporter.line(&format!("backup written: {}", b.path.display()));
    crate::cluster::data::backup::prune(&dir, to.keep);
    let _ = prepared.backup.set(b);
    crate::failpoint::hit("after-backup");
    Ok(())
}

fn blocked_error(plan: &Plan) -> anyhow::Error {
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

/// Names every object skyflo would have to overwrite although it did not create it.
pub fn conflict_error(cluster: &Cluster, plan: &Plan) -> anyhow::Error {
    let mut msg = format!(
        "{} object{} with the names this installation needs already exist{} and skyflo did not create {}:",
        plan.conflicts.len(),
        if plan.conflicts.len() == 1 { "" } else { "s" },
        if plan.conflicts.len() == 1 { "s" } else { "" },
        if plan.conflicts.len() == 1 {
            "it"
        } else {
            "them"
        },
    );
    for c in &plan.conflicts {
        msg.push_str(&format!("\n  {}: {}", c.object, c.owner));
    }
    msg.push_str(&format!(
        "\nnothing was changed. Ways forward: install under another name (metadata.name) or into another \
namespace (-n); or, if these objects are an earlier installation of yours that skyflo should take over, label \
each one: kubectl -n {ns} label <kind> <name> app.kubernetes.io/name=skyflo \
app.kubernetes.io/instance={inst} app.kubernetes.io/managed-by=skyflo",
        ns = cluster.namespace,
        inst = cluster.instance
    ));
    anyhow::anyhow!(msg)
}

/// Refusals that need no write to find: an upgrade without a release, an immutable change,
/// a name taken by someone else.
fn refuse(cluster: &Cluster, prepared: &Prepared, opts: &Options) -> Result<()> {
    let previous = release::last_deployed(&prepared.history);
    if opts.operation == Operation::Upgrade && previous.is_none() {
        return Err(Exit::NotInstalled(format!(
            "no skyflo release {:?} in namespace {}; run `skyflo install` first",
            cluster.instance, cluster.namespace
        ))
        .into());
    }
    if opts.operation == Operation::Install && !prepared.live.upstream.is_empty() {
        anyhow::bail!(
            "namespace {ns} holds an upstream Skyflo installation: {found}. Installing beside it would \
start a second, empty Skyflo with a new database while your data stays in the first, so nothing was \
changed. Take it over with `skyflo adopt -n {ns}` (keeps its data, passwords and keys; --dry-run \
shows the plan first), or install into another namespace with -n",
            ns = cluster.namespace,
            found = prepared.live.upstream.join(", ")
        );
    }
    let conflicts = prepared
        .plan
        .conflicts
        .iter()
        .filter(|c| !opts.adopt.as_ref().is_some_and(|a| a.excuses(&c.object)))
        .count();
    if conflicts > 0 {
        let mut plan = prepared.plan.clone();
        plan.conflicts
            .retain(|c| !opts.adopt.as_ref().is_some_and(|a| a.excuses(&c.object)));
        return Err(conflict_error(cluster, &plan));
    }
    if !prepared.plan.blocked.is_empty() {
        return Err(blocked_error(&prepared.plan));
    }
    Ok(())
}

/// Nothing to write. Workloads that are not ready (scaled, rescheduled) are waited for,
/// without a lock or a new revision, since this run changes nothing.
async fn wait_unchanged(
    cluster: &Cluster,
    prepared: &Prepared,
    opts: &Options,
    reporter: &dyn Reporter,
) -> Result<()> {
    if !opts.wait || live_workloads_ready(&prepared.live, &prepared.rendered) {
        return Ok(());
    }
    let deadline = crate::cluster::deadline_after(opts.timeout);
    let mut watches = wait::Watches::start(cluster, &all_targets(&prepared.rendered));
    for stage in [Stage::Data, Stage::Apps] {
        let t = targets(&prepared.rendered, stage, &Default::default());
        wait::wait_ready(cluster, &mut watches, &t, deadline, opts.timeout, reporter)
            .await
            .map_err(|f| {
                anyhow::Error::new(f)
                    .context(Exit::NotReady("the installation is not ready".into()))
            })?;
    }
    Ok(())
}

/// The lock lives in the namespace, so a fresh install creates the namespace first. It is
/// created (not applied): if it appeared in the meantime, it is not ours.
async fn create_namespace(cluster: &Cluster, prepared: &mut Prepared) -> Result<()> {
    if prepared.live.namespace_exists() {
        return Ok(());
    }
    let Some(ns) = prepared
        .rendered
        .iter()
        .find(|r| r.stage == Stage::Namespace)
        .map(|r| r.object.clone())
    else {
        return Ok(());
    };
    apply::create_namespace(cluster, &ns).await?;
    prepared.applied_early.push(ns.object_ref());
    crate::failpoint::hit("after-namespace");
    Ok(())
}

pub async fn deploy(
    cluster: &Cluster,
    spec: &Spec,
    opts: &Options,
    reporter: &dyn Reporter,
) -> Result<Deployed> {
    let mut prepared = prepare(
        cluster,
        spec,
        &opts.llm_credentials,
        &opts.namespace_seen,
        opts.adopt.as_ref().map(|a| &a.generated),
    )
    .await?;
    let previous = release::last_deployed(&prepared.history).map(|r| r.revision);
    refuse(cluster, &prepared, opts)?;
    if let Some((old, new)) = engine_image_change(&prepared.history, spec) {
        reporter.line(&match opts.backup {
            Some(_) => format!(
                "the engine image changes ({old} -> {new}) and migrates the database when it starts: \
PostgreSQL is backed up first (--no-backup skips it)"
            ),
            None => format!(
                "the engine image changes ({old} -> {new}) and migrates the database when it starts: \
no backup is taken (--no-backup)"
            ),
        });
    }
    let done = |prepared: Prepared, revision| Deployed {
        plan: prepared.plan,
        revision,
        previous,
    };
    if opts.plan_only {
        return Ok(done(prepared, None));
    }
    let digest = release::digest(&spec.raw);
    let up_to_date = !prepared.plan.has_changes()
        && release::last_deployed(&prepared.history).is_some_and(|r| r.spec_digest == digest);
    if up_to_date {
        wait_unchanged(cluster, &prepared, opts, reporter).await?;
        return Ok(done(prepared, None));
    }
    let (c, u, same, p) = prepared.plan.count();
    reporter.line(&format!(
        "plan: {c} to create, {u} to change, {p} to prune, {same} unchanged"
    ));
    create_namespace(cluster, &mut prepared).await?;
    let revision = prepared
        .history
        .iter()
        .map(|r| r.revision)
        .max()
        .unwrap_or(0)
        + 1;
    under_lock(cluster, spec, opts, reporter, &prepared, revision, &digest).await?;
    Ok(done(prepared, Some(revision)))
}

/// Runs the prepared plan under the lock; a failure (also a signal) is recorded as a failed
/// revision so history shows it, except a rollout failure, which records its own revisions.
async fn under_lock(
    cluster: &Cluster,
    spec: &Spec,
    opts: &Options,
    reporter: &dyn Reporter,
    prepared: &Prepared,
    revision: u32,
    digest: &str,
) -> Result<()> {
    let job = lock::Job {
        operation: opts.operation.as_str(),
        timeout: opts.timeout,
        reporter,
        after_lock: Some("after-lock"),
    };
    let work = |locked: Cluster| async move {
        run_locked(&locked, spec, opts, reporter, prepared, revision, digest).await
    };
    let on_failure = |locked: Cluster, e: &anyhow::Error| {
        let recorded = e.downcast_ref::<RolloutFailed>().is_some();
        let message = format!("{e:#}");
        async move {
            if recorded {
                return;
            }
            let failed = record(
                &locked.impatient(),
                spec,
                prepared,
                revision,
                opts.operation,
                Outcome::Failed,
                &message,
                digest,
            )
            .await;
            if let Err(r) = failed {
                reporter.line(&format!(
                    "warning: could not record revision {revision} as failed: {r:#}"
                ));
            }
        }
    };
    lock::with_lock(cluster, job, work, on_failure).await
}

#[allow(clippy::too_many_arguments)]
async fn record(
    cluster: &Cluster,
    spec: &Spec,
    prepared: &Prepared,
    revision: u32,
    operation: Operation,
    outcome: Outcome,
    message: &str,
    digest: &str,
) -> Result<()> {
    let r = Release {
        revision,
        time: Timestamp::now().to_string(),
        cli_version: env!("CARGO_PKG_VERSION").to_string(),
        operation: operation.as_str().to_string(),
        outcome,
        message: message.to_string(),
        spec_digest: digest.to_string(),
        spec: spec.raw.clone(),
        objects: prepared
            .rendered
            .iter()
            .map(|r| r.object.object_ref())
            .collect(),
        backup: prepared.backup.get().map(|b| b.path.display().to_string()),
    };
    release::record(cluster, &prepared.history, &r).await
}

async fn apply_and_wait(
    cluster: &Cluster,
    prepared: &Prepared,
    opts: &Options,
    reporter: &dyn Reporter,
    deadline: Instant,
) -> Result<(), WaitFailureOr> {
    let mut generations = std::collections::HashMap::new();
    let mut watches = None;
    for stage in Stage::ALL {
        if let (Stage::Apps, Some(a)) = (stage, &opts.adopt) {
            crate::cluster::adopt::replace_apps(cluster, a, &prepared.rendered, reporter)
                .await
                .map_err(WaitFailureOr::Other)?;
        }
        let changed: Vec<&Object> = prepared
            .plan
            .steps
            .iter()
            .filter(|s| s.rendered.stage == stage && !matches!(s.action, Action::Unchanged))
            .filter(|s| {
                !prepared
                    .applied_early
                    .contains(&s.rendered.object.object_ref())
            })
            .map(|s| &s.rendered.object)
            .collect();
        if !changed.is_empty() {
            reporter.line(&format!(
                "stage {}/5 {}: applying {} object{}",
                stage as u8,
                stage.describe(),
                changed.len(),
                if changed.len() == 1 { "" } else { "s" }
            ));
            let applied = apply::apply_all(cluster, &changed)
                .await
                .map_err(WaitFailureOr::Other)?;
            for obj in applied {
                if let (Some(name), Some(g)) = (obj.metadata.name.clone(), obj.metadata.generation)
                {
                    generations.insert(name, g);
                }
            }
        }
        let t = targets(&prepared.rendered, stage, &generations);
        if opts.wait && !t.is_empty() {
            let w = watches.get_or_insert_with(|| {
                wait::Watches::start(cluster, &all_targets(&prepared.rendered))
            });
            wait::wait_ready(cluster, w, &t, deadline, opts.timeout, reporter)
                .await
                .map_err(WaitFailureOr::Wait)?;
        }
        crate::failpoint::hit(&format!("after-stage-{}", stage as u8));
    }
    Ok(())
}

enum WaitFailureOr {
    Wait(WaitFailure),
    Other(anyhow::Error),
}

async fn prune(
    cluster: &Cluster,
    plan: &Plan,
    reporter: &dyn Reporter,
    deadline: Instant,
) -> Result<()> {
    let mut pending = Vec::new();
    for key in &plan.prune {
        if let Some(uid) = apply::delete(cluster, key).await? {
            pending.push((key.clone(), uid));
        }
        crate::failpoint::hit("during-prune");
    }
    apply::wait_deleted(cluster, &pending, deadline).await?;
    for (key, _) in &pending {
        reporter.line(&format!("pruned {key}"));
    }
    Ok(())
}

/// Applies a prepared plan stage by stage, waits, prunes, and records the revision as
/// deployed.
#[allow(clippy::too_many_arguments)]
async fn roll_out(
    cluster: &Cluster,
    spec: &Spec,
    prepared: &Prepared,
    opts: &Options,
    reporter: &dyn Reporter,
    revision: u32,
    operation: Operation,
    message: &str,
) -> Result<(), WaitFailureOr> {
    let deadline = crate::cluster::deadline_after(opts.timeout);
    apply_and_wait(cluster, prepared, opts, reporter, deadline).await?;
    prune(cluster, &prepared.plan, reporter, deadline)
        .await
        .map_err(WaitFailureOr::Other)?;
    crate::failpoint::hit("before-record");
    let digest = release::digest(&spec.raw);
    record(
        cluster,
        spec,
        prepared,
        revision,
        operation,
        Outcome::Deployed,
        message,
        &digest,
    )
    .await
    .map_err(WaitFailureOr::Other)
}

async fn run_locked(
    cluster: &Cluster,
    spec: &Spec,
    opts: &Options,
    reporter: &dyn Reporter,
    prepared: &Prepared,
    revision: u32,
    digest: &str,
) -> Result<()> {
    if let Some(a) = &opts.adopt {
        crate::cluster::adopt::take_over(cluster, a, &prepared.rendered, reporter).await?;
    }
    if let (Some(to), Some((old, _))) = (&opts.backup, engine_image_change(&prepared.history, spec))
    {
        backup_first(cluster, prepared, to, &old, revision, reporter).await?;
    }
    if let Some(b) = &opts.restore_first {
        crate::cluster::data::restore::stop_and_restore(
            cluster,
            b,
            crate::cluster::deadline_after(opts.timeout),
            reporter,
        )
        .await?;
    }
    let failure = match roll_out(
        cluster,
        spec,
        prepared,
        opts,
        reporter,
        revision,
        opts.operation,
        "",
    )
    .await
    {
        Ok(()) => return Ok(()),
        Err(WaitFailureOr::Other(e)) => return Err(e),
        Err(WaitFailureOr::Wait(failure)) => failure,
    };
    // The rollout's failure is the error to report; not being able to record it (the API
    // server is gone, the lock was lost) must not replace it.
    if let Err(e) = record(
        &cluster.impatient(),
        spec,
        prepared,
        revision,
        opts.operation,
        Outcome::Failed,
        &failure.to_string(),
        digest,
    )
    .await
    {
        reporter.line(&format!(
            "warning: could not record revision {revision} as failed: {e:#}"
        ));
    }
    let mut rollback = String::new();
    if opts.atomic {
        rollback = match release::last_deployed(&prepared.history).cloned() {
            None => "\n--atomic: there is no earlier revision to roll back to".to_string(),
            Some(prev) => {
                reporter.line(&format!(
                    "--atomic: rolling back to revision {}",
                    prev.revision
                ));
                match atomic_rollback(cluster, &prev, prepared, opts, reporter, revision).await {
                    Ok(()) => format!(
                        "\n--atomic: rolled back to revision {} (recorded as revision {})",
                        prev.revision,
                        revision + 1
                    ),
                    Err(e) => format!(
                        "\n--atomic: the rollback to revision {} failed too: {e:#}",
                        prev.revision
                    ),
                }
            }
        };
    }
    Err(anyhow::Error::new(RolloutFailed {
        failure,
        revision,
        rollback,
    })
    .context(Exit::NotReady(format!("revision {revision} is not ready"))))
}

/// `--atomic`: back to `prev`; when this run backed up the database before changing the
/// engine image, the engine is stopped and the backup restored first, so the old engine
/// starts on the data it knows, not on what the new one migrated.
async fn atomic_rollback(
    cluster: &Cluster,
    prev: &Release,
    prepared: &Prepared,
    opts: &Options,
    reporter: &dyn Reporter,
    revision: u32,
) -> Result<()> {
    if let Some(b) = prepared.backup.get() {
        reporter.line(&format!(
            "--atomic: restoring {} (taken before this upgrade)",
            b.path.display()
        ));
        crate::cluster::data::restore::stop_and_restore(
            cluster,
            b,
            crate::cluster::deadline_after(opts.timeout),
            reporter,
        )
        .await?;
    }
    roll_back_to(cluster, prev, prepared, opts, reporter, revision + 1).await
}

async fn roll_back_to(
    cluster: &Cluster,
    prev: &Release,
    failed: &Prepared,
    opts: &Options,
    reporter: &dyn Reporter,
    revision: u32,
) -> Result<()> {
    let spec = prev.spec()?;
    let live = inventory::read(cluster, &inventory::Seen::Unknown).await?;
    let history = live.releases.clone();
    let credentials = inventory::llm_credentials(cluster, &live, &Default::default());
    let prepared = prepare_with(
        cluster,
        &spec,
        live,
        history,
        failed.generated.clone(),
        credentials,
    )
    .await?;
    if !prepared.plan.blocked.is_empty() {
        return Err(blocked_error(&prepared.plan));
    }
    let message = format!("rollback to revision {}", prev.revision);
    roll_out(
        cluster,
        &spec,
        &prepared,
        opts,
        reporter,
        revision,
        Operation::Rollback,
        &message,
    )
    .await
    .map_err(|e| match e {
        WaitFailureOr::Wait(f) => anyhow::Error::new(f),
        WaitFailureOr::Other(e) => e,
    })
}
