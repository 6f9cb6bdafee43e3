//! The CLI without a cluster: template output, help, completions, exit codes.

mod common;

/// The binary with an environment that points at no cluster and no configuration file.
fn cmd() -> assert_cmd::Command {
    assert_cmd::Command::from_std(common::offline())
}

fn skyflo(args: &[&str]) -> std::process::Output {
    cmd().args(args).output().unwrap()
}

#[test]
fn template_prints_the_complete_default_installation() {
    let out = skyflo(&["template"]);
    assert_eq!(out.status.code(), Some(0));
    let yaml = String::from_utf8(out.stdout).unwrap();
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&yaml).unwrap();
    let has = |kind: &str, name: &str| {
        docs.iter()
            .any(|d| d["kind"] == kind && d["metadata"]["name"] == name)
    };
    assert!(has("Namespace", "skyflo-ai"));
    for d in ["skyflo-ui", "skyflo-engine", "skyflo-mcp"] {
        assert!(has("Deployment", d), "{d}");
    }
    for s in ["skyflo-postgres", "skyflo-redis"] {
        assert!(has("StatefulSet", s), "{s}");
    }
    let node_ports: Vec<i64> = docs
        .iter()
        .filter(|d| d["kind"] == "Service")
        .flat_map(|d| d["spec"]["ports"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p["nodePort"].as_i64())
        .collect();
    assert!(
        node_ports.is_empty(),
        "neither the UI nor MCP is exposed by default: {node_ports:?}"
    );
    assert!(
        docs.iter()
            .filter(|d| d["kind"] == "Service")
            .all(|d| d["spec"]["type"].as_str().unwrap_or("ClusterIP") == "ClusterIP"),
        "every Service is ClusterIP"
    );
    assert!(docs.iter().any(|d| d["kind"] == "NetworkPolicy"));
    let crb = docs
        .iter()
        .find(|d| d["kind"] == "ClusterRoleBinding")
        .unwrap();
    assert_eq!(crb["roleRef"]["name"], "cluster-admin");
    assert_eq!(crb["subjects"][0]["name"], "skyflo-mcp");
}

