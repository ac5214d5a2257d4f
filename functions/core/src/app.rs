//! The application state every handler shares: configuration and, as the system grows,
//! the store, queue and blob clients built once at start-up.

use std::sync::Arc;

use crate::config::Config;
use crate::twilio::signature::Validator;

/// Cheap to clone; built once in `main`.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    validator: Validator,
}

impl App {
    pub fn new(config: Config) -> Self {
        let validator = Validator::new(
            config.twilio_auth_token.clone(),
            config.twilio_auth_token_previous.clone(),
        );
        Self {
            inner: Arc::new(Inner { config, validator }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn signature_validator(&self) -> &Validator {
        &self.inner.validator
    }
}
