//! Twilio: request signatures, TwiML, the gate every Twilio webhook passes through, and typed
//! views of its webhook parameters.

pub mod params;
pub mod signature;
pub mod twiml;
pub mod webhook;
