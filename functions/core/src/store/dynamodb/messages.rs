//! WhatsApp messages on the single table.
//!
//! | record | `pk` | `sk` | other attributes |
//! | --- | --- | --- | --- |
//! | message | `MSG#{provider id}` | `MSG` | `direction`, `business_id`, `contact`, `from`, `to`, `content` (JSON), `created_at`, `status`, `status_rank`, `status_at`, `sent_at`, `delivered_at`, `read_at`, `failed_at`, `error_code`, `error_message`; once stored with its business and contact `gsi1pk` = `BIZ#{business}#WA#{contact}`, `gsi1sk` = `{created Unix ns, 20 digits}#{id}` |
//! | message event | `MSG#{provider id}` | `EVENT#{status}` | `status`, `at`, `error_code` |
//!
//! The monotonic rule is one conditional UpdateItem (`status_rank` absent or lower), so two
//! racing callbacks can never move a status backwards; the per-status time and the error are a
//! separate, order-free update (`if_not_exists`), and the event a conditional PutItem.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;

use super::expr::Placeholders;
use super::item::{get_s, message_event_from_item, message_from_item, s};
use super::keys::{
    conversation_gsi1pk, key, message_key, message_pk, AT, BUSINESS_ID, CONTACT, CONTENT,
    CREATED_AT, DIRECTION, ERROR_CODE, ERROR_MESSAGE, EVENT_PREFIX, FROM, GSI1, GSI1_PARTITION_KEY,
    GSI1_SORT_KEY, PARTITION_KEY, SORT_KEY, STATUS, STATUS_AT, STATUS_RANK, TO,
};
use super::{unavailable, DynamoStore};
use crate::domain::time::format_time;
use crate::domain::{BusinessId, MessageEvent, MessageId, MessageStatusUpdate, NewMessage};
use crate::domain::{PhoneNumber, StoredMessage};
use crate::store::messages::{
    conversation_position, page_size, parse_cursor, ConversationPage, MessageStore,
};
use crate::store::StoreError;

impl DynamoStore {
    /// Runs an UpdateItem; `Ok(false)` when its condition was false.
    async fn message_update(
        &self,
        id: &MessageId,
        expression: String,
        condition: Option<String>,
        placeholders: Placeholders,
    ) -> Result<bool, StoreError> {
        let (names, values) = placeholders.into_maps();
        let sent = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(message_key(id)))
            .update_expression(expression)
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .send()
            .await;
        match sent {
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

    async fn put_message_event(&self, update: &MessageStatusUpdate) -> Result<(), StoreError> {
        let mut event = key(
            message_pk(&update.id),
            &format!("{EVENT_PREFIX}{}", update.status.as_str()),
        );
        event.insert(STATUS.into(), s(update.status.as_str()));
        event.insert(AT.into(), s(format_time(update.at)));
        if let Some(code) = &update.error_code {
            event.insert(ERROR_CODE.into(), s(code.as_str()));
        }
        // The same callback again: its event is already kept.
        self.put_if_absent(event).await?;
        Ok(())
    }
}

#[async_trait]
impl MessageStore for DynamoStore {
    async fn insert_message(&self, message: &NewMessage) -> Result<bool, StoreError> {
        let content = serde_json::to_string(&message.content)
            .map_err(|e| StoreError::Corrupt(format!("message content: {e}")))?;
        let mut p = Placeholders::default();
        let mut sets = Vec::new();
        let mut set = |p: &mut Placeholders, attribute: &str, value: AttributeValue| {
            let name = p.name(attribute);
            let value = p.value(value);
            sets.push(format!("{name} = {value}"));
        };
        set(&mut p, DIRECTION, s(message.direction.as_str()));
        set(&mut p, CONTENT, s(content));
        set(&mut p, CREATED_AT, s(format_time(message.at)));
        if let Some(business) = &message.business_id {
            set(&mut p, BUSINESS_ID, s(business.as_str()));
        }
        if let Some(contact) = &message.contact {
            set(&mut p, CONTACT, s(contact.as_str()));
        }
        if let Some(from) = &message.from {
            set(&mut p, FROM, s(from.as_str()));
        }
        if let Some(to) = &message.to {
            set(&mut p, TO, s(to.as_str()));
        }
        if let (Some(business), Some(contact)) = (&message.business_id, &message.contact) {
            set(
                &mut p,
                GSI1_PARTITION_KEY,
                s(conversation_gsi1pk(business, contact)),
            );
            set(
                &mut p,
                GSI1_SORT_KEY,
                s(conversation_position(message.at, &message.id)),
            );
        }
        // Content is written once: a record from an earlier status callback has no direction.
        let condition = format!("attribute_not_exists({})", p.name(DIRECTION));
        let expression = format!("SET {}", sets.join(", "));
        let inserted = self
            .message_update(&message.id, expression, Some(condition), p)
            .await?;
        // Always applied, so a retry after a failure between the writes completes them; the
        // find indexes (`find.rs`) at the same time as the status.
        let status = MessageStatusUpdate {
            id: message.id.clone(),
            status: message.status,
            at: message.at,
            error_code: message.error_code.clone(),
            error_message: message.error_message.clone(),
        };
        let (status, indexed) = tokio::join!(
            self.apply_message_status(&status),
            self.index_message(message)
        );
        status.and(indexed)?;
        Ok(inserted)
    }

