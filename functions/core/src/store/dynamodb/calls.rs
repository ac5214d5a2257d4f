//! Calls: the call record with its revision-checked writes, status events, the business's
//! calls listing on `gsi1`, and each call's record in its customer's timeline.
//!
//! | record | `pk` | `sk` | other attributes |
//! | --- | --- | --- | --- |
//! | a call in its customer's timeline | `TIMELINE#{business}#{e164}` | `CALL#{started_at}#{sid}` (the call's list position) | `call_sid` |
//!
//! The timeline record is written in the same transaction as the call start that makes its
//! business, start and customer known ([`Direction::contact`]: the caller of an inbound call, the
//! callee of an outbound one), and moved with it if a placed call's start corrects the parties
//! a status callback wrote first. A customer's calls are then one query of their own partition
//! and a BatchGetItem, never a read of the business's other calls.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use time::OffsetDateTime;

use super::expr::{contended, Changes, Placeholders, Transaction, MAX_WRITE_ROUNDS};
use super::item::{call_event_from_item, call_from_item, corrupt, get_s, n, required, s, Item};
use super::keys::{
    call_key, call_pk, calls_gsi1pk, event_sk, key, timeline_call_key, timeline_pk, ANSWERED_BY,
    APPOINTMENT_ID, AT, BUSINESS_ID, CALLER_NAME, CALL_SID, DIRECTION, DURATION_SECONDS, ENDED_AT,
    EVENT_PREFIX, FROM, GATHERED_DIGITS, GSI1, GSI1_PARTITION_KEY, GSI1_SORT_KEY, HANDLED,
    PARTITION_KEY, PURPOSE, RECORDING_STATUS, REQUESTED_BY, SEQUENCE, SIP_RESPONSE_CODE, SORT_KEY,
    STARTED_AT, STATUS, STATUS_RANK, STATUS_SEQ, TIMELINE_CALL_PREFIX, TO,
};
use super::{unavailable, DynamoStore};
use crate::domain::call::status_advances;
use crate::domain::time::format_time;
use crate::domain::{
    AppointmentId, BusinessId, Call, CallEvent, CallSid, CallStart, CallStatus, Direction,
    PhoneNumber, StatusUpdate,
};
use crate::store::{list_position, CallPage, CallQuery, CallStore, StoreError};

/// A call as read, with the raw item its changes are checked against.
pub(super) struct LoadedCall {
    pub(super) call: Call,
    pub(super) item: Item,
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

/// What places a call in its customer's timeline; the record exists once all of it is known.
struct TimelineParts<'a> {
    business: Option<&'a str>,
    started_at: Option<OffsetDateTime>,
    direction: Direction,
    from: Option<&'a str>,
    to: Option<&'a str>,
}

impl TimelineParts<'_> {
    /// The timeline record's key, with the call's sid.
    fn key(&self, sid: &CallSid) -> Option<Item> {
        let contact = self
            .direction
            .contact(self.from.unwrap_or_default(), self.to.unwrap_or_default())?;
        let position = list_position(self.started_at?, sid);
        Some(timeline_call_key(self.business?, &contact, &position))
    }
}

/// A call's timeline record moving: the key it leaves and the key it takes, either absent.
struct TimelineMove {
    before: Option<Item>,
    after: Option<Item>,
}

/// The call's timeline record as stored, and as `start` leaves it, when the two differ.
fn timeline_moves(
    sid: &CallSid,
    loaded: Option<&LoadedCall>,
    start: &CallStart,
) -> Result<Option<TimelineMove>, StoreError> {
    let stored = |attribute: &str| -> Result<Option<&str>, StoreError> {
        match loaded {
            Some(l) => get_s(&l.item, attribute),
            None => Ok(None),
        }
    };
    let started = loaded.and_then(|l| l.call.started_at);
    let before = TimelineParts {
        business: stored(BUSINESS_ID)?,
        started_at: started,
        direction: Direction::parse(stored(DIRECTION)?.unwrap_or_default()),
        from: stored(FROM)?,
        to: stored(TO)?,
    };
    // A placed start's parties stand over a callback's; any other start fills what is unset.
    let placed = start.placed.is_some();
    let after = TimelineParts {
        business: Some(match before.business {
            Some(business) if !placed => business,
            _ => start.business_id.as_str(),
        }),
        started_at: started.or(Some(start.started_at)),
        direction: match stored(DIRECTION)? {
            Some(direction) if !placed => Direction::parse(direction),
            _ => start.direction,
        },
        from: Some(match before.from {
            Some(from) if !placed => from,
            _ => start.from.as_str(),
        }),
        to: Some(match before.to {
            Some(to) if !placed => to,
            _ => start.to.as_str(),
        }),
    };
    let (before, after) = (before.key(sid), after.key(sid));
    Ok((before != after).then_some(TimelineMove { before, after }))
}

