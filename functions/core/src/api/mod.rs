//! The JSON API under `/api/*`, for browsers and CRMs.
//!
//! Public surface, shared by every API route:
//! - [`ApiKey`]: a business's key, generated once and shown once; the store keeps only its
//!   SHA-256 ([`ApiKeyHash`]).
//! - [`authenticate`]: `Authorization: Bearer <key>` → the key's business, or a 401 JSON answer.
//! - [`handle`]: the whole front of an API route: CORS preflight, authentication, CORS headers.
//! - [`cors`]: CORS for the origins in `FRONTDESK_ALLOWED_ORIGINS` (never on webhooks).
//! - JSON answers: [`crate::http::response::json`] and [`crate::http::response::json_error`].
//! - [`calls`], [`appointments`]: each API's JSON, requests read and answers given;
//!   [`follow_ups`]: an appointment's confirmation and calendar event, as listings show them.

pub mod appointments;
pub mod calls;
pub mod cors;
pub mod follow_ups;
pub mod paging;

use std::future::Future;

use http::{header, HeaderValue, Method, StatusCode};
use tracing::{info, warn};

pub use crate::domain::{ApiKey, ApiKeyHash};

use crate::app::App;
use crate::domain::BusinessId;
use crate::http::response::json_error;
use crate::http::{InboundRequest, Response};

/// The business whose API key the request carries, or the 401 (or 503) to answer with.
pub async fn authenticate(app: &App, request: &InboundRequest) -> Result<BusinessId, Response> {
    let unauthorized = |reason: &str| {
        let mut response = json_error(StatusCode::UNAUTHORIZED, reason);
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        response
    };
    let Some(authorization) = request.header("authorization") else {
        return Err(unauthorized("missing Authorization: Bearer <api key>"));
    };
    let Some(token) = bearer_token(authorization) else {
        return Err(unauthorized("Authorization must be `Bearer <api key>`"));
    };
    let Ok(key) = ApiKey::parse(token) else {
        return Err(unauthorized("malformed API key"));
    };
    match app.store().business_by_api_key(&key.hash()).await {
        Ok(Some(business)) => Ok(business),
        Ok(None) => {
            info!("unknown API key presented");
            Err(unauthorized("unknown API key"))
        }
        Err(err) => {
            warn!(error = %err, "API key lookup failed");
            Err(json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "store unavailable; try again",
            ))
        }
    }
}

/// The hash of the API key the request carries (to say who asked, never the key itself).
pub fn key_hash(request: &InboundRequest) -> Option<ApiKeyHash> {
    let token = bearer_token(request.header("authorization")?)?;
    ApiKey::parse(token).ok().map(|key| key.hash())
}

/// 400 with a one-line reason.
pub fn bad_request(reason: &str) -> Response {
    json_error(StatusCode::BAD_REQUEST, reason)
}

/// 503 when the store failed: the client may try again.
pub fn store_unavailable(err: impl std::fmt::Display) -> Response {
    warn!(error = %err, "API: store unavailable");
    json_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "store unavailable; try again",
    )
}

/// `Bearer <token>`, the scheme matched case-insensitively (RFC 7235).
fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Serves an API route: answers a CORS preflight (`OPTIONS`) itself, authenticates the key,
/// runs `handler` with the key's business and adds the CORS headers the origin is allowed.
///
/// ```ignore
/// pub async fn list_calls(app: &App, request: &InboundRequest) -> Response {
///     api::handle(app, request, |business| async move { /* … */ }).await
/// }
/// ```
pub async fn handle<F, Fut>(app: &App, request: &InboundRequest, handler: F) -> Response
where
    F: FnOnce(BusinessId) -> Fut,
    Fut: Future<Output = Response>,
{
    let origins = &app.config().allowed_origins;
    if request.method == Method::OPTIONS {
        return cors::preflight(origins, request);
    }
    let response = match authenticate(app, request).await {
        Ok(business) => handler(business).await,
        Err(rejected) => rejected,
    };
    cors::apply(origins, request, response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearer"), None);
    }
}
