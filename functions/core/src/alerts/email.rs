//! Owner alerts by email: one message format (RFC 5322, built by `lettre`), written as an
//! `.eml` file under `frontdesk serve` ([`FolderMailer`]) or sent raw through Amazon SES v2 on
//! AWS ([`SesMailer`]). The same bytes either way, so what a local run writes is what SES
//! would have sent.

use std::path::PathBuf;

use async_trait::async_trait;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, Message};

use crate::domain::EmailAddress;

/// One email to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    pub to: EmailAddress,
    pub subject: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// No sender is set up (no `FRONTDESK_ALERT_EMAIL_FROM`).
    #[error("{0}")]
    NotConfigured(String),
    /// The mail service refused this message (an unverified sender, a rejected address).
    #[error("email refused: {0}")]
    Refused(String),
    /// The mail service could not be reached or is throttling: worth another try.
    #[error("email service unavailable: {0}")]
    Unavailable(String),
}

/// The message's bytes, from `from`.
pub fn render(from: &str, email: &Email) -> Result<Vec<u8>, MailError> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| MailError::NotConfigured(format!("alert sender `{from}`: {e}")))?;
    let to: Mailbox = email
        .to
        .as_str()
        .parse()
        .map_err(|e| MailError::Refused(format!("recipient `{}`: {e}", email.to)))?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(email.subject.replace(['\r', '\n'], " "))
        .message_id(None)
        .header(ContentType::TEXT_PLAIN)
        // Quoted-printable keeps numbers and links readable in the raw message.
        .header(ContentTransferEncoding::QuotedPrintable)
        .body(email.text.clone())
        .map_err(|e| MailError::Refused(e.to_string()))?;
    Ok(message.formatted())
}

#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends `email`; returns an id for the record (SES's message id, the file's name).
    async fn send(&self, email: &Email) -> Result<String, MailError>;
    /// Where mail goes, for `doctor` and the CLI.
    fn describe(&self) -> String;
}

/// No email sender set up: every email fails with the setting to add.
pub struct NoMailer;

#[async_trait]
impl Mailer for NoMailer {
    async fn send(&self, _email: &Email) -> Result<String, MailError> {
        Err(MailError::NotConfigured(
            "no email sender: set FRONTDESK_ALERT_EMAIL_FROM (an SES-verified address)".into(),
        ))
    }

    fn describe(&self) -> String {
        "not configured (FRONTDESK_ALERT_EMAIL_FROM unset)".into()
    }
}

/// `frontdesk serve`'s mail: each message an `.eml` file in one folder.
pub struct FolderMailer {
    pub dir: PathBuf,
    pub from: String,
}

impl FolderMailer {
    /// The sender `serve` writes from when none is configured.
    pub const DEFAULT_FROM: &'static str = "Frontdesk <alerts@frontdesk.localhost>";
}

#[async_trait]
impl Mailer for FolderMailer {
    async fn send(&self, email: &Email) -> Result<String, MailError> {
        let bytes = render(&self.from, email)?;
        let name = format!(
            "{}-{}.eml",
            jiff::Timestamp::now().as_millisecond(),
            uuid::Uuid::new_v4().simple()
        );
        let path = self.dir.join(&name);
        let written = async {
            tokio::fs::create_dir_all(&self.dir).await?;
            tokio::fs::write(&path, bytes).await
        };
        written
            .await
            .map_err(|e| MailError::Unavailable(format!("{}: {e}", path.display())))?;
        Ok(name)
    }

    fn describe(&self) -> String {
        format!(".eml files in {}", self.dir.display())
    }
}

/// Amazon SES v2 `SendEmail` with the raw message.
pub struct SesMailer {
    pub client: aws_sdk_sesv2::Client,
    pub from: String,
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, email: &Email) -> Result<String, MailError> {
        use aws_sdk_sesv2::primitives::Blob;
        use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};

        let bytes = render(&self.from, email)?;
        let raw = RawMessage::builder()
            .data(Blob::new(bytes))
            .build()
            .map_err(|e| MailError::Refused(e.to_string()))?;
        let sent = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(
                Destination::builder()
                    .to_addresses(email.to.as_str())
                    .build(),
            )
            .content(EmailContent::builder().raw(raw).build())
            .send()
            .await;
        match sent {
            Ok(out) => Ok(out.message_id.unwrap_or_default()),
            Err(err) => {
                let detail = aws_sdk_sesv2::error::DisplayErrorContext(&err).to_string();
                match err.as_service_error() {
                    Some(service)
                        if service.is_too_many_requests_exception()
                            || service.is_limit_exceeded_exception() =>
                    {
                        Err(MailError::Unavailable(detail))
                    }
                    Some(_) => Err(MailError::Refused(detail)),
                    None => Err(MailError::Unavailable(detail)),
                }
            }
        }
    }

    fn describe(&self) -> String {
        format!("Amazon SES from {}", self.from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hebrew_alert_renders_as_one_encoded_message() {
        let email = Email {
            to: EmailAddress::parse("owner@clinic.example").unwrap(),
            subject: "דחוף · הודעה קולית מ-+972501234567\r\nBcc: x@y.z".into(),
            text: "דנה מבקשת שיחזרו אליה.\nhttps://frontdesk.example/inbox/calls/CA1".into(),
        };
        let raw = String::from_utf8(render(FolderMailer::DEFAULT_FROM, &email).unwrap()).unwrap();
        assert!(raw.contains("To: owner@clinic.example"), "{raw}");
        assert!(
            raw.contains("Subject: =?utf-8?"),
            "the subject is encoded: {raw}"
        );
        assert!(
            !raw.contains("\r\nBcc:"),
            "a subject cannot add a header: {raw}"
        );
        assert!(raw.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(raw.contains("Message-ID: <"));
        assert!(raw.contains("Content-Transfer-Encoding: quoted-printable"));
        assert!(
            raw.contains("https://frontdesk.example/inbox/calls/CA1"),
            "{raw}"
        );
    }

    #[tokio::test]
    async fn the_folder_mailer_writes_one_eml_per_message() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = FolderMailer {
            dir: dir.path().join("outbox"),
            from: FolderMailer::DEFAULT_FROM.into(),
        };
        let email = Email {
            to: EmailAddress::parse("owner@clinic.example").unwrap(),
            subject: "Voicemail".into(),
            text: "hi".into(),
        };
        let name = mailer.send(&email).await.unwrap();
        assert!(name.ends_with(".eml"));
        let files = std::fs::read_dir(dir.path().join("outbox"))
            .unwrap()
            .count();
        assert_eq!(files, 1);
        assert!(NoMailer
            .send(&email)
            .await
            .unwrap_err()
            .to_string()
            .contains("FRONTDESK_ALERT_EMAIL_FROM"));
    }
}
