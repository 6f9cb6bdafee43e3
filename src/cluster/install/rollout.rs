//! The locked part of a deploy: take over (adopt), back up, restore first (rollback
//! --restore), apply stage by stage and wait, prune, record the revision; on a failed rollout
//! record it and, with `--atomic`, roll back to the previous revision.

use anyhow::Result;
use jiff::Timestamp;
use tokio::time::Instant;

use super::model::{BackupTo, Operation, RolloutFailed, Run, all_targets, targets};
use super::plan::{Action, Plan};
use super::prepare::{blocked_error, engine_image_change, prepare_with};
use crate::cluster::data::{backup, restore};
use crate::cluster::release::{self, Outcome, Release};
use crate::cluster::wait::{self, WaitFailure};
use crate::cluster::{Cluster, adopt, apply, deadline_after, inventory, lock};
use crate::error::Exit;
use crate::render::{Object, Stage};

/// Runs the prepared plan under the lock; a failure (also a signal) is recorded as a failed
/// revision so history shows it, except a rollout failure, which records its own revisions.
pub async fn under_lock(cluster: &Cluster, run: &Run<'_>) -> Result<()> {
    let job = lock::Job {
        operation: run.operation.as_str(),
        timeout: run.opts.timeout,
        reporter: run.reporter,
        after_lock: Some("after-lock"),
    };
    let work = |locked: Cluster| async move { run_locked(&locked, run).await };
    let on_failure = |locked: Cluster, e: &anyhow::Error| {
        let recorded = e.downcast_ref::<RolloutFailed>().is_some();
        let message = format!("{e:#}");
        async move {
            if !recorded {
                record_failure(&locked.impatient(), run, &message).await;
            }
        }
    };
    lock::with_lock(cluster, job, work, on_failure).await
}

/// Records `run` as failed; not being able to (the API server is gone, the lock was lost) is
/// only reported, so it never replaces the failure itself.
async fn record_failure(cluster: &Cluster, run: &Run<'_>, message: &str) {
    if let Err(e) = record(cluster, run, Outcome::Failed, message).await {
        run.reporter.line(&format!(
            "warning: could not record revision {} as failed: {e:#}",
            run.revision
        ));
    }
}

async fn record(cluster: &Cluster, run: &Run<'_>, outcome: Outcome, message: &str) -> Result<()> {
    let r = Release {
        revision: run.revision,
        time: Timestamp::now().to_string(),
        cli_version: env!("CARGO_PKG_VERSION").to_string(),
        operation: run.operation.as_str().to_string(),
        outcome,
        message: message.to_string(),
        spec_digest: release::digest(&run.spec.raw),
        spec: run.spec.raw.clone(),
        objects: run
            .prepared
            .rendered
            .iter()
            .map(|r| r.object.object_ref())
            .collect(),
        backup: run
            .prepared
            .backup
            .get()
            .map(|b| b.path.display().to_string()),
    };
    release::record(cluster, &run.prepared.history, &r).await
}

/// Backs up PostgreSQL (before an engine image change) and keeps the newest per retention.
/// `old`: the engine image the deployed revision runs (from [`engine_image_change`]).
async fn backup_first(cluster: &Cluster, run: &Run<'_>, to: &BackupTo, old: &str) -> Result<()> {
    let Some(last) = release::last_deployed(&run.prepared.history) else {
        return Ok(());
    };
    let identity = backup::cluster_identity(cluster).await;
    let dir = backup::dir(
        &to.root,
        identity.as_deref(),
        &cluster.namespace,
        &cluster.instance,
    );
    run.reporter.line(&format!(
        "backing up PostgreSQL before the engine image changes (into {})",
        dir.display()
    ));
    let req = backup::Request {
        file: None,
        dir: dir.clone(),
        revision: last.revision,
        engine_image: old,
        reason: format!("before revision {}", run.revision),
        overwrite: false,
        cluster: identity.clone(),
    };
    let b = backup::take(cluster, &req, &|n| run.reporter.bytes("backup", n))
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "the backup before the engine upgrade failed, so nothing was changed: {e}; \
fix the cause, or pass --no-backup to upgrade without one"
            )
        })?;
    run.reporter
        .line(&format!("backup written: {}", b.path.display()));
    backup::prune(&dir, to.keep, identity.as_deref());
    let _ = run.prepared.backup.set(b);
    crate::failpoint::hit("after-backup");
    Ok(())
}

/// The objects of `stage` that the plan changes and that were not applied early.
fn changed_in<'a>(run: &Run<'a>, stage: Stage) -> Vec<&'a Object> {
    let prepared = run.prepared;
    prepared
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
        .collect()
}

