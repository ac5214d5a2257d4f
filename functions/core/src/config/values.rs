//! The typed values settings are made of: secrets, the stage, the signature policy, the public
//! base URL, the allowed origins.

use std::fmt;

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

/// A random 256-bit secret (base64url), for a process that was given none.
pub fn random_secret() -> Secret {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    // The OS generator failing is not survivable: no key can be made without it.
    getrandom::fill(&mut bytes).expect("the operating system's random generator");
    Secret(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
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

impl ConfigError {
    pub fn invalid(name: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            name,
            reason: reason.into(),
        }
    }
}

/// `FRONTDESK_ALLOWED_ORIGINS`: browser origins allowed to call `/api/*` (CORS), such as
/// `https://crm.example.com`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowedOrigins(Vec<String>);

impl AllowedOrigins {
    /// Comma-separated origins. Blank entries are dropped and a trailing slash removed
    /// (browsers send origins without one).
    pub fn parse(value: &str) -> Self {
        Self(
            value
                .split(',')
                .map(|o| o.trim().trim_end_matches('/'))
                .filter(|o| !o.is_empty())
                .map(str::to_string)
                .collect(),
        )
    }

    /// Whether `origin` is allowed (exact, case-sensitive match).
    pub fn allows(&self, origin: &str) -> bool {
        self.0.iter().any(|a| a == origin)
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_trimmed_and_blank_entries_dropped() {
        let origins =
            AllowedOrigins::parse(" https://crm.example.com/, ,https://preview.example.com");
        assert_eq!(
            origins.as_slice(),
            ["https://crm.example.com", "https://preview.example.com"]
        );
        assert!(origins.allows("https://crm.example.com"));
        assert!(!origins.allows("https://CRM.example.com"));
        assert!(AllowedOrigins::parse("").as_slice().is_empty());
    }
}
