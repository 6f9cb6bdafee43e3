//! `skyflo images`: every image a spec uses, for mirroring (air-gapped clusters).

use anyhow::Result;

use crate::cli::ImagesArgs;
use crate::render::{self, Inputs, images};
use crate::settings::Settings;
use crate::ui::Printer;

pub fn run(args: &ImagesArgs, settings: &Settings, printer: &Printer) -> Result<()> {
    let overrides = super::Overrides::default()
        .with_registry(args.registry.registry.as_deref())?
        .with_version(args.version.version.as_deref())?;
    let l = &args.spec;
    let spec = super::read_layers(&l.files, &l.fields, None, &overrides)?;
    let settings = &settings.for_spec(&spec)?;
    let inputs = Inputs {
        namespace: settings.namespace.clone(),
        // Only images are read from the render: no credential is generated or printed.
        generated: None,
        llm_credentials: Default::default(),
        connection: None,
    };
    let used = images::list(&render::render(&spec, &inputs));
    if printer.is_machine() {
        printer.data(&used)?;
    } else {
        let lines: Vec<&str> = used.iter().map(|u| u.image.as_str()).collect();
        printer.out(&lines.join("\n"))?;
    }
    Ok(())
}
