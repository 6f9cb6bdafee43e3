//! `skyflo logs`: every pod's log of the chosen components, interleaved, each line prefixed.

use anyhow::Result;
use tokio::sync::mpsc;

use crate::cli::LogsArgs;
use crate::cluster::diagnose::logs::{self, Options};
use crate::error::{Done, Exit};
use crate::settings::{Settings, parse_duration};
use crate::ui::Printer;

const COMPONENTS: [&str; 5] = ["ui", "engine", "mcp", "postgres", "redis"];

pub async fn run(args: &LogsArgs, settings: &Settings, printer: &Printer) -> Result<Done> {
    for c in &args.components {
        if !COMPONENTS.contains(&c.as_str()) {
            return Err(Exit::Usage(format!(
                "unknown component {c:?}; valid: {}",
                COMPONENTS.join(", ")
            ))
            .into());
        }
    }
    let since_seconds = match &args.since {
        Some(d) => Some(parse_duration(d).map_err(Exit::Usage)?.as_secs() as i64),
        None => None,
    };
    let opts = Options {
        components: args.components.clone(),
        follow: args.follow,
        since_seconds,
        tail: args.tail,
        previous: args.previous,
    };
    let cluster = super::connect_named(settings, &args.name).await?;
    // Every secret value of the installation goes, in the forms a log shows it.
    let pods = crate::cluster::diagnose::logs::pods(&cluster, &opts).await?;
    let redactor = crate::redact::Redactor::new(
        crate::cluster::diagnose::secrets::known(&cluster, &pods)
            .await
            .values,
    );
    let (tx, mut rx) = mpsc::unbounded_channel();
    let streaming = tokio::spawn({
        let cluster = cluster.clone();
        async move { logs::stream(&cluster, &opts, tx).await }
    });
    let mut stop = crate::interrupt::arm(String::new());
    loop {
        tokio::select! {
            line = rx.recv() => match line {
                Some((prefix, text)) => {
                    printer.out(&format!("{} {}", printer.dim(&prefix), redactor.text(&text)))?
                }
                None => break,
            },
            _ = stop.signal() => break,
        }
    }
    streaming.abort();
    Ok(Done::Success)
}
