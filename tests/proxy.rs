//! skyflo's proxy template in real nginx (Debian's package), filled as the proxy image's
//! entrypoint fills it (envsubst of ENGINE_UPSTREAM and UI_UPSTREAM), in front of a local
//! server that answers like the engine's auth, agent and conversation routes and the UI
//! (tests/servers/engine_auth.py). No cluster is needed: this is the proxy's own behaviour.

mod common;

use std::process::Command;
use std::time::Duration;

use common::nginx::*;

fn spec_with(ui_extra: &str) -> String {
    format!(
        "apiVersion: skyflo.ai/v1\nkind: SkyfloAI\nmetadata: {{name: skyflo}}\nspec:\n  ui:\n    image: skyfloaiagent/ui:v0.7.0\n{ui_extra}  engine:\n    image: skyfloaiagent/engine:v0.7.0\n  mcp:\n    image: skyfloaiagent/mcp:v0.7.0\n"
    )
}

/// Every exposure the spec allows, with signup closed and open: `nginx -t` accepts each.
#[test]
fn nginx_accepts_the_template_for_every_exposure_and_signup() {
    let b = Backends::start();
    let exposures = [
        "",
        "    service: {type: NodePort, nodePort: 30080}\n",
        "    service: {type: LoadBalancer}\n",
        "    service: {type: ClusterIP}\n    ingress: {className: nginx, hosts: [skyflo.example.com], tlsSecret: t}\n",
    ];
    for exposure in exposures {
        for signup in ["", "    signup: open\n", "    signup: closed\n"] {
            let dir = tempfile::tempdir().unwrap();
            let conf = configure(
                &spec_with(&format!("{exposure}{signup}")),
                &b,
                free_port(),
                dir.path(),
            );
            let t = Command::new(nginx_bin())
                .args([
                    "-t",
                    "-p",
                    dir.path().to_str().unwrap(),
                    "-c",
                    conf.to_str().unwrap(),
                ])
                .output()
                .unwrap();
            assert!(
                t.status.success(),
                "{exposure}{signup}: {}",
                String::from_utf8_lossy(&t.stderr)
            );
        }
    }
}

#[tokio::test]
async fn the_agent_needs_a_login_registration_is_closed_and_streams_arrive_event_by_event() {
    let b = Backends::start();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let conf = configure(&spec_with(""), &b, port, dir.path());
    let _nginx = Nginx::start(&conf, port);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let chat = |token: Option<&str>| {
        let mut r = http
            .post(format!("{base}/api/v1/agent/chat"))
            .header("content-type", "application/json").body(serde_json::json!({"messages": [{"role": "user", "content": "delete every namespace"}]}).to_string());
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r
    };
    // No login, a bad token: 401, and the engine never sees the call.
    for token in [None, Some("bad-token")] {
        let r = chat(token).send().await.unwrap();
        assert_eq!(r.status(), 401, "{token:?}");
        let mut get = http.get(format!("{base}/api/v1/conversations"));
        let mut approve = http
            .post(format!("{base}/api/v1/agent/approvals/c1"))
            .header("content-type", "application/json")
            .body(serde_json::json!({"approve": true}).to_string());
        if let Some(t) = token {
            get = get.bearer_auth(t);
            approve = approve.bearer_auth(t);
        }
        assert_eq!(get.send().await.unwrap().status(), 401, "{token:?}");
        assert_eq!(approve.send().await.unwrap().status(), 401, "{token:?}");
    }
    let seen = b.requests();
    assert!(
        !seen.contains("/api/v1/agent/chat") && !seen.contains("/conversations"),
        "{seen}"
    );
    assert!(
        seen.contains("GET /api/v1/auth/me Bearer bad-token"),
        "the engine judged the token: {seen}"
    );

    // A valid login: through, and the event stream arrives event by event (the second event
    // is only sent once the first was read through the proxy).
    let mut r = chat(Some("good-token")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let first = tokio::time::timeout(Duration::from_secs(10), r.chunk())
        .await
        .expect("the first event arrives before the stream ends")
        .unwrap()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&first).contains("event: ready"),
        "{first:?}"
    );
    b.release_stream();
    let rest = tokio::time::timeout(Duration::from_secs(10), async {
        let mut all = Vec::new();
        while let Some(c) = r.chunk().await.unwrap() {
            all.extend_from_slice(&c);
        }
        all
    })
    .await
    .unwrap();
    assert!(String::from_utf8_lossy(&rest).contains("event: heartbeat"));
    let get = http
        .get(format!("{base}/api/v1/conversations"))
        .bearer_auth("good-token");
    assert_eq!(get.send().await.unwrap().status(), 200);

    // Registration is closed; health, login, refresh and is_admin_user stay open.
    let register = http
        .post(format!("{base}/api/v1/auth/register/register"))
        .header("content-type", "application/json")
        .body(
            serde_json::json!({"email": "first@example.com", "password": "x", "full_name": "F"})
                .to_string(),
        );
    assert_eq!(register.send().await.unwrap().status(), 403);
    assert!(!b.requests().contains("register"), "{}", b.requests());
    let health = http.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(
        (health.status().as_u16(), health.text().await.unwrap()),
        (200, "ok".into())
    );
    let login = http
        .post(format!("{base}/api/v1/auth/jwt/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=admin%40example.com&password=x");
    assert_eq!(login.send().await.unwrap().status(), 200);
    let refresh = http
        .post(format!("{base}/api/v1/auth/jwt/refresh"))
        .bearer_auth("good-token");
    assert_eq!(refresh.send().await.unwrap().status(), 200);
    let admin = http
        .get(format!("{base}/api/v1/auth/is_admin_user"))
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status(), 200);
    let engine_health = http
        .get(format!("{base}/api/v1/health/"))
        .send()
        .await
        .unwrap();
    assert_eq!(engine_health.status(), 200);
    let ui = http.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(ui.status(), 200);
    assert!(ui.text().await.unwrap().contains("Skyflo UI"));
}

#[tokio::test]
async fn with_signup_open_registration_reaches_the_engine() {
    let b = Backends::start();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let conf = configure(&spec_with("    signup: open\n"), &b, port, dir.path());
    let _nginx = Nginx::start(&conf, port);
    let r = reqwest::Client::new()
        .post(format!(
            "http://127.0.0.1:{port}/api/v1/auth/register/register"
        ))
        .header("content-type", "application/json")
        .body(
            serde_json::json!({"email": "someone@example.com", "password": "x", "full_name": "S"})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert!(b.requests().contains("POST /api/v1/auth/register/register"));
    // The agent still needs a login.
    let chat = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/agent/chat"))
        .header("content-type", "application/json")
        .body(serde_json::json!({}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(chat.status(), 401);
}
