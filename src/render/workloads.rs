//! Deployments (engine, MCP, UI) and StatefulSets (PostgreSQL, Redis): the templates with
//! the spec overlaid.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapEnvSource, Container, EnvFromSource, EnvVar, EnvVarSource, PodSpec,
    PodTemplateSpec, ResourceRequirements, Secret, SecretEnvSource, SecretKeySelector,
    SecretVolumeSource, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use sha2::{Digest, Sha256};

use super::labels::{self, labels, selector};
use super::secrets::POSTGRES_PASSWORD_KEY;
use super::secrets::keyed;
use super::{Names, templates};
use crate::spec::{Database, Redis, Spec, Workload};

/// A digest of every ConfigMap and Secret, by name. A pod template carries the digest of what
/// it reads, so a configuration change rolls exactly the pods that read it. Secret data is
/// digested with an HMAC under the installation's generated key (anyone who may read a
/// Deployment could otherwise test password guesses against a plain SHA-256); without a key
/// (`template`, which renders no Secret with data) only the Secrets' key names count.
pub struct Checksums(BTreeMap<String, String>);

impl Checksums {
    pub fn new(config_maps: &[ConfigMap], secrets: &[Secret], key: Option<&[u8]>) -> Self {
        let mut m = BTreeMap::new();
        for cm in config_maps {
            let json = serde_json::to_vec(&cm.data).expect("ConfigMap data serializes");
            m.insert(cm.metadata.name.clone().unwrap_or_default(), hex(&json));
        }
        for s in secrets {
            let json = serde_json::to_vec(&s.data).expect("Secret data serializes");
            let digest = match key {
                Some(k) => keyed(k, &json),
                None => hex(&serde_json::to_vec(
                    &s.data.as_ref().map(|d| d.keys().collect::<Vec<_>>()),
                )
                .expect("key names serialize")),
            };
            m.insert(s.metadata.name.clone().unwrap_or_default(), digest);
        }
        Checksums(m)
    }

