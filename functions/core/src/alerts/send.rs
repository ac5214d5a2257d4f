//! Sending one written alert to one recipient over its channel: SMS through Twilio, WhatsApp
//! through the business's provider (its alert template when one is set for that provider,
//! else text), email through the worker's mailer.

use std::collections::BTreeMap;

use serde_json::json;

use super::compose::Composed;
use super::email::{Email, MailError, Mailer};
use crate::app::App;
use crate::domain::{Business, ConfirmationTemplate, Provider, Recipient, WhatsAppAddress};
use crate::messaging::{dispatch, outbound};
use crate::whatsapp::send::{Channel, OutboundBody, SendError};

/// Why an alert did not go out, and whether trying again may help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub error: String,
    pub retryable: bool,
}

impl From<SendError> for Failure {
    fn from(err: SendError) -> Self {
        Self {
            retryable: err.is_retryable(),
            error: err.to_string(),
        }
    }
}

impl From<MailError> for Failure {
    fn from(err: MailError) -> Self {
        Self {
            retryable: matches!(err, MailError::Unavailable(_)),
            error: err.to_string(),
        }
    }
}

/// The template body for `template` with `variables` (`{"1": …}`), when it is the
/// business's provider's kind.
pub fn template_body(
    template: &ConfirmationTemplate,
    variables: &BTreeMap<String, String>,
) -> OutboundBody {
    match template {
        ConfirmationTemplate::Twilio { content_sid } => OutboundBody::Content {
            sid: content_sid.clone(),
            variables: variables.clone(),
        },
        ConfirmationTemplate::Meta { name, language } => OutboundBody::Template {
            name: name.clone(),
            language: language.clone(),
            components: Some(json!([{
                "type": "body",
                "parameters": variables
                    .values()
                    .map(|text| json!({"type": "text", "text": text}))
                    .collect::<Vec<_>>(),
            }])),
        },
    }
}

/// Sends `alert` to `recipient` (an email through `mailer`); `template` is the WhatsApp template
/// to use, if any. Returns the provider's id for it.
pub async fn send(
    app: &App,
    mailer: &dyn Mailer,
    business: &Business,
    recipient: &Recipient,
    alert: &Composed,
    template: Option<&ConfirmationTemplate>,
) -> Result<String, Failure> {
    let no_number = |_| Failure {
        error: "the business has no phone number to send from".into(),
        retryable: false,
    };
    match recipient {
        Recipient::Sms(number) => {
            let message = outbound(
                business,
                Channel::Sms,
                &WhatsAppAddress::from(number.clone()),
                OutboundBody::Text(alert.text()),
                None,
            )
            .map_err(no_number)?;
            let accepted = dispatch(app, Provider::Twilio, &message).await?;
            Ok(accepted.id.to_string())
        }
        Recipient::Whatsapp(number) => {
            let provider = business.whatsapp_provider;
            let body = match template.filter(|t| t.provider() == provider) {
                Some(template) => template_body(template, &alert.variables),
                None => OutboundBody::Text(alert.text()),
            };
            let message = outbound(
                business,
                Channel::WhatsApp,
                &WhatsAppAddress::from(number.clone()),
                body,
                None,
            )
            .map_err(no_number)?;
            let accepted = dispatch(app, provider, &message).await?;
            Ok(accepted.id.to_string())
        }
        Recipient::Email(address) => {
            let email = Email {
                to: address.clone(),
                subject: alert.headline.clone(),
                text: format!("{}\n\n-- \nFrontdesk · {}\n", alert.text(), business.name),
            };
            Ok(mailer.send(&email).await?)
        }
    }
}
