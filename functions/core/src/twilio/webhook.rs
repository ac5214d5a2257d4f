//! The gate every Twilio webhook passes: parse the form, check X-Twilio-Signature under the
//! configured policy. Handlers receive parameters only from here.

use tracing::{debug, warn};

use crate::config::{Config, PublicBaseUrl, SignaturePolicy};
use crate::http::{response, FormParams, InboundRequest, Response};
use crate::twilio::signature::{url_candidates, SignedPayload, Validator};

/// Why a webhook was turned away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejected {
    /// 400: the body is not a valid form; the reason is one line.
    Malformed(String),
    /// 403: the signature is missing or wrong under `enforce`.
    Forbidden,
}

impl Rejected {
    pub fn into_response(self) -> Response {
        match self {
            Self::Malformed(reason) => response::bad_request(&reason),
            Self::Forbidden => response::forbidden(),
        }
    }
}

/// The gate: the signature policy, the public URL Twilio calls, and the auth tokens. Built
/// once from the settings; the app holds one.
#[derive(Clone, Debug)]
pub struct Gate {
    policy: SignaturePolicy,
    public_base_url: Option<PublicBaseUrl>,
    validator: Validator,
}

impl Gate {
    pub fn new(config: &Config) -> Self {
        Self {
            policy: config.signature_policy,
            public_base_url: config.public_base_url.clone(),
            validator: Validator::new(
                config.twilio.auth_token.clone(),
                config.twilio.auth_token_previous.clone(),
            ),
        }
    }

    pub fn validator(&self) -> &Validator {
        &self.validator
    }

    /// The verified form of a Twilio webhook, or why it was turned away:
    /// 403 for a missing or wrong signature under `enforce`, 400 for a malformed body.
    pub fn verify(&self, request: &InboundRequest) -> Result<FormParams, Rejected> {
        verify(self, request)
    }
}

fn verify(gate: &Gate, request: &InboundRequest) -> Result<FormParams, Rejected> {
    let policy = gate.policy;
    let signature = request.header("x-twilio-signature");
    if policy == SignaturePolicy::Enforce && signature.is_none_or(|s| s.trim().is_empty()) {
        warn!(
            reason = "missing or empty X-Twilio-Signature header",
            "webhook rejected"
        );
        return Err(Rejected::Forbidden);
    }
    let form = request.form().map_err(|reason| {
        warn!(%reason, "malformed webhook body");
        Rejected::Malformed(reason)
    })?;
    if policy == SignaturePolicy::Off {
        warn!("X-Twilio-Signature not checked: FRONTDESK_SIGNATURE_POLICY=off");
        return Ok(form);
    }
    let url = request.public_url(gate.public_base_url.as_ref());
    let verdict = gate
        .validator
        .validate(&url, SignedPayload::Form(form.pairs()), signature);
    match verdict {
        Ok(matched) => {
            debug!(
                previous_token = matched.previous_token,
                port_toggled = matched.port_toggled,
                "signature valid"
            );
            Ok(form)
        }
        Err(rejection) if policy == SignaturePolicy::Shadow => {
            warn!(
                reason = rejection.as_str(),
                candidates = ?redacted_candidates(&url),
                "signature invalid; served anyway (FRONTDESK_SIGNATURE_POLICY=shadow)"
            );
            Ok(form)
        }
        Err(rejection) => {
            warn!(
                reason = rejection.as_str(),
                candidates = ?redacted_candidates(&url),
                "webhook rejected"
            );
            Err(Rejected::Forbidden)
        }
    }
}

/// The URL candidates for a log line, with any `user:password@` removed.
fn redacted_candidates(url: &str) -> Vec<String> {
    url_candidates(url)
        .iter()
        .map(|u| redact_userinfo(u))
        .collect()
}

fn redact_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| authority_start + i);
    match url[authority_start..authority_end].rfind('@') {
        Some(at) => format!(
            "{}***@{}",
            &url[..authority_start],
            &url[authority_start + at + 1..]
        ),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_redacted_from_logged_urls() {
        assert_eq!(
            redact_userinfo("https://u:p@x.com/a?b=@"),
            "https://***@x.com/a?b=@"
        );
        assert_eq!(
            redact_userinfo("https://x.com/a?b=@"),
            "https://x.com/a?b=@"
        );
    }
}
