//! Command-line types. The `///` comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "skyflo",
    version,
    about = "Install, inspect, upgrade and remove the Skyflo.ai platform on Kubernetes",
    long_about = "Install, inspect, upgrade and remove the Skyflo.ai platform on Kubernetes.\n\n\
skyflo reads a SkyfloAI spec (a local YAML file, or the embedded default) and applies it to the \
cluster once, with server-side apply: no in-cluster operator.",
    after_help = "Examples:\n  skyflo install                      # the embedded default spec into namespace skyflo-ai\n  skyflo template -f skyflo.yaml      # print the manifests, touch no cluster\n  skyflo status -o json\n\nExit codes: 0 success, 1 failure, 2 invalid usage or spec (nothing sent to the cluster),\n3 not ready in time / not healthy, 4 another operation holds the lock, 5 nothing installed."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the
    /// in-cluster config inside a pod].
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use [env: SKYFLO_CONTEXT].
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai].
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Output format [env: SKYFLO_OUTPUT; default: table].
    #[arg(short = 'o', long, global = true, value_enum)]
    pub output: Option<OutputFormat>,

    /// Print only errors and the final result.
    #[arg(short = 'q', long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more detail (API calls, per-object decisions).
    #[arg(short = 'v', long, global = true)]
    pub verbose: bool,

    /// When to use colours [default: auto; NO_COLOR turns them off].
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    pub color: Option<ColorChoice>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Table,
    Json,
    Yaml,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a skyflo.yaml by answering a few questions.
    ///
    /// The questions: LLM provider and model, API key, databases, exposure, MCP's access.
    /// Every question has a flag; with --non-interactive (or no terminal) the
    /// flags and defaults are used without asking. The API key is stored in a Secret in the
    /// cluster, never in the file.
    #[command(
        after_help = "Examples:\n  skyflo init\n  skyflo init --non-interactive --model ollama/llama3.1 --llm-host http://ollama:11434 --ui-service ClusterIP\n  echo \"$OPENAI_API_KEY\" | skyflo init --non-interactive --model openai/gpt-4o --api-key-stdin\n\nExit codes: 0 written, 1 failed (e.g. storing the key), 2 invalid answers or the file exists."
    )]
    Init(Box<InitArgs>),

    /// Install Skyflo, or converge an existing installation to the spec.
    ///
    /// Validates the spec, reuses generated secrets already in the cluster, applies the
    /// objects stage by stage with server-side apply (field manager `skyflo`, forced: the spec
    /// is the source of truth over `kubectl edit`), waits until each stage is ready, prunes
    /// what the spec no longer renders (never volumes or generated secrets) and records a
    /// revision. Running it again changes nothing and says so.
    #[command(
        after_help = "Examples:\n  skyflo install                          # the embedded default spec\n  skyflo install -f skyflo.yaml -n ops --timeout 10m\n  skyflo install --dry-run -o json        # the plan, no writes\n\nExit codes: 0 ready, 1 failed, 2 invalid spec, 3 not ready in time, 4 locked."
    )]
    Install(InstallArgs),

    /// Change an existing installation to match FILE.
    ///
    /// Shows the plan, applies only what changed, prunes what was removed, and waits.
    #[command(
        after_help = "Examples:\n  skyflo upgrade -f skyflo.yaml --diff    # show the plan only\n  skyflo upgrade -f skyflo.yaml --atomic  # roll back if the new revision is not ready\n\nExit codes: 0 done (or --diff: no changes), 1 failed, 2 invalid spec, 3 not ready in time,\n4 locked, 5 nothing installed, 6 --diff: changes pending."
    )]
    Upgrade(UpgradeArgs),

    /// Show each component's health and why it is not ready.
    ///
    /// Also how to reach the UI and MCP, the release, the lock, and anything changed outside
    /// skyflo (drift).
    #[command(
        after_help = "Examples:\n  skyflo status\n  skyflo status -o json | jq .engineStatus\n  skyflo status --watch\n\nExit codes: 0 every component ready, 1 failed to read, 3 something not ready,\n5 nothing installed."
    )]
    Status(StatusArgs),

    /// Remove the installation; keeps its data unless --purge.
    ///
    /// Deletes in reverse order and waits. Keeps PersistentVolumeClaims, generated Secrets and
    /// the namespace unless --purge, so a later install finds its data and passwords again.
    #[command(
        after_help = "Examples:\n  skyflo uninstall                 # asks before deleting; keeps data\n  skyflo uninstall --yes\n  skyflo uninstall --purge --yes   # also data, secrets and the namespace\n\nExit codes: 0 removed (or nothing installed), 1 failed, 2 not confirmed, 4 locked."
    )]
    Uninstall(UninstallArgs),

    /// Take over an installation made by upstream's install.sh or Helm chart.
    ///
    /// Finds it in the namespace, writes the equivalent SkyfloAI file (instance named so that
    /// every object and volume claim keeps its name), shows what is kept, migrated, taken over,
    /// replaced and removed, and then does it under the lock: the PostgreSQL password, JWT
    /// secret and provider keys keep their values, the volume claims stay the same objects,
    /// data workloads are replaced and Ready before anything is removed. Running it again
    /// continues an adoption that stopped.
    #[command(
        after_help = "Examples:\n  skyflo adopt -n skyflo --dry-run       # the plan; nothing written\n  skyflo adopt -n skyflo --yes --write skyflo.yaml\n  skyflo adopt -n prod --release prod    # one of several Helm releases\n\nExit codes: 0 adopted (or nothing left to adopt), 1 nothing found, not adoptable or failed,\n2 not confirmed or the file exists with other content, 3 not ready in time, 4 locked."
    )]
    Adopt(AdoptArgs),

    /// Check that an install would work here.
    ///
    /// Checks the cluster version, your permissions, a default StorageClass, free node ports,
    /// the namespace, room on the nodes, and an existing upstream installation. `install` runs
    /// these first unless --skip-checks.
    #[command(
        after_help = "Examples:\n  skyflo check\n  skyflo check -f skyflo.yaml -o json\n\nExit codes: 0 nothing failed (warnings allowed), 1 a check failed, 2 invalid spec."
    )]
    Check(CheckArgs),

    /// List the installation's revisions.
    ///
    /// Each with its number, time, CLI version, operation, outcome and spec digest.
    #[command(after_help = "Examples:\n  skyflo history\n  skyflo history -o json")]
    History(NameArgs),

    /// Return to the spec of an earlier revision (default: the one before).
    #[command(
        after_help = "Examples:\n  skyflo rollback        # to the previous deployed revision\n  skyflo rollback 3"
    )]
    Rollback(RollbackArgs),

    /// Print the Kubernetes objects a spec renders to; touches no cluster.
    ///
    /// Multi-document YAML in apply order (`-o json`: a List).
    ///
    /// The output is the same on every run and safe to keep in git and apply any number of
    /// times (GitOps): the Secrets that hold generated credentials (JWT secret, PostgreSQL
    /// password) are left out, since `install` creates them once and always reuses them.
    /// Name your own with spec.engine.jwtSecretName and spec.engine.databaseConfig.secretName,
    /// or print new ones with --include-generated-secrets.
    #[command(
        after_help = "Examples:\n  skyflo template                         # the embedded default spec\n  skyflo template -f skyflo.yaml -n ops | kubectl apply --server-side -f -"
    )]
    Template(TemplateArgs),

    /// List every image a spec uses, for mirroring into another registry; touches no cluster.
    ///
    /// One image per line (`-o json`: each with the components and containers that use it).
    #[command(
        after_help = "Examples:\n  skyflo images -f skyflo.yaml\n  skyflo images | xargs -I{} crane copy {} registry.example.com/mirror/{}\n  skyflo images --registry registry.example.com/mirror   # what the cluster will pull"
    )]
    Images(ImagesArgs),

    /// Write one redacted .tar.gz a maintainer can read: status, checks, history, objects,
    /// events, pods, logs and nodes.
    ///
    /// Secret data is reduced to key names; the values of every Secret the installation reads,
    /// anything shaped like a provider key, passwords in URLs and kubeconfig credentials are
    /// removed wherever they appear. What could not be collected (for example, not allowed)
    /// is listed in index.json with the reason.
    #[command(
        name = "support-bundle",
        after_help = "Examples:\n  skyflo support-bundle\n  skyflo support-bundle -n skyflo --output-file /tmp/skyflo-support.tar.gz\n\nExit codes: 0 written (parts that could not be read are listed in index.json), 1 the file could not be written."
    )]
    SupportBundle(SupportBundleArgs),

    /// Show the logs of every pod of the chosen components, interleaved, each line prefixed
    /// with its component and pod.
    #[command(
        after_help = "Examples:\n  skyflo logs                      # every component\n  skyflo logs engine mcp --tail 100\n  skyflo logs ui -f                # follow, also the pods of a rollout\n  skyflo logs engine --previous    # the instance before the last restart"
    )]
    Logs(LogsArgs),

    /// Back up the in-cluster PostgreSQL to a local file (pg_dump custom format).
    ///
    /// pg_dump runs in the PostgreSQL pod through the exec API and its output is streamed to
    /// the file; nothing is written inside the pod. Beside the file, FILE.json records its size,
    /// SHA-256, the PostgreSQL version, the installation and revision. Default location: the
    /// backup directory (SKYFLO_BACKUP_DIR or backup_dir in the config file, else the platform's
    /// data directory), where the newest `backups_keep` (default 5) per installation are kept.
    #[command(
        after_help = "Examples:\n  skyflo backup -n skyflo\n  skyflo backup --output-file /backups/skyflo.dump\n  skyflo backup --list\n\nExit codes: 0 written, 1 failed (or the database is external: its own backups apply), 5 nothing installed."
    )]
    Backup(BackupArgs),

    /// Restore a backup into the in-cluster PostgreSQL.
    ///
    /// Checks the file first (SHA-256, PostgreSQL major version, installation), shows what it
    /// will do and asks. Then, under the installation's lock: stops the engine, runs
    /// pg_restore --clean --if-exists in one transaction, starts the engine and waits for it.
    /// If anything fails the engine stays stopped and the message says how to retry.
    #[command(
        after_help = "Examples:\n  skyflo restore ~/.local/share/skyflo/backups/skyflo/skyflo/cluster-UID/skyflo-skyflo-r3-20261127T120000Z.dump\n  skyflo restore FILE --yes\n\nExit codes: 0 restored and the engine ready, 1 failed (engine stopped), 2 the file was refused (nothing changed), 3 restored but the engine not ready, 4 locked, 5 nothing installed."
    )]
    Restore(RestoreArgs),

    /// Prove that the installation works end to end, through port-forwards.
    ///
    /// Named checks: the proxy answers; it reaches the UI and the engine; the engine reaches
    /// PostgreSQL and Redis; MCP answers its protocol and a read-only tool call reaches the
    /// Kubernetes API with MCP's rights. Nothing is exposed or written to the cluster, and no
    /// user is registered. The LLM itself is checked by `check`.
    #[command(
        after_help = "Examples:\n  skyflo verify -n skyflo\n  skyflo verify --check mcp --check mcp-tools -o json\n\nChecks: proxy, proxy-ui, proxy-engine, proxy-auth, engine-database, engine-redis, mcp, mcp-tools.\n\nExit codes: 0 every check passed, 3 a check failed, 2 an unknown check name."
    )]
    Verify(VerifyArgs),

    /// Open the UI in the browser through a port-forward made with your own credentials.
    ///
    /// Forwards a local port to a ready UI pod's proxy (as `kubectl port-forward` does), prints
    /// the URL and opens the browser ($BROWSER, xdg-open, open); follows to another ready pod
    /// when the one in use goes away; stops on Ctrl-C. Nothing is exposed to anyone else.
    #[command(
        after_help = "Examples:\n  skyflo dashboard -n skyflo\n  skyflo dashboard --port 9090 --no-browser\n\nExit codes: 0 stopped (Ctrl-C), 1 no ready UI pod or the port cannot be opened, 2 bad arguments."
    )]
    Dashboard(DashboardArgs),

    /// Accounts of the installation: create the first admin.
    #[command(subcommand)]
    Admin(AdminCommand),

    /// Check a spec file and print every problem in it.
    #[command(
        after_help = "Examples:\n  skyflo validate -f skyflo.yaml\n  skyflo validate -f skyflo.yaml -o json   # machine-readable errors\n\nExit codes: 0 valid, 2 invalid."
    )]
    Validate(ValidateArgs),

    /// Print shell completions for SHELL to stdout.
    #[command(
        after_help = "Examples:\n  skyflo completions bash > ~/.local/share/bash-completion/completions/skyflo\n  skyflo completions zsh > \"${fpath[1]}/_skyflo\""
    )]
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct SpecFileArg {
    /// The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge,
    /// lists and values replace); `-` reads standard input [default: the embedded default spec].
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub fields: SetArgs,
}

