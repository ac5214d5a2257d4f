//! The DynamoDB store: one table, every record keyed by `pk` (partition) and `sk` (sort).
//!
//! | record | `pk` | `sk` | other attributes |
//! | --- | --- | --- | --- |
//! | business | `BIZ#{id}` | `PROFILE` | `data` (the `Business` as JSON), `gsi1pk` = `BIZ`, `gsi1sk` = `{id}` |
//! | phone index | `PHONE#{e164}` | `PHONE` | `business_id` |
//! | call | `CALL#{sid}` | `CALL` | `status`, `status_rank`, `status_seq`, `business_id`, `from`, `to`, `direction`, `caller_name`, `started_at`, `ended_at`, `duration_seconds`, `recording_sid`, `recording_url`, `recording_duration`, `recording_digits`, `recording_status`, `transcription`, `transcription_queued_at`, `gathered_digits`, `purpose`, `requested_by`, `answered_by`, `handled` (a boolean; absent reads as false), `appointment_id` (booked on the call by phone), `revision`; once its business and start are known `gsi1pk` = `BIZ#{business}#CALLS`, `gsi1sk` = `{started_at}#{sid}`. No `status` while the call is known only from its recording or digits (it reads as `in-progress`) |
//! | call event | `CALL#{sid}` | `EVENT#{sequence, 10 digits}#{status}`, or `EVENT#-#{status}` without a sequence | `status`, `sequence`, `at`, `duration_seconds`, `sip_response_code` |
//! | transcription work-list | `RECON` | `CALL#{sid}` | `since`; present while the call's transcription is `pending` or `queued` |
//! | call media | `CALL#{sid}` | `MEDIA` | `recording_key`, `transcript`, `language`, `reason`, `finished_at`, `triage` |
//! | delivery log | `CALL#{sid}` (a call's event) or `APPT#{id}` (an appointment's) | `DELIVERY#{event id}` | `data` (the `DeliveryLog` as JSON) |
//! | webhook secret | `BIZ#{id}` | `WEBHOOK_SECRET` | `secret` |
//! | API key | `APIKEY#{sha256 hex}` | `APIKEY` | `business_id`, `created_at` (the key itself is never stored) |
//! | a business's API key | `BIZ#{id}` | `APIKEY#{sha256 hex}` | `created_at`: so deleting the business finds its keys |
//! | rate counter | `RATE#{business}#{from}#{minute_start}` | `RATE` | `n`, `expires_at` (minute start + 180 s) |
//! | pacing counter | `PACE#{account sid}#{second}` | `PACE` | `n`, `expires_at` (second + 180 s) |
//! | call placement | `PLACEMENT#{id}` | `PLACEMENT` | `business_id`, `data` (the `Placement` as JSON), `expires_at` (created + 7 days) |
//! | parked queue message | `PARKED` | `{queue}#{dedup id}` | `queue`, `dedup_id`, `data` (the body), `at`; present while its queue was down and the reconciler has not sent it |
//!
//! GSI `gsi1` (`gsi1pk`, `gsi1sk`, all attributes): businesses in id order, a business's calls
//! in start order (and, in the other files' records, a conversation's messages, a business's
//! appointments, follow-ups, customers and search entries). TTL attribute: `expires_at` (Unix seconds). Timestamps: RFC 3339 (`format_time`).
//!
//! Writes a retried webhook could repeat are conditional. A call is read, changed in memory
//! with [`status_advances`](crate::domain::call::status_advances) deciding its status, and
//! written back only if its `revision` is still the one read; a writer that loses the race reads
//! again. So two copies of one callback arriving together have exactly one effect.
//!
//! One file per aggregate (WhatsApp messages', appointments', conversations', follow-ups',
//! the inbox's, the find indexes' and the alerts' records are described in `messages.rs`,
//! `appointments.rs`, `conversations.rs`, `follow_ups.rs`, `inbox.rs`, `find.rs` and `alerts.rs`), and three
//! they share: `keys.rs` (the key design and attribute names), `item.rs` (attribute values and
//! items back to domain records), `expr.rs` (expressions under placeholders, conditional writes
//! and transactions).

mod alerts;
mod api_keys;
mod appointment_transactions;
mod appointments;
mod businesses;
mod calls;
mod conversations;
mod deliveries;
mod expr;
mod find;
mod follow_ups;
mod inbox;
mod item;
mod keys;
mod messages;
mod parked;
mod placements;
mod rates;
mod reminders;
mod timeline;
mod transcription;

use std::time::Duration;

use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification, TimeToLiveStatus,
};

use crate::store::StoreError;
pub use keys::{GSI1, GSI1_PARTITION_KEY, GSI1_SORT_KEY, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE};
pub use rates::RATE_COUNTER_TTL_SECONDS;

pub struct DynamoStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

/// Creates Frontdesk's table (on-demand, `pk`/`sk`, GSI `gsi1`, TTL on `expires_at`) and waits
/// until it is usable. A table that already exists is kept; its TTL is enabled if it is not.
pub async fn create_table(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<(), StoreError> {
    let string_attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(request_error)
    };
    let key = |name: &str, key_type: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(key_type)
            .build()
            .map_err(request_error)
    };
    let gsi1 = GlobalSecondaryIndex::builder()
        .index_name(GSI1)
        .key_schema(key(GSI1_PARTITION_KEY, KeyType::Hash)?)
        .key_schema(key(GSI1_SORT_KEY, KeyType::Range)?)
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .map_err(request_error)?;
    let created = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(string_attribute(PARTITION_KEY)?)
        .attribute_definitions(string_attribute(SORT_KEY)?)
        .attribute_definitions(string_attribute(GSI1_PARTITION_KEY)?)
        .attribute_definitions(string_attribute(GSI1_SORT_KEY)?)
        .key_schema(key(PARTITION_KEY, KeyType::Hash)?)
        .key_schema(key(SORT_KEY, KeyType::Range)?)
        .global_secondary_indexes(gsi1)
        .send()
        .await;
    match created {
        Ok(_) => {}
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) => {}
        Err(e) => return Err(unavailable("CreateTable", e)),
    }

    // Real DynamoDB takes seconds to create a table, and TTL can only be set on an active one.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let described = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| unavailable("DescribeTable", e))?;
        if described.table.as_ref().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
            break;
        }
        if tokio::time::Instant::now() > deadline {
            return Err(StoreError::Unavailable(format!(
                "table {table} did not become active"
            )));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let ttl = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|e| unavailable("DescribeTimeToLive", e))?;
    let ttl_status = ttl
        .time_to_live_description
        .as_ref()
        .and_then(|d| d.time_to_live_status());
    if !matches!(
        ttl_status,
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
    ) {
        client
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(TTL_ATTRIBUTE)
                    .enabled(true)
                    .build()
                    .map_err(request_error)?,
            )
            .send()
            .await
            .map_err(|e| unavailable("UpdateTimeToLive", e))?;
    }
    Ok(())
}

// ---- errors --------------------------------------------------------------------------------

/// Any failure to get an answer from DynamoDB: timeouts, dispatch failures, throttling and
/// service errors alike. The display chain names the cause; the request's credentials never
/// appear in it.
fn unavailable<E, R>(operation: &str, error: SdkError<E, R>) -> StoreError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    StoreError::Unavailable(format!(
        "dynamodb {operation}: {}",
        DisplayErrorContext(&error)
    ))
}

fn request_error(error: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Unavailable(format!("dynamodb request could not be built: {error}"))
}
