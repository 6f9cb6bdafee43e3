//! `skyflo validate -f FILE`: every problem in a spec file (and its warnings), no cluster.

use anyhow::Result;
use serde::Serialize;

use crate::cli::ValidateArgs;
use crate::error::Exit;
use crate::ui::Printer;

#[derive(Serialize)]
struct Report<'a> {
    file: String,
    valid: bool,
    errors: Vec<JsonDiagnostic<'a>>,
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    line: u64,
    column: u64,
    path: &'a str,
    message: &'a str,
}

pub fn run(args: &ValidateArgs, printer: &Printer) -> Result<()> {
    let result = super::read_layers(
        &args.files,
        &args.fields,
        None,
        &super::Overrides::default(),
    );
    let file = args
        .files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(" + ");
    if printer.is_machine() {
        let errors = match &result {
            Err(Exit::Invalid(e)) => {
                e.0.iter()
                    .map(|d| JsonDiagnostic {
                        line: d.line,
                        column: d.column,
                        path: &d.path,
                        message: &d.message,
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        printer.data(&Report {
            file,
            valid: result.is_ok(),
            errors,
            warnings: result
                .as_ref()
                .map(crate::spec::warnings)
                .unwrap_or_default(),
        })?;
        return match result {
            Ok(_) => Ok(()),
            // Already printed on stdout; the error only sets the exit code.
            Err(e) => Err(anyhow::Error::new(e).context("the spec is invalid")),
        };
    }
    let spec = result?;
    printer.out(&format!(
        "{file} is valid: SkyfloAI {:?} (ui {}, engine {}, mcp {})",
        spec.name, spec.ui.workload.image, spec.engine.workload.image, spec.mcp.workload.image
    ))?;
    for w in crate::spec::warnings(&spec) {
        printer.warn(&w);
    }
    Ok(())
}
