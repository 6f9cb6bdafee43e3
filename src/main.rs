use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = skyflo::cli::Cli::parse();
    skyflo::main(cli)
}
