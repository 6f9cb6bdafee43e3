//! Waiting for Deployments and StatefulSets to roll out, with watches (one WATCH request per
//! kind, started at resourceVersion "0" so the first events are the current state), failing
//! fast when a pod can never become ready.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, ListParams, WatchParams};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::conditions::{
    Observed, failed_create, fatal_pod_problem, fingerprint_of_pod, observe, pod_note, pod_ready,
};
pub use super::conditions::{Target, WorkloadKind};
use super::watch::{Ev, State, spawn_watch, spawn_watch_with};
use super::{Cluster, Reporter};
use crate::render::labels;

/// Why waiting stopped without success.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WaitFailure {
    /// A pod can never become ready without a change (crash loop, image pull, scheduling,
    /// admission): reported as soon as it is seen.
    #[error("{component} cannot become ready: {object}: {reason}{event}")]
    Failed {
        component: String,
        object: String,
        reason: String,
        event: String,
    },
    #[error("not ready within {seconds}s: {pending}")]
    Timeout { seconds: u64, pending: String },
    /// The API server refused to let skyflo watch (for example 403): waiting cannot work.
    #[error("{0}")]
    Watch(String),
}

/// A ready pod (not being deleted) of one component of the installation.
pub async fn ready_pod(cluster: &Cluster, component: &str) -> Result<Pod, String> {
    let selector = format!(
        "{},{}={component}",
        labels::instance_selector(&cluster.instance),
        labels::COMPONENT
    );
    cluster
        .typed::<Pod>()
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| format!("listing the {component} pods: {e}"))?
        .items
        .into_iter()
        .find(|p| pod_ready(p) && p.metadata.deletion_timestamp.is_none())
        .ok_or_else(|| {
            format!(
                "no ready {component} pod in namespace {}; see `skyflo status`",
                cluster.namespace
            )
        })
}

/// The latest Warning event for an object, as `Reason: message`.
pub async fn latest_warning(cluster: &Cluster, name: &str) -> Option<String> {
    let api: Api<Event> = cluster.typed();
    let list = api
        .list(&ListParams::default().fields(&format!("involvedObject.name={name},type=Warning")))
        .await
        .ok()?;
    list.items
        .into_iter()
        .max_by_key(|e| {
            e.last_timestamp
                .as_ref()
                .map(|t| t.0)
                .or_else(|| e.event_time.as_ref().map(|t| t.0))
                .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
        })
        .map(|e| {
            format!(
                "{}: {}",
                e.reason.unwrap_or_default(),
                e.message.unwrap_or_default()
            )
        })
}

/// The watches a rollout waits with. They are opened once and kept across the stages of an
/// install, so a staged install opens each watch once, and what they have shown stays known.
pub struct Watches {
    rx: mpsc::UnboundedReceiver<Ev>,
    state: State,
}

impl Watches {
    /// Watches for every kind among `targets` (of all the stages that will be waited for).
    pub fn start(cluster: &Cluster, targets: &[Target]) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let selector = labels::instance_selector(&cluster.instance);
        if targets.iter().any(|t| t.kind == WorkloadKind::Deployment) {
            spawn_watch(
                cluster.typed::<Deployment>(),
                selector.clone(),
                tx.clone(),
                Ev::Deploy,
            );
        }
        if targets.iter().any(|t| t.kind == WorkloadKind::StatefulSet) {
            spawn_watch(
                cluster.typed::<StatefulSet>(),
                selector.clone(),
                tx.clone(),
                Ev::Sts,
            );
            // StatefulSets have no ReplicaFailure condition: their controller only says it in
            // events.
            spawn_watch_with(
                cluster.typed::<Event>(),
                WatchParams::default()
                    .fields("involvedObject.kind=StatefulSet,reason=FailedCreate"),
                tx.clone(),
                Ev::Event,
            );
        }
        spawn_watch(cluster.typed::<Pod>(), selector, tx, Ev::Pod);
        Watches {
            rx,
            state: State::default(),
        }
    }

    /// The next event and whatever else has already arrived, so a burst is judged once.
    async fn next(
        &mut self,
        cluster: &Cluster,
        targets: &[Target],
        deadline: Instant,
        timeout: Duration,
    ) -> Result<(), WaitFailure> {
        let ev = match tokio::time::timeout_at(deadline, self.rx.recv()).await {
            Ok(Some(ev)) => ev,
            Ok(None) => {
                return Err(WaitFailure::Timeout {
                    seconds: timeout.as_secs(),
                    pending: "every watch on the cluster ended".into(),
                });
            }
            Err(_) => return Err(timed_out(cluster, targets, &self.state, timeout).await),
        };
        self.state.apply(ev).map_err(WaitFailure::Watch)?;
        while let Ok(ev) = self.rx.try_recv() {
            self.state.apply(ev).map_err(WaitFailure::Watch)?;
        }
        Ok(())
    }
}

