//! `install` and `upgrade` share one pipeline; they differ in whether a release must exist.

use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::json;

use crate::cli::{InstallArgs, UpgradeArgs};
use crate::cluster::Reporter;
use crate::cluster::install::deploy::{self, Deployed, Operation, Options};
use crate::error::{Done, Exit};
use crate::settings::Settings;
use crate::spec::Spec;
use crate::ui::progress::Progress;
use crate::ui::{Printer, plan};

/// Where `upgrade` and `rollback` back up PostgreSQL before an engine image change.
pub fn backup_to(
    no_backup: bool,
    settings: &Settings,
) -> Option<crate::cluster::install::deploy::BackupTo> {
    (!no_backup).then(|| crate::cluster::install::deploy::BackupTo {
        root: settings.backup_dir.clone(),
        keep: settings.backups_keep,
    })
}

pub async fn install(args: &InstallArgs, settings: &Settings, printer: &Printer) -> Result<Done> {
    // The spec is read and validated before any connection: invalid input never reaches
    // the cluster.
    let llm_env = super::Overrides::from_env(&|k| settings.env.get(k))
        .with_registry(args.registry.registry.as_deref())?
        .with_version(args.version.version.as_deref())?;
    let l = &args.spec;
    let spec = super::read_layers(&l.files, &l.fields, None, &llm_env)?;
    let settings = &settings.for_spec(&spec)?;
    let mut opts = Options {
        operation: Operation::Install,
        timeout: super::timeout(&args.wait, settings)?,
        wait: !args.wait.no_wait,
        atomic: args.atomic,
        plan_only: args.dry_run,
        llm_credentials: super::credentials::given(&spec, &settings.env, printer)?,
        namespace_seen: Default::default(),
        backup: None,
        restore_first: None,
        adopt: None,
    };
    if !args.skip_checks {
        let cluster = super::connect(settings, &spec.name).await?;
        let ask = super::check::LlmAsk {
            given: &opts.llm_credentials,
            offline: args.offline,
            base_override: settings.llm_check_base_url.as_deref(),
        };
        opts.namespace_seen = super::check::before_install(&cluster, &spec, &ask, printer).await?;
    }
    let (done, deployed) = run(&spec, &opts, settings, printer).await?;
    if !opts.plan_only {
        admin_after(&deployed, settings, args.admin_email.as_deref(), printer).await?;
    }
    Ok(done)
}

/// After an install or upgrade: the first admin, when asked for (`--admin-email`); else,
/// when the UI is reachable from outside and no account exists, say so and name the command
/// (whoever registers first would become the admin).
async fn admin_after(
    spec: &Spec,
    settings: &Settings,
    email: Option<&str>,
    printer: &Printer,
) -> Result<()> {
    let exposed = crate::spec::exposure(spec).ui_outside;
    if email.is_none() && exposed.is_none() {
        return Ok(());
    }
    let cluster = super::connect(settings, &spec.name).await?;
    let exists = crate::cluster::engine::admin_exists(&cluster).await;
    match (email, exists, exposed) {
        (Some(e), Ok(false), _) => {
            let pw = crate::render::secrets::random_token();
            let secret = crate::cluster::engine::store_admin_secret(&cluster, e, &pw).await?;
            let name = e.split('@').next().unwrap_or_default();
            crate::cluster::engine::create_admin(&cluster, e, &pw, name)
                .await
                .map_err(anyhow::Error::msg)?;
            printer.info(&format!(
                "admin {e} created; its generated password is in Secret {}/{secret}",
                cluster.namespace
            ));
        }
        (Some(e), Ok(true), _) => anyhow::bail!(
            "--admin-email {e}: the installation is done, but an account registered first and is the admin, so \
{e} was not created; ask that admin to add you (Settings, Team in the UI)"
        ),
        (_, Ok(false), Some(how)) => printer.warn(&format!(
            "the UI is reachable from outside the cluster through {how} and NO ADMIN exists: whoever registers \
first becomes it. Create it now: skyflo admin create -n {} --email E",
            cluster.namespace
        )),
        (_, Err(why), _) => printer.warn(&format!(
            "could not ask the engine whether an admin exists ({why}); `skyflo admin create -n {} --email E` \
creates the first one",
            cluster.namespace
        )),
        _ => {}
    }
    Ok(())
}

