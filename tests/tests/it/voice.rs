//! The voice flow over HTTP, run against `frontdesk serve` on each backend
//! (`voice_embedded`: SQLite; `voice_aws`: DynamoDB, SQS and S3 on moto).

use bytes::Bytes;
use frontdesk::domain::{
    Business, BusinessId, CallSid, CallStatus, PhoneNumber, TranscriptionState, VoiceMode,
};
use frontdesk::Route;
use frontdesk_testkit::unique::number as unique;
use frontdesk_testkit::TestServer;

/// The Twilio voice webhooks: each checks the signature and needs a CallSid.
const VOICE_WEBHOOKS: [Route; 5] = [
    Route::IncomingCall,
    Route::HandleRecording,
    Route::RecordingStatus,
    Route::CallStatus,
    Route::Gather,
];

/// Where `business`'s greeting is served.
fn greeting_path(business: &BusinessId) -> String {
    Route::Greeting.path_with(&[("business", business.as_str())])
}

/// A silent MPEG-1 Layer III frame, repeated: a real (if quiet) MP3.
pub fn mp3() -> Bytes {
    let mut frame = vec![0xFF, 0xFB, 0x90, 0x64];
    frame.resize(417, 0);
    Bytes::from(frame.repeat(8))
}

/// A business with its own numbers, stored (with a greeting when `greeting` is true).
pub async fn business(server: &TestServer, mode: VoiceMode, greeting: bool) -> Business {
    let n = unique();
    let mut business = Business::new(
        BusinessId::parse(&format!("biz-{n}")).unwrap(),
        "Acme Dental",
    );
    business.phone_numbers =
        vec![PhoneNumber::parse(&format!("+1555{:07}", n % 10_000_000)).unwrap()];
    business.voice_mode = mode;
    if greeting {
        let key = Business::standard_greeting_key(&business.id);
        server
            .app
            .greetings()
            .put(&key, mp3(), "audio/mpeg")
            .await
            .unwrap();
        business.greeting_key = Some(key);
    }
    server.app.store().put_business(&business).await.unwrap();
    business
}

pub fn call_sid() -> String {
    format!("CA{:032x}", unique())
}

fn number(business: &Business) -> &str {
    business.phone_numbers[0].as_str()
}

async fn incoming(
    server: &TestServer,
    sid: &str,
    business: &Business,
    from: &str,
) -> (u16, String, String) {
    let response = server
        .post_signed(
            Route::IncomingCall.path(),
            &[
                ("CallSid", sid),
                ("AccountSid", "AC123"),
                ("From", from),
                ("To", number(business)),
                ("CallStatus", "ringing"),
                ("Direction", "inbound"),
                ("CallerName", "Dana <&> \"Levi\""),
            ],
        )
        .await;
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    (status, content_type, response.text().await.unwrap())
}

