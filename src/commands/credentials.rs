//! The LLM credentials a run brings along from the environment, for `install`, `upgrade`
//! and `check`. Values never reach the printer; only the names of the variables do.

use std::collections::BTreeMap;

use crate::error::Exit;
use crate::spec::{Spec, llm};
use crate::ui::Printer;

/// The LLM credentials for `spec`'s provider found in the environment; warns when the
/// provider needs a key and none is given or referenced.
pub fn given(
    spec: &Spec,
    env: &crate::settings::Environment,
    printer: &Printer,
) -> Result<BTreeMap<String, String>, Exit> {
    let found = quiet(spec, env)?;
    let Some(model) = &spec.engine.llm.model else {
        return Ok(found);
    };
    let (vars, needs_key) = llm::key_vars(llm::provider_of(model));
    if found.is_empty() && needs_key && spec.engine.llm.api_key_secret.is_none() {
        printer.warn(&format!(
            "no {} in the environment for {model}: the engine uses the credentials stored by an earlier install, if any (or set spec.engine.llm.apiKeySecret)",
            vars.join(" / ")
        ));
    }
    if !found.is_empty() {
        // Names only: values are never printed.
        printer.detail(&format!(
            "LLM credentials from the environment: {} (stored in Secret {}-llm-credentials)",
            found.keys().cloned().collect::<Vec<_>>().join(", "),
            spec.name
        ));
    }
    Ok(found)
}

/// The credentials for the spec's provider found in the environment, without warnings (for
/// `check`).
pub fn quiet(
    spec: &Spec,
    env: &crate::settings::Environment,
) -> Result<BTreeMap<String, String>, Exit> {
    let env = |k: &str| env.get(k);
    let Some(model) = &spec.engine.llm.model else {
        return Ok(BTreeMap::new());
    };
    let mut found: BTreeMap<String, String> =
        llm::credentials_from_env(model, &env).into_iter().collect();
    if let Some(path) = found.get_mut(crate::render::workloads::GOOGLE_CREDENTIALS_KEY) {
        *path = google_credentials_file(path)?;
    }
    Ok(found)
}

/// GOOGLE_APPLICATION_CREDENTIALS names a file on this machine: its content is what the pod
/// needs (mounted as a file there). A value that already is the JSON is kept.
fn google_credentials_file(value: &str) -> Result<String, Exit> {
    if value.trim_start().starts_with('{') {
        return Ok(value.to_string());
    }
    let content = std::fs::read_to_string(value).map_err(|e| {
        Exit::Usage(format!(
            "GOOGLE_APPLICATION_CREDENTIALS={value}: cannot read the service-account file ({e}); \
it must be a readable JSON key file on this machine, whose content skyflo stores in a Secret and mounts into the engine"
        ))
    })?;
    if !content.trim_start().starts_with('{') {
        return Err(Exit::Usage(format!(
            "GOOGLE_APPLICATION_CREDENTIALS={value}: the file is not a JSON service-account key"
        )));
    }
    Ok(content)
}
