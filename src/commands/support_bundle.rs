//! `skyflo support-bundle`: collect (cluster::bundle, redacted there) and write one .tar.gz.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::json;

use crate::cli::SupportBundleArgs;
use crate::cluster::Reporter;
use crate::cluster::diagnose::bundle::{self, Collected};
use crate::error::{Done, Exit};
use crate::settings::Settings;
use crate::ui::Printer;
use crate::ui::progress::Progress;

pub async fn run(args: &SupportBundleArgs, settings: &Settings, printer: &Printer) -> Result<Done> {
    let cluster = super::connect_named(settings, &args.name).await?;
    let path = args.output_file.clone().unwrap_or_else(|| {
        let now = jiff::Timestamp::now()
            .strftime("%Y%m%dT%H%M%SZ")
            .to_string();
        PathBuf::from(format!("skyflo-support-{}-{now}.tar.gz", cluster.namespace))
    });
    // Refused before the collection, which takes a while; placing the file checks again.
    crate::private::refuse_existing(&path, args.force).map_err(Exit::Usage)?;
    let progress = Progress::new(printer);
    let collected = bundle::collect(&cluster, &progress).await;
    progress.finish();
    let collected = collected?;
    write(&path, &collected, args.force).with_context(|| format!("writing {}", path.display()))?;
    if printer.is_machine() {
        printer.data(
            &json!({"file": path, "parts": collected.parts.len(), "missing": collected.missing}),
        )?;
    } else {
        printer.out(&format!(
            "{} wrote {} ({} files; {} part(s) could not be collected, listed in index.json)",
            printer.green("✓"),
            path.display(),
            collected.parts.len() + 1,
            collected.missing.len()
        ))?;
    }
    Ok(Done::Success)
}

/// The archive, private to the user (0600, created new, never through a symlink), placed only
/// when complete; an existing file is refused unless `overwrite` (`--force`).
fn write(path: &Path, c: &Collected, overwrite: bool) -> Result<()> {
    let (partial, file) = crate::private::Partial::create(path)?;
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let index = json!({
        "files": c.parts.iter().map(|p| &p.path).collect::<Vec<_>>(),
        "missing": c.missing,
        "redaction": "Secret data reduced to key names; values of every Secret the installation reads, provider-key-shaped tokens, passwords in URLs and kubeconfig credentials removed",
    });
    let index = serde_json::to_vec_pretty(&index)?;
    for (name, content) in std::iter::once(("index.json", index.as_slice())).chain(
        c.parts
            .iter()
            .map(|p| (p.path.as_str(), p.content.as_slice())),
    ) {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(jiff::Timestamp::now().as_second().max(0) as u64);
        header.set_cksum();
        tar.append_data(&mut header, format!("skyflo-support/{name}"), content)?;
    }
    tar.into_inner()?.finish()?.sync_all()?;
    partial.finish(path, overwrite)?;
    Ok(())
}
