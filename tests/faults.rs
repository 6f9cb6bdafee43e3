//! Fault injection: skyflo killed at every stage boundary, paused past its lease while another
//! run takes over, interrupted by signals, and waiting while the API server restarts. After
//! each, the next run converges and nothing is lost: the PostgreSQL volume keeps its uid and
//! the generated password and JWT secret stay the same.

mod common;

use std::time::Duration;

use common::*;

/// The data that must survive everything: the PostgreSQL volume, its password, the JWT secret.
#[derive(Debug, PartialEq, Clone)]
struct Data {
    pvc: Option<String>,
    password: Option<String>,
    jwt: Option<String>,
}

fn data(ns: &str) -> Data {
    Data {
        pvc: uid_of(ns, "pvc", "postgres-data-skyflo-postgres-0"),
        password: secret_value(ns, "skyflo-postgres-secrets", "POSTGRES_PASSWORD"),
        jwt: secret_value(ns, "skyflo-engine-secrets", "JWT_SECRET"),
    }
}

/// Runs skyflo with `SKYFLO_FAILPOINT=point` and asserts it was killed there (a point that is
/// never reached lets the run finish, which fails the test).
fn killed_at(point: &str, args: &[&str]) {
    let out = skyflo_via(&kubeconfig(), args, &[("SKYFLO_FAILPOINT", point)]);
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(9),
        "not killed at {point}: {}",
        text(&out)
    );
}

