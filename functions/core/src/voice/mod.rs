//! What the voice webhooks share: finding the business, the callback URLs, the voicemail
//! TwiML every voice mode falls back to, and keeping a recording ([`recordings`]).

pub mod recordings;
pub mod status;

use std::time::Duration;

use tracing::warn;

use crate::app::App;
use crate::domain::business::DEFAULT_LANGUAGE;
use crate::domain::{Business, BusinessId, CallSid, Direction, PhoneNumber};
use crate::http::routes::Route;
use crate::http::{response, FormParams, InboundRequest, Response};
use crate::twilio::twiml::{Method, Pause, Play, Record, RecordingEvent, Say, VoiceResponse};
use crate::twilio::webhook::Rejected;

/// Everything a voice webhook does with the store must finish within this, so the caller
/// gets TwiML well inside Twilio's 15 s (and the notes' 2 s) even when AWS is unreachable.
pub const VOICE_DEADLINE: Duration = Duration::from_millis(1500);

/// Spoken after `<Record>` when the caller leaves nothing.
pub const NO_MESSAGE_TEXT: &str = "לא התקבלה הודעה. להתראות.";

/// The public URL of a route of this deployment, for TwiML callbacks.
pub fn callback_url(app: &App, request: &InboundRequest, route: Route) -> String {
    public_url(app, request, route.path())
}

/// The public URL of a path of this deployment.
fn public_url(app: &App, request: &InboundRequest, route_path: &str) -> String {
    request.public_url_of(app.config().public_base_url.as_ref(), route_path)
}

/// The path a business's greeting is served at (`<Play>`'s URL is the public base plus this).
pub fn greeting_path(business: &BusinessId) -> String {
    Route::Greeting.path_with(&[("business", business.as_str())])
}

/// The public greeting URL for `business`, when one can be given: the business has a greeting,
/// the object exists, and this deployment's public URL is known.
pub async fn greeting_url(
    app: &App,
    request: &InboundRequest,
    business: &Business,
) -> Option<String> {
    let key = business.greeting_key.as_deref()?;
    let has_public_origin = app.config().public_base_url.is_some()
        || request.header("host").is_some_and(|h| !h.is_empty());
    if !has_public_origin {
        warn!(business = %business.id, "no usable public URL for the greeting; speaking the fallback");
        return None;
    }
    if !app.greeting_exists(key).await {
        warn!(business = %business.id, key, "greeting object missing; speaking the fallback");
        return None;
    }
    Some(public_url(app, request, &greeting_path(&business.id)))
}

/// A voice webhook's verified form and its CallSid (recorded on the request span), or why it
/// was turned away: 403 for a bad signature, 400 for a malformed body or a missing CallSid.
pub fn verify_call(app: &App, request: &InboundRequest) -> Result<(FormParams, CallSid), Rejected> {
    let form = app.twilio_gate().verify(request)?;
    let call_sid = required_call_sid(&form)?;
    tracing::Span::current().record("call_sid", call_sid.as_str());
    Ok((form, call_sid))
}

/// The call's CallSid, or why the request is malformed (400).
fn required_call_sid(form: &FormParams) -> Result<CallSid, Rejected> {
    let raw = form
        .non_empty("CallSid")
        .ok_or_else(|| Rejected::Malformed("CallSid is required".into()))?;
    CallSid::parse(raw).map_err(|e| Rejected::Malformed(e.to_string()))
}

/// The business a webhook is about, or `None` for an unknown number.
pub async fn find_business(
    app: &App,
    form: &FormParams,
) -> Result<Option<Business>, crate::store::StoreError> {
    let direction = Direction::parse(form.get("Direction").unwrap_or_default());
    business_of_call(app, direction, form.non_empty("From"), form.non_empty("To")).await
}

/// The business that owns a call's own number: `To` for an inbound call, `From` for an
/// outbound one; `None` for an unknown number.
pub async fn business_of_call(
    app: &App,
    direction: Direction,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Option<Business>, crate::store::StoreError> {
    let own = if direction.is_outbound() { from } else { to };
    match own.and_then(|n| PhoneNumber::parse(n).ok()) {
        Some(number) => app.business_by_number(&number).await,
        None => Ok(None),
    }
}

/// Greeting (or the spoken fallback), a pause, `<Record>`, and a goodbye for a caller who
/// records nothing.
pub fn voicemail(
    app: &App,
    request: &InboundRequest,
    business: &Business,
    greeting: Option<String>,
) -> VoiceResponse {
    let opening = match greeting {
        Some(url) => VoiceResponse::new().play(Play::new(url)),
        None => VoiceResponse::new().say(say(&business.fallback_text, &business.language)),
    };
    let settings = &business.record;
    opening
        .pause(Pause::seconds(1))
        .record(Record {
            action: Some(callback_url(app, request, Route::HandleRecording)),
            method: Some(Method::Post),
            max_length: Some(settings.max_length),
            timeout: Some(settings.timeout),
            finish_on_key: Some(settings.finish_on_key.clone()),
            play_beep: Some(settings.play_beep),
            recording_status_callback: Some(callback_url(app, request, Route::RecordingStatus)),
            recording_status_callback_method: Some(Method::Post),
            recording_status_callback_event: vec![
                RecordingEvent::Completed,
                RecordingEvent::Absent,
            ],
            ..Record::default()
        })
        .say(say(NO_MESSAGE_TEXT, &business.language))
        .hangup()
}

/// `<Say>` in the business's language.
pub fn say(text: &str, language: &str) -> Say {
    let language = if language.is_empty() {
        DEFAULT_LANGUAGE
    } else {
        language
    };
    Say::new(text).language(language)
}

/// The voicemail TwiML for the default configuration: what any internal failure on a voice
/// webhook answers with.
pub fn safe_voicemail(app: &App, request: &InboundRequest) -> Response {
    let business = app.config().default_business();
    response::twiml(voicemail(app, request, &business, None).to_xml())
}

/// Thanks and hang up: the answer after a recording or a gathered code.
pub fn thanks(text: &str, language: &str) -> Response {
    response::twiml(
        VoiceResponse::new()
            .say(say(text, language))
            .hangup()
            .to_xml(),
    )
}
