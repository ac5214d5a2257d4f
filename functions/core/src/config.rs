//! Configuration read once at start-up from the environment.
//!
//! Every name read here is listed in the README's Configuration section.

use std::fmt;
use std::path::PathBuf;

/// A secret value (auth token, app secret). Its `Debug` and `Display` never show it,
/// so a secret cannot reach a log line through formatting.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a non-empty value; an empty one is treated as unset.
    pub fn new(value: impl Into<String>) -> Option<Self> {
        let value = value.into();
        (!value.is_empty()).then_some(Self(value))
    }

    /// The secret's bytes, for keying a MAC. Call sites are the only places it is read.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// `FRONTDESK_STAGE`: `local` and `test` are the stages where unsigned requests may be allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage(String);

impl Stage {
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    pub fn name(&self) -> &str {
        &self.0
    }

    pub fn allows_unsigned(&self) -> bool {
        matches!(self.0.as_str(), "local" | "test")
    }
}

/// `FRONTDESK_SIGNATURE_POLICY`: what a webhook does with the X-Twilio-Signature verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SignaturePolicy {
    /// Reject a request whose signature is missing or wrong with 403.
    #[default]
    Enforce,
    /// Validate and log the verdict with the URL candidates tried, then serve anyway.
    Shadow,
    /// Skip validation (local curl smoke tests only); warned on every request.
    Off,
}

impl SignaturePolicy {
    pub fn parse(value: &str) -> Result<Self, ConfigError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "enforce" => Ok(Self::Enforce),
            "shadow" => Ok(Self::Shadow),
            "off" => Ok(Self::Off),
            other => Err(ConfigError::Invalid {
                name: "FRONTDESK_SIGNATURE_POLICY",
                reason: format!("`{other}` is not one of enforce, shadow, off"),
            }),
        }
    }
}

/// `PUBLIC_BASE_URL`: the scheme, authority and base path Twilio calls, exactly as
/// registered in the Twilio console (for example `https://abc.execute-api.eu-west-1.amazonaws.com/prod`
/// or a custom domain). Webhook URLs are this base plus the route path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicBaseUrl(String);

