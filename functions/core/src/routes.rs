//! The route table: every path Frontdesk serves, the Lambda function that serves it, and the
//! handler both front doors call. `frontdesk serve` dispatches on it; each Lambda runs one route.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use http::Method;
use tracing::{error, info, Instrument};

use crate::app::App;
use crate::domain::business::{DEFAULT_LANGUAGE, DEFAULT_THANKS_TEXT};
use crate::handlers::{self, voice};
use crate::http::{response, InboundRequest, Response};

/// A route Frontdesk serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    Health,
    IncomingCall,
    HandleRecording,
    RecordingStatus,
    CallStatus,
    Gather,
    Greeting,
    WhatsAppIncoming,
    WhatsAppStatus,
    MetaWhatsApp,
    WhatsAppMessages,
    ApiCalls,
    ApiCall,
}

/// Where a route lives and who calls it.
#[derive(Debug)]
pub struct RouteSpec {
    pub route: Route,
    pub methods: &'static [Method],
    /// A path pattern; `{name}` matches one non-empty segment part.
    pub path: &'static str,
    /// The function crate under `functions/` that serves this route on Lambda.
    pub function: &'static str,
    /// True for routes to paste into the Twilio console or Meta app.
    pub webhook: bool,
}

pub const ROUTES: &[RouteSpec] = &[
    RouteSpec {
        route: Route::Health,
        methods: &[Method::GET, Method::HEAD],
        path: "/health",
        function: "health",
        webhook: false,
    },
    RouteSpec {
        route: Route::IncomingCall,
        methods: &[Method::POST],
        path: "/webhook/incoming_call",
        function: "incoming-call",
        webhook: true,
    },
    RouteSpec {
        route: Route::HandleRecording,
        methods: &[Method::POST],
        path: voice::HANDLE_RECORDING_PATH,
        function: "handle-recording",
        webhook: true,
    },
    RouteSpec {
        route: Route::RecordingStatus,
        methods: &[Method::POST],
        path: voice::RECORDING_STATUS_PATH,
        function: "recording-status",
        webhook: true,
    },
    RouteSpec {
        route: Route::CallStatus,
        methods: &[Method::POST],
        path: "/webhook/call_status",
        function: "call-status",
        webhook: true,
    },
    RouteSpec {
        route: Route::Gather,
        methods: &[Method::POST],
        path: voice::GATHER_PATH,
        function: "gather",
        webhook: true,
    },
    RouteSpec {
        route: Route::Greeting,
        methods: &[Method::GET, Method::HEAD],
        path: "/greetings/{business}.mp3",
        function: "greeting",
        webhook: false,
    },
    RouteSpec {
        route: Route::WhatsAppIncoming,
        methods: &[Method::POST],
        path: handlers::whatsapp::INCOMING_PATH,
        function: "whatsapp-incoming",
        webhook: true,
    },
    RouteSpec {
        route: Route::WhatsAppStatus,
        methods: &[Method::POST],
        path: handlers::whatsapp::STATUS_PATH,
        function: "whatsapp-status",
        webhook: true,
    },
    RouteSpec {
        route: Route::MetaWhatsApp,
        methods: &[Method::GET, Method::POST],
        path: handlers::meta_whatsapp::PATH,
        function: "meta-whatsapp",
        webhook: true,
    },
    RouteSpec {
        route: Route::WhatsAppMessages,
        methods: &[Method::GET, Method::POST, Method::OPTIONS],
        path: handlers::whatsapp_api::PATH,
        function: "whatsapp-messages",
        webhook: false,
    },
    RouteSpec {
        route: Route::ApiCalls,
        methods: &[Method::GET, Method::OPTIONS],
        path: handlers::calls_api::LIST_PATH,
        function: "api-calls",
        webhook: false,
    },
    RouteSpec {
        route: Route::ApiCall,
        methods: &[Method::GET, Method::OPTIONS],
        path: handlers::calls_api::CALL_PATH,
        function: "api-call",
        webhook: false,
    },
];

/// A route's handler: a plain async function behind a pointer, so the one table of routes can
/// hand out any of them.
pub type Handler = for<'a> fn(&'a App, &'a InboundRequest) -> HandlerFuture<'a>;
pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Response> + Send + 'a>>;

