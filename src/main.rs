//! The `skyflo` binary: completions for the kubectl plugin form, then [`skyflo::main`].

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use skyflo::plugin::{Invocation, complete, invocation};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    match invocation(args.first().map(String::as_str).unwrap_or("skyflo")) {
        Invocation::KubectlCompletion => {
            print!("{}", complete(&args[1..]));
            ExitCode::SUCCESS
        }
        // As `kubectl skyflo`: help and errors show the command the user typed.
        Invocation::KubectlPlugin => run(skyflo::cli::Cli::command().bin_name("kubectl skyflo")),
        Invocation::Skyflo => run(skyflo::cli::Cli::command()),
    }
}

fn run(command: clap::Command) -> ExitCode {
    let matches = command.get_matches();
    let cli = skyflo::cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    skyflo::main(cli)
}
