//! status, uninstall and check against the test control plane.

mod common;

use common::*;
use k8s_openapi::api::core::v1::{Namespace, PersistentVolumeClaim, Secret, Service};
use k8s_openapi::api::rbac::v1::ClusterRoleBinding;
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use tokio::sync::RwLock;

/// The "no default StorageClass" test changes cluster-wide state; every test here that
/// creates claims holds the read side, that one the write side.
static STORAGE: RwLock<()> = RwLock::const_new(());

fn status_json(ns: &str) -> (Option<i32>, serde_json::Value) {
    let out = skyflo(&["status", "-n", ns, "-o", "json"]);
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code(), v)
}

async fn pg_password(ns: &TestNamespace) -> String {
    let s = Api::<Secret>::namespaced(ns.client.clone(), &ns.name)
        .get("skyflo-postgres-secrets")
        .await
        .unwrap();
    String::from_utf8(s.data.unwrap()["POSTGRES_PASSWORD"].0.clone()).unwrap()
}

#[tokio::test]
async fn status_of_a_healthy_install_then_drift_after_kubectl_scale() {
    let _g = STORAGE.read().await;
    let Installed {
        ns,
        dir: _dir,
        file: _file,
    } = installed("life-status").await;

    let (code, v) = status_json(&ns.name);
    assert_eq!(code, Some(0), "{v}");
    for key in [
        "uiStatus",
        "engineStatus",
        "mcpStatus",
        "postgresStatus",
        "redisStatus",
    ] {
        let c = &v[key];
        assert_eq!(c["phase"], "Ready", "{key}: {v}");
        for field in ["message", "readyReplicas", "desiredReplicas"] {
            assert!(!c[field].is_null(), "{key}.{field}");
        }
        assert_eq!(c["readyReplicas"], c["desiredReplicas"]);
    }
    let ready = v["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Ready")
        .unwrap();
    for field in ["type", "status", "reason", "message", "lastTransitionTime"] {
        assert!(ready[field].is_string(), "condition.{field}: {ready}");
    }
    assert_eq!(ready["status"], "True");
    assert_eq!(v["release"]["revision"], 1);
    assert_eq!(v["drift"], serde_json::json!([]));
    assert!(v["lock"].is_null());

    let table = skyflo(&["status", "-n", &ns.name]);
    let out = String::from_utf8_lossy(&table.stdout);
    assert!(
        out.contains("COMPONENT") && out.contains("engine") && out.contains("Release: revision 1"),
        "{out}"
    );
    assert!(
        out.contains("inside the cluster only: skyflo dashboard -n")
            && out.contains(
                "Exposure: the UI is reachable inside the cluster only; MCP access level"
            ),
        "{out}"
    );

    let scaled = kubectl(&[
        "scale",
        "deployment",
        "skyflo-ui",
        "-n",
        &ns.name,
        "--replicas=3",
    ]);
    assert!(scaled.status.success());
    let (_, v) = status_json(&ns.name);
    let drift = v["drift"].as_array().unwrap();
    let d = drift
        .iter()
        .find(|d| d["field"] == "spec.replicas")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(d["object"]["name"], "skyflo-ui");
    assert_eq!(d["live"], 3);
    assert_eq!(d["desired"], 1);
    let drifted = v["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Drifted")
        .unwrap();
    assert_eq!(drifted["status"], "True");

    // A deleted Service is drift too.
    assert!(
        kubectl(&["delete", "service", "skyflo-engine", "-n", &ns.name])
            .status
            .success()
    );
    let (_, v) = status_json(&ns.name);
    assert!(
        v["drift"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["object"]["name"] == "skyflo-engine" && d["live"] == "deleted"),
        "{v}"
    );
}