    fn of(&self, names: &[String]) -> String {
        let mut h = Sha256::new();
        for n in names {
            h.update(n.as_bytes());
            h.update(self.0.get(n).map(String::as_str).unwrap_or("").as_bytes());
        }
        format!("{:x}", h.finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn secret_env(name: &str, secret: &str, key: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.into(),
                key: key.into(),
                optional: None,
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn literal(name: &str, value: impl Into<String>) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..Default::default()
    }
}

/// The user's env vars win over skyflo's: a same-named variable is replaced in place,
/// new ones are appended in the user's order.
fn merge_env(base: &mut Vec<EnvVar>, user: &[EnvVar]) {
    for e in user {
        match base.iter_mut().find(|b| b.name == e.name) {
            Some(slot) => *slot = e.clone(),
            None => base.push(e.clone()),
        }
    }
}

fn app_version(image: &str) -> String {
    crate::spec::image::version_of(image).unwrap_or_else(|| "unknown".into())
}

/// One component's pods: what sets them apart in [`pod_template`].
struct PodsOf<'a> {
    component: &'a str,
    image: &'a str,
    /// Of the ConfigMaps and Secrets the pods read, so a change rolls them.
    checksum: Option<String>,
    service_account: String,
}

/// Applies what every pod shares: labels, checksum, scheduling, pull secrets.
fn pod_template(spec: &Spec, names: &Names, pods: PodsOf<'_>, template: &mut PodTemplateSpec) {
    let PodsOf {
        component,
        image,
        checksum,
        service_account,
    } = pods;
    template.metadata = Some(ObjectMeta {
        labels: Some(labels(names, component, Some(image))),
        annotations: checksum.map(|c| BTreeMap::from([(labels::CHECKSUM.to_string(), c)])),
        ..Default::default()
    });
    let pod: &mut PodSpec = template.spec.get_or_insert_with(Default::default);
    pod.service_account_name = Some(service_account);
    let s = &spec.scheduling;
    if !s.image_pull_secrets.is_empty() {
        pod.image_pull_secrets = Some(s.image_pull_secrets.clone());
    }
    if !s.node_selector.is_empty() {
        pod.node_selector = Some(s.node_selector.clone());
    }
    if !s.tolerations.is_empty() {
        pod.tolerations = Some(s.tolerations.clone());
    }
    pod.affinity = s.affinity.clone();
}

/// A Deployment of `component` from its template, with the workload's replicas, image and
/// resources; `checksum`: of what its pods read.
fn deployment_base(
    spec: &Spec,
    names: &Names,
    (component, template_text): (&str, &str),
    workload: &Workload,
    checksum: String,
    service_account: String,
) -> Deployment {
    let mut d = templates::deployment(component, template_text);
    d.metadata = ObjectMeta {
        name: Some(names.of(component)),
        namespace: Some(names.namespace.clone()),
        labels: Some(labels(names, component, Some(&workload.image))),
        ..Default::default()
    };
    let ds = d.spec.as_mut().expect("deployment templates have a spec");
    ds.replicas = Some(workload.replicas);
    ds.selector = LabelSelector {
        match_labels: Some(selector(names, component)),
        ..Default::default()
    };
    let pods = PodsOf {
        component,
        image: &workload.image,
        checksum: Some(checksum),
        service_account,
    };
    pod_template(spec, names, pods, &mut ds.template);
    let main = main_container(&mut ds.template);
    main.image = Some(workload.image.clone());
    if let Some(r) = &workload.resources {
        main.resources = Some(r.clone());
    }
    d
}

fn main_container(t: &mut PodTemplateSpec) -> &mut Container {
    &mut t
        .spec
        .as_mut()
        .expect("templates have a pod spec")
        .containers[0]
}

fn config_from(name: String) -> EnvFromSource {
    EnvFromSource {
        config_map_ref: Some(ConfigMapEnvSource {
            name,
            optional: None,
        }),
        ..Default::default()
    }
}

pub fn engine(
    spec: &Spec,
    names: &Names,
    sums: &Checksums,
    credentials: &super::LlmCredentials,
) -> Deployment {
    let w = &spec.engine.workload;
    let key_secret = match (&spec.engine.llm.api_key_secret, credentials) {
        (Some(s), _) => Some(s.clone()),
        (None, super::LlmCredentials::None) => None,
        (None, _) => Some(names.llm_credentials()),
    };
    let mut read = vec![names.of("engine-config"), names.engine_secret()];
    if let Some(k) = &key_secret {
        read.push(k.clone());
    }
    if spec.postgres_in_cluster() {
        read.push(names.postgres_secret());
    }
    if super::needs_connection(spec) {
        read.push(names.connection());
    }
    let mut d = deployment_base(
        spec,
        names,
        ("engine", templates::ENGINE),
        w,
        sums.of(&read),
        names.service_account(),
    );
    let ds = d.spec.as_mut().expect("spec");
    let mut env = vec![
        literal("APP_VERSION", app_version(&w.image)),
        secret_env(
            "JWT_SECRET",
            spec.engine
                .jwt_secret
                .as_deref()
                .unwrap_or(&names.engine_secret()),
            "JWT_SECRET",
        ),
    ];
    let mut init = Vec::new();
    let wait_for = |host: String, port: i32, what: &str| {
        let mut c = templates::container("wait-for.yaml", templates::WAIT_FOR);
        c.name = format!("wait-for-{what}");
        c.env = Some(vec![
            literal("WAIT_HOST", host),
            literal("WAIT_PORT", port.to_string()),
        ]);
        c
    };
    let (db_env, db_wait) = database_env(spec, names);
    env.extend(db_env);
    init.extend(db_wait.map(|(host, port)| wait_for(host, port, "postgres")));
    let (redis_env, redis_wait) = redis_env(spec, names);
    env.extend(redis_env);
    init.extend(redis_wait.map(|(host, port)| wait_for(host, port, "redis")));
    merge_env(&mut env, &w.env);
    let pod = ds.template.spec.as_mut().expect("pod spec");
    if !init.is_empty() {
        pod.init_containers = Some(init);
    }
    let main = &mut pod.containers[0];
    let mut env_from = vec![config_from(names.of("engine-config"))];
    if let Some(secret) = &key_secret {
        env_from.push(EnvFromSource {
            secret_ref: Some(SecretEnvSource {
                name: secret.clone(),
                optional: None,
            }),
            ..Default::default()
        });
    }
    main.env_from = Some(env_from);
    main.env = Some(env);
    mount_ca_certificates(pod, spec);
    if let Some(secret) = &key_secret
        && vertex_credentials_file(spec, credentials)
    {
        mount_google_credentials(pod, secret);
    }
    d
}

/// The engine's `POSTGRES_DATABASE_URL`, composed by the kubelet from `$(VAR)`s, and the
/// in-cluster database to wait for. Credentials from the user's Secrets come URL-encoded
/// through `<name>-connection`; skyflo's generated password is URL-safe as it is.
fn database_env(spec: &Spec, names: &Names) -> (Vec<EnvVar>, Option<(String, i32)>) {
    let conn = names.connection();
    match &spec.engine.database {
        Database::InCluster {
            password_secret: None,
            ..
        } => {
            let mut env = postgres_env(names, None, "_PG_");
            env.push(literal(
                "POSTGRES_DATABASE_URL",
                format!(
                    "postgres://$(_PG_USER):$(_PG_PASS)@{}:5432/$(_PG_DB)",
                    names.of("postgres")
                ),
            ));
            (env, Some((names.of("postgres"), 5432)))
        }
        Database::InCluster { .. } => {
            let url = format!(
                "postgres://{}:$(_PG_PASS)@{}:5432/{}",
                super::secrets::POSTGRES_USER,
                names.of("postgres"),
                super::secrets::POSTGRES_DB
            );
            (
                vec![
                    secret_env("_PG_PASS", &conn, super::secrets::CONNECTION_PG_PASSWORD),
                    literal("POSTGRES_DATABASE_URL", url),
                ],
                Some((names.of("postgres"), 5432)),
            )
        }
        Database::External {
            host,
            port,
            database,
            ssl_mode,
            ca_secret,
            ..
        } => (
            external_database_env(
                host,
                *port,
                database,
                &conn,
                ssl_mode.as_deref(),
                ca_secret.is_some(),
            ),
            None,
        ),
    }
}

/// An external PostgreSQL as the real engine reads it (skyflo-upstream.md §7): Tortoise hands
/// every URL parameter to asyncpg (no `sslmode` keyword) and decodes only the password, so the
/// URL carries neither credentials nor TLS settings; asyncpg and libpq take them from `PGUSER`,
/// `PGPASSWORD` (plain copies in `<name>-connection`), `PGSSLMODE`, `PGSSLROOTCERT`. The
/// checkpointer (psycopg) would append `sslmode=disable` to a URL it derives, so TLS gets its
/// own `CHECKPOINTER_DATABASE_URL`.
fn external_database_env(
    host: &str,
    port: i32,
    database: &str,
    connection: &str,
    ssl_mode: Option<&str>,
    ca: bool,
) -> Vec<EnvVar> {
    let url = format!("postgres://{host}:{port}/{database}");
    let mut env = vec![
        secret_env("PGUSER", connection, super::secrets::CONNECTION_PG_USER),
        secret_env(
            "PGPASSWORD",
            connection,
            super::secrets::CONNECTION_PG_PASSWORD_PLAIN,
        ),
        literal("POSTGRES_DATABASE_URL", url.clone()),
    ];
    let root_cert = ca.then(|| format!("{DB_CA_DIR}/ca.crt"));
    if let Some(m) = ssl_mode {
        env.push(literal("PGSSLMODE", m));
    }
    if let Some(c) = &root_cert {
        env.push(literal("PGSSLROOTCERT", c.clone()));
    }
    if ssl_mode.is_some() || root_cert.is_some() {
        // libpq's own default when no mode is given, as asyncpg uses it.
        let mode = ssl_mode.unwrap_or("prefer");
        let mut query = format!("sslmode={mode}");
        if let Some(c) = &root_cert {
            query.push_str(&format!("&sslrootcert={c}"));
        }
        env.push(literal(
            "CHECKPOINTER_DATABASE_URL",
            format!("{url}?{query}"),
        ));
    }
    env
}

/// The engine's `REDIS_URL` (`rediss://` with TLS) and the in-cluster Redis to wait for.
fn redis_env(spec: &Spec, names: &Names) -> (Vec<EnvVar>, Option<(String, i32)>) {
    match &spec.engine.redis {
        Redis::InCluster { .. } => (
            vec![literal(
                "REDIS_URL",
                format!("redis://{}:6379/0", names.of("redis")),
            )],
            Some((names.of("redis"), 6379)),
        ),
        Redis::External {
            host,
            port,
            tls,
            ca_secret,
            ..
        } => {
            let scheme = if *tls { "rediss" } else { "redis" };
            let query = if ca_secret.is_some() {
                format!("?ssl_ca_certs={REDIS_CA_DIR}/ca.crt")
            } else {
                String::new()
            };
            (
                vec![
                    secret_env(
                        "_REDIS_PASS",
                        &names.connection(),
                        super::secrets::CONNECTION_REDIS_PASSWORD,
                    ),
                    literal(
                        "REDIS_URL",
                        format!("{scheme}://:$(_REDIS_PASS)@{host}:{port}/0{query}"),
                    ),
                ],
                None,
            )
        }
    }
}

pub const DB_CA_DIR: &str = "/etc/skyflo/postgres-ca";
pub const REDIS_CA_DIR: &str = "/etc/skyflo/redis-ca";

/// The CA certificates named by databaseConfig.caSecret and redisConfig.caSecret (key
/// `ca.crt`), mounted where the connection URLs point.
fn mount_ca_certificates(pod: &mut k8s_openapi::api::core::v1::PodSpec, spec: &Spec) {
    let db = match &spec.engine.database {
        Database::External {
            ca_secret: Some(s), ..
        } => Some(("postgres-ca", s, DB_CA_DIR)),
        _ => None,
    };
    let redis = match &spec.engine.redis {
        Redis::External {
            ca_secret: Some(s), ..
        } => Some(("redis-ca", s, REDIS_CA_DIR)),
        _ => None,
    };
    for (name, secret, dir) in db.into_iter().chain(redis) {
        pod.volumes.get_or_insert_with(Vec::new).push(Volume {
            name: name.into(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(secret.clone()),
                // A CA certificate is public: readable by the engine's uid without fsGroup.
                default_mode: Some(0o444),
                items: Some(vec![k8s_openapi::api::core::v1::KeyToPath {
                    key: "ca.crt".into(),
                    path: "ca.crt".into(),
                    mode: None,
                }]),
                ..Default::default()
            }),
            ..Default::default()
        });
        pod.containers[0]
            .volume_mounts
            .get_or_insert_with(Vec::new)
            .push(VolumeMount {
                name: name.into(),
                mount_path: dir.into(),
                read_only: Some(true),
                ..Default::default()
            });
    }
}

