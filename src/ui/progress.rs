//! The progress reporter: one live line per component on a terminal (indicatif), plain
//! timestamped lines otherwise (logs, CI).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Printer;
use crate::cluster::Reporter;

pub struct Progress {
    multi: Option<MultiProgress>,
    bars: Mutex<HashMap<String, ProgressBar>>,
    quiet: bool,
    printer: Printer,
    /// The last 64 MiB step of a byte count written as a plain line.
    logged: Mutex<u64>,
}

impl Progress {
    pub fn new(printer: &Printer) -> Self {
        let multi = (printer.progress && !printer.is_machine())
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Progress {
            multi,
            bars: Mutex::new(HashMap::new()),
            quiet: printer.quiet || printer.is_machine(),
            printer: printer.clone(),
            logged: Mutex::new(0),
        }
    }

    fn stamp() -> String {
        jiff::Timestamp::now().strftime("%H:%M:%S").to_string()
    }

    fn plain(&self, text: &str) {
        if !self.quiet {
            eprintln!("[{}] {text}", Self::stamp());
        }
    }

    fn bar(&self, multi: &MultiProgress, name: &str) -> ProgressBar {
        let mut bars = self.bars.lock().expect("progress lock");
        bars.entry(name.to_string())
            .or_insert_with(|| {
                let b = multi.add(ProgressBar::new_spinner());
                b.set_style(
                    ProgressStyle::with_template("  {spinner} {prefix:<9} {msg}")
                        .expect("valid template"),
                );
                b.set_prefix(name.to_string());
                b.enable_steady_tick(Duration::from_millis(120));
                b
            })
            .clone()
    }
}

impl Reporter for Progress {
    fn line(&self, text: &str) {
        match &self.multi {
            Some(m) => {
                let _ = m.println(format!("  {text}"));
            }
            None => self.plain(text),
        }
    }

    fn component(&self, name: &str, ready: i32, desired: i32, note: &str) {
        let note = if note.is_empty() {
            String::new()
        } else {
            format!(" - {note}")
        };
        match &self.multi {
            Some(m) => self
                .bar(m, name)
                .set_message(format!("{ready}/{desired} ready{note}")),
            None => self.plain(&format!("{name}: {ready}/{desired} ready{note}")),
        }
    }

    fn component_done(&self, name: &str, summary: &str) {
        match &self.multi {
            Some(m) => {
                let b = self.bar(m, name);
                b.set_style(
                    ProgressStyle::with_template("  {prefix:<11} {msg}").expect("valid template"),
                );
                b.set_prefix(format!("{} {name}", self.printer.green("✓")));
                b.finish_with_message(summary.to_string());
            }
            None => self.plain(&format!("{name}: {summary}")),
        }
    }

    /// A live byte count on a terminal; in logs a line every 64 MiB.
    fn bytes(&self, what: &str, n: u64) {
        let mib = n as f64 / (1024.0 * 1024.0);
        match &self.multi {
            Some(m) => self.bar(m, what).set_message(format!("{mib:.1} MiB")),
            None => {
                let step = 64 * 1024 * 1024;
                let mut last = self.logged.lock().expect("progress lock");
                if n / step > *last {
                    *last = n / step;
                    self.plain(&format!("{what}: {mib:.0} MiB"));
                }
            }
        }
    }

    /// Leaves every component's last line on screen (done or not) as the record of the wait.
    fn finish(&self) {
        if self.multi.is_some() {
            for b in self.bars.lock().expect("progress lock").values() {
                if !b.is_finished() {
                    b.abandon();
                }
            }
        }
    }
}
