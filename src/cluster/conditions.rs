//! Readiness judgements: pure functions over the objects the watches show (is a workload
//! rolled out, can a pod still become ready, what to say about it). No I/O.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Pod, PodTemplateSpec};

use crate::render::labels;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
}

/// A workload to wait for.
#[derive(Debug, Clone)]
pub struct Target {
    pub component: String,
    pub kind: WorkloadKind,
    pub name: String,
    /// The generation our apply produced. A watch may first replay an older cached state;
    /// anything older than this is not the rollout we are waiting for.
    pub min_generation: i64,
}

pub fn deployment_ready(d: &Deployment) -> bool {
    let (Some(spec), Some(st)) = (d.spec.as_ref(), d.status.as_ref()) else {
        return false;
    };
    let want = spec.replicas.unwrap_or(1);
    st.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0)
        && st.updated_replicas.unwrap_or(0) == want
        && st.available_replicas.unwrap_or(0) == want
        && st.replicas.unwrap_or(0) == want
}

pub fn stateful_set_ready(s: &StatefulSet) -> bool {
    let (Some(spec), Some(st)) = (s.spec.as_ref(), s.status.as_ref()) else {
        return false;
    };
    let want = spec.replicas.unwrap_or(1);
    st.observed_generation.unwrap_or(0) >= s.metadata.generation.unwrap_or(0)
        && st.ready_replicas.unwrap_or(0) == want
        && st.updated_replicas.unwrap_or(0) == want
        && st.current_revision == st.update_revision
}

