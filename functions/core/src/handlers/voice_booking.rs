//! `POST /webhook/voice_booking`: one turn of booking an appointment by phone, the action of
//! every `<Gather>` the booking menu asks ([`crate::phone`]).
//!
//! A turn past the voice deadline is not cut off: it may be between a booking's commit and its
//! event and follow-ups, and dropping it there would leave an appointment nobody hears of. It
//! is logged as slow and given until [`TURN_LIMIT`], inside Twilio's 15 s wait for a webhook;
//! only then does the caller get the voicemail. Twilio does not retry a turn it got TwiML for,
//! so a turn cut off is never finished by anyone.

use std::time::{Duration, Instant};

use jiff::Timestamp;
use tracing::{error, warn};

use crate::app::App;
use crate::http::{response, InboundRequest, Response};
use crate::phone::{self, Turn};
use crate::twilio::webhook::Rejected;
use crate::voice::{self, VOICE_DEADLINE};

/// The longest a booking turn may take before the caller gets the voicemail: Twilio waits
/// 15 s for a webhook's answer, and says "an application error has occurred" after that.
pub const TURN_LIMIT: Duration = Duration::from_secs(10);

pub async fn voice_booking(app: &App, request: &InboundRequest) -> Response {
    let (form, call_sid) = match voice::verify_call(app, request) {
        Ok(verified) => verified,
        Err(rejected) => return rejected.into_response(),
    };
    let turn = match Turn::parse(&request.raw_query) {
        Ok(turn) => turn,
        Err(reason) => return Rejected::Malformed(reason).into_response(),
    };
    let started = Instant::now();
    let answer = phone::answer(app, request, &form, &call_sid, turn, Timestamp::now());
    tokio::pin!(answer);
    let answered = match tokio::time::timeout(VOICE_DEADLINE, &mut answer).await {
        Ok(answered) => Some(answered),
        Err(_) => {
            warn!(
                metric = "voice_slow",
                step = turn.step,
                deadline_ms = VOICE_DEADLINE.as_millis() as u64,
                "booking turn past the voice deadline; letting it finish"
            );
            tokio::time::timeout(TURN_LIMIT.saturating_sub(started.elapsed()), answer)
                .await
                .ok()
        }
    };
    match answered {
        Some(Ok(twiml)) => response::twiml(twiml),
        Some(Err(failure)) => {
            error!(metric = "voice_fallback", step = turn.step, error = %failure, "booking turn failed; answered with the default voicemail");
            voice::safe_voicemail(app, request)
        }
        None => {
            error!(
                metric = "voice_fallback",
                step = turn.step,
                limit_ms = TURN_LIMIT.as_millis() as u64,
                "booking turn too slow; answered with the default voicemail"
            );
            voice::safe_voicemail(app, request)
        }
    }
}