/// Stages applied together: nothing waits between the configuration and the network objects,
/// and without waiting everything after the namespace goes in one round (each round of writes
/// costs an etcd commit, far more than the requests themselves). An adoption keeps the data stage
/// apart, as upstream's apps make way only once it is applied.
fn stage_groups(wait: bool, adopting: bool) -> Vec<Vec<Stage>> {
    let mut groups = vec![vec![Stage::Namespace], vec![Stage::Config, Stage::Network]];
    if wait || adopting {
        groups.extend([vec![Stage::Data], vec![Stage::Apps]]);
    } else {
        // The workloads' pods are created by controllers a round trip after their objects,
        // by which time the service accounts and configuration sent with them are written.
        groups[1].extend([Stage::Data, Stage::Apps]);
    }
    groups
}

/// Applies the changes of a group of stages at once; the generations the API server gave the
/// workloads are noted, so the wait does not take an older cached state for this rollout.
async fn apply_stages(
    cluster: &Cluster,
    run: &Run<'_>,
    stages: &[Stage],
    generations: &mut std::collections::HashMap<String, i64>,
) -> Result<()> {
    let mut changed = Vec::new();
    for &stage in stages {
        let objects = changed_in(run, stage);
        if objects.is_empty() {
            continue;
        }
        run.reporter.line(&format!(
            "stage {}/5 {}: applying {} object{}",
            stage as u8,
            stage.describe(),
            objects.len(),
            if objects.len() == 1 { "" } else { "s" }
        ));
        changed.extend(objects);
    }
    replace_bindings(cluster, run, stages).await?;
    for obj in apply::apply_all(cluster, &changed).await? {
        if let (Some(name), Some(g)) = (obj.metadata.name.clone(), obj.metadata.generation) {
            generations.insert(name, g);
        }
    }
    Ok(())
}

/// Deletes the bindings the plan replaces (by uid: one deleted and created again by someone
/// else meanwhile is left alone) and waits until they are gone; `apply_all` then creates them.
async fn replace_bindings(cluster: &Cluster, run: &Run<'_>, stages: &[Stage]) -> Result<()> {
    for s in &run.prepared.plan.steps {
        let Action::Replace { uid, .. } = &s.action else {
            continue;
        };
        if !stages.contains(&s.rendered.stage) {
            continue;
        }
        let key = s.rendered.object.object_ref();
        run.reporter.line(&format!(
            "replacing {key}: its roleRef cannot change in place"
        ));
        if matches!(
            apply::delete_uid(cluster, &key, uid).await?,
            apply::Deleted::Replaced
        ) {
            anyhow::bail!(
                "{key} was replaced by someone else while this run was planning; run the command again"
            );
        }
        apply::wait_deleted(cluster, &[(key, uid.clone())], cluster.write_deadline()).await?;
    }
    Ok(())
}

