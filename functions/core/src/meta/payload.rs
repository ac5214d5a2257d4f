//! The Cloud API notification envelope: `entry[].changes[].value` with `messages[]`,
//! `statuses[]` and `contacts[]`. Read as JSON values, not closed structs, because Meta adds
//! fields and message types without notice: every entry, change, message and status is
//! visited, known kinds are read, and anything else is kept raw.

use serde_json::Value;
use time::OffsetDateTime;

use crate::domain::time::writable;
use crate::domain::{Media, MessageContent};
use crate::domain::{MessageId, MessageStatus, WhatsAppAddress};

/// A message a customer sent.
#[derive(Clone, Debug, PartialEq)]
pub struct InboundMessage {
    pub id: MessageId,
    pub from: WhatsAppAddress,
    pub at: OffsetDateTime,
    pub content: MessageContent,
    /// The id of the option a reply picked: an interactive `button_reply` or `list_reply`, or
    /// a template button's `payload`. Not stored apart: `content.raw` holds it already.
    pub reply_id: Option<String>,
}

/// A delivery status of a message the business sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusEvent {
    pub id: MessageId,
    pub status: MessageStatus,
    pub at: OffsetDateTime,
    pub recipient: Option<WhatsAppAddress>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

/// One `changes[]` item of field `messages`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Change {
    /// `metadata.phone_number_id`: which business the change is for.
    pub phone_number_id: Option<String>,
    pub display_phone_number: Option<String>,
    pub messages: Vec<InboundMessage>,
    pub statuses: Vec<StatusEvent>,
    /// Items that could not be read (no id, a bad number), with the reason, for the log.
    pub skipped: Vec<String>,
}

/// Every change in a notification, in order.
pub fn parse(body: &[u8]) -> Result<Vec<Change>, String> {
    let root: Value = serde_json::from_slice(body).map_err(|e| format!("body is not JSON: {e}"))?;
    let entries = root
        .get("entry")
        .and_then(Value::as_array)
        .ok_or("no entry[] in the notification")?;
    let mut changes = Vec::new();
    for entry in entries {
        for change in entry
            .get("changes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            changes.push(parse_change(change));
        }
    }
    Ok(changes)
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn string_at(value: &Value, pointer: &str) -> Option<String> {
    str_at(value, pointer).map(str::to_string)
}

/// Meta's `timestamp`: Unix seconds as a string (or a number); now when absent, unreadable or
/// out of the years the stores keep ([`writable`]).
fn timestamp(value: &Value) -> OffsetDateTime {
    let seconds = match value.get("timestamp") {
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(Value::Number(n)) => n.as_i64(),
        _ => None,
    };
    seconds
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(writable)
        .unwrap_or_else(OffsetDateTime::now_utc)
}

fn parse_change(change: &Value) -> Change {
    let value = change.get("value").unwrap_or(&Value::Null);
    let mut out = Change {
        phone_number_id: string_at(value, "/metadata/phone_number_id"),
        display_phone_number: string_at(value, "/metadata/display_phone_number"),
        ..Change::default()
    };
    let contacts = value.get("contacts").and_then(Value::as_array);
    let profile_name = |wa_id: &str| {
        contacts
            .into_iter()
            .flatten()
            .find(|c| str_at(c, "/wa_id") == Some(wa_id))
            .and_then(|c| string_at(c, "/profile/name"))
    };
    for message in value
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match parse_message(message) {
            Ok(mut parsed) => {
                parsed.content.profile_name = profile_name(parsed.from.digits());
                out.messages.push(parsed);
            }
            Err(reason) => out.skipped.push(reason),
        }
    }
    for status in value
        .get("statuses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match parse_status(status) {
            Ok(parsed) => out.statuses.push(parsed),
            Err(reason) => out.skipped.push(reason),
        }
    }
    out
}

