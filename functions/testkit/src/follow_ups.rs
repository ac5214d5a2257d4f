//! The booking outbox's world for a test: stand-ins for Google (token endpoint and Calendar
//! API), Twilio's Messages API and Meta's Graph API; configuration pointing at them; a business
//! that books every day 09:00–17:00 in Jerusalem, sends from its own number and has its
//! Google Calendar connected; and the requests a phone booking makes.
//!
//! Twilio's stand-in accepts every message with a fresh `SM…` id (and every call, on the Calls
//! API, with a fresh `CA…` one), except a Content Template
//! [`REJECTED_CONTENT_SID`] (400, code 63016) and an SMS to [`REFUSED_NUMBER`] (400, code
//! 21610); its [`Providers::twilio_down`] script answers 500s first. Meta's refuses the template
//! [`EXPIRED_TEMPLATE`] (400, code 131047).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use frontdesk::booking::BookingRequest;
use frontdesk::config::Secret;
use frontdesk::domain::booking::settings::{BookingSettings, ServiceId};
use frontdesk::domain::{Business, BusinessId, Channel, GoogleCalendar, PhoneNumber, RequestKey};
use frontdesk::{App, Config};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde_json::json;

use crate::standins::google::{GoogleStandIn, CLIENT_EMAIL};
use crate::standins::provider::{responding, ProviderStandIn};
use crate::unique::number as unique;

pub const CALENDAR_ID: &str = "clinic-1@group.calendar.google.com";
pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const CUSTOMER: &str = "+972501234567";
/// A Twilio Content Template that Twilio refuses (not approved, or expired).
pub const REJECTED_CONTENT_SID: &str = "HX00000000000000000000000000063016";
pub const CONTENT_SID: &str = "HX0123456789abcdef0123456789abcdef";
/// A Meta template that Meta refuses.
pub const EXPIRED_TEMPLATE: &str = "expired_template";
/// A number that refuses SMS (it replied STOP).
pub const REFUSED_NUMBER: &str = "+972509999999";

/// The stand-ins a follow-up reaches.
pub struct Providers {
    pub google: GoogleStandIn,
    pub twilio: ProviderStandIn,
    pub meta: ProviderStandIn,
    /// Statuses Twilio answers first, before it accepts again.
    pub twilio_down: Arc<Mutex<VecDeque<u16>>>,
}

impl Providers {
    pub async fn start() -> Self {
        let google = GoogleStandIn::start().await;
        let twilio_down = Arc::new(Mutex::new(VecDeque::new()));
        let down = twilio_down.clone();
        let twilio = responding(move |_, request| {
            if let Some(status) = down.lock().unwrap().pop_front() {
                return (status, json!({"code": 20500, "message": "Internal Server Error"}));
            }
            let form = request.form();
            if form.get("ContentSid").map(String::as_str) == Some(REJECTED_CONTENT_SID) {
                return (400, json!({"code": 63016, "status": 400,
                    "message": "Failed to send freeform message because you are outside the allowed window. Please use a Template."}));
            }
            if form.get("To").map(String::as_str) == Some(REFUSED_NUMBER) {
                return (400, json!({"code": 21610, "status": 400,
                    "message": "Attempt to send to unsubscribed recipient"}));
            }
            // The Calls API (a voice reminder) answers with a call.
            if request.path.ends_with("/Calls.json") {
                return (201, json!({"sid": format!("CA{:032x}", unique()), "status": "queued"}));
            }
            (201, json!({"sid": format!("SM{:032x}", unique()), "status": "queued"}))
        })
        .await;
        let meta = responding(|n, request| {
            if request.json()["template"]["name"] == EXPIRED_TEMPLATE {
                return (
                    400,
                    json!({"error": {"code": 131047, "type": "OAuthException",
                    "message": "Re-engagement message"}}),
                );
            }
            (
                200,
                json!({"messaging_product": "whatsapp",
                         "messages": [{"id": format!("wamid.OUT{}x{n}", unique())}]}),
            )
        })
        .await;
        Self {
            google,
            twilio,
            meta,
            twilio_down,
        }
    }

