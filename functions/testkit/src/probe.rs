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
    /// The transcription jobs on the queue so far (SQS: received once, then hidden).
    pub async fn transcription_jobs(&self) -> Vec<TranscriptionJob> {
        let bodies: Vec<String> = match self {
            JobProbe::Embedded(queue) => queue
                .messages(QueueName::Recordings)
                .expect("embedded queue readable")
                .into_iter()
                .map(|m| m.body)
                .collect(),
            JobProbe::Sqs { client, url } => {
                let mut bodies = Vec::new();
                loop {
                    let received = client
                        .receive_message()
                        .queue_url(url)
                        .max_number_of_messages(10)
                        .wait_time_seconds(0)
                        .visibility_timeout(300)
                        .send()
                        .await
                        .expect("SQS receive");
                    let batch = received.messages.unwrap_or_default();
                    if batch.is_empty() {
                        break;
                    }
                    bodies.extend(batch.into_iter().filter_map(|m| m.body));
                }
                bodies
            }
        };
        bodies
            .iter()
            .map(|b| serde_json::from_str(b).expect("a job parses"))
            .collect()
    }
}
