//! WhatsApp over both providers: the one sending interface ([`send::WhatsAppSender`]) with its
//! Twilio and Meta implementations.

pub mod send;
