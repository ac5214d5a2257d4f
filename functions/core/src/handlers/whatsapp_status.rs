//! `POST /webhook/whatsapp/status`, Twilio's message status callback: applies a delivery status
//! monotonically and answers 204; one the store cannot take in time is applied later from the
//! `notify` queue ([`DeferredWrite`]).

use tracing::info;

use crate::app::App;
use crate::domain::{MessageStatus, MessageStatusUpdate};
use crate::http::{response, InboundRequest, Response};
use crate::jobs::DeferredWrite;
use crate::twilio::params::{callback_time, message_sid};
use crate::voice::VOICE_DEADLINE;

pub async fn status(app: &App, request: &InboundRequest) -> Response {
    let form = match app.twilio_gate().verify(request) {
        Ok(form) => form,
        Err(rejected) => return rejected.into_response(),
    };
    let id = match message_sid(&form) {
        Ok(id) => id,
        Err(reason) => return response::bad_request(&reason),
    };
    let Some(raw_status) = form
        .non_empty("MessageStatus")
        .or_else(|| form.non_empty("SmsStatus"))
    else {
        return response::bad_request("MessageStatus is required");
    };
    let Some(status) = MessageStatus::parse(raw_status) else {
        return response::bad_request(&format!(
            "MessageStatus `{raw_status}` is not a Twilio message status"
        ));
    };
    let update = MessageStatusUpdate {
        id: id.clone(),
        status,
        at: callback_time(&form),
        error_code: form
            .non_empty("ErrorCode")
            .filter(|code| *code != "0")
            .map(str::to_string),
        error_message: form
            .non_empty("ErrorMessage")
            .or_else(|| form.non_empty("ChannelStatusMessage"))
            .map(str::to_string),
    };
    let work = app.store().apply_message_status(&update);
    let why = match tokio::time::timeout(VOICE_DEADLINE, work).await {
        Ok(Ok(advanced)) => {
            info!(message_sid = %id, status = status.as_str(), advanced, "whatsapp status applied");
            return response::no_content();
        }
        Ok(Err(err)) => err.to_string(),
        Err(_) => "store too slow".to_string(),
    };
    super::defer(app, DeferredWrite::MessageStatus(update), &why).await;
    response::no_content()
}
