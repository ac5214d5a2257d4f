//! Twilio's and Meta's credentials and endpoints: what the webhooks verify with, what the
//! senders and the recording downloads authenticate with.

use super::env::Env;
use super::{ConfigError, Secret};

pub const DEFAULT_META_GRAPH_BASE_URL: &str = "https://graph.facebook.com";
pub const DEFAULT_META_GRAPH_VERSION: &str = "v21.0";
pub const DEFAULT_TWILIO_API_BASE_URL: &str = "https://api.twilio.com";
pub const DEFAULT_TWILIO_LOOKUP_BASE_URL: &str = "https://lookups.twilio.com";

/// Twilio's account.
#[derive(Clone, Debug, Default)]
pub struct TwilioSettings {
    /// `TWILIO_AUTH_TOKEN`: the primary auth token (Twilio signs webhooks with it; REST
    /// calls and recording downloads authenticate with it).
    pub auth_token: Option<Secret>,
    /// `TWILIO_AUTH_TOKEN_PREVIOUS`: accepted while a rotation is under way.
    pub auth_token_previous: Option<Secret>,
    /// `TWILIO_ACCOUNT_SID`: the account messages are sent from and recordings fetched as.
    pub account_sid: Option<String>,
    /// `TWILIO_API_BASE_URL` (default Twilio's).
    pub api_base_url: String,
    /// `TWILIO_LOOKUP_BASE_URL` (default Twilio Lookup's): owner alerts look callers up there.
    pub lookup_base_url: String,
    /// `TWILIO_CALLS_PER_SECOND`: outbound calls the account may start per second (default 1,
    /// Twilio's default CPS); placements beyond it wait for a later second.
    pub calls_per_second: u32,
}

/// Twilio's default calls per second for an account.
pub const DEFAULT_TWILIO_CALLS_PER_SECOND: u32 = 1;

impl TwilioSettings {
    pub fn read(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            auth_token: env.secret("TWILIO_AUTH_TOKEN"),
            auth_token_previous: env.secret("TWILIO_AUTH_TOKEN_PREVIOUS"),
            account_sid: env.trimmed("TWILIO_ACCOUNT_SID"),
            api_base_url: env.base_url("TWILIO_API_BASE_URL", DEFAULT_TWILIO_API_BASE_URL)?,
            lookup_base_url: env
                .base_url("TWILIO_LOOKUP_BASE_URL", DEFAULT_TWILIO_LOOKUP_BASE_URL)?,
            calls_per_second: env
                .positive("TWILIO_CALLS_PER_SECOND", DEFAULT_TWILIO_CALLS_PER_SECOND)?,
        })
    }

    /// The account SID and auth token, when both are set.
    pub fn credentials(&self) -> Option<(&str, &Secret)> {
        Some((self.account_sid.as_deref()?, self.auth_token.as_ref()?))
    }
}

/// Meta's WhatsApp Cloud API.
#[derive(Clone, Debug)]
pub struct MetaSettings {
    /// `META_APP_SECRET`: keys X-Hub-Signature-256.
    pub app_secret: Option<Secret>,
    /// `META_VERIFY_TOKEN`: what Meta's subscription handshake must present.
    pub verify_token: Option<Secret>,
    /// `META_ACCESS_TOKEN`: the Graph API bearer token for sending.
    pub access_token: Option<Secret>,
    /// `META_GRAPH_BASE_URL` (default Meta's) and `META_GRAPH_VERSION` (default `v21.0`).
    pub graph_base_url: String,
    pub graph_version: String,
}

impl MetaSettings {
    pub fn read(env: &Env) -> Result<Self, ConfigError> {
        let version = env
            .non_empty("META_GRAPH_VERSION")
            .unwrap_or_else(|| DEFAULT_META_GRAPH_VERSION.to_string());
        if !version.starts_with('v') || version.contains(['/', '?', '#', ' ']) {
            return Err(ConfigError::invalid(
                "META_GRAPH_VERSION",
                format!("`{version}` is not a Graph API version such as v21.0"),
            ));
        }
        Ok(Self {
            app_secret: env.secret("META_APP_SECRET"),
            verify_token: env.secret("META_VERIFY_TOKEN"),
            access_token: env.secret("META_ACCESS_TOKEN"),
            graph_base_url: env.base_url("META_GRAPH_BASE_URL", DEFAULT_META_GRAPH_BASE_URL)?,
            graph_version: version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<(TwilioSettings, MetaSettings), ConfigError> {
        let lookup = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        let env = Env::new(&lookup);
        Ok((TwilioSettings::read(&env)?, MetaSettings::read(&env)?))
    }

    #[test]
    fn defaults_point_at_the_providers_and_secrets_stay_hidden() {
        let (twilio, meta) = read(&[
            ("META_APP_SECRET", "app-secret-xyz"),
            ("META_GRAPH_BASE_URL", "http://127.0.0.1:9/"),
        ])
        .unwrap();
        assert_eq!(meta.graph_base_url, "http://127.0.0.1:9");
        assert_eq!(twilio.api_base_url, DEFAULT_TWILIO_API_BASE_URL);
        assert_eq!(meta.graph_version, DEFAULT_META_GRAPH_VERSION);
        assert!(!format!("{meta:?}").contains("app-secret-xyz"));
    }

    #[test]
    fn calls_per_second_defaults_to_twilios_one_and_must_be_positive() {
        let (twilio, _) = read(&[]).unwrap();
        assert_eq!(twilio.calls_per_second, 1);
        let (twilio, _) = read(&[("TWILIO_CALLS_PER_SECOND", " 5 ")]).unwrap();
        assert_eq!(twilio.calls_per_second, 5);
        for bad in ["0", "-1", "fast"] {
            assert!(read(&[("TWILIO_CALLS_PER_SECOND", bad)]).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_base_urls_and_versions_are_refused() {
        assert!(read(&[("TWILIO_API_BASE_URL", "api.twilio.com")]).is_err());
        assert!(read(&[("META_GRAPH_VERSION", "21/x")]).is_err());
    }

    #[test]
    fn credentials_need_both_the_sid_and_the_token() {
        let (twilio, _) = read(&[("TWILIO_ACCOUNT_SID", " AC1 ")]).unwrap();
        assert!(twilio.credentials().is_none());
        let (twilio, _) =
            read(&[("TWILIO_ACCOUNT_SID", "AC1"), ("TWILIO_AUTH_TOKEN", "t")]).unwrap();
        assert_eq!(twilio.credentials().map(|(sid, _)| sid), Some("AC1"));
    }
}
