//! One customer as the inbox shows them: a timeline of the business's calls with their number,
//! the WhatsApp messages both ways and the appointments they booked, newest first and a page at a
//! time; and what the owner's actions on it share (the number in the path, the signed-in POST,
//! the notice a redirect carries back). Replying on WhatsApp is [`super::reply`]'s.
//!
//! The timeline merges three listings the store pages on its own (calls, messages,
//! appointments), each newest first. A page takes the newest of their heads, one at a time, and
//! its cursor keeps where each listing stands: not started, after a position, or done. So a page
//! reads at most one page of each, and nothing is shown twice or skipped.

use std::collections::VecDeque;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::pages::CallView;
use super::session::SignedIn;
use super::words::Words;
use crate::app::App;
use crate::domain::{Appointment, BusinessId, PhoneNumber, StoredMessage};
use crate::http::response::{self, Response};
use crate::http::routes::Route;
use crate::http::{FormParams, InboundRequest};
use crate::store::messages::conversation_position;
use futures_util::StreamExt;

use crate::store::{list_position, StoreError};

/// Entries a timeline page shows.
pub const PAGE: usize = 25;

/// The number in an inbox customer route's path: E.164 with its `+` (written `%2B` by a client
/// that escapes it), exactly as [`super::customer_url`] writes it; else the one-line reason.
pub fn number_of(request: &InboundRequest, route: Route) -> Result<PhoneNumber, String> {
    let raw = route
        .param(&request.route_path, "number")
        .unwrap_or_default();
    let written = match raw.get(..3) {
        Some(escaped) if escaped.eq_ignore_ascii_case("%2B") => format!("+{}", &raw[3..]),
        _ => raw.to_string(),
    };
    PhoneNumber::parse(&written)
        .ok()
        .filter(|number| number.as_str() == written)
        .ok_or_else(|| {
            format!(
                "`{}` is not a phone number in E.164 (+ and 7 to 15 digits)",
                raw.chars().take(40).collect::<String>()
            )
        })
}

/// A POST to one of a customer's actions, let through: the signed-in owner, the form (its CSRF
/// token checked) and the customer's number.
pub struct Posted {
    pub owner: SignedIn,
    pub form: FormParams,
    pub number: PhoneNumber,
}

/// The owner, form and number of a POST to `route`, or the answer that refuses it: signed out
/// (401) or the inbox down (503), a body that is not a form or a number that is not one (400),
/// a missing or wrong CSRF token (403).
pub async fn posted(app: &App, request: &InboundRequest, route: Route) -> Result<Posted, Response> {
    let (owner, form) = super::posted_form(app, request).await?;
    let number = number_of(request, route).map_err(|reason| response::bad_request(&reason))?;
    Ok(Posted {
        owner,
        form,
        number,
    })
}

/// What an action says on the customer's page it goes back to (`?notice=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Sent,
    TemplateSent,
    NotSent,
    NoWindow,
    NoNumber,
    AlreadySent,
    Calling,
    CallPending,
    CallFailed,
    NoOwnerPhone,
    Blocked,
    Unblocked,
}

impl Notice {
    const ALL: [Notice; 12] = [
        Self::Sent,
        Self::TemplateSent,
        Self::NotSent,
        Self::NoWindow,
        Self::NoNumber,
        Self::AlreadySent,
        Self::Calling,
        Self::CallPending,
        Self::CallFailed,
        Self::NoOwnerPhone,
        Self::Blocked,
        Self::Unblocked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::TemplateSent => "template-sent",
            Self::NotSent => "not-sent",
            Self::NoWindow => "no-window",
            Self::NoNumber => "no-number",
            Self::AlreadySent => "already-sent",
            Self::Calling => "calling",
            Self::CallPending => "call-pending",
            Self::CallFailed => "call-failed",
            Self::NoOwnerPhone => "no-owner-phone",
            Self::Blocked => "blocked",
            Self::Unblocked => "unblocked",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.as_str() == value)
    }

    pub fn text(self, words: &Words) -> &'static str {
        match self {
            Self::Sent => words.notice_sent,
            Self::TemplateSent => words.notice_template_sent,
            Self::NotSent => words.notice_not_sent,
            Self::NoWindow => words.notice_no_window,
            Self::NoNumber => words.notice_no_number,
            Self::AlreadySent => words.notice_already_sent,
            Self::Calling => words.notice_calling,
            Self::CallPending => words.notice_call_pending,
            Self::CallFailed => words.notice_call_failed,
            Self::NoOwnerPhone => words.no_owner_phone,
            Self::Blocked => words.notice_blocked,
            Self::Unblocked => words.notice_unblocked,
        }
    }
}

/// After a customer's action: 303 back to their page, saying what became of it.
pub fn back(app: &App, request: &InboundRequest, number: &PhoneNumber, notice: Notice) -> Response {
    let page = super::customer_url(app, request, number);
    response::see_other(&format!("{page}?notice={}", notice.as_str()))
}

