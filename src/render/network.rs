//! Services and NetworkPolicies.
//!
//! Policies restrict ingress only: egress stays open so that DNS, the API server (MCP) and
//! the LLM provider (engine) stay reachable on every CNI. Upstream's chart restricted MCP's
//! egress to ClusterIP blocks, which breaks on CNIs that evaluate policy after DNAT.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::Names;
use super::config::meta;
use super::labels::{self, selector};
use crate::spec::{Exposure, ServiceType, Spec};

fn port(name: &str, port: i32, target: &str, node_port: Option<i32>) -> ServicePort {
    ServicePort {
        name: Some(name.into()),
        port,
        target_port: Some(IntOrString::String(target.into())),
        protocol: Some("TCP".into()),
        node_port,
        ..Default::default()
    }
}

fn service(
    names: &Names,
    name: String,
    component: &str,
    exposure: &Exposure,
    ports: Vec<ServicePort>,
) -> Service {
    Service {
        metadata: meta(names, name, component),
        spec: Some(ServiceSpec {
            type_: Some(exposure.type_.as_str().into()),
            selector: Some(selector(names, component)),
            ports: Some(ports),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn headless(names: &Names, component: &str, port_name: &str, number: i32) -> Service {
    Service {
        metadata: meta(names, names.of(&format!("{component}-headless")), component),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            selector: Some(selector(names, component)),
            ports: Some(vec![port(port_name, number, port_name, None)]),
            // Lets PostgreSQL and Redis resolve their own pod names before they are Ready.
            publish_not_ready_addresses: Some(true),
            ..Default::default()
        }),
        ..Default::default()
    }
}

const CLUSTER_IP: Exposure = Exposure {
    type_: ServiceType::ClusterIP,
    node_port: None,
};

pub fn services(spec: &Spec, names: &Names) -> Vec<Service> {
    let mut out = vec![
        // Users reach the proxy only; the raw UI port is internal (upstream exposed both).
        service(
            names,
            names.of("ui"),
            "ui",
            &spec.ui.service,
            vec![port("http", 80, "http-proxy", spec.ui.service.node_port)],
        ),
        service(
            names,
            names.of("ui-app"),
            "ui",
            &CLUSTER_IP,
            vec![port("http", 3000, "http", None)],
        ),
        service(
            names,
            names.of("engine"),
            "engine",
            &spec.engine.service,
            vec![port("http", 8080, "http", spec.engine.service.node_port)],
        ),
        service(
            names,
            names.of("mcp"),
            "mcp",
            &spec.mcp.service,
            vec![port("http", 8888, "http", spec.mcp.service.node_port)],
        ),
    ];
    if spec.postgres_in_cluster() {
        out.push(service(
            names,
            names.of("postgres"),
            "postgres",
            &CLUSTER_IP,
            vec![port("postgres", 5432, "postgres", None)],
        ));
        out.push(headless(names, "postgres", "postgres", 5432));
    }
    if spec.redis_in_cluster() {
        out.push(service(
            names,
            names.of("redis"),
            "redis",
            &CLUSTER_IP,
            vec![port("redis", 6379, "redis", None)],
        ));
        out.push(headless(names, "redis", "redis", 6379));
    }
    out
}

fn pods_of(names: &Names, components: &[&str]) -> NetworkPolicyPeer {
    let mut labels = BTreeMap::from([
        (labels::NAME.to_string(), "skyflo".to_string()),
        (labels::INSTANCE.to_string(), names.instance.clone()),
    ]);
    let match_expressions = if components.len() == 1 {
        labels.insert(labels::COMPONENT.into(), components[0].into());
        None
    } else {
        Some(vec![LabelSelectorRequirement {
            key: labels::COMPONENT.into(),
            operator: "In".into(),
            values: Some(components.iter().map(|c| c.to_string()).collect()),
        }])
    };
    NetworkPolicyPeer {
        pod_selector: Some(LabelSelector {
            match_labels: Some(labels),
            match_expressions,
        }),
        ..Default::default()
    }
}

fn tcp(port: i32) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(port)),
        protocol: Some("TCP".into()),
        ..Default::default()
    }
}

