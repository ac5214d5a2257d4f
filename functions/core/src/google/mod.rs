//! Google Calendar for a business, through a service account the owner shares the calendar
//! with ("make changes to events"): the key ([`key`]), access tokens ([`token`]), the Calendar
//! API calls ([`calendar`]), and [`Google`], which a process builds once and keeps tokens and
//! busy times in. The base URLs come from [`GoogleSettings`], so tests point them at stand-ins.

pub mod calendar;
pub mod key;
pub mod token;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde_json::Value;

pub use calendar::{CalendarApi, Deleted, Event, Inserted, Patched};
pub use key::ServiceAccountKey;
pub use token::Tokens;

use crate::config::{GoogleSettings, Secret};
use crate::domain::booking::engine::Busy;

/// Read and write events, read free/busy and the calendar itself.
pub const SCOPE: &str = "https://www.googleapis.com/auth/calendar";

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GoogleError {
    /// The stored key cannot be used.
    #[error("service account key: {0}")]
    Key(String),
    /// The token endpoint refused the key's JWT.
    #[error("the token endpoint refused the service account (HTTP {status}): {error}{}", if description.is_empty() { String::new() } else { format!(" ({description})") })]
    TokenRefused {
        status: u16,
        error: String,
        description: String,
    },
    /// The Calendar API answered with an error.
    #[error("Google Calendar answered HTTP {status}{}: {message}", reason.as_deref().map(|r| format!(" {r}")).unwrap_or_default())]
    Api {
        status: u16,
        /// Google's `errors[0].reason` (`notFound`, `forbidden`, `rateLimitExceeded`, …).
        reason: Option<String>,
        message: String,
    },
    /// Not reached in time, or an answer that could not be read.
    #[error("Google unreachable: {0}")]
    Unreachable(String),
}

impl GoogleError {
    /// Whether trying again later may succeed: Google down or slow, rate limits, a token that
    /// expired early. A refusal (not shared, no such calendar, a bad key) stays a refusal.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Key(_) => false,
            Self::TokenRefused { status, .. } => *status >= 500 || *status == 429,
            Self::Api { status, reason, .. } => {
                *status >= 500
                    || matches!(*status, 401 | 408 | 429)
                    || (*status == 403
                        && matches!(
                            reason.as_deref(),
                            Some("rateLimitExceeded" | "userRateLimitExceeded")
                        ))
            }
            Self::Unreachable(_) => true,
        }
    }

    /// The token was refused by the API (revoked, or expired early): drop it.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Api { status: 401, .. })
    }

    /// The calendar is not shared with the service account, or does not exist.
    pub fn is_not_shared(&self) -> bool {
        matches!(self, Self::Api { status: 403 | 404, reason, .. }
            if !matches!(reason.as_deref(), Some("rateLimitExceeded" | "userRateLimitExceeded")))
    }
}

pub(crate) fn unreachable(error: reqwest::Error) -> GoogleError {
    let what = if error.is_timeout() {
        "timed out".to_string()
    } else {
        error.without_url().to_string()
    };
    GoogleError::Unreachable(what)
}

/// An error answer in Google's shape: `{"error": {"code", "message", "errors": [{"reason"}]}}`.
pub(crate) fn api_error(status: u16, answer: &Value) -> GoogleError {
    let error = &answer["error"];
    GoogleError::Api {
        status,
        reason: error
            .pointer("/errors/0/reason")
            .and_then(Value::as_str)
            .map(str::to_string),
        message: error["message"]
            .as_str()
            .unwrap_or("no message")
            .chars()
            .take(300)
            .collect(),
    }
}

/// What a process keeps for Google: its settings, one HTTP client, the tokens issued, and each
/// business's recent busy times.
pub struct Google {
    settings: GoogleSettings,
    http: OnceLock<reqwest::Client>,
    tokens: Tokens,
    busy: Mutex<HashMap<String, CachedBusy>>,
}

/// One business's busy times (or why they could not be read), for a window.
#[derive(Clone)]
struct CachedBusy {
    calendar_id: String,
    from: Timestamp,
    to: Timestamp,
    fetched: Instant,
    busy: Result<Vec<Busy>, String>,
}

impl Google {
    pub fn new(settings: GoogleSettings) -> Self {
        Self {
            settings,
            http: OnceLock::new(),
            tokens: Tokens::default(),
            busy: Mutex::new(HashMap::new()),
        }
    }

    pub fn settings(&self) -> &GoogleSettings {
        &self.settings
    }

