//! Configuration precedence: flag > SKYFLO_* environment > config file > built-in default.

use std::process::Command;

fn template_namespace(config: Option<&str>, env_ns: Option<&str>, flag: Option<&str>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    if let Some(c) = config {
        std::fs::write(&cfg, c).unwrap();
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skyflo"));
    cmd.arg("template").arg("-o").arg("json");
    if let Some(f) = flag {
        cmd.args(["-n", f]);
    }
    cmd.env("SKYFLO_CONFIG", &cfg)
        .env_remove("SKYFLO_NAMESPACE")
        .env_remove("SKYFLO_OUTPUT");
    if let Some(e) = env_ns {
        cmd.env("SKYFLO_NAMESPACE", e);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["items"][0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn namespace_precedence() {
    let file = Some("namespace = \"from-file\"\n");
    assert_eq!(
        template_namespace(None, None, None),
        "skyflo-ai",
        "built-in default"
    );
    assert_eq!(template_namespace(file, None, None), "from-file");
    assert_eq!(template_namespace(file, Some("from-env"), None), "from-env");
    assert_eq!(
        template_namespace(file, Some("from-env"), Some("from-flag")),
        "from-flag"
    );
    assert_eq!(
        template_namespace(None, None, Some("from-flag")),
        "from-flag"
    );
}

#[test]
fn output_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "output = \"json\"\n").unwrap();
    let run = |env: Option<&str>, flag: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_skyflo"));
        cmd.args(["validate", "-f", "examples/skyflo.yaml"])
            .env("SKYFLO_CONFIG", &cfg)
            .env_remove("SKYFLO_OUTPUT");
        if let Some(f) = flag {
            cmd.args(["-o", f]);
        }
        if let Some(e) = env {
            cmd.env("SKYFLO_OUTPUT", e);
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    assert!(run(None, None).trim_start().starts_with('{'), "file: json");
    assert!(run(Some("yaml"), None).starts_with("file:"), "env: yaml");
    assert!(
        run(Some("yaml"), Some("table")).contains("is valid"),
        "flag: table"
    );
}

#[test]
fn timeout_precedence_and_bad_values() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "timeout = \"forever\"\n").unwrap();
    let run = |env: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_skyflo"));
        cmd.args(["template"])
            .env("SKYFLO_CONFIG", &cfg)
            .env_remove("SKYFLO_TIMEOUT");
        if let Some(e) = env {
            cmd.env("SKYFLO_TIMEOUT", e);
        }
        cmd.output().unwrap()
    };
    let bad_file = run(None);
    assert_eq!(bad_file.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_file.stderr).contains("invalid duration \"forever\""));
    // The environment wins over the file, so the file's bad value is never read.
    assert_eq!(run(Some("90s")).status.code(), Some(0));
}

#[test]
fn an_invalid_config_file_names_itself() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "namespace = \"ok\"\nnamspace = \"typo\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_skyflo"))
        .arg("template")
        .env("SKYFLO_CONFIG", &cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(cfg.to_str().unwrap()) && stderr.contains("namspace"),
        "{stderr}"
    );
}
