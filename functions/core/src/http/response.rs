//! The answers a handler may give. Twilio is only ever given TwiML, 204, 400 or 403.

use bytes::Bytes;
use http::{header, HeaderValue, Method, StatusCode};

pub type Response = http::Response<Bytes>;

pub const TWIML_CONTENT_TYPE: &str = "text/xml; charset=utf-8";
const TEXT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";
pub const JSON_CONTENT_TYPE: &str = "application/json";

fn with_body(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Response {
    let mut response = http::Response::new(body.into());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// 200 with a TwiML document.
pub fn twiml(document: String) -> Response {
    with_body(StatusCode::OK, TWIML_CONTENT_TYPE, document)
}

/// 200 with a plain-text body.
pub fn text(body: impl Into<Bytes>) -> Response {
    with_body(StatusCode::OK, TEXT_CONTENT_TYPE, body)
}

/// 204: accepted, nothing to say (status callbacks).
pub fn no_content() -> Response {
    let mut response = http::Response::new(Bytes::new());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// 400 with a one-line reason.
pub fn bad_request(reason: &str) -> Response {
    let line: String = reason
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect();
    with_body(
        StatusCode::BAD_REQUEST,
        TEXT_CONTENT_TYPE,
        format!("bad request: {line}\n"),
    )
}

/// 403: the request is not from who it claims. No detail is given to the caller.
pub fn forbidden() -> Response {
    with_body(StatusCode::FORBIDDEN, TEXT_CONTENT_TYPE, "forbidden\n")
}

/// 401: the request carries no credential where one is required. No detail is given.
pub fn unauthorized() -> Response {
    with_body(
        StatusCode::UNAUTHORIZED,
        TEXT_CONTENT_TYPE,
        "unauthorized\n",
    )
}

pub fn not_found() -> Response {
    with_body(StatusCode::NOT_FOUND, TEXT_CONTENT_TYPE, "not found\n")
}

/// 405 with the `Allow` header listing the methods the path takes.
pub fn method_not_allowed(allowed: &[Method]) -> Response {
    let mut response = with_body(
        StatusCode::METHOD_NOT_ALLOWED,
        TEXT_CONTENT_TYPE,
        "method not allowed\n",
    );
    let allow = allowed
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if let Ok(value) = HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// 503 for a non-Twilio caller (health checks) when something inside failed.
pub fn unavailable(reason: &str) -> Response {
    with_body(
        StatusCode::SERVICE_UNAVAILABLE,
        TEXT_CONTENT_TYPE,
        format!("unavailable: {reason}\n"),
    )
}

pub const HTML_CONTENT_TYPE: &str = "text/html; charset=utf-8";

/// What every HTML page (the inbox) is sent with: no script runs but the inbox's own file (no
/// inline script, so markup that slipped into a page could not run), it asks only its own
/// origin, nothing is framed, cached or told where the owner came from (a sign-in link's
/// token, a recording's signed URL).
const HTML_HEADERS: &[(&str, &str)] = &[
    (
        "content-security-policy",
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; \
         media-src 'self' https: http:; img-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("cache-control", "no-store"),
];

fn with_html_headers(mut response: Response) -> Response {
    for (name, value) in HTML_HEADERS {
        response
            .headers_mut()
            .insert(*name, HeaderValue::from_static(value));
    }
    response
}

/// `status` with an HTML page.
pub fn html(status: StatusCode, page: String) -> Response {
    with_html_headers(with_body(status, HTML_CONTENT_TYPE, page))
}

/// A static script (the inbox's), cached for a few minutes.
pub fn script(body: &'static str) -> Response {
    let mut response = with_body(StatusCode::OK, "text/javascript; charset=utf-8", body);
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// 303 See Other to `location` (after a form's POST, or a sign-in): the browser GETs it.
pub fn see_other(location: &str) -> Response {
    let mut response = with_html_headers(http::Response::new(Bytes::new()));
    *response.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// `status` with `value` as JSON (the `/api/*` routes).
pub fn json(status: StatusCode, value: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => with_body(status, JSON_CONTENT_TYPE, body),
        Err(_) => json_error(StatusCode::INTERNAL_SERVER_ERROR, "answer not serialisable"),
    }
}

/// `status` with `{"error": "<one line>"}`.
pub fn json_error(status: StatusCode, reason: &str) -> Response {
    let line: String = reason
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect();
    let body = serde_json::json!({ "error": line }).to_string();
    with_body(status, JSON_CONTENT_TYPE, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_request_is_one_line() {
        let response = bad_request("first line\nsecond line");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(response.body().as_ref(), b"bad request: first line\n");
    }

    #[test]
    fn json_errors_are_one_line_json() {
        let response = json_error(StatusCode::NOT_FOUND, "no such call\nsecond");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(response.body().as_ref(), br#"{"error":"no such call"}"#);
        let ok = json(StatusCode::OK, &serde_json::json!({"a": 1}));
        assert_eq!(ok.body().as_ref(), br#"{"a":1}"#);
    }

    #[test]
    fn twiml_is_text_xml() {
        let response = twiml("<Response/>".into());
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/xml; charset=utf-8"
        );
    }

    #[test]
    fn method_not_allowed_lists_the_allowed_methods() {
        let response = method_not_allowed(&[Method::GET, Method::HEAD]);
        assert_eq!(response.headers()[header::ALLOW], "GET, HEAD");
    }
}
