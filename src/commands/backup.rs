//! `skyflo backup` and `skyflo restore`.

use std::io::IsTerminal;

use anyhow::Result;

use crate::cli::{BackupArgs, RestoreArgs};
use crate::cluster::data::backup::{self, Backup};
use crate::cluster::data::restore;
use crate::cluster::release::{self, Release};
use crate::cluster::{Cluster, Reporter};
use crate::error::{Done, Exit};
use crate::settings::Settings;
use crate::ui::Printer;
use crate::ui::progress::Progress;

/// The deployed revision, whose spec says where the database is.
async fn deployed(cluster: &Cluster) -> Result<(Vec<Release>, Release)> {
    let history = release::list(cluster).await?;
    let last = release::last_deployed(&history).cloned().ok_or_else(|| {
        Exit::NotInstalled(format!(
            "no deployed skyflo release {:?} in namespace {}",
            cluster.instance, cluster.namespace
        ))
    })?;
    Ok((history, last))
}

fn external(cluster: &Cluster) -> anyhow::Error {
    anyhow::anyhow!(
        "skyflo {:?} in namespace {} uses an external PostgreSQL: skyflo has no access to its data files or \
superuser, so the database's own backups apply (your provider's snapshots, or pg_dump run where it can reach it). \
Nothing was done",
        cluster.instance,
        cluster.namespace
    )
}

