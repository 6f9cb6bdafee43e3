//! `skyflo support-bundle`: one archive with every part, no secret value anywhere in it, and
//! what a restricted user cannot read listed in the index instead of failing.

mod common;

use std::path::Path;

use common::*;

fn extract(archive: &Path, into: &Path) {
    let out = std::process::Command::new("tar")
        .arg("xzf")
        .arg(archive)
        .arg("-C")
        .arg(into)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test]
async fn the_bundle_holds_every_part_and_no_secret_value() {
    let ns = TestNamespace::create("bundle", false).await;
    let n = ns.name.as_str();
    let token = "user-token-planted-5e0c2a";
    assert!(
        kubectl(&[
            "create",
            "secret",
            "generic",
            "my-env",
            "-n",
            n,
            &format!("--from-literal=TOKEN={token}")
        ])
        .status
        .success()
    );
    let dir = tempfile::tempdir().unwrap();
    let spec = spec_yaml("").replace(
        "    image: skyfloaiagent/engine:v0.7.0\n",
        "    image: skyfloaiagent/engine:v0.7.0\n    env:\n      - name: MY_TOKEN\n        valueFrom: {secretKeyRef: {name: my-env, key: TOKEN}}\n",
    );
    let file = write_spec(&dir, "s.yaml", &spec);
    let key = "sk-planted-bundle-0123456789abcdef";
    let env = [("LLM_MODEL", "openai/gpt-4o"), ("OPENAI_API_KEY", key)];
    let out = skyflo_with(
        &[
            "install",
            "-n",
            n,
            "-f",
            &file,
            "--timeout",
            "60s",
            "--skip-checks",
        ],
        &env,
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let password = secret_value(n, "skyflo-postgres-secrets", "POSTGRES_PASSWORD").unwrap();
    let jwt = secret_value(n, "skyflo-engine-secrets", "JWT_SECRET").unwrap();

    // The engine logs the key and the password, as a misconfigured app might.
    let engine = kubectl(&[
        "get",
        "pods",
        "-n",
        n,
        "-l",
        "app.kubernetes.io/component=engine",
        "-o",
        "jsonpath={.items[0].metadata.name}",
    ]);
    let engine = String::from_utf8_lossy(&engine.stdout).into_owned();
    let leak = format!("connecting with postgres://skyflo:{password}@db and key {key}");
    fake_container_log(
        n,
        &engine,
        "engine",
        &["engine starting", &leak, "engine ready"],
        dir.path(),
    );
    let archive = dir.path().join("bundle.tar.gz");
    let out = skyflo(&[
        "support-bundle",
        "-n",
        n,
        "--output-file",
        archive.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let x = tempfile::tempdir().unwrap();
    extract(&archive, x.path());
    let root = x.path().join("skyflo-support");
    for part in [
        "index.json",
        "version.json",
        "status.json",
        "check.json",
        "history.json",
        "spec.json",
        "events.json",
        "nodes.json",
        "objects/Secret-skyflo-postgres-secrets.json",
        "objects/Deployment-skyflo-engine.json",
    ] {
        assert!(root.join(part).exists(), "{part} is in the bundle");
    }
    assert!(
        files(&root.join("pods")).len() >= 5,
        "a description per pod"
    );
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("index.json")).unwrap()).unwrap();
    // Every container's log and previous log is either in the bundle or listed with the reason
    // (kwok's nodes serve no logs here).
    let missing = index["missing"].as_array().unwrap();
    let log = std::fs::read_to_string(root.join(format!("logs/{engine}/engine.log")))
        .expect("the engine's log");
    assert!(
        log.contains("engine starting") && log.contains("engine ready"),
        "{log}"
    );
    assert!(log.contains("postgres://skyflo:(redacted)@db"), "{log}");
    // Containers without a log (and previous instances) are listed with the reason.
    assert!(
        missing
            .iter()
            .any(|m| m["part"].as_str().unwrap().ends_with(".previous.log")),
        "{index}"
    );
    let secret: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root.join("objects/Secret-skyflo-postgres-secrets.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        secret["data"]["POSTGRES_PASSWORD"], "(redacted)",
        "key names only"
    );
    for f in files(x.path()) {
        let bytes = std::fs::read(&f).unwrap();
        let content = String::from_utf8_lossy(&bytes);
        for (what, value) in [
            ("LLM key", key),
            ("PostgreSQL password", password.as_str()),
            ("JWT secret", jwt.as_str()),
            ("user token", token),
        ] {
            assert!(!content.contains(value), "{what} found in {}", f.display());
        }
    }
    assert!(!text(&out).contains(key));

    // A user who may read the namespace but not nodes or events: the bundle is still written.
    let kc = service_account_kubeconfig(n, "reader", "--clusterrole=view", dir.path());
    let restricted = dir.path().join("restricted.tar.gz");
    let out = skyflo_via(
        &kc,
        &[
            "support-bundle",
            "-n",
            n,
            "--output-file",
            restricted.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let y = tempfile::tempdir().unwrap();
    extract(&restricted, y.path());
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(y.path().join("skyflo-support/index.json")).unwrap())
            .unwrap();
    let missing: Vec<String> = index["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| format!("{}: {}", m["part"], m["reason"]))
        .collect();
    assert!(
        missing
            .iter()
            .any(|m| m.contains("nodes.json") && m.contains("forbidden")),
        "{missing:#?}"
    );
    // Every part is either there or listed with its reason (`view` may not read Secrets, so
    // the release records and status are among the missing).
    for part in [
        "version.json",
        "status.json",
        "history.json",
        "events.json",
        "nodes.json",
        "check.json",
    ] {
        let there = y.path().join("skyflo-support").join(part).exists();
        assert!(
            there || missing.iter().any(|m| m.contains(part)),
            "{part}: {missing:#?}"
        );
    }
    assert!(y.path().join("skyflo-support/version.json").exists());
    for f in files(y.path()) {
        let content = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        assert!(
            !content.contains(password.as_str())
                && !content.contains(jwt.as_str())
                && !content.contains(key)
        );
    }
}

/// The archive holds logs and configuration: private to the user (0600), never written
/// through a symlink planted at its name, never replacing a file unless told (--force).
#[tokio::test]
async fn the_bundle_is_private_and_never_clobbers_or_follows_a_symlink() {
    let i = installed("bundle-private").await;
    let n = i.ns.name.as_str();
    let out_path = i.dir.path().join("b.tar.gz");
    let out = out_path.to_str().unwrap();
    let bundle = |extra: &[&str]| {
        let mut args = vec!["support-bundle", "-n", n, "--output-file", out];
        args.extend_from_slice(extra);
        skyflo(&args)
    };
    let made = bundle(&[]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made));
    assert_eq!(
        file_mode(&out_path),
        0o600,
        "the archive is the user's alone"
    );

    let again = bundle(&[]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(
        text(&again).contains("exists; pass --force"),
        "{}",
        text(&again)
    );
    let forced = bundle(&["--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced));
    assert_eq!(file_mode(&out_path), 0o600);

    // A symlink planted at the name: refused, and with --force the link itself is replaced;
    // the file it points at is never written.
    std::fs::remove_file(&out_path).unwrap();
    let victim = i.dir.path().join("victim");
    std::fs::write(&victim, "keep me").unwrap();
    std::os::unix::fs::symlink(&victim, &out_path).unwrap();
    let refused = bundle(&[]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    let replaced = bundle(&["--force"]);
    assert_eq!(replaced.status.code(), Some(0), "{}", text(&replaced));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert!(
        !std::fs::symlink_metadata(&out_path)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let leftovers: Vec<_> = std::fs::read_dir(i.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
