//! Appointments in the embedded store: a row each, a counted row per 5-minute cell held, and
//! the request keys spent. Every change is one IMMEDIATE transaction that checks what the
//! DynamoDB transaction's conditions check, in the same order, with the same outcomes.

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use super::row::{corrupt, db, timestamp_ns};
use super::SqliteStore;
use crate::domain::booking::engine::{Busy, Slot};
use crate::domain::booking::settings::ServiceId;
use crate::domain::{
    Appointment, AppointmentId, AppointmentStatus, BusinessId, Channel, NewAppointment,
    PhoneNumber, RequestKey,
};
use crate::store::appointments::{
    appointment_page_size, appointment_position, cells_to_claim, cells_to_release, check_block,
    parse_appointment_id_cursor, parse_appointment_position, Operation,
};
use crate::store::{
    parse_timestamp, AppointmentPage, AppointmentQuery, AppointmentStore, Booking, Change,
    StoreError,
};

const APPOINTMENT_COLUMNS: &str = "id, business_id, service, slot_start, slot_end, \
     block_start, block_end, timezone, phone, name, channel, source, status, version, \
     created_at, updated_at";

/// An `appointments` row as SQLite holds it, in [`APPOINTMENT_COLUMNS`] order.
struct AppointmentRow {
    text: [String; 9],
    name: Option<String>,
    channel: String,
    source: String,
    status: String,
    version: u32,
    created_at: String,
    updated_at: String,
}

fn read_row(row: &Row<'_>) -> rusqlite::Result<AppointmentRow> {
    let mut text: [String; 9] = Default::default();
    for (i, value) in text.iter_mut().enumerate() {
        *value = row.get(i)?;
    }
    Ok(AppointmentRow {
        text,
        name: row.get(9)?,
        channel: row.get(10)?,
        source: row.get(11)?,
        status: row.get(12)?,
        version: row.get(13)?,
        created_at: row.get(14)?,
        updated_at: row.get(15)?,
    })
}

fn into_appointment(row: AppointmentRow) -> Result<Appointment, StoreError> {
    let [id, business_id, service, slot_start, slot_end, block_start, block_end, timezone, phone] =
        row.text;
    Ok(Appointment {
        id: AppointmentId::parse(&id).map_err(|e| corrupt("appointment id", e))?,
        business_id: BusinessId::parse(&business_id)
            .map_err(|e| corrupt("appointment business", e))?,
        service: ServiceId::parse(&service).map_err(|e| corrupt("appointment service", e))?,
        slot: Slot {
            start: parse_timestamp(&slot_start)?,
            end: parse_timestamp(&slot_end)?,
        },
        block: Busy {
            start: parse_timestamp(&block_start)?,
            end: parse_timestamp(&block_end)?,
        },
        timezone,
        phone: PhoneNumber::parse(&phone).map_err(|e| corrupt("appointment phone", e))?,
        name: row.name,
        channel: Channel::parse(&row.channel)
            .ok_or_else(|| corrupt("appointment channel", &row.channel))?,
        source: row.source,
        status: AppointmentStatus::parse(&row.status)
            .ok_or_else(|| corrupt("appointment status", &row.status))?,
        version: row.version,
        created_at: parse_timestamp(&row.created_at)?,
        updated_at: parse_timestamp(&row.updated_at)?,
    })
}

fn collect(
    rows: impl Iterator<Item = rusqlite::Result<AppointmentRow>>,
) -> Result<Vec<Appointment>, StoreError> {
    rows.map(|row| row.map_err(db).and_then(into_appointment))
        .collect()
}

fn read_appointment(
    conn: &Connection,
    id: &AppointmentId,
) -> Result<Option<Appointment>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE id = ?1"
    ))
    .and_then(|mut statement| statement.query_row([id.as_str()], read_row))
    .optional()
    .map_err(db)?
    .map(into_appointment)
    .transpose()
}

