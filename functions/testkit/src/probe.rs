//! Reads what was sent to the `recordings` queue, whichever backend holds it.

use std::sync::Arc;

use frontdesk::jobs::TranscriptionJob;
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::queue::QueueName;

#[derive(Clone)]
pub enum JobProbe {
    Embedded(Arc<EmbeddedQueue>),
    Sqs {
        client: aws_sdk_sqs::Client,
        url: String,
    },
}

impl JobProbe {
    /// The transcription jobs on the queue so far (SQS: taken off it).
    pub async fn transcription_jobs(&self) -> Vec<TranscriptionJob> {
        let bodies: Vec<String> = match self {
            JobProbe::Embedded(queue) => queue
                .messages(QueueName::Recordings)
                .expect("embedded queue readable")
                .into_iter()
                .map(|m| m.body)
                .collect(),
            JobProbe::Sqs { client, url } => crate::aws::take_all(client, url).await,
        };
        bodies
            .iter()
            .map(|b| serde_json::from_str(b).expect("a job parses"))
            .collect()
    }
}