pub async fn upgrade(args: &UpgradeArgs, settings: &Settings, printer: &Printer) -> Result<Done> {
    let llm_env = super::Overrides::from_env(&|k| settings.env.get(k))
        .with_registry(args.registry.registry.as_deref())?
        .with_version(args.version.version.as_deref())?;
    let l = &args.spec;
    let spec = match l.files.is_empty() {
        false => super::read_layers(&l.files, &l.fields, None, &llm_env)?,
        true => {
            let cluster = super::connect_named(settings, &args.name).await?;
            let history = crate::cluster::release::list(&cluster).await?;
            let deployed = crate::cluster::release::last_deployed(&history).ok_or_else(|| {
                Exit::NotInstalled(format!(
                    "no deployed skyflo release {:?} in namespace {} to start from; pass -f FILE, or run `skyflo install` first",
                    cluster.instance, cluster.namespace
                ))
            })?;
            super::read_layers(&[], &l.fields, Some(deployed), &llm_env)?
        }
    };
    let settings = &settings.for_spec(&spec)?;
    let diff = args.diff;
    let opts = Options {
        operation: Operation::Upgrade,
        timeout: super::timeout(&args.wait, settings)?,
        wait: !args.wait.no_wait,
        atomic: args.atomic,
        plan_only: args.diff,
        llm_credentials: super::credentials::given(&spec, &settings.env, printer)?,
        namespace_seen: Default::default(),
        backup: backup_to(args.no_backup, settings),
        restore_first: None,
        adopt: None,
    };
    let (done, deployed) = run(&spec, &opts, settings, printer).await?;
    if !diff {
        admin_after(&deployed, settings, None, printer).await?;
    }
    Ok(done)
}

pub async fn run(
    spec: &Spec,
    opts: &Options,
    settings: &Settings,
    printer: &Printer,
) -> Result<(Done, Spec)> {
    if opts.operation != Operation::Rollback {
        for w in crate::spec::warnings(spec) {
            printer.warn(&w);
        }
    }
    let cluster = super::connect(settings, &spec.name).await?;
    let started = Instant::now();
    let progress = Progress::new(printer);
    printer.info(&format!(
        "{} {} {:?} in namespace {} ({})",
        match opts.operation {
            Operation::Install => "Installing",
            Operation::Upgrade => "Upgrading",
            Operation::Rollback => "Rolling back",
            Operation::Adopt => "Adopting",
        },
        "SkyfloAI",
        spec.name,
        cluster.namespace,
        cluster.server
    ));
    let result = deploy::deploy(&cluster, spec, opts, &progress).await;
    progress.finish();
    let done = result?;
    // What was deployed: an exposure the spec did not choose is kept from the cluster.
    let deployed = done.kept.clone().unwrap_or_else(|| spec.clone());
    let code = report(&done, &deployed, opts, &cluster, started.elapsed(), printer)?;
    Ok((code, deployed))
}

fn report(
    done: &Deployed,
    spec: &Spec,
    opts: &Options,
    cluster: &crate::cluster::Cluster,
    took: Duration,
    printer: &Printer,
) -> Result<Done> {
    let changed = done.plan.has_changes();
    let code = if opts.plan_only && changed && opts.operation == Operation::Upgrade {
        Done::ChangesPending
    } else {
        Done::Success
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
    // A fresh install is all creations (the progress lines give the count); anything else
    // shows each object that changes.
    let (_, updated, _, pruned) = done.plan.count();
    let only_creates = updated == 0 && pruned == 0;
    if opts.plan_only || printer.verbose || (changed && !printer.quiet && !only_creates) {
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
                    Operation::Adopt => "adopted",
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
    let ui = match (&spec.ui.ingress, spec.ui.service.node_port) {
        (Some(i), _) => format!(
            "UI:  {} (Ingress {}-ui)",
            i.hosts
                .iter()
                .map(|h| format!(
                    "{}://{h}",
                    if i.tls_secret.is_some() {
                        "https"
                    } else {
                        "http"
                    }
                ))
                .collect::<Vec<_>>()
                .join(", "),
            spec.name
        ),
        (None, Some(p)) => format!("UI:  NodePort {p} (http://<node-address>:{p})"),
        (None, None) if spec.ui.service.type_ == crate::spec::ServiceType::ClusterIP => format!(
            "UI:  inside the cluster only; open it with `skyflo dashboard -n {namespace}`{}",
            if spec.name == crate::spec::DEFAULT_NAME {
                String::new()
            } else {
                format!(" --name {}", spec.name)
            }
        ),
        (None, None) => format!(
            "UI:  {} (see `skyflo status -n {namespace}` for its address)",
            spec.ui.service.type_.as_str()
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