/// Vertex AI reads a service-account JSON file named by GOOGLE_APPLICATION_CREDENTIALS. The
/// file's content travels in the credentials Secret under that key; it is mounted as a file
/// and the variable points at the mount (a path on the operator's machine means nothing in
/// the pod).
fn vertex_credentials_file(spec: &Spec, credentials: &super::LlmCredentials) -> bool {
    let vertex = spec
        .engine
        .llm
        .model
        .as_deref()
        .is_some_and(|m| crate::spec::llm::provider_of(m) == "vertex_ai");
    let has_key = |m: &BTreeMap<String, String>| m.contains_key(GOOGLE_CREDENTIALS_KEY);
    vertex
        && match (&spec.engine.llm.api_key_secret, credentials) {
            (Some(_), _) => true,
            (None, super::LlmCredentials::New(m) | super::LlmCredentials::Existing(m)) => {
                has_key(m)
            }
            (None, super::LlmCredentials::None) => false,
        }
}

pub const GOOGLE_CREDENTIALS_KEY: &str = "GOOGLE_APPLICATION_CREDENTIALS";
pub const GOOGLE_CREDENTIALS_DIR: &str = "/etc/skyflo/google";

fn mount_google_credentials(pod: &mut k8s_openapi::api::core::v1::PodSpec, secret: &str) {
    use k8s_openapi::api::core::v1::KeyToPath;
    pod.volumes.get_or_insert_with(Vec::new).push(Volume {
        name: "google-credentials".into(),
        secret: Some(SecretVolumeSource {
            secret_name: Some(secret.into()),
            default_mode: Some(0o440),
            items: Some(vec![KeyToPath {
                key: GOOGLE_CREDENTIALS_KEY.into(),
                path: "credentials.json".into(),
                mode: None,
            }]),
            // A user's apiKeySecret may hold no file: the engine then reports the missing
            // credentials itself instead of never starting.
            optional: Some(true),
        }),
        ..Default::default()
    });
    // The kubelet gives the 0440 file to this group, which the engine's uid 1002 belongs to.
    pod.security_context
        .get_or_insert_with(Default::default)
        .fs_group = Some(1002);
    let main = &mut pod.containers[0];
    main.volume_mounts
        .get_or_insert_with(Vec::new)
        .push(VolumeMount {
            name: "google-credentials".into(),
            mount_path: GOOGLE_CREDENTIALS_DIR.into(),
            read_only: Some(true),
            ..Default::default()
        });
    // `env` wins over `envFrom`, which carries the file's content under the same name; a
    // value the user set in spec.engine.env wins over this one.
    let env = main.env.get_or_insert_with(Vec::new);
    if !env.iter().any(|e| e.name == GOOGLE_CREDENTIALS_KEY) {
        env.push(literal(
            GOOGLE_CREDENTIALS_KEY,
            format!("{GOOGLE_CREDENTIALS_DIR}/credentials.json"),
        ));
    }
}

