//! [`RawSkyfloAI`] → [`Spec`]: every semantic check, every error collected before returning,
//! defaults filled in.

use std::collections::{BTreeMap, HashSet};

use k8s_openapi::api::core::v1::{EnvVar, ResourceRequirements, Toleration};

use super::diag::SpecErrors;
use super::load::{Loaded, SourceMap};
use super::raw::{RawDatabase, RawEngine, RawLlm, RawMcp, RawRedis, RawService, RawUi};
use super::{
    API_VERSION, AccessLevel, DEFAULT_NAME, DEFAULT_POSTGRES_IMAGE, DEFAULT_PROXY_IMAGE,
    DEFAULT_REDIS_IMAGE, Database, Diagnostic, Engine, Exposure, KIND, Llm, LlmTuning, Mcp, Redis,
    Scheduling, ServiceType, Spec, Storage, Ui, Workload, quantity,
};

pub const MAX_REPLICAS: i64 = 1000;
/// The longest name or label value derived from metadata.name must stay within 63
/// characters: the Service `<name>-postgres-headless`, and the pod label
/// `controller-revision-hash=<name>-postgres-<hash>` that the StatefulSet controller sets (a
/// hash of up to 10 characters). Past that, PostgreSQL's pods are never created.
pub const MAX_NAME_LEN: usize = min(
    63 - "-postgres-headless".len(),
    63 - "-postgres".len() - "-".len() - 10,
);

const fn min(a: usize, b: usize) -> usize {
    if a < b { a } else { b }
}
pub const NODE_PORT_RANGE: std::ops::RangeInclusive<i64> = 30000..=32767;

struct Checker<'a> {
    src: &'a SourceMap,
    errors: Vec<Diagnostic>,
    /// spec.version, when valid: the tag of every Skyflo image not pinned by digest.
    version: Option<String>,
}

impl Checker<'_> {
    fn err(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(self.src.at(path, message));
    }
}

pub fn validate(loaded: &Loaded) -> Result<Spec, SpecErrors> {
    let raw = &loaded.raw;
    let mut c = Checker {
        src: &loaded.source,
        errors: loaded.unknown_keys.clone(),
        version: None,
    };

    check_type(&mut c, raw);
    let name = check_name(&mut c, raw);
    let namespace = check_namespace(&mut c, raw);

    let Some(spec) = raw.spec.as_ref() else {
        c.err(
            "spec",
            "required field missing; spec needs ui, engine and mcp",
        );
        return Err(finish(c.errors));
    };

    if let Some(v) = &spec.version {
        match release_version(v) {
            Ok(()) => c.version = Some(v.clone()),
            Err(why) => c.err("spec.version", format!("invalid version {v:?}: {why}")),
        }
    }
    let ui = spec.ui.as_ref().map(|u| check_ui(&mut c, u));
    let engine = spec.engine.as_ref().map(|e| check_engine(&mut c, e));
    let mcp = spec.mcp.as_ref().map(|m| check_mcp(&mut c, m));
    for (field, present) in [
        ("ui", ui.is_some()),
        ("engine", engine.is_some()),
        ("mcp", mcp.is_some()),
    ] {
        if !present {
            c.err(
                &format!("spec.{field}"),
                format!("required field missing; spec.{field} needs at least an image"),
            );
        }
    }

    let scheduling = check_scheduling(&mut c, spec);
    let network_policies = spec
        .network_policy
        .as_ref()
        .and_then(|n| n.enabled)
        .unwrap_or(true);

    if let (Some(ui), Some(engine), Some(mcp)) = (&ui, &engine, &mcp) {
        let exposures = [&ui.service, &engine.service, &mcp.service];
        check_node_ports(&mut c, ["ui", "engine", "mcp"], exposures);
    }

    if !c.errors.is_empty() {
        return Err(finish(c.errors));
    }
    Ok(Spec {
        name,
        namespace,
        ui: ui.expect("checked above"),
        engine: engine.expect("checked above"),
        mcp: mcp.expect("checked above"),
        scheduling,
        network_policies,
        raw: raw.clone(),
    })
}

/// `apiVersion` and `kind`.
fn check_type(c: &mut Checker, raw: &super::raw::RawSkyfloAI) {
    match raw.api_version.as_deref() {
        Some(API_VERSION) => {}
        Some(other) => c.err(
            "apiVersion",
            format!("unsupported apiVersion {other:?}; valid: {API_VERSION}"),
        ),
        None => c.err(
            "apiVersion",
            format!("required field missing; set apiVersion: {API_VERSION}"),
        ),
    }
    match raw.kind.as_deref() {
        Some(KIND) => {}
        Some(other) => c.err("kind", format!("unsupported kind {other:?}; valid: {KIND}")),
        None => c.err("kind", format!("required field missing; set kind: {KIND}")),
    }
}

/// `metadata.namespace`, when given: a namespace name.
fn check_namespace(c: &mut Checker, raw: &super::raw::RawSkyfloAI) -> Option<String> {
    let ns = raw.metadata.as_ref()?.namespace.clone()?;
    if let Err(why) = dns_label(&ns, 63) {
        c.err(
            "metadata.namespace",
            format!("invalid namespace {ns:?}: {why}"),
        );
    }
    Some(ns)
}

