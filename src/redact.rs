//! Redaction for everything a support bundle holds. Pure: the collector hands every text to
//! [`Redactor::text`] and every object to [`Redactor::object`] before it is written.
//!
//! Covered: every value of the Secrets the installation reads (whatever file it turns up in,
//! logs included), also trimmed (a Secret made with `--from-file` ends in a newline),
//! base64-encoded and percent-encoded (the engine logs `REDIS_URL` with the encoded
//! password); Secret data (reduced to its key names), anything shaped like a provider key,
//! passwords in URLs, `password=…` and JSON `"password": …`, and kubeconfig credentials.

use serde_json::Value;

pub const REDACTED: &str = "(redacted)";

/// Knows the secret values to remove; short values are ignored (they would redact ordinary
/// words).
#[derive(Debug, Default, Clone)]
pub struct Redactor {
    known: Vec<String>,
}

impl Redactor {
    pub fn new(values: impl IntoIterator<Item = String>) -> Self {
        let mut known: Vec<String> = values
            .into_iter()
            .flat_map(|v| forms(&v))
            .filter(|v| v.len() >= 6)
            .collect();
        // Longest first, so a value that contains another is removed whole.
        known.sort_by_key(|v| std::cmp::Reverse(v.len()));
        known.dedup();
        Redactor { known }
    }

    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_string();
        for v in &self.known {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), REDACTED);
            }
        }
        let out = url_passwords(&out);
        let out = provider_keys(&out);
        let out = password_assignments(&out);
        kubeconfig_credentials(&out)
    }

    /// An object as JSON: Secrets keep only their key names; every string is redacted.
    pub fn object(&self, v: &Value) -> Value {
        let mut v = v.clone();
        if v["kind"] == "Secret" {
            for field in ["data", "stringData"] {
                if let Some(m) = v.get_mut(field).and_then(Value::as_object_mut) {
                    for val in m.values_mut() {
                        *val = Value::String(REDACTED.into());
                    }
                }
            }
            if let Some(ann) = v["metadata"]["annotations"].as_object_mut() {
                // kubectl apply keeps the whole object, data included, in this annotation.
                ann.remove("kubectl.kubernetes.io/last-applied-configuration");
            }
        }
        self.strings(&mut v);
        v
    }

    fn strings(&self, v: &mut Value) {
        match v {
            Value::String(s) => *s = self.text(s),
            Value::Array(a) => a.iter_mut().for_each(|x| self.strings(x)),
            Value::Object(o) => o.values_mut().for_each(|x| self.strings(x)),
            _ => {}
        }
    }
}

/// The forms a secret value turns up in: as stored, trimmed, base64-encoded and
/// percent-encoded (as skyflo writes it into connection URLs).
fn forms(v: &str) -> Vec<String> {
    use base64::Engine;
    let t = v.trim();
    let b64 = base64::engine::general_purpose::STANDARD;
    vec![
        v.to_string(),
        t.to_string(),
        b64.encode(v),
        b64.encode(t),
        crate::render::secrets::percent_encode(t),
    ]
}

/// `password=VALUE`, `password: VALUE` and JSON `"password": "VALUE"` (any case, also
/// `passwd`/`pwd`-less spellings such as `POSTGRES_PASSWORD=`): the value goes.
fn password_assignments(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    if !lower.contains("password") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(found) = lower[i..].find("password") {
        let key_end = i + found + "password".len();
        out.push_str(&s[i..key_end]);
        i = key_end;
        // The separator: an optional closing quote, then `=` or `:`, spaces, an opening quote.
        let rest = &s[i..];
        let sep_len = rest
            .char_indices()
            .find(|(_, c)| !matches!(c, '"' | '\'' | ' ' | '=' | ':'))
            .map_or(rest.len(), |(n, _)| n);
        let sep = &rest[..sep_len];
        if !sep.contains('=') && !sep.contains(':') {
            continue;
        }
        let quoted = sep.trim_end_matches(' ').ends_with(['"', '\'']);
        let value_len = rest[sep_len..]
            .char_indices()
            .find(|(_, c)| {
                if quoted {
                    matches!(c, '"' | '\'')
                } else {
                    c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | '&' | '}' | ')')
                }
            })
            .map_or(rest.len() - sep_len, |(n, _)| n);
        out.push_str(sep);
        if value_len > 0 {
            out.push_str(REDACTED);
        }
        i += sep_len + value_len;
    }
    out.push_str(&s[i..]);
    out
}

