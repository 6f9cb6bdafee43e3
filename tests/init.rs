//! `skyflo init` through a real pseudo-terminal (tmux), and the same answers as flags.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;

struct Tmux(String);

impl Tmux {
    fn start(name: &str, command: &str) -> Tmux {
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                name,
                "-x",
                "200",
                "-y",
                "50",
                command,
            ])
            .status()
            .expect("tmux must be installed for the init test (tests/run.sh installs it)");
        assert!(ok.success());
        Tmux(name.to_string())
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.0])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text` (each prompt's text first appears when it is asked).
    fn expect(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            assert!(
                Command::new("tmux")
                    .args(["send-keys", "-t", &self.0, k])
                    .status()
                    .unwrap()
                    .success()
            );
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn type_text(&self, text: &str) {
        assert!(
            Command::new("tmux")
                .args(["send-keys", "-t", &self.0, "-l", text])
                .status()
                .unwrap()
                .success()
        );
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .status();
    }
}

fn wait_file(p: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !p.exists() {
        assert!(Instant::now() < deadline, "{} never appeared", p.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test]
async fn the_wizard_writes_a_valid_file_and_flags_write_the_same() {
    let ns = TestNamespace::reserve("init").await;
    let dir = tempfile::tempdir().unwrap();
    let wizard_file = dir.path().join("wizard.yaml");
    let done = dir.path().join("done");
    let bin = env!("CARGO_BIN_EXE_skyflo");
    let key = "sk-init-wizard-4242";
    let session = format!("skyflo-init-{}", std::process::id());
    let t = Tmux::start(
        &session,
        &format!(
            "NO_COLOR=1 SKYFLO_CONFIG=/nonexistent {bin} init -f {} -n {} --kubeconfig {}; echo $? > {}; sleep 30",
            wizard_file.display(),
            ns.name,
            kubeconfig().display(),
            done.display()
        ),
    );
    t.expect("> openai");
    t.keys(&["Enter"]); // provider: openai
    t.expect("Model [gpt-4o]");
    t.keys(&["Enter"]);
    t.expect("Self-hosted LLM endpoint");
    t.keys(&["Enter"]);
    t.expect("> enter it now");
    t.keys(&["Enter"]);
    t.expect("OPENAI_API_KEY:");
    t.type_text(key);
    t.keys(&["Enter"]);
    t.expect("> in the cluster (StatefulSet, 5Gi)");
    t.keys(&["Enter"]); // PostgreSQL in the cluster
    t.expect("> in the cluster (StatefulSet, 1Gi)");
    t.keys(&["Enter"]); // Redis in the cluster
    t.expect("How to expose the UI");
    t.keys(&["Enter"]); // ClusterIP, the default: `skyflo dashboard` opens it
    t.expect("How to expose the MCP");
    t.keys(&["Enter"]); // ClusterIP, the default for MCP
    t.expect("MCP's access to the cluster");
    t.keys(&["Down", "Enter"]); // read-only
    wait_file(&done);
    assert_eq!(
        std::fs::read_to_string(&done).unwrap().trim(),
        "0",
        "{}",
        t.screen()
    );
    assert!(!t.screen().contains(key), "the key is never echoed");

    let written = std::fs::read_to_string(&wizard_file).unwrap();
    assert!(!written.contains(key), "the key is not in the file");
    let valid = skyflo(&["validate", "-f", wizard_file.to_str().unwrap()]);
    assert!(valid.status.success(), "{}", text(&valid));
    let secret = Api::<Secret>::namespaced(ns.client.clone(), &ns.name)
        .get("skyflo-llm-credentials")
        .await
        .unwrap();
    assert_eq!(secret.data.unwrap()["OPENAI_API_KEY"].0, key.as_bytes());

    // The same answers as flags.
    let flags_file = dir.path().join("flags.yaml");
    let out = skyflo_with(
        &[
            "init",
            "--non-interactive",
            "-f",
            flags_file.to_str().unwrap(),
            "-n",
            &ns.name,
            "--model",
            "openai/gpt-4o",
            "--api-key-stdin",
            "--postgres",
            "in-cluster",
            "--redis",
            "in-cluster",
            "--ui-service",
            "ClusterIP",
            "--mcp-service",
            "ClusterIP",
            "--access-level",
            "read-only",
        ],
        &[],
        Some(format!("{key}\n").as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&flags_file).unwrap(), written);

    // It refuses to overwrite without --force.
    let again = skyflo(&[
        "init",
        "--non-interactive",
        "-f",
        flags_file.to_str().unwrap(),
        "--model",
        "ollama/llama3.1",
    ]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
}

#[test]
fn non_interactive_defaults_need_no_cluster_for_a_keyless_provider() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("skyflo.yaml");
    let out = offline()
        .args([
            "init",
            "--non-interactive",
            "-f",
            file.to_str().unwrap(),
            "--model",
            "ollama/llama3.1",
            "--llm-host",
            "http://ollama:11434",
            "--postgres-host",
            "db.internal",
            "--postgres-secret",
            "pg",
            "--ui-service",
            "ClusterIP",
            "--mcp-service",
            "ClusterIP",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let spec = skyflo::spec::parse("f", &std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(spec.engine.llm.model.as_deref(), Some("ollama/llama3.1"));
    assert!(!spec.postgres_in_cluster());
    assert!(spec.redis_in_cluster());
    assert_eq!(spec.ui.service.node_port, None);
}

/// A provider without a key variable (vLLM, LM Studio) and --api-key-stdin: a usage error
/// naming the way forward, never a panic, and no file.
#[test]
fn api_key_stdin_for_a_provider_without_a_key_variable_is_a_usage_error() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("skyflo.yaml");
    let mut child = offline()
        .args(["init", "--non-interactive", "-f"])
        .arg(&file)
        .args(["--model", "hosted_vllm/llama", "--api-key-stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(b"a-key\n");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("knows no API key variable for hosted_vllm/llama")
            && stderr.contains("--api-key-secret"),
        "{stderr}"
    );
    assert!(!file.exists(), "nothing written");
}

/// `init -n team-x` into a namespace someone else made (PodSecurity `privileged`) leaves it
/// exactly as it was, and writes the namespace into the file, so the printed next step
/// installs there; a `-n` that disagrees with the file is an error, as in kubectl.
#[tokio::test]
async fn init_into_an_existing_namespace_leaves_it_alone_and_install_f_lands_in_it() {
    let ns = TestNamespace::create("teamx", false).await;
    let n = ns.name.as_str();
    let labelled = kubectl(&[
        "label",
        "namespace",
        n,
        "pod-security.kubernetes.io/enforce=privileged",
        "team=x",
    ]);
    assert!(labelled.status.success(), "{}", text(&labelled));
    let meta = || {
        let o = kubectl(&[
            "get",
            "namespace",
            n,
            "-o",
            "jsonpath={.metadata.labels} {.metadata.annotations}",
        ]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let before = meta();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("skyflo.yaml");
    let f = file.to_str().unwrap();
    let out = skyflo_with(
        &[
            "init",
            "--non-interactive",
            "-f",
            f,
            "-n",
            n,
            "--model",
            "openai/gpt-4o",
            "--api-key-stdin",
        ],
        &[],
        Some(b"sk-planted-init-9d2\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(meta(), before, "labels and annotations byte-identical");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(
        written.contains(&format!("  namespace: {n}\n")),
        "{written}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("Next: skyflo install -f {f}")));

    let wrong = skyflo(&["install", "-n", "somewhere-else", "-f", f, "--skip-checks"]);
    assert_eq!(wrong.status.code(), Some(2), "{}", text(&wrong));
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains(&format!(
            "the namespace from -n (somewhere-else) does not match metadata.namespace ({n})"
        )),
        "{}",
        text(&wrong)
    );

    // The printed next step, without -n.
    let out = skyflo(&["install", "-f", f, "--skip-checks", "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains("sk-planted-init-9d2"));
    assert!(
        uid_of(n, "deploy", "skyflo-engine").is_some(),
        "installed into {n}"
    );
    assert_eq!(
        meta(),
        before,
        "install leaves a namespace it did not create alone too"
    );
    let purge = skyflo(&["uninstall", "-n", n, "--purge", "--yes"]);
    assert_eq!(purge.status.code(), Some(0), "{}", text(&purge));
    assert!(
        kubectl(&["get", "namespace", n]).status.success(),
        "a namespace skyflo did not create survives --purge"
    );
}