#[tokio::test]
async fn status_names_why_a_pod_cannot_be_scheduled_and_exits_3() {
    let _g = STORAGE.read().await;
    let ns = TestNamespace::reserve("life-unsched").await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_spec(
        &dir,
        "s.yaml",
        &spec_yaml("  nodeSelector: {disktype: unobtainium}\n"),
    );
    let out = skyflo(&[
        "install",
        "-n",
        &ns.name,
        "-f",
        &file,
        "--no-wait",
        "--skip-checks",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v = eventually(30, "status to see the unschedulable pod", || async {
        let (code, v) = status_json(&ns.name);
        let msg = v["engineStatus"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        (code == Some(3) && msg.contains("unschedulable")).then_some(v)
    })
    .await;
    assert_eq!(v["engineStatus"]["phase"], "NotReady");
    assert!(
        v["engineStatus"]["message"]
            .as_str()
            .unwrap()
            .contains("didn't match Pod's node affinity/selector"),
        "{v}"
    );
    let table = skyflo(&["status", "-n", &ns.name]);
    assert_eq!(table.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&table.stdout).contains("unschedulable"));
}

#[tokio::test]
async fn uninstall_keeps_data_and_a_new_install_reuses_it() {
    let _g = STORAGE.read().await;
    let Installed {
        ns,
        dir: _dir,
        file,
    } = installed("life-keep").await;
    let password = pg_password(&ns).await;
    let jwt = {
        let s = Api::<Secret>::namespaced(ns.client.clone(), &ns.name)
            .get("skyflo-engine-secrets")
            .await
            .unwrap();
        s.data.unwrap()["JWT_SECRET"].0.clone()
    };
    let pvcs: Api<PersistentVolumeClaim> = Api::namespaced(ns.client.clone(), &ns.name);
    let claim_uid = pvcs
        .get("postgres-data-skyflo-postgres-0")
        .await
        .unwrap()
        .metadata
        .uid;

    // Without a terminal and without --yes, nothing happens.
    let refused = skyflo(&["uninstall", "-n", &ns.name]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));

    let out = skyflo(&["uninstall", "-n", &ns.name, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("= PersistentVolumeClaim"), "{stdout}");
    assert!(stdout.contains("(5Gi)"), "sizes are listed: {stdout}");
    assert!(stdout.contains("= Secret"), "{stdout}");
    let left = kubectl(&[
        "get",
        "deploy,sts,svc,cm,networkpolicy",
        "-n",
        &ns.name,
        "-l",
        "app.kubernetes.io/managed-by=skyflo",
        "-o",
        "name",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&left.stdout).trim(),
        "",
        "workloads and config are gone"
    );
    let crbs = Api::<ClusterRoleBinding>::all(ns.client.clone())
        .list(&ListParams::default().labels(&format!("skyflo.ai/namespace={}", ns.name)))
        .await
        .unwrap();
    assert!(crbs.items.is_empty(), "cluster-scoped RBAC is removed");
    assert_eq!(
        status_json(&ns.name).0,
        Some(5),
        "status: nothing installed"
    );
    let again = skyflo(&["uninstall", "-n", &ns.name, "--yes"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stdout).contains("Nothing to uninstall"));

    assert_eq!(install(&ns.name, &file, &[]).status.code(), Some(0));
    assert_eq!(
        pg_password(&ns).await,
        password,
        "the same PostgreSQL password"
    );
    let s = Api::<Secret>::namespaced(ns.client.clone(), &ns.name)
        .get("skyflo-engine-secrets")
        .await
        .unwrap();
    assert_eq!(s.data.unwrap()["JWT_SECRET"].0, jwt, "the same JWT secret");
    assert_eq!(
        pvcs.get("postgres-data-skyflo-postgres-0")
            .await
            .unwrap()
            .metadata
            .uid,
        claim_uid,
        "the same claim"
    );
}

#[tokio::test]
async fn purge_leaves_nothing_behind() {
    let _g = STORAGE.read().await;
    let Installed {
        ns,
        dir: _dir,
        file: _file,
    } = installed("life-purge").await;
    let out = skyflo(&[
        "uninstall",
        "-n",
        &ns.name,
        "--purge",
        "--yes",
        "--timeout",
        "90s",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let gone = Api::<Namespace>::all(ns.client.clone())
        .get_opt(&ns.name)
        .await
        .unwrap();
    assert!(
        gone.is_none(),
        "the namespace is gone when uninstall returns"
    );
    let crbs = Api::<ClusterRoleBinding>::all(ns.client.clone())
        .list(&ListParams::default().labels(&format!("skyflo.ai/namespace={}", ns.name)))
        .await
        .unwrap();
    assert!(crbs.items.is_empty());
    let any = Api::<ClusterRoleBinding>::all(ns.client.clone())
        .list(&ListParams::default())
        .await
        .unwrap();
    assert!(
        !any.items
            .iter()
            .any(|b| b.metadata.name.as_deref() == Some(&format!("skyflo-mcp-{}", ns.name)))
    );
}

#[tokio::test]
async fn check_reports_a_taken_node_port() {
    let _g = STORAGE.read().await;
    let other = TestNamespace::create("life-port", false).await;
    let svc: Service = serde_json::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "squatter"},
        "spec": {"type": "NodePort", "selector": {"app": "x"},
            "ports": [{"port": 80, "protocol": "TCP", "nodePort": 31955}]}
    }))
    .unwrap();
    Api::<Service>::namespaced(other.client.clone(), &other.name)
        .create(&PostParams::default(), &svc)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = write_spec(
        &dir,
        "s.yaml",
        &spec_yaml("").replace(
            "    service: {type: ClusterIP}\n  engine:",
            "    service: {type: NodePort, nodePort: 31955}\n  engine:",
        ),
    );
    let out = skyflo(&["check", "-n", "life-port-target", "-f", &file]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(stdout.contains("✗ node ports"), "{stdout}");
    assert!(
        stdout.contains(&format!("taken by Service {}/squatter", other.name)),
        "{stdout}"
    );
    // install runs the same checks first and writes nothing.
    let inst = skyflo(&["install", "-n", "life-port-target", "-f", &file]);
    assert_eq!(inst.status.code(), Some(1), "{}", text(&inst));
    assert!(String::from_utf8_lossy(&inst.stderr).contains("pre-flight checks failed"));
    let ns = Api::<Namespace>::all(other.client.clone())
        .get_opt("life-port-target")
        .await
        .unwrap();
    assert!(ns.is_none(), "nothing was written");
    let json = skyflo(&["check", "-n", "life-port-target", "-f", &file, "-o", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["passed"], false);
}

#[tokio::test]
async fn check_reports_a_missing_default_storage_class() {
    let _g = STORAGE.write().await;
    let client = client().await;
    let classes: Api<StorageClass> = Api::all(client.clone());
    let set_default = |on: bool| {
        let classes = classes.clone();
        async move {
            let patch = serde_json::json!({"metadata": {"annotations": {
                "storageclass.kubernetes.io/is-default-class": if on { "true" } else { "false" }}}});
            classes
                .patch(
                    "kwok-volume",
                    &PatchParams::default(),
                    &Patch::Merge(&patch),
                )
                .await
                .unwrap();
        }
    };
    set_default(false).await;
    let out = skyflo(&["check", "-n", "life-sc"]);
    set_default(true).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        stdout.contains("✗ storage") && stdout.contains("no default StorageClass"),
        "{stdout}"
    );
    // With everything in place the same check passes.
    let ok = skyflo(&["check", "-n", "life-sc"]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
}

#[tokio::test]
async fn check_lists_the_permissions_a_read_only_user_lacks() {
    let ns = TestNamespace::create("life-reader", false).await;
    assert!(
        kubectl(&["create", "serviceaccount", "reader", "-n", &ns.name])
            .status
            .success()
    );
    let binding = format!("reader-view-{}", ns.name);
    assert!(
        kubectl(&[
            "create",
            "clusterrolebinding",
            &binding,
            "--clusterrole=view",
            &format!("--serviceaccount={}:reader", ns.name)
        ])
        .status
        .success()
    );
    let token = kubectl(&[
        "create",
        "token",
        "reader",
        "-n",
        &ns.name,
        "--duration=10m",
    ]);
    assert!(token.status.success());
    let token = String::from_utf8(token.stdout).unwrap().trim().to_string();
    let admin = std::fs::read_to_string(kubeconfig()).unwrap();
    let server = admin
        .lines()
        .find_map(|l| l.trim().strip_prefix("server: "))
        .unwrap();
    let ca = admin
        .lines()
        .find_map(|l| l.trim().strip_prefix("certificate-authority-data: "))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("reader.kubeconfig");
    std::fs::write(
        &kc,
        format!("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {{server: '{server}', certificate-authority-data: {ca}}}\nusers:\n- name: reader\n  user: {{token: {token}}}\ncontexts:\n- name: r\n  context: {{cluster: c, user: reader}}\ncurrent-context: r\n"),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_skyflo"))
        .args([
            "check",
            "-n",
            &ns.name,
            "--kubeconfig",
            kc.to_str().unwrap(),
        ])
        .env("SKYFLO_CONFIG", "/nonexistent")
        .output()
        .unwrap();
    let _ = kubectl(&["delete", "clusterrolebinding", &binding]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("✗ permissions"), "{stdout}");
    for missing in [
        "create namespaces",
        "create deployments.apps",
        "create secrets",
        "create clusterrolebindings.rbac.authorization.k8s.io",
        "bind clusterroles.rbac.authorization.k8s.io/cluster-admin",
    ] {
        assert!(stdout.contains(missing), "{missing}: {stdout}");
    }
}

/// Audit entries of requests that `user` made to `resource` (SelfSubjectRulesReviews …).
fn audited(user: &str, resource: &str) -> usize {
    let log = kubeconfig().parent().unwrap().join("logs/audit.log");
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["stage"] == "ResponseComplete" && e["user"]["username"] == user)
        .filter(|e| e["objectRef"]["resource"] == resource)
        .count()
}

/// A namespace admin (a RoleBinding, nothing cluster-wide): the namespace's rules review
/// answers every namespaced right, and the cluster-scoped ones are missing, since no
/// RoleBinding grants them. With a ClusterRole for exactly those (binding only cluster-admin,
/// by name) the check passes, still from rules reviews alone.
#[tokio::test]
async fn check_answers_permissions_from_rules_reviews() {
    let ns = TestNamespace::create("life-nsadmin", false).await;
    let dir = tempfile::tempdir().unwrap();
    let kc = service_account_kubeconfig(&ns.name, "ops", "--clusterrole=admin", dir.path());
    let user = format!("system:serviceaccount:{}:ops", ns.name);
    let leases = kubectl(&[
        "create",
        "role",
        "ops-leases",
        "-n",
        &ns.name,
        "--verb=get,create,update,delete",
        "--resource=leases.coordination.k8s.io",
    ]);
    assert!(leases.status.success(), "{}", text(&leases));
    let bind = kubectl(&[
        "create",
        "rolebinding",
        "ops-leases",
        "-n",
        &ns.name,
        "--role=ops-leases",
        &format!("--serviceaccount={}:ops", ns.name),
    ]);
    assert!(bind.status.success(), "{}", text(&bind));
    let out = skyflo_via(&kc, &["check", "-n", &ns.name], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let line = stdout
        .lines()
        .find(|l| l.contains("✗ permissions"))
        .unwrap_or_else(|| panic!("{stdout}"));
    // `admin` grants `get namespaces` within the namespace only: not the cluster-wide right.
    for missing in [
        "get namespaces",
        "create namespaces",
        "patch namespaces",
        "create clusterrolebindings.rbac.authorization.k8s.io",
        "bind clusterroles.rbac.authorization.k8s.io/cluster-admin",
    ] {
        assert!(line.contains(missing), "{missing}: {line}");
    }
    for granted in [
        "deployments",
        "secrets",
        "services",
        "leases",
        "statefulsets",
    ] {
        assert!(!line.contains(granted), "{granted} is granted: {line}");
    }

    let role = format!("ops-cluster-{}", ns.name);
    let cluster_role = format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: {role}}}\nrules:\n\
- {{apiGroups: [''], resources: [namespaces], verbs: [get, create, patch]}}\n\
- {{apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create, patch, delete]}}\n\
- {{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind], resourceNames: [cluster-admin]}}\n"
    );
    assert!(
        kubectl_stdin(&["create", "-f", "-"], &cluster_role)
            .status
            .success()
    );
    let crb = kubectl(&[
        "create",
        "clusterrolebinding",
        &role,
        &format!("--clusterrole={role}"),
        &format!("--serviceaccount={}:ops", ns.name),
    ]);
    assert!(crb.status.success(), "{}", text(&crb));
    let reviews_before = audited(&user, "selfsubjectrulesreviews");
    let access_before = audited(&user, "selfsubjectaccessreviews");
    let ok = skyflo_via(&kc, &["check", "-n", &ns.name], &[]);
    let _ = kubectl(&["delete", "clusterrolebinding", &role]);
    let _ = kubectl(&["delete", "clusterrole", &role]);
    let stdout = String::from_utf8_lossy(&ok.stdout).to_string();
    assert!(stdout.contains("✓ permissions"), "{}", text(&ok));
    // The namespace exists: one review for it, one for cluster-scoped rights; no access
    // review at all, not even for the named ClusterRole.
    assert!(stdout.contains("0 asked one by one"), "{stdout}");
    eventually(10, "the rules reviews in the audit log", || async {
        (audited(&user, "selfsubjectrulesreviews") == reviews_before + 2).then_some(())
    })
    .await;
    assert_eq!(audited(&user, "selfsubjectaccessreviews"), access_before);
}

