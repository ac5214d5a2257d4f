//! WhatsApp over HTTP, run against `frontdesk serve` on each backend
//! (`whatsapp_embedded.rs`: SQLite; `whatsapp_aws.rs`: DynamoDB on moto). Local HTTP stand-ins
//! play Twilio's Messages API and Meta's Graph API and check every field they are sent.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bytes::Bytes;
use frontdesk::domain::ApiKey;
use frontdesk::domain::{
    Business, BusinessId, MessageDirection, MessageId, MessageStatus, PhoneNumber, Provider,
};
use frontdesk::http::form;
use frontdesk::meta::signature::sign;
use frontdesk_tests::{TestServer, TEST_TOKEN};
use serde_json::{json, Value};

pub const META_APP_SECRET: &str = "test-meta-app-secret";
pub const META_VERIFY_TOKEN: &str = "test-verify-token";
pub const META_ACCESS_TOKEN: &str = "test-meta-access-token";
pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique() -> u64 {
    COUNTER.fetch_add(1, Ordering::Relaxed) + u64::from(std::process::id()) * 1000
}

pub fn message_sid() -> String {
    format!("SM{:032x}", unique())
}

/// The configuration every WhatsApp test server gets, plus `extra`.
pub fn vars<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut vars = vec![
        ("META_APP_SECRET", META_APP_SECRET),
        ("META_VERIFY_TOKEN", META_VERIFY_TOKEN),
        ("META_ACCESS_TOKEN", META_ACCESS_TOKEN),
        ("TWILIO_ACCOUNT_SID", ACCOUNT_SID),
    ];
    vars.extend_from_slice(extra);
    vars
}

/// A stored business with its own number, a Meta phone number id and an API key.
pub async fn business(server: &TestServer, auto_reply: Option<&str>) -> (Business, ApiKey) {
    let n = unique();
    let mut business = Business::new(
        BusinessId::parse(&format!("wa-{n}")).unwrap(),
        "Acme Dental",
    );
    business.phone_numbers =
        vec![PhoneNumber::parse(&format!("+1555{:07}", n % 10_000_000)).unwrap()];
    business.whatsapp_auto_reply = auto_reply.map(str::to_string);
    business.meta_phone_number_id = Some(format!("10654{n}"));
    server.app.store().put_business(&business).await.unwrap();
    let key = ApiKey::generate().unwrap();
    server
        .app
        .store()
        .put_api_key(&business.id, &key.hash(), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    (business, key)
}

fn number(business: &Business) -> &str {
    business.phone_numbers[0].as_str()
}

async fn stored(server: &TestServer, id: &str) -> frontdesk::domain::StoredMessage {
    server
        .app
        .store()
        .message(&MessageId::parse(id).unwrap())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("message {id} is stored"))
}

async fn incoming(
    server: &TestServer,
    sid: &str,
    business: &Business,
    from: &str,
) -> reqwest::Response {
    server
        .post_signed(
            "/webhook/whatsapp/incoming",
            &[
                ("MessageSid", sid),
                ("SmsMessageSid", sid),
                ("AccountSid", ACCOUNT_SID),
                ("From", from),
                ("To", &format!("whatsapp:{}", number(business))),
                ("Body", "שלום 👋 <b>&amp;</b>"),
                ("ProfileName", "Dana Levi"),
                ("WaId", "972501234567"),
                ("NumMedia", "1"),
                (
                    "MediaUrl0",
                    "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
                ),
                ("MediaContentType0", "image/jpeg"),
                ("SmsStatus", "received"),
                ("ReferralNumMedia", "0"),
            ],
        )
        .await
}

async fn status(server: &TestServer, sid: &str, status: &str, extra: &[(&str, &str)]) -> u16 {
    let mut params = vec![
        ("MessageSid", sid),
        ("MessageStatus", status),
        ("AccountSid", ACCOUNT_SID),
    ];
    params.extend_from_slice(extra);
    server
        .post_signed("/webhook/whatsapp/status", &params)
        .await
        .status()
        .as_u16()
}

