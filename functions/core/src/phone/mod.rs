//! Booking by phone: a caller says a day and a time (Hebrew or English, or presses keys), and
//! the call checks it, offers it or up to three alternatives in words, confirms and books it
//! through [`crate::booking`], as WhatsApp and the API do.
//!
//! It runs for a business whose `call_goal` is `appointment` and that has booking settings
//! ([`is_on`]): `incoming_call` answers such a call with the opening menu ([`opening`]); every
//! other business's TwiML is untouched.
//!
//! # Turns
//!
//! Each turn is one `<Gather input="speech dtmf">` in the business's language whose action is
//! `POST /webhook/voice_booking?step=N` ([`Turn`]); silence reaches it too
//! (`actionOnEmptyResult`). The phases ([`state::Phase`]) and what moves them ([`turn`]):
//!
//! - **Menu**: a day and time said → checked: free → **Confirm**; taken or not offered (past,
//!   closed, outside hours …) → the engine's reason in words and up to three alternatives
//!   (**Options**); a day alone → its first free slots. 1 → the nearest free slots.
//! - **Service** (a business with several services): one key per service.
//! - **Confirm**: 1 (or "yes") books; 2 (or "no") → the nearest others; another day and time
//!   is checked.
//! - **Options**: a key per slot books it; 9 → later slots; a day and time is checked.
//! - Booked → the service, day and time said aloud, then `<Hangup/>`. A slot taken by someone
//!   else since it was offered → a fresh offer, never a double booking.
//! - 0 at any point → the business's voicemail. Silent twice in a row → voicemail. Speech
//!   that names no day or time, or heard below [`state::MIN_CONFIDENCE`], twice in a row →
//!   the slots in question as a menu of keys. Keys a phase has no use for → the same question.
//!
//! The state lives in the conversation `voice:{CallSid}` for [`state::LIFETIME`], written at
//! the version read ([`keep`]), with the last answer: a callback retried by Twilio gets the
//! same TwiML and books nothing twice (each turn books under `voice:{CallSid}:{step}`). A
//! caller who hangs up mid-dialogue leaves a state that lapses.

pub mod keep;
pub mod spoken;
pub mod state;
pub mod turn;
pub mod words;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_keep;
#[cfg(test)]
mod tests_spoken;

use jiff::Timestamp;
use tracing::info;

use crate::app::App;
use crate::booking::desk::BookingDesk;
use crate::booking::dialogue::state::Lang;
use crate::domain::business::DEFAULT_LANGUAGE;
use crate::domain::{
    Appointment, Business, CallGoal, CallSid, Channel, ConversationKey, PhoneNumber, RequestKey,
};
use crate::http::routes::Route;
use crate::http::{form, FormParams, InboundRequest};
use crate::jobs::AppointmentSnapshot;
use crate::twilio::twiml::{Gather, GatherInput, Method, Prompt, VoiceResponse};
use crate::voice;
use keep::{Callback, TurnError};
use state::{Heard, Reply};
use turn::Ctx;

/// Seconds of silence before a turn is given up as silent. Long enough to think of a day.
pub const GATHER_TIMEOUT: u32 = 6;

/// Whether calls to `business` get the booking menu: its call goal is `appointment`, and
/// booking is set up (a service). The zone is not resolved here: it was checked when the
/// settings were stored, and resolving it would link the time-zone database into
/// `incoming-call` (about half a megabyte); a zone that no longer resolves fails the first turn,
/// whose caller gets the voicemail.
pub fn is_on(business: &Business) -> bool {
    business.call_goal == CallGoal::Appointment && crate::booking::settings(business).is_ok()
}

/// What a turn's callback URL says: its step, and whether the business's greeting plays
/// before a message (what `incoming_call` found; this route does not read the greetings
/// bucket).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Turn {
    pub step: u32,
    pub greeting: bool,
}

impl Turn {
    /// The query of a callback URL: `step=N`, and `greeting=1` when the greeting plays.
    pub fn parse(raw_query: &str) -> Result<Self, String> {
        let query = form::parse(raw_query.as_bytes()).map_err(|e| e.to_string())?;
        let step = query
            .non_empty("step")
            .ok_or("step is required")?
            .parse::<u32>()
            .ok()
            .filter(|s| *s >= 1)
            .ok_or("step must be a whole number from 1")?;
        Ok(Self {
            step,
            greeting: query.get("greeting") == Some("1"),
        })
    }

    pub fn query(&self) -> String {
        if self.greeting {
            format!("step={}&greeting=1", self.step)
        } else {
            format!("step={}", self.step)
        }
    }
}

/// The language a business answers in: its setting, or the default.
fn language(business: &Business) -> &str {
    if business.language.is_empty() {
        DEFAULT_LANGUAGE
    } else {
        &business.language
    }
}

/// What `incoming_call` answers a business that books by phone: a welcome and the menu.
pub fn opening(
    app: &App,
    request: &InboundRequest,
    business: &Business,
    greeting: bool,
) -> VoiceResponse {
    let lang = Lang::of_setting(language(business));
    let text = format!(
        "{} {}",
        words::plain::welcome(lang),
        words::plain::menu(lang)
    );
    let first = Turn { step: 1, greeting };
    ask(app, request, business, &text, first)
}

