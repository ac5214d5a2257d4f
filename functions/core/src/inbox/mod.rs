//! The owner's inbox: web pages where a business's owner signs in with a one-time link (no
//! password), reads the calls newest first with outcome, duration, transcript and the
//! recording playing from a short-lived signed link, and marks each call handled or needing a
//! call back.
//!
//! - [`appointments`]: the week's appointments, as the owner reads them.
//! - [`calls`]: a business's own calls, with transcript and recording link.
//! - [`customer`]: one customer's timeline (calls, WhatsApp messages, appointments) and what the
//!   owner's actions on it share: replying on WhatsApp, calling back, blocking.
//! - [`reply`]: the 24-hour WhatsApp window, and what a reply sends inside and outside it.
//! - [`session`]: signing in with a link, the signed-in owner behind a request, signing out.
//! - [`cookie`]: the signed session cookie and the per-session CSRF token.
//! - [`find`]: a business's customers by their latest activity, and searching its calls and
//!   messages; [`find_pages`] shows them.
//! - [`pages`]: the HTML (maud; every stored value escaped); [`customer_page`] a customer's.
//! - [`customer`]: one customer's timeline, and replying, calling back and blocking.
//! - [`words`]: what the pages say, in Hebrew (right to left) or English.
//!
//! The handlers (`handlers::inbox_*`) are plain async functions over these.

pub mod appointments;
pub mod calls;
pub mod cookie;
pub mod customer;
pub mod customer_page;
pub mod find;
pub mod find_pages;
pub mod pages;
pub mod reply;
pub mod session;
pub mod words;

use http::{header, StatusCode};
use tracing::{info, warn};

pub use session::{Refusal, SignedIn};

use crate::app::App;
use crate::domain::PhoneNumber;
use crate::http::response::{self, Response};
use crate::http::routes::Route;
use crate::http::{FormParams, InboundRequest};
use pages::{Nav, Section};
use words::Words;

/// The pages' words before the business is known: `FRONTDESK_DEFAULT_LANGUAGE`'s, else Hebrew.
pub fn default_words(app: &App) -> &'static Words {
    Words::for_language(app.config().default_language.as_deref().unwrap_or("he"))
}

/// The answer to a request that gets no inbox: the signed-out page (401; a cookie that was
/// presented and refused is cleared, and none is touched when none came) or a 503 when the
/// store cannot be read.
pub fn refused(app: &App, request: &InboundRequest, refusal: &Refusal) -> Response {
    match refusal {
        Refusal::SignedOut => {
            let mut answer = response::html(
                StatusCode::UNAUTHORIZED,
                pages::signed_out(default_words(app)).into_string(),
            );
            // A browser that kept its SameSite=Strict cookie back (a link followed from another
            // site) must not lose it here.
            if cookie::read(request).is_some() {
                answer.headers_mut().insert(
                    header::SET_COOKIE,
                    cookie::clear(&session::scope(app, request)),
                );
            }
            answer
        }
        Refusal::Store(_) => {
            warn!(error = %refusal, "inbox unavailable");
            response::unavailable("the inbox is unavailable; try again")
        }
    }
}

/// The header's links for a page of `current`'s section.
pub fn nav(app: &App, request: &InboundRequest, current: Section) -> Nav {
    Nav {
        calls: url_of(app, request, Route::Inbox.path()),
        customers: url_of(app, request, Route::InboxCustomers.path()),
        appointments: url_of(app, request, Route::InboxAppointments.path()),
        logout: url_of(app, request, Route::InboxLogout.path()),
        current,
    }
}

/// The signed-in owner behind a POST and its form, the CSRF token checked; or the answer that
/// refuses it: signed out (401) or the inbox down (503), a body that is not a form (400), a
/// missing or wrong CSRF token (403).
pub async fn posted_form(
    app: &App,
    request: &InboundRequest,
) -> Result<(SignedIn, FormParams), Response> {
    let owner = session::signed_in(app, request, jiff::Timestamp::now())
        .await
        .map_err(|refusal| refused(app, request, &refusal))?;
    let form = request
        .form()
        .map_err(|reason| response::bad_request(&reason))?;
    if !owner.csrf_matches(app, form.get("csrf")) {
        info!(business = %owner.business.id, "inbox: a POST without its CSRF token");
        return Err(response::forbidden());
    }
    Ok((owner, form))
}

/// A form's `true`/`false` field, or the one-line reason it is not one.
pub fn flag(form: &FormParams, name: &str) -> Result<bool, String> {
    match form.non_empty(name) {
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        _ => Err(format!("`{name}` must be true or false")),
    }
}

/// The public URL of an inbox route, as this request reached the deployment.
pub fn url_of(app: &App, request: &InboundRequest, route_path: &str) -> String {
    request.public_url_of(app.config().public_base_url.as_ref(), route_path)
}

/// The public URL of a customer's timeline: the one way the inbox links to it.
pub fn customer_url(app: &App, request: &InboundRequest, number: &PhoneNumber) -> String {
    url_of(
        app,
        request,
        &Route::InboxCustomer.path_with(&[("number", number.as_str())]),
    )
}
