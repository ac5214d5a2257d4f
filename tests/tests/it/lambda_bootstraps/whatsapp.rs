//! The WhatsApp functions: Twilio's webhooks, Meta's, and the messages API.

use frontdesk_testkit::aws;
use frontdesk_testkit::fixtures::{SAMPLE_META_APP_SECRET, SAMPLE_META_VERIFY_TOKEN};

use super::function::Function;
use super::{body_text, header, resources, status};

#[tokio::test]
async fn whatsapp_incoming_stores_the_message_and_auto_replies_in_twiml() {
    let (resources, _) = resources(true).await;
    let mut function = Function::start("whatsapp-incoming", &resources, &[]).await;
    let response = function.invoke("whatsapp-incoming.json").await;
    assert_eq!(status(&response), 200, "{response}");
    assert!(
        header(&response, "content-type").is_some_and(|t| t.starts_with("text/xml")),
        "{response}"
    );
    assert!(
        body_text(&response).contains("<Message>תודה שפנית למרפאת השיניים!"),
        "the demo clinic's auto-reply: {response}"
    );
    let app = aws::app(&[], &resources).await;
    let id = frontdesk::domain::MessageId::parse("SM0123456789abcdef0123456789abcdef").unwrap();
    let message = app.store().message(&id).await.unwrap().expect("stored");
    assert_eq!(message.business_id.unwrap().as_str(), "demo");
}

#[tokio::test]
async fn whatsapp_status_answers_204_and_applies_the_status() {
    let (resources, _) = resources(false).await;
    let mut function = Function::start("whatsapp-status", &resources, &[]).await;
    let response = function.invoke("whatsapp-status.json").await;
    assert_eq!(status(&response), 204, "{response}");
    let app = aws::app(&[], &resources).await;
    let id = frontdesk::domain::MessageId::parse("SM1123456789abcdef0123456789abcdef").unwrap();
    let message = app
        .store()
        .message(&id)
        .await
        .unwrap()
        .expect("created by its status");
    assert_eq!(
        message.status,
        Some(frontdesk::domain::MessageStatus::Delivered)
    );
}

#[tokio::test]
async fn meta_whatsapp_verifies_the_subscription_and_stores_a_signed_notification() {
    let (resources, _) = resources(true).await;
    let secrets = [
        ("META_APP_SECRET", SAMPLE_META_APP_SECRET),
        ("META_VERIFY_TOKEN", SAMPLE_META_VERIFY_TOKEN),
    ];
    let mut function = Function::start("meta-whatsapp", &resources, &secrets).await;
    let handshake = function.invoke("meta-whatsapp-verify.json").await;
    assert_eq!(status(&handshake), 200, "{handshake}");
    assert_eq!(body_text(&handshake), "1158201444");
    let response = function.invoke("meta-whatsapp.json").await;
    assert_eq!(status(&response), 200, "{response}");
    let app = aws::app(&[], &resources).await;
    let id = frontdesk::domain::MessageId::parse(
        "wamid.HBgMOTcyNTAxMjM0NTY3FQIAEhgUM0VCMDZCMzlEQUE4OTJBMTE4RTUA",
    )
    .unwrap();
    let message = app.store().message(&id).await.unwrap().expect("stored");
    assert_eq!(
        message.business_id.unwrap().as_str(),
        "demo",
        "by phone_number_id"
    );
    assert_eq!(
        message.content.unwrap().body.as_deref(),
        Some("שלום! 👋 מתי אתם פתוחים?")
    );
    drop(function);

    let mut wrong = Function::start(
        "meta-whatsapp",
        &resources,
        &[("META_APP_SECRET", "another-secret")],
    )
    .await;
    let refused = wrong.invoke("meta-whatsapp.json").await;
    assert_eq!(status(&refused), 403, "{refused}");
    let refused = wrong.invoke("meta-whatsapp-verify.json").await;
    assert_eq!(
        status(&refused),
        403,
        "no verify token configured: {refused}"
    );
}

#[tokio::test]
async fn whatsapp_messages_refuses_an_unknown_api_key() {
    let (resources, _) = resources(true).await;
    let mut function = Function::start("whatsapp-messages", &resources, &[]).await;
    let response = function.invoke("whatsapp-messages.json").await;
    assert_eq!(status(&response), 401, "{response}");
    assert!(
        header(&response, "content-type").is_some_and(|t| t.starts_with("application/json")),
        "{response}"
    );
}
