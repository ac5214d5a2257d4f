//! `POST /inbox/customers/{number}/call` (form: `csrf`, `key`): calls the customer back by the
//! one outbound-call path ([`dial::place`], as `POST /api/calls` with `"bridge": true`): Twilio
//! rings the owner's phone first and, when the owner answers, dials the customer from the
//! business's number. The page's one-time `key` is the placement's request key, so a double
//! submit places one call. Without an owner phone nothing is placed and the page says how to set
//! it. Then 303 back to the customer's page with a notice.
//!
//! 403 without the session's CSRF token; 400 for a malformed key or number; 503 (the inbox's
//! page) when the store fails.

use tracing::{info, warn};

use crate::app::App;
use crate::dial::{self, pacing, DialError, DialRequest, Origin, Script};
use crate::domain::{FormKey, Purpose, Requester};
use crate::http::response::{self, Response};
use crate::http::routes::Route;
use crate::http::InboundRequest;
use crate::inbox::customer::{self, Notice, Posted};
use crate::inbox::{self};

pub async fn call_back(app: &App, request: &InboundRequest) -> Response {
    let Posted {
        owner,
        form,
        number,
    } = match customer::posted(app, request, Route::InboxCustomerCall).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let Some(key) = form.get("key").and_then(FormKey::parse) else {
        return response::bad_request("`key` is not this page's one-time form key");
    };
    let business = &owner.business;
    if business.owner_phone.is_none() {
        return customer::back(app, request, &number, Notice::NoOwnerPhone);
    }
    let dial_request = DialRequest {
        to: number.clone(),
        purpose: Purpose::callback(),
        script: Script::Bridge,
        requested_by: Requester::component("inbox"),
        request_key: Some(format!("inbox:{key}")),
        max_wait: pacing::API_MAX_WAIT,
    };
    let notice = match dial::place(app, business, Origin::Request(request), dial_request).await {
        Ok(dialled) => {
            info!(business = %business.id, call_sid = %dialled.call_sid, replayed = dialled.replayed, "inbox: calling back");
            Notice::Calling
        }
        Err(DialError::Pending) => Notice::CallPending,
        Err(DialError::NoOwnerPhone) => Notice::NoOwnerPhone,
        Err(DialError::Store(err)) => return inbox::refused(app, request, &err.into()),
        Err(err) => {
            warn!(business = %business.id, error = %err, "inbox: call back not placed");
            Notice::CallFailed
        }
    };
    customer::back(app, request, &number, notice)
}
