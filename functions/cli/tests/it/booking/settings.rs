//! Booking settings through the binary: one document from JSON, TOML or flags, shown back
//! exactly, and every bad value refused before anything is stored.

use serde_json::Value;

use super::{Local, SETTINGS_FLAGS, SETTINGS_JSON, SETTINGS_TOML};

#[test]
fn settings_from_json_toml_and_flags_are_the_same_and_show_round_trips_them() {
    let local = Local::new();
    let expected: Value = serde_json::from_str(SETTINGS_JSON).unwrap();

    let json = local.file("booking.json", SETTINGS_JSON);
    let stored = local.ok(&["booking", "set", "acme", "--file", &json]);
    assert!(stored.contains("Wed  09:00-12:00, 13:00-17:00"), "{stored}");
    let shown = local.ok(&["booking", "show", "acme", "--json"]);
    assert_eq!(serde_json::from_str::<Value>(&shown).unwrap(), expected);

    // What show prints, set again, shows again byte for byte.
    let again = local.file("shown.json", &shown);
    local.ok(&["booking", "set", "acme", "--file", &again]);
    assert_eq!(local.ok(&["booking", "show", "acme", "--json"]), shown);

    let toml = local.file("booking.toml", SETTINGS_TOML);
    let fresh = Local::new();
    fresh.ok(&["booking", "set", "acme", "--file", &toml]);
    assert_eq!(fresh.settings(), expected);

    let flags = Local::new();
    let mut args = vec!["booking", "set", "acme"];
    args.extend_from_slice(SETTINGS_FLAGS);
    flags.ok(&args);
    assert_eq!(flags.settings(), expected);

    // One flag changes one part; the zone becomes the business's too.
    flags.ok(&["booking", "set", "acme", "--timezone", "Europe/London"]);
    let business = flags.json(&["business", "show", "acme", "--json"]);
    assert_eq!(business["timezone"], "Europe/London");
    assert_eq!(business["booking"]["timezone"], "Europe/London");
    assert_eq!(business["booking"]["services"], expected["services"]);
    let text = flags.ok(&["business", "show", "acme"]);
    assert!(text.contains("Sat  10:00-12:00"), "{text}");
    assert!(
        text.contains("cleaning  ניקוי / Cleaning, 45 min, buffers 5 before and 10 after"),
        "{text}"
    );
    flags.ok(&["booking", "set", "acme", "--remove-service", "cleaning"]);
    assert_eq!(flags.settings()["services"].as_array().unwrap().len(), 1);

    let table = local.ok(&["booking", "show", "acme"]);
    for line in [
        "timezone      Asia/Jerusalem",
        "Fri  09:00-13:00",
        "closed dates  2026-12-25",
        "slot step     15 minutes",
        "notice        60 minutes",
        "days ahead    30",
        "capacity      1 at a time",
    ] {
        assert!(table.contains(line), "{line}:\n{table}");
    }
}

#[test]
fn each_bad_value_is_refused_with_its_field_and_nothing_is_stored() {
    let local = Local::new();
    let json = local.file("booking.json", SETTINGS_JSON);
    local.ok(&["booking", "set", "acme", "--file", &json]);
    let before = local.settings();
    let unknown_day = local.file(
        "bad.json",
        &SETTINGS_JSON.replace("\"sun\":", "\"sunday\":"),
    );
    for (args, words) in [
        (
            vec!["--hours", "funday=09:00-17:00"],
            "hours: `funday` is not one of sun, mon, tue, wed, thu, fri, sat",
        ),
        (vec!["--file", &unknown_day], "`sunday` is not one of"),
        (
            vec!["--hours", "sun=09:00-25:00"],
            "hours.sun: `25:00` is not a time of day",
        ),
        (
            vec!["--hours", "mon=09:00-12:00,11:30-17:00"],
            "hours.mon: intervals overlap",
        ),
        (
            vec!["--step", "7"],
            "slot_step_minutes: 7 is not a multiple of 5 minutes",
        ),
        (
            vec!["--service", "long:ארוך:Long:200:30:30"],
            "services.long.duration_minutes: with its buffers it is 260 minutes; at most 240",
        ),
        (
            vec!["--timezone", "Mars/Olympus"],
            "timezone: `Mars/Olympus` is not an IANA time zone",
        ),
        (vec!["--capacity", "0"], "capacity: must be 1 to 50"),
    ] {
        let mut command = vec!["booking", "set", "acme"];
        command.extend(args.iter().copied());
        let (_, stderr) = local.fails(&command);
        assert!(stderr.contains("booking settings not stored"), "{stderr}");
        assert!(stderr.contains(words), "{args:?}: {stderr}");
        assert_eq!(local.settings(), before, "{args:?} stored nothing");
    }
    let (_, stderr) = local.fails(&["booking", "set", "acme"]);
    assert!(stderr.contains("nothing to set"), "{stderr}");
}
