//! `POST /inbox/calls/{CallSid}/handled` (form: `csrf`, `handled=true|false`, `back`): marks one
//! of the signed-in owner's calls handled, or back to needing a call back, then shows the page
//! it was marked on again (`back`, one of the inbox's own pages; else the calls).
//! A missing or wrong CSRF token is 403; another business's call is 404.

use crate::app::App;
use crate::http::response::{self, Response};
use crate::http::routes::Route;
use crate::http::InboundRequest;
use crate::inbox::{self, calls};

pub async fn mark(app: &App, request: &InboundRequest) -> Response {
    let (owner, form) = match inbox::posted_form(app, request).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let handled = match inbox::flag(&form, "handled") {
        Ok(handled) => handled,
        Err(reason) => return response::bad_request(&reason),
    };
    let raw = Route::InboxCallHandled
        .param(&request.route_path, "call_sid")
        .unwrap_or_default();
    let call = match calls::owned(app, &owner.business.id, raw).await {
        Ok(Some(call)) => call,
        Ok(None) => return response::not_found(),
        Err(err) => return inbox::refused(app, request, &err.into()),
    };
    // Back to the page the owner marked it on (the calls list, the call, the customer).
    let back = calls::back_within_inbox(form.get("back")).unwrap_or(Route::Inbox.path());
    match app.store().set_call_handled(&call.sid, handled).await {
        Ok(_) => response::see_other(&inbox::url_of(app, request, back)),
        Err(err) => inbox::refused(app, request, &err.into()),
    }
}
