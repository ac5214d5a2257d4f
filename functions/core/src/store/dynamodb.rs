//! The DynamoDB store: one table, every record keyed by `pk` (partition) and `sk` (sort).
//!
//! | record | `pk` | `sk` | other attributes |
//! | --- | --- | --- | --- |
//! | business | `BIZ#{id}` | `PROFILE` | `data` (the `Business` as JSON), `gsi1pk` = `BIZ`, `gsi1sk` = `{id}` |
//! | phone index | `PHONE#{e164}` | `PHONE` | `business_id` |
//! | call | `CALL#{sid}` | `CALL` | `status`, `status_rank`, `status_seq`, `business_id`, `from`, `to`, `direction`, `caller_name`, `started_at`, `ended_at`, `duration_seconds`, `recording_sid`, `recording_url`, `recording_duration`, `recording_digits`, `recording_status`, `transcription`, `transcription_queued_at`, `gathered_digits`, `revision`; once its business and start are known `gsi1pk` = `BIZ#{business}#CALLS`, `gsi1sk` = `{started_at}#{sid}`. No `status` while the call is known only from its recording or digits (it reads as `in-progress`) |
//! | call event | `CALL#{sid}` | `EVENT#{sequence, 10 digits}#{status}`, or `EVENT#-#{status}` without a sequence | `status`, `sequence`, `at`, `duration_seconds`, `sip_response_code` |
//! | transcription work-list | `RECON` | `CALL#{sid}` | `since`; present while the call's transcription is `pending` or `queued` |
//! | call media | `CALL#{sid}` | `MEDIA` | `recording_key`, `transcript`, `language`, `reason`, `finished_at` |
//! | delivery log | `CALL#{sid}` | `DELIVERY#{event id}` | `data` (the `DeliveryLog` as JSON) |
//! | webhook secret | `BIZ#{id}` | `WEBHOOK_SECRET` | `secret` |
//! | API key | `APIKEY#{sha256 hex}` | `APIKEY` | `business_id`, `created_at` (the key itself is never stored) |
//! | a business's API key | `BIZ#{id}` | `APIKEY#{sha256 hex}` | `created_at`: so deleting the business finds its keys |
//! | rate counter | `RATE#{business}#{from}#{minute_start}` | `RATE` | `n`, `expires_at` (minute start + 180 s) |
//!
//! GSI `gsi1` (`gsi1pk`, `gsi1sk`, all attributes): businesses in id order, a business's calls
//! in start order. TTL attribute: `expires_at` (Unix seconds). Timestamps: RFC 3339 (`format_time`).
//!
//! Writes a retried webhook could repeat are conditional. A call is read, changed in memory
//! with [`status_advances`] deciding its status, and written back only if its `revision` is
//! still the one read; a writer that loses the race reads again. So two copies of one callback
//! arriving together have exactly one effect.

mod messages;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, Delete, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, KeysAndAttributes, Projection, ProjectionType, Put, ReturnValue,
    ScalarAttributeType, TableStatus, TimeToLiveSpecification, TimeToLiveStatus, TransactWriteItem,
    Update,
};
use time::OffsetDateTime;

use super::{list_position, CallPage, CallQuery};
use super::{parse_time, RecordingAttach, StoreError};
use super::{ApiKeyStore, BusinessStore, CallStore, DeliveryStore, RateStore, TranscriptionStore};
use crate::config::Secret;
use crate::domain::call::status_advances;
use crate::domain::time::format_time;
use crate::domain::{
    ApiKeyHash, Business, BusinessId, Call, CallEvent, CallMedia, CallSid, CallStart, CallStatus,
    DeliveryLog, Direction, PhoneNumber, Recording, RecordingSid, StatusUpdate,
    TranscriptionOutcome, TranscriptionState,
};

pub const PARTITION_KEY: &str = "pk";
pub const SORT_KEY: &str = "sk";
pub const GSI1: &str = "gsi1";
pub const GSI1_PARTITION_KEY: &str = "gsi1pk";
pub const GSI1_SORT_KEY: &str = "gsi1sk";
pub const TTL_ATTRIBUTE: &str = "expires_at";
/// How long a rate counter outlives the start of its minute.
pub const RATE_COUNTER_TTL_SECONDS: i64 = 180;

// Call attributes.
const STATUS: &str = "status";
const STATUS_RANK: &str = "status_rank";
const STATUS_SEQ: &str = "status_seq";
const BUSINESS_ID: &str = "business_id";
const FROM: &str = "from";
const TO: &str = "to";
const DIRECTION: &str = "direction";
const CALLER_NAME: &str = "caller_name";
const STARTED_AT: &str = "started_at";
const ENDED_AT: &str = "ended_at";
const DURATION_SECONDS: &str = "duration_seconds";
const RECORDING_SID: &str = "recording_sid";
const RECORDING_URL: &str = "recording_url";
const RECORDING_DURATION: &str = "recording_duration";
const RECORDING_DIGITS: &str = "recording_digits";
const RECORDING_STATUS: &str = "recording_status";
const TRANSCRIPTION: &str = "transcription";
const TRANSCRIPTION_QUEUED_AT: &str = "transcription_queued_at";
const GATHERED_DIGITS: &str = "gathered_digits";
const REVISION: &str = "revision";
// Other records' attributes.
const DATA: &str = "data";
const SEQUENCE: &str = "sequence";
const AT: &str = "at";
const SIP_RESPONSE_CODE: &str = "sip_response_code";
const SINCE: &str = "since";
const COUNT: &str = "n";

const PROFILE_SK: &str = "PROFILE";
const PHONE_SK: &str = "PHONE";
const CALL_SK: &str = "CALL";
const RATE_SK: &str = "RATE";
const API_KEY_SK: &str = "APIKEY";
const MEDIA_SK: &str = "MEDIA";
const WEBHOOK_SECRET_SK: &str = "WEBHOOK_SECRET";
const DELIVERY_PREFIX: &str = "DELIVERY#";
const RECORDING_KEY: &str = "recording_key";
const TRANSCRIPT: &str = "transcript";
const LANGUAGE: &str = "language";
const REASON: &str = "reason";
const FINISHED_AT: &str = "finished_at";
const SECRET: &str = "secret";
const CREATED_AT: &str = "created_at";
const RECON_PK: &str = "RECON";
const BUSINESSES_GSI1PK: &str = "BIZ";
const EVENT_PREFIX: &str = "EVENT#";

/// Read-then-conditional-write rounds before a contended write gives up.
const MAX_WRITE_ROUNDS: usize = 8;
/// BatchGetItem takes at most 100 keys.
const BATCH_GET_LIMIT: usize = 100;

/// How a call known only from its recording or gathered digits reads: it was answered. No
/// status is stored for it, so the first lifecycle callback sets one whatever it is.
const UNKNOWN_STATUS_READS_AS: CallStatus = CallStatus::InProgress;

