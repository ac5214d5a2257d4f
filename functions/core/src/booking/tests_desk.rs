//! An in-memory [`Desk`] for the dialogues' tests (WhatsApp's and the phone's): the real engine
//! over appointments kept in a vector, for one customer, at a fixed `now`; a request key seen
//! before answers `Repeat`, as the store's request record does.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use jiff::civil::Date;
use jiff::Timestamp;

use super::desk::Desk;
use crate::booking::{BookingError, CancelOutcome, Outcome};
use crate::domain::booking::engine::{self, Busy, Refusal, Slot};
use crate::domain::booking::settings::{BookingSettings, ServiceId};
use crate::domain::{
    Appointment, AppointmentId, AppointmentStatus, BusinessId, Channel, PhoneNumber,
};
use crate::store::StoreError;

pub struct MemoryDesk {
    pub settings: BookingSettings,
    pub now: Timestamp,
    pub appointments: Mutex<Vec<Appointment>>,
    /// Every call that changes something, as `book 09:15`-like lines.
    pub changes: Mutex<Vec<String>>,
    /// Every call fails as a store that is down would.
    pub down: bool,
    /// The channel a booking records.
    pub channel: Channel,
    /// The request key of the message being answered, and the appointment each key booked:
    /// a key seen before answers `Repeat`, as the store's request record does.
    pub request: Mutex<String>,
    spent: Mutex<HashMap<String, AppointmentId>>,
}

impl MemoryDesk {
    pub fn new(settings: BookingSettings, now: Timestamp) -> Self {
        Self {
            settings,
            now,
            appointments: Mutex::new(Vec::new()),
            changes: Mutex::new(Vec::new()),
            down: false,
            channel: Channel::Whatsapp,
            request: Mutex::new("wa:first".into()),
            spent: Mutex::new(HashMap::new()),
        }
    }

    /// The desk of a phone call: bookings by `voice`, the first turn's request key.
    pub fn voice(mut self) -> Self {
        self.channel = Channel::Voice;
        *self.request.get_mut().unwrap() = "voice:CA1:1".into();
        self
    }

    /// The appointments booked through `channel`.
    pub fn made_by(&self, channel: Channel) -> Vec<Appointment> {
        self.appointments
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.channel == channel)
            .cloned()
            .collect()
    }

    /// Another customer's booking of `start`, made straight in through the API.
    pub fn taken(&self, service: &str, start: Timestamp) {
        self.holding(service, start, AppointmentStatus::Booked);
        let mut all = self.appointments.lock().unwrap();
        let other = all.last_mut().unwrap();
        other.phone = PhoneNumber::parse("+972509999999").unwrap();
        other.channel = Channel::Api;
        other.source = "api:test".into();
    }

    /// The appointment this message's request key already booked, if it did.
    fn repeat(&self) -> Option<Appointment> {
        let request = self.request.lock().unwrap().clone();
        let id = self.spent.lock().unwrap().get(&request).cloned()?;
        self.appointments
            .lock()
            .unwrap()
            .iter()
            .find(|a| a.id == id)
            .cloned()
    }

    fn spend(&self, id: &AppointmentId) {
        let request = self.request.lock().unwrap().clone();
        self.spent.lock().unwrap().insert(request, id.clone());
    }

    /// Puts an appointment of `service` at `start` straight in, as if booked earlier.
    pub fn holding(&self, service: &str, start: Timestamp, status: AppointmentStatus) {
        let service = self
            .settings
            .service(&ServiceId::parse(service).unwrap())
            .unwrap()
            .clone();
        let slot = Slot {
            start,
            end: start + jiff::SignedDuration::from_mins(i64::from(service.duration_minutes)),
        };
        let mut appointment = appointment(&service.id, slot, slot.block(&service), self.now);
        appointment.status = status;
        self.appointments.lock().unwrap().push(appointment);
    }

    fn up(&self) -> Result<(), BookingError> {
        if self.down {
            Err(BookingError::Store(StoreError::Unavailable("down".into())))
        } else {
            Ok(())
        }
    }

    fn busy(&self) -> Vec<Busy> {
        self.appointments
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.status == AppointmentStatus::Booked)
            .map(|a| a.block)
            .collect()
    }

    fn hhmm(&self, at: Timestamp) -> String {
        let local = self.settings.zone().unwrap().to_datetime(at);
        format!("{} {:02}:{:02}", local.date(), local.hour(), local.minute())
    }

    fn note(&self, line: String) {
        self.changes.lock().unwrap().push(line);
    }
}

