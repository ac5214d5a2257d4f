//! The `frontdesk` command's integration tests, one binary: a module per behaviour, so
//! `cargo test -p frontdesk-cli --test it doctor::` runs one of them. Stand-ins and serve
//! helpers come from `frontdesk-testkit`; `operator` is the local deployment the operator
//! tools look at.
//!
//! `new_user`'s stack walk-through needs `FRONTDESK_TEST_AWS_ENDPOINT` (`./infra/test.sh`, or
//! `eval "$(./infra/moto.sh start)"`).

mod alerts;
mod block;
mod booking;
mod booking_doctor;
mod booking_end_to_end;
mod booking_stack;
mod calendar;
mod call;
mod doctor;
mod inbox;
mod new_user;
mod operator;
mod phone_booking;
mod readme_smoke;
mod reminders;
mod serve_binary;
mod sign_verify;
mod simulate;
mod twilio_configure;

/// The `frontdesk` binary of this package, as a user runs it.
const FRONTDESK: &str = env!("CARGO_BIN_EXE_frontdesk");
