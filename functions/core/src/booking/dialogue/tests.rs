//! The dialogue's turns on an in-memory desk, at Sunday 22 November 2026, 08:00 in Jerusalem:
//! a clinic open Sunday to Thursday 09:00–17:00 and Friday 09:00–13:00, checkups of 30 minutes
//! (10 after), a slot every 15 minutes, an hour's notice.

use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::render;
use super::state::{option_id, Lang, Menu, Reply, State, Step};
use super::turn::{turn, Ctx, Message};
use crate::booking::tests_desk::MemoryDesk;
use crate::domain::booking::settings::BookingSettings;
use crate::domain::AppointmentStatus;

fn zone() -> TimeZone {
    TimeZone::get("Asia/Jerusalem").unwrap()
}

/// Jerusalem time on `day` November 2026.
fn at(day: i8, hour: i8, minute: i8) -> Timestamp {
    date(2026, 11, day)
        .at(hour, minute, 0, 0)
        .to_zoned(zone())
        .unwrap()
        .timestamp()
}

fn now() -> Timestamp {
    at(22, 8, 0)
}

const HOURS: &str = r#""hours": {"sun": [["09:00","17:00"]], "mon": [["09:00","17:00"]], "tue": [["09:00","17:00"]],
    "wed": [["09:00","17:00"]], "thu": [["09:00","17:00"]], "fri": [["09:00","13:00"]]}"#;

fn settings() -> BookingSettings {
    BookingSettings::parse_json(&format!(
        r#"{{"timezone": "Asia/Jerusalem", {HOURS},
            "services": [{{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup",
                          "duration_minutes": 30, "buffer_after_minutes": 10}}],
            "slot_step_minutes": 15, "min_notice_minutes": 60}}"#
    ))
    .unwrap()
}

fn two_services() -> BookingSettings {
    BookingSettings::parse_json(&format!(
        r#"{{"timezone": "Asia/Jerusalem", {HOURS},
            "services": [{{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup", "duration_minutes": 30}},
                         {{"id": "cleaning", "name_he": "ניקוי אבנית", "name_en": "Cleaning", "duration_minutes": 60}}],
            "slot_step_minutes": 15, "min_notice_minutes": 60}}"#
    ))
    .unwrap()
}

/// One customer's conversation, turn by turn, keeping the state as the store would.
struct Chat {
    desk: MemoryDesk,
    state: Option<State>,
    business_lang: Lang,
    messages: usize,
}

impl Chat {
    fn new(settings: BookingSettings) -> Self {
        Self {
            desk: MemoryDesk::new(settings, now()),
            state: None,
            business_lang: Lang::He,
            messages: 0,
        }
    }

    async fn send(&mut self, text: &str, reply: Option<&str>) -> Option<Reply> {
        self.messages += 1;
        *self.desk.request.lock().unwrap() = format!("wa:{}", self.messages);
        let ctx = Ctx {
            settings: &self.desk.settings,
            zone: zone(),
            now: now(),
            lang: self.business_lang,
        };
        let message = Message { text, reply };
        let turn = turn(&self.desk, &ctx, self.state.clone(), &message)
            .await
            .unwrap()?;
        self.state = Some(turn.state);
        Some(turn.reply)
    }

    async fn say(&mut self, text: &str) -> Reply {
        self.send(text, None)
            .await
            .unwrap_or_else(|| panic!("`{text}` is answered"))
    }

    fn step(&self) -> &Step {
        &self.state.as_ref().unwrap().step
    }

    fn changes(&self) -> Vec<String> {
        self.desk.changes.lock().unwrap().clone()
    }
}

fn lines(reply: &Reply) -> Vec<&str> {
    reply.options.iter().map(|o| o.line.as_str()).collect()
}

#[tokio::test]
async fn a_hebrew_request_for_tomorrow_offers_tomorrows_first_three_slots() {
    let mut chat = Chat::new(settings());
    let reply = chat.say("אפשר תור למחר?").await;
    assert_eq!(reply.lang, Lang::He);
    assert_eq!(reply.text, "התורים הפנויים לבדיקה ביום שני, 23 בנובמבר:");
    assert_eq!(
        lines(&reply),
        [
            "יום שני, 23 בנובמבר, 09:00",
            "יום שני, 23 בנובמבר, 09:15",
            "יום שני, 23 בנובמבר, 09:30"
        ]
    );
    assert_eq!(reply.menu, Menu::Numbered { times: true });
    assert!(matches!(chat.step(), Step::Slots { slots, .. } if slots.len() == 3));
    assert_eq!(
        render::text(&reply),
        "התורים הפנויים לבדיקה ביום שני, 23 בנובמבר:\n\
         1. יום שני, 23 בנובמבר, 09:00\n\
         2. יום שני, 23 בנובמבר, 09:15\n\
         3. יום שני, 23 בנובמבר, 09:30\n\
         השיבו במספר, או כתבו יום ושעה אחרים."
    );
}

