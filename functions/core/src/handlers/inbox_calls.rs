//! `GET /inbox?handled=false&cursor=…`: the signed-in owner's calls, newest first, a page at
//! a time (the calls API's query and paging: `handled=false` keeps the calls still needing a
//! call back, an opaque cursor leads to the next page).

use http::StatusCode;

use crate::api::paging::encode_cursor;
use crate::app::App;
use crate::domain::time::format_time;
use crate::handlers::api_calls::parse_query;
use crate::http::response::{self, Response};
use crate::http::routes::Route;
use crate::http::FormParams;
use crate::http::InboundRequest;
use crate::inbox::pages::{self, Links, Section, Updates};
use crate::inbox::{self, calls, session};

pub async fn calls_page(app: &App, request: &InboundRequest) -> Response {
    let owner = match session::signed_in(app, request, jiff::Timestamp::now()).await {
        Ok(owner) => owner,
        Err(refusal) => return inbox::refused(app, request, &refusal),
    };
    let query = match parse_query(&request.raw_query) {
        Ok(query) => query,
        Err(reason) => return response::bad_request(&reason),
    };
    let page = match app.store().list_calls(&owner.business.id, &query).await {
        Ok(page) => page,
        Err(err) => return inbox::refused(app, request, &err.into()),
    };
    let views = calls::views(app, request, page.calls).await;
    let nav = inbox::nav(app, request, Section::Calls);
    let home = &nav.calls;
    // The next page keeps this page's filter.
    let this_list = match query.handled {
        Some(handled) => format!("{home}?handled={handled}&"),
        None => format!("{home}?"),
    };
    // The first page keeps itself up to date from its newest call (or from now, when empty).
    let updates = query.after.is_none().then(|| {
        let newest = views
            .first()
            .and_then(|view| view.call.started_at)
            .unwrap_or_else(time::OffsetDateTime::now_utc);
        let mut params = vec![("since".to_string(), format_time(newest))];
        if let Some(handled) = query.handled {
            params.push(("handled".into(), handled.to_string()));
        }
        Updates {
            url: inbox::url_of(app, request, Route::InboxUpdates.path())
                + "?"
                + &FormParams::from_pairs(params).encode(),
            script: inbox::url_of(app, request, Route::InboxScript.path()),
        }
    });
    let links = Links {
        older: encode_cursor(page.next).map(|cursor| format!("{this_list}cursor={cursor}")),
        open: format!("{home}?handled=false"),
        only_open: query.handled == Some(false),
        updates,
    };
    response::html(
        StatusCode::OK,
        pages::calls(&owner.business, &views, &nav, &links, &owner.csrf).into_string(),
    )
}
