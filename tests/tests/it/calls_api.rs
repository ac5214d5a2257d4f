//! `GET /api/calls` and `GET /api/calls/{CallSid}` over HTTP on `frontdesk serve`: Bearer API
//! keys, JSON, CORS for the configured origin, paging, and one business never seeing another's
//! calls.

use frontdesk::domain::ApiKey;
use frontdesk::domain::{Business, BusinessId, CallSid, CallStatus, Direction};
use frontdesk::domain::{CallStart, StatusUpdate};
use frontdesk::Route;
use frontdesk_testkit::TestServer;
use serde_json::Value;
use time::macros::datetime;

const ORIGIN: &str = "https://crm.example.com";

async fn setup() -> (TestServer, String, Vec<String>) {
    let server = TestServer::start(&[("FRONTDESK_ALLOWED_ORIGINS", ORIGIN)]).await;
    let store = server.app.store();
    let acme = Business::new(BusinessId::parse("acme").unwrap(), "Acme");
    let other = Business::new(BusinessId::parse("other").unwrap(), "Other");
    store.put_business(&acme).await.unwrap();
    store.put_business(&other).await.unwrap();
    let key = ApiKey::generate().unwrap();
    store
        .put_api_key(&acme.id, &key.hash(), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    let mut sids = Vec::new();
    for (i, business) in [&acme, &acme, &acme, &other].into_iter().enumerate() {
        let sid = format!("CA{i:032}");
        store
            .record_call_start(&CallStart {
                sid: CallSid::parse(&sid).unwrap(),
                business_id: business.id.clone(),
                from: "+972501234567".into(),
                to: "+97233334444".into(),
                direction: Direction::Inbound,
                caller_name: None,
                status: CallStatus::Ringing,
                started_at: datetime!(2026-11-21 10:00:00 UTC) + time::Duration::minutes(i as i64),
                placed: None,
            })
            .await
            .unwrap();
        sids.push(sid);
    }
    store
        .apply_call_status(&StatusUpdate {
            sid: CallSid::parse(&sids[0]).unwrap(),
            status: CallStatus::Completed,
            sequence: Some(3),
            business_id: None,
            from: None,
            to: None,
            direction: Direction::Inbound,
            duration_seconds: Some(31),
            at: datetime!(2026-11-21 10:00:31 UTC),
            sip_response_code: None,
            answered_by: None,
        })
        .await
        .unwrap();
    (server, key.reveal().to_string(), sids)
}

/// `/api/calls/{sid}`.
fn call_path(sid: &str) -> String {
    Route::ApiCall.path_with(&[("call_sid", sid)])
}

async fn get(server: &TestServer, path: &str, key: Option<&str>) -> reqwest::Response {
    let mut request = frontdesk_testkit::http_client()
        .get(server.url(path))
        .header("origin", ORIGIN);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_key_lists_its_business_calls_newest_first_page_by_page() {
    let (server, key, sids) = setup().await;
    let calls = Route::ApiCalls.path();
    let response = get(&server, &format!("{calls}?limit=2"), Some(&key)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["access-control-allow-origin"], ORIGIN);
    let page: Value = response.json().await.unwrap();
    let listed: Vec<&str> = page["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["call_sid"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [sids[2].as_str(), sids[1].as_str()]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest: Value = get(
        &server,
        &format!("{calls}?limit=2&cursor={cursor}"),
        Some(&key),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(rest["calls"].as_array().unwrap().len(), 1);
    assert_eq!(rest["calls"][0]["call_sid"], sids[0].as_str());
    assert!(rest["next_cursor"].is_null());

    let completed: Value = get(&server, &format!("{calls}?status=completed"), Some(&key))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(completed["calls"].as_array().unwrap().len(), 1);

    let bad = get(&server, &format!("{calls}?status=answered"), Some(&key)).await;
    assert_eq!(bad.status(), 400);
    let reason: Value = bad.json().await.unwrap();
    assert!(reason["error"].as_str().unwrap().contains("answered"));
}

#[tokio::test]
async fn a_call_comes_with_its_history_and_another_business_call_is_404() {
    let (server, key, sids) = setup().await;
    let call: Value = get(&server, &call_path(&sids[0]), Some(&key))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(call["status"], "completed");
    assert_eq!(call["duration_seconds"], 31);
    assert_eq!(call["status_history"][0]["status"], "completed");
    assert!(call["recording"].is_null());

    let foreign = get(&server, &call_path(&sids[3]), Some(&key)).await;
    assert_eq!(foreign.status(), 404);
    let missing = get(&server, &call_path("CA999"), Some(&key)).await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn no_key_is_401_and_a_preflight_is_answered_for_the_allowed_origin_only() {
    let (server, _, _) = setup().await;
    let response = get(&server, Route::ApiCalls.path(), None).await;
    assert_eq!(response.status(), 401);
    let reason: Value = response.json().await.unwrap();
    assert!(reason["error"].as_str().unwrap().contains("Authorization"));

    let client = frontdesk_testkit::http_client();
    let preflight = client
        .request(reqwest::Method::OPTIONS, server.url(Route::ApiCalls.path()))
        .header("origin", ORIGIN)
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], ORIGIN);
    let foreign = client
        .request(reqwest::Method::OPTIONS, server.url(Route::ApiCalls.path()))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    // Webhooks never answer with CORS headers.
    let webhook = client
        .post(server.url(Route::CallStatus.path()))
        .header("origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert!(!webhook
        .headers()
        .contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn calls_are_listed_by_the_inboxs_handled_flag() {
    let (server, key, sids) = setup().await;
    server
        .app
        .store()
        .set_call_handled(&CallSid::parse(&sids[1]).unwrap(), true)
        .await
        .unwrap();
    let listed = |query: &'static str| {
        let (server, key) = (&server, key.clone());
        async move {
            let body: Value = get(server, &format!("/api/calls?{query}"), Some(&key))
                .await
                .json()
                .await
                .unwrap();
            body["calls"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["call_sid"].as_str().unwrap().to_string(),
                        c["handled"].clone(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed("handled=true").await,
        vec![(sids[1].clone(), Value::Bool(true))]
    );
    assert_eq!(
        listed("handled=false").await,
        vec![
            (sids[2].clone(), Value::Bool(false)),
            (sids[0].clone(), Value::Bool(false))
        ]
    );
    let refused = get(&server, "/api/calls?handled=maybe", Some(&key)).await;
    assert_eq!(refused.status(), 400);
}
