//! `skyflo adopt`: find an upstream installation, write the equivalent SkyfloAI file, show
//! what happens to each of its objects, and take it over (see `cluster::adopt`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use serde_json::json;

use crate::cli::AdoptArgs;
use crate::cluster::adopt::{
    self, Adoption, Candidate, Fate, Journal, Leftovers, Upstream, derive, detect, model,
};
use crate::cluster::install::deploy::{self, Operation, Options};
use crate::cluster::{Cluster, Reporter};
use crate::error::{Done, Exit};
use crate::render::{self, Inputs, LlmCredentials, ObjectRef, secrets::Generated};
use crate::settings::Settings;
use crate::spec::Spec;
use crate::ui::Printer;
use crate::ui::progress::Progress;

/// Everything decided before the first write.
struct Planned {
    candidate: Candidate,
    upstream: Upstream,
    spec_yaml: String,
    spec: Spec,
    generated: Generated,
    provider_keys: BTreeMap<String, String>,
    not_expressed: Vec<String>,
    rendered: BTreeSet<ObjectRef>,
    leftovers: Leftovers,
    resumed: bool,
    /// Secrets for an external PostgreSQL or Redis (name → data; values never printed).
    external: BTreeMap<String, BTreeMap<String, String>>,
}

pub async fn run(args: &AdoptArgs, settings: &Settings, printer: &Printer) -> Result<Done> {
    let probe = super::connect(settings, crate::spec::DEFAULT_NAME).await?;
    let survey = detect::survey(&probe).await?;
    let Some((candidate, journal)) = choose(&survey, args, &probe.namespace)? else {
        return nothing_to_adopt(&survey, &probe, printer);
    };
    let cluster = Cluster {
        instance: candidate.prefix.clone(),
        ..probe.clone()
    };
    let planned = plan(&cluster, candidate, journal, &args.write).await?;
    if printer.is_machine() && args.dry_run {
        printer.data(&summary(&planned, &cluster, args, None))?;
        return Ok(Done::Success);
    }
    if !printer.is_machine() {
        printer.out(&describe(&planned, &cluster, args, printer))?;
    }
    if args.dry_run {
        printer.out("Dry run: nothing was written (neither the file nor the cluster).")?;
        return Ok(Done::Success);
    }
    if !args.yes {
        confirm(&planned)?;
    }
    write_file(&args.write, &planned.spec_yaml)?;
    let revision = take_over(&cluster, &planned, args, settings, printer).await?;
    if printer.is_machine() {
        printer.data(&summary(&planned, &cluster, args, revision))?;
    } else {
        printer.out(&done_text(&planned, &cluster, args, revision, printer))?;
    }
    Ok(Done::Success)
}