#[tokio::test]
async fn a_number_books_that_slot_and_the_confirmation_says_how_to_cancel() {
    let mut chat = Chat::new(settings());
    chat.say("אפשר תור למחר?").await;
    let reply = chat.say("2").await;
    assert_eq!(
        reply.text,
        "התור נקבע ✅\nבדיקה ביום שני, 23 בנובמבר, 09:15.\nלביטול השיבו ״ביטול״, לשינוי ״שינוי״."
    );
    assert_eq!(reply.menu, Menu::None);
    assert_eq!(chat.step(), &Step::Idle);
    assert_eq!(chat.changes(), ["book 2026-11-23 09:15"]);
}

#[tokio::test]
async fn a_number_out_of_range_gets_a_sentence_and_the_same_options() {
    let mut chat = Chat::new(settings());
    let offered = chat.say("אפשר תור למחר?").await;
    let before = chat.step().clone();
    let reply = chat.say("4").await;
    assert_eq!(reply.text, "אין אפשרות 4. בחרו מספר בין 1 ל-3:");
    assert_eq!(
        reply.options, offered.options,
        "the same list, the same ids"
    );
    assert_eq!(chat.step(), &before);
    assert!(chat.changes().is_empty());
}

#[tokio::test]
async fn an_english_request_is_answered_in_english_with_the_nearest_slots() {
    let mut chat = Chat::new(settings());
    let reply = chat.say("Hi, can I book an appointment?").await;
    assert_eq!(reply.lang, Lang::En);
    assert_eq!(reply.text, "The nearest free times for Checkup:");
    assert_eq!(
        lines(&reply),
        [
            "Sun 22 Nov, 09:00",
            "Sun 22 Nov, 09:15",
            "Sun 22 Nov, 09:30"
        ]
    );
    let reply = chat.say("3").await;
    assert_eq!(
        reply.lang,
        Lang::En,
        "a bare number keeps the conversation's language"
    );
    assert_eq!(
        reply.text,
        "Booked ✅\nCheckup on Sun 22 Nov, 09:30.\nTo cancel, reply \"cancel\"; to change it, \"change\"."
    );
}

#[tokio::test]
async fn a_free_day_and_time_is_offered_for_confirmation_and_yes_books_it() {
    let mut chat = Chat::new(settings());
    let reply = chat.say("מחר ב-15:00").await;
    assert_eq!(
        reply.text,
        "בדיקה ביום שני, 23 בנובמבר, 15:00 — פנוי. לאישור השיבו 1 או ״כן״."
    );
    assert_eq!(reply.menu, Menu::Confirm);
    assert_eq!(render::text(&reply), reply.text, "no list in text");
    let reply = chat.say("כן").await;
    assert!(reply.text.starts_with("התור נקבע ✅"), "{}", reply.text);
    assert_eq!(chat.changes(), ["book 2026-11-23 15:00"]);
}

#[tokio::test]
async fn no_to_a_confirmation_offers_other_times_near_it() {
    let mut chat = Chat::new(settings());
    chat.say("tomorrow at 3pm").await;
    let reply = chat.say("no").await;
    assert_eq!(reply.text, "The nearest free times for Checkup:");
    assert_eq!(
        lines(&reply),
        [
            "Mon 23 Nov, 14:45",
            "Mon 23 Nov, 15:15",
            "Mon 23 Nov, 14:30"
        ]
    );
    assert!(chat.changes().is_empty());
}

#[tokio::test]
async fn a_taken_time_gets_the_reason_and_three_free_alternatives() {
    let mut chat = Chat::new(settings());
    chat.desk
        .holding("checkup", at(23, 15, 0), AppointmentStatus::Booked);
    let reply = chat.say("tomorrow at 15:00").await;
    assert_eq!(
        reply.text,
        "Mon 23 Nov, 15:00 — that time is already taken. Free times nearby:"
    );
    assert_eq!(reply.options.len(), 3);
    assert!(lines(&reply).contains(&"Mon 23 Nov, 15:45"));
    assert!(!lines(&reply).contains(&"Mon 23 Nov, 15:00"));
}

