//! What the owner does from a customer's page, over HTTP with Twilio's API stood in for: a
//! WhatsApp reply inside the 24-hour window, in the template or refused outside it, sent once
//! however often its form is submitted; a call back that rings the owner's phone first, placed
//! once; blocking, which rejects the number's calls and leaves its WhatsApp messages
//! unanswered, and unblocking.

use frontdesk::domain::{
    Business, ConfirmationTemplate, ConversationKey, MessageDirection, MessageId, MessageStatus,
    Provider,
};
use frontdesk::Route;
use frontdesk_testkit::follow_ups::{Providers, CONTENT_SID};
use frontdesk_testkit::standins::provider::Received;
use frontdesk_testkit::unique::number as unique;
use time::OffsetDateTime;

use super::customer::{action_path, customer_path, message, phone, CUSTOMER, RIVALS_CUSTOMER};
use super::{csrf_of, Inbox};
use crate::whatsapp_booking::meta::{meta_says, text};
use crate::whatsapp_booking::{self, message_sid, twilio_says, wamid, World, EMPTY};

const BUSINESS_NUMBER: &str = "+97233334444";
const OWNER_PHONE: &str = "+972541111111";

/// The inbox with Twilio's API stood in for, and an owner whose business has its own number
/// (and, with `owner_phone`, the owner's own phone).
struct Desk {
    inbox: Inbox,
    providers: Providers,
    owner: Business,
    cookie: String,
}

impl Desk {
    async fn open(owner_phone: bool) -> Self {
        let providers = Providers::start().await;
        let vars = providers.vars();
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let inbox = Inbox::start_with(3, &vars).await;
        let mut owner = inbox.owner.clone();
        owner.phone_numbers = vec![phone(BUSINESS_NUMBER)];
        owner.owner_phone = owner_phone.then(|| phone(OWNER_PHONE));
        inbox.server.app.store().put_business(&owner).await.unwrap();
        let cookie = inbox.sign_in().await;
        Self {
            inbox,
            providers,
            owner,
            cookie,
        }
    }

    async fn save(&self) {
        self.inbox
            .server
            .app
            .store()
            .put_business(&self.owner)
            .await
            .unwrap();
    }

    async fn page(&self, number: &str) -> String {
        self.inbox.page(&customer_path(number), &self.cookie).await
    }

    /// POSTs `pairs` to the customer's `route` and returns the notice it redirects with.
    async fn act(&self, route: Route, number: &str, pairs: &[(&str, &str)]) -> String {
        let response = self
            .inbox
            .post(&action_path(route, number), &self.cookie, pairs)
            .await;
        assert_eq!(response.status(), 303, "{route:?} {pairs:?}");
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let (page, notice) = location.split_once("?notice=").expect("a notice");
        assert_eq!(page, self.inbox.url(&customer_path(number)));
        notice.to_string()
    }

    /// The requests Twilio's API received whose path ends with `suffix`.
    fn twilio(&self, suffix: &str) -> Vec<Received> {
        self.providers
            .twilio_sent()
            .into_iter()
            .filter(|r| r.path.ends_with(suffix))
            .collect()
    }

    async fn blocked(&self) -> Vec<String> {
        let business = self
            .inbox
            .server
            .app
            .store()
            .business(&self.owner.id)
            .await
            .unwrap();
        business
            .unwrap()
            .blocked_numbers
            .iter()
            .map(|n| n.to_string())
            .collect()
    }

    /// A signed incoming call from `from` to the business; the TwiML answer.
    async fn rings(&self, from: &str) -> String {
        let sid = format!("CA{:032x}", unique());
        let response = self
            .inbox
            .server
            .post_signed(
                Route::IncomingCall.path(),
                &[
                    ("CallSid", &sid),
                    ("AccountSid", frontdesk_testkit::follow_ups::ACCOUNT_SID),
                    ("From", from),
                    ("To", BUSINESS_NUMBER),
                    ("CallStatus", "ringing"),
                    ("Direction", "inbound"),
                ],
            )
            .await;
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    }
}

