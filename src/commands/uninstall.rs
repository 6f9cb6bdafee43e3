//! `skyflo uninstall`: list what goes and what stays, ask, then delete in reverse order.

use std::io::IsTerminal;

use anyhow::Result;

use crate::cli::UninstallArgs;
use crate::cluster::Reporter;
use crate::cluster::install::uninstall::{self, Removal};
use crate::error::{Done, Exit};
use crate::settings::Settings;
use crate::ui::Printer;
use crate::ui::progress::Progress;

pub async fn run(args: &UninstallArgs, settings: &Settings, printer: &Printer) -> Result<Done> {
    let cluster = super::connect_named(settings, &args.name).await?;
    let timeout = super::timeout(&args.wait, settings)?;
    let Some(removal) = uninstall::plan(&cluster, args.purge).await? else {
        if printer.is_machine() {
            printer
                .data(&serde_json::json!({"installed": false, "namespace": cluster.namespace}))?;
        } else {
            printer.out(&format!(
                "Nothing to uninstall: no skyflo installation {:?} in namespace {}.",
                cluster.instance, cluster.namespace
            ))?;
        }
        return Ok(Done::Success);
    };
    // The list is what a confirmation is given for; `-q --yes` asks for none and shows none.
    let silent = printer.quiet && args.yes;
    if !printer.is_machine() && !silent {
        printer.out(&describe(&removal, &cluster.namespace))?;
    }
    if !args.yes {
        confirm(&removal, &cluster.namespace, args.purge)?;
    }
    let progress = Progress::new(printer);
    let result = uninstall::run(&cluster, &removal, timeout, &progress).await;
    progress.finish();
    result?;
    if printer.is_machine() {
        printer.data(&serde_json::json!({"installed": false, "namespace": cluster.namespace, "removed": removal}))?;
    } else {
        printer.out(&format!(
            "{} skyflo {:?} uninstalled from namespace {}{}",
            printer.green("✓"),
            cluster.instance,
            cluster.namespace,
            if args.purge && removal.delete_namespace {
                ", with its data and the namespace".to_string()
            } else if args.purge {
                format!(", with its data; namespace {} kept", cluster.namespace)
            } else if removal.keep.is_empty() {
                String::new()
            } else {
                format!(
                    "; kept {} object(s) with your data (a new install reuses them)",
                    removal.keep.len()
                )
            }
        ))?;
    }
    Ok(Done::Success)
}

fn describe(r: &Removal, namespace: &str) -> String {
    let mut out = String::from("Will delete:\n");
    for k in &r.delete {
        out.push_str(&format!("  - {k}\n"));
    }
    if r.release_records > 0 {
        out.push_str(&format!("  - {} release record(s)\n", r.release_records));
    }
    if r.delete_namespace {
        out.push_str(&format!(
            "  - Namespace {namespace} (skyflo created it, and nothing of anyone else is in it)\n"
        ));
    }
    if !r.keep.is_empty() {
        out.push_str("Will keep (pass --purge to delete them too):\n");
        for k in &r.keep {
            match &k.size {
                Some(s) => out.push_str(&format!("  = {} ({s})\n", k.object)),
                None => out.push_str(&format!("  = {}\n", k.object)),
            }
        }
        out.push_str(&format!("  = Namespace {namespace}\n"));
    }
    if let Some(why) = &r.namespace_kept {
        out.push_str(&format!("Will keep Namespace {namespace}: {why}\n"));
    }
    out
}

fn confirm(r: &Removal, namespace: &str, purge: bool) -> Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(Exit::Usage(
            "refusing to uninstall without confirmation: there is no terminal to ask on; pass --yes".into(),
        )
        .into());
    }
    let theme = dialoguer::theme::SimpleTheme;
    if purge {
        let typed: String = dialoguer::Input::with_theme(&theme)
            .with_prompt(format!(
                "This deletes all data of skyflo and its secrets{}. Type the namespace name to confirm",
                if r.delete_namespace { format!(" and namespace {namespace}") } else { String::new() }
            ))
            .allow_empty(true)
            .interact_text()?;
        if typed.trim() != namespace {
            return Err(Exit::Usage(format!(
                "{typed:?} is not {namespace:?}; nothing was deleted"
            ))
            .into());
        }
    } else {
        let ok = dialoguer::Confirm::with_theme(&theme)
            .with_prompt(format!("Delete {} object(s)?", r.delete.len()))
            .default(false)
            .interact()?;
        if !ok {
            return Err(Exit::Usage("cancelled; nothing was deleted".into()).into());
        }
    }
    Ok(())
}