/// Waits until every target has rolled out, a pod fails for good, or `deadline` passes.
/// What `watches` already know is judged first: kept watches send nothing new for a workload
/// that is already ready.
pub async fn wait_ready(
    cluster: &Cluster,
    watches: &mut Watches,
    targets: &[Target],
    deadline: Instant,
    timeout: Duration,
    reporter: &dyn Reporter,
) -> Result<(), WaitFailure> {
    if targets.is_empty() {
        return Ok(());
    }
    let mut shown: BTreeMap<String, (i32, i32, String, bool)> = BTreeMap::new();
    let mut deleted: std::collections::HashSet<String> = Default::default();
    loop {
        let state = &watches.state;
        let mut all_ready = true;
        for t in targets {
            let Some(o) = observe(t, &state.deployments, &state.sets) else {
                all_ready = false;
                continue;
            };
            if o.generation < t.min_generation {
                all_ready = false;
                continue;
            }
            let note = judge(cluster, t, &o, state, &mut deleted, reporter).await?;
            all_ready &= o.done;
            let view = (o.ready, o.desired, note.clone(), o.done);
            if shown.get(&t.component) != Some(&view) {
                if o.done {
                    reporter
                        .component_done(&t.component, &format!("{}/{} ready", o.ready, o.desired));
                } else {
                    reporter.component(&t.component, o.ready, o.desired, &note);
                }
                shown.insert(t.component.clone(), view);
            }
        }
        if all_ready {
            return Ok(());
        }
        watches.next(cluster, targets, deadline, timeout).await?;
    }
}

async fn timed_out(
    cluster: &Cluster,
    targets: &[Target],
    state: &State,
    timeout: Duration,
) -> WaitFailure {
    if let Some((since, error)) = &state.outage {
        return WaitFailure::Timeout {
            seconds: timeout.as_secs(),
            pending: format!(
                "the API server at {} has not answered for {} s ({error}); the rollout may still be going on: \
check with `skyflo status` once it is back",
                cluster.server,
                since.elapsed().as_secs()
            ),
        };
    }
    let pending = summarize_pending(
        cluster,
        targets,
        &state.deployments,
        &state.sets,
        &state.pods,
    )
    .await;
    WaitFailure::Timeout {
        seconds: timeout.as_secs(),
        pending,
    }
}

