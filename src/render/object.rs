//! The closed set of Kubernetes kinds skyflo renders, as one typed enum.
//!
//! Rendering stays typed (compile-checked fields); the cluster layer type-erases each object
//! to a `DynamicObject` with its `ApiResource` for apply, plan and prune.

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, Service, ServiceAccount};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Resource;
use kube::core::{ApiResource, DynamicObject};
use serde::Serialize;

/// Apply order. Each stage is applied, then waited for, before the next one starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Namespace = 1,
    Config = 2,
    Network = 3,
    Data = 4,
    Apps = 5,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Namespace,
        Stage::Config,
        Stage::Network,
        Stage::Data,
        Stage::Apps,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            Stage::Namespace => "namespace",
            Stage::Config => "service accounts, RBAC, configuration and secrets",
            Stage::Network => "network policies and services",
            Stage::Data => "PostgreSQL and Redis",
            Stage::Apps => "engine, MCP and UI",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    Namespace(Namespace),
    ServiceAccount(ServiceAccount),
    ClusterRoleBinding(ClusterRoleBinding),
    Role(Role),
    RoleBinding(RoleBinding),
    ConfigMap(ConfigMap),
    Secret(Secret),
    NetworkPolicy(NetworkPolicy),
    Service(Service),
    Ingress(Ingress),
    StatefulSet(StatefulSet),
    Deployment(Deployment),
    PodDisruptionBudget(PodDisruptionBudget),
}

/// A rendered object and the stage it is applied in.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub stage: Stage,
    pub object: Object,
}

/// Identifies an object in the cluster: kind, namespace (None when cluster-scoped) and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct ObjectRef {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub namespace: Option<String>,
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

macro_rules! each {
    ($self:expr, $o:ident => $body:expr) => {
        match $self {
            Object::Namespace($o) => $body,
            Object::ServiceAccount($o) => $body,
            Object::ClusterRoleBinding($o) => $body,
            Object::Role($o) => $body,
            Object::RoleBinding($o) => $body,
            Object::ConfigMap($o) => $body,
            Object::Secret($o) => $body,
            Object::NetworkPolicy($o) => $body,
            Object::Service($o) => $body,
            Object::Ingress($o) => $body,
            Object::StatefulSet($o) => $body,
            Object::Deployment($o) => $body,
            Object::PodDisruptionBudget($o) => $body,
        }
    };
}

fn erase<K: Resource<DynamicType = ()>>(_: &K) -> ApiResource {
    ApiResource::erase::<K>(&())
}

impl Object {
    pub fn meta(&self) -> &ObjectMeta {
        each!(self, o => o.meta())
    }

    pub fn meta_mut(&mut self) -> &mut ObjectMeta {
        each!(self, o => o.meta_mut())
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Object::Namespace(_) => "Namespace",
            Object::ServiceAccount(_) => "ServiceAccount",
            Object::ClusterRoleBinding(_) => "ClusterRoleBinding",
            Object::Role(_) => "Role",
            Object::RoleBinding(_) => "RoleBinding",
            Object::ConfigMap(_) => "ConfigMap",
            Object::Secret(_) => "Secret",
            Object::NetworkPolicy(_) => "NetworkPolicy",
            Object::Service(_) => "Service",
            Object::Ingress(_) => "Ingress",
            Object::StatefulSet(_) => "StatefulSet",
            Object::Deployment(_) => "Deployment",
            Object::PodDisruptionBudget(_) => "PodDisruptionBudget",
        }
    }

    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or_default()
    }

    /// The pod template of a workload.
    pub fn pod_template(&self) -> Option<&k8s_openapi::api::core::v1::PodTemplateSpec> {
        match self {
            Object::Deployment(d) => d.spec.as_ref().map(|s| &s.template),
            Object::StatefulSet(s) => s.spec.as_ref().map(|s| &s.template),
            _ => None,
        }
    }

    pub fn pod_template_mut(&mut self) -> Option<&mut k8s_openapi::api::core::v1::PodTemplateSpec> {
        match self {
            Object::Deployment(d) => d.spec.as_mut().map(|s| &mut s.template),
            Object::StatefulSet(s) => s.spec.as_mut().map(|s| &mut s.template),
            _ => None,
        }
    }

    pub fn namespace(&self) -> Option<&str> {
        self.meta().namespace.as_deref()
    }

    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef {
            kind: self.kind().to_string(),
            namespace: self.namespace().map(str::to_string),
            name: self.name().to_string(),
        }
    }

    pub fn api_resource(&self) -> ApiResource {
        each!(self, o => erase(o))
    }

    /// The object as JSON, with apiVersion and kind (what server-side apply needs).
    pub fn to_json(&self) -> serde_json::Value {
        each!(self, o => serde_json::to_value(o).expect("k8s-openapi objects serialize"))
    }

    pub fn to_dynamic(&self) -> DynamicObject {
        serde_json::from_value(self.to_json()).expect("typed objects convert to DynamicObject")
    }
}

/// The `ApiResource` and scope of every kind skyflo renders or prunes, by kind name.
pub fn api_resource_for(kind: &str) -> Option<(ApiResource, bool)> {
    use k8s_openapi::api::core::v1::PersistentVolumeClaim;
    use k8s_openapi::api::rbac::v1::ClusterRole;
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    let namespaced = !matches!(
        kind,
        "Namespace" | "ClusterRoleBinding" | "ClusterRole" | "CustomResourceDefinition"
    );
    let ar = match kind {
        "Namespace" => ApiResource::erase::<Namespace>(&()),
        "ServiceAccount" => ApiResource::erase::<ServiceAccount>(&()),
        "ClusterRoleBinding" => ApiResource::erase::<ClusterRoleBinding>(&()),
        "Role" => ApiResource::erase::<Role>(&()),
        "RoleBinding" => ApiResource::erase::<RoleBinding>(&()),
        "Ingress" => ApiResource::erase::<Ingress>(&()),
        "PodDisruptionBudget" => ApiResource::erase::<PodDisruptionBudget>(&()),
        "ConfigMap" => ApiResource::erase::<ConfigMap>(&()),
        "Secret" => ApiResource::erase::<Secret>(&()),
        "NetworkPolicy" => ApiResource::erase::<NetworkPolicy>(&()),
        "Service" => ApiResource::erase::<Service>(&()),
        "StatefulSet" => ApiResource::erase::<StatefulSet>(&()),
        "Deployment" => ApiResource::erase::<Deployment>(&()),
        "PersistentVolumeClaim" => ApiResource::erase::<PersistentVolumeClaim>(&()),
        // Only `adopt` touches these: upstream's dead controller and its CRD.
        "ClusterRole" => ApiResource::erase::<ClusterRole>(&()),
        "CustomResourceDefinition" => ApiResource::erase::<CustomResourceDefinition>(&()),
        _ => return None,
    };
    Some((ar, namespaced))
}
