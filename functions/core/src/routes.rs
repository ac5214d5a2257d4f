//! The routes bound to their handlers: the route table ([`crate::http::routes`]) says where each
//! route lives; this module says who answers it, serves a request inside its span, and answers
//! for a handler that failed. `frontdesk serve` dispatches on it; each Lambda runs one route.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use http::Method;
use tracing::{error, info, Instrument};

pub use crate::http::routes::{path_matches, resolve, NoRoute, Route, RouteSpec, ROUTES};

use crate::app::App;
use crate::domain::business::{DEFAULT_LANGUAGE, DEFAULT_THANKS_TEXT};
use crate::handlers;
use crate::http::{response, InboundRequest, Response};
use crate::voice;

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
                |app, request| Box::pin(handlers::handle_recording::handle_recording(app, request))
            }
            Route::RecordingStatus => {
                |app, request| Box::pin(handlers::recording_status::recording_status(app, request))
            }
            Route::CallStatus => {
                |app, request| Box::pin(handlers::call_status::call_status(app, request))
            }
            Route::Gather => |app, request| Box::pin(handlers::gather::gather(app, request)),
            Route::VoiceBooking => {
                |app, request| Box::pin(handlers::voice_booking::voice_booking(app, request))
            }
            Route::OutboundCall => {
                |app, request| Box::pin(handlers::outbound_call::outbound_call(app, request))
            }
            Route::Greeting => |app, request| Box::pin(handlers::greeting::greeting(app, request)),
            Route::WhatsAppIncoming => {
                |app, request| Box::pin(handlers::whatsapp_incoming::incoming(app, request))
            }
            Route::WhatsAppStatus => {
                |app, request| Box::pin(handlers::whatsapp_status::status(app, request))
            }
            Route::MetaWhatsApp => |app, request| {
                if request.method == Method::GET {
                    Box::pin(handlers::meta_whatsapp::verify_subscription(app, request))
                } else {
                    Box::pin(handlers::meta_whatsapp::notification(app, request))
                }
            },
            Route::WhatsAppMessages => {
                |app, request| Box::pin(handlers::whatsapp_messages::messages(app, request))
            }
            Route::ApiCalls => |app, request| {
                if request.method == Method::POST {
                    Box::pin(handlers::api_calls::place_call(app, request))
                } else {
                    Box::pin(handlers::api_calls::list_calls(app, request))
                }
            },
            Route::ApiCall => |app, request| Box::pin(handlers::api_call::get_call(app, request)),
            Route::ApiAvailability => {
                |app, request| Box::pin(handlers::api_availability::availability(app, request))
            }
            Route::ApiAppointments => {
                |app, request| Box::pin(handlers::api_appointments::appointments(app, request))
            }
            Route::ApiAppointmentCancel => {
                |app, request| Box::pin(handlers::api_appointment_cancel::cancel(app, request))
            }
            Route::ApiAppointmentReschedule => |app, request| {
                Box::pin(handlers::api_appointment_reschedule::reschedule(
                    app, request,
                ))
            },
            Route::InboxLogin => {
                |app, request| Box::pin(handlers::inbox_login::login(app, request))
            }
            Route::Inbox => {
                |app, request| Box::pin(handlers::inbox_calls::calls_page(app, request))
            }
            Route::InboxCall => {
                |app, request| Box::pin(handlers::inbox_call::call_page(app, request))
            }
            Route::InboxCallHandled => {
                |app, request| Box::pin(handlers::inbox_handled::mark(app, request))
            }
            Route::InboxLogout => {
                |app, request| Box::pin(handlers::inbox_logout::logout(app, request))
            }
            Route::InboxAppointments => {
                |app, request| Box::pin(handlers::inbox_appointments::week(app, request))
            }
            Route::InboxAppointmentCancel => {
                |app, request| Box::pin(handlers::inbox_appointment_cancel::cancel(app, request))
            }
            Route::InboxUpdates => {
                |app, request| Box::pin(handlers::inbox_updates::updates(app, request))
            }
            Route::InboxScript => {
                |app, request| Box::pin(handlers::inbox_script::script(app, request))
            }
            Route::InboxCustomers => {
                |app, request| Box::pin(handlers::inbox_customers::customers_page(app, request))
            }
            Route::InboxSearch => {
                |app, request| Box::pin(handlers::inbox_search::search_page(app, request))
            }
            Route::InboxCustomer => {
                |app, request| Box::pin(handlers::inbox_customer::customer_page(app, request))
            }
            Route::InboxCustomerReply => {
                |app, request| Box::pin(handlers::inbox_customer_reply::reply(app, request))
            }
            Route::InboxCustomerCall => {
                |app, request| Box::pin(handlers::inbox_customer_call::call_back(app, request))
            }
            Route::InboxCustomerBlock => {
                |app, request| Box::pin(handlers::inbox_customer_block::block(app, request))
            }
        }
    }

    /// The inbox's pages with their handlers: the `inbox` function serves them all.
    pub const INBOX_HANDLERS: [RouteHandler; 15] = [
        Route::InboxLogin.with_handler(),
        Route::Inbox.with_handler(),
        Route::InboxCall.with_handler(),
        Route::InboxCallHandled.with_handler(),
        Route::InboxLogout.with_handler(),
        Route::InboxAppointments.with_handler(),
        Route::InboxAppointmentCancel.with_handler(),
        Route::InboxUpdates.with_handler(),
        Route::InboxScript.with_handler(),
        Route::InboxCustomers.with_handler(),
        Route::InboxSearch.with_handler(),
        Route::InboxCustomer.with_handler(),
        Route::InboxCustomerReply.with_handler(),
        Route::InboxCustomerCall.with_handler(),
        Route::InboxCustomerBlock.with_handler(),
    ];

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
            Route::IncomingCall | Route::VoiceBooking => voice::safe_voicemail(app, request),
            Route::HandleRecording | Route::Gather => {
                voice::thanks(DEFAULT_THANKS_TEXT, DEFAULT_LANGUAGE)
            }
            Route::RecordingStatus | Route::CallStatus => response::no_content(),
            // A callee whose message cannot be found is hung up on, not played an error.
            Route::OutboundCall => response::twiml(crate::dial::answer::unknown().to_xml()),
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
            // A booking that failed half-way is safe to retry with its Idempotency-Key: the
            // store kept all of it or none, and a retry of a kept one answers as a replay.
            Route::ApiCalls
            | Route::ApiCall
            | Route::ApiAvailability
            | Route::ApiAppointments
            | Route::ApiAppointmentCancel
            | Route::ApiAppointmentReschedule => response::json_error(
                http::StatusCode::SERVICE_UNAVAILABLE,
                "handler failed; try again",
            ),
            Route::InboxLogin
            | Route::Inbox
            | Route::InboxCall
            | Route::InboxCallHandled
            | Route::InboxLogout
            | Route::InboxAppointments
            | Route::InboxAppointmentCancel
            | Route::InboxUpdates
            | Route::InboxScript
            | Route::InboxCustomers
            | Route::InboxSearch
            | Route::InboxCustomer
            | Route::InboxCustomerReply
            | Route::InboxCustomerCall
            | Route::InboxCustomerBlock => response::unavailable("the inbox failed; try again"),
        }
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
