//! `POST /webhook/call_status`: a call's lifecycle, applied monotonically, every callback kept.
//! A callback the store cannot take within the deadline travels on the `notify` queue as a
//! deferred write and is applied when the store is back ([`crate::jobs::DeferredWrite`]).

use tracing::info;

use crate::app::App;
use crate::domain::StatusUpdate;
use crate::domain::{CallStatus, Direction};
use crate::http::{response, InboundRequest, Response};
use crate::jobs::DeferredWrite;
use crate::voice::{self, VOICE_DEADLINE};

pub async fn call_status(app: &App, request: &InboundRequest) -> Response {
    let (form, call_sid) = match voice::verify_call(app, request) {
        Ok(verified) => verified,
        Err(rejected) => return rejected.into_response(),
    };
    let Some(raw_status) = form.non_empty("CallStatus") else {
        return response::bad_request("CallStatus is required");
    };
    let Some(status) = CallStatus::parse(raw_status) else {
        return response::bad_request(&format!(
            "CallStatus `{raw_status}` is not a Twilio call status"
        ));
    };
    let update = StatusUpdate {
        sid: call_sid.clone(),
        status,
        sequence: form
            .non_empty("SequenceNumber")
            .and_then(|s| s.parse().ok()),
        business_id: None,
        from: form.non_empty("From").map(str::to_string),
        to: form.non_empty("To").map(str::to_string),
        direction: Direction::parse(form.get("Direction").unwrap_or_default()),
        duration_seconds: form.non_empty("CallDuration").and_then(|d| d.parse().ok()),
        at: crate::twilio::params::callback_time(&form),
        sip_response_code: form.non_empty("SipResponseCode").map(str::to_string),
        answered_by: form.non_empty("AnsweredBy").map(str::to_string),
    };
    let work = async {
        // Needed only when the call is first seen here (an outbound call); a failed lookup
        // must not lose the status.
        let (from, to) = (update.from.as_deref(), update.to.as_deref());
        let business = voice::business_of_call(app, update.direction, from, to)
            .await
            .ok()
            .flatten();
        let update = StatusUpdate {
            business_id: business.map(|b| b.id),
            ..update.clone()
        };
        voice::status::apply(app, &update, false).await
    };
    let why = match tokio::time::timeout(VOICE_DEADLINE, work).await {
        Ok(Ok(advanced)) => {
            info!(status = status.as_str(), advanced, "call status applied");
            return response::no_content();
        }
        Ok(Err(err)) => err.to_string(),
        Err(_) => "store too slow".to_string(),
    };
    // Without its business: the deferred write finds it when the store is back.
    super::defer(app, DeferredWrite::CallStatus(update), &why).await;
    response::no_content()
}