/// `metadata.name`, or the default.
fn check_name(c: &mut Checker, raw: &super::raw::RawSkyfloAI) -> String {
    let name = raw
        .metadata
        .as_ref()
        .and_then(|m| m.name.clone())
        .unwrap_or_else(|| DEFAULT_NAME.to_string());
    if let Err(why) = dns_label(&name, MAX_NAME_LEN) {
        let because = if name.len() > MAX_NAME_LEN {
            format!(
                " (the StatefulSet controller labels PostgreSQL's pods controller-revision-hash={name}-postgres-<hash>, and label values end at 63 characters)"
            )
        } else {
            String::new()
        };
        c.err(
            "metadata.name",
            format!("invalid name {name:?}: {why}{because}"),
        );
    }
    name
}

/// Each component needs its own node port.
fn check_node_ports(c: &mut Checker, components: [&str; 3], exposures: [&Exposure; 3]) {
    let mut seen: BTreeMap<i32, &str> = BTreeMap::new();
    for (component, exposure) in components.into_iter().zip(exposures) {
        if let Some(port) = exposure.node_port
            && let Some(other) = seen.insert(port, component)
        {
            c.err(
                &format!("spec.{component}.service.nodePort"),
                format!(
                    "nodePort {port} is already used by spec.{other}.service.nodePort; each component needs its own port in 30000-32767"
                ),
            );
        }
    }
}

fn finish(mut errors: Vec<Diagnostic>) -> SpecErrors {
    errors.sort_by(|a, b| (a.line, a.column, &a.path).cmp(&(b.line, b.column, &b.path)));
    errors.dedup();
    SpecErrors(errors)
}

fn check_workload(
    c: &mut Checker,
    component: &str,
    image: Option<&String>,
    replicas: Option<i64>,
    resources: Option<&ResourceRequirements>,
    env: &[EnvVar],
) -> Workload {
    let base = format!("spec.{component}");
    let image = match (image, &c.version) {
        (Some(i), Some(v)) => super::with_tag(i, v),
        (None, Some(v)) => format!("skyfloaiagent/{component}:{v}"),
        (i, None) => i.cloned().unwrap_or_default(),
    };
    let image = match Some(&image).filter(|i| !i.is_empty()) {
        Some(i) => {
            if let Err(why) = image_ref(i) {
                c.err(
                    &format!("{base}.image"),
                    format!("invalid image {i:?}: {why}"),
                );
            }
            i.clone()
        }
        None => {
            c.err(
                &format!("{base}.image"),
                format!("required field missing; for example skyfloaiagent/{component}:v0.7.0"),
            );
            String::new()
        }
    };
    let replicas = replicas.unwrap_or(1);
    if !(1..=MAX_REPLICAS).contains(&replicas) {
        c.err(
            &format!("{base}.replicas"),
            format!("replicas {replicas} is out of range; valid: 1 to {MAX_REPLICAS}"),
        );
    }
    check_resources(c, &format!("{base}.resources"), resources);
    check_env(c, &format!("{base}.env"), env);
    Workload {
        image,
        replicas: replicas.clamp(1, MAX_REPLICAS) as i32,
        resources: resources.cloned(),
        env: env.to_vec(),
    }
}

fn check_service(
    c: &mut Checker,
    component: &str,
    raw: Option<&RawService>,
    default: Exposure,
) -> Exposure {
    let base = format!("spec.{component}.service");
    let Some(raw) = raw else { return default };
    let type_ = match raw.type_.as_deref() {
        None => default.type_,
        Some("ClusterIP") => ServiceType::ClusterIP,
        Some("NodePort") => ServiceType::NodePort,
        Some("LoadBalancer") => ServiceType::LoadBalancer,
        Some(other) => {
            c.err(
                &format!("{base}.type"),
                format!("unknown Service type {other:?}; valid: ClusterIP, NodePort, LoadBalancer"),
            );
            default.type_
        }
    };
    let node_port = match (raw.node_port, type_) {
        (None, ServiceType::ClusterIP) => None,
        (None, _) if raw.type_.is_none() => default.node_port,
        (None, _) => None,
        (Some(p), ServiceType::ClusterIP) => {
            c.err(
                &format!("{base}.nodePort"),
                format!("nodePort {p} needs service.type NodePort or LoadBalancer, not ClusterIP"),
            );
            None
        }
        (Some(p), _) if !NODE_PORT_RANGE.contains(&p) => {
            c.err(
                &format!("{base}.nodePort"),
                format!(
                    "nodePort {p} is outside the default NodePort range; valid: 30000 to 32767"
                ),
            );
            None
        }
        (Some(p), _) => Some(p as i32),
    };
    Exposure { type_, node_port }
}

