//! `POST /webhook/voice_booking`: one turn of booking an appointment by phone, the action of
//! every `<Gather>` the booking menu asks ([`crate::phone`]).
//!
//! Twilio does not retry a turn it got TwiML for, so this route finishes what it started:
//! - A turn past the voice deadline is not cut off: it may be between a booking's commit and
//!   its event and follow-ups, and dropping it there would leave an appointment nobody hears
//!   of. It is logged as slow and given until [`TURN_LIMIT`], inside Twilio's 15 s wait.
//! - A turn that fails (the store timed out, say) is taken once more: a booking whose commit
//!   landed although its answer was lost is found under its request key and answered as
//!   booked, its event and follow-ups queued again (each is idempotent).
//!
//! Only when both fail, or the limit passes, does the caller get the voicemail.

use std::future::Future;
use std::time::Duration;

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
    let answered =
        finish(|| phone::answer(app, request, &form, &call_sid, turn, Timestamp::now())).await;
    match answered {
        Some(Ok(twiml)) => response::twiml(twiml),
        Some(Err(failure)) => {
            error!(metric = "voice_fallback", step = turn.step, error = %failure, "booking turn failed twice; answered with the default voicemail");
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

/// Runs a turn to its end: warned past the voice deadline, taken a second time if the first
/// failed while half the limit is left, and given up (`None`) at [`TURN_LIMIT`].
async fn finish<F, Fut, T, E>(mut take: F) -> Option<Result<T, E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let started = tokio::time::Instant::now();
    let deadline = started + TURN_LIMIT;
    let mut first = true;
    loop {
        let attempt = take();
        tokio::pin!(attempt);
        let answered = match tokio::time::timeout(VOICE_DEADLINE, &mut attempt).await {
            Ok(answered) => answered,
            Err(_) => {
                warn!(
                    metric = "voice_slow",
                    deadline_ms = VOICE_DEADLINE.as_millis() as u64,
                    "booking turn past the voice deadline; letting it finish"
                );
                tokio::time::timeout_at(deadline, attempt).await.ok()?
            }
        };
        match answered {
            Err(failure) if first && started.elapsed() < TURN_LIMIT / 2 => {
                warn!(error = %failure, "booking turn failed; taking it once more");
                first = false;
            }
            answered => return Some(answered),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_failed_turn_is_taken_once_more() {
        let tries = AtomicU32::new(0);
        let answered = finish(|| async {
            match tries.fetch_add(1, Ordering::SeqCst) {
                0 => Err("store timed out"),
                _ => Ok("booked"),
            }
        })
        .await;
        assert_eq!(answered, Some(Ok("booked")));
        assert_eq!(tries.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_turn_failing_twice_gives_its_error() {
        let tries = AtomicU32::new(0);
        let answered: Option<Result<(), _>> = finish(|| async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err("store timed out")
        })
        .await;
        assert_eq!(answered, Some(Err("store timed out")));
        assert_eq!(tries.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_turn_failing_after_half_the_limit_is_not_taken_again() {
        let tries = AtomicU32::new(0);
        let answered: Option<Result<(), _>> = finish(|| async {
            tries.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(TURN_LIMIT * 3 / 5).await;
            Err("store timed out")
        })
        .await;
        assert_eq!(answered, Some(Err("store timed out")));
        assert_eq!(tries.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_turn_finishes_past_the_voice_deadline() {
        let answered: Option<Result<_, &str>> = finish(|| async {
            tokio::time::sleep(VOICE_DEADLINE * 3).await;
            Ok("booked")
        })
        .await;
        assert_eq!(answered, Some(Ok("booked")));
    }

    #[tokio::test(start_paused = true)]
    async fn a_turn_past_the_limit_is_given_up() {
        let answered: Option<Result<(), &str>> = finish(|| async {
            tokio::time::sleep(TURN_LIMIT * 2).await;
            Ok(())
        })
        .await;
        assert_eq!(answered, None);
    }
}
