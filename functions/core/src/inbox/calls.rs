//! A business's calls as the inbox shows them: only its own, each with its transcript and a
//! short-lived signed link to its recording copy (the browser fetches the audio from the blob
//! store itself; it never passes through Frontdesk).

use std::time::Duration;

use futures_util::StreamExt;
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

/// The page a request shows, as a place to come back to: its path and query (a live list's
/// update stands for the calls page).
fn back_to(request: &InboundRequest) -> String {
    if request.route_path == Route::InboxUpdates.path() {
        return Route::Inbox.path().to_string();
    }
    match request.raw_query.as_str() {
        "" => request.route_path.clone(),
        query => format!("{}?{query}", request.route_path),
    }
}

/// Where a form's `back` may send the browser: one of the inbox's own pages (a path the route
/// table gives to a GET inbox route), never anywhere else.
pub fn back_within_inbox(back: Option<&str>) -> Option<&str> {
    let back = back?;
    let path = back.split('?').next().unwrap_or_default();
    let route = crate::http::routes::resolve(&http::Method::GET, path).ok()?;
    (route.spec().function == "inbox" && path.starts_with('/') && !path.starts_with("//"))
        .then_some(back)
}

/// How many calls' media a page reads at once.
const READS_AT_ONCE: usize = 8;

/// [`view`] of each call, in order, several read at once (a page's calls are independent).
pub async fn views(app: &App, request: &InboundRequest, calls: Vec<Call>) -> Vec<CallView> {
    futures_util::stream::iter(calls.into_iter().map(|call| view(app, request, call)))
        .buffered(READS_AT_ONCE)
        .collect()
        .await
}

/// The call with its transcript, its recording's link and its URLs. A transcript or recording
/// that cannot be read is left out (logged), never the page.
pub async fn view(app: &App, request: &InboundRequest, call: Call) -> CallView {
    let media = app
        .store()
        .call_media(&call.sid)
        .await
        .unwrap_or_else(|err| {
            warn!(call_sid = %call.sid, error = %err, "inbox: a call's media unread; shown without");
            None
        })
        .unwrap_or_default();
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
    CallView {
        back: back_to(request),
        page_url: super::url_of(app, request, &Route::InboxCall.path_with(&params)),
        handled_url: super::url_of(app, request, &Route::InboxCallHandled.path_with(&params)),
        customer: call
            .contact()
            .map(|number| (super::customer_url(app, request, &number), number)),
        transcript: media.transcript.filter(|text| !text.trim().is_empty()),
        triage: media.triage,
        recording_url,
        call,
    }
}