type Item = HashMap<String, AttributeValue>;

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

// ---- keys ----------------------------------------------------------------------------------

fn key(pk: String, sk: &str) -> Item {
    HashMap::from([
        (PARTITION_KEY.to_string(), s(pk)),
        (SORT_KEY.to_string(), s(sk)),
    ])
}

/// The partition of everything that belongs to one business.
fn business_partition(id: &BusinessId) -> String {
    format!("BIZ#{id}")
}

fn business_key(id: &BusinessId) -> Item {
    key(business_partition(id), PROFILE_SK)
}

fn phone_key(number: &PhoneNumber) -> Item {
    key(format!("PHONE#{number}"), PHONE_SK)
}

fn call_pk(sid: &CallSid) -> String {
    format!("CALL#{sid}")
}

fn call_key(sid: &CallSid) -> Item {
    key(call_pk(sid), CALL_SK)
}

fn event_sk(status: CallStatus, sequence: Option<u32>) -> String {
    match sequence {
        Some(sequence) => format!(
            "{EVENT_PREFIX}{sequence:010}#{status}",
            status = status.as_str()
        ),
        None => format!("{EVENT_PREFIX}-#{status}", status = status.as_str()),
    }
}

fn recon_key(sid: &CallSid) -> Item {
    key(RECON_PK.to_string(), &format!("CALL#{sid}"))
}

fn rate_key(business: &BusinessId, from: &str, minute_start: i64) -> Item {
    key(format!("RATE#{business}#{from}#{minute_start}"), RATE_SK)
}

fn api_key_key(hash: &ApiKeyHash) -> Item {
    key(format!("APIKEY#{hash}"), API_KEY_SK)
}

fn media_key(sid: &CallSid) -> Item {
    key(call_pk(sid), MEDIA_SK)
}

fn delivery_key(sid: &CallSid, event_id: &str) -> Item {
    key(call_pk(sid), &format!("{DELIVERY_PREFIX}{event_id}"))
}

fn business_api_key_key(business: &BusinessId, hash: &ApiKeyHash) -> Item {
    key(
        business_partition(business),
        &format!("{API_KEY_SK}#{hash}"),
    )
}

fn webhook_secret_key(business: &BusinessId) -> Item {
    key(business_partition(business), WEBHOOK_SECRET_SK)
}

fn calls_gsi1pk(business: &BusinessId) -> String {
    format!("BIZ#{business}#CALLS")
}

// ---- attribute values ----------------------------------------------------------------------

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn get_s<'a>(item: &'a Item, name: &str) -> Result<Option<&'a str>, StoreError> {
    match item.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::S(value)) => Ok(Some(value)),
        Some(other) => Err(StoreError::Corrupt(format!(
            "attribute `{name}` is not a string: {other:?}"
        ))),
    }
}

fn get_n<T: std::str::FromStr>(item: &Item, name: &str) -> Result<Option<T>, StoreError> {
    match item.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::N(value)) => value.parse().map(Some).map_err(|_| {
            StoreError::Corrupt(format!(
                "attribute `{name}` is not a fitting number: {value}"
            ))
        }),
        Some(other) => Err(StoreError::Corrupt(format!(
            "attribute `{name}` is not a number: {other:?}"
        ))),
    }
}

fn get_time(item: &Item, name: &str) -> Result<Option<OffsetDateTime>, StoreError> {
    get_s(item, name)?.map(parse_time).transpose()
}

fn required<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    get_s(item, name)?.ok_or_else(|| StoreError::Corrupt(format!("attribute `{name}` is missing")))
}

fn corrupt(what: &str) -> impl Fn(crate::domain::ParseError) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

fn business_from_item(item: &Item) -> Result<Business, StoreError> {
    serde_json::from_str(required(item, DATA)?)
        .map_err(|e| StoreError::Corrupt(format!("business document: {e}")))
}

fn call_from_item(item: &Item) -> Result<Call, StoreError> {
    let pk = required(item, PARTITION_KEY)?;
    let sid =
        CallSid::parse(pk.strip_prefix("CALL#").unwrap_or(pk)).map_err(corrupt("call key"))?;
    let status = match get_s(item, STATUS)? {
        Some(status) => CallStatus::parse(status)
            .ok_or_else(|| StoreError::Corrupt(format!("call status `{status}`")))?,
        None => UNKNOWN_STATUS_READS_AS,
    };
    let recording = match get_s(item, RECORDING_SID)? {
        Some(recording_sid) => Some(Recording {
            sid: RecordingSid::parse(recording_sid).map_err(corrupt("recording sid"))?,
            url: required(item, RECORDING_URL)?.to_string(),
            duration_seconds: get_n(item, RECORDING_DURATION)?,
            digits: get_s(item, RECORDING_DIGITS)?.map(str::to_string),
        }),
        None => None,
    };
    let transcription = match get_s(item, TRANSCRIPTION)? {
        Some(state) => Some(
            TranscriptionState::parse(state)
                .ok_or_else(|| StoreError::Corrupt(format!("transcription state `{state}`")))?,
        ),
        None => None,
    };
    Ok(Call {
        sid,
        business_id: get_s(item, BUSINESS_ID)?
            .map(BusinessId::parse)
            .transpose()
            .map_err(corrupt("call business"))?,
        from: get_s(item, FROM)?.map(str::to_string),
        to: get_s(item, TO)?.map(str::to_string),
        direction: get_s(item, DIRECTION)?
            .map(Direction::parse)
            .unwrap_or(Direction::Inbound),
        caller_name: get_s(item, CALLER_NAME)?.map(str::to_string),
        status,
        status_sequence: get_n(item, STATUS_SEQ)?,
        started_at: get_time(item, STARTED_AT)?,
        ended_at: get_time(item, ENDED_AT)?,
        duration_seconds: get_n(item, DURATION_SECONDS)?,
        recording,
        recording_status: get_s(item, RECORDING_STATUS)?.map(str::to_string),
        transcription,
        transcription_queued_at: get_time(item, TRANSCRIPTION_QUEUED_AT)?,
        gathered_digits: get_s(item, GATHERED_DIGITS)?.map(str::to_string),
    })
}

