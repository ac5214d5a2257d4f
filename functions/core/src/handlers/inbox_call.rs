//! `GET /inbox/calls/{CallSid}`: one of the signed-in owner's calls with its whole transcript.
//! Another business's call is not found, like a missing one.

use http::StatusCode;

use crate::app::App;
use crate::http::response::{self, Response};
use crate::http::routes::Route;
use crate::http::InboundRequest;
use crate::inbox::pages::{self, Section};
use crate::inbox::{self, calls, session};

pub async fn call_page(app: &App, request: &InboundRequest) -> Response {
    let owner = match session::signed_in(app, request, jiff::Timestamp::now()).await {
        Ok(owner) => owner,
        Err(refusal) => return inbox::refused(app, request, &refusal),
    };
    let raw = Route::InboxCall
        .param(&request.route_path, "call_sid")
        .unwrap_or_default();
    let call = match calls::owned(app, &owner.business.id, raw).await {
        Ok(Some(call)) => call,
        Ok(None) => return response::not_found(),
        Err(err) => return inbox::refused(app, request, &err.into()),
    };
    let view = calls::view(app, request, call).await;
    let nav = inbox::nav(app, request, Section::Calls);
    response::html(
        StatusCode::OK,
        pages::call(&owner.business, &view, &nav, &owner.csrf).into_string(),
    )
}
