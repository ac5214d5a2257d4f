//! Round trips: every value Frontdesk accepts from a provider or a client is one the store
//! writes and reads back through the API that shows it. Each property generates what the
//! edge accepts (the edge's own parsers build the values where there is one), writes it
//! through the store trait, and reads it back the way the inbox, the calls API or the
//! appointments API read it.
//!
//! The store calls are async and proptest's runner is not, so [`check`] drives proptest's
//! value trees by hand: one case after another on the test's runtime, and a failing case
//! shrunk the same way before it is reported with the value that failed.

pub mod alerts;
pub mod api_keys;
pub mod appointments;
pub mod businesses;
pub mod calls;
pub mod deliveries;
pub mod follow_ups;
pub mod inbox;
pub mod messages;
pub mod parked;
pub mod regressions;
pub mod reminders;
pub mod transcription;

pub use alerts::{
    every_alert_record_reads_back_by_key_and_in_the_businesss_recent_alerts,
    every_lookup_and_triage_reads_back_per_number_and_with_its_call,
};
pub use api_keys::every_api_key_reads_back_as_the_business_it_was_made_for;

pub use appointments::{
    every_booking_a_client_or_a_dialogue_can_make_reads_back_through_the_lists,
    every_dialogue_state_reads_back_through_its_conversation,
};
pub use businesses::{
    every_business_setting_reads_back_by_id_by_number_and_in_the_list,
    every_call_a_client_can_place_reads_back_as_its_placement,
};
pub use calls::every_call_a_webhook_can_start_reads_back_through_the_call_list;
pub use deliveries::every_delivery_log_reads_back_with_its_event;
pub use follow_ups::every_follow_up_record_reads_back_with_its_appointment_and_in_a_batch;
pub use inbox::every_sign_in_link_and_session_reads_back_by_its_hash;
pub use messages::{
    every_status_a_provider_can_report_reads_back_with_its_message,
    every_whatsapp_message_a_provider_can_send_reads_back_through_the_conversation,
};
pub use parked::every_parked_message_reads_back_oldest_first_until_sent;
pub use regressions::{
    a_callback_timestamped_at_offset_plus_24_hours_reads_back,
    a_duration_sent_with_a_live_status_is_kept_only_once_the_call_ends,
    a_meta_message_dated_before_the_year_0_reads_back_in_its_conversation,
};
pub use reminders::every_reminder_reads_back_through_the_due_list_its_claim_and_its_appointment;
pub use transcription::every_failed_or_skipped_transcription_reads_back_with_its_reason;

use std::fmt::Debug;
use std::future::Future;
use std::sync::Arc;

use frontdesk::store::{Store, StoreError};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::Backends;

/// The result of one case: `Err` names what did not read back.
pub type Outcome = Result<(), TestCaseError>;

/// Writes `backends.cases` values of `strategy` through `property`, one after another; the
/// first that fails is shrunk and the test panics with it.
pub async fn check<S, F, Fut>(backends: &Backends, strategy: S, property: F)
where
    S: Strategy,
    S::Value: Debug + Clone,
    F: Fn(Arc<dyn Store>, S::Value) -> Fut,
    Fut: Future<Output = Outcome>,
{
    let cases = backends.cases;
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    for case in 0..cases {
        let mut tree = strategy
            .new_tree(&mut runner)
            .expect("the strategy makes a value");
        let first = match attempt(backends, &property, tree.current()).await {
            // A value the edge turns away is never stored: nothing to read back.
            Ok(()) | Err(TestCaseError::Reject(_)) => continue,
            Err(TestCaseError::Fail(why)) => why,
        };
        // Shrinking writes again; each attempt makes its own ids, so none sees another's data.
        let (mut failing, mut reason) = (format!("{:#?}", tree.current()), first);
        let mut steps = 0;
        let mut simpler = tree.simplify();
        while simpler && steps < 4 * cases {
            steps += 1;
            match attempt(backends, &property, tree.current()).await {
                Err(TestCaseError::Fail(why)) => {
                    (failing, reason) = (format!("{:#?}", tree.current()), why);
                    simpler = tree.simplify();
                }
                Ok(()) | Err(TestCaseError::Reject(_)) => simpler = tree.complicate(),
            }
        }
        panic!(
            "case {case} of {cases} did not round-trip: {}\nvalue (shrunk {steps} steps): {}",
            shown(&reason.to_string()),
            shown(&failing)
        );
    }
}

/// Marks a failure that is the backend being unreachable or slow, not a value it refused.
const UNAVAILABLE: &str = "unavailable: ";

