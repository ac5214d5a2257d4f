//! `GET /inbox/customers?cursor=…`: the signed-in owner's customers (every number that called,
//! was called or wrote on WhatsApp), most recent activity first, a page at a time, each with
//! their last call or message and whether they await a reply, linking to their timeline.

use http::StatusCode;

use crate::api::paging::{cursor, encode_cursor};
use crate::app::App;
use crate::http::response::{self, Response};
use crate::http::routes::Route;
use crate::http::{form, InboundRequest};
use crate::inbox::find::{self, CUSTOMERS_PAGE};
use crate::inbox::find_pages::{self, FindLinks};
use crate::inbox::pages::Section;
use crate::inbox::{self, session};
use crate::store::StoreError;

pub async fn customers_page(app: &App, request: &InboundRequest) -> Response {
    let owner = match session::signed_in(app, request, jiff::Timestamp::now()).await {
        Ok(owner) => owner,
        Err(refusal) => return inbox::refused(app, request, &refusal),
    };
    let after = match form::parse(request.raw_query.as_bytes())
        .map_err(|err| err.to_string())
        .and_then(|params| cursor(&params))
    {
        Ok(after) => after,
        Err(reason) => return response::bad_request(&reason),
    };
    let business = &owner.business.id;
    let page = match app
        .store()
        .list_contacts(business, after.as_deref(), CUSTOMERS_PAGE)
        .await
    {
        Ok(page) => page,
        Err(StoreError::BadCursor(_)) => {
            return response::bad_request("cursor is not one this page gave")
        }
        Err(err) => return inbox::refused(app, request, &err.into()),
    };
    let rows = match find::customer_rows(app, request, business, page.contacts).await {
        Ok(rows) => rows,
        Err(err) => return inbox::refused(app, request, &err.into()),
    };
    let this_page = inbox::url_of(app, request, Route::InboxCustomers.path());
    let nav = inbox::nav(app, request, Section::Customers);
    let find = FindLinks {
        search: inbox::url_of(app, request, Route::InboxSearch.path()),
        older: encode_cursor(page.next).map(|cursor| format!("{this_page}?cursor={cursor}")),
        searched_to: None,
    };
    response::html(
        StatusCode::OK,
        find_pages::customers(&owner.business, &rows, &nav, &find, &owner.csrf).into_string(),
    )
}
