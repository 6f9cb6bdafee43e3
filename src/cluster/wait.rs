//! Waiting for Deployments and StatefulSets to roll out, with watches (one WATCH request per
//! kind, started at resourceVersion "0" so the first events are the current state), failing
//! fast when a pod can never become ready.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use anyhow::Result;
use futures::StreamExt;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Pod, PodTemplateSpec};
use kube::Resource;
use kube::api::{Api, ListParams, WatchEvent, WatchParams};
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{Cluster, Reporter};
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

/// One watch per kind, kept alive for as long as the receiver is. A closed stream resumes from
/// the last resourceVersion seen; after 410 Gone it starts over from "0" and first sends
/// [`Ev::Reset`], so the receiver rebuilds its state from the fresh list instead of keeping
/// objects deleted in between. An unreachable API server (a restart) is retried with backoff
/// and reported as [`Ev::Outage`]; an answer such as 403 ends the watch with [`Ev::Fatal`].
pub(crate) fn spawn_watch<K>(
    api: Api<K>,
    selector: String,
    tx: mpsc::UnboundedSender<Ev>,
    wrap: fn(WatchEvent<K>) -> Ev,
) where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    spawn_watch_with(api, WatchParams::default().labels(&selector), tx, wrap);
}

pub(crate) fn spawn_watch_with<K>(
    api: Api<K>,
    params: WatchParams,
    tx: mpsc::UnboundedSender<Ev>,
    wrap: fn(WatchEvent<K>) -> Ev,
) where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    let what = std::any::type_name::<K>()
        .rsplit("::")
        .next()
        .unwrap_or("objects");
    let what = format!("{what}s");
    tokio::spawn(async move {
        let mut rv = "0".to_string();
        let mut backoff = Duration::from_millis(250);
        loop {
            if rv == "0" && tx.send(Ev::Reset(what.clone())).is_err() {
                return;
            }
            let stream = match api.watch(&params.clone().timeout(290), &rv).await {
                Ok(s) => s,
                Err(kube::Error::Api(s)) if s.code == 410 => {
                    rv = "0".into();
                    continue;
                }
                Err(kube::Error::Api(s)) => {
                    let _ = tx.send(Ev::Fatal(format!(
                        "cannot watch {what}: {} ({})",
                        s.message, s.code
                    )));
                    return;
                }
                Err(e) => {
                    if tx.send(Ev::Outage(e.to_string())).is_err() {
                        return;
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                    continue;
                }
            };
            if backoff > Duration::from_millis(250) && tx.send(Ev::Reconnected).is_err() {
                return;
            }
            backoff = Duration::from_millis(250);
            let mut stream = std::pin::pin!(stream);
            while let Some(ev) = stream.next().await {
                match ev {
                    Ok(WatchEvent::Error(s)) if s.code == 410 => {
                        rv = "0".into();
                        break;
                    }
                    Ok(WatchEvent::Error(s)) => {
                        let _ = tx.send(Ev::Fatal(format!(
                            "watching {what}: {} ({})",
                            s.message, s.code
                        )));
                        return;
                    }
                    Ok(WatchEvent::Bookmark(b)) => rv = b.metadata.resource_version,
                    Ok(e) => {
                        if let WatchEvent::Added(o)
                        | WatchEvent::Modified(o)
                        | WatchEvent::Deleted(o) = &e
                            && let Some(v) = o.meta().resource_version.clone()
                        {
                            rv = v;
                        }
                        if tx.send(wrap(e)).is_err() {
                            return;
                        }
                    }
                    Err(_) => break,
                }
            }
            if tx.is_closed() {
                return;
            }
        }
    });
}

pub(crate) enum Ev {
    Deploy(WatchEvent<Deployment>),
    Sts(WatchEvent<StatefulSet>),
    Pod(WatchEvent<Pod>),
    Event(WatchEvent<Event>),
    /// A watch starts over from a full list: forget what it had sent.
    Reset(String),
    /// The API server could not be reached; the watch keeps retrying.
    Outage(String),
    /// A watch works again after an outage.
    Reconnected,
    /// The API server refused the watch (403, 404, …): waiting cannot work.
    Fatal(String),
}

