//! The week's appointments in the inbox: the owner's own, by day, and cancelling one frees its
//! slot, once, behind the session's CSRF token.

use frontdesk::booking::{self, Outcome};
use frontdesk::domain::{Appointment, AppointmentStatus, Business, Channel, RequestKey};
use frontdesk::Route;
use frontdesk_testkit::follow_ups::{booking_for, day_after_tomorrow_at, settings, zone};
use jiff::Timestamp;

use super::{csrf_of, Inbox, HOSTILE_NAME};

/// Books a checkup at `start` for `business`, under a fresh request key.
async fn book(inbox: &Inbox, business: &Business, start: Timestamp, name: &str) -> Appointment {
    let mut request = booking_for(Channel::Whatsapp, start, "+972501234567");
    request.name = Some(name.into());
    match booking::book(&inbox.server.app, business, &request, Timestamp::now())
        .await
        .unwrap()
    {
        Outcome::Done(appointment) => appointment,
        other => panic!("not booked: {other:?}"),
    }
}

/// The owner and the other business both book, in Jerusalem.
async fn booking_inbox() -> (Inbox, Business, Business) {
    booking_inbox_with(0).await
}

/// [`booking_inbox`] with `calls` calls of the owner.
async fn booking_inbox_with(calls: usize) -> (Inbox, Business, Business) {
    let inbox = Inbox::start(calls).await;
    let (mut owner, mut other) = (inbox.owner.clone(), inbox.other.clone());
    for business in [&mut owner, &mut other] {
        business.booking = Some(settings());
        inbox
            .server
            .app
            .store()
            .put_business(business)
            .await
            .unwrap();
    }
    (inbox, owner, other)
}

/// The week page from today where the business is.
fn this_week() -> String {
    let today = Timestamp::now().to_zoned(zone()).date();
    format!("{}?from={today}", Route::InboxAppointments.path())
}

/// The hidden `name` field of the form posting to `action`.
fn field_of(page: &str, action: &str, name: &str) -> String {
    let form = &page[page.find(action).expect("the appointment's cancel form")..];
    let marker = format!("name=\"{name}\" value=\"");
    let start = form.find(&marker).expect("the field") + marker.len();
    form[start..].split('"').next().unwrap().to_string()
}

fn cancel_path(appointment: &Appointment) -> String {
    Route::InboxAppointmentCancel.path_with(&[("id", appointment.id.as_str())])
}

#[tokio::test]
async fn the_week_lists_the_owners_appointments_by_start_and_never_another_businesss() {
    let (inbox, owner, other) = booking_inbox().await;
    let late = book(&inbox, &owner, day_after_tomorrow_at(11, 0), "Dana").await;
    let early = book(&inbox, &owner, day_after_tomorrow_at(9, 30), HOSTILE_NAME).await;
    let theirs = book(
        &inbox,
        &other,
        day_after_tomorrow_at(10, 0),
        "Rival's customer",
    )
    .await;
    let cookie = inbox.sign_in().await;

    let page = inbox.page(&this_week(), &cookie).await;
    let at = |a: &Appointment| page.find(&format!("data-appointment=\"{}\"", a.id));
    let (early_at, late_at) = (at(&early).expect("listed"), at(&late).expect("listed"));
    assert!(early_at < late_at, "by start");
    assert!(at(&theirs).is_none(), "another business's appointment");
    assert!(!page.contains("Rival's customer"));
    assert!(page.contains("09:30–10:00"), "local times");
    assert!(page.contains("בדיקה"), "the service in Hebrew");
    assert!(
        !page.contains(HOSTILE_NAME),
        "a customer's markup is never pasted"
    );
    assert!(page.contains("&lt;script&gt;"), "it is shown as text");
    assert!(page.contains("?from="), "links to the weeks around it");

    let next_week = day_after_tomorrow_at(9, 0).to_zoned(zone()).date();
    let later = Route::InboxAppointments.path().to_string()
        + &format!("?from={}", next_week.tomorrow().unwrap());
    let page = inbox.page(&later, &cookie).await;
    assert!(!page.contains(early.id.as_str()), "another week");
}

