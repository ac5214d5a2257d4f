//! Twilio's WhatsApp webhooks: an incoming message stored once and auto-replied, its `From`
//! normalised, and status callbacks that only move a message forwards.

use frontdesk::domain::{MessageDirection, MessageId, MessageStatus, PhoneNumber};
use frontdesk::Route;
use frontdesk_testkit::TestServer;

use super::{business, incoming, message_sid, status, stored};

pub async fn an_inbound_message_delivered_three_times_is_stored_once_and_auto_replied(
    server: &TestServer,
) {
    let (business, _) = business(server, Some("תודה! נחזור אליך בקרוב & <soon>")).await;
    let sid = message_sid();
    for _ in 0..3 {
        let response = incoming(server, &sid, &business, "whatsapp:+972501234567").await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/xml; charset=utf-8"
        );
        let twiml = response.text().await.unwrap();
        assert_eq!(
            twiml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>תודה! נחזור אליך בקרוב &amp; &lt;soon&gt;</Message></Response>"
        );
    }
    let message = stored(server, &sid).await;
    assert_eq!(message.business_id, Some(business.id.clone()));
    assert_eq!(message.direction, Some(MessageDirection::Inbound));
    assert_eq!(message.from.as_deref(), Some("whatsapp:+972501234567"));
    let content = message.content.unwrap();
    assert_eq!(content.body.as_deref(), Some("שלום 👋 <b>&amp;</b>"));
    assert_eq!(content.profile_name.as_deref(), Some("Dana Levi"));
    assert_eq!(content.media.len(), 1);
    assert_eq!(content.media[0].content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        content.raw["WaId"], "972501234567",
        "every parameter is kept"
    );
    assert_eq!(content.raw["ReferralNumMedia"], "0");
    let contact = PhoneNumber::parse("+972501234567").unwrap();
    let page = server
        .app
        .store()
        .conversation_messages(&business.id, &contact, 10, None)
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 1, "one message, not three");
}

pub async fn without_an_auto_reply_the_answer_is_an_empty_response(server: &TestServer) {
    let (business, _) = business(server, None).await;
    let response = incoming(server, &message_sid(), &business, "+972501234567").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.text().await.unwrap(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>"
    );
}

pub async fn doubled_or_missing_whatsapp_prefixes_are_normalised_once(server: &TestServer) {
    let (business, _) = business(server, None).await;
    for from in [
        "whatsapp:whatsapp:+972501234567",
        "+972501234567",
        "972501234567",
    ] {
        let sid = message_sid();
        assert_eq!(incoming(server, &sid, &business, from).await.status(), 200);
        let message = stored(server, &sid).await;
        assert_eq!(
            message.from.as_deref(),
            Some("whatsapp:+972501234567"),
            "{from}"
        );
        assert_eq!(message.contact.unwrap().as_str(), "+972501234567");
    }
}

pub async fn a_message_moves_to_delivered_then_read_and_stays_read(server: &TestServer) {
    let sid = message_sid();
    for s in ["sent", "delivered", "read", "delivered", "sent"] {
        assert_eq!(status(server, &sid, s, &[]).await, 204, "{s}");
    }
    let message = stored(server, &sid).await;
    assert_eq!(message.status, Some(MessageStatus::Read));
    assert!(
        message.sent_at.is_some() && message.delivered_at.is_some() && message.read_at.is_some()
    );
    let events = server
        .app
        .store()
        .message_events(&MessageId::parse(&sid).unwrap())
        .await
        .unwrap();
    assert_eq!(events.len(), 3, "one event per status");

    let failing = message_sid();
    assert_eq!(
        status(server, &failing, "undelivered", &[("ErrorCode", "63016")]).await,
        204
    );
    assert_eq!(status(server, &failing, "sent", &[]).await, 204);
    let message = stored(server, &failing).await;
    assert_eq!(message.status, Some(MessageStatus::Undelivered));
    assert_eq!(message.error_code.as_deref(), Some("63016"));
}

pub async fn status_callbacks_without_sid_or_status_are_400_and_forged_ones_403(
    server: &TestServer,
) {
    let response = server
        .post_signed(Route::WhatsAppStatus.path(), &[("MessageStatus", "sent")])
        .await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("MessageSid"));
    let response = server
        .post_signed(
            Route::WhatsAppStatus.path(),
            &[("MessageSid", &message_sid())],
        )
        .await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("MessageStatus"));
    let response = server
        .post_signed(
            Route::WhatsAppStatus.path(),
            &[
                ("MessageSid", &message_sid()),
                ("MessageStatus", "teleported"),
            ],
        )
        .await;
    assert_eq!(response.status(), 400);
    let sid = message_sid();
    let forged = frontdesk_testkit::http_client()
        .post(server.url(Route::WhatsAppStatus.path()))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", "bm90IGEgc2lnbmF0dXJlIGF0IGFsbCE=")
        .body(format!("MessageSid={sid}&MessageStatus=read"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let forged = frontdesk_testkit::http_client()
        .post(server.url(Route::WhatsAppIncoming.path()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("MessageSid={sid}&From=%2B972501234567"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(server
        .app
        .store()
        .message(&MessageId::parse(&sid).unwrap())
        .await
        .unwrap()
        .is_none());
}
