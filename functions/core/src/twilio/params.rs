//! Typed views of Twilio's webhook parameters: what the handlers read from a verified form.

use time::OffsetDateTime;

use crate::domain::time::writable;
use crate::domain::{Media, MessageContent, MessageId, MessageSid, Recording, RecordingSid};
use crate::http::FormParams;

/// Twilio's media parameters are numbered from 0; it sends at most 10 per message.
const MAX_MEDIA: usize = 10;

/// Twilio's `Timestamp` (RFC 2822) in UTC, else now: also when the stores could not keep it
/// ([`writable`]).
pub fn callback_time(form: &FormParams) -> OffsetDateTime {
    form.non_empty("Timestamp")
        .and_then(|t| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc2822).ok())
        .and_then(writable)
        .unwrap_or_else(OffsetDateTime::now_utc)
}

/// The recording in a callback: `RecordingSid`, or the SID at the end of `RecordingUrl`.
pub fn recording(form: &FormParams) -> Option<Recording> {
    let url = form.non_empty("RecordingUrl")?.to_string();
    let sid = form
        .non_empty("RecordingSid")
        .and_then(|s| RecordingSid::parse(s).ok())
        .or_else(|| {
            url.rsplit('/')
                .next()
                .and_then(|last| RecordingSid::parse(last).ok())
        })?;
    Some(Recording {
        sid,
        url,
        duration_seconds: form
            .non_empty("RecordingDuration")
            .and_then(|d| d.parse().ok()),
        digits: form.non_empty("Digits").map(str::to_string),
    })
}

/// The `MessageSid` of a verified form, or the one-line reason it is missing or malformed.
pub fn message_sid(form: &FormParams) -> Result<MessageId, String> {
    let raw = form
        .non_empty("MessageSid")
        .ok_or_else(|| "MessageSid is required".to_string())?;
    MessageSid::parse(raw)
        .map(MessageId::Twilio)
        .map_err(|e| e.to_string())
}

/// Every parameter as a JSON object; a repeated key keeps all its values, in order.
pub fn params_json(form: &FormParams) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for (key, value) in form.pairs() {
        match object.get_mut(key) {
            None => {
                object.insert(key.clone(), value.clone().into());
            }
            Some(serde_json::Value::Array(values)) => values.push(value.clone().into()),
            Some(first) => *first = serde_json::json!([first.take(), value]),
        }
    }
    serde_json::Value::Object(object)
}

/// The id of the option a WhatsApp reply picked: a quick-reply button's `ButtonPayload`.
pub fn reply_id(form: &FormParams) -> Option<String> {
    form.non_empty("ButtonPayload").map(str::to_string)
}

/// What a WhatsApp message said, with every parameter kept as received.
pub fn message_content(form: &FormParams) -> MessageContent {
    let count = form
        .non_empty("NumMedia")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_MEDIA);
    let media: Vec<Media> = (0..count)
        .filter_map(|i| {
            let url = form.non_empty(&format!("MediaUrl{i}"))?;
            Some(Media {
                url: Some(url.to_string()),
                content_type: form
                    .non_empty(&format!("MediaContentType{i}"))
                    .map(str::to_string),
                ..Media::default()
            })
        })
        .collect();
    let kind = form
        .non_empty("MessageType")
        .map(str::to_string)
        .unwrap_or_else(|| if media.is_empty() { "text" } else { "media" }.to_string());
    let body = form
        .non_empty("Body")
        .or_else(|| form.non_empty("ButtonText"))
        .or_else(|| form.non_empty("Address"))
        .map(str::to_string);
    MessageContent {
        kind,
        body,
        profile_name: form.non_empty("ProfileName").map(str::to_string),
        media,
        context_id: form
            .non_empty("OriginalRepliedMessageSid")
            .map(str::to_string),
        raw: params_json(form),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormParams {
        FormParams::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn recording_sid_comes_from_the_field_or_the_url() {
        let with_sid = form(&[
            ("RecordingUrl", "https://api.twilio.com/x/Recordings/RE1"),
            ("RecordingSid", "RE2"),
        ]);
        assert_eq!(recording(&with_sid).unwrap().sid.as_str(), "RE2");
        let url_only = form(&[
            ("RecordingUrl", "https://api.twilio.com/.../RExxx"),
            ("RecordingDuration", "7"),
        ]);
        let parsed = recording(&url_only).unwrap();
        assert_eq!(parsed.sid.as_str(), "RExxx");
        assert_eq!(parsed.duration_seconds, Some(7));
        assert!(recording(&form(&[("RecordingUrl", "https://x/not-a-sid")])).is_none());
        assert!(recording(&form(&[])).is_none());
    }

    #[test]
    fn a_callback_time_the_store_cannot_write_is_now_and_any_other_is_kept_in_utc() {
        let at = |timestamp: &str| callback_time(&form(&[("Timestamp", timestamp)]));
        let kept = at("Fri, 02 Jan 1970 00:00:00 +2400");
        assert_eq!(kept.unix_timestamp(), 0);
        assert_eq!(kept.offset(), time::UtcOffset::UTC);
        assert_eq!(at("Sat, 01 Jan 1900 00:00:00 +0000").year(), 1900);
        assert_eq!(at("Fri, 11 Apr 2262 23:47:16 +0000").year(), 2262);
        let before = OffsetDateTime::now_utc();
        for unwritable in [
            "Fri, 31 Dec 9999 23:59:59 -2359",
            "Fri, 11 Apr 2262 23:47:17 +0000",
            "yesterday",
            "",
        ] {
            assert!(at(unwritable) >= before, "{unwritable}");
        }
    }

    #[test]
    fn media_and_every_parameter_are_kept() {
        let form = crate::http::form::parse(
            b"MessageSid=MM1&NumMedia=2&MediaUrl0=https%3A%2F%2Fm%2F0&MediaContentType0=image%2Fjpeg&MediaUrl1=https%3A%2F%2Fm%2F1&Body=&Extra=a&Extra=b",
        )
        .unwrap();
        let content = message_content(&form);
        assert_eq!(content.kind, "media");
        assert_eq!(content.body, None);
        assert_eq!(content.media.len(), 2);
        assert_eq!(content.media[0].content_type.as_deref(), Some("image/jpeg"));
        assert_eq!(content.media[1].url.as_deref(), Some("https://m/1"));
        assert_eq!(content.raw["Extra"], serde_json::json!(["a", "b"]));
        assert_eq!(content.raw["NumMedia"], "2");
        assert_eq!(reply_id(&form), None);
        let button = crate::http::form::parse(b"ButtonText=Confirm&ButtonPayload=1%4017").unwrap();
        assert_eq!(reply_id(&button).as_deref(), Some("1@17"));
        assert_eq!(message_content(&button).body.as_deref(), Some("Confirm"));
    }
}
