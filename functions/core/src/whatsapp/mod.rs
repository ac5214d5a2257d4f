//! WhatsApp over both providers: configuration and the one sending interface
//! ([`send::WhatsAppSender`]) with its Twilio and Meta implementations.

pub mod config;
pub mod send;
