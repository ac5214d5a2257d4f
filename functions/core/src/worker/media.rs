//! Twilio's recording media: download (`RecordingUrl` + `.mp3`) and the optional delete after
//! the copy. Always with Basic auth (AccountSid:AuthToken), which Twilio requires when "Enforce
//! HTTP Auth on Media URLs" is on and accepts when it is off.

use bytes::Bytes;
use reqwest::StatusCode;

use super::Worker;

/// Why a download did not give the file.
#[derive(Debug, PartialEq, Eq)]
pub enum DownloadError {
    /// 404 shortly after the call: Twilio has not finished the file. Try later.
    NotReady,
    /// Wrong or missing credentials (401/403): retrying cannot help.
    Refused(String),
    /// Anything that may pass: 5xx, 429, timeouts, connection errors.
    Transient(String),
}

/// The `.mp3` URL of a recording (`RecordingUrl` has no extension).
pub fn mp3_url(recording_url: &str) -> String {
    let url = recording_url.trim_end_matches('/');
    if url.ends_with(".mp3") {
        url.to_string()
    } else {
        format!("{}.mp3", url.trim_end_matches(".wav"))
    }
}

fn with_auth(worker: &Worker, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    match worker.app.config().twilio.credentials() {
        Some((sid, token)) => request.basic_auth(sid, Some(token.expose())),
        None => request,
    }
}

pub async fn download(worker: &Worker, recording_url: &str) -> Result<Bytes, DownloadError> {
    let request = worker
        .http
        .get(mp3_url(recording_url))
        .timeout(worker.settings().download_timeout);
    let response = with_auth(worker, request)
        .send()
        .await
        .map_err(|e| DownloadError::Transient(format!("recording download: {}", describe(e))))?;
    match response.status() {
        status if status.is_success() => response.bytes().await.map_err(|e| {
            DownloadError::Transient(format!("recording download body: {}", describe(e)))
        }),
        StatusCode::NOT_FOUND => Err(DownloadError::NotReady),
        status @ (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => {
            let credentials = if worker.app.config().twilio.credentials().is_some() {
                "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
            } else {
                "TWILIO_ACCOUNT_SID or TWILIO_AUTH_TOKEN is not set"
            };
            Err(DownloadError::Refused(format!(
                "Twilio refused the recording download ({}): {credentials}",
                status.as_u16()
            )))
        }
        status => Err(DownloadError::Transient(format!(
            "recording download answered {}",
            status.as_u16()
        ))),
    }
}

/// Deletes the recording from Twilio (`DELETE {RecordingUrl}.json`) once the copy is safe.
/// Failures are logged, never fatal: the copy is what matters.
pub async fn delete(worker: &Worker, recording_url: &str) -> Result<(), String> {
    let url = format!("{}.json", recording_url.trim_end_matches('/'));
    let request = worker
        .http
        .delete(url)
        .timeout(worker.settings().download_timeout);
    let response = with_auth(worker, request).send().await.map_err(describe)?;
    match response.status() {
        status if status.is_success() || status == StatusCode::NOT_FOUND => Ok(()),
        status => Err(format!("Twilio answered {} to the delete", status.as_u16())),
    }
}

/// A transport error in one line, without the URL (a recording URL names the account).
pub fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else {
        let mut text = error.without_url().to_string();
        text.truncate(200);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mp3_url_gains_one_extension() {
        let base = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1";
        assert_eq!(mp3_url(base), format!("{base}.mp3"));
        assert_eq!(mp3_url(&format!("{base}.mp3")), format!("{base}.mp3"));
        assert_eq!(mp3_url(&format!("{base}.wav")), format!("{base}.mp3"));
    }
}
