//! Booking by phone end to end: a signed `incoming_call`, then each signed `<Gather>` callback
//! posted to the action the previous answer named, as Twilio does, to `frontdesk serve`; the
//! appointments read back from the store and their events from the queue. Embedded (SQLite)
//! here; the main flow again on moto (`voice_booking_aws`) and through the `voice-booking`
//! bootstrap (`lambda_bootstraps::voice_booking`). The clinic is open every day 09:00–17:00
//! in Jerusalem with no notice, so "tomorrow at three" is free whenever the tests run.

mod flow;
mod gating;
mod refusals;
mod slow;

use frontdesk::booking::dialogue::state::Lang;
use frontdesk::domain::booking::settings::{BookingSettings, ServiceId};
use frontdesk::domain::{
    Appointment, Business, BusinessId, CallGoal, CallSid, Channel, ConversationKey, PhoneNumber,
    RequestKey,
};
use frontdesk::phone::spoken::Spoken;
use frontdesk::phone::state::State;
use frontdesk::queue::QueueName;
use frontdesk::Route;
use frontdesk_testkit::unique::number as unique;
use frontdesk_testkit::{JobProbe, TestServer};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

pub const CALLER: &str = "+972501234567";
pub const OTHER_CALLER: &str = "+972509876543";

/// Open every day 09:00–17:00 in Jerusalem, a 30-minute checkup on a 15-minute grid, no
/// notice, closed on `closed` (YYYY-MM-DD) when given.
pub fn settings(closed: Option<Date>) -> BookingSettings {
    let day = r#"[["09:00","17:00"]]"#;
    let closed = closed.map(|d| format!("\"{d}\"")).unwrap_or_default();
    BookingSettings::parse_json(&format!(
        r#"{{"timezone": "Asia/Jerusalem",
            "hours": {{"sun": {day}, "mon": {day}, "tue": {day}, "wed": {day}, "thu": {day}, "fri": {day}, "sat": {day}}},
            "closed_dates": [{closed}],
            "services": [{{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup", "duration_minutes": 30}}],
            "slot_step_minutes": 15, "min_notice_minutes": 0, "max_days_ahead": 30, "capacity": 1}}"#
    ))
    .unwrap()
}

pub fn zone() -> TimeZone {
    TimeZone::get("Asia/Jerusalem").unwrap()
}

pub fn today() -> Date {
    Timestamp::now().to_zoned(zone()).date()
}

/// `hour:minute` tomorrow in Jerusalem.
pub fn tomorrow_at(hour: i8, minute: i8) -> Timestamp {
    today()
        .tomorrow()
        .unwrap()
        .at(hour, minute, 0, 0)
        .to_zoned(zone())
        .unwrap()
        .timestamp()
}

/// How the dialogue says a slot, in full or as a day and a time.
pub fn said(at: Timestamp, full: bool) -> String {
    let zone = zone();
    let spoken = Spoken {
        lang: Lang::He,
        zone: &zone,
        today: today(),
    };
    if full {
        spoken.when_in_full(at)
    } else {
        spoken.when(at)
    }
}

/// A server and a business that books by phone.
pub struct World {
    pub server: TestServer,
    pub business: Business,
}

impl World {
    pub async fn embedded() -> Self {
        Self::with(TestServer::start(&[]).await).await
    }

    pub async fn with(server: TestServer) -> Self {
        let n = unique();
        let mut business = Business::new(
            BusinessId::parse(&format!("phone-{n}")).unwrap(),
            "Acme Dental",
        );
        business.phone_numbers =
            vec![PhoneNumber::parse(&format!("+1555{:07}", n % 10_000_000)).unwrap()];
        business.call_goal = CallGoal::Appointment;
        business.enable_calendar_scheduling = true;
        business.booking = Some(settings(None));
        server.app.store().put_business(&business).await.unwrap();
        Self { server, business }
    }

    pub async fn save(&self) {
        let store = self.server.app.store();
        store.put_business(&self.business).await.unwrap();
    }

    pub fn number(&self) -> &str {
        self.business.phone_numbers[0].as_str()
    }

    /// Everything booked from now on, by anyone.
    pub async fn appointments(&self) -> Vec<Appointment> {
        let mut all = Vec::new();
        for phone in [CALLER, OTHER_CALLER] {
            all.extend(
                self.server
                    .app
                    .store()
                    .customer_appointments(
                        &self.business.id,
                        &PhoneNumber::parse(phone).unwrap(),
                        Timestamp::now(),
                    )
                    .await
                    .unwrap(),
            );
        }
        all
    }

    /// Another customer books `start` through the API's front door.
    pub async fn someone_books(&self, start: Timestamp) {
        let request = frontdesk::booking::BookingRequest {
            service: ServiceId::parse("checkup").unwrap(),
            start,
            phone: PhoneNumber::parse(OTHER_CALLER).unwrap(),
            name: None,
            channel: Channel::Api,
            request: RequestKey::new("api", &[&format!("other-{}", unique())]).unwrap(),
        };
        let outcome =
            frontdesk::booking::book(&self.server.app, &self.business, &request, Timestamp::now())
                .await
                .unwrap();
        assert!(
            matches!(outcome, frontdesk::booking::Outcome::Done(_)),
            "{outcome:?}"
        );
    }

    /// The `event` of every business event on the embedded notify queue, in order.
    pub fn events(&self) -> Vec<String> {
        self.notify_jobs("event")
    }

    /// The `job` of every booking follow-up on the embedded notify queue, in order.
    pub fn follow_ups(&self) -> Vec<String> {
        self.notify_jobs("job")
    }

    /// Field `field` of every notify job that has it, in order.
    fn notify_jobs(&self, field: &str) -> Vec<String> {
        let JobProbe::Embedded(queue) = &self.server.jobs else {
            panic!("an embedded server");
        };
        queue
            .messages(QueueName::Notify)
            .unwrap()
            .iter()
            .filter_map(|m| {
                let job: serde_json::Value = serde_json::from_str(&m.body).unwrap();
                job[field].as_str().map(str::to_string)
            })
            .collect()
    }
}

/// One call: its CallSid, and the URL the last answer's `<Gather>` posts to.
pub struct Call<'w> {
    pub world: &'w World,
    pub sid: String,
    pub from: String,
    /// The path (and query) of the next callback.
    pub next: Option<String>,
    /// The last callback sent, to send again as Twilio's retry would.
    last: Option<(String, Vec<(String, String)>)>,
}

