//! Meta's WhatsApp Cloud API: the webhook signature and the notification envelope.

pub mod payload;
pub mod signature;
