use anyhow::Result;

use crate::cli::RollbackArgs;
use crate::cluster::deploy::{Operation, Options};
use crate::cluster::release;
use crate::error::Exit;
use crate::settings::Settings;
use crate::ui::Printer;

pub async fn run(args: &RollbackArgs, settings: &Settings, printer: &Printer) -> Result<u8> {
    let cluster = super::connect(settings, &args.name.name).await?;
    let history = release::list(&cluster).await?;
    release::last_deployed(&history).ok_or_else(|| {
        Exit::NotInstalled(format!(
            "no deployed skyflo release {:?} in namespace {}",
            args.name.name, cluster.namespace
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
    let opts = Options {
        operation: Operation::Rollback,
        timeout: super::apply::timeout(&args.wait, settings)?,
        wait: !args.wait.no_wait,
        atomic: false,
        plan_only: false,
        llm_credentials: Default::default(),
        namespace_seen: Default::default(),
    };
    super::apply::run(&spec, &opts, settings, printer).await
}
