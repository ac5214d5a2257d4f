//! A business's calls as the inbox shows them: only its own, each with its transcript and a
//! short-lived signed link to its recording copy (the browser fetches the audio from the blob
//! store itself; it never passes through Frontdesk).

use std::time::Duration;

use tracing::warn;

use super::pages::CallView;
use crate::app::App;
use crate::domain::{BusinessId, Call, CallSid};
use crate::http::routes::Route;
use crate::http::InboundRequest;
use crate::store::StoreError;

/// How long a recording link in a page stays good: long enough to press play.
pub const LINK_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// The call `raw` names when it is `business`'s; another business's call is as unknown as a
/// missing one.
pub async fn owned(
    app: &App,
    business: &BusinessId,
    raw: &str,
) -> Result<Option<Call>, StoreError> {
    let Ok(sid) = CallSid::parse(raw) else {
        return Ok(None);
    };
    Ok(app
        .store()
        .call(&sid)
        .await?
        .filter(|call| call.business_id.as_ref() == Some(business)))
}

/// [`view`] of each call, in order, read at once (a page's calls are independent reads).
pub async fn views(
    app: &App,
    request: &InboundRequest,
    calls: Vec<Call>,
) -> Result<Vec<CallView>, StoreError> {
    futures_util::future::try_join_all(calls.into_iter().map(|call| view(app, request, call))).await
}

/// The call with its transcript, its recording's link and its URLs.
pub async fn view(app: &App, request: &InboundRequest, call: Call) -> Result<CallView, StoreError> {
    let media = app.store().call_media(&call.sid).await?.unwrap_or_default();
    let recording_url =
        match (&media.recording_key, app.recordings()) {
            (Some(key), Some(recordings)) => recordings
                .link(key, LINK_LIFETIME)
                .await
                .unwrap_or_else(|err| {
                    warn!(error = %err, "inbox: no recording link");
                    None
                }),
            _ => None,
        };
    let params = [("call_sid", call.sid.as_str())];
    Ok(CallView {
        page_url: super::url_of(app, request, &Route::InboxCall.path_with(&params)),
        handled_url: super::url_of(app, request, &Route::InboxCallHandled.path_with(&params)),
        customer: call
            .contact()
            .map(|number| (super::customer_url(app, request, &number), number)),
        transcript: media.transcript.filter(|text| !text.trim().is_empty()),
        recording_url,
        call,
    })
}
