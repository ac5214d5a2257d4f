//! Finding a customer or a word: the business's customers by their latest activity, and the
//! calls and messages a search term finds, each with what the page shows of it and where it
//! links (a call to its page, a customer or a message to the customer's timeline). Only the
//! signed-in business's own calls and messages are ever loaded.

use time::OffsetDateTime;

use crate::app::App;
use crate::domain::{BusinessId, Call, PhoneNumber, StoredMessage};
use crate::http::response::{self, Response};
use crate::http::routes::Route;
use crate::http::InboundRequest;
use crate::store::find::{Activity, Contact, SearchHit};
use crate::store::StoreError;

/// Customers on a page.
pub const CUSTOMERS_PAGE: usize = 20;
/// Hits on a search page.
pub const SEARCH_PAGE: usize = 20;
/// Entries a search page reads at most (each a call's or message's words): past it the page
/// says how far back it searched and offers to go on.
pub const SEARCH_BUDGET: usize = 500;

/// A call or message as a row shows it.
#[derive(Debug)]
pub enum Shown {
    Call {
        call: Call,
        /// Loaded for a search hit, to show the words around the match.
        transcript: Option<String>,
    },
    Message(StoredMessage),
}

impl Shown {
    /// The customer's name, when the call or message carried one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Call { call, .. } => call.caller_name.as_deref(),
            Self::Message(message) => message
                .content
                .as_ref()
                .and_then(|content| content.profile_name.as_deref()),
        }
        .filter(|name| !name.trim().is_empty())
    }
}

/// One customer on the customers page.
#[derive(Debug)]
pub struct CustomerRow {
    pub contact: Contact,
    pub timeline_url: String,
    /// Their last call or message; `None` if it is no longer there.
    pub last: Option<Shown>,
}

/// One call or message a search found.
#[derive(Debug)]
pub struct HitRow {
    pub at: OffsetDateTime,
    /// The customer, when known.
    pub number: Option<PhoneNumber>,
    /// The call's page, or the customer's timeline for a message.
    pub url: String,
    pub shown: Shown,
}

/// Sends the browser to a customer's timeline.
pub fn to_timeline(app: &App, request: &InboundRequest, number: &PhoneNumber) -> Response {
    response::see_other(&super::customer_url(app, request, number))
}

fn call_url(app: &App, request: &InboundRequest, call: &Call) -> String {
    super::url_of(
        app,
        request,
        &Route::InboxCall.path_with(&[("call_sid", call.sid.as_str())]),
    )
}

/// The call or message `activity` names, when it is `business`'s.
async fn shown(
    app: &App,
    business: &BusinessId,
    activity: &Activity,
    with_transcript: bool,
) -> Result<Option<Shown>, StoreError> {
    let store = app.store();
    match activity {
        Activity::Call(sid) => {
            let Some(call) = store
                .call(sid)
                .await?
                .filter(|call| call.business_id.as_ref() == Some(business))
            else {
                return Ok(None);
            };
            let transcript = if with_transcript {
                store
                    .call_media(sid)
                    .await?
                    .and_then(|media| media.transcript)
            } else {
                None
            };
            Ok(Some(Shown::Call { call, transcript }))
        }
        Activity::Message(id) => Ok(store
            .message(id)
            .await?
            .filter(|message| message.business_id.as_ref() == Some(business))
            .map(Shown::Message)),
    }
}

/// The customers of a page, each with their last call or message.
pub async fn customer_rows(
    app: &App,
    request: &InboundRequest,
    business: &BusinessId,
    contacts: Vec<Contact>,
) -> Result<Vec<CustomerRow>, StoreError> {
    let mut rows = Vec::with_capacity(contacts.len());
    for contact in contacts {
        rows.push(CustomerRow {
            timeline_url: super::customer_url(app, request, &contact.number),
            last: shown(app, business, &contact.last, false).await?,
            contact,
        });
    }
    Ok(rows)
}

/// The calls and messages of a search page, with their links.
pub async fn hit_rows(
    app: &App,
    request: &InboundRequest,
    business: &BusinessId,
    hits: Vec<SearchHit>,
) -> Result<Vec<HitRow>, StoreError> {
    let mut rows = Vec::with_capacity(hits.len());
    for hit in hits {
        let Some(shown) = shown(app, business, &hit.found, true).await? else {
            continue;
        };
        let (number, url) = match &shown {
            Shown::Call { call, .. } => {
                let number = if call.direction.is_outbound() {
                    &call.to
                } else {
                    &call.from
                };
                (
                    number.as_deref().and_then(|n| PhoneNumber::parse(n).ok()),
                    call_url(app, request, call),
                )
            }
            Shown::Message(message) => {
                let Some(contact) = message.contact.clone() else {
                    continue;
                };
                let url = super::customer_url(app, request, &contact);
                (Some(contact), url)
            }
        };
        rows.push(HitRow {
            at: hit.at,
            number,
            url,
            shown,
        });
    }
    Ok(rows)
}