fn event_from_item(item: &Item) -> Result<CallEvent, StoreError> {
    let status = required(item, STATUS)?;
    Ok(CallEvent {
        status: CallStatus::parse(status)
            .ok_or_else(|| StoreError::Corrupt(format!("event status `{status}`")))?,
        sequence: get_n(item, SEQUENCE)?,
        at: parse_time(required(item, AT)?)?,
        duration_seconds: get_n(item, DURATION_SECONDS)?,
    })
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

fn contended(what: &str) -> StoreError {
    StoreError::Unavailable(format!(
        "{what}: still contended after {MAX_WRITE_ROUNDS} attempts"
    ))
}

/// How a transaction ended when it did not fail outright.
enum Transaction {
    Committed,
    /// Cancelled; one reason code per item, in request order (`None` for items that passed).
    /// `TransactionConflict` means another write held an item: read again and retry.
    Cancelled(Vec<Option<String>>),
}

// ---- expressions ---------------------------------------------------------------------------

/// Expression attribute names and values under generated placeholders, so no attribute name
/// can clash with DynamoDB's reserved words (`status`, `from`, `to`, `data`…).
#[derive(Default)]
struct Placeholders {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Placeholders {
    fn name(&mut self, attribute: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, a)| a.as_str() == attribute) {
            return placeholder.clone();
        }
        let placeholder = format!("#a{}", self.names.len());
        self.names
            .insert(placeholder.clone(), attribute.to_string());
        placeholder
    }

    fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// DynamoDB refuses empty maps, so an empty one is sent as absent.
    fn into_maps(self) -> (Option<HashMap<String, String>>, Option<Item>) {
        (
            (!self.names.is_empty()).then_some(self.names),
            (!self.values.is_empty()).then_some(self.values),
        )
    }
}

/// An UpdateItem's expressions, built against the item as it was read (`loaded`), so `fill`
/// can set only what the stored item lacks.
struct Changes<'a> {
    loaded: Option<&'a Item>,
    placeholders: Placeholders,
    sets: Vec<String>,
    removes: Vec<String>,
    adds: Vec<String>,
    condition: Option<String>,
}

impl<'a> Changes<'a> {
    fn against(loaded: Option<&'a Item>) -> Self {
        Self {
            loaded,
            placeholders: Placeholders::default(),
            sets: Vec::new(),
            removes: Vec::new(),
            adds: Vec::new(),
            condition: None,
        }
    }

    fn blind() -> Self {
        Self::against(None)
    }

    fn is_empty(&self) -> bool {
        self.sets.is_empty() && self.removes.is_empty() && self.adds.is_empty()
    }

    fn lacks(&self, attribute: &str) -> bool {
        self.loaded.is_none_or(|item| !item.contains_key(attribute))
    }

    fn set(&mut self, attribute: &str, value: AttributeValue) {
        let name = self.placeholders.name(attribute);
        let value = self.placeholders.value(value);
        self.sets.push(format!("{name} = {value}"));
    }

    /// Sets `attribute` if the item as read lacks it.
    fn fill(&mut self, attribute: &str, value: AttributeValue) {
        if self.lacks(attribute) {
            self.set(attribute, value);
        }
    }

    fn fill_opt(&mut self, attribute: &str, value: Option<AttributeValue>) {
        if let Some(value) = value {
            self.fill(attribute, value);
        }
    }

    fn remove(&mut self, attribute: &str) {
        let name = self.placeholders.name(attribute);
        self.removes.push(name);
    }

    fn add(&mut self, attribute: &str, value: AttributeValue) {
        let name = self.placeholders.name(attribute);
        let value = self.placeholders.value(value);
        self.adds.push(format!("{name} {value}"));
    }

    fn bump_revision(&mut self) {
        let name = self.placeholders.name(REVISION);
        let zero = self.placeholders.value(n(0));
        let one = self.placeholders.value(n(1));
        self.sets
            .push(format!("{name} = if_not_exists({name}, {zero}) + {one}"));
    }

    /// Writes only if the item is still as read: absent, or at the revision read.
    fn unless_changed(&mut self) -> Result<(), StoreError> {
        let condition = match self.loaded {
            None => format!(
                "attribute_not_exists({})",
                self.placeholders.name(PARTITION_KEY)
            ),
            Some(item) => match get_n::<u64>(item, REVISION)? {
                Some(revision) => {
                    let name = self.placeholders.name(REVISION);
                    format!("{name} = {}", self.placeholders.value(n(revision)))
                }
                None => format!("attribute_not_exists({})", self.placeholders.name(REVISION)),
            },
        };
        self.condition = Some(condition);
        Ok(())
    }

    fn only_if_equals(&mut self, attribute: &str, value: AttributeValue) {
        let name = self.placeholders.name(attribute);
        let value = self.placeholders.value(value);
        self.condition = Some(format!("{name} = {value}"));
    }

    /// Takes the expressions: update, condition, names, values.
    #[allow(clippy::type_complexity)]
    fn into_parts(
        self,
    ) -> (
        String,
        Option<String>,
        Option<HashMap<String, String>>,
        Option<Item>,
    ) {
        let mut clauses = Vec::new();
        if !self.sets.is_empty() {
            clauses.push(format!("SET {}", self.sets.join(", ")));
        }
        if !self.removes.is_empty() {
            clauses.push(format!("REMOVE {}", self.removes.join(", ")));
        }
        if !self.adds.is_empty() {
            clauses.push(format!("ADD {}", self.adds.join(", ")));
        }
        let (names, values) = self.placeholders.into_maps();
        (clauses.join(" "), self.condition, names, values)
    }
}

/// A call as read, with the raw item its changes are checked against.
struct LoadedCall {
    call: Call,
    item: Item,
}

/// What a status write does to the call.
struct StatusChange {
    /// `status_advances` allowed it: the status, its rank and sequence are written.
    advances: bool,
    /// The call's status is a different one afterwards.
    changed: bool,
}

/// Puts the status change `status_advances` allows into `changes`.
fn apply_status(
    changes: &mut Changes<'_>,
    loaded: Option<&LoadedCall>,
    status: CallStatus,
    sequence: Option<u32>,
    at: OffsetDateTime,
) -> StatusChange {
    // A call known only from its recording or digits has no status yet, so any status applies.
    let current = loaded
        .filter(|l| l.item.contains_key(STATUS))
        .map(|l| (l.call.status, l.call.status_sequence));
    let advances = status_advances(current, status, sequence);
    if advances {
        changes.set(STATUS, s(status.as_str()));
        changes.set(STATUS_RANK, n(status.rank()));
        match sequence {
            Some(sequence) => changes.set(STATUS_SEQ, n(sequence)),
            None => changes.remove(STATUS_SEQ),
        }
        if status.is_final() {
            changes.set(ENDED_AT, s(format_time(at)));
        }
    }
    StatusChange {
        advances,
        changed: advances && current.map(|(s, _)| s) != Some(status),
    }
}

/// Indexes the call under its business once both the business and the start are known.
fn fill_calls_index(
    changes: &mut Changes<'_>,
    sid: &CallSid,
    loaded: Option<&LoadedCall>,
    business: Option<&BusinessId>,
    started_at: Option<OffsetDateTime>,
) {
    let business = loaded
        .and_then(|l| l.call.business_id.as_ref())
        .or(business);
    let started_at = loaded.and_then(|l| l.call.started_at).or(started_at);
    if let (Some(business), Some(started_at)) = (business, started_at) {
        changes.fill(GSI1_PARTITION_KEY, s(calls_gsi1pk(business)));
        changes.fill(
            GSI1_SORT_KEY,
            s(format!("{}#{sid}", format_time(started_at))),
        );
    }
}

