//! The sample events in `events/` (used with `sam local invoke -e` and `cargo lambda invoke`)
//! parse as API Gateway events, reach a route, and are signed for the documented sample
//! token, so they pass the signature check as they are.

use frontdesk::config::Secret;
use frontdesk::lambda::http::inbound_request;
use frontdesk::routes::{resolve, Route, ROUTES};
use frontdesk::twilio::signature::{SignedPayload, Validator};
use frontdesk_testkit::fixtures::{events_dir, SAMPLE_AUTH_TOKEN, SAMPLE_META_APP_SECRET};

fn http_events() -> Vec<(String, String)> {
    let mut events = Vec::new();
    for entry in std::fs::read_dir(events_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("\"routeKey\"") {
            events.push((name, text));
        }
    }
    events.sort();
    events
}

#[test]
fn every_route_has_a_sample_event_named_after_its_function() {
    for spec in ROUTES {
        let file = events_dir().join(format!("{}.json", spec.function));
        assert!(file.exists(), "missing sample event {}", file.display());
    }
}

#[test]
fn every_http_sample_event_reaches_a_route_and_is_correctly_signed() {
    let validator = Validator::new(Secret::new(SAMPLE_AUTH_TOKEN), None);
    let events = http_events();
    assert!(events.len() >= ROUTES.len());
    for (name, text) in events {
        let request = inbound_request(
            lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}")),
        );
        let route = resolve(&request.method, &request.route_path)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let signature = request.header("x-twilio-signature").map(str::to_string);
        if route == Route::MetaWhatsApp {
            // The handshake is a GET with no body; notifications carry Meta's signature.
            if request.method == http::Method::POST {
                assert_eq!(
                    frontdesk::meta::signature::verify(
                        SAMPLE_META_APP_SECRET,
                        &request.body,
                        request.header("x-hub-signature-256")
                    ),
                    Ok(()),
                    "{name}: X-Hub-Signature-256 does not validate"
                );
            }
        } else if route.spec().webhook {
            let form = request.form().unwrap_or_else(|e| panic!("{name}: {e}"));
            let url = request.public_url(None);
            assert!(
                validator
                    .validate(
                        &url,
                        SignedPayload::Form(form.pairs()),
                        signature.as_deref()
                    )
                    .is_ok(),
                "{name}: signature does not validate for {url}"
            );
        }
    }
}
