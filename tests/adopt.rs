//! `skyflo adopt` against upstream installations reproduced on the test control plane:
//! install.sh's layouts (v0.7.0 in `skyflo`, v0.6.0 in `skyflo-ai`) applied with kubectl the
//! way install.sh does, and releases of upstream's chart layout installed and upgraded by real
//! Helm (tests/fixtures/upstream, written from the reference facts).

mod common;

use std::process::Output;

use common::*;
use tokio::sync::Mutex;

/// install.sh v0.7.0 and a Helm release named `skyflo` share cluster-scoped names
/// (`skyflo-controller-role`, `skyflo-mcp-admin-binding`), as they would on a real cluster.
static SKYFLO_PREFIX: Mutex<()> = Mutex::const_new(());

/// The CRD is shared by every upstream installation in the cluster and goes only with the last
/// one: the test that watches it go runs while no other adopt test holds an installation.
static UPSTREAMS: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

const CHART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/upstream");
const OPENAI: &str = "sk-planted-openai-7f3a9c";
const ANTHROPIC: &str = "sk-ant-planted-51d0e2";
const PASSWORD: &str = "pg-planted-password-9b8c7d";
const JWT: &str = "jwt-planted-secret-4e5f6a";

fn helm(args: &[&str]) -> Output {
    let bin = kubeconfig().parent().unwrap().join("helm");
    assert!(
        bin.exists(),
        "{} is missing: tests/cluster/up links Helm there (tests/cluster/build.sh builds it)",
        bin.display()
    );
    std::process::Command::new(bin)
        .args(args)
        .arg("--kubeconfig")
        .arg(kubeconfig())
        .output()
        .expect("helm runs")
}

fn planted_values() -> Vec<String> {
    vec![
        format!("engine.secrets.keys.OPENAI_API_KEY={OPENAI}"),
        format!("engine.secrets.keys.ANTHROPIC_API_KEY={ANTHROPIC}"),
        format!("postgresql.auth.password={PASSWORD}"),
        format!("engine.secrets.jwtSecret={JWT}"),
    ]
}

/// What install.sh does: `kubectl create namespace`, then `kubectl apply` of its manifests.
fn install_sh(ns: &str, prefix: &str, crd: bool) {
    let made = kubectl(&["create", "namespace", ns]);
    assert!(made.status.success(), "{}", text(&made));
    let mut args = vec![
        "template".to_string(),
        "x".into(),
        CHART.into(),
        "-n".into(),
        ns.into(),
        "--set".into(),
        format!("layout=installsh,prefix={prefix},crd={crd}"),
    ];
    for v in planted_values() {
        args.push("--set".into());
        args.push(v);
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let rendered = helm(&refs);
    assert!(rendered.status.success(), "{}", text(&rendered));
    let applied = kubectl_stdin(
        &["apply", "-n", ns, "-f", "-"],
        &String::from_utf8_lossy(&rendered.stdout),
    );
    assert!(applied.status.success(), "{}", text(&applied));
}

/// `helm install` then `helm upgrade` (two release Secrets, Helm's own).
fn helm_release(ns: &str, release: &str, extra: &[&str]) {
    let mut args = vec!["install", release, CHART, "-n", ns, "--create-namespace"];
    let values = planted_values();
    for v in &values {
        args.extend(["--set", v.as_str()]);
    }
    args.extend_from_slice(extra);
    let out = helm(&args);
    assert!(out.status.success(), "{}", text(&out));
    let out = helm(&[
        "upgrade",
        release,
        CHART,
        "-n",
        ns,
        "--reuse-values",
        "--set",
        "ui.replicas=2",
    ]);
    assert!(out.status.success(), "{}", text(&out));
}

/// Removes what a test left, also when it failed midway: Helm releases, and the cluster-scoped
/// objects upstream's layouts name after their prefix (which would break the next run).
struct Cleanup {
    ns: String,
    releases: Vec<String>,
    prefixes: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for r in &self.releases {
            let _ = helm(&["uninstall", r, "-n", &self.ns, "--ignore-not-found"]);
        }
        for p in &self.prefixes {
            let _ = kubectl(&[
                "delete",
                "clusterrolebinding",
                &format!("{p}-controller-rolebinding"),
                &format!("{p}-mcp-admin-binding"),
                "--ignore-not-found",
            ]);
            let _ = kubectl(&[
                "delete",
                "clusterrole",
                &format!("{p}-controller-role"),
                "--ignore-not-found",
            ]);
        }
        let _ = kubectl(&[
            "delete",
            "clusterrolebinding",
            "-l",
            &format!("skyflo.ai/namespace={}", self.ns),
            "--ignore-not-found",
        ]);
        let _ = kubectl(&[
            "delete",
            "namespace",
            &self.ns,
            "--ignore-not-found",
            "--wait=false",
        ]);
    }
}

