//! Frontdesk core: everything that is not wiring.
//!
//! - [`twilio`] — X-Twilio-Signature, TwiML, the webhook gate.
//! - [`http`] — the request context both front doors build, and response helpers.
//! - [`api`] — API keys, CORS and JSON answers for `/api/*`.
//! - [`routes`] — the route table and dispatch.
//! - [`handlers`] — one async function per route.
//! - [`inbox`] — the owner's inbox pages: sign-in links, sessions, the calls in HTML.
//! - [`phone`] — booking an appointment by phone: the call's turns, said in words.
//! - [`meta`] — Meta's X-Hub-Signature-256 and the WhatsApp Cloud API envelope.
//! - [`whatsapp`] — sending WhatsApp messages (and SMS) through Twilio or Meta.
//! - [`google`] — a business's Google Calendar through a service account.
//! - [`messaging`] — a business's outbound message sent and kept, for every caller.
//! - [`dial`] — a business's outbound call placed through Twilio, paced and kept.
//! - [`worker`] — the queue consumers: transcription, business webhooks and the booking
//!   outbox's follow-ups.
//! - [`telemetry`] — logging.
//! - [`tls`] — the one TLS stack of every outbound connection.

pub mod alerts;
pub mod api;
pub mod app;
pub mod blob;
pub mod booking;
pub mod config;
pub mod dial;
pub mod domain;
pub mod google;
pub mod handlers;
pub mod http;
pub mod inbox;
pub mod jobs;
pub mod lambda;
#[cfg(test)]
mod layers;
pub mod messaging;
pub mod meta;
pub mod phone;
pub mod queue;
pub mod routes;
pub mod store;
pub mod telemetry;
pub mod tls;
pub mod twilio;
pub mod voice;
pub mod whatsapp;
pub mod worker;

pub use app::App;
pub use config::Config;
pub use routes::Route;
