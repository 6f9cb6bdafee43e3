//! Every invalid spec is rejected with exit 2, naming the file, line, column, dotted path
//! and what would be valid, before any cluster is contacted.

mod common;

/// (fixture, line, column, dotted path, part of the message)
const INVALID: &[(&str, u64, u64, &str, &str)] = &[
    (
        "access-level-unknown",
        12,
        18,
        "spec.mcp.accessLevel",
        "did you mean `read-only`",
    ),
    (
        "access-none-without-kubeconfig",
        12,
        18,
        "spec.mcp.accessLevel",
        "kubeconfigSecret",
    ),
    ("alias-bomb", 4, 29, "d", "alias bombs"),
    (
        "version-without-v",
        6,
        12,
        "spec.version",
        "a release starts with v",
    ),
    (
        "db-run-as-root",
        11,
        18,
        "spec.engine.databaseConfig.runAsUser",
        "not root",
    ),
    (
        "db-secret-name-invalid",
        11,
        19,
        "spec.engine.databaseConfig.secretName",
        "invalid Secret name",
    ),
    (
        "jwt-secret-name-invalid",
        10,
        20,
        "spec.engine.jwtSecretName",
        "invalid Secret name",
    ),
    (
        "ingress-bad-annotation",
        10,
        33,
        "spec.ui.ingress.annotations.bad key!",
        "invalid annotation key",
    ),
    (
        "db-ssl-mode-unknown",
        13,
        16,
        "spec.engine.databaseConfig.sslMode",
        "did you mean `require`",
    ),
    (
        "db-verify-without-ca",
        13,
        16,
        "spec.engine.databaseConfig.sslMode",
        "set databaseConfig.caSecret",
    ),
    (
        "redis-tls-not-bool",
        13,
        12,
        "spec.engine.redisConfig.tls",
        "expected true or false",
    ),
    (
        "redis-ca-without-tls",
        13,
        17,
        "spec.engine.redisConfig.caSecret",
        "set redisConfig.tls: true",
    ),
    (
        "ingress-without-hosts",
        9,
        7,
        "spec.ui.ingress.hosts",
        "at least one host name",
    ),
    (
        "ingress-bad-host",
        9,
        35,
        "spec.ui.ingress.hosts[1]",
        "invalid host \"Bad_Host\"",
    ),
    (
        "ingress-misspelt-field",
        10,
        7,
        "spec.ui.ingress.tlsSecrett",
        "did you mean `tlsSecret`",
    ),
    (
        "topology-spread-unknown",
        7,
        24,
        "spec.topologySpread.whenUnsatisfiable",
        "valid: ScheduleAnyway",
    ),
    (
        "image-registry-with-scheme",
        6,
        18,
        "spec.imageRegistry",
        "leave out the scheme",
    ),
    (
        "image-pull-policy-unknown",
        6,
        20,
        "spec.imagePullPolicy",
        "did you mean `IfNotPresent`",
    ),
    (
        "llm-reasoning-effort-minimal",
        12,
        24,
        "spec.engine.llm.reasoningEffort",
        "valid: low, medium, high, default",
    ),
    (
        "llm-reasoning-effort-unknown",
        12,
        24,
        "spec.engine.llm.reasoningEffort",
        "did you mean `high`",
    ),
    (
        "llm-thinking-budget-too-small",
        12,
        29,
        "spec.engine.llm.thinkingBudgetTokens",
        "valid: 1024 to 200000",
    ),
    (
        "llm-thinking-budget-over-max-tokens",
        12,
        29,
        "spec.engine.llm.thinkingBudgetTokens",
        "less than maxTokens 4000",
    ),
    (
        "llm-max-tokens-zero",
        12,
        18,
        "spec.engine.llm.maxTokens",
        "valid: 1 to 1000000",
    ),
    ("bad-image-tag", 9, 12, "spec.engine.image", "invalid image"),
    (
        "bad-image-uppercase",
        7,
        12,
        "spec.ui.image",
        "invalid path component",
    ),
    ("bad-name", 4, 9, "metadata.name", "RFC 1123"),
    (
        "bad-quantity",
        11,
        26,
        "spec.engine.resources.requests.memory",
        r#"invalid quantity "1GB""#,
    ),
    (
        "bad-service-type",
        8,
        21,
        "spec.ui.service.type",
        "valid: ClusterIP, NodePort, LoadBalancer",
    ),
    (
        "db-port-out-of-range",
        12,
        13,
        "spec.engine.databaseConfig.port",
        "valid: 1 to 65535",
    ),
    (
        "duplicate-key",
        8,
        5,
        "spec.ui.image",
        "duplicate key `image`",
    ),
    (
        "env-bad-name",
        11,
        16,
        "spec.engine.env[0].name",
        "invalid env name",
    ),
    (
        "env-duplicate",
        12,
        16,
        "spec.engine.env[1].name",
        "set twice",
    ),
    (
        "env-value-and-value-from",
        11,
        9,
        "spec.engine.env[0]",
        "not both",
    ),
    (
        "external-db-without-secret",
        11,
        7,
        "spec.engine.databaseConfig.secretName",
        "POSTGRES_USER and POSTGRES_PASSWORD",
    ),
    (
        "external-redis-without-secret",
        11,
        7,
        "spec.engine.redisConfig.secretName",
        "REDIS_PASSWORD",
    ),
    (
        "llm-model-without-provider",
        11,
        14,
        "spec.engine.llm.model",
        "provider/model",
    ),
    (
        "missing-engine-image",
        9,
        5,
        "spec.engine.image",
        "required field missing",
    ),
    ("missing-spec", 1, 1, "spec", "required field missing"),
    ("missing-ui", 6, 3, "spec.ui", "required field missing"),
    (
        "misspelt-replicas",
        8,
        5,
        "spec.ui.replicaz",
        "did you mean `replicas`",
    ),
    (
        "misspelt-toleration-operator",
        13,
        24,
        "spec.tolerations[0].operater",
        "did you mean `operator`",
    ),
    (
        "misspelt-top-level",
        3,
        1,
        "metdata",
        "did you mean `metadata`",
    ),
    (
        "name-too-long",
        4,
        9,
        "metadata.name",
        "at most 43 characters",
    ),
    (
        "node-port-duplicate",
        13,
        41,
        "spec.mcp.service.nodePort",
        "already used by spec.ui.service.nodePort",
    ),
    (
        "node-port-on-cluster-ip",
        10,
        42,
        "spec.engine.service.nodePort",
        "needs service.type NodePort or LoadBalancer",
    ),
    (
        "node-port-out-of-range",
        8,
        41,
        "spec.ui.service.nodePort",
        "valid: 30000 to 32767",
    ),
    (
        "node-selector-bad-key",
        13,
        16,
        "spec.nodeSelector.bad key",
        "invalid label key",
    ),
    ("not-yaml", 3, 7, "spec", "unclosed bracket"),
    (
        "replicas-not-a-number",
        8,
        15,
        "spec.ui.replicas",
        "expected a whole number",
    ),
    (
        "replicas-too-many",
        12,
        15,
        "spec.mcp.replicas",
        "valid: 1 to 1000",
    ),
    (
        "replicas-zero",
        8,
        15,
        "spec.ui.replicas",
        "valid: 1 to 1000",
    ),
    (
        "request-over-limit",
        11,
        23,
        "spec.engine.resources.requests.cpu",
        "request exceeds the limit",
    ),
    (
        "several-documents",
        13,
        1,
        "(document 2)",
        "exactly one SkyfloAI document",
    ),
    ("spec-wrong-type", 3, 7, "spec", "expected a mapping"),
    (
        "storage-size-invalid",
        11,
        20,
        "spec.engine.databaseConfig.storageSize",
        r#"invalid quantity "lots""#,
    ),
    (
        "toleration-bad-effect",
        13,
        50,
        "spec.tolerations[0].effect",
        "valid: NoSchedule, PreferNoSchedule, NoExecute",
    ),
    (
        "toleration-bad-operator",
        13,
        34,
        "spec.tolerations[0].operator",
        "valid: Exists, Equal",
    ),
    (
        "toleration-exists-with-value",
        13,
        49,
        "spec.tolerations[0].value",
        "takes no value",
    ),
    ("top-level-list", 1, 1, "(document)", "must be a mapping"),
    (
        "unknown-affinity-field",
        13,
        5,
        "spec.affinity.nodeAfinity",
        "did you mean `nodeAffinity`",
    ),
    (
        "unknown-env-field",
        12,
        9,
        "spec.engine.env[0].valu",
        "did you mean `value`",
    ),
    (
        "wrong-api-version",
        1,
        13,
        "apiVersion",
        "valid: skyflo.ai/v1",
    ),
    ("wrong-kind", 2, 7, "kind", "valid: SkyfloAI"),
];

