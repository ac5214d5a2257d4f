//! WhatsApp over both providers: the one sending interface ([`send::WhatsAppSender`]) with its
//! Twilio and Meta implementations, and Meta's interactive messages ([`interactive`]).

pub mod interactive;
pub mod send;
