//! `frontdesk calendar` and `frontdesk confirmation` against a Google stand-in: a key checked,
//! stored as a secret and never shown back, a key Google refuses not stored, a calendar not
//! yet shared named with how to share it, disconnecting; confirmation templates validated
//! against the business's provider; and the doctor passing a connected calendar and failing a
//! refused token, an unshared calendar, a failed confirmation and a sync that gave up, each
//! with its fix. `appointments list` shows each appointment's follow-ups.

use frontdesk::config::Secret;
use frontdesk::domain::{
    CalendarAction, CalendarSync, CallGoal, Confirmation, ConfirmationChannel,
    ConfirmationTemplate, FollowUpState, GoogleCalendar, Provider,
};
use frontdesk::store::FollowUp;
use frontdesk_cli::calendar::{self, CalendarCommand};
use frontdesk_cli::confirmation::{self, ConfirmationCommand, SetArgs};
use frontdesk_cli::doctor::{Check, Doctor, Level, Report};
use frontdesk_testkit::standins::google::{GoogleStandIn, CLIENT_EMAIL};
use jiff::Timestamp;

use crate::operator::Fixture;

const CALENDAR: &str = "acme-clinic@group.calendar.google.com";

/// The healthy fixture, with the deployment's Google pointed at a stand-in.
async fn fixture() -> (Fixture, GoogleStandIn) {
    let google = GoogleStandIn::start().await;
    let mut fixture = Fixture::healthy().await;
    let calendar_base = google.calendar_base_url();
    fixture.set_environment(|env| {
        env.insert("GOOGLE_CALENDAR_BASE_URL", calendar_base);
    });
    (fixture, google)
}

fn key_file(fixture: &Fixture, json: &str) -> std::path::PathBuf {
    let path = fixture
        .dir
        .path()
        .join(format!("key-{}.json", frontdesk_testkit::unique::next()));
    std::fs::write(&path, json).unwrap();
    path
}

async fn connect(fixture: &Fixture, key: &str, calendar_id: &str) -> Result<String, String> {
    let mut out = Vec::new();
    calendar::run(
        &fixture.deployment,
        CalendarCommand::Connect {
            business: "acme".into(),
            service_account: key_file(fixture, key),
            calendar_id: calendar_id.into(),
            no_check: false,
        },
        &mut out,
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).unwrap())
}

