//! `skyflo admin create` and `skyflo dashboard` on the test control plane: kwok's port-forward
//! maps the engine pod's and the UI pod's ports to local servers that answer like them.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::nginx::{Backends, free_port};
use common::*;

#[tokio::test]
async fn admin_create_registers_exactly_once_through_the_engine_and_keeps_the_password_secret() {
    let Installed {
        ns,
        dir: _d,
        file: _f,
    } = installed("admin").await;
    let n = ns.name.as_str();
    let engine = Backends::start();
    port_forward(n, &pod_of(n, "engine"), &[(8080, engine.engine)]);
    let planted = "Adm1n-planted-pw-6c2e";
    let out = skyflo_with(
        &[
            "admin",
            "create",
            "-n",
            n,
            "--email",
            "admin@example.com",
            "--password-stdin",
        ],
        &[],
        Some(format!("{planted}\n").as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains(planted), "{}", text(&out));
    let got = engine.registrations();
    assert_eq!(got.len(), 1, "exactly one registration: {got:?}");
    let reg: serde_json::Value = serde_json::from_str(&got[0]).unwrap();
    assert_eq!(
        (
            reg["email"].as_str(),
            reg["password"].as_str(),
            reg["full_name"].as_str()
        ),
        (Some("admin@example.com"), Some(planted), Some("admin"))
    );
    // Through the engine pod's port-forward (the only one mapped here), never the proxy.
    assert!(engine.requests().contains("GET /api/v1/auth/is_admin_user"));
    // A second time: refused, nothing sent.
    let again = skyflo_with(
        &[
            "admin",
            "create",
            "-n",
            n,
            "--email",
            "other@example.com",
            "--password-stdin",
        ],
        &[],
        Some(b"whatever-password\n"),
    );
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    assert!(
        text(&again).contains("an account already exists"),
        "{}",
        text(&again)
    );
    assert_eq!(engine.registrations().len(), 1);

    // Generated: kept in Secret skyflo-admin, in no output, no record, no ConfigMap.
    engine.reset_accounts();
    let out = skyflo_with(
        &["admin", "create", "-n", n, "--email", "ops@example.com"],
        &[],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stored = secret_value(n, "skyflo-admin", "password").expect("kept in skyflo-admin");
    assert!(stored.len() >= 32);
    let reg: serde_json::Value = serde_json::from_str(&engine.registrations()[0]).unwrap();
    assert_eq!(reg["password"].as_str(), Some(stored.as_str()));
    assert!(!text(&out).contains(&stored), "{}", text(&out));
    for what in [
        vec!["get", "configmaps", "-n", n, "-o", "yaml"],
        vec!["get", "events", "-n", n, "-o", "yaml"],
    ] {
        let o = kubectl(&what);
        assert!(
            !String::from_utf8_lossy(&o.stdout).contains(&stored),
            "{what:?}"
        );
    }
    let history = skyflo(&["history", "-n", n, "-o", "json"]);
    assert!(!text(&history).contains(&stored));
    let status = skyflo(&["status", "-n", n, "-o", "json"]);
    assert!(!text(&status).contains(&stored));
}

/// A server answering every request with `body`, for one pod's port.
fn serving(body: &str) -> (Child, u16) {
    let port = free_port();
    let script = format!(
        "import http.server\nclass H(http.server.BaseHTTPRequestHandler):\n    def log_message(self,*a): pass\n    def do_GET(self):\n        b={body:?}.encode()\n        self.send_response(200); self.send_header('Content-Length', str(len(b))); self.end_headers(); self.wfile.write(b)\nhttp.server.ThreadingHTTPServer(('127.0.0.1', {port}), H).serve_forever()\n"
    );
    let child = Command::new("python3")
        .args(["-c", &script])
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the stand-in did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, port)
}

async fn fetch(url: &str) -> Result<String, String> {
    let r = reqwest::Client::new()
        .get(url)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    r.text().await.map_err(|e| e.to_string())
}

#[tokio::test]
async fn dashboard_serves_the_ui_through_a_port_forward_and_follows_a_rollout() {
    let Installed { ns, dir, file: _f } = installed("dash").await;
    let n = ns.name.as_str();
    let first_pod = pod_of(n, "ui");
    let (mut one, one_port) = serving("served by the first UI pod");
    port_forward(n, &first_pod, &[(8080, one_port)]);
    // The port asked for is taken: the next free one is used, and said.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let mut child = spawn_skyflo_via(
        &kubeconfig(),
        &[
            "dashboard",
            "-n",
            n,
            "--port",
            &port.to_string(),
            "--no-browser",
        ],
        &[],
    );
    let stdout = child.stdout.take().unwrap();
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL: {first}"))
        .to_string();
    assert_ne!(url, format!("http://127.0.0.1:{port}/"), "{first}");
    assert_eq!(fetch(&url).await.unwrap(), "served by the first UI pod");

    // A rollout replaces the UI pod: the dashboard follows to the new one.
    let (mut two, two_port) = serving("served by the second UI pod");
    let rolled = write_spec(
        &dir,
        "rolled.yaml",
        &spec_yaml("").replace(
            "    service: {type: ClusterIP}\n  engine:",
            "    service: {type: ClusterIP}\n    env: [{name: ROLL, value: \"1\"}]\n  engine:",
        ),
    );
    let out = skyflo(&["upgrade", "-n", n, "-f", &rolled, "--timeout", "60s"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let deadline = Instant::now() + Duration::from_secs(60);
    let second_pod = loop {
        let p = pod_of(n, "ui");
        if p != first_pod
            && !kubectl(&["get", "pod", &first_pod, "-n", n])
                .status
                .success()
        {
            break p;
        }
        assert!(Instant::now() < deadline, "the old UI pod never went away");
        std::thread::sleep(Duration::from_millis(300));
    };
    port_forward(n, &second_pod, &[(8080, two_port)]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if fetch(&url).await.ok().as_deref() == Some("served by the second UI pod") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the dashboard did not follow to {second_pod}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    signal(child.id(), "INT");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    drop(taken);
    let _ = one.kill();
    let _ = two.kill();
    let _ = (one.wait(), two.wait());
}
