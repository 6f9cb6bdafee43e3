//! `kubectl skyflo …`: installed as `kubectl-skyflo`, skyflo is a kubectl plugin; installed as
//! `kubectl_complete-skyflo`, it answers kubectl's shell completion for the plugin form, in
//! the format of Cobra's `__complete` (one candidate a line, `name\tdescription`, then
//! `:<directive>`), which kubectl passes through to bash, zsh and fish.

use clap::CommandFactory;

use crate::cli::Cli;

/// How this process was started, from its program name.
#[derive(Debug, PartialEq, Eq)]
pub enum Invocation {
    Skyflo,
    KubectlPlugin,
    KubectlCompletion,
}

pub fn invocation(argv0: &str) -> Invocation {
    let name = std::path::Path::new(argv0)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(argv0);
    match name {
        "kubectl-skyflo" => Invocation::KubectlPlugin,
        "kubectl_complete-skyflo" => Invocation::KubectlCompletion,
        _ => Invocation::Skyflo,
    }
}

/// Cobra's ShellCompDirectiveNoFileComp: no file names as candidates.
const NO_FILE_COMP: u8 = 4;

/// Candidates for the last of `args` (the word being completed), after the words before it:
/// subcommands, then long flags of the command reached, with their one-line help.
pub fn complete(args: &[String]) -> String {
    let root = Cli::command();
    let (current, before) = args
        .split_last()
        .map_or(("", &[][..]), |(c, b)| (c.as_str(), b));
    let mut cmd = &root;
    for word in before {
        if let Some(sub) = cmd.get_subcommands().find(|s| s.get_name() == word) {
            cmd = sub;
        }
    }
    let mut out = String::new();
    let line = |name: &str, about: Option<&clap::builder::StyledStr>| match about {
        Some(a) => format!(
            "{name}\t{}\n",
            a.to_string().lines().next().unwrap_or_default()
        ),
        None => format!("{name}\n"),
    };
    if !current.starts_with('-') {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            if sub.get_name().starts_with(current) {
                out.push_str(&line(sub.get_name(), sub.get_about()));
            }
        }
    }
    if current.starts_with('-') || out.is_empty() {
        let args = cmd.get_arguments().chain(root.get_arguments());
        for a in args.filter(|a| !a.is_hide_set()) {
            if let Some(long) = a.get_long() {
                let flag = format!("--{long}");
                if flag.starts_with(current) {
                    out.push_str(&line(&flag, a.get_help()));
                }
            }
        }
    }
    out.push_str(&format!(":{NO_FILE_COMP}\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn completes_subcommands_then_flags_in_cobras_format() {
        let out = complete(&words(&["st"]));
        assert!(out.starts_with("status\t"), "{out}");
        assert!(out.ends_with(":4\n"));
        let flags = complete(&words(&["uninstall", "--pu"]));
        assert!(flags.contains("--purge\t"), "{flags}");
        let global = complete(&words(&["status", "--name"]));
        assert!(
            global.contains("--namespace\t") && global.contains("--name\t"),
            "{global}"
        );
        assert_eq!(
            invocation("/usr/local/bin/kubectl-skyflo"),
            Invocation::KubectlPlugin
        );
        assert_eq!(
            invocation("kubectl_complete-skyflo"),
            Invocation::KubectlCompletion
        );
        assert_eq!(invocation("skyflo"), Invocation::Skyflo);
    }
}
