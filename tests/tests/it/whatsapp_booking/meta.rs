//! Booking through Meta: signed notifications in, interactive reply buttons and lists out
//! through the Graph API stand-in, the customer's button or row coming back by its id.

use frontdesk::booking::dialogue::state::Lang;
use frontdesk::booking::dialogue::words::Words;
use frontdesk::domain::{Channel, Provider};
use frontdesk::meta::signature::sign;
use frontdesk::Route;
use serde_json::{json, Value};

use super::{settings, tomorrow_at, wamid, zone, World, CHECKUP, META_APP_SECRET};

/// A signed notification carrying one message from the customer; answered 200.
pub async fn meta_says(world: &World, message: Value) {
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881",
                         "phone_number_id": world.business.meta_phone_number_id},
            "contacts": [{"profile": {"name": "Dana Levi"}, "wa_id": "972501234567"}],
            "messages": [message],
        }}]}],
    })
    .to_string();
    let response = frontdesk_testkit::http_client()
        .post(world.server.url(Route::MetaWhatsApp.path()))
        .header("content-type", "application/json")
        .header(
            "x-hub-signature-256",
            sign(META_APP_SECRET, body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

pub fn text(id: &str, body: &str) -> Value {
    json!({"from": "972501234567", "id": id, "timestamp": "1795255200",
           "type": "text", "text": {"body": body}})
}

pub fn button_reply(id: &str, option: &Value) -> Value {
    json!({"from": "972501234567", "id": id, "timestamp": "1795255201",
           "context": {"from": "15550783881", "id": "wamid.ASKED"},
           "type": "interactive", "interactive": {"type": "button_reply",
           "button_reply": {"id": option["reply"]["id"], "title": option["reply"]["title"]}}})
}

fn list_reply(id: &str, row: &Value) -> Value {
    json!({"from": "972501234567", "id": id, "timestamp": "1795255202",
           "type": "interactive", "interactive": {"type": "list_reply",
           "list_reply": {"id": row["id"], "title": row["title"]}}})
}

/// The Graph API request bodies the stand-in received, in order.
fn sent(world: &World) -> Vec<Value> {
    world
        .meta_sent()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meta_conversation_books_through_reply_buttons() {
    let world = World::embedded(Provider::Meta).await;
    meta_says(&world, text(&wamid(), "אפשר תור למחר?")).await;
    let offer = &sent(&world)[0];
    assert_eq!(offer["to"], "972501234567");
    assert_eq!(offer["type"], "interactive");
    let interactive = &offer["interactive"];
    assert_eq!(interactive["type"], "button");
    assert_eq!(
        interactive["body"]["text"],
        format!(
            "התורים הפנויים לבדיקה ב{}:",
            world.day(Lang::He, tomorrow_at(9, 0))
        )
    );
    assert_eq!(interactive["footer"]["text"], "אפשר גם לכתוב יום ושעה");
    let buttons = interactive["action"]["buttons"].as_array().unwrap();
    let zone = zone();
    let words = Words {
        lang: Lang::He,
        zone: &zone,
        settings: world.business.booking.as_ref().unwrap(),
    };
    let titles: Vec<&str> = buttons
        .iter()
        .map(|b| b["reply"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [(9, 0), (9, 15), (9, 30)].map(|(h, m)| words.when_short(tomorrow_at(h, m)))
    );
    assert!(buttons[1]["reply"]["id"]
        .as_str()
        .unwrap()
        .starts_with("2@"));

    let pick = wamid();
    meta_says(&world, button_reply(&pick, &buttons[1])).await;
    let confirmation = &sent(&world)[1];
    assert_eq!(confirmation["type"], "text");
    assert_eq!(
        confirmation["text"]["body"],
        format!(
            "התור נקבע ✅\nבדיקה ב{}.\nלביטול השיבו ״ביטול״, לשינוי ״שינוי״.",
            world.when(Lang::He, tomorrow_at(9, 15))
        )
    );
    let booked = world.booked().await;
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0].slot.start, tomorrow_at(9, 15));
    assert_eq!(booked[0].channel, Channel::Whatsapp);
    assert_eq!(booked[0].source, format!("wa:{pick}"));
    assert_eq!(world.events(), ["appointment.booked"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_interactive_reply_books_once_and_answers_once() {
    let world = World::embedded(Provider::Meta).await;
    meta_says(&world, text(&wamid(), "I'd like an appointment tomorrow")).await;
    let offer = sent(&world)[0].clone();
    let option = &offer["interactive"]["action"]["buttons"][0];
    let reply = button_reply(&wamid(), option);
    for _ in 0..3 {
        meta_says(&world, reply.clone()).await;
    }
    let sent = sent(&world);
    assert_eq!(sent.len(), 2, "the offer and one confirmation");
    assert!(sent[1]["text"]["body"]
        .as_str()
        .unwrap()
        .starts_with("Booked ✅"));
    assert_eq!(world.booked().await.len(), 1);
    assert_eq!(world.events(), ["appointment.booked"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_services_come_as_a_list_and_a_row_picks_one() {
    let mut world = World::embedded(Provider::Meta).await;
    let service = |id: &str, he: &str, en: &str| {
        format!(r#"{{"id": "{id}", "name_he": "{he}", "name_en": "{en}", "duration_minutes": 45}}"#)
    };
    world.business.booking = Some(settings(
        &[
            CHECKUP.to_string(),
            service("cleaning", "ניקוי אבנית", "Cleaning"),
            service("whitening", "הלבנה", "Whitening"),
            service("fillings", "סתימות", "Fillings"),
        ]
        .join(","),
    ));
    world.save().await;

    meta_says(&world, text(&wamid(), "book an appointment please")).await;
    let question = &sent(&world)[0]["interactive"];
    assert_eq!(question["type"], "list");
    assert_eq!(
        question["body"]["text"],
        "Which service is the appointment for?"
    );
    assert_eq!(question["action"]["button"], "Choose");
    let rows = question["action"]["sections"][0]["rows"]
        .as_array()
        .unwrap();
    let titles: Vec<&str> = rows.iter().map(|r| r["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Checkup", "Cleaning", "Whitening", "Fillings"]);

    meta_says(&world, list_reply(&wamid(), &rows[3])).await;
    let slots = &sent(&world)[1]["interactive"];
    assert_eq!(slots["type"], "button");
    assert_eq!(
        slots["body"]["text"],
        "The nearest free times for Fillings:"
    );
    assert_eq!(slots["action"]["buttons"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_step_that_fails_gets_an_apology_and_meta_its_200() {
    let mut world = World::embedded(Provider::Meta).await;
    meta_says(&world, text(&wamid(), "אפשר תור למחר?")).await;
    let offer = sent(&world)[0].clone();
    // The service offered is withdrawn before the customer picks: booking it fails.
    world.business.booking = Some(settings(
        r#"{"id": "cleaning", "name_he": "ניקוי אבנית", "name_en": "Cleaning", "duration_minutes": 30}"#,
    ));
    world.save().await;
    meta_says(
        &world,
        button_reply(&wamid(), &offer["interactive"]["action"]["buttons"][0]),
    )
    .await;
    let apology = &sent(&world)[1];
    assert_eq!(
        apology["text"]["body"],
        "מצטערים, משהו השתבש אצלנו. נסו שוב בעוד כמה דקות."
    );
    assert!(world.booked().await.is_empty());
}