fn check_ui(c: &mut Checker, raw: &RawUi) -> Ui {
    let workload = check_workload(
        c,
        "ui",
        raw.image.as_ref(),
        raw.replicas,
        raw.resources.as_ref(),
        &raw.env,
    );
    let proxy = raw.proxy.clone().unwrap_or_default();
    let proxy_image = proxy
        .image
        .unwrap_or_else(|| DEFAULT_PROXY_IMAGE.to_string());
    let proxy_image = match &c.version {
        Some(v) => super::with_tag(&proxy_image, v),
        None => proxy_image,
    };
    if let Err(why) = image_ref(&proxy_image) {
        c.err(
            "spec.ui.proxy.image",
            format!("invalid image {proxy_image:?}: {why}"),
        );
    }
    check_resources(c, "spec.ui.proxy.resources", proxy.resources.as_ref());
    let service = check_service(
        c,
        "ui",
        raw.service.as_ref(),
        // Not exposed unless the spec says so: whoever reaches the UI drives the agent.
        Exposure {
            type_: ServiceType::ClusterIP,
            node_port: None,
        },
    );
    Ui {
        workload,
        proxy_image,
        proxy_resources: proxy.resources,
        service,
        ingress: raw.ingress.as_ref().map(|i| check_ingress(c, i)),
        signup_open: check_signup(c, raw.signup.as_deref()),
    }
}

fn check_signup(c: &mut Checker, signup: Option<&str>) -> bool {
    match signup {
        None | Some("closed") => false,
        Some("open") => true,
        Some(other) => {
            c.err(
                "spec.ui.signup",
                format!("invalid value {other:?}; valid: closed (the default: an admin adds members) or open (anyone who reaches the UI may register)"),
            );
            false
        }
    }
}

fn check_ingress(c: &mut Checker, raw: &super::raw::RawIngress) -> super::Ingress {
    let base = "spec.ui.ingress";
    if raw.hosts.is_empty() {
        c.err(
            &format!("{base}.hosts"),
            "required field missing; at least one host name, for example [skyflo.example.com]",
        );
    }
    for (i, h) in raw.hosts.iter().enumerate() {
        let name = h.strip_prefix("*.").unwrap_or(h);
        let wildcard_ok = h == name || name.contains('.');
        if dns_subdomain(name).is_err() || !wildcard_ok {
            c.err(
                &format!("{base}.hosts[{i}]"),
                format!("invalid host {h:?}; valid: a DNS name of lowercase letters, digits, '-' and '.', such as skyflo.example.com or *.example.com"),
            );
        }
    }
    for (field, v) in [
        ("className", &raw.class_name),
        ("tlsSecret", &raw.tls_secret),
    ] {
        if let Some(v) = v
            && let Err(why) = dns_subdomain(v)
        {
            c.err(
                &format!("{base}.{field}"),
                format!("invalid name {v:?}: {why}"),
            );
        }
    }
    for k in raw.annotations.keys() {
        if let Err(why) = label_key(k) {
            c.err(
                &format!("{base}.annotations.{k}"),
                format!("invalid annotation key {k:?}: {why}"),
            );
        }
    }
    super::Ingress {
        class_name: raw.class_name.clone(),
        hosts: raw.hosts.clone(),
        tls_secret: raw.tls_secret.clone(),
        annotations: raw.annotations.clone(),
    }
}

fn check_engine(c: &mut Checker, raw: &RawEngine) -> Engine {
    let workload = check_workload(
        c,
        "engine",
        raw.image.as_ref(),
        raw.replicas,
        raw.resources.as_ref(),
        &raw.env,
    );
    let service = check_service(
        c,
        "engine",
        raw.service.as_ref(),
        Exposure {
            type_: ServiceType::ClusterIP,
            node_port: None,
        },
    );
    let database = check_database(c, &raw.database_config.clone().unwrap_or_default());
    let redis = check_redis(c, &raw.redis_config.clone().unwrap_or_default());
    let llm = check_llm(c, raw.llm.clone().unwrap_or_default());
    secret_name(
        c,
        "spec.engine.jwtSecretName",
        raw.jwt_secret_name.as_deref(),
    );
    Engine {
        workload,
        service,
        database,
        redis,
        jwt_secret: raw.jwt_secret_name.clone(),
        llm,
    }
}

/// Fields of `base` that are set although they do not apply (`why` says when they do).
fn only_applies(c: &mut Checker, base: &str, fields: &[(&str, bool)], why: &str) {
    for (field, set) in fields {
        if *set {
            c.err(&format!("{base}.{field}"), why);
        }
    }
}

/// An optional Secret name at `path`, checked as Kubernetes checks it.
fn secret_name(c: &mut Checker, path: &str, name: Option<&str>) {
    if let Some(s) = name
        && let Err(why) = dns_subdomain(s)
    {
        c.err(path, format!("invalid Secret name {s:?}: {why}"));
    }
}