fn converges(args: &[&str]) {
    let out = skyflo(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "after a kill, {args:?}: {}",
        text(&out)
    );
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn ui_replicas(n: u32) -> String {
    spec_yaml("").replace(
        "    service: {type: ClusterIP}\n  engine:",
        &format!("    service: {{type: ClusterIP}}\n    replicas: {n}\n  engine:"),
    )
}

#[tokio::test]
async fn killed_at_every_stage_boundary_the_next_run_converges_and_no_data_is_lost() {
    let ns = TestNamespace::reserve("kill").await;
    let n = ns.name.clone();
    let dir = tempfile::tempdir().unwrap();
    let mut survived = Vec::new();
    let run = |file: &str| -> Vec<String> {
        ["install", "-n", &n, "-f", file, "--timeout", "60s"]
            .map(String::from)
            .to_vec()
    };

    // install: a fresh namespace killed right after skyflo created it.
    let base = write_spec(&dir, "r1.yaml", &ui_replicas(1));
    killed_at("after-namespace", &strs(&run(&base)));
    converges(&strs(&run(&base)));
    survived.push("install/after-namespace");
    let baseline = data(&n);
    assert!(
        baseline.pvc.is_some() && baseline.password.is_some() && baseline.jwt.is_some(),
        "{baseline:?}"
    );

    // install (converging a changed spec) killed at each later boundary.
    for (i, point) in [
        "after-lock",
        "after-stage-1",
        "after-stage-2",
        "after-stage-3",
        "after-stage-4",
        "after-stage-5",
        "before-record",
    ]
    .iter()
    .enumerate()
    {
        let f = write_spec(
            &dir,
            &format!("i{i}.yaml"),
            &ui_replicas(2 + (i as u32 % 2)),
        );
        killed_at(point, &strs(&run(&f)));
        converges(&strs(&run(&f)));
        assert_eq!(data(&n), baseline, "after install killed at {point}");
        survived.push(point);
    }

    // upgrade with prune: NetworkPolicies off (pruned) and on again, killed at each point.
    let without = spec_yaml("  networkPolicy: {enabled: false}\n");
    for (i, (point, spec)) in [
        ("during-prune", without.clone()),
        ("after-stage-3", ui_replicas(1)),
        ("before-record", without.clone()),
        ("after-lock", ui_replicas(1)),
    ]
    .into_iter()
    .enumerate()
    {
        let f = write_spec(&dir, &format!("u{i}.yaml"), &spec);
        let up = ["upgrade", "-n", &n, "-f", &f, "--timeout", "60s"];
        killed_at(point, &up);
        converges(&up);
        let nps = kubectl(&["get", "networkpolicy", "-n", &n, "-o", "name"]);
        assert_eq!(
            nps.stdout.is_empty(),
            spec.contains("enabled: false"),
            "prune after {point}: {}",
            text(&nps)
        );
        assert_eq!(data(&n), baseline, "after upgrade killed at {point}");
        survived.push(point);
    }

    // rollback, killed and run again.
    for point in ["after-lock", "after-stage-5"] {
        let rb = ["rollback", "-n", &n, "--timeout", "60s"];
        killed_at(point, &rb);
        converges(&rb);
        assert_eq!(data(&n), baseline, "after rollback killed at {point}");
        survived.push(point);
    }

    // uninstall (keeping data), killed and run again; a new install finds the same data.
    for point in [
        "uninstall-after-lock",
        "uninstall-after-group-1",
        "uninstall-after-group-2",
    ] {
        let un = ["uninstall", "-n", &n, "--yes", "--timeout", "60s"];
        killed_at(point, &un);
        converges(&un);
        converges(&strs(&run(&base)));
        assert_eq!(data(&n), baseline, "after uninstall killed at {point}");
        survived.push(point);
    }

    // purge killed after the volumes went but before the Secrets: never a volume without its
    // password; the purge run again finishes.
    let purge = [
        "uninstall",
        "-n",
        &n,
        "--yes",
        "--purge",
        "--timeout",
        "60s",
    ];
    killed_at("uninstall-after-group-3", &purge);
    let mid = data(&n);
    assert!(
        mid.pvc.is_none() && mid.password == baseline.password,
        "{mid:?}"
    );
    converges(&purge);
    survived.push("uninstall-purge-after-group-3");
    eprintln!(
        "kill points survived: {}/{}: {survived:?}",
        survived.len(),
        survived.len()
    );
    assert!(survived.len() >= 12);
}

#[tokio::test]
async fn a_run_paused_past_its_lease_stops_without_writing_once_another_took_over() {
    let Installed { ns, dir, file: _ } = installed("lostlock").await;
    let n = ns.name.as_str();
    let api = ExtraApiServer::start("lostlock");
    let lease = [("SKYFLO_LOCK_LEASE_SECONDS", "4")];
    let first_spec = write_spec(&dir, "first.yaml", &ui_replicas(2));
    let mut first = spawn_skyflo_via(
        &api.kubeconfig,
        &["upgrade", "-n", n, "-f", &first_spec, "--timeout", "60s"],
        &[lease[0], ("SKYFLO_FAILPOINT", "after-stage-2:stop")],
    );
    wait_stopped(first.id(), 30);
    std::thread::sleep(Duration::from_secs(5));
    // The second run (through the main API server) watches the lease for its whole duration,
    // sees no renewal, and takes over.
    let second_spec = write_spec(&dir, "second.yaml", &ui_replicas(3));
    let second = skyflo_via(
        &kubeconfig(),
        &["upgrade", "-n", n, "-f", &second_spec, "--timeout", "60s"],
        &lease,
    );
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    std::thread::sleep(Duration::from_millis(500));
    let writes_before = skyflo_writes(&api.audit());
    assert!(
        !writes_before.is_empty(),
        "the first run wrote through its API server before the pause"
    );
    signal(first.id(), "CONT");
    let status = first.wait().unwrap();
    let mut stderr = String::new();
    use std::io::Read;
    first
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("lost the lock"), "{stderr}");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        skyflo_writes(&api.audit()),
        writes_before,
        "not a single write after resuming"
    );
    // The second run's result stands; the first recorded nothing and left the lock free.
    let replicas = kubectl(&[
        "get",
        "deploy",
        "skyflo-ui",
        "-n",
        n,
        "-o",
        "jsonpath={.spec.replicas}",
    ]);
    assert_eq!(String::from_utf8_lossy(&replicas.stdout), "3");
    let hist: serde_json::Value =
        serde_json::from_slice(&skyflo(&["history", "-n", n, "-o", "json"]).stdout).unwrap();
    assert!(
        hist.as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] != "failed"),
        "{hist}"
    );
    assert!(
        !kubectl(&["get", "lease", "skyflo-lock", "-n", n])
            .status
            .success()
    );
}