#[test]
fn template_honours_namespace_and_json() {
    let out = skyflo(&["template", "-n", "ops", "-o", "json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "List");
    assert_eq!(v["items"][0]["metadata"]["name"], "ops");
    assert_eq!(v["items"][1]["metadata"]["namespace"], "ops");
}

#[test]
fn template_is_the_same_on_every_run_and_prints_generated_credentials_only_when_asked() {
    let a = skyflo(&["template"]);
    let b = skyflo(&["template"]);
    assert_eq!(
        a.stdout, b.stdout,
        "GitOps-safe: no freshly generated value in the output"
    );
    let out = String::from_utf8_lossy(&a.stdout);
    assert!(!out.contains("kind: Secret"), "{out}");
    let note = String::from_utf8_lossy(&a.stderr);
    assert!(
        note.contains("skyflo-engine-secrets (JWT_SECRET)")
            && note.contains("skyflo-postgres-secrets"),
        "{note}"
    );
    // Asked explicitly: fresh values, different per run, and a warning that says so.
    let c = skyflo(&["template", "--include-generated-secrets"]);
    let d = skyflo(&["template", "--include-generated-secrets"]);
    assert_ne!(c.stdout, d.stdout);
    assert!(String::from_utf8_lossy(&c.stdout).contains("kind: Secret"));
    assert!(String::from_utf8_lossy(&c.stderr).contains("NEWLY GENERATED"));
}

#[test]
fn with_existing_secrets_for_every_credential_template_prints_no_secret_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let spec = std::fs::read_to_string("examples/skyflo.yaml")
        .unwrap()
        .replace(
            "    llm:\n      model: gemini/gemini-2.5-pro\n",
            "    jwtSecretName: skyflo-jwt\n    databaseConfig: {secretName: skyflo-db}\n    llm:\n      model: gemini/gemini-2.5-pro\n      apiKeySecret: skyflo-llm\n",
        );
    let file = dir.path().join("s.yaml");
    std::fs::write(&file, spec).unwrap();
    let out = skyflo(&["template", "-f", file.to_str().unwrap(), "-o", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = list["items"].as_array().unwrap();
    assert!(
        items.iter().all(|o| o["kind"] != "Secret"),
        "no Secret at all"
    );
    assert!(
        items
            .iter()
            .all(|o| o.get("data").is_none() || o["kind"] == "ConfigMap")
    );
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(
        !note.contains("generated") && note.contains("skyflo-connection is not printed"),
        "nothing generated; only the derived connection Secret is noted: {note}"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("skyflo-jwt") && text.contains("skyflo-db") && text.contains("skyflo-llm")
    );
}

#[test]
fn bad_usage_exits_2() {
    cmd().arg("frobnicate").assert().code(2);
    cmd()
        .args(["template", "-n", "Not_A_Namespace"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("invalid namespace"));
    cmd()
        .args(["upgrade", "--version", "0.7.1"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("invalid --version"));
    cmd()
        .args(["install", "--timeout", "soon"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("invalid duration"));
    cmd()
        .args(["validate", "-f", "examples/skyflo.yaml"])
        .assert()
        .code(0);
}

/// An unreachable cluster, so `check` fails at once and prints its marks.
fn unreachable_kubeconfig(dir: &tempfile::TempDir) -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(
        &kc,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {{server: 'https://127.0.0.1:{port}', insecure-skip-tls-verify: true}}\nusers:\n- name: u\n  user: {{token: t}}\ncontexts:\n- name: x\n  context: {{cluster: c, user: u}}\ncurrent-context: x\n"
        ),
    )
    .unwrap();
    kc.to_string_lossy().into_owned()
}

#[test]
fn colour_follows_the_flag_then_no_color() {
    let dir = tempfile::tempdir().unwrap();
    let kc = unreachable_kubeconfig(&dir);
    let out = |color: Option<&str>, no_color: bool| {
        let mut c = cmd();
        c.args(["check", "--kubeconfig", &kc]);
        if let Some(v) = color {
            c.args(["--color", v]);
        }
        if no_color {
            c.env("NO_COLOR", "1");
        } else {
            c.env_remove("NO_COLOR");
        }
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(1));
        String::from_utf8(o.stdout).unwrap()
    };
    assert!(
        out(Some("always"), true).contains("\x1b[31m✗"),
        "--color always wins over NO_COLOR"
    );
    assert!(!out(Some("never"), false).contains('\x1b'));
    assert!(!out(None, true).contains('\x1b'), "NO_COLOR");
    assert!(
        !out(Some("auto"), false).contains('\x1b'),
        "auto: not a terminal"
    );
    assert!(out(None, true).contains("✗ cluster"));
}

#[test]
fn unreachable_cluster_fails_fast_naming_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    // A port on loopback that nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        &kc,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {{server: 'https://127.0.0.1:{port}', insecure-skip-tls-verify: true}}\nusers:\n- name: u\n  user: {{token: t}}\ncontexts:\n- name: x\n  context: {{cluster: c, user: u}}\ncurrent-context: x\n"
        ),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let out = common::offline()
        .args(["install", "--kubeconfig", kc.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(stderr.contains("cannot reach the cluster"), "{stderr}");
    assert!(
        started.elapsed().as_secs() < 15,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn every_command_has_examples_in_help() {
    for cmd in [
        "init",
        "status",
        "uninstall",
        "check",
        "install",
        "upgrade",
        "template",
        "validate",
        "history",
        "rollback",
        "completions",
    ] {
        let out = skyflo(&[cmd, "--help"]);
        assert!(out.status.success(), "{cmd}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Examples:"),
            "{cmd}"
        );
    }
}

#[test]
fn committed_completions_match_the_binary() {
    for (shell, file) in [
        ("bash", "completions/skyflo.bash"),
        ("zsh", "completions/_skyflo"),
        ("fish", "completions/skyflo.fish"),
        ("powershell", "completions/_skyflo.ps1"),
        ("elvish", "completions/skyflo.elvish"),
    ] {
        let out = skyflo(&["completions", shell]);
        assert!(out.status.success());
        let committed = std::fs::read(file).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "{file} is out of date; regenerate with: skyflo completions {shell} > {file}"
        );
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::process::Stdio;
    let mut child = common::offline()
        .arg("template")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn images_lists_every_image_and_rewrites_them_for_a_mirror() {
    let out = skyflo(&["images"]);
    assert!(out.status.success());
    let plain = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = plain.lines().collect();
    for i in [
        "skyfloaiagent/ui:v0.7.0",
        "skyfloaiagent/proxy:v0.7.0",
        "skyfloaiagent/engine:v0.7.0",
        "skyfloaiagent/mcp:v0.7.0",
        "postgres:15.15-alpine",
        "redis:7.4.7-alpine",
        "busybox:1.36",
    ] {
        assert!(lines.contains(&i), "{i} in {plain}");
    }
    assert_eq!(lines.len(), 7, "{plain}");
    let out = skyflo(&["images", "--registry", "mirror.example.com/x", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v.as_array().unwrap().iter().all(|u| u["image"]
            .as_str()
            .unwrap()
            .starts_with("mirror.example.com/x/")),
        "{v}"
    );
    let out = skyflo(&["images", "--registry", "Mirror Example"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--registry"));
}

#[test]
fn validate_warns_when_mcp_is_exposed_outside_the_cluster() {
    let out = skyflo(&["validate", "-f", "tests/fixtures/valid/scheduling.yaml"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning:")
            && stderr.contains("NodePort 31081")
            && stderr.contains("ClusterIP"),
        "{stderr}"
    );
    let out = skyflo(&["validate", "-f", "examples/skyflo.yaml"]);
    assert!(
        out.stderr.is_empty(),
        "the default spec keeps MCP inside: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = skyflo(&[
        "validate",
        "-f",
        "tests/fixtures/valid/scheduling.yaml",
        "-o",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let warnings = v["warnings"].as_array().unwrap();
    assert_eq!(
        warnings.len(),
        3,
        "the UI's exposure, MCP's and the UI's plain http: {v}"
    );
    // The UI's: how it is reachable, self-registration, MCP's access level, what to do.
    let ui = warnings[0].as_str().unwrap();
    assert!(
        ui.starts_with(
            "spec.ui.service: the UI is reachable from outside the cluster through LoadBalancer"
        ) && ui.contains("self-registration is closed")
            && ui.contains("MCP's access level")
            && ui.contains("skyflo admin create")
            && ui.contains("skyflo dashboard"),
        "{ui}"
    );
    let dir = tempfile::tempdir().unwrap();
    let open = dir.path().join("open.yaml");
    std::fs::write(
        &open,
        std::fs::read_to_string("tests/fixtures/valid/scheduling.yaml")
            .unwrap()
            .replace(
                "    service: {type: LoadBalancer}\n",
                "    service: {type: LoadBalancer}\n    signup: open\n",
            ),
    )
    .unwrap();
    let out = skyflo(&["validate", "-f", open.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("self-registration is OPEN"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn layering_errors_name_the_layer_that_set_the_value_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let kc = unreachable_kubeconfig(&dir);
    let base = "tests/fixtures/layers/base.yaml";
    // The overlay sets engine.replicas: 0 on its line 3, column 15.
    let out = skyflo(&[
        "--kubeconfig",
        &kc,
        "install",
        "-f",
        base,
        "-f",
        "tests/fixtures/layers/bad-overlay.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("tests/fixtures/layers/bad-overlay.yaml:3:15: spec.engine.replicas"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("cannot reach"),
        "validated before any connection: {stderr}"
    );
    // A --set names the argument.
    let out = skyflo(&[
        "--kubeconfig",
        &kc,
        "upgrade",
        "-f",
        base,
        "--set",
        "ui.replicas=5000",
        "--diff",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--set ui.replicas=5000: spec.ui.replicas"),
        "{stderr}"
    );
    // --set types its value as YAML does (null is no value); --set-string keeps the text.
    let out = skyflo(&["validate", "-f", base, "--set", "engine.llm.host=null"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = skyflo(&[
        "validate",
        "-f",
        base,
        "--set-string",
        "engine.llm.host=null",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid host \"null\""));
    let out = skyflo(&["validate", "-f", base, "--set", "engine.llm.model=[a]"]);
    assert_eq!(out.status.code(), Some(2));
    let out = skyflo(&["validate", "-f", base, "--set", "nonsense"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected path=value"));
}

/// `template` and `images` take the rendering flags `install` takes: `--version` moves every
/// Skyflo image, and a bad one is a usage error naming the flag.
#[test]
fn template_and_images_take_the_version_flag() {
    let out = skyflo(&["template", "--version", "v0.7.1"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let yaml = String::from_utf8_lossy(&out.stdout);
    for image in ["ui", "engine", "mcp", "proxy"] {
        assert!(
            yaml.contains(&format!("skyfloaiagent/{image}:v0.7.1")),
            "{image} at v0.7.1 in:\n{yaml}"
        );
    }
    assert!(
        !yaml.contains(":v0.7.0"),
        "no image left at the spec's release"
    );
    let out = skyflo(&["images", "--version", "v0.7.1"]);
    assert_eq!(out.status.code(), Some(0));
    let images = String::from_utf8_lossy(&out.stdout);
    assert!(images.contains("skyfloaiagent/engine:v0.7.1"), "{images}");
    let bad = skyflo(&["images", "--version", "latest!"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid --version"));
}

/// A UI reached over plain http cannot keep a login (the UI's cookies are Secure), and an engine
/// reachable from outside answers the agent without one: validate says both, and how to fix it;
/// an Ingress with TLS is not plain http.
#[test]
fn validate_says_plain_http_and_an_exposed_engine() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string("examples/skyflo.yaml").unwrap();
    let write = |name: &str, yaml: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, yaml).unwrap();
        p.to_string_lossy().into_owned()
    };
    let warnings = |file: &str| -> Vec<String> {
        let out = skyflo(&["validate", "-f", file, "-o", "json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_string())
            .collect()
    };
    let anchor = "      image: skyfloaiagent/proxy:v0.7.0\n";
    assert!(base.contains(anchor));
    let node_port = write(
        "np.yaml",
        base.replace(
            anchor,
            &format!("{anchor}    service: {{type: NodePort}}\n"),
        ),
    );
    let w = warnings(&node_port);
    let plain = w
        .iter()
        .find(|w| w.starts_with("spec.ui: the UI is reachable over plain http"));
    assert!(
        plain.is_some_and(|p| p.contains("a NodePort of every node")
            && p.contains("Secure")
            && p.contains("tlsSecret")
            && p.contains("skyflo dashboard")),
        "{w:?}"
    );
    let ingress = |tls: &str| {
        base.replace(
            anchor,
            &format!("{anchor}    ingress:\n      hosts: [skyflo.example.com]\n{tls}"),
        )
    };
    let w = warnings(&write("ing.yaml", ingress("")));
    assert!(
        w.iter()
            .any(|w| w.contains("plain http through Ingress skyflo.example.com")),
        "{w:?}"
    );
    let w = warnings(&write("tls.yaml", ingress("      tlsSecret: skyflo-tls\n")));
    assert!(!w.iter().any(|w| w.contains("plain http")), "{w:?}");
    let engine = base.replace(
        "    image: skyfloaiagent/engine:v0.7.0\n",
        "    image: skyfloaiagent/engine:v0.7.0\n    service: {type: LoadBalancer}\n",
    );
    assert_ne!(engine, base);
    let w = warnings(&write("engine.yaml", engine));
    assert!(
        w.iter().any(|w| w.starts_with("spec.engine.service: the engine is reachable from outside the cluster through LoadBalancer")
            && w.contains("without a login")),
        "{w:?}"
    );
}