fn check_database(c: &mut Checker, db: &RawDatabase) -> Database {
    let base = "spec.engine.databaseConfig";
    let Some(host) = &db.host else {
        only_applies(
            c,
            base,
            &[
                ("port", db.port.is_some()),
                ("database", db.database.is_some()),
                ("sslMode", db.ssl_mode.is_some()),
                ("caSecret", db.ca_secret.is_some()),
            ],
            "only applies to an external PostgreSQL; set databaseConfig.host too, or remove it",
        );
        secret_name(c, &format!("{base}.secretName"), db.secret_name.as_deref());
        return Database::InCluster {
            image: checked_image(
                c,
                &format!("{base}.image"),
                db.image.clone(),
                DEFAULT_POSTGRES_IMAGE,
            ),
            storage: check_storage(
                c,
                base,
                db.storage_size.clone(),
                db.storage_class.clone(),
                "5Gi",
            ),
            resources: {
                check_resources(c, &format!("{base}.resources"), db.resources.as_ref());
                db.resources.clone()
            },
            password_secret: db.secret_name.clone(),
            run_as_user: check_uid(c, &format!("{base}.runAsUser"), db.run_as_user),
        };
    };
    check_host(c, &format!("{base}.host"), host);
    only_applies(
        c,
        base,
        &[
            ("image", db.image.is_some()),
            ("storageSize", db.storage_size.is_some()),
            ("storageClass", db.storage_class.is_some()),
            ("resources", db.resources.is_some()),
            ("runAsUser", db.run_as_user.is_some()),
        ],
        "only applies to the in-cluster PostgreSQL; remove it or remove databaseConfig.host",
    );
    Database::External {
        host: host.clone(),
        port: check_port(c, &format!("{base}.port"), db.port, 5432),
        database: check_database_name(c, &format!("{base}.database"), db.database.as_deref()),
        secret_name: required_secret(
            c,
            base,
            db.secret_name.as_deref(),
            "an external PostgreSQL",
            "POSTGRES_USER and POSTGRES_PASSWORD",
        ),
        ssl_mode: check_ssl_mode(c, base, db.ssl_mode.as_deref(), db.ca_secret.as_deref()),
        ca_secret: check_ca_secret(c, base, db.ca_secret.as_deref()),
    }
}

fn check_redis(c: &mut Checker, rc: &RawRedis) -> Redis {
    let base = "spec.engine.redisConfig";
    let Some(host) = &rc.host else {
        only_applies(
            c,
            base,
            &[
                ("port", rc.port.is_some()),
                ("secretName", rc.secret_name.is_some()),
                ("tls", rc.tls.is_some()),
                ("caSecret", rc.ca_secret.is_some()),
            ],
            "only applies to an external Redis; set redisConfig.host too, or remove it",
        );
        return Redis::InCluster {
            image: checked_image(
                c,
                &format!("{base}.image"),
                rc.image.clone(),
                DEFAULT_REDIS_IMAGE,
            ),
            storage: check_storage(
                c,
                base,
                rc.storage_size.clone(),
                rc.storage_class.clone(),
                "1Gi",
            ),
            resources: {
                check_resources(c, &format!("{base}.resources"), rc.resources.as_ref());
                rc.resources.clone()
            },
        };
    };
    check_host(c, &format!("{base}.host"), host);
    only_applies(
        c,
        base,
        &[
            ("image", rc.image.is_some()),
            ("storageSize", rc.storage_size.is_some()),
            ("storageClass", rc.storage_class.is_some()),
            ("resources", rc.resources.is_some()),
        ],
        "only applies to the in-cluster Redis; remove it or remove redisConfig.host",
    );
    if rc.ca_secret.is_some() && rc.tls != Some(true) {
        c.err(
            &format!("{base}.caSecret"),
            "a CA only applies to TLS; set redisConfig.tls: true too, or remove it",
        );
    }
    Redis::External {
        host: host.clone(),
        port: check_port(c, &format!("{base}.port"), rc.port, 6379),
        secret_name: required_secret(
            c,
            base,
            rc.secret_name.as_deref(),
            "an external Redis",
            "REDIS_PASSWORD",
        ),
        tls: rc.tls.unwrap_or(false),
        ca_secret: check_ca_secret(c, base, rc.ca_secret.as_deref()),
    }
}

fn check_llm(c: &mut Checker, llm_raw: RawLlm) -> Llm {
    if let Some(model) = &llm_raw.model {
        match model.split_once('/') {
            Some((p, m)) if !p.is_empty() && !m.is_empty() && !model.contains(char::is_whitespace) => {}
            _ => c.err(
                "spec.engine.llm.model",
                format!("invalid model {model:?}; valid: provider/model, for example openai/gpt-4o or gemini/gemini-2.5-pro"),
            ),
        }
    }
    if let Some(host) = &llm_raw.host
        && (!(host.starts_with("http://") || host.starts_with("https://"))
            || host.contains(char::is_whitespace))
    {
        c.err(
                "spec.engine.llm.host",
                format!("invalid host {host:?}; valid: an http:// or https:// URL such as http://ollama:11434"),
            );
    }
    secret_name(
        c,
        "spec.engine.llm.apiKeySecret",
        llm_raw.api_key_secret.as_deref(),
    );
    Llm {
        tuning: check_tuning(c, &llm_raw),
        model: llm_raw.model,
        host: llm_raw.host,
        api_key_secret: llm_raw.api_key_secret,
    }
}

fn check_ssl_mode(
    c: &mut Checker,
    base: &str,
    mode: Option<&str>,
    ca: Option<&str>,
) -> Option<String> {
    let mode = mode?;
    if !super::SSL_MODES.contains(&mode) {
        let hint = super::diag::did_you_mean(mode, &super::SSL_MODES)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        c.err(
            &format!("{base}.sslMode"),
            format!(
                "unknown sslMode {mode:?}{hint}; valid: {}",
                super::SSL_MODES.join(", ")
            ),
        );
    } else if mode.starts_with("verify") && ca.is_none() {
        c.err(
            &format!("{base}.sslMode"),
            format!("sslMode {mode} verifies the server against a CA: set databaseConfig.caSecret (a Secret with key ca.crt)"),
        );
    }
    Some(mode.to_string())
}

