//! `skyflo check` and `install`'s pre-flight: the cluster checks plus the LLM line.

use anyhow::Result;

use crate::cli::CheckArgs;
use crate::cluster::Cluster;
use crate::cluster::diagnose::check::{self, Check, Outcome};
use crate::cluster::inventory::Seen;
use crate::error::Done;
use crate::settings::Settings;
use crate::spec::Spec;
use crate::ui::Printer;

pub async fn run(args: &CheckArgs, settings: &Settings, printer: &Printer) -> Result<Done> {
    let l = &args.spec;
    let spec = super::read_layers(
        &l.files,
        &l.fields,
        None,
        // LLM_MODEL / LLM_HOST as install would take them.
        &super::Overrides::from_env(&|k| settings.env.get(k)),
    )?;
    let settings = &settings.for_spec(&spec)?;
    let cluster = super::connect(settings, &spec.name).await?;
    let given = super::credentials::quiet(&spec, &settings.env)?;
    let report = check::run(&cluster, &spec).await?;
    let mut checks = report.checks;
    if checks.len() > 1 {
        let ask = LlmAsk {
            given: &given,
            offline: args.offline,
            base_override: settings.llm_check_base_url.as_deref(),
        };
        checks.push(llm_line(&cluster, &spec, &ask, &report.namespace).await);
    }
    if printer.is_machine() {
        printer.data(&serde_json::json!({
            "passed": !failed(&checks),
            "checks": checks,
        }))?;
    } else {
        printer.out(&text(&checks, printer))?;
    }
    Ok(if failed(&checks) {
        Done::ChecksFailed
    } else {
        Done::Success
    })
}

pub fn failed(checks: &[Check]) -> bool {
    checks.iter().any(|c| c.outcome == Outcome::Fail)
}

pub fn text(checks: &[Check], printer: &Printer) -> String {
    let mut out = String::new();
    // Names line up in one column (12 wide at least, as `check`'s are).
    let width = checks
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0)
        .max(12);
    for c in checks {
        let mark = match c.outcome {
            Outcome::Pass => printer.green("✓"),
            Outcome::Warn => printer.yellow("!"),
            Outcome::Fail | Outcome::Unverified => printer.red("✗"),
        };
        out.push_str(&format!("{mark} {:<width$} {}\n", c.name, c.message));
        if !c.hint.is_empty() {
            out.push_str(&format!(
                "  {:<width$} {}\n",
                "",
                printer.dim(&format!("hint: {}", c.hint))
            ));
        }
    }
    out
}

/// What the `llm` line asks with: the credentials given for this run, `--offline`, and the
/// test hook's base URL.
pub struct LlmAsk<'a> {
    pub given: &'a std::collections::BTreeMap<String, String>,
    pub offline: bool,
    pub base_override: Option<&'a str>,
}

/// The pre-flight run of `install`: prints problems and stops before any write when a
/// check fails. Returns the namespace as it saw it, for the install to go on from.
pub async fn before_install(
    cluster: &Cluster,
    spec: &Spec,
    ask: &LlmAsk<'_>,
    printer: &Printer,
) -> Result<Seen> {
    let report = check::run(cluster, spec).await?;
    let mut checks = report.checks;
    if checks.len() > 1 {
        checks.push(llm_line(cluster, spec, ask, &report.namespace).await);
    }
    let problems: Vec<&Check> = checks
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .collect();
    if !problems.is_empty() && !printer.quiet {
        let owned: Vec<Check> = problems.iter().map(|c| (*c).clone()).collect();
        printer.err_text(&text(&owned, printer));
    }
    if failed(&checks) {
        anyhow::bail!(
            "pre-flight checks failed (see above); nothing was changed. Fix them, or pass --skip-checks"
        );
    }
    Ok(report.namespace)
}

