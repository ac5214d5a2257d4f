//! Sending a message for a business, and keeping it: the one path every outbound message
//! takes (the send API, the booking dialogue, a phone booking's confirmation). It picks the
//! provider's sender, sends, and stores the message as outbound under the provider's id with
//! the status the provider answered; when the provider is down or refuses, under a local id as
//! `failed` with the error, so every attempt is on record. A WhatsApp message goes through the
//! business's provider; an SMS always through Twilio ([`send_sms`]).

use serde_json::json;
use time::OffsetDateTime;
use tracing::{error, info, warn};

use crate::app::App;
use crate::domain::{
    Business, MessageContent, MessageDirection, MessageId, MessageStatus, NewMessage, PhoneNumber,
    Provider, WhatsAppAddress,
};
use crate::http::routes::Route;
use crate::http::InboundRequest;
use crate::whatsapp::send::{
    Channel, MetaSender, Outbound, OutboundBody, SendError, TwilioSender, WhatsAppSender,
};

/// What a send did: the message as stored (or as it would have been), whether the store took
/// it, and the provider's error when it was not sent.
#[derive(Debug)]
pub struct Sent {
    pub message: NewMessage,
    pub stored: bool,
    pub error: Option<SendError>,
}

impl Sent {
    pub fn is_sent(&self) -> bool {
        self.error.is_none()
    }
}

/// The business has no number of its own to send from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the business has no phone number to send from")]
pub struct NoNumber;

/// Where Twilio reports an outbound message's delivery: this deployment's status webhook, as
/// the request that led to the send reached it.
pub fn status_callback(app: &App, request: &InboundRequest) -> String {
    request.public_url_of(
        app.config().public_base_url.as_ref(),
        Route::WhatsAppStatus.path(),
    )
}

/// The status webhook from `PUBLIC_BASE_URL`, for a send no request led to (a consumer's);
/// `None` without it: the message is then kept with the status the send answered.
pub fn configured_status_callback(app: &App) -> Option<String> {
    app.config()
        .public_base_url
        .as_ref()
        .map(|base| base.join(Route::WhatsAppStatus.path()))
}

/// The sender for `provider`, or why this deployment cannot send through it.
pub fn sender(app: &App, provider: Provider) -> Result<Box<dyn WhatsAppSender>, SendError> {
    let config = app.config();
    match provider {
        Provider::Twilio => {
            let Some((account_sid, auth_token)) = config.twilio.credentials() else {
                return Err(SendError::NotConfigured(
                    "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required to send through Twilio"
                        .into(),
                ));
            };
            Ok(Box::new(TwilioSender {
                base_url: config.twilio.api_base_url.clone(),
                account_sid: account_sid.to_string(),
                auth_token: auth_token.clone(),
            }))
        }
        Provider::Meta => {
            let Some(access_token) = config.meta.access_token.clone() else {
                return Err(SendError::NotConfigured(
                    "META_ACCESS_TOKEN is required to send through Meta".into(),
                ));
            };
            Ok(Box::new(MetaSender {
                base_url: config.meta.graph_base_url.clone(),
                version: config.meta.graph_version.clone(),
                access_token,
            }))
        }
    }
}

/// Sends `body` to `to` from the business's first number through `provider`, and stores the
/// outbound message. A provider failure is an answer (`Sent::error`), not an `Err`: the
/// message is stored `failed` with it.
pub async fn send(
    app: &App,
    business: &Business,
    provider: Provider,
    to: &WhatsAppAddress,
    body: OutboundBody,
    status_callback: Option<String>,
) -> Result<Sent, NoNumber> {
    deliver(
        app,
        business,
        provider,
        Channel::WhatsApp,
        to,
        body,
        status_callback,
    )
    .await
}

/// Sends `text` as an SMS to `to` from the business's first number, through Twilio's Messages
/// API (`From` and `To` without `whatsapp:`), and stores it like any outbound message.
pub async fn send_sms(
    app: &App,
    business: &Business,
    to: &PhoneNumber,
    text: String,
    status_callback: Option<String>,
) -> Result<Sent, NoNumber> {
    deliver(
        app,
        business,
        Provider::Twilio,
        Channel::Sms,
        &WhatsAppAddress::from(to.clone()),
        OutboundBody::Text(text),
        status_callback,
    )
    .await
}

/// A message from the business's first number.
pub fn outbound(
    business: &Business,
    channel: Channel,
    to: &WhatsAppAddress,
    body: OutboundBody,
    status_callback: Option<String>,
) -> Result<Outbound, NoNumber> {
    let from = business.phone_numbers.first().cloned().ok_or(NoNumber)?;
    Ok(Outbound {
        channel,
        from: from.into(),
        meta_phone_number_id: business.meta_phone_number_id.clone(),
        to: to.clone(),
        body,
        status_callback,
    })
}

