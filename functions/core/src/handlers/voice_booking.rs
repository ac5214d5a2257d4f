//! `POST /webhook/voice_booking`: one turn of booking an appointment by phone, the action of
//! every `<Gather>` the booking menu asks ([`crate::phone`]).

use jiff::Timestamp;
use tracing::error;

use crate::app::App;
use crate::http::{response, InboundRequest, Response};
use crate::phone::{self, Turn};
use crate::twilio::webhook::Rejected;
use crate::voice::{self, VOICE_DEADLINE};

pub async fn voice_booking(app: &App, request: &InboundRequest) -> Response {
    let (form, call_sid) = match voice::verify_call(app, request) {
        Ok(verified) => verified,
        Err(rejected) => return rejected.into_response(),
    };
    let turn = match Turn::parse(&request.raw_query) {
        Ok(turn) => turn,
        Err(reason) => return Rejected::Malformed(reason).into_response(),
    };
    let answer = phone::answer(app, request, &form, &call_sid, turn, Timestamp::now());
    match tokio::time::timeout(VOICE_DEADLINE, answer).await {
        Ok(Ok(twiml)) => response::twiml(twiml),
        Ok(Err(failure)) => {
            error!(metric = "voice_fallback", step = turn.step, error = %failure, "booking turn failed; answered with the default voicemail");
            voice::safe_voicemail(app, request)
        }
        Err(_) => {
            error!(
                metric = "voice_fallback",
                step = turn.step,
                deadline_ms = VOICE_DEADLINE.as_millis() as u64,
                "booking turn too slow; answered with the default voicemail"
            );
            voice::safe_voicemail(app, request)
        }
    }
}
