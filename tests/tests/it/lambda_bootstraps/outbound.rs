//! The outbound call's functions on their sample events: the calls API places the sample's
//! call at Twilio's stand-in through the `api-calls` bootstrap, with callback URLs rebuilt
//! from the request (the execute-api URL Twilio will call), and `outbound-call` answers what
//! the callee hears.

use frontdesk::domain::{ApiKey, Business, BusinessId, PhoneNumber};
use frontdesk::Route;
use frontdesk_testkit::aws;
use frontdesk_testkit::fixtures::SAMPLE_AUTH_TOKEN;
use frontdesk_testkit::standins::scripted::ACCOUNT_SID;
use frontdesk_testkit::standins::twilio_rest::TwilioApi;
use serde_json::Value;

use super::function::Function;
use super::{body_text, resources, status};

/// The key every `/api/*` sample event carries (events/README.md).
const SAMPLE_API_KEY: &str = "fdk_SAMPLEsampleSAMPLEsampleSAMPLEsampleSAMPLEs";
const BUSINESS_NUMBER: &str = "+97233334444";

#[tokio::test]
async fn the_calls_api_bootstrap_places_the_samples_call_once() {
    let (resources, _) = resources(false).await;
    let app = aws::app(&[], &resources).await;
    let mut clinic = Business::new(BusinessId::parse("clinic").unwrap(), "Clinic");
    clinic.phone_numbers = vec![PhoneNumber::parse(BUSINESS_NUMBER).unwrap()];
    app.store().put_business(&clinic).await.unwrap();
    let key = ApiKey::parse(SAMPLE_API_KEY).unwrap();
    app.store()
        .put_api_key(&clinic.id, &key.hash(), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    let twilio = TwilioApi::start(ACCOUNT_SID, SAMPLE_AUTH_TOKEN).await;
    twilio.add_number(BUSINESS_NUMBER, None, None, None);

    let mut function = Function::start(
        "api-calls",
        &resources,
        &[
            ("FRONTDESK_RECORDINGS_BUCKET", &resources.greetings_bucket),
            ("TWILIO_ACCOUNT_SID", ACCOUNT_SID),
            ("TWILIO_API_BASE_URL", twilio.base_url()),
        ],
    )
    .await;
    let response = function.invoke("api-calls-post.json").await;
    assert_eq!(status(&response), 201, "{response}");
    let placed: Value = serde_json::from_slice(&super::body(&response)).unwrap();
    assert_eq!(placed["direction"], "outbound-api");
    assert_eq!(placed["to"], "+972501234567");
    let again = function.invoke("api-calls-post.json").await;
    assert_eq!(status(&again), 201, "{again}");
    assert_eq!(
        super::body(&again),
        super::body(&response),
        "the key's replay"
    );
    let calls = twilio.created_calls();
    assert_eq!(calls.len(), 1, "one call placed");
    let base = "https://abc123.execute-api.eu-west-1.amazonaws.com";
    assert_eq!(
        calls[0].field("StatusCallback"),
        Some(format!("{base}{}", Route::CallStatus.path()).as_str())
    );
    assert!(calls[0]
        .field("Url")
        .unwrap()
        .starts_with(&format!("{base}{}?placement=", Route::OutboundCall.path())));
}

#[tokio::test]
async fn outbound_call_hangs_up_on_a_placement_it_does_not_know() {
    let (resources, _) = resources(false).await;
    let mut function = Function::start("outbound-call", &resources, &[]).await;
    let response = function.invoke("outbound-call.json").await;
    assert_eq!(status(&response), 200, "{response}");
    assert!(
        body_text(&response).ends_with("<Response><Hangup/></Response>"),
        "{response}"
    );
}