pub async fn an_inbound_message_delivered_three_times_is_stored_once_and_auto_replied(
    server: &TestServer,
) {
    let (business, _) = business(server, Some("תודה! נחזור אליך בקרוב & <soon>")).await;
    let sid = message_sid();
    for _ in 0..3 {
        let response = incoming(server, &sid, &business, "whatsapp:+972501234567").await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/xml; charset=utf-8"
        );
        let twiml = response.text().await.unwrap();
        assert_eq!(
            twiml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>תודה! נחזור אליך בקרוב &amp; &lt;soon&gt;</Message></Response>"
        );
    }
    let message = stored(server, &sid).await;
    assert_eq!(message.business_id, Some(business.id.clone()));
    assert_eq!(message.direction, Some(MessageDirection::Inbound));
    assert_eq!(message.from.as_deref(), Some("whatsapp:+972501234567"));
    let content = message.content.unwrap();
    assert_eq!(content.body.as_deref(), Some("שלום 👋 <b>&amp;</b>"));
    assert_eq!(content.profile_name.as_deref(), Some("Dana Levi"));
    assert_eq!(content.media.len(), 1);
    assert_eq!(content.media[0].content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        content.raw["WaId"], "972501234567",
        "every parameter is kept"
    );
    assert_eq!(content.raw["ReferralNumMedia"], "0");
    let contact = PhoneNumber::parse("+972501234567").unwrap();
    let page = server
        .app
        .store()
        .conversation(&business.id, &contact, 10, None)
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 1, "one message, not three");
}

pub async fn without_an_auto_reply_the_answer_is_an_empty_response(server: &TestServer) {
    let (business, _) = business(server, None).await;
    let response = incoming(server, &message_sid(), &business, "+972501234567").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.text().await.unwrap(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>"
    );
}

pub async fn doubled_or_missing_whatsapp_prefixes_are_normalised_once(server: &TestServer) {
    let (business, _) = business(server, None).await;
    for from in [
        "whatsapp:whatsapp:+972501234567",
        "+972501234567",
        "972501234567",
    ] {
        let sid = message_sid();
        assert_eq!(incoming(server, &sid, &business, from).await.status(), 200);
        let message = stored(server, &sid).await;
        assert_eq!(
            message.from.as_deref(),
            Some("whatsapp:+972501234567"),
            "{from}"
        );
        assert_eq!(message.contact.unwrap().as_str(), "+972501234567");
    }
}

pub async fn a_message_moves_to_delivered_then_read_and_stays_read(server: &TestServer) {
    let sid = message_sid();
    for s in ["sent", "delivered", "read", "delivered", "sent"] {
        assert_eq!(status(server, &sid, s, &[]).await, 204, "{s}");
    }
    let message = stored(server, &sid).await;
    assert_eq!(message.status, Some(MessageStatus::Read));
    assert!(
        message.sent_at.is_some() && message.delivered_at.is_some() && message.read_at.is_some()
    );
    let events = server
        .app
        .store()
        .message_events(&MessageId::parse(&sid).unwrap())
        .await
        .unwrap();
    assert_eq!(events.len(), 3, "one event per status");

    let failing = message_sid();
    assert_eq!(
        status(server, &failing, "undelivered", &[("ErrorCode", "63016")]).await,
        204
    );
    assert_eq!(status(server, &failing, "sent", &[]).await, 204);
    let message = stored(server, &failing).await;
    assert_eq!(message.status, Some(MessageStatus::Undelivered));
    assert_eq!(message.error_code.as_deref(), Some("63016"));
}