async fn show(fixture: &Fixture, json: bool) -> String {
    let mut out = Vec::new();
    calendar::run(
        &fixture.deployment,
        CalendarCommand::Show {
            business: "acme".into(),
            json,
        },
        &mut out,
    )
    .await
    .unwrap();
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn connecting_stores_the_key_as_a_secret_that_is_never_shown_back() {
    let (fixture, google) = fixture().await;
    let key = google.key_json();

    // Not shared yet: connected, with how to share it.
    let said = connect(&fixture, &key, CALENDAR).await.unwrap();
    assert!(
        said.contains(&format!(
            "connected acme to calendar {CALENDAR} through {CLIENT_EMAIL}"
        )),
        "{said}"
    );
    assert!(
        said.contains("warning") && said.contains("Make changes to events"),
        "{said}"
    );
    let store = &fixture.deployment.store;
    assert_eq!(
        store.calendar_key(&fixture.business).await.unwrap(),
        Some(Secret::new(key.clone()).unwrap())
    );
    assert_eq!(
        fixture.business().await.google_calendar,
        Some(GoogleCalendar {
            calendar_id: CALENDAR.into(),
            service_account: CLIENT_EMAIL.into()
        })
    );

    google.share(CALENDAR);
    let said = connect(&fixture, &key, CALENDAR).await.unwrap();
    assert!(
        said.contains("Google issued a token and sees the calendar"),
        "{said}"
    );

    let table = show(&fixture, false).await;
    let json = show(&fixture, true).await;
    for shown in [&table, &json] {
        assert!(
            shown.contains(CALENDAR) && shown.contains(CLIENT_EMAIL),
            "{shown}"
        );
        assert!(
            !shown.contains("PRIVATE KEY") && !shown.contains("MII"),
            "{shown}"
        );
    }
    assert!(table.contains("stored (key id 0123456789abcdef"), "{table}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["key"]["stored"], true);

    // A key Google refuses is not stored: the working one stays.
    let refused = connect(&fixture, &google.unknown_key_json(), CALENDAR)
        .await
        .unwrap_err();
    assert!(
        refused.contains("not connected") && refused.contains("invalid_grant"),
        "{refused}"
    );
    assert_eq!(
        store.calendar_key(&fixture.business).await.unwrap(),
        Some(Secret::new(key.clone()).unwrap())
    );
    let not_a_key = connect(&fixture, r#"{"type": "authorized_user"}"#, CALENDAR)
        .await
        .unwrap_err();
    assert!(not_a_key.contains("service_account"), "{not_a_key}");
    let primary = connect(&fixture, &key, "primary").await.unwrap_err();
    assert!(
        primary.contains("service account's own calendar"),
        "{primary}"
    );

    let mut out = Vec::new();
    calendar::run(
        &fixture.deployment,
        CalendarCommand::Disconnect {
            business: "acme".into(),
        },
        &mut out,
    )
    .await
    .unwrap();
    assert_eq!(store.calendar_key(&fixture.business).await.unwrap(), None);
    assert_eq!(fixture.business().await.google_calendar, None);
    assert!(show(&fixture, false)
        .await
        .contains("no calendar connected"));
}

async fn set(fixture: &Fixture, args: SetArgs) -> Result<String, String> {
    let mut out = Vec::new();
    confirmation::run(
        &fixture.deployment,
        ConfirmationCommand::Set(args),
        &mut out,
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).unwrap())
}

fn args(sid: Option<&str>, template: Option<(&str, &str)>, sms: bool) -> SetArgs {
    SetArgs {
        business: "acme".into(),
        twilio_content_sid: sid.map(str::to_string),
        meta_template: template.map(|(name, _)| name.to_string()),
        language: template.map(|(_, language)| language.to_string()),
        sms,
    }
}

#[tokio::test]
async fn confirmation_templates_are_checked_against_the_businesss_provider() {
    let (fixture, _) = fixture().await;
    let sid = "HX0123456789abcdef0123456789abcdef";
    let said = set(&fixture, args(Some(sid), None, false)).await.unwrap();
    assert!(
        said.contains(&format!("WhatsApp: Twilio content template {sid}")),
        "{said}"
    );
    assert_eq!(
        fixture.business().await.confirmation_template,
        Some(ConfirmationTemplate::twilio(sid).unwrap())
    );
    let bad = set(&fixture, args(Some("HX12"), None, false))
        .await
        .unwrap_err();
    assert!(
        bad.starts_with("confirmation not stored") && bad.contains("HX followed by 32 hex"),
        "{bad}"
    );
    let other = set(
        &fixture,
        args(None, Some(("booking_confirmed", "he")), false),
    )
    .await
    .unwrap_err();
    assert!(other.contains("sends WhatsApp through twilio"), "{other}");
    assert!(
        fixture.business().await.confirmation_template.is_some(),
        "nothing changed"
    );

    fixture
        .edit(|b| {
            b.whatsapp_provider = Provider::Meta;
            b.meta_phone_number_id = Some("106540352242922".into());
        })
        .await;
    let bad_language = set(
        &fixture,
        args(None, Some(("booking_confirmed", "Hebrew")), false),
    )
    .await
    .unwrap_err();
    assert!(bad_language.contains("language code"), "{bad_language}");
    set(
        &fixture,
        args(None, Some(("booking_confirmed", "he")), false),
    )
    .await
    .unwrap();
    let said = set(&fixture, args(None, None, true)).await.unwrap();
    assert!(said.contains("SMS from +972533334444"), "{said}");
    assert_eq!(fixture.business().await.confirmation_template, None);
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

fn failed_with(report: &Report, name: &str, fix: &str) -> String {
    let found = check(report, name);
    assert_eq!(found.level, Level::Fail, "{found:#?}");
    assert!(
        found.fix.as_deref().unwrap_or_default().contains(fix),
        "{found:#?}"
    );
    found.detail.clone()
}

#[tokio::test]
async fn the_doctor_checks_the_token_and_the_sharing_each_with_its_fix() {
    let (fixture, google) = fixture().await;
    connect(&fixture, &google.key_json(), CALENDAR)
        .await
        .unwrap();
    // Not shared.
    let report = diagnose(&fixture).await;
    assert_eq!(check(&report, "calendar key").level, Level::Pass);
    assert_eq!(check(&report, "calendar token").level, Level::Pass);
    let detail = failed_with(&report, "calendar shared", "Make changes to events");
    assert!(detail.contains(CLIENT_EMAIL), "{detail}");
    assert_eq!(check(&report, "calendar sync").level, Level::Pass);

    google.share(CALENDAR);
    let report = diagnose(&fixture).await;
    let shared = check(&report, "calendar shared");
    assert_eq!(shared.level, Level::Pass, "{shared:#?}");
    assert!(shared.detail.contains("Clinic"), "{shared:#?}");

    // The token endpoint refusing the stored key.
    fixture
        .deployment
        .store
        .put_calendar_key(
            &fixture.business,
            &Secret::new(google.unknown_key_json()).unwrap(),
        )
        .await
        .unwrap();
    let report = diagnose(&fixture).await;
    let detail = failed_with(&report, "calendar token", "create a new key");
    assert!(detail.contains("invalid_grant"), "{detail}");
    assert!(report.find(Some("acme"), "calendar shared").is_none());

    fixture
        .deployment
        .store
        .delete_calendar_key(&fixture.business)
        .await
        .unwrap();
    let report = diagnose(&fixture).await;
    failed_with(&report, "calendar key", "frontdesk calendar connect acme");
}

#[tokio::test]
async fn failed_follow_ups_show_in_the_doctor_and_on_the_appointment() {
    let (fixture, google) = fixture().await;
    google.share(CALENDAR);
    connect(&fixture, &google.key_json(), CALENDAR)
        .await
        .unwrap();
    fixture
        .edit(|b| {
            b.call_goal = CallGoal::Appointment;
            b.booking = Some(frontdesk_testkit::follow_ups::settings());
        })
        .await;
    let business = fixture.business().await;
    let app = fixture.deployment.app().unwrap();
    let request = frontdesk_testkit::follow_ups::booking(
        frontdesk::domain::Channel::Voice,
        frontdesk_testkit::follow_ups::day_after_tomorrow_at(10, 0),
    );
    let frontdesk::booking::Outcome::Done(booked) =
        frontdesk::booking::book(&app, &business, &request, Timestamp::now())
            .await
            .unwrap()
    else {
        panic!("not booked");
    };
    let report = diagnose(&fixture).await;
    assert!(
        check(&report, "confirmations").detail.starts_with("0 sent"),
        "{report:#?}"
    );

    // What the consumer records when Twilio refuses the template and the sync gives up.
    let store = &fixture.deployment.store;
    let refused = Confirmation {
        channel: ConfirmationChannel::WhatsappTemplate,
        provider: Provider::Twilio,
        state: FollowUpState::Failed,
        message_id: None,
        message_status: None,
        error_code: Some("63016".into()),
        error: Some("twilio refused the message (HTTP 400, code 63016): outside the window".into()),
        attempts: 1,
        at: Timestamp::now(),
    };
    store
        .put_follow_up(&booked.id, &business.id, &FollowUp::Confirmation(refused))
        .await
        .unwrap();
    let gave_up = CalendarSync {
        event_id: booked.id.to_string(),
        action: CalendarAction::Insert,
        state: FollowUpState::Failed,
        version: 1,
        error: Some("Google Calendar answered HTTP 503 backendError: down".into()),
        attempts: 8,
        at: Timestamp::now(),
    };
    store
        .put_follow_up(&booked.id, &business.id, &FollowUp::Calendar(gave_up))
        .await
        .unwrap();

    let report = diagnose(&fixture).await;
    let detail = failed_with(
        &report,
        "confirmations",
        "frontdesk confirmation set acme --sms",
    );
    assert!(
        detail.contains(booked.id.as_str()) && detail.contains("code 63016"),
        "{detail}"
    );
    let detail = failed_with(&report, "calendar sync", "appointments list acme --json");
    assert!(detail.contains("HTTP 503"), "{detail}");

    let mut out = Vec::new();
    frontdesk_cli::booking::appointments::run(
        &fixture.deployment,
        frontdesk_cli::booking::AppointmentsCommand::List {
            business: "acme".into(),
            from: None,
            to: None,
            status: None,
            json: true,
        },
        &mut out,
    )
    .await
    .unwrap();
    let listed: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let listed = &listed[0];
    assert_eq!(listed["appointment_id"], booked.id.as_str());
    assert_eq!(listed["confirmation"]["status"], "failed");
    assert_eq!(listed["confirmation"]["error_code"], "63016");
    assert_eq!(listed["confirmation"]["channel"], "whatsapp_template");
    assert_eq!(listed["calendar"]["state"], "failed");
    assert_eq!(listed["calendar"]["event_id"], booked.id.as_str());

    let mut out = Vec::new();
    frontdesk_cli::booking::appointments::run(
        &fixture.deployment,
        frontdesk_cli::booking::AppointmentsCommand::List {
            business: "acme".into(),
            from: None,
            to: None,
            status: None,
            json: false,
        },
        &mut out,
    )
    .await
    .unwrap();
    let table = String::from_utf8(out).unwrap();
    assert!(
        table.contains("confirmation whatsapp_template failed (code 63016)")
            && table.contains("calendar insert failed: Google Calendar answered HTTP 503"),
        "{table}"
    );
}
