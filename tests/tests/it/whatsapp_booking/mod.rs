//! Booking over WhatsApp end to end: signed Twilio webhooks and signed Meta notifications to
//! `frontdesk serve`, the replies caught by stand-ins for Twilio's Messages API and Meta's
//! Graph API (each reply its own provider id), the appointments read back from the store and
//! their events from the queue. Embedded (SQLite) here; the main flow once more on moto
//! (`whatsapp_booking_aws`). The business is open every day 09:00–17:00 in Jerusalem, so "tomorrow" always has
//! slots, at whatever moment the tests run.

mod gating;
pub mod meta;
mod twilio;

use frontdesk::booking::dialogue::state::Lang;
use frontdesk::booking::dialogue::words::Words;
use frontdesk::domain::booking::settings::BookingSettings;
use frontdesk::domain::{Appointment, Business, BusinessId, PhoneNumber, Provider};
use frontdesk::queue::QueueName;
use frontdesk::Route;
use frontdesk_testkit::standins::provider::{answering, ProviderStandIn, Received};
use frontdesk_testkit::unique::number as unique;
use frontdesk_testkit::{JobProbe, TestServer};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde_json::json;

pub const META_APP_SECRET: &str = "test-meta-app-secret";
pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const CUSTOMER: &str = "+972501234567";

pub fn settings(services: &str) -> BookingSettings {
    let day = r#"[["09:00","17:00"]]"#;
    BookingSettings::parse_json(&format!(
        r#"{{"timezone": "Asia/Jerusalem",
            "hours": {{"sun": {day}, "mon": {day}, "tue": {day}, "wed": {day}, "thu": {day}, "fri": {day}, "sat": {day}}},
            "services": [{services}],
            "slot_step_minutes": 15, "min_notice_minutes": 0, "max_days_ahead": 30, "capacity": 1}}"#
    ))
    .unwrap()
}

pub const CHECKUP: &str =
    r#"{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup", "duration_minutes": 30}"#;

/// A server with stand-ins for both providers and a business that books over WhatsApp.
pub struct World {
    pub server: TestServer,
    pub twilio: ProviderStandIn,
    pub meta: ProviderStandIn,
    pub business: Business,
}

impl World {
    pub async fn embedded(provider: Provider) -> Self {
        let (twilio, meta) = stand_ins().await;
        let server = TestServer::start(&vars(&twilio, &meta)).await;
        Self::with(server, twilio, meta, provider).await
    }

    pub async fn with(
        server: TestServer,
        twilio: ProviderStandIn,
        meta: ProviderStandIn,
        provider: Provider,
    ) -> Self {
        let n = unique();
        let mut business = Business::new(
            BusinessId::parse(&format!("book-{n}")).unwrap(),
            "Acme Dental",
        );
        business.phone_numbers =
            vec![PhoneNumber::parse(&format!("+1555{:07}", n % 10_000_000)).unwrap()];
        business.meta_phone_number_id = Some(format!("10654{n}"));
        business.whatsapp_auto_reply = Some("תודה! נחזור אליך בקרוב".into());
        business.whatsapp_provider = provider;
        business.enable_calendar_scheduling = true;
        business.booking = Some(settings(CHECKUP));
        server.app.store().put_business(&business).await.unwrap();
        Self {
            server,
            twilio,
            meta,
            business,
        }
    }

    pub async fn save(&self) {
        self.server
            .app
            .store()
            .put_business(&self.business)
            .await
            .unwrap();
    }

    /// Every request Twilio's Messages API received, in order.
    pub fn twilio_sent(&self) -> Vec<Received> {
        self.twilio.received.lock().unwrap().clone()
    }

    pub fn meta_sent(&self) -> Vec<Received> {
        self.meta.received.lock().unwrap().clone()
    }

