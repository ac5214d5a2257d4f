//! Booking through Twilio: signed webhooks in, numbered text out through the Messages API
//! stand-in, `<Response/>` as the webhook's answer.

use frontdesk::booking::dialogue::state::Lang;
use frontdesk::domain::{
    AppointmentStatus, Channel, Conversation, ConversationKey, MessageDirection, MessageStatus,
    PhoneNumber, Provider,
};
use frontdesk::http::form;
use frontdesk::Route;
use frontdesk_testkit::TestServer;
use jiff::{SignedDuration, Timestamp};

use super::{message_sid, stand_ins, tomorrow_at, twilio_says, vars, World, CUSTOMER, EMPTY};

const HE: Lang = Lang::He;
const EN: Lang = Lang::En;

/// The customer writes `text` (a new message); the webhook answers `<Response/>` and exactly
/// one reply goes out through Twilio: its body.
async fn say(world: &World, text: &str) -> String {
    say_as(world, &message_sid(), text).await
}

async fn say_as(world: &World, sid: &str, text: &str) -> String {
    let before = world.twilio_sent().len();
    assert_eq!(twilio_says(world, sid, text).await, EMPTY, "{text}");
    let sent = world.twilio_sent();
    assert_eq!(sent.len(), before + 1, "one reply to `{text}`");
    let form = form::parse(&sent[before].body).unwrap();
    assert_eq!(
        form.get("To"),
        Some(format!("whatsapp:{CUSTOMER}").as_str())
    );
    form.get("Body").unwrap().to_string()
}

/// The three slots tomorrow from 09:00, as the reply lists them.
fn tomorrows_list(world: &World, lang: Lang) -> String {
    [(9, 0), (9, 15), (9, 30)]
        .iter()
        .enumerate()
        .map(|(i, (h, m))| format!("{}. {}", i + 1, world.when(lang, tomorrow_at(*h, *m))))
        .collect::<Vec<_>>()
        .join("\n")
}

