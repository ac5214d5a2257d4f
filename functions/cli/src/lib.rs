//! The `frontdesk` command's library: the local server and operator tools.

pub mod configure;
pub mod consumers;
pub mod seed;
pub mod serve;
pub mod twilio_rest;
