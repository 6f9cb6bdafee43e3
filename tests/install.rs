//! install / upgrade / rollback against the test control plane.

mod common;

use std::time::{Duration, Instant};

use common::*;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Namespace, PersistentVolumeClaim, Secret};
use kube::Client;
use kube::api::{Api, ListParams, PostParams};

/// What skyflo manages in a namespace (plus claims), for [`resource_versions`].
const KINDS: &str = "deploy,sts,svc,cm,secret,sa,networkpolicy,pvc";

const SELECTOR: &str = "app.kubernetes.io/instance=skyflo,app.kubernetes.io/managed-by=skyflo";

fn upgrade(ns: &str, file: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["upgrade", "-n", ns, "-f", file, "--timeout", "60s"];
    args.extend_from_slice(extra);
    skyflo(&args)
}

async fn secret_value(client: &Client, ns: &str, name: &str, key: &str) -> String {
    let s = Api::<Secret>::namespaced(client.clone(), ns)
        .get(name)
        .await
        .unwrap();
    String::from_utf8(s.data.unwrap()[key].0.clone()).unwrap()
}

async fn generation(client: &Client, ns: &str, name: &str) -> i64 {
    Api::<Deployment>::namespaced(client.clone(), ns)
        .get(name)
        .await
        .unwrap()
        .metadata
        .generation
        .unwrap()
}

fn revisions(ns: &str) -> usize {
    let out = skyflo(&["history", "-n", ns, "-o", "json"]);
    if out.status.code() == Some(5) {
        return 0;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array().unwrap().len()
}

async fn assert_all_ready(client: &Client, ns: &str) {
    let deploys = Api::<Deployment>::namespaced(client.clone(), ns)
        .list(&ListParams::default().labels(SELECTOR))
        .await
        .unwrap();
    assert_eq!(deploys.items.len(), 3);
    for d in deploys.items {
        let want = d.spec.as_ref().unwrap().replicas.unwrap();
        assert_eq!(
            d.status.unwrap().available_replicas,
            Some(want),
            "{:?}",
            d.metadata.name
        );
    }
    let sets = Api::<StatefulSet>::namespaced(client.clone(), ns)
        .list(&ListParams::default().labels(SELECTOR))
        .await
        .unwrap();
    assert_eq!(sets.items.len(), 2);
    for s in sets.items {
        assert_eq!(
            s.status.unwrap().ready_replicas,
            Some(1),
            "{:?}",
            s.metadata.name
        );
    }
}

#[tokio::test]
async fn fresh_install_is_ready_under_restricted_and_a_second_run_writes_nothing() {
    let ns = TestNamespace::reserve("inst-fresh").await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_spec(&dir, "skyflo.yaml", &spec_yaml(""));

    let out = install(&ns.name, &file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("revision 1, all components ready"));
    assert_all_ready(&ns.client, &ns.name).await;
    let namespace = Api::<Namespace>::all(ns.client.clone())
        .get(&ns.name)
        .await
        .unwrap();
    assert_eq!(
        namespace.metadata.labels.unwrap()["pod-security.kubernetes.io/enforce"],
        "restricted"
    );

    let before = resource_versions(&ns.name, KINDS);
    let again = install(&ns.name, &file, &[]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("nothing changed"),
        "{}",
        text(&again)
    );
    let up = upgrade(&ns.name, &file, &[]);
    assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    assert_eq!(
        resource_versions(&ns.name, KINDS),
        before,
        "no object was written"
    );
    assert_eq!(revisions(&ns.name), 1, "no revision was added");

    let diff = upgrade(&ns.name, &file, &["--diff"]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff));
}

