//! The phone dialogue's turns on an in-memory desk: every phase and what moves it, in words.
//! The clinic is open 09:00–17:00 every day but Saturday; it is Sunday 22 November 2026, 10:00
//! in Jerusalem.

use jiff::civil::{date, Date};
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::state::{Heard, Phase, Reply, State};
use super::turn::{turn, Ctx};
use crate::booking::dialogue::state::Lang;
use crate::booking::tests_desk::MemoryDesk;
use crate::domain::booking::settings::BookingSettings;
use crate::domain::Channel;

fn zone() -> TimeZone {
    TimeZone::get("Asia/Jerusalem").unwrap()
}

fn at(day: Date, hour: i8, minute: i8) -> Timestamp {
    day.at(hour, minute, 0, 0)
        .to_zoned(zone())
        .unwrap()
        .timestamp()
}

const TODAY: Date = date(2026, 11, 22);
const TOMORROW: Date = date(2026, 11, 23);

pub const CHECKUP: &str =
    r#"{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup", "duration_minutes": 30}"#;
const CLEANING: &str =
    r#"{"id": "cleaning", "name_he": "ניקוי", "name_en": "Cleaning", "duration_minutes": 45}"#;

pub fn settings(services: &str) -> BookingSettings {
    let day = r#"[["09:00","17:00"]]"#;
    BookingSettings::parse_json(&format!(
        r#"{{"timezone": "Asia/Jerusalem",
            "hours": {{"sun": {day}, "mon": {day}, "tue": {day}, "wed": {day}, "thu": {day}, "fri": {day}, "sat": []}},
            "services": [{services}],
            "slot_step_minutes": 15, "min_notice_minutes": 0, "max_days_ahead": 30, "capacity": 1}}"#
    ))
    .unwrap()
}

/// One call: the desk, the state between turns, the step.
pub struct Call {
    pub desk: MemoryDesk,
    pub lang: Lang,
    pub state: Option<State>,
    pub step: u32,
}

impl Call {
    pub fn new(services: &str) -> Self {
        Self {
            desk: MemoryDesk::new(settings(services), at(TODAY, 10, 0)).voice(),
            lang: Lang::He,
            state: None,
            step: 0,
        }
    }

    pub async fn hear(&mut self, heard: Heard<'_>) -> Reply {
        self.step += 1;
        *self.desk.request.lock().unwrap() = format!("voice:CA1:{}", self.step);
        let ctx = Ctx {
            settings: &self.desk.settings,
            zone: zone(),
            now: self.desk.now,
            lang: self.lang,
        };
        let (state, reply) = turn(&self.desk, &ctx, self.state.take(), &heard)
            .await
            .unwrap();
        self.state = Some(state);
        reply
    }

    pub async fn says(&mut self, text: &str) -> Reply {
        self.hear(Heard::Speech {
            text,
            confidence: Some(0.92),
        })
        .await
    }

    pub async fn presses(&mut self, keys: &str) -> Reply {
        self.hear(Heard::Keys(keys)).await
    }

    pub fn phase(&self) -> &Phase {
        &self.state.as_ref().unwrap().phase
    }

    /// The voice bookings made, as local `HH:MM` on their dates.
    pub fn booked(&self) -> Vec<String> {
        self.desk
            .made_by(Channel::Voice)
            .iter()
            .map(|a| {
                let local = zone().to_datetime(a.slot.start);
                format!("{} {:02}:{:02}", local.date(), local.hour(), local.minute())
            })
            .collect()
    }
}

fn asked(reply: Reply) -> String {
    match reply {
        Reply::Ask(text) => text,
        other => panic!("not a question: {other:?}"),
    }
}

/// No time is said in digits: `15:00` would be read "fifteen zero zero".
fn no_clock_digits(text: &str) {
    let chars: Vec<char> = text.chars().collect();
    assert!(
        !chars
            .windows(3)
            .any(|w| w[0].is_ascii_digit() && w[1] == ':' && w[2].is_ascii_digit()),
        "{text}"
    );
}

