//! A messaging `<Response>`: the replies to an inbound message.

use super::verbs::Redirect;
use super::voice::write_redirect;
use super::xml::Xml;
use super::Method;

/// `<Message>`: a reply to an inbound message.
#[derive(Clone, Debug, Default)]
pub struct Message {
    pub body: String,
    pub to: Option<String>,
    pub from: Option<String>,
    pub action: Option<String>,
    pub method: Option<Method>,
    pub media: Vec<String>,
}

impl Message {
    pub fn new(body: impl Into<String>) -> Self {
        Self {
            body: body.into(),
            ..Self::default()
        }
    }
}

/// A messaging `<Response>`. Empty means "no reply".
#[derive(Clone, Debug, Default)]
pub struct MessagingResponse {
    messages: Vec<Message>,
    redirect: Option<Redirect>,
}

impl MessagingResponse {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn message(mut self, message: Message) -> Self {
        self.messages.push(message);
        self
    }

    pub fn redirect(mut self, redirect: Redirect) -> Self {
        self.redirect = Some(redirect);
        self
    }

    pub fn to_xml(&self) -> String {
        let mut xml = Xml::document();
        if self.messages.is_empty() && self.redirect.is_none() {
            xml.out.push_str("<Response/>");
            return xml.out;
        }
        xml.out.push_str("<Response>");
        for m in &self.messages {
            xml.open("Message")
                .attr_opt("to", m.to.as_deref())
                .attr_opt("from", m.from.as_deref())
                .attr_opt("action", m.action.as_deref())
                .attr_opt("method", m.method.map(Method::as_str));
            if m.media.is_empty() {
                xml.text_and_close("Message", &m.body);
            } else {
                xml.end_open();
                xml.open("Body").text_and_close("Body", &m.body);
                for url in &m.media {
                    xml.open("Media").text_and_close("Media", url);
                }
                xml.close("Message");
            }
        }
        if let Some(r) = &self.redirect {
            write_redirect(&mut xml, r);
        }
        xml.out.push_str("</Response>");
        xml.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_with_media_uses_body_and_media_children() {
        let xml = MessagingResponse::new()
            .message(Message {
                media: vec!["https://x/a.jpg".into()],
                ..Message::new("שלום & hi")
            })
            .to_xml();
        assert!(
            xml.contains(
                "<Message><Body>שלום &amp; hi</Body><Media>https://x/a.jpg</Media></Message>"
            ),
            "{xml}"
        );
    }
}
