//! Stand-ins for the services the `frontdesk` command talks to, shared by the test binaries
//! (each declares `mod support;`).

// Each test binary uses part of what is here.
#![allow(dead_code)]

pub mod operator;
pub mod serve_process;
pub mod twilio_api;
