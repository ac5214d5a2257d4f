//! Replying to a customer on WhatsApp from the inbox: whether the 24-hour customer-service
//! window is open (the customer wrote within it), and what is sent for the owner's text: the
//! text itself inside the window, the business's reply template outside it, or nothing.

use time::OffsetDateTime;

use crate::app::App;
use crate::domain::{Business, BusinessId, ConfirmationTemplate, MessageDirection, PhoneNumber};
use crate::store::StoreError;
use crate::whatsapp::send::OutboundBody;

/// How long after a customer's last message WhatsApp takes a free-form reply.
pub const WINDOW: time::Duration = time::Duration::hours(24);

/// The longest reply taken: WhatsApp's limit for a text message.
pub const MAX_REPLY_CHARS: usize = 4096;

/// Whether a free-form WhatsApp message reaches `contact` at `now`: they wrote to the business
/// within the last [`WINDOW`]. Reads the conversation back only as far as the window reaches.
pub async fn window_open(
    app: &App,
    business: &BusinessId,
    contact: &PhoneNumber,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let since = now - WINDOW;
    let mut cursor = None;
    loop {
        let page = app
            .store()
            .conversation_messages(business, contact, 100, cursor.as_deref())
            .await?;
        for message in &page.messages {
            if message.created_at.is_none_or(|at| at < since) {
                return Ok(false);
            }
            if message.direction == Some(MessageDirection::Inbound) {
                return Ok(true);
            }
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(false),
        }
    }
}

/// How the inbox can reply on WhatsApp now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply<'a> {
    /// Inside the window: the text as it is.
    Free,
    /// Outside it: inside the business's reply template.
    Template(&'a ConfirmationTemplate),
    /// Outside it, and the business has no template for its provider.
    Closed,
}

impl<'a> Reply<'a> {
    pub fn of(business: &'a Business, window_open: bool) -> Self {
        match (window_open, business.reply_template()) {
            (true, _) => Self::Free,
            (false, Some(template)) => Self::Template(template),
            (false, None) => Self::Closed,
        }
    }

    /// What is sent for the owner's `text`; `None` when nothing can be.
    pub fn body(&self, text: &str) -> Option<OutboundBody> {
        // A template's variable is one line: WhatsApp refuses new lines and tabs in it.
        let line = || text.split_whitespace().collect::<Vec<_>>().join(" ");
        match self {
            Self::Free => Some(OutboundBody::Text(text.to_string())),
            Self::Template(ConfirmationTemplate::Twilio { content_sid }) => {
                Some(OutboundBody::Content {
                    sid: content_sid.clone(),
                    variables: [("1".to_string(), line())].into(),
                })
            }
            Self::Template(ConfirmationTemplate::Meta { name, language }) => {
                Some(OutboundBody::Template {
                    name: name.clone(),
                    language: language.clone(),
                    components: Some(serde_json::json!([{
                        "type": "body",
                        "parameters": [{ "type": "text", "text": line() }],
                    }])),
                })
            }
            Self::Closed => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn business(template: Option<ConfirmationTemplate>) -> Business {
        let mut business = Business::new(BusinessId::parse("acme").unwrap(), "Acme");
        business.reply_template = template;
        business
    }

    #[test]
    fn inside_the_window_the_text_goes_as_it_is_and_outside_only_in_the_template() {
        let plain = business(None);
        assert_eq!(
            Reply::of(&plain, true).body("hi\nthere"),
            Some(OutboundBody::Text("hi\nthere".into()))
        );
        assert_eq!(Reply::of(&plain, false), Reply::Closed);
        assert_eq!(Reply::of(&plain, false).body("hi"), None);

        let twilio = ConfirmationTemplate::twilio("HX0123456789abcdef0123456789abcdef").unwrap();
        let with_twilio = business(Some(twilio));
        match Reply::of(&with_twilio, false).body("see you\n\ttomorrow") {
            Some(OutboundBody::Content { sid, variables }) => {
                assert_eq!(sid, "HX0123456789abcdef0123456789abcdef");
                assert_eq!(variables["1"], "see you tomorrow", "one line");
            }
            other => panic!("{other:?}"),
        }

        let meta = ConfirmationTemplate::meta("reply_later", "he").unwrap();
        let mut with_meta = business(Some(meta));
        assert_eq!(
            Reply::of(&with_meta, false),
            Reply::Closed,
            "a Meta template is never sent through Twilio"
        );
        with_meta.whatsapp_provider = crate::domain::Provider::Meta;
        match Reply::of(&with_meta, false).body("hi") {
            Some(OutboundBody::Template {
                name, components, ..
            }) => {
                assert_eq!(name, "reply_later");
                assert_eq!(components.unwrap()[0]["parameters"][0]["text"], "hi");
            }
            other => panic!("{other:?}"),
        }
    }
}
