//! The one booking engine's front door: availability, booking, cancelling and rescheduling a
//! business's appointments, whoever asks (WhatsApp, the API, the CLI, a phone call).
//!
//! Every path takes the same steps: the business's settings, the busy blocks from the store,
//! the pure engine ([`crate::domain::booking::engine`]) to decide what may be booked (only a slot
//! it produces), then the store's transaction (cells counted against capacity, the request key
//! kept, so a race or a retry never double-books), then the business event on the `notify` queue
//! and the change's follow-ups beside it (the outbox): a calendar sync job when the business has
//! a Google Calendar, and a confirmation job for a phone booking; the appointment's reminders
//! are written, moved or dropped with them ([`reminders`]). A refusal always comes with the
//! nearest free alternatives.
//!
//! Busy times are the booked appointments' blocks and, for a business with a calendar, the
//! calendar's busy times ([`calendar`]), which hide slots from every channel alike.

pub mod calendar;
pub mod confirmation;
pub mod desk;
pub mod dialogue;
pub mod reminders;
#[cfg(test)]
pub(crate) mod tests_desk;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use tracing::info;

use crate::app::App;
use crate::domain::booking::engine::{self, Busy, EngineError, Reason, Refusal, Slot};
use crate::domain::booking::settings::{BookingSettings, Service, ServiceId};
use crate::domain::{
    Appointment, AppointmentId, Business, Channel, NewAppointment, PhoneNumber, RequestKey,
};
use crate::jobs::{AppointmentEvent, CalendarJob, ConfirmationJob, FollowUpJob, NotifyJob};
use crate::store::{Booking, Change, StoreError};

/// How far back the store is asked for busy blocks before a window: a block starts at most
/// this long before the slot it belongs to can matter.
const LOOKBEHIND: SignedDuration = SignedDuration::from_hours(4);

/// Why a booking operation could not run at all (as opposed to a refusal, which is an answer).
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    /// The business has no booking settings, or no services.
    #[error("booking is not set up for this business")]
    NotConfigured,
    #[error("unknown service `{0}`")]
    UnknownService(ServiceId),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a customer asked to book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingRequest {
    pub service: ServiceId,
    pub start: Timestamp,
    pub phone: PhoneNumber,
    pub name: Option<String>,
    pub channel: Channel,
    pub request: RequestKey,
}

/// The answer to a booking or a reschedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Booked (or moved): the appointment as it now stands.
    Done(Appointment),
    /// This request was seen before: what it did then.
    Repeat(Appointment),
    /// On the grid but full (possibly taken a moment ago by someone else).
    Taken { alternatives: Vec<Slot> },
    /// Not a time the engine offers: why, and what it does offer near it.
    NotOffered {
        reason: Reason,
        alternatives: Vec<Slot>,
    },
}

/// The answer to a cancellation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CancelOutcome {
    Cancelled(Appointment),
    /// This request was seen before.
    Repeat(Appointment),
    /// Not booked any more (cancelled, completed, a no-show) or changed meanwhile.
    NotBooked(Appointment),
    /// It has already started: too late to cancel by message.
    Past(Appointment),
    NotFound,
}

/// The business's booking settings and one of its services, or why there are none.
pub fn service<'b>(
    business: &'b Business,
    id: Option<&ServiceId>,
) -> Result<(&'b BookingSettings, &'b Service), BookingError> {
    let settings = settings(business)?;
    let service = match id {
        Some(id) => settings
            .service(id)
            .ok_or_else(|| BookingError::UnknownService(id.clone()))?,
        None => settings
            .services
            .first()
            .ok_or(BookingError::NotConfigured)?,
    };
    Ok((settings, service))
}

/// The business's booking settings, when booking is set up (at least one service).
pub fn settings(business: &Business) -> Result<&BookingSettings, BookingError> {
    business
        .booking
        .as_ref()
        .filter(|s| !s.services.is_empty())
        .ok_or(BookingError::NotConfigured)
}

