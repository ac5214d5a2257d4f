//! `POST /webhook/outbound_call?placement={id}`: Twilio asks what the callee of a call
//! Frontdesk placed hears; the placement (written before Twilio was asked) says. A placement
//! still pending (its placing process died before storing the call) is settled here.

use tracing::{info, warn};

use crate::app::App;
use crate::dial::{self, answer};
use crate::domain::PlacementId;
use crate::http::{form, response, InboundRequest, Response};
use crate::voice::{self, VOICE_DEADLINE};

pub async fn outbound_call(app: &App, request: &InboundRequest) -> Response {
    let (form, call_sid) = match voice::verify_call(app, request) {
        Ok(verified) => verified,
        Err(rejected) => return rejected.into_response(),
    };
    let id = form::parse(request.raw_query.as_bytes())
        .ok()
        .and_then(|query| query.non_empty("placement").map(PlacementId::parse));
    let id = match id {
        Some(Ok(id)) => id,
        Some(Err(err)) => return response::bad_request(&err.to_string()),
        None => return response::bad_request("the placement query parameter is required"),
    };
    let work = async {
        let placement = app.store().placement(&id).await?;
        Ok::<_, crate::store::StoreError>(match placement {
            Some(placement) => Some(dial::settle_late(app, &placement, &call_sid).await),
            None => None,
        })
    };
    let document = match tokio::time::timeout(VOICE_DEADLINE, work).await {
        Ok(Ok(Some(placement))) => {
            info!(
                placement = %id,
                answered_by = form.get("AnsweredBy").unwrap_or_default(),
                "callee answered"
            );
            answer::twiml(&placement)
        }
        Ok(Ok(None)) => {
            warn!(placement = %id, "unknown placement; hanging up");
            answer::unknown()
        }
        Ok(Err(err)) => {
            warn!(placement = %id, error = %err, "placement unreadable; hanging up");
            answer::unknown()
        }
        Err(_) => {
            warn!(placement = %id, "store too slow; hanging up");
            answer::unknown()
        }
    };
    response::twiml(document.to_xml())
}
