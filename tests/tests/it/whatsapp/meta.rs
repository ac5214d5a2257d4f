//! Meta's WhatsApp webhook: the subscription handshake, signed batches of messages and
//! statuses, and bodies refused for their signature.

use frontdesk::domain::{MessageId, MessageStatus, PhoneNumber};
use frontdesk::meta::signature::sign;
use frontdesk::Route;
use frontdesk_testkit::TestServer;
use serde_json::Value;

use super::{business, stored, unique, META_APP_SECRET, META_VERIFY_TOKEN};

pub async fn meta_verification_echoes_the_challenge_only_for_the_right_token(server: &TestServer) {
    let get = |query: &str| {
        let url = server.url(&format!("{}?{query}", Route::MetaWhatsApp.path()));
        async move {
            frontdesk_testkit::http_client()
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

pub(crate) async fn post_meta(
    server: &TestServer,
    body: &[u8],
    signature: Option<String>,
) -> reqwest::Response {
    let mut request = frontdesk_testkit::http_client()
        .post(server.url(Route::MetaWhatsApp.path()))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("x-hub-signature-256", signature);
    }
    request.send().await.unwrap()
}

pub(crate) fn wamid() -> String {
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
        .conversation_messages(&business.id, &contact, 10, None)
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