/// Sends `outbound` through `provider` without keeping it as a conversation's message: what
/// an owner's alert needs (the owner is not a customer). Every other send goes through
/// [`send`] or [`send_sms`].
pub async fn dispatch(
    app: &App,
    provider: Provider,
    outbound: &Outbound,
) -> Result<crate::whatsapp::send::Accepted, SendError> {
    sender(app, provider)?.send(outbound).await
}

async fn deliver(
    app: &App,
    business: &Business,
    provider: Provider,
    channel: Channel,
    to: &WhatsAppAddress,
    body: OutboundBody,
    status_callback: Option<String>,
) -> Result<Sent, NoNumber> {
    let outbound = outbound(business, channel, to, body, status_callback)?;
    let sent = dispatch(app, provider, &outbound).await;
    let (id, status, failure) = match sent {
        Ok(accepted) => (accepted.id, accepted.status, None),
        Err(err) => (MessageId::new_local(), MessageStatus::Failed, Some(err)),
    };
    let message = NewMessage {
        id: id.clone(),
        business_id: Some(business.id.clone()),
        direction: MessageDirection::Outbound,
        contact: Some(to.number().clone()),
        from: Some(outbound.from_address()),
        to: Some(outbound.to_address()),
        content: content(provider, channel, &outbound.body),
        status,
        error_code: failure.as_ref().map(SendError::code),
        error_message: failure.as_ref().map(ToString::to_string),
        at: OffsetDateTime::now_utc(),
    };
    let stored = app.store().insert_message(&message).await;
    if let Err(err) = &stored {
        // The provider already has it: its status callbacks will recreate the record.
        error!(metric = "whatsapp_outbound_unstored", message_id = %id, error = %err, "sent message not stored");
    }
    let channel = channel.as_str();
    match &failure {
        None => info!(message_id = %id, channel, status = status.as_str(), "message sent"),
        Some(err) => warn!(message_id = %id, channel, error = %err, "message not sent"),
    }
    Ok(Sent {
        message,
        stored: stored.is_ok(),
        error: failure,
    })
}

/// What an outbound message said, as stored: its kind (`sms` for a text message), its text
/// and, in `raw`, the provider and whatever else the provider was sent (a template's
/// parameters, the interactive object).
fn content(provider: Provider, channel: Channel, body: &OutboundBody) -> MessageContent {
    if channel == Channel::Sms {
        return MessageContent {
            kind: "sms".into(),
            body: Some(body.text().to_string()),
            raw: json!({ "provider": provider, "channel": "sms" }),
            ..MessageContent::default()
        };
    }
    let raw = match body {
        OutboundBody::Text(_) => json!({ "provider": provider }),
        OutboundBody::Content { sid, variables } => json!({
            "provider": provider,
            "content": { "sid": sid, "variables": variables },
        }),
        OutboundBody::Template {
            name,
            language,
            components,
        } => json!({
            "provider": provider,
            "template": { "name": name, "language": language, "components": components },
        }),
        OutboundBody::Buttons(buttons) => {
            json!({ "provider": provider, "interactive": buttons.meta_json() })
        }
        OutboundBody::List(list) => {
            json!({ "provider": provider, "interactive": list.meta_json() })
        }
    };
    MessageContent {
        kind: body.kind().into(),
        body: Some(body.text().to_string()),
        raw,
        ..MessageContent::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whatsapp::interactive::{Buttons, Choice};

    #[test]
    fn stored_content_keeps_the_text_and_what_the_provider_was_sent() {
        let text = content(
            Provider::Twilio,
            Channel::WhatsApp,
            &OutboundBody::Text("hi".into()),
        );
        assert_eq!(
            (text.kind.as_str(), text.body.as_deref()),
            ("text", Some("hi"))
        );
        assert_eq!(text.raw, json!({ "provider": "twilio" }));
        let buttons = OutboundBody::Buttons(Buttons::new(
            "Free times:",
            None,
            &[Choice::new("1@5", "Tue 24 Nov, 15:00")],
        ));
        let interactive = content(Provider::Meta, Channel::WhatsApp, &buttons);
        assert_eq!(interactive.kind, "interactive");
        assert_eq!(interactive.body.as_deref(), Some("Free times:"));
        assert_eq!(
            interactive.raw["interactive"]["action"]["buttons"][0]["reply"]["id"],
            "1@5"
        );
    }
}
