//! WhatsApp over HTTP on the embedded default (SQLite).

use frontdesk_testkit::TestServer;

async fn embedded(vars: &[(&str, &str)]) -> TestServer {
    TestServer::start(vars).await
}

crate::whatsapp_tests!(embedded);

/// The README's WhatsApp smoke lines, sent as curl sends them: unsigned (`FRONTDESK_SIGNATURE_POLICY=off`
/// in the local stage) and with `+` unescaped. The paths stay literal: they are the URLs the
/// README tells a user to curl, and this test holds the README to them.
#[tokio::test]
async fn the_readme_smoke_lines_answer_200_204_and_400() {
    use frontdesk::domain::{Business, BusinessId, MessageId, MessageStatus, PhoneNumber};

    let server = TestServer::start(&[
        ("FRONTDESK_SIGNATURE_POLICY", "off"),
        ("META_VERIFY_TOKEN", "local-verify"),
    ])
    .await;
    let mut demo = Business::new(BusinessId::parse("demo").unwrap(), "Demo Dental Clinic");
    demo.phone_numbers = vec![PhoneNumber::parse("+97233334444").unwrap()];
    demo.whatsapp_auto_reply = Some("תודה!".into());
    demo.meta_phone_number_id = Some("106540352242922".into());
    server.app.store().put_business(&demo).await.unwrap();
    let client = frontdesk_testkit::http_client();
    let post = |path: &str, body: &'static str, content_type: &'static str| {
        client
            .post(server.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    const FORM: &str = "application/x-www-form-urlencoded";

    let incoming = post(
        "/webhook/whatsapp/incoming",
        "MessageSid=SM_TEST_1&From=whatsapp:+972501234567&To=whatsapp:+97233334444&Body=hello",
        FORM,
    )
    .await
    .unwrap();
    assert_eq!(incoming.status(), 200);
    assert!(incoming
        .text()
        .await
        .unwrap()
        .contains("<Message>תודה!</Message>"));
    for body in [
        "MessageSid=SM_TEST_1&MessageStatus=delivered",
        "MessageSid=SM_TEST_1&MessageStatus=read",
    ] {
        let status = post("/webhook/whatsapp/status", body, FORM)
            .await
            .unwrap()
            .status();
        assert_eq!(status, 204, "{body}");
    }
    assert_eq!(
        post("/webhook/whatsapp/status", "MessageSid=SM_TEST_1", FORM)
            .await
            .unwrap()
            .status(),
        400
    );
    let challenge = frontdesk_testkit::http_client()
        .get(server.url(
            "/webhook/meta/whatsapp?hub.mode=subscribe&hub.challenge=42&hub.verify_token=local-verify",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(challenge.status(), 200);
    assert_eq!(challenge.text().await.unwrap(), "42");
    let meta = post(
        "/webhook/meta/whatsapp",
        r#"{"entry":[{"changes":[{"value":{"metadata":{"phone_number_id":"106540352242922"},"messages":[{"from":"972501234567","id":"wamid.LOCAL1","timestamp":"1795255200","type":"text","text":{"body":"\u05e9\u05dc\u05d5\u05dd"}}]}}]}]}"#,
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(meta.status(), 200);

    let store = server.app.store();
    let message = store
        .message(&MessageId::parse("SM_TEST_1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(message.status, Some(MessageStatus::Read));
    assert_eq!(message.from.as_deref(), Some("whatsapp:+972501234567"));
    let meta_message = store
        .message(&MessageId::parse("wamid.LOCAL1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(meta_message.business_id, Some(demo.id));
    assert_eq!(meta_message.content.unwrap().body.as_deref(), Some("שלום"));
}
