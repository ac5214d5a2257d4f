//! The messages API (`/api/whatsapp/messages`): sending through Twilio or Meta, refused keys
//! and bodies, a provider that is down or refuses, and a conversation read back in pages.

use base64::Engine as _;
use frontdesk::domain::{ApiKey, MessageDirection, MessageStatus, Provider};
use frontdesk::http::form;
use frontdesk::Route;
use frontdesk_testkit::standins::provider::ProviderStandIn;
use frontdesk_testkit::{TestServer, TEST_TOKEN};
use serde_json::{json, Value};

use super::{
    business, incoming, message_sid, number, status, stored, ACCOUNT_SID, META_ACCESS_TOKEN,
};

async fn api_post(server: &TestServer, key: Option<&str>, body: &str) -> reqwest::Response {
    let mut request = frontdesk_testkit::http_client()
        .post(server.url(Route::WhatsAppMessages.path()))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.unwrap()
}

pub async fn sending_through_twilio_stores_the_message_with_twilios_sid(
    server: &TestServer,
    twilio: &ProviderStandIn,
) {
    let (business, key) = business(server, None).await;
    let response = api_post(
        server,
        Some(key.reveal()),
        r#"{"to":"whatsapp:whatsapp:+972501234567","body":"התור שלך מחר ב-9:00 ✅"}"#,
    )
    .await;
    assert_eq!(response.status(), 201);
    let answer: Value = response.json().await.unwrap();
    let sid = answer["id"].as_str().unwrap().to_string();
    assert!(sid.starts_with("SM"), "{answer}");
    assert_eq!(answer["status"], "queued");
    assert_eq!(answer["stored"], true);

    let received = twilio.received.lock().unwrap().clone();
    let request = received.last().expect("Twilio was called");
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.path,
        format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json")
    );
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT_SID}:{TEST_TOKEN}"));
    assert_eq!(
        request.authorization.as_deref(),
        Some(format!("Basic {basic}").as_str())
    );
    assert_eq!(
        request.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    let sent = form::parse(&request.body).unwrap();
    assert_eq!(
        sent.get("From"),
        Some(format!("whatsapp:{}", number(&business)).as_str())
    );
    assert_eq!(sent.get("To"), Some("whatsapp:+972501234567"));
    assert_eq!(sent.get("Body"), Some("התור שלך מחר ב-9:00 ✅"));
    assert_eq!(
        sent.get("StatusCallback"),
        Some(server.url(Route::WhatsAppStatus.path()).as_str())
    );
    assert_eq!(sent.pairs().len(), 4, "{:?}", sent.pairs());

    let message = stored(server, &sid).await;
    assert_eq!(message.direction, Some(MessageDirection::Outbound));
    assert_eq!(message.status, Some(MessageStatus::Queued));
    assert_eq!(message.business_id, Some(business.id.clone()));
    // Its status callbacks then move it on.
    assert_eq!(status(server, &sid, "delivered", &[]).await, 204);
    assert_eq!(
        stored(server, &sid).await.status,
        Some(MessageStatus::Delivered)
    );
}

pub async fn sending_through_meta_posts_text_and_templates_to_the_graph_api(
    server: &TestServer,
    meta: &ProviderStandIn,
) {
    let (mut business, key) = business(server, None).await;
    business.whatsapp_provider = Provider::Meta;
    server.app.store().put_business(&business).await.unwrap();
    let pnid = business.meta_phone_number_id.clone().unwrap();

    let response = api_post(
        server,
        Some(key.reveal()),
        r#"{"to":"+972501234567","body":"שלום 👋"}"#,
    )
    .await;
    assert_eq!(response.status(), 201);
    let answer: Value = response.json().await.unwrap();
    let wamid = answer["id"].as_str().unwrap().to_string();
    assert!(wamid.starts_with("wamid."), "{answer}");
    assert_eq!(answer["status"], "accepted");

    let response = api_post(
        server,
        Some(key.reveal()),
        r#"{"to":"972501234567","template":{"name":"appointment_reminder","language":"he","components":[{"type":"body","parameters":[{"type":"text","text":"9:00"}]}]}}"#,
    )
    .await;
    assert_eq!(response.status(), 201);

    let received = meta.received.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    for request in &received {
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, format!("/v21.0/{pnid}/messages"));
        assert_eq!(
            request.authorization.as_deref(),
            Some(format!("Bearer {META_ACCESS_TOKEN}").as_str())
        );
        assert_eq!(request.content_type.as_deref(), Some("application/json"));
    }
    let text: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(
        text,
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": "972501234567",
               "type": "text", "text": {"preview_url": false, "body": "שלום 👋"}})
    );
    let template: Value = serde_json::from_slice(&received[1].body).unwrap();
    assert_eq!(template["type"], "template");
    assert_eq!(template["to"], "972501234567");
    assert_eq!(template["template"]["name"], "appointment_reminder");
    assert_eq!(template["template"]["language"]["code"], "he");
    assert_eq!(
        template["template"]["components"][0]["parameters"][0]["text"],
        "9:00"
    );

    let message = stored(server, &wamid).await;
    assert_eq!(message.status, Some(MessageStatus::Accepted));
    assert_eq!(message.direction, Some(MessageDirection::Outbound));
}

