//! What a dialogue asks of the booking front door, as one small trait: the WhatsApp dialogue
//! ([`super::dialogue`]) and the phone's ([`crate::phone`]) take any [`Desk`], so their tests
//! run them on an in-memory one ([`super::tests_desk`]), and the webhooks give them
//! [`BookingDesk`], which is [`crate::booking`] for one customer, one message or turn, and one
//! moment.

use async_trait::async_trait;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use crate::app::App;
use crate::booking::{self, BookingError, BookingRequest, CancelOutcome, Outcome};
use crate::domain::booking::engine::{Busy, Refusal, Slot};
use crate::domain::booking::settings::ServiceId;
use crate::domain::{
    Appointment, AppointmentId, AppointmentStatus, Business, Channel, PhoneNumber, RequestKey,
};
use crate::store::{AppointmentQuery, MAX_APPOINTMENT_PAGE};

/// How far back a customer's booked appointments are looked for: one that started within this
/// is answered "already started", not "none".
const RECENT: SignedDuration = SignedDuration::from_hours(24);

#[async_trait]
pub trait Desk: Send + Sync {
    /// Up to `n` free slots of `service` nearest `around` (now, when not given).
    async fn nearest(
        &self,
        service: &ServiceId,
        around: Option<Timestamp>,
        n: usize,
    ) -> Result<Vec<Slot>, BookingError>;

    /// The free slots of `service` on one local date, soonest first.
    async fn on_day(&self, service: &ServiceId, date: Date) -> Result<Vec<Slot>, BookingError>;

    /// Up to `n` free slots of `service` starting after `after`, soonest first.
    async fn after(
        &self,
        service: &ServiceId,
        after: Timestamp,
        n: usize,
    ) -> Result<Vec<Slot>, BookingError>;

    /// Whether `service` could be booked at `start`, not counting `ignoring` as busy.
    async fn check(
        &self,
        service: &ServiceId,
        start: Timestamp,
        ignoring: Option<Busy>,
    ) -> Result<Result<Slot, Refusal>, BookingError>;

    /// Books `service` at `start` for the customer, under the request key.
    async fn book(&self, service: &ServiceId, start: Timestamp) -> Result<Outcome, BookingError>;

    /// Moves the customer's appointment to `start`, under the message's request key.
    async fn reschedule(
        &self,
        id: &AppointmentId,
        start: Timestamp,
    ) -> Result<Option<Outcome>, BookingError>;

    /// Cancels the customer's appointment, under the message's request key.
    async fn cancel(&self, id: &AppointmentId) -> Result<CancelOutcome, BookingError>;

    /// The customer's booked appointments, soonest first: those ahead, and those that started
    /// within the last day.
    async fn booked(&self) -> Result<Vec<Appointment>, BookingError>;

    /// The customer's cancelled appointments that would still be ahead, soonest first.
    async fn cancelled(&self) -> Result<Vec<Appointment>, BookingError>;
}

/// The booking front door for one customer's one message or turn.
pub struct BookingDesk<'a> {
    pub app: &'a App,
    pub business: &'a Business,
    pub phone: PhoneNumber,
    /// The customer's WhatsApp profile name or Twilio's `CallerName`, kept on a booking.
    pub name: Option<String>,
    /// Where the customer is: what a booking records as its channel.
    pub channel: Channel,
    /// `wa:{message id}` or `voice:{CallSid}:{step}`: whatever the message or turn books,
    /// cancels or moves, it does once.
    pub request: RequestKey,
    pub now: Timestamp,
}

#[async_trait]
impl Desk for BookingDesk<'_> {
    async fn nearest(
        &self,
        service: &ServiceId,
        around: Option<Timestamp>,
        n: usize,
    ) -> Result<Vec<Slot>, BookingError> {
        booking::nearest(self.app, self.business, service, around, n, self.now).await
    }

    async fn on_day(&self, service: &ServiceId, date: Date) -> Result<Vec<Slot>, BookingError> {
        booking::availability(self.app, self.business, service, date, 1, self.now).await
    }

    async fn after(
        &self,
        service: &ServiceId,
        after: Timestamp,
        n: usize,
    ) -> Result<Vec<Slot>, BookingError> {
        // One look at the store and the engine over the rest of the booking window: the
        // nearest slots around a time can all lie before it.
        let settings = booking::settings(self.business)?;
        let zone = settings.zone().map_err(|_| BookingError::NotConfigured)?;
        let from = zone.to_datetime(after).date();
        let days = settings.max_days_ahead.saturating_add(1);
        let slots =
            booking::availability(self.app, self.business, service, from, days, self.now).await?;
        Ok(slots
            .into_iter()
            .filter(|s| s.start > after)
            .take(n)
            .collect())
    }

    async fn check(
        &self,
        service: &ServiceId,
        start: Timestamp,
        ignoring: Option<Busy>,
    ) -> Result<Result<Slot, Refusal>, BookingError> {
        booking::check(self.app, self.business, service, start, ignoring, self.now).await
    }

    async fn book(&self, service: &ServiceId, start: Timestamp) -> Result<Outcome, BookingError> {
        let request = BookingRequest {
            service: service.clone(),
            start,
            phone: self.phone.clone(),
            name: self.name.clone(),
            channel: self.channel,
            request: self.request.clone(),
        };
        booking::book(self.app, self.business, &request, self.now).await
    }

    async fn reschedule(
        &self,
        id: &AppointmentId,
        start: Timestamp,
    ) -> Result<Option<Outcome>, BookingError> {
        booking::reschedule(self.app, self.business, id, start, &self.request, self.now).await
    }

    async fn cancel(&self, id: &AppointmentId) -> Result<CancelOutcome, BookingError> {
        booking::cancel(self.app, self.business, id, &self.request, self.now).await
    }

    async fn booked(&self) -> Result<Vec<Appointment>, BookingError> {
        let from = self.now.checked_sub(RECENT).unwrap_or(self.now);
        Ok(self
            .app
            .store()
            .customer_appointments(&self.business.id, &self.phone, from)
            .await?)
    }

    async fn cancelled(&self) -> Result<Vec<Appointment>, BookingError> {
        let days = booking::settings(self.business)?.max_days_ahead;
        let query = AppointmentQuery {
            from: self.now,
            to: self
                .now
                .checked_add(SignedDuration::from_hours(24 * (i64::from(days) + 1)))
                .unwrap_or(Timestamp::MAX),
            status: Some(AppointmentStatus::Cancelled),
            after: None,
            limit: MAX_APPOINTMENT_PAGE,
        };
        let page = self
            .app
            .store()
            .list_appointments(&self.business.id, &query)
            .await?;
        Ok(page
            .appointments
            .into_iter()
            .filter(|a| a.phone == self.phone)
            .collect())
    }
}
