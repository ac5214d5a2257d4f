//! Appointments on the single table: the appointment, one counted lock per 5-minute cell it
//! holds, and the request keys already spent.
//!
//! | record | `pk` | `sk` | other attributes |
//! | --- | --- | --- | --- |
//! | appointment | `APPT#{id}` | `APPT` | `business_id`, `service`, `slot_start`, `slot_end`, `block_start`, `block_end` (RFC 3339 UTC), `timezone`, `phone`, `name`, `channel`, `source`, `status`, `version`, `created_at`, `updated_at`; `gsi1pk` = `BIZ#{business}#APPTS`, `gsi1sk` = `{slot start, fixed-width RFC 3339}#{id}` |
//! | cell lock | `BIZ#{business}#CELL#{cell}` | `CELL` | `n`: the booked appointments holding the cell; `expires_at` a week after the cell |
//! | request | `REQ#{business}#{request key}` | `REQ` | `appointment_id`, `operation`, `expires_at` (30 days) |
//! | an appointment in its customer's timeline | `TIMELINE#{business}#{phone}` | `APPT#{id}` | `appointment_id`: written by the booking's transaction and never changed (the id is the appointment's for good, and its UUIDv7 sorts by booking time), so a customer's appointments are one query of their own partition and a BatchGetItem |
//!
//! Every change is one TransactWriteItems: the request's Put (`attribute_not_exists`), the
//! appointment's Put or its Update (`status = booked AND version = :v`), and an Update per
//! cell — a claim `ADD n 1` if `attribute_not_exists(n) OR n < :capacity`, a release
//! `ADD n -1` if `n > 0`. DynamoDB applies all of it or none, so bookings racing for a full
//! cell cannot both pass its condition. A cancelled transaction's reasons say which condition
//! failed: the request's (a repeat), the appointment's (a conflict), a claimed cell's (taken).

use std::ops::Range;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;

use super::expr::{Changes, Placeholders};
use super::item::{appointment_from_item, corrupt, get_s, n, required, s, Item};
use super::keys::{
    appointment_key, appointments_gsi1pk, request_key, timeline_appointment_key, timeline_pk,
    APPOINTMENT_ID, BLOCK_END, BLOCK_START, BUSINESS_ID, CHANNEL, CREATED_AT, GSI1,
    GSI1_PARTITION_KEY, GSI1_SORT_KEY, NAME, PARTITION_KEY, PHONE, SERVICE, SLOT_END, SLOT_START,
    SOURCE, STATUS, TIMELINE_APPOINTMENT_PREFIX, TIMEZONE, UPDATED_AT, VERSION,
};
use super::{unavailable, DynamoStore};
use crate::domain::booking::engine::{Busy, Slot};
use crate::domain::{
    Appointment, AppointmentId, AppointmentStatus, BusinessId, NewAppointment, PhoneNumber,
    RequestKey,
};
use crate::store::appointments::{
    appointment_page_size, appointment_position, block_reach, cells_to_claim, cells_to_release,
    check_block, parse_appointment_id_cursor, parse_appointment_position, sortable_time, Operation,
};
use crate::store::{
    AppointmentPage, AppointmentQuery, AppointmentStore, Booking, Change, StoreError,
};

/// Every transaction puts the request first, the appointment second, then the cells.
const APPOINTMENT_ITEM: usize = 1;
const FIRST_CELL_ITEM: usize = 2;

fn time(at: Timestamp) -> AttributeValue {
    s(at.to_string())
}

