//! Appointments as the appointments API or a booking dialogue makes them (a start in any zone,
//! DST edges included; a name typed into the API or a WhatsApp profile's), and a dialogue's
//! state, read back through the business's list, a customer's appointments and the
//! conversation.

use std::sync::Arc;

use frontdesk::api::appointments::parse_booking;
use frontdesk::domain::booking::engine::{Busy, Slot};
use frontdesk::domain::{
    BusinessId, Channel, Conversation, ConversationKey, NewAppointment, RequestKey,
};
use frontdesk::store::{AppointmentQuery, Booking, Store};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::json;

use super::calls::FORM_FIELD;
use super::{check, e164, fresh, text, Outcome, Stored};
use crate::contract::Backends;

/// Zones a business may be set to: with and without DST, half-hour and odd offsets, both
/// hemispheres, the date line.
const ZONES: &[&str] = &[
    "Asia/Jerusalem",
    "Europe/London",
    "America/New_York",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "America/Santiago",
    "UTC",
];

/// A start as a client writes it: an instant within the booking horizon, in a zone's local
/// time with its offset, often on a DST change or a second either side of it.
fn start() -> impl Strategy<Value = (String, String)> {
    (
        prop::sample::select(ZONES),
        0i64..400 * 86_400,
        prop::sample::select(vec![None, Some(-1i64), Some(0), Some(1), Some(1800)]),
    )
        .prop_map(|(zone, seconds, around_change)| {
            let tz = TimeZone::get(zone).unwrap();
            let base: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
            let mut at = base + SignedDuration::from_secs(seconds);
            if let Some(offset) = around_change {
                if let Some(change) = tz.following(at).next() {
                    at = change.timestamp() + SignedDuration::from_secs(offset);
                }
            }
            let local = at.to_zoned(tz);
            (
                zone.to_string(),
                local.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            )
        })
}

/// A name as the API takes it (at most 100 characters, no controls) or as a WhatsApp profile
/// gives it to the booking dialogue (anything).
fn name() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        text(400).prop_map(|n| n
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect::<String>()),
        text(FORM_FIELD),
    ])
}

pub async fn every_booking_a_client_or_a_dialogue_can_make_reads_back_through_the_lists(
    b: &Backends,
) {
    // Slot and buffers within the longest block the settings allow (240 minutes).
    let booking = (
        start(),
        e164(),
        name(),
        5i64..=180,
        0i64..=30,
        prop::bool::ANY,
    );
    check(b, booking, booking_round_trip).await;
}

async fn booking_round_trip(
    store: Arc<dyn Store>,
    ((zone, start), phone, name, minutes, buffer, api): (
        (String, String),
        String,
        Option<String>,
        i64,
        i64,
        bool,
    ),
) -> Outcome {
    let business = BusinessId::parse(&format!("rt-appt-{}", fresh())).unwrap();
    let body = json!({"service": "checkup", "start": start, "phone": phone, "name": name});
    let (start, phone, name) = if api {
        let Ok(parsed) = parse_booking(body.to_string().as_bytes()) else {
            return Err(TestCaseError::reject("the API turns it away"));
        };
        (parsed.start, parsed.phone, parsed.name)
    } else {
        let at = frontdesk::api::appointments::parse_start("start", &start)
            .map_err(TestCaseError::fail)?;
        let phone = frontdesk::domain::PhoneNumber::parse(&phone).unwrap();
        (at, phone, name)
    };
    let slot = Slot {
        start,
        end: start + SignedDuration::from_mins(minutes),
    };
    let new = NewAppointment {
        business_id: business.clone(),
        service: frontdesk::domain::booking::settings::ServiceId::parse("checkup").unwrap(),
        slot,
        block: Busy {
            start: slot.start - SignedDuration::from_mins(buffer),
            end: slot.end + SignedDuration::from_mins(buffer),
        },
        timezone: zone,
        phone: phone.clone(),
        name,
        channel: if api { Channel::Api } else { Channel::Whatsapp },
        request: RequestKey::new("api", &[&fresh()]).unwrap(),
        at: Timestamp::now(),
    };
    let Booking::Booked(made) = store.book(&new, 1).await.stored("booking")? else {
        return Err(TestCaseError::fail("a free slot is booked"));
    };
    prop_assert_eq!(&made.name, &new.name);
    prop_assert_eq!(made.slot, new.slot);
    prop_assert_eq!(made.block, new.block);
    prop_assert_eq!(&made.timezone, &new.timezone);

    let week = store
        .list_appointments(
            &business,
            &AppointmentQuery {
                from: slot.start - SignedDuration::from_hours(24),
                to: slot.start + SignedDuration::from_hours(24),
                status: None,
                after: None,
                limit: 10,
            },
        )
        .await
        .stored("appointment list")?;
    prop_assert_eq!(
        &week.appointments,
        &vec![made.clone()],
        "the list shows the booking"
    );
    let read = store.appointment(&made.id).await.stored("appointment")?;
    prop_assert_eq!(read.as_ref(), Some(&made));
    let theirs = store
        .appointments_with(&business, &phone, None, 10)
        .await
        .stored("customer's appointments")?;
    prop_assert_eq!(&theirs.appointments, &vec![made.clone()]);
    let upcoming = store
        .customer_appointments(&business, &phone, slot.start - SignedDuration::from_mins(1))
        .await
        .stored("customer's upcoming")?;
    prop_assert_eq!(&upcoming, &vec![made]);
    Ok(())
}

pub async fn every_dialogue_state_reads_back_through_its_conversation(b: &Backends) {
    let state = (
        e164(),
        text(FORM_FIELD),
        prop::collection::vec(text(200), 0..6),
        any::<i64>(),
        0u32..u32::MAX,
    );
    check(b, state, conversation_round_trip).await;
}

/// A dialogue keeps what the customer said (any text) and integers of its own as JSON (no
/// floats: serde_json reads a float back only to within a last digit).
async fn conversation_round_trip(
    store: Arc<dyn Store>,
    (contact, said, options, number, version): (String, String, Vec<String>, i64, u32),
) -> Outcome {
    let business = BusinessId::parse(&format!("rt-conv-{}", fresh())).unwrap();
    let contact = frontdesk::domain::PhoneNumber::parse(&contact).unwrap();
    let now = Timestamp::now();
    let conversation = Conversation {
        key: ConversationKey::whatsapp(&business, &contact),
        business_id: business.clone(),
        state: json!({"said": said, "options": options, "n": number}),
        version: version.max(1),
        updated_at: now,
        expires_at: now + SignedDuration::from_hours(24),
    };
    let written = store
        .put_conversation(&conversation, None)
        .await
        .stored("conversation")?;
    prop_assert!(written);
    let read = store
        .conversation(&conversation.key)
        .await
        .stored("conversation")?;
    prop_assert_eq!(read, Some(conversation));
    Ok(())
}
