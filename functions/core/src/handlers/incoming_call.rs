//! `POST /webhook/incoming_call`: who is calling which business, and what Twilio should do.

use time::OffsetDateTime;
use tracing::{error, info, warn};

use crate::app::App;
use crate::domain::business::{stream_wss_url, DEFAULT_VERIFICATION_PROMPT};
use crate::domain::CallStart;
use crate::domain::{Business, CallStatus, Direction, PhoneNumber, VoiceMode};
use crate::http::routes::Route;
use crate::http::{response, FormParams, InboundRequest, Response};
use crate::phone;
use crate::twilio::twiml::{
    Connect, Gather, GatherInput, Method, Prompt, RejectReason, Stream, VoiceResponse,
};
use crate::voice::{self, callback_url, VOICE_DEADLINE};

pub async fn incoming_call(app: &App, request: &InboundRequest) -> Response {
    let (form, call_sid) = match voice::verify_call(app, request) {
        Ok(verified) => verified,
        Err(rejected) => return rejected.into_response(),
    };
    match tokio::time::timeout(VOICE_DEADLINE, answer(app, request, &form, call_sid)).await {
        Ok(Ok(response)) => response,
        Ok(Err(failure)) => {
            error!(metric = "voice_fallback", error = %failure, "incoming call answered with the default voicemail");
            voice::safe_voicemail(app, request)
        }
        Err(_) => {
            error!(
                metric = "voice_fallback",
                deadline_ms = VOICE_DEADLINE.as_millis() as u64,
                "store too slow; incoming call answered with the default voicemail"
            );
            voice::safe_voicemail(app, request)
        }
    }
}

async fn answer(
    app: &App,
    request: &InboundRequest,
    form: &FormParams,
    call_sid: crate::domain::CallSid,
) -> Result<Response, crate::store::StoreError> {
    let business = match voice::find_business(app, form).await? {
        Some(business) => business,
        None => {
            info!(
                to = form.get("To").unwrap_or_default(),
                "number not claimed by any business; default voicemail"
            );
            app.config().default_business()
        }
    };
    let from = form.non_empty("From").unwrap_or("anonymous").to_string();
    let start = CallStart {
        sid: call_sid,
        business_id: business.id.clone(),
        from: from.clone(),
        to: form.get("To").unwrap_or_default().to_string(),
        direction: Direction::parse(form.get("Direction").unwrap_or_default()),
        caller_name: form.non_empty("CallerName").map(str::to_string),
        status: form
            .get("CallStatus")
            .and_then(CallStatus::parse)
            .unwrap_or(CallStatus::Ringing),
        started_at: OffsetDateTime::now_utc(),
        placed: None,
    };
    let (over_limit, recorded, greeting) = tokio::join!(
        over_rate_limit(app, &business, &from, start.started_at),
        app.store().record_call_start(&start),
        voice::greeting_url(app, request, &business),
    );
    recorded?;
    // The business was read, so a store that fails never gets here: a caller is rejected only
    // on the owner's word.
    if business.blocks(&start.from) {
        info!(metric = "caller_blocked", business = %business.id, "blocked caller; rejected");
        return Ok(response::twiml(VoiceResponse::new().reject(None).to_xml()));
    }
    if over_limit {
        warn!(metric = "caller_rate_limited", business = %business.id, "caller over the per-minute limit; rejected busy");
        return Ok(response::twiml(
            VoiceResponse::new()
                .reject(Some(RejectReason::Busy))
                .to_xml(),
        ));
    }
    // A business that books by phone answers with its booking menu, whatever its voice mode
    // (0 still leaves a message); a caller without a number has nothing to book for.
    if phone::is_on(&business) && PhoneNumber::parse(&start.from).is_ok() {
        info!(business = %business.id, greeting = greeting.is_some(), "incoming call answered with the booking menu");
        let menu = phone::opening(app, request, &business, greeting.is_some());
        return Ok(response::twiml(menu.to_xml()));
    }
    info!(business = %business.id, mode = ?business.voice_mode, greeting = greeting.is_some(), "incoming call answered");
    let voicemail = voice::voicemail(app, request, &business, greeting);
    let twiml = match business.voice_mode {
        VoiceMode::Voicemail => voicemail,
        VoiceMode::Stream => match business.stream_url.as_deref().and_then(stream_wss_url) {
            Some(url) => VoiceResponse::new()
                .connect(Connect {
                    stream: Stream {
                        url,
                        parameters: vec![
                            ("From".into(), start.from.clone()),
                            ("To".into(), start.to.clone()),
                            ("CallSid".into(), start.sid.to_string()),
                            ("BusinessId".into(), business.id.to_string()),
                        ],
                        ..Stream::default()
                    },
                    ..Connect::default()
                })
                .then(voicemail),
            None => {
                warn!(business = %business.id, "stream mode without a usable stream_url; voicemail instead");
                voicemail
            }
        },
        VoiceMode::VerificationCode => {
            let prompt = business
                .verification_prompt
                .as_deref()
                .unwrap_or(DEFAULT_VERIFICATION_PROMPT);
            VoiceResponse::new()
                .gather(Gather {
                    input: vec![GatherInput::Dtmf],
                    num_digits: Some(6),
                    action: Some(callback_url(app, request, Route::Gather)),
                    method: Some(Method::Post),
                    timeout: Some(10),
                    prompts: vec![Prompt::Say(voice::say(prompt, &business.language))],
                    ..Gather::default()
                })
                .then(voicemail)
        }
    };
    Ok(response::twiml(twiml.to_xml()))
}

/// True when this caller has called the business more than its per-minute limit. Fails open:
/// a limiter that cannot count lets the call through.
async fn over_rate_limit(app: &App, business: &Business, from: &str, now: OffsetDateTime) -> bool {
    if from == "anonymous" || business.calls_per_minute == 0 {
        return false;
    }
    let minute_start = now.unix_timestamp() - now.unix_timestamp().rem_euclid(60);
    match app
        .store()
        .count_call_attempt(&business.id, from, minute_start)
        .await
    {
        Ok(count) => count > u64::from(business.calls_per_minute),
        Err(err) => {
            warn!(error = %err, "rate limiter unavailable; failing open");
            false
        }
    }
}