#[tokio::test]
async fn tomorrow_at_three_is_offered_in_words_and_one_books_it() {
    let mut call = Call::new(CHECKUP);
    let offer = asked(call.says("מחר בשלוש").await);
    assert_eq!(
        offer,
        "יש תור פנוי מחר, עשרים ושלושה בנובמבר, בשלוש אחר הצהריים. לאישור הקישו 1, לשעות אחרות הקישו 2."
    );
    assert!(matches!(call.phase(), Phase::Confirm { .. }));
    let done = call.presses("1").await;
    assert_eq!(
        done,
        Reply::Goodbye(
            "התור נקבע: בדיקה, מחר, עשרים ושלושה בנובמבר, בשלוש אחר הצהריים. להתראות.".into()
        )
    );
    assert_eq!(call.booked(), ["2026-11-23 15:00"]);
    assert_eq!(call.phase(), &Phase::Menu, "a booked call starts over");
}

#[tokio::test]
async fn yes_said_aloud_books_too() {
    let mut call = Call::new(CHECKUP);
    call.says("מחר בשלוש").await;
    assert!(matches!(call.says("כן").await, Reply::Goodbye(_)));
    assert_eq!(call.booked(), ["2026-11-23 15:00"]);
}

#[tokio::test]
async fn a_taken_time_gets_three_alternatives_each_with_its_key() {
    let mut call = Call::new(CHECKUP);
    call.desk.taken("checkup", at(TOMORROW, 15, 0));
    let offer = asked(call.says("מחר בשלוש").await);
    assert_eq!(
        offer,
        "מחר בשלוש אחר הצהריים — השעה הזו כבר תפוסה. אפשר במקום: \
         לתור מחר בשתיים ורבע אחר הצהריים הקישו 1. \
         לתור מחר בשתיים וחצי אחר הצהריים הקישו 2. \
         לתור מחר בשלוש וחצי אחר הצהריים הקישו 3. \
         לשעות מאוחרות יותר הקישו 9. אפשר גם לומר יום ושעה אחרים. להשארת הודעה הקישו 0."
    );
    no_clock_digits(&offer);
    assert!(matches!(call.presses("2").await, Reply::Goodbye(_)));
    assert_eq!(call.booked(), ["2026-11-23 14:30"]);
}

#[tokio::test]
async fn the_slot_taken_between_offer_and_confirmation_gets_a_fresh_offer_never_a_double_booking() {
    let mut call = Call::new(CHECKUP);
    call.says("מחר בשלוש").await;
    call.desk.taken("checkup", at(TOMORROW, 15, 0));
    let fresh = asked(call.presses("1").await);
    assert!(
        fresh.starts_with(
            "התור מחר בשלוש אחר הצהריים נתפס הרגע. אפשר במקום: לתור מחר בשתיים ורבע אחר הצהריים הקישו 1."
        ),
        "{fresh}"
    );
    assert!(call.booked().is_empty());
    assert!(matches!(call.presses("3").await, Reply::Goodbye(_)));
    assert_eq!(call.booked(), ["2026-11-23 15:30"]);
    let at_three = call
        .desk
        .appointments
        .lock()
        .unwrap()
        .iter()
        .filter(|a| a.slot.start == at(TOMORROW, 15, 0))
        .count();
    assert_eq!(at_three, 1, "only the other caller's");
}

#[tokio::test]
async fn a_past_time_and_a_closed_day_are_refused_with_the_reason_in_words() {
    let mut call = Call::new(CHECKUP);
    let past = asked(call.says("היום בתשע").await);
    assert!(
        past.starts_with(
            "היום בתשע בבוקר — השעה הזו כבר עברה. אפשר במקום: לתור היום בעשר בבוקר הקישו 1."
        ),
        "{past}"
    );
    let closed = asked(call.says("בשבת בעשר").await);
    assert!(
        closed.starts_with("ביום שבת בעשר בבוקר — אנחנו סגורים ביום הזה. אפשר במקום: "),
        "{closed}"
    );
    assert!(
        closed.contains("לתור ביום שישי בארבע וחצי אחר הצהריים הקישו 3."),
        "{closed}"
    );
    assert!(call.booked().is_empty());
}

