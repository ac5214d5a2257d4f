//! The one place Frontdesk reads its environment. Everything else takes the typed settings
//! built here ([`super::Config`]); tests build them through a lookup of their own.

use std::time::Duration;

use super::{ConfigError, Secret};

/// A source of environment variables: the process's, or any lookup a test or tool gives.
pub struct Env<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

/// The process environment.
pub fn process_lookup(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl<'a> Env<'a> {
    pub fn new(lookup: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Self { lookup }
    }

    /// The value as set, blank included.
    pub fn raw(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
    }

    /// The value, when set to something other than white space.
    pub fn non_empty(&self, name: &str) -> Option<String> {
        self.raw(name).filter(|v| !v.trim().is_empty())
    }

    /// The value, trimmed, when set to something other than white space.
    pub fn trimmed(&self, name: &str) -> Option<String> {
        self.non_empty(name).map(|v| v.trim().to_string())
    }

    /// A secret; an empty value counts as unset.
    pub fn secret(&self, name: &str) -> Option<Secret> {
        self.raw(name).and_then(Secret::new)
    }

    /// The value, or why it is required.
    pub fn required(&self, name: &'static str, why: &str) -> Result<String, ConfigError> {
        self.non_empty(name)
            .ok_or_else(|| ConfigError::invalid(name, why))
    }

    /// A positive whole number of seconds, `default` when unset.
    pub fn seconds(&self, name: &'static str, default: u64) -> Result<Duration, ConfigError> {
        match self.non_empty(name) {
            None => Ok(Duration::from_secs(default)),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|s| *s > 0)
                .map(Duration::from_secs)
                .ok_or_else(|| {
                    ConfigError::invalid(name, format!("`{v}` is not a positive number of seconds"))
                }),
        }
    }

    /// A positive whole number of milliseconds, `default` when unset.
    pub fn millis(&self, name: &'static str, default: u64) -> Result<Duration, ConfigError> {
        match self.non_empty(name) {
            None => Ok(Duration::from_millis(default)),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|ms| *ms > 0)
                .map(Duration::from_millis)
                .ok_or_else(|| {
                    ConfigError::invalid(
                        name,
                        format!("`{v}` is not a positive number of milliseconds"),
                    )
                }),
        }
    }

    /// A positive whole number, `default` when unset.
    pub fn positive(&self, name: &'static str, default: u32) -> Result<u32, ConfigError> {
        match self.non_empty(name) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    ConfigError::invalid(name, format!("`{v}` is not a positive whole number"))
                }),
        }
    }

    /// An http(s) base URL without its trailing slash, `default` when unset.
    pub fn base_url(&self, name: &'static str, default: &str) -> Result<String, ConfigError> {
        let value = self.non_empty(name).unwrap_or_else(|| default.to_string());
        http_base(name, &value)
    }
}

/// `value` as an http(s) base URL without its trailing slash.
pub fn http_base(name: &'static str, value: &str) -> Result<String, ConfigError> {
    let value = value.trim().trim_end_matches('/');
    if !(value.starts_with("https://") || value.starts_with("http://")) {
        return Err(ConfigError::invalid(
            name,
            "must start with https:// or http://",
        ));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_values_count_as_unset_and_numbers_must_be_positive() {
        let lookup = |name: &str| match name {
            "BLANK" => Some("  ".to_string()),
            "ZERO" => Some("0".to_string()),
            "TEN" => Some(" 10 ".to_string()),
            "URL" => Some("http://127.0.0.1:9/".to_string()),
            "HOST" => Some("api.example.com".to_string()),
            _ => None,
        };
        let env = Env::new(&lookup);
        assert_eq!(env.non_empty("BLANK"), None);
        assert_eq!(env.raw("BLANK").as_deref(), Some("  "));
        assert!(env.seconds("ZERO", 5).is_err());
        assert_eq!(env.seconds("TEN", 5).unwrap(), Duration::from_secs(10));
        assert_eq!(env.seconds("UNSET", 5).unwrap(), Duration::from_secs(5));
        assert_eq!(
            env.base_url("URL", "https://x").unwrap(),
            "http://127.0.0.1:9"
        );
        assert_eq!(env.base_url("UNSET", "https://x/").unwrap(), "https://x");
        assert!(env.base_url("HOST", "https://x").is_err());
        assert!(env.required("UNSET", "is required on AWS").is_err());
    }
}