/// `scheme://user:password@host` → `scheme://user:(redacted)@host`.
fn url_passwords(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        out.push_str(&rest[..i + 3]);
        rest = &rest[i + 3..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '/' | '>' | '<'))
            .unwrap_or(rest.len());
        let authority = &rest[..end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at => {
                out.push_str(&authority[..colon + 1]);
                out.push_str(REDACTED);
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Tokens shaped like the providers' keys: OpenAI/Anthropic/DeepSeek `sk-…`, Google `AIza…`,
/// Groq `gsk_…`, xAI `xai-…`, Hugging Face `hf_…`, NVIDIA `nvapi-…`.
fn provider_keys(s: &str) -> String {
    const PREFIXES: [&str; 7] = ["sk-", "AIza", "gsk_", "xai-", "hf_", "nvapi-", "sk_"];
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let bytes = s.as_bytes();
    while i < s.len() {
        let at_boundary = i == 0 || !is_key_char(bytes[i - 1] as char);
        let prefix = PREFIXES
            .iter()
            .find(|p| at_boundary && s[i..].starts_with(**p));
        if let Some(p) = prefix {
            let len = s[i..].chars().take_while(|c| is_key_char(*c)).count();
            if len >= p.len() + 16 {
                out.push_str(REDACTED);
                i += len;
                continue;
            }
        }
        let ch = s[i..].chars().next().expect("in bounds");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Kubeconfig credentials: the values of client-key-data, client-certificate-data, token,
/// password and the like, on their lines.
fn kubeconfig_credentials(s: &str) -> String {
    const KEYS: [&str; 6] = [
        "client-key-data:",
        "client-certificate-data:",
        "token:",
        "password:",
        "id-token:",
        "refresh-token:",
    ];
    if !KEYS.iter().any(|k| s.contains(k)) {
        return s.to_string();
    }
    s.lines()
        .map(|line| {
            let trimmed = line.trim_start().trim_start_matches("- ");
            match KEYS.iter().find(|k| trimmed.starts_with(**k)) {
                Some(k) => {
                    let indent = &line[..line.len() - trimmed.len()];
                    format!("{indent}{k} {REDACTED}")
                }
                None => line.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_values_keys_urls_and_kubeconfigs_are_removed() {
        let r = Redactor::new(["s3cr3t-password".to_string(), "abc".to_string()]);
        let t = r.text("connect with s3cr3t-password to postgres://app:other-pw@db:5432/x abc");
        assert_eq!(
            t,
            "connect with (redacted) to postgres://app:(redacted)@db:5432/x abc"
        );
        let k = r.text("key=sk-proj-ABCDEFGHIJKLMNOPQRSTUV and AIzaSyA1234567890abcdefghijklmnopqrstu; task-list");
        assert!(
            !k.contains("sk-proj") && !k.contains("AIza") && k.contains("task-list"),
            "{k}"
        );
        let kc = r
            .text("users:\n- name: u\n  user:\n    token: eyJhbGciOi\n    client-key-data: LS0t\n");
        assert!(!kc.contains("eyJhbGciOi") && !kc.contains("LS0t"), "{kc}");
        let secret = json!({"kind": "Secret", "data": {"POSTGRES_PASSWORD": "czNjcjN0"}, "metadata": {"name": "x"}});
        let s = r.object(&secret);
        assert_eq!(s["data"]["POSTGRES_PASSWORD"], REDACTED);
        let pod = json!({"kind": "Pod", "spec": {"containers": [{"env": [{"name": "X", "value": "s3cr3t-password"}]}]}});
        // A value from `--from-file` ends in a newline; logs show it trimmed, encoded.
        let r2 = Redactor::new(["p@ss w/rd#9\n".to_string()]);
        let logged = "limiter: redis://:p%40ss%20w%2Frd%239@redis:6379/0 ok; auth p@ss w/rd#9 x; b64 cEBzcyB3L3JkIzk=";
        let t = r2.text(logged);
        assert!(
            !t.contains("p%40ss") && !t.contains("p@ss") && !t.contains("cEBzcyB3L3JkIzk"),
            "{t}"
        );
        for (literal, keeps) in [
            ("DB_PASSWORD=hunter2hunter2 next", " next"),
            (
                r#"{"password": "hunter2hunter2", "user": "a"}"#,
                r#", "user": "a"}"#,
            ),
            ("password: hunter2hunter2", ""),
            ("--password='hunter2hunter2'", "'"),
        ] {
            let t = r.text(literal);
            assert!(
                !t.contains("hunter2") && t.contains(REDACTED) && t.ends_with(keeps),
                "{literal} -> {t}"
            );
        }
        assert_eq!(
            r.text("the password policy is strict"),
            "the password policy is strict"
        );
        assert_eq!(
            r.object(&pod)["spec"]["containers"][0]["env"][0]["value"],
            REDACTED
        );
    }
}