#[tokio::test]
async fn a_time_outside_hours_gets_the_engines_reason_in_hebrew() {
    let mut chat = Chat::new(settings());
    let reply = chat.say("מחר ב-20:00").await;
    assert_eq!(
        reply.text,
        "יום שני, 23 בנובמבר, 20:00 — השעה הזו מחוץ לשעות הפעילות שלנו. אפשר במקום:"
    );
    assert_eq!(reply.options.len(), 3);
}

#[tokio::test]
async fn a_closed_day_without_a_time_offers_the_nearest_slots_to_it() {
    let mut chat = Chat::new(settings());
    let reply = chat.say("יש תור בשבת?").await;
    assert_eq!(
        reply.text,
        "אין תורים פנויים ביום שבת, 28 בנובמבר. הקרובים ביותר:"
    );
    assert_eq!(
        lines(&reply),
        [
            "יום שישי, 27 בנובמבר, 12:15",
            "יום שישי, 27 בנובמבר, 12:00",
            "יום שישי, 27 בנובמבר, 11:45"
        ]
    );
}

#[tokio::test]
async fn several_services_are_asked_first_and_the_day_said_is_kept() {
    let mut chat = Chat::new(two_services());
    let reply = chat.say("אפשר תור למחר?").await;
    assert_eq!(reply.text, "לאיזה שירות לקבוע את התור?");
    assert_eq!(lines(&reply), ["בדיקה", "ניקוי אבנית"]);
    assert_eq!(reply.menu, Menu::Numbered { times: false });
    let reply = chat.say("2").await;
    assert_eq!(
        reply.text,
        "התורים הפנויים לניקוי אבנית ביום שני, 23 בנובמבר:"
    );
    assert!(matches!(chat.step(), Step::Slots { service, .. } if service.as_str() == "cleaning"));
}

#[tokio::test]
async fn cancel_cancels_the_customers_only_appointment() {
    let mut chat = Chat::new(settings());
    chat.desk
        .holding("checkup", at(24, 15, 0), AppointmentStatus::Booked);
    let reply = chat.say("ביטול").await;
    assert_eq!(
        reply.text,
        "התור לבדיקה ביום שלישי, 24 בנובמבר, 15:00 בוטל. לקביעת תור חדש כתבו ״תור״."
    );
    assert_eq!(chat.changes(), ["cancel 2026-11-24 15:00"]);
    assert_eq!(chat.step(), &Step::Idle);
}

#[tokio::test]
async fn cancel_with_several_appointments_asks_which_and_a_number_cancels_it() {
    let mut chat = Chat::new(settings());
    chat.desk
        .holding("checkup", at(24, 15, 0), AppointmentStatus::Booked);
    chat.desk
        .holding("checkup", at(23, 10, 0), AppointmentStatus::Booked);
    let reply = chat.say("cancel").await;
    assert_eq!(reply.text, "Which appointment should I cancel?");
    assert_eq!(
        lines(&reply),
        ["Checkup — Mon 23 Nov, 10:00", "Checkup — Tue 24 Nov, 15:00"]
    );
    let reply = chat.say("2").await;
    assert_eq!(
        reply.text,
        "Your Checkup on Tue 24 Nov, 15:00 is cancelled. To book again, write \"appointment\"."
    );
    assert_eq!(chat.changes(), ["cancel 2026-11-24 15:00"]);
}

#[tokio::test]
async fn cancel_with_no_appointment_says_there_is_none() {
    let mut chat = Chat::new(settings());
    let reply = chat.say("ביטול").await;
    assert_eq!(
        reply.text,
        "לא מצאתי תור קבוע למספר הזה. לקביעת תור כתבו ״תור״."
    );
    assert!(chat.changes().is_empty());
}

#[tokio::test]
async fn cancel_of_an_appointment_already_cancelled_says_so() {
    let mut chat = Chat::new(settings());
    chat.desk
        .holding("checkup", at(24, 15, 0), AppointmentStatus::Cancelled);
    let reply = chat.say("cancel").await;
    assert_eq!(
        reply.text,
        "Your Checkup on Tue 24 Nov, 15:00 was already cancelled."
    );
}

#[tokio::test]
async fn cancel_of_an_appointment_that_started_says_it_is_too_late() {
    let mut chat = Chat::new(settings());
    chat.desk
        .holding("checkup", at(22, 7, 45), AppointmentStatus::Booked);
    let reply = chat.say("ביטול").await;
    assert_eq!(
        reply.text,
        "התור לבדיקה ביום ראשון, 22 בנובמבר, 07:45 כבר התחיל או עבר, ולכן אי אפשר לבטל אותו בהודעה."
    );
    assert!(chat.changes().is_empty());
}

