//! The indexes that find a business's customers and words (`store::find`), kept in the same
//! transaction as the call start, transcript or message they index, and read back.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Transaction};
use time::OffsetDateTime;

use super::row::{corrupt, db, time_ns};
use super::SqliteStore;
use crate::domain::{BusinessId, CallSid, Direction, MessageDirection, NewMessage, PhoneNumber};
use crate::store::find::{
    caller_words, find_page_size, find_position, message_words, parse_contact_cursor,
    parse_find_position, parse_search_cursor, search_text, Activity, Contact, ContactPage,
    FindStore, SearchHit, SearchPage, SearchQuery,
};
use crate::store::{parse_time, StoreError};

/// Moves `number` to the front of `business`'s customers when `at` is newer than their last
/// activity, and keeps the times of their last message each way.
fn note_contact(
    tx: &Transaction<'_>,
    business: &BusinessId,
    number: &PhoneNumber,
    at: OffsetDateTime,
    activity: &Activity,
    message: Option<MessageDirection>,
) -> Result<(), StoreError> {
    let ns = time_ns(at);
    let inbound = (message == Some(MessageDirection::Inbound)).then_some(ns);
    let replied = (message == Some(MessageDirection::Outbound)).then_some(ns);
    // Every right-hand side reads the row as it was, so the CASEs compare with the old time.
    tx.prepare_cached(
        "INSERT INTO contacts (business_id, contact, position, last_ns, last_kind, last_id,
             inbound_ns, replied_ns)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (business_id, contact) DO UPDATE SET
             position   = CASE WHEN excluded.last_ns > last_ns THEN excluded.position ELSE position END,
             last_kind  = CASE WHEN excluded.last_ns > last_ns THEN excluded.last_kind ELSE last_kind END,
             last_id    = CASE WHEN excluded.last_ns > last_ns THEN excluded.last_id ELSE last_id END,
             last_ns    = max(last_ns, excluded.last_ns),
             inbound_ns = CASE WHEN excluded.inbound_ns > coalesce(inbound_ns, -1)
                               THEN excluded.inbound_ns ELSE inbound_ns END,
             replied_ns = CASE WHEN excluded.replied_ns > coalesce(replied_ns, -1)
                               THEN excluded.replied_ns ELSE replied_ns END",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            business.as_str(),
            number.as_str(),
            find_position(at, number.as_str()),
            ns,
            activity.kind(),
            activity.id(),
            inbound,
            replied,
        ])
    })
    .map_err(db)?;
    Ok(())
}

/// Keeps the words of a call or message under its time. The first write fixes the position;
/// a caller name already kept stays, a new body replaces the old.
fn keep_words(
    tx: &Transaction<'_>,
    business: &BusinessId,
    activity: &Activity,
    at: OffsetDateTime,
    caller: Option<String>,
    body: Option<String>,
) -> Result<(), StoreError> {
    if caller.is_none() && body.is_none() {
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT INTO search_entries (business_id, item_id, kind, position, caller_text, body_text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (business_id, item_id) DO UPDATE SET
             caller_text = coalesce(caller_text, excluded.caller_text),
             body_text   = coalesce(excluded.body_text, body_text)",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            business.as_str(),
            activity.id(),
            activity.kind(),
            find_position(at, activity.id()),
            caller,
            body,
        ])
    })
    .map_err(db)?;
    Ok(())
}

/// What the indexes need of a stored call, once its business and start are known.
struct IndexedCall {
    business: BusinessId,
    started_at: OffsetDateTime,
    /// The customer: the caller of an inbound call, the callee of an outbound one.
    customer: Option<PhoneNumber>,
    caller_name: Option<String>,
}

fn indexed_call(tx: &Transaction<'_>, sid: &CallSid) -> Result<Option<IndexedCall>, StoreError> {
    type Row = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = tx
        .prepare_cached(
            "SELECT business_id, started_at, direction, from_number, to_number, caller_name
             FROM calls WHERE sid = ?1",
        )
        .and_then(|mut statement| {
            statement
                .query_row([sid.as_str()], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                    ))
                })
                .optional()
        })
        .map_err(db)?;
    let Some((Some(business), Some(started_at), direction, from, to, caller_name)) = row else {
        return Ok(None);
    };
    let outbound = direction
        .as_deref()
        .map(Direction::parse)
        .is_some_and(Direction::is_outbound);
    let customer = if outbound { to } else { from };
    Ok(Some(IndexedCall {
        business: BusinessId::parse(&business).map_err(|e| corrupt("call business", e))?,
        started_at: parse_time(&started_at)?,
        customer: customer.and_then(|number| PhoneNumber::parse(&number).ok()),
        caller_name,
    }))
}

/// A call's start as stored: its customer moves to the front, its caller name is searchable.
pub(super) fn index_call_start(tx: &Transaction<'_>, sid: &CallSid) -> Result<(), StoreError> {
    let Some(call) = indexed_call(tx, sid)? else {
        return Ok(());
    };
    let activity = Activity::Call(sid.clone());
    if let Some(customer) = &call.customer {
        note_contact(
            tx,
            &call.business,
            customer,
            call.started_at,
            &activity,
            None,
        )?;
    }
    let caller = caller_words(call.caller_name.as_deref());
    keep_words(tx, &call.business, &activity, call.started_at, caller, None)
}

