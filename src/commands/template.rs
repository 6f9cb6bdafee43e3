use anyhow::Result;

use crate::cli::TemplateArgs;
use crate::render::{self, Inputs, secrets};
use crate::settings::Settings;
use crate::ui::Printer;

pub fn run(args: &TemplateArgs, settings: &Settings, printer: &Printer) -> Result<()> {
    let overrides = super::LlmEnv::default().with_registry(args.registry.registry.as_deref())?;
    let spec = super::read_spec_with(args.spec.file.as_deref(), &overrides)?;
    let inputs = Inputs {
        namespace: settings.namespace.clone(),
        generated: secrets::resolve(&secrets::ExistingSecrets::default()),
        // Never from the environment here: template output must not carry a key.
        llm_credentials: Default::default(),
    };
    let objects = render::render(&spec, &inputs);
    match printer.format {
        crate::cli::OutputFormat::Json => {
            let items: Vec<_> = objects.iter().map(|r| r.object.to_json()).collect();
            printer
                .data(&serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items}))?;
        }
        _ => printer.out(&render::to_yaml(&objects))?,
    }
    Ok(())
}