// ---- requests ------------------------------------------------------------------------------

impl DynamoStore {
    /// Puts `item` unless an item with its key exists. Returns whether it was written: an
    /// event kept once however often its callback is delivered.
    async fn put_if_absent(&self, item: Item) -> Result<bool, StoreError> {
        let mut placeholders = Placeholders::default();
        let condition = format!("attribute_not_exists({})", placeholders.name(PARTITION_KEY));
        let (names, _) = placeholders.into_maps();
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .set_expression_attribute_names(names)
            .send()
            .await;
        match put {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(unavailable("PutItem", e)),
        }
    }

    async fn get(&self, key: Item) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable("GetItem", e))?;
        Ok(out.item)
    }

    /// Every item a query returns, across pages.
    async fn query_all(
        &self,
        index: Option<&str>,
        key_condition: &str,
        placeholders: Placeholders,
    ) -> Result<Vec<Item>, StoreError> {
        let (names, values) = placeholders.into_maps();
        let mut items = Vec::new();
        let mut start_key = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(str::to_string))
                // A GSI can only be read eventually consistent.
                .consistent_read(index.is_none())
                .key_condition_expression(key_condition)
                .set_expression_attribute_names(names.clone())
                .set_expression_attribute_values(values.clone())
                .set_exclusive_start_key(start_key)
                .send()
                .await
                .map_err(|e| unavailable("Query", e))?;
            items.extend(out.items.unwrap_or_default());
            start_key = out.last_evaluated_key.filter(|k| !k.is_empty());
            if start_key.is_none() {
                return Ok(items);
            }
        }
    }

    fn update_request(
        &self,
        key: Item,
        changes: Changes<'_>,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        let (expression, condition, names, values) = changes.into_parts();
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression(expression)
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
    }

    /// Runs a conditional UpdateItem; `Ok(false)` when its condition failed.
    async fn update_if(&self, key: Item, changes: Changes<'_>) -> Result<bool, StoreError> {
        match self.update_request(key, changes).send().await {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(unavailable("UpdateItem", e)),
        }
    }

    fn transaction_update(
        &self,
        key: Item,
        changes: Changes<'_>,
    ) -> Result<TransactWriteItem, StoreError> {
        let (expression, condition, names, values) = changes.into_parts();
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .update_expression(expression)
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .build()
            .map_err(request_error)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    fn transaction_put(
        &self,
        item: Item,
        condition: Option<(String, Placeholders)>,
    ) -> Result<TransactWriteItem, StoreError> {
        let (condition, names, values) = match condition {
            Some((condition, placeholders)) => {
                let (names, values) = placeholders.into_maps();
                (Some(condition), names, values)
            }
            None => (None, None, None),
        };
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .build()
            .map_err(request_error)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn transaction_delete(
        &self,
        key: Item,
        (condition, placeholders): (String, Placeholders),
    ) -> Result<TransactWriteItem, StoreError> {
        let (names, values) = placeholders.into_maps();
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .build()
            .map_err(request_error)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    fn transaction_delete_unconditional(&self, key: Item) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .build()
            .map_err(request_error)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<Transaction, StoreError> {
        let sent = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(Transaction::Committed),
            Err(e) => match e.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                    Ok(Transaction::Cancelled(
                        cancelled
                            .cancellation_reasons()
                            .iter()
                            .map(|r| r.code().filter(|c| *c != "None").map(str::to_string))
                            .collect(),
                    ))
                }
                _ => Err(unavailable("TransactWriteItems", e)),
            },
        }
    }

    async fn load_call(&self, sid: &CallSid) -> Result<Option<LoadedCall>, StoreError> {
        match self.get(call_key(sid)).await? {
            Some(item) => Ok(Some(LoadedCall {
                call: call_from_item(&item)?,
                item,
            })),
            None => Ok(None),
        }
    }

    /// Writes `changes` (made against the call as read) if the call is unchanged since, in one
    /// transaction with `alongside` when that is not empty. `Ok(false)`: someone else wrote
    /// first; read again.
    async fn write_call(
        &self,
        sid: &CallSid,
        mut changes: Changes<'_>,
        alongside: Vec<TransactWriteItem>,
    ) -> Result<bool, StoreError> {
        changes.bump_revision();
        changes.unless_changed()?;
        if alongside.is_empty() {
            return self.update_if(call_key(sid), changes).await;
        }
        let mut items = vec![self.transaction_update(call_key(sid), changes)?];
        items.extend(alongside);
        Ok(matches!(
            self.transact(items).await?,
            Transaction::Committed
        ))
    }

    /// A write made without reading the call first (it creates the call when unknown).
    async fn update_call_blind(
        &self,
        sid: &CallSid,
        attribute: &str,
        value: AttributeValue,
    ) -> Result<(), StoreError> {
        let mut changes = Changes::blind();
        changes.set(attribute, value);
        changes.bump_revision();
        self.update_request(call_key(sid), changes)
            .send()
            .await
            .map_err(|e| unavailable("UpdateItem", e))?;
        Ok(())
    }

    /// Loads calls by sid, in BatchGetItem-sized chunks.
    async fn calls_by_sid(&self, sids: &[CallSid]) -> Result<HashMap<CallSid, Call>, StoreError> {
        let mut calls = HashMap::new();
        for chunk in sids.chunks(BATCH_GET_LIMIT) {
            let mut keys: Vec<Item> = chunk.iter().map(call_key).collect();
            for round in 0.. {
                if keys.is_empty() {
                    break;
                }
                if round == MAX_WRITE_ROUNDS {
                    return Err(contended("BatchGetItem unprocessed keys"));
                }
                if round > 0 {
                    // Unprocessed keys mean throttling: back off before asking again.
                    tokio::time::sleep(Duration::from_millis(50 << round.min(4))).await;
                }
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(keys))
                    .consistent_read(true)
                    .build()
                    .map_err(request_error)?;
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(|e| unavailable("BatchGetItem", e))?;
                for item in out
                    .responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default()
                {
                    let call = call_from_item(&item)?;
                    calls.insert(call.sid.clone(), call);
                }
                keys = out
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.table))
                    .map(|k| k.keys)
                    .unwrap_or_default();
            }
        }
        Ok(calls)
    }
}