pub async fn run(args: &BackupArgs, settings: &Settings, printer: &Printer) -> Result<Done> {
    let cluster = super::connect_named(settings, &args.name).await?;
    let identity = backup::cluster_identity(&cluster).await;
    let dir = backup::dir(
        &settings.backup_dir,
        identity.as_deref(),
        &cluster.namespace,
        &cluster.instance,
    );
    if args.list {
        return list(&dir, printer);
    }
    if let Some(f) = &args.output_file {
        crate::private::refuse_existing(f, args.force).map_err(Exit::Usage)?;
    }
    let (_, last) = deployed(&cluster).await?;
    let spec = last.spec()?;
    if !spec.postgres_in_cluster() {
        return Err(external(&cluster));
    }
    let progress = Progress::new(printer);
    progress.line(&format!(
        "backing up PostgreSQL of skyflo {:?} in namespace {} (revision {})",
        cluster.instance, cluster.namespace, last.revision
    ));
    let req = backup::Request {
        file: args.output_file.clone(),
        dir: dir.clone(),
        revision: last.revision,
        engine_image: &spec.engine.workload.image,
        reason: "manual".into(),
        overwrite: args.force,
        cluster: identity.clone(),
    };
    // A signal drops the backup's future, which removes its partial file.
    let mut stop = crate::interrupt::arm("the partial backup file is removed".into());
    let on_bytes = |n| progress.bytes("backup", n);
    let taken = tokio::select! {
        t = backup::take(&cluster, &req, &on_bytes) => t,
        sig = stop.signal() => {
            progress.finish();
            return Err(Exit::Interrupted(sig).into());
        }
    };
    drop(stop);
    progress.finish();
    let b = taken.map_err(anyhow::Error::msg)?;
    let pruned = if args.output_file.is_none() {
        backup::prune(&dir, settings.backups_keep, identity.as_deref())
    } else {
        Vec::new()
    };
    if printer.is_machine() {
        printer.data(&serde_json::json!({"backup": b, "pruned": pruned}))?;
    } else {
        printer.out(&format!(
            "{} backup written: {} ({}, sha256 {}, PostgreSQL {}){}",
            printer.green("✓"),
            b.path.display(),
            size(b.meta.bytes),
            &b.meta.sha256[..16],
            b.meta.postgres_major(),
            if pruned.is_empty() {
                String::new()
            } else {
                format!(
                    "; removed {} older backup(s), keeping {}",
                    pruned.len(),
                    settings.backups_keep
                )
            }
        ))?;
    }
    Ok(Done::Success)
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

fn list(dir: &std::path::Path, printer: &Printer) -> Result<Done> {
    let all = backup::list(dir);
    if printer.is_machine() {
        printer.data(&serde_json::json!({"directory": dir, "backups": all}))?;
        return Ok(Done::Success);
    }
    let mut out = format!("Backups in {}:\n", dir.display());
    if all.is_empty() {
        out.push_str("  (none)\n");
    }
    for b in &all {
        out.push_str(&format!(
            "  {}  revision {:<3} {:>10}  {}  {}\n",
            b.meta.created,
            b.meta.revision,
            size(b.meta.bytes),
            b.meta.reason,
            b.path.display()
        ));
    }
    printer.out(out.trim_end())?;
    Ok(Done::Success)
}

/// Everything a restore checks before it changes anything; a refusal is exit 2. The file's
/// checksum (a full read), the cluster's identity and the server's version are found at once.
async fn check_file(cluster: &Cluster, args: &RestoreArgs) -> Result<Backup> {
    let refuse = |m: String| anyhow::Error::new(Exit::Usage(format!("{m}; nothing was changed")));
    let path = args.file.clone();
    let verified = tokio::task::spawn_blocking(move || {
        let b = backup::open(&path)?;
        backup::verify(&b)?;
        Ok::<_, String>(b)
    });
    let server = async {
        let pod = backup::postgres_pod(cluster).await?;
        backup::server_version(cluster, &pod).await
    };
    let (verified, identity, server) =
        tokio::join!(verified, backup::cluster_identity(cluster), server);
    let into = backup::Destination {
        cluster,
        identity,
        other_cluster: args.from_other_cluster,
    };
    let b = verified?
        .and_then(|b| backup::belongs_here(b, &into))
        .map_err(refuse)?;
    let server = server.map_err(anyhow::Error::msg)?;
    if b.meta.postgres_major() > server / 10000 {
        return Err(refuse(format!(
            "{} was taken from PostgreSQL {}, newer than the server's {}: pg_restore cannot read it",
            args.file.display(),
            b.meta.postgres_major(),
            server / 10000
        )));
    }
    Ok(b)
}

fn confirm(b: &Backup, cluster: &Cluster, yes: bool, printer: &Printer) -> Result<()> {
    printer.out(&format!(
        "Will restore {} ({}, taken {} at revision {}, engine {})\ninto PostgreSQL of skyflo {:?} in namespace {}:\n  - stop the engine (its pods go away; the UI cannot answer meanwhile)\n  - pg_restore --clean --if-exists in one transaction: every table is replaced by the backup's\n  - start the engine again and wait until it is ready",
        b.path.display(),
        size(b.meta.bytes),
        b.meta.created,
        b.meta.revision,
        b.meta.engine_image,
        cluster.instance,
        cluster.namespace
    ))?;
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(Exit::Usage(
            "refusing to restore without confirmation: there is no terminal to ask on; pass --yes"
                .into(),
        )
        .into());
    }
    let ok = dialoguer::Confirm::with_theme(&dialoguer::theme::SimpleTheme)
        .with_prompt("Replace the database with this backup?")
        .default(false)
        .interact()?;
    if !ok {
        return Err(Exit::Usage("cancelled; nothing was changed".into()).into());
    }
    Ok(())
}

pub async fn restore(args: &RestoreArgs, settings: &Settings, printer: &Printer) -> Result<Done> {
    let cluster = super::connect_named(settings, &args.name).await?;
    // The file is checked while the deployed revision is read; the revision's answer (an
    // external PostgreSQL) is said first.
    let (deployed, checked) = tokio::join!(deployed(&cluster), check_file(&cluster, args));
    let (history, last) = deployed?;
    if !last.spec()?.postgres_in_cluster() {
        return Err(external(&cluster));
    }
    let b = checked?;
    confirm(&b, &cluster, args.yes, printer)?;
    let timeout = super::timeout(&args.wait, settings)?;
    let progress = Progress::new(printer);
    let result = restore::run(&cluster, &b, &history, &last, timeout, &progress).await;
    progress.finish();
    let revision = result?;
    if printer.is_machine() {
        printer.data(&serde_json::json!({"restored": b, "revision": revision}))?;
    } else {
        printer.out(&format!(
            "{} restored {} into skyflo {:?} in namespace {} (revision {revision}); the engine is ready",
            printer.green("✓"),
            b.path.display(),
            cluster.instance,
            cluster.namespace
        ))?;
    }
    Ok(Done::Success)
}
