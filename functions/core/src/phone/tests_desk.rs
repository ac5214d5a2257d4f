//! An in-memory [`Desk`] for the phone dialogue's tests: the real engine over appointments kept
//! in a vector, for one caller, at a fixed `now`; a request key seen before answers `Repeat`,
//! as the store's request record does.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use jiff::civil::Date;
use jiff::Timestamp;

use super::desk::Desk;
use crate::booking::{BookingError, Outcome};
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
    /// The request key of the turn being answered (`voice:{CallSid}:{step}`).
    pub request: Mutex<String>,
    /// Every call fails as a store that is down would.
    pub down: bool,
    spent: Mutex<HashMap<String, AppointmentId>>,
}

impl MemoryDesk {
    pub fn new(settings: BookingSettings, now: Timestamp) -> Self {
        Self {
            settings,
            now,
            appointments: Mutex::new(Vec::new()),
            request: Mutex::new("voice:CA1:1".into()),
            down: false,
            spent: Mutex::new(HashMap::new()),
        }
    }

    /// Another customer's booking of `start`, made straight in.
    pub fn taken(&self, service: &str, start: Timestamp) {
        let service = self
            .settings
            .service(&ServiceId::parse(service).unwrap())
            .unwrap()
            .clone();
        let slot = Slot {
            start,
            end: start + jiff::SignedDuration::from_mins(i64::from(service.duration_minutes)),
        };
        let appointment = appointment(&service.id, slot, slot.block(&service), self.now);
        self.appointments.lock().unwrap().push(appointment);
    }

    pub fn booked(&self) -> Vec<Appointment> {
        self.appointments
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.channel == Channel::Voice)
            .cloned()
            .collect()
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
}

fn appointment(service: &ServiceId, slot: Slot, block: Busy, now: Timestamp) -> Appointment {
    Appointment {
        id: AppointmentId::generate(),
        business_id: BusinessId::parse("clinic").unwrap(),
        service: service.clone(),
        slot,
        block,
        timezone: "Asia/Jerusalem".into(),
        phone: PhoneNumber::parse("+972509999999").unwrap(),
        name: None,
        channel: Channel::Api,
        source: "api:test".into(),
        status: AppointmentStatus::Booked,
        version: 1,
        created_at: now,
        updated_at: now,
    }
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
    ) -> Result<Result<Slot, Refusal>, BookingError> {
        self.up()?;
        Ok(engine::check(
            &self.settings,
            service,
            start,
            &self.busy(),
            self.now,
        ))
    }

    async fn book(&self, service: &ServiceId, start: Timestamp) -> Result<Outcome, BookingError> {
        self.up()?;
        let request = self.request.lock().unwrap().clone();
        if let Some(id) = self.spent.lock().unwrap().get(&request) {
            let earlier = self.appointments.lock().unwrap();
            let earlier = earlier.iter().find(|a| a.id == *id).unwrap().clone();
            return Ok(Outcome::Repeat(earlier));
        }
        let slot = match engine::check(&self.settings, service, start, &self.busy(), self.now) {
            Ok(slot) => slot,
            Err(refusal) => return Ok(refusal.into()),
        };
        let block = slot.block(self.settings.service(service).unwrap());
        let mut booked = appointment(service, slot, block, self.now);
        booked.channel = Channel::Voice;
        booked.phone = PhoneNumber::parse("+972501234567").unwrap();
        booked.source = request.clone();
        self.appointments.lock().unwrap().push(booked.clone());
        self.spent
            .lock()
            .unwrap()
            .insert(request, booked.id.clone());
        Ok(Outcome::Done(booked))
    }
}
