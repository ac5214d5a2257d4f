//! Stand-ins for the services the `frontdesk` command talks to, shared by the test binaries
//! (each declares `mod support;`).

pub mod twilio_api;
