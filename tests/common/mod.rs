//! Test harness for integration tests against the real control plane from `tests/cluster/`.
//!
//! `tests/run.sh` starts the cluster and exports `SKYFLO_TEST_KUBECONFIG`. Without it (or
//! with a cluster that does not answer) every integration test fails with an instruction;
//! none is skipped.

#![allow(dead_code)]

pub mod nginx;

use std::path::PathBuf;
use std::process::Output;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

pub const KUBECONFIG_ENV: &str = "SKYFLO_TEST_KUBECONFIG";

/// The discard port on loopback: nothing listens, so the LLM check fails fast and locally.
pub const NO_PROVIDER: &str = "http://127.0.0.1:9";

pub fn kubeconfig() -> PathBuf {
    match std::env::var(KUBECONFIG_ENV) {
        Ok(p) if !p.is_empty() => PathBuf::from(p),
        _ => panic!(
            "{KUBECONFIG_ENV} is not set: integration tests need the test control plane.\n\
             Run the whole suite with `tests/run.sh`, or start the cluster yourself:\n  \
             export {KUBECONFIG_ENV}=$(tests/cluster/up | tail -n1)\n  cargo test"
        ),
    }
}

pub async fn client() -> Client {
    let path = kubeconfig();
    let kc = Kubeconfig::read_from(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .expect("valid kubeconfig");
    let client = Client::try_from(config).expect("client");
    if let Err(e) = client.apiserver_version().await {
        panic!(
            "the test cluster at {} does not answer ({e}); start it with tests/cluster/up",
            path.display()
        );
    }
    client
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A namespace name unique to this test process and call.
pub fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    format!("{prefix}-{}-{n}", std::process::id() % 100_000)
}

/// A namespace that is deleted (with everything in it) when dropped.
pub struct TestNamespace {
    pub name: String,
    pub client: Client,
}

impl TestNamespace {
    /// Creates the namespace, optionally enforcing PodSecurity `restricted`.
    pub async fn create(prefix: &str, restricted: bool) -> Self {
        let client = client().await;
        let name = unique_name(prefix);
        let mut ns = Namespace::default();
        ns.metadata.name = Some(name.clone());
        if restricted {
            ns.metadata.labels = Some(
                [(
                    "pod-security.kubernetes.io/enforce".to_string(),
                    "restricted".to_string(),
                )]
                .into(),
            );
        }
        Api::<Namespace>::all(client.clone())
            .create(&PostParams::default(), &ns)
            .await
            .expect("create namespace");
        TestNamespace { name, client }
    }

    /// A name only: for tests where skyflo itself creates the namespace.
    pub async fn reserve(prefix: &str) -> Self {
        TestNamespace {
            name: unique_name(prefix),
            client: client().await,
        }
    }
}

impl Drop for TestNamespace {
    fn drop(&mut self) {
        // Best effort, without blocking the test on namespace finalization.
        let name = self.name.clone();
        let path = kubeconfig();
        let _ = std::process::Command::new("kubectl")
            .args(["--kubeconfig", path.to_str().unwrap_or_default()])
            .args([
                "delete",
                "namespace",
                &name,
                "--wait=false",
                "--ignore-not-found",
            ])
            .output();
        let _ = std::process::Command::new("kubectl")
            .args(["--kubeconfig", path.to_str().unwrap_or_default()])
            .args([
                "delete",
                "clusterrolebinding",
                "-l",
                &format!("skyflo.ai/namespace={name}"),
                "--ignore-not-found",
            ])
            .output();
    }
}

/// The skyflo binary with no cluster and no user configuration: KUBECONFIG and SKYFLO_CONFIG
/// point nowhere and NO_COLOR is set, for what must work (or fail clearly) without a cluster.
pub fn offline() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_skyflo"));
    c.env("KUBECONFIG", "/nonexistent/kubeconfig")
        .env("NO_COLOR", "1")
        .env("SKYFLO_CONFIG", "/nonexistent/config.toml");
    c
}

