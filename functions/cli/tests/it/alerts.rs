//! `frontdesk alerts set|show|test`, the real binary on a local store: settings are set and
//! shown, an invalid recipient is refused before anything is stored, a test alert goes out by
//! SMS (Twilio's Messages API, a stand-in) and email (an `.eml` in the data folder), a channel
//! that is down makes `test` exit 1 naming it, and `doctor` shows that failure.

use std::process::{Command, Output};

use frontdesk::domain::{Business, BusinessId, PhoneNumber};
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::store::{AlertStore, BusinessStore};
use frontdesk_testkit::standins::provider::responding;
use serde_json::json;

use crate::FRONTDESK;

const OWNER: &str = "+972526667777";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_are_set_shown_and_tested_through_every_channel() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_string_lossy().to_string();
    {
        let store = SqliteStore::open(&dir.path().join("frontdesk.sqlite3")).unwrap();
        let mut business = Business::new(BusinessId::parse("acme").unwrap(), "Acme Dental");
        business.phone_numbers = vec![PhoneNumber::parse("+97233334444").unwrap()];
        store.put_business(&business).await.unwrap();
    }
    let down = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let is_down = down.clone();
    let twilio = responding(move |n, _| {
        if is_down.load(std::sync::atomic::Ordering::SeqCst) {
            return (
                503,
                json!({"code": 20503, "message": "Service Unavailable"}),
            );
        }
        (
            201,
            json!({"sid": format!("SM{n:032x}"), "status": "queued"}),
        )
    })
    .await;
    let run = |args: &[&str]| -> Output {
        Command::new(FRONTDESK)
            .args(args)
            .args(["--data-dir", &data])
            .env_clear()
            .env("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef")
            .env("TWILIO_AUTH_TOKEN", "test-auth-token")
            .env("TWILIO_API_BASE_URL", &twilio.url)
            .output()
            .unwrap()
    };
    let text = |output: &Output| String::from_utf8_lossy(&output.stdout).into_owned();

    let refused = run(&["alerts", "set", "acme", "--sms", "050-CALL-ME"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("050-CALL-ME"));

    let set = run(&[
        "alerts",
        "set",
        "acme",
        "--sms",
        OWNER,
        "--email",
        "owner@acme.example",
        "--quiet",
        "21:00-07:00",
        "--digest",
        "08:00",
        "--summaries",
        "on",
    ]);
    assert!(set.status.success(), "{set:?}");
    let bad_template = run(&[
        "alerts",
        "set",
        "acme",
        "--meta-template",
        "Voicemail Alert",
    ]);
    assert!(!bad_template.status.success());
    let meta = run(&[
        "alerts",
        "set",
        "acme",
        "--meta-template",
        "voicemail_alert:he",
    ]);
    assert!(meta.status.success(), "{meta:?}");
    assert!(text(&meta).contains("WhatsApp alert template: Meta template voicemail_alert (he)"));
    let shown = text(&run(&["alerts", "show", "acme"]));
    for line in [
        &format!("recipient: sms {OWNER}"),
        "recipient: email owner@acme.example",
        "quiet hours: 21:00-07:00",
        "digest: 08:00",
        "summaries: on",
    ] {
        assert!(shown.contains(line), "{line}: {shown}");
    }

    let tested = run(&["alerts", "test", "acme"]);
    let said = text(&tested);
    assert!(tested.status.success(), "{said} {tested:?}");
    assert!(said.contains(&format!("ok    sms {OWNER} (SM")), "{said}");
    assert!(said.contains("ok    email owner@acme.example"), "{said}");
    let sent = twilio.received.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let form = sent[0].form();
    assert_eq!(form["To"], OWNER);
    assert!(form["Body"].contains("Frontdesk"), "{form:?}");
    let emails: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(emails.len(), 1);
    assert!(std::fs::read_to_string(&emails[0])
        .unwrap()
        .contains("To: owner@acme.example"));

    down.store(true, std::sync::atomic::Ordering::SeqCst);
    let failing = run(&["alerts", "test", "acme"]);
    assert_eq!(failing.status.code(), Some(1));
    let said = text(&failing);
    assert!(
        said.contains(&format!("FAIL  sms {OWNER}: twilio refused")),
        "{said}"
    );
    assert!(said.contains("ok    email"), "{said}");

    let doctor = text(&run(&["doctor", "acme"]));
    let line = doctor
        .lines()
        .find(|l| l.contains("alert deliveries"))
        .unwrap_or_else(|| panic!("{doctor}"));
    assert!(line.contains("FAIL") && line.contains("503"), "{line}");
    let store = SqliteStore::open(&dir.path().join("frontdesk.sqlite3")).unwrap();
    let recent = store
        .recent_alerts(&BusinessId::parse("acme").unwrap(), 10)
        .await
        .unwrap();
    assert_eq!(recent.len(), 4);
}