fn appointment_item(appointment: &Appointment) -> Item {
    let mut item = appointment_key(&appointment.id);
    let mut put = |name: &str, value: AttributeValue| {
        item.insert(name.to_string(), value);
    };
    put(BUSINESS_ID, s(appointment.business_id.as_str()));
    put(SERVICE, s(appointment.service.as_str()));
    put(SLOT_START, time(appointment.slot.start));
    put(SLOT_END, time(appointment.slot.end));
    put(BLOCK_START, time(appointment.block.start));
    put(BLOCK_END, time(appointment.block.end));
    put(TIMEZONE, s(appointment.timezone.as_str()));
    put(PHONE, s(appointment.phone.as_str()));
    if let Some(name) = &appointment.name {
        put(NAME, s(name.as_str()));
    }
    put(CHANNEL, s(appointment.channel.as_str()));
    put(SOURCE, s(appointment.source.as_str()));
    put(STATUS, s(appointment.status.as_str()));
    put(VERSION, n(appointment.version));
    put(CREATED_AT, time(appointment.created_at));
    put(UPDATED_AT, time(appointment.updated_at));
    put(
        GSI1_PARTITION_KEY,
        s(appointments_gsi1pk(&appointment.business_id)),
    );
    put(
        GSI1_SORT_KEY,
        s(appointment_position(
            appointment.slot.start,
            &appointment.id,
        )),
    );
    item
}

/// The condition every change of an appointment writes under: still `booked` at the version
/// the caller read.
fn booked_at(version: u32) -> impl FnOnce(&mut Placeholders) -> String {
    move |p| {
        format!(
            "{} = {} AND {} = {}",
            p.name(STATUS),
            p.value(s(AppointmentStatus::Booked.as_str())),
            p.name(VERSION),
            p.value(n(version)),
        )
    }
}

impl DynamoStore {
    async fn load_appointment(
        &self,
        id: &AppointmentId,
    ) -> Result<Option<Appointment>, StoreError> {
        self.get(appointment_key(id))
            .await?
            .as_ref()
            .map(appointment_from_item)
            .transpose()
    }

    /// The appointment a spent request key concerned, as it stands; `None` if it is unspent.
    async fn spent_request(
        &self,
        business: &BusinessId,
        request: &RequestKey,
    ) -> Result<Option<Appointment>, StoreError> {
        let Some(item) = self.get(request_key(business, request)).await? else {
            return Ok(None);
        };
        let id = AppointmentId::parse(required(&item, APPOINTMENT_ID)?)
            .map_err(corrupt("request's appointment"))?;
        match self.load_appointment(&id).await? {
            Some(appointment) => Ok(Some(appointment)),
            None => Err(StoreError::Corrupt(format!(
                "request {} names appointment {id}, which is not stored",
                request.as_str()
            ))),
        }
    }

    /// Why a cancel or reschedule was refused, ranked as the outcomes rank: a spent request,
    /// then the appointment's condition, then a claimed cell (`claims`, item positions).
    async fn refused_change(
        &self,
        appointment: &Appointment,
        request: &RequestKey,
        failed: &[usize],
        claims: Range<usize>,
    ) -> Result<Change, StoreError> {
        if let Some(seen) = self
            .spent_request(&appointment.business_id, request)
            .await?
        {
            return Ok(Change::Repeat(seen));
        }
        if failed.contains(&APPOINTMENT_ITEM) {
            return Ok(match self.load_appointment(&appointment.id).await? {
                Some(current) => Change::Conflict(current),
                None => Change::NotFound,
            });
        }
        if failed.iter().any(|i| claims.contains(i)) {
            return Ok(Change::Taken);
        }
        Err(StoreError::Corrupt(format!(
            "appointment {}: items {failed:?} refused (a held cell already at zero?)",
            appointment.id
        )))
    }

    /// The appointment as it stands if the caller may change it (`booked` at `version`), else
    /// the change's outcome: `NotFound`, `Repeat` for a spent request, or `Conflict`.
    async fn changeable(
        &self,
        id: &AppointmentId,
        version: u32,
        request: &RequestKey,
    ) -> Result<Result<Appointment, Change>, StoreError> {
        let Some(current) = self.load_appointment(id).await? else {
            return Ok(Err(Change::NotFound));
        };
        if current.status == AppointmentStatus::Booked && current.version == version {
            return Ok(Ok(current));
        }
        Ok(Err(
            match self.spent_request(&current.business_id, request).await? {
                Some(seen) => Change::Repeat(seen),
                None => Change::Conflict(current),
            },
        ))
    }

