//! CORS for `/api/*` only: browsers on the origins in `FRONTDESK_ALLOWED_ORIGINS` may call the
//! API with an `Authorization` header. Webhooks never answer with CORS headers.

use http::{header, HeaderValue, Method, StatusCode};

use crate::config::AllowedOrigins;
use crate::http::response::json_error;
use crate::http::{InboundRequest, Response};

const ALLOWED_METHODS: &str = "GET, POST, OPTIONS";
const ALLOWED_HEADERS: &str = "authorization, content-type, idempotency-key";
/// Answer headers a page may read besides the simple ones: a replayed booking says so.
const EXPOSED_HEADERS: &str = "idempotent-replayed";
/// How long a browser may cache a preflight answer.
const MAX_AGE_SECONDS: &str = "600";

/// The request's `Origin` if it is one of `allowed` (exact, case-sensitive match).
fn allowed_origin<'a>(allowed: &AllowedOrigins, request: &'a InboundRequest) -> Option<&'a str> {
    let origin = request.header("origin")?;
    allowed.allows(origin).then_some(origin)
}

/// The answer to an `OPTIONS` preflight: 204 with the CORS headers for an allowed origin,
/// 403 otherwise.
pub fn preflight(allowed: &AllowedOrigins, request: &InboundRequest) -> Response {
    let Some(origin) = allowed_origin(allowed, request) else {
        return json_error(StatusCode::FORBIDDEN, "origin not allowed");
    };
    let mut response = crate::http::response::no_content();
    let headers = response.headers_mut();
    set_origin(headers, origin);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOWED_METHODS),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOWED_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE_SECONDS),
    );
    response
}

/// Adds `Access-Control-Allow-Origin` for an allowed origin; other responses are unchanged
/// (the browser then withholds them from the page).
pub fn apply(
    allowed: &AllowedOrigins,
    request: &InboundRequest,
    mut response: Response,
) -> Response {
    if request.method != Method::OPTIONS {
        if let Some(origin) = allowed_origin(allowed, request) {
            set_origin(response.headers_mut(), origin);
            response.headers_mut().insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(EXPOSED_HEADERS),
            );
        }
    }
    response
}

fn set_origin(headers: &mut http::HeaderMap, origin: &str) {
    if let Ok(value) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        // The answer depends on the Origin, so shared caches must key on it.
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http::HeaderMap;

    fn request(method: Method, origin: Option<&str>) -> InboundRequest {
        let mut headers = HeaderMap::new();
        if let Some(origin) = origin {
            headers.insert("origin", HeaderValue::from_str(origin).unwrap());
        }
        InboundRequest::local(method, "/api/calls", headers, Bytes::new(), "r".into())
    }

    fn origins() -> AllowedOrigins {
        AllowedOrigins::parse(" https://crm.example.com/, ,https://preview.example.com")
    }

    #[test]
    fn a_preflight_from_an_allowed_origin_gets_the_cors_headers() {
        let response = preflight(
            &origins(),
            &request(Method::OPTIONS, Some("https://crm.example.com")),
        );
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let h = response.headers();
        assert_eq!(h["access-control-allow-origin"], "https://crm.example.com");
        assert_eq!(h["access-control-allow-headers"], ALLOWED_HEADERS);
        assert_eq!(h["vary"], "Origin");
    }

    #[test]
    fn other_origins_get_no_cors_headers() {
        let response = preflight(
            &origins(),
            &request(Method::OPTIONS, Some("https://evil.example")),
        );
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(!response
            .headers()
            .contains_key("access-control-allow-origin"));
        let response = apply(
            &origins(),
            &request(Method::GET, Some("https://CRM.example.com")),
            crate::http::response::no_content(),
        );
        assert!(!response
            .headers()
            .contains_key("access-control-allow-origin"));
        let response = apply(
            &origins(),
            &request(Method::GET, None),
            crate::http::response::no_content(),
        );
        assert!(response.headers().is_empty());
    }

    #[test]
    fn an_allowed_origin_sees_the_answer() {
        let response = apply(
            &origins(),
            &request(Method::GET, Some("https://preview.example.com")),
            crate::http::response::no_content(),
        );
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            "https://preview.example.com"
        );
        assert_eq!(
            response.headers()["access-control-expose-headers"],
            EXPOSED_HEADERS
        );
    }
}
