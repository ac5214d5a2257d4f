//! Without `enable_calendar_scheduling`, or without booking settings, both webhooks behave
//! exactly as before the dialogue existed: the same TwiML, the same stored message, nothing
//! sent, no conversation kept.

use frontdesk::domain::{
    ConversationKey, MessageDirection, MessageId, MessageStatus, PhoneNumber, Provider,
};
use frontdesk::Route;
use serde_json::json;

use super::meta::{button_reply, meta_says, text};
use super::{message_sid, settings, wamid, World, ACCOUNT_SID, CHECKUP, CUSTOMER};

/// The two ways a business does not book over WhatsApp.
async fn not_booking(provider: Provider) -> Vec<World> {
    let off = World::embedded(provider).await;
    let mut off = off;
    off.business.enable_calendar_scheduling = false;
    off.business.booking = Some(settings(CHECKUP));
    off.save().await;
    let mut unset = World::embedded(provider).await;
    unset.business.booking = None;
    unset.save().await;
    vec![off, unset]
}

async fn no_conversation(world: &World) {
    let key = ConversationKey::whatsapp(&world.business.id, &PhoneNumber::parse(CUSTOMER).unwrap());
    assert_eq!(
        world.server.app.store().conversation(&key).await.unwrap(),
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_scheduling_twilio_gets_the_auto_reply_and_the_message_is_stored_as_before() {
    for world in not_booking(Provider::Twilio).await {
        let sid = message_sid();
        let to = format!("whatsapp:{}", world.business.phone_numbers[0].as_str());
        let response = world
            .server
            .post_signed(
                Route::WhatsAppIncoming.path(),
                &[
                    ("MessageSid", sid.as_str()),
                    ("AccountSid", ACCOUNT_SID),
                    ("From", "whatsapp:+972501234567"),
                    ("To", &to),
                    ("Body", "אפשר תור למחר? <b>&amp;</b>"),
                    ("ProfileName", "Dana Levi"),
                    ("NumMedia", "0"),
                ],
            )
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/xml; charset=utf-8"
        );
        assert_eq!(
            response.text().await.unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>תודה! נחזור אליך בקרוב</Message></Response>"
        );
        let message = world
            .server
            .app
            .store()
            .message(&MessageId::parse(&sid).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(message.business_id, Some(world.business.id.clone()));
        assert_eq!(message.direction, Some(MessageDirection::Inbound));
        assert_eq!(message.status, Some(MessageStatus::Received));
        assert_eq!(message.from.as_deref(), Some("whatsapp:+972501234567"));
        assert_eq!(message.to.as_deref(), Some(to.as_str()));
        assert_eq!(message.contact.as_ref().map(|c| c.as_str()), Some(CUSTOMER));
        assert_eq!(
            serde_json::to_value(message.content.unwrap()).unwrap(),
            json!({
                "kind": "text",
                "body": "אפשר תור למחר? <b>&amp;</b>",
                "profile_name": "Dana Levi",
                "raw": {"MessageSid": sid, "AccountSid": ACCOUNT_SID,
                        "From": "whatsapp:+972501234567", "To": to,
                        "Body": "אפשר תור למחר? <b>&amp;</b>", "ProfileName": "Dana Levi",
                        "NumMedia": "0"},
            })
        );
        assert!(world.twilio_sent().is_empty(), "nothing sent");
        no_conversation(&world).await;
        assert!(world.booked().await.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_scheduling_meta_messages_are_stored_as_before_and_nothing_is_sent() {
    for world in not_booking(Provider::Meta).await {
        meta_says(&world, text(&wamid(), "אפשר תור למחר?")).await;
        let id = wamid();
        let option = json!({"reply": {"id": "2@1795255200", "title": "שני 23.11, 09:15"}});
        let reply = button_reply(&id, &option);
        meta_says(&world, reply.clone()).await;
        let message = world
            .server
            .app
            .store()
            .message(&MessageId::parse(&id).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(message.business_id, Some(world.business.id.clone()));
        assert_eq!(message.status, Some(MessageStatus::Received));
        assert_eq!(
            serde_json::to_value(message.content.unwrap()).unwrap(),
            json!({
                "kind": "interactive",
                "body": "שני 23.11, 09:15",
                "profile_name": "Dana Levi",
                "context_id": "wamid.ASKED",
                "raw": reply,
            })
        );
        assert!(world.meta_sent().is_empty(), "nothing sent");
        no_conversation(&world).await;
        assert!(world.booked().await.is_empty());
    }
}