    /// A business's appointments on `gsi1` under `key_condition` and `filter`, soonest first,
    /// reading pages until more than `enough` are found; the item at `skip` is left out.
    async fn query_appointments(
        &self,
        key_condition: &str,
        filter: Option<String>,
        placeholders: Placeholders,
        enough: usize,
        skip: Option<&str>,
    ) -> Result<Vec<Appointment>, StoreError> {
        let (names, values) = placeholders.into_maps();
        let mut appointments = Vec::new();
        let mut start_key = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(GSI1)
                .key_condition_expression(key_condition)
                .set_filter_expression(filter.clone())
                .set_expression_attribute_names(names.clone())
                .set_expression_attribute_values(values.clone())
                .set_exclusive_start_key(start_key)
                .send()
                .await
                .map_err(|e| unavailable("Query", e))?;
            for item in out.items.unwrap_or_default() {
                if skip.is_some() && skip == get_s(&item, GSI1_SORT_KEY)? {
                    continue;
                }
                appointments.push(appointment_from_item(&item)?);
                if appointments.len() > enough {
                    return Ok(appointments);
                }
            }
            start_key = out.last_evaluated_key.filter(|k| !k.is_empty());
            if start_key.is_none() {
                return Ok(appointments);
            }
        }
    }
}

/// `gsi1pk = BIZ#{business}#APPTS AND gsi1sk BETWEEN lower AND upper`, under `p`.
fn between(p: &mut Placeholders, business: &BusinessId, lower: &str, upper: &str) -> String {
    format!(
        "{} = {} AND {} BETWEEN {} AND {}",
        p.name(GSI1_PARTITION_KEY),
        p.value(s(appointments_gsi1pk(business))),
        p.name(GSI1_SORT_KEY),
        p.value(s(lower)),
        p.value(s(upper)),
    )
}

fn status_is(p: &mut Placeholders, status: AppointmentStatus) -> String {
    format!("{} = {}", p.name(STATUS), p.value(s(status.as_str())))
}

#[async_trait]
impl AppointmentStore for DynamoStore {
    async fn book(&self, new: &NewAppointment, capacity: u32) -> Result<Booking, StoreError> {
        check_block(&new.slot, &new.block)?;
        let appointment = new.clone().into_appointment(AppointmentId::generate());
        let business = &new.business_id;
        let mut absent = Placeholders::default();
        let condition = format!("attribute_not_exists({})", absent.name(PARTITION_KEY));
        let mut items = vec![
            self.request_put(
                business,
                &new.request,
                &appointment.id,
                Operation::Book,
                new.at,
            )?,
            self.transaction_put(appointment_item(&appointment), Some((condition, absent)))?,
        ];
        for cell in cells_to_claim(&new.block, None) {
            items.push(self.claim(business, cell, capacity)?);
        }
        // Last, unconditional: it never fails, so the failed items' positions keep their sense.
        let mut timeline = timeline_appointment_key(business, &appointment.phone, &appointment.id);
        timeline.insert(APPOINTMENT_ID.into(), s(appointment.id.as_str()));
        items.push(self.transaction_put(timeline, None)?);
        let what = format!("booking {}", new.request.as_str());
        let Some(failed) = self.commit(&what, items).await? else {
            return Ok(Booking::Booked(appointment));
        };
        if let Some(existing) = self.spent_request(business, &new.request).await? {
            return Ok(Booking::Repeat(existing));
        }
        if failed.iter().any(|&i| i >= FIRST_CELL_ITEM) {
            return Ok(Booking::Taken);
        }
        Err(StoreError::Unavailable(format!(
            "{what}: items {failed:?} refused"
        )))
    }

