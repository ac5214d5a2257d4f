//! `POST /inbox/customers/{number}/reply` (form: `csrf`, `body`, `key`): the owner's WhatsApp
//! reply to a customer, through the business's provider by the one outbound path
//! ([`messaging::send`]), stored as an outbound message whose status callbacks track it. Inside
//! the 24-hour window since the customer last wrote, the text as it is; outside it, inside the
//! business's reply template, or nothing when it has none. The page's one-time `key` is claimed
//! first, so a double submit sends once. Then 303 back to the customer's page with a notice.
//!
//! 403 without the session's CSRF token; 400 for an empty or over-long body, a malformed key
//! or number; 503 (the inbox's page) when the store fails.

use tracing::warn;

use crate::app::App;
use crate::domain::{FormKey, WhatsAppAddress};
use crate::http::response::{self, Response};
use crate::http::routes::Route;
use crate::http::InboundRequest;
use crate::inbox::customer::{self, Notice, Posted};
use crate::inbox::reply::{self, Reply, MAX_REPLY_CHARS};
use crate::inbox::{self};
use crate::messaging;

pub async fn reply(app: &App, request: &InboundRequest) -> Response {
    let Posted {
        owner,
        form,
        number,
    } = match customer::posted(app, request, Route::InboxCustomerReply).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let Some(text) = form.non_empty("body") else {
        return response::bad_request("`body` is empty: write the reply");
    };
    if text.chars().count() > MAX_REPLY_CHARS {
        return response::bad_request(&format!(
            "`body` is over WhatsApp's {MAX_REPLY_CHARS} characters"
        ));
    }
    let Some(key) = form.get("key").and_then(FormKey::parse) else {
        return response::bad_request("`key` is not this page's one-time form key");
    };
    let business = &owner.business;
    let now = time::OffsetDateTime::now_utc();
    let open = match reply::window_open(app, &business.id, &number, now).await {
        Ok(open) => open,
        Err(err) => return inbox::refused(app, request, &err.into()),
    };
    let reply = Reply::of(business, open);
    let Some(body) = reply.body(text) else {
        return customer::back(app, request, &number, Notice::NoWindow);
    };
    match app
        .store()
        .claim_form_key(&business.id, &key, jiff::Timestamp::now())
        .await
    {
        Ok(true) => {}
        Ok(false) => return customer::back(app, request, &number, Notice::AlreadySent),
        Err(err) => return inbox::refused(app, request, &err.into()),
    }
    let callback = messaging::status_callback(app, request);
    let to = WhatsAppAddress::from(number.clone());
    let notice = match messaging::send(
        app,
        business,
        business.whatsapp_provider,
        &to,
        body,
        Some(callback),
    )
    .await
    {
        Ok(sent) if sent.is_sent() => match reply {
            Reply::Template(_) => Notice::TemplateSent,
            _ => Notice::Sent,
        },
        Ok(_) => Notice::NotSent,
        Err(no_number) => {
            warn!(business = %business.id, error = %no_number, "inbox: reply not sent");
            Notice::NoNumber
        }
    };
    customer::back(app, request, &number, notice)
}
