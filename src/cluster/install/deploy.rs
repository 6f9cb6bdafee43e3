//! The install / upgrade / rollback pipeline: read live state → reuse generated secrets →
//! render → plan → lock → apply stage by stage, waiting after each → prune → record → unlock.

use anyhow::Result;

use super::model::{Prepared, Run, all_targets, targets};
use super::plan::Plan;
use super::prepare::{blocked_error, prepare};
use super::rollout;
use crate::cluster::release;
use crate::cluster::wait;
use crate::cluster::{Cluster, Reporter, apply, deadline_after, inventory};
use crate::error::Exit;
use crate::render::{Object, Rendered, Stage};
use crate::spec::Spec;

pub use super::model::{BackupTo, Deployed, Operation, Options, RolloutFailed};
pub use super::prepare::engine_image_change;

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
    let deadline = deadline_after(opts.timeout);
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

/// The Secrets an adoption's takeover applies before the stages: the stages skip them.
fn adoption_stores_early(cluster: &Cluster, prepared: &mut Prepared) {
    let early: Vec<_> = prepared
        .rendered
        .iter()
        .map(|r| r.object.object_ref())
        .filter(|key| crate::cluster::adopt::stored_early(cluster, key))
        .collect();
    prepared.applied_early.extend(early);
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
    for note in &prepared.notes {
        reporter.line(note);
    }
    let kept = prepared.spec.take();
    let spec = kept.as_ref().unwrap_or(spec);
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
        kept: kept.clone(),
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
    if opts.adopt.is_some() {
        adoption_stores_early(cluster, &mut prepared);
    }
    let revision = prepared
        .history
        .iter()
        .map(|r| r.revision)
        .max()
        .unwrap_or(0)
        + 1;
    let run = Run {
        spec,
        prepared: &prepared,
        opts,
        reporter,
        revision,
        operation: opts.operation,
    };
    rollout::under_lock(cluster, &run).await?;
    Ok(done(prepared, Some(revision)))
}