/// The installation to adopt: an unfinished adoption first, else the one candidate (or the
/// Helm release `--release` names).
fn choose(
    survey: &detect::Survey,
    args: &AdoptArgs,
    namespace: &str,
) -> Result<Option<(Candidate, Option<Journal>)>> {
    if let Some(j) = &survey.journal {
        if let Some(r) = &args.release
            && j.candidate.release() != Some(r.as_str())
        {
            return Err(Exit::Usage(format!(
                "namespace {namespace} holds an unfinished adoption of {}; finish it first (skyflo adopt -n {namespace})",
                j.candidate.source
            ))
            .into());
        }
        return Ok(Some((j.candidate.clone(), Some(j.clone()))));
    }
    let found: Vec<&Candidate> = survey
        .candidates
        .iter()
        .filter(|c| args.release.as_ref().is_none_or(|r| c.release() == Some(r)))
        .collect();
    match found.as_slice() {
        [] if args.release.is_some() && survey.skyflo_instances.is_empty() => Err(failed(format!(
            "no Helm release {:?} of the skyflo chart in namespace {namespace} (helm list -n {namespace}); nothing was changed",
            args.release.as_deref().unwrap_or_default()
        ))),
        [] => Ok(None),
        [one] => Ok(Some(((*one).clone(), None))),
        many => Err(failed(format!(
            "namespace {namespace} holds {} upstream installations: {}. Pick one with --release NAME; nothing was changed",
            many.len(),
            many.iter()
                .map(|c| c.source.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ))),
    }
}

fn nothing_to_adopt(survey: &detect::Survey, cluster: &Cluster, printer: &Printer) -> Result<Done> {
    let ns = &cluster.namespace;
    if !survey.skyflo_instances.is_empty() {
        let names: Vec<&String> = survey.skyflo_instances.iter().collect();
        if printer.is_machine() {
            printer.data(&json!({"namespace": ns, "adopted": false, "skyflo": names}))?;
        } else {
            printer.out(&format!(
                "Nothing to adopt: namespace {ns} holds no upstream installation, only skyflo's ({}). `skyflo status -n {ns}` shows it.",
                names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
            ))?;
        }
        return Ok(Done::Success);
    }
    Err(failed(format!(
        "no upstream Skyflo installation in namespace {ns}: looked for install.sh's objects (skyflo-* and, before v0.6.1, skyflo-ai-*) \
and Helm releases of the skyflo chart (Secrets sh.helm.release.v1.*); nothing was changed. install.sh installs into namespace \
\"skyflo\" by default (before v0.6.1 \"skyflo-ai\"): pass -n NAMESPACE"
    )))
}

async fn plan(
    cluster: &Cluster,
    candidate: Candidate,
    journal: Option<Journal>,
    file: &Path,
) -> Result<Planned> {
    let key = adopt::stored_key(cluster).await?;
    if let Some(j) = &journal {
        refuse_unsigned(cluster, j, key.as_deref())?;
    }
    let upstream = detect::read(cluster, &candidate).await?;
    let creds = credentials(&candidate, &upstream);
    let resumed = journal.is_some();
    let (spec_yaml, not_expressed, external) = match journal {
        // The settings were read before the workloads were replaced: the journal has them.
        Some(j) => (j.spec_yaml, Vec::new(), BTreeMap::new()),
        None => {
            let d = derive::derive(&candidate, &upstream, &creds, &cluster.namespace);
            if !d.blockers.is_empty() {
                return Err(failed(format!(
                    "found {} in namespace {}, but skyflo cannot adopt it; nothing was changed:\n  - {}",
                    candidate.source,
                    cluster.namespace,
                    d.blockers.join("\n  - ")
                )));
            }
            let yaml = spec_file(&candidate, &cluster.namespace, &d.raw);
            (yaml, d.not_expressed, d.secrets)
        }
    };
    let spec = crate::spec::parse(&file.display().to_string(), spec_yaml.as_bytes())
        .map_err(Exit::Invalid)?;
    let generated = kept_values(&candidate, &spec, &creds, key)?;
    let keys = creds.provider_keys.clone();
    let objects = rendered(cluster, &spec, &generated, &keys);
    let mut not_expressed = not_expressed;
    not_expressed.extend(config_notes(&upstream, &objects));
    let rendered: BTreeSet<ObjectRef> = objects.iter().map(|r| r.object.object_ref()).collect();
    let leftovers = adopt::leftovers(cluster, &candidate, &upstream, &rendered).await?;
    Ok(Planned {
        candidate,
        upstream,
        spec_yaml,
        spec,
        generated,
        provider_keys: keys,
        not_expressed,
        rendered,
        leftovers,
        resumed,
        external,
    })
}

/// The credentials in upstream's Secrets, or in the ones skyflo took over by now.
fn credentials(c: &Candidate, up: &Upstream) -> model::Credentials {
    let secret = |suffix: &str| {
        let name = format!("{}-{suffix}", c.secret_prefix);
        up.objects
            .iter()
            .chain(up.ours.iter())
            .find(|(k, _)| k.kind == "Secret" && k.name == name)
            .map(|(_, o)| model::secret_data(o))
            .unwrap_or_default()
    };
    model::credentials(&secret("engine-secrets"), &secret("postgres-secrets"))
}

/// The JWT secret and the in-cluster PostgreSQL's password, byte for byte (an external
/// database keeps its own password, moved into a Secret of its own).
/// A journal is trusted only with skyflo's signature: whoever may edit ConfigMaps in the
/// namespace could otherwise name what a resumed adoption deletes or which images it runs.
fn refuse_unsigned(cluster: &Cluster, j: &Journal, key: Option<&str>) -> Result<()> {
    if j.authentic(key) {
        return Ok(());
    }
    Err(failed(format!(
        "the unfinished adoption's journal, ConfigMap {ns}/{name}-adopt, does not carry skyflo's signature \
(made with the key in Secret {ns}/{name}-checksum-key): it was written or changed by someone else, or by a skyflo \
older than this one. Nothing was changed. Inspect it; if you started that adoption yourself, delete the \
ConfigMap (kubectl -n {ns} delete configmap {name}-adopt) and run `skyflo adopt` again",
        ns = cluster.namespace,
        name = cluster.instance,
    )))
}

fn kept_values(
    c: &Candidate,
    spec: &Spec,
    creds: &model::Credentials,
    key: Option<String>,
) -> Result<Generated> {
    let postgres_password = match (spec.postgres_in_cluster(), creds.postgres_password.clone()) {
        (true, p) => p,
        (false, _) => Some(String::new()),
    };
    let (Some(jwt_secret), Some(postgres_password)) = (creds.jwt_secret.clone(), postgres_password)
    else {
        return Err(failed(format!(
            "Secrets {p}-engine-secrets (JWT_SECRET) and {p}-postgres-secrets (POSTGRES_PASSWORD) must both hold their values; nothing was changed",
            p = c.secret_prefix
        )));
    };
    Ok(Generated {
        jwt_secret,
        postgres_password,
        // The key of an adoption that stopped midway signs its journal: kept.
        checksum_key: key.unwrap_or_else(crate::render::secrets::random_token),
    })
}

/// Everything skyflo will render, to tell each upstream object's fate.
fn rendered(
    cluster: &Cluster,
    spec: &Spec,
    generated: &Generated,
    keys: &BTreeMap<String, String>,
) -> Vec<render::Rendered> {
    let inputs = Inputs {
        namespace: cluster.namespace.clone(),
        generated: Some(generated.clone()),
        llm_credentials: if keys.is_empty() {
            LlmCredentials::None
        } else {
            LlmCredentials::New(keys.clone())
        },
        connection: None,
    };
    render::render(spec, &inputs)
}

/// Upstream ConfigMap values that skyflo's ConfigMap of the same name does not carry (an edited
/// LOG_LEVEL, say): listed, since taking the ConfigMap over replaces them.
fn config_notes(up: &Upstream, rendered: &[render::Rendered]) -> Vec<String> {
    let mut out = Vec::new();
    for r in rendered {
        let key = r.object.object_ref();
        let Some(live) = up.objects.get(&key).filter(|_| key.kind == "ConfigMap") else {
            continue;
        };
        let ours = r.object.to_json();
        let differing: Vec<String> = live.data["data"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, v)| ours["data"].get(k.as_str()) != Some(*v))
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect();
        if !differing.is_empty() {
            out.push(format!(
                "ConfigMap {}: upstream's {} give way to skyflo's values; set any you need again through spec.<component>.env",
                key.name,
                differing.join(", ")
            ));
        }
    }
    out
}

