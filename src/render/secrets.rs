//! The generated secrets: the engine's JWT signing key, the in-cluster PostgreSQL password,
//! and the key of the pod templates' checksums. They are generated once and then always read back from the cluster: a new
//! password would lock the engine out of the existing database volume (PostgreSQL only reads
//! `POSTGRES_PASSWORD` at initdb), and a new JWT key would log every user out.

use rand::Rng;

/// Length of generated values: 48 characters of a 64-symbol alphabet, 288 bits.
pub const GENERATED_LEN: usize = 48;
const URL_SAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub const JWT_SECRET_KEY: &str = "JWT_SECRET";
pub const POSTGRES_PASSWORD_KEY: &str = "POSTGRES_PASSWORD";
pub const CHECKSUM_KEY: &str = "CHECKSUM_KEY";
pub const POSTGRES_USER: &str = "skyflo";
pub const POSTGRES_DB: &str = "skyflo";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub jwt_secret: String,
    pub postgres_password: String,
    /// Keys the HMAC of Secret data in pod-template checksums: whoever may read a Deployment
    /// but not the Secret must not get a hash to test password guesses against.
    pub checksum_key: String,
}

/// Values found in the cluster's existing Secrets, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExistingSecrets {
    pub jwt_secret: Option<String>,
    pub postgres_password: Option<String>,
    pub checksum_key: Option<String>,
}

/// Reuses every existing value and generates only what is missing, with the thread-local
/// CSPRNG (ChaCha, seeded from the OS).
pub fn resolve(existing: &ExistingSecrets) -> Generated {
    let keep = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    Generated {
        jwt_secret: keep(&existing.jwt_secret).unwrap_or_else(random_token),
        postgres_password: keep(&existing.postgres_password).unwrap_or_else(random_token),
        checksum_key: keep(&existing.checksum_key).unwrap_or_else(random_token),
    }
}

/// HMAC-SHA-256 of `bytes` under `key`, in hex: a digest only the key's holder can make or
/// check (pod-template checksums, the adoption journal's signature).
pub fn keyed(key: &[u8], bytes: &[u8]) -> String {
    use hmac::Mac;
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(bytes);
    format!("{:x}", mac.finalize().into_bytes())
}

/// A cryptographically random, URL-safe token (safe inside a postgres:// URL).
pub fn random_token() -> String {
    let mut rng = rand::rng();
    (0..GENERATED_LEN)
        .map(|_| URL_SAFE[rng.random_range(0..URL_SAFE.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn existing_values_are_reused_and_missing_ones_generated() {
        let g = resolve(&ExistingSecrets {
            jwt_secret: Some("keep-me".into()),
            postgres_password: None,
            checksum_key: Some("kept-key".into()),
        });
        assert_eq!(g.checksum_key, "kept-key");
        assert_eq!(g.jwt_secret, "keep-me");
        assert_eq!(g.postgres_password.len(), GENERATED_LEN);
        assert!(
            g.postgres_password
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(random_token(), random_token());
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, byte by byte of the
/// UTF-8, so any password survives inside a `postgres://` or `redis://` URL.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The Secret `<name>-connection`: copies of credentials that come from the user's Secrets,
/// URL-encoded where a connection URL is composed from them (keys ending `_URLENCODED`), as
/// they are where the engine reads them from the environment (an external PostgreSQL's
/// `PGUSER`/`PGPASSWORD`). Read from those Secrets by `install`/`upgrade`, so a rotated
/// password reaches the engine on the next run (the pods' checksum follows this Secret).
pub const CONNECTION_PG_USER: &str = "PG_USER";
pub const CONNECTION_PG_PASSWORD_PLAIN: &str = "PG_PASSWORD";
pub const CONNECTION_PG_PASSWORD: &str = "PG_PASSWORD_URLENCODED";
pub const CONNECTION_REDIS_PASSWORD: &str = "REDIS_PASSWORD_URLENCODED";

/// The data of `<name>-connection`, already encoded where its key says so (key → value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connection(pub std::collections::BTreeMap<String, String>);

impl Connection {
    /// From the plain values read out of the user's Secrets.
    pub fn encode(plain: &[(&str, &str)]) -> Self {
        Connection(
            plain
                .iter()
                .map(|(k, v)| {
                    let v = if k.ends_with("_URLENCODED") {
                        percent_encode(v)
                    } else {
                        v.to_string()
                    };
                    (k.to_string(), v)
                })
                .collect(),
        )
    }
}
