//! Google: where the Calendar API and the OAuth token endpoint are, and how long a booking waits
//! for a calendar's busy times. The base URLs are settings so tests point them at stand-ins.

use std::time::Duration;

use super::env::{http_base, Env};
use super::ConfigError;

pub const DEFAULT_GOOGLE_CALENDAR_BASE_URL: &str = "https://www.googleapis.com/calendar/v3";

#[derive(Clone, Debug)]
pub struct GoogleSettings {
    /// `GOOGLE_CALENDAR_BASE_URL` (default Google's `…/calendar/v3`).
    pub calendar_base_url: String,
    /// `GOOGLE_TOKEN_URL`: when set, replaces every service-account key's `token_uri` (a proxy,
    /// a test); unset, each key's own `token_uri` is used.
    pub token_url: Option<String>,
    /// `FRONTDESK_CALENDAR_BUSY_TIMEOUT_MS` (default 1000): the longest availability waits for
    /// a calendar's busy times (token included) before it answers from the appointments alone.
    pub busy_timeout: Duration,
    /// `FRONTDESK_CALENDAR_BUSY_CACHE_SECONDS` (default 30): how long a calendar's busy times
    /// (or its failure) are reused for the same business.
    pub busy_cache: Duration,
    /// One Calendar API call of the sync and the doctor (10 s).
    pub request_timeout: Duration,
}

impl Default for GoogleSettings {
    /// Google's own endpoints and the default waits.
    fn default() -> Self {
        Self::read(&Env::new(&|_| None)).expect("the defaults are valid")
    }
}

impl GoogleSettings {
    pub fn read(env: &Env) -> Result<Self, ConfigError> {
        let token_url = env
            .non_empty("GOOGLE_TOKEN_URL")
            .map(|url| http_base("GOOGLE_TOKEN_URL", &url))
            .transpose()?;
        Ok(Self {
            calendar_base_url: env
                .base_url("GOOGLE_CALENDAR_BASE_URL", DEFAULT_GOOGLE_CALENDAR_BASE_URL)?,
            token_url,
            busy_timeout: env.millis("FRONTDESK_CALENDAR_BUSY_TIMEOUT_MS", 1000)?,
            busy_cache: env.seconds("FRONTDESK_CALENDAR_BUSY_CACHE_SECONDS", 30)?,
            request_timeout: Duration::from_secs(10),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_point_at_google_and_overrides_are_checked() {
        let none = |_: &str| None;
        let settings = GoogleSettings::read(&Env::new(&none)).unwrap();
        assert_eq!(settings.calendar_base_url, DEFAULT_GOOGLE_CALENDAR_BASE_URL);
        assert_eq!(settings.token_url, None);
        assert_eq!(settings.busy_timeout, Duration::from_millis(1000));
        assert_eq!(settings.busy_cache, Duration::from_secs(30));

        let set = |name: &str| match name {
            "GOOGLE_CALENDAR_BASE_URL" => Some("http://127.0.0.1:9/calendar/v3/".into()),
            "GOOGLE_TOKEN_URL" => Some("http://127.0.0.1:9/token".into()),
            "FRONTDESK_CALENDAR_BUSY_TIMEOUT_MS" => Some("250".into()),
            _ => None,
        };
        let settings = GoogleSettings::read(&Env::new(&set)).unwrap();
        assert_eq!(settings.calendar_base_url, "http://127.0.0.1:9/calendar/v3");
        assert_eq!(
            settings.token_url.as_deref(),
            Some("http://127.0.0.1:9/token")
        );
        assert_eq!(settings.busy_timeout, Duration::from_millis(250));

        let bad = |name: &str| (name == "GOOGLE_TOKEN_URL").then(|| "oauth2.googleapis.com".into());
        assert!(GoogleSettings::read(&Env::new(&bad)).is_err());
        let zero = |name: &str| (name == "FRONTDESK_CALENDAR_BUSY_TIMEOUT_MS").then(|| "0".into());
        assert!(GoogleSettings::read(&Env::new(&zero)).is_err());
    }
}
