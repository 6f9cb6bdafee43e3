//! LLM credentials from the environment: stored only in a Secret, never printed.

mod common;

use common::*;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::Api;

const KEY: &str = "sk-LEAKCHECK-7f3a9c2e1b";

fn all_output(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn an_api_key_from_the_environment_is_stored_in_a_secret_and_never_printed() {
    let ns = TestNamespace::reserve("cred").await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_spec(&dir, "s.yaml", &spec_yaml(""));
    let env = [("LLM_MODEL", "openai/gpt-4o"), ("OPENAI_API_KEY", KEY)];
    let n = ns.name.as_str();
    let mut outputs = Vec::new();
    for args in [
        vec!["install", "-n", n, "-f", &file, "-v"],
        vec!["install", "-n", n, "-f", &file, "-v", "-o", "json"],
        vec!["upgrade", "-n", n, "-f", &file, "-v"],
        vec![
            "upgrade", "-n", n, "-f", &file, "--diff", "-v", "-o", "yaml",
        ],
        vec!["status", "-n", n, "-v"],
        vec!["status", "-n", n, "-o", "json"],
        vec!["status", "-n", n, "-o", "yaml"],
        vec!["history", "-n", n, "-v"],
        vec!["history", "-n", n, "-o", "json"],
        vec!["template", "-n", n, "-f", &file, "-v"],
        vec!["template", "-n", n, "-f", &file, "-o", "json"],
    ] {
        let out = skyflo_with(&args, &env, None);
        assert!(
            out.status.code().is_some_and(|c| c == 0 || c == 6),
            "{args:?}: {}",
            text(&out)
        );
        outputs.push((args, all_output(&out)));
    }
    for (args, out) in &outputs {
        assert!(!out.contains(KEY), "{args:?} printed the key:\n{out}");
        assert!(
            !out.contains("LEAKCHECK"),
            "{args:?} printed part of the key"
        );
    }

    let secret = Api::<Secret>::namespaced(ns.client.clone(), n)
        .get("skyflo-llm-credentials")
        .await
        .unwrap();
    assert_eq!(secret.data.unwrap()["OPENAI_API_KEY"].0, KEY.as_bytes());
    let cm = Api::<ConfigMap>::namespaced(ns.client.clone(), n)
        .get("skyflo-engine-config")
        .await
        .unwrap();
    assert_eq!(cm.data.unwrap()["LLM_MODEL"], "openai/gpt-4o");
    let engine_refs = |d: Deployment| {
        d.spec.unwrap().template.spec.unwrap().containers[0]
            .env_from
            .clone()
            .unwrap()
            .iter()
            .filter_map(|e| e.secret_ref.as_ref().map(|s| s.name.clone()))
            .collect::<Vec<_>>()
    };
    let d = Api::<Deployment>::namespaced(ns.client.clone(), n)
        .get("skyflo-engine")
        .await
        .unwrap();
    assert_eq!(engine_refs(d), ["skyflo-llm-credentials"]);

    // A later upgrade without the variables keeps the stored key and the reference.
    let out = skyflo_with(
        &["upgrade", "-n", n, "-f", &file],
        &[("LLM_MODEL", "openai/gpt-4o")],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let d = Api::<Deployment>::namespaced(ns.client.clone(), n)
        .get("skyflo-engine")
        .await
        .unwrap();
    assert_eq!(engine_refs(d), ["skyflo-llm-credentials"]);
    assert!(
        Api::<Secret>::namespaced(ns.client.clone(), n)
            .get_opt("skyflo-llm-credentials")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn keys_upstream_dropped_are_kept_and_ollama_needs_none() {
    let ns = TestNamespace::reserve("cred-ds").await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_spec(&dir, "s.yaml", &spec_yaml(""));
    let out = skyflo_with(
        &["install", "-n", &ns.name, "-f", &file],
        &[
            ("LLM_MODEL", "deepseek/deepseek-chat"),
            ("DEEPSEEK_API_KEY", "ds-key"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let secret = Api::<Secret>::namespaced(ns.client.clone(), &ns.name)
        .get("skyflo-llm-credentials")
        .await
        .unwrap();
    assert_eq!(secret.data.unwrap()["DEEPSEEK_API_KEY"].0, b"ds-key");

    let other = TestNamespace::reserve("cred-ollama").await;
    let out = skyflo_with(
        &["install", "-n", &other.name, "-f", &file],
        &[
            ("LLM_MODEL", "ollama/llama3"),
            ("LLM_HOST", "http://ollama:11434"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("warning"),
        "{}",
        text(&out)
    );
    let cm = Api::<ConfigMap>::namespaced(other.client.clone(), &other.name)
        .get("skyflo-engine-config")
        .await
        .unwrap();
    let data = cm.data.unwrap();
    assert_eq!(data["LLM_MODEL"], "ollama/llama3");
    assert_eq!(data["LLM_HOST"], "http://ollama:11434");
    assert!(
        Api::<Secret>::namespaced(other.client.clone(), &other.name)
            .get_opt("skyflo-llm-credentials")
            .await
            .unwrap()
            .is_none()
    );
}