#[async_trait]
impl BusinessStore for DynamoStore {
    async fn put_business(&self, business: &Business) -> Result<(), StoreError> {
        let data = serde_json::to_string(business).map_err(|e| {
            StoreError::Corrupt(format!("business {} does not serialise: {e}", business.id))
        })?;
        let numbers: BTreeSet<&PhoneNumber> = business.phone_numbers.iter().collect();
        for _ in 0..MAX_WRITE_ROUNDS {
            let old_item = self.get(business_key(&business.id)).await?;
            let old_numbers: Vec<PhoneNumber> = match &old_item {
                Some(item) => business_from_item(item)?.phone_numbers,
                None => Vec::new(),
            };
            let dropped: BTreeSet<&PhoneNumber> = old_numbers
                .iter()
                .filter(|n| !numbers.contains(n))
                .collect();

            // The profile only replaces the one read, so the numbers to free are the right ones.
            let mut profile_condition = Placeholders::default();
            let old_data = old_item
                .as_ref()
                .map(|item| required(item, DATA))
                .transpose()?;
            let condition = match old_data {
                Some(old_data) => {
                    let name = profile_condition.name(DATA);
                    format!("{name} = {}", profile_condition.value(s(old_data)))
                }
                None => format!(
                    "attribute_not_exists({})",
                    profile_condition.name(PARTITION_KEY)
                ),
            };
            let mut profile = business_key(&business.id);
            profile.insert(DATA.into(), s(data.as_str()));
            profile.insert(GSI1_PARTITION_KEY.into(), s(BUSINESSES_GSI1PK));
            profile.insert(GSI1_SORT_KEY.into(), s(business.id.as_str()));
            let mut items =
                vec![self.transaction_put(profile, Some((condition, profile_condition)))?];

            for number in &numbers {
                let mut placeholders = Placeholders::default();
                let condition = format!(
                    "attribute_not_exists({pk}) OR {owner} = {id}",
                    pk = placeholders.name(PARTITION_KEY),
                    owner = placeholders.name(BUSINESS_ID),
                    id = placeholders.value(s(business.id.as_str())),
                );
                let mut index = phone_key(number);
                index.insert(BUSINESS_ID.into(), s(business.id.as_str()));
                items.push(self.transaction_put(index, Some((condition, placeholders)))?);
            }
            for number in &dropped {
                let mut placeholders = Placeholders::default();
                let condition = format!(
                    "{owner} = {id}",
                    owner = placeholders.name(BUSINESS_ID),
                    id = placeholders.value(s(business.id.as_str())),
                );
                items.push(self.transaction_delete(phone_key(number), (condition, placeholders))?);
            }

            let reasons = match self.transact(items).await? {
                Transaction::Committed => return Ok(()),
                Transaction::Cancelled(reasons) => reasons,
            };
            // Items are [profile, claimed numbers…, dropped numbers…]: a failed claim is a taken
            // number unless its owner let go meanwhile. Anything else changed under us: retry.
            let failed_claim = reasons
                .iter()
                .enumerate()
                .skip(1)
                .take(numbers.len())
                .find(|(_, code)| code.as_deref() == Some("ConditionalCheckFailed"))
                .and_then(|(i, _)| numbers.iter().nth(i - 1));
            if let Some(number) = failed_claim {
                let owner = match self.get(phone_key(number)).await? {
                    Some(item) => get_s(&item, BUSINESS_ID)?
                        .map(BusinessId::parse)
                        .transpose()
                        .map_err(corrupt("phone index owner"))?,
                    None => None,
                };
                if let Some(owner) = owner.filter(|o| *o != business.id) {
                    return Err(StoreError::NumberTaken {
                        number: (*number).clone(),
                        owner,
                    });
                }
            }
        }
        Err(contended(&format!("business {}", business.id)))
    }

    async fn business(&self, id: &BusinessId) -> Result<Option<Business>, StoreError> {
        self.get(business_key(id))
            .await?
            .as_ref()
            .map(business_from_item)
            .transpose()
    }

    async fn delete_business(&self, id: &BusinessId) -> Result<bool, StoreError> {
        for _ in 0..MAX_WRITE_ROUNDS {
            let Some(item) = self.get(business_key(id)).await? else {
                return Ok(false);
            };
            let numbers = business_from_item(&item)?.phone_numbers;
            // The profile goes only as it was read, so its numbers are the ones to free.
            let mut placeholders = Placeholders::default();
            let condition = format!(
                "{} = {}",
                placeholders.name(DATA),
                placeholders.value(s(required(&item, DATA)?))
            );
            let mut items =
                vec![self.transaction_delete(business_key(id), (condition, placeholders))?];
            let owned_by_business = |placeholders: &mut Placeholders| {
                format!(
                    "{} = {}",
                    placeholders.name(BUSINESS_ID),
                    placeholders.value(s(id.as_str()))
                )
            };
            for number in numbers.iter().collect::<BTreeSet<_>>() {
                let mut placeholders = Placeholders::default();
                let condition = owned_by_business(&mut placeholders);
                items.push(self.transaction_delete(phone_key(number), (condition, placeholders))?);
            }
            // The rest of the business's partition (its webhook secret, its API keys' entries),
            // and the keys themselves, so they stop authenticating.
            let mut placeholders = Placeholders::default();
            let key_condition = format!(
                "{} = {}",
                placeholders.name(PARTITION_KEY),
                placeholders.value(s(business_partition(id)))
            );
            for entry in self.query_all(None, &key_condition, placeholders).await? {
                let sort_key = required(&entry, SORT_KEY)?;
                if sort_key == PROFILE_SK {
                    continue;
                }
                if let Some(hash) = sort_key
                    .strip_prefix(API_KEY_SK)
                    .and_then(|rest| rest.strip_prefix('#'))
                    .and_then(ApiKeyHash::parse)
                {
                    let mut placeholders = Placeholders::default();
                    let condition = owned_by_business(&mut placeholders);
                    items.push(
                        self.transaction_delete(api_key_key(&hash), (condition, placeholders))?,
                    );
                }
                let entry_key = key(required(&entry, PARTITION_KEY)?.to_string(), sort_key);
                items.push(self.transaction_delete_unconditional(entry_key)?);
            }
            if let Transaction::Committed = self.transact(items).await? {
                return Ok(true);
            }
        }
        Err(contended(&format!("business {id}")))
    }

    async fn business_by_number(
        &self,
        number: &PhoneNumber,
    ) -> Result<Option<Business>, StoreError> {
        let Some(index) = self.get(phone_key(number)).await? else {
            return Ok(None);
        };
        let owner = BusinessId::parse(required(&index, BUSINESS_ID)?)
            .map_err(corrupt("phone index owner"))?;
        self.business(&owner).await
    }

    async fn list_businesses(&self) -> Result<Vec<Business>, StoreError> {
        let mut placeholders = Placeholders::default();
        let condition = format!(
            "{} = {}",
            placeholders.name(GSI1_PARTITION_KEY),
            placeholders.value(s(BUSINESSES_GSI1PK))
        );
        // gsi1sk is the id, so the index returns businesses in id order.
        self.query_all(Some(GSI1), &condition, placeholders)
            .await?
            .iter()
            .map(business_from_item)
            .collect()
    }
}

