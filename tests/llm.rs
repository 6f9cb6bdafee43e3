//! The `llm` line of `skyflo check` (and so of `install`'s pre-flight) against a local server
//! that answers like each provider's model-list API; skyflo differs only in the base URL.

mod common;

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::*;

struct Server(Child, u16);

impl Server {
    fn start(mode: &str) -> Self {
        use std::io::BufRead;
        let mut cmd = Command::new("python3");
        cmd.arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/servers/llm_provider.py"
        ))
        .arg("0")
        .stdout(std::process::Stdio::piped());
        cmd.args(mode.split_whitespace());
        let mut child = cmd.spawn().expect("python3 runs");
        // The server binds port 0 and says which port it got once it listens.
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("the fake provider announces its port");
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the fake provider did not start: {line:?}"));
        Server(child, port)
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.1)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

/// `skyflo check -o json` with the model and key in the environment: the `llm` check, and
/// everything skyflo printed.
fn llm_check(base: &str, model: &str, key: Option<(&str, &str)>) -> (serde_json::Value, String) {
    let mut env = vec![("SKYFLO_LLM_CHECK_BASE_URL", base), ("LLM_MODEL", model)];
    env.extend(key);
    llm_line(&["check", "-n", "llm-check-nowhere", "-o", "json"], &env)
}

/// The `llm` line of `skyflo ARGS` (a check with `-o json`), and everything skyflo printed.
fn llm_line(args: &[&str], env: &[(&str, &str)]) -> (serde_json::Value, String) {
    let out = skyflo_with(args, env, None);
    let all = text(&out);
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {all}"));
    let llm = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "llm")
        .cloned();
    (llm.unwrap_or_else(|| panic!("no llm line: {all}")), all)
}

#[tokio::test]
async fn each_provider_answer_gives_its_own_verdict_and_the_key_is_never_printed() {
    let _cluster = client().await;
    let p = Server::start("");
    let url = p.url();
    let good = [
        ("openai/gpt-4o", Some(("OPENAI_API_KEY", "good-key"))),
        (
            "groq/llama-3.3-70b-versatile",
            Some(("GROQ_API_KEY", "good-key")),
        ),
        (
            "mistral/mistral-large-latest",
            Some(("MISTRAL_API_KEY", "good-key")),
        ),
        (
            "deepseek/deepseek-chat",
            Some(("DEEPSEEK_API_KEY", "good-key")),
        ),
        (
            "anthropic/claude-sonnet-4-5",
            Some(("ANTHROPIC_API_KEY", "good-key")),
        ),
        (
            "gemini/gemini-2.5-pro",
            Some(("GEMINI_API_KEY", "good-key")),
        ),
        ("ollama/llama3.1", None),
    ];
    for (model, key) in good {
        let (c, all) = llm_check(&url, model, key);
        assert_eq!(c["outcome"], "pass", "{model}: {all}");
        assert!(
            c["message"]
                .as_str()
                .unwrap()
                .contains("checked from this machine"),
            "{c}"
        );
    }
    let planted = "sk-planted-4c7e19a2b8d0f3";
    for (model, var, says) in [
        (
            "openai/gpt-4o",
            "OPENAI_API_KEY",
            "Incorrect API key provided",
        ),
        (
            "anthropic/claude-sonnet-4-5",
            "ANTHROPIC_API_KEY",
            "invalid x-api-key",
        ),
        (
            "gemini/gemini-2.5-pro",
            "GEMINI_API_KEY",
            "API key not valid",
        ),
    ] {
        let (c, all) = llm_check(&url, model, Some((var, planted)));
        assert_eq!(c["outcome"], "fail", "{model}: {all}");
        let msg = c["message"].as_str().unwrap();
        assert!(
            msg.contains("rejected the key") && msg.contains(says),
            "{model}: {msg}"
        );
        assert!(!all.contains(planted), "the key is never printed: {all}");
    }
    let (c, _) = llm_check(&url, "openai/gpt-4", Some(("OPENAI_API_KEY", "good-key")));
    assert_eq!(c["outcome"], "fail");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("does not serve openai/gpt-4"),
        "{c}"
    );
    assert!(
        c["hint"].as_str().unwrap().contains("gpt-4o"),
        "close names: {c}"
    );
    let (c, _) = llm_check(
        &url,
        "gemini/gemini-2.5-pr",
        Some(("GEMINI_API_KEY", "good-key")),
    );
    assert!(
        c["hint"].as_str().unwrap().contains("gemini-2.5-pro"),
        "{c}"
    );
    // A provider skyflo has no check for says so instead of pretending.
    let (c, _) = llm_check(
        &url,
        "bedrock/anthropic.claude-v2",
        Some(("AWS_ACCESS_KEY_ID", "x")),
    );
    assert_eq!(c["outcome"], "warn");
    assert!(
        c["message"].as_str().unwrap().contains("cannot check"),
        "{c}"
    );
    // No key at all stays a warning.
    let (c, _) = llm_check(&url, "openai/gpt-4o", None);
    assert_eq!(c["outcome"], "warn", "{c}");
}

