//! One module per subcommand. Each resolves its arguments, calls the pipeline and hands the
//! result to the printer.

pub mod admin;
pub mod adopt;
pub mod apply;
pub mod backup;
pub mod check;
pub mod completions;
pub mod credentials;
pub mod dashboard;
pub mod history;
pub mod images;
pub mod init;
pub mod logs;
pub mod rollback;
pub mod status;
pub mod support_bundle;
pub mod template;
pub mod uninstall;
pub mod validate;
pub mod verify;

use std::io::Read;
use std::path::Path;

use crate::cluster::Cluster;
use crate::error::Exit;
use crate::settings::Settings;
use crate::spec::{self, Diagnostic, Spec, SpecErrors};

/// What this run overrides over the spec's layers: `LLM_MODEL` and `LLM_HOST` from the
/// environment (as upstream's install.sh took them), `--registry` and `--version`.
#[derive(Debug, Default)]
pub struct Overrides {
    pub model: Option<String>,
    pub host: Option<String>,
    pub registry: Option<String>,
    /// `--version`: the Skyflo release for every Skyflo image.
    pub version: Option<String>,
}

impl Overrides {
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Self {
        let nonempty = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        Overrides {
            model: nonempty("LLM_MODEL"),
            host: nonempty("LLM_HOST"),
            registry: None,
            version: None,
        }
    }

    /// Adds `--version`, checked here so that its error names the flag.
    pub fn with_version(mut self, flag: Option<&str>) -> Result<Self, Exit> {
        if let Some(v) = flag {
            spec::validate::release_version(v)
                .map_err(|why| Exit::Usage(format!("invalid --version {v:?}: {why}")))?;
            self.version = Some(v.to_string());
        }
        Ok(self)
    }

    /// Adds `--registry`, checked here so that its error names the flag, not a file line.
    pub fn with_registry(mut self, flag: Option<&str>) -> Result<Self, Exit> {
        if let Some(r) = flag {
            spec::validate::registry(r)
                .map_err(|why| Exit::Usage(format!("invalid --registry {r:?}: {why}")))?;
            self.registry = Some(r.to_string());
        }
        Ok(self)
    }
}

/// Reads and validates the spec from its layers. Every failure here is an
/// [`Exit::Invalid`]: exit 2, and nothing was sent to a cluster.
///
/// The layers: the files in order (or, without any, `base`: the deployed
/// revision's spec, else the embedded default), then `--set`, then `--set-string`, then the
/// overrides of this run (environment, `--registry`, `--version`).
pub fn read_layers(
    files: &[std::path::PathBuf],
    fields: &crate::cli::SetArgs,
    base: Option<&crate::cluster::release::Release>,
    llm: &Overrides,
) -> Result<Spec, Exit> {
    use spec::layers::Layer;
    let mut layers = Vec::new();
    for f in files {
        let (name, bytes) = read_file(f)?;
        layers.push(Layer::File { name, bytes });
    }
    if files.is_empty() {
        layers.push(match base {
            Some(r) => Layer::Parsed(Box::new(spec::Loaded {
                raw: r.spec.clone(),
                source: spec::SourceMap::unnamed(&format!("the spec of revision {}", r.revision)),
                unknown_keys: Vec::new(),
            })),
            None => Layer::File {
                name: spec::DEFAULT_SPEC_FILE.to_string(),
                bytes: spec::DEFAULT_SPEC_YAML.as_bytes().to_vec(),
            },
        });
    }
    layers.extend(fields.set.iter().map(|a| Layer::Set {
        arg: a.clone(),
        string: false,
    }));
    layers.extend(fields.set_string.iter().map(|a| Layer::Set {
        arg: a.clone(),
        string: true,
    }));
    let mut loaded = spec::layers::load(&layers)?;
    apply_overrides(&mut loaded.raw, llm);
    Ok(spec::validate::validate(&loaded)?)
}

fn apply_overrides(raw: &mut spec::RawSkyfloAI, llm: &Overrides) {
    if let Some(s) = raw.spec.as_mut() {
        if let Some(r) = &llm.registry {
            s.image_registry = Some(r.clone());
        }
        if let Some(v) = &llm.version {
            s.version = Some(v.clone());
        }
    }
    if (llm.model.is_some() || llm.host.is_some())
        && let Some(engine) = raw.spec.as_mut().and_then(|s| s.engine.as_mut())
    {
        let l = engine.llm.get_or_insert_with(Default::default);
        if let Some(m) = &llm.model {
            l.model = Some(m.clone());
        }
        if let Some(h) = &llm.host {
            l.host = Some(h.clone());
        }
    }
}

/// The bytes of `path` (`-` for stdin), read at most one byte past the size limit.
pub fn read_file(path: &Path) -> Result<(String, Vec<u8>), Exit> {
    let name = path.display().to_string();
    let whole = |message: String| {
        Exit::Invalid(SpecErrors(vec![Diagnostic {
            file: name.clone(),
            line: 0,
            column: 0,
            path: String::new(),
            message,
        }]))
    };
    let limit = spec::load::MAX_FILE_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    let result = if name == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut bytes)
    } else {
        if path.is_dir() {
            return Err(whole(
                "is a directory; pass the path of a SkyfloAI YAML file".into(),
            ));
        }
        std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    };
    match result {
        Ok(_) => Ok((if name == "-" { "<stdin>".into() } else { name.clone() }, bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(whole(
            "no such file; pass an existing SkyfloAI file with -f, or leave -f out to use the embedded default".into(),
        )),
        Err(e) => Err(whole(format!("cannot read the file: {e}"))),
    }
}

/// Connects for the installation `--name` names; without it, the namespace's only skyflo
/// installation (adopted ones are named after upstream's prefix, e.g. `prod-skyflo`), else
/// `skyflo`. Several installations and no `--name`: the user must choose.
pub async fn connect_named(
    settings: &Settings,
    name: &crate::cli::NameArgs,
) -> anyhow::Result<Cluster> {
    if let Some(n) = &name.name {
        return connect(settings, n).await;
    }
    let cluster = connect(settings, spec::DEFAULT_NAME).await?;
    // Who may not list Secrets (a read-only support engineer) gets the default name; the
    // command itself then says what it can and cannot read.
    let Ok(found) = crate::cluster::release::instances(&cluster).await else {
        return Ok(cluster);
    };
    if found.is_empty() || found.contains(spec::DEFAULT_NAME) {
        return Ok(cluster);
    }
    if found.len() > 1 {
        return Err(Exit::Usage(format!(
            "namespace {} holds several skyflo installations ({}); pass --name",
            cluster.namespace,
            found.iter().cloned().collect::<Vec<_>>().join(", ")
        ))
        .into());
    }
    let only = found.into_iter().next().expect("one installation");
    Ok(Cluster {
        instance: only,
        ..cluster
    })
}

/// `--timeout`, else the configured timeout.
pub fn timeout(
    args: &crate::cli::WaitArgs,
    settings: &Settings,
) -> Result<std::time::Duration, Exit> {
    match &args.timeout {
        Some(t) => crate::settings::parse_duration(t).map_err(Exit::Usage),
        None => Ok(settings.timeout),
    }
}

/// Connects to the cluster for the installation `instance` in the configured namespace.
pub async fn connect(settings: &Settings, instance: &str) -> anyhow::Result<Cluster> {
    let (client, streams, server) = crate::cluster::client::connect(settings).await?;
    let lock = settings.lock.clone();
    Ok(Cluster::new(client, server, &settings.namespace, instance, lock).with_streams(streams))
}