#[tokio::test]
async fn speech_that_is_not_a_time_is_asked_again_then_offered_by_keys() {
    let mut call = Call::new(CHECKUP);
    let again = asked(call.says("שלום מה שלומך").await);
    assert_eq!(
        again,
        "לא הבנתי. לקביעת תור אמרו יום ושעה, למשל: מחר בשלוש. לתורים הפנויים הקרובים הקישו 1. להשארת הודעה הקישו 0."
    );
    let keys = asked(call.says("אני לא בטוחה").await);
    assert_eq!(
        keys,
        "לא הצלחתי להבין. אפשר לבחור בהקשה. לתור היום בעשר בבוקר הקישו 1. \
         לתור היום בעשר ורבע בבוקר הקישו 2. לתור היום בעשר וחצי בבוקר הקישו 3. \
         לשעות מאוחרות יותר הקישו 9. להשארת הודעה הקישו 0."
    );
    assert!(matches!(call.phase(), Phase::Options { keys: true, .. }));
}

#[tokio::test]
async fn low_confidence_twice_gives_the_key_menu_and_two_books_the_second() {
    let mut call = Call::new(CHECKUP);
    let unsure = Heard::Speech {
        text: "מחר בשלוש",
        confidence: Some(0.31),
    };
    assert!(asked(call.hear(unsure).await).starts_with("לא הבנתי."));
    assert!(call.booked().is_empty());
    let keys = asked(call.hear(unsure).await);
    assert!(
        keys.starts_with("לא הצלחתי להבין. אפשר לבחור בהקשה."),
        "{keys}"
    );
    assert!(matches!(call.presses("2").await, Reply::Goodbye(_)));
    assert_eq!(call.booked(), ["2026-11-22 10:15"]);
}

#[tokio::test]
async fn a_missing_confidence_trusts_the_text() {
    let mut call = Call::new(CHECKUP);
    let heard = Heard::Speech {
        text: "מחר בשלוש",
        confidence: None,
    };
    assert!(asked(call.hear(heard).await).starts_with("יש תור פנוי מחר"));
}

#[tokio::test]
async fn keys_a_question_has_no_use_for_repeat_it() {
    let mut call = Call::new(CHECKUP);
    let menu = asked(call.presses("4").await);
    assert!(
        menu.starts_with("אין אפשרות כזו. לקביעת תור אמרו יום ושעה"),
        "{menu}"
    );
    let offer = asked(call.says("מחר בשלוש").await);
    let again = asked(call.presses("7").await);
    assert_eq!(again, format!("אין אפשרות כזו. {offer}"));
    call.presses("2").await;
    let options = asked(call.presses("5").await);
    assert!(options.starts_with("אין אפשרות כזו. לתור מחר"), "{options}");
    assert!(asked(call.presses("#").await).starts_with("אין אפשרות כזו."));
    assert!(call.booked().is_empty());
}

#[tokio::test]
async fn silence_is_asked_about_once_then_the_caller_may_leave_a_message() {
    let mut call = Call::new(CHECKUP);
    let again = asked(call.hear(Heard::Nothing).await);
    assert!(again.starts_with("לא שמעתי. לקביעת תור"), "{again}");
    assert_eq!(call.hear(Heard::Nothing).await, Reply::Voicemail(None));
    // Silence that is not in a row starts counting again.
    let mut call = Call::new(CHECKUP);
    call.hear(Heard::Nothing).await;
    call.says("מחר בשלוש").await;
    assert!(matches!(call.hear(Heard::Nothing).await, Reply::Ask(_)));
}

#[tokio::test]
async fn zero_leaves_a_message_at_any_point() {
    let mut call = Call::new(CHECKUP);
    assert_eq!(call.presses("0").await, Reply::Voicemail(None));
    let mut call = Call::new(CHECKUP);
    call.says("מחר בשלוש").await;
    assert_eq!(call.presses("0").await, Reply::Voicemail(None));
    assert!(call.booked().is_empty());
}

