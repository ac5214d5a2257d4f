//! The indexes that find a business's customers and words (the model is `store::find`'s).
//!
//! | record | `pk` | `sk` | other attributes |
//! | --- | --- | --- | --- |
//! | contact | `CONTACT#{business}#{e164}` | `CONTACT` | `business_id`, `contact`, `last_ns` (its last activity's time, Unix ns), `last_kind` (`call` or `message`), `last_id` (that CallSid or message id), `inbound_ns`, `replied_ns` (the customer's last WhatsApp message and the business's last one to them, Unix ns); `gsi1pk` = `BIZ#{business}#CONTACTS`, `gsi1sk` = `{last_ns, 20 digits}#{e164}` |
//! | search entry | `SEARCH#{business}#{CallSid or message id}` | `SEARCH` | `business_id`, `kind` (`call` or `message`), `item_id`, `caller_text` (a call's caller name), `body_text` (a call's transcript, a message's text and captions), both lower case; `gsi1pk` = `BIZ#{business}#SEARCH`, `gsi1sk` = `{Unix ns of the call's start or the message, 20 digits}#{id}` |
//!
//! Writes. A call start updates its customer's contact at the same time as the call itself
//! (one UpdateItem alongside the call's read and write, not after them), so the voice answer
//! waits for neither longer than for the call; with a caller name it also updates the call's
//! search entry, alongside. A transcript updates the entry in the transaction that keeps it.
//! A message updates its contact and entry when it is stored. A contact moves only forward: its
//! UpdateItem holds only if `last_ns` is older, and an older message then sets only its way's
//! time, again only forward. An entry's position is set once (`if_not_exists`). Written beside
//! the call rather than after it, the contact takes the start as this request saw it: a
//! retried webhook (a later start for the same CallSid, which the call itself ignores) moves
//! the customer to the retry's time, still naming the same call.
//!
//! Reads. The customers are one Query of `gsi1` newest first, a page and one more. A search is
//! a Query of the business's entries newest first whose filter keeps the entries that
//! `contains` the term; DynamoDB has no full-text index, so the filter reads every entry it
//! looks at. `Limit` is the page's read budget: a page reads at most that many entries (and so
//! at most that many items' capacity) whatever the business's history, and when the budget
//! runs out first the page says how far back it searched and its cursor continues from there.
//! Before offering a next page it reads one more key (Limit 1, keys only) to be sure there is
//! an older entry.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::expr::{Changes, Placeholders};
use super::item::{get_n, get_s, n, required, s, Item};
use super::keys::{
    contact_key, contacts_gsi1pk, search_gsi1pk, search_key, BODY_TEXT, BUSINESS_ID, CALLER_TEXT,
    CONTACT, GSI1, GSI1_PARTITION_KEY, GSI1_SORT_KEY, INBOUND_NS, ITEM_ID, KIND, LAST_ID,
    LAST_KIND, LAST_NS, REPLIED_NS,
};
use super::{request_error, unavailable, DynamoStore};
use crate::domain::time::time_ns;
use crate::domain::{BusinessId, Call, CallStart, MessageDirection, NewMessage, PhoneNumber};
use crate::store::find::{
    caller_words, find_page_size, find_position, message_words, parse_contact_cursor,
    parse_find_position, parse_search_cursor, search_text, Activity, Contact, ContactPage,
    FindStore, SearchHit, SearchPage, SearchQuery,
};
use crate::store::StoreError;

/// `attribute` is absent or older than `ns`.
fn older(p: &mut Placeholders, attribute: &str, ns: i64) -> String {
    let name = p.name(attribute);
    format!(
        "attribute_not_exists({name}) OR {name} < {}",
        p.value(n(ns))
    )
}

