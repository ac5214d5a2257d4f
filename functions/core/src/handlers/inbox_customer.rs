//! `GET /inbox/customers/{number}?cursor=…&notice=…`: one customer of the signed-in owner's
//! business: the actions (reply on WhatsApp, call back, block), their upcoming appointments,
//! and the timeline of the business's calls with them, the WhatsApp messages both ways with
//! their delivery status and the appointments they booked, newest first, a page at a time (an
//! opaque cursor leads to older ones). Only this business's data is read: another business's
//! customer is a number with nothing on it.

use http::StatusCode;

use crate::app::App;
use crate::domain::FormKey;
use crate::http::response::{self, Response};
use crate::http::routes::Route;
use crate::http::{form, InboundRequest};
use crate::inbox::customer::{self, Cursor, Notice};
use crate::inbox::customer_page::{self, CustomerView, Urls};
use crate::inbox::pages::Section;
use crate::inbox::reply::{self, Reply};
use crate::inbox::{self, session};
use crate::store::StoreError;

pub async fn customer_page(app: &App, request: &InboundRequest) -> Response {
    let owner = match session::signed_in(app, request, jiff::Timestamp::now()).await {
        Ok(owner) => owner,
        Err(refusal) => return inbox::refused(app, request, &refusal),
    };
    let number = match customer::number_of(request, Route::InboxCustomer) {
        Ok(number) => number,
        Err(reason) => return response::bad_request(&reason),
    };
    let query = match form::parse(request.raw_query.as_bytes()) {
        Ok(query) => query,
        Err(err) => return response::bad_request(&err.to_string()),
    };
    let cursor = match query.non_empty("cursor").map(Cursor::parse).transpose() {
        Ok(cursor) => cursor.unwrap_or_default(),
        Err(reason) => return response::bad_request(&reason),
    };
    let notice = match query.non_empty("notice") {
        None => None,
        Some(name) => match Notice::parse(name) {
            Some(notice) => Some(notice),
            None => return response::bad_request("`notice` is not one this page gives"),
        },
    };
    let business = &owner.business;
    let store = app.store();
    let now = time::OffsetDateTime::now_utc();
    let upcoming = async {
        if cursor.is_fresh() {
            store
                .customer_appointments(&business.id, &number, jiff::Timestamp::now())
                .await
        } else {
            Ok(Vec::new())
        }
    };
    let (timeline, window, upcoming) = tokio::join!(
        customer::timeline(app, request, &business.id, &number, &cursor),
        reply::window_open(app, &business.id, &number, now),
        upcoming,
    );
    let (timeline, window, upcoming) = match (timeline, window, upcoming) {
        (Ok(timeline), Ok(window), Ok(upcoming)) => (timeline, window, upcoming),
        (Err(StoreError::BadCursor(_)), _, _) => {
            return response::bad_request("cursor is not one this page gave")
        }
        (Err(err), _, _) | (_, Err(err), _) | (_, _, Err(err)) => {
            return inbox::refused(app, request, &err.into())
        }
    };
    let page = inbox::customer_url(app, request, &number);
    let action = |route: Route| {
        inbox::url_of(
            app,
            request,
            &route.path_with(&[("number", number.as_str())]),
        )
    };
    let urls = Urls {
        reply: action(Route::InboxCustomerReply),
        call: action(Route::InboxCustomerCall),
        block: action(Route::InboxCustomerBlock),
        older: timeline
            .older
            .as_ref()
            .map(|next| format!("{page}?cursor={}", next.encode())),
    };
    let (reply_key, call_key) = (FormKey::generate(), FormKey::generate());
    let view = CustomerView {
        number: &number,
        timeline: &timeline,
        upcoming: &upcoming,
        reply: Reply::of(business, window),
        notice,
        urls: &urls,
        reply_key: &reply_key,
        call_key: &call_key,
    };
    let nav = inbox::nav(app, request, Section::Customers);
    response::html(
        StatusCode::OK,
        customer_page::customer(business, &view, &nav, &owner.csrf).into_string(),
    )
}
