//! Twilio's WhatsApp webhooks: `POST /webhook/whatsapp/incoming` stores the message and answers
//! TwiML (the business's auto-reply, or an empty `<Response/>`); `POST /webhook/whatsapp/status`
//! applies a delivery status monotonically and answers 204.

use time::OffsetDateTime;
use tracing::{error, info, warn};

use super::voice::{callback_time, VOICE_DEADLINE};
use crate::app::App;
use crate::domain::{
    Business, MessageDirection, MessageId, MessageSid, MessageStatus, WhatsAppAddress,
};
use crate::domain::{Media, MessageContent, MessageStatusUpdate, NewMessage};
use crate::http::{response, FormParams, InboundRequest, Response};
use crate::twilio::twiml::{Message, MessagingResponse};
use crate::twilio::webhook;

pub const INCOMING_PATH: &str = "/webhook/whatsapp/incoming";
pub const STATUS_PATH: &str = "/webhook/whatsapp/status";

/// Twilio's media parameters are numbered from 0; it sends at most 10 per message.
const MAX_MEDIA: usize = 10;

/// The `MessageSid` of a verified form, or the one-line reason it is missing or malformed.
fn message_sid(form: &FormParams) -> Result<MessageId, String> {
    let raw = form
        .non_empty("MessageSid")
        .ok_or_else(|| "MessageSid is required".to_string())?;
    MessageSid::parse(raw)
        .map(MessageId::Twilio)
        .map_err(|e| e.to_string())
}

/// Every parameter as a JSON object; a repeated key keeps all its values, in order.
pub fn params_json(form: &FormParams) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for (key, value) in form.pairs() {
        match object.get_mut(key) {
            None => {
                object.insert(key.clone(), value.clone().into());
            }
            Some(serde_json::Value::Array(values)) => values.push(value.clone().into()),
            Some(first) => *first = serde_json::json!([first.take(), value]),
        }
    }
    serde_json::Value::Object(object)
}

fn content(form: &FormParams) -> MessageContent {
    let count = form
        .non_empty("NumMedia")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_MEDIA);
    let media: Vec<Media> = (0..count)
        .filter_map(|i| {
            let url = form.non_empty(&format!("MediaUrl{i}"))?;
            Some(Media {
                url: Some(url.to_string()),
                content_type: form
                    .non_empty(&format!("MediaContentType{i}"))
                    .map(str::to_string),
                ..Media::default()
            })
        })
        .collect();
    let kind = form
        .non_empty("MessageType")
        .map(str::to_string)
        .unwrap_or_else(|| if media.is_empty() { "text" } else { "media" }.to_string());
    let body = form
        .non_empty("Body")
        .or_else(|| form.non_empty("ButtonText"))
        .or_else(|| form.non_empty("Address"))
        .map(str::to_string);
    MessageContent {
        kind,
        body,
        profile_name: form.non_empty("ProfileName").map(str::to_string),
        media,
        context_id: form
            .non_empty("OriginalRepliedMessageSid")
            .map(str::to_string),
        raw: params_json(form),
    }
}

/// The business a message is for: the one that owns `To`.
async fn business_for(app: &App, form: &FormParams) -> Option<Business> {
    // A WhatsApp address, so an unescaped `+` that arrived as a space still reads as E.164.
    let to = WhatsAppAddress::parse(form.non_empty("To")?).ok()?;
    match app.business_by_number(to.number()).await {
        Ok(business) => business,
        Err(err) => {
            warn!(error = %err, "business lookup failed; message stored without its business");
            None
        }
    }
}

