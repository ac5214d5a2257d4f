//! Local HTTP stand-ins for the parties outside this machine, each on `127.0.0.1` and a free
//! port, recording what it was sent.
//!
//! - [`scripted`]: Twilio's media endpoint, the transcription API and a business's receiver,
//!   answering from a script (the consumers' tests);
//! - [`twilio_rest`]: Twilio's REST API for incoming numbers (`twilio configure`, the doctor)
//!   and outbound calls ([`twilio_calls`]: the calls API, `frontdesk call`);
//! - [`provider`]: Twilio's Messages API or Meta's Graph API with one canned answer (the
//!   WhatsApp send API);
//! - [`hook_receiver`]: a business's webhook receiver with a settable answer (the doctor's ping);
//! - [`chat`]: an OpenAI-compatible chat endpoint, the summary model of owner alerts;
//! - [`google`]: Google's token endpoint and Calendar API (the calendar sync, busy times, the
//!   doctor).

pub mod chat;
pub mod google;
pub mod hook_receiver;
pub mod provider;
pub mod scripted;
pub mod twilio_calls;
pub mod twilio_rest;