/// One case, tried again (with fresh ids) while the backend only timed out: moto, shared by
/// every test of the suite on two cores, now and then takes longer than the store's deadline.
async fn attempt<V, F, Fut>(backends: &Backends, property: &F, value: V) -> Outcome
where
    V: Clone,
    F: Fn(Arc<dyn Store>, V) -> Fut,
    Fut: Future<Output = Outcome>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match property(backends.store.clone(), value.clone()).await {
            Err(TestCaseError::Fail(why))
                if why.message().starts_with(UNAVAILABLE) && tries < 3 => {}
            outcome => return outcome,
        }
    }
}

/// At most a screenful of a value: a long generated text repeats itself.
fn shown(value: &str) -> String {
    const MOST: usize = 4000;
    match value.char_indices().nth(MOST) {
        Some((cut, _)) => format!("{}… ({} bytes in all)", &value[..cut], value.len()),
        None => value.to_string(),
    }
}

/// A store call's error as a failed case.
pub trait Stored<T> {
    fn stored(self, what: &str) -> Result<T, TestCaseError>;
}

impl<T> Stored<T> for Result<T, StoreError> {
    fn stored(self, what: &str) -> Result<T, TestCaseError> {
        self.map_err(|e| match e {
            StoreError::Unavailable(_) => TestCaseError::fail(format!("{UNAVAILABLE}{what}: {e}")),
            e => TestCaseError::fail(format!("{what}: {e}")),
        })
    }
}

/// Characters that break stores, pages and parsers, mixed into free text more often than
/// chance would: NUL and other controls, bidi and joiner marks, the byte order mark, the
/// replacement and last code points, a key separator, quotes, markup and emoji.
const AWKWARD: &[char] = &[
    '\0',
    '\u{1}',
    '\u{1b}',
    '\u{7f}',
    '\u{85}',
    '\u{200b}',
    '\u{200d}',
    '\u{200e}',
    '\u{200f}',
    '\u{202e}',
    '\u{2066}',
    '\u{feff}',
    '\u{fffd}',
    '\u{10ffff}',
    '\u{301}',
    '#',
    '%',
    '"',
    '\'',
    '\\',
    '<',
    '&',
    '\n',
    '\t',
    'ש',
    'ע',
    'ك',
    '字',
    '😀',
    '👩',
    '🏽',
    '\u{1f1ee}',
];

/// One character of free text: any scalar value, the awkward ones weighted up.
fn character() -> impl Strategy<Value = char> {
    prop_oneof![3 => any::<char>(), 1 => prop::sample::select(AWKWARD)]
}

/// Free text as a form field's `non_empty` gives it: any Unicode, trimmed, not empty, up to
/// `max_bytes` (short mostly, now and then as long as the edge lets through).
pub fn text(max_bytes: usize) -> impl Strategy<Value = String> {
    let short = prop::collection::vec(character(), 1..24).prop_map(String::from_iter);
    let long = (
        prop::collection::vec(character(), 1..8).prop_map(String::from_iter),
        0..=max_bytes,
    )
        .prop_map(move |(unit, bytes)| {
            let mut long = unit.repeat(bytes / unit.len().max(1) + 1);
            let mut cut = max_bytes.min(bytes.max(1));
            while !long.is_char_boundary(cut) {
                cut -= 1;
            }
            long.truncate(cut);
            long
        });
    prop_oneof![6 => short, 1 => long]
        .prop_map(|s| s.trim().to_string())
        .prop_filter("a form's non_empty value", |s| !s.is_empty())
}

/// An E.164 number as `PhoneNumber::parse` accepts and writes it: 7 to 15 digits, no
/// leading 0.
pub fn e164() -> impl Strategy<Value = String> {
    "[1-9][0-9]{6,14}".prop_map(|digits| format!("+{digits}"))
}

/// A fresh id's suffix that also tells the cases of one property apart.
pub fn fresh() -> String {
    super::unique()
}

/// An instant as Frontdesk stamps its records (the clock's now, to the nanosecond), anywhere
/// from 2000 to 2200: whole seconds now and then, else any fraction.
pub fn instant() -> impl Strategy<Value = jiff::Timestamp> {
    let seconds = 946_684_800i64..7_258_118_400;
    let nanos = prop_oneof![1 => Just(0i32), 3 => 0..1_000_000_000i32];
    (seconds, nanos).prop_map(|(s, n)| jiff::Timestamp::new(s, n).expect("in jiff's range"))
}

/// [`instant`] as the `time` crate's type, for the records that keep one.
pub fn offset_instant() -> impl Strategy<Value = time::OffsetDateTime> {
    instant().prop_map(|at| {
        time::OffsetDateTime::from_unix_timestamp_nanos(at.as_nanosecond())
            .expect("in time's range")
    })
}
