//! Does the LLM work? One short authenticated read request to the provider (its model list),
//! from the operator's machine, before anything is installed: a key the provider rejects, or a
//! model it does not serve, is found here instead of after the install "succeeded".
//!
//! One small function per API shape. Production and tests differ only in the base URL:
//! `SKYFLO_LLM_CHECK_BASE_URL` points every provider at a local server in the tests.

use std::time::Duration;

use serde_json::Value;

/// How long the provider may take to answer.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// What the provider said.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The key works and the model is served.
    Ok,
    /// The provider answered and refused the key (its status and message).
    Rejected { status: u16, message: String },
    /// The key works but the model is not one the provider serves; the closest names.
    UnknownModel { similar: Vec<String> },
    /// No answer within [`TIMEOUT`].
    Timeout,
    /// No connection (DNS, refused, TLS).
    Unreachable(String),
    /// An answer that is neither of the above (5xx, unexpected body).
    Unexpected { status: u16, message: String },
    /// The provider needs a key and none was found.
    NoKey,
    /// skyflo has no check for this provider's API.
    Unsupported,
    /// Not asked, so that the key does not go where it should not (why).
    NotSent(String),
}

/// The key to check, and whether it came from the cluster (stored by an earlier install, or
/// the spec's `apiKeySecret`) rather than from this run's environment.
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    pub value: &'a str,
    pub stored: bool,
}

/// The API shapes skyflo can check.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    /// `GET {base}/models` with `Authorization: Bearer`, `data[].id` (OpenAI and the
    /// OpenAI-compatible APIs).
    OpenAi,
    /// `GET {base}/v1/models` with `x-api-key` and `anthropic-version`.
    Anthropic,
    /// `GET {base}/v1beta/models` with `x-goog-api-key`, `models[].name` = `models/<id>`.
    Gemini,
    /// `GET {base}/api/tags`, no key, `models[].name` = `<id>[:tag]`.
    Ollama,
}

/// The shape and default base URL (for OpenAI-shaped APIs, up to the version path) for a
/// provider, if skyflo can check it.
fn shape(provider: &str) -> Option<(Shape, &'static str)> {
    Some(match provider {
        "openai" | "text-completion-openai" => (Shape::OpenAi, "https://api.openai.com/v1"),
        "groq" => (Shape::OpenAi, "https://api.groq.com/openai/v1"),
        "mistral" => (Shape::OpenAi, "https://api.mistral.ai/v1"),
        "deepseek" => (Shape::OpenAi, "https://api.deepseek.com"),
        "together_ai" | "togetherai" => (Shape::OpenAi, "https://api.together.xyz/v1"),
        "fireworks_ai" => (Shape::OpenAi, "https://api.fireworks.ai/inference/v1"),
        "xai" => (Shape::OpenAi, "https://api.x.ai/v1"),
        "openrouter" => (Shape::OpenAi, "https://openrouter.ai/api/v1"),
        "hosted_vllm" | "lm_studio" => (Shape::OpenAi, "http://localhost:8000/v1"),
        "anthropic" => (Shape::Anthropic, "https://api.anthropic.com"),
        "gemini" => (Shape::Gemini, "https://generativelanguage.googleapis.com"),
        "ollama" | "ollama_chat" => (Shape::Ollama, "http://localhost:11434"),
        _ => return None,
    })
}

/// Providers skyflo can check, for the README and messages.
pub const CHECKED: &str = "OpenAI and OpenAI-compatible endpoints (LLM_HOST), Groq, Mistral, DeepSeek, Together AI, Fireworks, xAI, OpenRouter, vLLM, LM Studio, Anthropic, Gemini, Ollama";

/// The base URL to ask: the spec's host, else the provider's own (`own`).
fn base_url(own: &str, host: Option<&str>) -> String {
    host.unwrap_or(own).trim_end_matches('/').to_string()
}

