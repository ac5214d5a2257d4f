//! The core library's integration tests, one binary: a module per behaviour, so
//! `cargo test -p frontdesk --test it contract_aws::` runs one of them. What the binaries of
//! the workspace share (moto, stand-ins, fixtures) is in `frontdesk-testkit`.
//!
//! The AWS modules (`contract_aws`, `workers_aws`, `outbox_aws`) need `FRONTDESK_TEST_AWS_ENDPOINT`:
//! `./infra/test.sh` starts moto and sets it; by hand, `eval "$(./infra/moto.sh start)"`.

mod api_auth;
mod booking;
mod contract;
mod contract_aws;
mod contract_embedded;
mod outbox;
mod outbox_aws;
mod reminders;
mod reminders_aws;
mod sample_events;
mod signature_vectors;
mod template_drift;
mod twiml_structure;
mod webhook_gate;
mod workers_aws;
mod workers_embedded;
