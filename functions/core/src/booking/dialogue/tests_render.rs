//! The dialogue's pure pieces: its state as JSON, the language a reply is in, how days and
//! times are written, and how a reply becomes numbered text or Meta's buttons and lists.

use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::render;
use super::state::{option_id, Goal, Lang, Menu, Opt, Reply, State, Step, FORMAT};
use super::words::Words;
use crate::domain::booking::engine::Slot;
use crate::domain::booking::settings::{BookingSettings, ServiceId};
use crate::domain::Provider;
use crate::whatsapp::send::OutboundBody;

fn zone() -> TimeZone {
    TimeZone::get("Asia/Jerusalem").unwrap()
}

fn at(day: i8, hour: i8, minute: i8) -> Timestamp {
    date(2026, 11, day)
        .at(hour, minute, 0, 0)
        .to_zoned(zone())
        .unwrap()
        .timestamp()
}

fn settings() -> BookingSettings {
    BookingSettings::parse_json(
        r#"{"timezone": "Asia/Jerusalem", "hours": {"sun": [["09:00","17:00"]]},
            "services": [{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup", "duration_minutes": 30}]}"#,
    )
    .unwrap()
}

#[test]
fn the_state_round_trips_as_json_and_another_format_is_not_read() {
    let state = State {
        format: FORMAT,
        lang: Lang::En,
        step: Step::Confirm {
            goal: Goal::Book,
            service: ServiceId::parse("checkup").unwrap(),
            slot: Slot {
                start: at(23, 15, 0),
                end: at(23, 15, 30),
            },
            offer: 1_795_255_200,
        },
    };
    let json = state.to_json();
    assert_eq!(json["step"]["at"], "confirm");
    assert_eq!(State::from_json(&json), Some(state));
    let mut other = json.clone();
    other["format"] = 99.into();
    assert_eq!(State::from_json(&other), None);
    assert_eq!(State::from_json(&serde_json::json!({"menu": 3})), None);
}

#[test]
fn language_follows_hebrew_letters_then_latin_ones() {
    assert_eq!(Lang::of_text("אפשר תור מחר at 3?"), Some(Lang::He));
    assert_eq!(Lang::of_text("tomorrow at 3"), Some(Lang::En));
    assert_eq!(Lang::of_text("2"), None);
    assert_eq!(Lang::of_text("👍 15:00"), None);
    assert_eq!(Lang::of_setting("he-IL"), Lang::He);
    assert_eq!(Lang::of_setting("en-US"), Lang::En);
}

#[test]
fn days_and_times_are_written_in_the_business_zone_and_fit_a_button() {
    let settings = settings();
    let zone = zone();
    let he = Words {
        lang: Lang::He,
        zone: &zone,
        settings: &settings,
    };
    let en = Words {
        lang: Lang::En,
        ..he
    };
    // 13:00 UTC is 15:00 in Jerusalem in November.
    let utc: Timestamp = "2026-11-24T13:00:00Z".parse().unwrap();
    assert_eq!(he.when(utc), "יום שלישי, 24 בנובמבר, 15:00");
    assert_eq!(en.when(utc), "Tue 24 Nov, 15:00");
    assert_eq!(he.when_short(utc), "שלישי 24.11, 15:00");
    for day in 22..=28 {
        for words in [&he, &en] {
            let short = words.when_short(at(day, 12, 45));
            assert!(short.chars().count() <= 20, "{short}");
        }
    }
}

fn reply_with(options: usize, menu: Menu, title: &str) -> Reply {
    Reply {
        lang: Lang::En,
        text: "Choose:".into(),
        options: (1..=options)
            .map(|n| Opt {
                id: option_id(n, 7),
                title: format!("{title} {n}"),
                line: format!("{title} {n}, in full"),
            })
            .collect(),
        menu,
    }
}

#[test]
fn meta_gets_buttons_for_three_short_options_and_a_list_otherwise() {
    let three = reply_with(3, Menu::Numbered { times: true }, "Tue 24 Nov, 15:00");
    match render::body(&three, Provider::Meta) {
        OutboundBody::Buttons(buttons) => {
            assert_eq!(buttons.body, "Choose:");
            assert_eq!(buttons.buttons.len(), 3);
            assert_eq!(buttons.buttons[0].id, "1@7");
            assert_eq!(
                buttons.footer.as_deref(),
                Some("Or write another day and time")
            );
        }
        other => panic!("expected buttons, got {other:?}"),
    }
    let five = reply_with(5, Menu::Numbered { times: false }, "Cleaning");
    match render::body(&five, Provider::Meta) {
        OutboundBody::List(list) => {
            assert_eq!(list.rows.len(), 5);
            assert_eq!(list.button, "Choose");
            assert_eq!(list.rows[4].id, "5@7");
            assert_eq!(
                list.rows[4].description.as_deref(),
                Some("Cleaning 5, in full")
            );
        }
        other => panic!("expected a list, got {other:?}"),
    }
    let long = reply_with(
        2,
        Menu::Numbered { times: false },
        "A rather long service name",
    );
    assert!(matches!(
        render::body(&long, Provider::Meta),
        OutboundBody::List(_)
    ));
    let plain = Reply::text(Lang::En, "Booked");
    assert_eq!(
        render::body(&plain, Provider::Meta),
        OutboundBody::Text("Booked".into())
    );
}

#[test]
fn twilio_gets_numbered_text_and_a_confirmation_as_it_is() {
    let three = reply_with(2, Menu::Numbered { times: false }, "Cleaning");
    assert_eq!(
        render::body(&three, Provider::Twilio),
        OutboundBody::Text(
            "Choose:\n1. Cleaning 1, in full\n2. Cleaning 2, in full\nReply with a number.".into()
        )
    );
    let confirm = reply_with(2, Menu::Confirm, "Confirm");
    assert_eq!(
        render::body(&confirm, Provider::Twilio),
        OutboundBody::Text("Choose:".into())
    );
    assert!(matches!(
        render::body(&confirm, Provider::Meta),
        OutboundBody::Buttons(b) if b.buttons.len() == 2
    ));
}
