//! Standard labels. Selectors use only name, instance and component: they are immutable on
//! Deployments and StatefulSets, so they must never change between versions.

use std::collections::BTreeMap;

use super::Names;

pub const NAME: &str = "app.kubernetes.io/name";
pub const INSTANCE: &str = "app.kubernetes.io/instance";
pub const COMPONENT: &str = "app.kubernetes.io/component";
pub const PART_OF: &str = "app.kubernetes.io/part-of";
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const VERSION: &str = "app.kubernetes.io/version";
/// On cluster-scoped objects, which namespace's installation owns them.
pub const OWNER_NAMESPACE: &str = "skyflo.ai/namespace";
/// Marks Secrets that hold generated values: kept by uninstall unless --purge, never pruned.
pub const KEEP: &str = "skyflo.ai/keep";
pub const CHECKSUM: &str = "skyflo.ai/config-checksum";
/// On a namespace: the installation that created it. Only that installation may change the
/// namespace's labels or delete it; a namespace without it existed before skyflo.
pub const CREATED_BY: &str = "skyflo.ai/created-by";

/// The installation that recorded creating this object (a namespace), if any.
pub fn created_by(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) -> Option<&str> {
    meta.annotations
        .as_ref()?
        .get(CREATED_BY)
        .map(String::as_str)
}

pub const MANAGER: &str = "skyflo";

/// Label selector (as a string) for every object of an installation.
pub fn instance_selector(instance: &str) -> String {
    format!("{NAME}=skyflo,{INSTANCE}={instance},{MANAGED_BY}={MANAGER}")
}

pub fn selector(names: &Names, component: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (NAME.to_string(), "skyflo".to_string()),
        (INSTANCE.to_string(), names.instance.clone()),
        (COMPONENT.to_string(), component.to_string()),
    ])
}

/// Every label for an object of `component`; `image` gives the version label.
pub fn labels(names: &Names, component: &str, image: Option<&str>) -> BTreeMap<String, String> {
    let mut l = selector(names, component);
    l.insert(PART_OF.to_string(), "skyflo".to_string());
    l.insert(MANAGED_BY.to_string(), MANAGER.to_string());
    if let Some(v) = image.and_then(crate::spec::image::version_of) {
        l.insert(VERSION.to_string(), v);
    }
    l
}
