//! The HTTP function runner: one route per function (or a few, for the inbox's pages), and API Gateway (HTTP API payload 2.0
//! and REST payload 1.0) events to and from [`InboundRequest`] and [`Response`].

use std::convert::Infallible;

use bytes::Bytes;
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt};

use super::Error;
use crate::app::App;
use crate::http::{new_request_id, InboundRequest, Response};
use crate::routes::{self, RouteHandler};

/// Serves one route until the Lambda runtime stops. `main` passes it as a constant,
/// `const { Route::Greeting.with_handler() }`, so the bootstrap links that route's handler and
/// no other.
pub async fn run(app: App, route: RouteHandler) -> Result<(), Error> {
    lambda_http::run(lambda_http::service_fn(
        move |event: lambda_http::Request| {
            let app = app.clone();
            async move {
                let response = routes::serve(&app, route, inbound_request(event)).await;
                Ok::<_, Infallible>(lambda_response(response))
            }
        },
    ))
    .await
}

/// Serves a few routes from one function until the Lambda runtime stops (the inbox's pages
/// share one): each request goes to the route of `routes` its method and path resolve to, and
/// anything else is answered as `frontdesk serve` answers a path it does not know.
pub async fn run_routes(app: App, routes: &'static [RouteHandler]) -> Result<(), Error> {
    lambda_http::run(lambda_http::service_fn(
        move |event: lambda_http::Request| {
            let app = app.clone();
            async move {
                let request = inbound_request(event);
                let response = match routes::resolve(&request.method, &request.route_path) {
                    Ok(route) => match routes.iter().find(|served| served.route == route) {
                        Some(served) => routes::serve(&app, *served, request).await,
                        None => routes::NoRoute::NotFound.into_response(),
                    },
                    Err(no_route) => no_route.into_response(),
                };
                Ok::<_, Infallible>(lambda_response(response))
            }
        },
    ))
    .await
}

/// Builds the request context from a lambda_http request. The body arrives already
/// base64-decoded by lambda_http when the event says `isBase64Encoded`.
pub fn inbound_request(request: lambda_http::Request) -> InboundRequest {
    let (stage, gateway_request_id) = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => (ctx.stage.clone(), ctx.request_id.clone()),
        Some(RequestContext::ApiGatewayV1(ctx)) => (ctx.stage.clone(), ctx.request_id.clone()),
        _ => (None, None),
    };
    let request_id = gateway_request_id
        .or_else(|| request.lambda_context_ref().map(|c| c.request_id.clone()))
        .filter(|id| !id.is_empty())
        .unwrap_or_else(new_request_id);
    let event_path = match request.raw_http_path() {
        "" => request.uri().path().to_string(),
        path => path.to_string(),
    };
    let (raw_path, route_path) = split_stage(stage.as_deref(), &event_path);
    let raw_query = request.uri().query().unwrap_or_default().to_string();
    let (parts, body) = request.into_parts();
    let body = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    InboundRequest {
        method: parts.method,
        headers: parts.headers,
        default_scheme: "https",
        raw_path,
        route_path,
        raw_query,
        body,
        request_id,
    }
}

/// The path as called (with the stage prefix of a named stage) and the route path (without it).
/// HTTP API events carry the stage in `rawPath`; REST events do not.
fn split_stage(stage: Option<&str>, event_path: &str) -> (String, String) {
    let stage = match stage {
        Some(stage) if !stage.is_empty() && stage != "$default" => stage,
        _ => return (event_path.to_string(), event_path.to_string()),
    };
    let prefix = format!("/{stage}");
    match event_path.strip_prefix(&prefix) {
        Some(rest) if rest.starts_with('/') => (event_path.to_string(), rest.to_string()),
        _ => (format!("{prefix}{event_path}"), event_path.to_string()),
    }
}

