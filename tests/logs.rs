//! `skyflo logs`: lines of several components with their prefixes, and `-f` following the pods
//! of a rollout. Container logs come from files through kwok's kubelet API.

mod common;

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use common::*;

/// Every pod of namespace `ns` logs the CRI-format file for its container name, also pods
/// created later (a kwok ClusterLogs object selects the namespace).
fn cluster_logs(ns: &str, dir: &std::path::Path, containers: &[(&str, &[&str])]) {
    let mut entries = Vec::new();
    for (container, lines) in containers {
        let file = dir.join(format!("{container}.log"));
        let cri: String = lines
            .iter()
            .map(|l| format!("2026-01-01T00:00:00.000000000Z stdout F {l}\n"))
            .collect();
        std::fs::write(&file, cri).unwrap();
        entries.push(format!(
            r#"{{"containers":["{container}"],"logsFile":"{}","follow":true}}"#,
            file.display()
        ));
    }
    let body = format!(
        r#"{{"apiVersion":"kwok.x-k8s.io/v1alpha1","kind":"ClusterLogs","metadata":{{"name":"{ns}"}},
"spec":{{"selector":{{"matchNamespaces":["{ns}"]}},"logs":[{}]}}}}"#,
        entries.join(",")
    );
    let out = kubectl_stdin(&["apply", "-f", "-"], &body);
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test]
async fn logs_interleave_components_and_follow_a_rollout() {
    let Installed { ns, dir, file: _ } = installed("logs").await;
    let n = ns.name.as_str();
    cluster_logs(
        n,
        dir.path(),
        &[
            ("ui", &["ui says hello"]),
            ("engine", &["engine says hello"]),
        ],
    );
    let out = skyflo(&["logs", "-n", n, "ui", "engine", "--tail", "10"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    let ui = shown
        .lines()
        .find(|l| l.contains("ui says hello"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(
        ui.starts_with("ui skyflo-ui-") && ui.contains("/ui "),
        "{ui}"
    );
    let engine = shown
        .lines()
        .find(|l| l.contains("engine says hello"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(
        engine.starts_with("engine skyflo-engine-") && engine.contains("/engine "),
        "{engine}"
    );
    assert!(
        !shown.contains("mcp "),
        "only the chosen components: {shown}"
    );

    // -f: an upgrade's new UI pod shows up in the stream.
    let old: Vec<String> = shown
        .lines()
        .filter(|l| l.starts_with("ui "))
        .map(|l| l.split(' ').nth(1).unwrap().to_string())
        .collect();
    let mut follow = spawn_skyflo_via(&kubeconfig(), &["logs", "-n", n, "ui", "-f"], &[]);
    let stdout = follow.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let upgraded = write_spec(
        &dir,
        "two.yaml",
        &spec_yaml("").replace(
            "    service: {type: ClusterIP}\n  engine:",
            "    service: {type: ClusterIP}\n    env: [{name: ROLL, value: \"1\"}]\n  engine:",
        ),
    );
    let out = skyflo(&["upgrade", "-n", n, "-f", &upgraded, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    let new_pod = loop {
        assert!(
            Instant::now() < deadline,
            "no line from a new pod: {seen:#?}"
        );
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(500)) {
            let pod = line
                .split(' ')
                .nth(1)
                .unwrap_or_default()
                .split('/')
                .next()
                .unwrap_or_default()
                .to_string();
            seen.push(line.clone());
            if line.contains("ui says hello") && !old.iter().any(|o| o.starts_with(&pod)) {
                break pod;
            }
        }
    };
    assert!(new_pod.starts_with("skyflo-ui-"), "{new_pod}");
    signal(follow.id(), "INT");
    let status = follow.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let _ = kubectl(&["delete", "clusterlogs", n]);
}

/// `logs` never shows a secret of the installation, in the forms a log shows it: a password
/// from a Secret made with `--from-file` (which ends in a newline) written out trimmed,
/// percent-encoded (as the engine logs `REDIS_URL`) and base64-encoded, and a provider key.
#[tokio::test]
async fn logs_redact_trimmed_and_encoded_secret_values() {
    let ns = TestNamespace::create("logredact", false).await;
    let n = ns.name.as_str();
    let dir = tempfile::tempdir().unwrap();
    let pw = "pg-p@ss w0rd/42";
    let pw_file = dir.path().join("POSTGRES_PASSWORD");
    std::fs::write(&pw_file, format!("{pw}\n")).unwrap();
    let made = kubectl(&[
        "create",
        "secret",
        "generic",
        "my-db",
        "-n",
        n,
        &format!("--from-file=POSTGRES_PASSWORD={}", pw_file.display()),
    ]);
    assert!(made.status.success(), "{}", text(&made));
    let spec = spec_yaml("").replace(
        "    image: skyfloaiagent/engine:v0.7.0\n",
        "    image: skyfloaiagent/engine:v0.7.0\n    databaseConfig: {secretName: my-db}\n",
    );
    let file = write_spec(&dir, "s.yaml", &spec);
    let out = install(n, &file, &["--skip-checks"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let encoded = "pg-p%40ss%20w0rd%2F42";
    let b64 = "cGctcEBzcyB3MHJkLzQy";
    cluster_logs(
        n,
        dir.path(),
        &[(
            "engine",
            &[
                &format!("auth: logging in with {pw} as skyflo") as &str,
                &format!("limiter: storage key {encoded} ready"),
                &format!("debug: header {b64} sent"),
                "engine ready on :8080",
            ],
        )],
    );
    let out = skyflo(&["logs", "-n", n, "engine", "--tail", "10"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = text(&out);
    assert!(shown.contains("engine ready on :8080"), "{shown}");
    for planted in [pw, encoded, b64, "p@ss w0rd"] {
        assert!(!shown.contains(planted), "{planted} in: {shown}");
    }
    assert_eq!(shown.matches("(redacted)").count(), 3, "{shown}");
}

/// `logs -f` keeps following a container that stays quiet for longer than the client's read
/// timeout (shortened to 2 s here): a line written after the silence still arrives.
#[tokio::test]
async fn logs_follow_a_quiet_container_past_the_read_timeout() {
    let Installed { ns, dir, file: _ } = installed("logquiet").await;
    let n = ns.name.as_str();
    cluster_logs(n, dir.path(), &[("engine", &["before the silence"])]);
    let mut follow = spawn_skyflo_via(
        &kubeconfig(),
        &["logs", "-n", n, "engine", "-f"],
        &[("SKYFLO_READ_TIMEOUT", "2")],
    );
    let stdout = follow.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the first line");
    assert!(first.contains("before the silence"), "{first}");
    std::thread::sleep(Duration::from_secs(5));
    let mut log = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.path().join("engine.log"))
        .unwrap();
    std::io::Write::write_all(
        &mut log,
        b"2026-01-01T00:00:05.000000000Z stdout F after the silence\n",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    loop {
        assert!(Instant::now() < deadline, "never arrived: {seen:#?}");
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(500)) {
            if line.contains("after the silence") {
                break;
            }
            seen.push(line);
        }
    }
    assert!(
        !seen
            .iter()
            .any(|l| l.contains("log stream lost") || l.contains("log ended")),
        "{seen:#?}"
    );
    let _ = follow.kill();
    let _ = follow.wait();
}
