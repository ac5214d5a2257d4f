//! `frontdesk call`: an outbound call placed from the command line through the same module as
//! `POST /api/calls`, at Twilio's Calls API stand-in, on the local store `frontdesk serve`
//! answers from; the real binary with `business update --owner-phone` and `call --bridge`;
//! and the doctor's look at outbound calls (the caller ID, the latest calls).

use std::process::Command;

use frontdesk::domain::Direction;
use frontdesk::store::CallQuery;
use frontdesk::Route;
use frontdesk_cli::call::CallArgs;
use frontdesk_cli::doctor::{Doctor, Level};

use crate::operator::{Fixture, ACCOUNT_SID, AUTH_TOKEN, NUMBER};
use crate::FRONTDESK;

const CUSTOMER: &str = "+972501234567";
const OWNER: &str = "+972541111111";

fn args(to: &str, say: Option<&str>) -> CallArgs {
    CallArgs {
        business: "acme".into(),
        to: to.into(),
        say: say.map(str::to_string),
        bridge: say.is_none(),
        purpose: "callback".into(),
        idempotency_key: None,
        json: false,
    }
}

async fn call(fixture: &Fixture, args: CallArgs) -> (bool, String) {
    let mut out = Vec::new();
    let placed = frontdesk_cli::call::run(&fixture.deployment, args, &mut out)
        .await
        .unwrap();
    (placed, String::from_utf8(out).unwrap())
}

#[tokio::test]
async fn frontdesk_call_places_a_spoken_call_that_twilio_calls_back_about_and_the_crm_lists() {
    let fixture = Fixture::healthy().await;
    let (placed, out) = call(&fixture, args(CUSTOMER, Some("We called you back"))).await;
    assert!(placed, "{out}");
    assert!(out.starts_with("placed CA"), "{out}");
    let created = fixture.twilio.created_calls();
    assert_eq!(created.len(), 1);
    let base = fixture.deployment.base_url.join("");
    assert_eq!(created[0].field("From"), Some(NUMBER));
    assert_eq!(created[0].field("To"), Some(CUSTOMER));
    assert_eq!(
        created[0].field("StatusCallback"),
        Some(format!("{base}{}", Route::CallStatus.path()).as_str())
    );
    let url = created[0].field("Url").unwrap();
    assert!(
        url.starts_with(&format!("{base}{}?placement=", Route::OutboundCall.path())),
        "{url}"
    );

    // The local server answers Twilio from the placement the command wrote.
    let sid = created[0].sid.clone().unwrap();
    let form = frontdesk_testkit::signing::form(&[
        ("CallSid", &sid),
        ("AccountSid", ACCOUNT_SID),
        ("From", NUMBER),
        ("To", CUSTOMER),
        ("Direction", "outbound-api"),
        ("CallStatus", "in-progress"),
    ]);
    let signature = frontdesk_testkit::signing::sign_form(AUTH_TOKEN, url, &form);
    let twiml = frontdesk_testkit::http_client()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(form.encode())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(twiml.contains("We called you back</Say>"), "{twiml}");

    let listed = fixture
        .deployment
        .store
        .list_calls(
            &fixture.business,
            &CallQuery {
                direction: Some(Direction::OutboundApi),
                limit: 10,
                ..CallQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(listed.calls.len(), 1);
    assert_eq!(listed.calls[0].requested_by.as_deref(), Some("cli"));
    assert_eq!(listed.calls[0].purpose.as_deref(), Some("callback"));

    let report = Doctor::new(&fixture.deployment, false)
        .unwrap()
        .diagnose(None)
        .await
        .unwrap();
    let outbound = report.find(Some("acme"), "outbound calls").unwrap();
    assert!(
        outbound.detail.contains(&sid) && outbound.detail.contains("by cli"),
        "{outbound:?}"
    );
    let caller_id = report.find(Some("acme"), "outbound caller ID").unwrap();
    assert_eq!(caller_id.level, Level::Pass, "{caller_id:?}");
}

#[tokio::test]
async fn the_same_idempotency_key_twice_places_one_call() {
    let fixture = Fixture::healthy().await;
    let keyed = || CallArgs {
        idempotency_key: Some("retry-1".into()),
        ..args(CUSTOMER, Some("Hello"))
    };
    let (first, out) = call(&fixture, keyed()).await;
    let (second, again) = call(&fixture, keyed()).await;
    assert!(first && second, "{out}{again}");
    assert!(again.starts_with("already placed:"), "{again}");
    assert_eq!(fixture.twilio.calls().len(), 1);
}

#[tokio::test]
async fn a_call_that_cannot_be_placed_exits_1_with_its_reason() {
    let fixture = Fixture::healthy().await;
    let (placed, out) = call(&fixture, args(CUSTOMER, None)).await;
    assert!(!placed);
    assert!(
        out.contains("not placed") && out.contains("owner_phone"),
        "{out}"
    );
    fixture
        .twilio
        .fail_next(400, 21215, "Account not authorized to call +972501234567");
    let (placed, out) = call(&fixture, args(CUSTOMER, Some("Hello"))).await;
    assert!(!placed);
    assert!(out.contains("code 21215"), "{out}");
}

#[tokio::test]
async fn a_caller_id_the_twilio_account_does_not_hold_fails_the_doctor() {
    let fixture = Fixture::healthy().await;
    fixture
        .edit(|b| {
            b.phone_numbers.insert(
                0,
                frontdesk::domain::PhoneNumber::parse("+15559990000").unwrap(),
            )
        })
        .await;
    let report = Doctor::new(&fixture.deployment, false)
        .unwrap()
        .diagnose(None)
        .await
        .unwrap();
    let found = report.find(Some("acme"), "outbound caller ID").unwrap();
    assert_eq!(found.level, Level::Fail, "{found:?}");
    assert!(found.detail.contains("21210"), "{found:?}");
}

// Multi-threaded: the stand-ins answer while the test waits on the binary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_sets_the_owner_phone_and_bridges_a_call_to_it() {
    let fixture = Fixture::healthy().await;
    let data = fixture.dir.path().to_string_lossy().to_string();
    let run = |args: &[&str]| {
        Command::new(FRONTDESK)
            .args(args)
            .args(["--data-dir", &data, "--base-url", "https://fd.example"])
            .env_clear()
            .env("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
            .env("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
            .env("TWILIO_API_BASE_URL", fixture.twilio.base_url())
            .output()
            .unwrap()
    };
    let updated = run(&["business", "update", "acme", "--owner-phone", OWNER]);
    assert!(updated.status.success(), "{updated:?}");
    assert_eq!(
        fixture
            .business()
            .await
            .owner_phone
            .map(|p| p.to_string())
            .as_deref(),
        Some(OWNER)
    );
    let called = run(&["call", "acme", "--to", CUSTOMER, "--bridge", "--json"]);
    assert!(called.status.success(), "{called:?}");
    let placed: serde_json::Value = serde_json::from_slice(&called.stdout).unwrap();
    assert_eq!(placed["to"], CUSTOMER);
    assert_eq!(placed["hears"], "bridge");
    assert_eq!(placed["requested_by"], "cli");
    let created = fixture.twilio.created_calls();
    assert_eq!(
        created[0].field("To"),
        Some(OWNER),
        "the owner is rung first"
    );
    assert_eq!(
        created[0].field("StatusCallback"),
        Some("https://fd.example/webhook/call_status")
    );
    let both = run(&["call", "acme", "--to", CUSTOMER, "--bridge", "--say", "hi"]);
    assert!(
        !both.status.success(),
        "--say and --bridge exclude each other"
    );
}
