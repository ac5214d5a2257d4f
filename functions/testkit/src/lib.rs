//! What Frontdesk's test binaries share, written once: moto set-up ([`aws`], [`stack`]),
//! stand-ins for the parties outside this machine ([`standins`]), `frontdesk serve` on a free
//! port ([`serve`], with the `serve` feature), test configuration ([`config`]), Twilio signing
//! helpers ([`signing`]), the repository's fixtures ([`fixtures`], [`vectors`]), the consumers'
//! world of stand-ins, business and worker ([`workers`]), the booking outbox's
//! ([`follow_ups`]) and names unique to one test ([`unique`]).
//!
//! A dev-dependency only: nothing here ships in a Lambda or the `frontdesk` command.

pub mod aws;
pub mod config;
pub mod faults;
pub mod fixtures;
pub mod follow_ups;
pub mod http;
pub mod logs;
pub mod probe;
#[cfg(feature = "serve")]
pub mod serve;
pub mod signing;
pub mod stack;
pub mod standins;
pub mod unique;
pub mod vectors;
pub mod workers;

pub use config::TEST_TOKEN;
pub use http::http_client;
pub use probe::JobProbe;
#[cfg(feature = "serve")]
pub use serve::TestServer;
pub use stack::Stack;
