//! `POST /webhook/call_status`: a call's lifecycle, applied monotonically, every callback kept.

use tracing::{error, info};

use crate::app::App;
use crate::domain::StatusUpdate;
use crate::domain::{CallStatus, Direction};
use crate::http::{response, InboundRequest, Response};
use crate::jobs::{NotifyJob, Trigger};
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
    let work = async {
        // Needed only when the call is first seen here (an outbound call); a failed lookup
        // must not lose the status.
        let business = voice::find_business(app, &form).await.ok().flatten();
        let update = StatusUpdate {
            sid: call_sid.clone(),
            status,
            sequence: form
                .non_empty("SequenceNumber")
                .and_then(|s| s.parse().ok()),
            business_id: business.map(|b| b.id),
            from: form.non_empty("From").map(str::to_string),
            to: form.non_empty("To").map(str::to_string),
            direction: Direction::parse(form.get("Direction").unwrap_or_default()),
            duration_seconds: form.non_empty("CallDuration").and_then(|d| d.parse().ok()),
            at: crate::twilio::params::callback_time(&form),
            sip_response_code: form.non_empty("SipResponseCode").map(str::to_string),
            answered_by: form.non_empty("AnsweredBy").map(str::to_string),
        };
        let advanced = app.store().apply_call_status(&update).await?;
        if advanced && status.is_final() {
            // Every ended call gets its call.completed (one with a recording after its
            // transcript); the notify consumer drops repeats.
            let job = NotifyJob::call_completed(
                call_sid.clone(),
                update.business_id.clone(),
                Trigger::CallEnded,
            );
            if let Err(err) = app.queue().send(&job.message()).await {
                error!(metric = "event_lost", error = %err, "call.completed not queued");
            }
        }
        Ok::<_, crate::store::StoreError>(advanced)
    };
    match tokio::time::timeout(VOICE_DEADLINE, work).await {
        Ok(Ok(advanced)) => info!(status = status.as_str(), advanced, "call status applied"),
        Ok(Err(err)) => {
            error!(metric = "call_status_lost", error = %err, status = status.as_str(), "call status not stored")
        }
        Err(_) => error!(
            metric = "call_status_lost",
            status = status.as_str(),
            "store too slow; call status not stored"
        ),
    }
    response::no_content()
}