/// The permission bits of a file or folder (0o600, 0o700, …).
pub fn file_mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// resourceVersion of every object of `kinds` (a kubectl list such as `deploy,sts,svc`) in
/// the namespace, by kind/name: an unchanged map proves that nothing was written.
pub fn resource_versions(ns: &str, kinds: &str) -> std::collections::BTreeMap<String, String> {
    let out = kubectl(&[
        "get",
        kinds,
        "-n",
        ns,
        "-o",
        "jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion}{\"\\n\"}{end}",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            l.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}

/// `skyflo install -n NS -f FILE --timeout 60s` plus `extra`.
pub fn install(ns: &str, file: &str, extra: &[&str]) -> Output {
    let mut args = vec!["install", "-n", ns, "-f", file, "--timeout", "60s"];
    args.extend_from_slice(extra);
    skyflo(&args)
}

/// What the Helm chart leaves for a release called `prod` (its name holds no "skyflo"): the
/// engine Service with the chart's labels and Helm's ownership annotations.
pub fn helm_chart_engine_service(ns: &str) {
    let chart = format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: prod-skyflo-engine\n  namespace: {ns}\n  labels: {{helm.sh/chart: skyflo-0.7.0, app.kubernetes.io/managed-by: Helm}}\n  annotations: {{meta.helm.sh/release-name: prod, meta.helm.sh/release-namespace: {ns}}}\nspec:\n  selector: {{app: prod-skyflo-engine}}\n  ports: [{{port: 8080}}]\n"
    );
    let made = kubectl_stdin(&["create", "-f", "-"], &chart);
    assert!(made.status.success(), "{}", text(&made));
}

/// Runs the skyflo binary against the test cluster.
pub fn skyflo(args: &[&str]) -> Output {
    skyflo_with(args, &[], None)
}

/// Backups taken by tests go here, never into the user's data directory.
pub fn test_backups() -> PathBuf {
    std::env::temp_dir().join("skyflo-test-backups")
}

pub fn skyflo_with(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_skyflo"));
    cmd.arg("--kubeconfig").arg(kubeconfig()).args(args);
    cmd.env_remove("KUBECONFIG")
        .env("NO_COLOR", "1")
        .env("SKYFLO_CONFIG", "/nonexistent/skyflo-config.toml")
        .env("SKYFLO_BACKUP_DIR", test_backups())
        // The LLM check never leaves this machine in tests: a closed local port unless a
        // test points it at its own fake provider.
        .env("SKYFLO_LLM_CHECK_BASE_URL", NO_PROVIDER);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(if stdin.is_some() {
        std::process::Stdio::piped()
    } else {
        std::process::Stdio::null()
    });
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("run skyflo");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().expect("skyflo output")
}

/// Starts skyflo against the test cluster without waiting for it (for kill, interrupt and
/// concurrency tests); stdout and stderr are piped.
pub fn spawn_skyflo(args: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_skyflo"))
        .args(args)
        .arg("--kubeconfig")
        .arg(kubeconfig())
        .env_remove("KUBECONFIG")
        .env("NO_COLOR", "1")
        .env("SKYFLO_CONFIG", "/nonexistent/skyflo-config.toml")
        .env("SKYFLO_LLM_CHECK_BASE_URL", NO_PROVIDER)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run skyflo")
}

pub fn text(o: &Output) -> String {
    format!(
        "exit: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn kubectl(args: &[&str]) -> Output {
    std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig())
        .args(args)
        .output()
        .expect("kubectl runs")
}

/// A spec for tests: ClusterIP Services (so parallel tests never compete for node ports),
/// plus whatever `extra` sets under `spec` (YAML, indented by two).
pub fn spec_yaml(extra: &str) -> String {
    format!(
        "apiVersion: skyflo.ai/v1
kind: SkyfloAI
metadata:
  name: skyflo
spec:
  ui:
    image: skyfloaiagent/ui:v0.7.0
    service: {{type: ClusterIP}}
  engine:
    image: skyfloaiagent/engine:v0.7.0
  mcp:
    image: skyfloaiagent/mcp:v0.7.0
    service: {{type: ClusterIP}}
{extra}"
    )
}

pub fn write_spec(dir: &tempfile::TempDir, name: &str, yaml: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, yaml).unwrap();
    p.to_string_lossy().into_owned()
}

/// Polls `f` until it returns Some, for up to `secs` seconds (for state the test itself
/// waits on, such as a controller's reaction).
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {secs}s waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn delete_namespace(client: &Client, name: &str) {
    let _ = Api::<Namespace>::all(client.clone())
        .delete(name, &DeleteParams::default())
        .await;
}

/// A test installation: a namespace of its own, a directory for spec files, and the file
/// of `spec_yaml("")`, installed and ready.
pub struct Installed {
    pub ns: TestNamespace,
    pub dir: tempfile::TempDir,
    pub file: String,
}

