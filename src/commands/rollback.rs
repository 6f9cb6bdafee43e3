//! `skyflo rollback [REVISION]`: deploy an earlier revision's spec again (optionally
//! restoring the backup taken before it).

use anyhow::Result;

use crate::cli::RollbackArgs;
use crate::cluster::install::deploy::{Operation, Options};
use crate::cluster::release;
use crate::error::{Done, Exit};
use crate::settings::Settings;
use crate::ui::Printer;

pub async fn run(args: &RollbackArgs, settings: &Settings, printer: &Printer) -> Result<Done> {
    let cluster = super::connect_named(settings, &args.name).await?;
    let history = release::list(&cluster).await?;
    release::last_deployed(&history).ok_or_else(|| {
        Exit::NotInstalled(format!(
            "no deployed skyflo release {:?} in namespace {}",
            cluster.instance, cluster.namespace
        ))
    })?;
    let target = match args.revision {
        Some(n) => history.iter().find(|r| r.revision == n).ok_or_else(|| {
            Exit::Usage(format!(
                "revision {n} is not in the history (kept: {}); see `skyflo history`",
                history
                    .iter()
                    .map(|r| r.revision.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?,
        None => release::rollback_target(&history)
            .ok_or_else(|| Exit::Usage("there is no earlier revision to roll back to".into()))?,
    };
    let spec = target.spec()?;
    printer.info(&format!(
        "Rolling back to the spec of revision {}",
        target.revision
    ));
    let restore_first = migrated(&cluster, &history, target, &spec, args, printer).await?;
    let opts = Options {
        operation: Operation::Rollback,
        timeout: super::timeout(&args.wait, settings)?,
        wait: !args.wait.no_wait,
        atomic: false,
        plan_only: false,
        llm_credentials: Default::default(),
        namespace_seen: Default::default(),
        backup: super::apply::backup_to(args.no_backup, settings),
        restore_first,
        adopt: None,
    };
    Ok(super::apply::run(&spec, &opts, settings, printer).await?.0)
}

/// Going back to an older engine image: the newer one has migrated the database since. The
/// backup taken before the first engine change after `target` holds the data as the older
/// engine knew it; `--restore` restores it (checked now, before anything changes).
async fn migrated(
    cluster: &crate::cluster::Cluster,
    history: &[release::Release],
    target: &release::Release,
    spec: &crate::spec::Spec,
    args: &RollbackArgs,
    printer: &Printer,
) -> Result<Option<crate::cluster::data::backup::Backup>> {
    use crate::cluster::data::backup;
    let Some((now, then)) = crate::cluster::install::deploy::engine_image_change(history, spec)
    else {
        return Ok(None);
    };
    let taken = history
        .iter()
        .filter(|r| r.revision > target.revision)
        .find_map(|r| r.backup.clone().map(|b| (r.revision, b)));
    match (taken, args.restore) {
        (None, true) => Err(Exit::Usage(format!(
            "no backup was taken since revision {} (upgrades with --no-backup, or from before backups); nothing was changed",
            target.revision
        ))
        .into()),
        (None, false) => {
            printer.warn(&format!(
                "the engine goes back from {now} to {then}, but the database was migrated by the newer engine, and no backup was taken since revision {}",
                target.revision
            ));
            Ok(None)
        }
        (Some((rev, file)), false) => {
            printer.warn(&format!(
                "the engine goes back from {now} to {then}, but the database was migrated by the newer engine; \
--restore restores {file}, taken before revision {rev}"
            ));
            Ok(None)
        }
        (Some((_, file)), true) => {
            let refuse =
                |m: String| anyhow::Error::new(Exit::Usage(format!("{m}; nothing was changed")));
            let into = backup::Destination {
                cluster,
                identity: backup::cluster_identity(cluster).await,
                other_cluster: args.from_other_cluster,
            };
            let b = backup::checked(std::path::Path::new(&file), &into).map_err(refuse)?;
            printer.info(&format!(
                "restoring {file} first (the engine is stopped meanwhile)"
            ));
            Ok(Some(b))
        }
    }
}