#[tokio::test]
async fn cancelling_frees_the_slot_once_and_needs_the_csrf_token() {
    let (inbox, owner, other) = booking_inbox().await;
    let start = day_after_tomorrow_at(10, 0);
    let appointment = book(&inbox, &owner, start, "Dana").await;
    let theirs = book(&inbox, &other, start, "Rival's customer").await;
    let cookie = inbox.sign_in().await;
    let page = inbox.page(&this_week(), &cookie).await;
    let action = cancel_path(&appointment);
    let (csrf, key, from) = (
        csrf_of(&page),
        field_of(&page, &action, "key"),
        field_of(&page, &action, "from"),
    );
    let store = inbox.server.app.store();

    let refused = inbox
        .post(&action, &cookie, &[("key", &key), ("from", &from)])
        .await;
    assert_eq!(refused.status(), 403, "no CSRF token");
    let wrong = inbox
        .post(&action, &cookie, &[("csrf", "forged"), ("key", &key)])
        .await;
    assert_eq!(wrong.status(), 403, "a wrong CSRF token");
    let foreign = cancel_path(&theirs);
    let foreign = inbox
        .post(&foreign, &cookie, &[("csrf", &csrf), ("key", &key)])
        .await;
    assert_eq!(foreign.status(), 404, "another business's appointment");
    assert_eq!(
        store.appointment(&theirs.id).await.unwrap().unwrap().status,
        AppointmentStatus::Booked
    );
    let no_key = inbox.post(&action, &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(no_key.status(), 400);
    assert_eq!(
        store
            .appointment(&appointment.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        AppointmentStatus::Booked,
        "nothing refused changed anything"
    );

    let form = [("csrf", csrf.as_str()), ("key", &key), ("from", &from)];
    let cancelled = inbox.post(&action, &cookie, &form).await;
    assert_eq!(cancelled.status(), 303);
    assert!(cancelled.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with(&format!("/inbox/appointments?from={from}")));
    let after = store.appointment(&appointment.id).await.unwrap().unwrap();
    assert_eq!(after.status, AppointmentStatus::Cancelled);
    let again = inbox.post(&action, &cookie, &form).await;
    assert_eq!(again.status(), 303, "the form sent twice");
    assert_eq!(
        store
            .appointment(&appointment.id)
            .await
            .unwrap()
            .unwrap()
            .version,
        after.version,
        "cancelled once"
    );
    assert_eq!(
        store
            .appointment_for_request(&owner.id, &RequestKey::new("inbox", &[&key]).unwrap())
            .await
            .unwrap()
            .map(|a| a.id),
        Some(appointment.id.clone()),
        "the form's key is the request's"
    );

    let page = inbox.page(&this_week(), &cookie).await;
    assert!(
        !page.contains(&action),
        "a cancelled appointment has no cancel button"
    );
    assert!(page.contains("בוטל"), "shown as cancelled");
    let rebooked = book(&inbox, &owner, start, "Noa").await;
    assert_eq!(rebooked.slot.start, start, "the slot is free again");
}

#[tokio::test]
async fn a_week_that_is_not_a_date_is_a_bad_request() {
    let (inbox, _, _) = booking_inbox().await;
    let cookie = inbox.sign_in().await;
    let path = Route::InboxAppointments.path().to_string() + "?from=next-week";
    let response = inbox.get(&path, &cookie).await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("is not a date"));
    let signed_out = inbox.get(Route::InboxAppointments.path(), "").await;
    assert_eq!(
        signed_out.status(),
        401,
        "the week is for the signed-in owner only"
    );
}

#[tokio::test]
async fn a_call_that_booked_by_phone_shows_as_booked() {
    use frontdesk::blob::folder::FolderBlobs;
    use frontdesk::worker::{Consumer, Worker};
    use frontdesk_testkit::JobProbe;

    let (inbox, owner, _) = booking_inbox_with(1).await;
    let call = &inbox.calls[0];
    let mut request = booking_for(
        Channel::Voice,
        day_after_tomorrow_at(12, 0),
        "+972501234567",
    );
    request.request = RequestKey::new("voice", &[call.as_str(), "2"]).unwrap();
    let Outcome::Done(appointment) =
        booking::book(&inbox.server.app, &owner, &request, Timestamp::now())
            .await
            .unwrap()
    else {
        panic!("not booked")
    };
    // The booked event goes through the notify consumer, which notes the call.
    let JobProbe::Embedded(queue) = inbox.server.jobs.clone() else {
        panic!("an embedded server")
    };
    let blobs = tempfile::tempdir().unwrap();
    let worker = Worker::new(
        inbox.server.app.clone(),
        std::sync::Arc::new(FolderBlobs::new(blobs.path().to_path_buf())),
    )
    .unwrap();
    while frontdesk_cli::consumers::drain_once(&worker, &queue, Consumer::Notify).await > 0 {}
    let stored = inbox.server.app.store().call(call).await.unwrap().unwrap();
    assert_eq!(stored.appointment_id, Some(appointment.id));

    let cookie = inbox.sign_in().await;
    let page = inbox.page(Route::Inbox.path(), &cookie).await;
    let card = &page[page.find(&format!("data-call=\"{call}\"")).unwrap()..];
    assert!(card.contains("קבע תור"), "the call's outcome is booked");
}