impl PublicBaseUrl {
    pub fn parse(value: &str) -> Result<Self, ConfigError> {
        let invalid = |reason: &str| ConfigError::Invalid {
            name: "PUBLIC_BASE_URL",
            reason: reason.to_string(),
        };
        let value = value.trim();
        let rest = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"))
            .ok_or_else(|| invalid("must start with https:// or http://"))?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(invalid("has no host"));
        }
        if rest.contains(['?', '#']) {
            return Err(invalid("must not carry a query or fragment"));
        }
        if rest.contains(char::is_whitespace) {
            return Err(invalid("must not contain white space"));
        }
        Ok(Self(value.trim_end_matches('/').to_string()))
    }

    /// The base without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The absolute URL of a route path such as `/webhook/handle_recording`.
    pub fn join(&self, route_path: &str) -> String {
        let mut url = String::with_capacity(self.0.len() + route_path.len());
        url.push_str(&self.0);
        url.push_str(route_path);
        url
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{name}: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Everything Frontdesk reads from its environment.
#[derive(Clone, Debug)]
pub struct Config {
    pub stage: Stage,
    pub signature_policy: SignaturePolicy,
    pub public_base_url: Option<PublicBaseUrl>,
    /// The primary Twilio auth token (Twilio signs with it).
    pub twilio_auth_token: Option<Secret>,
    /// The previous auth token, accepted while a rotation is under way.
    pub twilio_auth_token_previous: Option<Secret>,
    /// Where `frontdesk serve` keeps its embedded state.
    pub data_dir: PathBuf,
    /// `FRONTDESK_DEFAULT_FALLBACK_TEXT` / `FRONTDESK_DEFAULT_LANGUAGE`: what a number no
    /// business claims hears before the beep.
    pub default_fallback_text: Option<String>,
    pub default_language: Option<String>,
    /// `FRONTDESK_ALLOWED_ORIGINS`: browser origins allowed to call `/api/*` (CORS).
    pub allowed_origins: Vec<String>,
    /// Meta's WhatsApp Cloud API and Twilio's Messages API credentials and endpoints.
    pub whatsapp: crate::whatsapp::config::WhatsAppConfig,
}

impl Config {
    /// Reads the process environment. `default_stage` applies when `FRONTDESK_STAGE` is unset:
    /// `local` for `frontdesk serve`, `prod` for a Lambda function.
    pub fn from_env(default_stage: &str) -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok(), default_stage)
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        default_stage: &str,
    ) -> Result<Self, ConfigError> {
        let non_empty = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let stage =
            Stage::new(non_empty("FRONTDESK_STAGE").unwrap_or_else(|| default_stage.into()));
        let signature_policy = match non_empty("FRONTDESK_SIGNATURE_POLICY") {
            Some(value) => SignaturePolicy::parse(&value)?,
            None => SignaturePolicy::Enforce,
        };
        if signature_policy == SignaturePolicy::Off && !stage.allows_unsigned() {
            return Err(ConfigError::Invalid {
                name: "FRONTDESK_SIGNATURE_POLICY",
                reason: format!(
                    "`off` is refused in stage `{}`; it is allowed only when FRONTDESK_STAGE is local or test",
                    stage.name()
                ),
            });
        }
        let public_base_url = non_empty("PUBLIC_BASE_URL")
            .map(|v| PublicBaseUrl::parse(&v))
            .transpose()?;
        Ok(Self {
            stage,
            signature_policy,
            public_base_url,
            twilio_auth_token: lookup("TWILIO_AUTH_TOKEN").and_then(Secret::new),
            twilio_auth_token_previous: lookup("TWILIO_AUTH_TOKEN_PREVIOUS").and_then(Secret::new),
            data_dir: non_empty("FRONTDESK_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".frontdesk")),
            default_fallback_text: non_empty("FRONTDESK_DEFAULT_FALLBACK_TEXT"),
            default_language: non_empty("FRONTDESK_DEFAULT_LANGUAGE"),
            allowed_origins: non_empty("FRONTDESK_ALLOWED_ORIGINS")
                .map(|v| crate::api::cors::parse_origins(&v))
                .unwrap_or_default(),
            whatsapp: crate::whatsapp::config::WhatsAppConfig::from_lookup(&lookup)?,
        })
    }

    /// The configuration for a call to a number no business claims: voicemail with defaults.
    pub fn default_business(&self) -> crate::domain::Business {
        let mut business = crate::domain::Business::default_for_unknown_number();
        if let Some(text) = &self.default_fallback_text {
            business.fallback_text = text.clone();
        }
        if let Some(language) = &self.default_language {
            business.language = language.clone();
        }
        business
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)], default_stage: &str) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| vars.get(k).cloned(), default_stage)
    }

    #[test]
    fn signature_policy_defaults_to_enforce_in_every_stage() {
        assert_eq!(
            config(&[], "local").unwrap().signature_policy,
            SignaturePolicy::Enforce
        );
        assert_eq!(
            config(&[], "prod").unwrap().signature_policy,
            SignaturePolicy::Enforce
        );
    }

    #[test]
    fn policy_off_is_refused_outside_local_and_test() {
        let err = config(&[("FRONTDESK_SIGNATURE_POLICY", "off")], "prod").unwrap_err();
        assert!(err.to_string().contains("refused in stage `prod`"), "{err}");
        let err = config(
            &[
                ("FRONTDESK_SIGNATURE_POLICY", "off"),
                ("FRONTDESK_STAGE", "staging"),
            ],
            "local",
        )
        .unwrap_err();
        assert!(err.to_string().contains("staging"));
    }

    #[test]
    fn policy_off_is_allowed_in_local_and_test() {
        for stage in ["local", "test"] {
            let cfg = config(
                &[
                    ("FRONTDESK_SIGNATURE_POLICY", "OFF"),
                    ("FRONTDESK_STAGE", stage),
                ],
                "prod",
            )
            .unwrap();
            assert_eq!(cfg.signature_policy, SignaturePolicy::Off);
        }
    }

    #[test]
    fn unknown_policy_is_an_error_naming_the_variable() {
        let err = config(&[("FRONTDESK_SIGNATURE_POLICY", "lenient")], "local").unwrap_err();
        assert!(err.to_string().starts_with("FRONTDESK_SIGNATURE_POLICY"));
    }

    #[test]
    fn public_base_url_is_trimmed_of_its_trailing_slash() {
        let cfg = config(
            &[("PUBLIC_BASE_URL", "https://abc.example.com/prod/")],
            "local",
        )
        .unwrap();
        let base = cfg.public_base_url.unwrap();
        assert_eq!(
            base.join("/webhook/incoming_call"),
            "https://abc.example.com/prod/webhook/incoming_call"
        );
    }

    #[test]
    fn public_base_url_rejects_bad_forms() {
        for bad in [
            "abc.example.com",
            "ftp://x",
            "https://",
            "https://x/?a=1",
            "https://x/#f",
        ] {
            assert!(
                PublicBaseUrl::parse(bad).is_err(),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let cfg = config(
            &[
                ("TWILIO_AUTH_TOKEN", "tok-primary-123"),
                ("TWILIO_AUTH_TOKEN_PREVIOUS", "tok-old-456"),
            ],
            "local",
        )
        .unwrap();
        let shown = format!("{cfg:?}");
        assert!(
            !shown.contains("tok-primary-123") && !shown.contains("tok-old-456"),
            "{shown}"
        );
    }

    #[test]
    fn empty_token_counts_as_unset() {
        let cfg = config(&[("TWILIO_AUTH_TOKEN", "")], "local").unwrap();
        assert!(cfg.twilio_auth_token.is_none());
    }

    #[test]
    fn data_dir_defaults_to_dot_frontdesk() {
        assert_eq!(
            config(&[], "local").unwrap().data_dir,
            PathBuf::from(".frontdesk")
        );
    }
}