fn check_ca_secret(c: &mut Checker, base: &str, s: Option<&str>) -> Option<String> {
    let s = s?;
    if let Err(why) = dns_subdomain(s) {
        c.err(
            &format!("{base}.caSecret"),
            format!("invalid Secret name {s:?}: {why}"),
        );
    }
    Some(s.to_string())
}

fn check_tuning(c: &mut Checker, raw: &super::raw::RawLlm) -> LlmTuning {
    let base = "spec.engine.llm";
    if let Some(e) = &raw.reasoning_effort
        && !LlmTuning::EFFORTS.contains(&e.as_str())
    {
        let hint = super::diag::did_you_mean(e, &LlmTuning::EFFORTS)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        c.err(
            &format!("{base}.reasoningEffort"),
            format!(
                "unknown reasoningEffort {e:?}{hint}; valid: {}",
                LlmTuning::EFFORTS.join(", ")
            ),
        );
    }
    let range = |c: &mut Checker,
                 field: &str,
                 v: Option<i64>,
                 r: std::ops::RangeInclusive<i64>,
                 what: &str| {
        if let Some(v) = v
            && !r.contains(&v)
        {
            c.err(
                &format!("{base}.{field}"),
                format!(
                    "{field} {v} is out of range; valid: {} to {} ({what})",
                    r.start(),
                    r.end()
                ),
            );
        }
    };
    range(
        c,
        "thinkingBudgetTokens",
        raw.thinking_budget_tokens,
        LlmTuning::THINKING_BUDGET,
        "Anthropic's minimum thinking budget is 1024 tokens",
    );
    range(
        c,
        "maxTokens",
        raw.max_tokens,
        LlmTuning::MAX_TOKENS,
        "tokens per response",
    );
    if let (Some(budget), Some(max)) = (raw.thinking_budget_tokens, raw.max_tokens)
        && budget >= max
    {
        c.err(
            &format!("{base}.thinkingBudgetTokens"),
            format!("thinkingBudgetTokens {budget} must be less than maxTokens {max}: the thinking budget is part of the response"),
        );
    }
    LlmTuning {
        reasoning_effort: raw.reasoning_effort.clone(),
        thinking_budget_tokens: raw.thinking_budget_tokens,
        max_tokens: raw.max_tokens,
    }
}

fn check_mcp(c: &mut Checker, raw: &RawMcp) -> Mcp {
    let workload = check_workload(
        c,
        "mcp",
        raw.image.as_ref(),
        raw.replicas,
        raw.resources.as_ref(),
        &raw.env,
    );
    let service = check_service(
        c,
        "mcp",
        raw.service.as_ref(),
        // MCP has no authentication and may hold cluster-admin: never exposed by default.
        Exposure {
            type_: ServiceType::ClusterIP,
            node_port: None,
        },
    );
    if let Some(s) = &raw.kubeconfig_secret
        && let Err(why) = dns_subdomain(s)
    {
        c.err(
            "spec.mcp.kubeconfigSecret",
            format!("invalid Secret name {s:?}: {why}"),
        );
    }
    let access_level = match raw.access_level.as_deref() {
        None | Some("cluster-admin") => AccessLevel::ClusterAdmin,
        Some("read-only") => AccessLevel::ReadOnly,
        Some("none") => {
            if raw.kubeconfig_secret.is_none() {
                c.err(
                    "spec.mcp.accessLevel",
                    "accessLevel none leaves MCP without any cluster credentials; set spec.mcp.kubeconfigSecret, or use read-only or cluster-admin",
                );
            }
            AccessLevel::None
        }
        Some(other) => {
            let hint = super::diag::did_you_mean(other, &AccessLevel::NAMES)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            c.err(
                "spec.mcp.accessLevel",
                format!(
                    "unknown accessLevel {other:?}{hint}; valid: cluster-admin, read-only, none"
                ),
            );
            AccessLevel::ClusterAdmin
        }
    };
    Mcp {
        workload,
        service,
        kubeconfig_secret: raw.kubeconfig_secret.clone(),
        access_level,
    }
}