#[tokio::test]
async fn an_install_into_a_namespace_that_enforces_restricted_already() {
    let ns = TestNamespace::create("inst-psa", true).await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_spec(&dir, "skyflo.yaml", &spec_yaml(""));
    let out = install(&ns.name, &file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_all_ready(&ns.client, &ns.name).await;
}

#[tokio::test]
async fn upgrades_touch_only_what_changed_and_keep_generated_secrets() {
    let Installed {
        ns,
        dir,
        file: _base,
    } = installed("inst-upg").await;
    let pg = secret_value(
        &ns.client,
        &ns.name,
        "skyflo-postgres-secrets",
        "POSTGRES_PASSWORD",
    )
    .await;
    let jwt = secret_value(&ns.client, &ns.name, "skyflo-engine-secrets", "JWT_SECRET").await;
    assert!(pg.len() >= 32 && jwt.len() >= 32);

    // UI replicas: only the UI Deployment is written.
    let before = resource_versions(&ns.name, KINDS);
    let scaled = spec_yaml("").replace(
        "    image: skyfloaiagent/ui:v0.7.0\n",
        "    image: skyfloaiagent/ui:v0.7.0\n    replicas: 3\n",
    );
    let scaled_file = write_spec(&dir, "scaled.yaml", &scaled);
    let diff = upgrade(&ns.name, &scaled_file, &["--diff"]);
    assert_eq!(diff.status.code(), Some(6), "{}", text(&diff));
    assert!(
        String::from_utf8_lossy(&diff.stdout).contains("spec.replicas: 1 → 3"),
        "{}",
        text(&diff)
    );
    let out = upgrade(&ns.name, &scaled_file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let after = resource_versions(&ns.name, KINDS);
    let changed: Vec<&String> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(v) && !k.starts_with("Secret/skyflo-release"))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(changed, ["Deployment/skyflo-ui"]);

    // An engine env var: only the engine rolls.
    let (g_engine, g_ui, g_mcp) = (
        generation(&ns.client, &ns.name, "skyflo-engine").await,
        generation(&ns.client, &ns.name, "skyflo-ui").await,
        generation(&ns.client, &ns.name, "skyflo-mcp").await,
    );
    let with_env = scaled.replace(
        "    image: skyfloaiagent/engine:v0.7.0\n",
        "    image: skyfloaiagent/engine:v0.7.0\n    env:\n      - {name: LOG_FORMAT, value: json}\n",
    );
    let env_file = write_spec(&dir, "env.yaml", &with_env);
    let out = upgrade(&ns.name, &env_file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        generation(&ns.client, &ns.name, "skyflo-engine").await,
        g_engine + 1
    );
    assert_eq!(generation(&ns.client, &ns.name, "skyflo-ui").await, g_ui);
    assert_eq!(generation(&ns.client, &ns.name, "skyflo-mcp").await, g_mcp);
    assert_all_ready(&ns.client, &ns.name).await;

    assert_eq!(
        secret_value(
            &ns.client,
            &ns.name,
            "skyflo-postgres-secrets",
            "POSTGRES_PASSWORD"
        )
        .await,
        pg
    );
    assert_eq!(
        secret_value(&ns.client, &ns.name, "skyflo-engine-secrets", "JWT_SECRET").await,
        jwt
    );
    assert_eq!(revisions(&ns.name), 3);

    // Rollback to revision 1 brings back one UI replica.
    let out = skyflo(&["rollback", "1", "-n", &ns.name, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let ui = Api::<Deployment>::namespaced(ns.client.clone(), &ns.name)
        .get("skyflo-ui")
        .await
        .unwrap();
    assert_eq!(ui.spec.unwrap().replicas, Some(1));
    let hist = skyflo(&["history", "-n", &ns.name]);
    assert!(
        String::from_utf8_lossy(&hist.stdout).contains("rollback"),
        "{}",
        text(&hist)
    );
}

#[tokio::test]
async fn removed_components_are_pruned_but_never_their_volumes() {
    let Installed {
        ns,
        dir,
        file: _base,
    } = installed("inst-prune").await;
    let pvcs: Api<PersistentVolumeClaim> = Api::namespaced(ns.client.clone(), &ns.name);
    let claims_before = pvcs.list(&ListParams::default()).await.unwrap().items.len();
    assert_eq!(claims_before, 2);

    let mut secret = Secret::default();
    secret.metadata.name = Some("redis-credentials".into());
    secret.string_data = Some([("REDIS_PASSWORD".to_string(), "pw".to_string())].into());
    Api::<Secret>::namespaced(ns.client.clone(), &ns.name)
        .create(&PostParams::default(), &secret)
        .await
        .unwrap();
    let external = spec_yaml("  networkPolicy: {enabled: false}\n").replace(
        "    image: skyfloaiagent/engine:v0.7.0\n",
        "    image: skyfloaiagent/engine:v0.7.0\n    redisConfig:\n      host: redis.example.internal\n      secretName: redis-credentials\n",
    );
    let file = write_spec(&dir, "external.yaml", &external);
    let out = upgrade(&ns.name, &file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("- prune   StatefulSet"), "{stdout}");

    let rvs = resource_versions(&ns.name, KINDS);
    assert!(!rvs.contains_key("StatefulSet/skyflo-redis"), "{rvs:?}");
    assert!(!rvs.contains_key("Service/skyflo-redis"));
    assert!(!rvs.contains_key("Service/skyflo-redis-headless"));
    assert!(
        !rvs.keys().any(|k| k.starts_with("NetworkPolicy/")),
        "{rvs:?}"
    );
    assert!(rvs.contains_key("StatefulSet/skyflo-postgres"));
    assert_eq!(
        pvcs.list(&ListParams::default()).await.unwrap().items.len(),
        claims_before,
        "claims are never pruned"
    );
}

#[tokio::test]
async fn unschedulable_pods_fail_fast_and_atomic_rolls_back() {
    let Installed {
        ns,
        dir,
        file: _base,
    } = installed("inst-sched").await;

    let bad = write_spec(
        &dir,
        "bad.yaml",
        &spec_yaml("  nodeSelector: {disktype: unobtainium}\n"),
    );
    let started = Instant::now();
    let out = upgrade(&ns.name, &bad, &["--atomic"]);
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(stderr.contains("unschedulable"), "{stderr}");
    assert!(
        stderr.contains("node(s) didn't match Pod's node affinity/selector"),
        "{stderr}"
    );
    assert!(stderr.contains("rolled back to revision 1"), "{stderr}");
    assert!(
        took < Duration::from_secs(40),
        "failed fast, not at the 60 s timeout: {took:?}"
    );

    let engine = Api::<Deployment>::namespaced(ns.client.clone(), &ns.name)
        .get("skyflo-engine")
        .await
        .unwrap();
    assert!(
        engine
            .spec
            .unwrap()
            .template
            .spec
            .unwrap()
            .node_selector
            .is_none()
    );
    eventually(30, "ready after rollback", || async {
        let d = Api::<Deployment>::namespaced(ns.client.clone(), &ns.name)
            .get("skyflo-engine")
            .await
            .ok()?;
        (d.status?.available_replicas == Some(1)).then_some(())
    })
    .await;
    let hist = skyflo(&["history", "-n", &ns.name, "-o", "json"]);
    let h: serde_json::Value = serde_json::from_slice(&hist.stdout).unwrap();
    let outcomes: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["superseded", "failed", "deployed"]);
}

#[tokio::test]
async fn crash_looping_pods_fail_fast() {
    let ns = TestNamespace::reserve("inst-crash").await;
    let dir = tempfile::tempdir().unwrap();
    let spec = spec_yaml("").replace(
        "skyfloaiagent/engine:v0.7.0",
        "testcluster.invalid/crashloop:v1",
    );
    let file = write_spec(&dir, "crash.yaml", &spec);
    let started = Instant::now();
    let out = install(&ns.name, &file, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(stderr.contains("engine cannot become ready"), "{stderr}");
    assert!(stderr.contains("CrashLoopBackOff"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(40));
}

#[tokio::test]
async fn killed_installs_converge_on_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    // Slow UI pods keep the install running long enough to be killed during its wait too.
    let spec = spec_yaml("").replace("skyfloaiagent/ui:v0.7.0", "testcluster.invalid/slow:v1");
    let file = write_spec(&dir, "slow.yaml", &spec);
    for delay_ms in [30u64, 120, 400, 2000] {
        let ns = TestNamespace::reserve("inst-kill").await;
        let mut child = spawn_skyflo(&["install", "-n", &ns.name, "-f", &file]);
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let out = install(&ns.name, &file, &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "after a kill at {delay_ms} ms: {}",
            text(&out)
        );
        assert_all_ready(&ns.client, &ns.name).await;
    }
}

#[tokio::test]
async fn concurrent_upgrades_one_waits_for_the_lock() {
    let Installed {
        ns,
        dir,
        file: _base,
    } = installed("inst-lock").await;
    let slow = write_spec(
        &dir,
        "slow.yaml",
        &spec_yaml("").replace("skyfloaiagent/ui:v0.7.0", "testcluster.invalid/slow:v1"),
    );
    let other = write_spec(
        &dir,
        "other.yaml",
        &spec_yaml("").replace(
            "    image: skyfloaiagent/mcp:v0.7.0\n",
            "    image: skyfloaiagent/mcp:v0.7.0\n    replicas: 2\n",
        ),
    );
    let first = spawn_skyflo(&["upgrade", "-n", &ns.name, "-f", &slow]);
    // The first one holds the lock while its UI pods take 8 s to become ready.
    let lease = eventually(10, "the lock", || async {
        let out = kubectl(&["get", "lease", "skyflo-lock", "-n", &ns.name, "-o", "name"]);
        out.status.success().then_some(())
    });
    lease.await;
    let second = upgrade(&ns.name, &other, &[]);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(4), "{}", text(&second));
    assert!(stderr.contains("holds the lock"), "{stderr}");
    assert!(
        stderr.contains("(upgrade)"),
        "names the holder's operation: {stderr}"
    );
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    // Afterwards the lock is free again.
    let third = upgrade(&ns.name, &other, &[]);
    assert_eq!(third.status.code(), Some(0), "{}", text(&third));
}

#[tokio::test]
async fn an_invalid_file_exits_2_and_writes_nothing() {
    let Installed {
        ns,
        dir,
        file: _base,
    } = installed("inst-invalid").await;
    let before = resource_versions(&ns.name, KINDS);
    let bad = write_spec(
        &dir,
        "bad.yaml",
        &spec_yaml("").replace("image: skyfloaiagent/ui:v0.7.0", "image: Bad Image"),
    );
    for out in [upgrade(&ns.name, &bad, &[]), install(&ns.name, &bad, &[])] {
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(String::from_utf8_lossy(&out.stderr).contains("spec.ui.image"));
    }
    assert_eq!(resource_versions(&ns.name, KINDS), before);
    assert_eq!(revisions(&ns.name), 1);
}

#[tokio::test]
async fn upgrade_without_an_installation_says_so() {
    let ns = TestNamespace::reserve("inst-none").await;
    let dir = tempfile::tempdir().unwrap();
    let base = write_spec(&dir, "base.yaml", &spec_yaml(""));
    let out = upgrade(&ns.name, &base, &[]);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("skyflo install"));
}

#[tokio::test]
async fn immutable_changes_are_caught_in_the_plan_with_a_way_forward() {
    let Installed {
        ns,
        dir,
        file: _base,
    } = installed("inst-immut").await;
    let before = resource_versions(&ns.name, KINDS);
    let bigger = spec_yaml("").replace(
        "    image: skyfloaiagent/engine:v0.7.0\n",
        "    image: skyfloaiagent/engine:v0.7.0\n    databaseConfig: {storageSize: 10Gi}\n",
    );
    let file = write_spec(&dir, "bigger.yaml", &bigger);
    let out = upgrade(&ns.name, &file, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(stderr.contains("StatefulSet"), "{stderr}");
    assert!(stderr.contains("way forward"), "{stderr}");
    assert!(stderr.contains("--cascade=orphan"), "{stderr}");
    assert!(stderr.contains("nothing was changed"), "{stderr}");
    assert_eq!(resource_versions(&ns.name, KINDS), before);
}

#[tokio::test]
async fn ctrl_c_releases_the_lock_and_records_a_failed_revision() {
    let Installed {
        ns,
        dir,
        file: _base,
    } = installed("inst-sigint").await;
    let slow = write_spec(
        &dir,
        "slow.yaml",
        &spec_yaml("").replace("skyfloaiagent/ui:v0.7.0", "testcluster.invalid/slow:v1"),
    );
    let child = spawn_skyflo(&["upgrade", "-n", &ns.name, "-f", &slow]);
    eventually(10, "the lock", || async {
        kubectl(&["get", "lease", "skyflo-lock", "-n", &ns.name])
            .status
            .success()
            .then_some(())
    })
    .await;
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    assert!(
        !kubectl(&["get", "lease", "skyflo-lock", "-n", &ns.name])
            .status
            .success(),
        "the lock is released"
    );
    let hist = skyflo(&["history", "-n", &ns.name, "-o", "json"]);
    let h: serde_json::Value = serde_json::from_slice(&hist.stdout).unwrap();
    let last = h.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["outcome"], "failed", "{h}");
    assert!(last["message"].as_str().unwrap().contains("interrupted"));
}

/// Installs into a namespace whose quota admits `pods` pods; the install must fail fast
/// with the quota's message, naming `what`.
async fn install_under_pod_quota(prefix: &str, pods: u32, what: &str) {
    let ns = TestNamespace::create(prefix, false).await;
    let quota = kubectl(&[
        "create",
        "quota",
        "pods",
        "-n",
        &ns.name,
        &format!("--hard=pods={pods}"),
    ]);
    assert!(quota.status.success());
    let dir = tempfile::tempdir().unwrap();
    let file = write_spec(&dir, "s.yaml", &spec_yaml(""));
    let started = Instant::now();
    let out = install(&ns.name, &file, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        stderr.contains(what) && stderr.contains("pods cannot be created"),
        "{stderr}"
    );
    assert!(stderr.contains("exceeded quota"), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "fails fast, not at the timeout"
    );
}

#[tokio::test]
async fn pods_the_api_server_refuses_to_create_fail_fast() {
    // A quota that admits PostgreSQL and Redis but not the engine, MCP and UI pods: their
    // ReplicaSets record FailedCreate, as with a PodSecurity rejection.
    install_under_pod_quota("inst-quota", 2, "Deployment").await;
}

#[tokio::test]
async fn statefulset_pods_the_api_server_refuses_to_create_fail_fast() {
    // No pod at all is admitted: the PostgreSQL StatefulSet's controller records FailedCreate
    // (StatefulSets have no ReplicaFailure condition, only events).
    install_under_pod_quota("inst-stsquota", 0, "StatefulSet").await;
}