/// The one-time key of the page's form posting to `…/{action}`.
fn key_of(page: &str, action: &str) -> String {
    let form = page
        .find(&format!("/{action}\""))
        .unwrap_or_else(|| panic!("no {action} form:\n{page}"));
    let marker = "name=\"key\" value=\"";
    let start = form + page[form..].find(marker).expect("a key") + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn a_reply_inside_the_window_reaches_twilio_once_however_often_it_is_submitted() {
    let desk = Desk::open(false).await;
    let an_hour_ago = OffsetDateTime::now_utc() - time::Duration::hours(1);
    message(
        &desk.inbox,
        &desk.owner.id,
        CUSTOMER,
        MessageDirection::Inbound,
        "are you open?",
        MessageStatus::Received,
        an_hour_ago,
    )
    .await;
    let page = desk.page(CUSTOMER).await;
    assert!(page.contains(r#"name="body""#), "a reply form: {page}");
    let (csrf, key) = (csrf_of(&page), key_of(&page, "reply"));
    let form = [
        ("csrf", csrf.as_str()),
        ("body", "See you at 10 <3"),
        ("key", key.as_str()),
    ];
    let (first, second) = tokio::join!(
        desk.act(Route::InboxCustomerReply, CUSTOMER, &form),
        desk.act(Route::InboxCustomerReply, CUSTOMER, &form),
    );
    let mut notices = [first, second];
    notices.sort();
    assert_eq!(notices, ["already-sent", "sent"]);
    assert_eq!(
        desk.act(Route::InboxCustomerReply, CUSTOMER, &form).await,
        "already-sent"
    );
    let sent = desk.twilio("/Messages.json");
    assert_eq!(sent.len(), 1, "one message for one form");
    let fields = sent[0].form();
    assert_eq!(fields["To"], format!("whatsapp:{CUSTOMER}"));
    assert_eq!(fields["From"], format!("whatsapp:{BUSINESS_NUMBER}"));
    assert_eq!(fields["Body"], "See you at 10 <3");
    assert_eq!(
        fields["StatusCallback"],
        desk.inbox.url(Route::WhatsAppStatus.path())
    );

    let page = desk.page(CUSTOMER).await;
    assert!(
        page.contains("See you at 10 &lt;3"),
        "the reply on the timeline"
    );
    assert!(page.contains("בתור"), "queued, as Twilio answered");
    let conversation = desk
        .inbox
        .server
        .app
        .store()
        .conversation_messages(&desk.owner.id, &phone(CUSTOMER), 1, None)
        .await
        .unwrap();
    let reply = &conversation.messages[0];
    assert_eq!(reply.direction, Some(MessageDirection::Outbound));
    let delivered = desk
        .inbox
        .server
        .post_signed(
            Route::WhatsAppStatus.path(),
            &[
                ("MessageSid", reply.id.as_str()),
                ("MessageStatus", "delivered"),
                ("From", &format!("whatsapp:{BUSINESS_NUMBER}")),
                ("To", &format!("whatsapp:{CUSTOMER}")),
            ],
        )
        .await;
    assert_eq!(delivered.status(), 204);
    assert!(
        desk.page(CUSTOMER).await.contains("נמסרה"),
        "its status callback tracks it"
    );
}

#[tokio::test]
async fn outside_the_window_a_reply_goes_in_the_template_or_the_page_offers_a_call_back() {
    let mut desk = Desk::open(true).await;
    let yesterday = OffsetDateTime::now_utc() - time::Duration::hours(25);
    message(
        &desk.inbox,
        &desk.owner.id,
        CUSTOMER,
        MessageDirection::Inbound,
        "hello",
        MessageStatus::Received,
        yesterday,
    )
    .await;
    let page = desk.page(CUSTOMER).await;
    assert!(!page.contains(r#"name="body""#), "no reply form: {page}");
    assert!(page.contains("עברו יותר מ־24 שעות"), "the page says why");
    assert!(
        page.contains("frontdesk inbox reply-template clinic"),
        "and how to set a template"
    );
    assert!(
        page.contains(&action_path(Route::InboxCustomerCall, CUSTOMER)),
        "a call back offered"
    );
    let csrf = csrf_of(&page);
    let key = "0123456789abcdef0123456789abcdef";
    let form = [
        ("csrf", csrf.as_str()),
        ("body", "Call us\ntomorrow"),
        ("key", key),
    ];
    assert_eq!(
        desk.act(Route::InboxCustomerReply, CUSTOMER, &form).await,
        "no-window"
    );
    assert!(desk.twilio("/Messages.json").is_empty(), "nothing sent");

    desk.owner.reply_template = Some(ConfirmationTemplate::twilio(CONTENT_SID).unwrap());
    desk.save().await;
    let page = desk.page(CUSTOMER).await;
    assert!(
        page.contains(r#"name="body""#) && page.contains("בתוך תבנית ההודעה"),
        "{page}"
    );
    assert_eq!(
        desk.act(Route::InboxCustomerReply, CUSTOMER, &form).await,
        "template-sent"
    );
    let sent = desk.twilio("/Messages.json");
    assert_eq!(sent.len(), 1);
    let fields = sent[0].form();
    assert_eq!(fields["ContentSid"], CONTENT_SID);
    let variables: serde_json::Value = serde_json::from_str(&fields["ContentVariables"]).unwrap();
    assert_eq!(variables, serde_json::json!({"1": "Call us tomorrow"}));
    assert!(!fields.contains_key("Body"));
    assert!(
        desk.page(CUSTOMER).await.contains("Call us tomorrow"),
        "the template's words on the timeline"
    );
}

#[tokio::test]
async fn a_call_back_rings_the_owners_phone_first_and_is_placed_once_per_form() {
    let desk = Desk::open(true).await;
    let page = desk.page(CUSTOMER).await;
    let (csrf, key) = (csrf_of(&page), key_of(&page, "call"));
    let form = [("csrf", csrf.as_str()), ("key", key.as_str())];
    assert_eq!(
        desk.act(Route::InboxCustomerCall, CUSTOMER, &form).await,
        "calling"
    );
    assert_eq!(
        desk.act(Route::InboxCustomerCall, CUSTOMER, &form).await,
        "calling"
    );
    let calls = desk.twilio("/Calls.json");
    assert_eq!(calls.len(), 1, "a double submit places one call");
    let fields = calls[0].form();
    assert_eq!(fields["To"], OWNER_PHONE, "the owner's phone rings first");
    assert_eq!(fields["From"], BUSINESS_NUMBER);
    assert!(fields["Url"].contains("placement="), "{fields:?}");
    let page = desk
        .inbox
        .page(
            &format!("{}?notice=calling", customer_path(CUSTOMER)),
            &desk.cookie,
        )
        .await;
    assert!(page.contains("מחייגים"), "the notice");
    assert_eq!(
        page.matches("<article data-call=").count(),
        2,
        "the call back on the timeline, beside the customer's own call"
    );

    // Another business's customer: the owner's business places it, from its own number.
    let page = desk.page(RIVALS_CUSTOMER).await;
    let form = [("csrf", csrf.as_str()), ("key", &key_of(&page, "call"))];
    assert_eq!(
        desk.act(Route::InboxCustomerCall, RIVALS_CUSTOMER, &form)
            .await,
        "calling"
    );
    let calls = desk.twilio("/Calls.json");
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].form()["From"], BUSINESS_NUMBER);
}

#[tokio::test]
async fn without_an_owner_phone_the_page_says_how_to_set_it_and_nothing_is_placed() {
    let desk = Desk::open(false).await;
    let page = desk.page(CUSTOMER).await;
    assert!(
        page.contains("frontdesk business update clinic --owner-phone"),
        "{page}"
    );
    assert!(
        !page.contains(&action_path(Route::InboxCustomerCall, CUSTOMER)),
        "no call form"
    );
    let csrf = csrf_of(&page);
    let form = [
        ("csrf", csrf.as_str()),
        ("key", "0123456789abcdef0123456789abcdef"),
    ];
    assert_eq!(
        desk.act(Route::InboxCustomerCall, CUSTOMER, &form).await,
        "no-owner-phone"
    );
    assert!(desk.twilio("/Calls.json").is_empty());
}

#[tokio::test]
async fn a_blocked_caller_is_rejected_and_an_unblocked_one_answered() {
    let desk = Desk::open(false).await;
    assert!(
        !desk.rings(CUSTOMER).await.contains("<Reject"),
        "answered before"
    );
    let csrf = csrf_of(&desk.page(CUSTOMER).await);
    let block = [("csrf", csrf.as_str()), ("blocked", "true")];
    assert_eq!(
        desk.act(Route::InboxCustomerBlock, CUSTOMER, &block).await,
        "blocked"
    );
    assert_eq!(
        desk.act(Route::InboxCustomerBlock, CUSTOMER, &block).await,
        "blocked"
    );
    assert_eq!(desk.blocked().await, [CUSTOMER]);
    let page = desk.page(CUSTOMER).await;
    assert!(page.contains(r#"<span class="blocked">"#), "shown blocked");
    assert!(
        page.contains(r#"name="blocked" value="false""#) && page.contains("ביטול החסימה"),
        "an unblock button"
    );

    let twiml = desk.rings(CUSTOMER).await;
    assert_eq!(
        twiml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Reject/></Response>"
    );
    assert!(
        !desk
            .rings(super::customer::OTHER_CUSTOMER)
            .await
            .contains("<Reject"),
        "only that number"
    );
    assert!(!desk.rings("anonymous").await.contains("<Reject"));

    // Blocking another business's customer blocks them for this business only.
    assert_eq!(
        desk.act(Route::InboxCustomerBlock, RIVALS_CUSTOMER, &block)
            .await,
        "blocked"
    );
    let rival = desk
        .inbox
        .server
        .app
        .store()
        .business(&desk.inbox.other.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        rival.blocked_numbers.is_empty(),
        "the rival's list is untouched"
    );

    let unblock = [("csrf", csrf.as_str()), ("blocked", "false")];
    assert_eq!(
        desk.act(Route::InboxCustomerBlock, CUSTOMER, &unblock)
            .await,
        "unblocked"
    );
    assert_eq!(desk.blocked().await, [RIVALS_CUSTOMER]);
    assert!(
        !desk.rings(CUSTOMER).await.contains("<Reject"),
        "answered again"
    );
}

#[tokio::test]
async fn a_blocked_senders_whatsapp_message_is_stored_but_not_answered() {
    for provider in [Provider::Twilio, Provider::Meta] {
        let world = World::embedded(provider).await;
        let store = world.server.app.store();
        let customer = phone(whatsapp_booking::CUSTOMER);
        let blocked = store
            .set_number_blocked(&world.business.id, &customer, true)
            .await
            .unwrap()
            .unwrap();
        world.server.app.forget_business(&blocked);
        let id = match provider {
            Provider::Twilio => {
                let sid = message_sid();
                assert_eq!(
                    twilio_says(&world, &sid, "אפשר תור למחר?").await,
                    EMPTY,
                    "no auto-reply"
                );
                sid
            }
            Provider::Meta => {
                let id = wamid();
                meta_says(&world, text(&id, "אפשר תור למחר?")).await;
                id
            }
        };
        let kept = store
            .message(&MessageId::parse(&id).unwrap())
            .await
            .unwrap();
        assert!(
            kept.is_some_and(|m| m.business_id == Some(world.business.id.clone())),
            "{provider:?}: stored"
        );
        assert!(
            world.twilio_sent().is_empty() && world.meta_sent().is_empty(),
            "{provider:?}: nothing sent"
        );
        let key = ConversationKey::whatsapp(&world.business.id, &customer);
        assert_eq!(
            store.conversation(&key).await.unwrap(),
            None,
            "{provider:?}: no booking dialogue"
        );

        let unblocked = store
            .set_number_blocked(&world.business.id, &customer, false)
            .await
            .unwrap()
            .unwrap();
        world.server.app.forget_business(&unblocked);
        match provider {
            Provider::Twilio => {
                twilio_says(&world, &message_sid(), "אפשר תור למחר?").await;
                assert!(!world.twilio_sent().is_empty(), "answered once unblocked");
            }
            Provider::Meta => {
                meta_says(&world, text(&wamid(), "אפשר תור למחר?")).await;
                assert!(!world.meta_sent().is_empty(), "answered once unblocked");
            }
        }
    }
}
