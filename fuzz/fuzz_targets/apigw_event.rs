//! API Gateway HTTP API events turned into Frontdesk's request: any event (deserialised as
//! `aws_lambda_events` does) becomes an `InboundRequest` whose form, URL, headers and route read
//! without a panic.
//!
//! The request is assembled here with `http`'s fallible builder, the way `lambda_http` assembles
//! it, rather than through `lambda_http::request::from_str`: that conversion `expect`s what API
//! Gateway guarantees (a body flagged base64 decodes, the host and `x-forwarded-proto` make a
//! URL) and panics otherwise — the first runs of this target found three such events. API Gateway
//! never sends them, and they never reach Frontdesk's code.
#![no_main]

use base64::Engine as _;
use frontdesk::lambda::http::inbound_request;
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(event) = serde_json::from_slice::<ApiGatewayV2httpRequest>(data) else {
        return;
    };
    let host = event
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .or(event.request_context.domain_name.as_deref())
        .unwrap_or("localhost")
        .to_string();
    let raw_path = event.raw_path.clone().unwrap_or_default();
    let query = event.raw_query_string.clone().unwrap_or_default();
    let body = match event.body.as_deref() {
        None => Body::Empty,
        Some(body) if event.is_base64_encoded => {
            match base64::engine::general_purpose::STANDARD.decode(body) {
                Ok(bytes) => Body::Binary(bytes),
                Err(_) => return,
            }
        }
        Some(body) => Body::Text(body.to_string()),
    };
    let Ok(mut request) = http::Request::builder()
        .method(event.request_context.http.method.clone())
        .uri(format!("https://{host}{raw_path}?{query}"))
        .body(body)
    else {
        return;
    };
    *request.headers_mut() = event.headers.clone();
    let request = request
        .with_raw_http_path(raw_path)
        .with_request_context(RequestContext::ApiGatewayV2(event.request_context));
    let request = inbound_request(request);
    let _ = request.form();
    let _ = request.public_url(None);
    let _ = request.header("x-twilio-signature");
    let _ = frontdesk::routes::resolve(&request.method, &request.route_path);
});
