//! `GET /inbox/login?token=…`: opens the one-time sign-in link `frontdesk inbox link` printed.
//! The link is taken (a second visit finds nothing), a session opens, its signed cookie is set
//! and the browser goes on to the calls.
//!
//! It goes on by a page that refreshes to `/inbox`, not by a redirect: the link is usually
//! followed from another site (a mail or chat app), and a browser keeps a SameSite=Strict
//! cookie back from every hop of a navigation that another site started; the refresh is a
//! navigation of this site's own.

use http::{header, StatusCode};

use crate::app::App;
use crate::http::response::{self, Response};
use crate::http::routes::Route;
use crate::http::InboundRequest;
use crate::inbox::{self, cookie, pages, session};

pub async fn login(app: &App, request: &InboundRequest) -> Response {
    let now = jiff::Timestamp::now();
    match session::sign_in(app, &request.raw_query, now).await {
        Ok((value, opened)) => {
            let scope = session::scope(app, request);
            let max_age = opened.expires_at.duration_since(now).as_secs();
            let home = inbox::url_of(app, request, Route::Inbox.path());
            let page = pages::signing_in(inbox::default_words(app), &home);
            let mut answer = response::html(StatusCode::OK, page.into_string());
            answer
                .headers_mut()
                .insert(header::SET_COOKIE, cookie::set(&scope, &value, max_age));
            answer
        }
        Err(refusal) => inbox::refused(app, request, &refusal),
    }
}
