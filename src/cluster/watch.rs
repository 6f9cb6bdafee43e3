//! Watch streams: one WATCH per kind that survives closed streams, 410 Gone and API-server
//! outages, and the state they have shown so far. Used by the wait loop, `status --watch`
//! and `logs -f`.

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::Resource;
use kube::api::{Api, WatchEvent, WatchParams};
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;
use tokio::time::Instant;

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

/// What the watches have shown so far.
#[derive(Default)]
pub struct State {
    pub deployments: HashMap<String, Deployment>,
    pub sets: HashMap<String, StatefulSet>,
    pub pods: HashMap<String, Pod>,
    pub events: HashMap<String, Event>,
    /// Since when the API server has not answered, and its last error.
    pub outage: Option<(Instant, String)>,
}

impl State {
    /// Takes in one event; `Err` with the API server's refusal when a watch cannot go on.
    pub(crate) fn apply(&mut self, ev: Ev) -> Result<(), String> {
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
            Ev::Fatal(msg) => return Err(msg),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::api::WatchEvent;

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