#[tokio::test]
async fn a_silent_or_absent_provider_is_unverified_within_the_timeout_and_does_not_block() {
    let _cluster = client().await;
    let silent = Server::start("hang");
    let started = Instant::now();
    let (c, all) = llm_check(
        &silent.url(),
        "openai/gpt-4o",
        Some(("OPENAI_API_KEY", "good-key")),
    );
    assert_eq!(c["outcome"], "unverified", "{all}");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("did not answer within 5 s"),
        "{c}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (c, _) = llm_check(
        &format!("http://127.0.0.1:{closed}"),
        "openai/gpt-4o",
        Some(("OPENAI_API_KEY", "good-key")),
    );
    assert_eq!(c["outcome"], "unverified", "{c}");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("cannot reach openai"),
        "{c}"
    );

    // install: an unreachable provider does not stop it; a rejected key does.
    let ns = TestNamespace::reserve("llmgate").await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_spec(&dir, "s.yaml", &spec_yaml(""));
    let base = format!("http://127.0.0.1:{closed}");
    let env = [
        ("SKYFLO_LLM_CHECK_BASE_URL", base.as_str()),
        ("LLM_MODEL", "openai/gpt-4o"),
        ("OPENAI_API_KEY", "sk-planted-9d1"),
    ];
    let out = skyflo_with(
        &["install", "-n", &ns.name, "-f", &file, "--timeout", "60s"],
        &env,
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let p = Server::start("");
    let env = [
        ("SKYFLO_LLM_CHECK_BASE_URL", p.url()),
        ("LLM_MODEL", "openai/gpt-4o".into()),
        ("OPENAI_API_KEY", "sk-planted-9d1".into()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let other = TestNamespace::reserve("llmgate").await;
    let out = skyflo_with(&["install", "-n", &other.name, "-f", &file], &env, None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("rejected the key"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("sk-planted-9d1"));
    assert!(
        uid_of(&other.name, "deploy", "skyflo-engine").is_none(),
        "nothing installed"
    );
    // --offline skips the question, with a note.
    let (c, _) = {
        let out = skyflo_with(
            &[
                "check",
                "-n",
                "llm-check-nowhere",
                "-o",
                "json",
                "--offline",
            ],
            &env,
            None,
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (
            v["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == "llm")
                .cloned()
                .unwrap(),
            (),
        )
    };
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("not checked (--offline)"),
        "{c}"
    );
}

/// No key leaves for another origin (a redirect is not followed: reqwest would drop only
/// `Authorization`, not Anthropic's `x-api-key` or Gemini's `x-goog-api-key`), none goes over
/// plain http except to loopback, and a key stored in the cluster goes only to its provider's
/// own host, never to a host an untrusted spec file names.
#[tokio::test]
async fn the_key_never_leaves_for_another_origin_or_over_plain_http() {
    let _cluster = client().await;
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("record.jsonl");
    let recorder = Server::start(&format!("record {}", record.display()));
    let redirector = Server::start(&format!("redirect {}", recorder.url()));
    let planted = "sk-planted-redirect-5b3";
    for (model, var) in [
        ("anthropic/claude-sonnet-4-5", "ANTHROPIC_API_KEY"),
        ("gemini/gemini-2.5-pro", "GEMINI_API_KEY"),
        ("openai/gpt-4o", "OPENAI_API_KEY"),
    ] {
        let (c, all) = llm_check(&redirector.url(), model, Some((var, planted)));
        assert_eq!(c["outcome"], "unverified", "{all}");
        assert!(
            c["message"]
                .as_str()
                .unwrap()
                .contains(&format!("redirected to {}; not followed", recorder.url())),
            "{c}"
        );
        assert!(!all.contains(planted), "{all}");
    }
    let reached = || std::fs::read_to_string(&record).unwrap_or_default();
    assert_eq!(reached(), "", "nothing reached the other port");

    // Plain http to a host that is not loopback: not sent at all.
    let (c, all) = llm_line(
        &["check", "-n", "llm-check-nowhere", "-o", "json"],
        &[
            ("LLM_MODEL", "openai/qwen"),
            ("LLM_HOST", "http://192.0.2.10:8000/v1"),
            ("OPENAI_API_KEY", planted),
        ],
    );
    assert_eq!(c["outcome"], "unverified", "{all}");
    assert!(c["message"].as_str().unwrap().contains("plain http"), "{c}");

    // A key stored in the cluster, and a spec file that names another host.
    let ns = TestNamespace::create("llmstored", false).await;
    let made = kubectl(&[
        "create",
        "secret",
        "generic",
        "skyflo-llm-credentials",
        "-n",
        &ns.name,
        "--from-literal=OPENAI_API_KEY=good-key",
    ]);
    assert!(made.status.success(), "{}", text(&made));
    let provider = Server::start("");
    let untrusted = spec_yaml("").replace(
        "    image: skyfloaiagent/engine:v0.7.0\n",
        &format!(
            "    image: skyfloaiagent/engine:v0.7.0\n    llm: {{model: openai/gpt-4o, host: \"{}/v1\"}}\n",
            recorder.url()
        ),
    );
    let file = write_spec(&dir, "untrusted.yaml", &untrusted);
    let base = provider.url();
    let env = [("SKYFLO_LLM_CHECK_BASE_URL", base.as_str())];
    let (c, all) = llm_line(&["check", "-n", &ns.name, "-f", &file, "-o", "json"], &env);
    assert_eq!(c["outcome"], "unverified", "{all}");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("the key stored in the cluster goes only to the provider's own host"),
        "{c}"
    );
    assert_eq!(
        reached(),
        "",
        "the stored key did not reach the file's host"
    );
    // The same stored key is checked against the provider's own host.
    let trusted = spec_yaml("").replace(
        "    image: skyfloaiagent/engine:v0.7.0\n",
        "    image: skyfloaiagent/engine:v0.7.0\n    llm: {model: openai/gpt-4o}\n",
    );
    let file = write_spec(&dir, "trusted.yaml", &trusted);
    let (c, all) = llm_line(&["check", "-n", &ns.name, "-f", &file, "-o", "json"], &env);
    assert_eq!(c["outcome"], "pass", "{all}");
}
