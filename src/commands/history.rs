//! `skyflo history`: the revisions of an installation, from its release records.

use anyhow::Result;

use crate::cli::NameArgs;
use crate::cluster::release;
use crate::error::{Done, Exit};
use crate::settings::Settings;
use crate::ui::Printer;

pub async fn run(args: &NameArgs, settings: &Settings, printer: &Printer) -> Result<Done> {
    let cluster = super::connect_named(settings, args).await?;
    let history = release::list(&cluster).await?;
    if history.is_empty() {
        return Err(Exit::NotInstalled(format!(
            "no skyflo release {:?} in namespace {}",
            cluster.instance, cluster.namespace
        ))
        .into());
    }
    if printer.is_machine() {
        let rows: Vec<_> = history
            .iter()
            .map(|r| {
                serde_json::json!({
                    "revision": r.revision, "time": r.time, "cliVersion": r.cli_version,
                    "operation": r.operation, "outcome": r.outcome, "specDigest": r.spec_digest,
                    "message": r.message, "backup": r.backup,
                })
            })
            .collect();
        printer.data(&rows)?;
        return Ok(Done::Success);
    }
    let mut t = crate::ui::table::new([
        "REVISION",
        "TIME",
        "CLI",
        "OPERATION",
        "OUTCOME",
        "SPEC DIGEST",
        "BACKUP",
        "MESSAGE",
    ]);
    for r in &history {
        t.add_row([
            r.revision.to_string(),
            r.time.clone(),
            r.cli_version.clone(),
            r.operation.clone(),
            serde_json::to_value(r.outcome)?
                .as_str()
                .unwrap_or_default()
                .to_string(),
            r.spec_digest.chars().take(19).collect(),
            // The file name says namespace, instance, revision and time; the path is in -o json.
            r.backup
                .as_deref()
                .and_then(|b| std::path::Path::new(b).file_name())
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| "-".into()),
            r.message.chars().take(80).collect(),
        ]);
    }
    printer.out(&crate::ui::table::render(&t))?;
    Ok(Done::Success)
}
