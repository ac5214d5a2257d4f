//! What the WhatsApp routes read from the environment. Every name is listed in the README's
//! Configuration section.

use crate::config::{ConfigError, Secret};

pub const DEFAULT_META_GRAPH_BASE_URL: &str = "https://graph.facebook.com";
pub const DEFAULT_META_GRAPH_VERSION: &str = "v21.0";
pub const DEFAULT_TWILIO_API_BASE_URL: &str = "https://api.twilio.com";

#[derive(Clone, Debug)]
pub struct WhatsAppConfig {
    /// `META_APP_SECRET`: keys X-Hub-Signature-256.
    pub meta_app_secret: Option<Secret>,
    /// `META_VERIFY_TOKEN`: what Meta's subscription handshake must present.
    pub meta_verify_token: Option<Secret>,
    /// `META_ACCESS_TOKEN`: the Graph API bearer token for sending.
    pub meta_access_token: Option<Secret>,
    /// `META_GRAPH_BASE_URL` (default Meta's) and `META_GRAPH_VERSION` (default `v21.0`).
    pub meta_graph_base_url: String,
    pub meta_graph_version: String,
    /// `TWILIO_ACCOUNT_SID`: the account the Messages API sends from (with `TWILIO_AUTH_TOKEN`).
    pub twilio_account_sid: Option<String>,
    /// `TWILIO_API_BASE_URL` (default Twilio's).
    pub twilio_api_base_url: String,
}

fn base_url(
    name: &'static str,
    value: Option<String>,
    default: &str,
) -> Result<String, ConfigError> {
    let value = value.unwrap_or_else(|| default.to_string());
    let value = value.trim().trim_end_matches('/');
    if !(value.starts_with("https://") || value.starts_with("http://")) {
        return Err(ConfigError::Invalid {
            name,
            reason: "must start with https:// or http://".into(),
        });
    }
    Ok(value.to_string())
}

impl WhatsAppConfig {
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let non_empty = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let version = non_empty("META_GRAPH_VERSION")
            .unwrap_or_else(|| DEFAULT_META_GRAPH_VERSION.to_string());
        if !version.starts_with('v') || version.contains(['/', '?', '#', ' ']) {
            return Err(ConfigError::Invalid {
                name: "META_GRAPH_VERSION",
                reason: format!("`{version}` is not a Graph API version such as v21.0"),
            });
        }
        Ok(Self {
            meta_app_secret: lookup("META_APP_SECRET").and_then(Secret::new),
            meta_verify_token: lookup("META_VERIFY_TOKEN").and_then(Secret::new),
            meta_access_token: lookup("META_ACCESS_TOKEN").and_then(Secret::new),
            meta_graph_base_url: base_url(
                "META_GRAPH_BASE_URL",
                non_empty("META_GRAPH_BASE_URL"),
                DEFAULT_META_GRAPH_BASE_URL,
            )?,
            meta_graph_version: version,
            twilio_account_sid: non_empty("TWILIO_ACCOUNT_SID"),
            twilio_api_base_url: base_url(
                "TWILIO_API_BASE_URL",
                non_empty("TWILIO_API_BASE_URL"),
                DEFAULT_TWILIO_API_BASE_URL,
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_point_at_the_providers_and_secrets_stay_hidden() {
        let config = WhatsAppConfig::from_lookup(|name| match name {
            "META_APP_SECRET" => Some("app-secret-xyz".into()),
            "META_GRAPH_BASE_URL" => Some("http://127.0.0.1:9/".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(config.meta_graph_base_url, "http://127.0.0.1:9");
        assert_eq!(config.twilio_api_base_url, DEFAULT_TWILIO_API_BASE_URL);
        assert_eq!(config.meta_graph_version, DEFAULT_META_GRAPH_VERSION);
        assert!(!format!("{config:?}").contains("app-secret-xyz"));
    }

    #[test]
    fn bad_base_urls_and_versions_are_refused() {
        assert!(WhatsAppConfig::from_lookup(
            |n| (n == "TWILIO_API_BASE_URL").then(|| "api.twilio.com".into())
        )
        .is_err());
        assert!(
            WhatsAppConfig::from_lookup(|n| (n == "META_GRAPH_VERSION").then(|| "21/x".into()))
                .is_err()
        );
    }
}
