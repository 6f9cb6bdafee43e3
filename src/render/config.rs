//! Namespace, ServiceAccounts, MCP's RBAC, ConfigMaps and Secrets.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{
    ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::Names;
use super::labels::{self, labels};
use super::secrets::{self, Generated};
use super::templates;
use crate::spec::{Database, Spec};

pub fn meta(names: &Names, name: String, component: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        namespace: Some(names.namespace.clone()),
        labels: Some(labels(names, component, None)),
        ..Default::default()
    }
}

pub fn namespace(names: &Names) -> Namespace {
    let mut ns = templates::namespace();
    ns.metadata.name = Some(names.namespace.clone());
    // Applied only to a namespace skyflo creates (or created) for this installation; one
    // that existed before is left exactly as it is.
    let mut l = ns.metadata.labels.take().unwrap_or_default();
    l.insert(labels::MANAGED_BY.into(), labels::MANAGER.into());
    ns.metadata.labels = Some(l);
    ns.metadata.annotations = Some([(labels::CREATED_BY.into(), names.instance.clone())].into());
    ns
}

pub fn service_accounts(spec: &Spec, names: &Names) -> Vec<ServiceAccount> {
    let mut shared = ServiceAccount {
        metadata: meta(names, names.service_account(), "skyflo"),
        automount_service_account_token: Some(false),
        ..Default::default()
    };
    let mut mcp = ServiceAccount {
        metadata: meta(names, names.of("mcp"), "mcp"),
        automount_service_account_token: Some(mcp_mounts_token(spec)),
        ..Default::default()
    };
    if !spec.scheduling.image_pull_secrets.is_empty() {
        shared.image_pull_secrets = Some(spec.scheduling.image_pull_secrets.clone());
        mcp.image_pull_secrets = Some(spec.scheduling.image_pull_secrets.clone());
    }
    vec![shared, mcp]
}

/// MCP needs its ServiceAccount token only when it uses in-cluster credentials.
pub fn mcp_mounts_token(spec: &Spec) -> bool {
    spec.mcp.access_level.cluster_role().is_some()
}

/// What the engine's integrations do through MCP with `accessLevel: read-only`: store
/// credentials as Secrets in INTEGRATIONS_SECRET_NAMESPACE (`kubectl apply`: get, create,
/// patch), read them (the Jenkins tool: get) and remove them (delete). Built-in `view` allows
/// none of this; nothing else is granted, and only in that one namespace.
pub const INTEGRATION_SECRET_VERBS: [&str; 4] = ["get", "create", "patch", "delete"];

pub fn mcp_integrations(spec: &Spec, names: &Names) -> Option<(Role, RoleBinding)> {
    if spec.mcp.access_level != crate::spec::AccessLevel::ReadOnly {
        return None;
    }
    let name = names.of("mcp-integrations");
    let role = Role {
        metadata: meta(names, name.clone(), "mcp"),
        rules: Some(vec![PolicyRule {
            api_groups: Some(vec![String::new()]),
            resources: Some(vec!["secrets".into()]),
            verbs: INTEGRATION_SECRET_VERBS
                .iter()
                .map(|v| v.to_string())
                .collect(),
            ..Default::default()
        }]),
    };
    let binding = RoleBinding {
        metadata: meta(names, name.clone(), "mcp"),
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "Role".into(),
            name,
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: names.of("mcp"),
            namespace: Some(names.namespace.clone()),
            ..Default::default()
        }]),
    };
    Some((role, binding))
}

pub fn mcp_binding(spec: &Spec, names: &Names) -> Option<ClusterRoleBinding> {
    let role = spec.mcp.access_level.cluster_role()?;
    let mut l = labels(names, "mcp", None);
    l.insert(labels::OWNER_NAMESPACE.into(), names.namespace.clone());
    Some(ClusterRoleBinding {
        metadata: ObjectMeta {
            name: Some(names.mcp_binding()),
            labels: Some(l),
            ..Default::default()
        },
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "ClusterRole".into(),
            name: role.into(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: names.of("mcp"),
            namespace: Some(names.namespace.clone()),
            ..Default::default()
        }]),
    })
}