/// Where a `kubeconfigSecret` is mounted; its key `kubeconfig` becomes this file.
pub const KUBECONFIG_DIR: &str = "/etc/skyflo/kubeconfig";

pub fn mcp(spec: &Spec, names: &Names, sums: &Checksums) -> Deployment {
    let w = &spec.mcp.workload;
    let mut d = deployment_base(
        spec,
        names,
        ("mcp", templates::MCP),
        w,
        sums.of(&[names.of("mcp-config")]),
        names.of("mcp"),
    );
    let pod = d
        .spec
        .as_mut()
        .and_then(|s| s.template.spec.as_mut())
        .expect("pod spec");
    pod.automount_service_account_token = Some(super::config::mcp_mounts_token(spec));
    let mut env = vec![literal("APP_VERSION", app_version(&w.image))];
    if let Some(secret) = &spec.mcp.kubeconfig_secret {
        pod.volumes = Some(vec![Volume {
            name: "kubeconfig".into(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(secret.clone()),
                default_mode: Some(0o440),
                ..Default::default()
            }),
            ..Default::default()
        }]);
        pod.containers[0].volume_mounts = Some(vec![VolumeMount {
            name: "kubeconfig".into(),
            mount_path: KUBECONFIG_DIR.into(),
            read_only: Some(true),
            ..Default::default()
        }]);
        env.push(literal(
            "KUBECONFIG",
            format!("{KUBECONFIG_DIR}/kubeconfig"),
        ));
    }
    merge_env(&mut env, &w.env);
    let main = &mut pod.containers[0];
    main.env_from = Some(vec![config_from(names.of("mcp-config"))]);
    main.env = Some(env);
    d
}