    /// The settings pointing every provider at its stand-in.
    pub fn vars(&self) -> Vec<(String, String)> {
        [
            ("TWILIO_ACCOUNT_SID", ACCOUNT_SID.to_string()),
            ("TWILIO_API_BASE_URL", self.twilio.url.clone()),
            ("META_GRAPH_BASE_URL", self.meta.url.clone()),
            ("META_ACCESS_TOKEN", "test-meta-access-token".to_string()),
            ("GOOGLE_CALENDAR_BASE_URL", self.google.calendar_base_url()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Test configuration with [`Self::vars`] and `extra`.
    pub fn config(&self, extra: &[(&str, &str)]) -> Config {
        let vars = self.vars();
        let mut all: Vec<(&str, &str)> =
            vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        all.extend_from_slice(extra);
        crate::config::config(&all)
    }

    /// Every request Twilio's Messages API received.
    pub fn twilio_sent(&self) -> Vec<crate::standins::provider::Received> {
        self.twilio.received.lock().unwrap().clone()
    }

    pub fn meta_sent(&self) -> Vec<crate::standins::provider::Received> {
        self.meta.received.lock().unwrap().clone()
    }
}

/// Open every day 09:00–17:00 in Jerusalem, a 30-minute checkup, no notice, capacity 1.
pub fn settings() -> BookingSettings {
    let day = r#"[["09:00","17:00"]]"#;
    BookingSettings::parse_json(&format!(
        r#"{{"timezone": "Asia/Jerusalem",
            "hours": {{"sun": {day}, "mon": {day}, "tue": {day}, "wed": {day}, "thu": {day}, "fri": {day}, "sat": {day}}},
            "services": [{{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup", "duration_minutes": 30}}],
            "slot_step_minutes": 15, "min_notice_minutes": 0, "max_days_ahead": 30, "capacity": 1}}"#
    ))
    .unwrap()
}

/// A business that books, with a number of its own and its calendar connected (call
/// [`connect`] to store its key).
pub fn business() -> Business {
    let n = unique();
    let mut business = Business::new(
        BusinessId::parse(&format!("outbox-{n}")).unwrap(),
        "Acme Dental",
    );
    business.phone_numbers =
        vec![PhoneNumber::parse(&format!("+1555{:07}", n % 10_000_000)).unwrap()];
    business.meta_phone_number_id = Some(format!("10654{n}"));
    business.enable_calendar_scheduling = true;
    business.booking = Some(settings());
    business.google_calendar = Some(GoogleCalendar {
        calendar_id: CALENDAR_ID.into(),
        service_account: CLIENT_EMAIL.into(),
    });
    business
}

/// Stores `business` and its service-account key, and shares its calendar in the stand-in.
pub async fn connect(app: &App, business: &Business, google: &GoogleStandIn) {
    app.store().put_business(business).await.unwrap();
    app.store()
        .put_calendar_key(&business.id, &Secret::new(google.key_json()).unwrap())
        .await
        .unwrap();
    google.share(CALENDAR_ID);
}

pub fn zone() -> TimeZone {
    TimeZone::get("Asia/Jerusalem").unwrap()
}

/// `hour:minute` on the day after tomorrow in Jerusalem: always bookable, whatever the hour
/// the test runs at.
pub fn day_after_tomorrow_at(hour: i8, minute: i8) -> Timestamp {
    let today = Timestamp::now().to_zoned(zone()).date();
    today
        .tomorrow()
        .and_then(|d| d.tomorrow())
        .unwrap()
        .at(hour, minute, 0, 0)
        .to_zoned(zone())
        .unwrap()
        .timestamp()
}

/// What a phone call books: a checkup at `start` for [`CUSTOMER`], keyed by a fresh call.
pub fn booking(channel: Channel, start: Timestamp) -> BookingRequest {
    booking_for(channel, start, CUSTOMER)
}

pub fn booking_for(channel: Channel, start: Timestamp, phone: &str) -> BookingRequest {
    BookingRequest {
        service: ServiceId::parse("checkup").unwrap(),
        start,
        phone: PhoneNumber::parse(phone).unwrap(),
        name: Some("Dana".into()),
        channel,
        request: RequestKey::new("test", &[&format!("CA{:032x}", unique())]).unwrap(),
    }
}