/// The engine, MCP and UI ConfigMaps: upstream's keys, plus the service URLs and LLM settings.
pub fn config_maps(spec: &Spec, names: &Names) -> Vec<ConfigMap> {
    let mut engine = templates::config_map("engine-config.yaml", templates::ENGINE_CONFIG);
    engine.metadata = meta(names, names.of("engine-config"), "engine");
    let data = engine.data.get_or_insert_with(BTreeMap::new);
    if let Some(m) = &spec.engine.llm.model {
        data.insert("LLM_MODEL".into(), m.clone());
    }
    if let Some(h) = &spec.engine.llm.host {
        data.insert("LLM_HOST".into(), h.clone());
        let provider = spec
            .engine
            .llm
            .model
            .as_deref()
            .map(crate::spec::llm::provider_of);
        if let Some(var) = provider.and_then(crate::spec::llm::api_base_var) {
            data.insert(var.into(), h.clone());
        }
    }
    for (k, v) in spec.engine.llm.tuning.env() {
        data.insert(k.into(), v);
    }
    data.insert(
        "MCP_SERVER_URL".into(),
        format!("http://{}:8888/mcp", names.of("mcp")),
    );
    data.insert(
        "INTEGRATIONS_SECRET_NAMESPACE".into(),
        names.namespace.clone(),
    );

    let mut mcp = templates::config_map("mcp-config.yaml", templates::MCP_CONFIG);
    mcp.metadata = meta(names, names.of("mcp-config"), "mcp");
    mcp.data.get_or_insert_with(BTreeMap::new).insert(
        "ENGINE_INTERNAL_URL".into(),
        format!("http://{}:8080", names.of("engine")),
    );

    let mut ui = templates::config_map("ui-config.yaml", templates::UI_CONFIG);
    ui.metadata = meta(names, names.of("ui-config"), "ui");
    ui.data
        .get_or_insert_with(BTreeMap::new)
        .insert("API_URL".into(), UI_SERVER_API_URL.into());
    vec![engine, mcp, ui, proxy_config(spec, names)]
}

/// Where the UI's own Next.js server (its server actions and `/api/...` route handlers: login,
/// registration, conversations, team, profile, integrations, analytics) sends its engine calls:
/// the proxy in the same pod, so they pass the same gate as the browser's. Pointed at the engine
/// Service, the registration form registered anyone with sign-up closed and conversations were
/// read without a login (the engine answers both without a user). An address, not `localhost`:
/// Node resolves that to ::1 first, and the proxy listens on IPv4.
pub const UI_SERVER_API_URL: &str = "http://127.0.0.1:8080/api/v1";

/// Where the proxy image reads its nginx template, and the key that holds it.
pub const PROXY_TEMPLATE_PATH: &str = "/etc/nginx/templates/default.conf.template";
pub const PROXY_TEMPLATE_KEY: &str = "default.conf.template";

/// What every route to the engine sets: upstream's headers, timeouts and unbuffered streaming
/// (the agent answers with server-sent events that must arrive as they are sent). The engine
/// rate-limits by the first X-Forwarded-For address: it is the connection's, so a client cannot
/// claim another one (upstream appended to what the client sent).
const ENGINE_PROXY: &str = "        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection \"Upgrade\";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-Host $http_host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout 3600s;
        proxy_send_timeout 3600s;
        proxy_buffering off;
        chunked_transfer_encoding on;";

const SIGNUP_CLOSED: &str =
    "    # Self-registration is closed (spec.ui.signup: closed): the first admin is created with
    # `skyflo admin create`, and an admin adds members in the UI.
    # Every path under the route (the UI's server posts to .../register/register/), whichever
    # way it is spelled: nginx matches the normalized path (slashes merged, %XX decoded).
    location ^~ /api/v1/auth/register {
        default_type application/json;
        return 403 '{\"detail\":\"self-registration is closed: an admin adds members\"}';
    }";

const SIGNUP_OPEN: &str = "    # Self-registration is open (spec.ui.signup: open): anyone who reaches the UI may register,
    # through the UI's own form only. Its server action posts name, email and password from the
    # pod itself (127.0.0.1); a client posting here directly could name its own role (the engine
    # takes `role` at registration), so it is refused.
    location ^~ /api/v1/auth/register {
        default_type application/json;
        if ($remote_addr != 127.0.0.1) {
            return 403 '{\"detail\":\"self-registration goes through the registration form of the UI\"}';
        }
        proxy_pass http://${ENGINE_UPSTREAM};
#ENGINE_PROXY#
    }";

