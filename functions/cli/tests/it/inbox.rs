//! `frontdesk inbox link` and `frontdesk inbox revoke`, the real binary on the local store of
//! a running `frontdesk serve`.

use std::process::{Command, Output};

use frontdesk::domain::{Business, BusinessId};
use frontdesk::Route;

use crate::operator::{serve, target};
use crate::FRONTDESK;

fn client() -> reqwest::Client {
    frontdesk::tls::https_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

// Multi-threaded: the server answers while the test waits on the binary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printed_link_signs_the_owner_in_once_and_revoking_signs_them_out() {
    let dir = tempfile::tempdir().unwrap();
    let base_url = serve(dir.path()).await;
    let deployment = target(dir.path(), &base_url).open().await.unwrap();
    let business = Business::new(BusinessId::parse("acme").unwrap(), "Acme Dental");
    deployment.store.put_business(&business).await.unwrap();
    let data = dir.path().to_string_lossy().to_string();
    let run = |args: &[&str]| -> Output {
        Command::new(FRONTDESK)
            .args(args)
            .args(["--data-dir", &data, "--base-url", &base_url])
            .env_clear()
            .output()
            .unwrap()
    };

    let printed = run(&["inbox", "link", "acme", "--minutes", "5"]);
    assert!(printed.status.success(), "{printed:?}");
    let link = String::from_utf8(printed.stdout)
        .unwrap()
        .trim()
        .to_string();
    assert!(
        link.starts_with(&format!("{base_url}{}?token=", Route::InboxLogin.path())),
        "{link}"
    );
    let signed_in = client().get(&link).send().await.unwrap();
    assert_eq!(signed_in.status(), 200);
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let inbox = format!("{base_url}{}", Route::Inbox.path());
    let page = client()
        .get(&inbox)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Acme Dental"));
    assert_eq!(
        client().get(&link).send().await.unwrap().status(),
        401,
        "used once"
    );

    let revoked = run(&["inbox", "revoke", "acme"]);
    assert!(revoked.status.success(), "{revoked:?}");
    assert!(String::from_utf8_lossy(&revoked.stdout).contains("revoked"));
    let after = client()
        .get(&inbox)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401, "the session is revoked");

    for refused in [
        &["inbox", "link", "nobody"][..],
        &["inbox", "link", "acme", "--minutes", "0"],
        &["inbox", "link", "acme", "--minutes", "61"],
    ] {
        let output = run(refused);
        assert!(!output.status.success(), "{refused:?}");
        assert!(output.stdout.is_empty(), "{refused:?}: no link printed");
    }
}

#[tokio::test]
async fn the_reply_template_is_set_for_the_businesss_provider_shown_and_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let deployment = target(dir.path(), "http://127.0.0.1:9")
        .open()
        .await
        .unwrap();
    let business = Business::new(BusinessId::parse("acme").unwrap(), "Acme Dental");
    deployment.store.put_business(&business).await.unwrap();
    let data = dir.path().to_string_lossy().to_string();
    let run = |args: &[&str]| -> Output {
        Command::new(FRONTDESK)
            .args(["inbox", "reply-template", "acme"])
            .args(args)
            .args(["--data-dir", &data])
            .env_clear()
            .output()
            .unwrap()
    };
    let stored = || async {
        deployment
            .store
            .business(&business.id)
            .await
            .unwrap()
            .unwrap()
            .reply_template
    };

    let shown = run(&[]);
    assert!(shown.status.success(), "{shown:?}");
    assert!(String::from_utf8_lossy(&shown.stdout).contains("a call back instead"));

    let sid = "HX0123456789abcdef0123456789abcdef";
    let set = run(&["--twilio-content-sid", sid]);
    assert!(set.status.success(), "{set:?}");
    assert!(String::from_utf8_lossy(&set.stdout).contains(sid));
    assert_eq!(
        stored().await,
        Some(frontdesk::domain::ConfirmationTemplate::twilio(sid).unwrap())
    );

    let other_provider = run(&["--meta-template", "reply_later", "--language", "he"]);
    assert!(!other_provider.status.success());
    assert!(
        String::from_utf8_lossy(&other_provider.stderr).contains("would never be used"),
        "{other_provider:?}"
    );
    assert!(
        stored().await.is_some(),
        "a refused template changes nothing"
    );

    let cleared = run(&["--none"]);
    assert!(cleared.status.success(), "{cleared:?}");
    assert_eq!(stored().await, None);
}
