//! An upstream installation on an external PostgreSQL or Redis (the chart's
//! `postgresql.enabled=false` / `redis.enabled=false`): the engine's connection URL becomes
//! `databaseConfig` / `redisConfig`, and its credentials a Secret that adopt creates and the
//! file names. URLs hold passwords: no message here quotes one.

use std::collections::BTreeMap;

use percent_encoding::percent_decode_str;

use super::model::{Credentials, Derived};
use crate::spec::raw::{RawDatabase, RawRedis};

fn decoded(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Parses the URL without ever echoing it.
fn parse(url: &str, key: &str, schemes: &[&str], d: &mut Derived) -> Option<url::Url> {
    match url::Url::parse(url) {
        Ok(u) if schemes.contains(&u.scheme()) && u.host_str().is_some() => Some(u),
        Ok(u) => {
            d.blockers.push(format!(
                "the engine's {key} has scheme {:?} or no host; expected {}://…",
                u.scheme(),
                schemes.join(" or ")
            ));
            None
        }
        Err(e) => {
            d.blockers
                .push(format!("the engine's {key} is not a URL ({e})"));
            None
        }
    }
}

pub fn database(f: &str, creds: &Credentials, d: &mut Derived) -> Option<RawDatabase> {
    let Some(raw) = &creds.database_url else {
        d.blockers.push(format!(
            "no StatefulSet {f}-postgres and no POSTGRES_DATABASE_URL in the engine's Secret: where the data lives is unknown"
        ));
        return None;
    };
    let u = parse(raw, "POSTGRES_DATABASE_URL", &["postgres", "postgresql"], d)?;
    let database = u.path().trim_start_matches('/').to_string();
    if database.is_empty() || u.username().is_empty() {
        d.blockers
            .push("the engine's POSTGRES_DATABASE_URL names no database or no user".to_string());
        return None;
    }
    let mut ssl_mode = None;
    for (k, v) in u.query_pairs() {
        if k == "sslmode" && crate::spec::SSL_MODES.contains(&v.as_ref()) {
            ssl_mode = Some(v.into_owned());
        } else {
            d.not_expressed.push(format!(
                "the database URL's parameter {k:?}: skyflo composes the URL itself (spec.engine.databaseConfig.sslMode is the one parameter it sets)"
            ));
        }
    }
    let secret = format!("{f}-external-postgres");
    d.secrets.insert(
        secret.clone(),
        BTreeMap::from([
            ("POSTGRES_USER".to_string(), decoded(u.username())),
            (
                "POSTGRES_PASSWORD".to_string(),
                decoded(u.password().unwrap_or_default()),
            ),
        ]),
    );
    Some(RawDatabase {
        host: u.host_str().map(str::to_string),
        port: u.port().map(i64::from),
        database: Some(database),
        secret_name: Some(secret),
        ssl_mode,
        ..Default::default()
    })
}

pub fn redis(f: &str, creds: &Credentials, d: &mut Derived) -> Option<RawRedis> {
    let Some(raw) = &creds.redis_url else {
        d.blockers.push(format!(
            "no StatefulSet {f}-redis and no REDIS_URL in the engine's Secret: where Redis lives is unknown"
        ));
        return None;
    };
    let u = parse(raw, "REDIS_URL", &["redis", "rediss"], d)?;
    let index = u.path().trim_start_matches('/');
    if !index.is_empty() && index != "0" {
        d.not_expressed.push(format!(
            "the Redis URL's database {index}: skyflo's engine uses database 0"
        ));
    }
    let secret = format!("{f}-external-redis");
    d.secrets.insert(
        secret.clone(),
        BTreeMap::from([(
            "REDIS_PASSWORD".to_string(),
            decoded(u.password().unwrap_or_default()),
        )]),
    );
    Some(RawRedis {
        host: u.host_str().map(str::to_string),
        port: u.port().map(i64::from),
        tls: (u.scheme() == "rediss").then_some(true),
        secret_name: Some(secret),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(db: &str, redis: &str) -> Credentials {
        Credentials {
            database_url: Some(db.into()),
            redis_url: Some(redis.into()),
            ..Default::default()
        }
    }

    #[test]
    fn urls_become_fields_and_secrets() {
        let mut d = Derived::default();
        let c = creds(
            "postgres://app%40x:p%2Fw%3Ad@db.example.com:6543/skyflo?sslmode=require",
            "rediss://:r%20pw@cache.example.com:6380/0",
        );
        let db = database("prod-skyflo", &c, &mut d).unwrap();
        assert_eq!(db.host.as_deref(), Some("db.example.com"));
        assert_eq!(db.port, Some(6543));
        assert_eq!(db.database.as_deref(), Some("skyflo"));
        assert_eq!(db.ssl_mode.as_deref(), Some("require"));
        let s = &d.secrets["prod-skyflo-external-postgres"];
        assert_eq!(s["POSTGRES_USER"], "app@x");
        assert_eq!(s["POSTGRES_PASSWORD"], "p/w:d");
        let r = redis("prod-skyflo", &c, &mut d).unwrap();
        assert_eq!(r.tls, Some(true));
        assert_eq!(r.port, Some(6380));
        assert_eq!(
            d.secrets["prod-skyflo-external-redis"]["REDIS_PASSWORD"],
            "r pw"
        );
        assert!(d.blockers.is_empty() && d.not_expressed.is_empty(), "{d:?}");
    }

    #[test]
    fn bad_urls_block_without_quoting_them() {
        let mut d = Derived::default();
        let c = creds("mysql://u:secretpw@h/db", "not a url secretpw");
        assert!(database("a", &c, &mut d).is_none());
        assert!(redis("a", &c, &mut d).is_none());
        assert_eq!(d.blockers.len(), 2);
        assert!(!format!("{:?}", d.blockers).contains("secretpw"));
    }
}