/// The busy blocks that can matter for slots between `now` and the end of the booking window:
/// the appointments' and the business's calendar's.
async fn busy_in_window(
    app: &App,
    business: &Business,
    settings: &BookingSettings,
    now: Timestamp,
) -> Result<Vec<Busy>, BookingError> {
    let days = i64::from(settings.max_days_ahead) + 2;
    let to = now
        .checked_add(SignedDuration::from_hours(24 * days))
        .unwrap_or(Timestamp::MAX);
    let from = now.checked_sub(LOOKBEHIND).unwrap_or(Timestamp::MIN);
    let mut busy = app.store().busy_blocks(&business.id, from, to).await?;
    busy.extend(calendar::busy(app, business, from, to, settings.capacity).await);
    Ok(busy)
}

/// Free slots of `service` on the `days` local dates from `from`.
pub async fn availability(
    app: &App,
    business: &Business,
    service: &ServiceId,
    from: Date,
    days: u32,
    now: Timestamp,
) -> Result<Vec<Slot>, BookingError> {
    let (settings, service) = self::service(business, Some(service))?;
    let busy = busy_in_window(app, business, settings, now).await?;
    engine::free_slots(settings, &service.id, &busy, now, from, days).map_err(|e| match e {
        EngineError::UnknownService(id) => BookingError::UnknownService(id),
        EngineError::Settings(_) => BookingError::NotConfigured,
    })
}

/// The `n` free slots nearest `around` (now, when not given).
pub async fn nearest(
    app: &App,
    business: &Business,
    service: &ServiceId,
    around: Option<Timestamp>,
    n: usize,
    now: Timestamp,
) -> Result<Vec<Slot>, BookingError> {
    let (settings, service) = self::service(business, Some(service))?;
    let busy = busy_in_window(app, business, settings, now).await?;
    Ok(engine::nearest(
        settings,
        &service.id,
        &busy,
        now,
        around.unwrap_or(now),
        n,
    ))
}

/// Whether `service` could be booked at `start`, without booking it: the slot the engine would
/// book, or its refusal with the nearest alternatives. `ignoring` is one block not to count as
/// busy: the customer's own appointment, when the question is where to move it.
pub async fn check(
    app: &App,
    business: &Business,
    service: &ServiceId,
    start: Timestamp,
    ignoring: Option<Busy>,
    now: Timestamp,
) -> Result<Result<Slot, Refusal>, BookingError> {
    let (settings, service) = self::service(business, Some(service))?;
    let mut busy = busy_in_window(app, business, settings, now).await?;
    if let Some(own) = ignoring.and_then(|own| busy.iter().position(|b| *b == own)) {
        busy.swap_remove(own);
    }
    Ok(engine::check(settings, &service.id, start, &busy, now))
}

/// Books `request` if the engine offers its start and the store's cells have room.
pub async fn book(
    app: &App,
    business: &Business,
    request: &BookingRequest,
    now: Timestamp,
) -> Result<Outcome, BookingError> {
    let (settings, service) = self::service(business, Some(&request.service))?;
    if let Some(earlier) = app
        .store()
        .appointment_for_request(&business.id, &request.request)
        .await?
    {
        // A retry: answered as the first attempt was, before its own slot reads as taken.
        raise_booked_again(app, business, &earlier, now).await;
        return Ok(Outcome::Repeat(earlier));
    }
    let busy = busy_in_window(app, business, settings, now).await?;
    let slot = match engine::check(settings, &service.id, request.start, &busy, now) {
        Ok(slot) => slot,
        Err(refusal) => return Ok(refusal.into()),
    };
    let new = NewAppointment {
        business_id: business.id.clone(),
        service: service.id.clone(),
        slot,
        block: slot.block(service),
        timezone: settings.timezone.clone(),
        phone: request.phone.clone(),
        name: request.name.clone(),
        channel: request.channel,
        request: request.request.clone(),
        at: now,
    };
    match app.store().book(&new, settings.capacity).await? {
        Booking::Booked(appointment) => {
            info!(appointment_id = %appointment.id, start = %appointment.slot.start, "appointment booked");
            raise(app, NotifyJob::booked(&appointment)).await;
            follow_up(app, business, AppointmentEvent::Booked, &appointment, now).await;
            Ok(Outcome::Done(appointment))
        }
        Booking::Repeat(appointment) => {
            raise_booked_again(app, business, &appointment, now).await;
            Ok(Outcome::Repeat(appointment))
        }
        Booking::Taken => {
            info!(start = %request.start, "slot taken meanwhile; offering alternatives");
            let alternatives = alternatives(app, business, service, request.start, now).await?;
            Ok(Outcome::Taken { alternatives })
        }
    }
}

