//! A fresh Frontdesk stack on moto for one test: the table, both queues, the greetings bucket
//! and the bucket of recording copies, all uniquely named. Each test gets its own: moto rolls a
//! failed transaction back by restoring a copy of the whole table, which would undo other
//! tests' concurrent writes to a shared one.

use frontdesk::config::AwsResources;
use frontdesk::lambda::aws::AwsClients;
use frontdesk::queue::sqs::QueueUrls;
use frontdesk::App;

use crate::aws;
use crate::probe::JobProbe;

pub struct Stack {
    pub sdk: aws_config::SdkConfig,
    pub clients: AwsClients,
    /// What a Lambda reads from `FRONTDESK_TABLE`, `FRONTDESK_*_QUEUE_URL` and
    /// `FRONTDESK_GREETINGS_BUCKET`.
    pub resources: AwsResources,
    /// What `FRONTDESK_RECORDINGS_BUCKET` would name.
    pub recordings_bucket: String,
    /// The prefix of every resource's name.
    pub name: String,
}

impl Stack {
    /// A fresh stack on the moto server the test command started.
    pub async fn new() -> Self {
        crate::logs::capture();
        // Patient: creating a table and buckets, and the tests' own reads, may take moto longer
        // than a webhook's budget while the whole suite shares it.
        let sdk = aws::patient_sdk(&aws::endpoint()).await;
        let clients = AwsClients::from_config(&sdk);
        let name = crate::unique::aws_name();
        frontdesk::store::dynamodb::create_table(&clients.dynamodb, &name)
            .await
            .expect("create table on moto");
        let recordings_queue_url = aws::create_queue(&clients, &format!("{name}-recordings")).await;
        let notify_queue_url = aws::create_queue(&clients, &format!("{name}-notify")).await;
        let greetings_bucket = format!("{name}-greetings");
        let recordings_bucket = format!("{name}-recordings");
        aws::create_bucket(&clients, &greetings_bucket).await;
        aws::create_bucket(&clients, &recordings_bucket).await;
        Self {
            sdk,
            clients,
            resources: AwsResources {
                table: name.clone(),
                recordings_queue_url,
                notify_queue_url,
                greetings_bucket,
            },
            recordings_bucket,
            name,
        }
    }

    /// Both queues' URLs, as `SqsQueue` takes them.
    pub fn queue_urls(&self) -> QueueUrls {
        QueueUrls {
            recordings: self.resources.recordings_queue_url.clone(),
            notify: self.resources.notify_queue_url.clone(),
        }
    }

    /// A FIFO variant of the recordings queue (`…-recordings.fifo`); returns its URL.
    pub async fn fifo_recordings_queue(&self) -> String {
        aws::create_queue(&self.clients, &format!("{}-recordings.fifo", self.name)).await
    }

    /// An app on this stack with configuration `vars`, wired as a Lambda is.
    pub async fn app(&self, vars: &[(&str, &str)]) -> App {
        aws::app(vars, &self.resources).await
    }

    /// What the recordings queue holds.
    pub fn probe(&self) -> JobProbe {
        JobProbe::Sqs {
            client: self.clients.sqs.clone(),
            url: self.resources.recordings_queue_url.clone(),
        }
    }
}
