//! What adopt works with between reading an upstream installation and writing the SkyfloAI
//! file: the credentials it holds and the derived file with what it cannot express. Shared by
//! `derive` (in-cluster data stores) and `external` (PostgreSQL and Redis outside the cluster).

use std::collections::BTreeMap;

use kube::api::DynamicObject;

use crate::spec::raw::RawSkyfloAI;

/// The credentials an upstream installation holds (values never printed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Credentials {
    pub jwt_secret: Option<String>,
    pub postgres_user: Option<String>,
    pub postgres_password: Option<String>,
    pub postgres_db: Option<String>,
    /// Non-empty provider keys (`OPENAI_API_KEY`, the AWS triple, …).
    pub provider_keys: BTreeMap<String, String>,
    pub llm_model: Option<String>,
    pub llm_host: Option<String>,
    /// LLM_REASONING_EFFORT and friends, as upstream's chart stores them.
    pub tuning: BTreeMap<String, String>,
    /// The engine's connection URLs (they hold passwords: never printed).
    pub database_url: Option<String>,
    pub redis_url: Option<String>,
}

/// Keys of upstream's engine Secret that are not provider credentials.
const NOT_KEYS: [&str; 8] = [
    "JWT_SECRET",
    "LLM_MODEL",
    "LLM_HOST",
    "POSTGRES_DATABASE_URL",
    "REDIS_URL",
    "LLM_REASONING_EFFORT",
    "LLM_THINKING_BUDGET_TOKENS",
    "LLM_MAX_TOKENS",
];

/// Decoded `data` of a Secret given as a dynamic object.
pub fn secret_data(obj: &DynamicObject) -> BTreeMap<String, String> {
    use base64::Engine as _;
    obj.data["data"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| {
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(v.as_str()?)
                        .ok()?;
                    Some((k.clone(), String::from_utf8(bytes).ok()?))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The credentials from upstream's engine and PostgreSQL Secrets.
pub fn credentials(
    engine: &BTreeMap<String, String>,
    postgres: &BTreeMap<String, String>,
) -> Credentials {
    let get = |m: &BTreeMap<String, String>, k: &str| m.get(k).filter(|v| !v.is_empty()).cloned();
    Credentials {
        jwt_secret: get(engine, "JWT_SECRET"),
        postgres_user: get(postgres, "POSTGRES_USER"),
        postgres_password: get(postgres, "POSTGRES_PASSWORD"),
        postgres_db: get(postgres, "POSTGRES_DB"),
        provider_keys: engine
            .iter()
            .filter(|(k, v)| !NOT_KEYS.contains(&k.as_str()) && !v.is_empty())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        llm_model: get(engine, "LLM_MODEL"),
        llm_host: get(engine, "LLM_HOST"),
        tuning: [
            "LLM_REASONING_EFFORT",
            "LLM_THINKING_BUDGET_TOKENS",
            "LLM_MAX_TOKENS",
        ]
        .iter()
        .filter_map(|k| Some((k.to_string(), get(engine, k)?)))
        .collect(),
        database_url: get(engine, "POSTGRES_DATABASE_URL"),
        redis_url: get(engine, "REDIS_URL"),
    }
}

/// The SkyfloAI file, what it cannot express (listed for the user), and what stops the
/// adoption (nothing is done while any is left).
#[derive(Debug, Default)]
pub struct Derived {
    pub raw: RawSkyfloAI,
    pub not_expressed: Vec<String>,
    pub blockers: Vec<String>,
    /// Secrets to create for an external PostgreSQL or Redis (name → data), which the file
    /// names in `secretName`.
    pub secrets: BTreeMap<String, BTreeMap<String, String>>,
}
