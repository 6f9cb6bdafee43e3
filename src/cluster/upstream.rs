//! Recognising upstream's installers in the cluster: install.sh's and the Helm chart's
//! Services, and the journal of an adoption that has not finished. Shared by the pre-flight,
//! the inventory and `adopt`, so each judges an upstream installation the same way.

use kube::api::DynamicObject;

use crate::render::labels;

/// Label value (`skyflo.ai/record`) of the ConfigMap that records an adoption in progress.
pub const JOURNAL_RECORD: &str = "adopt";

/// An upstream installation that `meta` (a Service's) shows: install.sh names its engine
/// Service `skyflo-engine` (before v0.6.1 `skyflo-ai-engine`) and labels nothing; the Helm chart
/// labels it `helm.sh/chart: skyflo-<version>`, whatever the release is called.
pub fn installation(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) -> Option<String> {
    let name = meta.name.clone().unwrap_or_default();
    let ns = meta.namespace.clone().unwrap_or_default();
    let l = meta.labels.clone().unwrap_or_default();
    if l.get(labels::MANAGED_BY).map(String::as_str) == Some(labels::MANAGER) {
        return None;
    }
    let chart = l
        .get("helm.sh/chart")
        .is_some_and(|c| c.starts_with("skyflo-"));
    if chart && name.ends_with("-engine") {
        let release = meta
            .annotations
            .as_ref()
            .and_then(|a| a.get("meta.helm.sh/release-name"))
            .cloned()
            .unwrap_or_else(|| "?".into());
        Some(format!("Helm release {ns}/{release} (Service {name})"))
    } else if !chart && ["skyflo-engine", "skyflo-ai-engine"].contains(&name.as_str()) {
        Some(format!("install.sh in namespace {ns} (Service {name})"))
    } else {
        None
    }
}

/// The journal of an adoption that has not finished: the namespace still holds parts of an
/// upstream installation, so an install must not start a second Skyflo beside it.
pub fn unfinished_adoption(kind: &str, obj: &DynamicObject) -> Option<String> {
    let l = obj.metadata.labels.as_ref()?;
    let journal = kind == "ConfigMap"
        && l.get(super::release::RECORD_LABEL).map(String::as_str) == Some(JOURNAL_RECORD)
        && l.get(labels::MANAGED_BY).map(String::as_str) == Some(labels::MANAGER);
    journal.then(|| {
        format!(
            "an unfinished `skyflo adopt` of installation {:?} (ConfigMap {})",
            l.get(labels::INSTANCE).cloned().unwrap_or_default(),
            obj.metadata.name.clone().unwrap_or_default()
        )
    })
}