/// The update that keeps a call's or message's words: its position set once, a caller name
/// kept once, a body replaced.
fn words_update(
    business: &BusinessId,
    activity: &Activity,
    at: time::OffsetDateTime,
    caller: Option<String>,
    body: Option<String>,
) -> (String, Placeholders) {
    let mut p = Placeholders::default();
    let mut sets = Vec::new();
    let mut assign = |p: &mut Placeholders, attribute: &str, value: String, once: bool| {
        let name = p.name(attribute);
        let value = p.value(s(value));
        sets.push(if once {
            format!("{name} = if_not_exists({name}, {value})")
        } else {
            format!("{name} = {value}")
        });
    };
    assign(&mut p, BUSINESS_ID, business.as_str().into(), false);
    assign(&mut p, KIND, activity.kind().into(), false);
    assign(&mut p, ITEM_ID, activity.id().into(), false);
    assign(&mut p, GSI1_PARTITION_KEY, search_gsi1pk(business), true);
    assign(
        &mut p,
        GSI1_SORT_KEY,
        find_position(at, activity.id()),
        true,
    );
    if let Some(caller) = caller {
        assign(&mut p, CALLER_TEXT, caller, true);
    }
    if let Some(body) = body {
        assign(&mut p, BODY_TEXT, body, false);
    }
    (format!("SET {}", sets.join(", ")), p)
}

fn contact_from_item(item: &Item) -> Result<Contact, StoreError> {
    let number = required(item, CONTACT)?;
    let last_ns: i64 = get_n(item, LAST_NS)?
        .ok_or_else(|| StoreError::Corrupt("contact without `last_ns`".into()))?;
    let inbound: Option<i64> = get_n(item, INBOUND_NS)?;
    let replied: Option<i64> = get_n(item, REPLIED_NS)?;
    Ok(Contact {
        number: PhoneNumber::parse(number)
            .map_err(|e| StoreError::Corrupt(format!("contact: {e}")))?,
        last_at: time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(last_ns))
            .map_err(|e| StoreError::Corrupt(format!("contact time: {e}")))?,
        last: Activity::parse(required(item, LAST_KIND)?, required(item, LAST_ID)?)?,
        awaiting_reply: inbound.is_some_and(|inbound| Some(inbound) > replied),
    })
}

/// The key condition of a gsi1 partition read newest first: `gsi1pk = pk`, and below the
/// position `after` when paging on.
fn gsi1_below(p: &mut Placeholders, pk: String, after: Option<&str>) -> String {
    let mut condition = format!("{} = {}", p.name(GSI1_PARTITION_KEY), p.value(s(pk)));
    if let Some(after) = after {
        condition += &format!(" AND {} < {}", p.name(GSI1_SORT_KEY), p.value(s(after)));
    }
    condition
}

impl DynamoStore {
    /// Moves `number` to the front of `business`'s customers when `at` is newer than their
    /// last activity, and keeps the time of their last message each way.
    async fn note_contact(
        &self,
        business: &BusinessId,
        number: &PhoneNumber,
        at: time::OffsetDateTime,
        activity: &Activity,
        message: Option<MessageDirection>,
    ) -> Result<(), StoreError> {
        let ns = time_ns(at);
        let way = message.map(|direction| match direction {
            MessageDirection::Inbound => INBOUND_NS,
            MessageDirection::Outbound => REPLIED_NS,
        });
        let mut changes = Changes::blind();
        changes.set(BUSINESS_ID, s(business.as_str()));
        changes.set(CONTACT, s(number.as_str()));
        changes.set(LAST_NS, n(ns));
        changes.set(LAST_KIND, s(activity.kind()));
        changes.set(LAST_ID, s(activity.id()));
        changes.set(GSI1_PARTITION_KEY, s(contacts_gsi1pk(business)));
        changes.set(GSI1_SORT_KEY, s(find_position(at, number.as_str())));
        if let Some(way) = way {
            changes.set(way, n(ns));
        }
        changes.only_if(|p| older(p, LAST_NS, ns));
        if self
            .update_if(contact_key(business, number), changes)
            .await?
        {
            return Ok(());
        }
        // Not their latest activity; it may still be their latest message this way.
        let Some(way) = way else {
            return Ok(());
        };
        let mut changes = Changes::blind();
        changes.set(way, n(ns));
        changes.only_if(|p| older(p, way, ns));
        self.update_if(contact_key(business, number), changes)
            .await?;
        Ok(())
    }

