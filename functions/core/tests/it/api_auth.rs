//! `/api/*` front: Bearer API keys, CORS for configured origins, JSON errors.

use bytes::Bytes;
use frontdesk::api;
use frontdesk::app::Backends;
use frontdesk::domain::ApiKey;
use frontdesk::http::{response, InboundRequest};
use frontdesk::{App, Route};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use time::OffsetDateTime;

fn app() -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = frontdesk_testkit::config::from_vars(
        &[("FRONTDESK_ALLOWED_ORIGINS", "https://crm.example.com")],
        "test",
    );
    let backends = Backends::embedded(dir.path()).unwrap();
    (App::new(config, backends), dir)
}

fn request(method: Method, headers: &[(&'static str, &str)]) -> InboundRequest {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.insert(*name, HeaderValue::from_str(value).unwrap());
    }
    InboundRequest::local(
        method,
        Route::ApiCalls.path(),
        map,
        Bytes::new(),
        "req".into(),
    )
}

fn error_of(response: &frontdesk::http::Response) -> String {
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    body["error"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_stored_key_authenticates_its_business() {
    let (app, _dir) = app();
    let business = frontdesk::domain::BusinessId::parse("acme").unwrap();
    let key = ApiKey::generate().unwrap();
    app.store()
        .put_api_key(&business, &key.hash(), OffsetDateTime::now_utc())
        .await
        .unwrap();
    let bearer = format!("Bearer {}", key.reveal());
    let found = api::authenticate(&app, &request(Method::GET, &[("authorization", &bearer)]))
        .await
        .unwrap();
    assert_eq!(found, business);
}

#[tokio::test]
async fn missing_malformed_and_unknown_keys_are_401_with_a_json_reason() {
    let (app, _dir) = app();
    let unknown = format!("Bearer {}", ApiKey::generate().unwrap().reveal());
    for (headers, reason) in [
        (vec![], "missing Authorization"),
        (vec![("authorization", "Basic abc")], "must be `Bearer"),
        (vec![("authorization", "Bearer nope")], "malformed API key"),
        (vec![("authorization", unknown.as_str())], "unknown API key"),
    ] {
        let rejected = api::authenticate(&app, &request(Method::GET, &headers))
            .await
            .unwrap_err();
        assert_eq!(rejected.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(rejected.headers()["content-type"], "application/json");
        assert_eq!(rejected.headers()["www-authenticate"], "Bearer");
        assert!(error_of(&rejected).contains(reason), "{reason}");
    }
}

#[tokio::test]
async fn handle_answers_preflight_and_adds_cors_for_allowed_origins_only() {
    let (app, _dir) = app();
    let business = frontdesk::domain::BusinessId::parse("acme").unwrap();
    let key = ApiKey::generate().unwrap();
    app.store()
        .put_api_key(&business, &key.hash(), OffsetDateTime::now_utc())
        .await
        .unwrap();
    let handler = |b: frontdesk::domain::BusinessId| async move {
        response::json(
            StatusCode::OK,
            &serde_json::json!({ "business": b.as_str() }),
        )
    };

    let preflight = api::handle(
        &app,
        &request(Method::OPTIONS, &[("origin", "https://crm.example.com")]),
        handler,
    )
    .await;
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://crm.example.com"
    );

    let bearer = format!("Bearer {}", key.reveal());
    let allowed = api::handle(
        &app,
        &request(
            Method::GET,
            &[
                ("authorization", &bearer),
                ("origin", "https://crm.example.com"),
            ],
        ),
        handler,
    )
    .await;
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(allowed.body().as_ref(), br#"{"business":"acme"}"#);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://crm.example.com"
    );

    let foreign = api::handle(
        &app,
        &request(
            Method::GET,
            &[
                ("authorization", &bearer),
                ("origin", "https://evil.example"),
            ],
        ),
        handler,
    )
    .await;
    assert!(!foreign
        .headers()
        .contains_key("access-control-allow-origin"));

    let unauthenticated = api::handle(
        &app,
        &request(Method::GET, &[("origin", "https://crm.example.com")]),
        handler,
    )
    .await;
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        unauthenticated.headers()["access-control-allow-origin"],
        "https://crm.example.com",
        "the page may read why it was refused"
    );
}