fn allow(names: &Names, component: &str, rules: Vec<NetworkPolicyIngressRule>) -> NetworkPolicy {
    NetworkPolicy {
        metadata: meta(names, names.of(component), component),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(selector(names, component)),
                ..Default::default()
            }),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(rules),
            ..Default::default()
        }),
    }
}

fn from(peers: Vec<NetworkPolicyPeer>, ports: Vec<NetworkPolicyPort>) -> NetworkPolicyIngressRule {
    NetworkPolicyIngressRule {
        from: if peers.is_empty() { None } else { Some(peers) },
        ports: Some(ports),
    }
}

pub fn network_policies(spec: &Spec, names: &Names) -> Vec<NetworkPolicy> {
    // Default deny for this installation's pods only: the namespace may hold other workloads
    // that skyflo has no business cutting off.
    let deny = NetworkPolicy {
        metadata: meta(names, names.of("default-deny"), "skyflo"),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([
                    (labels::NAME.to_string(), "skyflo".to_string()),
                    (labels::INSTANCE.to_string(), names.instance.clone()),
                ])),
                ..Default::default()
            }),
            policy_types: Some(vec!["Ingress".into()]),
            ..Default::default()
        }),
    };
    let mut out = vec![
        deny,
        allow(
            names,
            "ui",
            vec![
                // The proxy, from anywhere (users, NodePort, ingress controllers).
                from(vec![], vec![tcp(8080)]),
                // The raw UI port, only from the proxies.
                from(vec![pods_of(names, &["ui"])], vec![tcp(3000)]),
            ],
        ),
        allow(
            names,
            "engine",
            vec![from(vec![pods_of(names, &["ui", "mcp"])], vec![tcp(8080)])],
        ),
        allow(
            names,
            "mcp",
            vec![from(vec![pods_of(names, &["engine"])], vec![tcp(8888)])],
        ),
    ];
    if spec.postgres_in_cluster() {
        out.push(allow(
            names,
            "postgres",
            vec![from(vec![pods_of(names, &["engine"])], vec![tcp(5432)])],
        ));
    }
    if spec.redis_in_cluster() {
        out.push(allow(
            names,
            "redis",
            vec![from(vec![pods_of(names, &["engine"])], vec![tcp(6379)])],
        ));
    }
    out
}

/// The UI's Ingress: every host, path `/`, to the proxy's port of `<name>-ui`.
pub fn ingress(spec: &Spec, names: &Names) -> Option<k8s_openapi::api::networking::v1::Ingress> {
    use k8s_openapi::api::networking::v1::{
        HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
        IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
    };
    let i = spec.ui.ingress.as_ref()?;
    let mut meta = super::config::meta(names, names.of("ui"), "ui");
    if !i.annotations.is_empty() {
        meta.annotations = Some(i.annotations.clone());
    }
    let backend = IngressBackend {
        service: Some(IngressServiceBackend {
            name: names.of("ui"),
            port: Some(ServiceBackendPort {
                name: Some("http".into()),
                number: None,
            }),
        }),
        ..Default::default()
    };
    let rules = i
        .hosts
        .iter()
        .map(|h| IngressRule {
            host: Some(h.clone()),
            http: Some(HTTPIngressRuleValue {
                paths: vec![HTTPIngressPath {
                    path: Some("/".into()),
                    path_type: "Prefix".into(),
                    backend: backend.clone(),
                }],
            }),
        })
        .collect();
    Some(Ingress {
        metadata: meta,
        spec: Some(IngressSpec {
            ingress_class_name: i.class_name.clone(),
            rules: Some(rules),
            tls: i.tls_secret.as_ref().map(|s| {
                vec![IngressTLS {
                    hosts: Some(i.hosts.clone()),
                    secret_name: Some(s.clone()),
                }]
            }),
            ..Default::default()
        }),
        status: None,
    })
}