/// The proxy's nginx template (`<name>-proxy-config`): see templates/proxy.conf.template.
pub fn proxy_template(spec: &Spec) -> String {
    // The sign-up block first: the open one proxies, with the engine's settings.
    templates::PROXY_CONF
        .replace(
            "#SIGNUP#",
            if spec.ui.signup_open {
                SIGNUP_OPEN
            } else {
                SIGNUP_CLOSED
            },
        )
        .replace("#ENGINE_PROXY#", ENGINE_PROXY)
}

fn proxy_config(spec: &Spec, names: &Names) -> ConfigMap {
    ConfigMap {
        metadata: meta(names, names.of("proxy-config"), "ui"),
        data: Some(BTreeMap::from([(
            PROXY_TEMPLATE_KEY.to_string(),
            proxy_template(spec),
        )])),
        ..Default::default()
    }
}

/// The generated Secrets. They carry the keep label: uninstall keeps them (and so the data
/// stays readable) unless --purge, and prune never deletes them.
pub fn secrets(spec: &Spec, names: &Names, generated: &Generated) -> Vec<Secret> {
    let keep = |mut m: ObjectMeta| {
        m.labels
            .get_or_insert_with(BTreeMap::new)
            .insert(labels::KEEP.into(), "true".into());
        m
    };
    let mut out = vec![Secret {
        metadata: keep(meta(names, names.checksum_key(), "engine")),
        type_: Some("Opaque".into()),
        data: Some(bytes(&[(secrets::CHECKSUM_KEY, &generated.checksum_key)])),
        ..Default::default()
    }];
    if spec.engine.jwt_secret.is_none() {
        out.push(Secret {
            metadata: keep(meta(names, names.engine_secret(), "engine")),
            type_: Some("Opaque".into()),
            data: Some(bytes(&[(secrets::JWT_SECRET_KEY, &generated.jwt_secret)])),
            ..Default::default()
        });
    }
    if let Database::InCluster {
        password_secret: None,
        ..
    } = spec.engine.database
    {
        out.push(Secret {
            metadata: keep(meta(names, names.postgres_secret(), "postgres")),
            type_: Some("Opaque".into()),
            data: Some(bytes(&[
                ("POSTGRES_USER", secrets::POSTGRES_USER),
                (secrets::POSTGRES_PASSWORD_KEY, &generated.postgres_password),
                ("POSTGRES_DB", secrets::POSTGRES_DB),
            ])),
            ..Default::default()
        });
    }
    out
}

/// Secret data as the API server stores it (`data`, not the write-only `stringData`), so
/// that a re-apply of the same values is recognised as unchanged.
fn bytes(pairs: &[(&str, &str)]) -> BTreeMap<String, k8s_openapi::ByteString> {
    pairs
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                k8s_openapi::ByteString(v.as_bytes().to_vec()),
            )
        })
        .collect()
}

/// `<name>-connection`: derived from the user's Secrets on every run, so not kept (it is
/// pruned with the options that need it).
pub fn connection(names: &Names, c: &secrets::Connection) -> Secret {
    let pairs: Vec<(&str, &str)> = c.0.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Secret {
        metadata: meta(names, names.connection(), "engine"),
        type_: Some("Opaque".into()),
        data: Some(bytes(&pairs)),
        ..Default::default()
    }
}

/// The LLM credentials Secret skyflo creates from the environment. Kept like the generated
/// Secrets: later runs without the variables keep using it.
pub fn llm_credentials(names: &Names, values: &BTreeMap<String, String>) -> Secret {
    let mut m = meta(names, names.llm_credentials(), "engine");
    m.labels
        .get_or_insert_with(BTreeMap::new)
        .insert(labels::KEEP.into(), "true".into());
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    Secret {
        metadata: m,
        type_: Some("Opaque".into()),
        data: Some(bytes(&pairs)),
        ..Default::default()
    }
}
