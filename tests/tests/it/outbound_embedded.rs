//! Outbound calls on the embedded default: the end-to-end cases, and the bad input and faults
//! the calls API answers for (each a clear answer to the CRM, never a second call).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::outbound::{World, BUSINESS_NUMBER, CUSTOMER, OWNER};

crate::outbound_tests!(World::embedded);

fn say(to: &str) -> Value {
    json!({ "to": to, "say": "We called you back" })
}

fn reason(answer: &Value) -> &str {
    answer["error"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_to_that_is_not_e164_or_the_business_own_number_is_refused_before_twilio() {
    let world = World::embedded().await;
    let (status, answer) = world.place(&say("050-1234567"), None).await;
    assert_eq!(status, 400);
    assert!(reason(&answer).contains("not an E.164 number"), "{answer}");
    let (status, answer) = world.place(&say(BUSINESS_NUMBER), None).await;
    assert_eq!(status, 400);
    assert!(
        reason(&answer).contains("the business's own number"),
        "{answer}"
    );
    let (status, answer) = world.place(&json!({ "to": CUSTOMER }), None).await;
    assert_eq!(status, 400);
    assert!(reason(&answer).contains("`say`"), "{answer}");
    assert_eq!(world.twilio.request_count(), 0);
    assert!(world.calls().await.is_empty());
}

#[tokio::test]
async fn a_business_without_a_twilio_number_cannot_place_a_call() {
    let world = World::embedded_with(|b| b.phone_numbers.clear()).await;
    let (status, answer) = world.place(&say(CUSTOMER), None).await;
    assert_eq!(status, 409, "{answer}");
    assert!(reason(&answer).contains("no Twilio number"), "{answer}");
    assert_eq!(world.twilio.request_count(), 0);
}

#[tokio::test]
async fn twilio_refusing_the_call_is_a_502_with_its_code_and_message_and_a_retry_gets_the_same() {
    let world = World::embedded().await;
    world
        .twilio
        .fail_next(400, 21215, "Account not authorized to call +972501234567");
    let (status, answer) = world.place(&say(CUSTOMER), Some("crm-refused")).await;
    assert_eq!(status, 502, "{answer}");
    assert!(reason(&answer).contains("code 21215"), "{answer}");
    assert!(
        reason(&answer).contains("Account not authorized"),
        "{answer}"
    );
    let (again, replayed) = world.place(&say(CUSTOMER), Some("crm-refused")).await;
    assert_eq!((again, &replayed), (502, &answer));
    assert_eq!(
        world.twilio.calls().len(),
        1,
        "a refusal is final: Twilio asked once"
    );
    assert!(world.calls().await.is_empty());
}

#[tokio::test]
async fn twilio_rejecting_the_credentials_is_a_502_naming_its_code() {
    let world = World::embedded().await;
    world.twilio.fail_next(401, 20003, "Authenticate");
    let (status, answer) = world.place(&say(CUSTOMER), None).await;
    assert_eq!(status, 502, "{answer}");
    assert!(reason(&answer).contains("HTTP 401, code 20003"), "{answer}");
}

#[tokio::test]
async fn a_429_is_retried_with_backoff_and_places_one_call() {
    let world = World::embedded().await;
    world.twilio.fail_next(429, 20429, "Too Many Requests");
    let (status, answer) = world.place(&say(CUSTOMER), None).await;
    assert_eq!(status, 201, "{answer}");
    let statuses: Vec<u16> = world.twilio.calls().iter().map(|c| c.status).collect();
    assert_eq!(statuses, [429, 201]);
    assert_eq!(world.calls().await.len(), 1);
}

#[tokio::test]
async fn a_twilio_500_three_times_is_a_502_after_three_attempts_and_the_same_key_may_try_again() {
    let world = World::embedded().await;
    for _ in 0..3 {
        world.twilio.fail_next(500, 20500, "Internal Server Error");
    }
    let started = Instant::now();
    let (status, answer) = world.place(&say(CUSTOMER), Some("crm-500")).await;
    assert_eq!(status, 502, "{answer}");
    assert!(reason(&answer).contains("HTTP 500"), "{answer}");
    assert_eq!(world.twilio.calls().len(), 3);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "bounded: {:?}",
        started.elapsed()
    );
    // Twilio placed nothing, so the key is free: the retry places the call.
    let (status, answer) = world.place(&say(CUSTOMER), Some("crm-500")).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(world.twilio.created_calls().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_not_answering_leaves_the_key_spent_so_a_retry_never_places_twice() {
    use frontdesk_testkit::standins::scripted::{Answer, Kind, StandIn};
    let stalling = StandIn::start(
        Kind::Receiver,
        &[Answer::Stall(Duration::from_secs(8))],
        bytes::Bytes::new(),
        "-",
    )
    .await;
    let world =
        World::embedded_configured(&[("TWILIO_API_BASE_URL", &stalling.base_url)], |_| {}).await;
    let (status, answer) = world.place(&say(CUSTOMER), Some("crm-stall")).await;
    assert_eq!(status, 504, "{answer}");
    assert!(
        reason(&answer).contains("Twilio did not answer"),
        "{answer}"
    );
    let (status, answer) = world.place(&say(CUSTOMER), Some("crm-stall")).await;
    assert_eq!(status, 409, "the call may exist: {answer}");
    assert_eq!(stalling.hits(), 1, "Twilio asked once");
}

#[tokio::test]
async fn a_bridge_rings_the_owner_then_dials_the_customer_from_the_business_number() {
    let world = World::embedded_with(|b| {
        b.owner_phone = Some(frontdesk::domain::PhoneNumber::parse(OWNER).unwrap());
    })
    .await;
    let (status, placed) = world
        .place(&json!({ "to": CUSTOMER, "bridge": true }), None)
        .await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["to"], CUSTOMER);
    let created = world.twilio.created_calls();
    assert_eq!(created[0].field("To"), Some(OWNER), "the owner first");
    assert_eq!(created[0].field("MachineDetection"), None);
    let sid = placed["call_sid"].as_str().unwrap();
    let twiml = world
        .answer(created[0].field("Url").unwrap(), sid, "human")
        .await;
    assert!(
        twiml.contains(&format!(
            "<Dial timeout=\"30\" callerId=\"{BUSINESS_NUMBER}\">{CUSTOMER}</Dial>"
        )),
        "{twiml}"
    );
    assert_eq!(world.calls().await[0]["to"], CUSTOMER);
}

#[tokio::test]
async fn a_bridge_without_an_owner_phone_is_refused() {
    let world = World::embedded().await;
    let (status, answer) = world
        .place(&json!({ "to": CUSTOMER, "bridge": true }), None)
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(reason(&answer).contains("owner_phone"), "{answer}");
    assert_eq!(world.twilio.request_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_is_spread_at_the_accounts_calls_per_second_not_refused() {
    let world = World::embedded().await;
    let started = Instant::now();
    let placing: Vec<_> = (0..3)
        .map(|i| {
            let placer = world.placer();
            let body = say(&format!("+97250123456{i}"));
            tokio::spawn(async move { placer.place(&body, None).await.0 })
        })
        .collect();
    let mut statuses = Vec::new();
    for placed in placing {
        statuses.push(placed.await.unwrap());
    }
    assert_eq!(statuses, [201, 201, 201]);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "three calls at one a second take more than a second: {:?}",
        started.elapsed()
    );
    assert_eq!(world.twilio.created_calls().len(), 3);
}

#[tokio::test]
async fn a_placement_left_pending_is_settled_when_twilio_asks_what_the_callee_hears() {
    use frontdesk::domain::{
        Hears, PhoneNumber, Placement, PlacementId, PlacementState, Purpose, Requester,
    };
    let world = World::embedded().await;
    // The placing process died after Twilio took the call and before it stored it.
    let placement = Placement {
        id: PlacementId::derive(&world.business.id, "api:crashed"),
        business_id: world.business.id.clone(),
        to: PhoneNumber::parse(CUSTOMER).unwrap(),
        from: PhoneNumber::parse(BUSINESS_NUMBER).unwrap(),
        hears: Hears::Say {
            text: "We called you back".into(),
            language: "he-IL".into(),
        },
        purpose: Purpose::callback(),
        requested_by: Requester::cli(),
        created_at: time::OffsetDateTime::now_utc(),
        state: PlacementState::Pending,
    };
    world
        .server
        .app
        .store()
        .claim_placement(&placement)
        .await
        .unwrap();
    let (status, answer) = world.place(&say(CUSTOMER), Some("crashed")).await;
    assert_eq!(status, 409, "outcome unknown, never placed twice: {answer}");
    assert_eq!(world.twilio.request_count(), 0);

    let sid = "CA00000000000000000000000000c4a5e1";
    let url = world.server.url(&format!(
        "/webhook/outbound_call?placement={}",
        placement.id
    ));
    let twiml = world.answer(&url, sid, "human").await;
    assert!(twiml.contains("We called you back"), "{twiml}");
    let listed = world.calls().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["call_sid"], sid);
    assert_eq!(listed[0]["direction"], "outbound-api");
    let (status, replayed) = world.place(&say(CUSTOMER), Some("crashed")).await;
    assert_eq!(status, 201, "{replayed}");
    assert_eq!(replayed["call_sid"], sid);
}

#[tokio::test]
async fn an_unknown_placement_is_hung_up_on() {
    let world = World::embedded().await;
    let url = world
        .server
        .url("/webhook/outbound_call?placement=00000000000000000000000000000000");
    let twiml = world
        .answer(&url, "CA00000000000000000000000000c4a5e2", "human")
        .await;
    assert!(twiml.ends_with("<Response><Hangup/></Response>"), "{twiml}");
}