#[tokio::test]
async fn uninstall_names_what_a_finalizer_holds_when_time_runs_out() {
    let _g = STORAGE.read().await;
    let Installed {
        ns,
        dir: _dir,
        file: _file,
    } = installed("life-final").await;
    let hold = r#"{"metadata":{"finalizers":["example.com/hold"]}}"#;
    assert!(
        kubectl(&[
            "patch",
            "configmap",
            "skyflo-ui-config",
            "-n",
            &ns.name,
            "--type=merge",
            "-p",
            hold
        ])
        .status
        .success()
    );
    let out = skyflo(&["uninstall", "-n", &ns.name, "--yes", "--timeout", "3s"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        stderr.contains("ConfigMap") && stderr.contains("skyflo-ui-config"),
        "{stderr}"
    );
    assert!(
        stderr.contains("held by finalizers: example.com/hold"),
        "{stderr}"
    );
    let release = r#"{"metadata":{"finalizers":null}}"#;
    assert!(
        kubectl(&[
            "patch",
            "configmap",
            "skyflo-ui-config",
            "-n",
            &ns.name,
            "--type=merge",
            "-p",
            release
        ])
        .status
        .success()
    );
    // The lock was released: a second uninstall finishes the job.
    let again = skyflo(&["uninstall", "-n", &ns.name, "--yes"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
}

#[tokio::test]
async fn status_watch_redraws_when_something_changes() {
    let _g = STORAGE.read().await;
    let Installed {
        ns,
        dir: _dir,
        file: _file,
    } = installed("life-watch").await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_skyflo"))
        .args([
            "status",
            "--watch",
            "-o",
            "json",
            "-n",
            &ns.name,
            "--kubeconfig",
        ])
        .arg(kubeconfig())
        .env("SKYFLO_CONFIG", "/nonexistent")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<serde_json::Value>();
    std::thread::spawn(move || {
        let stream = serde_json::Deserializer::from_reader(stdout).into_iter::<serde_json::Value>();
        for v in stream.flatten() {
            if tx.send(v).is_err() {
                break;
            }
        }
    });
    let first = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("a first status");
    assert_eq!(first["uiStatus"]["desiredReplicas"], 1);
    assert!(
        kubectl(&[
            "scale",
            "deployment",
            "skyflo-ui",
            "-n",
            &ns.name,
            "--replicas=2"
        ])
        .status
        .success()
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut seen = false;
    while std::time::Instant::now() < deadline {
        if let Ok(v) = rx.recv_timeout(std::time::Duration::from_secs(1))
            && v["uiStatus"]["desiredReplicas"] == 2
        {
            seen = true;
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(seen, "status --watch printed the change");
}

#[tokio::test]
async fn check_warns_about_an_upstream_installation() {
    let _g = STORAGE.read().await;
    let upstream = TestNamespace::create("life-upstream", false).await;
    let helm = TestNamespace::create("life-helm", false).await;
    // What upstream's install.sh leaves: a skyflo-engine Service without any label; and what
    // its chart leaves for a release called `prod` (the name holds no "skyflo").
    install_sh_engine_service(&upstream.name);
    helm_chart_engine_service(&helm.name);
    let out = skyflo(&["check", "-n", "life-upstream-target"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a warning is not a failure: {}",
        text(&out)
    );
    assert!(stdout.contains("! upstream"), "{stdout}");
    for ns in [&upstream.name, &helm.name] {
        let adopt = format!("skyflo adopt -n {ns}");
        assert!(stdout.contains(&adopt), "{adopt}: {stdout}");
    }
    for found in [
        format!(
            "install.sh in namespace {} (Service skyflo-engine)",
            upstream.name
        ),
        format!(
            "Helm release {}/prod (Service prod-skyflo-engine)",
            helm.name
        ),
    ] {
        assert!(stdout.contains(&found), "{found}: {stdout}");
    }
}

/// Installing beside an upstream installation would start a second, empty Skyflo while the
/// data stays in the first: refused before any write, naming it, also with --dry-run.
#[tokio::test]
async fn install_beside_an_upstream_installation_is_refused() {
    let helm = TestNamespace::create("life-beside-helm", false).await;
    let script = TestNamespace::create("life-beside-sh", false).await;
    helm_chart_engine_service(&helm.name);
    install_sh_engine_service(&script.name);
    let dir = tempfile::tempdir().unwrap();
    let file = write_spec(&dir, "s.yaml", &spec_yaml(""));
    for (ns, found) in [
        (&helm.name, format!("Helm release {}/prod", helm.name)),
        (
            &script.name,
            format!("install.sh in namespace {}", script.name),
        ),
    ] {
        for extra in [&[][..], &["--dry-run"][..]] {
            let mut args = vec!["install", "-n", ns.as_str(), "-f", &file, "--skip-checks"];
            args.extend_from_slice(extra);
            let out = skyflo(&args);
            assert_eq!(out.status.code(), Some(1), "{}", text(&out));
            assert!(text(&out).contains(&found), "{}", text(&out));
            let adopt = format!("skyflo adopt -n {ns}");
            assert!(text(&out).contains(&adopt), "{}", text(&out));
        }
        let ours = kubectl(&[
            "get",
            "all,secret,configmap",
            "-n",
            ns,
            "-l",
            "app.kubernetes.io/managed-by=skyflo",
            "-o",
            "name",
        ]);
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout).trim(),
            "",
            "nothing was written"
        );
    }
}

#[tokio::test]
async fn purge_asks_for_the_namespace_name_on_a_terminal() {
    let _g = STORAGE.read().await;
    let Installed {
        ns,
        dir,
        file: _file,
    } = installed("life-ask").await;
    let bin = env!("CARGO_BIN_EXE_skyflo");
    let run = |answer: &str, tag: &str| -> String {
        let done = dir.path().join(format!("done-{tag}"));
        let session = format!("skyflo-purge-{}-{tag}", std::process::id());
        let command = format!(
            "NO_COLOR=1 SKYFLO_CONFIG=/nonexistent {bin} uninstall --purge -n {} --kubeconfig {}; echo $? > {}; sleep 30",
            ns.name,
            kubeconfig().display(),
            done.display()
        );
        assert!(
            std::process::Command::new("tmux")
                .args([
                    "new-session",
                    "-d",
                    "-s",
                    &session,
                    "-x",
                    "200",
                    "-y",
                    "50",
                    &command
                ])
                .status()
                .unwrap()
                .success()
        );
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let screen = || {
            let o = std::process::Command::new("tmux")
                .args(["capture-pane", "-p", "-t", &session])
                .output()
                .unwrap();
            String::from_utf8_lossy(&o.stdout).into_owned()
        };
        while !screen().contains("Type the namespace name to confirm") {
            assert!(
                std::time::Instant::now() < deadline,
                "no prompt: {}",
                screen()
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        std::process::Command::new("tmux")
            .args(["send-keys", "-t", &session, "-l", answer])
            .status()
            .unwrap();
        std::process::Command::new("tmux")
            .args(["send-keys", "-t", &session, "Enter"])
            .status()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !done.exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "uninstall did not finish: {}",
                screen()
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let code = std::fs::read_to_string(&done).unwrap().trim().to_string();
        let _ = std::process::Command::new("tmux")
            .args(["kill-session", "-t", &session])
            .status();
        code
    };
    assert_eq!(
        run("wrong-namespace", "wrong"),
        "2",
        "a wrong name deletes nothing"
    );
    assert!(
        Api::<Namespace>::all(ns.client.clone())
            .get_opt(&ns.name)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        status_json(&ns.name).0,
        Some(0),
        "still installed and ready"
    );
    assert_eq!(run(&ns.name, "right"), "0");
    assert!(
        Api::<Namespace>::all(ns.client.clone())
            .get_opt(&ns.name)
            .await
            .unwrap()
            .is_none()
    );
}

/// Deleting needs no watch right, and a watch that cannot run proves nothing: an identity that
/// may delete but not watch waits with GETs, so an object a finalizer holds is still named
/// when time runs out (it was reported deleted, exit 0, while it stayed).
#[tokio::test]
async fn uninstall_without_the_right_to_watch_still_waits_for_what_a_finalizer_holds() {
    let _g = STORAGE.read().await;
    let Installed {
        ns,
        dir,
        file: _file,
    } = installed("life-nowatch").await;
    let n = ns.name.as_str();
    let role = format!("nowatch-{n}");
    let rbac = format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: {role}}}\nrules:\n- apiGroups: ['*']\n  resources: ['*']\n  verbs: [get, list, create, update, patch, delete]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: {role}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}\nsubjects: [{{kind: ServiceAccount, name: nowatch, namespace: {n}}}]\n"
    );
    assert!(
        kubectl(&["create", "serviceaccount", "nowatch", "-n", n])
            .status
            .success()
    );
    let made = kubectl_stdin(&["create", "-f", "-"], &rbac);
    assert!(made.status.success(), "{}", text(&made));
    let token = kubectl(&["create", "token", "nowatch", "-n", n]);
    let kc = token_kubeconfig(dir.path(), String::from_utf8_lossy(&token.stdout).trim());
    let patch = |p: &str| {
        kubectl(&[
            "patch",
            "configmap",
            "skyflo-ui-config",
            "-n",
            n,
            "--type=merge",
            "-p",
            p,
        ])
    };
    assert!(
        patch(r#"{"metadata":{"finalizers":["example.com/hold"]}}"#)
            .status
            .success()
    );
    let out = skyflo_via(
        &kc,
        &["uninstall", "-n", n, "--yes", "--timeout", "20s"],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        patch(r#"{"metadata":{"finalizers":null}}"#)
            .status
            .success()
    );
    let _ = kubectl(&["delete", "clusterrolebinding,clusterrole", &role]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        stderr.contains("skyflo-ui-config (held by finalizers: example.com/hold)"),
        "{stderr}"
    );
    // Everything without a finalizer went, waited for with GETs.
    let left = kubectl(&["get", "deploy,sts", "-n", n, "-o", "name"]);
    assert_eq!(
        String::from_utf8_lossy(&left.stdout).trim(),
        "",
        "{}",
        text(&left)
    );
}
