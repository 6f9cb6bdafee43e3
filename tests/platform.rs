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
    // `-q --yes` asks for no confirmation, so it shows no list either: only the result.
    let out = skyflo(&["uninstall", "-n", n, "--yes", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("Will delete"), "{stdout}");
    assert!(stdout.contains("uninstalled"), "{stdout}");
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

#[tokio::test]
async fn an_ingress_install_shows_its_host_in_status() {
    let ns = TestNamespace::reserve("ingress").await;
    let n = ns.name.as_str();
    let dir = tempfile::tempdir().unwrap();
    let spec = spec_yaml("").replace(
        "    service: {type: ClusterIP}\n  engine:",
        "    service: {type: ClusterIP}\n    ingress:\n      className: nginx\n      hosts: [skyflo.example.test]\n      tlsSecret: skyflo-tls\n      annotations: {nginx.ingress.kubernetes.io/proxy-read-timeout: \"3600\", cert-manager.io/cluster-issuer: letsencrypt}\n  engine:",
    );
    let file = write_spec(&dir, "s.yaml", &spec);
    let out = skyflo(&["install", "-n", n, "-f", &file, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("https://skyflo.example.test"),
        "{}",
        text(&out)
    );
    let backend = kubectl(&[
        "get",
        "ingress",
        "skyflo-ui",
        "-n",
        n,
        "-o",
        "jsonpath={.spec.rules[0].host} {.spec.rules[0].http.paths[0].backend.service.name}:{.spec.rules[0].http.paths[0].backend.service.port.name} {.spec.ingressClassName}",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&backend.stdout),
        "skyflo.example.test skyflo-ui:http nginx"
    );
    let status = skyflo(&["status", "-n", n]);
    assert_eq!(status.status.code(), Some(0), "{}", text(&status));
    let shown = String::from_utf8_lossy(&status.stdout);
    assert!(
        shown.contains("UI:   https://skyflo.example.test (Ingress skyflo-ui"),
        "{shown}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&skyflo(&["status", "-n", n, "-o", "json"]).stdout).unwrap();
    assert!(
        json["access"]["ui"]
            .as_str()
            .unwrap()
            .contains("skyflo.example.test"),
        "{json}"
    );
}

/// Waits until the UI's disruption budget allows one eviction again.
async fn budget_allows_one(ns: &str, what: &str) {
    eventually(30, what, || async {
        let o = kubectl(&[
            "get",
            "pdb",
            "skyflo-ui",
            "-n",
            ns,
            "-o",
            "jsonpath={.status.disruptionsAllowed}",
        ]);
        (String::from_utf8_lossy(&o.stdout) == "1").then_some(())
    })
    .await;
}

/// The eviction API, as `kubectl drain` calls it, once (kube-rs would retry a 429 by itself).
fn evict(ns: &str, pod: &str) -> std::process::Output {
    let body = format!(
        r#"{{"apiVersion":"policy/v1","kind":"Eviction","metadata":{{"name":"{pod}","namespace":"{ns}"}}}}"#
    );
    kubectl_stdin(
        &[
            "create",
            "--raw",
            &format!("/api/v1/namespaces/{ns}/pods/{pod}/eviction"),
            "-f",
            "-",
        ],
        &body,
    )
}

#[tokio::test]
async fn three_replicas_get_disruption_budgets_that_hold_a_drain_back() {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::{Api, ListParams};
    let ns = TestNamespace::reserve("pdb").await;
    let n = ns.name.clone();
    let dir = tempfile::tempdir().unwrap();
    // The slow image: a replacement pod needs 8 s to become ready (kwok's others are instant),
    // the window in which the budget is spent, as with a real pod starting.
    let spec = spec_yaml("  topologySpread: {enabled: true}\n")
        .replace(
            "    service: {type: ClusterIP}\n  engine:",
            "    service: {type: ClusterIP}\n    replicas: 3\n  engine:",
        )
        .replace("skyfloaiagent/ui:v0.7.0", "testcluster.invalid/slow:v1");
    let file = write_spec(&dir, "s.yaml", &spec);
    let out = skyflo(&["install", "-n", &n, "-f", &file, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let pdbs = kubectl(&[
        "get",
        "pdb",
        "-n",
        &n,
        "-o",
        "jsonpath={.items[*].metadata.name}",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&pdbs.stdout),
        "skyflo-ui",
        "one budget, for the only component with replicas > 1"
    );
    let pods: Api<Pod> = Api::namespaced(ns.client.clone(), &n);
    let ui = ListParams::default()
        .labels("app.kubernetes.io/instance=skyflo,app.kubernetes.io/component=ui");
    // The disruption controller publishes how many evictions the budget allows.
    budget_allows_one(&n, "the budget to allow one disruption").await;
    let names: Vec<String> = pods
        .list(&ui)
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .collect();
    assert_eq!(names.len(), 3);
    // Evicting two pods back to back (what a drain of a node holding both would do): the
    // first is allowed, the second would break the budget and is refused.
    let first = evict(&n, &names[0]);
    assert!(
        first.status.success(),
        "first eviction allowed: {}",
        text(&first)
    );
    let second = evict(&n, &names[1]);
    assert!(
        !second.status.success(),
        "the second eviction must be refused: {}",
        text(&second)
    );
    assert!(
        String::from_utf8_lossy(&second.stderr)
            .contains("would violate the pod's disruption budget"),
        "{}",
        text(&second)
    );
    // While the budget is spent, status warns that a drain would wait.
    let status = skyflo(&["status", "-n", &n, "-o", "json"]);
    let warned: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let warnings = warned["warnings"].as_array().cloned().unwrap_or_default();
    // Once the replacement is ready, the next eviction is allowed again.
    budget_allows_one(&n, "the budget to recover").await;
    let third = evict(&n, &names[1]);
    assert!(
        third.status.success(),
        "allowed once healthy again: {}",
        text(&third)
    );
    assert!(
        warnings.iter().any(|w| w
            .as_str()
            .unwrap_or_default()
            .contains("allows no disruption")),
        "status warned while the budget was spent: {warned}"
    );
    let spread = kubectl(&[
        "get",
        "deploy",
        "skyflo-ui",
        "-n",
        &n,
        "-o",
        "jsonpath={.spec.template.spec.topologySpreadConstraints[0].topologyKey}",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&spread.stdout),
        "kubernetes.io/hostname"
    );
}

#[tokio::test]
async fn gitops_rendering_applied_twice_changes_no_credential() {
    let Installed { ns, dir, file } = installed("gitops").await;
    let n = ns.name.as_str();
    let creds = || {
        (
            secret_value(n, "skyflo-postgres-secrets", "POSTGRES_PASSWORD"),
            secret_value(n, "skyflo-engine-secrets", "JWT_SECRET"),
        )
    };
    let before = creds();
    assert!(before.0.is_some() && before.1.is_some());
    for i in 0..2 {
        let out = skyflo(&["template", "-n", n, "-f", &file]);
        assert!(out.status.success(), "{}", text(&out));
        let rendered = dir.path().join(format!("rendered-{i}.yaml"));
        std::fs::write(&rendered, &out.stdout).unwrap();
        // As a GitOps tool applies it: server-side, its own field manager, taking over fields.
        let applied = kubectl(&[
            "apply",
            "--server-side",
            "--force-conflicts",
            "--field-manager=argocd-controller",
            "-f",
            rendered.to_str().unwrap(),
        ]);
        assert!(applied.status.success(), "{}", text(&applied));
        assert_eq!(creds(), before, "after applying rendering {i}");
    }
    // The rendering matches the installation: skyflo's next upgrade changes no credential and
    // restarts nothing.
    let out = skyflo(&["upgrade", "-n", n, "-f", &file, "--diff"]);
    assert_eq!(creds(), before);
    let plan = String::from_utf8_lossy(&out.stdout);
    assert!(!plan.contains("Secret"), "{}", text(&out));
}

#[tokio::test]
async fn credentials_from_the_users_own_secrets_are_used_and_never_generated() {
    let ns = TestNamespace::create("ownsecrets", false).await;
    let n = ns.name.as_str();
    for (name, key, value) in [
        ("my-jwt", "JWT_SECRET", "jwt-planted-41f0"),
        ("my-db", "POSTGRES_PASSWORD", "pw-planted-93aa"),
    ] {
        let created = kubectl(&[
            "create",
            "secret",
            "generic",
            name,
            "-n",
            n,
            &format!("--from-literal={key}={value}"),
        ]);
        assert!(created.status.success(), "{}", text(&created));
    }
    let dir = tempfile::tempdir().unwrap();
    let spec = spec_yaml("").replace(
        "    image: skyfloaiagent/engine:v0.7.0\n",
        "    image: skyfloaiagent/engine:v0.7.0\n    jwtSecretName: my-jwt\n    databaseConfig: {secretName: my-db}\n",
    );
    let file = write_spec(&dir, "s.yaml", &spec);
    let out = skyflo(&["install", "-n", n, "-f", &file, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains("planted"));
    assert!(
        uid_of(n, "secret", "skyflo-engine-secrets").is_none(),
        "no JWT secret generated"
    );
    assert!(
        uid_of(n, "secret", "skyflo-postgres-secrets").is_none(),
        "no password generated"
    );
    let refs = kubectl(&[
        "get",
        "sts",
        "skyflo-postgres",
        "-n",
        n,
        "-o",
        "jsonpath={.spec.template.spec.containers[0].env[?(@.name==\"POSTGRES_PASSWORD\")].valueFrom.secretKeyRef.name}",
    ]);
    assert_eq!(String::from_utf8_lossy(&refs.stdout), "my-db");
    let jwt = kubectl(&[
        "get",
        "deploy",
        "skyflo-engine",
        "-n",
        n,
        "-o",
        "jsonpath={.spec.template.spec.containers[0].env[?(@.name==\"JWT_SECRET\")].valueFrom.secretKeyRef.name}",
    ]);
    assert_eq!(String::from_utf8_lossy(&jwt.stdout), "my-jwt");
    // skyflo never deletes them: they are the user's.
    let out = skyflo(&["uninstall", "-n", n, "--purge", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        secret_value(n, "my-db", "POSTGRES_PASSWORD").as_deref(),
        Some("pw-planted-93aa")
    );
    assert_eq!(
        secret_value(n, "my-jwt", "JWT_SECRET").as_deref(),
        Some("jwt-planted-41f0")
    );
}

#[tokio::test]
async fn external_database_passwords_with_any_character_reach_the_engine_encoded() {
    let ns = TestNamespace::create("extdb", false).await;
    let n = ns.name.as_str();
    let dir = tempfile::tempdir().unwrap();
    let spec = spec_yaml("").replace(
        "    image: skyfloaiagent/engine:v0.7.0\n",
        "    image: skyfloaiagent/engine:v0.7.0\n    databaseConfig: {host: pg.example.internal, secretName: pg, sslMode: require}\n    redisConfig: {host: redis.example.internal, secretName: redis, tls: true}\n",
    );
    let file = write_spec(&dir, "s.yaml", &spec);
    // The Secrets do not exist yet: refused before any write, naming them.
    let out = skyflo(&["install", "-n", n, "-f", &file, "--timeout", "30s"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains(&format!("Secret {n}/pg, which does not exist")),
        "{}",
        text(&out)
    );
    assert!(uid_of(n, "deploy", "skyflo-engine").is_none());
    let pw = "p@ss:w/rd#?%&= ü";
    for (name, pairs) in [
        (
            "pg",
            vec![("POSTGRES_USER", "app"), ("POSTGRES_PASSWORD", pw)],
        ),
        ("redis", vec![("REDIS_PASSWORD", pw)]),
    ] {
        let mut args = vec![
            "create".to_string(),
            "secret".into(),
            "generic".into(),
            name.into(),
            "-n".into(),
            n.into(),
        ];
        args.extend(pairs.iter().map(|(k, v)| format!("--from-literal={k}={v}")));
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        assert!(kubectl(&a).status.success());
    }
    let out = skyflo(&["install", "-n", n, "-f", &file, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains(pw));
    let encoded = "p%40ss%3Aw%2Frd%23%3F%25%26%3D%20%C3%BC";
    assert_eq!(
        secret_value(n, "skyflo-connection", "PG_PASSWORD").as_deref(),
        Some(pw)
    );
    assert_eq!(
        secret_value(n, "skyflo-connection", "REDIS_PASSWORD_URLENCODED").as_deref(),
        Some(encoded)
    );
    let urls = kubectl(&[
        "get",
        "deploy",
        "skyflo-engine",
        "-n",
        n,
        "-o",
        "jsonpath={.spec.template.spec.containers[0].env[?(@.name==\"POSTGRES_DATABASE_URL\")].value} {.spec.template.spec.containers[0].env[?(@.name==\"PGSSLMODE\")].value} {.spec.template.spec.containers[0].env[?(@.name==\"CHECKPOINTER_DATABASE_URL\")].value} {.spec.template.spec.containers[0].env[?(@.name==\"REDIS_URL\")].value}",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&urls.stdout),
        "postgres://pg.example.internal:5432/skyflo require postgres://pg.example.internal:5432/skyflo?sslmode=require rediss://:$(_REDIS_PASS)@redis.example.internal:6379/0"
    );
    // A rotated password reaches the engine on the next run (the checksum follows it).
    let before = kubectl(&[
        "get",
        "deploy",
        "skyflo-engine",
        "-n",
        n,
        "-o",
        "jsonpath={.spec.template.metadata.annotations.skyflo\\.ai/config-checksum}",
    ]);
    let rotated = kubectl_stdin(
        &["apply", "-f", "-"],
        &format!(
            r#"{{"apiVersion":"v1","kind":"Secret","metadata":{{"name":"redis","namespace":"{n}"}},"stringData":{{"REDIS_PASSWORD":"new"}}}}"#
        ),
    );
    assert!(rotated.status.success(), "{}", text(&rotated));
    let out = skyflo(&["upgrade", "-n", n, "-f", &file, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let after = kubectl(&[
        "get",
        "deploy",
        "skyflo-engine",
        "-n",
        n,
        "-o",
        "jsonpath={.spec.template.metadata.annotations.skyflo\\.ai/config-checksum}",
    ]);
    assert_ne!(before.stdout, after.stdout);
    assert_eq!(
        secret_value(n, "skyflo-connection", "REDIS_PASSWORD_URLENCODED").as_deref(),
        Some("new")
    );
    // Its backups are the database's own: `backup` says so and does nothing.
    let backups = tempfile::tempdir().unwrap();
    let out = skyflo_with(
        &["backup", "-n", n],
        &[("SKYFLO_BACKUP_DIR", backups.path().to_str().unwrap())],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("external PostgreSQL"), "{}", text(&out));
    assert_eq!(std::fs::read_dir(backups.path()).unwrap().count(), 0);
}

/// A Secret the spec names but the namespace lacks (or that lacks the key the pods read) stops
/// `install` before its first write, naming the field; `check` says it on its `secrets` line.
/// kwok would report every pod Ready where a real kubelet stops the engine.
#[tokio::test]
async fn a_missing_named_secret_stops_install_before_any_write() {
    let ns = TestNamespace::create("namedsecret", false).await;
    let n = ns.name.as_str();
    let created = kubectl(&[
        "create",
        "secret",
        "generic",
        "my-jwt",
        "-n",
        n,
        "--from-literal=WRONG_KEY=x",
    ]);
    assert!(created.status.success(), "{}", text(&created));
    let dir = tempfile::tempdir().unwrap();
    let spec = spec_yaml("").replace(
        "    image: skyfloaiagent/engine:v0.7.0\n",
        "    image: skyfloaiagent/engine:v0.7.0\n    jwtSecretName: my-jwt\n    llm: {model: openai/gpt-4o, apiKeySecret: my-llm}\n",
    );
    let file = write_spec(&dir, "s.yaml", &spec);
    let missing =
        format!("spec.engine.llm.apiKeySecret names Secret {n}/my-llm, which does not exist");
    let no_key = format!("Secret {n}/my-jwt (spec.engine.jwtSecretName) has no key JWT_SECRET");

    let out = skyflo(&["check", "-n", n, "-f", &file, "--offline"]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains(&missing) && text(&out).contains(&no_key),
        "{}",
        text(&out)
    );

    let out = skyflo(&[
        "install",
        "-n",
        n,
        "-f",
        &file,
        "--skip-checks",
        "--timeout",
        "30s",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&missing) && err.contains(&no_key) && err.contains("nothing was changed"),
        "{err}"
    );
    let ours = kubectl(&[
        "get",
        "all,configmaps,secrets,leases,serviceaccounts",
        "-n",
        n,
        "-l",
        "app.kubernetes.io/managed-by=skyflo",
        "-o",
        "name",
    ]);
    assert!(ours.status.success(), "{}", text(&ours));
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout).trim(),
        "",
        "nothing written"
    );
    assert!(uid_of(n, "lease", "skyflo-lock").is_none(), "no lock taken");

    // With both Secrets right, the same file installs.
    kubectl(&["delete", "secret", "my-jwt", "-n", n]);
    for (name, kv) in [
        ("my-jwt", "JWT_SECRET=j-5e1"),
        ("my-llm", "OPENAI_API_KEY=k-77a"),
    ] {
        let c = kubectl(&[
            "create",
            "secret",
            "generic",
            name,
            "-n",
            n,
            &format!("--from-literal={kv}"),
        ]);
        assert!(c.status.success(), "{}", text(&c));
    }
    let out = skyflo(&[
        "install",
        "-n",
        n,
        "-f",
        &file,
        "--skip-checks",
        "--timeout",
        "60s",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

/// The UI's default is ClusterIP now; an installation whose UI is exposed (as the old default
/// NodePort 30080 did) keeps its exposure across `upgrade` with and without -f when the spec
/// does not choose, and the plan names the new default and how to choose.
#[tokio::test]
async fn an_exposed_ui_keeps_its_node_port_across_upgrades_that_do_not_choose() {
    let ns = TestNamespace::reserve("keepexposure").await;
    let n = ns.name.as_str();
    let dir = tempfile::tempdir().unwrap();
    let exposed = spec_yaml("").replace(
        "    service: {type: ClusterIP}\n  engine:",
        "    service: {type: NodePort, nodePort: 31480}\n  engine:",
    );
    let file = write_spec(&dir, "old.yaml", &exposed);
    let out = install(n, &file, &["--skip-checks"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Exposure is said: by install (the warning, and how to create the admin) ...
    assert!(
        text(&out).contains("the UI is reachable from outside the cluster through NodePort 31480")
            && text(&out).contains("skyflo admin create"),
        "{}",
        text(&out)
    );
    // ... that a login cannot stick over its plain http, by install and by check ...
    assert!(
        text(&out).contains("the UI is reachable over plain http through NodePort 31480"),
        "{}",
        text(&out)
    );
    let check = skyflo(&["check", "-n", n, "-f", &file, "--offline"]);
    assert!(
        text(&check).contains("(plain http through NodePort 31480 of every node)")
            && text(&check).contains("Secure"),
        "{}",
        text(&check)
    );
    // ... by status, which asks the engine whether an admin exists ...
    let engine = common::nginx::Backends::start();
    port_forward(n, &pod_of(n, "engine"), &[(8080, engine.engine)]);
    let status = skyflo(&["status", "-n", n]);
    assert!(
        text(&status).contains("Exposure: the UI is reachable from OUTSIDE the cluster through NodePort 31480 of every node; self-registration closed; NO ADMIN yet")
            && text(&status).contains("MCP access level cluster-admin")
            && text(&status).contains("Plain http: through NodePort 31480 of every node")
            && text(&status).contains("skyflo dashboard"),
        "{}",
        text(&status)
    );
    let json = skyflo(&["status", "-n", n, "-o", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["access"]["adminExists"], false, "{v}");
    assert_eq!(v["access"]["exposure"]["signupOpen"], false, "{v}");
    // ... and by check's exposure line.
    let check = skyflo(&["check", "-n", n, "-f", &file, "--offline"]);
    assert!(
        text(&check).contains(
            "reachable from outside through NodePort 31480 of every node (plain http through NodePort 31480 of every node); self-registration closed"
        ),
        "{}",
        text(&check)
    );
    let service = || {
        let o = kubectl(&[
            "get",
            "svc",
            "skyflo-ui",
            "-n",
            n,
            "-o",
            "jsonpath={.spec.type} {.spec.ports[0].nodePort}",
        ]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert_eq!(service(), "NodePort 31480");
    // A file that does not choose (as every file written before the default changed).
    let silent = spec_yaml("").replace(
        "    service: {type: ClusterIP}\n  engine:",
        "    replicas: 2\n  engine:",
    );
    let file = write_spec(&dir, "new.yaml", &silent);
    let diff = skyflo(&["upgrade", "-n", n, "-f", &file, "--diff"]);
    assert!(
        text(&diff).contains("the UI stays exposed as deployed (NodePort 31480)")
            && text(&diff).contains("the default is now ClusterIP"),
        "{}",
        text(&diff)
    );
    let out = skyflo(&["upgrade", "-n", n, "-f", &file, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(service(), "NodePort 31480", "kept with -f");
    // The engine (reached through its pod's port-forward) has no account yet: said, with the
    // command that creates the admin.
    assert!(
        text(&out).contains("NO ADMIN exists")
            && text(&out).contains(&format!("skyflo admin create -n {n} --email E"))
            && text(&out).contains("UI:  NodePort 31480"),
        "the access hint names what was deployed: {}",
        text(&out)
    );
    let out = skyflo(&[
        "upgrade",
        "-n",
        n,
        "--set",
        "ui.replicas=1",
        "--timeout",
        "60s",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(service(), "NodePort 31480", "kept without -f");
    // Choosing closes it.
    let closed = write_spec(&dir, "closed.yaml", &spec_yaml(""));
    let out = skyflo(&["upgrade", "-n", n, "-f", &closed, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(service(), "ClusterIP ", "closed when chosen");
    assert!(
        text(&out).contains(&format!(
            "UI:  inside the cluster only; open it with `skyflo dashboard -n {n}`"
        )),
        "the access hint names the dashboard: {}",
        text(&out)
    );
}

/// `skyflo install` without a file (the embedded default) leaves the UI inside the cluster:
/// a ClusterIP Service, and the access hint names `skyflo dashboard`.
#[tokio::test]
async fn the_default_install_keeps_the_ui_inside_the_cluster() {
    let ns = TestNamespace::reserve("defaultui").await;
    let n = ns.name.as_str();
    let out = skyflo(&["install", "-n", n, "--skip-checks", "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let svc = kubectl(&[
        "get",
        "svc",
        "skyflo-ui",
        "-n",
        n,
        "-o",
        "jsonpath={.spec.type}",
    ]);
    assert_eq!(String::from_utf8_lossy(&svc.stdout), "ClusterIP");
    assert!(
        text(&out).contains("open it with `skyflo dashboard"),
        "{}",
        text(&out)
    );
    assert!(
        !text(&out).contains("reachable from outside"),
        "nothing to warn about: {}",
        text(&out)
    );
}
