//! Output for commands. Results go to stdout; progress, notes and errors to stderr, so that
//! `skyflo status -o json | jq` and `skyflo template | kubectl apply -f -` stay clean.

use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::cli::OutputFormat;

#[derive(Debug, Clone)]
pub struct Printer {
    pub format: OutputFormat,
    pub quiet: bool,
    pub verbose: bool,
    pub color: bool,
    /// Progress bars only on a terminal; logs get plain timestamped lines.
    pub progress: bool,
}

impl Printer {
    pub fn new(format: OutputFormat, quiet: bool, verbose: bool, color: bool) -> Self {
        Printer {
            format,
            quiet,
            verbose,
            color,
            progress: !quiet && std::io::stderr().is_terminal(),
        }
    }

    pub fn is_machine(&self) -> bool {
        self.format != OutputFormat::Table
    }

    /// The command's result, on stdout.
    pub fn out(&self, text: &str) -> std::io::Result<()> {
        let mut o = std::io::stdout().lock();
        o.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            o.write_all(b"\n")?;
        }
        o.flush()
    }

    /// Text for stderr as it is (a report already formatted for the terminal).
    pub fn err_text(&self, text: &str) {
        eprint!("{text}");
    }

    /// Clears the terminal and goes home, like `watch`, when progress is shown there.
    pub fn clear_screen(&self) {
        if self.progress {
            eprint!("\x1b[2J\x1b[H");
        }
    }

    /// A note about what is happening, on stderr; hidden by -q and with -o json|yaml.
    pub fn info(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }

    /// Detail shown only with -v.
    pub fn detail(&self, text: &str) {
        if self.verbose {
            eprintln!("{}", self.dim(text));
        }
    }

    /// A warning on stderr; -q hides it like every other note.
    pub fn warn(&self, text: &str) {
        if !self.quiet {
            eprintln!("{} {text}", self.paint("warning:", "33"));
        }
    }

    /// A serializable result as JSON or YAML on stdout, per -o.
    pub fn data<T: Serialize>(&self, value: &T) -> std::io::Result<()> {
        match self.format {
            OutputFormat::Yaml => self.out(
                &serde_saphyr::to_string(value)
                    .map_err(|e| std::io::Error::other(e.to_string()))?,
            ),
            _ => self.out(&serde_json::to_string_pretty(value).map_err(std::io::Error::other)?),
        }
    }

    pub fn paint(&self, text: &str, ansi: &str) -> String {
        if self.color {
            format!("\x1b[{ansi}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub fn green(&self, t: &str) -> String {
        self.paint(t, "32")
    }
    pub fn red(&self, t: &str) -> String {
        self.paint(t, "31")
    }
    pub fn yellow(&self, t: &str) -> String {
        self.paint(t, "33")
    }
    pub fn bold(&self, t: &str) -> String {
        self.paint(t, "1")
    }
    pub fn dim(&self, t: &str) -> String {
        self.paint(t, "2")
    }
}
