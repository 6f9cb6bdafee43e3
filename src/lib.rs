//! skyflo: installs, inspects, upgrades and removes the Skyflo.ai platform on Kubernetes.
//!
//! Data flows one way: file → [`spec`] (validated) → [`render`] (pure, typed objects) →
//! cluster plan → apply → wait → status. All printing goes through [`ui`].

// Every function of src/ fits on one screen and takes at most six parameters (thresholds in
// clippy.toml); tests/architecture.rs refuses an allow of either.
#![warn(clippy::too_many_lines, clippy::too_many_arguments)]

pub mod cli;
pub mod cluster;
pub mod commands;
pub mod error;
pub mod failpoint;
pub mod interrupt;
pub mod llm_check;
pub mod plugin;
pub mod private;
pub mod redact;
pub mod render;
pub mod settings;
pub mod spec;
pub mod ui;

use std::process::ExitCode;

use cli::{Cli, Command};
use error::Done;
use settings::Settings;

/// Runs the CLI and maps the outcome to an exit code (README "Exit codes").
pub fn main(cli: Cli) -> ExitCode {
    match run(cli) {
        Ok(done) => ExitCode::from(done.code()),
        Err(err) if error::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // Libraries often repeat their source in their own message; a cause already
            // contained in the line above it adds nothing.
            let mut previous = String::new();
            for (i, cause) in err.chain().enumerate() {
                let text = cause.to_string();
                if i > 0 && previous.contains(&text) {
                    continue;
                }
                if i == 0 {
                    eprintln!("error: {text}");
                } else {
                    eprintln!("  caused by: {text}");
                }
                previous = text;
            }
            ExitCode::from(error::code_for(&err))
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<error::Done> {
    let settings = Settings::from_process(&cli.global)?;
    let printer = ui::Printer::new(
        settings.output,
        settings.quiet,
        settings.verbose,
        settings.color,
    );
    let code = match &cli.command {
        Command::Template(a) => {
            commands::template::run(a, &settings, &printer).map(|()| Done::Success)?
        }
        Command::Images(a) => {
            commands::images::run(a, &settings, &printer).map(|()| Done::Success)?
        }
        Command::Validate(a) => commands::validate::run(a, &printer).map(|()| Done::Success)?,
        Command::Completions(a) => {
            commands::completions::run(a, &printer).map(|()| Done::Success)?
        }
        cmd => runtime()?.block_on(async {
            interrupt::install();
            match cmd {
                Command::Init(a) => commands::init::run(a, &settings, &printer).await,
                Command::Install(a) => commands::apply::install(a, &settings, &printer).await,
                Command::Upgrade(a) => commands::apply::upgrade(a, &settings, &printer).await,
                Command::Status(a) => commands::status::run(a, &settings, &printer).await,
                Command::Uninstall(a) => commands::uninstall::run(a, &settings, &printer).await,
                Command::Check(a) => commands::check::run(a, &settings, &printer).await,
                Command::Adopt(a) => commands::adopt::run(a, &settings, &printer).await,
                Command::History(a) => commands::history::run(a, &settings, &printer).await,
                Command::Rollback(a) => commands::rollback::run(a, &settings, &printer).await,
                Command::Logs(a) => commands::logs::run(a, &settings, &printer).await,
                Command::Verify(a) => commands::verify::run(a, &settings, &printer).await,
                Command::Dashboard(a) => commands::dashboard::run(a, &settings, &printer).await,
                Command::Admin(crate::cli::AdminCommand::Create(a)) => {
                    commands::admin::create(a, &settings, &printer).await
                }
                Command::Backup(a) => commands::backup::run(a, &settings, &printer).await,
                Command::Restore(a) => commands::backup::restore(a, &settings, &printer).await,
                Command::SupportBundle(a) => {
                    commands::support_bundle::run(a, &settings, &printer).await
                }
                Command::Template(_)
                | Command::Images(_)
                | Command::Validate(_)
                | Command::Completions(_) => {
                    unreachable!("handled without a runtime")
                }
            }
        })?,
    };
    Ok(code)
}

/// A current-thread runtime: the CLI's work is I/O-bound and sequential per stage.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
