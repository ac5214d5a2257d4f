//! A booking's commit under fire: DynamoDB refused, failing or reset while the appointments API
//! books. The client hears 503 with its reason and books nothing; healed, its retry with the same
//! Idempotency-Key books once, and a second customer racing for the slot is refused.

use frontdesk_testkit::faults::Fault;

use super::{faulty, Faulty};
use crate::appointments_api::World;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_down_during_a_booking_commit_books_nothing_then_exactly_once() {
    let Faulty {
        server, dynamodb, ..
    } = faulty().await;
    let world = World::on(server, 1).await;
    let start = world.at(world.day, 10, 0);
    for fault in [Fault::Refuse, Fault::Status(503), Fault::Reset] {
        dynamodb.set(fault);
        let answer = world
            .book(start, "+972501234567", Some("crm-booking-17"))
            .await;
        assert_eq!(answer.status, 503, "{fault:?}: {}", answer.body);
        answer.error();
    }
    dynamodb.heal();
    assert!(
        world.listed_on(world.day).await.is_empty(),
        "nothing booked"
    );
    let booked = world
        .book(start, "+972501234567", Some("crm-booking-17"))
        .await;
    assert_eq!(booked.status, 201, "{}", booked.body);
    let again = world
        .book(start, "+972501234567", Some("crm-booking-17"))
        .await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(again.body["id"], booked.body["id"], "the retry replays it");
    let racing = world.book(start, "+972509999999", None).await;
    assert_eq!(racing.status, 409, "{}", racing.body);
    assert_eq!(world.listed_on(world.day).await.len(), 1);
}