/// Why the key must not go to `base`, if it must not: over plain http except to loopback, or
/// a key from the cluster to any host but the provider's own (`check -f untrusted.yaml`
/// must not hand the stored key to whoever wrote the file).
fn refuse(base: &str, own: &str, key: Option<Key<'_>>) -> Option<String> {
    let key = key.filter(|k| !k.value.is_empty())?;
    let Ok(url) = reqwest::Url::parse(base) else {
        return Some(format!("{base} is not a URL"));
    };
    if url.scheme() == "http" && !is_loopback(&url) {
        return Some(format!(
            "the key would travel unencrypted (plain http) to {}; use https, or check from a machine where the server is on loopback",
            url.origin().ascii_serialization()
        ));
    }
    let own = reqwest::Url::parse(own).ok()?;
    if key.stored && url.origin() != own.origin() {
        return Some(format!(
            "the key stored in the cluster goes only to the provider's own host ({}), not to {} named by the spec; give the key in the environment to check that host",
            own.origin().ascii_serialization(),
            url.origin().ascii_serialization()
        ));
    }
    None
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Redirects are followed only within the origin asked: a provider's key headers must not
/// go to another host or port.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(|u| u.origin());
        if attempt.previous().len() < 5 && first == Some(attempt.url().origin()) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// Asks the provider of `model` (`provider/name`) whether `key` works and the model is served.
/// `base_override`: the test hook (`SKYFLO_LLM_CHECK_BASE_URL`, resolved in settings, debug
/// builds only) that stands in for the provider's own host.
pub async fn probe(
    model: &str,
    host: Option<&str>,
    key: Option<Key<'_>>,
    base_override: Option<&str>,
) -> Verdict {
    let (provider, name) = model.split_once('/').unwrap_or((model, ""));
    let Some((shape, default)) = shape(provider) else {
        return Verdict::Unsupported;
    };
    if key.is_none() && shape != Shape::Ollama && host.is_none() {
        return Verdict::NoKey;
    }
    let own = base_override.unwrap_or(default);
    let base = base_url(own, host);
    if let Some(why) = refuse(&base, own, key) {
        return Verdict::NotSent(why);
    }
    let key = key.map(|k| k.value);
    let client = match reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(same_origin_redirects())
        .user_agent(concat!("skyflo/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => return Verdict::Unreachable(e.to_string()),
    };
    let request = request(&client, shape, &base, key);
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) if e.is_timeout() => return Verdict::Timeout,
        Err(e) => return Verdict::Unreachable(reason(&e)),
    };
    let status = response.status().as_u16();
    if response.status().is_redirection() {
        let to = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| response.url().join(l.to_str().ok()?).ok())
            .map_or("another address".to_string(), |u| {
                u.origin().ascii_serialization()
            });
        return Verdict::Unexpected {
            status,
            message: format!(
                "redirected to {to}; not followed, so the key does not leave for another origin"
            ),
        };
    }
    let body: Value = match response.text().await {
        Ok(t) => serde_json::from_str(&t).unwrap_or(Value::String(t)),
        Err(e) if e.is_timeout() => return Verdict::Timeout,
        Err(e) => return Verdict::Unreachable(reason(&e)),
    };
    judge(shape, status, &body, name)
}

fn request(
    client: &reqwest::Client,
    shape: Shape,
    base: &str,
    key: Option<&str>,
) -> reqwest::RequestBuilder {
    let key = key.unwrap_or_default();
    match shape {
        Shape::OpenAi => {
            let r = client.get(format!("{base}/models"));
            if key.is_empty() {
                r
            } else {
                r.bearer_auth(key)
            }
        }
        Shape::Anthropic => client
            .get(format!("{base}/v1/models?limit=1000"))
            .header("x-api-key", key)
            .header("anthropic-version", "2023-06-01"),
        Shape::Gemini => client
            .get(format!("{base}/v1beta/models?pageSize=1000"))
            .header("x-goog-api-key", key),
        Shape::Ollama => client.get(format!("{base}/api/tags")),
    }
}

