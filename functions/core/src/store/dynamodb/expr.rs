//! Expressions under placeholders, and the requests every aggregate shares: reads, conditional
//! puts and updates, and transactions.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, KeysAndAttributes, Put, TransactWriteItem, Update,
};

use super::item::{get_n, n, required, s, Item};
use super::keys::{PARTITION_KEY, REVISION, SECRET};
use super::{request_error, unavailable, DynamoStore};
use crate::config::Secret;
use crate::store::StoreError;

/// Read-then-conditional-write rounds before a contended write gives up.
pub(super) const MAX_WRITE_ROUNDS: usize = 8;

/// BatchGetItem takes at most 100 keys.
pub(super) const BATCH_GET_LIMIT: usize = 100;

pub(super) fn contended(what: &str) -> StoreError {
    StoreError::Unavailable(format!(
        "{what}: still contended after {MAX_WRITE_ROUNDS} attempts"
    ))
}

/// How a transaction ended when it did not fail outright.
pub(super) enum Transaction {
    Committed,
    /// Cancelled; one reason code per item, in request order (`None` for items that passed).
    /// `TransactionConflict` means another write held an item: read again and retry.
    Cancelled(Vec<Option<String>>),
}

// ---- expressions ---------------------------------------------------------------------------

/// Expression attribute names and values under generated placeholders, so no attribute name
/// can clash with DynamoDB's reserved words (`status`, `from`, `to`, `data`…).
#[derive(Default)]
pub(super) struct Placeholders {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Placeholders {
    pub(super) fn name(&mut self, attribute: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, a)| a.as_str() == attribute) {
            return placeholder.clone();
        }
        let placeholder = format!("#a{}", self.names.len());
        self.names
            .insert(placeholder.clone(), attribute.to_string());
        placeholder
    }

    pub(super) fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// DynamoDB refuses empty maps, so an empty one is sent as absent.
    pub(super) fn into_maps(self) -> (Option<HashMap<String, String>>, Option<Item>) {
        (
            (!self.names.is_empty()).then_some(self.names),
            (!self.values.is_empty()).then_some(self.values),
        )
    }
}

/// An UpdateItem's expressions, built against the item as it was read (`loaded`), so `fill`
/// can set only what the stored item lacks.
pub(super) struct Changes<'a> {
    loaded: Option<&'a Item>,
    placeholders: Placeholders,
    sets: Vec<String>,
    removes: Vec<String>,
    adds: Vec<String>,
    condition: Option<String>,
}

impl<'a> Changes<'a> {
    pub(super) fn against(loaded: Option<&'a Item>) -> Self {
        Self {
            loaded,
            placeholders: Placeholders::default(),
            sets: Vec::new(),
            removes: Vec::new(),
            adds: Vec::new(),
            condition: None,
        }
    }

    pub(super) fn blind() -> Self {
        Self::against(None)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.sets.is_empty() && self.removes.is_empty() && self.adds.is_empty()
    }

    pub(super) fn lacks(&self, attribute: &str) -> bool {
        self.loaded.is_none_or(|item| !item.contains_key(attribute))
    }

    pub(super) fn set(&mut self, attribute: &str, value: AttributeValue) {
        let name = self.placeholders.name(attribute);
        let value = self.placeholders.value(value);
        self.sets.push(format!("{name} = {value}"));
    }

    /// Sets `attribute` if the item as read lacks it.
    pub(super) fn fill(&mut self, attribute: &str, value: AttributeValue) {
        if self.lacks(attribute) {
            self.set(attribute, value);
        }
    }

    pub(super) fn fill_opt(&mut self, attribute: &str, value: Option<AttributeValue>) {
        if let Some(value) = value {
            self.fill(attribute, value);
        }
    }

    pub(super) fn remove(&mut self, attribute: &str) {
        let name = self.placeholders.name(attribute);
        self.removes.push(name);
    }

    pub(super) fn add(&mut self, attribute: &str, value: AttributeValue) {
        let name = self.placeholders.name(attribute);
        let value = self.placeholders.value(value);
        self.adds.push(format!("{name} {value}"));
    }