fn skyflo(args: &[&str]) -> std::process::Output {
    // A kubeconfig that points nowhere: validation must never need it.
    common::offline().args(args).output().unwrap()
}

#[test]
fn there_are_at_least_thirty_invalid_fixtures() {
    assert!(INVALID.len() >= 30);
    let on_disk = std::fs::read_dir("tests/fixtures/invalid").unwrap().count();
    assert_eq!(on_disk, INVALID.len(), "every fixture has an expectation");
}

#[test]
fn every_invalid_fixture_fails_validation_with_its_position_and_path() {
    for (name, line, column, path, message) in INVALID {
        let file = format!("tests/fixtures/invalid/{name}.yaml");
        let bytes = std::fs::read(&file).unwrap();
        let err = skyflo::spec::parse(&file, &bytes).expect_err(name);
        let found = err
            .0
            .iter()
            .find(|d| d.path == *path)
            .unwrap_or_else(|| panic!("{name}: no error at path {path}; got:\n{err}"));
        assert_eq!(
            (found.line, found.column),
            (*line, *column),
            "{name}: {found}"
        );
        assert!(found.message.contains(message), "{name}: {found}");
        assert_eq!(found.file, file);
    }
}

#[test]
fn every_invalid_fixture_exits_2_from_validate_template_and_install() {
    for (name, line, _, path, message) in INVALID {
        let file = format!("tests/fixtures/invalid/{name}.yaml");
        for args in [
            vec!["validate", "-f", &file],
            vec!["template", "-f", &file],
            // install would contact the cluster if the spec were valid: the nowhere
            // kubeconfig proves that invalid input stops before that.
            vec!["install", "-f", &file],
        ] {
            let out = skyflo(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name} {args:?}: {stderr}");
            assert!(
                stderr.contains(&format!("{file}:{line}:")),
                "{name}: {stderr}"
            );
            assert!(stderr.contains(&format!(": {path}: ")), "{name}: {stderr}");
            assert!(stderr.contains(message), "{name}: {stderr}");
            assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
            assert!(
                !stderr.contains("/nonexistent/kubeconfig"),
                "{name}: no cluster access: {stderr}"
            );
        }
    }
}

