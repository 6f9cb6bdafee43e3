use anyhow::Result;

use crate::cli::CheckArgs;
use crate::cluster::Cluster;
use crate::cluster::check::{self, Check, Outcome};
use crate::settings::Settings;
use crate::spec::Spec;
use crate::ui::Printer;

pub async fn run(args: &CheckArgs, settings: &Settings, printer: &Printer) -> Result<u8> {
    let l = &args.spec;
    let spec = super::read_layers(
        &l.files,
        &l.set,
        &l.set_string,
        None,
        &super::LlmEnv::default(),
    )?;
    let cluster = super::connect(settings, &spec.name).await?;
    let checks = check::run(&cluster, &spec).await?;
    if printer.is_machine() {
        printer.data(&serde_json::json!({
            "passed": !failed(&checks),
            "checks": checks,
        }))?;
    } else {
        printer.out(&text(&checks, printer))?;
    }
    Ok(if failed(&checks) { 1 } else { 0 })
}

pub fn failed(checks: &[Check]) -> bool {
    checks.iter().any(|c| c.outcome == Outcome::Fail)
}

pub fn text(checks: &[Check], printer: &Printer) -> String {
    let mut out = String::new();
    for c in checks {
        let mark = match c.outcome {
            Outcome::Pass => printer.green("✓"),
            Outcome::Warn => printer.yellow("!"),
            Outcome::Fail => printer.red("✗"),
        };
        out.push_str(&format!("{mark} {:<12} {}\n", c.name, c.message));
        if !c.hint.is_empty() {
            out.push_str(&format!(
                "  {:<12} {}\n",
                "",
                printer.dim(&format!("hint: {}", c.hint))
            ));
        }
    }
    out
}

/// The pre-flight run of `install`: prints problems and stops before any write when a
/// check fails.
pub async fn before_install(cluster: &Cluster, spec: &Spec, printer: &Printer) -> Result<()> {
    let checks = check::run(cluster, spec).await?;
    let problems: Vec<&Check> = checks
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .collect();
    if !problems.is_empty() && !printer.quiet {
        let owned: Vec<Check> = problems.iter().map(|c| (*c).clone()).collect();
        eprint!("{}", text(&owned, printer));
    }
    if failed(&checks) {
        anyhow::bail!(
            "pre-flight checks failed (see above); nothing was changed. Fix them, or pass --skip-checks"
        );
    }
    Ok(())
}