pub async fn installed(prefix: &str) -> Installed {
    let ns = TestNamespace::reserve(prefix).await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_spec(&dir, "base.yaml", &spec_yaml(""));
    let out = skyflo(&["install", "-n", &ns.name, "-f", &file, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    Installed { ns, dir, file }
}

/// Runs skyflo against another kubeconfig (an extra API server) with extra environment.
pub fn skyflo_via(kubeconfig: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    spawn_skyflo_via(kubeconfig, args, env)
        .wait_with_output()
        .expect("skyflo output")
}

/// Starts skyflo against `kubeconfig` with extra environment; stdout and stderr are piped.
pub fn spawn_skyflo_via(
    kubeconfig: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> std::process::Child {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_skyflo"));
    cmd.args(args)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .env_remove("KUBECONFIG")
        .env_remove("SKYFLO_FAILPOINT")
        .env("NO_COLOR", "1")
        .env("SKYFLO_CONFIG", "/nonexistent/skyflo-config.toml")
        .env("SKYFLO_BACKUP_DIR", test_backups())
        // The LLM check never leaves this machine in tests: a closed local port unless a
        // test points it at its own fake provider.
        .env("SKYFLO_LLM_CHECK_BASE_URL", NO_PROVIDER);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run skyflo")
}

/// `jsonpath` over the pods of one component in `ns` (`{.items[0].metadata.name}`, …).
pub fn pods_of(ns: &str, component: &str, jsonpath: &str) -> String {
    let out = kubectl(&[
        "get",
        "pods",
        "-n",
        ns,
        "-l",
        &format!("app.kubernetes.io/component={component}"),
        "-o",
        &format!("jsonpath={jsonpath}"),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The name of the first pod of one component in `ns`.
pub fn pod_of(ns: &str, component: &str) -> String {
    let name = pods_of(ns, component, "{.items[0].metadata.name}");
    assert!(!name.is_empty(), "no {component} pod in {ns}");
    name
}

/// A decoded value of a Secret's key, or None when the Secret or key is missing.
pub fn secret_value(ns: &str, name: &str, key: &str) -> Option<String> {
    let out = kubectl(&[
        "get",
        "secret",
        name,
        "-n",
        ns,
        "-o",
        &format!("jsonpath={{.data.{key}}}"),
    ]);
    if !out.status.success() || out.stdout.is_empty() {
        return None;
    }
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(out.stdout.trim_ascii())
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// An object's uid, or None when it does not exist.
pub fn uid_of(ns: &str, kind: &str, name: &str) -> Option<String> {
    let out = kubectl(&[
        "get",
        kind,
        name,
        "-n",
        ns,
        "-o",
        "jsonpath={.metadata.uid}",
    ]);
    (out.status.success() && !out.stdout.is_empty())
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A second kube-apiserver on the test cluster's etcd (tests/cluster/apiserver): tests stop
/// and restart it, or read the audit log of just their own requests.
pub struct ExtraApiServer {
    pub name: String,
    pub kubeconfig: PathBuf,
}

impl ExtraApiServer {
    fn script(action: &str, name: &str) -> Output {
        let dir = kubeconfig().parent().unwrap().to_path_buf();
        std::process::Command::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/cluster/apiserver"
        ))
        .args([action, name])
        .env("TESTCLUSTER_DIR", &dir)
        .output()
        .expect("tests/cluster/apiserver runs")
    }

    pub fn start(prefix: &str) -> Self {
        let name = unique_name(prefix);
        let out = Self::script("start", &name);
        assert!(out.status.success(), "extra API server: {}", text(&out));
        let path = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap()
            .to_string();
        ExtraApiServer {
            name,
            kubeconfig: PathBuf::from(path),
        }
    }

    pub fn stop(&self) {
        let out = Self::script("stop", &self.name);
        assert!(out.status.success(), "{}", text(&out));
    }

    pub fn restart(&self) {
        let out = Self::script("restart", &self.name);
        assert!(out.status.success(), "{}", text(&out));
    }

    /// The audit log's entries (JSON lines) so far.
    pub fn audit(&self) -> Vec<serde_json::Value> {
        let path = self.kubeconfig.parent().unwrap().join("audit.log");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

impl Drop for ExtraApiServer {
    fn drop(&mut self) {
        let _ = Self::script("stop", &self.name);
    }
}

/// Audit entries of requests by skyflo that change something (server-side dry runs, which
/// plans use to preview a change, change nothing and are left out).
pub fn skyflo_writes(entries: &[serde_json::Value]) -> Vec<String> {
    entries
        .iter()
        .filter(|e| e["stage"] == "ResponseComplete")
        .filter(|e| {
            e["userAgent"]
                .as_str()
                .is_some_and(|u| u.starts_with("skyflo/"))
        })
        .filter(|e| {
            matches!(
                e["verb"].as_str(),
                Some("create" | "update" | "patch" | "delete" | "deletecollection")
            )
        })
        .filter(|e| {
            !e["requestURI"]
                .as_str()
                .is_some_and(|u| u.contains("dryRun=All"))
        })
        .map(|e| format!("{} {}", e["verb"], e["requestURI"]))
        .collect()
}

/// Waits until a process is stopped (SIGSTOP), as /proc shows it.
pub fn wait_stopped(pid: u32, secs: u64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .chars()
            .next();
        if state == Some('T') {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "process {pid} did not stop ({stat})"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn signal(pid: u32, sig: &str) {
    assert!(
        std::process::Command::new("kill")
            .args([&format!("-{sig}"), &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
}

/// What upstream's install.sh leaves that `check` and `install` recognise: a `skyflo-engine`
/// Service without any label.
pub fn install_sh_engine_service(ns: &str) {
    let made = kubectl(&[
        "create",
        "service",
        "clusterip",
        "skyflo-engine",
        "-n",
        ns,
        "--tcp=8080:8080",
    ]);
    assert!(made.status.success(), "{}", text(&made));
}

/// kubectl with `input` on its standard input (`kubectl create -f -`).
pub fn kubectl_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig())
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().expect("kubectl output")
}

/// A ServiceAccount `sa` in `ns` bound by a RoleBinding to `role` (`--clusterrole=view` or
/// `--role=NAME`), and a kubeconfig that acts as it.
pub fn service_account_kubeconfig(
    ns: &str,
    sa: &str,
    role: &str,
    dir: &std::path::Path,
) -> PathBuf {
    assert!(
        kubectl(&["create", "serviceaccount", sa, "-n", ns])
            .status
            .success()
    );
    let bind = kubectl(&[
        "create",
        "rolebinding",
        sa,
        "-n",
        ns,
        role,
        &format!("--serviceaccount={ns}:{sa}"),
    ]);
    assert!(bind.status.success(), "{}", text(&bind));
    let token = kubectl(&["create", "token", sa, "-n", ns]);
    assert!(token.status.success(), "{}", text(&token));
    token_kubeconfig(dir, String::from_utf8_lossy(&token.stdout).trim())
}

/// A kubeconfig for the test cluster that authenticates with `token` (a ServiceAccount's,
/// from `kubectl create token`), written into `dir`.
pub fn token_kubeconfig(dir: &std::path::Path, token: &str) -> PathBuf {
    let admin = std::fs::read_to_string(kubeconfig()).unwrap();
    let cfg: serde_json::Value = serde_saphyr::from_str(&admin).unwrap();
    let server = cfg["clusters"][0]["cluster"]["server"].as_str().unwrap();
    let ca = cfg["clusters"][0]["cluster"]["certificate-authority-data"]
        .as_str()
        .unwrap();
    let kc = dir.join(format!("token-{}.kubeconfig", unique_name("kc")));
    std::fs::write(
        &kc,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {{server: \"{server}\", certificate-authority-data: \"{ca}\"}}\nusers:\n- name: u\n  user: {{token: \"{token}\"}}\ncontexts:\n- name: c\n  context: {{cluster: c, user: u}}\ncurrent-context: c\n"
        ),
    )
    .unwrap();
    kc
}

/// Makes container `container` of pod `pod` log `lines` through kwok's kubelet API: the lines
/// go to a file in the CRI log format (as a container runtime writes them) and a kwok `Logs`
/// object points the container at it.
pub fn fake_container_log(
    ns: &str,
    pod: &str,
    container: &str,
    lines: &[&str],
    dir: &std::path::Path,
) {
    let file = dir.join(format!("{pod}-{container}.log"));
    let cri: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("2026-01-01T00:00:{:02}.000000000Z stdout F {l}\n", i % 60))
        .collect();
    std::fs::write(&file, cri).unwrap();
    let logs = format!(
        r#"{{"apiVersion":"kwok.x-k8s.io/v1alpha1","kind":"Logs","metadata":{{"name":"{pod}","namespace":"{ns}"}},
"spec":{{"logs":[{{"containers":["{container}"],"logsFile":"{}","follow":false}}]}}}}"#,
        file.display()
    );
    let out = kubectl_stdin(&["apply", "-f", "-"], &logs);
    assert!(out.status.success(), "{}", text(&out));
}

/// kwok forwards each `(port, to)` of `pod` to `127.0.0.1:to` (a kwok PortForward object), so
/// a port-forward through the API server reaches a local stand-in.
pub fn port_forward(ns: &str, pod: &str, ports: &[(u16, u16)]) {
    let rules: String = ports
        .iter()
        .map(|(p, to)| {
            format!("  - ports: [{p}]\n    target: {{address: 127.0.0.1, port: {to}}}\n")
        })
        .collect();
    let doc = format!(
        "apiVersion: kwok.x-k8s.io/v1alpha1\nkind: PortForward\nmetadata:\n  name: {pod}\n  namespace: {ns}\nspec:\n  forwards:\n{rules}"
    );
    let out = kubectl_stdin(&["apply", "-f", "-"], &doc);
    assert!(out.status.success(), "{}", text(&out));
}
