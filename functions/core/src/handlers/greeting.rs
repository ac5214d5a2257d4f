//! `GET|HEAD /greetings/{business}.mp3`: the business's greeting, as `<Play>` fetches it.

use http::{header, HeaderValue, Method, StatusCode};
use tracing::warn;

use crate::app::App;
use crate::domain::BusinessId;
use crate::http::routes::Route;
use crate::http::{response, InboundRequest, Response};

/// Twilio caches `<Play>` media by its HTTP headers; greetings change rarely, and the ETag
/// makes a changed one cheap to notice.
const CACHE_CONTROL: &str = "public, max-age=300";

pub async fn greeting(app: &App, request: &InboundRequest) -> Response {
    let id = Route::Greeting
        .param(&request.route_path, "business")
        .and_then(|id| BusinessId::parse(id).ok());
    let Some(id) = id else {
        return response::not_found();
    };
    let business = match app.store().business(&id).await {
        Ok(Some(business)) => business,
        Ok(None) => return response::not_found(),
        Err(err) => {
            warn!(error = %err, "greeting lookup failed");
            return response::unavailable("store");
        }
    };
    let Some(key) = business.greeting_key else {
        return response::not_found();
    };
    let head_only = request.method == Method::HEAD;
    let found = if head_only {
        app.greetings()
            .head(&key)
            .await
            .map(|m| m.map(|meta| (meta, bytes::Bytes::new())))
    } else {
        app.greetings()
            .get(&key)
            .await
            .map(|b| b.map(|blob| (blob.meta, blob.body)))
    };
    let (meta, body) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return response::not_found(),
        Err(err) => {
            warn!(error = %err, key, "greeting fetch failed");
            return response::unavailable("blob store");
        }
    };
    let not_modified = request.header("if-none-match").is_some_and(|tags| {
        tags.split(',')
            .any(|t| t.trim() == meta.etag || t.trim() == "*")
    });
    let mut response = http::Response::new(if not_modified {
        bytes::Bytes::new()
    } else {
        body
    });
    *response.status_mut() = if not_modified {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("audio/mpeg"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    if let Ok(etag) = HeaderValue::from_str(&meta.etag) {
        headers.insert(header::ETAG, etag);
    }
    if !not_modified {
        headers.insert(
            header::CONTENT_LENGTH,
            HeaderValue::from(meta.content_length),
        );
    }
    response
}
