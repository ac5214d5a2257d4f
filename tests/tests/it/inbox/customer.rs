//! A customer's timeline over HTTP: the business's calls with one number, the WhatsApp messages
//! both ways with their delivery status, the appointments they booked, newest first and paged;
//! another business's customer shows nothing of this business's; caller-supplied text as text;
//! malformed input and POSTs without the session's CSRF token refused.

use frontdesk::domain::booking::engine::{Busy, Slot};
use frontdesk::domain::booking::settings::ServiceId;
use frontdesk::domain::{
    Appointment, Business, BusinessId, CallSid, CallStart, CallStatus, Channel, Direction,
    MessageContent, MessageDirection, MessageId, MessageStatus, NewAppointment, NewMessage,
    PhoneNumber, RequestKey,
};
use frontdesk::store::Booking;
use frontdesk::Route;
use frontdesk_testkit::unique::number as unique;
use jiff::{SignedDuration, Timestamp};
use time::macros::datetime;
use time::OffsetDateTime;

use super::{csrf_of, Inbox, HOSTILE_TRANSCRIPT};

/// The caller of the fixture's newest call (of three): its voicemail has a hostile transcript.
pub const CUSTOMER: &str = "+972500000002";
/// The caller of the fixture's oldest call.
pub const OTHER_CUSTOMER: &str = "+972500000000";
/// The caller of the rival business's call.
pub const RIVALS_CUSTOMER: &str = "+972509999999";
pub const HOSTILE_BODY: &str = "<script>alert('wa')</script> & <b>bold</b>";

pub fn customer_path(number: &str) -> String {
    Route::InboxCustomer.path_with(&[("number", number)])
}

pub fn action_path(route: Route, number: &str) -> String {
    route.path_with(&[("number", number)])
}

pub fn phone(number: &str) -> PhoneNumber {
    PhoneNumber::parse(number).unwrap()
}

/// A WhatsApp message of `business` with `contact`, stored as the webhooks or a send store it.
pub async fn message(
    inbox: &Inbox,
    business: &BusinessId,
    contact: &str,
    direction: MessageDirection,
    body: &str,
    status: MessageStatus,
    at: OffsetDateTime,
) -> MessageId {
    let id = MessageId::parse(&format!("SM{:032x}", unique())).unwrap();
    let (ours, theirs) = (
        "whatsapp:+97233334444".to_string(),
        format!("whatsapp:{contact}"),
    );
    let (from, to) = match direction {
        MessageDirection::Inbound => (theirs, ours),
        MessageDirection::Outbound => (ours, theirs),
    };
    let failed = status == MessageStatus::Failed;
    inbox
        .server
        .app
        .store()
        .insert_message(&NewMessage {
            id: id.clone(),
            business_id: Some(business.clone()),
            direction,
            contact: Some(phone(contact)),
            from: Some(from),
            to: Some(to),
            content: MessageContent {
                kind: "text".into(),
                body: Some(body.into()),
                profile_name: (direction == MessageDirection::Inbound)
                    .then(|| "<i>Dana</i>".to_string()),
                ..MessageContent::default()
            },
            status,
            error_code: failed.then(|| "63016".to_string()),
            error_message: failed.then(|| "Outside the <window>".to_string()),
            at,
        })
        .await
        .unwrap();
    id
}

/// A call of `business` from `from`, started at `at`.
pub async fn call_from(
    inbox: &Inbox,
    business: &BusinessId,
    from: &str,
    at: OffsetDateTime,
) -> CallSid {
    let sid = CallSid::parse(&format!("CAcust{}", unique())).unwrap();
    inbox
        .server
        .app
        .store()
        .record_call_start(&CallStart {
            sid: sid.clone(),
            business_id: business.clone(),
            from: from.into(),
            to: "+97233334444".into(),
            direction: Direction::Inbound,
            caller_name: None,
            status: CallStatus::Completed,
            started_at: at,
            placed: None,
        })
        .await
        .unwrap();
    sid
}

/// An appointment `phone` booked with `business` at `booked_at`, for `start`.
pub async fn appointment(
    inbox: &Inbox,
    business: &BusinessId,
    phone_number: &str,
    start: Timestamp,
    booked_at: Timestamp,
) -> Appointment {
    let slot = Slot {
        start,
        end: start + SignedDuration::from_mins(30),
    };
    let new = NewAppointment {
        business_id: business.clone(),
        service: ServiceId::parse("checkup").unwrap(),
        slot,
        block: Busy {
            start: slot.start,
            end: slot.end,
        },
        timezone: "Asia/Jerusalem".into(),
        phone: phone(phone_number),
        name: Some("<u>Dana</u>".into()),
        channel: Channel::Whatsapp,
        request: RequestKey::new("api", &[&unique().to_string()]).unwrap(),
        at: booked_at,
    };
    match inbox.server.app.store().book(&new, 10).await.unwrap() {
        Booking::Booked(appointment) => appointment,
        other => panic!("{other:?}"),
    }
}

