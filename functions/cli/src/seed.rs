//! Loading businesses (and their greeting MP3s) from a seed file into a store, so
//! `frontdesk serve` answers for a demo business from its first start; a business's `demo`
//! entry adds calls (a voicemail with its recording and transcript, a missed call) and WhatsApp
//! messages, so its inbox has something to show. Every write is idempotent (by CallSid and
//! message id), so loading the seed at each start changes nothing the second time.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use frontdesk::domain::message::{MessageContent, MessageDirection, MessageStatus, NewMessage};
use frontdesk::domain::{
    Business, CallSid, CallStart, CallStatus, Direction, MessageId, PhoneNumber, Recording,
    RecordingSid, StatusUpdate, TranscriptionOutcome,
};
use frontdesk::App;
use serde::Deserialize;
use time::OffsetDateTime;

#[derive(Deserialize)]
struct SeedEntry {
    #[serde(flatten)]
    business: Business,
    /// An MP3 to upload as the greeting, relative to the seed file.
    #[serde(default)]
    greeting_mp3: Option<PathBuf>,
    #[serde(default)]
    demo: Demo,
}

/// A demo business's activity.
#[derive(Default, Deserialize)]
struct Demo {
    #[serde(default)]
    calls: Vec<DemoCall>,
    #[serde(default)]
    messages: Vec<DemoMessage>,
}

#[derive(Deserialize)]
struct DemoCall {
    sid: CallSid,
    from: PhoneNumber,
    #[serde(default)]
    caller_name: Option<String>,
    /// How long before the first load the call came in.
    minutes_ago: i64,
    status: CallStatus,
    #[serde(default)]
    duration_seconds: Option<u32>,
    /// The voicemail's recording (an MP3 beside the seed file) and what it said.
    #[serde(default)]
    voicemail_mp3: Option<PathBuf>,
    #[serde(default)]
    transcript: Option<String>,
}

#[derive(Deserialize)]
struct DemoMessage {
    id: MessageId,
    from: PhoneNumber,
    minutes_ago: i64,
    body: String,
}

/// Puts every business in `path` into the app's store, uploading greetings it names.
/// Returns the ids loaded.
pub async fn load(app: &App, path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let entries: Vec<SeedEntry> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut loaded = Vec::new();
    for SeedEntry {
        mut business,
        greeting_mp3,
        demo,
    } in entries
    {
        if let Some(mp3) = greeting_mp3 {
            let file = path.parent().unwrap_or(Path::new(".")).join(mp3);
            let body = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            crate::greeting::attach(
                app.greetings(),
                &mut business,
                Bytes::from(body),
                std::sync::Arc::new(|_| {}),
            )
            .await
            .map_err(|e| e.to_string())?;
        }
        app.store()
            .put_business(&business)
            .await
            .map_err(|e| e.to_string())?;
        load_demo(app, path, &business, demo)
            .await
            .map_err(|e| format!("{}: {}: {e}", path.display(), business.id))?;
        loaded.push(business.id.to_string());
    }
    Ok(loaded)
}

async fn load_demo(app: &App, path: &Path, business: &Business, demo: Demo) -> Result<(), String> {
    let store = app.store();
    let now = OffsetDateTime::now_utc();
    let to = business
        .phone_numbers
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    for call in demo.calls {
        let started_at = now - time::Duration::minutes(call.minutes_ago);
        store
            .record_call_start(&CallStart {
                sid: call.sid.clone(),
                business_id: business.id.clone(),
                from: call.from.to_string(),
                to: to.clone(),
                direction: Direction::Inbound,
                caller_name: call.caller_name,
                status: CallStatus::Ringing,
                started_at,
                placed: None,
            })
            .await
            .map_err(|e| e.to_string())?;
        let ended_at =
            started_at + time::Duration::seconds(call.duration_seconds.unwrap_or(0).into());
        store
            .apply_call_status(&StatusUpdate {
                sid: call.sid.clone(),
                status: call.status,
                sequence: Some(1),
                business_id: None,
                from: None,
                to: None,
                direction: Direction::Inbound,
                duration_seconds: call.duration_seconds,
                at: ended_at,
                sip_response_code: None,
                answered_by: None,
            })
            .await
            .map_err(|e| e.to_string())?;
        let Some(mp3) = call.voicemail_mp3 else {
            continue;
        };
        let recording_sid = RecordingSid::parse(&format!("RE{}", &call.sid.as_str()[2..]))
            .map_err(|e| e.to_string())?;
        let recording = Recording {
            url: format!("https://api.twilio.com/demo/Recordings/{recording_sid}"),
            sid: recording_sid,
            duration_seconds: call.duration_seconds,
            digits: None,
        };
        store
            .attach_recording(&call.sid, &recording, true, ended_at)
            .await
            .map_err(|e| e.to_string())?;
        if store
            .call_media(&call.sid)
            .await
            .map_err(|e| e.to_string())?
            .and_then(|media| media.recording_key)
            .is_some()
        {
            // Loaded before: the copy and the transcript are there.
            continue;
        }
        if let Some(recordings) = app.recordings() {
            let file = path.parent().unwrap_or(Path::new(".")).join(mp3);
            let body = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let key = format!(
                "recordings/{}/{}/{}.mp3",
                business.id, call.sid, recording.sid
            );
            recordings
                .put(&key, Bytes::from(body), "audio/mpeg")
                .await
                .map_err(|e| e.to_string())?;
            store
                .set_recording_copy(&call.sid, &key)
                .await
                .map_err(|e| e.to_string())?;
        }
        if let Some(transcript) = call.transcript {
            let outcome = TranscriptionOutcome::Ready {
                transcript,
                language: Some(business.language.clone()),
            };
            store
                .finish_transcription(&call.sid, &outcome, ended_at)
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    for message in demo.messages {
        let content: MessageContent =
            serde_json::from_value(serde_json::json!({"kind": "text", "body": message.body}))
                .map_err(|e| e.to_string())?;
        store
            .insert_message(&NewMessage {
                id: message.id,
                business_id: Some(business.id.clone()),
                direction: MessageDirection::Inbound,
                contact: Some(message.from.clone()),
                from: Some(format!("whatsapp:{}", message.from)),
                to: Some(format!("whatsapp:{to}")),
                content,
                status: MessageStatus::Received,
                error_code: None,
                error_message: None,
                at: now - time::Duration::minutes(message.minutes_ago),
            })
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