async fn apply_and_wait(
    cluster: &Cluster,
    run: &Run<'_>,
    deadline: Instant,
) -> Result<(), WaitFailureOr> {
    let (prepared, opts) = (run.prepared, run.opts);
    let mut generations = std::collections::HashMap::new();
    let mut watches = None;
    for group in stage_groups(opts.wait, opts.adopt.is_some()) {
        if let (true, Some(a)) = (group.contains(&Stage::Apps), &opts.adopt) {
            adopt::replace_apps(cluster, a, &prepared.rendered, run.reporter)
                .await
                .map_err(WaitFailureOr::Other)?;
        }
        apply_stages(cluster, run, &group, &mut generations)
            .await
            .map_err(WaitFailureOr::Other)?;
        for stage in group {
            let t = targets(&prepared.rendered, stage, &generations);
            if opts.wait && !t.is_empty() {
                let w = watches.get_or_insert_with(|| {
                    wait::Watches::start(cluster, &all_targets(&prepared.rendered))
                });
                wait::wait_ready(cluster, w, &t, deadline, opts.timeout, run.reporter)
                    .await
                    .map_err(WaitFailureOr::Wait)?;
            }
            crate::failpoint::hit(&format!("after-stage-{}", stage as u8));
        }
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
    reporter: &dyn crate::cluster::Reporter,
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
async fn roll_out(cluster: &Cluster, run: &Run<'_>, message: &str) -> Result<(), WaitFailureOr> {
    let deadline = deadline_after(run.opts.timeout);
    apply_and_wait(cluster, run, deadline).await?;
    prune(cluster, &run.prepared.plan, run.reporter, deadline)
        .await
        .map_err(WaitFailureOr::Other)?;
    crate::failpoint::hit("before-record");
    // The revision's record is the last write under the lock: the lock goes with it.
    cluster
        .fence
        .release_with(record(cluster, run, Outcome::Deployed, message))
        .await
        .map_err(WaitFailureOr::Other)
}

/// What comes before the rollout under the lock: the takeover of an adoption, the backup
/// before an engine image change, the restore of `rollback --restore`.
async fn before_roll_out(cluster: &Cluster, run: &Run<'_>) -> Result<()> {
    let (prepared, opts) = (run.prepared, run.opts);
    if let Some(a) = &opts.adopt {
        adopt::take_over(cluster, a, &prepared.rendered, run.reporter).await?;
    }
    if let (Some(to), Some((old, _))) = (
        &opts.backup,
        engine_image_change(&prepared.history, run.spec),
    ) {
        backup_first(cluster, run, to, &old).await?;
    }
    if let Some(b) = &opts.restore_first {
        restore::stop_and_restore(cluster, b, deadline_after(opts.timeout), run.reporter).await?;
    }
    Ok(())
}

async fn run_locked(cluster: &Cluster, run: &Run<'_>) -> Result<()> {
    before_roll_out(cluster, run).await?;
    let failure = match roll_out(cluster, run, "").await {
        Ok(()) => return Ok(()),
        Err(WaitFailureOr::Other(e)) => return Err(e),
        Err(WaitFailureOr::Wait(failure)) => failure,
    };
    // The rollout's failure is the error to report; not being able to record it must not
    // replace it.
    record_failure(&cluster.impatient(), run, &failure.to_string()).await;
    let rollback = if run.opts.atomic {
        atomic(cluster, run).await
    } else {
        String::new()
    };
    let revision = run.revision;
    Err(anyhow::Error::new(RolloutFailed {
        failure,
        revision,
        rollback,
    })
    .context(Exit::NotReady(format!("revision {revision} is not ready"))))
}

/// `--atomic` after a failed rollout: back to the previous revision; says what happened.
async fn atomic(cluster: &Cluster, run: &Run<'_>) -> String {
    let Some(prev) = release::last_deployed(&run.prepared.history).cloned() else {
        return "\n--atomic: there is no earlier revision to roll back to".to_string();
    };
    run.reporter.line(&format!(
        "--atomic: rolling back to revision {}",
        prev.revision
    ));
    match atomic_rollback(cluster, run, &prev).await {
        Ok(()) => format!(
            "\n--atomic: rolled back to revision {} (recorded as revision {})",
            prev.revision,
            run.revision + 1
        ),
        Err(e) => format!(
            "\n--atomic: the rollback to revision {} failed too: {e:#}",
            prev.revision
        ),
    }
}

/// `--atomic`: back to `prev`; when this run backed up the database before changing the
/// engine image, the engine is stopped and the backup restored first, so the old engine
/// starts on the data it knows, not on what the new one migrated.
async fn atomic_rollback(cluster: &Cluster, run: &Run<'_>, prev: &Release) -> Result<()> {
    if let Some(b) = run.prepared.backup.get() {
        run.reporter.line(&format!(
            "--atomic: restoring {} (taken before this upgrade)",
            b.path.display()
        ));
        restore::stop_and_restore(cluster, b, deadline_after(run.opts.timeout), run.reporter)
            .await?;
    }
    roll_back_to(cluster, run, prev).await
}

/// Applies `prev`'s spec as the revision after the failed `run`.
async fn roll_back_to(cluster: &Cluster, failed: &Run<'_>, prev: &Release) -> Result<()> {
    let spec = prev.spec()?;
    let live = inventory::read(cluster, &inventory::Seen::Unknown).await?;
    let history = live.releases.clone();
    let credentials = inventory::llm_credentials(cluster, &live, &Default::default());
    let generated = failed.prepared.generated.clone();
    let prepared = prepare_with(cluster, &spec, live, history, generated, credentials).await?;
    if !prepared.plan.blocked.is_empty() {
        return Err(blocked_error(&prepared.plan));
    }
    let run = Run {
        spec: &spec,
        prepared: &prepared,
        revision: failed.revision + 1,
        operation: Operation::Rollback,
        ..*failed
    };
    let message = format!("rollback to revision {}", prev.revision);
    roll_out(cluster, &run, &message)
        .await
        .map_err(|e| match e {
            WaitFailureOr::Wait(f) => anyhow::Error::new(f),
            WaitFailureOr::Other(e) => e,
        })
}