fn instant(at: OffsetDateTime) -> Timestamp {
    Timestamp::from_nanosecond(at.unix_timestamp_nanos()).unwrap()
}

/// Where `marker` is on `page`, which must show it.
fn at(page: &str, marker: &str) -> usize {
    page.find(marker)
        .unwrap_or_else(|| panic!("{marker} is not on the page:\n{page}"))
}

#[tokio::test]
async fn a_customers_timeline_shows_their_calls_messages_and_appointments_only_newest_first() {
    let inbox = Inbox::start(3).await;
    let (owner, rival) = (&inbox.owner.id, &inbox.other.id);
    let t = datetime!(2026-11-29 08:00 UTC);
    let minute = time::Duration::minutes(1);
    let wrote = message(
        &inbox,
        owner,
        CUSTOMER,
        MessageDirection::Inbound,
        "please call back",
        MessageStatus::Received,
        t + 3 * minute,
    )
    .await;
    let delivered = message(
        &inbox,
        owner,
        CUSTOMER,
        MessageDirection::Outbound,
        "on our way",
        MessageStatus::Delivered,
        t + 4 * minute,
    )
    .await;
    let failed = message(
        &inbox,
        owner,
        CUSTOMER,
        MessageDirection::Outbound,
        "late reply",
        MessageStatus::Failed,
        t + 5 * minute,
    )
    .await;
    let ahead = Timestamp::now() + SignedDuration::from_hours(48);
    let upcoming = appointment(&inbox, owner, CUSTOMER, ahead, instant(t + 6 * minute)).await;
    let behind = Timestamp::now() - SignedDuration::from_hours(48);
    let past = appointment(&inbox, owner, CUSTOMER, behind, instant(t + 7 * minute)).await;
    let store = inbox.server.app.store();
    store
        .cancel(
            &past.id,
            1,
            &RequestKey::new("api", &["cancel-past"]).unwrap(),
            Timestamp::now(),
        )
        .await
        .unwrap();
    // What must not show: another customer's, and the rival business's with this customer.
    let others = message(
        &inbox,
        owner,
        OTHER_CUSTOMER,
        MessageDirection::Inbound,
        "not theirs",
        MessageStatus::Received,
        t + 8 * minute,
    )
    .await;
    let rivals_message = message(
        &inbox,
        rival,
        CUSTOMER,
        MessageDirection::Inbound,
        "rival's",
        MessageStatus::Received,
        t + 9 * minute,
    )
    .await;
    let rivals_call = call_from(&inbox, rival, CUSTOMER, t + 10 * minute).await;
    let rivals_appointment =
        appointment(&inbox, rival, CUSTOMER, ahead, instant(t + 11 * minute)).await;

    let cookie = inbox.sign_in().await;
    let page = inbox.page(&customer_path(CUSTOMER), &cookie).await;
    assert!(page.contains(r#"<html lang="he" dir="rtl">"#));
    let order = [
        at(&page, &format!("data-appointment=\"{}\"", past.id)),
        at(&page, &format!("data-appointment=\"{}\"", upcoming.id)),
        at(&page, &format!("data-message=\"{failed}\"")),
        at(&page, &format!("data-message=\"{delivered}\"")),
        at(&page, &format!("data-message=\"{wrote}\"")),
        at(&page, &format!("data-call=\"{}\"", inbox.calls[2])),
    ];
    assert!(
        order.windows(2).all(|pair| pair[0] < pair[1]),
        "newest first: {order:?}"
    );
    for absent in [
        format!("data-call=\"{}\"", inbox.calls[0]),
        format!("data-call=\"{}\"", inbox.calls[1]),
        format!("data-call=\"{}\"", inbox.theirs),
        format!("data-call=\"{rivals_call}\""),
        format!("data-message=\"{others}\""),
        format!("data-message=\"{rivals_message}\""),
        format!("data-appointment=\"{}\"", rivals_appointment.id),
    ] {
        assert!(
            !page.contains(&absent),
            "{absent} is not this customer's with this business"
        );
    }
    assert!(page.contains("נמסרה"), "the delivered message's status");
    assert!(
        page.contains("נכשלה") && page.contains("63016"),
        "the failure and its code"
    );
    assert!(
        page.contains("Outside the &lt;window&gt;"),
        "the provider's reason, as text"
    );
    assert!(page.contains("בוטל"), "the cancelled appointment");
    assert!(page.contains("התורים הבאים"), "the upcoming appointments");
    assert!(
        page.contains(r#"<audio controls preload="none" src="/blobs/recordings/"#),
        "the voicemail plays"
    );
    assert!(page.contains("הודעה קולית"), "its outcome");
    assert!(!page.contains(r#"rel="next""#), "all of it on one page");

    // The calls list links each caller to their timeline.
    let calls = inbox.page(Route::Inbox.path(), &cookie).await;
    assert!(
        calls.contains(&format!(
            r#"href="{}""#,
            inbox.url(&customer_path(CUSTOMER))
        )),
        "{calls}"
    );
    let call_page = inbox
        .page(
            &Route::InboxCall.path_with(&[("call_sid", inbox.calls[2].as_str())]),
            &cookie,
        )
        .await;
    assert!(call_page.contains(&format!(
        r#"href="{}""#,
        inbox.url(&customer_path(CUSTOMER))
    )));
}

#[tokio::test]
async fn a_long_timeline_comes_a_page_at_a_time_each_entry_once() {
    let inbox = Inbox::start(1).await;
    let owner = &inbox.owner.id;
    let t = datetime!(2026-11-20 08:00 UTC);
    let mut markers = Vec::new();
    for n in 0..20 {
        let call = call_from(&inbox, owner, CUSTOMER, t + time::Duration::minutes(2 * n)).await;
        markers.push(format!("data-call=\"{call}\""));
        let said = message(
            &inbox,
            owner,
            CUSTOMER,
            MessageDirection::Inbound,
            "hello",
            MessageStatus::Received,
            t + time::Duration::minutes(2 * n + 1),
        )
        .await;
        markers.push(format!("data-message=\"{said}\""));
    }
    let ahead = Timestamp::now() + SignedDuration::from_hours(48);
    let booked = appointment(
        &inbox,
        owner,
        CUSTOMER,
        ahead,
        instant(t + time::Duration::minutes(100)),
    )
    .await;
    markers.push(format!("data-appointment=\"{}\"", booked.id));
    let cookie = inbox.sign_in().await;
    let first = inbox.page(&customer_path(CUSTOMER), &cookie).await;
    assert_eq!(first.matches("<article data-").count(), 25);
    assert!(
        first.contains("התורים הבאים"),
        "the upcoming appointment heads the first page"
    );
    let marker = r#"<a href=""#;
    let next = first[first.rfind(marker).unwrap() + marker.len()..]
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(
        first.contains(r#"rel="next""#) && next.contains("?cursor="),
        "{next}"
    );
    let second = inbox
        .page(next.strip_prefix(&inbox.server.base_url).unwrap(), &cookie)
        .await;
    assert_eq!(second.matches("<article data-").count(), 16);
    assert!(!second.contains(r#"rel="next""#));
    assert!(
        !second.contains("התורים הבאים"),
        "the upcoming ones head the first page only"
    );
    for marker in &markers {
        let shown = [&first, &second]
            .iter()
            .filter(|page| page.contains(marker.as_str()))
            .count();
        assert_eq!(shown, 1, "{marker} on exactly one page");
    }
    let position = |marker: &String| first.find(marker.as_str()).unwrap();
    let newest: Vec<usize> = markers.iter().rev().take(25).map(position).collect();
    assert!(
        newest.windows(2).all(|pair| pair[0] < pair[1]),
        "newest first: {newest:?}"
    );
}

#[tokio::test]
async fn another_businesss_customer_shows_nothing_of_this_business() {
    let inbox = Inbox::start(3).await;
    message(
        &inbox,
        &inbox.other.id,
        RIVALS_CUSTOMER,
        MessageDirection::Inbound,
        "to the rival",
        MessageStatus::Received,
        datetime!(2026-11-29 09:01 UTC),
    )
    .await;
    let cookie = inbox.sign_in().await;
    let page = inbox.page(&customer_path(RIVALS_CUSTOMER), &cookie).await;
    assert!(
        !page.contains("data-call=") && !page.contains("data-message="),
        "{page}"
    );
    assert!(page.contains("אין עדיין שיחות, הודעות או תורים"), "{page}");

    // And the rival, signed in, sees nothing of the owner's customer.
    let link = inbox.link(&inbox.other.id, 15, SignedDuration::ZERO).await;
    let response = super::client().get(&link).send().await.unwrap();
    let rival_cookie = super::cookie_of(&response).unwrap();
    let theirs = inbox.page(&customer_path(CUSTOMER), &rival_cookie).await;
    assert!(!theirs.contains(inbox.calls[2].as_str()), "{theirs}");
    assert!(!theirs.contains(HOSTILE_TRANSCRIPT) && !theirs.contains("call me"));
}

#[tokio::test]
async fn a_customers_markup_shows_as_text_and_never_as_markup() {
    let inbox = Inbox::start(3).await;
    message(
        &inbox,
        &inbox.owner.id,
        CUSTOMER,
        MessageDirection::Inbound,
        HOSTILE_BODY,
        MessageStatus::Received,
        datetime!(2026-11-29 08:05 UTC),
    )
    .await;
    let cookie = inbox.sign_in().await;
    let page = inbox.page(&customer_path(CUSTOMER), &cookie).await;
    assert!(
        !page.contains("<script") && !page.contains("<b>") && !page.contains("<i>"),
        "{page}"
    );
    assert!(page.contains("&lt;script&gt;alert('wa')&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"));
    assert!(page.contains("&lt;i&gt;Dana&lt;/i&gt;"), "the profile name");
    assert!(
        page.contains("call me &lt;img src=x onerror=alert(1)&gt; &amp; &quot;soon&quot;"),
        "the transcript"
    );
    assert!(
        page.contains("&lt;script&gt;alert('name')&lt;/script&gt;"),
        "the caller's name"
    );
}

#[tokio::test]
async fn malformed_numbers_cursors_notices_and_forms_are_refused_with_a_reason() {
    let inbox = Inbox::start(1).await;
    let cookie = inbox.sign_in().await;
    for path in [
        "/inbox/customers/972500000002".to_string(),
        "/inbox/customers/%3Cscript%3E".to_string(),
        "/inbox/customers/+972-50-000-0002".to_string(),
        format!("{}?cursor=bm9wZQ", customer_path(CUSTOMER)),
        format!("{}?notice=%3Cb%3E", customer_path(CUSTOMER)),
    ] {
        let response = inbox.get(&path, &cookie).await;
        assert_eq!(response.status(), 400, "{path}");
        let reason = response.text().await.unwrap();
        assert!(
            reason.starts_with("bad request: ") && reason.lines().count() == 1,
            "{reason}"
        );
    }
    assert_eq!(
        inbox
            .get(&customer_path("%2B972500000002"), &cookie)
            .await
            .status(),
        200,
        "a + a client escaped"
    );
    let csrf = csrf_of(&inbox.page(&customer_path(CUSTOMER), &cookie).await);
    let key = "0123456789abcdef0123456789abcdef";
    for (route, pairs) in [
        (
            Route::InboxCustomerReply,
            vec![("csrf", csrf.as_str()), ("body", "  "), ("key", key)],
        ),
        (
            Route::InboxCustomerReply,
            vec![("csrf", csrf.as_str()), ("body", "hi")],
        ),
        (
            Route::InboxCustomerReply,
            vec![("csrf", csrf.as_str()), ("body", "hi"), ("key", "KEY")],
        ),
        (Route::InboxCustomerCall, vec![("csrf", csrf.as_str())]),
        (
            Route::InboxCustomerBlock,
            vec![("csrf", csrf.as_str()), ("blocked", "maybe")],
        ),
    ] {
        let response = inbox
            .post(&action_path(route, CUSTOMER), &cookie, &pairs)
            .await;
        assert_eq!(response.status(), 400, "{route:?} {pairs:?}");
    }
    let response = inbox
        .post(
            &action_path(Route::InboxCustomerBlock, "0500000002"),
            &cookie,
            &[("csrf", &csrf), ("blocked", "true")],
        )
        .await;
    assert_eq!(response.status(), 400, "a number without its country code");
}

#[tokio::test]
async fn posts_without_the_sessions_csrf_token_are_refused_and_change_nothing() {
    let providers = frontdesk_testkit::follow_ups::Providers::start().await;
    let vars = providers.vars();
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let inbox = Inbox::start_with(1, &vars).await;
    let mut owner: Business = inbox.owner.clone();
    owner.phone_numbers = vec![phone("+97233334444")];
    owner.owner_phone = Some(phone("+972541111111"));
    inbox.server.app.store().put_business(&owner).await.unwrap();
    message(
        &inbox,
        &owner.id,
        CUSTOMER,
        MessageDirection::Inbound,
        "hi",
        MessageStatus::Received,
        OffsetDateTime::now_utc(),
    )
    .await;
    let cookie = inbox.sign_in().await;
    let key = "0123456789abcdef0123456789abcdef";
    for csrf in [None, Some("forged"), Some("")] {
        for (route, mut pairs) in [
            (
                Route::InboxCustomerReply,
                vec![("body", "hi"), ("key", key)],
            ),
            (Route::InboxCustomerCall, vec![("key", key)]),
            (Route::InboxCustomerBlock, vec![("blocked", "true")]),
        ] {
            if let Some(csrf) = csrf {
                pairs.push(("csrf", csrf));
            }
            let response = inbox
                .post(&action_path(route, CUSTOMER), &cookie, &pairs)
                .await;
            assert_eq!(response.status(), 403, "{route:?} with {csrf:?}");
        }
    }
    assert!(
        providers.twilio_sent().is_empty(),
        "nothing sent, no call placed"
    );
    let stored = inbox
        .server
        .app
        .store()
        .business(&owner.id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.blocked_numbers.is_empty(), "nothing blocked");
}