#[test]
fn all_errors_are_reported_at_once() {
    let yaml = "apiVersion: skyflo.ai/v1
kind: SkyfloAI
spec:
  ui:
    image: skyfloaiagent/ui:v0.7.0
    replicaz: 2
  engine:
    image: Bad
    replicas: 0
  mcp:
    image: skyfloaiagent/mcp:v0.7.0
    accessLevel: root
";
    let err = skyflo::spec::parse("multi.yaml", yaml.as_bytes()).unwrap_err();
    let paths: Vec<&str> = err.0.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "spec.ui.replicaz",
            "spec.engine.image",
            "spec.engine.replicas",
            "spec.mcp.accessLevel"
        ]
    );
}

#[test]
fn whole_file_problems_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.yaml", b"".to_vec(), "the file is empty"),
        (
            "comments.yaml",
            b"# nothing here\n".to_vec(),
            "the file is empty",
        ),
        (
            "binary.yaml",
            vec![0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a],
            "not valid UTF-8",
        ),
        (
            "huge.yaml",
            {
                let mut v = b"apiVersion: skyflo.ai/v1\n".to_vec();
                v.extend(std::iter::repeat_n(b'#', 1024 * 1024 + 10));
                v
            },
            "at most 1048576 bytes",
        ),
    ];
    for (name, bytes, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let out = skyflo(&["validate", "-f", path.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(message), "{name}: {stderr}");
        assert!(stderr.contains(path.to_str().unwrap()), "{name}: {stderr}");
    }
    let out = skyflo(&["validate", "-f", "/nonexistent/skyflo.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("/nonexistent/skyflo.yaml: no such file")
    );
    let out = skyflo(&["validate", "-f", "tests"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a directory"));
}

#[test]
fn validate_json_lists_every_error() {
    let out = skyflo(&[
        "validate",
        "-o",
        "json",
        "-f",
        "tests/fixtures/invalid/misspelt-replicas.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"][0]["path"], "spec.ui.replicaz");
    assert_eq!(v["errors"][0]["line"], 8);
}

#[test]
fn valid_files_validate() {
    for f in [
        "examples/skyflo.yaml",
        "tests/fixtures/valid/external.yaml",
        "tests/fixtures/valid/scheduling.yaml",
    ] {
        let out = skyflo(&["validate", "-f", f]);
        assert!(
            out.status.success(),
            "{f}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("is valid"));
    }
}