#[tokio::test]
async fn the_api_server_restarts_while_skyflo_waits_and_skyflo_finishes() {
    let Installed { ns, dir, file: _ } = installed("apirestart").await;
    let n = ns.name.as_str();
    let before = data(n);
    let api = ExtraApiServer::start("restart");
    // The slow image becomes ready 8 s after its pod starts: the restart happens during the wait.
    let slow = write_spec(
        &dir,
        "slow.yaml",
        &spec_yaml("").replace("skyfloaiagent/ui:v0.7.0", "testcluster.invalid/slow:v1"),
    );
    let child = spawn_skyflo_via(
        &api.kubeconfig,
        &["upgrade", "-n", n, "-f", &slow, "--timeout", "90s"],
        &[],
    );
    eventually(20, "the rollout to start", || async {
        let o = kubectl(&[
            "get",
            "pods",
            "-n",
            n,
            "-l",
            "app.kubernetes.io/component=ui",
            "-o",
            "jsonpath={.items[*].spec.containers[*].image}",
        ]);
        String::from_utf8_lossy(&o.stdout)
            .contains("slow")
            .then_some(())
    })
    .await;
    api.stop();
    std::thread::sleep(Duration::from_secs(3));
    api.restart();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        !kubectl(&["get", "lease", "skyflo-lock", "-n", n])
            .status
            .success(),
        "lock free"
    );
    assert_eq!(data(n), before);

    // An outage longer than --timeout: a clear error that names it, and the next run (here,
    // on the same machine) is not blocked by the dead run's lock.
    let back = write_spec(&dir, "back.yaml", &ui_replicas(2));
    let child = spawn_skyflo_via(
        &api.kubeconfig,
        &["upgrade", "-n", n, "-f", &back, "--timeout", "6s"],
        &[("SKYFLO_FAILPOINT", "after-stage-4:stop")],
    );
    wait_stopped(child.id(), 30);
    api.stop();
    signal(child.id(), "CONT");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(stderr.contains("has not answered"), "{stderr}");
    api.restart();
    let out = skyflo(&["upgrade", "-n", n, "-f", &back, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(data(n), before);
}

#[tokio::test]
async fn sigterm_and_sighup_stop_like_ctrl_c_and_a_second_signal_exits_at_once() {
    let Installed { ns, dir, file: _ } = installed("signals").await;
    let n = ns.name.as_str();
    let slow = write_spec(
        &dir,
        "slow.yaml",
        &spec_yaml("").replace("skyfloaiagent/ui:v0.7.0", "testcluster.invalid/slow:v1"),
    );
    for (sig, code) in [("TERM", 143), ("HUP", 129)] {
        let child = spawn_skyflo_via(
            &kubeconfig(),
            &["upgrade", "-n", n, "-f", &slow],
            &[("SKYFLO_FAILPOINT", "after-lock:stop")],
        );
        wait_stopped(child.id(), 30);
        signal(child.id(), sig);
        signal(child.id(), "CONT");
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{sig}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(&format!("SIG{sig}")),
            "{}",
            text(&out)
        );
        assert!(
            !kubectl(&["get", "lease", "skyflo-lock", "-n", n])
                .status
                .success(),
            "{sig}: lock released"
        );
        let hist: serde_json::Value =
            serde_json::from_slice(&skyflo(&["history", "-n", n, "-o", "json"]).stdout).unwrap();
        assert_eq!(
            hist.as_array().unwrap().last().unwrap()["outcome"],
            "failed",
            "{hist}"
        );
    }
    // Two Ctrl-Cs: the second one does not wait for the cleanup (stopped right after the
    // first one was handled, so the second arrives during the cleanup).
    let child = spawn_skyflo_via(
        &kubeconfig(),
        &["upgrade", "-n", n, "-f", &slow],
        &[("SKYFLO_FAILPOINT", "after-interrupt:stop")],
    );
    eventually(20, "the lock", || async {
        kubectl(&["get", "lease", "skyflo-lock", "-n", n])
            .status
            .success()
            .then_some(())
    })
    .await;
    signal(child.id(), "INT");
    wait_stopped(child.id(), 30);
    signal(child.id(), "INT");
    signal(child.id(), "CONT");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("second SIGINT") && stderr.contains("expires by itself"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_forbidden_watch_is_reported_at_once_not_at_the_timeout() {
    let ns = TestNamespace::create("nowatch", false).await;
    let n = ns.name.as_str();
    // A ServiceAccount that may do everything in the namespace except watch pods.
    let role = format!(
        r#"{{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{{"name":"almost","namespace":"{n}"}},
"rules":[{{"apiGroups":["*"],"resources":["*"],"verbs":["get","list","create","update","patch","delete"]}},
{{"apiGroups":["apps"],"resources":["*"],"verbs":["watch"]}},
{{"apiGroups":[""],"resources":["events"],"verbs":["watch"]}}]}}"#
    );
    let p = kubectl_stdin(&["apply", "-f", "-"], &role);
    assert!(p.status.success(), "{}", text(&p));
    assert!(
        kubectl(&[
            "create",
            "clusterrole",
            &format!("{n}-read"),
            "--verb=get,list",
            "--resource=namespaces,clusterrolebindings"
        ])
        .status
        .success()
    );
    assert!(
        kubectl(&[
            "create",
            "clusterrolebinding",
            &format!("{n}-read"),
            &format!("--clusterrole={n}-read"),
            &format!("--serviceaccount={n}:installer")
        ])
        .status
        .success()
    );
    let kc_secret = kubectl(&[
        "create",
        "secret",
        "generic",
        "mcp-kc",
        "-n",
        n,
        "--from-literal=kubeconfig=apiVersion: v1",
    ]);
    assert!(kc_secret.status.success(), "{}", text(&kc_secret));
    let dir = tempfile::tempdir().unwrap();
    let kc = service_account_kubeconfig(n, "installer", "--role=almost", dir.path());
    let spec = spec_yaml("").replace("    image: skyfloaiagent/mcp:v0.7.0\n", "    image: skyfloaiagent/mcp:v0.7.0\n    accessLevel: none\n    kubeconfigSecret: mcp-kc\n");
    let file = write_spec(&dir, "s.yaml", &spec);
    let started = std::time::Instant::now();
    let out = skyflo_via(
        &kc,
        &[
            "install",
            "-n",
            n,
            "-f",
            &file,
            "--skip-checks",
            "--timeout",
            "120s",
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stderr.contains("cannot watch Pods") && stderr.contains("forbidden"),
        "{stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "reported at once, not at the timeout"
    );
    let _ = kubectl(&[
        "delete",
        "clusterrolebinding,clusterrole",
        &format!("{n}-read"),
    ]);
}

/// `uninstall --purge` deletes only the namespace it created: one deleted and created again by
/// someone else while the purge was stopped (just before its namespace delete) is kept, since
/// the delete carries the first namespace's uid as a precondition.
#[tokio::test]
async fn purge_never_deletes_a_namespace_that_replaced_the_one_it_created() {
    let Installed {
        ns,
        dir: _dir,
        file: _file,
    } = installed("fault-nsuid").await;
    let n = ns.name.clone();
    let purge = spawn_skyflo_via(
        &kubeconfig(),
        &[
            "uninstall",
            "-n",
            &n,
            "--yes",
            "--purge",
            "--timeout",
            "60s",
        ],
        &[
            ("SKYFLO_FAILPOINT", "uninstall-before-namespace:stop"),
            // No renewal while stopped: the lease goes with the first namespace.
            ("SKYFLO_LOCK_LEASE_SECONDS", "3600"),
        ],
    );
    wait_stopped(purge.id(), 90);
    let gone = kubectl(&["delete", "namespace", &n, "--wait=true", "--timeout=60s"]);
    assert!(gone.status.success(), "{}", text(&gone));
    let made = kubectl(&["create", "namespace", &n]);
    assert!(made.status.success(), "{}", text(&made));
    let uid = || {
        let o = kubectl(&["get", "namespace", &n, "-o", "jsonpath={.metadata.uid}"]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let theirs = uid();
    signal(purge.id(), "CONT");
    let out = purge.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("keeping namespace")
            && text(&out).contains("not the one skyflo created"),
        "{}",
        text(&out)
    );
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert_eq!(uid(), theirs, "the other namespace is untouched");
}
