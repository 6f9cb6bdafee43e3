//! Everyday use: moving to a new Skyflo release with one flag, reusing the deployed spec.

mod common;

use common::*;

/// What skyflo manages in a namespace, for [`resource_versions`].
const KINDS: &str = "deploy,sts,svc,cm,secret,sa,networkpolicy,role,rolebinding";

fn images(ns: &str) -> String {
    let out = kubectl(&[
        "get",
        "deploy,sts",
        "-n",
        ns,
        "-o",
        "jsonpath={range .items[*]}{.metadata.name}:{range .spec.template.spec.containers[*]}{.image} {end}{\"\\n\"}{end}",
    ]);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn upgrade_version_moves_every_skyflo_image_and_nothing_else() {
    let Installed {
        ns,
        dir: _dir,
        file: _,
    } = installed("version").await;
    let n = ns.name.as_str();
    let before = resource_versions(n, KINDS);
    // No -f: the deployed revision's spec, with the new release. There is no database behind
    // this installation to back up (tests/backup.rs covers the backup an engine change takes).
    let out = skyflo(&[
        "upgrade",
        "-n",
        n,
        "--version",
        "v0.7.1",
        "--timeout",
        "60s",
        "--no-backup",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = images(n);
    for line in [
        "skyflo-engine:skyfloaiagent/engine:v0.7.1",
        "skyflo-mcp:skyfloaiagent/mcp:v0.7.1",
        "skyflo-ui:skyfloaiagent/ui:v0.7.1 skyfloaiagent/proxy:v0.7.1",
        "skyflo-postgres:postgres:15.15-alpine",
        "skyflo-redis:redis:7.4.7-alpine",
    ] {
        assert!(shown.contains(line), "{line} in\n{shown}");
    }
    let after = resource_versions(n, KINDS);
    for (k, v) in &before {
        let moved = after.get(k) != Some(v);
        let is_app = [
            "Deployment/skyflo-engine",
            "Deployment/skyflo-mcp",
            "Deployment/skyflo-ui",
        ]
        .contains(&k.as_str());
        // Release records are Secrets too: a new one is written, the previous one marked superseded.
        let is_record = k.starts_with("Secret/skyflo-release-v");
        assert!(
            moved == is_app || is_record,
            "{k}: before {v}, after {:?}",
            after.get(k)
        );
    }
    // The plan named only those three Deployments, and only image and version fields.
    let plan = String::from_utf8_lossy(&out.stdout);
    let changed: Vec<&str> = plan.lines().filter(|l| l.contains("~ change")).collect();
    assert_eq!(changed.len(), 3, "{plan}");
    assert!(changed.iter().all(|l| l.contains("Deployment")), "{plan}");
    for field in plan.lines().filter(|l| l.contains(" → ")) {
        let f = field.trim();
        assert!(
            f.contains(".image:")
                || f.contains("app.kubernetes.io/version")
                || f.contains("[APP_VERSION]"),
            "a field that is not the release: {f}\n{plan}"
        );
    }
    let status = skyflo(&["status", "-n", n, "-o", "json"]);
    let s: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert!(s["warnings"].as_array().unwrap().is_empty(), "{s}");

    // Mixed versions: status warns.
    let set = kubectl(&[
        "set",
        "image",
        "deploy/skyflo-engine",
        "-n",
        n,
        "engine=skyfloaiagent/engine:v0.7.2",
    ]);
    assert!(set.status.success(), "{}", text(&set));
    let warned = eventually(30, "status to warn", || async {
        let out = skyflo(&["status", "-n", n]);
        let t = String::from_utf8_lossy(&out.stdout).into_owned();
        t.contains("different versions").then_some(t)
    })
    .await;
    assert!(
        warned.contains("engine v0.7.2") && warned.contains("ui v0.7.1"),
        "{warned}"
    );
    // And a version that is not a release is refused before anything happens.
    let out = skyflo(&["upgrade", "-n", n, "--version", "latest"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[tokio::test]
async fn upgrade_set_without_a_file_changes_only_that_field() {
    let Installed {
        ns,
        dir: _dir,
        file: _,
    } = installed("setonly").await;
    let n = ns.name.as_str();
    let before = resource_versions(n, KINDS);
    let out = skyflo(&[
        "upgrade",
        "-n",
        n,
        "--set",
        "ui.replicas=2",
        "--timeout",
        "60s",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let after = resource_versions(n, KINDS);
    let moved: Vec<&String> = before
        .keys()
        .filter(|k| after.get(*k) != before.get(*k) && !k.starts_with("Secret/skyflo-release-v"))
        .collect();
    assert_eq!(moved, ["Deployment/skyflo-ui"], "{}", text(&out));
    let replicas = kubectl(&[
        "get",
        "deploy",
        "skyflo-ui",
        "-n",
        n,
        "-o",
        "jsonpath={.spec.replicas}",
    ]);
    assert_eq!(String::from_utf8_lossy(&replicas.stdout), "2");
    // The next plain upgrade starts from that revision: nothing to do.
    let out = skyflo(&["upgrade", "-n", n, "--diff"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "no changes pending: {}",
        text(&out)
    );
}