fn parse_message(message: &Value) -> Result<InboundMessage, String> {
    let id = str_at(message, "/id").ok_or("a message without an id")?;
    let id = MessageId::parse(id).map_err(|e| e.to_string())?;
    let from = str_at(message, "/from").ok_or_else(|| format!("message {id} has no from"))?;
    let from = WhatsAppAddress::parse(from).map_err(|e| format!("message {id}: {e}"))?;
    let kind = str_at(message, "/type").unwrap_or("unknown").to_string();
    let mut content = MessageContent {
        kind: kind.clone(),
        context_id: string_at(message, "/context/id"),
        raw: message.clone(),
        ..MessageContent::default()
    };
    let mut reply_id = None;
    match kind.as_str() {
        "text" => content.body = string_at(message, "/text/body"),
        "interactive" => {
            let reply = message
                .pointer("/interactive/button_reply")
                .or_else(|| message.pointer("/interactive/list_reply"));
            content.body = reply.and_then(|r| string_at(r, "/title"));
            reply_id = reply.and_then(|r| string_at(r, "/id"));
        }
        "button" => {
            content.body = string_at(message, "/button/text");
            reply_id = string_at(message, "/button/payload");
        }
        "image" | "video" | "audio" | "document" | "sticker" => {
            let media = message.get(&kind).unwrap_or(&Value::Null);
            content.body = string_at(media, "/caption");
            content.media.push(Media {
                url: None,
                id: string_at(media, "/id"),
                content_type: string_at(media, "/mime_type"),
                caption: string_at(media, "/caption"),
            });
        }
        "location" => {
            let location = message.get("location").unwrap_or(&Value::Null);
            let coordinates = match (location.get("latitude"), location.get("longitude")) {
                (Some(lat), Some(long)) => Some(format!("{lat},{long}")),
                _ => None,
            };
            content.body = string_at(location, "/name")
                .or_else(|| string_at(location, "/address"))
                .or(coordinates);
        }
        "reaction" => {
            content.body = string_at(message, "/reaction/emoji");
            content.context_id = string_at(message, "/reaction/message_id");
        }
        // Kept raw: contacts, order, system, unsupported, and kinds Meta adds later.
        _ => {}
    }
    Ok(InboundMessage {
        id,
        from,
        at: timestamp(message),
        content,
        reply_id,
    })
}