fn check_scheduling(c: &mut Checker, spec: &super::raw::RawSpec) -> Scheduling {
    for (i, s) in spec.image_pull_secrets.iter().enumerate() {
        let path = format!("spec.imagePullSecrets[{i}].name");
        if s.name.is_empty() {
            c.err(&path, "required field missing; the name of a Secret of type kubernetes.io/dockerconfigjson");
        } else if let Err(why) = dns_subdomain(&s.name) {
            c.err(&path, format!("invalid Secret name {:?}: {why}", s.name));
        }
    }
    for (k, v) in &spec.node_selector {
        let path = format!("spec.nodeSelector.{k}");
        if let Err(why) = label_key(k) {
            c.err(&path, format!("invalid label key {k:?}: {why}"));
        }
        if let Err(why) = label_value(v) {
            c.err(&path, format!("invalid label value {v:?}: {why}"));
        }
    }
    for (i, t) in spec.tolerations.iter().enumerate() {
        check_toleration(c, &format!("spec.tolerations[{i}]"), t);
    }
    if let Some(r) = &spec.image_registry
        && let Err(why) = registry(r)
    {
        c.err(
            "spec.imageRegistry",
            format!("invalid registry {r:?}: {why}"),
        );
    }
    if let Some(p) = &spec.image_pull_policy
        && !super::PULL_POLICIES.contains(&p.as_str())
    {
        let hint = super::diag::did_you_mean(p, &super::PULL_POLICIES)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        c.err(
            "spec.imagePullPolicy",
            format!("unknown imagePullPolicy {p:?}{hint}; valid: Always, IfNotPresent, Never"),
        );
    }
    let topology_spread = spec.topology_spread.as_ref().and_then(|t| {
        let when = t.when_unsatisfiable.as_deref().unwrap_or("ScheduleAnyway");
        if !matches!(when, "ScheduleAnyway" | "DoNotSchedule") {
            c.err(
                "spec.topologySpread.whenUnsatisfiable",
                format!("unknown whenUnsatisfiable {when:?}; valid: ScheduleAnyway (prefer other nodes), DoNotSchedule (require them)"),
            );
        }
        t.enabled.unwrap_or(true).then(|| when.to_string())
    });
    Scheduling {
        topology_spread,
        image_registry: spec.image_registry.clone(),
        image_pull_policy: spec.image_pull_policy.clone(),
        image_pull_secrets: spec.image_pull_secrets.clone(),
        node_selector: spec.node_selector.clone(),
        tolerations: spec.tolerations.clone(),
        affinity: spec.affinity.clone(),
    }
}

fn check_toleration(c: &mut Checker, base: &str, t: &Toleration) {
    let op = t.operator.as_deref().unwrap_or("Equal");
    match op {
        "Equal" => {
            if t.key.as_deref().unwrap_or("").is_empty() {
                c.err(&format!("{base}.key"), "operator Equal needs a key; use operator Exists without a key to tolerate every taint");
            }
        }
        "Exists" => {
            if t.value.as_deref().is_some_and(|v| !v.is_empty()) {
                c.err(
                    &format!("{base}.value"),
                    "operator Exists takes no value; remove value or use operator Equal",
                );
            }
        }
        other => c.err(
            &format!("{base}.operator"),
            format!("unknown operator {other:?}; valid: Exists, Equal"),
        ),
    }
    if let Some(k) = t.key.as_deref().filter(|k| !k.is_empty())
        && let Err(why) = label_key(k)
    {
        c.err(
            &format!("{base}.key"),
            format!("invalid taint key {k:?}: {why}"),
        );
    }
    match t.effect.as_deref() {
        None | Some("") | Some("NoSchedule") | Some("PreferNoSchedule") | Some("NoExecute") => {}
        Some(other) => c.err(
            &format!("{base}.effect"),
            format!("unknown effect {other:?}; valid: NoSchedule, PreferNoSchedule, NoExecute (or empty for all)"),
        ),
    }
    if t.toleration_seconds.is_some() && t.effect.as_deref() != Some("NoExecute") {
        c.err(
            &format!("{base}.tolerationSeconds"),
            "tolerationSeconds only applies to effect NoExecute",
        );
    }
}

fn check_resources(c: &mut Checker, base: &str, r: Option<&ResourceRequirements>) {
    let Some(r) = r else { return };
    let mut parsed: [BTreeMap<String, f64>; 2] = Default::default();
    for (i, (field, map)) in [("requests", &r.requests), ("limits", &r.limits)]
        .into_iter()
        .enumerate()
    {
        for (name, q) in map.iter().flatten() {
            let path = format!("{base}.{field}.{name}");
            if !matches!(name.as_str(), "cpu" | "memory" | "ephemeral-storage")
                && !name.contains('/')
            {
                c.err(&path, format!("unknown resource {name:?}; valid: cpu, memory, ephemeral-storage or an extended resource such as nvidia.com/gpu"));
            }
            match quantity::parse(&q.0) {
                Some(v) => {
                    parsed[i].insert(name.clone(), v);
                }
                None => c.err(
                    &path,
                    format!("invalid quantity {:?}; valid: a Kubernetes quantity such as 500m, 2, 512Mi or 1Gi", q.0),
                ),
            }
        }
    }
    let [requests, limits] = &parsed;
    for (name, req) in requests {
        if let Some(lim) = limits.get(name)
            && req > lim
        {
            c.err(
                &format!("{base}.requests.{name}"),
                format!(
                    "request exceeds the limit ({}); a request must be at most its limit",
                    r.limits
                        .as_ref()
                        .and_then(|l| l.get(name))
                        .map(|q| q.0.as_str())
                        .unwrap_or("?")
                ),
            );
        }
    }
}