    async fn appointment_for_request(
        &self,
        business: &BusinessId,
        request: &RequestKey,
    ) -> Result<Option<Appointment>, StoreError> {
        self.spent_request(business, request).await
    }

    async fn appointment(&self, id: &AppointmentId) -> Result<Option<Appointment>, StoreError> {
        self.load_appointment(id).await
    }

    async fn cancel(
        &self,
        id: &AppointmentId,
        version: u32,
        request: &RequestKey,
        at: Timestamp,
    ) -> Result<Change, StoreError> {
        let current = match self.changeable(id, version, request).await? {
            Ok(current) => current,
            Err(outcome) => return Ok(outcome),
        };
        let business = &current.business_id;
        let mut changes = Changes::blind();
        changes.set(STATUS, s(AppointmentStatus::Cancelled.as_str()));
        changes.set(VERSION, n(version + 1));
        changes.set(UPDATED_AT, time(at));
        changes.only_if(booked_at(version));
        let mut items = vec![
            self.request_put(business, request, id, Operation::Cancel, at)?,
            self.transaction_update(appointment_key(id), changes)?,
        ];
        for cell in cells_to_release(&current.block, None, at) {
            items.push(self.release(business, cell)?);
        }
        match self.commit(&format!("cancelling {id}"), items).await? {
            None => Ok(Change::Done(Appointment {
                status: AppointmentStatus::Cancelled,
                version: version + 1,
                updated_at: at,
                ..current
            })),
            Some(failed) => self.refused_change(&current, request, &failed, 0..0).await,
        }
    }

    async fn reschedule(
        &self,
        id: &AppointmentId,
        version: u32,
        slot: Slot,
        block: Busy,
        capacity: u32,
        request: &RequestKey,
        at: Timestamp,
    ) -> Result<Change, StoreError> {
        check_block(&slot, &block)?;
        let current = match self.changeable(id, version, request).await? {
            Ok(current) => current,
            Err(outcome) => return Ok(outcome),
        };
        let business = &current.business_id;
        let mut changes = Changes::blind();
        changes.set(SLOT_START, time(slot.start));
        changes.set(SLOT_END, time(slot.end));
        changes.set(BLOCK_START, time(block.start));
        changes.set(BLOCK_END, time(block.end));
        // The listing is ordered by start, so the appointment moves in it too.
        changes.set(GSI1_SORT_KEY, s(appointment_position(slot.start, id)));
        changes.set(VERSION, n(version + 1));
        changes.set(UPDATED_AT, time(at));
        changes.only_if(booked_at(version));
        let mut items = vec![
            self.request_put(business, request, id, Operation::Reschedule, at)?,
            self.transaction_update(appointment_key(id), changes)?,
        ];
        // An item may appear once per transaction: cells both blocks share are left alone.
        for cell in cells_to_release(&current.block, Some(&block), at) {
            items.push(self.release(business, cell)?);
        }
        let claims_from = items.len();
        for cell in cells_to_claim(&block, Some(&current.block)) {
            items.push(self.claim(business, cell, capacity)?);
        }
        let claims = claims_from..items.len();
        match self.commit(&format!("rescheduling {id}"), items).await? {
            None => Ok(Change::Done(Appointment {
                slot,
                block,
                version: version + 1,
                updated_at: at,
                ..current
            })),
            Some(failed) => {
                self.refused_change(&current, request, &failed, claims)
                    .await
            }
        }
    }