fn parse_status(status: &Value) -> Result<StatusEvent, String> {
    let id = str_at(status, "/id").ok_or("a status without an id")?;
    let id = MessageId::parse(id).map_err(|e| e.to_string())?;
    let raw_status = str_at(status, "/status").unwrap_or_default();
    let parsed = MessageStatus::parse(raw_status)
        .filter(|s| {
            matches!(
                s,
                MessageStatus::Sent
                    | MessageStatus::Delivered
                    | MessageStatus::Read
                    | MessageStatus::Failed
            )
        })
        .ok_or_else(|| format!("status `{raw_status}` of {id} is not one Frontdesk tracks"))?;
    let error = status
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|errors| errors.first());
    Ok(StatusEvent {
        id,
        status: parsed,
        at: timestamp(status),
        recipient: str_at(status, "/recipient_id").and_then(|r| WhatsAppAddress::parse(r).ok()),
        error_code: error.and_then(|e| match e.get("code") {
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        }),
        error_message: error.and_then(|e| {
            string_at(e, "/error_data/details")
                .or_else(|| string_at(e, "/message"))
                .or_else(|| string_at(e, "/title"))
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BATCH: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"\u05d3\u05e0\u05d4 \ud83c\udf38"},"wa_id":"972501234567"}],"messages":[{"from":"972501234567","id":"wamid.TEXT1","timestamp":"1795255200","text":{"body":"\u05e9\u05dc\u05d5\u05dd \ud83d\udc4b"},"type":"text"},{"context":{"from":"15550783881","id":"wamid.ASK1"},"from":"972501234567","id":"wamid.BTN1","timestamp":"1795255201","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"yes","title":"\u05db\u05df"}}},{"from":"972501234567","id":"wamid.LIST1","timestamp":"1795255202","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"slot-9","title":"9:00","description":"Sunday"}}},{"from":"972501234567","id":"wamid.QR1","timestamp":"1795255203","type":"button","button":{"text":"Confirm","payload":"CONFIRM"}},{"from":"972501234567","id":"wamid.IMG1","timestamp":"1795255204","type":"image","image":{"caption":"x-ray","mime_type":"image/jpeg","sha256":"abc","id":"1234"}},{"from":"972501234567","id":"wamid.LOC1","timestamp":"1795255205","type":"location","location":{"latitude":32.08,"longitude":34.78,"name":"Clinic"}},{"from":"972501234567","id":"wamid.REACT1","timestamp":"1795255206","type":"reaction","reaction":{"message_id":"wamid.OUT1","emoji":"\ud83d\udc4d"}},{"from":"972501234567","id":"wamid.NEW1","timestamp":"1795255207","type":"hologram","hologram":{"shape":"cube"}},{"from":"972501234567","timestamp":"1795255208","type":"text","text":{"body":"no id"}}]},"field":"messages"}]},{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.OUT1","status":"read","timestamp":"1795255300","recipient_id":"972501234567"},{"id":"wamid.OUT2","status":"failed","timestamp":"1795255301","recipient_id":"972501234567","errors":[{"code":131047,"title":"Re-engagement message","error_data":{"details":"More than 24 hours have passed"}}]}]},"field":"messages"}]}]}"#;

    #[test]
    fn every_entry_change_message_and_status_is_read() {
        let changes = parse(BATCH.as_bytes()).unwrap();
        assert_eq!(changes.len(), 2);
        let first = &changes[0];
        assert_eq!(first.phone_number_id.as_deref(), Some("106540352242922"));
        let bodies: Vec<(&str, Option<&str>)> = first
            .messages
            .iter()
            .map(|m| (m.content.kind.as_str(), m.content.body.as_deref()))
            .collect();
        assert_eq!(
            bodies,
            [
                ("text", Some("שלום 👋")),
                ("interactive", Some("כן")),
                ("interactive", Some("9:00")),
                ("button", Some("Confirm")),
                ("image", Some("x-ray")),
                ("location", Some("Clinic")),
                ("reaction", Some("👍")),
                ("hologram", None),
            ]
        );
        assert_eq!(first.skipped.len(), 1, "{:?}", first.skipped);
        let reply_ids: Vec<Option<&str>> = first
            .messages
            .iter()
            .map(|m| m.reply_id.as_deref())
            .collect();
        assert_eq!(
            reply_ids,
            [
                None,
                Some("yes"),
                Some("slot-9"),
                Some("CONFIRM"),
                None,
                None,
                None,
                None
            ]
        );
        let text = &first.messages[0];
        assert_eq!(text.from.address(), "whatsapp:+972501234567");
        assert_eq!(text.content.profile_name.as_deref(), Some("דנה 🌸"));
        assert_eq!(text.at.unix_timestamp(), 1_795_255_200);
        assert_eq!(
            first.messages[1].content.context_id.as_deref(),
            Some("wamid.ASK1")
        );
        assert_eq!(
            first.messages[4].content.media[0].id.as_deref(),
            Some("1234")
        );
        assert_eq!(
            first.messages[6].content.context_id.as_deref(),
            Some("wamid.OUT1")
        );
        assert_eq!(first.messages[7].content.raw["hologram"]["shape"], "cube");

        let statuses = &changes[1].statuses;
        assert_eq!(statuses.len(), 2);
        assert_eq!(statuses[0].status, MessageStatus::Read);
        assert_eq!(statuses[1].status, MessageStatus::Failed);
        assert_eq!(statuses[1].error_code.as_deref(), Some("131047"));
        assert_eq!(
            statuses[1].error_message.as_deref(),
            Some("More than 24 hours have passed")
        );
    }

    #[test]
    fn odd_envelopes_are_errors_or_empty_not_panics() {
        assert!(parse(b"not json").is_err());
        assert!(parse(b"{}").is_err());
        assert_eq!(
            parse(br#"{"entry":[{"changes":[{"field":"account_update"}]}]}"#)
                .unwrap()
                .len(),
            1
        );
        let change = &parse(br#"{"entry":[{"changes":[{"value":{"statuses":[{"id":"wamid.X","status":"deleted"}]}}]}]}"#).unwrap()[0];
        assert!(change.statuses.is_empty());
        assert_eq!(change.skipped.len(), 1);
    }

    #[test]
    fn a_timestamp_outside_the_years_the_stores_keep_reads_as_now() {
        let at = |timestamp: &str| {
            let body = format!(
                r#"{{"entry":[{{"changes":[{{"value":{{"statuses":[{{"id":"wamid.X","status":"read","timestamp":{timestamp}}}]}}}}]}}]}}"#
            );
            parse(body.as_bytes()).unwrap()[0].statuses[0].at
        };
        assert_eq!(at(r#""9223372036""#).year(), 2262);
        assert_eq!(at("0").unix_timestamp(), 0);
        let before = OffsetDateTime::now_utc();
        for unwritable in [
            r#""-62167219201""#,
            "-377705116800",
            r#""253402300799""#,
            r#""9223372037""#,
        ] {
            assert!(at(unwritable) >= before, "{unwritable}");
        }
    }
}
