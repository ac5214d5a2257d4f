//! `POST /inbox/customers/{number}/block` (form: `csrf`, `blocked=true|false`): blocks the
//! number for the signed-in owner's business, or unblocks it (kept on the business, so the
//! incoming-call and WhatsApp webhooks read it with the business at no extra cost: a blocked
//! caller is rejected, a blocked sender's messages are kept unanswered; this process forgets
//! its cached copy of the business at once, another within the cache's 5 seconds). Another
//! business's list is never touched. Then 303 back to the customer's page with a notice.
//!
//! 403 without the session's CSRF token; 400 for a malformed number or flag; 503 (the inbox's
//! page) when the store fails.

use tracing::info;

use crate::app::App;
use crate::http::response::{self, Response};
use crate::http::routes::Route;
use crate::http::InboundRequest;
use crate::inbox::customer::{self, Notice, Posted};
use crate::inbox::{self};

pub async fn block(app: &App, request: &InboundRequest) -> Response {
    let Posted {
        owner,
        form,
        number,
    } = match customer::posted(app, request, Route::InboxCustomerBlock).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let blocked = match inbox::flag(&form, "blocked") {
        Ok(blocked) => blocked,
        Err(reason) => return response::bad_request(&reason),
    };
    let business = &owner.business.id;
    match app
        .store()
        .set_number_blocked(business, &number, blocked)
        .await
    {
        Ok(Some(changed)) => {
            app.forget_business(&changed);
            info!(business = %business, blocked, "inbox: a number's block set");
            let notice = if blocked {
                Notice::Blocked
            } else {
                Notice::Unblocked
            };
            customer::back(app, request, &number, notice)
        }
        // The business went while the owner was signed in.
        Ok(None) => response::not_found(),
        Err(err) => inbox::refused(app, request, &err.into()),
    }
}