    pub(super) fn bump_revision(&mut self) {
        let name = self.placeholders.name(REVISION);
        let zero = self.placeholders.value(n(0));
        let one = self.placeholders.value(n(1));
        self.sets
            .push(format!("{name} = if_not_exists({name}, {zero}) + {one}"));
    }

    /// Writes only if the item is still as read: absent, or at the revision read.
    pub(super) fn unless_changed(&mut self) -> Result<(), StoreError> {
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

    /// Writes only if `condition`, written under this update's placeholders, holds.
    pub(super) fn only_if(&mut self, condition: impl FnOnce(&mut Placeholders) -> String) {
        self.condition = Some(condition(&mut self.placeholders));
    }

    pub(super) fn only_if_equals(&mut self, attribute: &str, value: AttributeValue) {
        let name = self.placeholders.name(attribute);
        let value = self.placeholders.value(value);
        self.condition = Some(format!("{name} = {value}"));
    }

    /// Takes the expressions: update, condition, names, values.
    #[allow(clippy::type_complexity)]
    pub(super) fn into_parts(
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

// ---- requests ------------------------------------------------------------------------------

impl DynamoStore {
    /// Puts `item` unless an item with its key exists. Returns whether it was written: an
    /// event kept once however often its callback is delivered.
    pub(super) async fn put_if_absent(&self, item: Item) -> Result<bool, StoreError> {
        let mut placeholders = Placeholders::default();
        let condition = format!("attribute_not_exists({})", placeholders.name(PARTITION_KEY));
        self.put_when(item, condition, placeholders).await
    }

    /// Puts `item` when `condition` (written with `placeholders`) holds; `false` when it does
    /// not, so a caller can tell a lost race from an outage.
    pub(super) async fn put_when(
        &self,
        item: Item,
        condition: String,
        placeholders: Placeholders,
    ) -> Result<bool, StoreError> {
        let (names, values) = placeholders.into_maps();
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
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

    /// Puts `item`, replacing whatever has its key.
    pub(super) async fn put_item(&self, item: Item) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| unavailable("PutItem", e))?;
        Ok(())
    }

    /// Puts `secret` as the item at `key` (a business's webhook secret, its calendar key).
    pub(super) async fn put_secret(&self, key: Item, secret: &Secret) -> Result<(), StoreError> {
        let mut item = key;
        item.insert(SECRET.into(), s(secret.expose()));
        self.put_item(item).await
    }

    /// The secret at `key`, as [`Self::put_secret`] put it.
    pub(super) async fn secret(&self, key: Item) -> Result<Option<Secret>, StoreError> {
        Ok(self
            .get(key)
            .await?
            .as_ref()
            .map(|item| required(item, SECRET).map(Secret::new))
            .transpose()?
            .flatten())
    }

    pub(super) async fn get(&self, key: Item) -> Result<Option<Item>, StoreError> {
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

    /// The items at `keys` that exist (consistent reads), in no particular order: BatchGetItem
    /// in chunks of [`BATCH_GET_LIMIT`], asking again for the keys it left unprocessed.
    pub(super) async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, StoreError> {
        let mut found = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(BATCH_GET_LIMIT) {
            let mut keys = chunk.to_vec();
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
                found.extend(
                    out.responses
                        .and_then(|mut r| r.remove(&self.table))
                        .unwrap_or_default(),
                );
                keys = out
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.table))
                    .map(|k| k.keys)
                    .unwrap_or_default();
            }
        }
        Ok(found)
    }

    /// Every item a query returns, across pages.
    pub(super) async fn query_all(
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

    pub(super) fn update_request(
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
    pub(super) async fn update_if(
        &self,
        key: Item,
        changes: Changes<'_>,
    ) -> Result<bool, StoreError> {
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

    pub(super) fn transaction_update(
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

    pub(super) fn transaction_put(
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

    pub(super) fn transaction_delete(
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

    pub(super) fn transaction_delete_unconditional(
        &self,
        key: Item,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .build()
            .map_err(request_error)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    pub(super) async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> Result<Transaction, StoreError> {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::dynamodb::item::s;
    use crate::store::dynamodb::keys::{FROM, STATUS_SEQ, TO};

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
}