    /// Built on first use: a process that never meets a calendar never builds it.
    pub fn http(&self) -> &reqwest::Client {
        self.http.get_or_init(|| {
            crate::tls::https_client_builder()
                .connect_timeout(Duration::from_secs(3))
                .timeout(self.settings.request_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent("Frontdesk-Calendar/1")
                .build()
                .expect("the TLS backend initialises")
        })
    }

    /// Where `key` exchanges its JWT: `GOOGLE_TOKEN_URL` when set, else the key's `token_uri`.
    pub fn token_endpoint<'k>(&'k self, key: &'k ServiceAccountKey) -> &'k str {
        self.settings.token_url.as_deref().unwrap_or(&key.token_uri)
    }

    /// An access token for `key` (cached until shortly before it expires).
    pub async fn token(&self, key: &ServiceAccountKey) -> Result<Secret, GoogleError> {
        self.tokens
            .token(self.http(), key, self.token_endpoint(key))
            .await
    }

    /// Forgets `key`'s token, after the API refused it.
    pub fn forget_token(&self, key: &ServiceAccountKey) {
        self.tokens.forget(key, self.token_endpoint(key));
    }

    /// `calendar_id` through `key`, with a token.
    pub async fn calendar<'a>(
        &'a self,
        key: &ServiceAccountKey,
        calendar_id: &'a str,
    ) -> Result<CalendarApi<'a>, GoogleError> {
        let token = self.token(key).await?;
        Ok(CalendarApi {
            http: self.http(),
            base_url: &self.settings.calendar_base_url,
            token,
            calendar_id,
        })
    }

    /// `business`'s busy times for `[from, to)` on `calendar_id`, fetched less than
    /// `busy_cache` ago (or the failure then): `None` when nothing recent covers the window.
    pub fn cached_busy(
        &self,
        business: &str,
        calendar_id: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Option<Result<Vec<Busy>, String>> {
        let busy = self.busy.lock().ok()?;
        let cached = busy.get(business)?;
        let fresh = cached.fetched.elapsed() < self.settings.busy_cache
            && cached.calendar_id == calendar_id
            && cached.from <= from
            && to <= cached.to;
        fresh.then(|| cached.busy.clone())
    }

    /// Keeps what a fetch of `[from, to)` found (or why it failed).
    pub fn keep_busy(
        &self,
        business: &str,
        calendar_id: &str,
        from: Timestamp,
        to: Timestamp,
        busy: Result<Vec<Busy>, String>,
    ) {
        if let Ok(mut cache) = self.busy.lock() {
            cache.insert(
                business.to_string(),
                CachedBusy {
                    calendar_id: calendar_id.to_string(),
                    from,
                    to,
                    fetched: Instant::now(),
                    busy,
                },
            );
        }
    }

    /// Forgets `business`'s busy times (its calendar changed, or a booking added to it).
    pub fn forget_busy(&self, business: &str) {
        if let Ok(mut cache) = self.busy.lock() {
            cache.remove(business);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, reason: Option<&str>) -> GoogleError {
        GoogleError::Api {
            status,
            reason: reason.map(str::to_string),
            message: "m".into(),
        }
    }

    #[test]
    fn outages_and_limits_are_retried_refusals_are_not() {
        for retryable in [
            api(500, None),
            api(503, Some("backendError")),
            api(429, None),
            api(401, Some("authError")),
            api(403, Some("rateLimitExceeded")),
            GoogleError::Unreachable("timed out".into()),
        ] {
            assert!(retryable.is_retryable(), "{retryable}");
        }
        for refusal in [
            api(403, Some("forbidden")),
            api(404, Some("notFound")),
            api(400, Some("invalid")),
            GoogleError::Key("bad".into()),
            GoogleError::TokenRefused {
                status: 400,
                error: "invalid_grant".into(),
                description: "Invalid JWT Signature.".into(),
            },
        ] {
            assert!(!refusal.is_retryable(), "{refusal}");
        }
        assert!(api(404, Some("notFound")).is_not_shared());
        assert!(!api(403, Some("userRateLimitExceeded")).is_not_shared());
    }

    #[test]
    fn busy_times_are_reused_only_fresh_for_the_same_calendar_and_a_covered_window() {
        let google = Google::new(GoogleSettings {
            calendar_base_url: "http://127.0.0.1:9".into(),
            token_url: None,
            busy_timeout: Duration::from_millis(100),
            busy_cache: Duration::from_secs(30),
            request_timeout: Duration::from_secs(1),
        });
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let (from, to) = (t("2026-11-21T00:00:00Z"), t("2026-12-21T00:00:00Z"));
        google.keep_busy("acme", "cal", from, to, Ok(vec![]));
        assert!(google
            .cached_busy("acme", "cal", t("2026-11-22T00:00:00Z"), to)
            .is_some());
        assert!(google.cached_busy("acme", "other", from, to).is_none());
        assert!(google
            .cached_busy("acme", "cal", from, t("2026-12-22T00:00:00Z"))
            .is_none());
        assert!(google.cached_busy("other", "cal", from, to).is_none());
        google.forget_busy("acme");
        assert!(google.cached_busy("acme", "cal", from, to).is_none());
    }
}
