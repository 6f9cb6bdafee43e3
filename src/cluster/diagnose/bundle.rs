//! What a support bundle collects: every part is read on its own; one the user may not read
//! (or that fails) is listed in the index with the reason, never a reason to stop. Everything
//! passes through the [`Redactor`] before it is returned.

use anyhow::Result;
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::api::{Api, ListParams, LogParams};
use serde::Serialize;
use serde_json::{Value, json};

use super::{check, status};
use crate::cluster::{Cluster, Reporter, inventory, release};
use crate::redact::Redactor;
use crate::render::labels;

/// One file of the bundle.
pub struct Part {
    pub path: String,
    pub content: Vec<u8>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Missing {
    pub part: String,
    pub reason: String,
}

#[derive(Default)]
pub struct Collected {
    pub parts: Vec<Part>,
    pub missing: Vec<Missing>,
}

impl Collected {
    fn json(&mut self, path: &str, value: &Value, r: &Redactor) {
        let redacted = r.object(value);
        self.parts.push(Part {
            path: path.to_string(),
            content: serde_json::to_vec_pretty(&redacted).unwrap_or_default(),
        });
    }

    fn text(&mut self, path: &str, text: &str, r: &Redactor) {
        self.parts.push(Part {
            path: path.to_string(),
            content: r.text(text).into_bytes(),
        });
    }

    fn miss(&mut self, part: &str, e: impl std::fmt::Display) {
        self.missing.push(Missing {
            part: part.to_string(),
            reason: format!("{e:#}"),
        });
    }
}

pub async fn collect(cluster: &Cluster, reporter: &dyn Reporter) -> Result<Collected> {
    let mut out = Collected::default();
    let pods: Vec<Pod> = match cluster
        .typed::<Pod>()
        .list(&ListParams::default().labels(&labels::instance_selector(&cluster.instance)))
        .await
    {
        Ok(l) => l.items,
        Err(e) => {
            out.miss("pods", &e);
            Vec::new()
        }
    };
    let known = super::secrets::known(cluster, &pods).await;
    for (what, why) in &known.unread {
        out.miss(
            &format!("values of {what} (for redaction; pattern-based redaction still applies)"),
            why,
        );
    }
    let r = Redactor::new(known.values);
    reporter.line("collecting versions, status and checks");
    versions(cluster, &mut out, &r).await;
    match status::read(cluster).await {
        Ok(s) => out.json("status.json", &serde_json::to_value(&s)?, &r),
        Err(e) => out.miss("status.json", e),
    }
    let history = release::list(cluster).await;
    let spec = match &history {
        Ok(h) => release::last_deployed(h)
            .or(h.last())
            .map(|rel| rel.spec.clone()),
        Err(_) => None,
    };
    match &history {
        Ok(h) => {
            let rows: Vec<Value> = h
                .iter()
                .map(|rel| json!({"revision": rel.revision, "time": rel.time, "cliVersion": rel.cli_version,
                    "operation": rel.operation, "outcome": rel.outcome, "message": rel.message,
                    "specDigest": rel.spec_digest, "objects": rel.objects}))
                .collect();
            out.json("history.json", &Value::Array(rows), &r);
        }
        Err(e) => out.miss("history.json", e),
    }
    match &spec {
        Some(raw) => out.json("spec.json", &serde_json::to_value(raw)?, &r),
        None => out.miss("spec.json", "no release record"),
    }
    checks(cluster, spec, &mut out, &r).await;
    reporter.line("collecting objects, events, pods and nodes");
    objects(cluster, &mut out, &r).await;
    events_and_nodes(cluster, &mut out, &r).await;
    for p in &pods {
        let name = p.metadata.name.clone().unwrap_or_default();
        out.json(&format!("pods/{name}.json"), &serde_json::to_value(p)?, &r);
    }
    reporter.line(&format!("collecting the logs of {} pod(s)", pods.len()));
    logs(cluster, &pods, &mut out, &r).await;
    Ok(out)
}

async fn versions(cluster: &Cluster, out: &mut Collected, r: &Redactor) {
    let server = cluster.client.apiserver_version().await;
    let v = json!({
        "skyflo": env!("CARGO_PKG_VERSION"),
        "kubernetes": server.as_ref().map(|v| v.git_version.clone()).ok(),
        "namespace": cluster.namespace,
        "instance": cluster.instance,
    });
    if let Err(e) = server {
        out.miss("version.json (cluster version)", e);
    }
    out.json("version.json", &v, r);
}

async fn checks(
    cluster: &Cluster,
    spec: Option<crate::spec::RawSkyfloAI>,
    out: &mut Collected,
    r: &Redactor,
) {
    let loaded = crate::spec::Loaded {
        raw: spec.unwrap_or_default(),
        source: crate::spec::SourceMap::unnamed("the deployed spec"),
        unknown_keys: Vec::new(),
    };
    let spec = match crate::spec::validate::validate(&loaded) {
        Ok(s) => s,
        Err(e) => return out.miss("check.json", format!("no valid deployed spec: {e}")),
    };
    match check::run(cluster, &spec).await {
        Ok(c) => out.json(
            "check.json",
            &serde_json::to_value(&c.checks).unwrap_or_default(),
            r,
        ),
        Err(e) => out.miss("check.json", e),
    }
}

async fn objects(cluster: &Cluster, out: &mut Collected, r: &Redactor) {
    match inventory::read_parallel(cluster).await {
        Ok(live) => {
            for (key, obj) in &live.objects {
                let path = format!("objects/{}-{}.json", key.kind, key.name);
                out.json(&path, &serde_json::to_value(obj).unwrap_or_default(), r);
            }
        }
        Err(e) => out.miss("objects", e),
    }
}

async fn events_and_nodes(cluster: &Cluster, out: &mut Collected, r: &Redactor) {
    match cluster.typed::<Event>().list(&ListParams::default()).await {
        Ok(l) => out.json(
            "events.json",
            &serde_json::to_value(&l.items).unwrap_or_default(),
            r,
        ),
        Err(e) => out.miss("events.json", e),
    }
    match Api::<Node>::all(cluster.client.clone())
        .list(&ListParams::default())
        .await
    {
        Ok(l) => {
            let nodes: Vec<Value> = l
                .items
                .iter()
                .map(|n| {
                    let st = n.status.clone().unwrap_or_default();
                    json!({"name": n.metadata.name, "conditions": st.conditions,
                        "capacity": st.capacity, "allocatable": st.allocatable,
                        "nodeInfo": st.node_info, "taints": n.spec.as_ref().and_then(|s| s.taints.clone())})
                })
                .collect();
            out.json("nodes.json", &Value::Array(nodes), r);
        }
        Err(e) => out.miss("nodes.json", e),
    }
}

async fn logs(cluster: &Cluster, pods: &[Pod], out: &mut Collected, r: &Redactor) {
    let api = cluster.typed::<Pod>();
    for p in pods {
        let pod = p.metadata.name.clone().unwrap_or_default();
        let spec = p.spec.clone().unwrap_or_default();
        let containers = spec
            .init_containers
            .iter()
            .flatten()
            .chain(spec.containers.iter());
        for c in containers {
            for previous in [false, true] {
                let lp = LogParams {
                    container: Some(c.name.clone()),
                    tail_lines: Some(1000),
                    previous,
                    ..Default::default()
                };
                let suffix = if previous { ".previous.log" } else { ".log" };
                let path = format!("logs/{pod}/{}{suffix}", c.name);
                match api.logs(&pod, &lp).await {
                    Ok(text) => out.text(&path, &text, r),
                    Err(e) => out.miss(&path, e),
                }
            }
        }
    }
}