/// One thing on a customer's timeline.
#[derive(Debug)]
pub enum Entry {
    Call(Box<CallView>),
    Message(Box<StoredMessage>),
    Appointment(Box<Appointment>),
}

/// A page of a customer's timeline, and the cursor of the next one.
#[derive(Debug)]
pub struct Timeline {
    pub entries: Vec<Entry>,
    pub older: Option<Cursor>,
}

/// Where one of the timeline's listings stands.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
enum Lane {
    /// Nothing of it shown yet: it starts from its newest.
    #[default]
    Fresh,
    /// Shown up to this position (the store's own cursor).
    After(String),
    /// All of it shown.
    Done,
}

impl Lane {
    /// Whether it is read at all, and from where.
    fn read_from(&self) -> Option<Option<&str>> {
        match self {
            Self::Fresh => Some(None),
            Self::After(position) => Some(Some(position)),
            Self::Done => None,
        }
    }
}

/// Where each listing of a customer's timeline stands: the `cursor` of its next page,
/// base64url JSON, opaque to the owner.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    calls: Lane,
    messages: Lane,
    appointments: Lane,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("a cursor serialises"))
    }

    pub fn parse(value: &str) -> Result<Self, String> {
        URL_SAFE_NO_PAD
            .decode(value)
            .ok()
            .and_then(|json| serde_json::from_slice(&json).ok())
            .ok_or_else(|| "cursor is not one this page gave".to_string())
    }

    /// The first page's.
    pub fn is_fresh(&self) -> bool {
        *self == Self::default()
    }
}

/// One listing's page as read, and what the merge took of it.
struct Read<T> {
    items: VecDeque<T>,
    more: bool,
    taken: Option<String>,
    was: Lane,
}

impl<T> Read<T> {
    fn new(was: &Lane, page: Option<(Vec<T>, Option<String>)>) -> Self {
        let (items, more) = match page {
            Some((items, next)) => (items.into(), next.is_some()),
            None => (VecDeque::new(), false),
        };
        Self {
            items,
            more,
            taken: None,
            was: was.clone(),
        }
    }

    /// Where the listing stands after this page.
    fn lane(&self) -> Lane {
        if self.items.is_empty() && !self.more {
            return Lane::Done;
        }
        match &self.taken {
            Some(position) => Lane::After(position.clone()),
            None => self.was.clone(),
        }
    }

    /// All this page read of it is shown, yet the store has more: what comes next is unknown.
    fn ran_dry(&self) -> bool {
        self.items.is_empty() && self.more
    }
}

fn nanos(at: Option<OffsetDateTime>) -> i128 {
    at.map_or(i128::MIN, OffsetDateTime::unix_timestamp_nanos)
}

/// A page of `business`'s timeline with `contact`, from `cursor`: at most [`PAGE`] entries,
/// newest first.
pub async fn timeline(
    app: &App,
    request: &InboundRequest,
    business: &BusinessId,
    contact: &PhoneNumber,
    cursor: &Cursor,
) -> Result<Timeline, StoreError> {
    let store = app.store();
    let calls = async {
        match cursor.calls.read_from() {
            Some(after) => store
                .calls_with(business, contact, after, PAGE)
                .await
                .map(|page| Some((page.calls, page.next))),
            None => Ok(None),
        }
    };
    let messages = async {
        match cursor.messages.read_from() {
            Some(after) => store
                .conversation_messages(business, contact, PAGE, after)
                .await
                .map(|page| Some((page.messages, page.next_cursor))),
            None => Ok(None),
        }
    };
    let appointments = async {
        match cursor.appointments.read_from() {
            Some(after) => store
                .appointments_with(business, contact, after, PAGE)
                .await
                .map(|page| Some((page.appointments, page.next))),
            None => Ok(None),
        }
    };
    let (calls, messages, appointments) = tokio::join!(calls, messages, appointments);
    let mut calls = Read::new(&cursor.calls, calls?);
    let mut messages = Read::new(&cursor.messages, messages?);
    let mut appointments = Read::new(&cursor.appointments, appointments?);

    let mut taken = Vec::new();
    while taken.len() < PAGE && !(calls.ran_dry() || messages.ran_dry() || appointments.ran_dry()) {
        let heads = [
            calls.items.front().map(|c| nanos(c.started_at)),
            messages.items.front().map(|m| nanos(m.created_at)),
            appointments
                .items
                .front()
                .map(|a| a.created_at.as_nanosecond()),
        ];
        // The newest head; on a tie the first listing's, so a page always ends the same way.
        let Some((lane, _)) = heads
            .iter()
            .enumerate()
            .filter_map(|(lane, head)| head.map(|at| (lane, at)))
            .rev()
            .max_by_key(|(_, at)| *at)
        else {
            break;
        };
        match lane {
            0 => {
                let call = calls.items.pop_front().expect("a head");
                calls.taken = call.started_at.map(|at| list_position(at, &call.sid));
                taken.push(Taken::Call(call));
            }
            1 => {
                let message = messages.items.pop_front().expect("a head");
                messages.taken = message
                    .created_at
                    .map(|at| conversation_position(at, &message.id));
                taken.push(Taken::Message(message));
            }
            _ => {
                let appointment = appointments.items.pop_front().expect("a head");
                appointments.taken = Some(appointment.id.to_string());
                taken.push(Taken::Appointment(appointment));
            }
        }
    }
    let next = Cursor {
        calls: calls.lane(),
        messages: messages.lane(),
        appointments: appointments.lane(),
    };
    let done = [&next.calls, &next.messages, &next.appointments]
        .iter()
        .all(|lane| **lane == Lane::Done);

    // The calls' media and links are read several at once, as the calls page reads its own.
    let entries = futures_util::stream::iter(taken.into_iter().map(|entry| async move {
        match entry {
            Taken::Call(call) => {
                Entry::Call(Box::new(super::calls::view(app, request, call).await))
            }
            Taken::Message(message) => Entry::Message(Box::new(message)),
            Taken::Appointment(appointment) => Entry::Appointment(Box::new(appointment)),
        }
    }))
    .buffered(8)
    .collect()
    .await;
    Ok(Timeline {
        entries,
        older: (!done).then_some(next),
    })
}