fn tomorrows_offer(world: &World) -> String {
    format!(
        "התורים הפנויים לבדיקה ב{}:\n{}\nהשיבו במספר, או כתבו יום ושעה אחרים.",
        world.day(HE, tomorrow_at(9, 0)),
        tomorrows_list(world, HE)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hebrew_conversation_books_the_second_slot_tomorrow_and_queues_the_event() {
    let world = World::embedded(Provider::Twilio).await;
    assert_eq!(say(&world, "אפשר תור למחר?").await, tomorrows_offer(&world));
    let sid = message_sid();
    assert_eq!(
        say_as(&world, &sid, "2").await,
        format!(
            "התור נקבע ✅\nבדיקה ב{}.\nלביטול השיבו ״ביטול״, לשינוי ״שינוי״.",
            world.when(HE, tomorrow_at(9, 15))
        )
    );

    let booked = world.booked().await;
    assert_eq!(booked.len(), 1);
    let appointment = &booked[0];
    assert_eq!(appointment.slot.start, tomorrow_at(9, 15));
    assert_eq!(appointment.channel, Channel::Whatsapp);
    assert_eq!(appointment.source, format!("wa:{sid}"));
    assert_eq!(appointment.name.as_deref(), Some("Dana Levi"));
    assert_eq!(world.events(), ["appointment.booked"]);

    // Each reply went out from the business's number with the status callback, and is kept
    // as an outbound message under Twilio's id.
    let request = &world.twilio_sent()[1];
    let sent = form::parse(&request.body).unwrap();
    assert_eq!(
        sent.get("From"),
        Some(format!("whatsapp:{}", world.business.phone_numbers[0].as_str()).as_str())
    );
    assert_eq!(
        sent.get("StatusCallback"),
        Some(world.server.url(Route::WhatsAppStatus.path()).as_str())
    );
    let page = world
        .server
        .app
        .store()
        .conversation_messages(
            &world.business.id,
            &PhoneNumber::parse(CUSTOMER).unwrap(),
            10,
            None,
        )
        .await
        .unwrap();
    let directions: Vec<_> = page.messages.iter().map(|m| m.direction).collect();
    use MessageDirection::{Inbound, Outbound};
    assert_eq!(
        directions,
        [Some(Outbound), Some(Inbound), Some(Outbound), Some(Inbound)]
    );
    let confirmation = &page.messages[0];
    assert!(confirmation.id.as_str().starts_with("SM"));
    assert_eq!(confirmation.status, Some(MessageStatus::Queued));
    assert_eq!(
        confirmation.content.as_ref().unwrap().body.as_deref(),
        sent.get("Body")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bitul_cancels_the_booked_appointment() {
    let world = World::embedded(Provider::Twilio).await;
    say(&world, "אפשר תור למחר?").await;
    say(&world, "1").await;
    assert_eq!(
        say(&world, "ביטול").await,
        format!(
            "התור לבדיקה ב{} בוטל. לקביעת תור חדש כתבו ״תור״.",
            world.when(HE, tomorrow_at(9, 0))
        )
    );
    assert!(world.booked().await.is_empty());
    assert_eq!(
        world.events(),
        ["appointment.booked", "appointment.cancelled"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shinui_offers_slots_and_a_choice_moves_the_appointment() {
    let world = World::embedded(Provider::Twilio).await;
    say(&world, "אפשר תור למחר?").await;
    say(&world, "1").await;
    let was = world.when(HE, tomorrow_at(9, 0));
    let offer = say(&world, "שינוי").await;
    assert!(
        offer.starts_with(&format!(
            "לאן להעביר את התור לבדיקה ב{was}? התורים הפנויים הקרובים:\n1. "
        )),
        "{offer}"
    );
    let moved = say(&world, "1").await;
    let booked = world.booked().await;
    assert_eq!(booked.len(), 1);
    let appointment = &booked[0];
    assert_eq!(appointment.version, 2);
    let now = world.when(HE, appointment.slot.start);
    assert_ne!(appointment.slot.start, tomorrow_at(9, 0));
    assert!(offer.contains(&format!("\n1. {now}\n")), "{offer}");
    assert_eq!(
        moved,
        format!("התור הועבר ✅\nבדיקה ב{now} (במקום {was}).\nלביטול השיבו ״ביטול״.")
    );
    assert_eq!(
        world.events(),
        ["appointment.booked", "appointment.rescheduled"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_english_conversation_is_answered_in_english() {
    let world = World::embedded(Provider::Twilio).await;
    assert_eq!(
        say(&world, "Hi, can I book an appointment tomorrow?").await,
        format!(
            "Free times for Checkup on {}:\n{}\nReply with a number, or write another day and time.",
            world.day(EN, tomorrow_at(9, 0)),
            tomorrows_list(&world, EN)
        )
    );
    assert_eq!(
        say(&world, "3").await,
        format!(
            "Booked ✅\nCheckup on {}.\nTo cancel, reply \"cancel\"; to change it, \"change\".",
            world.when(EN, tomorrow_at(9, 30))
        )
    );
    assert_eq!(world.booked().await[0].slot.start, tomorrow_at(9, 30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_when_three_were_offered_gets_a_sentence_and_the_list_again() {
    let world = World::embedded(Provider::Twilio).await;
    say(&world, "אפשר תור למחר?").await;
    assert_eq!(
        say(&world, "4").await,
        format!(
            "אין אפשרות 4. בחרו מספר בין 1 ל-3:\n{}\nהשיבו במספר, או כתבו יום ושעה אחרים.",
            tomorrows_list(&world, HE)
        )
    );
    assert!(world.booked().await.is_empty());
    say(&world, "3").await;
    assert_eq!(world.booked().await[0].slot.start, tomorrow_at(9, 30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_after_the_conversation_expired_gets_fresh_options_and_books_nothing() {
    let world = World::embedded(Provider::Twilio).await;
    say(&world, "אפשר תור למחר?").await;
    // Thirty minutes pass: the conversation lapses.
    let store = world.server.app.store();
    let key = ConversationKey::whatsapp(&world.business.id, &PhoneNumber::parse(CUSTOMER).unwrap());
    let stored = store.conversation(&key).await.unwrap().unwrap();
    assert!(stored.expires_at > Timestamp::now() + SignedDuration::from_mins(29));
    let lapsed = Conversation {
        version: stored.version + 1,
        expires_at: Timestamp::now() - SignedDuration::from_secs(1),
        ..stored.clone()
    };
    assert!(store
        .put_conversation(&lapsed, Some(stored.version))
        .await
        .unwrap());

    let reply = say(&world, "2").await;
    assert!(
        reply.starts_with("האפשרויות הקודמות כבר לא בתוקף.\nהתורים הפנויים הקרובים לבדיקה:\n1. "),
        "{reply}"
    );
    assert!(world.booked().await.is_empty());
    assert!(world.events().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_with_no_appointment_says_there_is_none() {
    let world = World::embedded(Provider::Twilio).await;
    assert_eq!(
        say(&world, "ביטול").await,
        "לא מצאתי תור קבוע למספר הזה. לקביעת תור כתבו ״תור״."
    );
    assert!(world.events().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_of_an_appointment_already_cancelled_says_so() {
    let world = World::embedded(Provider::Twilio).await;
    say(&world, "I'd like an appointment tomorrow").await;
    say(&world, "2").await;
    say(&world, "cancel").await;
    assert_eq!(
        say(&world, "cancel").await,
        format!(
            "Your Checkup on {} was already cancelled.",
            world.when(EN, tomorrow_at(9, 15))
        )
    );
    assert_eq!(
        world.events(),
        ["appointment.booked", "appointment.cancelled"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_of_an_appointment_that_already_started_says_it_is_too_late() {
    let world = World::embedded(Provider::Twilio).await;
    // Booked earlier for ten minutes ago (the store takes what it is given; the engine would
    // not offer the past).
    let now = Timestamp::now();
    let start = Timestamp::from_second(now.as_second() / 300 * 300 - 600).unwrap();
    let slot = frontdesk::domain::booking::engine::Slot {
        start,
        end: start + SignedDuration::from_mins(30),
    };
    let new = frontdesk::domain::NewAppointment {
        business_id: world.business.id.clone(),
        service: frontdesk::domain::booking::settings::ServiceId::parse("checkup").unwrap(),
        slot,
        block: frontdesk::domain::booking::engine::Busy {
            start: slot.start,
            end: slot.end,
        },
        timezone: "Asia/Jerusalem".into(),
        phone: PhoneNumber::parse(CUSTOMER).unwrap(),
        name: None,
        channel: Channel::Api,
        request: frontdesk::domain::RequestKey::new("api", &["earlier"]).unwrap(),
        at: now,
    };
    world.server.app.store().book(&new, 1).await.unwrap();
    assert_eq!(
        say(&world, "ביטול").await,
        format!(
            "התור לבדיקה ב{} כבר התחיל או עבר, ולכן אי אפשר לבטל אותו בהודעה.",
            world.when(HE, start)
        )
    );
    let kept = world
        .server
        .app
        .store()
        .customer_appointments(
            &world.business.id,
            &PhoneNumber::parse(CUSTOMER).unwrap(),
            start,
        )
        .await
        .unwrap();
    assert_eq!(kept[0].status, AppointmentStatus::Booked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_delivered_three_times_books_once_and_replies_once() {
    let world = World::embedded(Provider::Twilio).await;
    let ask = message_sid();
    for _ in 0..3 {
        assert_eq!(twilio_says(&world, &ask, "אפשר תור למחר?").await, EMPTY);
    }
    assert_eq!(world.twilio_sent().len(), 1, "one offer");
    let pick = message_sid();
    for _ in 0..3 {
        assert_eq!(twilio_says(&world, &pick, "2").await, EMPTY);
    }
    assert_eq!(world.twilio_sent().len(), 2, "one confirmation");
    let booked = world.booked().await;
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0].slot.start, tomorrow_at(9, 15));
    assert_eq!(world.events(), ["appointment.booked"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_greeting_is_left_to_the_auto_reply() {
    let world = World::embedded(Provider::Twilio).await;
    let twiml = twilio_says(&world, &message_sid(), "שלום, מה שעות הפתיחה?").await;
    assert_eq!(
        twiml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>תודה! נחזור אליך בקרוב</Message></Response>"
    );
    assert!(world.twilio_sent().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_twilio_down_the_webhook_still_answers_and_the_failed_reply_is_kept() {
    let (twilio, meta) = stand_ins().await;
    let mut vars = vars(&twilio, &meta);
    vars.retain(|(k, _)| *k != "TWILIO_API_BASE_URL");
    // Nothing listens on the discard port: every send is refused at once.
    vars.push(("TWILIO_API_BASE_URL", "http://127.0.0.1:9"));
    let server = TestServer::start(&vars).await;
    let world = World::with(server, twilio, meta, Provider::Twilio).await;
    assert_eq!(
        twilio_says(&world, &message_sid(), "אפשר תור למחר?").await,
        EMPTY
    );
    let page = world
        .server
        .app
        .store()
        .conversation_messages(
            &world.business.id,
            &PhoneNumber::parse(CUSTOMER).unwrap(),
            10,
            None,
        )
        .await
        .unwrap();
    let reply = &page.messages[0];
    assert_eq!(reply.direction, Some(MessageDirection::Outbound));
    assert_eq!(reply.status, Some(MessageStatus::Failed));
    assert_eq!(reply.error_code.as_deref(), Some("provider_unreachable"));
}
