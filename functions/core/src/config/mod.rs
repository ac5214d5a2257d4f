//! Settings: one tree, read from the environment once at start-up, here and nowhere else
//! ([`env`]). Every other module takes the typed part it needs: the webhook gate its policy,
//! the senders their provider's settings, the calendar client [`GoogleSettings`], the consumers
//! [`WorkerSettings`], the Lambda edge [`AwsSettings`].
//!
//! Every name read here is listed in the README's Configuration section.

pub mod aws;
pub mod env;
pub mod google;
pub mod log;
pub mod providers;
pub mod values;
pub mod worker;

use std::path::PathBuf;

pub use aws::{AwsResources, AwsSettings};
pub use env::Env;
pub use google::GoogleSettings;
pub use log::{LogFormat, LogSettings};
pub use providers::{MetaSettings, TwilioSettings};
pub use values::{AllowedOrigins, ConfigError, PublicBaseUrl, Secret, SignaturePolicy, Stage};
pub use worker::WorkerSettings;

/// Everything Frontdesk reads from its environment.
#[derive(Clone, Debug)]
pub struct Config {
    pub stage: Stage,
    pub signature_policy: SignaturePolicy,
    pub public_base_url: Option<PublicBaseUrl>,
    pub twilio: TwilioSettings,
    pub meta: MetaSettings,
    pub google: GoogleSettings,
    /// Where `frontdesk serve` keeps its embedded state.
    pub data_dir: PathBuf,
    /// `FRONTDESK_DEFAULT_FALLBACK_TEXT` / `FRONTDESK_DEFAULT_LANGUAGE`: what a number no
    /// business claims hears before the beep.
    pub default_fallback_text: Option<String>,
    pub default_language: Option<String>,
    pub allowed_origins: AllowedOrigins,
    /// `FRONTDESK_INBOX_SECRET`: the key that signs the inbox's session cookies and CSRF
    /// tokens. Unset, the store keeps one, made at the deployment's first use
    /// ([`crate::app::App::inbox_key`]).
    pub inbox_secret: Option<Secret>,
    pub worker: WorkerSettings,
    pub aws: AwsSettings,
}

impl Config {
    /// Reads the process environment. `default_stage` applies when `FRONTDESK_STAGE` is unset:
    /// `local` for `frontdesk serve`, `prod` for a Lambda function.
    pub fn from_env(default_stage: &str) -> Result<Self, ConfigError> {
        Self::from_lookup(env::process_lookup, default_stage)
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        default_stage: &str,
    ) -> Result<Self, ConfigError> {
        Self::read(&Env::new(&lookup), default_stage)
    }

    pub fn read(env: &Env, default_stage: &str) -> Result<Self, ConfigError> {
        let stage = Stage::new(
            env.non_empty("FRONTDESK_STAGE")
                .unwrap_or_else(|| default_stage.into()),
        );
        let signature_policy = match env.non_empty("FRONTDESK_SIGNATURE_POLICY") {
            Some(value) => SignaturePolicy::parse(&value)?,
            None => SignaturePolicy::Enforce,
        };
        if signature_policy == SignaturePolicy::Off && !stage.allows_unsigned() {
            return Err(ConfigError::invalid(
                "FRONTDESK_SIGNATURE_POLICY",
                format!(
                    "`off` is refused in stage `{}`; it is allowed only when FRONTDESK_STAGE is local or test",
                    stage.name()
                ),
            ));
        }
        let public_base_url = env
            .non_empty("PUBLIC_BASE_URL")
            .map(|v| PublicBaseUrl::parse(&v))
            .transpose()?;
        let inbox_secret = env.secret("FRONTDESK_INBOX_SECRET");
        Ok(Self {
            stage,
            signature_policy,
            public_base_url,
            twilio: TwilioSettings::read(env)?,
            meta: MetaSettings::read(env)?,
            google: GoogleSettings::read(env)?,
            data_dir: env
                .non_empty("FRONTDESK_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".frontdesk")),
            default_fallback_text: env.non_empty("FRONTDESK_DEFAULT_FALLBACK_TEXT"),
            default_language: env.non_empty("FRONTDESK_DEFAULT_LANGUAGE"),
            allowed_origins: env
                .non_empty("FRONTDESK_ALLOWED_ORIGINS")
                .map(|v| AllowedOrigins::parse(&v))
                .unwrap_or_default(),
            inbox_secret,
            worker: WorkerSettings::read(env)?,
            aws: AwsSettings::read(env),
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
        assert!(cfg.twilio.auth_token.is_none());
    }

    #[test]
    fn the_inbox_key_comes_from_the_environment_when_set() {
        assert!(config(&[], "local").unwrap().inbox_secret.is_none());
        let set = config(&[("FRONTDESK_INBOX_SECRET", "k3y")], "prod").unwrap();
        assert_eq!(set.inbox_secret.unwrap().expose(), "k3y");
    }

    #[test]
    fn data_dir_defaults_to_dot_frontdesk() {
        assert_eq!(
            config(&[], "local").unwrap().data_dir,
            PathBuf::from(".frontdesk")
        );
    }
}