fn check_env(c: &mut Checker, base: &str, env: &[EnvVar]) {
    let mut seen = HashSet::new();
    for (i, e) in env.iter().enumerate() {
        let path = format!("{base}[{i}]");
        if e.name.is_empty() {
            c.err(&format!("{path}.name"), "required field missing");
        } else if let Err(why) = env_name(&e.name) {
            c.err(
                &format!("{path}.name"),
                format!("invalid env name {:?}: {why}", e.name),
            );
        } else if !seen.insert(e.name.clone()) {
            c.err(
                &format!("{path}.name"),
                format!("env {:?} is set twice in this container; keep one", e.name),
            );
        }
        match (&e.value, &e.value_from) {
            (Some(_), Some(_)) => c.err(&path, "set either value or valueFrom, not both"),
            (_, Some(from)) => {
                let sources = [
                    from.secret_key_ref.is_some(),
                    from.config_map_key_ref.is_some(),
                    from.field_ref.is_some(),
                    from.resource_field_ref.is_some(),
                ]
                .iter()
                .filter(|x| **x)
                .count();
                if sources != 1 {
                    c.err(
                        &format!("{path}.valueFrom"),
                        "valueFrom needs exactly one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef",
                    );
                }
                if let Some(s) = &from.secret_key_ref
                    && (s.name.is_empty() || s.key.is_empty())
                {
                    c.err(
                        &format!("{path}.valueFrom.secretKeyRef"),
                        "secretKeyRef needs name and key",
                    );
                }
                if let Some(s) = &from.config_map_key_ref
                    && (s.name.is_empty() || s.key.is_empty())
                {
                    c.err(
                        &format!("{path}.valueFrom.configMapKeyRef"),
                        "configMapKeyRef needs name and key",
                    );
                }
            }
            _ => {}
        }
    }
}

fn checked_image(c: &mut Checker, path: &str, image: Option<String>, default: &str) -> String {
    let image = image.unwrap_or_else(|| default.to_string());
    if let Err(why) = image_ref(&image) {
        c.err(path, format!("invalid image {image:?}: {why}"));
    }
    image
}

/// A non-root user id for a data store (PostgreSQL refuses a data directory it does not own,
/// so this must be the id that owns the existing data).
fn check_uid(c: &mut Checker, path: &str, uid: Option<i64>) -> i64 {
    match uid {
        None => crate::spec::DEFAULT_POSTGRES_UID,
        Some(u) if (1..=2_147_483_647).contains(&u) => u,
        Some(u) => {
            c.err(
                path,
                format!(
                    "invalid user id {u}: must be between 1 and 2147483647 (not root); 70 is the \
alpine image's postgres user (upstream's install.yaml), 999 the one upstream's Helm chart runs as"
                ),
            );
            crate::spec::DEFAULT_POSTGRES_UID
        }
    }
}

fn check_storage(
    c: &mut Checker,
    base: &str,
    size: Option<String>,
    class: Option<String>,
    default: &str,
) -> Storage {
    let size = size.unwrap_or_else(|| default.to_string());
    match quantity::parse(&size) {
        Some(v) if v >= 1024.0 * 1024.0 => {}
        Some(_) => c.err(
            &format!("{base}.storageSize"),
            format!("storage size {size:?} is too small; at least 1Mi, for example {default}"),
        ),
        None => c.err(
            &format!("{base}.storageSize"),
            format!("invalid quantity {size:?}; valid: a size such as {default} or 500Mi"),
        ),
    }
    if let Some(cl) = &class
        && let Err(why) = dns_subdomain(cl)
    {
        c.err(
            &format!("{base}.storageClass"),
            format!("invalid StorageClass name {cl:?}: {why}"),
        );
    }
    Storage {
        size,
        storage_class: class,
    }
}

fn check_host(c: &mut Checker, path: &str, host: &str) {
    let ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | ':' | '[' | ']'));
    if !ok {
        c.err(path, format!("invalid host {host:?}; valid: a DNS name or IP address without scheme or port, such as db.example.com"));
    }
}

fn check_port(c: &mut Checker, path: &str, port: Option<i64>, default: i32) -> i32 {
    match port {
        None => default,
        Some(p) if (1..=65535).contains(&p) => p as i32,
        Some(p) => {
            c.err(path, format!("port {p} is out of range; valid: 1 to 65535"));
            default
        }
    }
}

fn check_database_name(c: &mut Checker, path: &str, db: Option<&str>) -> String {
    let db = db.unwrap_or("skyflo");
    if db.is_empty()
        || db.len() > 63
        || !db
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
    {
        c.err(path, format!("invalid database name {db:?}; valid: letters, digits, _ and -, at most 63 characters"));
    }
    db.to_string()
}

fn required_secret(
    c: &mut Checker,
    base: &str,
    name: Option<&str>,
    what: &str,
    keys: &str,
) -> String {
    match name {
        Some(n) => {
            if let Err(why) = dns_subdomain(n) {
                c.err(
                    &format!("{base}.secretName"),
                    format!("invalid Secret name {n:?}: {why}"),
                );
            }
            n.to_string()
        }
        None => {
            c.err(
                &format!("{base}.secretName"),
                format!("required for {what}: the name of a Secret in the install namespace with the keys {keys}"),
            );
            String::new()
        }
    }
}

/// RFC 1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric.
pub fn dns_label(s: &str, max: usize) -> Result<(), String> {
    if s.is_empty() {
        return Err("must not be empty".into());
    }
    if s.len() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if !s
        .chars()
        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
    {
        return Err("valid: lowercase letters, digits and '-' (RFC 1123 label)".into());
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Err("must start and end with a letter or digit".into());
    }
    Ok(())
}

