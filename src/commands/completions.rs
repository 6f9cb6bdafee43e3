//! `skyflo completions SHELL`: shell completions generated from the clap definition.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::ui::Printer;

/// Completions for `shell`, generated from the clap definitions (also used by the drift test
/// that compares them with `completions/`).
pub fn generate(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "skyflo", &mut out);
    out
}

pub fn run(args: &CompletionsArgs, printer: &Printer) -> Result<()> {
    printer.out(&String::from_utf8_lossy(&generate(args.shell)))?;
    Ok(())
}