#[tokio::test]
async fn change_offers_the_nearest_slots_and_a_number_moves_the_appointment() {
    let mut chat = Chat::new(settings());
    chat.desk
        .holding("checkup", at(24, 15, 0), AppointmentStatus::Booked);
    let reply = chat.say("שינוי").await;
    assert_eq!(
        reply.text,
        "לאן להעביר את התור לבדיקה ביום שלישי, 24 בנובמבר, 15:00? התורים הפנויים הקרובים:"
    );
    assert_eq!(lines(&reply)[0], "יום ראשון, 22 בנובמבר, 09:00");
    let reply = chat.say("1").await;
    assert_eq!(
        reply.text,
        "התור הועבר ✅\nבדיקה ביום ראשון, 22 בנובמבר, 09:00 (במקום יום שלישי, 24 בנובמבר, 15:00).\nלביטול השיבו ״ביטול״."
    );
    assert_eq!(chat.changes(), ["move 2026-11-22 09:00"]);
}

#[tokio::test]
async fn change_with_a_day_and_time_offers_that_time_for_confirmation() {
    let mut chat = Chat::new(settings());
    chat.desk
        .holding("checkup", at(24, 15, 0), AppointmentStatus::Booked);
    // Fifteen minutes later overlaps the appointment's own block: it is free for the move.
    let reply = chat
        .say("can I move my appointment to tuesday at 15:15?")
        .await;
    assert_eq!(
        reply.text,
        "Move your Checkup to Tue 24 Nov, 15:15? Reply 1/yes to confirm."
    );
    let reply = chat.say("1").await;
    assert!(reply.text.starts_with("Moved ✅"), "{}", reply.text);
    assert_eq!(chat.changes(), ["move 2026-11-24 15:15"]);
}

#[tokio::test]
async fn a_bare_number_with_no_conversation_says_the_options_expired_and_offers_fresh_ones() {
    let mut chat = Chat::new(settings());
    let reply = chat.say("2").await;
    assert_eq!(reply.lang, Lang::He, "no letters: the business's language");
    assert_eq!(
        reply.text,
        "האפשרויות הקודמות כבר לא בתוקף.\nהתורים הפנויים הקרובים לבדיקה:"
    );
    assert_eq!(reply.options.len(), 3);
    assert!(chat.changes().is_empty(), "nothing booked");
}

#[tokio::test]
async fn a_button_of_the_open_offer_picks_its_option_and_an_older_one_does_not() {
    let mut chat = Chat::new(settings());
    let offered = chat.say("אפשר תור למחר?").await;
    let offer = chat.step().offer().unwrap();
    let reply = chat
        .send("ראשון 1.11, 09:00", Some(&option_id(1, offer - 600)))
        .await
        .unwrap();
    assert_eq!(
        reply.text,
        "האפשרויות האלה כבר לא בתוקף. אלה האפשרויות העדכניות:"
    );
    assert_eq!(reply.options, offered.options);
    assert!(chat.changes().is_empty());
    let reply = chat
        .send("שני 23.11, 09:30", Some(&offered.options[2].id))
        .await
        .unwrap();
    assert!(reply.text.starts_with("התור נקבע ✅"), "{}", reply.text);
    assert_eq!(chat.changes(), ["book 2026-11-23 09:30"]);
}

#[tokio::test]
async fn a_greeting_with_no_conversation_is_left_to_the_business() {
    let mut chat = Chat::new(settings());
    assert_eq!(chat.send("שלום, מה שעות הפתיחה?", None).await, None);
    assert_eq!(chat.send("👍", None).await, None);
    assert!(chat.state.is_none());
}

#[tokio::test]
async fn text_the_state_cannot_use_repeats_the_options() {
    let mut chat = Chat::new(settings());
    let offered = chat.say("appointment tomorrow please").await;
    let reply = chat.say("what is your address?").await;
    assert_eq!(
        reply.text,
        "Sorry, I didn't get that. Choose a number from the list, or write a day and time:"
    );
    assert_eq!(reply.options, offered.options);
}

#[tokio::test]
async fn a_desk_that_is_down_is_an_error_not_a_reply() {
    let mut desk = MemoryDesk::new(settings(), now());
    desk.down = true;
    let ctx = Ctx {
        settings: &desk.settings,
        zone: zone(),
        now: now(),
        lang: Lang::He,
    };
    let message = Message {
        text: "אפשר תור?",
        reply: None,
    };
    assert!(turn(&desk, &ctx, None, &message).await.is_err());
}