pub fn ui(spec: &Spec, names: &Names, sums: &Checksums) -> Deployment {
    let w = &spec.ui.workload;
    let mut d = deployment_base(
        spec,
        names,
        ("ui", templates::UI),
        w,
        sums.of(&[names.of("ui-config"), names.of("proxy-config")]),
        names.service_account(),
    );
    let pod = d
        .spec
        .as_mut()
        .and_then(|s| s.template.spec.as_mut())
        .expect("pod spec");
    let version = app_version(&w.image);
    let mut env = vec![literal("APP_VERSION", version.clone())];
    merge_env(&mut env, &w.env);
    pod.containers[0].env_from = Some(vec![config_from(names.of("ui-config"))]);
    pod.containers[0].env = Some(env);
    let proxy = &mut pod.containers[1];
    proxy.image = Some(spec.ui.proxy_image.clone());
    if let Some(r) = &spec.ui.proxy_resources {
        proxy.resources = Some(r.clone());
    }
    proxy.env = Some(vec![
        literal("APP_VERSION", version),
        literal("ENGINE_UPSTREAM", format!("{}:8080", names.of("engine"))),
        literal("UI_UPSTREAM", format!("{}:3000", names.of("ui-app"))),
    ]);
    // skyflo's template over the image's own (the entrypoint fills it as before).
    proxy.volume_mounts = Some(vec![VolumeMount {
        name: "proxy-config".into(),
        mount_path: super::config::PROXY_TEMPLATE_PATH.into(),
        sub_path: Some(super::config::PROXY_TEMPLATE_KEY.into()),
        read_only: Some(true),
        ..Default::default()
    }]);
    pod.volumes.get_or_insert_with(Vec::new).push(Volume {
        name: "proxy-config".into(),
        config_map: Some(k8s_openapi::api::core::v1::ConfigMapVolumeSource {
            name: names.of("proxy-config"),
            default_mode: Some(0o444),
            ..Default::default()
        }),
        ..Default::default()
    });
    d
}