fn write_appointment(tx: &Transaction<'_>, a: &Appointment) -> Result<(), StoreError> {
    tx.prepare_cached(&format!(
        "INSERT INTO appointments ({APPOINTMENT_COLUMNS}, start_ns, block_start_ns, block_end_ns)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19)
         ON CONFLICT (id) DO UPDATE SET
             slot_start = excluded.slot_start, slot_end = excluded.slot_end,
             block_start = excluded.block_start, block_end = excluded.block_end,
             status = excluded.status, version = excluded.version,
             updated_at = excluded.updated_at, start_ns = excluded.start_ns,
             block_start_ns = excluded.block_start_ns, block_end_ns = excluded.block_end_ns"
    ))
    .and_then(|mut statement| {
        statement.execute(params![
            a.id.as_str(),
            a.business_id.as_str(),
            a.service.as_str(),
            a.slot.start.to_string(),
            a.slot.end.to_string(),
            a.block.start.to_string(),
            a.block.end.to_string(),
            a.timezone,
            a.phone.as_str(),
            a.name,
            a.channel.as_str(),
            a.source,
            a.status.as_str(),
            a.version,
            a.created_at.to_string(),
            a.updated_at.to_string(),
            timestamp_ns(a.slot.start),
            timestamp_ns(a.block.start),
            timestamp_ns(a.block.end),
        ])
    })
    .map_err(db)?;
    Ok(())
}

/// The appointment a spent request key concerned, as it stands; `None` if it is unspent.
fn spent_request(
    tx: &Transaction<'_>,
    business: &BusinessId,
    request: &RequestKey,
) -> Result<Option<Appointment>, StoreError> {
    let id: Option<String> = tx
        .prepare_cached(
            "SELECT appointment_id FROM appointment_requests WHERE business_id = ?1 AND key = ?2",
        )
        .and_then(|mut statement| {
            statement.query_row([business.as_str(), request.as_str()], |row| row.get(0))
        })
        .optional()
        .map_err(db)?;
    let Some(id) = id else {
        return Ok(None);
    };
    let id = AppointmentId::parse(&id).map_err(|e| corrupt("request's appointment", e))?;
    read_appointment(tx, &id)?
        .map(Some)
        .ok_or_else(|| corrupt("request's appointment", format!("{id} is not stored")))
}

fn spend_request(
    tx: &Transaction<'_>,
    request: &RequestKey,
    appointment: &Appointment,
    operation: Operation,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO appointment_requests (business_id, key, appointment_id, operation)
         VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            appointment.business_id.as_str(),
            request.as_str(),
            appointment.id.as_str(),
            operation.as_str(),
        ])
    })
    .map_err(db)?;
    Ok(())
}

/// Whether any of `cells` is already held by `capacity` appointments.
fn any_full(
    tx: &Transaction<'_>,
    business: &BusinessId,
    cells: &[i64],
    capacity: u32,
) -> Result<bool, StoreError> {
    let mut statement = tx
        .prepare_cached("SELECT n FROM appointment_cells WHERE business_id = ?1 AND cell = ?2")
        .map_err(db)?;
    for cell in cells {
        let held: Option<i64> = statement
            .query_row(params![business.as_str(), cell], |row| row.get(0))
            .optional()
            .map_err(db)?;
        if held.unwrap_or(0) >= i64::from(capacity) {
            return Ok(true);
        }
    }
    Ok(false)
}

fn claim(tx: &Transaction<'_>, business: &BusinessId, cells: &[i64]) -> Result<(), StoreError> {
    let mut statement = tx
        .prepare_cached(
            "INSERT INTO appointment_cells (business_id, cell, n) VALUES (?1, ?2, 1)
             ON CONFLICT (business_id, cell) DO UPDATE SET n = n + 1",
        )
        .map_err(db)?;
    for cell in cells {
        statement
            .execute(params![business.as_str(), cell])
            .map_err(db)?;
    }
    Ok(())
}

fn release(tx: &Transaction<'_>, business: &BusinessId, cells: &[i64]) -> Result<(), StoreError> {
    for cell in cells {
        let changed = tx
            .prepare_cached(
                "UPDATE appointment_cells SET n = n - 1
                 WHERE business_id = ?1 AND cell = ?2 AND n > 0",
            )
            .and_then(|mut statement| statement.execute(params![business.as_str(), cell]))
            .map_err(db)?;
        if changed == 0 {
            // An error rolls the whole change back, as DynamoDB's `n > 0` condition does.
            return Err(corrupt(
                "appointment cells",
                format!("business {business} cell {cell} is held but not counted"),
            ));
        }
        tx.prepare_cached(
            "DELETE FROM appointment_cells WHERE business_id = ?1 AND cell = ?2 AND n = 0",
        )
        .and_then(|mut statement| statement.execute(params![business.as_str(), cell]))
        .map_err(db)?;
    }
    Ok(())
}

