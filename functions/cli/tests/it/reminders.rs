//! `frontdesk reminders` and the doctor's reminder checks on the local deployment: settings
//! checked before they are stored (a voice channel refused with the reason), described back;
//! `list` shows each reminder with its due time in the business's zone; `send-now` claims the
//! next pending one onto the notify queue; the doctor WARNs that WhatsApp without a template
//! goes as SMS, and FAILs a failed reminder with its code.

use frontdesk::booking::{self, Outcome};
use frontdesk::domain::{
    Channel, Confirmation, ConfirmationChannel, FollowUpState, Provider, ReminderState,
};
use frontdesk_cli::doctor::{Doctor, Level};
use frontdesk_cli::reminders::{self, RemindersCommand, SetArgs};
use frontdesk_testkit::follow_ups::{booking as request, day_after_tomorrow_at, settings};
use jiff::Timestamp;

use crate::operator::Fixture;

async fn run(fixture: &Fixture, command: RemindersCommand) -> Result<(bool, String), String> {
    let mut out = Vec::new();
    let ok = reminders::run(&fixture.deployment, command, &mut out)
        .await
        .map_err(|e| e.to_string())?;
    Ok((ok, String::from_utf8(out).unwrap()))
}

fn set(json: &str) -> RemindersCommand {
    RemindersCommand::Set(SetArgs {
        business: "acme".into(),
        file: None,
        json: Some(json.into()),
        off: false,
    })
}

async fn booked_fixture(settings_json: &str) -> (Fixture, frontdesk::domain::Appointment) {
    let fixture = Fixture::healthy().await;
    fixture.edit(|b| b.booking = Some(settings())).await;
    run(&fixture, set(settings_json)).await.unwrap();
    let business = fixture.business().await;
    let app = fixture.deployment.app_raising_events().unwrap();
    let request = request(Channel::Api, day_after_tomorrow_at(10, 0));
    let Outcome::Done(booked) = booking::book(&app, &business, &request, Timestamp::now())
        .await
        .unwrap()
    else {
        panic!("not booked")
    };
    (fixture, booked)
}

#[tokio::test]
async fn settings_are_checked_before_they_are_stored_and_described_back() {
    let fixture = Fixture::healthy().await;
    let refused = run(
        &fixture,
        set(r#"{"offsets_minutes": [120], "channel": "fax"}"#),
    )
    .await
    .unwrap_err();
    assert!(
        refused.contains("must be whatsapp, sms or voice"),
        "{refused}"
    );
    assert!(run(
        &fixture,
        set(r#"{"offsets_minutes": [0], "channel": "sms"}"#)
    )
    .await
    .is_err());
    assert_eq!(fixture.business().await.reminders, None);

    let (_, said) = run(
        &fixture,
        set(r#"{"offsets_minutes": [120, 1440], "channel": "sms",
        "window": {"from": "08:30", "to": "19:00"}}"#),
    )
    .await
    .unwrap();
    assert!(
        said.contains("24 h and 2 h before, between 08:30 and 19:00 local time, by SMS"),
        "{said}"
    );
    let (_, shown) = run(
        &fixture,
        RemindersCommand::Show {
            business: "acme".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(said, shown);
}

#[tokio::test]
async fn list_shows_local_due_times_and_send_now_queues_the_next_reminder() {
    let (fixture, booked) =
        booked_fixture(r#"{"offsets_minutes": [1440, 120], "channel": "sms"}"#).await;
    let (_, listed) = run(
        &fixture,
        RemindersCommand::List {
            business: "acme".into(),
            json: false,
        },
    )
    .await
    .unwrap();
    assert!(listed.contains(booked.id.as_str()), "{listed}");
    assert!(
        listed.contains("10:00") && listed.contains("pending"),
        "{listed}"
    );
    let (_, json) = run(
        &fixture,
        RemindersCommand::List {
            business: "acme".into(),
            json: true,
        },
    )
    .await
    .unwrap();
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert!(
        rows[0]["due"].as_str().unwrap().contains("T10:00:00+0"),
        "{rows}"
    );

    let mut table = Vec::new();
    frontdesk_cli::booking::appointments::run(
        &fixture.deployment,
        frontdesk_cli::booking::AppointmentsCommand::List {
            business: "acme".into(),
            from: None,
            to: None,
            status: None,
            json: false,
        },
        &mut table,
    )
    .await
    .unwrap();
    let table = String::from_utf8(table).unwrap();
    assert!(
        table.contains("reminder 1440 min pending; reminder 120 min pending"),
        "{table}"
    );

    let (ok, said) = run(
        &fixture,
        RemindersCommand::SendNow {
            business: "acme".into(),
            appointment: booked.id.to_string(),
        },
    )
    .await
    .unwrap();
    assert!(ok && said.contains("1440 min before"), "{said}");
    let first = &fixture
        .deployment
        .store
        .reminders(&booked.id)
        .await
        .unwrap()[0];
    assert_ne!(first.state, ReminderState::Pending, "claimed by send-now");
    assert_eq!(first.offset_minutes, 1440);
}

#[tokio::test]
async fn the_doctor_warns_of_the_sms_fallback_and_fails_a_failed_reminder() {
    let (fixture, booked) =
        booked_fixture(r#"{"offsets_minutes": [1440], "channel": "whatsapp"}"#).await;
    let report = Doctor::new(&fixture.deployment, false)
        .unwrap()
        .diagnose(None)
        .await
        .unwrap();
    let channel = report.find(Some("acme"), "reminder channel").unwrap();
    assert_eq!(channel.level, Level::Warn, "{channel:#?}");
    assert!(channel.detail.contains("go as SMS"));
    assert_eq!(
        report.find(Some("acme"), "reminders").unwrap().level,
        Level::Pass
    );

    let mut failed = fixture
        .deployment
        .store
        .reminders(&booked.id)
        .await
        .unwrap()
        .remove(0);
    failed.state = ReminderState::Failed;
    failed.outcome = Some(Confirmation {
        channel: ConfirmationChannel::Sms,
        provider: Provider::Twilio,
        state: FollowUpState::Failed,
        message_id: None,
        message_status: None,
        error_code: Some("21610".into()),
        error: Some("Attempt to send to unsubscribed recipient".into()),
        attempts: 1,
        at: Timestamp::now(),
    });
    assert!(fixture
        .deployment
        .store
        .save_reminder(&failed)
        .await
        .unwrap());
    let report = Doctor::new(&fixture.deployment, false)
        .unwrap()
        .diagnose(None)
        .await
        .unwrap();
    let reminders = report.find(Some("acme"), "reminders").unwrap();
    assert_eq!(reminders.level, Level::Fail);
    assert!(reminders.detail.contains("21610"), "{reminders:#?}");
}
