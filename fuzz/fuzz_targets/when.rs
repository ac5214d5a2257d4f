//! Understanding a day and a time in Hebrew or English, and a message's intent: any text gives
//! candidates or none, never a panic, and every candidate is a real local time.
#![no_main]

use frontdesk::domain::booking::settings::WeeklyHours;
use frontdesk::domain::booking::{intent, when};
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static CLINIC: LazyLock<(jiff::Zoned, WeeklyHours)> = LazyLock::new(|| {
    let zone = jiff::tz::TimeZone::get("Asia/Jerusalem").unwrap();
    let now = jiff::Timestamp::from_second(1_795_000_000)
        .unwrap()
        .to_zoned(zone);
    let hours = serde_json::from_str(
        r#"{"sun": [["09:00", "17:00"]], "mon": [["09:00", "13:00"], ["14:00", "18:00"]], "fri": [["08:00", "12:00"]]}"#,
    )
    .unwrap();
    (now, hours)
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (now, hours) = &*CLINIC;
    let _ = when::understand(text, now, hours);
    let _ = intent::intent(text);
});