    async fn list_appointments(
        &self,
        business: &BusinessId,
        query: &AppointmentQuery,
    ) -> Result<AppointmentPage, StoreError> {
        let limit = appointment_page_size(query.limit);
        if let Some(after) = &query.after {
            parse_appointment_position(after)?;
        }
        // A start's position is `{start}#{id}`, so `{to}` bounds the starts before `to` and
        // `{from}` those from `from` on; the cursor, when further on, replaces `from`.
        let from = sortable_time(query.from);
        let to = sortable_time(query.to);
        let lower = match &query.after {
            Some(after) if *after > from => after.clone(),
            _ => from,
        };
        if lower >= to {
            return Ok(AppointmentPage {
                appointments: Vec::new(),
                next: None,
            });
        }
        let mut p = Placeholders::default();
        let key_condition = between(&mut p, business, &lower, &to);
        let filter = query.status.map(|status| status_is(&mut p, status));
        let mut appointments = self
            .query_appointments(&key_condition, filter, p, limit, query.after.as_deref())
            .await?;
        let next = if appointments.len() > limit {
            appointments.truncate(limit);
            appointments
                .last()
                .map(|a| appointment_position(a.slot.start, &a.id))
        } else {
            None
        };
        Ok(AppointmentPage { appointments, next })
    }

    async fn busy_blocks(
        &self,
        business: &BusinessId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Busy>, StoreError> {
        // The index is by slot start, and a block reaches at most `block_reach` either side of
        // its slot's start: a block ending after `from` has its slot start after
        // `from - reach`, one starting before `to` has it before `to + reach`.
        let reach = block_reach();
        let lower = sortable_time(from.checked_sub(reach).unwrap_or(Timestamp::MIN));
        let upper = sortable_time(to.checked_add(reach).unwrap_or(Timestamp::MAX));
        let mut p = Placeholders::default();
        let key_condition = between(&mut p, business, &lower, &upper);
        let filter = status_is(&mut p, AppointmentStatus::Booked);
        Ok(self
            .query_appointments(&key_condition, Some(filter), p, usize::MAX, None)
            .await?
            .into_iter()
            .map(|a| a.block)
            .filter(|block| block.start < to && block.end > from)
            .collect())
    }

    async fn customer_appointments(
        &self,
        business: &BusinessId,
        phone: &PhoneNumber,
        from: Timestamp,
    ) -> Result<Vec<Appointment>, StoreError> {
        // A business's future is short (its booking window), so filtering by phone is cheap.
        let mut p = Placeholders::default();
        let key_condition = format!(
            "{} = {} AND {} >= {}",
            p.name(GSI1_PARTITION_KEY),
            p.value(s(appointments_gsi1pk(business))),
            p.name(GSI1_SORT_KEY),
            p.value(s(sortable_time(from))),
        );
        let filter = format!(
            "{} AND {} = {}",
            status_is(&mut p, AppointmentStatus::Booked),
            p.name(PHONE),
            p.value(s(phone.as_str())),
        );
        self.query_appointments(&key_condition, Some(filter), p, usize::MAX, None)
            .await
    }

    async fn appointments_with(
        &self,
        business: &BusinessId,
        phone: &PhoneNumber,
        after: Option<&str>,
        limit: usize,
    ) -> Result<AppointmentPage, StoreError> {
        let limit = appointment_page_size(limit);
        let after = after.map(parse_appointment_id_cursor).transpose()?;
        // Ids are fixed-width hex (UUIDv7), so `APPT#{id}` sorts in booking order.
        let (records, more) = self
            .timeline_records(
                timeline_pk(business.as_str(), phone),
                TIMELINE_APPOINTMENT_PREFIX,
                after.as_ref().map(AppointmentId::as_str),
                limit,
            )
            .await?;
        let ids = records
            .iter()
            .map(|item| {
                AppointmentId::parse(required(item, APPOINTMENT_ID)?)
                    .map_err(corrupt("timeline appointment"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let next = more
            .then(|| ids.last().map(AppointmentId::to_string))
            .flatten();
        let mut found: std::collections::HashMap<AppointmentId, Appointment> = self
            .batch_get(ids.iter().map(appointment_key).collect())
            .await?
            .iter()
            .map(|item| appointment_from_item(item).map(|a| (a.id.clone(), a)))
            .collect::<Result<_, _>>()?;
        let appointments = ids.iter().filter_map(|id| found.remove(id)).collect();
        Ok(AppointmentPage { appointments, next })
    }
}