    async fn apply_message_status(&self, update: &MessageStatusUpdate) -> Result<bool, StoreError> {
        self.put_message_event(update).await?;

        // Order-free facts: the first time each status was reached, the first error reported.
        let mut p = Placeholders::default();
        let mut sets = Vec::new();
        let mut fill = |p: &mut Placeholders, attribute: &str, value: AttributeValue| {
            let name = p.name(attribute);
            let value = p.value(value);
            sets.push(format!("{name} = if_not_exists({name}, {value})"));
        };
        if let Some(field) = update.status.time_field() {
            fill(&mut p, field.as_str(), s(format_time(update.at)));
        }
        if let Some(code) = &update.error_code {
            fill(&mut p, ERROR_CODE, s(code.as_str()));
        }
        if let Some(message) = &update.error_message {
            fill(&mut p, ERROR_MESSAGE, s(message.as_str()));
        }
        if !sets.is_empty() {
            let expression = format!("SET {}", sets.join(", "));
            self.message_update(&update.id, expression, None, p).await?;
        }

        // The status itself: only upward, decided by DynamoDB in one conditional write.
        let mut p = Placeholders::default();
        let rank_name = p.name(STATUS_RANK);
        let rank = p.value(AttributeValue::N(update.status.rank().to_string()));
        let expression = format!(
            "SET {} = {}, {rank_name} = {rank}, {} = {}",
            p.name(STATUS),
            p.value(s(update.status.as_str())),
            p.name(STATUS_AT),
            p.value(s(format_time(update.at))),
        );
        let condition = format!("attribute_not_exists({rank_name}) OR {rank_name} < {rank}");
        self.message_update(&update.id, expression, Some(condition), p)
            .await
    }

    async fn message(&self, id: &MessageId) -> Result<Option<StoredMessage>, StoreError> {
        self.get(message_key(id))
            .await?
            .as_ref()
            .map(message_from_item)
            .transpose()
    }

    async fn message_events(&self, id: &MessageId) -> Result<Vec<MessageEvent>, StoreError> {
        let mut p = Placeholders::default();
        let condition = format!(
            "{} = {} AND begins_with({}, {})",
            p.name(PARTITION_KEY),
            p.value(s(message_pk(id))),
            p.name(SORT_KEY),
            p.value(s(EVENT_PREFIX)),
        );
        let mut events = self
            .query_all(None, &condition, p)
            .await?
            .iter()
            .map(message_event_from_item)
            .collect::<Result<Vec<_>, _>>()?;
        events.sort_by_key(|e| (e.at, e.status.rank()));
        Ok(events)
    }

    async fn conversation_messages(
        &self,
        business: &BusinessId,
        contact: &PhoneNumber,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<ConversationPage, StoreError> {
        let limit = page_size(limit);
        let gsi1pk = conversation_gsi1pk(business, contact);
        let start_key = match cursor {
            Some(cursor) => {
                let (_, id) = parse_cursor(cursor)?;
                let mut start = message_key(&id);
                start.insert(GSI1_PARTITION_KEY.into(), s(gsi1pk.as_str()));
                start.insert(GSI1_SORT_KEY.into(), s(cursor));
                Some(start)
            }
            None => None,
        };
        let mut p = Placeholders::default();
        let condition = format!("{} = {}", p.name(GSI1_PARTITION_KEY), p.value(s(gsi1pk)));
        let (names, values) = p.into_maps();
        // One more than the page, to know whether another page follows.
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .key_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .scan_index_forward(false)
            .limit(i32::try_from(limit + 1).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start_key)
            .send()
            .await
            .map_err(|e| unavailable("Query", e))?;
        let items = out.items.unwrap_or_default();
        let more = items.len() > limit;
        let mut messages = Vec::with_capacity(limit);
        let mut last_position = None;
        for item in items.iter().take(limit) {
            messages.push(message_from_item(item)?);
            last_position = get_s(item, GSI1_SORT_KEY)?.map(str::to_string);
        }
        Ok(ConversationPage {
            messages,
            next_cursor: if more { last_position } else { None },
        })
    }
}
