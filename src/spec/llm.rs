//! LLM providers: which environment variables hold a provider's credentials.
//!
//! Upstream's install.sh mapped providers to key variables but its manifest had no slot for
//! some of them (DeepSeek, Together AI, NVIDIA NIM), so those keys were silently dropped, and
//! it demanded a key even for Ollama. Here every variable a provider may use is carried into
//! the credentials Secret, and providers that need no key do not ask for one.

/// The environment variables that hold credentials for `provider` (the part of the model
/// name before `/`), and whether the provider needs one at all.
pub fn key_vars(provider: &str) -> (Vec<String>, bool) {
    let p = provider.to_ascii_lowercase();
    let fixed: &[&str] = match p.as_str() {
        "ollama" | "ollama_chat" => return (vec!["OLLAMA_API_KEY".into()], false),
        "vllm" | "hosted_vllm" | "lm_studio" => return (vec![], false),
        "huggingface" => &["HF_TOKEN"],
        "bedrock" | "aws" | "sagemaker" => &[
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_REGION_NAME",
            "AWS_SESSION_TOKEN",
        ],
        "databricks" => &["DATABRICKS_TOKEN"],
        "clarifai" => &["CLARIFAI_PAT"],
        "ibm" | "watsonx" => &["IBM_API_KEY", "WATSONX_APIKEY"],
        "jina" | "jinaai" | "jina_ai" => &["JINAAI_API_KEY"],
        "perplexity" | "perplexityai" => &["PERPLEXITYAI_API_KEY"],
        "fireworks" | "fireworksai" | "fireworks_ai" => &["FIREWORKS_AI_API_KEY"],
        "together" | "togetherai" | "together_ai" => &["TOGETHERAI_API_KEY", "TOGETHER_AI_API_KEY"],
        "nvidia" | "nim" | "nvidia_nim" => &["NVIDIA_NIM_API_KEY", "NVIDIA_NGC_API_KEY"],
        "deepseek" => &["DEEPSEEK_API_KEY"],
        "gemini" | "google" => &["GEMINI_API_KEY"],
        "vertex_ai" => &[
            "GOOGLE_APPLICATION_CREDENTIALS",
            "VERTEXAI_PROJECT",
            "VERTEXAI_LOCATION",
        ],
        "azure" | "azure_ai" => &["AZURE_API_KEY", "AZURE_API_BASE", "AZURE_API_VERSION"],
        "featherless" | "featherless_ai" => &["FEATHERLESS_AI_API_KEY"],
        _ => {
            let var: String = p
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            return (vec![format!("{var}_API_KEY")], true);
        }
    };
    (fixed.iter().map(|s| s.to_string()).collect(), true)
}

/// The variable litellm reads as `provider`'s default base URL. The engine passes `LLM_HOST`
/// to its main turn only; its next-speaker check calls litellm without a base URL, which then
/// falls back to this variable or to the provider's public host (skyflo-upstream.md §7).
pub fn api_base_var(provider: &str) -> Option<&'static str> {
    Some(match provider.to_ascii_lowercase().as_str() {
        "openai" | "text-completion-openai" => "OPENAI_API_BASE",
        "anthropic" => "ANTHROPIC_API_BASE",
        "vllm" | "hosted_vllm" => "HOSTED_VLLM_API_BASE",
        "ollama" | "ollama_chat" => "OLLAMA_API_BASE",
        "lm_studio" => "LM_STUDIO_API_BASE",
        "azure" => "AZURE_API_BASE",
        "gemini" => "GEMINI_API_BASE",
        "groq" => "GROQ_API_BASE",
        "deepseek" => "DEEPSEEK_API_BASE",
        "mistral" => "MISTRAL_API_BASE",
        "openrouter" => "OPENROUTER_API_BASE",
        "xai" => "XAI_API_BASE",
        _ => return None,
    })
}

/// Whether `provider` speaks the OpenAI API at `<host>/chat/completions`, so its host is the
/// base URL including `/v1`.
pub fn openai_compatible(provider: &str) -> bool {
    matches!(
        provider.to_ascii_lowercase().as_str(),
        "openai" | "vllm" | "hosted_vllm" | "lm_studio"
    )
}

/// The provider part of `provider/model`.
pub fn provider_of(model: &str) -> &str {
    model.split('/').next().unwrap_or(model)
}

/// Credentials found in the environment for `model`'s provider, as (variable, value) pairs.
pub fn credentials_from_env(
    model: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<(String, String)> {
    let (vars, _) = key_vars(provider_of(model));
    vars.into_iter()
        .filter_map(|v| env(&v).filter(|s| !s.is_empty()).map(|value| (v, value)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_dropped_keys_are_kept() {
        let env = |k: &str| match k {
            "DEEPSEEK_API_KEY" => Some("d".to_string()),
            "TOGETHER_AI_API_KEY" => Some("t".to_string()),
            "NVIDIA_NIM_API_KEY" => Some("n".to_string()),
            _ => None,
        };
        assert_eq!(
            credentials_from_env("deepseek/deepseek-chat", &env),
            [("DEEPSEEK_API_KEY".into(), "d".into())]
        );
        assert_eq!(
            credentials_from_env("together_ai/llama", &env),
            [("TOGETHER_AI_API_KEY".into(), "t".into())]
        );
        assert_eq!(
            credentials_from_env("nvidia_nim/llama", &env),
            [("NVIDIA_NIM_API_KEY".into(), "n".into())]
        );
    }

    #[test]
    fn ollama_needs_no_key_and_unknown_providers_follow_the_pattern() {
        assert!(!key_vars("ollama").1);
        assert_eq!(
            key_vars("openai"),
            (vec!["OPENAI_API_KEY".to_string()], true)
        );
        assert_eq!(key_vars("my-provider").0, ["MY_PROVIDER_API_KEY"]);
    }
}
