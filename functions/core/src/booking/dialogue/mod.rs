//! Booking over WhatsApp: a customer writes (Hebrew or English), the dialogue answers with free
//! slots, books, cancels or moves an appointment, and keeps where it stands between messages.
//!
//! Before any turn, a message that answers a reminder (a button, or `1`/`2`/`ביטול`/`אישור`
//! while no question of the dialogue's is open) is taken by [`reminders::answer`]; a business
//! that reminds but does not book over WhatsApp reads only those ([`listens`]).
//!
//! It runs only for a business with `enable_calendar_scheduling` and booking settings
//! ([`is_on`]), and only for an inbound message stored for the first time, so a retried
//! webhook neither books nor answers twice (and whatever it books, cancels or moves is done
//! under the message's request key, `wa:{message id}`, anyway).
//!
//! # States ([`state::Step`]) and transitions ([`turn`])
//!
//! - **Idle** (or no conversation, or one that lapsed after [`state::LIFETIME`]): a request to
//!   book, or a day or time, starts a booking: **Service** when the business has several
//!   services, else **Slots** (the nearest three, or that day's first three, or the time said
//!   as **Confirm**). A bare number or an old button answers "those options expired" and
//!   starts over. Anything else is not the dialogue's (the business's usual answer stands).
//! - **Service**: a number picks the service, then as above (a day or time said earlier is
//!   kept).
//! - **Slots**: a number books (or moves to) that slot → **Idle** with a confirmation naming
//!   the service, the day and time and how to cancel; a slot lost meanwhile, or no longer
//!   offered, gets the reason and up to three alternatives (**Slots** again). A day or time
//!   is checked: free → **Confirm**; several free → **Slots**; refused → the reason and
//!   alternatives.
//! - **Confirm**: 1 or yes takes the slot; 2 or no offers the nearest others.
//! - **Appointment** (which one to cancel or move, when the customer has several): a number
//!   cancels it, or offers slots to move it to.
//! - From any state, cancel cancels the customer's next appointment (asking which when there
//!   are several; saying so when there is none, or it was cancelled already, or it started),
//!   and change moves it (the day or time said, else the nearest slots; then
//!   [`crate::booking::reschedule`], atomic).
//! - A number out of range, or text the state cannot use, gets one sentence and the same
//!   options again.
//!
//! Replies are in the customer's language: Hebrew when the message has Hebrew letters,
//! English when it has Latin letters and no Hebrew ones, else the conversation's (else the
//! business's). Days and times are the business's.
//!
//! The state is JSON with a format number in the conversation store, written only at the
//! version read; a write that loses re-reads and runs the turn once more (its booking, if any,
//! then answers as a repeat of its own request key).

pub mod keep;
pub mod render;
pub mod state;
pub mod turn;
pub mod words;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_keep;
#[cfg(test)]
mod tests_render;

use std::time::Duration;

use jiff::Timestamp;
use tracing::error;

use crate::app::App;
use crate::booking::desk::BookingDesk;
use crate::booking::reminders;
use crate::domain::{
    Business, Channel, ConversationKey, MessageId, Provider, RequestKey, WhatsAppAddress,
};
use crate::messaging;
use crate::whatsapp::send::OutboundBody;
use state::{Lang, Reply};
use turn::{Ctx, Message};

/// The whole dialogue (state read and written, booking, the reply sent) finishes within this,
/// so with the webhooks' own store deadlines (1.5 s Twilio, 4 s Meta) it fits the functions'
/// 10 s timeout, well inside Twilio's 15 s, even with a slow provider.
pub const DEADLINE: Duration = Duration::from_secs(5);

/// A customer's message, as the dialogue reads it.
#[derive(Clone, Debug)]
pub struct Inbound {
    pub id: MessageId,
    pub from: WhatsAppAddress,
    /// `text`, `interactive`, `button`, `image`, … ([`crate::domain::MessageContent::kind`]).
    pub kind: String,
    /// What it says (a reply button's title, a caption); empty when nothing.
    pub text: String,
    /// The option an interactive reply picked.
    pub reply_id: Option<String>,
    pub profile_name: Option<String>,
    /// The provider it came through, which the replies go back through.
    pub provider: Provider,
}

/// What the dialogue did with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversed {
    /// Not the dialogue's: the business's usual answer stands.
    Declined,
    /// Answered (the reply sent and stored).
    Answered,
    /// Could not answer (logged; an apology sent when a send was possible).
    Failed,
}

/// Whether the business books over WhatsApp: scheduling on and booking set up.
pub fn is_on(business: &Business) -> bool {
    business.enable_calendar_scheduling && crate::booking::settings(business).is_ok()
}

/// Whether a customer's message is read here at all: the business books over WhatsApp, or
/// reminds its customers, who may answer a reminder.
pub fn listens(business: &Business) -> bool {
    is_on(business) || (business.reminders.is_some() && crate::booking::settings(business).is_ok())
}

