//! The route table as data: every path Frontdesk serves, its methods, and the Lambda function
//! that serves it. Each path is spelled here and nowhere else: TwiML callback URLs, the greeting
//! URL, `serve`'s banner, `simulate`, the template and the tests all ask a [`Route`] for it.
//! The handler bound to each route lives one layer up, in [`crate::routes`].

use http::Method;

use super::{response, Response};

/// A route Frontdesk serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    Health,
    IncomingCall,
    HandleRecording,
    RecordingStatus,
    CallStatus,
    Gather,
    VoiceBooking,
    OutboundCall,
    Greeting,
    WhatsAppIncoming,
    WhatsAppStatus,
    MetaWhatsApp,
    WhatsAppMessages,
    ApiCalls,
    ApiCall,
    ApiAvailability,
    ApiAppointments,
    ApiAppointmentCancel,
    ApiAppointmentReschedule,
    InboxLogin,
    Inbox,
    InboxCall,
    InboxCallHandled,
    InboxLogout,
    InboxAppointments,
    InboxAppointmentCancel,
    InboxUpdates,
    InboxScript,
    InboxCustomers,
    InboxSearch,
    InboxCustomer,
    InboxCustomerReply,
    InboxCustomerCall,
    InboxCustomerBlock,
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
        path: "/webhook/handle_recording",
        function: "handle-recording",
        webhook: true,
    },
    RouteSpec {
        route: Route::RecordingStatus,
        methods: &[Method::POST],
        path: "/webhook/recording_status",
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
        path: "/webhook/gather",
        function: "gather",
        webhook: true,
    },
    RouteSpec {
        route: Route::VoiceBooking,
        methods: &[Method::POST],
        path: "/webhook/voice_booking",
        function: "voice-booking",
        webhook: true,
    },
    RouteSpec {
        route: Route::OutboundCall,
        methods: &[Method::POST],
        path: "/webhook/outbound_call",
        function: "outbound-call",
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
        path: "/webhook/whatsapp/incoming",
        function: "whatsapp-incoming",
        webhook: true,
    },
    RouteSpec {
        route: Route::WhatsAppStatus,
        methods: &[Method::POST],
        path: "/webhook/whatsapp/status",
        function: "whatsapp-status",
        webhook: true,
    },
    RouteSpec {
        route: Route::MetaWhatsApp,
        methods: &[Method::GET, Method::POST],
        path: "/webhook/meta/whatsapp",
        function: "meta-whatsapp",
        webhook: true,
    },
    RouteSpec {
        route: Route::WhatsAppMessages,
        methods: &[Method::GET, Method::POST, Method::OPTIONS],
        path: "/api/whatsapp/messages",
        function: "whatsapp-messages",
        webhook: false,
    },
    RouteSpec {
        route: Route::ApiCalls,
        methods: &[Method::GET, Method::POST, Method::OPTIONS],
        path: "/api/calls",
        function: "api-calls",
        webhook: false,
    },
    RouteSpec {
        route: Route::ApiCall,
        methods: &[Method::GET, Method::OPTIONS],
        path: "/api/calls/{call_sid}",
        function: "api-call",
        webhook: false,
    },
    RouteSpec {
        route: Route::ApiAvailability,
        methods: &[Method::GET, Method::OPTIONS],
        path: "/api/availability",
        function: "api-availability",
        webhook: false,
    },
    RouteSpec {
        route: Route::ApiAppointments,
        methods: &[Method::GET, Method::POST, Method::OPTIONS],
        path: "/api/appointments",
        function: "api-appointments",
        webhook: false,
    },
    RouteSpec {
        route: Route::ApiAppointmentCancel,
        methods: &[Method::POST, Method::OPTIONS],
        path: "/api/appointments/{id}/cancel",
        function: "api-appointment-cancel",
        webhook: false,
    },
    RouteSpec {
        route: Route::ApiAppointmentReschedule,
        methods: &[Method::POST, Method::OPTIONS],
        path: "/api/appointments/{id}/reschedule",
        function: "api-appointment-reschedule",
        webhook: false,
    },
    RouteSpec {
        route: Route::InboxLogin,
        methods: &[Method::GET],
        path: "/inbox/login",
        function: "inbox",
        webhook: false,
    },
    RouteSpec {
        route: Route::Inbox,
        methods: &[Method::GET],
        path: "/inbox",
        function: "inbox",
        webhook: false,
    },
    RouteSpec {
        route: Route::InboxCall,
        methods: &[Method::GET],
        path: "/inbox/calls/{call_sid}",
        function: "inbox",
        webhook: false,
    },
    RouteSpec {
        route: Route::InboxCallHandled,
        methods: &[Method::POST],
        path: "/inbox/calls/{call_sid}/handled",
        function: "inbox",
        webhook: false,
    },
    RouteSpec {
        route: Route::InboxLogout,
        methods: &[Method::POST],
        path: "/inbox/logout",
        function: "inbox",
        webhook: false,
    },
    RouteSpec {
        route: Route::InboxAppointments,
        methods: &[Method::GET],
        path: "/inbox/appointments",
        function: "inbox",
        webhook: false,
    },
    RouteSpec {
        route: Route::InboxAppointmentCancel,
        methods: &[Method::POST],
        path: "/inbox/appointments/{id}/cancel",
        function: "inbox",
        webhook: false,
    },
    RouteSpec {
        route: Route::InboxUpdates,
        methods: &[Method::GET],
        path: "/inbox/updates",
        function: "inbox",
        webhook: false,
    },
    RouteSpec {
        route: Route::InboxScript,
        methods: &[Method::GET],
        path: "/inbox/app.js",
        function: "inbox",
        webhook: false,
    },
    RouteSpec {
        route: Route::InboxCustomers,
        methods: &[Method::GET],
        path: "/inbox/customers",
        function: "inbox",
        webhook: false,
    },
    RouteSpec {
        route: Route::InboxSearch,
        methods: &[Method::GET],
        path: "/inbox/search",
        function: "inbox",
        webhook: false,
    },
    RouteSpec {
        route: Route::InboxCustomer,
        methods: &[Method::GET],
        path: "/inbox/customers/{number}",
        function: "inbox",
        webhook: false,
    },
    RouteSpec {
        route: Route::InboxCustomerReply,
        methods: &[Method::POST],
        path: "/inbox/customers/{number}/reply",
        function: "inbox",
        webhook: false,
    },
    RouteSpec {
        route: Route::InboxCustomerCall,
        methods: &[Method::POST],
        path: "/inbox/customers/{number}/call",
        function: "inbox",
        webhook: false,
    },
    RouteSpec {
        route: Route::InboxCustomerBlock,
        methods: &[Method::POST],
        path: "/inbox/customers/{number}/block",
        function: "inbox",
        webhook: false,
    },
];