pub async fn incoming(app: &App, request: &InboundRequest) -> Response {
    let form = match webhook::verify(app, request) {
        Ok(form) => form,
        Err(rejected) => return rejected.into_response(),
    };
    let id = match message_sid(&form) {
        Ok(id) => id,
        Err(reason) => return response::bad_request(&reason),
    };
    let from = match form.non_empty("From").map(WhatsAppAddress::parse) {
        Some(Ok(from)) => from,
        Some(Err(err)) => return response::bad_request(&err.to_string()),
        None => return response::bad_request("From is required"),
    };
    let work = async {
        let business = business_for(app, &form).await;
        let message = NewMessage {
            id: id.clone(),
            business_id: business.as_ref().map(|b| b.id.clone()),
            direction: MessageDirection::Inbound,
            contact: Some(from.number().clone()),
            from: Some(from.address()),
            to: form.non_empty("To").map(|to| {
                WhatsAppAddress::parse(to).map_or_else(|_| to.to_string(), |a| a.address())
            }),
            content: content(&form),
            status: MessageStatus::Received,
            error_code: None,
            error_message: None,
            at: OffsetDateTime::now_utc(),
        };
        let stored = app.store().insert_message(&message).await;
        (business, stored)
    };
    let business = match tokio::time::timeout(VOICE_DEADLINE, work).await {
        Ok((business, Ok(inserted))) => {
            info!(message_sid = %id, inserted, "whatsapp message stored");
            business
        }
        Ok((business, Err(err))) => {
            error!(metric = "whatsapp_message_lost", message_sid = %id, error = %err, "whatsapp message not stored");
            business
        }
        Err(_) => {
            error!(metric = "whatsapp_message_lost", message_sid = %id, "store too slow; whatsapp message not stored");
            None
        }
    };
    // Twilio acts on the one answer it receives, so a retried webhook gets the same reply.
    let reply = business
        .and_then(|b| b.whatsapp_auto_reply)
        .filter(|text| !text.trim().is_empty());
    let twiml = match reply {
        Some(text) => MessagingResponse::new().message(Message::new(text)),
        None => MessagingResponse::new(),
    };
    response::twiml(twiml.to_xml())
}

pub async fn status(app: &App, request: &InboundRequest) -> Response {
    let form = match webhook::verify(app, request) {
        Ok(form) => form,
        Err(rejected) => return rejected.into_response(),
    };
    let id = match message_sid(&form) {
        Ok(id) => id,
        Err(reason) => return response::bad_request(&reason),
    };
    let Some(raw_status) = form
        .non_empty("MessageStatus")
        .or_else(|| form.non_empty("SmsStatus"))
    else {
        return response::bad_request("MessageStatus is required");
    };
    let Some(status) = MessageStatus::parse(raw_status) else {
        return response::bad_request(&format!(
            "MessageStatus `{raw_status}` is not a Twilio message status"
        ));
    };
    let update = MessageStatusUpdate {
        id: id.clone(),
        status,
        at: callback_time(&form),
        error_code: form
            .non_empty("ErrorCode")
            .filter(|code| *code != "0")
            .map(str::to_string),
        error_message: form
            .non_empty("ErrorMessage")
            .or_else(|| form.non_empty("ChannelStatusMessage"))
            .map(str::to_string),
    };
    let work = app.store().apply_message_status(&update);
    match tokio::time::timeout(VOICE_DEADLINE, work).await {
        Ok(Ok(advanced)) => {
            info!(message_sid = %id, status = status.as_str(), advanced, "whatsapp status applied")
        }
        Ok(Err(err)) => error!(
            metric = "whatsapp_status_lost",
            message_sid = %id,
            status = status.as_str(),
            error = %err,
            "whatsapp status not stored"
        ),
        Err(_) => error!(
            metric = "whatsapp_status_lost",
            message_sid = %id,
            status = status.as_str(),
            "store too slow; whatsapp status not stored"
        ),
    }
    response::no_content()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_and_every_parameter_are_kept() {
        let form = crate::http::form::parse(
            b"MessageSid=MM1&NumMedia=2&MediaUrl0=https%3A%2F%2Fm%2F0&MediaContentType0=image%2Fjpeg&MediaUrl1=https%3A%2F%2Fm%2F1&Body=&Extra=a&Extra=b",
        )
        .unwrap();
        let content = content(&form);
        assert_eq!(content.kind, "media");
        assert_eq!(content.body, None);
        assert_eq!(content.media.len(), 2);
        assert_eq!(content.media[0].content_type.as_deref(), Some("image/jpeg"));
        assert_eq!(content.media[1].url.as_deref(), Some("https://m/1"));
        assert_eq!(content.raw["Extra"], serde_json::json!(["a", "b"]));
        assert_eq!(content.raw["NumMedia"], "2");
    }
}
