//! WhatsApp over HTTP, run against `frontdesk serve` on each backend
//! (`whatsapp_embedded`: SQLite; `whatsapp_aws`: DynamoDB on moto): Twilio's webhooks
//! (`twilio`), Meta's (`meta`), and the messages API (`messages_api`), whose sends go to local
//! stand-ins for Twilio's Messages API and Meta's Graph API that check every field they are
//! sent. Here: what the three share, and the macro that runs them on a backend.

pub mod messages_api;
pub mod meta;
pub mod twilio;

use frontdesk::domain::ApiKey;
use frontdesk::domain::{Business, BusinessId, MessageId, PhoneNumber};
use frontdesk::Route;
use frontdesk_testkit::unique::number as unique;
use frontdesk_testkit::TestServer;

pub const META_APP_SECRET: &str = "test-meta-app-secret";
pub const META_VERIFY_TOKEN: &str = "test-verify-token";
pub const META_ACCESS_TOKEN: &str = "test-meta-access-token";
pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";

pub fn message_sid() -> String {
    format!("SM{:032x}", unique())
}

/// The configuration every WhatsApp test server gets, plus `extra`.
pub fn vars<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut vars = vec![
        ("META_APP_SECRET", META_APP_SECRET),
        ("META_VERIFY_TOKEN", META_VERIFY_TOKEN),
        ("META_ACCESS_TOKEN", META_ACCESS_TOKEN),
        ("TWILIO_ACCOUNT_SID", ACCOUNT_SID),
    ];
    vars.extend_from_slice(extra);
    vars
}

/// A stored business with its own number, a Meta phone number id and an API key.
pub async fn business(server: &TestServer, auto_reply: Option<&str>) -> (Business, ApiKey) {
    let n = unique();
    let mut business = Business::new(
        BusinessId::parse(&format!("wa-{n}")).unwrap(),
        "Acme Dental",
    );
    business.phone_numbers =
        vec![PhoneNumber::parse(&format!("+1555{:07}", n % 10_000_000)).unwrap()];
    business.whatsapp_auto_reply = auto_reply.map(str::to_string);
    business.meta_phone_number_id = Some(format!("10654{n}"));
    server.app.store().put_business(&business).await.unwrap();
    let key = ApiKey::generate().unwrap();
    server
        .app
        .store()
        .put_api_key(&business.id, &key.hash(), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    (business, key)
}

fn number(business: &Business) -> &str {
    business.phone_numbers[0].as_str()
}

pub(crate) async fn stored(server: &TestServer, id: &str) -> frontdesk::domain::StoredMessage {
    server
        .app
        .store()
        .message(&MessageId::parse(id).unwrap())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("message {id} is stored"))
}

pub(crate) async fn incoming(
    server: &TestServer,
    sid: &str,
    business: &Business,
    from: &str,
) -> reqwest::Response {
    server
        .post_signed(
            Route::WhatsAppIncoming.path(),
            &[
                ("MessageSid", sid),
                ("SmsMessageSid", sid),
                ("AccountSid", ACCOUNT_SID),
                ("From", from),
                ("To", &format!("whatsapp:{}", number(business))),
                ("Body", "שלום 👋 <b>&amp;</b>"),
                ("ProfileName", "Dana Levi"),
                ("WaId", "972501234567"),
                ("NumMedia", "1"),
                (
                    "MediaUrl0",
                    "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
                ),
                ("MediaContentType0", "image/jpeg"),
                ("SmsStatus", "received"),
                ("ReferralNumMedia", "0"),
            ],
        )
        .await
}

pub(crate) async fn status(
    server: &TestServer,
    sid: &str,
    status: &str,
    extra: &[(&str, &str)],
) -> u16 {
    let mut params = vec![
        ("MessageSid", sid),
        ("MessageStatus", status),
        ("AccountSid", ACCOUNT_SID),
    ];
    params.extend_from_slice(extra);
    server
        .post_signed(Route::WhatsAppStatus.path(), &params)
        .await
        .status()
        .as_u16()
}

/// One `#[tokio::test]` per case of `twilio`, `meta` and `messages_api` that needs only a
/// server, and the send cases with the stand-in each needs; `$make(vars)` builds the server.
#[macro_export]
macro_rules! whatsapp_tests {
    ($make:path) => {
        $crate::whatsapp_tests!(@each $make;
            twilio: [
                an_inbound_message_delivered_three_times_is_stored_once_and_auto_replied,
                without_an_auto_reply_the_answer_is_an_empty_response,
                doubled_or_missing_whatsapp_prefixes_are_normalised_once,
                a_message_moves_to_delivered_then_read_and_stays_read,
                status_callbacks_without_sid_or_status_are_400_and_forged_ones_403
            ],
            meta: [
                meta_verification_echoes_the_challenge_only_for_the_right_token,
                a_meta_signed_batch_of_messages_and_statuses_is_stored,
                a_reserialised_or_unsigned_meta_body_is_rejected_and_nothing_stored,
                a_signed_meta_body_gets_200_whatever_its_content
            ],
            messages_api: [
                the_send_api_refuses_bad_keys_401_and_bad_json_400,
                a_conversation_lists_newest_first_in_pages
            ]
        );

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn sending_through_twilio_stores_the_message_with_twilios_sid() {
            let twilio = frontdesk_testkit::standins::provider::stand_in(
                201,
                serde_json::json!({"sid": $crate::whatsapp::message_sid(), "status": "queued", "account_sid": $crate::whatsapp::ACCOUNT_SID}),
            )
            .await;
            let server = $make(&$crate::whatsapp::vars(&[("TWILIO_API_BASE_URL", &twilio.url)])).await;
            $crate::whatsapp::messages_api::sending_through_twilio_stores_the_message_with_twilios_sid(&server, &twilio).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn sending_through_meta_posts_text_and_templates_to_the_graph_api() {
            let meta = frontdesk_testkit::standins::provider::stand_in(
                200,
                serde_json::json!({"messaging_product": "whatsapp", "contacts": [{"input": "972501234567", "wa_id": "972501234567"}],
                                   "messages": [{"id": format!("wamid.HBgM{}", $crate::whatsapp::message_sid())}]}),
            )
            .await;
            let server = $make(&$crate::whatsapp::vars(&[("META_GRAPH_BASE_URL", &meta.url)])).await;
            $crate::whatsapp::messages_api::sending_through_meta_posts_text_and_templates_to_the_graph_api(&server, &meta).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_provider_that_is_down_gives_502_and_the_message_is_stored_failed() {
            // Nothing listens on the discard port: the connection is refused at once.
            let server = $make(&$crate::whatsapp::vars(&[("TWILIO_API_BASE_URL", "http://127.0.0.1:9")])).await;
            $crate::whatsapp::messages_api::a_provider_that_is_down_gives_502_and_the_message_is_stored_failed(&server).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_provider_refusal_gives_502_with_its_reason() {
            let twilio = frontdesk_testkit::standins::provider::stand_in(
                400,
                serde_json::json!({"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}),
            )
            .await;
            let server = $make(&$crate::whatsapp::vars(&[("TWILIO_API_BASE_URL", &twilio.url)])).await;
            $crate::whatsapp::messages_api::a_provider_refusal_gives_502_with_its_reason(&server).await;
        }
    };
    (@each $make:path; $($module:ident: [$($name:ident),*]),*) => {
        $($(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let server = $make(&$crate::whatsapp::vars(&[])).await;
                $crate::whatsapp::$module::$name(&server).await;
            }
        )*)*
    };
}