fn appointment(service: &ServiceId, slot: Slot, block: Busy, now: Timestamp) -> Appointment {
    Appointment {
        id: AppointmentId::generate(),
        business_id: BusinessId::parse("clinic").unwrap(),
        service: service.clone(),
        slot,
        block,
        timezone: "Asia/Jerusalem".into(),
        phone: PhoneNumber::parse("+972501234567").unwrap(),
        name: None,
        channel: Channel::Whatsapp,
        source: "wa:test".into(),
        status: AppointmentStatus::Booked,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

fn outcome(refusal: Refusal) -> Outcome {
    refusal.into()
}

#[async_trait]
impl Desk for MemoryDesk {
    async fn nearest(
        &self,
        service: &ServiceId,
        around: Option<Timestamp>,
        n: usize,
    ) -> Result<Vec<Slot>, BookingError> {
        self.up()?;
        Ok(engine::nearest(
            &self.settings,
            service,
            &self.busy(),
            self.now,
            around.unwrap_or(self.now),
            n,
        ))
    }

    async fn on_day(&self, service: &ServiceId, date: Date) -> Result<Vec<Slot>, BookingError> {
        self.up()?;
        Ok(engine::free_slots(&self.settings, service, &self.busy(), self.now, date, 1).unwrap())
    }

    async fn after(
        &self,
        service: &ServiceId,
        after: Timestamp,
        n: usize,
    ) -> Result<Vec<Slot>, BookingError> {
        self.up()?;
        let from = self.settings.zone().unwrap().to_datetime(after).date();
        let slots =
            engine::free_slots(&self.settings, service, &self.busy(), self.now, from, 60).unwrap();
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
        self.up()?;
        let mut busy = self.busy();
        if let Some(own) = ignoring.and_then(|own| busy.iter().position(|b| *b == own)) {
            busy.swap_remove(own);
        }
        Ok(engine::check(
            &self.settings,
            service,
            start,
            &busy,
            self.now,
        ))
    }

    async fn book(&self, service: &ServiceId, start: Timestamp) -> Result<Outcome, BookingError> {
        self.up()?;
        if let Some(earlier) = self.repeat() {
            return Ok(Outcome::Repeat(earlier));
        }
        let slot = match engine::check(&self.settings, service, start, &self.busy(), self.now) {
            Ok(slot) => slot,
            Err(refusal) => return Ok(outcome(refusal)),
        };
        let block = slot.block(self.settings.service(service).unwrap());
        let mut booked = appointment(service, slot, block, self.now);
        booked.channel = self.channel;
        booked.source = self.request.lock().unwrap().clone();
        self.appointments.lock().unwrap().push(booked.clone());
        self.spend(&booked.id);
        self.note(format!("book {}", self.hhmm(start)));
        Ok(Outcome::Done(booked))
    }

    async fn reschedule(
        &self,
        id: &AppointmentId,
        start: Timestamp,
    ) -> Result<Option<Outcome>, BookingError> {
        self.up()?;
        let Some(current) = self
            .appointments
            .lock()
            .unwrap()
            .iter()
            .find(|a| &a.id == id && a.status == AppointmentStatus::Booked)
            .cloned()
        else {
            return Ok(None);
        };
        let mut busy = self.busy();
        busy.retain(|b| *b != current.block);
        let slot = match engine::check(&self.settings, &current.service, start, &busy, self.now) {
            Ok(slot) => slot,
            Err(refusal) => return Ok(Some(outcome(refusal))),
        };
        let mut all = self.appointments.lock().unwrap();
        let moved = all.iter_mut().find(|a| &a.id == id).unwrap();
        moved.slot = slot;
        moved.block = slot.block(self.settings.service(&current.service).unwrap());
        moved.version += 1;
        let moved = moved.clone();
        drop(all);
        self.note(format!("move {}", self.hhmm(start)));
        Ok(Some(Outcome::Done(moved)))
    }

    async fn cancel(&self, id: &AppointmentId) -> Result<CancelOutcome, BookingError> {
        self.up()?;
        let mut all = self.appointments.lock().unwrap();
        let Some(found) = all.iter_mut().find(|a| &a.id == id) else {
            return Ok(CancelOutcome::NotFound);
        };
        if found.status != AppointmentStatus::Booked {
            return Ok(CancelOutcome::NotBooked(found.clone()));
        }
        if found.slot.start <= self.now {
            return Ok(CancelOutcome::Past(found.clone()));
        }
        found.status = AppointmentStatus::Cancelled;
        let cancelled = found.clone();
        drop(all);
        self.note(format!("cancel {}", self.hhmm(cancelled.slot.start)));
        Ok(CancelOutcome::Cancelled(cancelled))
    }

    async fn booked(&self) -> Result<Vec<Appointment>, BookingError> {
        self.up()?;
        let from = self.now - jiff::SignedDuration::from_hours(24);
        let mut booked: Vec<Appointment> = self
            .appointments
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.status == AppointmentStatus::Booked && a.slot.start >= from)
            .cloned()
            .collect();
        booked.sort_by_key(|a| a.slot.start);
        Ok(booked)
    }

    async fn cancelled(&self) -> Result<Vec<Appointment>, BookingError> {
        self.up()?;
        Ok(self
            .appointments
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.status == AppointmentStatus::Cancelled && a.slot.start >= self.now)
            .cloned()
            .collect())
    }
}
