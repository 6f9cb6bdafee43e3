//! `skyflo admin create`: the first admin, created by skyflo through a port-forward to the
//! engine rather than by whoever reaches an exposed UI first.

use std::io::IsTerminal;

use anyhow::Result;

use crate::cli::AdminCreateArgs;
use crate::error::{Done, Exit};
use crate::settings::Settings;
use crate::ui::Printer;

/// Where the password came from.
enum Password {
    Given(String),
    /// Generated, kept in Secret `<name>-admin`.
    Generated(String),
}

fn password(args: &AdminCreateArgs) -> Result<Password> {
    if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\n', '\r']).to_string();
        if pw.is_empty() {
            return Err(Exit::Usage("--password-stdin: standard input was empty".into()).into());
        }
        return Ok(Password::Given(pw));
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        let pw = dialoguer::Password::with_theme(&dialoguer::theme::SimpleTheme)
            .with_prompt(format!("Password for {}", args.email))
            .with_confirmation("Again", "the two did not match")
            .interact()?;
        return Ok(Password::Given(pw));
    }
    Ok(Password::Generated(crate::render::secrets::random_token()))
}

pub async fn create(
    args: &AdminCreateArgs,
    settings: &Settings,
    printer: &Printer,
) -> Result<Done> {
    if !args.email.contains('@') || args.email.contains(char::is_whitespace) {
        return Err(
            Exit::Usage(format!("--email {:?} is not an email address", args.email)).into(),
        );
    }
    let cluster = super::connect_named(settings, &args.name).await?;
    // Refused before a password is asked for or stored, when an account exists.
    if crate::cluster::engine::admin_exists(&cluster)
        .await
        .map_err(anyhow::Error::msg)?
    {
        anyhow::bail!(
            "an account already exists in skyflo {:?} (namespace {}): the first admin was created before; \
nothing was changed. Admins add members in the UI",
            cluster.instance,
            cluster.namespace
        );
    }
    let pw = password(args)?;
    let full_name = args
        .full_name
        .clone()
        .unwrap_or_else(|| args.email.split('@').next().unwrap_or_default().to_string());
    let (value, kept) = match &pw {
        Password::Given(p) => (p.as_str(), None),
        Password::Generated(p) => (
            p.as_str(),
            Some(crate::cluster::engine::store_admin_secret(&cluster, &args.email, p).await?),
        ),
    };
    crate::cluster::engine::create_admin(&cluster, &args.email, value, &full_name)
        .await
        .map_err(anyhow::Error::msg)?;
    say(args, &cluster, kept.as_deref(), &pw, printer)?;
    Ok(Done::Success)
}

fn say(
    args: &AdminCreateArgs,
    cluster: &crate::cluster::Cluster,
    kept: Option<&str>,
    pw: &Password,
    printer: &Printer,
) -> Result<()> {
    let shown = match pw {
        Password::Generated(p) if args.show_password => Some(p.as_str()),
        _ => None,
    };
    if printer.is_machine() {
        let mut v = serde_json::json!({"email": args.email, "namespace": cluster.namespace,
            "name": cluster.instance, "passwordSecret": kept});
        if let Some(p) = shown {
            v["password"] = p.into();
        }
        return Ok(printer.data(&v)?);
    }
    let mut out = format!(
        "{} admin {} created in skyflo {:?} (namespace {})",
        printer.green("✓"),
        args.email,
        cluster.instance,
        cluster.namespace
    );
    if let Some(secret) = kept {
        out.push_str(&format!(
            "; its generated password is in Secret {ns}/{secret} (kubectl -n {ns} get secret {secret} -o jsonpath='{{.data.password}}' | base64 -d)",
            ns = cluster.namespace
        ));
    }
    if let Some(p) = shown {
        out.push_str(&format!("\npassword: {p}"));
    }
    Ok(printer.out(&out)?)
}
