//! `skyflo template`: the rendered objects as YAML or JSON, without touching a cluster.

use anyhow::Result;

use crate::cli::TemplateArgs;
use crate::render::{self, Inputs, secrets};
use crate::settings::Settings;
use crate::spec::{Database, Spec};
use crate::ui::Printer;

pub fn run(args: &TemplateArgs, settings: &Settings, printer: &Printer) -> Result<()> {
    let overrides = super::Overrides::default()
        .with_registry(args.registry.registry.as_deref())?
        .with_version(args.version.version.as_deref())?;
    let l = &args.spec;
    let spec = super::read_layers(&l.files, &l.fields, None, &overrides)?;
    let settings = &settings.for_spec(&spec)?;
    let generated = args
        .include_generated_secrets
        .then(|| secrets::resolve(&secrets::ExistingSecrets::default()));
    let inputs = Inputs {
        namespace: settings.namespace.clone(),
        generated,
        // Never from the environment here: template output must not carry a key.
        llm_credentials: Default::default(),
        connection: None,
    };
    let objects = render::render(&spec, &inputs);
    say_what_is_generated(&spec, args.include_generated_secrets, printer);
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

/// The Secrets with generated credentials this spec refers to, for the note on stderr.
fn generated_secrets(spec: &Spec) -> Vec<String> {
    // `<name>-checksum-key` is not listed: no pod reads it, and without it the pod templates
    // carry checksums of ConfigMaps and Secret key names only.
    let mut out = Vec::new();
    if spec.engine.jwt_secret.is_none() {
        out.push(format!("{}-engine-secrets (JWT_SECRET)", spec.name));
    }
    if let Database::InCluster {
        password_secret: None,
        ..
    } = spec.engine.database
    {
        out.push(format!(
            "{}-postgres-secrets (POSTGRES_PASSWORD)",
            spec.name
        ));
    }
    out
}

fn say_what_is_generated(spec: &Spec, included: bool, printer: &Printer) {
    if crate::render::needs_connection(spec) {
        printer.info(&format!(
            "note: {name}-connection is not printed: `skyflo install` and `upgrade` write it from your database \
Secrets (copies of their credentials, keys {} and {} as they are, {} and {} percent-encoded, for the \
connection URLs). With a GitOps tool alone, create it yourself",
            crate::render::secrets::CONNECTION_PG_USER,
            crate::render::secrets::CONNECTION_PG_PASSWORD_PLAIN,
            crate::render::secrets::CONNECTION_PG_PASSWORD,
            crate::render::secrets::CONNECTION_REDIS_PASSWORD,
            name = spec.name,
        ));
    }
    let names = generated_secrets(spec);
    if names.is_empty() {
        return;
    }
    let list = names.join(", ");
    if included {
        printer.warn(&format!(
            "the output includes NEWLY GENERATED credentials in {list}: they differ on every run; \
applying them to an existing installation replaces the password its database was created with"
        ));
    } else {
        printer.info(&format!(
            "note: {list} not printed: they hold credentials generated once per installation \
(`skyflo install` creates them and always reuses them). For GitOps, create them yourself or name your \
own with spec.engine.jwtSecretName / spec.engine.databaseConfig.secretName; \
--include-generated-secrets prints new ones"
        ));
    }
}