/// Single fields over the spec files (`--set`, `--set-string`).
#[derive(Debug, Args)]
pub struct SetArgs {
    /// One field over the files, typed as in the file, e.g. engine.replicas=3 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Like --set, but the value is always a string, e.g. engine.llm.model=openai/gpt-4o.
    #[arg(long = "set-string", value_name = "PATH=VALUE")]
    pub set_string: Vec<String>,
}

#[derive(Debug, Args)]
pub struct VersionArg {
    /// The Skyflo release for every Skyflo image (UI, proxy, engine, MCP), e.g. v0.7.1;
    /// overrides spec.version. Images pinned by digest, PostgreSQL and Redis stay as they are.
    #[arg(long = "version", value_name = "vX.Y.Z")]
    pub version: Option<String>,
}

#[derive(Debug, Args)]
pub struct RegistryArg {
    /// Pull every image (PostgreSQL, Redis and init containers too) through this registry,
    /// e.g. registry.example.com/mirror; overrides spec.imageRegistry.
    #[arg(long, value_name = "REGISTRY")]
    pub registry: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Components: ui, engine, mcp, postgres, redis [default: all].
    pub components: Vec<String>,
    #[command(flatten)]
    pub name: NameArgs,
    /// Keep streaming, and pick up pods that start later (a rollout).
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Only lines newer than this (e.g. 10m, 1h).
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// The last N lines of each container.
    #[arg(long, value_name = "N")]
    pub tail: Option<i64>,
    /// The log of the previous instance of each container (after a restart).
    #[arg(long)]
    pub previous: bool,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub name: NameArgs,
    /// Where to write the dump (`FILE.json` goes beside it) [default: a new file in the backup
    /// directory]. (`-o` is the output format, as for every command.)
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Replace an existing --output-file (and its FILE.json).
    #[arg(long)]
    pub force: bool,
    /// List the installation's backups in the backup directory instead.
    #[arg(long)]
    pub list: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file (its FILE.json must be beside it).
    pub file: PathBuf,
    #[command(flatten)]
    pub name: NameArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Accept a backup taken in another cluster (its metadata names the cluster by the uid of
    /// its kube-system namespace); refused otherwise.
    #[arg(long)]
    pub from_other_cluster: bool,
}

#[derive(Debug, Args)]
pub struct DashboardArgs {
    #[command(flatten)]
    pub name: NameArgs,
    /// The local port; when taken, the next free one (said).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The local address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub address: std::net::IpAddr,
    /// Print the URL only; do not open a browser.
    #[arg(long)]
    pub no_browser: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Create the first admin account, through a port-forward to the engine.
    ///
    /// The first account the engine registers becomes the admin; with the UI exposed, whoever
    /// registers first would. This registers it before anyone else can, talking to an engine
    /// pod directly (never through the exposed proxy), and refuses when an account exists.
    /// The password comes from a hidden prompt, --password-stdin, or is generated and kept in
    /// Secret <name>-admin (printed only with --show-password).
    #[command(
        after_help = "Examples:\n  skyflo admin create --email admin@example.com\n  printf %s \"$PW\" | skyflo admin create --email admin@example.com --password-stdin\n\nExit codes: 0 created, 1 an account exists or the engine refused, 2 bad arguments."
    )]
    Create(AdminCreateArgs),
}