impl<'w> Call<'w> {
    pub fn new(world: &'w World) -> Self {
        Self {
            world,
            sid: format!("CA{:032x}", unique()),
            from: CALLER.into(),
            next: None,
            last: None,
        }
    }

    /// The incoming call: its TwiML (the booking menu, whose action is the first turn).
    pub async fn ring(&mut self) -> String {
        let response = self
            .world
            .server
            .post_signed(
                Route::IncomingCall.path(),
                &[
                    ("CallSid", &self.sid),
                    ("AccountSid", "AC123"),
                    ("From", &self.from),
                    ("To", self.world.number()),
                    ("CallStatus", "ringing"),
                    ("Direction", "inbound"),
                ],
            )
            .await;
        assert_eq!(response.status(), 200);
        let twiml = response.text().await.unwrap();
        self.follow(&twiml);
        twiml
    }

    /// What Twilio posts for a turn that heard `heard`.
    pub fn params(&self, heard: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut params: Vec<(String, String)> = vec![
            ("CallSid".into(), self.sid.clone()),
            ("AccountSid".into(), "AC123".into()),
            ("From".into(), self.from.clone()),
            ("To".into(), self.world.number().into()),
            ("CallStatus".into(), "in-progress".into()),
            ("Direction".into(), "inbound".into()),
        ];
        params.extend(heard.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        params
    }

    /// Posts a turn to the action the last answer named, as Twilio does.
    pub async fn send(&mut self, heard: &[(&str, &str)]) -> String {
        let path = self.next.clone().expect("the last answer asks a question");
        let params = self.params(heard);
        self.last = Some((path.clone(), params.clone()));
        let twiml = self.post(&path, &params).await;
        self.follow(&twiml);
        twiml
    }

    /// The last callback once more, exactly: Twilio retrying it.
    pub async fn again(&self) -> String {
        let (path, params) = self.last.clone().expect("a callback was sent");
        self.post(&path, &params).await
    }

    pub async fn post(&self, path: &str, params: &[(String, String)]) -> String {
        let pairs: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let response = self.world.server.post_signed(path, &pairs).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "text/xml; charset=utf-8"
        );
        response.text().await.unwrap()
    }

    pub async fn says(&mut self, text: &str) -> String {
        self.send(&[("SpeechResult", text), ("Confidence", "0.91")])
            .await
    }

    pub async fn presses(&mut self, digits: &str) -> String {
        self.send(&[("Digits", digits)]).await
    }

    pub async fn is_silent(&mut self) -> String {
        self.send(&[]).await
    }

    /// Where the answer's `<Gather>` posts next (none once the call books or leaves a message).
    fn follow(&mut self, twiml: &str) {
        self.next = action(twiml).map(|url| {
            url.strip_prefix(&self.world.server.base_url)
                .unwrap_or_else(|| panic!("{url} is this server's"))
                .to_string()
        });
    }

    /// The call's dialogue state, as stored.
    pub async fn state(&self) -> State {
        let key = ConversationKey::voice(&CallSid::parse(&self.sid).unwrap());
        let stored = self.world.server.app.store().conversation(&key).await;
        State::from_json(&stored.unwrap().expect("a conversation").state).unwrap()
    }
}

/// The `action` of the answer's `<Gather>`, unescaped.
pub fn action(twiml: &str) -> Option<String> {
    let gather = &twiml[twiml.find("<Gather ")?..];
    let start = gather.find("action=\"")? + "action=\"".len();
    let end = start + gather[start..].find('"')?;
    Some(gather[start..end].replace("&amp;", "&"))
}

/// The text of every `<Say>`, in order.
pub fn says(twiml: &str) -> Vec<String> {
    twiml
        .split("<Say language=\"he-IL\">")
        .skip(1)
        .map(|rest| rest.split("</Say>").next().unwrap().to_string())
        .collect()
}
