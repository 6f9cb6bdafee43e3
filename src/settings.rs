//! Effective settings, resolved once from flags, `SKYFLO_*` environment variables, the
//! configuration file and built-in defaults, in that order of precedence.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;

use crate::cli::{ColorChoice, GlobalArgs, OutputFormat};
use crate::error::Exit;
use crate::spec::DEFAULT_NAMESPACE;

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// `~/.config/skyflo/config.toml` on Linux (see `config_path`).
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub namespace: Option<String>,
    pub context: Option<String>,
    pub timeout: Option<String>,
    pub output: Option<OutputFormat>,
    /// Where backups go (default: the platform's data directory, `backups/`).
    pub backup_dir: Option<PathBuf>,
    /// How many backups to keep per installation (default 5).
    pub backups_keep: Option<usize>,
}

/// The process's environment, read once at startup ([`Environment::from_process`]); nothing
/// else in the crate reads it (the failpoint hook aside), so every setting has one source.
#[derive(Debug, Clone, Default)]
pub struct Environment(std::collections::BTreeMap<String, String>);

impl Environment {
    pub fn from_process() -> Self {
        Environment(std::env::vars().collect())
    }

    /// For tests: exactly these variables.
    pub fn of(vars: &[(&str, &str)]) -> Self {
        Environment(
            vars.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
}

/// Who this process is to the installation's lock, and how long its lease lasts.
#[derive(Debug, Clone)]
pub struct LockSettings {
    /// The lease duration this process writes. `SKYFLO_LOCK_LEASE_SECONDS` shortens it for
    /// the lost-lock tests, which would otherwise pause a process for more than 30 s.
    pub lease_seconds: i32,
    /// `USER` (or `LOGNAME`) and the host name, for the holder `user@host/pid`.
    pub user: String,
    pub host: String,
}

pub const LEASE_SECONDS: i32 = 30;

impl LockSettings {
    fn resolve(env: &dyn Fn(&str) -> Option<String>) -> Self {
        LockSettings {
            lease_seconds: env("SKYFLO_LOCK_LEASE_SECONDS")
                .and_then(|v| v.parse::<i32>().ok())
                .filter(|s| (2..=3600).contains(s))
                .unwrap_or(LEASE_SECONDS),
            user: env("USER")
                .or_else(|| env("LOGNAME"))
                .unwrap_or_else(|| "unknown".into()),
            host: std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map(|s| s.trim().to_string())
                .ok()
                .filter(|s| !s.is_empty())
                .or_else(|| env("HOSTNAME"))
                .unwrap_or_else(|| "unknown-host".into()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub namespace: String,
    /// Whether `-n` named the namespace (a spec's `metadata.namespace` then must agree).
    pub namespace_flag: bool,
    pub context: Option<String>,
    pub kubeconfig: Option<PathBuf>,
    pub timeout: Duration,
    pub output: OutputFormat,
    pub quiet: bool,
    pub verbose: bool,
    pub color: bool,
    pub backup_dir: PathBuf,
    pub backups_keep: usize,
    pub lock: LockSettings,
    /// How long a request may wait for the API server's next bytes (`SKYFLO_READ_TIMEOUT`,
    /// seconds; default 60). Long streams (exec, `logs -f`, port-forwards) have none: a
    /// command may be silent for minutes; they end at the operation's deadline instead.
    pub read_timeout: Duration,
    /// `SKYFLO_LLM_CHECK_BASE_URL`: the test hook that points the LLM check at a local server.
    pub llm_check_base_url: Option<String>,
    /// The environment, for what depends on the spec (the provider's key variables,
    /// `LLM_MODEL`/`LLM_HOST`).
    pub env: Environment,
}

pub const DEFAULT_BACKUPS_KEEP: usize = 5;
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// `SKYFLO_BACKUP_DIR`, the config file's `backup_dir`, else the platform's data directory
/// (`~/.local/share/skyflo/backups` on Linux).
fn backup_dir(env: &dyn Fn(&str) -> Option<String>, file: &ConfigFile) -> PathBuf {
    env("SKYFLO_BACKUP_DIR")
        .map(PathBuf::from)
        .or_else(|| file.backup_dir.clone())
        .or_else(|| {
            directories::ProjectDirs::from("ai", "skyflo", "skyflo")
                .map(|d| d.data_dir().join("backups"))
        })
        .unwrap_or_else(|| PathBuf::from("skyflo-backups"))
}

/// Where the configuration file is: `SKYFLO_CONFIG`, else the platform's config directory
/// (`~/.config/skyflo/config.toml` on Linux, `~/Library/Application Support/ai.skyflo.skyflo`
/// on macOS).
pub fn config_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(p) = env("SKYFLO_CONFIG") {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("ai", "skyflo", "skyflo")
        .map(|d| d.config_dir().join("config.toml"))
}

pub fn read_config(path: &Path) -> anyhow::Result<ConfigFile> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).map_err(|e| {
            anyhow::Error::new(Exit::Usage(format!(
                "{}: {}",
                path.display(),
                e.to_string().trim_end()
            )))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Parses `90`, `90s`, `5m`, `1h` or `1m30s`.
/// 30 days: longer than any rollout, short enough that deadlines never overflow.
pub const MAX_TIMEOUT_SECS: u64 = 30 * 24 * 3600;

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad =
        || format!("invalid duration {s:?}; valid: a number of seconds or e.g. 90s, 5m, 1h, 1m30s");
    let s = s.trim();
    if s.is_empty() {
        return Err(bad());
    }
    let within = |secs: u64| {
        if secs > MAX_TIMEOUT_SECS {
            Err(format!(
                "duration {s:?} is too long; valid: at most {}h",
                MAX_TIMEOUT_SECS / 3600
            ))
        } else {
            Ok(Duration::from_secs(secs))
        }
    };
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse::<u64>().map_err(|_| bad()).and_then(within);
    }
    let mut total = 0u64;
    let mut num = String::new();
    for ch in s.chars() {
        if ch.is_ascii_digit() {
            num.push(ch);
            continue;
        }
        let n: u64 = num.parse().map_err(|_| bad())?;
        num.clear();
        let unit = match ch {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return Err(bad()),
        };
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| within(u64::MAX).unwrap_err())?;
    }
    if !num.is_empty() {
        return Err(bad());
    }
    within(total)
}

impl Settings {
    /// These settings for a spec: a spec that names its namespace goes there, as a manifest
    /// does with kubectl; a `-n` that names another is an error (the environment's and the
    /// configuration file's namespace are defaults, which the file overrides).
    pub fn for_spec(&self, spec: &crate::spec::Spec) -> Result<Settings, Exit> {
        let mut out = self.clone();
        let Some(ns) = &spec.namespace else {
            return Ok(out);
        };
        if self.namespace_flag && *ns != self.namespace {
            return Err(Exit::Usage(format!(
                "the namespace from -n ({}) does not match metadata.namespace ({ns}) in the spec; drop -n, or change the file",
                self.namespace
            )));
        }
        out.namespace = ns.clone();
        Ok(out)
    }

    /// Settings from the flags, this process's environment and the configuration file.
    pub fn from_process(args: &GlobalArgs) -> anyhow::Result<Settings> {
        let env = Environment::from_process();
        let config = match config_path(&|k| env.get(k)) {
            Some(p) => read_config(&p)?,
            None => ConfigFile::default(),
        };
        Ok(Settings::resolve(args, &env, &config)?)
    }

    pub fn resolve(
        args: &GlobalArgs,
        environment: &Environment,
        file: &ConfigFile,
    ) -> Result<Settings, Exit> {
        let env = &|k: &str| environment.get(k);
        let namespace = args
            .namespace
            .clone()
            .or_else(|| env("SKYFLO_NAMESPACE"))
            .or_else(|| file.namespace.clone())
            .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string());
        crate::spec::validate::dns_label(&namespace, 63)
            .map_err(|why| Exit::Usage(format!("invalid namespace {namespace:?}: {why}")))?;
        let context = args
            .context
            .clone()
            .or_else(|| env("SKYFLO_CONTEXT"))
            .or_else(|| file.context.clone());
        let timeout = match env("SKYFLO_TIMEOUT").or_else(|| file.timeout.clone()) {
            Some(t) => parse_duration(&t).map_err(Exit::Usage)?,
            None => DEFAULT_TIMEOUT,
        };
        let output = match (args.output, env("SKYFLO_OUTPUT")) {
            (Some(o), _) => o,
            (None, Some(o)) => match o.as_str() {
                "table" => OutputFormat::Table,
                "json" => OutputFormat::Json,
                "yaml" => OutputFormat::Yaml,
                other => {
                    return Err(Exit::Usage(format!(
                        "SKYFLO_OUTPUT={other:?} is not an output format; valid: table, json, yaml"
                    )));
                }
            },
            (None, None) => file.output.unwrap_or(OutputFormat::Table),
        };
        let color = match args.color.unwrap_or(ColorChoice::Auto) {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                env("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::IsTerminal::is_terminal(&std::io::stderr())
            }
        };
        Ok(Settings {
            namespace,
            namespace_flag: args.namespace.is_some(),
            context,
            // KUBECONFIG (a list of files) is read by kube itself when no flag is given.
            kubeconfig: args.kubeconfig.clone(),
            timeout,
            output,
            quiet: args.quiet,
            verbose: args.verbose,
            color,
            backup_dir: backup_dir(env, file),
            backups_keep: file.backups_keep.unwrap_or(DEFAULT_BACKUPS_KEEP).max(1),
            lock: LockSettings::resolve(env),
            read_timeout: env("SKYFLO_READ_TIMEOUT")
                .and_then(|s| s.parse::<u64>().ok())
                .filter(|s| *s > 0)
                .map_or(DEFAULT_READ_TIMEOUT, Duration::from_secs),
            // A test hook: a release build never points the check (and a key) elsewhere.
            llm_check_base_url: env("SKYFLO_LLM_CHECK_BASE_URL")
                .filter(|s| cfg!(debug_assertions) && !s.is_empty()),
            env: environment.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("m").is_err());
        // Huge values are errors, never an overflow or a panic later.
        for huge in [
            "99999999999999999999",
            "18446744073709551615",
            "9999999999999999h",
            "721h",
            "2592001",
        ] {
            let e = parse_duration(huge).unwrap_err();
            assert!(
                e.contains("too long") || e.contains("invalid"),
                "{huge}: {e}"
            );
        }
        assert_eq!(
            parse_duration("720h"),
            Ok(Duration::from_secs(MAX_TIMEOUT_SECS))
        );
    }
}