/// Fails fast when a target can never become ready; otherwise returns a progress note.
async fn judge(
    cluster: &Cluster,
    t: &Target,
    o: &Observed,
    state: &State,
    deleted: &mut std::collections::HashSet<String>,
    reporter: &dyn Reporter,
) -> Result<String, WaitFailure> {
    let (kind, failure) = match t.kind {
        WorkloadKind::Deployment => ("Deployment", o.replica_failure.clone()),
        WorkloadKind::StatefulSet => (
            "StatefulSet",
            state
                .sets
                .get(&t.name)
                .filter(|_| !o.done)
                .and_then(|s| failed_create(&state.events, s)),
        ),
    };
    if let Some(msg) = failure {
        return Err(WaitFailure::Failed {
            component: t.component.clone(),
            object: format!("{kind} {}/{}", cluster.namespace, t.name),
            reason: format!("pods cannot be created: {msg}"),
            event: String::new(),
        });
    }
    if o.done {
        return Ok(String::new());
    }
    // Only pods of the current template count: old ones are being replaced.
    let current: Vec<&Pod> = state
        .pods
        .values()
        .filter(|p| {
            p.metadata.deletion_timestamp.is_none()
                && p.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(labels::COMPONENT))
                    == Some(&t.component)
                && o.template == fingerprint_of_pod(p)
        })
        .collect();
    if t.kind == WorkloadKind::StatefulSet {
        delete_stale_pods(cluster, t, state, deleted, reporter).await;
    }
    for p in &current {
        if let Some(problem) = fatal_pod_problem(p) {
            let pod_name = p.metadata.name.clone().unwrap_or_default();
            let event = latest_warning(cluster, &pod_name)
                .await
                .map(|e| format!(" (latest event: {e})"))
                .unwrap_or_default();
            return Err(WaitFailure::Failed {
                component: t.component.clone(),
                object: format!("pod {}/{pod_name}", cluster.namespace),
                reason: problem,
                event,
            });
        }
    }
    Ok(current.iter().find_map(|p| pod_note(p)).unwrap_or_default())
}

/// A StatefulSet does not replace a pod of an earlier revision that never became ready (the
/// documented "forced rollback" limitation); such a pod is deleted so the controller recreates
/// it from the current template.
async fn delete_stale_pods(
    cluster: &Cluster,
    t: &Target,
    state: &State,
    deleted: &mut std::collections::HashSet<String>,
    reporter: &dyn Reporter,
) {
    let Some(update) = state
        .sets
        .get(&t.name)
        .and_then(|s| s.status.as_ref()?.update_revision.clone())
    else {
        return;
    };
    for p in state.pods.values() {
        let l = p.metadata.labels.clone().unwrap_or_default();
        let stale = l.get(labels::COMPONENT) == Some(&t.component)
            && l.get("controller-revision-hash")
                .is_some_and(|h| *h != update)
            && p.metadata.deletion_timestamp.is_none()
            && !pod_ready(p);
        let name = p.metadata.name.clone().unwrap_or_default();
        if !stale || deleted.contains(&name) || cluster.fence.check().await.is_err() {
            continue;
        }
        deleted.insert(name.clone());
        reporter.line(&format!("deleting pod {name}: it is from an earlier revision and not ready, so the StatefulSet would wait for it forever"));
        let _ = cluster
            .typed::<Pod>()
            .delete(&name, &Default::default())
            .await;
    }
}

async fn summarize_pending(
    cluster: &Cluster,
    targets: &[Target],
    deployments: &HashMap<String, Deployment>,
    sets: &HashMap<String, StatefulSet>,
    pods: &HashMap<String, Pod>,
) -> String {
    let mut parts = Vec::new();
    for t in targets {
        let (ready, desired, done) = observe(t, deployments, sets)
            .map(|o| (o.ready, o.desired, o.done))
            .unwrap_or((0, 0, false));
        if done {
            continue;
        }
        let pod = pods.values().find(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(labels::COMPONENT))
                == Some(&t.component)
                && pod_note(p).is_some()
        });
        let mut why = pod.and_then(pod_note).unwrap_or_default();
        let subject = pod
            .and_then(|p| p.metadata.name.clone())
            .unwrap_or_else(|| t.name.clone());
        if let Some(e) = latest_warning(cluster, &subject).await {
            why = if why.is_empty() {
                e
            } else {
                format!("{why}; latest event: {e}")
            };
        }
        parts.push(format!(
            "{} {ready}/{desired} ready{}",
            t.component,
            if why.is_empty() {
                String::new()
            } else {
                format!(" ({why})")
            }
        ));
    }
    parts.join("; ")
}