/// One turn's question: a `<Gather>` for speech and keys that posts `next`.
fn ask(
    app: &App,
    request: &InboundRequest,
    business: &Business,
    text: &str,
    next: Turn,
) -> VoiceResponse {
    let language = language(business);
    let url = format!(
        "{}?{}",
        voice::callback_url(app, request, Route::VoiceBooking),
        next.query()
    );
    VoiceResponse::new().gather(Gather {
        input: vec![GatherInput::Speech, GatherInput::Dtmf],
        action: Some(url),
        method: Some(Method::Post),
        timeout: Some(GATHER_TIMEOUT),
        speech_timeout: Some("auto".into()),
        num_digits: Some(1),
        language: Some(language.to_string()),
        hints: Some(words::plain::hints(Lang::of_setting(language)).to_string()),
        action_on_empty_result: Some(true),
        prompts: vec![Prompt::Say(voice::say(text, language))],
        ..Gather::default()
    })
}

/// The business's voicemail: its greeting when `incoming_call` found one, else its spoken
/// fallback, then `<Record>`.
pub fn voicemail(
    app: &App,
    request: &InboundRequest,
    business: &Business,
    greeting: bool,
) -> VoiceResponse {
    let url = greeting.then(|| {
        request.public_url_of(
            app.config().public_base_url.as_ref(),
            &voice::greeting_path(&business.id),
        )
    });
    voice::voicemail(app, request, business, url)
}

/// The TwiML of a reply; a question posts `next`.
fn render(
    app: &App,
    request: &InboundRequest,
    business: &Business,
    reply: &Reply,
    next: Turn,
) -> String {
    let language = language(business);
    match reply {
        Reply::Ask(text) => ask(app, request, business, text, next),
        Reply::Goodbye(text) => VoiceResponse::new()
            .say(voice::say(text, language))
            .hangup(),
        Reply::Voicemail(None) => voicemail(app, request, business, next.greeting),
        Reply::Voicemail(Some(text)) => VoiceResponse::new()
            .say(voice::say(text, language))
            .then(voicemail(app, request, business, next.greeting)),
    }
    .to_xml()
}

/// What the callback heard: keys first (`Digits`), else speech (`SpeechResult`, with its
/// `Confidence`), else nothing. A confidence of 0 is what a recogniser that reports none
/// sends, so it counts as none: the text is trusted.
pub fn heard(form: &FormParams) -> Heard<'_> {
    if let Some(keys) = form
        .non_empty("Digits")
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        return Heard::Keys(keys);
    }
    match form.non_empty("SpeechResult").map(str::trim) {
        Some(text) if !text.is_empty() => Heard::Speech {
            text,
            confidence: form
                .non_empty("Confidence")
                .and_then(|c| c.trim().parse::<f32>().ok())
                .filter(|c| c.is_finite() && *c > 0.0),
        },
        _ => Heard::Nothing,
    }
}

/// The TwiML answering one callback of the booking route, for the call's business: the turn
/// taken and kept; the business's voicemail when it no longer books by phone or the caller
/// has no number to book for.
pub async fn answer(
    app: &App,
    request: &InboundRequest,
    form: &FormParams,
    call_sid: &CallSid,
    turn: Turn,
    now: Timestamp,
) -> Result<String, TurnError> {
    let Some(business) = voice::find_business(app, form).await? else {
        info!("number not claimed by any business; default voicemail");
        return Ok(voice::voicemail(app, request, &app.config().default_business(), None).to_xml());
    };
    let caller = form
        .non_empty("From")
        .and_then(|from| PhoneNumber::parse(from).ok());
    let (Some(settings), Some(caller), true) =
        (business.booking.as_ref(), caller, is_on(&business))
    else {
        info!(business = %business.id, "not booking by phone for this call; voicemail");
        return Ok(voicemail(app, request, &business, turn.greeting).to_xml());
    };
    let zone = settings
        .zone()
        .map_err(|_| TurnError::Booking(crate::booking::BookingError::NotConfigured))?;
    let step = turn.step.to_string();
    let request_key = RequestKey::new("voice", &[call_sid.as_str(), &step])
        .map_err(|_| TurnError::Booking(crate::booking::BookingError::NotConfigured))?;
    let ctx = Ctx {
        settings,
        zone,
        now,
        lang: Lang::of_setting(language(&business)),
    };
    let desk = BookingDesk {
        app,
        business: &business,
        phone: caller,
        name: form.non_empty("CallerName").map(str::to_string),
        channel: Channel::Voice,
        request: request_key,
        now,
    };
    let key = ConversationKey::voice(call_sid);
    let callback = Callback {
        key: &key,
        business: &business.id,
        step: turn.step,
        heard: heard(form),
    };
    keep::take(app.store(), &desk, &ctx, &callback, |reply, next| {
        let next = Turn {
            step: next,
            greeting: turn.greeting,
        };
        render(app, request, &business, reply, next)
    })
    .await
}

/// What a reminder call says for `appointment`: who calls, the service, the day and time in
/// words as the booking dialogue says them (relative where natural), and the two keys.
pub fn reminder_text(business: &Business, appointment: &Appointment, now: Timestamp) -> String {
    let snapshot = AppointmentSnapshot::from(appointment);
    let words = crate::booking::reminders::Words::of(business, &snapshot);
    let zone = jiff::tz::TimeZone::get(&appointment.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    let lang = Lang::of_setting(language(business));
    let spoken = spoken::Spoken {
        lang,
        zone: &zone,
        today: now.to_zoned(zone.clone()).date(),
    };
    words::plain::reminder_call(
        lang,
        &business.name,
        &words.parts.service,
        &spoken.when_in_full(appointment.slot.start),
    )
}