    async fn keep_words(
        &self,
        business: &BusinessId,
        activity: &Activity,
        at: time::OffsetDateTime,
        caller: Option<String>,
        body: Option<String>,
    ) -> Result<(), StoreError> {
        if caller.is_none() && body.is_none() {
            return Ok(());
        }
        let (expression, p) = words_update(business, activity, at, caller, body);
        let (names, values) = p.into_maps();
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(search_key(business, activity.id())))
            .update_expression(expression)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .send()
            .await
            .map_err(|e| unavailable("UpdateItem", e))?;
        Ok(())
    }

    /// A call's start in the indexes: its customer (the caller of an inbound call, the callee
    /// of an outbound one) to the front, its caller name searchable. Both writes at once.
    pub(super) async fn index_call_start(&self, start: &CallStart) -> Result<(), StoreError> {
        let activity = Activity::Call(start.sid.clone());
        let customer = if start.direction.is_outbound() {
            &start.to
        } else {
            &start.from
        };
        let contact = async {
            match PhoneNumber::parse(customer) {
                Ok(number) => {
                    self.note_contact(
                        &start.business_id,
                        &number,
                        start.started_at,
                        &activity,
                        None,
                    )
                    .await
                }
                // An anonymous caller has no timeline to list.
                Err(_) => Ok(()),
            }
        };
        let words = self.keep_words(
            &start.business_id,
            &activity,
            start.started_at,
            caller_words(start.caller_name.as_deref()),
            None,
        );
        let (contact, words) = tokio::join!(contact, words);
        contact.and(words)
    }

    /// A stored message in the indexes: its contact to the front, its words searchable.
    pub(super) async fn index_message(&self, message: &NewMessage) -> Result<(), StoreError> {
        let (Some(business), Some(contact)) = (&message.business_id, &message.contact) else {
            return Ok(());
        };
        let activity = Activity::Message(message.id.clone());
        let (contact, words) = tokio::join!(
            self.note_contact(
                business,
                contact,
                message.at,
                &activity,
                Some(message.direction)
            ),
            self.keep_words(
                business,
                &activity,
                message.at,
                None,
                message_words(&message.content)
            ),
        );
        contact.and(words)
    }

    /// The transaction item that makes a call's transcript searchable, for a call whose
    /// business and start are known.
    pub(super) fn transcript_words(
        &self,
        call: &Call,
        transcript: &str,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        let (Some(business), Some(started_at)) = (&call.business_id, call.started_at) else {
            return Ok(None);
        };
        if transcript.trim().is_empty() {
            return Ok(None);
        }
        let activity = Activity::Call(call.sid.clone());
        let (expression, p) = words_update(
            business,
            &activity,
            started_at,
            caller_words(call.caller_name.as_deref()),
            Some(search_text(transcript)),
        );
        let (names, values) = p.into_maps();
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(search_key(business, activity.id())))
            .update_expression(expression)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .build()
            .map_err(request_error)?;
        Ok(Some(TransactWriteItem::builder().update(update).build()))
    }
}

impl DynamoStore {
    /// Whether the business has a search entry older than `position`: one key read, so a
    /// page offers to go on only when there is something to go on to (DynamoDB may end a
    /// Query at its `Limit` with a `LastEvaluatedKey` and nothing after it).
    async fn older_entry(&self, business: &BusinessId, position: &str) -> Result<bool, StoreError> {
        let mut p = Placeholders::default();
        let condition = format!(
            "{} = {} AND {} < {}",
            p.name(GSI1_PARTITION_KEY),
            p.value(s(search_gsi1pk(business))),
            p.name(GSI1_SORT_KEY),
            p.value(s(position)),
        );
        let projection = p.name(GSI1_SORT_KEY);
        let (names, values) = p.into_maps();
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .scan_index_forward(false)
            .key_condition_expression(condition)
            .projection_expression(projection)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .limit(1)
            .send()
            .await
            .map_err(|e| unavailable("Query", e))?;
        Ok(out.count > 0)
    }
}

