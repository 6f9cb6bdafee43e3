//! `skyflo init`: a wizard that writes `skyflo.yaml`. Every question has a flag; questions
//! whose flag is given are not asked, and without a terminal (or with --non-interactive) no
//! question is asked at all. The API key never goes into the file: it is stored in a Secret
//! in the cluster (or an existing Secret is referenced).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read};

use anyhow::{Context, Result};
use dialoguer::{Input, Password, Select, theme::SimpleTheme};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Patch, PatchParams};

use crate::cli::{InitArgs, Placement};
use crate::error::{Done, Exit};
use crate::render::labels;
use crate::settings::Settings;
use crate::spec::llm;
use crate::ui::Printer;

/// Providers offered first (any LiteLLM provider can be typed as "other").
const PROVIDERS: [(&str, &str); 11] = [
    ("openai", "gpt-4o"),
    ("anthropic", "claude-sonnet-4-5"),
    ("gemini", "gemini-2.5-pro"),
    ("azure", "gpt-4o"),
    ("bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0"),
    ("groq", "llama-3.3-70b-versatile"),
    ("mistral", "mistral-large-latest"),
    ("deepseek", "deepseek-chat"),
    ("together_ai", "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
    ("nvidia_nim", "meta/llama-3.1-70b-instruct"),
    ("ollama", "llama3.1"),
];

const SERVICE_TYPES: [&str; 3] = ["NodePort", "ClusterIP", "LoadBalancer"];
const ACCESS: [&str; 3] = ["cluster-admin", "read-only", "none"];

struct Asker {
    interactive: bool,
    theme: SimpleTheme,
}

impl Asker {
    fn select(&self, prompt: &str, items: &[&str], default: usize) -> Result<usize> {
        if !self.interactive {
            return Ok(default);
        }
        Ok(Select::with_theme(&self.theme)
            .with_prompt(prompt)
            .items(items)
            .default(default)
            .interact()?)
    }

    fn text(&self, prompt: &str, default: &str) -> Result<String> {
        if !self.interactive {
            return Ok(default.to_string());
        }
        let mut input = Input::<String>::with_theme(&self.theme)
            .with_prompt(prompt)
            .allow_empty(true);
        if !default.is_empty() {
            input = input.default(default.to_string());
        }
        Ok(input.interact_text()?.trim().to_string())
    }
}

/// The answers, from flags or questions; rendered into the file by [`render`].
#[derive(Debug, Default)]
struct Answers {
    name: String,
    /// Where the file installs (`metadata.namespace`): where the key was stored.
    namespace: String,
    model: String,
    llm_host: String,
    api_key_secret: String,
    postgres: Option<(String, String, String, String)>,
    redis: Option<(String, String, String)>,
    ui: (String, String),
    mcp: (String, String),
    access: String,
    kubeconfig_secret: String,
}

pub async fn run(args: &InitArgs, settings: &Settings, printer: &Printer) -> Result<Done> {
    let path = args.file.clone();
    if path.exists() && !args.force {
        return Err(Exit::Usage(format!(
            "{} exists; pass --force to overwrite it",
            path.display()
        ))
        .into());
    }
    let interactive =
        !args.non_interactive && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let ask = Asker {
        interactive,
        theme: SimpleTheme,
    };
    let mut a = Answers {
        name: args.name.clone(),
        namespace: settings.namespace.clone(),
        ..Default::default()
    };
    ask_model(&ask, args, &mut a)?;
    ask_key(&ask, args, &mut a, settings, printer).await?;
    a.postgres = ask_postgres(&ask, args)?;
    a.redis = ask_redis(&ask, args)?;
    ask_access(&ask, args, &mut a)?;
    write(&path, &a, printer)?;
    Ok(Done::Success)
}

/// The LLM provider, model and self-hosted endpoint.
fn ask_model(ask: &Asker, args: &InitArgs, a: &mut Answers) -> Result<()> {
    a.model = match &args.model {
        Some(m) => m.clone(),
        None => {
            let mut items: Vec<String> = PROVIDERS.iter().map(|(p, _)| p.to_string()).collect();
            items.push("other".into());
            let refs: Vec<&str> = items.iter().map(String::as_str).collect();
            let i = ask.select("LLM provider", &refs, 0)?;
            let (provider, default_model) = if i < PROVIDERS.len() {
                (PROVIDERS[i].0.to_string(), PROVIDERS[i].1.to_string())
            } else {
                (
                    ask.text("Provider (LiteLLM name, e.g. xai)", "")?,
                    String::new(),
                )
            };
            let model = ask.text("Model", &default_model)?;
            format!("{provider}/{model}")
        }
    };
    if !a.model.contains('/') {
        return Err(Exit::Usage(format!(
            "--model {:?}: expected provider/model, e.g. openai/gpt-4o",
            a.model
        ))
        .into());
    }
    let provider = llm::provider_of(&a.model).to_string();
    a.llm_host = match &args.llm_host {
        Some(h) => h.clone(),
        None if provider == "ollama" => ask.text("Ollama endpoint", "http://ollama:11434")?,
        None => ask.text(
            "Self-hosted LLM endpoint (empty for the provider's API)",
            "",
        )?,
    };
    Ok(())
}

/// The key: into a Secret now, an existing Secret, or later. Stored before the file is
/// written, never in it.
async fn ask_key(
    ask: &Asker,
    args: &InitArgs,
    a: &mut Answers,
    settings: &Settings,
    printer: &Printer,
) -> Result<()> {
    let (vars, needs_key) = llm::key_vars(llm::provider_of(&a.model));
    let mut key_to_store: Option<BTreeMap<String, String>> = None;
    if let Some(s) = &args.api_key_secret {
        a.api_key_secret = s.clone();
    } else if args.api_key_stdin {
        let Some(first) = vars.first() else {
            return Err(Exit::Usage(format!(
                "--api-key-stdin: skyflo knows no API key variable for {}; leave the flag out, or \
name a Secret whose keys become the engine's environment with --api-key-secret",
                a.model
            ))
            .into());
        };
        let mut key = String::new();
        std::io::stdin()
            .read_to_string(&mut key)
            .context("reading the API key from stdin")?;
        let key = key.trim().to_string();
        if key.is_empty() {
            return Err(Exit::Usage("--api-key-stdin: standard input was empty".into()).into());
        }
        key_to_store = Some(BTreeMap::from([(first.clone(), key)]));
    } else if needs_key && ask.interactive {
        key_to_store = ask_key_interactively(ask, &vars, a)?;
    }
    if let Some(values) = key_to_store {
        a.api_key_secret = format!("{}-llm-credentials", a.name);
        store_key(settings, &a.api_key_secret, &a.name, &values).await?;
        printer.info(&format!(
            "Stored {} in Secret {}/{} (not in the file).",
            values.keys().cloned().collect::<Vec<_>>().join(", "),
            settings.namespace,
            a.api_key_secret
        ));
    }
    Ok(())
}

/// Asks for the key (hidden input), or an existing Secret's name (into `a`), or nothing yet.
fn ask_key_interactively(
    ask: &Asker,
    vars: &[String],
    a: &mut Answers,
) -> Result<Option<BTreeMap<String, String>>> {
    let choice = ask.select(
        &format!(
            "API key ({}); it is never written to the file",
            vars.join(" / ")
        ),
        &[
            "enter it now (stored in a Secret in the cluster)",
            "use an existing Secret",
            "later",
        ],
        0,
    )?;
    match choice {
        0 => {
            let mut values = BTreeMap::new();
            for v in vars {
                let value = Password::with_theme(&ask.theme)
                    .with_prompt(v.as_str())
                    .allow_empty_password(v != &vars[0])
                    .interact()?;
                if !value.is_empty() {
                    values.insert(v.clone(), value);
                }
            }
            Ok(Some(values))
        }
        1 => {
            a.api_key_secret = ask.text("Secret name (its keys become engine env vars)", "")?;
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// In the cluster or external: the flag, else a host given (external), else asked.
fn external(
    ask: &Asker,
    flag: Option<Placement>,
    host: Option<&String>,
    what: &str,
    size: &str,
) -> Result<bool> {
    Ok(match (flag, host) {
        (Some(p), _) => p == Placement::External,
        (None, Some(_)) => true,
        (None, None) => {
            let in_cluster = format!("in the cluster (StatefulSet, {size})");
            ask.select(what, &[in_cluster.as_str(), "external"], 0)? == 1
        }
    })
}

/// The flag's value, else the answer to `prompt` (with `default`).
fn given_or_asked<T: ToString>(
    ask: &Asker,
    flag: Option<T>,
    prompt: &str,
    default: &str,
) -> Result<String> {
    match flag {
        Some(v) => Ok(v.to_string()),
        None => ask.text(prompt, default),
    }
}

/// PostgreSQL in the cluster (`None`), or external: host, port, database, Secret.
fn ask_postgres(ask: &Asker, args: &InitArgs) -> Result<Option<(String, String, String, String)>> {
    if !external(
        ask,
        args.postgres,
        args.postgres_host.as_ref(),
        "PostgreSQL",
        "5Gi",
    )? {
        return Ok(None);
    }
    Ok(Some((
        given_or_asked(ask, args.postgres_host.as_ref(), "PostgreSQL host", "")?,
        given_or_asked(ask, args.postgres_port, "PostgreSQL port", "5432")?,
        given_or_asked(ask, args.postgres_database.as_ref(), "Database", "skyflo")?,
        given_or_asked(
            ask,
            args.postgres_secret.as_ref(),
            "Secret with POSTGRES_USER and POSTGRES_PASSWORD",
            "skyflo-postgres-credentials",
        )?,
    )))
}

/// Redis in the cluster (`None`), or external: host, port, Secret.
fn ask_redis(ask: &Asker, args: &InitArgs) -> Result<Option<(String, String, String)>> {
    if !external(ask, args.redis, args.redis_host.as_ref(), "Redis", "1Gi")? {
        return Ok(None);
    }
    Ok(Some((
        given_or_asked(ask, args.redis_host.as_ref(), "Redis host", "")?,
        given_or_asked(ask, args.redis_port, "Redis port", "6379")?,
        given_or_asked(
            ask,
            args.redis_secret.as_ref(),
            "Secret with REDIS_PASSWORD",
            "skyflo-redis-credentials",
        )?,
    )))
}

/// How the UI and MCP are exposed, and MCP's access to the cluster.
fn ask_access(ask: &Asker, args: &InitArgs, a: &mut Answers) -> Result<()> {
    a.ui = exposure(
        ask,
        "UI",
        args.ui_service.as_deref(),
        args.ui_node_port,
        "30080",
        // ClusterIP: whoever reaches the UI drives the agent; `skyflo dashboard` opens it.
        1,
    )?;
    a.mcp = exposure(
        ask,
        "MCP",
        args.mcp_service.as_deref(),
        args.mcp_node_port,
        "30081",
        // ClusterIP: MCP has no authentication.
        1,
    )?;
    a.access = match &args.access_level {
        Some(l) => l.clone(),
        None => ACCESS[ask.select(
            "MCP's access to the cluster",
            &[
                "cluster-admin (as upstream)",
                "read-only (the built-in view role)",
                "none (use a kubeconfig Secret)",
            ],
            0,
        )?]
        .to_string(),
    };
    a.kubeconfig_secret = match &args.kubeconfig_secret {
        Some(s) => s.clone(),
        None if a.access == "none" => ask.text("Secret whose key `kubeconfig` MCP uses", "")?,
        None => String::new(),
    };
    Ok(())
}

/// Writes the answers as a spec, which must be valid: a bad answer is reported like any bad
/// file.
fn write(path: &std::path::Path, a: &Answers, printer: &Printer) -> Result<()> {
    let yaml = render(a);
    crate::spec::parse(&path.display().to_string(), yaml.as_bytes())?;
    std::fs::write(path, &yaml).with_context(|| format!("writing {}", path.display()))?;
    if printer.is_machine() {
        printer.data(&serde_json::json!({"file": path.display().to_string(), "apiKeySecret": a.api_key_secret}))?;
    } else {
        printer.out(&format!(
            "Wrote {}. Next: skyflo install -f {}",
            path.display(),
            path.display()
        ))?;
    }
    Ok(())
}

fn exposure(
    ask: &Asker,
    what: &str,
    flag: Option<&str>,
    port: Option<u16>,
    default_port: &str,
    default: usize,
) -> Result<(String, String)> {
    let t = match flag {
        Some(t) => t.to_string(),
        None => SERVICE_TYPES[ask.select(
            &format!("How to expose the {what}"),
            &["NodePort", "ClusterIP (port-forward)", "LoadBalancer"],
            default,
        )?]
        .to_string(),
    };
    let p = match (t.as_str(), port) {
        ("ClusterIP", _) => String::new(),
        (_, Some(p)) => p.to_string(),
        ("NodePort", None) => ask.text(&format!("{what} node port (30000-32767)"), default_port)?,
        _ => String::new(),
    };
    Ok((t, p))
}

fn render(a: &Answers) -> String {
    let mut y = String::new();
    y.push_str("# Written by `skyflo init`. Reference: the README's \"File format\" section.\n");
    y.push_str("apiVersion: skyflo.ai/v1\nkind: SkyfloAI\nmetadata:\n");
    y.push_str(&format!(
        "  name: {}\n  namespace: {}\nspec:\n",
        a.name, a.namespace
    ));
    let service = |(t, p): &(String, String)| -> String {
        if p.is_empty() {
            format!("    service: {{type: {t}}}\n")
        } else {
            format!("    service: {{type: {t}, nodePort: {p}}}\n")
        }
    };
    y.push_str("  ui:\n    image: skyfloaiagent/ui:v0.7.0\n    replicas: 1\n");
    y.push_str("    proxy:\n      image: skyfloaiagent/proxy:v0.7.0\n");
    y.push_str(&service(&a.ui));
    y.push_str("  engine:\n    image: skyfloaiagent/engine:v0.7.0\n    replicas: 1\n");
    y.push_str(&format!("    llm:\n      model: {}\n", a.model));
    if !a.llm_host.is_empty() {
        y.push_str(&format!("      host: {}\n", a.llm_host));
    }
    if !a.api_key_secret.is_empty() {
        y.push_str(&format!("      apiKeySecret: {}\n", a.api_key_secret));
    }
    if let Some((host, port, db, secret)) = &a.postgres {
        y.push_str(&format!(
            "    databaseConfig:\n      host: {host}\n      port: {port}\n      database: {db}\n      secretName: {secret}\n"
        ));
    }
    if let Some((host, port, secret)) = &a.redis {
        y.push_str(&format!(
            "    redisConfig:\n      host: {host}\n      port: {port}\n      secretName: {secret}\n"
        ));
    }
    y.push_str("  mcp:\n    image: skyfloaiagent/mcp:v0.7.0\n    replicas: 1\n");
    y.push_str(&format!("    accessLevel: {}\n", a.access));
    if !a.kubeconfig_secret.is_empty() {
        y.push_str(&format!("    kubeconfigSecret: {}\n", a.kubeconfig_secret));
    }
    y.push_str(&service(&a.mcp));
    y.push_str("  networkPolicy:\n    enabled: true\n");
    y
}

/// Creates (or updates) the credentials Secret in the install namespace, creating the
/// namespace as install would: created when absent, never changed when it exists (its labels,
/// PodSecurity level included, are its owner's, and a namespace skyflo did not create is never
/// one `uninstall --purge` may delete).
async fn store_key(
    settings: &Settings,
    secret: &str,
    instance: &str,
    values: &BTreeMap<String, String>,
) -> Result<()> {
    let cluster = super::connect(settings, instance).await?;
    let spec = crate::spec::default_spec();
    let names = crate::render::Names::new(&spec, &settings.namespace);
    if crate::cluster::inventory::get_namespace(&cluster)
        .await?
        .is_none()
    {
        let ns = crate::render::config::namespace(&names);
        crate::cluster::apply::create_namespace(&cluster, &crate::render::Object::Namespace(ns))
            .await?;
    }
    let mut l = BTreeMap::from([
        (labels::NAME.to_string(), "skyflo".to_string()),
        (labels::INSTANCE.to_string(), instance.to_string()),
        (labels::COMPONENT.to_string(), "engine".to_string()),
        (labels::PART_OF.to_string(), "skyflo".to_string()),
        (labels::MANAGED_BY.to_string(), labels::MANAGER.to_string()),
    ]);
    l.insert(labels::KEEP.into(), "true".into());
    let s = Secret {
        metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
            name: Some(secret.to_string()),
            namespace: Some(settings.namespace.clone()),
            labels: Some(l),
            ..Default::default()
        },
        type_: Some("Opaque".into()),
        data: Some(
            values
                .iter()
                .map(|(k, v)| (k.clone(), k8s_openapi::ByteString(v.as_bytes().to_vec())))
                .collect(),
        ),
        ..Default::default()
    };
    cluster
        .typed::<Secret>()
        .patch(
            secret,
            &PatchParams::apply(labels::MANAGER).force(),
            &Patch::Apply(&s),
        )
        .await
        .with_context(|| {
            format!(
                "storing the API key in Secret {}/{secret}",
                settings.namespace
            )
        })?;
    Ok(())
}
