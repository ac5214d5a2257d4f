//! What a call's turn asks of the booking front door, as one small trait: the turn logic
//! ([`super::turn`]) takes any [`Desk`], so its tests run it on an in-memory one, and the
//! webhook gives it [`CallDesk`]: [`crate::booking`] for one caller, one turn and one moment.

use async_trait::async_trait;
use jiff::civil::Date;
use jiff::Timestamp;

use crate::app::App;
use crate::booking::{self, BookingError, BookingRequest, Outcome};
use crate::domain::booking::engine::{Refusal, Slot};
use crate::domain::booking::settings::ServiceId;
use crate::domain::{Business, Channel, PhoneNumber, RequestKey};

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

    /// Whether `service` could be booked at `start`.
    async fn check(
        &self,
        service: &ServiceId,
        start: Timestamp,
    ) -> Result<Result<Slot, Refusal>, BookingError>;

    /// Books `service` at `start` for the caller, under the turn's request key.
    async fn book(&self, service: &ServiceId, start: Timestamp) -> Result<Outcome, BookingError>;
}

/// The booking front door for one caller's one turn.
pub struct CallDesk<'a> {
    pub app: &'a App,
    pub business: &'a Business,
    /// The caller's number (`From`): whom the appointment is for.
    pub caller: PhoneNumber,
    /// Twilio's `CallerName`, when the number has one.
    pub name: Option<String>,
    /// `voice:{CallSid}:{step}`: a retried callback books nothing twice.
    pub request: RequestKey,
    pub now: Timestamp,
}

#[async_trait]
impl Desk for CallDesk<'_> {
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
    ) -> Result<Result<Slot, Refusal>, BookingError> {
        booking::check(self.app, self.business, service, start, None, self.now).await
    }

    async fn book(&self, service: &ServiceId, start: Timestamp) -> Result<Outcome, BookingError> {
        let request = BookingRequest {
            service: service.clone(),
            start,
            phone: self.caller.clone(),
            name: self.name.clone(),
            channel: Channel::Voice,
            request: self.request.clone(),
        };
        booking::book(self.app, self.business, &request, self.now).await
    }
}
