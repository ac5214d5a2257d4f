//! Twilio's REST API under fire while a business's CRM places a call (`POST /api/calls`, on
//! moto). Answering 503, the call is not placed and the CRM hears why (502); healed, its retry
//! with the same Idempotency-Key places it once. A connection cut before Twilio's answer leaves
//! the outcome unknown (504), and a retry never places that call a second time.

use frontdesk_testkit::faults::Fault;

use crate::outbound::{say, World};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_rest_down_during_an_outbound_call_places_it_once_and_never_twice() {
    let (world, twilio) = World::aws_behind_faults().await;
    twilio.set(Fault::Status(503));
    let (status, body) = world.place(&say("Hello"), Some("crm-outage")).await;
    assert_eq!(status, 502, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| !e.contains('\n')),
        "{body}"
    );
    assert_eq!(world.twilio.calls().len(), 0, "nothing placed");
    twilio.heal();
    let (status, placed) = world.place(&say("Hello"), Some("crm-outage")).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(world.twilio.calls().len(), 1);

    for (fault, key) in [(Fault::Refuse, "crm-closed"), (Fault::Reset, "crm-reset")] {
        twilio.set(fault);
        let (status, body) = world.place(&say("Hello again"), Some(key)).await;
        assert_eq!(status, 504, "{fault:?}: the outcome is unknown: {body}");
        twilio.heal();
        let reached = world.twilio.calls().len();
        let (status, body) = world.place(&say("Hello again"), Some(key)).await;
        assert_eq!(status, 409, "{fault:?}: never placed twice: {body}");
        assert_eq!(world.twilio.calls().len(), reached, "{fault:?}");
    }
}
