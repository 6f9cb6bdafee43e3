//! Shared clusters: skyflo never touches what it did not create (a namespace that existed
//! before, its labels, other teams' objects, objects that merely have one of skyflo's names,
//! another installation's objects), and keeps data safe across failures.

mod common;

use common::*;

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

fn get_json(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["get"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["-o", "json"]);
    json(&kubectl(&a))
}

/// Everything of installation `instance` in `ns` that skyflo labels, by kind.
fn leftovers(ns: &str, instance: &str) -> String {
    let out = kubectl(&[
        "get",
        "deploy,sts,svc,cm,secret,sa,networkpolicy,pvc,lease",
        "-n",
        ns,
        "-l",
        &format!("app.kubernetes.io/instance={instance}"),
        "-o",
        "name",
    ]);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test]
async fn a_shared_namespace_its_labels_and_other_teams_objects_survive_install_upgrade_and_purge() {
    let ns = TestNamespace::create("shared", false).await;
    let n = ns.name.as_str();
    let label = kubectl(&[
        "label",
        "namespace",
        n,
        "pod-security.kubernetes.io/enforce=privileged",
        "team=platform",
    ]);
    assert!(label.status.success(), "{}", text(&label));
    let cm = kubectl(&[
        "create",
        "configmap",
        "team-config",
        "-n",
        n,
        "--from-literal=owner=other-team",
    ]);
    assert!(cm.status.success(), "{}", text(&cm));
    let pod = |name: &str| {
        format!(
            r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{name}","namespace":"{n}"}},
"spec":{{"containers":[{{"name":"c","image":"busybox","securityContext":{{"privileged":true}}}}]}}}}"#
        )
    };
    let created = kubectl_stdin(&["create", "-f", "-"], &pod("team-pod"));
    assert!(created.status.success(), "{}", text(&created));
    let ns_before = get_json(&["namespace", n]);
    let cm_before = get_json(&["configmap", "team-config", "-n", n]);
    let pod_uid = uid_of(n, "pod", "team-pod").unwrap();

    let dir = tempfile::tempdir().unwrap();
    let file = write_spec(&dir, "s.yaml", &spec_yaml(""));
    let check = skyflo(&["check", "-n", n, "-f", &file]);
    let check_text = String::from_utf8_lossy(&check.stdout);
    assert!(
        check_text.contains("enforce=privileged"),
        "{}",
        text(&check)
    );
    assert!(
        check_text.contains("skyflo did not create it"),
        "{}",
        text(&check)
    );

    let out = skyflo(&["install", "-n", n, "-f", &file, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let ns_after = get_json(&["namespace", n]);
    assert_eq!(
        ns_after["metadata"]["labels"], ns_before["metadata"]["labels"],
        "labels untouched"
    );
    assert_eq!(
        ns_after["metadata"]["annotations"],
        ns_before["metadata"]["annotations"]
    );
    assert_eq!(
        ns_after["metadata"]["resourceVersion"],
        ns_before["metadata"]["resourceVersion"]
    );
    // The other team can still run privileged pods.
    let second = kubectl_stdin(&["create", "-f", "-"], &pod("team-pod-2"));
    assert!(
        second.status.success(),
        "privileged pod after install: {}",
        text(&second)
    );

    let upgraded = write_spec(
        &dir,
        "up.yaml",
        &spec_yaml("").replace(
            "    service: {type: ClusterIP}\n  engine:",
            "    service: {type: ClusterIP}\n    replicas: 2\n  engine:",
        ),
    );
    let out = skyflo(&["upgrade", "-n", n, "-f", &upgraded, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let out = skyflo(&["uninstall", "-n", n, "--purge", "--yes", "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("skyflo did not create namespace"), "{said}");

    let ns_end = get_json(&["namespace", n]);
    assert!(
        ns_end["metadata"]["deletionTimestamp"].is_null(),
        "namespace kept"
    );
    assert_eq!(
        ns_end["metadata"]["labels"],
        ns_before["metadata"]["labels"]
    );
    assert_eq!(
        get_json(&["configmap", "team-config", "-n", n]),
        cm_before,
        "ConfigMap byte-for-byte"
    );
    assert_eq!(
        uid_of(n, "pod", "team-pod"),
        Some(pod_uid),
        "the other team's pod"
    );
    assert!(uid_of(n, "pod", "team-pod-2").is_some());
    assert_eq!(leftovers(n, "skyflo"), "", "skyflo's objects are gone");
    let crb = kubectl(&[
        "get",
        "clusterrolebinding",
        "-l",
        &format!("skyflo.ai/namespace={n}"),
        "-o",
        "name",
    ]);
    assert!(crb.stdout.is_empty(), "{}", text(&crb));
}

#[tokio::test]
async fn purge_keeps_a_namespace_skyflo_created_once_someone_else_uses_it() {
    let ns = TestNamespace::reserve("owned").await;
    let n = ns.name.as_str();
    let dir = tempfile::tempdir().unwrap();
    let file = write_spec(&dir, "s.yaml", &spec_yaml(""));
    let out = skyflo(&["install", "-n", n, "-f", &file, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let annotations = get_json(&["namespace", n])["metadata"]["annotations"].clone();
    assert_eq!(
        annotations["skyflo.ai/created-by"], "skyflo",
        "{annotations}"
    );
    assert!(
        kubectl(&["create", "configmap", "visitor", "-n", n])
            .status
            .success()
    );

    let out = skyflo(&["uninstall", "-n", n, "--purge", "--yes", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report = json(&out);
    let why = report["removed"]["namespaceKept"]
        .as_str()
        .unwrap_or_default();
    assert!(why.contains("ConfigMap visitor"), "{report}");
    assert!(get_json(&["namespace", n])["metadata"]["deletionTimestamp"].is_null());
    assert!(uid_of(n, "configmap", "visitor").is_some());
    assert_eq!(leftovers(n, "skyflo"), "");
}

#[tokio::test]
async fn an_object_with_a_skyflo_name_that_skyflo_did_not_create_is_refused_and_left_unchanged() {
    let ns = TestNamespace::create("taken", false).await;
    let n = ns.name.as_str();
    let cm = kubectl(&[
        "create",
        "configmap",
        "skyflo-engine-config",
        "-n",
        n,
        "--from-literal=mine=yes",
    ]);
    assert!(cm.status.success());
    let before = get_json(&["configmap", "skyflo-engine-config", "-n", n]);
    let dir = tempfile::tempdir().unwrap();
    let file = write_spec(&dir, "s.yaml", &spec_yaml(""));
    let out = skyflo(&["install", "-n", n, "-f", &file, "--timeout", "30s"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("ConfigMap {n}/skyflo-engine-config")),
        "{stderr}"
    );
    assert!(
        stderr.contains("nothing was changed") && stderr.contains("metadata.name"),
        "{stderr}"
    );
    assert_eq!(
        get_json(&["configmap", "skyflo-engine-config", "-n", n]),
        before,
        "byte-for-byte"
    );
    assert_eq!(leftovers(n, "skyflo"), "", "nothing else was written");
    assert!(
        !kubectl(&["get", "lease", "skyflo-lock", "-n", n])
            .status
            .success()
    );
    // `upgrade --diff` and `--dry-run` refuse the same way, also without writing.
    let out = skyflo(&["install", "-n", n, "-f", &file, "--dry-run"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

#[tokio::test]
async fn installations_a_and_a_mcp_share_a_namespace_and_remove_nothing_of_each_other() {
    let ns = TestNamespace::create("twins", false).await;
    let n = ns.name.as_str();
    let dir = tempfile::tempdir().unwrap();
    let spec_for = |name: &str| spec_yaml("").replace("name: skyflo\n", &format!("name: {name}\n"));
    let a = write_spec(&dir, "a.yaml", &spec_for("a"));
    let b = write_spec(&dir, "b.yaml", &spec_for("a-mcp"));
    for f in [&a, &b] {
        let out = skyflo(&["install", "-n", n, "-f", f, "--timeout", "60s"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    let uids_of_a = || {
        let out = kubectl(&[
            "get",
            "deploy,sts,svc,cm,secret,sa,networkpolicy,pvc",
            "-n",
            n,
            "-l",
            "app.kubernetes.io/instance=a",
            "-o",
            "jsonpath={.items[*].metadata.uid}",
        ]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let a_before = uids_of_a();
    assert!(a_before.split(' ').count() > 15, "{a_before}");
    // Two installations and no --name: skyflo does not guess which one is meant.
    let out = skyflo(&["uninstall", "-n", n, "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("a, a-mcp"), "{}", text(&out));
    assert_eq!(uids_of_a(), a_before);
    let out = skyflo(&["uninstall", "--name", "a-mcp", "-n", n, "--purge", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(uids_of_a(), a_before, "a is untouched");
    assert_eq!(leftovers(n, "a-mcp"), "");
    // One left: found without --name.
    let status = skyflo(&["status", "-n", n]);
    assert_eq!(status.status.code(), Some(0), "{}", text(&status));
    let out = skyflo(&["uninstall", "--name", "a", "-n", n, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[tokio::test]
async fn the_longest_valid_name_installs_to_ready_and_one_longer_is_refused() {
    let ns = TestNamespace::reserve("long").await;
    let dir = tempfile::tempdir().unwrap();
    let longest = format!("n{}", "x".repeat(42));
    assert_eq!(longest.len(), 43);
    let file = write_spec(
        &dir,
        "l.yaml",
        &spec_yaml("").replace("name: skyflo\n", &format!("name: {longest}\n")),
    );
    let out = skyflo(&["install", "-n", &ns.name, "-f", &file, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    for len in [44, 45] {
        let name = "y".repeat(len);
        let f = write_spec(
            &dir,
            "x.yaml",
            &spec_yaml("").replace("name: skyflo\n", &format!("name: {name}\n")),
        );
        let out = skyflo(&["install", "-n", &ns.name, "-f", &f]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("at most 43 characters") && stderr.contains("controller-revision-hash"),
            "{stderr}"
        );
    }
}

#[tokio::test]
async fn a_key_given_once_then_not_changes_nothing_on_the_second_upgrade() {
    let ns = TestNamespace::reserve("keyonce").await;
    let n = ns.name.as_str();
    let dir = tempfile::tempdir().unwrap();
    let file = write_spec(&dir, "s.yaml", &spec_yaml(""));
    let key = "sk-planted-key-6f1d2c9a";
    let env = [("OPENAI_API_KEY", key), ("LLM_MODEL", "openai/gpt-4o")];
    let out = skyflo_with(
        &["install", "-n", n, "-f", &file, "--timeout", "60s"],
        &env,
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = skyflo_with(
        &["upgrade", "-n", n, "-f", &file, "--timeout", "60s"],
        &env,
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let snapshot = || {
        let o = kubectl(&[
            "get",
            "deploy,sts,svc,cm,secret,sa,networkpolicy",
            "-n",
            n,
            "-o",
            "jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion} {end}",
        ]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let before = snapshot();
    let out = skyflo_with(
        &["upgrade", "-n", n, "-f", &file, "--timeout", "60s"],
        &[("LLM_MODEL", "openai/gpt-4o")],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("up to date"),
        "{}",
        text(&out)
    );
    assert_eq!(snapshot(), before, "no object was written");
    assert!(!text(&out).contains(key));
    assert_eq!(
        secret_value(n, "skyflo-llm-credentials", "OPENAI_API_KEY").as_deref(),
        Some(key)
    );
}

#[tokio::test]
async fn after_eleven_failed_upgrades_history_keeps_the_deployed_revision_and_rollback_returns_to_it()
 {
    let Installed { ns, dir, file: _ } = installed("elevenfail").await;
    let n = ns.name.as_str();
    let broken = write_spec(
        &dir,
        "broken.yaml",
        &spec_yaml("").replace(
            "skyfloaiagent/ui:v0.7.0",
            "testcluster.invalid/imagepull:v1",
        ),
    );
    for i in 0..11 {
        let out = skyflo(&["upgrade", "-n", n, "-f", &broken, "--timeout", "30s"]);
        assert_eq!(out.status.code(), Some(3), "upgrade {i}: {}", text(&out));
    }
    let hist = json(&skyflo(&["history", "-n", n, "-o", "json"]));
    let revs = hist.as_array().unwrap();
    assert!(revs.len() <= 10, "{hist}");
    let deployed: Vec<_> = revs.iter().filter(|r| r["outcome"] == "deployed").collect();
    assert_eq!(deployed.len(), 1, "{hist}");
    assert_eq!(deployed[0]["revision"], 1, "{hist}");
    let out = skyflo(&["rollback", "-n", n, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("revision 1"),
        "{}",
        text(&out)
    );
    let image = kubectl(&[
        "get",
        "deploy",
        "skyflo-ui",
        "-n",
        n,
        "-o",
        "jsonpath={.spec.template.spec.containers[?(@.name==\"ui\")].image}",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&image.stdout),
        "skyfloaiagent/ui:v0.7.0"
    );
}

#[tokio::test]
async fn a_volume_whose_password_secret_is_gone_is_never_given_a_new_password() {
    let Installed {
        ns,
        dir: _dir,
        file,
    } = installed("nopw").await;
    let n = ns.name.as_str();
    let pvc = "postgres-data-skyflo-postgres-0";
    let pvc_uid = uid_of(n, "pvc", pvc).unwrap();
    let out = skyflo(&["uninstall", "-n", n, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // What an interrupted purge of an older skyflo left: the volume without its password.
    assert!(
        kubectl(&["delete", "secret", "skyflo-postgres-secrets", "-n", n])
            .status
            .success()
    );
    let out = skyflo(&["install", "-n", n, "-f", &file, "--timeout", "30s"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(pvc) && stderr.contains("password"),
        "{stderr}"
    );
    assert!(
        secret_value(n, "skyflo-postgres-secrets", "POSTGRES_PASSWORD").is_none(),
        "no new password"
    );
    assert_eq!(uid_of(n, "pvc", pvc), Some(pvc_uid));
}

#[tokio::test]
async fn a_tampered_release_record_is_refused_before_any_write() {
    let Installed {
        ns,
        dir: _dir,
        file,
    } = installed("tamper").await;
    let n = ns.name.as_str();
    let victim = kubectl(&["create", "configmap", "not-skyflos", "-n", n]);
    assert!(victim.status.success());
    let record = get_json(&["secret", "skyflo-release-v1", "-n", n]);
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let raw = b64
        .decode(record["data"]["release"].as_str().unwrap())
        .unwrap();
    let mut release: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    for (kind, ns_of, name) in [
        ("ConfigMap", Some(n), "not-skyflos"),
        ("Widget", Some(n), "x"),
        ("ConfigMap", Some("kube-system"), "coredns"),
    ] {
        let mut r = release.clone();
        r["objects"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"kind": kind, "namespace": ns_of, "name": name}));
        let patch =
            serde_json::json!({"data": {"release": b64.encode(serde_json::to_vec(&r).unwrap())}});
        let p = kubectl(&[
            "patch",
            "secret",
            "skyflo-release-v1",
            "-n",
            n,
            "--type=merge",
            "-p",
            &patch.to_string(),
        ]);
        assert!(p.status.success(), "{}", text(&p));
        let before = get_json(&["configmap", "not-skyflos", "-n", n]);
        let out = skyflo(&["upgrade", "-n", n, "-f", &file, "--timeout", "30s"]);
        assert_eq!(out.status.code(), Some(1), "{kind}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("nothing was changed"),
            "{}",
            text(&out)
        );
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
        assert_eq!(get_json(&["configmap", "not-skyflos", "-n", n]), before);
        release = serde_json::from_slice(&raw).unwrap();
    }
}
