//! Only a business whose call goal is `appointment` and that has booking settings answers with
//! the booking menu. Every other call is answered exactly as before booking by phone existed:
//! these are the TwiML documents, byte for byte, of each voice mode, of `appointment` without
//! booking settings, of booking settings without the goal, and of a caller with no number.

use frontdesk::domain::{
    Business, BusinessId, CallGoal, CallSid, ConversationKey, PhoneNumber, VoiceMode,
};
use frontdesk::Route;
use frontdesk_testkit::TestServer;

use super::settings;

const XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
const CALL_SID: &str = "CA0123456789abcdef0123456789abcdef";

/// Stores a business with a fixed id and number, changed by `edit`.
async fn business(server: &TestServer, id: &str, number: &str, edit: impl FnOnce(&mut Business)) {
    let mut business = Business::new(BusinessId::parse(id).unwrap(), "Snapshot Clinic");
    business.phone_numbers = vec![PhoneNumber::parse(number).unwrap()];
    edit(&mut business);
    server.app.store().put_business(&business).await.unwrap();
}

async fn incoming(server: &TestServer, to: &str, from: &str) -> String {
    let response = server
        .post_signed(
            Route::IncomingCall.path(),
            &[
                ("CallSid", CALL_SID),
                ("AccountSid", "AC123"),
                ("From", from),
                ("To", to),
                ("CallStatus", "ringing"),
                ("Direction", "inbound"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// What follows the opening of every voicemail: the pause, `<Record>`, the goodbye.
fn record(base: &str) -> String {
    format!(
        "<Pause length=\"1\"/><Record action=\"{base}/webhook/handle_recording\" method=\"POST\" \
         timeout=\"5\" finishOnKey=\"*\" maxLength=\"30\" playBeep=\"true\" \
         recordingStatusCallback=\"{base}/webhook/recording_status\" \
         recordingStatusCallbackMethod=\"POST\" recordingStatusCallbackEvent=\"completed absent\"/>\
         <Say language=\"he-IL\">לא התקבלה הודעה. להתראות.</Say><Hangup/>"
    )
}

const FALLBACK: &str = "<Say language=\"he-IL\">שלום, השאירו הודעה אחרי הצפצוף.</Say>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_other_call_gets_the_twiml_it_got_before() {
    let server = TestServer::start(&[]).await;
    let base = server.base_url.clone();
    let key = Business::standard_greeting_key(&BusinessId::parse("snap-voicemail").unwrap());
    server
        .app
        .greetings()
        .put(&key, crate::voice::mp3(), "audio/mpeg")
        .await
        .unwrap();
    business(&server, "snap-voicemail", "+15550000001", |b| {
        b.greeting_key = Some(key);
    })
    .await;
    business(&server, "snap-stream", "+15550000002", |b| {
        b.voice_mode = VoiceMode::Stream;
        b.stream_url = Some("https://agent.example.com/media-stream".into());
    })
    .await;
    business(&server, "snap-verify", "+15550000003", |b| {
        b.voice_mode = VoiceMode::VerificationCode;
    })
    .await;
    business(&server, "snap-unset", "+15550000004", |b| {
        b.call_goal = CallGoal::Appointment;
        b.enable_calendar_scheduling = true;
    })
    .await;
    business(&server, "snap-lead", "+15550000005", |b| {
        b.enable_calendar_scheduling = true;
        b.booking = Some(settings(None));
    })
    .await;
    business(&server, "snap-booking", "+15550000006", |b| {
        b.call_goal = CallGoal::Appointment;
        b.enable_calendar_scheduling = true;
        b.booking = Some(settings(None));
    })
    .await;
    let caller = "+972501234567";

    assert_eq!(
        incoming(&server, "+15550000001", caller).await,
        format!(
            "{XML}<Response><Play>{base}/greetings/snap-voicemail.mp3</Play>{}</Response>",
            record(&base)
        ),
        "voicemail with a greeting"
    );
    assert_eq!(
        incoming(&server, "+15550000002", caller).await,
        format!(
            "{XML}<Response><Connect><Stream url=\"wss://agent.example.com/media-stream\">\
             <Parameter name=\"From\" value=\"+972501234567\"/>\
             <Parameter name=\"To\" value=\"+15550000002\"/>\
             <Parameter name=\"CallSid\" value=\"{CALL_SID}\"/>\
             <Parameter name=\"BusinessId\" value=\"snap-stream\"/></Stream></Connect>\
             {FALLBACK}{}</Response>",
            record(&base)
        ),
        "stream"
    );
    assert_eq!(
        incoming(&server, "+15550000003", caller).await,
        format!(
            "{XML}<Response><Gather input=\"dtmf\" action=\"{base}/webhook/gather\" \
             method=\"POST\" timeout=\"10\" numDigits=\"6\"><Say language=\"he-IL\">\
             נא הקישו את קוד האימות בן שש הספרות.</Say></Gather>{FALLBACK}{}</Response>",
            record(&base)
        ),
        "verification code"
    );
    let plain_voicemail = format!("{XML}<Response>{FALLBACK}{}</Response>", record(&base));
    assert_eq!(
        incoming(&server, "+15550000004", caller).await,
        plain_voicemail,
        "appointment without booking settings"
    );
    assert_eq!(
        incoming(&server, "+15550000005", caller).await,
        plain_voicemail,
        "booking settings, call goal lead_only"
    );
    assert_eq!(
        incoming(&server, "+15550000006", "anonymous").await,
        plain_voicemail,
        "a caller without a number has nothing to book for"
    );
    let menu = incoming(&server, "+15550000006", caller).await;
    assert!(
        menu.contains(&format!(
            "<Gather input=\"speech dtmf\" action=\"{base}/webhook/voice_booking?step=1\""
        )),
        "{menu}"
    );
    let key = ConversationKey::voice(&CallSid::parse(CALL_SID).unwrap());
    assert_eq!(
        server.app.store().conversation(&key).await.unwrap(),
        None,
        "no dialogue until the caller answers"
    );
}
