//! The one contract both backends pass: the embedded default (SQLite, SQLite queue, folder)
//! and AWS (DynamoDB, SQS, S3 on a local moto server). Each backend's module (`contract_aws`,
//! `contract_embedded`) invokes `contract_tests!` with a function that builds fresh backends.
//!
//! The cases live in one file per aggregate of the store, plus the queue and blob cases; this
//! file keeps what they share: the backends, unique ids and record builders.
//!
//! Tests may share one table, so every id is made unique per test.

pub mod alerts;
pub mod api_keys;
pub mod appointment_changes;
pub mod appointments;
pub mod businesses;
pub mod calls;
pub mod conversations;
pub mod deliveries;
pub mod find;
pub mod follow_ups;
pub mod inbox;
pub mod messages;
pub mod parked;
pub mod placements;
pub mod queue_and_blobs;
pub mod rates;
pub mod reminders;
pub mod round_trips;
pub mod timeline;
pub mod transcription;

use std::sync::Arc;

use frontdesk::blob::BlobStore;
use frontdesk::domain::{
    Business, BusinessId, CallSid, CallStatus, Direction, PhoneNumber, RecordingSid,
};
use frontdesk::domain::{CallStart, Recording, StatusUpdate};
use frontdesk::queue::Queue;
use frontdesk::store::Store;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

pub struct Backends {
    pub store: Arc<dyn Store>,
    pub queue: Arc<dyn Queue>,
    pub blobs: Arc<dyn BlobStore>,
    /// How many generated values each round-trip property writes: fewer where every write
    /// is an HTTP request to moto.
    pub cases: u32,
}

/// A suffix unique to this process and call.
pub fn unique() -> String {
    let n = frontdesk_testkit::unique::next();
    format!("{}{n}", std::process::id() % 100_000)
}

/// A unique E.164 number.
pub fn number() -> PhoneNumber {
    let n = frontdesk_testkit::unique::next();
    // Six digits of the counter: it is shared by every test in the binary, and two numbers of
    // one test must not wrap onto each other however many ids the others take meanwhile.
    PhoneNumber::parse(&format!(
        "+1555{:05}{:06}",
        std::process::id() % 100_000,
        n % 1_000_000
    ))
    .unwrap()
}

pub fn business(numbers: Vec<PhoneNumber>) -> Business {
    let mut b = Business::new(
        BusinessId::parse(&format!("biz-{}", unique())).unwrap(),
        "Acme Dental",
    );
    b.phone_numbers = numbers;
    b
}

pub fn call_sid() -> CallSid {
    CallSid::parse(&format!("CAtest{}", unique())).unwrap()
}

pub const T0: OffsetDateTime = datetime!(2026-11-21 10:00:00 UTC);

pub fn start(sid: &CallSid, business: &BusinessId) -> CallStart {
    CallStart {
        sid: sid.clone(),
        business_id: business.clone(),
        from: "+972501234567".into(),
        to: "+97233334444".into(),
        direction: Direction::Inbound,
        caller_name: Some("<Dana & \"Co\">".into()),
        status: CallStatus::Ringing,
        started_at: T0,
        placed: None,
    }
}

pub fn update(sid: &CallSid, status: CallStatus, sequence: Option<u32>) -> StatusUpdate {
    StatusUpdate {
        sid: sid.clone(),
        status,
        sequence,
        business_id: None,
        from: Some("+972501234567".into()),
        to: Some("+97233334444".into()),
        direction: Direction::Inbound,
        duration_seconds: status.is_final().then_some(42),
        at: T0 + Duration::seconds(i64::from(sequence.unwrap_or(0))),
        sip_response_code: None,
        answered_by: None,
    }
}

pub fn recording(sid: &str) -> Recording {
    Recording {
        sid: RecordingSid::parse(sid).unwrap(),
        url: format!("https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/{sid}"),
        duration_seconds: Some(12),
        digits: Some("*".into()),
    }
}