fn cleanup(ns: &str, releases: &[&str], prefixes: &[&str]) -> Cleanup {
    Cleanup {
        ns: ns.to_string(),
        releases: releases.iter().map(|s| s.to_string()).collect(),
        prefixes: prefixes.iter().map(|s| s.to_string()).collect(),
    }
}

/// Upstream's installers do not wait; the test does, so that "before" is a settled state.
async fn settled(ns: &str, prefix: &str) {
    for (claim, sts) in [("postgres-data", "postgres"), ("redis-data", "redis")] {
        let name = format!("{claim}-{prefix}-{sts}-0");
        eventually(60, &format!("{name} bound"), || async {
            (get(&[
                "get",
                "pvc",
                "-n",
                ns,
                &name,
                "-o",
                "jsonpath={.status.phase}",
            ]) == "Bound")
                .then_some(())
        })
        .await;
    }
}

/// `kind/name resourceVersion` of every object whose name contains `part` (pods aside, which
/// the fake kubelet keeps updating).
fn objects_named(ns: &str, part: &str) -> Vec<String> {
    get(&[
        "get",
        "deployment,statefulset,service,secret,configmap,serviceaccount,networkpolicy,pvc",
        "-n",
        ns,
        "-o",
        "jsonpath={range .items[*]}{.kind}/{.metadata.name} {.metadata.resourceVersion}{\"\\n\"}{end}",
    ])
    .lines()
    .filter(|l| l.contains(part))
    .map(str::to_string)
    .collect()
}

/// install.sh's layout in `ns` (made afresh), settled; cleaned up when the guard drops.
async fn install_sh_settled(ns: &str, prefix: &str, crd: bool) -> Cleanup {
    delete_namespace_now(ns);
    let c = cleanup(ns, &[], &[prefix]);
    install_sh(ns, prefix, crd);
    settled(ns, prefix).await;
    c
}

/// A Helm release of the chart layout in `ns`, installed, upgraded and settled.
async fn helm_settled(ns: &str, release: &str, extra: &[&str]) -> Cleanup {
    let prefix = format!("{release}-skyflo");
    let prefix = if release.contains("skyflo") {
        release
    } else {
        &prefix
    };
    let c = cleanup(ns, &[release], &[prefix]);
    helm_release(ns, release, extra);
    settled(ns, prefix).await;
    c
}

/// Where adopt writes the SkyfloAI file in a test.
fn spec_path() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("skyflo.yaml");
    (dir, file)
}

fn delete_namespace_now(ns: &str) {
    let _ = kubectl(&[
        "delete",
        "namespace",
        ns,
        "--ignore-not-found",
        "--wait=true",
        "--timeout=60s",
    ]);
}

/// Whether `kind/name` exists in `ns`.
fn present(ns: &str, kind: &str, name: &str) -> bool {
    !get(&[
        "get",
        kind,
        name,
        "-n",
        ns,
        "--ignore-not-found",
        "-o",
        "name",
    ])
    .is_empty()
}

