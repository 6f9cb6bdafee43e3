//! Options of the rendered platform, on the test control plane: MCP's read-only access level,
//! the UI's Ingress, and PodDisruptionBudgets under node drains.

mod common;

use common::*;

fn can_i(verb_resource: &[&str], ns: &str, sa: &str) -> bool {
    let as_user = format!("--as=system:serviceaccount:{sa}");
    let mut args = vec!["auth", "can-i"];
    args.extend_from_slice(verb_resource);
    args.extend_from_slice(&["-n", ns, &as_user]);
    let out = kubectl(&args);
    String::from_utf8_lossy(&out.stdout).trim() == "yes"
}

#[tokio::test]
async fn read_only_mcp_can_store_integration_secrets_and_nothing_more() {
    let ns = TestNamespace::reserve("readonly").await;
    let n = ns.name.as_str();
    let dir = tempfile::tempdir().unwrap();
    let file = write_spec(
        &dir,
        "s.yaml",
        &spec_yaml("").replace(
            "    image: skyfloaiagent/mcp:v0.7.0\n",
            "    image: skyfloaiagent/mcp:v0.7.0\n    accessLevel: read-only\n",
        ),
    );
    let out = skyflo(&["install", "-n", n, "-f", &file, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let sa = format!("{n}:skyflo-mcp");
    // SelfSubjectAccessReviews made as MCP's ServiceAccount (kubectl impersonates it).
    for (allowed, what, where_) in [
        (true, &["create", "secrets"][..], n),
        (true, &["get", "secrets"][..], n),
        (true, &["patch", "secrets"][..], n),
        (true, &["delete", "secrets"][..], n),
        (true, &["list", "pods"][..], "kube-system"),
        (false, &["list", "secrets"][..], "kube-system"),
        (false, &["create", "secrets"][..], "default"),
        (false, &["list", "secrets"][..], n),
        (false, &["delete", "deployments"][..], n),
        (false, &["create", "pods"][..], n),
    ] {
        assert_eq!(can_i(what, where_, &sa), allowed, "{what:?} in {where_}");
    }
    let out = skyflo(&["uninstall", "-n", n, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let left = kubectl(&["get", "role,rolebinding", "-n", n, "-o", "name"]);
    assert!(left.stdout.is_empty(), "{}", text(&left));
}

#[tokio::test]
async fn vertex_ai_credentials_file_is_stored_and_mounted_not_its_path() {
    let ns = TestNamespace::reserve("vertex").await;
    let n = ns.name.as_str();
    let dir = tempfile::tempdir().unwrap();
    let key = r#"{"type": "service_account", "project_id": "p", "private_key": "-----BEGIN PRIVATE KEY-----planted-7c1e"}"#;
    let key_file = dir.path().join("sa.json");
    std::fs::write(&key_file, key).unwrap();
    let file = write_spec(&dir, "s.yaml", &spec_yaml(""));
    let env = [
        ("LLM_MODEL", "vertex_ai/gemini-2.5-pro"),
        ("GOOGLE_APPLICATION_CREDENTIALS", key_file.to_str().unwrap()),
        ("VERTEXAI_PROJECT", "p"),
    ];
    let out = skyflo_with(
        &["install", "-n", n, "-f", &file, "--timeout", "60s", "-v"],
        &env,
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        !text(&out).contains("planted-7c1e"),
        "the key is never printed"
    );
    assert_eq!(
        secret_value(
            n,
            "skyflo-llm-credentials",
            "GOOGLE_APPLICATION_CREDENTIALS"
        )
        .as_deref(),
        Some(key)
    );
    let var = kubectl(&[
        "get",
        "deploy",
        "skyflo-engine",
        "-n",
        n,
        "-o",
        "jsonpath={.spec.template.spec.containers[0].env[?(@.name==\"GOOGLE_APPLICATION_CREDENTIALS\")].value}",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&var.stdout),
        "/etc/skyflo/google/credentials.json"
    );
    // A path that does not exist on this machine is a usage error, before any write.
    let missing = [
        ("LLM_MODEL", "vertex_ai/gemini-2.5-pro"),
        ("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/sa.json"),
    ];
    let out = skyflo_with(&["upgrade", "-n", n, "-f", &file], &missing, None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/sa.json"));
}