fn spec_file(c: &Candidate, namespace: &str, raw: &crate::spec::RawSkyfloAI) -> String {
    format!(
        "# Written by `skyflo adopt` from {} in namespace {namespace}.\n\
# Apply changes with: skyflo upgrade -n {namespace} -f <this file>\n{}",
        c.source,
        serde_saphyr::to_string(raw).expect("specs serialize")
    )
}

fn of_fate(p: &Planned, f: Fate) -> Vec<&ObjectRef> {
    p.upstream
        .objects
        .keys()
        .filter(|k| adopt::fate(k, &p.rendered) == f)
        .collect()
}

/// What is kept: the volume claims with their volumes and the credentials (names only).
fn kept(p: &Planned) -> Vec<String> {
    let mut out: Vec<String> = p
        .upstream
        .claims
        .iter()
        .map(|c| {
            format!(
                "PersistentVolumeClaim {} (volume {}, {})",
                c.metadata.name.clone().unwrap_or_default(),
                c.data["spec"]["volumeName"].as_str().unwrap_or("not bound"),
                c.data["status"]["capacity"]["storage"]
                    .as_str()
                    .or(c.data["spec"]["resources"]["requests"]["storage"].as_str())
                    .unwrap_or("?")
            )
        })
        .collect();
    let s = &p.candidate.secret_prefix;
    if p.spec.postgres_in_cluster() {
        out.push(format!(
            "PostgreSQL user, password and database (Secret {s}-postgres-secrets{})",
            if s == &p.candidate.prefix {
                ""
            } else {
                ", copied to skyflo's"
            }
        ));
    }
    for (name, data) in &p.external {
        out.push(format!(
            "the external {}'s credentials ({}), copied from the engine's URL into Secret {name}",
            if name.ends_with("-postgres") {
                "PostgreSQL"
            } else {
                "Redis"
            },
            data.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    out.push(format!(
        "the JWT secret: nobody is logged out (Secret {s}-engine-secrets)"
    ));
    for k in of_fate(p, Fate::Keep) {
        out.push(format!("{k} (left as it is)"));
    }
    out
}

fn migrated(p: &Planned) -> Vec<String> {
    p.provider_keys
        .keys()
        .map(|k| format!("{k} -> Secret {}-llm-credentials", p.candidate.prefix))
        .collect()
}

fn removed(p: &Planned) -> Vec<String> {
    p.leftovers
        .remove
        .iter()
        .map(|r| {
            if r.name.starts_with("sh.helm.release.v1.") {
                format!("{r} (Helm's record: `helm list` stops showing the release)")
            } else {
                r.to_string()
            }
        })
        .collect()
}

fn left_alone(p: &Planned) -> Vec<String> {
    p.upstream
        .left_alone
        .iter()
        .chain(p.leftovers.kept.iter())
        .map(|(r, why)| format!("{r}: {why}"))
        .collect()
}

fn refs(v: &[&ObjectRef]) -> Vec<String> {
    v.iter().map(|r| r.to_string()).collect()
}

fn summary(
    p: &Planned,
    cluster: &Cluster,
    args: &AdoptArgs,
    revision: Option<u32>,
) -> serde_json::Value {
    json!({
        "namespace": cluster.namespace,
        "source": p.candidate.source,
        "instance": p.candidate.prefix,
        "file": args.write,
        "dryRun": args.dry_run,
        "resumed": p.resumed,
        "spec": p.spec_yaml,
        "keep": kept(p),
        "migrate": migrated(p),
        "takeOver": refs(&of_fate(p, Fate::TakeOver)),
        "replace": refs(&of_fate(p, Fate::Replace)),
        "remove": p.leftovers.remove.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        "leftAlone": p.upstream.left_alone.iter().chain(p.leftovers.kept.iter())
            .map(|(r, why)| json!({"object": r.to_string(), "why": why})).collect::<Vec<_>>(),
        "notExpressed": p.not_expressed,
        "revision": revision,
    })
}

fn describe(p: &Planned, cluster: &Cluster, args: &AdoptArgs, printer: &Printer) -> String {
    let mut out = format!(
        "{} {} in namespace {}: objects {}-*{}\n",
        if p.resumed {
            "Continuing the adoption of"
        } else {
            "Found"
        },
        p.candidate.source,
        cluster.namespace,
        p.candidate.prefix,
        if p.candidate.secret_prefix != p.candidate.prefix {
            format!(", Secrets and ConfigMaps {}-*", p.candidate.secret_prefix)
        } else {
            String::new()
        }
    );
    out.push_str(&format!(
        "The SkyfloAI file {} (instance {:?}) names skyflo's objects exactly as they are now.\n",
        args.write.display(),
        p.candidate.prefix
    ));
    let mut section = |title: &str, mark: &str, items: Vec<String>| {
        if items.is_empty() {
            return;
        }
        out.push_str(&format!("{}\n", printer.bold(title)));
        for i in items {
            out.push_str(&format!("  {mark} {i}\n"));
        }
    };
    section("Kept:", "=", kept(p));
    section("Migrated (values never shown):", ">", migrated(p));
    section(
        "Taken over (overwritten in place with skyflo's object of the same name):",
        "~",
        refs(&of_fate(p, Fate::TakeOver)),
    );
    section(
        "Replaced (selectors cannot change: deleted with their volume claims kept, created again; pods restart once):",
        "±",
        refs(&of_fate(p, Fate::Replace)),
    );
    section(
        "Removed once skyflo's installation is Ready:",
        "-",
        removed(p),
    );
    section("Left alone:", "!", left_alone(p));
    section(
        "Not expressible in the SkyfloAI file:",
        "!",
        p.not_expressed.clone(),
    );
    out
}

fn confirm(p: &Planned) -> Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(Exit::Usage(
            "refusing to adopt without confirmation: there is no terminal to ask on; pass --yes (or --dry-run to see the plan)".into(),
        )
        .into());
    }
    let ok = dialoguer::Confirm::with_theme(&dialoguer::theme::SimpleTheme)
        .with_prompt(format!(
            "Adopt {} as skyflo installation {:?}?",
            p.candidate.source, p.candidate.prefix
        ))
        .default(false)
        .interact()?;
    if !ok {
        return Err(Exit::Usage("cancelled; nothing was changed".into()).into());
    }
    Ok(())
}

/// Written before the first cluster write; a different file of the user's is never
/// overwritten.
fn write_file(path: &Path, yaml: &str) -> Result<(), Exit> {
    match std::fs::read_to_string(path) {
        Ok(existing) if existing == yaml => return Ok(()),
        Ok(_) => {
            return Err(Exit::Usage(format!(
                "{} exists with other content; pass --write OTHER_FILE (nothing was changed)",
                path.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Exit::Usage(format!("cannot read {}: {e}", path.display()))),
    }
    std::fs::write(path, yaml).map_err(|e| {
        Exit::Usage(format!(
            "cannot write {}: {e}; nothing was changed",
            path.display()
        ))
    })
}

async fn take_over(
    cluster: &Cluster,
    p: &Planned,
    args: &AdoptArgs,
    settings: &Settings,
    printer: &Printer,
) -> Result<Option<u32>> {
    let adoption = Adoption {
        journal: Journal {
            candidate: p.candidate.clone(),
            spec_yaml: p.spec_yaml.clone(),
            stored: None,
        },
        generated: p.generated.clone(),
        upstream: p.upstream.clone(),
    };
    let opts = Options {
        operation: Operation::Adopt,
        timeout: super::timeout(&args.wait, settings)?,
        wait: true,
        atomic: false,
        plan_only: false,
        llm_credentials: p.provider_keys.clone(),
        namespace_seen: Default::default(),
        backup: None,
        restore_first: None,
        adopt: Some(Arc::new(adoption)),
    };
    let progress = Progress::new(printer);
    let result = async {
        create_external_secrets(cluster, &p.external).await?;
        let done = deploy::deploy(cluster, &p.spec, &opts, &progress).await?;
        crate::failpoint::hit("adopt-before-leftovers");
        adopt::remove_leftovers(cluster, &p.candidate, &p.leftovers, opts.timeout, &progress)
            .await?;
        Ok::<_, anyhow::Error>(done.revision.or(done.previous))
    }
    .await;
    progress.finish();
    match result {
        Ok(revision) => Ok(revision),
        Err(e) => {
            let state = state_now(cluster, &p.candidate).await;
            Err(e.context(format!(
                "the adoption stopped; no volume claim or credential was deleted.\n{state}\nRun `skyflo adopt -n {ns}` \
again to continue where it stopped (`skyflo status -n {ns}{name}` shows what runs now)",
                ns = cluster.namespace,
                name = name_flag(&cluster.instance),
            )))
        }
    }
}

/// The Secrets the file names for an external PostgreSQL or Redis: created before the run
/// reads them (and before the engine's Secret, which holds the URL, is overwritten). One that
/// exists already is this adoption's from an earlier run, or not skyflo's: then it stops.
async fn create_external_secrets(
    cluster: &Cluster,
    secrets: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<()> {
    use k8s_openapi::api::core::v1::Secret;
    let api: kube::Api<Secret> = cluster.typed();
    let names = cluster.names();
    for (name, data) in secrets {
        if let Some(existing) = api.get_opt(name).await? {
            let ours = existing
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(render::labels::MANAGED_BY))
                == Some(&render::labels::MANAGER.to_string());
            if ours {
                continue;
            }
            anyhow::bail!(
                "Secret {}/{name} exists and skyflo did not create it; nothing was changed",
                cluster.namespace
            );
        }
        let mut meta = render::config::meta(&names, name.clone(), "engine");
        meta.labels
            .get_or_insert_with(Default::default)
            .insert(render::labels::KEEP.into(), "true".into());
        let secret = Secret {
            metadata: meta,
            type_: Some("Opaque".into()),
            string_data: Some(data.clone()),
            ..Default::default()
        };
        api.create(&kube::api::PostParams::default(), &secret)
            .await
            .map_err(|e| anyhow::anyhow!("creating Secret {name}: {e}"))?;
    }
    Ok(())
}

/// What is skyflo's and what is still upstream's, read again after a failure.
async fn state_now(cluster: &Cluster, c: &Candidate) -> String {
    let Ok(up) = detect::read(cluster, c).await else {
        return "The namespace could not be read again to say what state it is in.".into();
    };
    let names = |m: &BTreeMap<ObjectRef, kube::api::DynamicObject>| {
        m.keys()
            .map(|k| format!("{} {}", k.kind, k.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "Now skyflo's: {}.\nStill upstream's: {}.\nThe ConfigMap {}-adopt records the adoption until it is complete.",
        if up.ours.is_empty() {
            "nothing yet".into()
        } else {
            names(&up.ours)
        },
        if up.objects.is_empty() && c.helm_records.is_empty() {
            "nothing".into()
        } else {
            let mut s = names(&up.objects);
            if !c.helm_records.is_empty() {
                s.push_str(&format!(
                    "{}Helm's release Secrets ({})",
                    if s.is_empty() { "" } else { ", " },
                    c.helm_records.join(", ")
                ));
            }
            s
        },
        c.prefix
    )
}

fn done_text(
    p: &Planned,
    cluster: &Cluster,
    args: &AdoptArgs,
    revision: Option<u32>,
    printer: &Printer,
) -> String {
    let ns = &cluster.namespace;
    format!(
        "{} adopted {} as skyflo installation {:?} in namespace {ns}: revision {}, all components ready.\n\
From now on: skyflo status -n {ns}{name}; skyflo upgrade -n {ns} -f {file}",
        printer.green("✓"),
        p.candidate.source,
        p.candidate.prefix,
        revision.map_or("?".into(), |r| r.to_string()),
        file = args.write.display(),
        name = name_flag(&p.candidate.prefix),
    )
}

/// `--name X` for commands that do not read the file, unless X is the default.
fn name_flag(instance: &str) -> String {
    if instance == crate::spec::DEFAULT_NAME {
        String::new()
    } else {
        format!(" --name {instance}")
    }
}

/// Exit 1: the message says what was found and that nothing changed.
fn failed(message: String) -> anyhow::Error {
    anyhow::anyhow!(message)
}
