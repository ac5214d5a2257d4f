//! A customer's timeline records (`TIMELINE#{business}#{e164}`, see `keys.rs`): the one paged
//! read both kinds (calls, appointments) go through.

use super::expr::Placeholders;
use super::item::{required, s, Item};
use super::keys::{PARTITION_KEY, SORT_KEY};
use super::{unavailable, DynamoStore};
use crate::store::StoreError;

impl DynamoStore {
    /// The records of partition `pk` whose sort key starts with `prefix`, newest (highest)
    /// first, after the record `{prefix}{after}` (the previous page's last), at most `limit`;
    /// and whether more follow.
    pub(super) async fn timeline_records(
        &self,
        pk: String,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Item>, bool), StoreError> {
        let mut p = Placeholders::default();
        let pk_name = p.name(PARTITION_KEY);
        let partition = p.value(s(pk));
        let sk = p.name(SORT_KEY);
        let lowest = p.value(s(prefix));
        // The sort key is the prefix and a position that sorts as time, so the cursor is a key
        // condition; the record at the cursor itself is skipped below.
        let after_key = after.map(|after| format!("{prefix}{after}"));
        let key_condition = match &after_key {
            Some(after_key) => format!(
                "{pk_name} = {partition} AND {sk} BETWEEN {lowest} AND {}",
                p.value(s(after_key.as_str()))
            ),
            None => format!("{pk_name} = {partition} AND begins_with({sk}, {lowest})"),
        };
        let (names, values) = p.into_maps();
        let mut records = Vec::new();
        let mut start_key = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .scan_index_forward(false)
                .consistent_read(true)
                .key_condition_expression(&key_condition)
                .set_expression_attribute_names(names.clone())
                .set_expression_attribute_values(values.clone())
                .set_exclusive_start_key(start_key)
                .limit(i32::try_from(limit + 2).unwrap_or(i32::MAX))
                .send()
                .await
                .map_err(|e| unavailable("Query", e))?;
            for item in out.items.unwrap_or_default() {
                if after_key.as_deref() == Some(required(&item, SORT_KEY)?) {
                    continue;
                }
                records.push(item);
                if records.len() > limit {
                    break;
                }
            }
            start_key = out.last_evaluated_key.filter(|k| !k.is_empty());
            if records.len() > limit || start_key.is_none() {
                break;
            }
        }
        let more = records.len() > limit;
        records.truncate(limit);
        Ok((records, more))
    }
}