/// A route and its handler, fixed together.
#[derive(Clone, Copy, Debug)]
pub struct RouteHandler {
    pub route: Route,
    pub handler: Handler,
}

impl Route {
    pub fn spec(self) -> &'static RouteSpec {
        ROUTES
            .iter()
            .find(|spec| spec.route == self)
            .expect("every route has a spec")
    }

    /// The route's handler. A `const` function, so a Lambda can fix its route's handler at
    /// compile time (`const { Route::Greeting.with_handler() }`) and link that handler alone;
    /// `frontdesk serve` picks it per request.
    pub const fn handler(self) -> Handler {
        match self {
            Route::Health => |app, request| Box::pin(handlers::health::health(app, request)),
            Route::IncomingCall => {
                |app, request| Box::pin(handlers::incoming_call::incoming_call(app, request))
            }
            Route::HandleRecording => {
                |app, request| Box::pin(handlers::recording::handle_recording(app, request))
            }
            Route::RecordingStatus => {
                |app, request| Box::pin(handlers::recording::recording_status(app, request))
            }
            Route::CallStatus => {
                |app, request| Box::pin(handlers::call_status::call_status(app, request))
            }
            Route::Gather => |app, request| Box::pin(handlers::gather::gather(app, request)),
            Route::Greeting => |app, request| Box::pin(handlers::greeting::greeting(app, request)),
            Route::WhatsAppIncoming => {
                |app, request| Box::pin(handlers::whatsapp::incoming(app, request))
            }
            Route::WhatsAppStatus => {
                |app, request| Box::pin(handlers::whatsapp::status(app, request))
            }
            Route::MetaWhatsApp => |app, request| {
                if request.method == Method::GET {
                    Box::pin(handlers::meta_whatsapp::verify_subscription(app, request))
                } else {
                    Box::pin(handlers::meta_whatsapp::notification(app, request))
                }
            },
            Route::WhatsAppMessages => {
                |app, request| Box::pin(handlers::whatsapp_api::messages(app, request))
            }
            Route::ApiCalls => {
                |app, request| Box::pin(handlers::calls_api::list_calls(app, request))
            }
            Route::ApiCall => |app, request| Box::pin(handlers::calls_api::get_call(app, request)),
        }
    }

    /// The route with its handler, for one Lambda function's `main`.
    pub const fn with_handler(self) -> RouteHandler {
        RouteHandler {
            route: self,
            handler: self.handler(),
        }
    }

    /// The answer when the handler itself failed: never a 5xx to Twilio.
    fn failure_response(self, app: &App, request: &InboundRequest) -> Response {
        match self {
            Route::IncomingCall => voice::safe_voicemail(app, request),
            Route::HandleRecording | Route::Gather => {
                voice::thanks(DEFAULT_THANKS_TEXT, DEFAULT_LANGUAGE)
            }
            Route::RecordingStatus | Route::CallStatus => response::no_content(),
            Route::Health | Route::Greeting => response::unavailable("handler failed"),
            // No reply rather than an error Twilio would log.
            Route::WhatsAppIncoming => {
                response::twiml(crate::twilio::twiml::MessagingResponse::new().to_xml())
            }
            Route::WhatsAppStatus => response::no_content(),
            // Meta delivers the notification again; storing it is idempotent.
            Route::MetaWhatsApp => response::unavailable("handler failed"),
            Route::WhatsAppMessages => {
                response::json_error(http::StatusCode::INTERNAL_SERVER_ERROR, "handler failed")
            }
            Route::ApiCalls | Route::ApiCall => response::json_error(
                http::StatusCode::SERVICE_UNAVAILABLE,
                "handler failed; try again",
            ),
        }
    }
}

/// Does `path` match `pattern` (`/greetings/{business}.mp3` style)?
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut pattern_segments = pattern.split('/');
    let mut path_segments = path.split('/');
    loop {
        match (pattern_segments.next(), path_segments.next()) {
            (None, None) => return true,
            (Some(p), Some(s)) if segment_matches(p, s) => {}
            _ => return false,
        }
    }
}

