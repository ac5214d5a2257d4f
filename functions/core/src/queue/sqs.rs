//! SQS queues.
//!
//! Standard queues deliver at least once and cannot drop repeats, so the dedup id travels as the
//! `dedup_id` message attribute for consumers. A FIFO queue (URL ending in `.fifo`) drops repeats
//! itself within its five-minute window: the dedup id becomes the MessageDeduplicationId and its
//! part before `:` (the call SID of a transcription job) the MessageGroupId, so one call's work
//! stays in order.

use async_trait::async_trait;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::MessageAttributeValue;
use sha2::{Digest, Sha256};

use super::{OutboundMessage, Queue, QueueError, QueueName};

/// The message attribute that carries the dedup id on a standard queue.
pub const DEDUP_ID_ATTRIBUTE: &str = "dedup_id";

/// SQS limits MessageGroupId and MessageDeduplicationId to 128 characters.
const FIFO_ID_MAX_LEN: usize = 128;

/// Queue URLs by name.
#[derive(Clone, Debug)]
pub struct QueueUrls {
    pub recordings: String,
    pub notify: String,
}

impl QueueUrls {
    pub fn url(&self, queue: QueueName) -> &str {
        match queue {
            QueueName::Recordings => &self.recordings,
            QueueName::Notify => &self.notify,
        }
    }
}

pub struct SqsQueue {
    client: aws_sdk_sqs::Client,
    urls: QueueUrls,
}

impl SqsQueue {
    pub fn new(client: aws_sdk_sqs::Client, urls: QueueUrls) -> Self {
        Self { client, urls }
    }
}

/// `value` as a FIFO group or deduplication id: itself when SQS accepts it (1 to 128 printable
/// ASCII characters), else its SHA-256 in hex, which is just as unique.
fn fifo_id(value: &str) -> String {
    if !value.is_empty()
        && value.len() <= FIFO_ID_MAX_LEN
        && value.bytes().all(|b| b.is_ascii_graphic())
    {
        value.to_string()
    } else {
        hex::encode(Sha256::digest(value.as_bytes()))
    }
}

fn group_id(dedup_id: &str) -> String {
    match dedup_id.split_once(':') {
        Some((prefix, _)) if !prefix.is_empty() => fifo_id(prefix),
        _ => fifo_id(dedup_id),
    }
}

#[async_trait]
impl Queue for SqsQueue {
    async fn send(&self, message: &OutboundMessage) -> Result<(), QueueError> {
        let url = self.urls.url(message.queue);
        let mut request = self
            .client
            .send_message()
            .queue_url(url)
            .message_body(&message.body);
        if url.ends_with(".fifo") {
            request = request
                .message_group_id(group_id(&message.dedup_id))
                .message_deduplication_id(fifo_id(&message.dedup_id));
        } else {
            let dedup_id = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(&message.dedup_id)
                .build()
                .map_err(|e| QueueError(format!("sqs message attribute: {e}")))?;
            request = request.message_attributes(DEDUP_ID_ATTRIBUTE, dedup_id);
        }
        request.send().await.map_err(|e| {
            QueueError(format!(
                "sqs SendMessage to {} queue: {}",
                message.queue.as_str(),
                DisplayErrorContext(&e)
            ))
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_ids_are_kept_when_valid_and_hashed_when_not() {
        assert_eq!(fifo_id("CA1:RE2"), "CA1:RE2");
        let long = "x".repeat(129);
        assert_eq!(fifo_id(&long).len(), 64);
        assert_ne!(fifo_id(&long), fifo_id(&"x".repeat(130)));
        assert_eq!(fifo_id(&"y".repeat(128)), "y".repeat(128));
        assert_eq!(fifo_id("a b").len(), 64, "spaces are not allowed");
    }

    #[test]
    fn the_group_is_the_dedup_id_prefix() {
        assert_eq!(group_id("CA123:RE456"), "CA123");
        assert_eq!(group_id("notify-acme"), "notify-acme");
        assert_eq!(group_id(":RE456"), ":RE456");
    }
}
