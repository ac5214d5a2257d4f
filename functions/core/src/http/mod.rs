//! The request context every handler receives, and the responses it may give.
//!
//! Both front doors build the same [`InboundRequest`]: the Lambda edge (`lambda::http`) from an
//! API Gateway event, and `frontdesk serve` from a local HTTP request.

pub mod form;
pub mod response;
pub mod routes;

use bytes::Bytes;
use http::{HeaderMap, Method};

pub use form::{FormError, FormParams};
pub use response::Response;

use crate::config::PublicBaseUrl;

/// Largest form body a Twilio webhook accepts. Twilio's own requests are a few KiB.
pub const MAX_FORM_BODY: usize = 64 * 1024;

/// A fresh request id for requests that arrive without one.
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// An HTTP request as received, with what is needed to rebuild the exact URL that was called.
#[derive(Clone, Debug)]
pub struct InboundRequest {
    pub method: Method,
    pub headers: HeaderMap,
    /// `https` on API Gateway, `http` for the local server; `X-Forwarded-Proto` overrides it.
    pub default_scheme: &'static str,
    /// The path as the client sent it, percent-encoding untouched, including any stage prefix.
    pub raw_path: String,
    /// The path used for routing and for `PUBLIC_BASE_URL`: `raw_path` less any stage prefix.
    pub route_path: String,
    /// The query string as the client sent it, without the `?`.
    pub raw_query: String,
    pub body: Bytes,
    /// The Lambda / API Gateway request id, or one made up by the local server.
    pub request_id: String,
}

impl InboundRequest {
    /// A request for local use and tests: no stage, so `route_path == raw_path`.
    pub fn local(
        method: Method,
        path_and_query: &str,
        headers: HeaderMap,
        body: Bytes,
        request_id: String,
    ) -> Self {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        Self {
            method,
            headers,
            default_scheme: "http",
            raw_path: path.to_string(),
            route_path: path.to_string(),
            raw_query: query.to_string(),
            body,
            request_id,
        }
    }

    /// A header's value, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `I-Twilio-Idempotency-Token`: constant across Twilio's retries of one webhook.
    pub fn idempotency_token(&self) -> Option<&str> {
        self.header("i-twilio-idempotency-token")
            .filter(|t| !t.is_empty())
    }

    /// The exact public URL that was called, as Twilio signed it.
    ///
    /// With `PUBLIC_BASE_URL` (a proxy or custom domain in front): base + route path + query.
    /// Otherwise: scheme (`X-Forwarded-Proto`, else the front door's default), `Host`,
    /// the raw path including any stage, and the raw query. A forged Host header only yields
    /// a URL whose signature cannot match.
    pub fn public_url(&self, base: Option<&PublicBaseUrl>) -> String {
        let mut url = match base {
            Some(base) => base.join(&self.route_path),
            None => {
                let mut url = self.origin();
                url.push_str(&self.raw_path);
                url
            }
        };
        if !self.raw_query.is_empty() {
            url.push('?');
            url.push_str(&self.raw_query);
        }
        url
    }

    /// The public URL of another route of this deployment, for TwiML callbacks: the same
    /// origin and stage prefix as this request, so neither is ever lost.
    pub fn public_url_of(&self, base: Option<&PublicBaseUrl>, route_path: &str) -> String {
        match base {
            Some(base) => base.join(route_path),
            None => {
                let stage_prefix = self
                    .raw_path
                    .strip_suffix(self.route_path.as_str())
                    .unwrap_or_default();
                let mut url = self.origin();
                url.push_str(stage_prefix);
                url.push_str(route_path);
                url
            }
        }
    }

    /// `scheme://host` as this request arrived.
    fn origin(&self) -> String {
        let scheme = self
            .header("x-forwarded-proto")
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .unwrap_or(self.default_scheme);
        let host = self.header("host").unwrap_or_default();
        format!("{scheme}://{host}")
    }

    /// The body as form pairs, or the one-line reason it is not one.
    pub fn form(&self) -> Result<FormParams, String> {
        if self.body.len() > MAX_FORM_BODY {
            return Err(format!(
                "body of {} bytes is over the {} byte limit",
                self.body.len(),
                MAX_FORM_BODY
            ));
        }
        if let Some(content_type) = self.header("content-type") {
            let mime = content_type.split(';').next().unwrap_or_default().trim();
            if !mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
                return Err(format!(
                    "expected an application/x-www-form-urlencoded body, got `{mime}`"
                ));
            }
        }
        form::parse(&self.body).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn request(path_and_query: &str, headers: &[(&'static str, &str)]) -> InboundRequest {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        InboundRequest::local(
            Method::POST,
            path_and_query,
            map,
            Bytes::new(),
            "req-1".into(),
        )
    }

    #[test]
    fn public_url_keeps_raw_path_and_query_bytes() {
        let req = request(
            "/webhook/x%20y?a=%27b%27&c=d+e",
            &[("host", "abc.ngrok.app")],
        );
        assert_eq!(
            req.public_url(None),
            "http://abc.ngrok.app/webhook/x%20y?a=%27b%27&c=d+e"
        );
    }

    #[test]
    fn forwarded_proto_sets_the_scheme() {
        let req = request(
            "/h",
            &[("host", "h.example"), ("x-forwarded-proto", "https, http")],
        );
        assert_eq!(req.public_url(None), "https://h.example/h");
    }

    #[test]
    fn public_base_url_replaces_scheme_host_and_stage() {
        let mut req = request("/prod/webhook/a?x=1", &[("host", "internal")]);
        req.route_path = "/webhook/a".into();
        let base = PublicBaseUrl::parse("https://api.example.com/frontdesk").unwrap();
        assert_eq!(
            req.public_url(Some(&base)),
            "https://api.example.com/frontdesk/webhook/a?x=1"
        );
    }

    #[test]
    fn callback_urls_keep_the_stage_prefix() {
        let mut req = request(
            "/prod/webhook/incoming_call",
            &[("host", "abc.execute-api.eu-west-1.amazonaws.com")],
        );
        req.default_scheme = "https";
        req.route_path = "/webhook/incoming_call".into();
        assert_eq!(
            req.public_url_of(None, "/webhook/handle_recording"),
            "https://abc.execute-api.eu-west-1.amazonaws.com/prod/webhook/handle_recording"
        );
    }

    #[test]
    fn form_rejects_other_content_types_and_oversized_bodies() {
        let mut req = request("/h", &[("content-type", "application/json")]);
        req.body = Bytes::from_static(b"a=1");
        assert!(req.form().unwrap_err().contains("application/json"));
        let mut req = request(
            "/h",
            &[(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )],
        );
        req.body = Bytes::from(vec![b'a'; MAX_FORM_BODY + 1]);
        assert!(req
            .form()
            .unwrap_err()
            .contains("over the 65536 byte limit"));
    }
}
