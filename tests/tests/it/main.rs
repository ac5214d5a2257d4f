//! Frontdesk end to end, one binary: `frontdesk serve` over real HTTP on both backends, its
//! consumers, and every Lambda bootstrap under a Runtime API emulator. A module per behaviour,
//! so `cargo test -p frontdesk-tests --test it voice_aws::` runs one of them.
//!
//! The AWS modules need `FRONTDESK_TEST_AWS_ENDPOINT` (`./infra/test.sh`, or
//! `eval "$(./infra/moto.sh start)"`).

mod alerts;
mod appointments_api;
mod appointments_api_aws;
mod appointments_api_embedded;
mod calls_api;
mod delivery_order;
mod faults;
mod inbox;
mod lambda_bootstraps;
mod outbound;
mod outbound_aws;
mod outbound_embedded;
mod outbox;
mod reminders_aws;
mod reminders_serve;
mod serve;
mod serve_consumers;
mod voice;
mod voice_aws;
mod voice_booking;
mod voice_booking_aws;
mod voice_embedded;
mod whatsapp;
mod whatsapp_aws;
mod whatsapp_booking;
mod whatsapp_booking_aws;
mod whatsapp_embedded;
