//! The gate every Twilio webhook passes: signature policy, bad input, and log secrecy.

use bytes::Bytes;
use frontdesk::app::Backends;
use frontdesk::config::LogFormat;
use frontdesk::config::{Config, SignaturePolicy};
use frontdesk::http::InboundRequest;
use frontdesk::telemetry::{self, LogCapture};
use frontdesk::{App, Route};
use http::{HeaderMap, HeaderValue, Method};

const TOKEN: &str = "tok_live_9f8e7d6c5b4a";

/// The webhook every request here goes to.
fn path() -> &'static str {
    Route::IncomingCall.path()
}

/// The webhook's URL under `base` (scheme, host, and port if any).
fn url(base: &str) -> String {
    format!("{base}{}", path())
}

fn app(policy: &str, stage: &str, public_base: Option<&str>) -> App {
    let mut vars = vec![
        ("TWILIO_AUTH_TOKEN", TOKEN),
        ("FRONTDESK_SIGNATURE_POLICY", policy),
        ("FRONTDESK_STAGE", stage),
    ];
    vars.extend(public_base.map(|base| ("PUBLIC_BASE_URL", base)));
    let config = frontdesk_testkit::config::from_vars(&vars, "local");
    let data = tempfile::tempdir().unwrap().keep();
    App::new(config, Backends::embedded(&data).unwrap())
}

fn request(host: &str, body: &str, signature: Option<&str>) -> InboundRequest {
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_str(host).unwrap());
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    if let Some(signature) = signature {
        headers.insert(
            "x-twilio-signature",
            HeaderValue::from_str(signature).unwrap(),
        );
    }
    InboundRequest::local(
        Method::POST,
        path(),
        headers,
        Bytes::from(body.to_string()),
        "req-test".into(),
    )
}

fn sign(url: &str, body: &str) -> String {
    frontdesk_testkit::signing::sign_body(TOKEN, url, body)
}

const BODY: &str = "CallSid=CA123&From=%2B972501234567&To=%2B97233334444&CallerName=%3CAlice%3E";

#[test]
fn a_correctly_signed_request_passes_with_its_params() {
    let sig = sign(&url("http://frontdesk.test"), BODY);
    let form = &app("enforce", "prod", None)
        .twilio_gate()
        .verify(&request("frontdesk.test", BODY, Some(&sig)))
        .unwrap();
    assert_eq!(form.get("CallerName"), Some("<Alice>"));
}

#[test]
fn missing_empty_or_garbled_signatures_are_forbidden_under_enforce() {
    let app = app("enforce", "prod", None);
    for sig in [
        None,
        Some(""),
        Some("garbled!!"),
        Some("RSOYDt4T1cUTdK1PDd93/VVr8B8="),
    ] {
        let response = app
            .twilio_gate()
            .verify(&request("frontdesk.test", BODY, sig))
            .unwrap_err()
            .into_response();
        assert_eq!(response.status(), 403, "signature {sig:?}");
    }
}

#[test]
fn a_spoofed_host_cannot_pass() {
    // Signed for the real host; replayed with another Host header.
    let sig = sign(&url("http://frontdesk.test"), BODY);
    let response = &app("enforce", "prod", None)
        .twilio_gate()
        .verify(&request("evil.example", BODY, Some(&sig)))
        .unwrap_err()
        .into_response();
    assert_eq!(response.status(), 403);
}

#[test]
fn public_base_url_is_what_gets_validated() {
    let base = "https://voice.example.com/frontdesk";
    let sig = sign(&url(base), BODY);
    let app = app("enforce", "prod", Some(base));
    assert!(app
        .twilio_gate()
        .verify(&request("internal-alb.local", BODY, Some(&sig)))
        .is_ok());
    let host_sig = sign(&url("http://internal-alb.local"), BODY);
    assert!(app
        .twilio_gate()
        .verify(&request("internal-alb.local", BODY, Some(&host_sig)))
        .is_err());
}

#[test]
fn port_toggled_signature_is_accepted() {
    let sig = sign(&url("http://frontdesk.test:80"), BODY);
    assert!(&app("enforce", "prod", None)
        .twilio_gate()
        .verify(&request("frontdesk.test", BODY, Some(&sig)))
        .is_ok());
}

#[test]
fn shadow_serves_a_bad_signature() {
    let form = &app("shadow", "prod", None)
        .twilio_gate()
        .verify(&request("frontdesk.test", BODY, Some("bad")))
        .unwrap();
    assert_eq!(form.get("CallSid"), Some("CA123"));
}

#[test]
fn off_serves_an_unsigned_request_in_the_local_stage() {
    assert!(&app("off", "local", None)
        .twilio_gate()
        .verify(&request("frontdesk.test", BODY, None))
        .is_ok());
}

#[test]
fn malformed_bodies_are_400_with_a_reason() {
    let app = app("off", "test", None);
    let cases = [
        ("CallSid=%ZZ", "invalid percent-encoding"),
        ("CallSid=%FF", "not valid UTF-8"),
        (r#"{"CallSid":"CA1"}"#, "not form-encoded"),
    ];
    for (body, reason) in cases {
        let response = app
            .twilio_gate()
            .verify(&request("frontdesk.test", body, None))
            .unwrap_err()
            .into_response();
        assert_eq!(response.status(), 400, "{body}");
        let text = String::from_utf8(response.body().to_vec()).unwrap();
        assert!(
            text.contains(reason) && text.lines().count() == 1,
            "{body}: {text}"
        );
    }
    let oversized = "a=".to_string() + &"x".repeat(64 * 1024);
    let response = app
        .twilio_gate()
        .verify(&request("frontdesk.test", &oversized, None))
        .unwrap_err()
        .into_response();
    assert_eq!(response.status(), 400);
}

#[test]
fn off_is_refused_in_production() {
    let result = Config::from_lookup(
        |name| match name {
            "FRONTDESK_SIGNATURE_POLICY" => Some("off".into()),
            _ => None,
        },
        "prod",
    );
    assert!(result.is_err());
    assert_eq!(
        SignaturePolicy::parse("shadow").unwrap(),
        SignaturePolicy::Shadow
    );
}

#[tokio::test(flavor = "current_thread")]
async fn the_auth_token_never_appears_in_logs_even_on_a_signature_failure() {
    let capture = LogCapture::default();
    let _guard = tracing::subscriber::set_default(telemetry::subscriber(
        LogFormat::Json,
        "trace",
        capture.clone(),
    ));
    let good = sign(&url("http://frontdesk.test"), BODY);
    for policy in ["enforce", "shadow"] {
        let app = app(policy, "prod", None);
        for sig in [Some(good.as_str()), Some("forged"), None] {
            let request = request("frontdesk.test", BODY, sig);
            // Through the same span and spawn the routes use.
            let span = tracing::info_span!("request", request_id = %request.request_id);
            let _entered = span.enter();
            let _ = app.twilio_gate().verify(&request);
            tracing::debug!(config = ?app.config(), "config at debug level");
        }
    }
    let logs = capture.contents();
    assert!(
        logs.contains("webhook rejected"),
        "the failure was logged: {logs}"
    );
    assert!(logs.contains("req-test"), "lines carry the request id");
    assert!(!logs.contains(TOKEN), "token leaked into logs:\n{logs}");
}