/// Converts a handler's response for lambda_http. Text types stay text so API Gateway
/// does not base64 them; anything else (MP3 greetings) is sent as binary.
pub fn lambda_response(response: Response) -> lambda_http::Response<Body> {
    let (parts, body) = response.into_parts();
    let is_text = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.starts_with("text/")
                || ct.starts_with("application/json")
                || ct.starts_with("application/xml")
        });
    let body = if body.is_empty() {
        Body::Empty
    } else if is_text {
        match String::from_utf8(body.to_vec()) {
            Ok(text) => Body::Text(text),
            Err(err) => Body::Binary(err.into_bytes()),
        }
    } else {
        Body::Binary(body.to_vec())
    };
    lambda_http::Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2_event(raw_path: &str, stage: &str, body: &str, base64: bool) -> String {
        serde_json::json!({
            "version": "2.0",
            "routeKey": "POST /webhook/incoming_call",
            "rawPath": raw_path,
            "rawQueryString": "a=%27x%27&b=c+d",
            "headers": {
                "host": "abc123.execute-api.eu-west-1.amazonaws.com",
                "x-forwarded-proto": "https",
                "content-type": "application/x-www-form-urlencoded",
                "x-twilio-signature": "sig"
            },
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "abc123",
                "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
                "domainPrefix": "abc123",
                "http": {"method": "POST", "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": "54.172.60.1", "userAgent": "TwilioProxy/1.1"},
                "requestId": "gw-req-1",
                "routeKey": "POST /webhook/incoming_call",
                "stage": stage,
                "time": "21/Nov/2026:10:00:00 +0000",
                "timeEpoch": 1795255200000u64
            },
            "body": body,
            "isBase64Encoded": base64
        })
        .to_string()
    }

    #[test]
    fn http_api_default_stage_keeps_the_path() {
        let event = v2_event("/webhook/incoming_call", "$default", "CallSid=CA1", false);
        let req = inbound_request(lambda_http::request::from_str(&event).unwrap());
        assert_eq!(req.raw_path, "/webhook/incoming_call");
        assert_eq!(req.route_path, "/webhook/incoming_call");
        assert_eq!(req.request_id, "gw-req-1");
        assert_eq!(
            req.public_url(None),
            "https://abc123.execute-api.eu-west-1.amazonaws.com/webhook/incoming_call?a=%27x%27&b=c+d"
        );
    }

    #[test]
    fn http_api_named_stage_is_kept_in_the_url_and_dropped_for_routing() {
        let event = v2_event("/prod/webhook/incoming_call", "prod", "CallSid=CA1", false);
        let req = inbound_request(lambda_http::request::from_str(&event).unwrap());
        assert_eq!(req.raw_path, "/prod/webhook/incoming_call");
        assert_eq!(req.route_path, "/webhook/incoming_call");
        assert!(req.public_url(None).starts_with(
            "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/webhook/incoming_call?"
        ));
    }

    #[test]
    fn base64_bodies_are_decoded() {
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode("CallSid=CA1&From=%2B972");
        let event = v2_event("/webhook/incoming_call", "$default", &encoded, true);
        let req = inbound_request(lambda_http::request::from_str(&event).unwrap());
        assert_eq!(req.body.as_ref(), b"CallSid=CA1&From=%2B972");
        assert_eq!(req.form().unwrap().get("From"), Some("+972"));
    }

    #[test]
    fn rest_api_events_gain_their_stage_prefix() {
        let event = serde_json::json!({
            "resource": "/webhook/call_status",
            "path": "/webhook/call_status",
            "httpMethod": "POST",
            "headers": {"Host": "abc123.execute-api.eu-west-1.amazonaws.com", "X-Forwarded-Proto": "https"},
            "multiValueHeaders": {"Host": ["abc123.execute-api.eu-west-1.amazonaws.com"], "X-Forwarded-Proto": ["https"]},
            "queryStringParameters": null,
            "multiValueQueryStringParameters": null,
            "pathParameters": null,
            "stageVariables": null,
            "requestContext": {
                "accountId": "123456789012", "resourceId": "r1", "stage": "Prod", "requestId": "rest-req-1",
                "identity": {"sourceIp": "54.172.60.1"}, "resourcePath": "/webhook/call_status",
                "httpMethod": "POST", "apiId": "abc123", "path": "/Prod/webhook/call_status"
            },
            "body": "CallSid=CA1&CallStatus=completed",
            "isBase64Encoded": false
        })
        .to_string();
        let req = inbound_request(lambda_http::request::from_str(&event).unwrap());
        assert_eq!(req.raw_path, "/Prod/webhook/call_status");
        assert_eq!(req.route_path, "/webhook/call_status");
        assert_eq!(req.request_id, "rest-req-1");
        assert_eq!(
            req.public_url(None),
            "https://abc123.execute-api.eu-west-1.amazonaws.com/Prod/webhook/call_status"
        );
    }

    #[test]
    fn twiml_responses_stay_text() {
        let response = lambda_response(crate::http::response::twiml("<Response/>".into()));
        assert!(matches!(response.body(), Body::Text(t) if t == "<Response/>"));
        let empty = lambda_response(crate::http::response::no_content());
        assert!(matches!(empty.body(), Body::Empty));
    }
}