fn book(tx: &Transaction<'_>, new: &NewAppointment, capacity: u32) -> Result<Booking, StoreError> {
    let business = &new.business_id;
    if let Some(existing) = spent_request(tx, business, &new.request)? {
        return Ok(Booking::Repeat(existing));
    }
    let cells = cells_to_claim(&new.block, None);
    if any_full(tx, business, &cells, capacity)? {
        return Ok(Booking::Taken);
    }
    let appointment = new.clone().into_appointment(AppointmentId::generate());
    write_appointment(tx, &appointment)?;
    claim(tx, business, &cells)?;
    spend_request(tx, &new.request, &appointment, Operation::Book)?;
    Ok(Booking::Booked(appointment))
}

/// The appointment if the caller may change it, else the change's outcome, ranked as on
/// DynamoDB: `NotFound`, `Repeat` for a spent request, `Conflict` unless `booked` at `version`.
fn changeable(
    tx: &Transaction<'_>,
    id: &AppointmentId,
    version: u32,
    request: &RequestKey,
) -> Result<Result<Appointment, Change>, StoreError> {
    let Some(current) = read_appointment(tx, id)? else {
        return Ok(Err(Change::NotFound));
    };
    if let Some(seen) = spent_request(tx, &current.business_id, request)? {
        return Ok(Err(Change::Repeat(seen)));
    }
    if current.status != AppointmentStatus::Booked || current.version != version {
        return Ok(Err(Change::Conflict(current)));
    }
    Ok(Ok(current))
}

fn cancel(
    tx: &Transaction<'_>,
    id: &AppointmentId,
    version: u32,
    request: &RequestKey,
    at: Timestamp,
) -> Result<Change, StoreError> {
    let current = match changeable(tx, id, version, request)? {
        Ok(current) => current,
        Err(outcome) => return Ok(outcome),
    };
    release(
        tx,
        &current.business_id,
        &cells_to_release(&current.block, None, at),
    )?;
    let cancelled = Appointment {
        status: AppointmentStatus::Cancelled,
        version: version + 1,
        updated_at: at,
        ..current
    };
    write_appointment(tx, &cancelled)?;
    spend_request(tx, request, &cancelled, Operation::Cancel)?;
    Ok(Change::Done(cancelled))
}

#[allow(clippy::too_many_arguments)]
fn reschedule(
    tx: &Transaction<'_>,
    id: &AppointmentId,
    version: u32,
    slot: Slot,
    block: Busy,
    capacity: u32,
    request: &RequestKey,
    at: Timestamp,
) -> Result<Change, StoreError> {
    let current = match changeable(tx, id, version, request)? {
        Ok(current) => current,
        Err(outcome) => return Ok(outcome),
    };
    let business = &current.business_id;
    // Cells both blocks share stay held, as on DynamoDB where an item appears once.
    let claims = cells_to_claim(&block, Some(&current.block));
    if any_full(tx, business, &claims, capacity)? {
        return Ok(Change::Taken);
    }
    release(
        tx,
        business,
        &cells_to_release(&current.block, Some(&block), at),
    )?;
    claim(tx, business, &claims)?;
    let moved = Appointment {
        slot,
        block,
        version: version + 1,
        updated_at: at,
        ..current
    };
    write_appointment(tx, &moved)?;
    spend_request(tx, request, &moved, Operation::Reschedule)?;
    Ok(Change::Done(moved))
}

#[async_trait]
impl AppointmentStore for SqliteStore {
    async fn book(&self, new: &NewAppointment, capacity: u32) -> Result<Booking, StoreError> {
        check_block(&new.slot, &new.block)?;
        self.write(|tx| book(tx, new, capacity))
    }

