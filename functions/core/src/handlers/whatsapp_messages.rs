//! `/api/whatsapp/messages`, the one sending API:
//! - `POST` `{"to": "+972…", "body": "…"}` or `{"to": …, "template": {"name", "language",
//!   "components"?}}` sends through the business's provider (Twilio or Meta), stores the
//!   message with the provider's id, and answers 201 with it. A provider that is down or
//!   refuses → 502 with the reason, the message stored as `failed` with the error.
//! - `GET ?with=+972…&limit=&cursor=` lists the conversation, newest first.
//!
//! Authenticated by the business's API key, with CORS for the configured origins ([`api`]).

use http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};
use time::OffsetDateTime;
use tracing::warn;

use crate::api;
use crate::app::App;
use crate::domain::time::format_time;
use crate::domain::StoredMessage;
use crate::domain::{BusinessId, MessageDirection, MessageStatus, WhatsAppAddress};
use crate::http::response::{json as json_response, json_error};
use crate::http::{form, InboundRequest, Response};
use crate::messaging;
use crate::whatsapp::send::OutboundBody;

/// Largest JSON body the send API reads.
const MAX_BODY: usize = 64 * 1024;
const DEFAULT_PAGE: usize = 50;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendRequest {
    to: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    template: Option<TemplateRequest>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateRequest {
    name: String,
    language: String,
    #[serde(default)]
    components: Option<Value>,
}

pub async fn messages(app: &App, request: &InboundRequest) -> Response {
    api::handle(app, request, |business| async move {
        if request.method == Method::GET {
            list(app, request, &business).await
        } else {
            send(app, request, &business).await
        }
    })
    .await
}

fn parse_send(body: &[u8]) -> Result<(WhatsAppAddress, OutboundBody), String> {
    if body.len() > MAX_BODY {
        return Err(format!("body is over the {MAX_BODY} byte limit"));
    }
    let request: SendRequest =
        serde_json::from_slice(body).map_err(|e| format!("body is not valid JSON: {e}"))?;
    let to = WhatsAppAddress::parse(&request.to).map_err(|e| format!("to: {e}"))?;
    let body = match (request.body, request.template) {
        (Some(text), None) if !text.trim().is_empty() => OutboundBody::Text(text),
        (Some(_), None) => return Err("body must not be empty".into()),
        (None, Some(t)) if !t.name.trim().is_empty() && !t.language.trim().is_empty() => {
            OutboundBody::Template {
                name: t.name,
                language: t.language,
                components: t.components,
            }
        }
        (None, Some(_)) => return Err("template needs a name and a language".into()),
        (Some(_), Some(_)) => return Err("give either body or template, not both".into()),
        (None, None) => return Err("body (text) or template is required".into()),
    };
    Ok((to, body))
}

async fn send(app: &App, request: &InboundRequest, business_id: &BusinessId) -> Response {
    let (to, body) = match parse_send(&request.body) {
        Ok(parsed) => parsed,
        Err(reason) => return json_error(StatusCode::BAD_REQUEST, &reason),
    };
    let business = match app.store().business(business_id).await {
        Ok(Some(business)) => business,
        Ok(None) => return json_error(StatusCode::NOT_FOUND, "the key's business is gone"),
        Err(err) => {
            warn!(error = %err, "business lookup failed");
            return json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "store unavailable; try again",
            );
        }
    };
    let callback = messaging::status_callback(app, request);
    let sent = match messaging::send(
        app,
        &business,
        business.whatsapp_provider,
        &to,
        body,
        Some(callback),
    )
    .await
    {
        Ok(sent) => sent,
        Err(no_number) => return json_error(StatusCode::CONFLICT, &no_number.to_string()),
    };
    let mut answer = message_json(&StoredMessage::just_stored(&sent.message));
    let status = match &sent.error {
        None => StatusCode::CREATED,
        Some(err) => {
            answer = json!({ "error": err.to_string(), "message": answer });
            StatusCode::BAD_GATEWAY
        }
    };
    answer["stored"] = sent.stored.into();
    json_response(status, &answer)
}

/// The JSON form of a message in API answers.
pub fn message_json(message: &StoredMessage) -> Value {
    let time = |t: Option<OffsetDateTime>| t.map(format_time);
    let content = message.content.as_ref();
    json!({
        "id": message.id.as_str(),
        "direction": message.direction.map(MessageDirection::as_str),
        "from": message.from,
        "to": message.to,
        "contact": message.contact.as_ref().map(|c| c.as_str()),
        "kind": content.map(|c| c.kind.as_str()),
        "body": content.and_then(|c| c.body.as_deref()),
        "profile_name": content.and_then(|c| c.profile_name.as_deref()),
        "media": content.map(|c| &c.media),
        "status": message.status.map(MessageStatus::as_str),
        "created_at": time(message.created_at),
        "sent_at": time(message.sent_at),
        "delivered_at": time(message.delivered_at),
        "read_at": time(message.read_at),
        "failed_at": time(message.failed_at),
        "error_code": message.error_code,
        "error_message": message.error_message,
    })
}

async fn list(app: &App, request: &InboundRequest, business: &BusinessId) -> Response {
    let query = match form::parse(request.raw_query.as_bytes()) {
        Ok(query) => query,
        Err(err) => return json_error(StatusCode::BAD_REQUEST, &err.to_string()),
    };
    let Some(with) = query.non_empty("with") else {
        return json_error(StatusCode::BAD_REQUEST, "with=<phone number> is required");
    };
    // A `+` left unescaped in a query reads as a space; WhatsApp numbers are international.
    let contact = match WhatsAppAddress::parse(with) {
        Ok(address) => address,
        Err(err) => return json_error(StatusCode::BAD_REQUEST, &format!("with: {err}")),
    };
    let limit = match query.non_empty("limit").map(str::parse::<usize>) {
        None => DEFAULT_PAGE,
        Some(Ok(limit)) if limit > 0 => limit,
        Some(_) => return json_error(StatusCode::BAD_REQUEST, "limit must be a positive number"),
    };
    match app
        .store()
        .conversation_messages(business, contact.number(), limit, query.non_empty("cursor"))
        .await
    {
        Ok(page) => json_response(
            StatusCode::OK,
            &json!({
                "with": contact.number().as_str(),
                "messages": page.messages.iter().map(message_json).collect::<Vec<_>>(),
                "next_cursor": page.next_cursor,
            }),
        ),
        Err(crate::store::StoreError::BadCursor(_)) => {
            json_error(StatusCode::BAD_REQUEST, "cursor is not one this API gave")
        }
        Err(err) => {
            warn!(error = %err, "conversation listing failed");
            json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "store unavailable; try again",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_requests_are_parsed_with_one_line_reasons() {
        let (to, body) =
            parse_send(br#"{"to":"whatsapp:whatsapp:+972501234567","body":"hi"}"#).unwrap();
        assert_eq!(to.address(), "whatsapp:+972501234567");
        assert_eq!(body, OutboundBody::Text("hi".into()));
        for (bad, reason) in [
            (&b"{"[..], "not valid JSON"),
            (br#"{"to":"+972501234567"}"#, "is required"),
            (br#"{"to":"050","body":"x"}"#, "to:"),
            (
                br#"{"to":"+972501234567","body":"x","extra":1}"#,
                "unknown field",
            ),
            (br#"{"to":"+972501234567","body":" "}"#, "empty"),
        ] {
            let err = parse_send(bad).unwrap_err();
            assert!(err.contains(reason), "{err}");
        }
    }
}
