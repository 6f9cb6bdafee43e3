//! Restoring a backup, under the installation's lock: stop the engine (nothing may write
//! while the tables are replaced), `pg_restore` in one transaction, start the engine again
//! and wait for it, record a `restore` revision. If anything fails, the engine stays stopped:
//! starting it on a half-known database is worse than a clear "stopped, run restore again".

use std::time::Duration;

use anyhow::Result;
use jiff::Timestamp;

use crate::cluster::data::backup::{self, Backup};
use crate::cluster::release::{self, Outcome, Release};
use crate::cluster::wait::{self, Target, WorkloadKind};
use crate::cluster::{Cluster, Reporter};
use crate::error::Exit;

/// Why the engine is stopped, and how to go on: every failure after the engine was stopped
/// ends with this.
pub fn stopped_note(cluster: &Cluster, b: &Backup) -> String {
    format!(
        "the engine is stopped (0 replicas) and the database holds what it held before the restore \
(the restore runs in one transaction). Run `skyflo restore {} -n {}` again once the cause is fixed, \
or start the engine on the current data with `skyflo upgrade -n {}`",
        b.path.display(),
        cluster.namespace,
        cluster.namespace
    )
}

pub async fn run(
    cluster: &Cluster,
    b: &Backup,
    history: &[Release],
    deployed: &Release,
    timeout: Duration,
    reporter: &dyn Reporter,
) -> Result<u32> {
    let work = |locked: Cluster| async move {
        locked_restore(&locked, b, history, deployed, timeout, reporter).await
    };
    let job = crate::cluster::lock::Job {
        operation: "restore",
        timeout,
        reporter,
        after_lock: None,
    };
    crate::cluster::lock::with_lock(cluster, job, work, crate::cluster::lock::nothing_to_record)
        .await
        .map_err(|e| match e.downcast_ref::<Exit>() {
            // Stopped by a signal: say where that left the engine, as a failure does.
            Some(Exit::Interrupted(_)) => e.context(stopped_note(cluster, b)),
            _ => e,
        })
}

async fn locked_restore(
    cluster: &Cluster,
    b: &Backup,
    history: &[Release],
    deployed: &Release,
    timeout: Duration,
    reporter: &dyn Reporter,
) -> Result<u32> {
    let deadline = crate::cluster::deadline_after(timeout);
    // The deployed spec's replicas, not the Deployment's: after an interrupted restore it is 0.
    let replicas = deployed.spec()?.engine.workload.replicas;
    stop_and_restore(cluster, b, deadline, reporter).await?;
    reporter.line(&format!("starting the engine ({replicas} replica(s))"));
    let generation = backup::scale_engine(cluster, replicas).await?;
    let targets = [Target {
        component: "engine".into(),
        kind: WorkloadKind::Deployment,
        name: format!("{}-engine", cluster.instance),
        min_generation: generation,
    }];
    let mut watches = wait::Watches::start(cluster, &targets);
    let ready =
        wait::wait_ready(cluster, &mut watches, &targets, deadline, timeout, reporter).await;
    // The record is the last write under the lock: the lock goes with it.
    let revision = cluster
        .fence
        .release_with(record(cluster, b, history, deployed, ready.is_ok()))
        .await?;
    ready.map_err(|f| {
        anyhow::Error::new(f).context(Exit::NotReady(format!(
            "the database is restored (revision {revision}), but the engine is not ready"
        )))
    })?;
    Ok(revision)
}

/// Stops the engine (scaled to 0, every pod gone) and restores `b`; the engine stays
/// stopped, for the caller to start (a restore, or a rollback applying the older engine).
pub async fn stop_and_restore(
    cluster: &Cluster,
    b: &Backup,
    deadline: tokio::time::Instant,
    reporter: &dyn Reporter,
) -> Result<()> {
    let pod = backup::postgres_pod(cluster)
        .await
        .map_err(anyhow::Error::msg)?;
    reporter.line("stopping the engine");
    backup::scale_engine(cluster, 0).await?;
    // pg_restore starts (and waits for its input) while the engine's pods go.
    let stopped = std::sync::atomic::AtomicBool::new(false);
    let gate = async {
        backup::engine_stopped(cluster, deadline)
            .await
            .map_err(|e| format!("{e:#}"))?;
        stopped.store(true, std::sync::atomic::Ordering::SeqCst);
        crate::failpoint::hit("restore-engine-stopped");
        // A signal that came while the engine stopped ends the run before the first byte: a
        // small dump would otherwise go out whole, and commit, before the lock's select sees
        // the signal. Waiting here lets the select end the run, as it would between writes.
        if crate::interrupt::requested() {
            std::future::pending::<()>().await;
        }
        reporter.line(&format!("restoring {}", b.path.display()));
        Ok(())
    };
    backup::restore(cluster, &pod, b, gate, &|n| reporter.bytes("restore", n))
        .await
        .map_err(|e| {
            if !stopped.load(std::sync::atomic::Ordering::SeqCst) {
                return anyhow::anyhow!("{e}").context(stopped_note(cluster, b));
            }
            let note = if e.contains(crate::cluster::exec::UNKNOWN) {
                unknown_note(cluster, b)
            } else {
                stopped_note(cluster, b)
            };
            anyhow::anyhow!("{e}").context(note)
        })
}

/// When pg_restore's end was not seen: its one transaction either committed or not at all.
fn unknown_note(cluster: &Cluster, b: &Backup) -> String {
    format!(
        "the engine is stopped (0 replicas); whether pg_restore committed is unknown: it runs in one \
transaction, so the database holds either all of {} or what it held before, nothing in between. Run \
`skyflo restore {} -n {}` again to be sure (it replaces every table), or start the engine on the current \
data with `skyflo upgrade -n {}`",
        b.path.display(),
        b.path.display(),
        cluster.namespace,
        cluster.namespace
    )
}

/// A `restore` revision: the deployed spec and objects, with the backup it put back.
async fn record(
    cluster: &Cluster,
    b: &Backup,
    history: &[Release],
    deployed: &Release,
    ready: bool,
) -> Result<u32> {
    let revision = history.iter().map(|r| r.revision).max().unwrap_or(0) + 1;
    let r = Release {
        revision,
        time: Timestamp::now().to_string(),
        cli_version: env!("CARGO_PKG_VERSION").to_string(),
        operation: "restore".into(),
        outcome: if ready {
            Outcome::Deployed
        } else {
            Outcome::Failed
        },
        message: format!(
            "restored {} (taken {} at revision {})",
            b.path.display(),
            b.meta.created,
            b.meta.revision
        ),
        spec_digest: deployed.spec_digest.clone(),
        spec: deployed.spec.clone(),
        objects: deployed.objects.clone(),
        backup: Some(b.path.display().to_string()),
    };
    release::record(cluster, history, &r).await?;
    Ok(revision)
}