#[async_trait]
impl CallStore for DynamoStore {
    async fn record_call_start(&self, start: &CallStart) -> Result<(), StoreError> {
        for _ in 0..MAX_WRITE_ROUNDS {
            let loaded = self.load_call(&start.sid).await?;
            let mut changes = Changes::against(loaded.as_ref().map(|l| &l.item));
            apply_status(
                &mut changes,
                loaded.as_ref(),
                start.status,
                None,
                start.started_at,
            );
            changes.fill(BUSINESS_ID, s(start.business_id.as_str()));
            changes.fill(FROM, s(start.from.as_str()));
            changes.fill(TO, s(start.to.as_str()));
            changes.fill(DIRECTION, s(start.direction.as_str()));
            changes.fill_opt(CALLER_NAME, start.caller_name.as_deref().map(s));
            changes.fill(STARTED_AT, s(format_time(start.started_at)));
            fill_calls_index(
                &mut changes,
                &start.sid,
                loaded.as_ref(),
                Some(&start.business_id),
                Some(start.started_at),
            );
            if changes.is_empty() || self.write_call(&start.sid, changes, Vec::new()).await? {
                return Ok(());
            }
        }
        Err(contended(&format!("call {}", start.sid)))
    }

    async fn call(&self, sid: &CallSid) -> Result<Option<Call>, StoreError> {
        Ok(self.load_call(sid).await?.map(|l| l.call))
    }

    async fn apply_call_status(&self, update: &StatusUpdate) -> Result<bool, StoreError> {
        // The event first: it is idempotent on its key, so a retry after a failed call write
        // still stores exactly one.
        let mut event = key(
            call_pk(&update.sid),
            &event_sk(update.status, update.sequence),
        );
        event.insert(STATUS.into(), s(update.status.as_str()));
        event.insert(AT.into(), s(format_time(update.at)));
        if let Some(sequence) = update.sequence {
            event.insert(SEQUENCE.into(), n(sequence));
        }
        if let Some(duration) = update.duration_seconds {
            event.insert(DURATION_SECONDS.into(), n(duration));
        }
        if let Some(code) = &update.sip_response_code {
            event.insert(SIP_RESPONSE_CODE.into(), s(code.as_str()));
        }
        // The same callback again: its event is already kept.
        self.put_if_absent(event).await?;

        for _ in 0..MAX_WRITE_ROUNDS {
            let loaded = self.load_call(&update.sid).await?;
            let mut changes = Changes::against(loaded.as_ref().map(|l| &l.item));
            let change = apply_status(
                &mut changes,
                loaded.as_ref(),
                update.status,
                update.sequence,
                update.at,
            );
            if let Some(duration) = update.duration_seconds.filter(|_| change.advances) {
                changes.set(DURATION_SECONDS, n(duration));
            }
            changes.fill_opt(
                BUSINESS_ID,
                update.business_id.as_ref().map(|b| s(b.as_str())),
            );
            changes.fill_opt(FROM, update.from.as_deref().map(s));
            changes.fill_opt(TO, update.to.as_deref().map(s));
            changes.fill(DIRECTION, s(update.direction.as_str()));
            fill_calls_index(
                &mut changes,
                &update.sid,
                loaded.as_ref(),
                update.business_id.as_ref(),
                None,
            );
            if changes.is_empty() || self.write_call(&update.sid, changes, Vec::new()).await? {
                return Ok(change.changed);
            }
        }
        Err(contended(&format!("call {}", update.sid)))
    }

    async fn call_events(&self, sid: &CallSid) -> Result<Vec<CallEvent>, StoreError> {
        let mut placeholders = Placeholders::default();
        let condition = format!(
            "{pk} = {call} AND begins_with({sk}, {prefix})",
            pk = placeholders.name(PARTITION_KEY),
            call = placeholders.value(s(call_pk(sid))),
            sk = placeholders.name(SORT_KEY),
            prefix = placeholders.value(s(EVENT_PREFIX)),
        );
        let mut events = self
            .query_all(None, &condition, placeholders)
            .await?
            .iter()
            .map(event_from_item)
            .collect::<Result<Vec<_>, _>>()?;
        // Sequenced callbacks in sequence order, then any without one in time order.
        events.sort_by_key(|e| (e.sequence.is_none(), e.sequence, e.at));
        Ok(events)
    }

    async fn set_recording_status(&self, sid: &CallSid, status: &str) -> Result<(), StoreError> {
        self.update_call_blind(sid, RECORDING_STATUS, s(status))
            .await
    }

    async fn store_gathered_digits(&self, sid: &CallSid, digits: &str) -> Result<(), StoreError> {
        self.update_call_blind(sid, GATHERED_DIGITS, s(digits))
            .await
    }

    async fn list_calls(
        &self,
        business: &BusinessId,
        query: &CallQuery,
    ) -> Result<CallPage, StoreError> {
        let limit = query.limit.max(1);
        let mut placeholders = Placeholders::default();
        let pk = placeholders.name(GSI1_PARTITION_KEY);
        let partition = placeholders.value(s(calls_gsi1pk(business)));
        // gsi1sk is the list position, so since and the cursor are key conditions.
        let since = query.since.map(format_time);
        let sk = if since.is_some() || query.after.is_some() {
            placeholders.name(GSI1_SORT_KEY)
        } else {
            String::new()
        };
        let key_condition = match (&since, &query.after) {
            (Some(since), Some(after)) => format!(
                "{pk} = {partition} AND {sk} BETWEEN {} AND {}",
                placeholders.value(s(since.as_str())),
                placeholders.value(s(after.as_str()))
            ),
            (Some(since), None) => format!(
                "{pk} = {partition} AND {sk} >= {}",
                placeholders.value(s(since.as_str()))
            ),
            (None, Some(after)) => format!(
                "{pk} = {partition} AND {sk} < {}",
                placeholders.value(s(after.as_str()))
            ),
            (None, None) => format!("{pk} = {partition}"),
        };
        let mut filters = Vec::new();
        if let Some(status) = query.status {
            let name = placeholders.name(STATUS);
            filters.push(format!(
                "{name} = {}",
                placeholders.value(s(status.as_str()))
            ));
        }
        if let Some(direction) = query.direction {
            let name = placeholders.name(DIRECTION);
            filters.push(format!(
                "{name} = {}",
                placeholders.value(s(direction.as_str()))
            ));
        }
        let (names, values) = placeholders.into_maps();
        let mut calls = Vec::new();
        let mut start_key = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(GSI1)
                .scan_index_forward(false)
                .key_condition_expression(&key_condition)
                .set_filter_expression((!filters.is_empty()).then(|| filters.join(" AND ")))
                .set_expression_attribute_names(names.clone())
                .set_expression_attribute_values(values.clone())
                .set_exclusive_start_key(start_key)
                .send()
                .await
                .map_err(|e| unavailable("Query", e))?;
            for item in out.items.unwrap_or_default() {
                if query.after.as_deref() == get_s(&item, GSI1_SORT_KEY)? {
                    continue;
                }
                calls.push(call_from_item(&item)?);
                if calls.len() > limit {
                    break;
                }
            }
            start_key = out.last_evaluated_key.filter(|k| !k.is_empty());
            if calls.len() > limit || start_key.is_none() {
                break;
            }
        }
        let next = if calls.len() > limit {
            calls.truncate(limit);
            calls
                .last()
                .and_then(|c| c.started_at.map(|at| list_position(at, &c.sid)))
        } else {
            None
        };
        Ok(CallPage { calls, next })
    }
}