/// What differs between the PostgreSQL and Redis StatefulSets.
struct DataStore<'a> {
    component: &'a str,
    template_text: &'a str,
    image: &'a str,
    resources: &'a Option<ResourceRequirements>,
    storage: &'a crate::spec::Storage,
}

fn stateful_set(
    spec: &Spec,
    names: &Names,
    store: DataStore<'_>,
    checksum: Option<String>,
) -> StatefulSet {
    let DataStore {
        component,
        template_text,
        image,
        resources,
        storage,
    } = store;
    let mut s = templates::stateful_set(component, template_text);
    s.metadata = ObjectMeta {
        name: Some(names.of(component)),
        namespace: Some(names.namespace.clone()),
        labels: Some(labels(names, component, Some(image))),
        ..Default::default()
    };
    let ss = s.spec.as_mut().expect("statefulset templates have a spec");
    ss.service_name = Some(names.of(&format!("{component}-headless")));
    ss.selector = LabelSelector {
        match_labels: Some(selector(names, component)),
        ..Default::default()
    };
    let pods = PodsOf {
        component,
        image,
        checksum,
        service_account: names.service_account(),
    };
    pod_template(spec, names, pods, &mut ss.template);
    let main = main_container(&mut ss.template);
    main.image = Some(image.to_string());
    if let Some(r) = resources {
        main.resources = Some(r.clone());
    }
    for claim in ss.volume_claim_templates.iter_mut().flatten() {
        // Claim templates are immutable: their labels stay selector-only, never versioned.
        claim.metadata.labels = Some(selector(names, component));
        let cs = claim.spec.get_or_insert_with(Default::default);
        cs.storage_class_name = storage.storage_class.clone();
        cs.resources
            .get_or_insert_with(Default::default)
            .requests
            .get_or_insert_with(BTreeMap::new)
            .insert("storage".into(), Quantity(storage.size.clone()));
    }
    s
}

