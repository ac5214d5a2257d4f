//! The `frontdesk` command's library: the local server and operator tools.

pub mod alerts;
pub mod block;
pub mod booking;
pub mod business;
pub mod calendar;
pub mod call;
pub mod configure;
pub mod confirmation;
pub mod consumers;
pub mod deployment;
pub mod doctor;
pub mod greeting;
pub mod inbox;
pub mod mp3;
pub mod reminders;
pub mod seed;
pub mod serve;
pub mod signing;
pub mod simulate;
pub mod twilio_rest;

/// A command's failure, printed as one line.
pub type CliError = Box<dyn std::error::Error + Send + Sync>;