pub async fn status_callbacks_without_sid_or_status_are_400_and_forged_ones_403(
    server: &TestServer,
) {
    let response = server
        .post_signed("/webhook/whatsapp/status", &[("MessageStatus", "sent")])
        .await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("MessageSid"));
    let response = server
        .post_signed(
            "/webhook/whatsapp/status",
            &[("MessageSid", &message_sid())],
        )
        .await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("MessageStatus"));
    let response = server
        .post_signed(
            "/webhook/whatsapp/status",
            &[
                ("MessageSid", &message_sid()),
                ("MessageStatus", "teleported"),
            ],
        )
        .await;
    assert_eq!(response.status(), 400);
    let sid = message_sid();
    let forged = frontdesk_tests::http_client()
        .post(server.url("/webhook/whatsapp/status"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", "bm90IGEgc2lnbmF0dXJlIGF0IGFsbCE=")
        .body(format!("MessageSid={sid}&MessageStatus=read"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let forged = frontdesk_tests::http_client()
        .post(server.url("/webhook/whatsapp/incoming"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("MessageSid={sid}&From=%2B972501234567"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(server
        .app
        .store()
        .message(&MessageId::parse(&sid).unwrap())
        .await
        .unwrap()
        .is_none());
}

// ---- Meta -----------------------------------------------------------------------------------

pub async fn meta_verification_echoes_the_challenge_only_for_the_right_token(server: &TestServer) {
    let get = |query: &str| {
        let url = server.url(&format!("/webhook/meta/whatsapp?{query}"));
        async move {
            frontdesk_tests::http_client()
                .get(url)
                .send()
                .await
                .unwrap()
        }
    };
    let ok = get(&format!(
        "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={META_VERIFY_TOKEN}"
    ))
    .await;
    assert_eq!(ok.status(), 200);
    assert!(ok.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    for bad in [
        "hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong".to_string(),
        format!("hub.mode=unsubscribe&hub.challenge=1&hub.verify_token={META_VERIFY_TOKEN}"),
        format!("hub.mode=subscribe&hub.verify_token={META_VERIFY_TOKEN}"),
        String::new(),
    ] {
        assert_eq!(get(&bad).await.status(), 403, "{bad}");
    }
}

/// A batch as Meta serialises it: `\uXXXX` escapes for Hebrew and emoji (surrogate pairs).
pub fn meta_batch(
    phone_number_id: &str,
    text_id: &str,
    unknown_id: &str,
    status_id: &str,
) -> String {
    format!(
        concat!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"{pnid}"}},"#,
            r#""contacts":[{{"profile":{{"name":"\u05d3\u05e0\u05d4 \ud83c\udf38"}},"wa_id":"972501234567"}}],"#,
            r#""messages":[{{"from":"972501234567","id":"{text}","timestamp":"1795255200","text":{{"body":"\u05e9\u05dc\u05d5\u05dd \ud83d\udc4b"}},"type":"text"}},"#,
            r#"{{"from":"972501234567","id":"{unknown}","timestamp":"1795255201","type":"hologram","hologram":{{"shape":"\u05e7\u05d5\u05d1\u05d9\u05d4"}}}}]}},"field":"messages"}}]}},"#,
            r#"{{"id":"102290129340398","changes":[{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"{pnid}"}},"#,
            r#""statuses":[{{"id":"{status}","status":"delivered","timestamp":"1795255300","recipient_id":"972501234567"}},{{"id":"{status}","status":"read","timestamp":"1795255301","recipient_id":"972501234567"}}]}},"field":"messages"}}]}}]}}"#
        ),
        pnid = phone_number_id,
        text = text_id,
        unknown = unknown_id,
        status = status_id,
    )
}

async fn post_meta(
    server: &TestServer,
    body: &[u8],
    signature: Option<String>,
) -> reqwest::Response {
    let mut request = frontdesk_tests::http_client()
        .post(server.url("/webhook/meta/whatsapp"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("x-hub-signature-256", signature);
    }
    request.send().await.unwrap()
}

fn wamid() -> String {
    format!("wamid.HBgM{}", unique())
}

pub async fn a_meta_signed_batch_of_messages_and_statuses_is_stored(server: &TestServer) {
    let (business, _) = business(server, None).await;
    let pnid = business.meta_phone_number_id.clone().unwrap();
    let (text, unknown, outbound) = (wamid(), wamid(), wamid());
    let body = meta_batch(&pnid, &text, &unknown, &outbound);
    assert!(body.is_ascii() && body.contains(r"\u05e9"));
    for _ in 0..2 {
        let response = post_meta(
            server,
            body.as_bytes(),
            Some(sign(META_APP_SECRET, body.as_bytes())),
        )
        .await;
        assert_eq!(response.status(), 200);
    }
    let message = stored(server, &text).await;
    assert_eq!(message.business_id, Some(business.id.clone()));
    assert_eq!(message.from.as_deref(), Some("whatsapp:+972501234567"));
    let content = message.content.unwrap();
    assert_eq!(content.body.as_deref(), Some("שלום 👋"));
    assert_eq!(content.profile_name.as_deref(), Some("דנה 🌸"));

    let unknown = stored(server, &unknown).await.content.unwrap();
    assert_eq!(unknown.kind, "hologram");
    assert_eq!(
        unknown.raw["hologram"]["shape"], "קוביה",
        "an unknown type is kept raw"
    );

    let status = stored(server, &outbound).await;
    assert_eq!(status.status, Some(MessageStatus::Read));
    assert!(status.delivered_at.is_some() && status.read_at.is_some());

    let contact = PhoneNumber::parse("+972501234567").unwrap();
    let page = server
        .app
        .store()
        .conversation(&business.id, &contact, 10, None)
        .await
        .unwrap();
    assert_eq!(
        page.messages.len(),
        2,
        "each message once, though delivered twice"
    );
}

pub async fn a_reserialised_or_unsigned_meta_body_is_rejected_and_nothing_stored(
    server: &TestServer,
) {
    let (business, _) = business(server, None).await;
    let pnid = business.meta_phone_number_id.clone().unwrap();
    let (text, unknown, outbound) = (wamid(), wamid(), wamid());
    let body = meta_batch(&pnid, &text, &unknown, &outbound);
    let signature = sign(META_APP_SECRET, body.as_bytes());
    // What a framework hands a handler after parsing: the same JSON, re-serialised.
    let reserialised = serde_json::to_vec(&serde_json::from_str::<Value>(&body).unwrap()).unwrap();
    let response = post_meta(server, &reserialised, Some(signature.clone())).await;
    assert_eq!(response.status(), 403);
    let response = post_meta(server, body.as_bytes(), None).await;
    assert_eq!(response.status(), 401);
    let response = post_meta(
        server,
        body.as_bytes(),
        Some(sign("another-secret", body.as_bytes())),
    )
    .await;
    assert_eq!(response.status(), 403);
    for id in [&text, &unknown, &outbound] {
        assert!(
            server
                .app
                .store()
                .message(&MessageId::parse(id).unwrap())
                .await
                .unwrap()
                .is_none(),
            "{id} not stored"
        );
    }
}

pub async fn a_signed_meta_body_gets_200_whatever_its_content(server: &TestServer) {
    for body in [
        &b"not json at all"[..],
        br#"{"object":"page","entry":[]}"#,
        br#"{"entry":[{"changes":[{"field":"account_update","value":{"event":"VERIFIED"}}]}]}"#,
        br#"{"entry":[{"changes":[{"value":{"messages":[{"id":"no-wamid","from":"x"}],"statuses":[{"id":"wamid.X1","status":"deleted"}]}}]}]}"#,
    ] {
        let response = post_meta(server, body, Some(sign(META_APP_SECRET, body))).await;
        assert_eq!(response.status(), 200, "{}", String::from_utf8_lossy(body));
    }
}

// ---- the send API ----------------------------------------------------------------------------

/// One request a stand-in received.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub body: Bytes,
}

/// A local HTTP server standing in for a provider: records every request and answers `answer`.
pub struct StandIn {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
}

pub async fn stand_in(status: u16, answer: Value) -> StandIn {
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let log = log.clone();
        let answer = answer.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
            let header = |name: &str| {
                parts
                    .headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            log.lock().unwrap().push(Received {
                method: parts.method.to_string(),
                path: parts.uri.path().to_string(),
                authorization: header("authorization"),
                content_type: header("content-type"),
                body,
            });
            (
                axum::http::StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/json")],
                answer.to_string(),
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    StandIn { url, received }
}

async fn api_post(server: &TestServer, key: Option<&str>, body: &str) -> reqwest::Response {
    let mut request = frontdesk_tests::http_client()
        .post(server.url("/api/whatsapp/messages"))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.unwrap()
}

pub async fn sending_through_twilio_stores_the_message_with_twilios_sid(
    server: &TestServer,
    twilio: &StandIn,
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
        Some(server.url("/webhook/whatsapp/status").as_str())
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
    meta: &StandIn,
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
    let client = frontdesk_tests::http_client();
    let mut seen = Vec::new();
    let mut url = server.url("/api/whatsapp/messages?with=+972501234567&limit=2");
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
                    "/api/whatsapp/messages?with=%2B972501234567&limit=2&{encoded}"
                ));
            }
            None => break,
        }
    }
    sids.reverse();
    assert_eq!(seen, sids, "newest first, each once");
    let response = client
        .get(server.url("/api/whatsapp/messages"))
        .bearer_auth(key.reveal())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

/// One `#[tokio::test]` per test above that needs only a server; `$make(vars)` builds it.
#[macro_export]
macro_rules! whatsapp_tests {
    ($make:path) => {
        $crate::whatsapp_tests!(@each $make;
            an_inbound_message_delivered_three_times_is_stored_once_and_auto_replied,
            without_an_auto_reply_the_answer_is_an_empty_response,
            doubled_or_missing_whatsapp_prefixes_are_normalised_once,
            a_message_moves_to_delivered_then_read_and_stays_read,
            status_callbacks_without_sid_or_status_are_400_and_forged_ones_403,
            meta_verification_echoes_the_challenge_only_for_the_right_token,
            a_meta_signed_batch_of_messages_and_statuses_is_stored,
            a_reserialised_or_unsigned_meta_body_is_rejected_and_nothing_stored,
            a_signed_meta_body_gets_200_whatever_its_content,
            the_send_api_refuses_bad_keys_401_and_bad_json_400,
            a_conversation_lists_newest_first_in_pages
        );

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn sending_through_twilio_stores_the_message_with_twilios_sid() {
            let twilio = whatsapp::stand_in(
                201,
                serde_json::json!({"sid": whatsapp::message_sid(), "status": "queued", "account_sid": whatsapp::ACCOUNT_SID}),
            )
            .await;
            let server = $make(&whatsapp::vars(&[("TWILIO_API_BASE_URL", &twilio.url)])).await;
            whatsapp::sending_through_twilio_stores_the_message_with_twilios_sid(&server, &twilio).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn sending_through_meta_posts_text_and_templates_to_the_graph_api() {
            let meta = whatsapp::stand_in(
                200,
                serde_json::json!({"messaging_product": "whatsapp", "contacts": [{"input": "972501234567", "wa_id": "972501234567"}],
                                   "messages": [{"id": format!("wamid.HBgM{}", whatsapp::message_sid())}]}),
            )
            .await;
            let server = $make(&whatsapp::vars(&[("META_GRAPH_BASE_URL", &meta.url)])).await;
            whatsapp::sending_through_meta_posts_text_and_templates_to_the_graph_api(&server, &meta).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_provider_that_is_down_gives_502_and_the_message_is_stored_failed() {
            // Nothing listens on the discard port: the connection is refused at once.
            let server = $make(&whatsapp::vars(&[("TWILIO_API_BASE_URL", "http://127.0.0.1:9")])).await;
            whatsapp::a_provider_that_is_down_gives_502_and_the_message_is_stored_failed(&server).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_provider_refusal_gives_502_with_its_reason() {
            let twilio = whatsapp::stand_in(
                400,
                serde_json::json!({"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}),
            )
            .await;
            let server = $make(&whatsapp::vars(&[("TWILIO_API_BASE_URL", &twilio.url)])).await;
            whatsapp::a_provider_refusal_gives_502_with_its_reason(&server).await;
        }
    };
    (@each $make:path; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let server = $make(&whatsapp::vars(&[])).await;
                whatsapp::$name(&server).await;
            }
        )*
    };
}
