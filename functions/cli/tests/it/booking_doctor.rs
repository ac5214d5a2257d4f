//! `frontdesk doctor` on a business that books: a good setup passes every check, and each
//! booking misconfiguration is seeded (as a hand edit of the store would) and seen to FAIL
//! with the `frontdesk booking set` line that fixes it.

use frontdesk::domain::booking::settings::{BookingSettings, Interval};
use frontdesk::domain::CallGoal;
use frontdesk_cli::doctor::{Check, Doctor, Level, Report};
use jiff::civil::{time, Weekday};

use crate::booking::{in_days, SETTINGS_JSON};
use crate::operator::Fixture;

/// A setup with free slots whatever the day and hour the test runs: every day open, no notice.
fn good_settings() -> BookingSettings {
    let mut settings = BookingSettings::parse_json(SETTINGS_JSON).unwrap();
    for day in 0..7 {
        let day = Weekday::from_sunday_zero_offset(day).unwrap();
        settings.hours.set(
            day,
            vec![Interval {
                start: time(0, 0, 0, 0),
                end: time(23, 55, 0, 0),
            }],
        );
    }
    settings.min_notice_minutes = 0;
    settings.closed_dates.clear();
    settings
}

/// The fixture's business, booking with `settings`.
async fn booking(settings: Option<BookingSettings>) -> Fixture {
    let fixture = Fixture::healthy().await;
    fixture
        .edit(|b| {
            b.call_goal = CallGoal::Appointment;
            b.enable_calendar_scheduling = true;
            b.booking = settings;
        })
        .await;
    fixture
}

async fn diagnose(fixture: &Fixture) -> Report {
    Doctor::new(&fixture.deployment, false)
        .unwrap()
        .diagnose(None)
        .await
        .unwrap()
}

fn check<'r>(report: &'r Report, name: &str) -> &'r Check {
    report
        .find(Some("acme"), name)
        .unwrap_or_else(|| panic!("no `{name}` check in {report:#?}"))
}

/// Asserts `name` failed with a fix that contains `fix`; returns its detail.
fn failed(report: &Report, name: &str, fix: &str) -> String {
    let found = check(report, name);
    assert_eq!(found.level, Level::Fail, "{found:#?}");
    let given = found.fix.as_deref().unwrap_or_default();
    assert!(given.contains(fix), "want `{fix}` in the fix: {found:#?}");
    found.detail.clone()
}

#[tokio::test]
async fn a_good_booking_setup_passes_and_says_where_its_events_go() {
    let fixture = booking(Some(good_settings())).await;
    let report = diagnose(&fixture).await;
    let not_passed: Vec<_> = report
        .sections
        .iter()
        .flat_map(|s| &s.checks)
        .filter(|c| c.level != Level::Pass)
        .collect();
    assert!(not_passed.is_empty(), "{not_passed:#?}");
    assert!(check(&report, "booking").detail.contains("Asia/Jerusalem"));
    assert!(check(&report, "free slots").detail.starts_with("next: "));
    let events = check(&report, "appointment events");
    assert!(
        events.detail.contains(&fixture.receiver.url)
            && events.detail.contains("generic_webhook_url"),
        "{events:#?}"
    );
}

#[tokio::test]
async fn a_business_that_does_not_book_gets_no_booking_check() {
    let fixture = Fixture::healthy().await;
    let report = diagnose(&fixture).await;
    for name in ["booking", "free slots", "appointment events"] {
        assert!(report.find(Some("acme"), name).is_none(), "{name}");
    }
}

#[tokio::test]
async fn calendar_scheduling_alone_is_checked_and_missing_settings_fail() {
    let fixture = Fixture::healthy().await;
    fixture.edit(|b| b.enable_calendar_scheduling = true).await;
    let report = diagnose(&fixture).await;
    let detail = failed(&report, "booking", "frontdesk booking set acme --timezone");
    assert!(detail.contains("no booking settings"), "{detail}");
}

#[tokio::test]
async fn an_unknown_zone_fails() {
    let mut settings = good_settings();
    settings.timezone = "Mars/Olympus".into();
    let report = diagnose(&booking(Some(settings)).await).await;
    let detail = failed(
        &report,
        "booking",
        "frontdesk booking set acme --timezone Asia/Jerusalem",
    );
    assert!(
        detail.contains("`Mars/Olympus` is not an IANA time zone"),
        "{detail}"
    );
}

#[tokio::test]
async fn no_hours_fail() {
    let mut settings = good_settings();
    settings.hours = Default::default();
    let report = diagnose(&booking(Some(settings)).await).await;
    let detail = failed(&report, "booking", "frontdesk booking set acme --hours ");
    assert!(detail.contains("no opening hours"), "{detail}");
}

#[tokio::test]
async fn no_service_fails() {
    let mut settings = good_settings();
    settings.services.clear();
    let report = diagnose(&booking(Some(settings)).await).await;
    let detail = failed(&report, "booking", "frontdesk booking set acme --service ");
    assert!(detail.contains("no service"), "{detail}");
}

#[tokio::test]
async fn a_week_of_closed_dates_fails_with_the_dates_to_open() {
    let mut settings = good_settings();
    settings.closed_dates = (0..7).map(in_days).collect();
    let report = diagnose(&booking(Some(settings)).await).await;
    let detail = failed(
        &report,
        "free slots",
        &format!("frontdesk booking set acme --open {}", in_days(0)),
    );
    assert!(
        detail.contains("every open day is a closed date"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_notice_past_the_week_fails() {
    let mut settings = good_settings();
    settings.min_notice_minutes = 8 * 24 * 60;
    let report = diagnose(&booking(Some(settings)).await).await;
    failed(
        &report,
        "free slots",
        "frontdesk booking set acme --notice ",
    );
}

#[tokio::test]
async fn services_longer_than_any_opening_fail() {
    let mut settings = good_settings();
    for day in 0..7 {
        let day = Weekday::from_sunday_zero_offset(day).unwrap();
        settings.hours.set(
            day,
            vec![Interval {
                start: time(9, 0, 0, 0),
                end: time(9, 30, 0, 0),
            }],
        );
    }
    let report = diagnose(&booking(Some(settings)).await).await;
    let detail = failed(&report, "free slots", "frontdesk booking set acme --hours ");
    assert!(detail.contains("no service fits"), "{detail}");
}

#[tokio::test]
async fn without_a_generic_webhook_url_appointment_events_are_reported_skipped() {
    let fixture = booking(Some(good_settings())).await;
    fixture
        .edit(|b| {
            b.inbound_webhook_url = b.generic_webhook_url.take();
            b.outbound_webhook_url = b.inbound_webhook_url.clone();
        })
        .await;
    let report = diagnose(&fixture).await;
    let events = check(&report, "appointment events");
    assert_eq!(events.level, Level::Warn, "{events:#?}");
    assert!(
        events.detail.contains("no generic webhook URL set"),
        "{events:#?}"
    );
    assert!(events.fix.as_deref().unwrap().contains("--webhook-url"));
}
