//! One client for every OpenAI-compatible transcription server (OpenAI Whisper, Groq, a
//! self-hosted Whisper): `POST {base}/v1/audio/transcriptions`, multipart `file`, `model`,
//! `language`, `response_format=json`, bearer `TRANSCRIBE_API_KEY`.

use bytes::Bytes;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde::Deserialize;

use super::media::describe;
use super::Worker;

#[derive(Debug, PartialEq, Eq)]
pub struct Transcript {
    pub text: String,
    pub language: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum TranscribeError {
    /// 5xx, 408, 429, timeouts, connection errors, an unreadable answer: try again later.
    Transient(String),
    /// Any other 4xx (file too large, bad model): retrying gives the same answer.
    Rejected(String),
}

#[derive(Deserialize)]
struct Answer {
    text: String,
    #[serde(default)]
    language: Option<String>,
}

/// The ISO-639-1 hint from a business language such as `he-IL`.
pub fn language_hint(business_language: &str) -> Option<String> {
    let code = business_language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    (code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase())).then_some(code)
}

pub async fn transcribe(
    worker: &Worker,
    base: &str,
    audio: Bytes,
    file_name: &str,
    language: Option<&str>,
) -> Result<Transcript, TranscribeError> {
    let settings = worker.settings();
    let file = Part::stream(audio)
        .file_name(file_name.to_string())
        .mime_str("audio/mpeg")
        .map_err(|e| TranscribeError::Rejected(format!("multipart file: {e}")))?;
    let mut form = Form::new()
        .part("file", file)
        .text("model", settings.transcribe_model.clone())
        .text("response_format", "json");
    if let Some(language) = language {
        form = form.text("language", language.to_string());
    }
    let mut request = worker
        .http
        .post(format!("{base}/v1/audio/transcriptions"))
        .timeout(settings.transcribe_timeout)
        .multipart(form);
    if let Some(key) = &settings.transcribe_api_key {
        request = request.bearer_auth(key.expose());
    }
    let response = request.send().await.map_err(|e| {
        TranscribeError::Transient(format!("transcription request: {}", describe(e)))
    })?;
    let status = response.status();
    if status.is_success() {
        let answer: Answer = response.json().await.map_err(|e| {
            TranscribeError::Transient(format!("transcription answer unreadable: {}", describe(e)))
        })?;
        return Ok(Transcript {
            text: answer.text.trim().to_string(),
            language: answer
                .language
                .filter(|l| !l.is_empty())
                .or_else(|| language.map(str::to_string)),
        });
    }
    let reason = format!("transcription API answered {}", status.as_u16());
    if status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        Err(TranscribeError::Transient(reason))
    } else {
        Err(TranscribeError::Rejected(reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_hints_are_two_letter_codes() {
        assert_eq!(language_hint("he-IL").as_deref(), Some("he"));
        assert_eq!(language_hint("en_US").as_deref(), Some("en"));
        assert_eq!(language_hint("EN").as_deref(), Some("en"));
        assert_eq!(language_hint("").as_deref(), None);
        assert_eq!(language_hint("yue-HK").as_deref(), None);
    }
}
