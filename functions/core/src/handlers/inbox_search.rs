//! `GET /inbox/search?q=…&cursor=…`: a phone number (E.164, with its `+`) goes to that
//! customer's timeline (303); anything else is a search term (trimmed, 2 to 100 characters,
//! else 400) for the signed-in owner's calls (caller name, transcript) and WhatsApp messages
//! (text, captions), newest first, case-insensitive and literal. A page reads at most
//! [`SEARCH_BUDGET`] entries: when that runs out first it says how far back it searched, and
//! its link searches on from there.

use http::StatusCode;

use crate::api::paging::{cursor, encode_cursor};
use crate::app::App;
use crate::domain::PhoneNumber;
use crate::http::response::{self, Response};
use crate::http::routes::Route;
use crate::http::{form, FormParams, InboundRequest};
use crate::inbox::find::{self, SEARCH_BUDGET, SEARCH_PAGE};
use crate::inbox::find_pages::{self, FindLinks};
use crate::inbox::pages::Section;
use crate::inbox::{self, session};
use crate::store::find::{SearchQuery, SearchTerm};
use crate::store::StoreError;

pub async fn search_page(app: &App, request: &InboundRequest) -> Response {
    let owner = match session::signed_in(app, request, jiff::Timestamp::now()).await {
        Ok(owner) => owner,
        Err(refusal) => return inbox::refused(app, request, &refusal),
    };
    let params = match form::parse(request.raw_query.as_bytes()) {
        Ok(params) => params,
        Err(err) => return response::bad_request(&err.to_string()),
    };
    let raw = params.get("q").unwrap_or_default();
    if let Ok(number) = PhoneNumber::parse(raw) {
        return find::to_timeline(app, request, &number);
    }
    let term = match SearchTerm::parse(raw) {
        Ok(term) => term,
        Err(reason) => return response::bad_request(&reason),
    };
    let after = match cursor(&params) {
        Ok(after) => after,
        Err(reason) => return response::bad_request(&reason),
    };
    let query = SearchQuery {
        term,
        after,
        limit: SEARCH_PAGE,
        budget: SEARCH_BUDGET,
    };
    let business = &owner.business.id;
    let page = match app.store().search(business, &query).await {
        Ok(page) => page,
        Err(StoreError::BadCursor(_)) => {
            return response::bad_request("cursor is not one this page gave")
        }
        Err(err) => return inbox::refused(app, request, &err.into()),
    };
    let rows = match find::hit_rows(app, request, business, page.hits).await {
        Ok(rows) => rows,
        Err(err) => return inbox::refused(app, request, &err.into()),
    };
    let search = inbox::url_of(app, request, Route::InboxSearch.path());
    let nav = inbox::nav(app, request, Section::Customers);
    let query_text = raw.trim();
    let older = encode_cursor(page.next).map(|cursor| {
        let pairs = vec![
            ("q".to_string(), query_text.to_string()),
            ("cursor".to_string(), cursor),
        ];
        format!("{search}?{}", FormParams::from_pairs(pairs).encode())
    });
    let find = FindLinks {
        search,
        older,
        searched_to: page.searched_to,
    };
    response::html(
        StatusCode::OK,
        find_pages::search(
            &owner.business,
            query_text,
            query.term.as_str(),
            &rows,
            &nav,
            &find,
            &owner.csrf,
        )
        .into_string(),
    )
}