fn segment_matches(pattern: &str, segment: &str) -> bool {
    match (pattern.find('{'), pattern.find('}')) {
        (Some(open), Some(close)) if open < close => {
            let (prefix, suffix) = (&pattern[..open], &pattern[close + 1..]);
            segment.len() > prefix.len() + suffix.len()
                && segment.starts_with(prefix)
                && segment.ends_with(suffix)
        }
        _ => pattern == segment,
    }
}

/// Why no route serves a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoRoute {
    /// 404.
    NotFound,
    /// 405, with the methods the path does take.
    MethodNotAllowed(Vec<Method>),
}

impl NoRoute {
    pub fn into_response(self) -> Response {
        match self {
            Self::NotFound => response::not_found(),
            Self::MethodNotAllowed(allowed) => response::method_not_allowed(&allowed),
        }
    }
}

/// The route for a request, or why there is none.
pub fn resolve(method: &Method, path: &str) -> Result<Route, NoRoute> {
    let mut allowed: Vec<Method> = Vec::new();
    for spec in ROUTES.iter().filter(|spec| path_matches(spec.path, path)) {
        if spec.methods.contains(method) {
            return Ok(spec.route);
        }
        allowed.extend(spec.methods.iter().cloned());
    }
    if allowed.is_empty() {
        Err(NoRoute::NotFound)
    } else {
        Err(NoRoute::MethodNotAllowed(allowed))
    }
}

/// Routes and serves a request (the local server's entry point).
pub async fn dispatch(app: &App, request: InboundRequest) -> Response {
    match resolve(&request.method, &request.route_path) {
        Ok(route) => serve(app, route.with_handler(), request).await,
        Err(no_route) => {
            let response = no_route.into_response();
            info!(
                request_id = %request.request_id,
                method = %request.method,
                path = %request.route_path,
                status = response.status().as_u16(),
                "no route"
            );
            response
        }
    }
}

/// Serves one request on a known route inside its request span. A panicking handler is
/// caught and answered with the route's safe response.
pub async fn serve(app: &App, route: RouteHandler, request: InboundRequest) -> Response {
    let RouteHandler { route, handler } = route;
    let span = tracing::info_span!(
        "request",
        request_id = %request.request_id,
        idempotency_token = request.idempotency_token().unwrap_or_default(),
        route = route.spec().path,
        call_sid = tracing::field::Empty,
    );
    async move {
        let started = Instant::now();
        let task_app = app.clone();
        let task_request = request.clone();
        let task =
            tokio::spawn(async move { handler(&task_app, &task_request).await }.in_current_span());
        let response = match task.await {
            Ok(response) => response,
            Err(failure) => {
                error!(
                    metric = "handler_failure",
                    error = %failure,
                    "handler failed; safe response served"
                );
                route.failure_response(app, &request)
            }
        };
        info!(
            method = %request.method,
            status = response.status().as_u16(),
            latency_us = started.elapsed().as_micros() as u64,
            "request handled"
        );
        response
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_segments() {
        assert!(path_matches("/health", "/health"));
        assert!(!path_matches("/health", "/health/"));
        assert!(!path_matches("/health", "/healthz"));
        assert!(path_matches(
            "/greetings/{business}.mp3",
            "/greetings/acme.mp3"
        ));
        assert!(!path_matches(
            "/greetings/{business}.mp3",
            "/greetings/.mp3"
        ));
        assert!(!path_matches(
            "/greetings/{business}.mp3",
            "/greetings/acme.wav"
        ));
        assert!(!path_matches(
            "/greetings/{business}.mp3",
            "/greetings/a/b.mp3"
        ));
    }

    #[test]
    fn unknown_paths_are_404_and_wrong_methods_405() {
        assert_eq!(
            resolve(&Method::GET, "/nope").unwrap_err(),
            NoRoute::NotFound
        );
        let wrong = resolve(&Method::POST, "/health")
            .unwrap_err()
            .into_response();
        assert_eq!(wrong.status(), 405);
        assert_eq!(wrong.headers()["allow"], "GET, HEAD");
        assert_eq!(resolve(&Method::HEAD, "/health").unwrap(), Route::Health);
    }

    #[test]
    fn every_route_path_is_unique() {
        let mut paths: Vec<_> = ROUTES.iter().map(|r| r.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), ROUTES.len());
    }
}