/// Cancels a booked appointment of `business`, freeing its slot.
pub async fn cancel(
    app: &App,
    business: &Business,
    id: &AppointmentId,
    request: &RequestKey,
    now: Timestamp,
) -> Result<CancelOutcome, BookingError> {
    if let Some(earlier) = app
        .store()
        .appointment_for_request(&business.id, request)
        .await?
    {
        return Ok(CancelOutcome::Repeat(earlier));
    }
    let Some(appointment) = owned(app, business, id).await? else {
        return Ok(CancelOutcome::NotFound);
    };
    if appointment.status != crate::domain::AppointmentStatus::Booked {
        return Ok(CancelOutcome::NotBooked(appointment));
    }
    if appointment.slot.start <= now {
        return Ok(CancelOutcome::Past(appointment));
    }
    Ok(
        match app
            .store()
            .cancel(id, appointment.version, request, now)
            .await?
        {
            Change::Done(cancelled) => {
                info!(appointment_id = %id, "appointment cancelled");
                raise(app, NotifyJob::cancelled(&cancelled)).await;
                follow_up(app, business, AppointmentEvent::Cancelled, &cancelled, now).await;
                CancelOutcome::Cancelled(cancelled)
            }
            Change::Repeat(current) => CancelOutcome::Repeat(current),
            Change::Conflict(current) => CancelOutcome::NotBooked(current),
            Change::Taken | Change::NotFound => CancelOutcome::NotFound,
        },
    )
}

/// Moves a booked appointment of `business` to `start`, atomically: the new slot is claimed and
/// the old one released in one transaction, or nothing changes. `None`: no such appointment, or
/// it is not booked any more, has already started, or changed meanwhile.
pub async fn reschedule(
    app: &App,
    business: &Business,
    id: &AppointmentId,
    start: Timestamp,
    request: &RequestKey,
    now: Timestamp,
) -> Result<Option<Outcome>, BookingError> {
    if let Some(earlier) = app
        .store()
        .appointment_for_request(&business.id, request)
        .await?
    {
        return Ok(Some(Outcome::Repeat(earlier)));
    }
    let Some(current) = owned(app, business, id).await? else {
        return Ok(None);
    };
    // Only a booked appointment that has not started may move; the caller reads it again to
    // say which it was.
    if current.status != crate::domain::AppointmentStatus::Booked || current.slot.start <= now {
        return Ok(None);
    }
    let (settings, service) = self::service(business, Some(&current.service))?;
    // The appointment's own block is not busy for itself: moving it by a few minutes must work.
    // (The store releases and claims in one transaction, so the same cells are never counted
    // twice.) Only one copy goes: another appointment may hold an identical block.
    let mut busy = busy_in_window(app, business, settings, now).await?;
    if let Some(own) = busy.iter().position(|b| *b == current.block) {
        busy.swap_remove(own);
    }
    let slot = match engine::check(settings, &service.id, start, &busy, now) {
        Ok(slot) => slot,
        Err(refusal) => return Ok(Some(refusal.into())),
    };
    let previous = current.slot;
    Ok(Some(
        match app
            .store()
            .reschedule(
                id,
                current.version,
                slot,
                slot.block(service),
                settings.capacity,
                request,
                now,
            )
            .await?
        {
            Change::Done(moved) => {
                info!(appointment_id = %id, start = %moved.slot.start, "appointment rescheduled");
                raise(app, NotifyJob::rescheduled(&moved, previous)).await;
                follow_up(app, business, AppointmentEvent::Rescheduled, &moved, now).await;
                Outcome::Done(moved)
            }
            Change::Repeat(moved) => Outcome::Repeat(moved),
            Change::Taken => Outcome::Taken {
                alternatives: alternatives(app, business, service, start, now).await?,
            },
            Change::Conflict(_) | Change::NotFound => {
                return Ok(None);
            }
        },
    ))
}