impl Route {
    pub fn spec(self) -> &'static RouteSpec {
        ROUTES
            .iter()
            .find(|spec| spec.route == self)
            .expect("every route has a spec")
    }

    /// The route's path pattern, exactly as the table spells it.
    pub fn path(self) -> &'static str {
        self.spec().path
    }

    /// The path with its `{name}` parameters filled: `Route::Greeting.path_with(&[("business",
    /// "acme")])` is `/greetings/acme.mp3`. Values are ids parsed at the edge (no `/`).
    pub fn path_with(self, params: &[(&str, &str)]) -> String {
        let mut path = self.path().to_string();
        for (name, value) in params {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        path
    }

    /// The value of the path parameter `name` in `path`, when `path` is this route's.
    pub fn param<'p>(self, path: &'p str, name: &str) -> Option<&'p str> {
        let pattern = self.path();
        if !path_matches(pattern, path) {
            return None;
        }
        let placeholder = format!("{{{name}}}");
        pattern
            .split('/')
            .zip(path.split('/'))
            .find_map(|(p, s)| {
                let open = p.find(&placeholder)?;
                let suffix = &p[open + placeholder.len()..];
                s.get(open..s.len().checked_sub(suffix.len())?)
            })
            .filter(|value| !value.is_empty())
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

    #[test]
    fn parameters_fill_and_read_back() {
        let path = Route::Greeting.path_with(&[("business", "acme")]);
        assert_eq!(path, "/greetings/acme.mp3");
        assert_eq!(Route::Greeting.param(&path, "business"), Some("acme"));
        assert_eq!(
            Route::ApiCall.param("/api/calls/CA1", "call_sid"),
            Some("CA1")
        );
        assert_eq!(Route::ApiCall.param("/api/calls", "call_sid"), None);
        assert_eq!(
            Route::Greeting.param("/greetings/acme.wav", "business"),
            None
        );
        let cancel = Route::ApiAppointmentCancel.path_with(&[("id", "0192f0c1")]);
        assert_eq!(cancel, "/api/appointments/0192f0c1/cancel");
        assert_eq!(
            Route::ApiAppointmentCancel.param(&cancel, "id"),
            Some("0192f0c1")
        );
        assert_eq!(
            resolve(&Method::POST, &cancel).unwrap(),
            Route::ApiAppointmentCancel
        );
        assert_eq!(
            resolve(&Method::POST, "/api/appointments/0192f0c1/reschedule").unwrap(),
            Route::ApiAppointmentReschedule
        );
        assert_eq!(
            resolve(&Method::POST, "/api/appointments/0192f0c1/delete").unwrap_err(),
            NoRoute::NotFound
        );
        assert_eq!(
            Route::ApiAppointmentCancel.param("/api/appointments//cancel", "id"),
            None
        );
    }

    #[test]
    fn the_inbox_pages_resolve_apart() {
        assert_eq!(resolve(&Method::GET, "/inbox").unwrap(), Route::Inbox);
        assert_eq!(
            resolve(&Method::GET, "/inbox/calls/CA1").unwrap(),
            Route::InboxCall
        );
        assert_eq!(
            resolve(&Method::POST, "/inbox/calls/CA1/handled").unwrap(),
            Route::InboxCallHandled
        );
        assert_eq!(
            resolve(&Method::GET, "/inbox/login").unwrap(),
            Route::InboxLogin
        );
        assert!(matches!(
            resolve(&Method::GET, "/inbox/logout"),
            Err(NoRoute::MethodNotAllowed(_))
        ));
        assert_eq!(
            resolve(&Method::GET, "/inbox/calls").unwrap_err(),
            NoRoute::NotFound
        );
        let customer = Route::InboxCustomer.path_with(&[("number", "+972501234567")]);
        assert_eq!(customer, "/inbox/customers/+972501234567");
        assert_eq!(
            resolve(&Method::GET, &customer).unwrap(),
            Route::InboxCustomer
        );
        assert_eq!(
            Route::InboxCustomer.param(&customer, "number"),
            Some("+972501234567")
        );
        for (action, route) in [
            ("reply", Route::InboxCustomerReply),
            ("call", Route::InboxCustomerCall),
            ("block", Route::InboxCustomerBlock),
        ] {
            assert_eq!(
                resolve(&Method::POST, &format!("{customer}/{action}")).unwrap(),
                route
            );
        }
        assert!(matches!(
            resolve(&Method::GET, &format!("{customer}/block")),
            Err(NoRoute::MethodNotAllowed(_))
        ));
    }
}
