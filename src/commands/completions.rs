//! `skyflo completions SHELL`: shell completions generated from the clap definition.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};

/// Completions for `shell`, generated from the clap definitions (also used by the drift test
/// that compares them with `completions/`).
pub fn generate(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "skyflo", &mut out);
    out
}

pub fn run(args: &CompletionsArgs) -> Result<()> {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    o.write_all(&generate(args.shell))?;
    o.flush()?;
    Ok(())
}