#[async_trait]
impl TranscriptionStore for DynamoStore {
    async fn attach_recording(
        &self,
        sid: &CallSid,
        recording: &Recording,
        transcribe: bool,
        now: OffsetDateTime,
    ) -> Result<RecordingAttach, StoreError> {
        let state = if transcribe {
            TranscriptionState::Pending
        } else {
            TranscriptionState::Skipped
        };
        for _ in 0..MAX_WRITE_ROUNDS {
            let loaded = self.load_call(sid).await?;
            if let Some(loaded) = loaded.as_ref().filter(|l| l.call.recording.is_some()) {
                return Ok(RecordingAttach::AlreadyAttached(loaded.call.transcription));
            }
            let mut changes = Changes::against(loaded.as_ref().map(|l| &l.item));
            changes.set(RECORDING_SID, s(recording.sid.as_str()));
            changes.set(RECORDING_URL, s(recording.url.as_str()));
            if let Some(duration) = recording.duration_seconds {
                changes.set(RECORDING_DURATION, n(duration));
            }
            if let Some(digits) = &recording.digits {
                changes.set(RECORDING_DIGITS, s(digits.as_str()));
            }
            changes.set(TRANSCRIPTION, s(state.as_str()));
            let mut alongside = Vec::new();
            if transcribe {
                let mut work = recon_key(sid);
                work.insert(SINCE.into(), s(format_time(now)));
                alongside.push(self.transaction_put(work, None)?);
            }
            if self.write_call(sid, changes, alongside).await? {
                return Ok(RecordingAttach::Attached);
            }
        }
        Err(contended(&format!("call {sid}")))
    }

    async fn claim_transcription_job(
        &self,
        sid: &CallSid,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut changes = Changes::blind();
        changes.set(TRANSCRIPTION, s(TranscriptionState::Queued.as_str()));
        changes.set(TRANSCRIPTION_QUEUED_AT, s(format_time(now)));
        changes.bump_revision();
        changes.only_if_equals(TRANSCRIPTION, s(TranscriptionState::Pending.as_str()));
        self.update_if(call_key(sid), changes).await
    }

    async fn release_transcription_job(&self, sid: &CallSid) -> Result<(), StoreError> {
        let mut changes = Changes::blind();
        changes.set(TRANSCRIPTION, s(TranscriptionState::Pending.as_str()));
        changes.remove(TRANSCRIPTION_QUEUED_AT);
        changes.bump_revision();
        changes.only_if_equals(TRANSCRIPTION, s(TranscriptionState::Queued.as_str()));
        // A claim that is no longer held (finished, or never made) has nothing to give back.
        self.update_if(call_key(sid), changes).await.map(drop)
    }

    async fn transcription_backlog(
        &self,
        stale_before: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<Call>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut placeholders = Placeholders::default();
        let condition = format!(
            "{} = {}",
            placeholders.name(PARTITION_KEY),
            placeholders.value(s(RECON_PK))
        );
        let mut work = Vec::new();
        for item in self.query_all(None, &condition, placeholders).await? {
            let sk = required(&item, SORT_KEY)?;
            let sid = CallSid::parse(sk.strip_prefix("CALL#").unwrap_or(sk))
                .map_err(corrupt("work-list key"))?;
            work.push((parse_time(required(&item, SINCE)?)?, sid));
        }
        work.sort();

        let mut backlog = Vec::new();
        for chunk in work.chunks(BATCH_GET_LIMIT) {
            let sids: Vec<CallSid> = chunk.iter().map(|(_, sid)| sid.clone()).collect();
            let mut calls = self.calls_by_sid(&sids).await?;
            for sid in &sids {
                let Some(call) = calls.remove(sid) else {
                    continue;
                };
                let due = match call.transcription {
                    Some(TranscriptionState::Pending) => true,
                    Some(TranscriptionState::Queued) => call
                        .transcription_queued_at
                        .is_none_or(|at| at < stale_before),
                    _ => false,
                };
                if due {
                    backlog.push(call);
                    if backlog.len() == limit {
                        return Ok(backlog);
                    }
                }
            }
        }
        Ok(backlog)
    }

    async fn set_recording_copy(&self, sid: &CallSid, key: &str) -> Result<(), StoreError> {
        let mut changes = Changes::blind();
        changes.set(RECORDING_KEY, s(key));
        self.update_request(media_key(sid), changes)
            .send()
            .await
            .map_err(|e| unavailable("UpdateItem", e))?;
        Ok(())
    }

    async fn finish_transcription(
        &self,
        sid: &CallSid,
        outcome: &TranscriptionOutcome,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        for _ in 0..MAX_WRITE_ROUNDS {
            let Some(loaded) = self.load_call(sid).await? else {
                return Ok(false);
            };
            if !matches!(
                loaded.call.transcription,
                Some(TranscriptionState::Pending | TranscriptionState::Queued)
            ) {
                return Ok(false);
            }
            let mut changes = Changes::against(Some(&loaded.item));
            changes.set(TRANSCRIPTION, s(outcome.state().as_str()));
            let mut media = Changes::blind();
            match outcome {
                TranscriptionOutcome::Ready {
                    transcript,
                    language,
                } => {
                    media.set(TRANSCRIPT, s(transcript.as_str()));
                    match language {
                        Some(language) => media.set(LANGUAGE, s(language.as_str())),
                        None => media.remove(LANGUAGE),
                    }
                    media.remove(REASON);
                }
                TranscriptionOutcome::Failed { reason }
                | TranscriptionOutcome::Skipped { reason } => {
                    media.set(REASON, s(reason.as_str()));
                }
            }
            media.set(FINISHED_AT, s(format_time(at)));
            let leave_backlog = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(recon_key(sid)))
                .build()
                .map_err(request_error)?;
            let alongside = vec![
                self.transaction_update(media_key(sid), media)?,
                TransactWriteItem::builder().delete(leave_backlog).build(),
            ];
            if self.write_call(sid, changes, alongside).await? {
                return Ok(true);
            }
        }
        Err(contended(&format!("call {sid}")))
    }

    async fn call_media(&self, sid: &CallSid) -> Result<Option<CallMedia>, StoreError> {
        let Some(item) = self.get(media_key(sid)).await? else {
            return Ok(None);
        };
        Ok(Some(CallMedia {
            recording_key: get_s(&item, RECORDING_KEY)?.map(str::to_string),
            transcript: get_s(&item, TRANSCRIPT)?.map(str::to_string),
            language: get_s(&item, LANGUAGE)?.map(str::to_string),
            reason: get_s(&item, REASON)?.map(str::to_string),
            finished_at: get_time(&item, FINISHED_AT)?,
        }))
    }
}

