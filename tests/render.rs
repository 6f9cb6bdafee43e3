//! Rendering: snapshots of every rendered byte for three fixtures, and invariants that must
//! hold for every fixture (PodSecurity `restricted`, selectors, Services, references).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use skyflo::render::{self, Generated, Inputs, Object, Rendered};
use skyflo::spec::{self, Database, Redis, Spec};

const FIXTURES: &[&str] = &[
    "examples/skyflo.yaml",
    "tests/fixtures/valid/external.yaml",
    "tests/fixtures/valid/scheduling.yaml",
];

fn load(path: &str) -> Spec {
    spec::parse(path, &std::fs::read(path).unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

fn inputs() -> Inputs {
    Inputs {
        namespace: "skyflo-ai".into(),
        generated: Some(Generated {
            jwt_secret: "test-jwt-secret-0123456789abcdefghijklmnopqrstuv".into(),
            postgres_password: "test-postgres-password-0123456789abcdefghijklm".into(),
            checksum_key: "test-checksum-key-0123456789abcdefghijklmnopqrs".into(),
        }),
        llm_credentials: Default::default(),
        // As `install` reads them from the user's Secrets (used only by specs that need them).
        connection: Some(render::secrets::Connection::encode(&[
            (render::secrets::CONNECTION_PG_USER, "skyflo"),
            (
                render::secrets::CONNECTION_PG_PASSWORD_PLAIN,
                "test-pg-password",
            ),
            (render::secrets::CONNECTION_PG_PASSWORD, "test-pg-password"),
            (
                render::secrets::CONNECTION_REDIS_PASSWORD,
                "test-redis-password",
            ),
        ])),
    }
}

fn rendered(path: &str) -> Vec<Rendered> {
    render::render(&load(path), &inputs())
}

#[test]
fn snapshots() {
    for (name, path) in [
        ("default", FIXTURES[0]),
        ("external", FIXTURES[1]),
        ("scheduling", FIXTURES[2]),
    ] {
        insta::assert_snapshot!(name, render::to_yaml(&rendered(path)));
    }
}

#[test]
fn rendering_is_deterministic() {
    for f in FIXTURES {
        assert_eq!(render::to_yaml(&rendered(f)), render::to_yaml(&rendered(f)));
    }
}

#[test]
fn default_spec_renders_the_standard_installation() {
    let objects = rendered(FIXTURES[0]);
    let names: BTreeSet<(String, String)> = objects
        .iter()
        .map(|r| (r.object.kind().to_string(), r.object.name().to_string()))
        .collect();
    for (kind, name) in [
        ("Namespace", "skyflo-ai"),
        ("Deployment", "skyflo-ui"),
        ("Deployment", "skyflo-engine"),
        ("Deployment", "skyflo-mcp"),
        ("StatefulSet", "skyflo-postgres"),
        ("StatefulSet", "skyflo-redis"),
        ("ClusterRoleBinding", "skyflo:skyflo-ai:skyflo-mcp"),
    ] {
        assert!(names.contains(&(kind.into(), name.into())), "{kind} {name}");
    }
    let node_ports: Vec<i32> = objects
        .iter()
        .filter_map(|r| match &r.object {
            Object::Service(s) => Some(s),
            _ => None,
        })
        .flat_map(|s| s.spec.clone().unwrap().ports.unwrap())
        .filter_map(|p| p.node_port)
        .collect();
    assert!(
        node_ports.is_empty(),
        "neither the UI nor MCP is exposed by default: {node_ports:?}"
    );
    let crb = objects
        .iter()
        .find_map(|r| match &r.object {
            Object::ClusterRoleBinding(b) => Some(b.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(crb.role_ref.name, "cluster-admin");
    assert_eq!(crb.subjects.unwrap()[0].name, "skyflo-mcp");
    assert!(
        objects
            .iter()
            .any(|r| matches!(r.object, Object::NetworkPolicy(_)))
    );
    // Apply order follows the stages.
    let stages: Vec<_> = objects.iter().map(|r| r.stage).collect();
    let mut sorted = stages.clone();
    sorted.sort();
    assert_eq!(stages, sorted);
}

#[test]
fn external_databases_render_no_stateful_sets_and_use_the_users_secrets() {
    let s = load(FIXTURES[1]);
    assert!(matches!(s.engine.database, Database::External { .. }));
    assert!(matches!(s.engine.redis, Redis::External { .. }));
    let objects = render::render(&s, &inputs());
    assert!(
        !objects
            .iter()
            .any(|r| matches!(r.object, Object::StatefulSet(_)))
    );
    let engine = pod_templates(&objects)
        .into_iter()
        .find(|(n, _)| n == "skyflo-engine")
        .unwrap()
        .1;
    let env = engine.spec.unwrap().containers[0].env.clone().unwrap();
    let url = env
        .iter()
        .find(|e| e.name == "POSTGRES_DATABASE_URL")
        .unwrap();
    // No credentials and no TLS settings in the URL: see the engine-view tests below.
    assert_eq!(
        url.value.as_deref(),
        Some("postgres://pg.example.internal:5433/skyflo_prod")
    );
    let redis = env.iter().find(|e| e.name == "REDIS_URL").unwrap();
    assert_eq!(
        redis.value.as_deref(),
        Some("redis://:$(_REDIS_PASS)@redis.example.internal:6380/0")
    );
}

#[test]
fn output_parses_back_into_typed_objects() {
    for f in FIXTURES {
        let yaml = render::to_yaml(&rendered(f));
        let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&yaml).unwrap();
        assert_eq!(docs.len(), rendered(f).len());
        for doc in docs {
            let kind = doc["kind"].as_str().unwrap().to_string();
            let ok = match kind.as_str() {
                "Namespace" => {
                    serde_json::from_value::<k8s_openapi::api::core::v1::Namespace>(doc).is_ok()
                }
                "ServiceAccount" => {
                    serde_json::from_value::<k8s_openapi::api::core::v1::ServiceAccount>(doc)
                        .is_ok()
                }
                "ClusterRoleBinding" => {
                    serde_json::from_value::<k8s_openapi::api::rbac::v1::ClusterRoleBinding>(doc)
                        .is_ok()
                }
                "ConfigMap" => {
                    serde_json::from_value::<k8s_openapi::api::core::v1::ConfigMap>(doc).is_ok()
                }
                "Secret" => {
                    serde_json::from_value::<k8s_openapi::api::core::v1::Secret>(doc).is_ok()
                }
                "NetworkPolicy" => {
                    serde_json::from_value::<k8s_openapi::api::networking::v1::NetworkPolicy>(doc)
                        .is_ok()
                }
                "Service" => {
                    serde_json::from_value::<k8s_openapi::api::core::v1::Service>(doc).is_ok()
                }
                "StatefulSet" => {
                    serde_json::from_value::<k8s_openapi::api::apps::v1::StatefulSet>(doc).is_ok()
                }
                "Deployment" => {
                    serde_json::from_value::<k8s_openapi::api::apps::v1::Deployment>(doc).is_ok()
                }
                "Role" => serde_json::from_value::<k8s_openapi::api::rbac::v1::Role>(doc).is_ok(),
                "RoleBinding" => {
                    serde_json::from_value::<k8s_openapi::api::rbac::v1::RoleBinding>(doc).is_ok()
                }
                "Ingress" => {
                    serde_json::from_value::<k8s_openapi::api::networking::v1::Ingress>(doc).is_ok()
                }
                "PodDisruptionBudget" => {
                    serde_json::from_value::<k8s_openapi::api::policy::v1::PodDisruptionBudget>(doc)
                        .is_ok()
                }
                other => panic!("unexpected kind {other}"),
            };
            assert!(ok, "{f}: {kind} does not parse back");
        }
    }
}

fn pod_templates(objects: &[Rendered]) -> Vec<(String, PodTemplateSpec)> {
    objects
        .iter()
        .filter_map(|r| match &r.object {
            Object::Deployment(d) => Some((r.object.name().to_string(), d.spec.clone()?.template)),
            Object::StatefulSet(s) => Some((r.object.name().to_string(), s.spec.clone()?.template)),
            _ => None,
        })
        .collect()
}

fn all_containers(spec: &PodSpec) -> Vec<&Container> {
    spec.containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .collect()
}

/// The checks of the PodSecurity `restricted` profile (latest).
fn restricted_violations(spec: &PodSpec) -> Vec<String> {
    let mut v = Vec::new();
    let pod_sc = spec.security_context.clone().unwrap_or_default();
    if spec.host_network == Some(true) || spec.host_pid == Some(true) || spec.host_ipc == Some(true)
    {
        v.push("host namespaces".into());
    }
    for vol in spec.volumes.iter().flatten() {
        let allowed = vol.config_map.is_some()
            || vol.secret.is_some()
            || vol.empty_dir.is_some()
            || vol.persistent_volume_claim.is_some()
            || vol.projected.is_some()
            || vol.downward_api.is_some()
            || vol.ephemeral.is_some()
            || vol.csi.is_some();
        if !allowed {
            v.push(format!("volume {} type", vol.name));
        }
    }
    if pod_sc.run_as_user == Some(0) {
        v.push("pod runAsUser 0".into());
    }
    let pod_seccomp = pod_sc.seccomp_profile.as_ref().map(|s| s.type_.clone());
    for c in all_containers(spec) {
        let sc = c.security_context.clone().unwrap_or_default();
        if sc.privileged == Some(true) {
            v.push(format!("{} privileged", c.name));
        }
        if sc.allow_privilege_escalation != Some(false) {
            v.push(format!("{} allowPrivilegeEscalation", c.name));
        }
        let caps = sc.capabilities.clone().unwrap_or_default();
        if !caps.drop.unwrap_or_default().iter().any(|d| d == "ALL") {
            v.push(format!("{} must drop ALL", c.name));
        }
        if caps
            .add
            .unwrap_or_default()
            .iter()
            .any(|a| a != "NET_BIND_SERVICE")
        {
            v.push(format!("{} adds capabilities", c.name));
        }
        if sc.run_as_non_root != Some(true) && pod_sc.run_as_non_root != Some(true) {
            v.push(format!("{} runAsNonRoot", c.name));
        }
        if sc.run_as_user == Some(0) {
            v.push(format!("{} runAsUser 0", c.name));
        }
        let seccomp = sc
            .seccomp_profile
            .as_ref()
            .map(|s| s.type_.clone())
            .or(pod_seccomp.clone());
        if !matches!(
            seccomp.as_deref(),
            Some("RuntimeDefault") | Some("Localhost")
        ) {
            v.push(format!("{} seccompProfile", c.name));
        }
        if c.ports.iter().flatten().any(|p| p.host_port.is_some()) {
            v.push(format!("{} hostPort", c.name));
        }
    }
    v
}

#[test]
fn every_pod_meets_pod_security_restricted() {
    for f in FIXTURES {
        for (name, t) in pod_templates(&rendered(f)) {
            let violations = restricted_violations(t.spec.as_ref().unwrap());
            assert!(violations.is_empty(), "{f}: {name}: {violations:?}");
            // Explicit UIDs, as the images need them.
            let spec = t.spec.unwrap();
            let pod_uid = spec.security_context.as_ref().and_then(|s| s.run_as_user);
            for c in all_containers(&spec) {
                let uid = c
                    .security_context
                    .as_ref()
                    .and_then(|s| s.run_as_user)
                    .or(pod_uid);
                assert!(
                    uid.is_some_and(|u| u > 0),
                    "{f}: {name}/{} has no explicit UID",
                    c.name
                );
            }
        }
    }
}

fn subset(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

#[test]
fn selectors_match_their_pod_templates_and_services_select_rendered_pods() {
    for f in FIXTURES {
        let objects = rendered(f);
        let templates = pod_templates(&objects);
        for r in &objects {
            let (sel, tmpl) = match &r.object {
                Object::Deployment(d) => (
                    d.spec.clone().unwrap().selector,
                    d.spec.clone().unwrap().template,
                ),
                Object::StatefulSet(s) => (
                    s.spec.clone().unwrap().selector,
                    s.spec.clone().unwrap().template,
                ),
                _ => continue,
            };
            let labels = tmpl.metadata.unwrap().labels.unwrap();
            assert!(
                subset(&sel.match_labels.unwrap(), &labels),
                "{f}: {}",
                r.object.name()
            );
        }
        for r in &objects {
            let Object::Service(svc) = &r.object else {
                continue;
            };
            let spec = svc.spec.clone().unwrap();
            let sel = spec.selector.unwrap();
            let target = templates
                .iter()
                .find(|(_, t)| subset(&sel, t.metadata.as_ref().unwrap().labels.as_ref().unwrap()))
                .unwrap_or_else(|| {
                    panic!("{f}: Service {} selects no rendered pod", r.object.name())
                });
            let container_ports: BTreeSet<String> = target
                .1
                .spec
                .as_ref()
                .unwrap()
                .containers
                .iter()
                .flat_map(|c| c.ports.clone().unwrap_or_default())
                .filter_map(|p| p.name)
                .collect();
            for p in spec.ports.unwrap() {
                if let Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(
                    name,
                )) = p.target_port
                {
                    assert!(
                        container_ports.contains(&name),
                        "{f}: Service {} targets missing port {name}",
                        r.object.name()
                    );
                }
            }
        }
    }
}

/// Secrets the user declares in the spec (they exist before install).
fn user_secrets(s: &Spec) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Database::External { secret_name, .. } = &s.engine.database {
        out.insert(secret_name.clone());
    }
    if let Redis::External { secret_name, .. } = &s.engine.redis {
        out.insert(secret_name.clone());
    }
    out.extend(s.engine.llm.api_key_secret.clone());
    out.extend(s.mcp.kubeconfig_secret.clone());
    for w in [&s.ui.workload, &s.engine.workload, &s.mcp.workload] {
        for e in &w.env {
            if let Some(r) = e
                .value_from
                .as_ref()
                .and_then(|v| v.secret_key_ref.as_ref())
            {
                out.insert(r.name.clone());
            }
        }
    }
    out
}

#[test]
fn every_referenced_secret_and_config_map_key_is_rendered_or_declared() {
    for f in FIXTURES {
        let s = load(f);
        let objects = render::render(&s, &inputs());
        let mut keys: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for r in &objects {
            match &r.object {
                Object::Secret(x) => {
                    keys.insert(
                        ("Secret".into(), r.object.name().into()),
                        x.data.clone().unwrap_or_default().keys().cloned().collect(),
                    );
                }
                Object::ConfigMap(x) => {
                    keys.insert(
                        ("ConfigMap".into(), r.object.name().into()),
                        x.data.clone().unwrap_or_default().keys().cloned().collect(),
                    );
                }
                _ => {}
            }
        }
        let declared = user_secrets(&s);
        for (name, t) in pod_templates(&objects) {
            let spec = t.spec.unwrap();
            for c in all_containers(&spec) {
                for e in c.env.iter().flatten() {
                    let Some(from) = &e.value_from else { continue };
                    if let Some(r) = &from.secret_key_ref {
                        let ok = declared.contains(&r.name)
                            || keys
                                .get(&("Secret".into(), r.name.clone()))
                                .is_some_and(|k| k.contains(&r.key));
                        assert!(
                            ok,
                            "{f}: {name}/{}: env {} refers to Secret {}/{}",
                            c.name, e.name, r.name, r.key
                        );
                    }
                    if let Some(r) = &from.config_map_key_ref {
                        let ok = keys
                            .get(&("ConfigMap".into(), r.name.clone()))
                            .is_some_and(|k| k.contains(&r.key));
                        assert!(ok, "{f}: {name}: ConfigMap {}/{}", r.name, r.key);
                    }
                }
                for ef in c.env_from.iter().flatten() {
                    if let Some(r) = &ef.config_map_ref {
                        assert!(
                            keys.contains_key(&("ConfigMap".into(), r.name.clone())),
                            "{f}: {name}: envFrom {}",
                            r.name
                        );
                    }
                    if let Some(r) = &ef.secret_ref {
                        assert!(
                            declared.contains(&r.name)
                                || keys.contains_key(&("Secret".into(), r.name.clone())),
                            "{f}: {name}: envFrom Secret {}",
                            r.name
                        );
                    }
                }
            }
            for v in spec.volumes.iter().flatten() {
                if let Some(sec) = &v.secret {
                    let n = sec.secret_name.clone().unwrap();
                    assert!(declared.contains(&n), "{f}: {name}: volume Secret {n}");
                }
            }
        }
    }
}

/// Each pod template's config checksum, by workload name.
fn checksums(objs: &[Rendered]) -> BTreeMap<String, String> {
    pod_templates(objs)
        .into_iter()
        .filter_map(|(n, t)| {
            Some((
                n,
                t.metadata?
                    .annotations?
                    .get("skyflo.ai/config-checksum")?
                    .clone(),
            ))
        })
        .collect()
}

#[test]
fn pod_templates_carry_a_checksum_that_follows_their_configuration() {
    let s = load(FIXTURES[0]);
    let key = |v: &str| {
        render::LlmCredentials::New(BTreeMap::from([(
            "GEMINI_API_KEY".to_string(),
            v.to_string(),
        )]))
    };
    let mut with_key = inputs();
    with_key.llm_credentials = key("first");
    let a = render::render(&s, &with_key);
    let mut other = inputs();
    other.llm_credentials = key("second");
    let b = render::render(&s, &other);
    let sums = |objs: &[Rendered]| checksums(objs);
    let (sa, sb) = (sums(&a), sums(&b));
    // The engine reads the LLM key; the UI and MCP do not.
    assert_ne!(sa["skyflo-engine"], sb["skyflo-engine"]);
    assert_eq!(sa["skyflo-ui"], sb["skyflo-ui"]);
    assert_eq!(sa["skyflo-mcp"], sb["skyflo-mcp"]);
    // Generated credentials never change once created, and `template` does not print them:
    // they are not part of any checksum, so both renderings agree.
    let mut gitops = inputs();
    gitops.generated = None;
    assert_eq!(
        sums(&render::render(&s, &gitops)),
        sums(&render::render(&s, &inputs()))
    );
    // Whoever may read a Deployment cannot test guesses of a password against its checksum:
    // the same credentials under another installation's key give another checksum, and the
    // key lives in a Secret (rendered, kept like the other generated values).
    let mut elsewhere = with_key.clone();
    elsewhere.generated.as_mut().unwrap().checksum_key = "another-installations-key".into();
    let sc = sums(&render::render(&s, &elsewhere));
    assert_ne!(sa["skyflo-engine"], sc["skyflo-engine"]);
    assert_eq!(sa["skyflo-ui"], sc["skyflo-ui"]);
    assert_eq!(
        sums(&render::render(&s, &with_key)),
        sa,
        "stable under one key"
    );
    assert!(a.iter().any(|r| matches!(&r.object, Object::Secret(x)
        if x.metadata.name.as_deref() == Some("skyflo-checksum-key")
            && x.metadata.labels.as_ref().unwrap()["skyflo.ai/keep"] == "true")));
}

#[test]
fn mcp_access_levels() {
    let s = load(FIXTURES[2]);
    let objects = render::render(&s, &inputs());
    let crb = objects
        .iter()
        .find_map(|r| match &r.object {
            Object::ClusterRoleBinding(b) => Some(b.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(crb.role_ref.name, "view");
    let mcp = pod_templates(&objects)
        .into_iter()
        .find(|(n, _)| n == "ops-mcp")
        .unwrap()
        .1;
    let env = mcp.spec.unwrap().containers[0].env.clone().unwrap();
    assert!(env.iter().any(|e| e.name == "KUBECONFIG"));
}

#[test]
fn only_mcp_mounts_a_service_account_token() {
    for f in FIXTURES {
        for (name, t) in pod_templates(&rendered(f)) {
            let mounts = t.spec.unwrap().automount_service_account_token;
            if name.ends_with("-mcp") {
                assert_eq!(mounts, Some(true), "{f}: {name}");
            } else {
                assert_eq!(mounts, Some(false), "{f}: {name}");
            }
        }
    }
}

/// Every (kind, namespace, name) an installation renders, plus its lock and data volumes.
fn footprint(instance: &str, namespace: &str) -> BTreeSet<(String, String, String)> {
    let yaml = std::fs::read_to_string(FIXTURES[0])
        .unwrap()
        .replace("name: skyflo\n", &format!("name: {instance}\n"));
    // Read-only access adds a Role and RoleBinding: render both variants.
    let read_only = yaml.replace("accessLevel: cluster-admin", "accessLevel: read-only");
    let specs: Vec<Spec> = [yaml, read_only]
        .iter()
        .map(|y| spec::parse("fixture", y.as_bytes()).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let mut i = inputs();
    i.namespace = namespace.into();
    let mut out: BTreeSet<(String, String, String)> = specs
        .iter()
        .flat_map(|s| render::render(s, &i))
        .filter(|r| r.object.kind() != "Namespace")
        .map(|r| {
            let ns = r.object.object_ref().namespace.unwrap_or_default();
            (r.object.kind().to_string(), ns, r.object.name().to_string())
        })
        .collect();
    for extra in [
        ("Lease", format!("{instance}-lock")),
        (
            "PersistentVolumeClaim",
            format!("postgres-data-{instance}-postgres-0"),
        ),
        (
            "PersistentVolumeClaim",
            format!("redis-data-{instance}-redis-0"),
        ),
    ] {
        out.insert((extra.0.into(), namespace.into(), extra.1));
    }
    out
}

/// Instance `a` and instance `a-<token>` for every dash-separated token skyflo puts into a
/// name: in one namespace, and with the namespace shifted by the same token (`a-mcp` in `x`
/// against `a` in `mcp-x`), no two installations render the same object.
#[test]
fn names_of_different_installations_never_collide() {
    let tokens: BTreeSet<String> = footprint("a", "x")
        .iter()
        .flat_map(|(_, _, n)| {
            n.split(['-', ':', '.'])
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .filter(|t| !t.is_empty())
        .collect();
    assert!(
        tokens.contains("mcp") && tokens.contains("headless"),
        "{tokens:?}"
    );
    for t in &tokens {
        let other = format!("a-{t}");
        let (mine, theirs) = (footprint("a", "x"), footprint(&other, "x"));
        let clash: Vec<_> = mine.intersection(&theirs).collect();
        assert!(
            clash.is_empty(),
            "instances a and {other} in one namespace share {clash:?}"
        );
        let shifted = footprint("a", &format!("{t}-x"));
        let clash: Vec<_> = theirs.intersection(&shifted).collect();
        assert!(
            clash.is_empty(),
            "{other} in x and a in {t}-x share {clash:?}"
        );
    }
}

/// Whether a container can read a file of a Secret volume, computed the way the kubelet sets
/// the files up: owner root, group the pod's fsGroup (root without one), mode defaultMode.
fn secret_file_readable(pod: &PodSpec, container: &Container, volume: &str) -> bool {
    let v = pod
        .volumes
        .iter()
        .flatten()
        .find(|v| v.name == volume)
        .unwrap_or_else(|| panic!("volume {volume}"));
    let mode = v.secret.as_ref().unwrap().default_mode.unwrap_or(0o644);
    let psc = pod.security_context.clone().unwrap_or_default();
    let csc = container.security_context.clone().unwrap_or_default();
    let uid = csc.run_as_user.or(psc.run_as_user).unwrap_or(0);
    let gid = csc.run_as_group.or(psc.run_as_group).unwrap_or(0);
    let file_group = psc.fs_group.unwrap_or(0);
    let mut groups = vec![gid];
    groups.extend(psc.supplemental_groups.clone().unwrap_or_default());
    groups.extend(psc.fs_group);
    (uid == 0 && mode & 0o400 != 0)
        || (groups.contains(&file_group) && mode & 0o040 != 0)
        || mode & 0o004 != 0
}

#[test]
fn mcp_can_read_its_kubeconfig_secret_and_is_not_exposed_by_default() {
    let objects = rendered(FIXTURES[2]);
    let mcp = pod_templates(&objects)
        .into_iter()
        .find(|(n, _)| n == "ops-mcp")
        .unwrap()
        .1
        .spec
        .unwrap();
    let container = mcp.containers.iter().find(|c| c.name == "mcp").unwrap();
    assert!(
        secret_file_readable(&mcp, container, "kubeconfig"),
        "uid {:?} cannot read the kubeconfig",
        container
            .security_context
            .as_ref()
            .and_then(|s| s.run_as_user)
    );
    // The arithmetic itself: without fsGroup the 0440 file is root's and unreadable.
    let mut without = mcp.clone();
    without.security_context.as_mut().unwrap().fs_group = None;
    assert!(!secret_file_readable(&without, container, "kubeconfig"));

    let svc = rendered(FIXTURES[0])
        .into_iter()
        .find_map(|r| match r.object {
            Object::Service(s)
                if s.metadata
                    .name
                    .as_deref()
                    .is_some_and(|n| n.ends_with("-mcp")) =>
            {
                Some(s)
            }
            _ => None,
        })
        .unwrap();
    assert_eq!(svc.spec.unwrap().type_.as_deref(), Some("ClusterIP"));
    assert!(spec::warnings(&load(FIXTURES[0])).is_empty());
    let read_only = spec::warnings(&load(FIXTURES[2]));
    let mcp = read_only
        .iter()
        .find(|w| w.starts_with("spec.mcp.service"))
        .unwrap_or_else(|| panic!("{read_only:?}"));
    assert!(
        mcp.contains("NodePort 31081") && mcp.contains("create Secrets"),
        "{read_only:?}"
    );
    let exposed = std::fs::read_to_string(FIXTURES[0]).unwrap().replace(
        "type: ClusterIP   #",
        "type: NodePort\n      nodePort: 30081 #",
    );
    let s = spec::parse("exposed", exposed.as_bytes()).unwrap();
    let w = spec::warnings(&s);
    assert!(
        w[0].contains("NodePort 30081")
            && w[0].contains("cluster-admin")
            && w[0].contains("ClusterIP"),
        "{w:?}"
    );
}

#[test]
fn engine_tuning_reaches_the_engine_config_with_the_built_in_database_too() {
    // Upstream's chart emitted these only with an external database.
    let yaml = std::fs::read_to_string(FIXTURES[0]).unwrap().replace(
        "      model: gemini/gemini-2.5-pro\n",
        "      model: anthropic/claude-sonnet-4-5\n      reasoningEffort: high\n      thinkingBudgetTokens: 4096\n      maxTokens: 16000\n",
    );
    let s = spec::parse("tuning", yaml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert!(s.postgres_in_cluster());
    let cm = render::render(&s, &inputs())
        .into_iter()
        .find_map(|r| match r.object {
            Object::ConfigMap(c) if c.metadata.name.as_deref() == Some("skyflo-engine-config") => {
                Some(c)
            }
            _ => None,
        })
        .unwrap();
    let data = cm.data.unwrap();
    assert_eq!(data["LLM_REASONING_EFFORT"], "high");
    assert_eq!(data["LLM_THINKING_BUDGET_TOKENS"], "4096");
    assert_eq!(data["LLM_MAX_TOKENS"], "16000");
}

#[test]
fn a_registry_override_and_pull_policy_reach_every_container() {
    let yaml = std::fs::read_to_string(FIXTURES[0]).unwrap().replace(
        "spec:\n",
        "spec:\n  imageRegistry: mirror.example.com/skyflo\n  imagePullPolicy: Always\n",
    );
    let s = spec::parse("mirror", yaml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let objects = render::render(&s, &inputs());
    let mut seen = 0;
    for (name, t) in pod_templates(&objects) {
        let pod = t.spec.unwrap();
        for c in pod
            .init_containers
            .iter()
            .flatten()
            .chain(pod.containers.iter())
        {
            let image = c.image.clone().unwrap();
            assert!(
                image.starts_with("mirror.example.com/skyflo/"),
                "{name}/{}: {image}",
                c.name
            );
            assert_eq!(
                c.image_pull_policy.as_deref(),
                Some("Always"),
                "{name}/{}",
                c.name
            );
            seen += 1;
        }
    }
    // ui + proxy, engine + 2 init containers, mcp, postgres, redis
    assert_eq!(seen, 8);
    let listed = render::images::list(&objects);
    assert!(
        listed
            .iter()
            .any(|u| u.image == "mirror.example.com/skyflo/library/busybox:1.36")
    );
    // The version label still comes from the tag.
    let ui = pod_templates(&objects)
        .into_iter()
        .find(|(n, _)| n == "skyflo-ui")
        .unwrap()
        .1;
    assert_eq!(
        ui.metadata.unwrap().labels.unwrap()["app.kubernetes.io/version"],
        "v0.7.0"
    );
}

#[test]
fn read_only_grants_exactly_the_integration_secret_verbs_in_the_integrations_namespace() {
    let objects = rendered(FIXTURES[2]); // accessLevel: read-only
    let integrations_ns = objects
        .iter()
        .find_map(|r| match &r.object {
            Object::ConfigMap(c) if c.metadata.name.as_deref() == Some("ops-engine-config") => c
                .data
                .as_ref()?
                .get("INTEGRATIONS_SECRET_NAMESPACE")
                .cloned(),
            _ => None,
        })
        .unwrap();
    let role = objects
        .iter()
        .find_map(|r| match &r.object {
            Object::Role(role) => Some(role.clone()),
            _ => None,
        })
        .expect("a Role");
    assert_eq!(
        role.metadata.namespace.as_deref(),
        Some(integrations_ns.as_str())
    );
    let rules = role.rules.unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].api_groups.as_deref(), Some(&[String::new()][..]));
    assert_eq!(
        rules[0].resources.as_deref(),
        Some(&["secrets".to_string()][..])
    );
    assert_eq!(rules[0].verbs, ["get", "create", "patch", "delete"]);
    assert!(rules[0].resource_names.is_none());
    let binding = objects
        .iter()
        .find_map(|r| match &r.object {
            Object::RoleBinding(b) => Some(b.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(binding.role_ref.kind, "Role");
    assert_eq!(binding.subjects.unwrap()[0].name, "ops-mcp");
    // cluster-admin needs no Role.
    assert!(
        !rendered(FIXTURES[0])
            .iter()
            .any(|r| matches!(r.object, Object::Role(_)))
    );
}

#[test]
fn vertex_ai_gets_its_service_account_file_mounted_and_the_variable_points_at_it() {
    let yaml = std::fs::read_to_string(FIXTURES[0])
        .unwrap()
        .replace("gemini/gemini-2.5-pro", "vertex_ai/gemini-2.5-pro");
    let s = spec::parse("vertex", yaml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let json = r#"{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----x"}"#;
    let mut i = inputs();
    i.llm_credentials = render::LlmCredentials::New(BTreeMap::from([
        (
            "GOOGLE_APPLICATION_CREDENTIALS".to_string(),
            json.to_string(),
        ),
        ("VERTEXAI_PROJECT".to_string(), "p".to_string()),
    ]));
    let objects = render::render(&s, &i);
    let engine = pod_templates(&objects)
        .into_iter()
        .find(|(n, _)| n == "skyflo-engine")
        .unwrap()
        .1
        .spec
        .unwrap();
    let c = &engine.containers[0];
    let var = c
        .env
        .iter()
        .flatten()
        .find(|e| e.name == "GOOGLE_APPLICATION_CREDENTIALS")
        .unwrap();
    assert_eq!(
        var.value.as_deref(),
        Some("/etc/skyflo/google/credentials.json")
    );
    let mount = c
        .volume_mounts
        .iter()
        .flatten()
        .find(|m| m.name == "google-credentials")
        .unwrap();
    assert_eq!(mount.mount_path, "/etc/skyflo/google");
    let vol = engine
        .volumes
        .iter()
        .flatten()
        .find(|v| v.name == "google-credentials")
        .unwrap();
    let items = vol.secret.as_ref().unwrap().items.clone().unwrap();
    assert_eq!(
        (items[0].key.as_str(), items[0].path.as_str()),
        ("GOOGLE_APPLICATION_CREDENTIALS", "credentials.json")
    );
    assert!(secret_file_readable(&engine, c, "google-credentials"));
    // The file's content is only in the Secret, never in the pod template.
    let template = serde_json::to_string(&engine).unwrap();
    assert!(!template.contains("BEGIN PRIVATE KEY"));
    // Without the key (another provider), nothing is mounted.
    let plain = pod_templates(&rendered(FIXTURES[0]))
        .into_iter()
        .find(|(n, _)| n == "skyflo-engine")
        .unwrap()
        .1;
    assert!(plain.spec.unwrap().volumes.is_none());
}

#[test]
fn components_with_several_replicas_get_a_disruption_budget_and_optional_spread() {
    let yaml = std::fs::read_to_string(FIXTURES[0])
        .unwrap()
        .replace("    replicas: 1\n    proxy:", "    replicas: 3\n    proxy:")
        .replace(
            "spec:\n",
            "spec:\n  topologySpread: {whenUnsatisfiable: DoNotSchedule}\n",
        );
    let s = spec::parse("ha", yaml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let objects = render::render(&s, &inputs());
    let pdbs: Vec<_> = objects
        .iter()
        .filter_map(|r| match &r.object {
            Object::PodDisruptionBudget(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(pdbs.len(), 1, "only the UI has more than one replica");
    let spec = pdbs[0].spec.clone().unwrap();
    assert_eq!(
        spec.max_unavailable,
        Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(1))
    );
    let ui = pod_templates(&objects)
        .into_iter()
        .find(|(n, _)| n == "skyflo-ui")
        .unwrap()
        .1;
    let pod_labels = ui.metadata.clone().unwrap().labels.unwrap();
    for (k, v) in spec.selector.unwrap().match_labels.unwrap() {
        assert_eq!(
            pod_labels.get(&k),
            Some(&v),
            "the budget selects the UI's pods"
        );
    }
    let tsc = ui.spec.unwrap().topology_spread_constraints.unwrap();
    assert_eq!(tsc[0].when_unsatisfiable, "DoNotSchedule");
    assert_eq!(tsc[0].topology_key, "kubernetes.io/hostname");
    // One replica: no budget (it would block every drain), no spread by default.
    let plain = rendered(FIXTURES[0]);
    assert!(
        !plain
            .iter()
            .any(|r| matches!(r.object, Object::PodDisruptionBudget(_)))
    );
}

/// The kubelet's `$(VAR)` expansion of a container's env: literal values with references to
/// variables defined earlier, and secretKeyRef values from the rendered Secrets.
fn expanded_env(c: &Container, objects: &[Rendered]) -> BTreeMap<String, String> {
    let secret = |name: &str, key: &str| -> String {
        objects
            .iter()
            .find_map(|r| match &r.object {
                Object::Secret(s) if s.metadata.name.as_deref() == Some(name) => s
                    .data
                    .as_ref()?
                    .get(key)
                    .map(|b| String::from_utf8(b.0.clone()).unwrap()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("Secret {name} key {key} is rendered"))
    };
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    for e in c.env.iter().flatten() {
        let v = match (&e.value, &e.value_from) {
            (Some(v), _) => {
                let mut out = v.clone();
                for (k, val) in &env {
                    out = out.replace(&format!("$({k})"), val);
                }
                out
            }
            (None, Some(from)) => {
                let r = from.secret_key_ref.as_ref().unwrap();
                secret(&r.name, &r.key)
            }
            _ => String::new(),
        };
        env.insert(e.name.clone(), v);
    }
    env
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("valid escape"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// scheme, user, password, host, port, database, query, as a URL parser splits them
/// (user and password as written, `None` when the URL carries no credentials).
type Parts = (
    String,
    Option<String>,
    Option<String>,
    String,
    u16,
    String,
    String,
);

fn parse_url(url: &str) -> Parts {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (auth, rest) = match rest.rsplit_once('@') {
        Some((a, r)) => (Some(a), r),
        None => (None, rest),
    };
    if let Some(a) = auth {
        assert!(
            !a.contains('@') && !a.contains('/') && !a.contains('#') && !a.contains('?'),
            "raw delimiter in {a}"
        );
    }
    let (user, pass) = match auth.map(|a| a.split_once(':').unwrap_or((a, ""))) {
        Some((u, p)) => (Some(u.to_string()), Some(p.to_string())),
        None => (None, None),
    };
    let (hostport, path) = rest.split_once('/').unwrap();
    let (host, port) = hostport.rsplit_once(':').unwrap();
    let (db, query) = path.split_once('?').unwrap_or((path, ""));
    (
        scheme.into(),
        user,
        pass,
        host.into(),
        port.parse().unwrap(),
        db.into(),
        query.into(),
    )
}

/// How the engine logs in to PostgreSQL: who, where, and with which TLS settings.
#[derive(Debug, PartialEq)]
struct Login {
    user: String,
    password: String,
    host: String,
    port: u16,
    database: String,
    sslmode: Option<String>,
    sslrootcert: Option<String>,
}

fn query_param(query: &str, key: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| percent_decode(v))
}

/// The ORM's view (skyflo-upstream.md §7): Tortoise hands every query parameter to asyncpg's
/// `connect()` as a keyword (asyncpg has no `sslmode`/`sslrootcert` keyword: the engine's
/// migrations fail), uses the user name as written and `unquote_plus`es the password; asyncpg
/// takes what the URL lacks from `PGUSER`, `PGPASSWORD`, `PGSSLMODE`, `PGSSLROOTCERT`.
fn tortoise_view(env: &BTreeMap<String, String>) -> Login {
    let (scheme, user, pass, host, port, database, query) =
        parse_url(&env["POSTGRES_DATABASE_URL"]);
    assert_eq!(scheme, "postgres");
    for kv in query.split('&').filter(|kv| !kv.is_empty()) {
        let key = kv.split_once('=').map_or(kv, |(k, _)| k);
        assert!(
            !["sslmode", "sslrootcert"].contains(&key),
            "TypeError: connect() got an unexpected keyword argument '{key}' (from {})",
            env["POSTGRES_DATABASE_URL"]
        );
    }
    Login {
        user: user.unwrap_or_else(|| env["PGUSER"].clone()),
        password: pass
            .map(|p| percent_decode(&p.replace('+', " ")))
            .unwrap_or_else(|| env["PGPASSWORD"].clone()),
        host,
        port,
        database,
        sslmode: env.get("PGSSLMODE").cloned(),
        sslrootcert: env.get("PGSSLROOTCERT").cloned(),
    }
}

/// The checkpointer's view: psycopg (libpq) with `CHECKPOINTER_DATABASE_URL`, or else the
/// engine's URL with `sslmode=disable` appended by `settings.py`; libpq decodes user and
/// password, and the URL wins over the `PG*` variables.
fn psycopg_view(env: &BTreeMap<String, String>) -> Login {
    let url = env
        .get("CHECKPOINTER_DATABASE_URL")
        .cloned()
        .unwrap_or_else(|| {
            let base = &env["POSTGRES_DATABASE_URL"];
            let sep = if base.contains('?') { '&' } else { '?' };
            format!("{base}{sep}sslmode=disable")
        });
    let (_, user, pass, host, port, database, query) = parse_url(&url);
    Login {
        user: user
            .map(|u| percent_decode(&u))
            .unwrap_or_else(|| env["PGUSER"].clone()),
        password: pass
            .map(|p| percent_decode(&p))
            .unwrap_or_else(|| env["PGPASSWORD"].clone()),
        host,
        port,
        database,
        sslmode: query_param(&query, "sslmode").or_else(|| env.get("PGSSLMODE").cloned()),
        sslrootcert: query_param(&query, "sslrootcert")
            .or_else(|| env.get("PGSSLROOTCERT").cloned()),
    }
}

fn engine_env(s: &Spec, i: &Inputs) -> BTreeMap<String, String> {
    let objects = render::render(s, i);
    let engine = pod_templates(&objects)
        .into_iter()
        .find(|(n, _)| n == "skyflo-engine")
        .unwrap()
        .1;
    expanded_env(&engine.spec.unwrap().containers[0], &objects)
}

fn connection_of(user: &str, pw: &str) -> Inputs {
    let mut i = inputs();
    i.connection = Some(render::secrets::Connection::encode(&[
        (render::secrets::CONNECTION_PG_USER, user),
        (render::secrets::CONNECTION_PG_PASSWORD_PLAIN, pw),
        (render::secrets::CONNECTION_PG_PASSWORD, pw),
        (render::secrets::CONNECTION_REDIS_PASSWORD, pw),
    ]));
    i
}

const PASSWORDS: &[&str] = &[
    "p@ss:w/rd#?%&= x",
    "@",
    ":",
    "/",
    "#",
    "?",
    "%",
    "%41",
    "&",
    "=",
    "+",
    " ",
    "ümlaut-€-密码",
    "plain",
];

#[test]
fn the_engine_and_its_checkpointer_log_in_to_an_external_database_with_any_user_password_and_tls() {
    let yaml = std::fs::read_to_string(FIXTURES[1]).unwrap().replace(
        "      secretName: skyflo-redis-credentials\n",
        "      secretName: skyflo-redis-credentials\n      tls: true\n      caSecret: redis-ca\n",
    );
    let tls = yaml.replace(
        "      secretName: skyflo-pg-credentials\n",
        "      secretName: skyflo-pg-credentials\n      sslMode: verify-full\n      caSecret: pg-ca\n",
    );
    let require = yaml.replace(
        "      secretName: skyflo-pg-credentials\n",
        "      secretName: skyflo-pg-credentials\n      sslMode: require\n",
    );
    let cert = Some("/etc/skyflo/postgres-ca/ca.crt".to_string());
    let cases = [
        (&yaml, None, None, Some("disable")),
        (&require, Some("require"), None, Some("require")),
        (&tls, Some("verify-full"), cert.clone(), Some("verify-full")),
    ];
    for (file, orm_mode, root, checkpointer_mode) in cases {
        let s = spec::parse("external", file.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        for pw in PASSWORDS {
            for user in ["ext user", "user@server", &format!("app:{pw}"), "skyflo"] {
                let env = engine_env(&s, &connection_of(user, pw));
                let expect = |mode: Option<&str>, root: Option<String>| Login {
                    user: user.to_string(),
                    password: pw.to_string(),
                    host: "pg.example.internal".into(),
                    port: 5433,
                    database: "skyflo_prod".into(),
                    sslmode: mode.map(str::to_string),
                    sslrootcert: root,
                };
                assert_eq!(
                    tortoise_view(&env),
                    expect(orm_mode, root.clone()),
                    "{env:?}"
                );
                assert_eq!(
                    psycopg_view(&env),
                    expect(checkpointer_mode, root.clone()),
                    "{env:?}"
                );
            }
        }
    }
}

#[test]
fn the_engine_logs_in_to_the_in_cluster_database_with_a_generated_or_a_chosen_password() {
    let generated = engine_env(&load(FIXTURES[0]), &inputs());
    let chosen = spec::parse(
        "chosen",
        std::fs::read_to_string(FIXTURES[0])
            .unwrap()
            .replace(
                "  engine:\n",
                "  engine:\n    databaseConfig:\n      secretName: my-pg\n",
            )
            .as_bytes(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        chosen.engine.database,
        Database::InCluster {
            password_secret: Some(_),
            ..
        }
    ));
    let mut cases = vec![(
        generated,
        "test-postgres-password-0123456789abcdefghijklm".to_string(),
    )];
    for pw in PASSWORDS {
        cases.push((
            engine_env(&chosen, &connection_of("ignored", pw)),
            pw.to_string(),
        ));
    }
    for (env, pw) in cases {
        let expect = |sslmode: Option<&str>| Login {
            user: "skyflo".into(),
            password: pw.clone(),
            host: "skyflo-postgres".into(),
            port: 5432,
            database: "skyflo".into(),
            sslmode: sslmode.map(str::to_string),
            sslrootcert: None,
        };
        assert_eq!(tortoise_view(&env), expect(None), "{env:?}");
        assert_eq!(psycopg_view(&env), expect(Some("disable")), "{env:?}");
    }
}

#[test]
fn any_redis_password_survives_the_kubelets_expansion_into_its_url() {
    let yaml = std::fs::read_to_string(FIXTURES[1]).unwrap().replace(
        "      secretName: skyflo-redis-credentials\n",
        "      secretName: skyflo-redis-credentials\n      tls: true\n      caSecret: redis-ca\n",
    );
    let s = spec::parse("external", yaml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    for pw in PASSWORDS {
        let env = engine_env(&s, &connection_of("app", pw));
        let (scheme, _, p, host, port, db, query) = parse_url(&env["REDIS_URL"]);
        assert_eq!(
            (
                scheme.as_str(),
                p.map(|p| percent_decode(&p)).as_deref(),
                host.as_str(),
                port,
                db.as_str()
            ),
            ("rediss", Some(*pw), "redis.example.internal", 6380, "0")
        );
        assert_eq!(query, "ssl_ca_certs=/etc/skyflo/redis-ca/ca.crt");
    }
}

#[test]
fn a_base_an_overlay_and_set_render_exactly_the_merged_spec() {
    let layers = |files: &[&str], set: &[&str]| {
        skyflo::commands::read_layers(
            &files
                .iter()
                .map(std::path::PathBuf::from)
                .collect::<Vec<_>>(),
            &skyflo::cli::SetArgs {
                set: set.iter().map(|s| s.to_string()).collect(),
                set_string: Vec::new(),
            },
            None,
            &Default::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let merged = layers(
        &[
            "tests/fixtures/layers/base.yaml",
            "tests/fixtures/layers/prod.yaml",
        ],
        &["engine.replicas=2", "mcp.accessLevel=cluster-admin"],
    );
    insta::assert_snapshot!(
        "layered",
        render::to_yaml(&render::render(&merged, &inputs()))
    );
    // The same spec written out by hand renders the same bytes.
    let by_hand = std::fs::read_to_string("tests/fixtures/layers/base.yaml")
        .unwrap()
        .replace(
            "    service: {type: ClusterIP}\n",
            "    service: {type: ClusterIP}\n    replicas: 3\n",
        )
        .replace(
            "      - {name: LOG_LEVEL, value: INFO}\n",
            "      - {name: LOG_LEVEL, value: WARNING}\n    replicas: 2\n",
        )
        .replace(
            "      model: gemini/gemini-2.5-pro\n",
            "      model: gemini/gemini-2.5-pro\n      reasoningEffort: medium\n",
        )
        .replace(
            "    accessLevel: read-only\n",
            "    accessLevel: cluster-admin\n",
        )
        .replace(
            "    kubernetes.io/os: linux\n",
            "    kubernetes.io/os: linux\n    node-role.example.com/skyflo: \"true\"\n",
        );
    let hand = spec::parse("by-hand", by_hand.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        render::to_yaml(&render::render(&merged, &inputs())),
        render::to_yaml(&render::render(&hand, &inputs()))
    );
}

/// Every LLM call goes to the host the user chose: litellm's own base-URL variable for the
/// provider carries the host, so the engine's next-speaker check (which passes no base URL)
/// reaches it too; a host for an OpenAI-compatible server without `/v1` is warned about.
#[test]
fn the_llm_host_is_every_calls_base_url() {
    let with = |model: &str, host: Option<&str>| {
        let mut yaml = std::fs::read_to_string(FIXTURES[0]).unwrap();
        let mut llm = format!("    llm:\n      model: {model}\n");
        if let Some(h) = host {
            llm.push_str(&format!("      host: {h}\n"));
        }
        yaml = yaml.replace("    llm:\n      model: gemini/gemini-2.5-pro\n", &llm);
        let s = spec::parse("llm", yaml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let data = render::render(&s, &inputs())
            .into_iter()
            .find_map(|r| match r.object {
                Object::ConfigMap(cm)
                    if cm.metadata.name.as_deref() == Some("skyflo-engine-config") =>
                {
                    cm.data
                }
                _ => None,
            })
            .unwrap();
        (data, spec::warnings(&s))
    };
    let (data, warnings) = with("openai/qwen", Some("http://vllm.models:8000/v1"));
    assert_eq!(data["LLM_HOST"], "http://vllm.models:8000/v1");
    assert_eq!(data["OPENAI_API_BASE"], "http://vllm.models:8000/v1");
    assert!(warnings.is_empty(), "{warnings:?}");
    let (data, _) = with("hosted_vllm/qwen", Some("http://vllm:8000/v1"));
    assert_eq!(data["HOSTED_VLLM_API_BASE"], "http://vllm:8000/v1");
    let (data, _) = with("ollama/llama3", Some("http://ollama:11434"));
    assert_eq!(data["OLLAMA_API_BASE"], "http://ollama:11434");
    let (data, _) = with(
        "anthropic/claude",
        Some("https://gateway.internal/anthropic"),
    );
    assert_eq!(
        data["ANTHROPIC_API_BASE"],
        "https://gateway.internal/anthropic"
    );
    // No host: the provider's own host, no base-URL variable at all.
    let (data, _) = with("openai/gpt-4o", None);
    assert!(!data.keys().any(|k| k.ends_with("_API_BASE")), "{data:?}");
    let (_, warnings) = with("openai/qwen", Some("http://vllm.models:8000"));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("spec.engine.llm.host")
            && warnings[0].contains("http://vllm.models:8000/v1"),
        "{warnings:?}"
    );
    let (_, warnings) = with("ollama/llama3", Some("http://ollama:11434"));
    assert!(warnings.is_empty(), "{warnings:?}");
    // Anthropic's and Ollama's paths are appended to the host: a /v1 there doubles.
    let (_, warnings) = with("anthropic/claude", Some("https://gateway.internal/v1"));
    assert!(
        warnings.len() == 1
            && warnings[0].contains("/v1/v1/messages")
            && warnings[0].contains("use https://gateway.internal "),
        "{warnings:?}"
    );
    let (_, warnings) = with("ollama/llama3", Some("http://ollama:11434/v1/"));
    assert!(
        warnings.len() == 1 && warnings[0].contains("/v1/api/generate"),
        "{warnings:?}"
    );
}

/// The proxy's template is skyflo's, mounted over the image's; a change of it (here, opening
/// signup) rolls the UI pods and nothing else.
#[test]
fn the_proxy_template_is_mounted_and_its_change_rolls_the_ui() {
    let closed = load(FIXTURES[0]);
    let open = spec::parse(
        "open",
        std::fs::read_to_string(FIXTURES[0])
            .unwrap()
            .replace("    proxy:\n", "    signup: open\n    proxy:\n")
            .as_bytes(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(open.ui.signup_open && !closed.ui.signup_open);
    let sums = |s: &Spec| checksums(&render::render(s, &inputs()));
    let (a, b) = (sums(&closed), sums(&open));
    assert_ne!(a["skyflo-ui"], b["skyflo-ui"]);
    assert_eq!(a["skyflo-engine"], b["skyflo-engine"]);
    assert_eq!(a["skyflo-mcp"], b["skyflo-mcp"]);
    let ui = pod_templates(&render::render(&closed, &inputs()))
        .into_iter()
        .find(|(n, _)| n == "skyflo-ui")
        .unwrap()
        .1
        .spec
        .unwrap();
    let proxy = ui.containers.iter().find(|c| c.name == "proxy").unwrap();
    let mount = &proxy.volume_mounts.as_ref().unwrap()[0];
    assert_eq!(
        (mount.mount_path.as_str(), mount.sub_path.as_deref()),
        (
            "/etc/nginx/templates/default.conf.template",
            Some("default.conf.template")
        )
    );
    let volume = ui
        .volumes
        .unwrap()
        .into_iter()
        .find(|v| v.name == mount.name)
        .unwrap();
    assert_eq!(volume.config_map.unwrap().name, "skyflo-proxy-config");
}
