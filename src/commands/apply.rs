//! `install` and `upgrade` share one pipeline; they differ in whether a release must exist.

use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::json;

use crate::cli::{InstallArgs, UpgradeArgs, WaitArgs};
use crate::cluster::Reporter;
use crate::cluster::deploy::{self, Deployed, Operation, Options};
use crate::error::{EXIT_CHANGES_PENDING, Exit};
use crate::settings::{Settings, parse_duration};
use crate::spec::Spec;
use crate::ui::progress::Progress;
use crate::ui::{Printer, plan};

pub fn timeout(args: &WaitArgs, settings: &Settings) -> Result<Duration, Exit> {
    match &args.timeout {
        Some(t) => parse_duration(t).map_err(Exit::Usage),
        None => Ok(settings.timeout),
    }
}

pub async fn install(args: &InstallArgs, settings: &Settings, printer: &Printer) -> Result<u8> {
    // The spec is read and validated before any connection: invalid input never reaches
    // the cluster.
    let spec = super::read_spec(args.spec.file.as_deref())?;
    let opts = Options {
        operation: Operation::Install,
        timeout: timeout(&args.wait, settings)?,
        wait: !args.wait.no_wait,
        atomic: args.atomic,
        plan_only: args.dry_run,
    };
    if !args.skip_checks {
        let cluster = super::connect(settings, &spec.name).await?;
        super::check::before_install(&cluster, &spec, printer).await?;
    }
    run(&spec, &opts, settings, printer).await
}

pub async fn upgrade(args: &UpgradeArgs, settings: &Settings, printer: &Printer) -> Result<u8> {
    let spec = super::read_spec(Some(&args.file))?;
    let opts = Options {
        operation: Operation::Upgrade,
        timeout: timeout(&args.wait, settings)?,
        wait: !args.wait.no_wait,
        atomic: args.atomic,
        plan_only: args.diff,
    };
    run(&spec, &opts, settings, printer).await
}

pub async fn run(
    spec: &Spec,
    opts: &Options,
    settings: &Settings,
    printer: &Printer,
) -> Result<u8> {
    let cluster = super::connect(settings, &spec.name).await?;
    let started = Instant::now();
    let progress = Progress::new(printer);
    printer.info(&format!(
        "{} {} {:?} in namespace {} ({})",
        match opts.operation {
            Operation::Install => "Installing",
            Operation::Upgrade => "Upgrading",
            Operation::Rollback => "Rolling back",
        },
        "SkyfloAI",
        spec.name,
        cluster.namespace,
        cluster.server
    ));
    let result = deploy::deploy(&cluster, spec, opts, &progress).await;
    progress.finish();
    let done = result?;
    report(&done, spec, opts, &cluster, started.elapsed(), printer)
}

fn report(
    done: &Deployed,
    spec: &Spec,
    opts: &Options,
    cluster: &crate::cluster::Cluster,
    took: Duration,
    printer: &Printer,
) -> Result<u8> {
    let changed = done.plan.has_changes();
    let code = if opts.plan_only && changed && opts.operation == Operation::Upgrade {
        EXIT_CHANGES_PENDING
    } else {
        0
    };
    if printer.is_machine() {
        printer.data(&json!({
            "name": spec.name,
            "namespace": cluster.namespace,
            "operation": opts.operation.as_str(),
            "dryRun": opts.plan_only,
            "changed": changed,
            "revision": done.revision,
            "previousRevision": done.previous,
            "durationSeconds": took.as_secs_f64(),
            "plan": plan::json(&done.plan),
        }))?;
        return Ok(code);
    }
    if opts.plan_only || printer.verbose || (changed && !printer.quiet) {
        printer.out(&plan::text(&done.plan, printer))?;
    }
    if opts.plan_only {
        if !changed {
            printer.out("No changes: the cluster already matches the spec.")?;
        }
        return Ok(code);
    }
    match done.revision {
        None => printer.out(&format!(
            "{} {:?} is up to date in namespace {} (revision {}); nothing changed.",
            printer.green("✓"),
            spec.name,
            cluster.namespace,
            done.previous.map_or("?".into(), |r| r.to_string())
        ))?,
        Some(rev) => {
            printer.out(&format!(
                "{} {:?} {} in namespace {}: revision {rev}{} ({:.1}s)",
                printer.green("✓"),
                spec.name,
                match opts.operation {
                    Operation::Install => "installed",
                    Operation::Upgrade => "upgraded",
                    Operation::Rollback => "rolled back",
                },
                cluster.namespace,
                if opts.wait {
                    ", all components ready"
                } else {
                    " (not waited for)"
                },
                took.as_secs_f64()
            ))?;
            if !printer.quiet {
                printer.out(&access_hint(spec, &cluster.namespace))?;
            }
        }
    }
    Ok(code)
}

/// How to reach the UI and MCP.
pub fn access_hint(spec: &Spec, namespace: &str) -> String {
    let ui = match spec.ui.service.node_port {
        Some(p) => format!("UI:  NodePort {p} (http://<node-address>:{p})"),
        None => format!(
            "UI:  kubectl -n {namespace} port-forward svc/{}-ui 3000:80, then http://localhost:3000",
            spec.name
        ),
    };
    let mcp = match spec.mcp.service.node_port {
        Some(p) => format!("MCP: NodePort {p}"),
        None => format!(
            "MCP: kubectl -n {namespace} port-forward svc/{}-mcp 8888:8888",
            spec.name
        ),
    };
    format!("  {ui}\n  {mcp}")
}

/// A reporter is needed by the lower layers even when nothing is shown.
pub fn silent() -> impl Reporter {
    crate::cluster::Silent
}