/// A reminder's answer, when the message is one ([`reminders::answer`]): a button always; a
/// bare `1`/`2` or word only while the dialogue has no open question of its own.
async fn reminder_answer(
    app: &App,
    business: &Business,
    inbound: &Inbound,
    key: &ConversationKey,
    request: &RequestKey,
    lang: Lang,
    now: Timestamp,
) -> Result<Option<Reply>, keep::TurnError> {
    let Some(said) = reminders::answer::read(&inbound.text, inbound.reply_id.as_deref()) else {
        return Ok(None);
    };
    if said.appointment.is_none() {
        let open = app
            .store()
            .conversation(key)
            .await?
            .filter(|c| !c.is_expired(now))
            .and_then(|c| state::State::from_json(&c.state))
            .is_some_and(|s| s.step != state::Step::Idle);
        if open {
            return Ok(None);
        }
    }
    let phone = inbound.from.number();
    Ok(reminders::answer::answer(app, business, phone, &said, request, lang, now).await?)
}

/// Runs one message's turn for `business` (for which [`is_on`]) and sends its reply through
/// the provider the message came by, within [`DEADLINE`].
pub async fn converse(
    app: &App,
    business: &Business,
    inbound: &Inbound,
    status_callback: Option<String>,
    now: Timestamp,
) -> Conversed {
    let run = run(app, business, inbound, status_callback, now);
    match tokio::time::timeout(DEADLINE, run).await {
        Ok(conversed) => conversed,
        Err(_) => {
            error!(metric = "whatsapp_dialogue_lost", message_id = %inbound.id, "dialogue too slow; no reply");
            Conversed::Failed
        }
    }
}

/// A reaction or an empty message is nothing to answer.
fn engages(inbound: &Inbound) -> bool {
    inbound.kind != "reaction" && (!inbound.text.trim().is_empty() || inbound.reply_id.is_some())
}

async fn run(
    app: &App,
    business: &Business,
    inbound: &Inbound,
    status_callback: Option<String>,
    now: Timestamp,
) -> Conversed {
    let Some(settings) = business.booking.as_ref() else {
        return Conversed::Declined;
    };
    let (Ok(zone), Ok(request)) = (
        settings.zone(),
        RequestKey::new("wa", &[inbound.id.as_str()]),
    ) else {
        return Conversed::Declined;
    };
    if !engages(inbound) {
        return Conversed::Declined;
    }
    let ctx = Ctx {
        settings,
        zone,
        now,
        lang: Lang::of_setting(&business.language),
    };
    let desk = BookingDesk {
        app,
        business,
        phone: inbound.from.number().clone(),
        name: inbound.profile_name.clone(),
        channel: Channel::Whatsapp,
        request,
        now,
    };
    let message = Message {
        text: &inbound.text,
        reply: inbound.reply_id.as_deref(),
    };
    let key = ConversationKey::whatsapp(&business.id, inbound.from.number());
    let lang = Lang::of_text(&inbound.text).unwrap_or(ctx.lang);
    match reminder_answer(app, business, inbound, &key, &desk.request, lang, now).await {
        Ok(Some(reply)) => {
            return reply_with(app, business, inbound, &reply, status_callback).await
        }
        Ok(None) if !is_on(business) => return Conversed::Declined,
        Ok(None) => {}
        Err(err) => {
            error!(metric = "whatsapp_dialogue_failed", message_id = %inbound.id, error = %err, "reminder answer not taken");
            apologise(app, business, inbound, lang, status_callback).await;
            return Conversed::Failed;
        }
    }
    let taken = keep::take(app.store(), &desk, &ctx, &key, &business.id, &message).await;
    let reply = match taken {
        Ok(Some(reply)) => reply,
        Ok(None) => return Conversed::Declined,
        Err(err) => {
            error!(metric = "whatsapp_dialogue_failed", message_id = %inbound.id, error = %err, "no turn taken");
            let lang = Lang::of_text(&inbound.text).unwrap_or(ctx.lang);
            apologise(app, business, inbound, lang, status_callback).await;
            return Conversed::Failed;
        }
    };
    reply_with(app, business, inbound, &reply, status_callback).await
}

async fn reply_with(
    app: &App,
    business: &Business,
    inbound: &Inbound,
    reply: &Reply,
    status_callback: Option<String>,
) -> Conversed {
    let body = render::body(reply, inbound.provider);
    if send(app, business, inbound, body, status_callback).await {
        Conversed::Answered
    } else {
        Conversed::Failed
    }
}

async fn apologise(
    app: &App,
    business: &Business,
    inbound: &Inbound,
    lang: Lang,
    status_callback: Option<String>,
) {
    let apology = OutboundBody::Text(words::plain::apology(lang).to_string());
    send(app, business, inbound, apology, status_callback).await;
}

/// Sends through the provider the message came by; whether the provider took it.
async fn send(
    app: &App,
    business: &Business,
    inbound: &Inbound,
    body: OutboundBody,
    status_callback: Option<String>,
) -> bool {
    match messaging::send(
        app,
        business,
        inbound.provider,
        &inbound.from,
        body,
        status_callback,
    )
    .await
    {
        Ok(sent) => sent.is_sent(),
        Err(err) => {
            error!(metric = "whatsapp_dialogue_failed", message_id = %inbound.id, error = %err, "no reply possible");
            false
        }
    }
}
