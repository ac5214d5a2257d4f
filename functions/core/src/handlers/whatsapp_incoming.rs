//! `POST /webhook/whatsapp/incoming`, Twilio's WhatsApp message webhook: stores the message and
//! answers TwiML (the business's auto-reply, or an empty `<Response/>`). A sender the owner
//! blocked is stored and answered `<Response/>`: no auto-reply, no booking dialogue.
//!
//! For a business that books over WhatsApp or reminds its customers ([`dialogue::listens`]), a
//! message stored for the first time goes to the booking dialogue (a reminder's answer first), whose reply is sent through the Messages API; the answer
//! is then an empty `<Response/>`. A message the dialogue leaves alone gets the auto-reply as
//! before; a retried webhook (the message already stored) gets `<Response/>` and nothing is
//! sent again; a message the store could not take goes to the `notify` queue to be stored when
//! the store is back, and its sender gets a short apology in the TwiML itself.

use time::OffsetDateTime;
use tracing::{info, warn};

use crate::app::App;
use crate::booking::dialogue::{self, words, Conversed, Inbound};
use crate::domain::{
    Business, MessageDirection, MessageStatus, NewMessage, Provider, WhatsAppAddress,
};
use crate::http::{response, FormParams, InboundRequest, Response};
use crate::jobs::DeferredWrite;
use crate::messaging;
use crate::twilio::params::{message_content, message_sid, reply_id};
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
    let content = message_content(&form);
    let message = NewMessage {
        id: id.clone(),
        business_id: None,
        direction: MessageDirection::Inbound,
        contact: Some(from.number().clone()),
        from: Some(from.address()),
        to: form
            .non_empty("To")
            .map(|to| WhatsAppAddress::parse(to).map_or_else(|_| to.to_string(), |a| a.address())),
        content: content.clone(),
        status: MessageStatus::Received,
        error_code: None,
        error_message: None,
        at: OffsetDateTime::now_utc(),
    };
    let work = async {
        let business = business_for(app, &form).await;
        let message = NewMessage {
            business_id: business.as_ref().map(|b| b.id.clone()),
            ..message.clone()
        };
        let stored = app.store().insert_message(&message).await;
        (business, stored)
    };
    let (business, inserted) = match tokio::time::timeout(VOICE_DEADLINE, work).await {
        Ok((business, Ok(inserted))) => {
            info!(message_sid = %id, inserted, "whatsapp message stored");
            (business, Some(inserted))
        }
        // Without its business: the deferred write finds it by `To` when the store is back.
        Ok((business, Err(err))) => {
            super::defer(app, DeferredWrite::Message(message), &err.to_string()).await;
            (business, None)
        }
        Err(_) => {
            super::defer(app, DeferredWrite::Message(message), "store too slow").await;
            (None, None)
        }
    };
    // A blocked sender's message is kept, and answered by nothing.
    let business = match business {
        Some(business) if business.blocks(from.number().as_str()) => {
            info!(message_sid = %id, business = %business.id, "blocked sender; not answered");
            return response::twiml(MessagingResponse::new().to_xml());
        }
        other => other,
    };
    if let Some(business) = business.as_ref().filter(|b| dialogue::listens(b)) {
        let inbound = Inbound {
            id,
            from,
            kind: content.kind.clone(),
            text: content.body.clone().unwrap_or_default(),
            reply_id: reply_id(&form),
            profile_name: content.profile_name.clone(),
            provider: Provider::Twilio,
        };
        if let Some(answer) = booking_answer(app, request, business, &inbound, inserted).await {
            return answer;
        }
    }
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

/// The answer for a business that books over WhatsApp, or `None` to answer as before.
async fn booking_answer(
    app: &App,
    request: &InboundRequest,
    business: &Business,
    inbound: &Inbound,
    inserted: Option<bool>,
) -> Option<Response> {
    let empty = || response::twiml(MessagingResponse::new().to_xml());
    match inserted {
        Some(true) => {
            let callback = messaging::status_callback(app, request);
            let now = jiff::Timestamp::now();
            match dialogue::converse(app, business, inbound, Some(callback), now).await {
                Conversed::Declined => None,
                Conversed::Answered | Conversed::Failed => Some(empty()),
            }
        }
        // A retry: the first delivery did whatever there was to do.
        Some(false) => Some(empty()),
        // Unstored, the dialogue cannot run once and only once; the answer itself apologises.
        None => {
            let lang = dialogue::state::Lang::of_text(&inbound.text)
                .unwrap_or_else(|| dialogue::state::Lang::of_setting(&business.language));
            let apology = Message::new(words::plain::apology(lang));
            Some(response::twiml(
                MessagingResponse::new().message(apology).to_xml(),
            ))
        }
    }
}
