//! skyflo's proxy template in real nginx (Debian's package), filled as the proxy image's
//! entrypoint fills it, in front of tests/servers/engine_auth.py (the engine's auth, agent and
//! conversation routes, and the UI).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use skyflo::spec;

pub fn nginx_bin() -> PathBuf {
    for p in ["/usr/sbin/nginx", "/usr/bin/nginx"] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!("nginx is missing: tests/run.sh installs Debian's nginx-light");
}

/// The fake engine and UI.
pub struct Backends {
    child: Child,
    state: tempfile::TempDir,
    pub engine: u16,
    pub ui: u16,
}

impl Backends {
    pub fn start() -> Self {
        use std::io::BufRead;
        let state = tempfile::tempdir().unwrap();
        let mut child = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/servers/engine_auth.py"
            ))
            .arg(state.path())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let ports: serde_json::Value = serde_json::from_str(&line).expect("ports");
        Backends {
            child,
            engine: ports["engine"].as_u64().unwrap() as u16,
            ui: ports["ui"].as_u64().unwrap() as u16,
            state,
        }
    }

    pub fn state_path(&self) -> &Path {
        self.state.path()
    }

    pub fn requests(&self) -> String {
        std::fs::read_to_string(self.state.path().join("requests.log")).unwrap_or_default()
    }

    /// The registrations the engine received (their JSON bodies, one per line).
    pub fn registrations(&self) -> Vec<String> {
        std::fs::read_to_string(self.state.path().join("registrations.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Forgets every account (a fresh engine).
    pub fn reset_accounts(&self) {
        let _ = std::fs::remove_file(self.state.path().join("registrations.log"));
    }

    pub fn release_stream(&self) {
        std::fs::write(self.state.path().join("release"), "").unwrap();
    }
}

impl Drop for Backends {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The rendered template of a spec, filled by envsubst as the image's entrypoint does, in a
/// complete nginx configuration listening on `port`.
pub fn configure(yaml: &str, b: &Backends, port: u16, dir: &Path) -> PathBuf {
    let s = spec::parse("proxy-test", yaml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let template = skyflo::render::config::proxy_template(&s);
    let mut envsubst = Command::new("envsubst")
        .arg("${ENGINE_UPSTREAM} ${UI_UPSTREAM}")
        .env("ENGINE_UPSTREAM", format!("127.0.0.1:{}", b.engine))
        .env("UI_UPSTREAM", format!("127.0.0.1:{}", b.ui))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("envsubst (gettext-base) runs");
    std::io::Write::write_all(envsubst.stdin.as_mut().unwrap(), template.as_bytes()).unwrap();
    let filled = envsubst.wait_with_output().unwrap();
    assert!(filled.status.success());
    let server = String::from_utf8(filled.stdout)
        .unwrap()
        .replace("listen 8080;", &format!("listen 127.0.0.1:{port};"));
    assert!(server.contains(&format!("listen 127.0.0.1:{port};")));
    std::fs::write(dir.join("default.conf"), server).unwrap();
    // The UI stand-in's route handlers call the rendered API_URL, pointed at this nginx as the
    // pod's localhost:8080 is the proxy.
    let api_url = skyflo::render::config::UI_SERVER_API_URL
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"));
    assert_ne!(api_url, skyflo::render::config::UI_SERVER_API_URL);
    std::fs::write(b.state_path().join("api_url"), api_url).unwrap();
    let d = dir.display();
    let main = format!(
        "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
events {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
  fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
  include {d}/default.conf;\n}}\n"
    );
    let conf = dir.join("nginx.conf");
    std::fs::write(&conf, main).unwrap();
    conf
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Nginx(Child);

impl Nginx {
    pub fn start(conf: &Path, port: u16) -> Self {
        let child = Command::new(nginx_bin())
            .args([
                "-p",
                conf.parent().unwrap().to_str().unwrap(),
                "-c",
                conf.to_str().unwrap(),
            ])
            .stderr(Stdio::piped())
            .spawn()
            .expect("nginx runs");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nginx did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Nginx(child)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