/// The `llm` line: is there a key for the spec's provider (given now, stored by an earlier
/// install, or in `apiKeySecret`), does the provider accept it, and does it serve the model?
/// Asked from this machine; only a provider that answers and refuses stops an install.
pub async fn llm_line(cluster: &Cluster, spec: &Spec, ask: &LlmAsk<'_>, namespace: &Seen) -> Check {
    let Some(model) = &spec.engine.llm.model else {
        return check::pass("llm", "no model in the spec (the engine's default applies)");
    };
    if ask.offline {
        return check::warn(
            "llm",
            format!("{model}: not checked (--offline)"),
            "run `skyflo check` where the provider can be reached",
        );
    }
    let provider = crate::spec::llm::provider_of(model);
    let (vars, _) = crate::spec::llm::key_vars(provider);
    let (key, stored) = match vars.iter().find_map(|v| ask.given.get(v)) {
        Some(k) => (Some(k.clone()), false),
        // Nothing can be stored in a namespace that does not exist yet.
        None if namespace.absent() => (None, false),
        None => (check::stored_llm_key(cluster, spec, &vars).await, true),
    };
    let host = spec.engine.llm.host.as_deref();
    let asked = key
        .as_deref()
        .map(|value| crate::llm_check::Key { value, stored });
    let verdict = crate::llm_check::probe(model, host, asked, ask.base_override).await;
    // A provider may echo the key in its message: never print it.
    let clean = |m: &str| match &key {
        Some(k) if !k.is_empty() => m.replace(k.as_str(), "(key)"),
        _ => m.to_string(),
    };
    let said = Said {
        provider,
        model,
        keys: vars.join(" / "),
        named: spec.engine.llm.api_key_secret.as_deref(),
    };
    line_for(verdict, &said, &clean)
}

/// What the `llm` line names: the provider, the model and the key's variables.
struct Said<'a> {
    provider: &'a str,
    model: &'a str,
    keys: String,
    /// `spec.engine.llm.apiKeySecret`, where the key was looked for.
    named: Option<&'a str>,
}

/// The `llm` line for the provider's answer; `clean` removes the key from its messages.
fn line_for(
    verdict: crate::llm_check::Verdict,
    said: &Said<'_>,
    clean: &dyn Fn(&str) -> String,
) -> Check {
    use crate::llm_check::{self, Verdict};
    let Said {
        provider,
        model,
        keys,
        ..
    } = said;
    let from_here = "checked from this machine; the cluster's egress can differ";
    match verdict {
        Verdict::Ok => check::pass(
            "llm",
            format!("{provider} accepts the key and serves {model} ({from_here})"),
        ),
        Verdict::Rejected { status, message } => check::fail(
            "llm",
            format!(
                "{provider} rejected the key ({status}: {})",
                clean(&message)
            ),
            format!(
                "check {keys} (environment, or the Secret the engine reads), or pass --skip-checks"
            ),
        ),
        Verdict::UnknownModel { similar } => check::fail(
            "llm",
            format!("{provider} accepts the key but does not serve {model}"),
            if similar.is_empty() {
                "set spec.engine.llm.model (or LLM_MODEL) to a model the provider lists".to_string()
            } else {
                format!(
                    "closest it serves: {}; set spec.engine.llm.model (or LLM_MODEL)",
                    similar.join(", ")
                )
            },
        ),
        Verdict::Timeout => check::unverified(
            "llm",
            format!(
                "{provider} did not answer within {} s",
                llm_check::TIMEOUT.as_secs()
            ),
            format!("the install goes ahead: {from_here}"),
        ),
        Verdict::Unreachable(why) => check::unverified(
            "llm",
            format!("cannot reach {provider}: {}", clean(&why)),
            format!("the install goes ahead: {from_here}"),
        ),
        Verdict::Unexpected { status, message } => check::unverified(
            "llm",
            format!("{provider} answered {status}: {}", clean(&message)),
            format!("the install goes ahead: {from_here}"),
        ),
        Verdict::NoKey => no_key(said),
        Verdict::NotSent(why) => check::unverified(
            "llm",
            format!("{provider}: not checked: {why}"),
            "the install goes ahead; the engine reports a bad key at its first request",
        ),
        Verdict::Unsupported => check::warn(
            "llm",
            format!(
                "skyflo cannot check {provider}'s API; the engine reports a bad key at its first request"
            ),
            format!("checked providers: {}", llm_check::CHECKED),
        ),
    }
}

/// The `llm` line when no key was found: where it was looked for.
fn no_key(said: &Said<'_>) -> Check {
    let Said {
        model, keys, named, ..
    } = said;
    match named {
        Some(secret) => check::warn(
            "llm",
            format!(
                "Secret {secret} (spec.engine.llm.apiKeySecret) holds no {keys}, or does not exist"
            ),
            format!("create it with {keys} (see the `secrets` line), or fix spec.engine.llm.model"),
        ),
        None => check::warn(
            "llm",
            format!("no {keys} found for {model}"),
            "set it in the environment for install/upgrade, or name a Secret in spec.engine.llm.apiKeySecret",
        ),
    }
}