fn apply_event<K: Resource>(map: &mut HashMap<String, K>, ev: WatchEvent<K>) {
    match ev {
        WatchEvent::Added(o) | WatchEvent::Modified(o) => {
            let name = o.meta().name.clone().unwrap_or_default();
            map.insert(name, o);
        }
        WatchEvent::Deleted(o) => {
            map.remove(o.meta().name.as_deref().unwrap_or_default());
        }
        _ => {}
    }
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

fn fingerprint_of_template(t: &PodTemplateSpec) -> String {
    fingerprint(
        t.spec.as_ref(),
        t.metadata.as_ref().and_then(|m| m.annotations.as_ref()),
    )
}

fn fingerprint_of_pod(p: &Pod) -> String {
    fingerprint(p.spec.as_ref(), p.metadata.annotations.as_ref())
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

/// What the latest event says about one workload.
struct Observed {
    ready: i32,
    desired: i32,
    done: bool,
    generation: i64,
    template: String,
    /// The Deployment's ReplicaFailure condition: its pods cannot be created at all.
    replica_failure: Option<String>,
}

fn observe(
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

/// What the watches have shown so far.
#[derive(Default)]
struct State {
    deployments: HashMap<String, Deployment>,
    sets: HashMap<String, StatefulSet>,
    pods: HashMap<String, Pod>,
    events: HashMap<String, Event>,
    /// Since when the API server has not answered, and its last error.
    outage: Option<(Instant, String)>,
}

impl State {
    fn apply(&mut self, ev: Ev) -> Result<(), WaitFailure> {
        match ev {
            Ev::Deploy(e) => apply_event(&mut self.deployments, e),
            Ev::Sts(e) => apply_event(&mut self.sets, e),
            Ev::Pod(e) => apply_event(&mut self.pods, e),
            Ev::Event(e) => apply_event(&mut self.events, e),
            Ev::Reset(what) => match what.as_str() {
                "Deployments" => self.deployments.clear(),
                "StatefulSets" => self.sets.clear(),
                "Pods" => self.pods.clear(),
                _ => self.events.clear(),
            },
            Ev::Outage(e) => {
                let since = self.outage.take().map_or_else(Instant::now, |(t, _)| t);
                self.outage = Some((since, e));
            }
            Ev::Reconnected => self.outage = None,
            Ev::Fatal(msg) => return Err(WaitFailure::Watch(msg)),
        }
        Ok(())
    }

    /// The newest FailedCreate event about StatefulSet `set` since skyflo last applied it:
    /// its pods cannot be created at all (for example a label value that is too long).
    fn failed_create(&self, set: &StatefulSet) -> Option<String> {
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
        self.events
            .values()
            .filter(|e| e.involved_object.uid.as_deref() == Some(uid))
            .filter_map(|e| Some((event_time(e)?, e)))
            .filter(|(t, _)| *t >= applied)
            .max_by_key(|(t, _)| *t)
            .map(|(_, e)| e.message.clone().unwrap_or_default())
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
        self.state.apply(ev)?;
        while let Ok(ev) = self.rx.try_recv() {
            self.state.apply(ev)?;
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
                .and_then(|s| state.failed_create(s)),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str) -> Pod {
        let mut p = Pod::default();
        p.metadata.name = Some(name.into());
        p
    }

    #[test]
    fn a_relist_forgets_objects_deleted_while_the_watch_was_down() {
        let mut s = State::default();
        s.apply(Ev::Pod(WatchEvent::Added(pod("a")))).unwrap();
        s.apply(Ev::Pod(WatchEvent::Added(pod("b")))).unwrap();
        // The watch restarts from "0" (410 Gone): only "b" still exists.
        s.apply(Ev::Reset("Pods".into())).unwrap();
        s.apply(Ev::Pod(WatchEvent::Added(pod("b")))).unwrap();
        assert_eq!(s.pods.keys().collect::<Vec<_>>(), vec!["b"]);
    }

    #[test]
    fn outages_are_remembered_until_a_watch_reconnects_and_refusals_end_the_wait() {
        let mut s = State::default();
        s.apply(Ev::Outage("connection refused".into())).unwrap();
        let since = s.outage.as_ref().unwrap().0;
        s.apply(Ev::Outage("connection refused again".into()))
            .unwrap();
        assert_eq!(
            s.outage.as_ref().unwrap().0,
            since,
            "the outage keeps its start"
        );
        s.apply(Ev::Reconnected).unwrap();
        assert!(s.outage.is_none());
        let e = s
            .apply(Ev::Fatal("cannot watch Pods: forbidden (403)".into()))
            .unwrap_err();
        assert!(e.to_string().contains("forbidden"));
    }
}