/// A Skyflo release: `vMAJOR.MINOR.PATCH`, optionally with a pre-release (`v0.8.0-rc.1`), as
/// upstream tags its images.
pub fn release_version(v: &str) -> Result<(), String> {
    let valid = "valid: a Skyflo release such as v0.7.0 or v0.8.0-rc.1";
    let Some(rest) = v.strip_prefix('v') else {
        return Err(format!("a release starts with v; {valid}"));
    };
    let (core, pre) = rest.split_once('-').unwrap_or((rest, ""));
    let parts: Vec<&str> = core.split('.').collect();
    let numbers = parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 6 && p.chars().all(|c| c.is_ascii_digit()));
    let pre_ok = pre.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
        && (pre.is_empty() || !rest.ends_with('-'));
    if numbers && pre_ok && v.len() <= 64 {
        Ok(())
    } else {
        Err(valid.into())
    }
}

/// A registry to pull every image through: `host[:port]` and an optional path, as in
/// `registry.example.com:5000/mirror` (no scheme, no tag).
pub fn registry(s: &str) -> Result<(), String> {
    let valid =
        "valid: host[:port][/path], for example registry.example.com/mirror or localhost:5000";
    if s.contains("://") {
        return Err(format!("leave out the scheme; {valid}"));
    }
    let s = s.trim_end_matches('/');
    let (host, path) = s.split_once('/').unwrap_or((s, ""));
    let (name, port) = host.split_once(':').unwrap_or((host, ""));
    let host_ok = !name.is_empty()
        && name
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && (port.is_empty() || port.parse::<u16>().is_ok_and(|p| p > 0));
    let path_ok = path.is_empty()
        || path.split('/').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        });
    if host_ok && path_ok && s.len() <= 200 {
        Ok(())
    } else {
        Err(valid.into())
    }
}

/// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
pub fn dns_subdomain(s: &str) -> Result<(), String> {
    if s.len() > 253 {
        return Err("must be at most 253 characters".into());
    }
    for part in s.split('.') {
        dns_label(part, 63).map_err(|e| format!("{e} (RFC 1123 subdomain)"))?;
    }
    Ok(())
}

fn env_name(s: &str) -> Result<(), String> {
    let first_ok = s
        .chars()
        .next()
        .is_some_and(|ch| ch.is_ascii_alphabetic() || ch == '_' || ch == '-' || ch == '.');
    if !first_ok
        || !s
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '.'))
    {
        return Err("valid: letters, digits, '_', '-' and '.', not starting with a digit".into());
    }
    Ok(())
}

fn label_key(k: &str) -> Result<(), String> {
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    if let Some(p) = prefix {
        dns_subdomain(p).map_err(|e| format!("prefix: {e}"))?;
    }
    label_value(name)?;
    if name.is_empty() {
        return Err("the name part must not be empty".into());
    }
    Ok(())
}

fn label_value(v: &str) -> Result<(), String> {
    if v.len() > 63 {
        return Err("must be at most 63 characters".into());
    }
    if v.is_empty() {
        return Ok(());
    }
    let edge_ok = |ch: Option<char>| ch.is_some_and(|c| c.is_ascii_alphanumeric());
    if !v
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
        || !edge_ok(v.chars().next())
        || !edge_ok(v.chars().last())
    {
        return Err(
            "valid: letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
                .into(),
        );
    }
    Ok(())
}

/// An image reference as the container runtime accepts it:
/// `[registry[:port]/]path[:tag][@sha256:digest]`, path in lowercase.
pub fn image_ref(image: &str) -> Result<(), String> {
    if image.is_empty() {
        return Err("must not be empty".into());
    }
    if image.chars().any(|c| c.is_whitespace()) {
        return Err("must not contain spaces".into());
    }
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    if let Some(d) = digest {
        let ok = d.strip_prefix("sha256:").is_some_and(|h| {
            h.len() == 64
                && h.chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        });
        if !ok {
            return Err("the digest must be sha256: followed by 64 lowercase hex digits".into());
        }
    }
    // The tag is after the last ':' that comes after the last '/' (a registry port is not a tag).
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag {
        let ok = !t.is_empty()
            && t.len() <= 128
            && t.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !ok {
            return Err(format!(
                "invalid tag {t:?}; valid: letters, digits, '_', '.' and '-', at most 128 characters"
            ));
        }
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    if parts.len() > 1
        && (parts[0].contains('.') || parts[0].contains(':') || parts[0] == "localhost")
    {
        let registry = parts.remove(0);
        if !registry
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        {
            return Err(format!("invalid registry {registry:?}"));
        }
    }
    for p in parts {
        let ok = !p.is_empty()
            && p.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            })
            && p.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && p.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
        if !ok {
            return Err(format!(
                "invalid path component {p:?}; valid: lowercase letters, digits and separators (., _, -), such as skyfloaiagent/engine:v0.7.0"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references() {
        for ok in [
            "skyfloaiagent/ui:v0.7.0",
            "postgres:15.15-alpine",
            "localhost:5000/a/b:1",
            "ghcr.io/skyflo-ai/engine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "redis",
        ] {
            assert!(image_ref(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Skyflo/UI:v1",
            "ui:",
            "ui:v 1",
            "a//b",
            "ui@sha256:xyz",
            "ui:-x",
        ] {
            assert!(image_ref(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names() {
        assert!(dns_label("skyflo", 45).is_ok());
        assert!(dns_label("Skyflo", 45).is_err());
        assert!(dns_label("-a", 45).is_err());
        assert!(dns_subdomain("my.secret-1").is_ok());
        assert!(label_key("kubernetes.io/os").is_ok());
        assert!(label_key("bad key").is_err());
    }
}
