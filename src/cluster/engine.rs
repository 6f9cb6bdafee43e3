//! The engine's accounts, asked through a port-forward to an engine pod made with the user's
//! own credentials (never through the exposed proxy): whether an admin exists, and creating
//! the first one.

use super::Cluster;
use super::tunnel::{self, Tunnel};

async fn open(cluster: &Cluster) -> Result<Tunnel, String> {
    let (pod, port) = tunnel::target(cluster, "engine", "http").await?;
    Tunnel::open(cluster, &pod, port).await
}

/// Whether an account exists: the engine's `is_admin_user` answers `{"is_admin": true}`
/// while none does (the next one to register becomes the admin).
pub async fn admin_exists(cluster: &Cluster) -> Result<bool, String> {
    let mut t = open(cluster).await?;
    let r = t.get("/api/v1/auth/is_admin_user").await?;
    match (r.status, r.json().and_then(|v| v["is_admin"].as_bool())) {
        (200, Some(next_is_admin)) => Ok(!next_is_admin),
        (s, _) => Err(format!(
            "the engine answered {s} to GET /api/v1/auth/is_admin_user"
        )),
    }
}

/// Registers the first account, which the engine makes the admin. Refuses when one exists
/// (checked on the same connection just before).
pub async fn create_admin(
    cluster: &Cluster,
    email: &str,
    password: &str,
    full_name: &str,
) -> Result<(), String> {
    let mut t = open(cluster).await?;
    let r = t.get("/api/v1/auth/is_admin_user").await?;
    if r.json().and_then(|v| v["is_admin"].as_bool()) != Some(true) {
        return Err(format!(
            "an account already exists in skyflo {:?} (namespace {}), so the first admin was created before; \
nothing was sent. Admins add members in the UI",
            cluster.instance, cluster.namespace
        ));
    }
    let body = serde_json::json!({"email": email, "password": password, "full_name": full_name});
    let json = [("content-type", "application/json".to_string())];
    let r = t
        .request(
            http::Method::POST,
            "/api/v1/auth/register/register",
            &json,
            Some(body.to_string()),
        )
        .await?;
    match r.status {
        200 | 201 => confirm_admin(&mut t, email, password).await,
        s => {
            let said = r
                .json()
                .and_then(|v| v["detail"].as_str().map(str::to_string))
                .unwrap_or_default();
            // The engine's answer never holds the password; redacted all the same.
            Err(format!(
                "the engine refused the registration ({s}): {}",
                said.replace(password, "(redacted)")
            ))
        }
    }
}

/// Who won: the engine makes admin whoever registers while no account exists, so two
/// registrations at once can both become admin, or another can come first. The account just
/// registered logs in and asks: a member lost (the engine tells a member nothing about the
/// others); of several admins the earliest registered wins, and a later one demotes itself, so
/// exactly one `admin create` succeeds.
async fn confirm_admin(t: &mut Tunnel, email: &str, password: &str) -> Result<(), String> {
    let token = login(t, email, password).await?;
    let auth = [("authorization", format!("Bearer {token}"))];
    let me = t
        .request(http::Method::GET, "/api/v1/auth/me", &auth, None)
        .await?
        .json()
        .ok_or("the engine did not say who the new account is (GET /api/v1/auth/me)")?;
    if me["role"] != "admin" {
        return Err(format!(
            "{email} was registered, but another account registered first and is the admin: {email} is a \
member. Ask that admin (Settings, Team in the UI) to make you admin or to remove {email}"
        ));
    }
    let members = t
        .request(http::Method::GET, "/api/v1/team/members", &auth, None)
        .await?
        .json()
        .ok_or("the engine did not list its accounts (GET /api/v1/team/members)")?;
    let mut admins: Vec<&serde_json::Value> = members
        .as_array()
        .map(|m| m.iter().filter(|u| u["role"] == "admin").collect())
        .unwrap_or_default();
    admins.sort_by_key(|u| (u["created_at"].to_string(), u["id"].to_string()));
    match admins.first() {
        Some(first) if first["id"] != me["id"] => {
            let winner = first["email"].as_str().unwrap_or("(unknown)");
            let body = serde_json::json!({"role": "member"}).to_string();
            let path = format!(
                "/api/v1/team/members/{}",
                me["id"].as_str().unwrap_or_default()
            );
            let json = [auth[0].clone(), ("content-type", "application/json".into())];
            let demoted = t
                .request(http::Method::PATCH, &path, &json, Some(body))
                .await?;
            if !(200..300).contains(&demoted.status) {
                return Err(format!(
                    "another account, {winner}, registered at the same moment and is also an admin; making \
{email} a member failed (the engine answered {}): remove {email} in Settings, Team in the UI",
                    demoted.status
                ));
            }
            Err(format!(
                "another account, {winner}, registered at the same moment and is the admin; {email} was made a \
member. Ask that admin (Settings, Team in the UI) to make you admin or to remove {email}"
            ))
        }
        _ => Ok(()),
    }
}

async fn login(t: &mut Tunnel, email: &str, password: &str) -> Result<String, String> {
    use crate::render::secrets::percent_encode;
    let form = format!(
        "username={}&password={}",
        percent_encode(email),
        percent_encode(password)
    );
    let headers = [(
        "content-type",
        "application/x-www-form-urlencoded".to_string(),
    )];
    let r = t
        .request(
            http::Method::POST,
            "/api/v1/auth/jwt/login",
            &headers,
            Some(form),
        )
        .await?;
    r.json()
        .and_then(|v| v["access_token"].as_str().map(str::to_string))
        .ok_or_else(|| {
            format!(
                "the new account could not log in to confirm it is the admin (the engine answered {})",
                r.status
            )
        })
}

/// Keeps a generated admin password in Secret `<name>-admin` (keys `email`, `password`),
/// skyflo's own: created when absent, updated when it is skyflo's, refused when someone
/// else's object has the name.
pub async fn store_admin_secret(
    cluster: &Cluster,
    email: &str,
    password: &str,
) -> anyhow::Result<String> {
    use crate::render::labels;
    use anyhow::Context;
    use k8s_openapi::api::core::v1::Secret;
    let name = format!("{}-admin", cluster.instance);
    let api = cluster.typed::<Secret>();
    if let Some(existing) = api
        .get_opt(&name)
        .await
        .with_context(|| format!("reading Secret {name}"))?
    {
        let ours = existing
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(labels::MANAGED_BY))
            .is_some_and(|m| m == labels::MANAGER);
        anyhow::ensure!(
            ours,
            "Secret {}/{name} exists and skyflo did not create it; nothing was changed. Pass the \
password with --password-stdin, or remove that Secret",
            cluster.namespace
        );
    }
    let names = cluster.names();
    let mut meta = crate::render::config::meta(&names, name.clone(), "engine");
    meta.labels
        .get_or_insert_with(Default::default)
        .insert(labels::KEEP.into(), "true".into());
    let s = Secret {
        metadata: meta,
        type_: Some("Opaque".into()),
        string_data: Some(
            [
                ("email".to_string(), email.to_string()),
                ("password".to_string(), password.to_string()),
            ]
            .into(),
        ),
        ..Default::default()
    };
    api.patch(
        &name,
        &kube::api::PatchParams::apply(labels::MANAGER).force(),
        &kube::api::Patch::Apply(&s),
    )
    .await
    .with_context(|| format!("storing the admin's password in Secret {name}"))?;
    Ok(name)
}