#[async_trait]
impl FindStore for DynamoStore {
    async fn list_contacts(
        &self,
        business: &BusinessId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<ContactPage, StoreError> {
        let limit = find_page_size(limit);
        let mut after = after.map(parse_contact_cursor).transpose()?;
        // One more than the page, to know whether another page follows.
        let mut items: Vec<Item> = Vec::with_capacity(limit + 1);
        loop {
            let mut p = Placeholders::default();
            let condition = gsi1_below(&mut p, contacts_gsi1pk(business), after.as_deref());
            let (names, values) = p.into_maps();
            let wanted = limit + 1 - items.len();
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(GSI1)
                .scan_index_forward(false)
                .key_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .limit(i32::try_from(wanted).unwrap_or(i32::MAX))
                .send()
                .await
                .map_err(|e| unavailable("Query", e))?;
            items.extend(out.items.unwrap_or_default());
            let resume = out
                .last_evaluated_key
                .as_ref()
                .map(|key| get_s(key, GSI1_SORT_KEY).map(|p| p.map(str::to_string)))
                .transpose()?
                .flatten();
            match resume {
                Some(position) if items.len() <= limit => after = Some(position),
                _ => break,
            }
        }
        let next = if items.len() > limit {
            Some(required(&items[limit - 1], GSI1_SORT_KEY)?.to_string())
        } else {
            None
        };
        let contacts = items
            .iter()
            .take(limit)
            .map(contact_from_item)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ContactPage { contacts, next })
    }

    async fn search(
        &self,
        business: &BusinessId,
        query: &SearchQuery,
    ) -> Result<SearchPage, StoreError> {
        let limit = find_page_size(query.limit);
        let budget = query.budget.max(limit);
        let mut after = query
            .after
            .as_deref()
            .map(parse_search_cursor)
            .transpose()?;
        let mut hits = Vec::new();
        let mut read = 0;
        loop {
            let mut p = Placeholders::default();
            let condition = gsi1_below(&mut p, search_gsi1pk(business), after.as_deref());
            let term = p.value(s(query.term.as_str()));
            let filter = format!(
                "contains({caller}, {term}) OR contains({body}, {term})",
                caller = p.name(CALLER_TEXT),
                body = p.name(BODY_TEXT),
            );
            let (names, values) = p.into_maps();
            // `Limit` counts the entries read, before the filter: the rest of the budget.
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(GSI1)
                .scan_index_forward(false)
                .key_condition_expression(condition)
                .filter_expression(filter)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .limit(i32::try_from(budget - read).unwrap_or(i32::MAX))
                .send()
                .await
                .map_err(|e| unavailable("Query", e))?;
            read += usize::try_from(out.scanned_count).unwrap_or(0);
            let resume = out
                .last_evaluated_key
                .as_ref()
                .map(|key| get_s(key, GSI1_SORT_KEY).map(|p| p.map(str::to_string)))
                .transpose()?
                .flatten();
            let items = out.items.unwrap_or_default();
            for (index, item) in items.iter().enumerate() {
                let position = required(item, GSI1_SORT_KEY)?;
                let (at, _) = parse_find_position(position)?;
                hits.push(SearchHit {
                    at,
                    found: Activity::parse(required(item, KIND)?, required(item, ITEM_ID)?)?,
                });
                if hits.len() == limit {
                    let more = index + 1 < items.len()
                        || (resume.is_some() && self.older_entry(business, position).await?);
                    return Ok(SearchPage {
                        hits,
                        next: more.then(|| position.to_string()),
                        searched_to: None,
                    });
                }
            }
            match resume {
                None => {
                    return Ok(SearchPage {
                        hits,
                        next: None,
                        searched_to: None,
                    })
                }
                Some(position) if read >= budget => {
                    let (at, _) = parse_find_position(&position)?;
                    let more = self.older_entry(business, &position).await?;
                    return Ok(SearchPage {
                        hits,
                        searched_to: more.then_some(at),
                        next: more.then_some(position),
                    });
                }
                Some(position) => after = Some(position),
            }
        }
    }
}
