//! The install / upgrade / rollback pipeline: read live state → reuse generated secrets →
//! render → plan → lock → apply stage by stage, waiting after each → prune → record → unlock.

use std::time::Duration;

use anyhow::{Context, Result};
use jiff::Timestamp;
use tokio::time::Instant;

use super::plan::{Action, Plan};
use super::release::{self, Outcome, Release};
use super::wait::{self, Target, WaitFailure, WorkloadKind};
use super::{Cluster, Reporter, apply, inventory, lock, plan};
use crate::error::Exit;
use crate::render::{self, Inputs, LlmCredentials, Names, Object, Rendered, Stage, secrets};
use crate::spec::Spec;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Install,
    Upgrade,
    Rollback,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Install => "install",
            Operation::Upgrade => "upgrade",
            Operation::Rollback => "rollback",
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

/// True when every workload in `live` is already rolled out (no wait needed after a no-op).
fn live_workloads_ready(live: &inventory::Live, rendered: &[Rendered]) -> bool {
    rendered.iter().all(|r| {
        let key = r.object.object_ref();
        match &r.object {
            Object::Deployment(_) => live
                .objects
                .get(&key)
                .and_then(|o| serde_json::from_value(serde_json::to_value(o).ok()?).ok())
                .is_some_and(|d| wait::deployment_ready(&d)),
            Object::StatefulSet(_) => live
                .objects
                .get(&key)
                .and_then(|o| serde_json::from_value(serde_json::to_value(o).ok()?).ok())
                .is_some_and(|s| wait::stateful_set_ready(&s)),
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
}

/// Everything up to the plan; no writes.
pub async fn prepare(
    cluster: &Cluster,
    spec: &Spec,
    given: &std::collections::BTreeMap<String, String>,
) -> Result<Prepared> {
    let live = inventory::read(cluster).await?;
    if live.namespace_terminating() {
        anyhow::bail!(
            "namespace {} is being deleted; wait until it is gone (kubectl get namespace {}) and try again",
            cluster.namespace,
            cluster.namespace
        );
    }
    let history = live.releases.clone();
    let existing = inventory::existing_secrets(cluster, &live).await?;
    let generated = secrets::resolve(&existing);
    let credentials = llm_credentials(cluster, &live, given);
    prepare_with(cluster, spec, live, history, generated, credentials).await
}

/// Credentials given now, or else the ones stored by an earlier run.
pub fn llm_credentials(
    cluster: &Cluster,
    live: &inventory::Live,
    given: &std::collections::BTreeMap<String, String>,
) -> LlmCredentials {
    if !given.is_empty() {
        return LlmCredentials::New(given.clone());
    }
    let key = crate::render::ObjectRef {
        kind: "Secret".into(),
        namespace: Some(cluster.namespace.clone()),
        name: format!("{}-llm-credentials", cluster.instance),
    };
    if live.objects.contains_key(&key) {
        LlmCredentials::Existing
    } else {
        LlmCredentials::None
    }
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
        generated: generated.clone(),
        llm_credentials,
    };
    let rendered = render::render(spec, &inputs);
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
    })
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

pub async fn deploy(
    cluster: &Cluster,
    spec: &Spec,
    opts: &Options,
    reporter: &dyn Reporter,
) -> Result<Deployed> {
    let prepared = prepare(cluster, spec, &opts.llm_credentials).await?;
    let previous = release::last_deployed(&prepared.history).map(|r| r.revision);
    if opts.operation == Operation::Upgrade && previous.is_none() {
        return Err(Exit::NotInstalled(format!(
            "no skyflo release {:?} in namespace {}; run `skyflo install` first",
            cluster.instance, cluster.namespace
        ))
        .into());
    }
    if !prepared.plan.blocked.is_empty() {
        return Err(blocked_error(&prepared.plan));
    }
    if opts.plan_only {
        return Ok(Deployed {
            plan: prepared.plan,
            revision: None,
            previous,
        });
    }
    let digest = release::digest(&spec.raw);
    let up_to_date = !prepared.plan.has_changes()
        && release::last_deployed(&prepared.history).is_some_and(|r| r.spec_digest == digest);
    if up_to_date {
        // Nothing to write. Workloads that are not ready (scaled, rescheduled) are waited for,
        // without a lock or a new revision, since this run changes nothing.
        if opts.wait && !live_workloads_ready(&prepared.live, &prepared.rendered) {
            let deadline = Instant::now() + opts.timeout;
            for stage in [Stage::Data, Stage::Apps] {
                let t = targets(&prepared.rendered, stage, &Default::default());
                wait::wait_ready(cluster, &t, deadline, opts.timeout, reporter)
                    .await
                    .map_err(|f| {
                        anyhow::Error::new(f)
                            .context(Exit::NotReady("the installation is not ready".into()))
                    })?;
            }
        }
        return Ok(Deployed {
            plan: prepared.plan,
            revision: None,
            previous,
        });
    }

    let (c, u, same, p) = prepared.plan.count();
    reporter.line(&format!(
        "plan: {c} to create, {u} to change, {p} to prune, {same} unchanged"
    ));

    // The lock lives in the namespace, so a fresh install creates the namespace first.
    let namespace_obj = prepared
        .rendered
        .iter()
        .find(|r| r.stage == Stage::Namespace)
        .expect("render always has the namespace")
        .clone();
    let mut prepared = prepared;
    if !prepared.live.namespace_exists() {
        apply::apply_one(cluster, &namespace_obj.object).await?;
        // Stage 1 need not send it again.
        prepared
            .applied_early
            .push(namespace_obj.object.object_ref());
    }
    let names = Names {
        instance: cluster.instance.clone(),
        namespace: cluster.namespace.clone(),
    };
    let lock = lock::acquire(cluster, &names.lock(), opts.operation.as_str()).await?;
    let revision = prepared
        .history
        .iter()
        .map(|r| r.revision)
        .max()
        .unwrap_or(0)
        + 1;

    let run = run_locked(cluster, spec, opts, reporter, &prepared, revision, &digest);
    let result = tokio::select! {
        r = run => r,
        _ = tokio::signal::ctrl_c() => Err(crate::error::Exit::Interrupted.into()),
    };
    if let Err(e) = &result {
        // Record the failure (also on Ctrl-C) so history shows it; a rollout failure has
        // already recorded its own revisions.
        if e.downcast_ref::<RolloutFailed>().is_none() {
            let _ = record(
                cluster,
                spec,
                &prepared,
                revision,
                opts.operation,
                Outcome::Failed,
                &format!("{e:#}"),
                &digest,
            )
            .await;
        }
    }
    lock.release().await?;
    result.map(|()| Deployed {
        plan: prepared.plan,
        revision: Some(revision),
        previous,
    })
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
    for stage in Stage::ALL {
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
        if opts.wait {
            let t = targets(&prepared.rendered, stage, &generations);
            wait::wait_ready(cluster, &t, deadline, opts.timeout, reporter)
                .await
                .map_err(WaitFailureOr::Wait)?;
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
    reporter: &dyn Reporter,
    deadline: Instant,
) -> Result<()> {
    let mut pending = Vec::new();
    for key in &plan.prune {
        if let Some(uid) = apply::delete(cluster, key).await? {
            pending.push((key.clone(), uid));
        }
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
    let deadline = Instant::now() + opts.timeout;
    apply_and_wait(cluster, prepared, opts, reporter, deadline).await?;
    prune(cluster, &prepared.plan, reporter, deadline)
        .await
        .map_err(WaitFailureOr::Other)?;
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
    record(
        cluster,
        spec,
        prepared,
        revision,
        opts.operation,
        Outcome::Failed,
        &failure.to_string(),
        digest,
    )
    .await
    .context("recording the failed revision")?;
    let mut rollback = String::new();
    if opts.atomic {
        rollback = match release::last_deployed(&prepared.history).cloned() {
            None => "\n--atomic: there is no earlier revision to roll back to".to_string(),
            Some(prev) => {
                reporter.line(&format!(
                    "--atomic: rolling back to revision {}",
                    prev.revision
                ));
                match roll_back_to(cluster, &prev, prepared, opts, reporter, revision + 1).await {
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

async fn roll_back_to(
    cluster: &Cluster,
    prev: &Release,
    failed: &Prepared,
    opts: &Options,
    reporter: &dyn Reporter,
    revision: u32,
) -> Result<()> {
    let spec = prev.spec()?;
    let live = inventory::read(cluster).await?;
    let history = live.releases.clone();
    let credentials = llm_credentials(cluster, &live, &Default::default());
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