/// The appointment, when it belongs to `business` (another business's is as unknown as a
/// missing one).
pub async fn owned(
    app: &App,
    business: &Business,
    id: &AppointmentId,
) -> Result<Option<Appointment>, BookingError> {
    Ok(app
        .store()
        .appointment(id)
        .await?
        .filter(|a| a.business_id == business.id))
}

impl From<Refusal> for Outcome {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Taken { alternatives } => Outcome::Taken { alternatives },
            Refusal::NotOffered {
                reason,
                alternatives,
            } => Outcome::NotOffered {
                reason,
                alternatives,
            },
        }
    }
}

/// Fresh alternatives after the store refused a slot the engine had offered.
async fn alternatives(
    app: &App,
    business: &Business,
    service: &Service,
    around: Timestamp,
    now: Timestamp,
) -> Result<Vec<Slot>, BookingError> {
    let settings = settings(business)?;
    let busy = busy_in_window(app, business, settings, now).await?;
    Ok(engine::nearest(
        settings,
        &service.id,
        &busy,
        now,
        around,
        engine::ALTERNATIVES,
    ))
}

/// Queues `appointment.booked` again for a repeated booking request: the first attempt may have
/// stopped before its event was queued, and the event's id is fixed, so it is delivered at most
/// once. Only while the appointment is still as booked: a later change raised its own event.
/// Its follow-ups likewise: the calendar's insert answers 409 to a second try, and a
/// confirmation already sent is not sent again.
async fn raise_booked_again(
    app: &App,
    business: &Business,
    appointment: &Appointment,
    now: Timestamp,
) {
    if appointment.status == crate::domain::AppointmentStatus::Booked && appointment.version == 1 {
        raise(app, NotifyJob::booked(appointment)).await;
        follow_up(app, business, AppointmentEvent::Booked, appointment, now).await;
    }
}

/// Queues a business event. The appointment is already stored; with the queue down the event
/// waits in the store for the reconciler.
async fn raise(app: &App, job: NotifyJob) {
    app.send_or_park(&job.message()).await;
}

/// Queues the change's follow-ups (the outbox): the calendar's sync when the business has a
/// calendar, and a phone booking's confirmation; and writes, moves or drops its reminders.
/// Like the event, only after the store committed, and parked in the store while the queue is
/// down.
async fn follow_up(
    app: &App,
    business: &Business,
    change: AppointmentEvent,
    appointment: &Appointment,
    now: Timestamp,
) {
    reminders::schedule(app, business, appointment, now).await;
    let mut jobs = Vec::new();
    if business.google_calendar.is_some() {
        jobs.push(FollowUpJob::CalendarSync(CalendarJob::new(
            change,
            appointment,
        )));
    }
    // A WhatsApp booking was confirmed in its own chat; an API or CLI one by its caller.
    if change == AppointmentEvent::Booked && appointment.channel == Channel::Voice {
        jobs.push(FollowUpJob::Confirmation(ConfirmationJob::new(appointment)));
    }
    for job in jobs {
        app.send_or_park(&job.message()).await;
    }
}
