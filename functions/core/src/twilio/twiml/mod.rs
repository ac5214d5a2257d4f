//! A typed TwiML builder for the verbs Frontdesk uses.
//!
//! Every text and attribute value passes through one escaper, so no caller-supplied string
//! can change the document's structure. Characters XML 1.0 forbids (most C0 controls,
//! U+FFFE, U+FFFF) are dropped, because no escape can carry them. Output matches Twilio's
//! SDKs: the XML declaration directly followed by `<Response>`, lowerCamel attributes,
//! `true`/`false` booleans.
//!
//! The verbs are plain data ([`Say`], [`Record`], [`Gather`]…); [`VoiceResponse`] and
//! [`MessagingResponse`] write them through a small XML writer and its one escaper.

mod escape;
mod messaging;
mod verbs;
mod voice;
mod xml;

pub use escape::xml_safe;
pub use messaging::{Message, MessagingResponse};
pub use verbs::{
    Connect, Dial, Gather, GatherInput, Pause, Play, Prompt, Record, RecordingEvent, Redirect,
    RejectReason, Say, Stream, Trim,
};
pub use voice::VoiceResponse;

/// HTTP method for a callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_response_is_self_closing() {
        assert_eq!(
            VoiceResponse::new().to_xml(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#
        );
        assert_eq!(
            MessagingResponse::new().to_xml(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#
        );
    }
}
