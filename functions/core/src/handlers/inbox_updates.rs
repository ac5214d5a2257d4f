//! `GET /inbox/updates?since=RFC3339&handled=false`: the signed-in owner's calls that started at
//! or after `since` (the newest start the calls page was made with), newest first, as call
//! cards alone: what the calls page's script puts on top of its list. The calls page's query
//! grammar; at most a page of them.

use http::StatusCode;

use crate::app::App;
use crate::handlers::api_calls::parse_query;
use crate::http::response::{self, Response};
use crate::http::InboundRequest;
use crate::inbox::{self, calls, pages, session};

/// Most cards one update carries: a burst of calls beyond it waits for the page's next load.
pub const MAX_UPDATE: usize = 25;

pub async fn updates(app: &App, request: &InboundRequest) -> Response {
    let owner = match session::signed_in(app, request, jiff::Timestamp::now()).await {
        Ok(owner) => owner,
        Err(refusal) => return inbox::refused(app, request, &refusal),
    };
    let mut query = match parse_query(&request.raw_query) {
        Ok(query) => query,
        Err(reason) => return response::bad_request(&reason),
    };
    if query.since.is_none() {
        return response::bad_request("`since` is required (the newest call's start)");
    }
    query.after = None;
    query.limit = query.limit.min(MAX_UPDATE);
    let page = match app.store().list_calls(&owner.business.id, &query).await {
        Ok(page) => page,
        Err(err) => return inbox::refused(app, request, &err.into()),
    };
    let views = calls::views(app, request, page.calls).await;
    response::html(
        StatusCode::OK,
        pages::call_cards(&owner.business, &views, &owner.csrf).into_string(),
    )
}