#[tokio::test]
async fn two_hears_other_times_and_nine_later_ones() {
    let mut call = Call::new(CHECKUP);
    call.says("מחר בשלוש").await;
    let others = asked(call.presses("2").await);
    assert!(
        others.starts_with(
            "שעות פנויות אחרות: לתור מחר בשתיים וחצי אחר הצהריים הקישו 1. \
             לתור מחר ברבע לשלוש אחר הצהריים הקישו 2. לתור מחר בשלוש ורבע אחר הצהריים הקישו 3."
        ),
        "{others}"
    );
    let later = asked(call.presses("9").await);
    assert!(
        later.starts_with(
            "שעות פנויות אחרות: לתור מחר בשלוש וחצי אחר הצהריים הקישו 1. \
             לתור מחר ברבע לארבע אחר הצהריים הקישו 2. לתור מחר בארבע אחר הצהריים הקישו 3."
        ),
        "{later}"
    );
    assert!(matches!(call.presses("1").await, Reply::Goodbye(_)));
    assert_eq!(call.booked(), ["2026-11-23 15:30"]);
}

#[tokio::test]
async fn one_in_the_menu_and_a_day_alone_offer_free_times() {
    let mut call = Call::new(CHECKUP);
    let nearest = asked(call.presses("1").await);
    assert!(
        nearest.starts_with("התורים הפנויים הקרובים: לתור היום בעשר בבוקר הקישו 1."),
        "{nearest}"
    );
    let mut call = Call::new(CHECKUP);
    let day = asked(call.says("מחר").await);
    assert!(
        day.starts_with("מחר יש תורים פנויים: לתור מחר בתשע בבוקר הקישו 1."),
        "{day}"
    );
    let mut call = Call::new(CHECKUP);
    let closed = asked(call.says("שבת").await);
    assert!(
        closed.starts_with("ביום שבת אין תורים פנויים. הקרובים ביותר:"),
        "{closed}"
    );
}

#[tokio::test]
async fn several_services_are_chosen_by_key_and_the_time_said_is_kept() {
    let mut call = Call::new(&format!("{CHECKUP}, {CLEANING}"));
    let which = asked(call.says("מחר בשלוש").await);
    assert_eq!(
        which,
        "לאיזה שירות? לבדיקה הקישו 1. לניקוי הקישו 2. להשארת הודעה הקישו 0."
    );
    let offer = asked(call.presses("2").await);
    assert!(offer.starts_with("יש תור פנוי מחר"), "{offer}");
    let Reply::Goodbye(done) = call.presses("1").await else {
        panic!("booked")
    };
    assert!(done.starts_with("התור נקבע: ניקוי, מחר"), "{done}");
}

#[tokio::test]
async fn an_english_business_hears_english() {
    let mut call = Call::new(CHECKUP);
    call.lang = Lang::En;
    let offer = asked(call.says("tomorrow at 3").await);
    assert_eq!(
        offer,
        "There is a free time tomorrow, November twenty-third, at three in the afternoon. \
         To book it, press 1. For other times, press 2."
    );
    let Reply::Goodbye(done) = call.presses("1").await else {
        panic!("booked")
    };
    assert_eq!(
        done,
        "You're booked: Checkup, tomorrow, November twenty-third, at three in the afternoon. Goodbye."
    );
}

#[tokio::test]
async fn a_store_that_is_down_is_an_error_not_an_answer() {
    let mut call = Call::new(CHECKUP);
    call.desk.down = true;
    let ctx = Ctx {
        settings: &call.desk.settings,
        zone: zone(),
        now: call.desk.now,
        lang: Lang::He,
    };
    let heard = Heard::Speech {
        text: "מחר בשלוש",
        confidence: None,
    };
    assert!(turn(&call.desk, &ctx, None, &heard).await.is_err());
}

#[test]
fn the_state_round_trips_as_json_and_another_format_is_not_read() {
    let state = State {
        misses: 1,
        ..State::default()
    };
    assert_eq!(State::from_json(&state.to_json()), Some(state.clone()));
    let mut other = state.to_json();
    other["format"] = 99.into();
    assert_eq!(State::from_json(&other), None);
}
