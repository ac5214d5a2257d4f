//! The inbox on the AWS backends (DynamoDB, S3 on moto, wired as the `inbox` Lambda is): the
//! recording plays from an S3 presigned URL that expires in minutes, and the handled flag is
//! kept in DynamoDB. Needs `FRONTDESK_TEST_AWS_ENDPOINT` (`./infra/test.sh`).

use frontdesk::config::PublicBaseUrl;
use frontdesk::domain::{Business, BusinessId, CallSid, CallStart, CallStatus, Direction};
use frontdesk::lambda::Wiring;
use frontdesk::Route;
use frontdesk_testkit::{Stack, TestServer};
use jiff::Timestamp;

use super::{client, cookie_of, csrf_of, handled_path, voicemail};

#[tokio::test]
async fn on_aws_the_recording_plays_from_a_presigned_s3_link_and_the_flag_is_kept() {
    let stack = Stack::new().await;
    let config = frontdesk_testkit::config::config(&[(
        "FRONTDESK_RECORDINGS_BUCKET",
        &stack.recordings_bucket,
    )]);
    let app = Wiring::new(config, stack.sdk.clone(), stack.resources.clone())
        .recordings()
        .app()
        .unwrap();
    let server = TestServer::with_app(app, stack.probe()).await;
    let store = server.app.store();
    let owner = Business::new(
        BusinessId::parse(&format!("inbox-{}", stack.name)).unwrap(),
        "Clinic",
    );
    store.put_business(&owner).await.unwrap();
    let call = CallSid::parse("CAinboxaws0001").unwrap();
    store
        .record_call_start(&CallStart {
            sid: call.clone(),
            business_id: owner.id.clone(),
            from: "+972501234567".into(),
            to: "+97233334444".into(),
            direction: Direction::Inbound,
            caller_name: None,
            status: CallStatus::Completed,
            started_at: time::OffsetDateTime::now_utc(),
            placed: None,
        })
        .await
        .unwrap();
    // The recording copy goes to S3 with it.
    voicemail(&server.app, &call).await;

    let link = frontdesk_cli::inbox::link(
        store,
        &PublicBaseUrl::parse(&server.base_url).unwrap(),
        &owner.id,
        15,
        Timestamp::now(),
    )
    .await
    .unwrap();
    let signed_in = client().get(&link).send().await.unwrap();
    assert_eq!(signed_in.status(), 200);
    let cookie = cookie_of(&signed_in).unwrap();
    let page = client()
        .get(server.url(Route::Inbox.path()))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = r#"<audio controls preload="none" src=""#;
    let src = page[page.find(marker).expect("an audio element") + marker.len()..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(src.contains(&stack.recordings_bucket), "{src}");
    assert!(
        src.contains("X-Amz-Signature=") && src.contains("X-Amz-Expires=900"),
        "{src}"
    );
    let audio = client().get(&src).send().await.unwrap();
    assert_eq!(
        audio.status(),
        200,
        "the browser fetches the audio from S3 itself"
    );
    assert_eq!(audio.bytes().await.unwrap().as_ref(), b"ID3");

    let csrf = csrf_of(&page);
    let body = format!("csrf={csrf}&handled=true");
    let marked = client()
        .post(server.url(&handled_path(&call)))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(marked.status(), 303);
    assert!(store.call(&call).await.unwrap().unwrap().handled);
}