    async fn appointment(&self, id: &AppointmentId) -> Result<Option<Appointment>, StoreError> {
        read_appointment(&self.conn(), id)
    }

    async fn appointment_for_request(
        &self,
        business: &BusinessId,
        request: &RequestKey,
    ) -> Result<Option<Appointment>, StoreError> {
        self.write(|tx| spent_request(tx, business, request))
    }

    async fn cancel(
        &self,
        id: &AppointmentId,
        version: u32,
        request: &RequestKey,
        at: Timestamp,
    ) -> Result<Change, StoreError> {
        self.write(|tx| cancel(tx, id, version, request, at))
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
        self.write(|tx| reschedule(tx, id, version, slot, block, capacity, request, at))
    }

    async fn list_appointments(
        &self,
        business: &BusinessId,
        query: &AppointmentQuery,
    ) -> Result<AppointmentPage, StoreError> {
        let limit = appointment_page_size(query.limit);
        let after = query
            .after
            .as_deref()
            .map(parse_appointment_position)
            .transpose()?;
        let conn = self.conn();
        // (start_ns, id) orders exactly as DynamoDB's `{start}#{id}` sort key does.
        let mut statement = conn
            .prepare_cached(&format!(
                "SELECT {APPOINTMENT_COLUMNS} FROM appointments
                 WHERE business_id = ?1 AND start_ns >= ?2 AND start_ns < ?3
                   AND (?4 IS NULL OR status = ?4)
                   AND (?5 IS NULL OR (start_ns, id) > (?5, ?6))
                 ORDER BY start_ns, id
                 LIMIT ?7"
            ))
            .map_err(db)?;
        let rows = statement
            .query_map(
                params![
                    business.as_str(),
                    timestamp_ns(query.from),
                    timestamp_ns(query.to),
                    query.status.map(AppointmentStatus::as_str),
                    after.as_ref().map(|(start, _)| timestamp_ns(*start)),
                    after.as_ref().map(|(_, id)| id.as_str()),
                    i64::try_from(limit + 1).unwrap_or(i64::MAX),
                ],
                read_row,
            )
            .map_err(db)?;
        let mut appointments = collect(rows)?;
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
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(&format!(
                "SELECT {APPOINTMENT_COLUMNS} FROM appointments
                 WHERE business_id = ?1 AND status = 'booked'
                   AND block_start_ns < ?3 AND block_end_ns > ?2
                 ORDER BY start_ns, id"
            ))
            .map_err(db)?;
        let rows = statement
            .query_map(
                params![business.as_str(), timestamp_ns(from), timestamp_ns(to)],
                read_row,
            )
            .map_err(db)?;
        Ok(collect(rows)?.into_iter().map(|a| a.block).collect())
    }

    async fn customer_appointments(
        &self,
        business: &BusinessId,
        phone: &PhoneNumber,
        from: Timestamp,
    ) -> Result<Vec<Appointment>, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(&format!(
                "SELECT {APPOINTMENT_COLUMNS} FROM appointments
                 WHERE business_id = ?1 AND phone = ?2 AND status = 'booked' AND start_ns >= ?3
                 ORDER BY start_ns, id"
            ))
            .map_err(db)?;
        let rows = statement
            .query_map(
                params![business.as_str(), phone.as_str(), timestamp_ns(from)],
                read_row,
            )
            .map_err(db)?;
        collect(rows)
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
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(&format!(
                "SELECT {APPOINTMENT_COLUMNS} FROM appointments
                 WHERE business_id = ?1 AND phone = ?2 AND (?3 IS NULL OR id < ?3)
                 ORDER BY id DESC
                 LIMIT ?4"
            ))
            .map_err(db)?;
        let rows = statement
            .query_map(
                params![
                    business.as_str(),
                    phone.as_str(),
                    after.as_ref().map(AppointmentId::as_str),
                    i64::try_from(limit + 1).unwrap_or(i64::MAX),
                ],
                read_row,
            )
            .map_err(db)?;
        let mut appointments = collect(rows)?;
        let next = if appointments.len() > limit {
            appointments.truncate(limit);
            appointments.last().map(|a| a.id.to_string())
        } else {
            None
        };
        Ok(AppointmentPage { appointments, next })
    }
}
