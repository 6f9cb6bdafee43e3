//! What the steps of the write pipeline share: the operation and its options, the prepared
//! plan, the [`Run`] that carries them through the locked steps, and the workloads to wait for.

use std::time::Duration;

use super::plan::Plan;
use crate::cluster::release::Release;
use crate::cluster::wait::{Target, WaitFailure, WorkloadKind};
use crate::cluster::{Reporter, inventory};
use crate::render::{self, Object, Rendered, Stage, secrets};
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
    /// The spec as deployed when it differs from the one given (an exposure kept).
    pub kept: Option<Spec>,
}

/// A failed rollout, with what `--atomic` did about it.
#[derive(Debug, thiserror::Error)]
#[error("{failure}{rollback}")]
pub struct RolloutFailed {
    pub failure: WaitFailure,
    pub revision: u32,
    pub rollback: String,
}

pub struct Prepared {
    /// The spec as deployed when it differs from the one given (an exposure kept).
    pub spec: Option<Spec>,
    /// What the plan must say besides its changes.
    pub notes: Vec<String>,
    /// Objects applied before the stages ran: the namespace of a fresh install, which the
    /// lock needs; an adoption's first Secrets, which its takeover applies under the lock.
    pub applied_early: Vec<crate::render::ObjectRef>,
    pub rendered: Vec<Rendered>,
    pub plan: Plan,
    pub live: inventory::Live,
    pub history: Vec<Release>,
    pub generated: secrets::Generated,
    /// The backup this run took before changing the engine image.
    pub backup: std::sync::OnceLock<crate::cluster::data::backup::Backup>,
}

/// What the locked steps of one deploy share: the spec and its prepared plan, the run's
/// options and reporter, and the revision it writes.
pub struct Run<'a> {
    pub spec: &'a Spec,
    pub prepared: &'a Prepared,
    pub opts: &'a Options,
    pub reporter: &'a dyn Reporter,
    pub revision: u32,
    /// `opts.operation`, except for the rollback `--atomic` runs after a failure.
    pub operation: Operation,
}

pub fn targets(
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
pub fn all_targets(rendered: &[Rendered]) -> Vec<Target> {
    Stage::ALL
        .into_iter()
        .flat_map(|stage| targets(rendered, stage, &Default::default()))
        .collect()
}
