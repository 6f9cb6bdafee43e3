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