#[derive(Debug, Args)]
pub struct AdminCreateArgs {
    #[command(flatten)]
    pub name: NameArgs,
    /// The admin's email (the login name).
    #[arg(long)]
    pub email: String,
    /// The admin's full name [default: the part of the email before @].
    #[arg(long)]
    pub full_name: Option<String>,
    /// Read the password from standard input (one line).
    #[arg(long)]
    pub password_stdin: bool,
    /// Print a generated password (it is always kept in Secret <name>-admin).
    #[arg(long)]
    pub show_password: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub name: NameArgs,
    /// Run only this check (repeatable) [default: all].
    #[arg(long = "check", value_name = "NAME")]
    pub checks: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SupportBundleArgs {
    #[command(flatten)]
    pub name: NameArgs,
    /// Where to write the archive [default: skyflo-support-<namespace>-<time>.tar.gz here].
    /// (`-o` is the output format, as for every command.)
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Replace an existing --output-file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ImagesArgs {
    #[command(flatten)]
    pub spec: SpecFileArg,
    #[command(flatten)]
    pub registry: RegistryArg,
    #[command(flatten)]
    pub version: VersionArg,
}

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// How long to wait for every component to be ready (e.g. 90s, 5m) [env: SKYFLO_TIMEOUT;
    /// default: 5m].
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,

    /// Apply and return without waiting for readiness.
    #[arg(long)]
    pub no_wait: bool,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    #[command(flatten)]
    pub spec: SpecFileArg,
    #[command(flatten)]
    pub version: VersionArg,
    #[command(flatten)]
    pub registry: RegistryArg,
    #[command(flatten)]
    pub wait: WaitArgs,
    /// Show the plan and stop; nothing is written.
    #[arg(long)]
    pub dry_run: bool,
    /// If the new revision does not become ready, return to the previous one.
    #[arg(long)]
    pub atomic: bool,
    /// Do not run the pre-flight checks of `skyflo check` first.
    #[arg(long)]
    pub skip_checks: bool,
    /// Run the pre-flight checks without asking the LLM provider (no internet here).
    #[arg(long)]
    pub offline: bool,
    /// Once installed, create the first admin with this email (as `skyflo admin create
    /// --email`; its generated password is kept in Secret <name>-admin).
    #[arg(long, value_name = "EMAIL")]
    pub admin_email: Option<String>,
}

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// Without -f the layers (--set, --version) go over the spec of the deployed revision, as
    /// Helm reuses the last values.
    #[command(flatten)]
    pub spec: SpecFileArg,
    /// The installation to upgrade when no file is given.
    #[command(flatten)]
    pub name: NameArgs,
    #[command(flatten)]
    pub version: VersionArg,
    #[command(flatten)]
    pub registry: RegistryArg,
    #[command(flatten)]
    pub wait: WaitArgs,
    /// Show the plan (with changed fields; Secret values redacted) and stop. Exit 0 when
    /// nothing would change, 6 when changes are pending.
    #[arg(long, alias = "dry-run")]
    pub diff: bool,
    /// If the new revision does not become ready, roll back to the previous one (restoring
    /// the database backup taken before an engine image change).
    #[arg(long)]
    pub atomic: bool,
    /// Do not back up PostgreSQL before an engine image change.
    #[arg(long)]
    pub no_backup: bool,
}