fn get(args: &[&str]) -> String {
    let out = kubectl(args);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// What must survive an adoption unchanged.
#[derive(Debug, PartialEq)]
struct Kept {
    claims: Vec<String>,
    postgres: Vec<Option<String>>,
    jwt: Option<String>,
    namespace_labels: String,
}

fn kept(ns: &str, prefix: &str, secret_prefix: &str) -> Kept {
    Kept {
        claims: ["postgres-data", "redis-data"]
            .iter()
            .map(|t| {
                let sts = if *t == "postgres-data" {
                    "postgres"
                } else {
                    "redis"
                };
                get(&[
                    "get",
                    "pvc",
                    "-n",
                    ns,
                    &format!("{t}-{prefix}-{sts}-0"),
                    "-o",
                    "jsonpath={.metadata.uid} {.spec.volumeName} {.status.phase}",
                ])
            })
            .collect(),
        postgres: ["POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"]
            .iter()
            .map(|k| secret_value(ns, &format!("{secret_prefix}-postgres-secrets"), k))
            .collect(),
        jwt: secret_value(ns, &format!("{secret_prefix}-engine-secrets"), "JWT_SECRET"),
        namespace_labels: get(&["get", "namespace", ns, "-o", "jsonpath={.metadata.labels}"]),
    }
}

fn adopt(ns: &str, file: &std::path::Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "adopt",
        "-n",
        ns,
        "--yes",
        "--write",
        file.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    skyflo(&args)
}

/// `adopt --yes` that succeeds and says `what`.
fn adopt_saying(ns: &str, file: &std::path::Path, what: &str) -> Output {
    let out = adopt(ns, file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains(what), "{what}: {}", text(&out));
    out
}

/// Everything the issue asks of an adopted installation.
fn assert_adopted(ns: &str, prefix: &str, before: &Kept, keys: &[(&str, &str)]) {
    let status = skyflo(&["status", "-n", ns, "--name", prefix]);
    assert_eq!(
        status.status.code(),
        Some(0),
        "every component Ready: {}",
        text(&status)
    );
    let after = kept(ns, prefix, prefix);
    assert_eq!(
        after.claims, before.claims,
        "the same claims, bound to the same volumes"
    );
    assert!(
        before.claims.iter().all(|c| c.ends_with("Bound")),
        "{:?}",
        before.claims
    );
    assert_eq!(
        after.postgres, before.postgres,
        "PostgreSQL user, password, database"
    );
    assert_eq!(after.jwt, before.jwt, "the JWT secret");
    assert_eq!(
        after.namespace_labels, before.namespace_labels,
        "the namespace as it was"
    );
    let created_by = get(&[
        "get",
        "namespace",
        ns,
        "-o",
        "jsonpath={.metadata.annotations}",
    ]);
    assert!(!created_by.contains("skyflo.ai/created-by"), "{created_by}");
    for (k, v) in keys {
        assert_eq!(
            secret_value(ns, &format!("{prefix}-llm-credentials"), k).as_deref(),
            Some(*v),
            "{k} migrated"
        );
    }
    let env_from = get(&[
        "get",
        "deployment",
        "-n",
        ns,
        &format!("{prefix}-engine"),
        "-o",
        "jsonpath={.spec.template.spec.containers[0].envFrom}",
    ]);
    assert!(
        env_from.contains(&format!("{prefix}-llm-credentials")),
        "the engine reads the keys: {env_from}"
    );
    // -n is ignored for the cluster-scoped ones.
    for (kind, name) in [
        ("deployment", format!("{prefix}-controller")),
        ("serviceaccount", format!("{prefix}-controller")),
        ("networkpolicy", format!("{prefix}-mcp-policy")),
        ("clusterrole", format!("{prefix}-controller-role")),
        (
            "clusterrolebinding",
            format!("{prefix}-controller-rolebinding"),
        ),
        ("clusterrolebinding", format!("{prefix}-mcp-admin-binding")),
    ] {
        assert!(!present(ns, kind, &name), "{kind} {name} is gone");
    }
    let history = skyflo(&["history", "-n", ns, "--name", prefix, "-o", "json"]);
    let h: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap_or_default();
    assert_eq!(h[0]["operation"], "adopt", "{}", text(&history));
    assert_eq!(h[0]["outcome"], "deployed", "{}", text(&history));
}

#[tokio::test]
async fn adopts_install_sh_v0_7_0_in_namespace_skyflo() {
    let _u = UPSTREAMS.write().await;
    let _g = SKYFLO_PREFIX.lock().await;
    let ns = "skyflo";
    let _c = install_sh_settled(ns, "skyflo", true).await;
    let before = kept(ns, "skyflo", "skyflo");
    let (_dir, file) = spec_path();
    // While a SkyfloAI object exists (anywhere), deleting the CRD would delete it: kept.
    let object = "apiVersion: skyflo.ai/v1\nkind: SkyfloAI\nmetadata: {name: probe, namespace: skyflo}\nspec: {}\n";
    eventually(30, "the CRD serves SkyfloAI objects", || async {
        kubectl_stdin(&["create", "-f", "-"], object)
            .status
            .success()
            .then_some(())
    })
    .await;
    let dry = skyflo(&[
        "adopt",
        "-n",
        ns,
        "--dry-run",
        "--write",
        file.to_str().unwrap(),
    ]);
    assert!(
        text(&dry)
            .contains("CustomResourceDefinition skyfloais.skyflo.ai: 1 SkyfloAI object(s) exist"),
        "{}",
        text(&dry)
    );
    let deleted = kubectl(&["delete", "skyfloai", "probe", "-n", ns]);
    assert!(deleted.status.success(), "{}", text(&deleted));
    // Nor while another upstream installation in the cluster shares it.
    {
        let other = TestNamespace::create("adopt-other-sh", false).await;
        install_sh_engine_service(&other.name);
        let dry = skyflo(&[
            "adopt",
            "-n",
            ns,
            "--dry-run",
            "--write",
            file.to_str().unwrap(),
        ]);
        let shared = format!(
            "CustomResourceDefinition skyfloais.skyflo.ai: another upstream installation shares it: install.sh in namespace {}",
            other.name
        );
        assert!(text(&dry).contains(&shared), "{}", text(&dry));
        let gone = kubectl(&[
            "delete",
            "namespace",
            &other.name,
            "--wait=true",
            "--timeout=60s",
        ]);
        assert!(gone.status.success(), "{}", text(&gone));
    }
    adopt_saying(ns, &file, "install.sh (v0.6.1 or later)");
    assert_adopted(
        ns,
        "skyflo",
        &before,
        &[("OPENAI_API_KEY", OPENAI), ("ANTHROPIC_API_KEY", ANTHROPIC)],
    );
    // install.yaml renders every provider key, unset ones empty: those are not migrated.
    assert_eq!(
        secret_value(ns, "skyflo-llm-credentials", "GEMINI_API_KEY"),
        None
    );
    // No SkyfloAI object exists, so the dead controller's CRD went too.
    assert!(!present(ns, "crd", "skyfloais.skyflo.ai"));
    let spec = std::fs::read_to_string(&file).unwrap();
    assert!(spec.contains("name: skyflo\n"), "{spec}");
    assert!(
        !spec.contains("runAsUser"),
        "install.yaml's data is uid 70, skyflo's default: {spec}"
    );
    let uid = get(&[
        "get",
        "statefulset",
        "-n",
        ns,
        "skyflo-postgres",
        "-o",
        "jsonpath={.spec.template.spec.securityContext.runAsUser}",
    ]);
    assert_eq!(uid, "70");
    let out = skyflo(&["uninstall", "-n", ns, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        get(&["get", "namespace", ns, "-o", "name"]),
        "namespace/skyflo",
        "skyflo did not create it"
    );
    delete_namespace_now(ns);
}

#[tokio::test]
async fn adopts_install_sh_v0_6_0_in_namespace_skyflo_ai() {
    let _u = UPSTREAMS.read().await;
    let ns = "skyflo-ai";
    let _c = install_sh_settled(ns, "skyflo-ai", false).await;
    // Before v0.6.1 the Secrets were already named skyflo-*: skyflo's are skyflo-ai-*.
    let before = kept(ns, "skyflo-ai", "skyflo");
    let (_dir, file) = spec_path();
    let out = adopt_saying(ns, &file, "v0.6.0 or earlier");
    assert_adopted(ns, "skyflo-ai", &before, &[("OPENAI_API_KEY", OPENAI)]);
    // The old credentials are left as they were (listed), never deleted.
    assert_eq!(
        secret_value(ns, "skyflo-postgres-secrets", "POSTGRES_PASSWORD").as_deref(),
        Some(PASSWORD)
    );
    assert!(
        text(&out).contains("Secret skyflo-ai/skyflo-engine-secrets (left as it is)"),
        "{}",
        text(&out)
    );
    assert!(!present(ns, "configmap", "skyflo-engine-config"));
    delete_namespace_now(ns);
}

#[tokio::test]
async fn adopts_a_helm_release_named_skyflo() {
    let _u = UPSTREAMS.read().await;
    let _g = SKYFLO_PREFIX.lock().await;
    let ns = TestNamespace::reserve("adopt-helm").await;
    let n = ns.name.as_str();
    let extra = [
        "--set",
        "engine.extraEnv[0].name=FEATURE_FLAG,engine.extraEnv[0].value=on",
    ];
    let _c = helm_settled(n, "skyflo", &extra).await;
    // Someone turned the engine's logging up by hand.
    let patched = kubectl(&[
        "patch",
        "configmap",
        "skyflo-engine-config",
        "-n",
        n,
        "--type=merge",
        "-p",
        r#"{"data":{"LOG_LEVEL":"DEBUG"}}"#,
    ]);
    assert!(patched.status.success(), "{}", text(&patched));
    let before = kept(n, "skyflo", "skyflo");
    let (_dir, file) = spec_path();
    let out = adopt(n, &file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Nothing dropped silently: the edited value is listed, the added variable carried over.
    assert!(text(&out).contains("LOG_LEVEL=DEBUG"), "{}", text(&out));
    let spec = std::fs::read_to_string(&file).unwrap();
    assert!(spec.contains("name: FEATURE_FLAG"), "{spec}");
    let env = get(&[
        "get",
        "deployment",
        "-n",
        n,
        "skyflo-engine",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].env[?(@.name==\"FEATURE_FLAG\")].value}",
    ]);
    assert_eq!(env, "on");
    assert_adopted(
        n,
        "skyflo",
        &before,
        &[("OPENAI_API_KEY", OPENAI), ("ANTHROPIC_API_KEY", ANTHROPIC)],
    );
    let list = helm(&["list", "-n", n, "-q"]);
    assert_eq!(
        String::from_utf8_lossy(&list.stdout).trim(),
        "",
        "helm list no longer shows it"
    );
    // The chart's second revision scaled the UI to 2: the file says so.
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("replicas: 2")
    );
}

/// Release `prod` → fullname `prod-skyflo`, PostgreSQL data owned by uid 999 (the chart's),
/// next to a second release in the same namespace that must stay untouched. Also: the dry
/// run writes nothing and prints no secret; a second adopt and `upgrade -f` write nothing.
#[tokio::test]
async fn adopts_helm_release_prod_with_uid_999_data_and_leaves_the_other_release_alone() {
    let _u = UPSTREAMS.read().await;
    let ns = TestNamespace::reserve("adopt-prod").await;
    let n = ns.name.as_str();
    let other = format!("other{}", std::process::id());
    let other_prefix = format!("{other}-skyflo");
    let _c = cleanup(n, &["prod", &other], &["prod-skyflo", &other_prefix]);
    helm_release(n, "prod", &[]);
    helm_release(n, &other, &["--set", "networkPolicy.enabled=false"]);
    settled(n, "prod-skyflo").await;
    let before = kept(n, "prod-skyflo", "prod-skyflo");
    let other_before = objects_named(n, &other_prefix);
    assert!(other_before.len() > 10, "{other_before:?}");
    let (_dir, file) = spec_path();

    let out = adopt(n, &file, &[]);
    assert_eq!(out.status.code(), Some(1), "two releases: {}", text(&out));
    assert!(text(&out).contains("--release"), "{}", text(&out));

    let api = ExtraApiServer::start("adopt-dry");
    let path = file.to_str().unwrap();
    for format in [&[][..], &["-o", "json"][..]] {
        let mut args = vec![
            "adopt",
            "-n",
            n,
            "--release",
            "prod",
            "--dry-run",
            "--write",
            path,
        ];
        args.extend_from_slice(format);
        let out = skyflo_via(&api.kubeconfig, &args, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        for planted in [OPENAI, ANTHROPIC, PASSWORD, JWT] {
            assert!(
                !text(&out).contains(planted),
                "a secret value was printed: {}",
                text(&out)
            );
        }
        assert!(text(&out).contains("OPENAI_API_KEY"), "{}", text(&out));
    }
    assert!(!file.exists(), "a dry run writes no file");
    assert_eq!(
        skyflo_writes(&api.audit()),
        Vec::<String>::new(),
        "a dry run writes nothing"
    );

    let out = adopt(n, &file, &["--release", "prod"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_adopted(
        n,
        "prod-skyflo",
        &before,
        &[("OPENAI_API_KEY", OPENAI), ("ANTHROPIC_API_KEY", ANTHROPIC)],
    );
    let spec = std::fs::read_to_string(&file).unwrap();
    assert!(spec.contains("runAsUser: 999"), "{spec}");
    let sc = get(&[
        "get",
        "statefulset",
        "-n",
        n,
        "prod-skyflo-postgres",
        "-o",
        "jsonpath={.spec.template.spec.securityContext.runAsUser}/{.spec.template.spec.securityContext.fsGroup}",
    ]);
    assert_eq!(sc, "999/999", "PostgreSQL runs as the owner of its data");
    // Without --name, commands find the namespace's only installation (`prod-skyflo`).
    let status = skyflo(&["status", "-n", n, "-o", "json"]);
    assert_eq!(status.status.code(), Some(0), "{}", text(&status));
    assert!(text(&status).contains("prod-skyflo"), "{}", text(&status));
    let list = helm(&["list", "-n", n, "-q"]);
    assert_eq!(
        String::from_utf8_lossy(&list.stdout).trim(),
        other,
        "only prod's records went"
    );
    assert_eq!(
        objects_named(n, &other_prefix),
        other_before,
        "the other release's objects are untouched (same resourceVersions)"
    );

    let again = skyflo_via(
        &api.kubeconfig,
        &[
            "adopt",
            "-n",
            n,
            "--release",
            "prod",
            "--yes",
            "--write",
            path,
        ],
        &[],
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let upgrade = skyflo_via(&api.kubeconfig, &["upgrade", "-n", n, "-f", path], &[]);
    assert_eq!(upgrade.status.code(), Some(0), "{}", text(&upgrade));
    assert!(text(&upgrade).contains("up to date"), "{}", text(&upgrade));
    assert_eq!(
        skyflo_writes(&api.audit()),
        Vec::<String>::new(),
        "a second adopt and upgrade -f write nothing"
    );
}

#[tokio::test]
async fn an_adoption_killed_after_the_data_workloads_were_replaced_finishes_on_the_next_run() {
    let _u = UPSTREAMS.read().await;
    let ns = TestNamespace::reserve("adopt-kill").await;
    let n = ns.name.as_str();
    let _c = helm_settled(n, "kill", &[]).await;
    let before = kept(n, "kill-skyflo", "kill-skyflo");
    let (_dir, file) = spec_path();
    let child = spawn_skyflo_via(
        &kubeconfig(),
        &["adopt", "-n", n, "--yes", "--write", file.to_str().unwrap()],
        &[
            ("SKYFLO_FAILPOINT", "after-stage-4:stop"),
            ("SKYFLO_LOCK_LEASE_SECONDS", "3"),
        ],
    );
    wait_stopped(child.id(), 60);
    signal(child.id(), "KILL");
    let _ = child.wait_with_output();
    // Stopped between PostgreSQL/Redis and the apps: the data workloads are skyflo's and
    // Ready, nothing was removed, no claim or credential was lost.
    let owner = get(&[
        "get",
        "statefulset",
        "-n",
        n,
        "kill-skyflo-postgres",
        "-o",
        "jsonpath={.metadata.labels.app\\.kubernetes\\.io/managed-by}",
    ]);
    assert_eq!(owner, "skyflo");
    // The apps are replaced only after the data stores are Ready: still upstream's here.
    let engine_owner = get(&[
        "get",
        "deployment",
        "-n",
        n,
        "kill-skyflo-engine",
        "-o",
        "jsonpath={.metadata.labels.app\\.kubernetes\\.io/managed-by}",
    ]);
    assert_eq!(engine_owner, "Helm");
    assert_eq!(kept(n, "kill-skyflo", "kill-skyflo"), before);
    assert_eq!(
        secret_value(n, "kill-skyflo-llm-credentials", "OPENAI_API_KEY").as_deref(),
        Some(OPENAI)
    );
    assert_ne!(
        get(&[
            "get",
            "deployment",
            "-n",
            n,
            "kill-skyflo-controller",
            "-o",
            "name"
        ]),
        ""
    );
    assert!(present(n, "configmap", "kill-skyflo-adopt"), "the journal");
    // The journal holds no secret value (Helm's values had them all), and is signed.
    let journal_json = get(&[
        "get",
        "configmap",
        "-n",
        n,
        "kill-skyflo-adopt",
        "-o",
        "json",
    ]);
    for planted in [OPENAI, ANTHROPIC, PASSWORD, JWT] {
        assert!(!journal_json.contains(planted), "{planted} in the journal");
    }
    let journal: serde_json::Value = serde_json::from_str(&journal_json).unwrap();
    let text_of = |j: &serde_json::Value| j["data"]["journal"].as_str().unwrap().to_string();
    assert!(journal["data"]["signature"].is_string(), "{journal_json}");
    // Someone who may edit ConfigMaps plants a journal naming a foreign Secret as a Helm
    // record, and another MCP image: the resumed adoption refuses it and deletes nothing.
    let foreign = kubectl(&[
        "create",
        "secret",
        "generic",
        "team-db-creds",
        "-n",
        n,
        "--from-literal=k=v",
    ]);
    assert!(foreign.status.success(), "{}", text(&foreign));
    let mut forged: serde_json::Value = serde_json::from_str(&text_of(&journal)).unwrap();
    forged["candidate"]["helmRecords"]
        .as_array_mut()
        .unwrap()
        .push("team-db-creds".into());
    forged["specYaml"] = forged["specYaml"]
        .as_str()
        .unwrap()
        .replace("skyfloaiagent/mcp:", "evil.example/mcp:")
        .into();
    let patch = serde_json::json!({"data": {"journal": forged.to_string()}}).to_string();
    let patched = kubectl(&[
        "patch",
        "configmap",
        "kill-skyflo-adopt",
        "-n",
        n,
        "--type=merge",
        "-p",
        &patch,
    ]);
    assert!(patched.status.success(), "{}", text(&patched));
    std::thread::sleep(std::time::Duration::from_secs(4));
    let refused = adopt(n, &file, &[]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        text(&refused).contains("does not carry skyflo's signature"),
        "{}",
        text(&refused)
    );
    assert!(
        present(n, "secret", "team-db-creds"),
        "the foreign Secret stays"
    );
    assert_eq!(
        engine_owner,
        get(&[
            "get",
            "deployment",
            "-n",
            n,
            "kill-skyflo-engine",
            "-o",
            "jsonpath={.metadata.labels.app\\.kubernetes\\.io/managed-by}",
        ]),
        "nothing was changed"
    );
    // The journal as skyflo wrote it (the user undoes the edit): the adoption continues.
    let restore = serde_json::json!({"data": {"journal": text_of(&journal)}}).to_string();
    let undone = kubectl(&[
        "patch",
        "configmap",
        "kill-skyflo-adopt",
        "-n",
        n,
        "--type=merge",
        "-p",
        &restore,
    ]);
    assert!(undone.status.success(), "{}", text(&undone));
    // The adoption continues; between its plan and its removals (made under the lock, each
    // proven again), another team binds upstream's ClusterRole: the role is kept.
    let child = spawn_skyflo_via(
        &kubeconfig(),
        &["adopt", "-n", n, "--yes", "--write", file.to_str().unwrap()],
        &[("SKYFLO_FAILPOINT", "adopt-before-leftovers:stop")],
    );
    wait_stopped(child.id(), 120);
    let binding = kubectl(&[
        "create",
        "rolebinding",
        "uses-upstream-role",
        "-n",
        n,
        "--clusterrole=kill-skyflo-controller-role",
        "--user=someone",
    ]);
    assert!(binding.status.success(), "{}", text(&binding));
    signal(child.id(), "CONT");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("Continuing the adoption"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains(&format!(
            "kept ClusterRole kill-skyflo-controller-role: RoleBinding {n}/uses-upstream-role still uses it"
        )),
        "{}",
        text(&out)
    );
    assert!(
        present(n, "clusterrole", "kill-skyflo-controller-role"),
        "kept"
    );
    assert!(
        present(n, "secret", "team-db-creds"),
        "the foreign Secret stays"
    );
    // Once the user drops their binding, the role is theirs to remove.
    kubectl(&["delete", "rolebinding", "uses-upstream-role", "-n", n]);
    kubectl(&["delete", "clusterrole", "kill-skyflo-controller-role"]);
    assert_adopted(
        n,
        "kill-skyflo",
        &before,
        &[("OPENAI_API_KEY", OPENAI), ("ANTHROPIC_API_KEY", ANTHROPIC)],
    );
    assert!(!present(n, "configmap", "kill-skyflo-adopt"));
    let list = helm(&["list", "-n", n, "-q"]);
    assert_eq!(String::from_utf8_lossy(&list.stdout).trim(), "");
}

#[tokio::test]
async fn adopt_in_a_namespace_without_an_upstream_installation_exits_1_and_writes_nothing() {
    let _u = UPSTREAMS.read().await;
    let ns = TestNamespace::create("adopt-none", false).await;
    let (_dir, file) = spec_path();
    let out = adopt(&ns.name, &file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("no upstream Skyflo installation"),
        "{}",
        text(&out)
    );
    assert!(!file.exists());
}

/// A timeout (here: an engine that can never start): PostgreSQL and Redis are skyflo's and
/// Ready, but nothing was removed, no claim or credential was lost, and the message says what
/// is whose and how to finish.
#[tokio::test]
async fn an_adoption_that_fails_deletes_no_claim_or_credential_and_says_what_state_it_left() {
    let _u = UPSTREAMS.read().await;
    let ns = TestNamespace::reserve("adopt-fail").await;
    let n = ns.name.as_str();
    let crashing = ["--set", "engine.image=testcluster.invalid/crashloop:v1"];
    let _c = helm_settled(n, "fail", &crashing).await;
    let before = kept(n, "fail-skyflo", "fail-skyflo");
    let (_dir, file) = spec_path();
    let out = adopt(n, &file, &["--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for said in [
        "no volume claim or credential was deleted",
        "Now skyflo's:",
        "StatefulSet fail-skyflo-postgres",
        "Still upstream's:",
        "Deployment fail-skyflo-controller",
        "sh.helm.release.v1.fail.v2",
        "skyflo adopt -n",
    ] {
        assert!(stderr.contains(said), "{said}: {stderr}");
    }
    assert_eq!(kept(n, "fail-skyflo", "fail-skyflo"), before);
    assert_eq!(
        secret_value(n, "fail-skyflo-llm-credentials", "OPENAI_API_KEY").as_deref(),
        Some(OPENAI)
    );
    let list = helm(&["list", "-n", n, "-q"]);
    assert_eq!(
        String::from_utf8_lossy(&list.stdout).trim(),
        "fail",
        "nothing removed"
    );
    assert!(
        present(n, "configmap", "fail-skyflo-adopt"),
        "the journal stays for the next run"
    );
}

/// The chart on an external PostgreSQL and Redis, with `fullnameOverride`: the engine's URLs
/// become databaseConfig and redisConfig, their credentials Secrets the file names (values
/// never printed).
#[tokio::test]
async fn adopts_a_helm_release_on_external_postgresql_and_redis() {
    let _u = UPSTREAMS.read().await;
    let ns = TestNamespace::reserve("adopt-ext").await;
    let n = ns.name.as_str();
    let _c = cleanup(n, &["ext"], &["extsky"]);
    let db = "postgres://app%40corp:ext-db-planted%2Fpw@db.example.com:6543/skyflo?sslmode=require";
    let cache = "rediss://:ext-redis-planted@cache.example.com:6380/0";
    let db_arg = format!("postgresql.external.url={db}");
    let cache_arg = format!("redis.external.url={cache}");
    helm_release(
        n,
        "ext",
        &[
            "--set",
            "postgresql.enabled=false,redis.enabled=false,fullnameOverride=extsky",
            "--set-string",
            &db_arg,
            "--set-string",
            &cache_arg,
        ],
    );
    let jwt = secret_value(n, "extsky-engine-secrets", "JWT_SECRET");
    let (_dir, file) = spec_path();
    let out = adopt(n, &file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    for planted in ["ext-db-planted", "ext-redis-planted", OPENAI, JWT] {
        assert!(!text(&out).contains(planted), "{planted}: {}", text(&out));
    }
    let spec = std::fs::read_to_string(&file).unwrap();
    for field in [
        "host: db.example.com",
        "port: 6543",
        "database: skyflo",
        "secretName: extsky-external-postgres",
        "sslMode: require",
        "host: cache.example.com",
        "port: 6380",
        "tls: true",
        "secretName: extsky-external-redis",
    ] {
        assert!(spec.contains(field), "{field}: {spec}");
    }
    assert!(!spec.contains("planted"), "{spec}");
    let value = |s: &str, k: &str| secret_value(n, s, k);
    assert_eq!(
        value("extsky-external-postgres", "POSTGRES_USER").as_deref(),
        Some("app@corp")
    );
    assert_eq!(
        value("extsky-external-postgres", "POSTGRES_PASSWORD").as_deref(),
        Some("ext-db-planted/pw")
    );
    assert_eq!(
        value("extsky-external-redis", "REDIS_PASSWORD").as_deref(),
        Some("ext-redis-planted")
    );
    assert_eq!(value("extsky-engine-secrets", "JWT_SECRET"), jwt);
    let status = skyflo(&["status", "-n", n, "--name", "extsky"]);
    assert_eq!(status.status.code(), Some(0), "{}", text(&status));
    assert_eq!(
        get(&["get", "statefulset", "-n", n, "-o", "name"]),
        "",
        "nothing runs in the cluster for the data"
    );
    let upgrade = skyflo(&["upgrade", "-n", n, "-f", file.to_str().unwrap()]);
    assert!(text(&upgrade).contains("up to date"), "{}", text(&upgrade));
}

/// Something skyflo cannot take over (here the chart's database user is not `skyflo`): exit 1,
/// the reason, and nothing written anywhere.
#[tokio::test]
async fn an_installation_skyflo_cannot_take_over_is_refused_before_any_write() {
    let _u = UPSTREAMS.read().await;
    let ns = TestNamespace::reserve("adopt-odd").await;
    let n = ns.name.as_str();
    let _c = helm_settled(n, "odd", &["--set", "postgresql.auth.username=other"]).await;
    let (_dir, file) = spec_path();
    let out = adopt(n, &file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    for said in ["POSTGRES_USER \"other\"", "nothing was changed"] {
        assert!(text(&out).contains(said), "{said}: {}", text(&out));
    }
    assert!(!file.exists());
    let ours = get(&[
        "get",
        "all,secret,configmap",
        "-n",
        n,
        "-l",
        "app.kubernetes.io/managed-by=skyflo",
        "-o",
        "name",
    ]);
    assert_eq!(ours, "", "nothing was written");
    let list = helm(&["list", "-n", n, "-q"]);
    assert_eq!(String::from_utf8_lossy(&list.stdout).trim(), "odd");
}