/// An entry taken for the page, before a call's recording link and URLs are made.
enum Taken {
    Call(crate::domain::Call),
    Message(StoredMessage),
    Appointment(Appointment),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::booking::settings::ServiceId;
    use bytes::Bytes;
    use http::{HeaderMap, Method};

    fn request(path: &str) -> InboundRequest {
        InboundRequest::local(
            Method::GET,
            path,
            HeaderMap::new(),
            Bytes::new(),
            "r".into(),
        )
    }

    #[test]
    fn the_number_in_the_path_is_e164_with_its_plus_written_or_escaped() {
        for path in [
            "/inbox/customers/+972501234567",
            "/inbox/customers/%2B972501234567",
            "/inbox/customers/%2b972501234567",
        ] {
            assert_eq!(
                number_of(&request(path), Route::InboxCustomer)
                    .unwrap()
                    .as_str(),
                "+972501234567",
                "{path}"
            );
        }
        for bad in [
            "/inbox/customers/972501234567",
            "/inbox/customers/+972-50-123-4567",
            "/inbox/customers/whatsapp:+972501234567",
            "/inbox/customers/%3Cscript%3E",
            "/inbox/customers/+12",
        ] {
            let reason = number_of(&request(bad), Route::InboxCustomer).unwrap_err();
            assert!(reason.contains("E.164"), "{bad}: {reason}");
        }
    }

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        let cursor = Cursor {
            calls: Lane::After("2026-11-29T08:00:00Z#CA1".into()),
            messages: Lane::Done,
            appointments: Lane::Fresh,
        };
        assert_eq!(Cursor::parse(&cursor.encode()).unwrap(), cursor);
        assert!(Cursor::default().is_fresh() && !cursor.is_fresh());
        for bad in [
            "",
            "%%%",
            "bm9wZQ",
            &URL_SAFE_NO_PAD.encode(r#"{"calls":"Done"}"#),
        ] {
            assert!(Cursor::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn notices_round_trip_through_their_names() {
        for notice in Notice::ALL {
            assert_eq!(Notice::parse(notice.as_str()), Some(notice));
            assert!(!notice.text(Words::for_language("he")).is_empty());
        }
        assert_eq!(Notice::parse("<script>"), None);
    }

    fn appointment_at(created: &str) -> Appointment {
        use crate::domain::booking::engine::{Busy, Slot};
        let at: jiff::Timestamp = created.parse().unwrap();
        Appointment {
            id: crate::domain::AppointmentId::generate(),
            business_id: BusinessId::parse("acme").unwrap(),
            service: ServiceId::parse("checkup").unwrap(),
            slot: Slot { start: at, end: at },
            block: Busy { start: at, end: at },
            timezone: "UTC".into(),
            phone: PhoneNumber::parse("+972501234567").unwrap(),
            name: None,
            channel: crate::domain::Channel::Api,
            source: "api:x".into(),
            status: crate::domain::AppointmentStatus::Booked,
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn a_listing_that_ran_dry_with_more_to_come_ends_the_page_where_it_stands() {
        let mut read = Read::new(
            &Lane::Fresh,
            Some((
                vec![appointment_at("2026-11-29T10:00:00Z")],
                Some("x".into()),
            )),
        );
        assert!(!read.ran_dry());
        let taken = read.items.pop_front().unwrap();
        read.taken = Some(taken.id.to_string());
        assert!(read.ran_dry());
        assert_eq!(read.lane(), Lane::After(taken.id.to_string()));
        let finished: Read<Appointment> = Read::new(&Lane::After("y".into()), Some((vec![], None)));
        assert_eq!(finished.lane(), Lane::Done);
        let untouched: Read<Appointment> = Read::new(
            &Lane::After("y".into()),
            Some((vec![appointment_at("2026-11-29T10:00:00Z")], None)),
        );
        assert_eq!(
            untouched.lane(),
            Lane::After("y".into()),
            "nothing of it shown yet"
        );
    }
}
