//! MCP's access level moves both ways with `upgrade` and `rollback`: the ClusterRoleBinding's
//! roleRef cannot change in place, so the plan says the binding is replaced and the apply
//! deletes and creates it under the lock. After each move, the API server's own answer for MCP's
//! ServiceAccount (a SubjectAccessReview, through `kubectl auth can-i --as`) is the level's.

mod common;

use common::*;

fn spec(access: &str) -> String {
    let kubeconfig = if access == "none" {
        "    kubeconfigSecret: mcp-kubeconfig\n"
    } else {
        ""
    };
    spec_yaml(&format!("    accessLevel: {access}\n{kubeconfig}"))
}

/// What MCP's ServiceAccount may do, as the API server decides it.
fn can(ns: &str, verb: &str, resource: &str) -> bool {
    let sa = format!("system:serviceaccount:{ns}:skyflo-mcp");
    let out = kubectl(&["auth", "can-i", verb, resource, "-A", "--as", &sa]);
    String::from_utf8_lossy(&out.stdout).trim() == "yes"
}

fn matrix(ns: &str) -> (bool, bool) {
    (can(ns, "list", "pods"), can(ns, "delete", "deployments"))
}

#[tokio::test]
async fn access_level_moves_both_ways_by_upgrade_and_rollback() {
    let ns = TestNamespace::create("access", false).await;
    let dir = tempfile::tempdir().unwrap();
    let kc = kubectl_stdin(
        &["create", "-n", &ns.name, "-f", "-"],
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: mcp-kubeconfig, namespace: {}}}\nstringData: {{kubeconfig: 'apiVersion: v1'}}\n",
            ns.name
        ),
    );
    assert!(kc.status.success(), "{}", text(&kc));
    let file = |access: &str| write_spec(&dir, &format!("{access}.yaml"), &spec(access));
    let out = install(&ns.name, &file("cluster-admin"), &["--skip-checks"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(matrix(&ns.name), (true, true), "cluster-admin");

    for (access, want) in [
        ("read-only", (true, false)),
        ("none", (false, false)),
        ("cluster-admin", (true, true)),
    ] {
        let out = skyflo(&[
            "upgrade",
            "-n",
            &ns.name,
            "-f",
            &file(access),
            "--timeout",
            "60s",
        ]);
        assert!(out.status.success(), "upgrade to {access}: {}", text(&out));
        if access == "read-only" {
            let said = text(&out);
            assert!(
                said.contains("replace") && said.contains("roleRef"),
                "the plan says the binding is replaced: {said}"
            );
        }
        assert_eq!(matrix(&ns.name), want, "{access} after upgrade");
    }

    // Back the same way: revision 4 (cluster-admin) → 3 (none) → 2 (read-only) → 1.
    for (rev, want, what) in [
        ("3", (false, false), "none"),
        ("2", (true, false), "read-only"),
        ("1", (true, true), "cluster-admin"),
    ] {
        let out = skyflo(&["rollback", rev, "-n", &ns.name, "--timeout", "60s"]);
        assert!(out.status.success(), "rollback to {rev}: {}", text(&out));
        assert_eq!(matrix(&ns.name), want, "{what} after rollback to {rev}");
    }
}
