//! `POST /webhook/whatsapp/incoming`, Twilio's WhatsApp message webhook: stores the message and
//! answers TwiML (the business's auto-reply, or an empty `<Response/>`).

use time::OffsetDateTime;
use tracing::{error, info, warn};

use crate::app::App;
use crate::domain::{Business, MessageDirection, MessageStatus, NewMessage, WhatsAppAddress};
use crate::http::{response, FormParams, InboundRequest, Response};
use crate::twilio::params::{message_content, message_sid};
use crate::twilio::twiml::{Message, MessagingResponse};
use crate::voice::VOICE_DEADLINE;

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
    let form = match app.twilio_gate().verify(request) {
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
            content: message_content(&form),
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
