//! `skyflo logs`: the logs of every pod of the chosen components, interleaved line by line,
//! each line prefixed with its component and pod (like stern or `kubectl logs -l`). With
//! `follow`, pods that appear later (a rollout) are picked up as they start.

use std::collections::HashSet;

use anyhow::{Context, Result};
use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, LogParams, WatchEvent};
use tokio::sync::mpsc;

use crate::cluster::Cluster;
use crate::cluster::watch::{Ev, spawn_watch};
use crate::render::labels;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Components to show (ui, engine, mcp, postgres, redis); empty: all.
    pub components: Vec<String>,
    pub follow: bool,
    pub since_seconds: Option<i64>,
    pub tail: Option<i64>,
    pub previous: bool,
}

/// One line of output: `component pod/container` and the line.
pub type Line = (String, String);

fn selector(cluster: &Cluster, o: &Options) -> String {
    let base = labels::instance_selector(&cluster.instance);
    if o.components.is_empty() {
        base
    } else {
        format!(
            "{base},{} in ({})",
            labels::COMPONENT,
            o.components.join(",")
        )
    }
}

/// The installation's pods the options select.
pub async fn pods(cluster: &Cluster, o: &Options) -> Result<Vec<Pod>> {
    Ok(cluster
        .typed::<Pod>()
        .list(&ListParams::default().labels(&selector(cluster, o)))
        .await
        .context("listing the installation's pods")?
        .items)
}

/// Streams into `out` until every log ends (or, with `follow`, until the receiver is
/// dropped). Errors of single containers become lines of their own; listing pods is fatal.
pub async fn stream(
    cluster: &Cluster,
    o: &Options,
    out: mpsc::UnboundedSender<Line>,
) -> Result<()> {
    // The streams' client: a quiet container must not end `logs -f` by a read timeout.
    let api: Api<Pod> = cluster.stream_pods();
    let sel = selector(cluster, o);
    let pods = api
        .list(&ListParams::default().labels(&sel))
        .await
        .context("listing the installation's pods")?
        .items;
    let mut started: HashSet<(String, String)> = HashSet::new();
    let mut tasks = Vec::new();
    for p in &pods {
        tasks.extend(start_pod(&api, p, o, &out, &mut started));
    }
    if !o.follow {
        futures::future::join_all(tasks).await;
        return Ok(());
    }
    // New pods (a rollout): their containers are streamed from their start.
    let (tx, mut rx) = mpsc::unbounded_channel();
    spawn_watch(api.clone(), sel, tx, Ev::Pod);
    while let Some(ev) = rx.recv().await {
        if let Ev::Pod(WatchEvent::Added(p) | WatchEvent::Modified(p)) = ev
            && running(&p)
        {
            let from_start = Options {
                tail: None,
                since_seconds: None,
                ..o.clone()
            };
            start_pod(&api, &p, &from_start, &out, &mut started);
        }
        if out.is_closed() {
            break;
        }
    }
    Ok(())
}

fn running(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_none()
        && p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
}

fn start_pod(
    api: &Api<Pod>,
    p: &Pod,
    o: &Options,
    out: &mpsc::UnboundedSender<Line>,
    started: &mut HashSet<(String, String)>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let pod = p.metadata.name.clone().unwrap_or_default();
    let component = p
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(labels::COMPONENT))
        .cloned()
        .unwrap_or_default();
    let containers = p
        .spec
        .iter()
        .flat_map(|s| s.containers.iter().map(|c| c.name.clone()));
    let mut tasks = Vec::new();
    for container in containers.collect::<Vec<_>>() {
        if !started.insert((pod.clone(), container.clone())) {
            continue;
        }
        let lp = LogParams {
            container: Some(container.clone()),
            follow: o.follow,
            since_seconds: o.since_seconds,
            tail_lines: o.tail,
            previous: o.previous,
            ..Default::default()
        };
        let prefix = format!("{component} {pod}/{container}");
        let (api, out) = (api.clone(), out.clone());
        let pod = pod.clone();
        let follow = o.follow;
        tasks.push(tokio::spawn(async move {
            match api.log_stream(&pod, &lp).await {
                Ok(reader) => {
                    let mut lines = reader.lines();
                    let end = loop {
                        match lines.next().await {
                            Some(Ok(line)) => {
                                if out.send((prefix.clone(), line)).is_err() {
                                    return;
                                }
                            }
                            Some(Err(e)) => break format!("(log stream lost: {e})"),
                            None => break "(log ended: the container stopped)".to_string(),
                        }
                    };
                    // Following, an end is news: never a silent stop.
                    if follow {
                        let _ = out.send((prefix, end));
                    }
                }
                Err(e) => {
                    let _ = out.send((
                        prefix,
                        format!("(no log: {})", crate::cluster::errors::message(&e)),
                    ));
                }
            }
        }));
    }
    tasks
}