impl DynamoStore {
    pub(super) async fn load_call(&self, sid: &CallSid) -> Result<Option<LoadedCall>, StoreError> {
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
    pub(super) async fn write_call(
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
}

impl DynamoStore {
    async fn write_call_start(&self, start: &CallStart) -> Result<(), StoreError> {
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
            let parties = [
                (BUSINESS_ID, start.business_id.as_str()),
                (FROM, start.from.as_str()),
                (TO, start.to.as_str()),
                (DIRECTION, start.direction.as_str()),
            ];
            match &start.placed {
                // Frontdesk placed this call: what it asked for stands over a callback's.
                Some(placed) => {
                    let placement = [
                        (PURPOSE, placed.purpose.as_str()),
                        (REQUESTED_BY, placed.requested_by.as_str()),
                    ];
                    for (attribute, value) in parties.into_iter().chain(placement) {
                        let stored = loaded
                            .as_ref()
                            .map(|l| &l.item)
                            .and_then(|i| i.get(attribute));
                        if stored != Some(&s(value)) {
                            changes.set(attribute, s(value));
                        }
                    }
                }
                None => {
                    for (attribute, value) in parties {
                        changes.fill(attribute, s(value));
                    }
                }
            }
            changes.fill_opt(CALLER_NAME, start.caller_name.as_deref().map(s));
            changes.fill(STARTED_AT, s(format_time(start.started_at)));
            fill_calls_index(
                &mut changes,
                &start.sid,
                loaded.as_ref(),
                Some(&start.business_id),
                Some(start.started_at),
            );
            let mut alongside = Vec::new();
            if let Some(TimelineMove { before, after }) =
                timeline_moves(&start.sid, loaded.as_ref(), start)?
            {
                if let Some(before) = before {
                    alongside.push(self.transaction_delete_unconditional(before)?);
                }
                if let Some(mut after) = after {
                    after.insert(CALL_SID.into(), s(start.sid.as_str()));
                    alongside.push(self.transaction_put(after, None)?);
                }
            }
            if changes.is_empty() || self.write_call(&start.sid, changes, alongside).await? {
                return Ok(());
            }
        }
        Err(contended(&format!("call {}", start.sid)))
    }
}

#[async_trait]
impl CallStore for DynamoStore {
    async fn record_call_start(&self, start: &CallStart) -> Result<(), StoreError> {
        // The find indexes are written alongside the call, not after it: the voice answer
        // waits for the slower of the two, which is the call's read and write.
        let (call, indexed) =
            tokio::join!(self.write_call_start(start), self.index_call_start(start));
        call.and(indexed)
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
            // Only an ended call has a duration (as on SQLite): one a live status carried
            // would read back on a call still ringing or in progress.
            let ended = change.advances && update.status.is_final();
            if let Some(duration) = update.duration_seconds.filter(|_| ended) {
                changes.set(DURATION_SECONDS, n(duration));
            }
            changes.fill_opt(
                BUSINESS_ID,
                update.business_id.as_ref().map(|b| s(b.as_str())),
            );
            changes.fill_opt(FROM, update.from.as_deref().map(s));
            changes.fill_opt(TO, update.to.as_deref().map(s));
            changes.fill(DIRECTION, s(update.direction.as_str()));
            if let Some(answered_by) = &update.answered_by {
                changes.set(ANSWERED_BY, s(answered_by.as_str()));
            }
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
            .map(call_event_from_item)
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

    async fn set_call_appointment(
        &self,
        sid: &CallSid,
        appointment: &AppointmentId,
    ) -> Result<bool, StoreError> {
        let mut changes = Changes::blind();
        changes.set(APPOINTMENT_ID, s(appointment.as_str()));
        changes.bump_revision();
        changes.only_if(|p| format!("attribute_exists({})", p.name(PARTITION_KEY)));
        self.update_if(call_key(sid), changes).await
    }

    async fn set_call_handled(&self, sid: &CallSid, handled: bool) -> Result<bool, StoreError> {
        let mut changes = Changes::blind();
        changes.set(HANDLED, AttributeValue::Bool(handled));
        changes.bump_revision();
        // Never creates a call: only one that exists is marked.
        changes.only_if(|p| format!("attribute_exists({})", p.name(PARTITION_KEY)));
        self.update_if(call_key(sid), changes).await
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
        if let Some(handled) = query.handled {
            let name = placeholders.name(HANDLED);
            let value = placeholders.value(AttributeValue::Bool(handled));
            filters.push(if handled {
                format!("{name} = {value}")
            } else {
                // A call never marked has no `handled` and still needs a call back.
                format!("(attribute_not_exists({name}) OR {name} = {value})")
            });
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
        Ok(CallPage::of_overfetched(calls, limit))
    }

    async fn calls_with(
        &self,
        business: &BusinessId,
        contact: &PhoneNumber,
        after: Option<&str>,
        limit: usize,
    ) -> Result<CallPage, StoreError> {
        let limit = limit.max(1);
        let (records, more) = self
            .timeline_records(
                timeline_pk(business.as_str(), contact),
                TIMELINE_CALL_PREFIX,
                after,
                limit,
            )
            .await?;
        let mut positions: Vec<(String, CallSid)> = Vec::with_capacity(records.len());
        for item in &records {
            let sort_key = required(item, SORT_KEY)?;
            let position = sort_key
                .strip_prefix(TIMELINE_CALL_PREFIX)
                .unwrap_or(sort_key)
                .to_string();
            let sid =
                CallSid::parse(required(item, CALL_SID)?).map_err(corrupt("timeline call"))?;
            positions.push((position, sid));
        }
        let next = more
            .then(|| positions.last().map(|(position, _)| position.clone()))
            .flatten();
        let sids: Vec<CallSid> = positions.iter().map(|(_, sid)| sid.clone()).collect();
        let mut found = self.calls_by_sid(&sids).await?;
        // In the timeline's order; a record is only ever written with its call, so none is
        // missing but by a hand edit.
        let calls = sids.iter().filter_map(|sid| found.remove(sid)).collect();
        Ok(CallPage { calls, next })
    }
}
