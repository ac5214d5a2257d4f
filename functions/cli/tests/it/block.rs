//! `frontdesk block add|remove|list`, the real binary on the local store of a running
//! `frontdesk serve`: a blocked caller calling 100 times is rejected 100 times, never recorded.

use std::process::{Command, Output};

use frontdesk::domain::{Business, BusinessId, PhoneNumber};

use crate::operator::{serve, target, AUTH_TOKEN, NUMBER};
use crate::FRONTDESK;

const CALLER: &str = "+972501234567";

// Multi-threaded: the server answers while the test waits on the binary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_caller_is_rejected_every_time_and_never_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let base_url = serve(dir.path()).await;
    let deployment = target(dir.path(), &base_url).open().await.unwrap();
    let mut business = Business::new(BusinessId::parse("acme").unwrap(), "Acme Dental");
    business.phone_numbers = vec![PhoneNumber::parse(NUMBER).unwrap()];
    deployment.store.put_business(&business).await.unwrap();
    let data = dir.path().to_string_lossy().to_string();
    let run = |args: &[&str]| -> Output {
        Command::new(FRONTDESK)
            .args(args)
            .args(["--data-dir", &data])
            .env_clear()
            .output()
            .unwrap()
    };
    let text = |output: &Output| String::from_utf8_lossy(&output.stdout).into_owned();

    let added = run(&["block", "add", "acme", CALLER]);
    assert!(added.status.success(), "{added:?}");
    assert_eq!(text(&added), format!("{CALLER} is blocked for acme\n"));
    let listed = run(&["block", "list", "acme"]);
    assert_eq!(text(&listed), format!("{CALLER}\n"));

    for n in 0..100 {
        let sid = format!("CA{n:032x}");
        let call = Command::new(FRONTDESK)
            .args(["simulate", "call", "--base", &base_url, "--to", NUMBER])
            .args(["--from", CALLER, "--call-sid", &sid])
            .env_clear()
            .env("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
            .output()
            .unwrap();
        let twiml = text(&call);
        assert!(twiml.contains("<Reject"), "call {n}: {twiml}");
        assert!(
            !twiml.contains("<Record") && !twiml.contains("<Play"),
            "call {n}: {twiml}"
        );
    }

    let not_a_number = run(&["block", "add", "acme", "050-1234567"]);
    assert!(!not_a_number.status.success());
    assert!(
        String::from_utf8_lossy(&not_a_number.stderr).contains("050-1234567"),
        "{not_a_number:?}"
    );
    let unknown = run(&["block", "add", "nobody", CALLER]);
    assert!(!unknown.status.success());

    let removed = run(&["block", "remove", "acme", CALLER]);
    assert!(removed.status.success(), "{removed:?}");
    assert_eq!(
        text(&removed),
        format!("{CALLER} is not blocked for acme\n")
    );
    assert_eq!(text(&run(&["block", "list", "acme"])), "");
    let stored = deployment
        .store
        .business(&business.id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.blocked_numbers.is_empty());
}
