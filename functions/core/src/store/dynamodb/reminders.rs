//! Reminders on the single table: one item per appointment and offset on the appointment's
//! partition; only a pending one carries the `gsi1` keys, so the index is the due list.
//!
//! | record | `pk` | `sk` | other attributes |
//! | --- | --- | --- | --- |
//! | reminder | `APPT#{id}` | `REMINDER#{offset minutes, 5 digits}` | `business_id`, `start`, `state`, `data` (JSON); pending only: `gsi1pk` = `REMINDERS#{due UTC date}`, `gsi1sk` = `{due, fixed width}#{id}#{offset}` |
//!
//! A minute's scan reads today's bucket and yesterday's (one Query each, a page of due items
//! at most): the buckets are days, so an item due just before midnight is still found after.
//! Claiming is a PutItem conditional on `state = pending AND start = :start` that drops the
//! index keys; a save is conditional on the item existing with its start.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;

use super::expr::Placeholders;
use super::item::{required, s, Item};
use super::keys::{
    appointment_pk, key, BUSINESS_ID, DATA, GSI1, GSI1_PARTITION_KEY, GSI1_SORT_KEY, PARTITION_KEY,
    SORT_KEY, STATE,
};
use super::{unavailable, DynamoStore};
use crate::domain::{AppointmentId, Reminder, ReminderKey, ReminderState};
use crate::store::appointments::sortable_time;
use crate::store::reminders::{plan_replacement, DUE_LOOKBACK};
use crate::store::{ReminderStore, StoreError};

const PREFIX: &str = "REMINDER#";
const START: &str = "start";

fn reminder_key(appointment: &AppointmentId, offset_minutes: u32) -> Item {
    key(
        appointment_pk(appointment),
        &format!("{PREFIX}{offset_minutes:05}"),
    )
}

fn bucket(at: Timestamp) -> String {
    format!("REMINDERS#{}", at.to_zoned(jiff::tz::TimeZone::UTC).date())
}

fn item(reminder: &Reminder) -> Result<Item, StoreError> {
    let data = serde_json::to_string(reminder)
        .map_err(|e| StoreError::Corrupt(format!("reminder: {e}")))?;
    let mut item = reminder_key(&reminder.appointment_id, reminder.offset_minutes);
    item.insert(BUSINESS_ID.into(), s(reminder.business_id.as_str()));
    item.insert(START.into(), s(sortable_time(reminder.start)));
    item.insert(STATE.into(), s(reminder.state.as_str()));
    item.insert(DATA.into(), s(data));
    if reminder.state == ReminderState::Pending {
        item.insert(GSI1_PARTITION_KEY.into(), s(bucket(reminder.due)));
        item.insert(
            GSI1_SORT_KEY.into(),
            s(format!(
                "{}#{}#{:05}",
                sortable_time(reminder.due),
                reminder.appointment_id,
                reminder.offset_minutes
            )),
        );
    }
    Ok(item)
}

fn from_item(item: &Item) -> Result<Reminder, StoreError> {
    let data = required(item, DATA)?;
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("reminder {data}: {e}")))
}

impl DynamoStore {
    /// Puts `item` when `condition` (over `state` and `start`) holds; `false` when not.
    async fn put_reminder_if(
        &self,
        item: Item,
        condition: &str,
        values: Vec<(&str, AttributeValue)>,
    ) -> Result<bool, StoreError> {
        let mut placeholders = Placeholders::default();
        let mut expression = condition.to_string();
        for (name, attribute) in [("#pk", PARTITION_KEY), ("#state", STATE), ("#start", START)] {
            if expression.contains(name) {
                expression = expression.replace(name, &placeholders.name(attribute));
            }
        }
        for (name, value) in values {
            expression = expression.replace(name, &placeholders.value(value));
        }
        self.put_when(item, expression, placeholders).await
    }
}

#[async_trait]
impl ReminderStore for DynamoStore {
    async fn replace_reminders(
        &self,
        appointment: &AppointmentId,
        wanted: &[Reminder],
    ) -> Result<(), StoreError> {
        let current = self.reminders(appointment).await?;
        let (drop, write) = plan_replacement(&current, wanted);
        for reminder in drop {
            self.client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(reminder_key(appointment, reminder.offset_minutes)))
                .send()
                .await
                .map_err(|e| unavailable("DeleteItem", e))?;
        }
        for reminder in write {
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item(reminder)?))
                .send()
                .await
                .map_err(|e| unavailable("PutItem", e))?;
        }
        Ok(())
    }

    async fn reminders(&self, appointment: &AppointmentId) -> Result<Vec<Reminder>, StoreError> {
        let mut placeholders = Placeholders::default();
        let condition = format!(
            "{} = {} AND begins_with({}, {})",
            placeholders.name(PARTITION_KEY),
            placeholders.value(s(appointment_pk(appointment))),
            placeholders.name(SORT_KEY),
            placeholders.value(s(PREFIX)),
        );
        let mut reminders = self
            .query_all(None, &condition, placeholders)
            .await?
            .iter()
            .map(from_item)
            .collect::<Result<Vec<_>, _>>()?;
        reminders.sort_by_key(|r| std::cmp::Reverse(r.offset_minutes));
        Ok(reminders)
    }

    async fn due_reminders(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Reminder>, StoreError> {
        let since = now.checked_sub(DUE_LOOKBACK).unwrap_or(Timestamp::MIN);
        let mut buckets = vec![bucket(since), bucket(now)];
        buckets.dedup();
        let mut due = Vec::new();
        for partition in buckets {
            let mut placeholders = Placeholders::default();
            let condition = format!(
                "{} = {} AND {} BETWEEN {} AND {}",
                placeholders.name(GSI1_PARTITION_KEY),
                placeholders.value(s(partition)),
                placeholders.name(GSI1_SORT_KEY),
                placeholders.value(s(sortable_time(since))),
                // `~` sorts after `#` and every id: everything due at `now` itself.
                placeholders.value(s(format!("{}~", sortable_time(now)))),
            );
            for item in self.query_all(Some(GSI1), &condition, placeholders).await? {
                let reminder = from_item(&item)?;
                // The index lags a claim by a moment: only what still reads pending.
                if reminder.state == ReminderState::Pending && reminder.due > since {
                    due.push(reminder);
                }
            }
        }
        due.sort_by_key(|r| (r.due, r.key()));
        due.truncate(limit);
        Ok(due)
    }

    async fn claim_reminder(
        &self,
        key: &ReminderKey,
        start: Timestamp,
    ) -> Result<bool, StoreError> {
        let Some(mut reminder) = self
            .reminders(&key.appointment_id)
            .await?
            .into_iter()
            .find(|r| r.offset_minutes == key.offset_minutes)
        else {
            return Ok(false);
        };
        if reminder.state != ReminderState::Pending || reminder.start != start {
            return Ok(false);
        }
        reminder.state = ReminderState::Queued;
        self.put_reminder_if(
            item(&reminder)?,
            "#state = :pending AND #start = :start",
            vec![
                (":pending", s(ReminderState::Pending.as_str())),
                (":start", s(sortable_time(start))),
            ],
        )
        .await
    }

    async fn save_reminder(&self, reminder: &Reminder) -> Result<bool, StoreError> {
        self.put_reminder_if(
            item(reminder)?,
            "attribute_exists(#pk) AND #start = :start",
            vec![(":start", s(sortable_time(reminder.start)))],
        )
        .await
    }
}