pub fn postgres(spec: &Spec, names: &Names, sums: &Checksums) -> Option<StatefulSet> {
    let Database::InCluster {
        image,
        storage,
        resources,
        password_secret,
        run_as_user,
    } = &spec.engine.database
    else {
        return None;
    };
    let mut s = stateful_set(
        spec,
        names,
        DataStore {
            component: "postgres",
            template_text: templates::POSTGRES,
            image,
            resources,
            storage,
        },
        Some(sums.of(&[names.postgres_secret()])),
    );
    let template = &mut s.spec.as_mut().expect("spec").template;
    if *run_as_user != crate::spec::DEFAULT_POSTGRES_UID
        && let Some(sc) = template
            .spec
            .as_mut()
            .and_then(|p| p.security_context.as_mut())
    {
        sc.run_as_user = Some(*run_as_user);
        sc.run_as_group = Some(*run_as_user);
        sc.fs_group = Some(*run_as_user);
    }
    let main = main_container(template);
    let env = main.env.get_or_insert_with(Vec::new);
    for (i, e) in postgres_env(names, password_secret.as_deref(), "POSTGRES_")
        .into_iter()
        .enumerate()
    {
        env.insert(i, e);
    }
    Some(s)
}

/// `<prefix>USER`, `<prefix>PASS(WORD)` and `<prefix>DB` for the in-cluster PostgreSQL: from
/// skyflo's generated Secret, or, with the user's own Secret, its POSTGRES_PASSWORD and
/// skyflo's fixed user and database names.
fn postgres_env(names: &Names, user_secret: Option<&str>, prefix: &str) -> Vec<EnvVar> {
    let pass = if prefix == "_PG_" {
        "_PG_PASS"
    } else {
        "POSTGRES_PASSWORD"
    };
    let (user, db) = (format!("{prefix}USER"), format!("{prefix}DB"));
    match user_secret {
        Some(s) => vec![
            literal(&user, super::secrets::POSTGRES_USER),
            secret_env(pass, s, POSTGRES_PASSWORD_KEY),
            literal(&db, super::secrets::POSTGRES_DB),
        ],
        None => {
            let s = names.postgres_secret();
            vec![
                secret_env(&user, &s, "POSTGRES_USER"),
                secret_env(pass, &s, POSTGRES_PASSWORD_KEY),
                secret_env(&db, &s, "POSTGRES_DB"),
            ]
        }
    }
}

pub fn redis(spec: &Spec, names: &Names) -> Option<StatefulSet> {
    let Redis::InCluster {
        image,
        storage,
        resources,
    } = &spec.engine.redis
    else {
        return None;
    };
    Some(stateful_set(
        spec,
        names,
        DataStore {
            component: "redis",
            template_text: templates::REDIS,
            image,
            resources,
            storage,
        },
        None,
    ))
}

/// A PodDisruptionBudget for a Deployment with more than one replica: a node drain may take
/// one pod at a time, never the whole component.
pub fn disruption_budget(
    d: &Deployment,
    names: &Names,
    component: &str,
) -> Option<k8s_openapi::api::policy::v1::PodDisruptionBudget> {
    use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    let replicas = d.spec.as_ref()?.replicas.unwrap_or(1);
    if replicas < 2 {
        return None;
    }
    Some(PodDisruptionBudget {
        metadata: super::config::meta(names, names.of(component), component),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(LabelSelector {
                match_labels: Some(selector(names, component)),
                ..Default::default()
            }),
            ..Default::default()
        }),
        status: None,
    })
}

/// Asks the scheduler to put a component's replicas on different nodes.
pub fn spread(d: &mut Deployment, names: &Names, component: &str, when: &str) {
    use k8s_openapi::api::core::v1::TopologySpreadConstraint;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
    let Some(pod) = d.spec.as_mut().and_then(|s| s.template.spec.as_mut()) else {
        return;
    };
    pod.topology_spread_constraints = Some(vec![TopologySpreadConstraint {
        max_skew: 1,
        topology_key: "kubernetes.io/hostname".into(),
        when_unsatisfiable: when.into(),
        label_selector: Some(LabelSelector {
            match_labels: Some(selector(names, component)),
            ..Default::default()
        }),
        ..Default::default()
    }]);
}