/// The innermost cause, without the URL (which can carry nothing secret here, but is noise).
fn reason(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(s) = source.source() {
        source = s;
    }
    source.to_string()
}

/// The provider's verdict from its answer.
fn judge(shape: Shape, status: u16, body: &Value, model: &str) -> Verdict {
    let message = error_message(body);
    // Gemini answers an invalid key with 400 INVALID_ARGUMENT "API key not valid".
    let rejected = matches!(status, 401 | 403)
        || (shape == Shape::Gemini && status == 400 && message.to_lowercase().contains("api key"));
    if rejected {
        return Verdict::Rejected { status, message };
    }
    if !(200..300).contains(&status) {
        return Verdict::Unexpected { status, message };
    }
    let served = served_models(shape, body);
    let found = served.iter().any(|m| {
        m == model
            || (shape == Shape::Ollama
                && (m.strip_suffix(":latest") == Some(model)
                    || model.strip_suffix(":latest") == Some(m)))
    });
    if found {
        return Verdict::Ok;
    }
    let mut ranked: Vec<(f64, &String)> = served
        .iter()
        .map(|m| (strsim::jaro_winkler(m, model), m))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    Verdict::UnknownModel {
        similar: ranked.into_iter().take(3).map(|(_, m)| m.clone()).collect(),
    }
}

fn served_models(shape: Shape, body: &Value) -> Vec<String> {
    let (list, field) = match shape {
        Shape::OpenAi | Shape::Anthropic => (&body["data"], "id"),
        Shape::Gemini | Shape::Ollama => (&body["models"], "name"),
    };
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m[field].as_str())
        .map(|m| m.strip_prefix("models/").unwrap_or(m).to_string())
        .collect()
}

/// The provider's own error text: `error.message` (OpenAI, Anthropic, Gemini, Groq,
/// Mistral, DeepSeek), `error` as a string (Ollama), `message`/`detail`, else the body.
fn error_message(body: &Value) -> String {
    let s = body["error"]["message"]
        .as_str()
        .or(body["error"].as_str())
        .or(body["message"].as_str())
        .or(body["detail"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| match body {
            Value::String(s) => s.chars().take(200).collect(),
            Value::Null => String::new(),
            other => other.to_string().chars().take(200).collect(),
        });
    s.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn verdicts_follow_each_providers_answer() {
        let openai = json!({"data": [{"id": "gpt-4o"}, {"id": "gpt-4o-mini"}, {"id": "o3"}]});
        assert_eq!(judge(Shape::OpenAi, 200, &openai, "gpt-4o"), Verdict::Ok);
        match judge(Shape::OpenAi, 200, &openai, "gpt-4") {
            Verdict::UnknownModel { similar } => assert_eq!(similar[0], "gpt-4o"),
            other => panic!("{other:?}"),
        }
        let bad = json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}});
        assert_eq!(
            judge(Shape::OpenAi, 401, &bad, "gpt-4o"),
            Verdict::Rejected {
                status: 401,
                message: "Incorrect API key provided".into()
            }
        );
        let gemini_bad = json!({"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT"}});
        assert!(matches!(
            judge(Shape::Gemini, 400, &gemini_bad, "gemini-2.5-pro"),
            Verdict::Rejected { .. }
        ));
        let gemini = json!({"models": [{"name": "models/gemini-2.5-pro"}]});
        assert_eq!(
            judge(Shape::Gemini, 200, &gemini, "gemini-2.5-pro"),
            Verdict::Ok
        );
        let ollama = json!({"models": [{"name": "llama3.1:latest"}]});
        assert_eq!(judge(Shape::Ollama, 200, &ollama, "llama3.1"), Verdict::Ok);
        assert_eq!(
            judge(Shape::Anthropic, 500, &json!("upstream connect error"), "x"),
            Verdict::Unexpected {
                status: 500,
                message: "upstream connect error".into()
            }
        );
    }
}