/// A call's transcript, searchable with its caller name.
pub(super) fn index_transcript(
    tx: &Transaction<'_>,
    sid: &CallSid,
    transcript: &str,
) -> Result<(), StoreError> {
    let Some(call) = indexed_call(tx, sid)?.filter(|_| !transcript.trim().is_empty()) else {
        return Ok(());
    };
    keep_words(
        tx,
        &call.business,
        &Activity::Call(sid.clone()),
        call.started_at,
        caller_words(call.caller_name.as_deref()),
        Some(search_text(transcript)),
    )
}

/// A stored message: its contact moves to the front, its words are searchable.
pub(super) fn index_message(tx: &Transaction<'_>, message: &NewMessage) -> Result<(), StoreError> {
    let (Some(business), Some(contact)) = (&message.business_id, &message.contact) else {
        return Ok(());
    };
    let activity = Activity::Message(message.id.clone());
    note_contact(
        tx,
        business,
        contact,
        message.at,
        &activity,
        Some(message.direction),
    )?;
    keep_words(
        tx,
        business,
        &activity,
        message.at,
        None,
        message_words(&message.content),
    )
}

#[async_trait]
impl FindStore for SqliteStore {
    async fn list_contacts(
        &self,
        business: &BusinessId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<ContactPage, StoreError> {
        let limit = find_page_size(limit);
        let after = after.map(parse_contact_cursor).transpose()?;
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT contact, last_ns, last_kind, last_id, inbound_ns, replied_ns, position
                 FROM contacts
                 WHERE business_id = ?1 AND (?2 IS NULL OR position < ?2)
                 ORDER BY position DESC
                 LIMIT ?3",
            )
            .map_err(db)?;
        // One more than the page, to know whether another page follows.
        let fetch = i64::try_from(limit + 1).unwrap_or(i64::MAX);
        let rows = statement
            .query_map(params![business.as_str(), after, fetch], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<i64>>(4)?,
                    row.get::<_, Option<i64>>(5)?,
                    row.get::<_, String>(6)?,
                ))
            })
            .map_err(db)?;
        let mut contacts = Vec::new();
        let mut positions = Vec::new();
        for row in rows {
            let (number, last_ns, kind, id, inbound, replied, position) = row.map_err(db)?;
            contacts.push(Contact {
                number: PhoneNumber::parse(&number).map_err(|e| corrupt("contact", e))?,
                last_at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(last_ns))
                    .map_err(|e| corrupt("contact time", e))?,
                last: Activity::parse(&kind, &id)?,
                awaiting_reply: inbound.is_some_and(|inbound| Some(inbound) > replied),
            });
            positions.push(position);
        }
        let next = (contacts.len() > limit).then(|| positions[limit - 1].clone());
        contacts.truncate(limit);
        Ok(ContactPage { contacts, next })
    }

    async fn search(
        &self,
        business: &BusinessId,
        query: &SearchQuery,
    ) -> Result<SearchPage, StoreError> {
        let limit = find_page_size(query.limit);
        let budget = query.budget.max(limit);
        let after = query
            .after
            .as_deref()
            .map(parse_search_cursor)
            .transpose()?;
        let conn = self.conn();
        // The budget bounds the rows read (one more tells whether any are older); each says
        // whether it holds the term (instr is a literal match: no character is special).
        let mut statement = conn
            .prepare_cached(
                "SELECT kind, item_id, position,
                        instr(coalesce(caller_text, ''), ?3) > 0
                            OR instr(coalesce(body_text, ''), ?3) > 0
                 FROM search_entries
                 WHERE business_id = ?1 AND (?2 IS NULL OR position < ?2)
                 ORDER BY position DESC
                 LIMIT ?4",
            )
            .map_err(db)?;
        let rows = statement
            .query_map(
                params![
                    business.as_str(),
                    after,
                    query.term.as_str(),
                    i64::try_from(budget + 1).unwrap_or(i64::MAX)
                ],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, bool>(3)?,
                    ))
                },
            )
            .map_err(db)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db)?;
        let mut hits = Vec::new();
        for (index, (kind, id, position, hit)) in rows.iter().take(budget).enumerate() {
            if !hit {
                continue;
            }
            let (at, _) = parse_find_position(position)?;
            hits.push(SearchHit {
                at,
                found: Activity::parse(kind, id)?,
            });
            if hits.len() == limit {
                return Ok(SearchPage {
                    hits,
                    next: (index + 1 < rows.len()).then(|| position.clone()),
                    searched_to: None,
                });
            }
        }
        // Past the budget: the last row read is where the next page goes on from.
        let last = rows.get(budget - 1).filter(|_| rows.len() > budget);
        Ok(SearchPage {
            hits,
            next: last.map(|row| row.2.clone()),
            searched_to: last
                .map(|row| parse_find_position(&row.2).map(|(at, _)| at))
                .transpose()?,
        })
    }
}
