//! A booking turn slower than the voice deadline: it finishes, so the booking, its event and
//! the caller's confirmation all happen, rather than the caller hearing the voicemail while an
//! appointment nobody hears of sits in the store.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use frontdesk::app::Backends;
use frontdesk::queue::{OutboundMessage, Queue, QueueError};
use frontdesk::voice::VOICE_DEADLINE;
use frontdesk::App;
use frontdesk_testkit::TestServer;

use super::{said, says, tomorrow_at, Call, World};

/// The embedded queue, answering each send only after the voice deadline has passed.
struct SlowQueue(Arc<dyn Queue>);

#[async_trait]
impl Queue for SlowQueue {
    async fn send(&self, message: &OutboundMessage) -> Result<(), QueueError> {
        tokio::time::sleep(VOICE_DEADLINE + Duration::from_millis(300)).await;
        self.0.send(message).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmation_slower_than_the_voice_deadline_still_books_and_queues_its_event() {
    let healthy = TestServer::start(&[]).await;
    let backends = healthy.app.backends();
    let slow = App::new(
        frontdesk_testkit::config::config(&[]),
        Backends {
            store: backends.store.clone(),
            queue: Arc::new(SlowQueue(backends.queue.clone())),
            greetings: backends.greetings.clone(),
        },
    );
    let world = World::with(TestServer::with_app(slow, healthy.jobs.clone()).await).await;
    let mut call = Call::new(&world);
    call.ring().await;
    call.says("מחר בשלוש").await;

    let done = call.presses("1").await;

    assert_eq!(
        says(&done),
        [format!(
            "התור נקבע: בדיקה, {}. להתראות.",
            said(tomorrow_at(15, 0), true)
        )],
        "{done}"
    );
    assert_eq!(world.appointments().await.len(), 1);
    assert!(
        world.events().contains(&"appointment.booked".to_string()),
        "{:?}",
        world.events()
    );
}