#[derive(Debug, Args)]
pub struct NameArgs {
    /// The SkyfloAI name (metadata.name of the spec) [default: the namespace's only skyflo
    /// installation, such as an adopted Helm release's `<release>-skyflo`; else skyflo].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub name: NameArgs,
    /// Keep running and redraw whenever something changes (watches, not polling).
    #[arg(short = 'w', long)]
    pub watch: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Placement {
    InCluster,
    External,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The file to write.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        default_value = "skyflo.yaml"
    )]
    pub file: PathBuf,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
    /// Ask nothing: use the flags and the defaults.
    #[arg(long)]
    pub non_interactive: bool,
    /// metadata.name of the SkyfloAI.
    #[arg(long, default_value = "skyflo", value_name = "NAME")]
    pub name: String,
    /// The LLM as provider/model, e.g. openai/gpt-4o, gemini/gemini-2.5-pro, ollama/llama3.1.
    #[arg(long, value_name = "PROVIDER/MODEL")]
    pub model: Option<String>,
    /// A self-hosted LLM endpoint, e.g. http://ollama:11434.
    #[arg(long, value_name = "URL")]
    pub llm_host: Option<String>,
    /// Use this existing Secret for the API key (its keys become engine env vars).
    #[arg(long, value_name = "SECRET", conflicts_with = "api_key_stdin")]
    pub api_key_secret: Option<String>,
    /// Read the API key from standard input and store it in Secret <name>-llm-credentials.
    #[arg(long)]
    pub api_key_stdin: bool,
    /// Where PostgreSQL runs [default: in-cluster; external when --postgres-host is given].
    #[arg(long, value_enum)]
    pub postgres: Option<Placement>,
    #[arg(long, value_name = "HOST")]
    pub postgres_host: Option<String>,
    #[arg(long, value_name = "PORT")]
    pub postgres_port: Option<u16>,
    #[arg(long, value_name = "NAME")]
    pub postgres_database: Option<String>,
    /// Secret with POSTGRES_USER and POSTGRES_PASSWORD for an external PostgreSQL.
    #[arg(long, value_name = "SECRET")]
    pub postgres_secret: Option<String>,
    /// Where Redis runs [default: in-cluster; external when --redis-host is given].
    #[arg(long, value_enum)]
    pub redis: Option<Placement>,
    #[arg(long, value_name = "HOST")]
    pub redis_host: Option<String>,
    #[arg(long, value_name = "PORT")]
    pub redis_port: Option<u16>,
    /// Secret with REDIS_PASSWORD for an external Redis.
    #[arg(long, value_name = "SECRET")]
    pub redis_secret: Option<String>,
    /// How the UI is exposed [default: ClusterIP; open it with `skyflo dashboard`].
    #[arg(long, value_parser = ["NodePort", "ClusterIP", "LoadBalancer"])]
    pub ui_service: Option<String>,
    #[arg(long, value_name = "PORT")]
    pub ui_node_port: Option<u16>,
    /// How MCP is exposed [default: ClusterIP].
    #[arg(long, value_parser = ["NodePort", "ClusterIP", "LoadBalancer"])]
    pub mcp_service: Option<String>,
    #[arg(long, value_name = "PORT")]
    pub mcp_node_port: Option<u16>,
    /// MCP's access to the cluster [default: cluster-admin].
    #[arg(long, value_parser = ["cluster-admin", "read-only", "none"])]
    pub access_level: Option<String>,
    /// A Secret whose key `kubeconfig` MCP uses instead of in-cluster credentials.
    #[arg(long, value_name = "SECRET")]
    pub kubeconfig_secret: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub spec: SpecFileArg,
    /// Do not ask the LLM provider whether the key and model work.
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Args)]
pub struct AdoptArgs {
    /// The Helm release to adopt when the namespace holds several.
    #[arg(long, value_name = "NAME")]
    pub release: Option<String>,
    /// Where to write the SkyfloAI file (never overwrites a different file).
    #[arg(long, value_name = "FILE", default_value = "skyflo.yaml")]
    pub write: PathBuf,
    /// Show the plan only: nothing is written, neither the file nor the cluster.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    #[command(flatten)]
    pub name: NameArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Also delete the data volumes and the generated Secrets (passwords); the namespace too if
    /// skyflo created it and nothing of anyone else is in it.
    #[arg(long)]
    pub purge: bool,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The revision to return to [default: the deployed revision before the current one].
    pub revision: Option<u32>,
    #[command(flatten)]
    pub name: NameArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
    /// When the engine image goes back, first restore the database backup taken before the
    /// upgrade being undone (the engine is stopped meanwhile).
    #[arg(long)]
    pub restore: bool,
    /// With --restore: accept a backup taken in another cluster.
    #[arg(long, requires = "restore")]
    pub from_other_cluster: bool,
    /// Do not back up PostgreSQL before an engine image change.
    #[arg(long)]
    pub no_backup: bool,
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    #[command(flatten)]
    pub spec: SpecFileArg,
    #[command(flatten)]
    pub registry: RegistryArg,
    #[command(flatten)]
    pub version: VersionArg,
    /// Also print the Secrets with generated credentials (JWT secret, PostgreSQL password),
    /// freshly generated: different on every run, so never apply them to an installation.
    #[arg(long)]
    pub include_generated_secrets: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The SkyfloAI spec file(s) to check (later files overlay earlier ones); `-` reads
    /// standard input.
    #[arg(short = 'f', long = "file", value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub fields: SetArgs,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