/// What identifies a pod template's generation well enough to tell current pods from pods of
/// a previous rollout that are on their way out: images, config checksum, node selector.
fn fingerprint(
    spec: Option<&k8s_openapi::api::core::v1::PodSpec>,
    annotations: Option<&BTreeMap<String, String>>,
) -> String {
    let images: Vec<_> = spec
        .map(|s| {
            s.containers
                .iter()
                .map(|c| c.image.clone().unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    let checksum = annotations
        .and_then(|a| a.get(labels::CHECKSUM))
        .cloned()
        .unwrap_or_default();
    let ns = spec
        .and_then(|s| s.node_selector.clone())
        .unwrap_or_default();
    format!("{images:?}|{checksum}|{ns:?}")
}

pub fn fingerprint_of_template(t: &PodTemplateSpec) -> String {
    fingerprint(
        t.spec.as_ref(),
        t.metadata.as_ref().and_then(|m| m.annotations.as_ref()),
    )
}

pub fn fingerprint_of_pod(p: &Pod) -> String {
    fingerprint(p.spec.as_ref(), p.metadata.annotations.as_ref())
}

pub fn pod_ready(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// Reasons that mean a pod will not become ready without a change.
pub fn fatal_pod_problem(p: &Pod) -> Option<String> {
    let status = p.status.as_ref()?;
    for c in status
        .init_container_statuses
        .iter()
        .flatten()
        .chain(status.container_statuses.iter().flatten())
    {
        let Some(w) = c.state.as_ref().and_then(|s| s.waiting.as_ref()) else {
            continue;
        };
        let reason = w.reason.as_deref().unwrap_or_default();
        let fatal = match reason {
            "ImagePullBackOff"
            | "InvalidImageName"
            | "CreateContainerConfigError"
            | "CreateContainerError"
            | "ErrImageNeverPull" => true,
            // One crash can be a dependency starting late; repeated crashes are not.
            "CrashLoopBackOff" => c.restart_count >= 3,
            _ => false,
        };
        if fatal {
            let msg = w.message.as_deref().unwrap_or_default();
            return Some(format!(
                "container {} is in {reason}{}",
                c.name,
                if msg.is_empty() {
                    String::new()
                } else {
                    format!(": {msg}")
                }
            ));
        }
    }
    for cond in status.conditions.iter().flatten() {
        if cond.type_ == "PodScheduled"
            && cond.status == "False"
            && cond.reason.as_deref() == Some("Unschedulable")
        {
            let msg = cond.message.clone().unwrap_or_default();
            // Waiting for a volume to be provisioned is progress, not a dead end.
            let lower = msg.to_ascii_lowercase();
            if (lower.contains("persistentvolume") || lower.contains("waiting for"))
                && !lower.contains("volume node affinity conflict")
            {
                continue;
            }
            return Some(format!("unschedulable: {msg}"));
        }
    }
    None
}

/// A short note on a pod that is not ready yet (for progress lines).
pub fn pod_note(p: &Pod) -> Option<String> {
    if let Some(problem) = fatal_pod_problem(p) {
        return Some(problem);
    }
    let status = p.status.as_ref()?;
    for c in status.container_statuses.iter().flatten() {
        if let Some(w) = c.state.as_ref().and_then(|s| s.waiting.as_ref()) {
            return Some(format!(
                "{}: {}",
                c.name,
                w.reason.clone().unwrap_or_default()
            ));
        }
    }
    for cond in status.conditions.iter().flatten() {
        if cond.type_ == "PodScheduled" && cond.status == "False" {
            return Some(cond.message.clone().unwrap_or_else(|| "pending".into()));
        }
    }
    None
}

/// What the latest event says about one workload.
pub struct Observed {
    pub ready: i32,
    pub desired: i32,
    pub done: bool,
    pub generation: i64,
    pub template: String,
    /// The Deployment's ReplicaFailure condition: its pods cannot be created at all.
    pub replica_failure: Option<String>,
}

pub fn observe(
    t: &Target,
    deployments: &HashMap<String, Deployment>,
    sets: &HashMap<String, StatefulSet>,
) -> Option<Observed> {
    match t.kind {
        WorkloadKind::Deployment => {
            let d = deployments.get(&t.name)?;
            let status = d.status.as_ref();
            Some(Observed {
                ready: status.and_then(|s| s.ready_replicas).unwrap_or(0),
                desired: d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                done: deployment_ready(d),
                generation: d.metadata.generation.unwrap_or(0),
                template: d
                    .spec
                    .as_ref()
                    .map(|s| fingerprint_of_template(&s.template))?,
                replica_failure: status
                    .and_then(|s| s.conditions.as_ref())
                    .and_then(|cs| {
                        cs.iter()
                            .find(|c| c.type_ == "ReplicaFailure" && c.status == "True")
                    })
                    .map(|c| c.message.clone().unwrap_or_default()),
            })
        }
        WorkloadKind::StatefulSet => {
            let s = sets.get(&t.name)?;
            Some(Observed {
                ready: s
                    .status
                    .as_ref()
                    .and_then(|s| s.ready_replicas)
                    .unwrap_or(0),
                desired: s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                done: stateful_set_ready(s),
                generation: s.metadata.generation.unwrap_or(0),
                template: s
                    .spec
                    .as_ref()
                    .map(|s| fingerprint_of_template(&s.template))?,
                replica_failure: None,
            })
        }
    }
}

fn event_time(e: &Event) -> Option<jiff::Timestamp> {
    e.series
        .as_ref()
        .and_then(|s| s.last_observed_time.as_ref().map(|t| t.0))
        .or_else(|| e.last_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

/// The newest FailedCreate event among `events` about StatefulSet `set` since skyflo last applied it:
/// its pods cannot be created at all (for example a label value that is too long).
pub fn failed_create(events: &HashMap<String, Event>, set: &StatefulSet) -> Option<String> {
    let uid = set.metadata.uid.as_deref()?;
    let applied = set
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .filter(|m| m.manager.as_deref() == Some(labels::MANAGER))
        .filter_map(|m| m.time.as_ref().map(|t| t.0))
        .max()
        .or_else(|| set.metadata.creation_timestamp.as_ref().map(|t| t.0))?;
    events
        .values()
        .filter(|e| e.involved_object.uid.as_deref() == Some(uid))
        .filter_map(|e| Some((event_time(e)?, e)))
        .filter(|(t, _)| *t >= applied)
        .max_by_key(|(t, _)| *t)
        .map(|(_, e)| e.message.clone().unwrap_or_default())
}