    /// The customer's booked appointments from now on.
    pub async fn booked(&self) -> Vec<Appointment> {
        self.server
            .app
            .store()
            .customer_appointments(
                &self.business.id,
                &PhoneNumber::parse(CUSTOMER).unwrap(),
                Timestamp::now(),
            )
            .await
            .unwrap()
    }

    /// The `event` of every job on the embedded notify queue, in order.
    pub fn events(&self) -> Vec<String> {
        let JobProbe::Embedded(queue) = &self.server.jobs else {
            panic!("an embedded server");
        };
        queue
            .messages(QueueName::Notify)
            .unwrap()
            .iter()
            .map(|m| {
                let job: serde_json::Value = serde_json::from_str(&m.body).unwrap();
                job["event"].as_str().unwrap_or_default().to_string()
            })
            .collect()
    }

    /// How the dialogue writes a time, in `lang`, in the business's zone.
    pub fn when(&self, lang: Lang, at: Timestamp) -> String {
        let settings = self.business.booking.as_ref().unwrap();
        let zone = zone();
        Words {
            lang,
            zone: &zone,
            settings,
        }
        .when(at)
    }

    pub fn day(&self, lang: Lang, at: Timestamp) -> String {
        let settings = self.business.booking.as_ref().unwrap();
        let zone = zone();
        Words {
            lang,
            zone: &zone,
            settings,
        }
        .day(zone.to_datetime(at).date())
    }
}

/// Stand-ins for Twilio's Messages API and Meta's Graph API, each answering every send with a
/// fresh id.
pub async fn stand_ins() -> (ProviderStandIn, ProviderStandIn) {
    let twilio = answering(
        201,
        |n| json!({"sid": format!("SM{:032x}", unique()), "status": "queued", "n": n}),
    )
    .await;
    let meta = answering(200, |n| {
        json!({"messaging_product": "whatsapp",
               "messages": [{"id": format!("wamid.OUT{}x{n}", unique())}]})
    })
    .await;
    (twilio, meta)
}

pub fn vars<'a>(twilio: &'a ProviderStandIn, meta: &'a ProviderStandIn) -> Vec<(&'a str, &'a str)> {
    vec![
        ("META_APP_SECRET", META_APP_SECRET),
        ("META_VERIFY_TOKEN", "test-verify-token"),
        ("META_ACCESS_TOKEN", "test-meta-access-token"),
        ("TWILIO_ACCOUNT_SID", ACCOUNT_SID),
        ("TWILIO_API_BASE_URL", &twilio.url),
        ("META_GRAPH_BASE_URL", &meta.url),
    ]
}

pub fn zone() -> TimeZone {
    TimeZone::get("Asia/Jerusalem").unwrap()
}

/// `hour:minute` tomorrow in Jerusalem.
pub fn tomorrow_at(hour: i8, minute: i8) -> Timestamp {
    let today = Timestamp::now().to_zoned(zone()).date();
    today
        .tomorrow()
        .unwrap()
        .at(hour, minute, 0, 0)
        .to_zoned(zone())
        .unwrap()
        .timestamp()
}

pub fn message_sid() -> String {
    format!("SM{:032x}", unique())
}

pub fn wamid() -> String {
    format!("wamid.IN{}", unique())
}

/// Posts a signed Twilio webhook for `body` from the customer with `sid`; returns the TwiML.
pub async fn twilio_says(world: &World, sid: &str, body: &str) -> String {
    let response = world
        .server
        .post_signed(
            Route::WhatsAppIncoming.path(),
            &[
                ("MessageSid", sid),
                ("AccountSid", ACCOUNT_SID),
                ("From", &format!("whatsapp:{CUSTOMER}")),
                (
                    "To",
                    &format!("whatsapp:{}", world.business.phone_numbers[0].as_str()),
                ),
                ("Body", body),
                ("ProfileName", "Dana Levi"),
                ("NumMedia", "0"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200, "{body}");
    response.text().await.unwrap()
}

pub const EMPTY: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";