async fn record_action(
    server: &TestServer,
    sid: &str,
    business: &Business,
    recording_sid: &str,
) -> (u16, String) {
    let url =
        format!("https://api.twilio.com/2010-04-01/Accounts/AC123/Recordings/{recording_sid}");
    let response = server
        .post_signed(
            Route::HandleRecording.path(),
            &[
                ("CallSid", sid),
                ("From", "+972501234567"),
                ("To", number(business)),
                ("RecordingUrl", &url),
                ("RecordingSid", recording_sid),
                ("RecordingDuration", "14"),
                ("Digits", "*"),
            ],
        )
        .await;
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn recording_completed(
    server: &TestServer,
    sid: &str,
    business: &Business,
    recording_sid: &str,
) -> u16 {
    let url =
        format!("https://api.twilio.com/2010-04-01/Accounts/AC123/Recordings/{recording_sid}");
    server
        .post_signed(
            Route::RecordingStatus.path(),
            &[
                ("CallSid", sid),
                ("To", number(business)),
                ("RecordingSid", recording_sid),
                ("RecordingUrl", &url),
                ("RecordingStatus", "completed"),
                ("RecordingDuration", "14"),
            ],
        )
        .await
        .status()
        .as_u16()
}

async fn status(server: &TestServer, sid: &str, status: &str, sequence: u32) -> u16 {
    let sequence = sequence.to_string();
    server
        .post_signed(
            Route::CallStatus.path(),
            &[
                ("CallSid", sid),
                ("CallStatus", status),
                ("SequenceNumber", &sequence),
                ("CallDuration", "31"),
                ("Timestamp", "Sat, 21 Nov 2026 10:00:31 +0000"),
                ("Direction", "inbound"),
            ],
        )
        .await
        .status()
        .as_u16()
}

async fn stored_call(server: &TestServer, sid: &str) -> frontdesk::domain::Call {
    server
        .app
        .store()
        .call(&CallSid::parse(sid).unwrap())
        .await
        .unwrap()
        .expect("call stored")
}

pub async fn the_whole_voice_flow(server: &TestServer) {
    let business = business(server, VoiceMode::Voicemail, true).await;
    let sid = call_sid();

    let (code, content_type, twiml) = incoming(server, &sid, &business, "+972501234567").await;
    assert_eq!(code, 200);
    assert_eq!(content_type, "text/xml; charset=utf-8");
    let greeting_url = server.url(&greeting_path(&business.id));
    assert!(
        twiml.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><Response><Play>"#),
        "{twiml}"
    );
    assert!(
        twiml.contains(&format!("<Play>{greeting_url}</Play><Pause length=\"1\"/>")),
        "{twiml}"
    );
    assert!(
        twiml.contains(&format!(
            r#"<Record action="{}" method="POST" timeout="5" finishOnKey="*" maxLength="30" playBeep="true" recordingStatusCallback="{}""#,
            server.url(Route::HandleRecording.path()),
            server.url(Route::RecordingStatus.path())
        )),
        "{twiml}"
    );
    assert!(twiml.ends_with("<Hangup/></Response>"), "{twiml}");

    let greeting = frontdesk_testkit::http_client()
        .get(&greeting_url)
        .send()
        .await
        .unwrap();
    assert_eq!(greeting.status(), 200);
    assert_eq!(greeting.headers()["content-type"], "audio/mpeg");
    assert!(greeting.headers().contains_key("etag"));
    assert!(greeting.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    assert_eq!(greeting.bytes().await.unwrap(), mp3());

    let recording_sid = format!("RE{:032x}", unique());
    let (code, thanks) = record_action(server, &sid, &business, &recording_sid).await;
    assert_eq!(code, 200);
    assert!(
        thanks.contains("<Say language=\"he-IL\">תודה. ההודעה התקבלה.</Say><Hangup/>"),
        "{thanks}"
    );
    assert_eq!(
        recording_completed(server, &sid, &business, &recording_sid).await,
        204
    );
    assert_eq!(status(server, &sid, "completed", 4).await, 204);

    let jobs = server.jobs.transcription_jobs().await;
    let ours: Vec<_> = jobs.iter().filter(|j| j.call_sid.as_str() == sid).collect();
    assert_eq!(ours.len(), 1, "one transcription job: {jobs:?}");
    assert_eq!(ours[0].recording_sid.as_str(), recording_sid);
    assert_eq!(ours[0].business_id.as_ref(), Some(&business.id));

    let call = stored_call(server, &sid).await;
    assert_eq!(call.status, CallStatus::Completed);
    assert_eq!(call.duration_seconds, Some(31));
    assert_eq!(call.business_id.as_ref(), Some(&business.id));
    assert_eq!(call.caller_name.as_deref(), Some("Dana <&> \"Levi\""));
    assert_eq!(
        call.recording.as_ref().map(|r| r.sid.as_str()),
        Some(recording_sid.as_str())
    );
    assert_eq!(call.recording_status.as_deref(), Some("completed"));
    assert_eq!(call.transcription, Some(TranscriptionState::Queued));
}

pub async fn duplicate_recording_callback_enqueues_once(server: &TestServer) {
    let business = business(server, VoiceMode::Voicemail, false).await;
    let sid = call_sid();
    incoming(server, &sid, &business, "+972501234567").await;
    let recording_sid = format!("RE{:032x}", unique());
    for _ in 0..3 {
        assert_eq!(
            record_action(server, &sid, &business, &recording_sid)
                .await
                .0,
            200
        );
    }
    assert_eq!(
        recording_completed(server, &sid, &business, &recording_sid).await,
        204
    );
    let jobs = server.jobs.transcription_jobs().await;
    assert_eq!(
        jobs.iter().filter(|j| j.call_sid.as_str() == sid).count(),
        1
    );
    assert_eq!(
        stored_call(server, &sid).await.transcription,
        Some(TranscriptionState::Queued)
    );
}

pub async fn unsigned_or_forged_requests_are_403(server: &TestServer) {
    let client = frontdesk_testkit::http_client();
    for path in VOICE_WEBHOOKS.map(Route::path) {
        let unsigned = client
            .post(server.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("CallSid=CA1&CallStatus=completed")
            .send()
            .await
            .unwrap();
        assert_eq!(unsigned.status(), 403, "{path} unsigned");
        let forged = client
            .post(server.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-twilio-signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
            .body("CallSid=CA1&CallStatus=completed")
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403, "{path} forged");
    }
}

pub async fn missing_call_sid_or_status_is_400(server: &TestServer) {
    for path in VOICE_WEBHOOKS.map(Route::path) {
        let response = server
            .post_signed(
                path,
                &[("From", "+972501234567"), ("CallStatus", "completed")],
            )
            .await;
        assert_eq!(response.status(), 400, "{path}");
        assert_eq!(
            response.text().await.unwrap(),
            "bad request: CallSid is required\n"
        );
    }
    let response = server
        .post_signed(Route::CallStatus.path(), &[("CallSid", "CA1")])
        .await;
    assert_eq!(response.status(), 400);
    let response = server
        .post_signed(
            Route::CallStatus.path(),
            &[("CallSid", "CA1"), ("CallStatus", "exploded")],
        )
        .await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("exploded"));
}

pub async fn unknown_number_gets_the_default_voicemail(server: &TestServer) {
    let sid = call_sid();
    let response = server
        .post_signed(
            Route::IncomingCall.path(),
            &[
                ("CallSid", &sid),
                ("From", "+972501234567"),
                ("To", "+15550000001"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let twiml = response.text().await.unwrap();
    assert!(twiml.contains(r#"<Say language="he-IL">שלום, השאירו הודעה אחרי הצפצוף.</Say><Pause length="1"/><Record "#), "{twiml}");
    assert_eq!(
        stored_call(server, &sid)
            .await
            .business_id
            .unwrap()
            .as_str(),
        "default"
    );
}

pub async fn a_missing_greeting_object_falls_back_to_say(server: &TestServer) {
    let mut business = business(server, VoiceMode::Voicemail, false).await;
    business.greeting_key = Some(format!("greetings/never-uploaded-{}.mp3", unique()));
    server.app.store().put_business(&business).await.unwrap();
    let (code, _, twiml) = incoming(server, &call_sid(), &business, "+972501234567").await;
    assert_eq!(code, 200);
    assert!(!twiml.contains("<Play>"), "{twiml}");
    assert!(
        twiml.contains("<Say language=\"he-IL\">שלום, השאירו הודעה אחרי הצפצוף.</Say>"),
        "{twiml}"
    );
}

pub async fn caller_text_full_of_xml_metacharacters_stays_well_formed(server: &TestServer) {
    let mut business = business(server, VoiceMode::Stream, false).await;
    business.stream_url = Some("https://agent.example.com/media-stream/?token=dropped".into());
    server.app.store().put_business(&business).await.unwrap();
    let hostile = "+972<&\"'>]]></Parameter><Hangup/>";
    let (code, _, twiml) = incoming(server, &call_sid(), &business, hostile).await;
    assert_eq!(code, 200);
    assert!(twiml.contains(r#"<Connect><Stream url="wss://agent.example.com/media-stream"><Parameter name="From" value="+972&lt;&amp;&quot;&apos;&gt;]]&gt;&lt;/Parameter&gt;&lt;Hangup/&gt;"/>"#), "{twiml}");
    assert_eq!(
        twiml.matches("<Hangup/>").count(),
        1,
        "only the real Hangup verb: {twiml}"
    );
    assert!(
        twiml.contains("</Connect><Say"),
        "voicemail follows the agent: {twiml}"
    );
    assert!(twiml.contains(&format!(
        r#"<Parameter name="BusinessId" value="{}"/>"#,
        business.id
    )));
}

pub async fn call_statuses_out_of_order_end_completed(server: &TestServer) {
    let business = business(server, VoiceMode::Voicemail, false).await;
    let sid = call_sid();
    incoming(server, &sid, &business, "+972501234567").await;
    for (s, seq) in [
        ("completed", 4),
        ("ringing", 1),
        ("in-progress", 2),
        ("initiated", 0),
        ("completed", 4),
    ] {
        assert_eq!(status(server, &sid, s, seq).await, 204);
    }
    let call = stored_call(server, &sid).await;
    assert_eq!(call.status, CallStatus::Completed);
    let events = server.app.store().call_events(&call.sid).await.unwrap();
    assert_eq!(events.len(), 4, "the duplicate completed is one event");
}

pub async fn an_outbound_call_first_seen_in_a_status_callback_is_created(server: &TestServer) {
    let business = business(server, VoiceMode::Voicemail, false).await;
    let sid = call_sid();
    let response = server
        .post_signed(
            Route::CallStatus.path(),
            &[
                ("CallSid", &sid),
                ("CallStatus", "completed"),
                ("Direction", "outbound-api"),
                ("From", number(&business)),
                ("To", "+972501234567"),
                ("CallDuration", "8"),
            ],
        )
        .await;
    assert_eq!(response.status(), 204);
    let call = stored_call(server, &sid).await;
    assert_eq!(call.business_id.as_ref(), Some(&business.id));
    assert_eq!(call.duration_seconds, Some(8));
}

pub async fn a_caller_over_the_limit_is_rejected_busy(server: &TestServer) {
    let mut business = business(server, VoiceMode::Voicemail, false).await;
    business.calls_per_minute = 2;
    server.app.store().put_business(&business).await.unwrap();
    // Keep all three calls inside one clock minute.
    let into_minute = time::OffsetDateTime::now_utc().second();
    if into_minute > 50 {
        tokio::time::sleep(std::time::Duration::from_secs(u64::from(61 - into_minute))).await;
    }
    let caller = format!("+97250{:07}", unique() % 10_000_000);
    for _ in 0..2 {
        let (_, _, twiml) = incoming(server, &call_sid(), &business, &caller).await;
        assert!(twiml.contains("<Record "), "{twiml}");
    }
    let (code, _, twiml) = incoming(server, &call_sid(), &business, &caller).await;
    assert_eq!(code, 200);
    assert!(
        twiml.contains(r#"<Response><Reject reason="busy"/></Response>"#),
        "{twiml}"
    );
    let (_, _, other) = incoming(server, &call_sid(), &business, "+972509999999").await;
    assert!(
        other.contains("<Record "),
        "another caller is not limited: {other}"
    );
}

pub async fn greetings_answer_head_304_and_404(server: &TestServer) {
    let business = business(server, VoiceMode::Voicemail, true).await;
    let url = server.url(&greeting_path(&business.id));
    let client = frontdesk_testkit::http_client();
    let head = client.head(&url).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-type"], "audio/mpeg");
    assert_eq!(
        head.headers()["content-length"],
        mp3().len().to_string().as_str()
    );
    let etag = head.headers()["etag"].to_str().unwrap().to_string();
    let again = client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    for missing in ["nobody-here", "Not_Valid!"] {
        let missing = Route::Greeting.path_with(&[("business", missing)]);
        assert_eq!(
            client
                .get(server.url(&missing))
                .send()
                .await
                .unwrap()
                .status(),
            404,
            "{missing}"
        );
    }
    let silent = business_without_greeting(server).await;
    assert_eq!(
        client
            .get(server.url(&greeting_path(&silent.id)))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

async fn business_without_greeting(server: &TestServer) -> Business {
    business(server, VoiceMode::Voicemail, false).await
}

pub async fn verification_code_mode_gathers_six_digits(server: &TestServer) {
    let business = business(server, VoiceMode::VerificationCode, false).await;
    let sid = call_sid();
    let (_, _, twiml) = incoming(server, &sid, &business, "+972501234567").await;
    assert!(
        twiml.contains(&format!(
            r#"<Gather input="dtmf" action="{}" method="POST" timeout="10" numDigits="6"><Say"#,
            server.url(Route::Gather.path())
        )),
        "{twiml}"
    );
    assert!(
        twiml.contains("</Gather><Say"),
        "voicemail after the gather: {twiml}"
    );
    let response = server
        .post_signed(
            Route::Gather.path(),
            &[
                ("CallSid", &sid),
                ("To", number(&business)),
                ("Digits", "482913"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("<Hangup/>"));
    assert_eq!(
        stored_call(server, &sid).await.gathered_digits.as_deref(),
        Some("482913")
    );
}

#[macro_export]
macro_rules! voice_tests {
    ($make:path) => {
        $crate::voice_tests!(@each $make;
            the_whole_voice_flow,
            duplicate_recording_callback_enqueues_once,
            unsigned_or_forged_requests_are_403,
            missing_call_sid_or_status_is_400,
            unknown_number_gets_the_default_voicemail,
            a_missing_greeting_object_falls_back_to_say,
            caller_text_full_of_xml_metacharacters_stays_well_formed,
            call_statuses_out_of_order_end_completed,
            an_outbound_call_first_seen_in_a_status_callback_is_created,
            a_caller_over_the_limit_is_rejected_busy,
            greetings_answer_head_304_and_404,
            verification_code_mode_gathers_six_digits
        );
    };
    (@each $make:path; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let server = $make().await;
                $crate::voice::$name(&server).await;
            }
        )*
    };
}