/// Every order of `items`.
pub fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let head = rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, head.clone());
            out.push(tail);
        }
    }
    out
}

/// One `#[tokio::test]` per contract function, for a backend built by `$make` (an async fn
/// returning `Backends`). Every case is listed here under its module.
#[macro_export]
macro_rules! contract_tests {
    ($make:path) => {
        $crate::contract_tests!(@each $make;
            businesses: [
                business_is_found_by_id_and_by_each_number,
                a_number_held_by_another_business_is_refused,
                updating_a_business_frees_the_numbers_it_dropped,
                deleting_a_business_frees_its_numbers_and_revokes_its_keys,
                businesses_are_listed_by_id
            ],
            calls: [
                a_repeated_call_start_changes_nothing,
                a_status_callback_before_the_start_creates_the_call,
                five_statuses_in_every_order_end_in_the_same_state,
                a_duplicate_status_callback_stores_one_event,
                events_come_back_in_sequence_order,
                recording_status_and_digits_are_kept,
                calls_are_listed_newest_first_filtered_and_paged
            ],
            transcription: [
                a_recording_is_attached_once,
                a_recording_for_an_unknown_call_creates_it,
                transcription_off_marks_the_recording_skipped,
                only_one_concurrent_claim_wins,
                the_backlog_holds_pending_and_stale_queued_calls,
                a_transcription_finishes_once_and_leaves_the_backlog,
                a_failed_transcription_keeps_its_reason_and_the_copy
            ],
            deliveries: [
                delivery_logs_and_webhook_secrets_round_trip,
                an_appointment_delivery_log_is_kept_apart_from_calls
            ],
            follow_ups: [
                each_follow_up_is_kept_apart_and_read_back,
                follow_ups_are_read_in_a_batch_and_as_a_businesss_recent_ones,
                a_calendar_key_is_set_replaced_removed_and_goes_with_its_business
            ],
            api_keys: [an_api_key_resolves_to_its_business_by_hash_only],
            alerts: [
                an_alert_is_claimed_once_and_its_attempts_kept,
                a_businesss_newest_alerts_come_first,
                a_calls_triage_is_kept_with_its_transcript,
                a_lookup_is_kept_per_number
            ],
            find: [
                customers_are_listed_by_their_latest_activity_and_paged,
                a_reply_answers_a_customer_and_an_older_one_does_not,
                calls_and_messages_are_found_by_their_words_newest_first,
                a_caller_name_and_transcript_are_one_entry_however_often_stored,
                a_search_reads_at_most_its_budget_and_goes_on_from_where_it_stopped
            ],
            inbox: [
                a_sign_in_link_is_taken_once_with_every_field,
                racing_takes_of_one_link_take_it_once,
                a_session_is_read_back_deleted_and_revoked_per_business,
                a_call_is_marked_handled_and_back_and_an_unknown_one_is_not_created,
                calls_are_listed_by_whether_they_still_need_a_call_back,
                the_inbox_key_is_made_once_and_kept,
                a_call_keeps_the_appointment_booked_on_it
            ],
            messages: [
                an_inbound_message_delivered_three_times_is_stored_once,
                sent_delivered_and_read_in_every_order_end_read_with_every_time,
                late_delivered_never_overwrites_read,
                an_error_code_is_never_erased_by_a_later_callback,
                a_status_before_the_message_creates_it_and_the_message_fills_it,
                a_conversation_is_listed_newest_first_in_pages,
                racing_status_callbacks_never_move_a_status_backwards
            ],
            rates: [call_attempts_are_counted_atomically_per_minute],
            parked: [a_message_is_parked_once_read_oldest_first_and_forgotten],
            placements: [
                a_placement_is_claimed_once_settled_and_released,
                a_placed_start_merges_with_callbacks_that_came_first,
                placements_are_counted_atomically_per_account_and_second
            ],
            reminders: [
                reminders_are_kept_moved_and_dropped_unless_sent,
                only_pending_reminders_due_by_now_are_read_and_each_is_claimed_once,
                a_save_for_a_moved_or_dropped_reminder_changes_nothing
            ],
            appointments: [
                a_booking_reads_back_with_every_field,
                a_block_that_does_not_hold_its_slot_is_refused,
                a_repeated_booking_request_books_once,
                a_spent_request_names_its_appointment_and_a_new_one_nothing,
                racing_copies_of_one_booking_request_book_once,
                twenty_racing_bookings_of_one_slot_book_exactly_once,
                racing_bookings_at_capacity_two_book_exactly_twice,
                blocks_sharing_one_cell_conflict_at_capacity_one,
                adjacent_blocks_both_book,
                appointments_are_listed_by_start_filtered_and_paged,
                busy_blocks_are_the_booked_blocks_overlapping_the_window,
                a_customers_appointments_are_their_booked_ones_soonest_first
            ],
            appointment_changes: [
                cancelling_frees_the_slot,
                cancelling_at_a_stale_version_conflicts,
                cancelling_twice_with_one_request_repeats,
                racing_cancellations_of_one_version_change_it_once,
                changing_an_unknown_appointment_is_not_found,
                rescheduling_moves_the_hold_atomically,
                rescheduling_onto_a_full_slot_is_taken_and_changes_nothing,
                rescheduling_onto_an_overlapping_slot_keeps_the_shared_cells,
                rescheduling_at_a_stale_version_conflicts,
                rescheduling_twice_with_one_request_repeats,
                a_reschedule_to_a_block_without_its_slot_is_refused
            ],
            conversations: [
                a_conversation_is_written_read_and_deleted,
                a_write_naming_a_stale_version_is_refused,
                racing_writers_of_one_version_write_once,
                an_expired_conversation_is_still_read
            ],
            round_trips: [
                every_call_a_webhook_can_start_reads_back_through_the_call_list,
                every_whatsapp_message_a_provider_can_send_reads_back_through_the_conversation,
                every_status_a_provider_can_report_reads_back_with_its_message,
                every_booking_a_client_or_a_dialogue_can_make_reads_back_through_the_lists,
                every_dialogue_state_reads_back_through_its_conversation,
                every_business_setting_reads_back_by_id_by_number_and_in_the_list,
                every_call_a_client_can_place_reads_back_as_its_placement,
                every_reminder_reads_back_through_the_due_list_its_claim_and_its_appointment,
                every_follow_up_record_reads_back_with_its_appointment_and_in_a_batch,
                every_alert_record_reads_back_by_key_and_in_the_businesss_recent_alerts,
                every_lookup_and_triage_reads_back_per_number_and_with_its_call,
                every_api_key_reads_back_as_the_business_it_was_made_for,
                every_delivery_log_reads_back_with_its_event,
                every_sign_in_link_and_session_reads_back_by_its_hash,
                every_failed_or_skipped_transcription_reads_back_with_its_reason,
                every_parked_message_reads_back_oldest_first_until_sent,
                a_callback_timestamped_at_offset_plus_24_hours_reads_back,
                a_meta_message_dated_before_the_year_0_reads_back_in_its_conversation,
                a_duration_sent_with_a_live_status_is_kept_only_once_the_call_ends
            ],
            queue_and_blobs: [
                blobs_round_trip_with_type_length_and_etag,
                queue_accepts_messages_and_repeats
            ],
            timeline: [
                a_customers_calls_are_theirs_alone_newest_first_in_pages,
                a_placed_call_is_on_the_timeline_of_the_customer_it_rang,
                a_customers_appointments_are_all_of_theirs_latest_booked_first,
                a_number_is_blocked_and_unblocked_and_nothing_else_changes,
                racing_blocks_of_different_numbers_keep_them_all,
                a_form_key_is_claimed_once_per_business_also_when_raced
            ]
        );
    };
    (@each $make:path; $($module:ident: [$($name:ident),*]),*) => {
        $($(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let backends = $make().await;
                $crate::contract::$module::$name(&backends).await;
            }
        )*)*
    };
}
