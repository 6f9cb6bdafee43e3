//! `skyflo verify`: named end-to-end checks through port-forwards; exit 0 or 3.

use anyhow::Result;

use crate::cli::VerifyArgs;
use crate::cluster::diagnose::check::Outcome;
use crate::cluster::diagnose::verify::{self, CHECKS};
use crate::error::{Done, Exit};
use crate::settings::Settings;
use crate::ui::Printer;

pub async fn run(args: &VerifyArgs, settings: &Settings, printer: &Printer) -> Result<Done> {
    for c in &args.checks {
        if !CHECKS.iter().any(|(n, _)| n == c) {
            let valid: Vec<&str> = CHECKS.iter().map(|(n, _)| *n).collect();
            return Err(
                Exit::Usage(format!("unknown check {c:?}; valid: {}", valid.join(", "))).into(),
            );
        }
    }
    let cluster = super::connect_named(settings, &args.name).await?;
    printer.info(&format!(
        "Verifying SkyfloAI {:?} in namespace {} through port-forwards ({})",
        cluster.instance, cluster.namespace, cluster.server
    ));
    let checks = verify::run(&cluster, &args.checks).await;
    let passed = checks.iter().filter(|c| c.outcome == Outcome::Pass).count();
    let summary = format!("{passed}/{} checks passed", checks.len());
    if printer.is_machine() {
        printer.data(&serde_json::json!({
            "passed": passed,
            "total": checks.len(),
            "checks": checks,
        }))?;
    } else {
        let mut text = super::check::text(&checks, printer);
        text.push_str(&format!("\n{summary}\n"));
        printer.out(&text)?;
    }
    Ok(if passed == checks.len() {
        Done::Success
    } else {
        Done::NotReady
    })
}
