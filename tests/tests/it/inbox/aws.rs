//! The inbox on the AWS backends (DynamoDB, S3 on moto, wired as the `inbox` Lambda is): the
//! recording plays from an S3 presigned URL that expires in minutes, and the handled flag is
//! kept in DynamoDB. Needs `FRONTDESK_TEST_AWS_ENDPOINT` (`./infra/test.sh`).

use frontdesk::config::PublicBaseUrl;
use frontdesk::domain::{Business, BusinessId, CallSid, CallStart, CallStatus, Direction};
use frontdesk::lambda::Wiring;
use frontdesk::Route;
use frontdesk_testkit::{Stack, TestServer};
use jiff::Timestamp;

use super::{client, cookie_of, csrf_of, handled_path, voicemail};

#[tokio::test]
async fn on_aws_the_recording_plays_from_a_presigned_s3_link_and_the_flag_is_kept() {
    let stack = Stack::new().await;
    let config = frontdesk_testkit::config::config(&[(
        "FRONTDESK_RECORDINGS_BUCKET",
        &stack.recordings_bucket,
    )]);
    let app = Wiring::new(config, stack.sdk.clone(), stack.resources.clone())
        .recordings()
        .app()
        .unwrap();
    let server = TestServer::with_app(app, stack.probe()).await;
    let store = server.app.store();
    let owner = Business::new(
        BusinessId::parse(&format!("inbox-{}", stack.name)).unwrap(),
        "Clinic",
    );
    store.put_business(&owner).await.unwrap();
    let call = CallSid::parse("CAinboxaws0001").unwrap();
    store
        .record_call_start(&CallStart {
            sid: call.clone(),
            business_id: owner.id.clone(),
            from: "+972501234567".into(),
            to: "+97233334444".into(),
            direction: Direction::Inbound,
            caller_name: None,
            status: CallStatus::Completed,
            started_at: time::OffsetDateTime::now_utc(),
            placed: None,
        })
        .await
        .unwrap();
    // The recording copy goes to S3 with it.
    voicemail(&server.app, &call).await;

    let link = frontdesk_cli::inbox::link(
        store,
        &PublicBaseUrl::parse(&server.base_url).unwrap(),
        &owner.id,
        15,
        Timestamp::now(),
    )
    .await
    .unwrap();
    let signed_in = client().get(&link).send().await.unwrap();
    assert_eq!(signed_in.status(), 200);
    let cookie = cookie_of(&signed_in).unwrap();
    let page = client()
        .get(server.url(Route::Inbox.path()))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = r#"<audio controls preload="none" src=""#;
    let src = page[page.find(marker).expect("an audio element") + marker.len()..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(src.contains(&stack.recordings_bucket), "{src}");
    assert!(
        src.contains("X-Amz-Signature=") && src.contains("X-Amz-Expires=900"),
        "{src}"
    );
    let audio = client().get(&src).send().await.unwrap();
    assert_eq!(
        audio.status(),
        200,
        "the browser fetches the audio from S3 itself"
    );
    assert_eq!(audio.bytes().await.unwrap().as_ref(), b"ID3");

    let csrf = csrf_of(&page);
    let body = format!("csrf={csrf}&handled=true");
    let marked = client()
        .post(server.url(&handled_path(&call)))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(marked.status(), 303);
    assert!(store.call(&call).await.unwrap().unwrap().handled);
}

#[tokio::test]
async fn on_aws_a_customers_timeline_reads_their_records_and_a_block_is_kept() {
    use frontdesk::domain::booking::engine::{Busy, Slot};
    use frontdesk::domain::booking::settings::ServiceId;
    use frontdesk::domain::{
        Channel, MessageContent, MessageDirection, MessageId, MessageStatus, NewAppointment,
        NewMessage, PhoneNumber, RequestKey,
    };

    let stack = Stack::new().await;
    let app = Wiring::new(
        frontdesk_testkit::config::config(&[]),
        stack.sdk.clone(),
        stack.resources.clone(),
    )
    .app()
    .unwrap();
    let server = TestServer::with_app(app, stack.probe()).await;
    let store = server.app.store();
    let owner = Business::new(
        BusinessId::parse(&format!("timeline-{}", stack.name)).unwrap(),
        "Clinic",
    );
    store.put_business(&owner).await.unwrap();
    let customer = PhoneNumber::parse("+972501234567").unwrap();
    let now = time::OffsetDateTime::now_utc();
    let mut calls = Vec::new();
    for (n, from) in ["+972501234567", "+972507654321"].into_iter().enumerate() {
        let sid = CallSid::parse(&format!("CAtimeline{n}")).unwrap();
        store
            .record_call_start(&CallStart {
                sid: sid.clone(),
                business_id: owner.id.clone(),
                from: from.into(),
                to: "+97233334444".into(),
                direction: Direction::Inbound,
                caller_name: None,
                status: CallStatus::Completed,
                started_at: now - time::Duration::minutes(10),
                placed: None,
            })
            .await
            .unwrap();
        calls.push(sid);
    }
    let said = MessageId::parse("SMtimelineaws0001").unwrap();
    store
        .insert_message(&NewMessage {
            id: said.clone(),
            business_id: Some(owner.id.clone()),
            direction: MessageDirection::Inbound,
            contact: Some(customer.clone()),
            from: Some(customer.whatsapp()),
            to: Some("whatsapp:+97233334444".into()),
            content: MessageContent {
                kind: "text".into(),
                body: Some("hello".into()),
                ..MessageContent::default()
            },
            status: MessageStatus::Received,
            error_code: None,
            error_message: None,
            at: now - time::Duration::minutes(5),
        })
        .await
        .unwrap();
    let start = Timestamp::now() + jiff::SignedDuration::from_hours(48);
    let slot = Slot {
        start,
        end: start + jiff::SignedDuration::from_mins(30),
    };
    let booked = store
        .book(
            &NewAppointment {
                business_id: owner.id.clone(),
                service: ServiceId::parse("checkup").unwrap(),
                slot,
                block: Busy {
                    start: slot.start,
                    end: slot.end,
                },
                timezone: "Asia/Jerusalem".into(),
                phone: customer.clone(),
                name: None,
                channel: Channel::Api,
                request: RequestKey::new("api", &[stack.name.as_str()]).unwrap(),
                at: Timestamp::now(),
            },
            1,
        )
        .await
        .unwrap();
    let frontdesk::store::Booking::Booked(booked) = booked else {
        panic!("{booked:?}");
    };

    let link = frontdesk_cli::inbox::link(
        store,
        &PublicBaseUrl::parse(&server.base_url).unwrap(),
        &owner.id,
        15,
        Timestamp::now(),
    )
    .await
    .unwrap();
    let cookie = cookie_of(&client().get(&link).send().await.unwrap()).unwrap();
    let path = Route::InboxCustomer.path_with(&[("number", customer.as_str())]);
    let page = client()
        .get(server.url(&path))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (appointment, message, call) = (
        page.find(&format!("data-appointment=\"{}\"", booked.id)),
        page.find(&format!("data-message=\"{said}\"")),
        page.find(&format!("data-call=\"{}\"", calls[0])),
    );
    assert!(
        appointment < message && message < call && appointment.is_some(),
        "newest first: {page}"
    );
    assert!(!page.contains(calls[1].as_str()), "another customer's call");

    let csrf = csrf_of(&page);
    let blocked = client()
        .post(server.url(&Route::InboxCustomerBlock.path_with(&[("number", customer.as_str())])))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&blocked=true"))
        .send()
        .await
        .unwrap();
    assert_eq!(blocked.status(), 303);
    let stored = store.business(&owner.id).await.unwrap().unwrap();
    assert_eq!(stored.blocked_numbers, vec![customer]);
}

#[tokio::test]
async fn with_dynamodb_unreachable_every_page_and_action_answers_the_unavailable_page() {
    let live = Stack::new().await;
    // Nothing listens on the discard port: every store call fails at once.
    let app = frontdesk_testkit::aws::app_at("http://127.0.0.1:9", &[], &live.resources).await;
    let server = TestServer::with_app(app, live.probe()).await;
    let cookie = format!("frontdesk_inbox={}.sample", "A".repeat(43));
    let customer = Route::InboxCustomer.path_with(&[("number", "+972501234567")]);
    let gets = [
        Route::Inbox.path().to_string(),
        Route::InboxCall.path_with(&[("call_sid", "CA00000000000000000000000000000001")]),
        Route::InboxCustomers.path().to_string(),
        customer.clone(),
        format!("{}?q=crown", Route::InboxSearch.path()),
        format!("{}?from=2026-12-06", Route::InboxAppointments.path()),
        format!(
            "{}?since=2026-12-06T08%3A00%3A00Z",
            Route::InboxUpdates.path()
        ),
        format!("{}?token={}", Route::InboxLogin.path(), "S".repeat(43)),
    ];
    for path in &gets {
        let response = client()
            .get(server.url(path))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 503, "GET {path}");
    }
    let posts = [
        handled_path(&CallSid::parse("CA00000000000000000000000000000001").unwrap()),
        format!("{customer}/reply"),
        format!("{customer}/call"),
        format!("{customer}/block"),
        Route::InboxAppointmentCancel.path_with(&[("id", "0196f0a0b1c27d3e8f9a0b1c2d3e4f50")]),
        Route::InboxLogout.path().to_string(),
    ];
    for path in &posts {
        let response = client()
            .post(server.url(path))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("csrf=sample&key=0123456789abcdef0123456789abcdef&body=hi&blocked=true")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 503, "POST {path}");
    }
    // The page's script needs no store.
    let script = client()
        .get(server.url(Route::InboxScript.path()))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
}
