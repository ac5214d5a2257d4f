//! Twilio: request signatures, TwiML, and the gate every Twilio webhook passes through.

pub mod signature;
pub mod twiml;
pub mod webhook;