#[async_trait]
impl DeliveryStore for DynamoStore {
    async fn delivery(
        &self,
        sid: &CallSid,
        event_id: &str,
    ) -> Result<Option<DeliveryLog>, StoreError> {
        self.get(delivery_key(sid, event_id))
            .await?
            .as_ref()
            .map(|item| {
                serde_json::from_str(required(item, DATA)?)
                    .map_err(|e| StoreError::Corrupt(format!("delivery log: {e}")))
            })
            .transpose()
    }

    async fn put_delivery(&self, log: &DeliveryLog) -> Result<(), StoreError> {
        let data = serde_json::to_string(log)
            .map_err(|e| StoreError::Corrupt(format!("delivery log does not serialise: {e}")))?;
        let mut item = delivery_key(&log.call_sid, &log.event_id);
        item.insert(DATA.into(), s(data));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| unavailable("PutItem", e))?;
        Ok(())
    }

    async fn put_webhook_secret(
        &self,
        business: &BusinessId,
        secret: &Secret,
    ) -> Result<(), StoreError> {
        let mut item = webhook_secret_key(business);
        item.insert(SECRET.into(), s(secret.expose()));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| unavailable("PutItem", e))?;
        Ok(())
    }

    async fn webhook_secret(&self, business: &BusinessId) -> Result<Option<Secret>, StoreError> {
        Ok(self
            .get(webhook_secret_key(business))
            .await?
            .as_ref()
            .map(|item| required(item, SECRET).map(Secret::new))
            .transpose()?
            .flatten())
    }
}

#[async_trait]
impl ApiKeyStore for DynamoStore {
    async fn put_api_key(
        &self,
        business: &BusinessId,
        key: &ApiKeyHash,
        created_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut item = api_key_key(key);
        item.insert(BUSINESS_ID.into(), s(business.as_str()));
        item.insert(CREATED_AT.into(), s(format_time(created_at)));
        let mut placeholders = Placeholders::default();
        let condition = format!(
            "attribute_not_exists({pk}) OR {owner} = {id}",
            pk = placeholders.name(PARTITION_KEY),
            owner = placeholders.name(BUSINESS_ID),
            id = placeholders.value(s(business.as_str())),
        );
        let mut listed = business_api_key_key(business, key);
        listed.insert(CREATED_AT.into(), s(format_time(created_at)));
        let items = vec![
            self.transaction_put(item, Some((condition, placeholders)))?,
            self.transaction_put(listed, None)?,
        ];
        match self.transact(items).await? {
            Transaction::Committed => Ok(()),
            Transaction::Cancelled(reasons)
                if reasons.first().and_then(Option::as_deref) == Some("ConditionalCheckFailed") =>
            {
                Err(StoreError::ApiKeyTaken)
            }
            Transaction::Cancelled(reasons) => Err(StoreError::Unavailable(format!(
                "API key write cancelled: {reasons:?}"
            ))),
        }
    }

    async fn business_by_api_key(
        &self,
        key: &ApiKeyHash,
    ) -> Result<Option<BusinessId>, StoreError> {
        let Some(item) = self.get(api_key_key(key)).await? else {
            return Ok(None);
        };
        BusinessId::parse(required(&item, BUSINESS_ID)?)
            .map(Some)
            .map_err(corrupt("API key owner"))
    }
}

#[async_trait]
impl RateStore for DynamoStore {
    async fn count_call_attempt(
        &self,
        business: &BusinessId,
        from: &str,
        minute_start: i64,
    ) -> Result<u64, StoreError> {
        let mut changes = Changes::blind();
        changes.add(COUNT, n(1));
        changes.set(TTL_ATTRIBUTE, n(minute_start + RATE_COUNTER_TTL_SECONDS));
        let out = self
            .update_request(rate_key(business, from, minute_start), changes)
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| unavailable("UpdateItem", e))?;
        let attributes = out.attributes.unwrap_or_default();
        get_n(&attributes, COUNT)?
            .ok_or_else(|| StoreError::Corrupt("rate counter update returned no count".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_sort_by_sequence() {
        let mut keys = vec![
            event_sk(CallStatus::Completed, Some(10)),
            event_sk(CallStatus::Ringing, Some(2)),
            event_sk(CallStatus::InProgress, Some(9)),
        ];
        keys.sort();
        assert_eq!(
            keys,
            [
                "EVENT#0000000002#ringing",
                "EVENT#0000000009#in-progress",
                "EVENT#0000000010#completed"
            ]
        );
        assert_eq!(event_sk(CallStatus::NoAnswer, None), "EVENT#-#no-answer");
    }

    #[test]
    fn changes_use_placeholders_and_fill_only_what_is_missing() {
        let stored = HashMap::from([
            (FROM.to_string(), s("+972501234567")),
            (REVISION.to_string(), n(3)),
        ]);
        let mut changes = Changes::against(Some(&stored));
        changes.fill(FROM, s("+1555"));
        changes.fill(TO, s("+97233334444"));
        changes.remove(STATUS_SEQ);
        changes.bump_revision();
        changes.unless_changed().unwrap();
        let (expression, condition, names, values) = changes.into_parts();
        let names = names.unwrap();
        let values = values.unwrap();
        assert!(!names.values().any(|a| a == FROM), "{names:?}");
        assert!(names.values().any(|a| a == TO));
        assert!(
            expression.starts_with("SET ") && expression.contains(" REMOVE "),
            "{expression}"
        );
        assert!(
            !expression.contains("to") && !expression.contains("status"),
            "{expression}"
        );
        let condition = condition.unwrap();
        let (name, value) = condition.split_once(" = ").unwrap();
        assert_eq!(names[name], REVISION);
        assert_eq!(values[value], n(3));
    }

    #[test]
    fn stored_calls_read_back_with_defaults_for_what_is_missing() {
        let item = HashMap::from([
            (PARTITION_KEY.to_string(), s("CALL#CA1")),
            (SORT_KEY.to_string(), s(CALL_SK)),
            (STATUS.to_string(), s("in-progress")),
            (TRANSCRIPTION.to_string(), s("pending")),
        ]);
        let call = call_from_item(&item).unwrap();
        assert_eq!(call.sid.as_str(), "CA1");
        assert_eq!(call.status, CallStatus::InProgress);
        assert_eq!(call.direction, Direction::Inbound);
        assert_eq!(call.transcription, Some(TranscriptionState::Pending));
        let mut unknown_status = item.clone();
        unknown_status.remove(STATUS);
        assert_eq!(
            call_from_item(&unknown_status).unwrap().status,
            UNKNOWN_STATUS_READS_AS
        );
        let mut bad = item.clone();
        bad.insert(STATUS.into(), s("answered"));
        assert!(matches!(call_from_item(&bad), Err(StoreError::Corrupt(_))));
    }
}