pub async fn the_send_api_refuses_bad_keys_401_and_bad_json_400(server: &TestServer) {
    let (_, key) = business(server, None).await;
    let body = r#"{"to":"+972501234567","body":"hi"}"#;
    assert_eq!(api_post(server, None, body).await.status(), 401);
    let unknown = ApiKey::generate().unwrap();
    assert_eq!(
        api_post(server, Some(unknown.reveal()), body)
            .await
            .status(),
        401
    );
    assert_eq!(
        api_post(server, Some("not-a-key"), body).await.status(),
        401
    );
    for (bad, reason) in [
        ("{", "not valid JSON"),
        (r#"{"to":"+972501234567"}"#, "required"),
        (r#"{"to":"0501234567","body":"x"}"#, "to:"),
    ] {
        let response = api_post(server, Some(key.reveal()), bad).await;
        assert_eq!(response.status(), 400, "{bad}");
        let answer: Value = response.json().await.unwrap();
        assert!(
            answer["error"].as_str().unwrap().contains(reason),
            "{answer}"
        );
    }
}

pub async fn a_provider_that_is_down_gives_502_and_the_message_is_stored_failed(
    server: &TestServer,
) {
    let (business, key) = business(server, None).await;
    let response = api_post(
        server,
        Some(key.reveal()),
        r#"{"to":"+972501234567","body":"hi"}"#,
    )
    .await;
    assert_eq!(response.status(), 502);
    let answer: Value = response.json().await.unwrap();
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("twilio unreachable"),
        "{answer}"
    );
    let id = answer["message"]["id"].as_str().unwrap();
    let message = stored(server, id).await;
    assert_eq!(message.status, Some(MessageStatus::Failed));
    assert_eq!(message.error_code.as_deref(), Some("provider_unreachable"));
    assert!(message.error_message.unwrap().contains("unreachable"));
    assert!(message.failed_at.is_some());
    assert_eq!(message.business_id, Some(business.id));
}

pub async fn a_provider_refusal_gives_502_with_its_reason(server: &TestServer) {
    let (_, key) = business(server, None).await;
    let response = api_post(
        server,
        Some(key.reveal()),
        r#"{"to":"+972501234567","body":"hi"}"#,
    )
    .await;
    assert_eq!(response.status(), 502);
    let answer: Value = response.json().await.unwrap();
    let error = answer["error"].as_str().unwrap();
    assert!(
        error.contains("21211") && error.contains("Invalid 'To'"),
        "{error}"
    );
    let message = stored(server, answer["message"]["id"].as_str().unwrap()).await;
    assert_eq!(message.error_code.as_deref(), Some("21211"));
}

pub async fn a_conversation_lists_newest_first_in_pages(server: &TestServer) {
    let (business, key) = business(server, None).await;
    let mut sids = Vec::new();
    for _ in 0..3 {
        let sid = message_sid();
        incoming(server, &sid, &business, "whatsapp:+972501234567").await;
        sids.push(sid);
    }
    incoming(server, &message_sid(), &business, "whatsapp:+972509999999").await;
    let client = frontdesk_testkit::http_client();
    let mut seen = Vec::new();
    let messages = Route::WhatsAppMessages.path();
    let mut url = server.url(&format!("{messages}?with=+972501234567&limit=2"));
    loop {
        let response = client
            .get(&url)
            .bearer_auth(key.reveal())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let page: Value = response.json().await.unwrap();
        assert_eq!(page["with"], "+972501234567");
        for message in page["messages"].as_array().unwrap() {
            assert_eq!(message["direction"], "inbound");
            seen.push(message["id"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                let encoded: String =
                    form::FormParams::from_pairs(vec![("cursor".into(), cursor.into())]).encode();
                url = server.url(&format!(
                    "{messages}?with=%2B972501234567&limit=2&{encoded}"
                ));
            }
            None => break,
        }
    }
    sids.reverse();
    assert_eq!(seen, sids, "newest first, each once");
    let response = client
        .get(server.url(messages))
        .bearer_auth(key.reveal())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
