//! The test control plane behaves like a real cluster: rollouts, claims, PodSecurity
//! admission, namespace finalization, NodePort allocation.

mod common;

use common::*;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Namespace, PersistentVolumeClaim, Service};
use kube::api::{Api, DeleteParams, ListParams, PostParams};

fn deployment(name: &str, replicas: i32, root: bool) -> Deployment {
    let security = if root {
        serde_json::json!({"runAsUser": 0})
    } else {
        serde_json::json!({
            "runAsNonRoot": true, "runAsUser": 1000, "allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}
        })
    };
    serde_json::from_value(serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "securityContext": security}]}
            }
        }
    }))
    .unwrap()
}

#[tokio::test]
async fn deployment_with_two_replicas_becomes_available() {
    let ns = TestNamespace::create("tc-deploy", false).await;
    let api: Api<Deployment> = Api::namespaced(ns.client.clone(), &ns.name);
    api.create(&PostParams::default(), &deployment("web", 2, false))
        .await
        .unwrap();
    eventually(60, "2 available replicas", || async {
        let d = api.get("web").await.ok()?;
        (d.status?.available_replicas == Some(2)).then_some(())
    })
    .await;
}

#[tokio::test]
async fn stateful_set_with_claim_becomes_ready_and_bound() {
    let ns = TestNamespace::create("tc-sts", false).await;
    let sts: StatefulSet = serde_json::from_value(serde_json::json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "db"},
        "spec": {
            "serviceName": "db", "replicas": 1,
            "selector": {"matchLabels": {"app": "db"}},
            "template": {"metadata": {"labels": {"app": "db"}},
                "spec": {"containers": [{"name": "db", "image": "postgres:15"}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]
        }
    }))
    .unwrap();
    let api: Api<StatefulSet> = Api::namespaced(ns.client.clone(), &ns.name);
    api.create(&PostParams::default(), &sts).await.unwrap();
    eventually(60, "statefulset ready", || async {
        let s = api.get("db").await.ok()?;
        (s.status?.ready_replicas == Some(1)).then_some(())
    })
    .await;
    let pvcs: Api<PersistentVolumeClaim> = Api::namespaced(ns.client.clone(), &ns.name);
    let claim = pvcs.get("data-db-0").await.unwrap();
    assert_eq!(claim.status.unwrap().phase.as_deref(), Some("Bound"));
}

#[tokio::test]
async fn pod_security_restricted_rejects_root_pods() {
    let ns = TestNamespace::create("tc-psa", true).await;
    let api: Api<Deployment> = Api::namespaced(ns.client.clone(), &ns.name);
    api.create(&PostParams::default(), &deployment("rooty", 1, true))
        .await
        .unwrap();
    let events: Api<Event> = Api::namespaced(ns.client.clone(), &ns.name);
    let msg = eventually(60, "a FailedCreate event", || async {
        let list = events.list(&ListParams::default()).await.ok()?;
        list.items
            .into_iter()
            .find(|e| e.reason.as_deref() == Some("FailedCreate"))
            .map(|e| {
                (
                    e.involved_object.kind.unwrap_or_default(),
                    e.message.unwrap_or_default(),
                )
            })
    })
    .await;
    let (kind, msg) = msg;
    assert_eq!(kind, "ReplicaSet", "the ReplicaSet records it");
    assert!(msg.contains("PodSecurity"), "{msg}");
    let d = api.get("rooty").await.unwrap();
    assert_eq!(d.status.and_then(|s| s.ready_replicas).unwrap_or(0), 0);
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(ns.client.clone(), &ns.name);
    assert!(
        pods.list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

#[tokio::test]
async fn deleting_a_namespace_with_a_deployment_completes() {
    let client = client().await;
    let name = unique_name("tc-nsdel");
    let mut ns = Namespace::default();
    ns.metadata.name = Some(name.clone());
    let nss: Api<Namespace> = Api::all(client.clone());
    nss.create(&PostParams::default(), &ns).await.unwrap();
    let api: Api<Deployment> = Api::namespaced(client.clone(), &name);
    api.create(&PostParams::default(), &deployment("web", 1, false))
        .await
        .unwrap();
    eventually(60, "deployment available", || async {
        (api.get("web").await.ok()?.status?.available_replicas == Some(1)).then_some(())
    })
    .await;
    nss.delete(&name, &DeleteParams::default()).await.unwrap();
    eventually(90, "namespace gone", || async {
        match nss.get_opt(&name).await {
            Ok(None) => Some(()),
            _ => None,
        }
    })
    .await;
}

#[tokio::test]
async fn a_taken_node_port_is_rejected() {
    let ns = TestNamespace::create("tc-nodeport", false).await;
    let api: Api<Service> = Api::namespaced(ns.client.clone(), &ns.name);
    let svc = |name: &str| -> Service {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"type": "NodePort", "selector": {"app": "x"},
                "ports": [{"port": 80, "protocol": "TCP", "nodePort": 32555}]}
        }))
        .unwrap()
    };
    api.create(&PostParams::default(), &svc("first"))
        .await
        .unwrap();
    let err = api
        .create(&PostParams::default(), &svc("second"))
        .await
        .expect_err("a second Service on the same nodePort must be rejected");
    assert!(
        err.to_string()
            .contains("provided port is already allocated"),
        "{err}"
    );
}

#[tokio::test]
async fn template_passes_server_side_dry_run_under_restricted() {
    let ns = TestNamespace::create("tc-tpl", true).await;
    // The default spec with node ports of its own, so that an installation elsewhere in the
    // cluster (another test) does not hold them.
    let dir = tempfile::tempdir().unwrap();
    let spec = std::fs::read_to_string("examples/skyflo.yaml")
        .unwrap()
        .replace("nodePort: 30080", "nodePort: 32180")
        .replace("nodePort: 30081", "nodePort: 32181");
    let spec_file = write_spec(&dir, "skyflo.yaml", &spec);
    let out = skyflo(&[
        "template",
        "-n",
        &ns.name,
        "-f",
        &spec_file,
        "--include-generated-secrets",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let file = dir.path().join("all.yaml");
    std::fs::write(&file, &out.stdout).unwrap();
    let applied = kubectl(&[
        "apply",
        "--server-side",
        "--dry-run=server",
        "-f",
        file.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&applied.stderr);
    assert!(applied.status.success(), "{stderr}");
    assert!(
        !stderr.contains("Warning"),
        "PodSecurity warnings: {stderr}"
    );
    let stdout = String::from_utf8_lossy(&applied.stdout);
    assert_eq!(
        stdout
            .matches("serverside-applied (server dry run)")
            .count(),
        30,
        "{stdout}"
    );
}
