//! The main flow, and what can happen to it between turns: booked and stored; a time taken
//! before it is asked for; a slot taken between its offer and its confirmation; Twilio
//! retrying a callback; a caller who says nothing, or presses 0.

use frontdesk::booking::dialogue::state::Lang;
use frontdesk::domain::{AppointmentStatus, Channel};
use frontdesk::phone::words::plain;
use frontdesk::Route;

use super::{said, says, tomorrow_at, Call, World, CALLER, OTHER_CALLER};

const XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

/// The voicemail TwiML of a business without a greeting, on `base`.
pub fn voicemail(base: &str) -> String {
    format!(
        "{XML}<Response><Say language=\"he-IL\">שלום, השאירו הודעה אחרי הצפצוף.</Say>\
         <Pause length=\"1\"/><Record action=\"{base}/webhook/handle_recording\" method=\"POST\" \
         timeout=\"5\" finishOnKey=\"*\" maxLength=\"30\" playBeep=\"true\" \
         recordingStatusCallback=\"{base}/webhook/recording_status\" \
         recordingStatusCallbackMethod=\"POST\" recordingStatusCallbackEvent=\"completed absent\"/>\
         <Say language=\"he-IL\">לא התקבלה הודעה. להתראות.</Say><Hangup/></Response>"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tomorrow_at_three_is_offered_confirmed_booked_and_stored() {
    let world = World::embedded().await;
    let base = world.server.base_url.clone();
    let path = Route::VoiceBooking.path();
    let mut call = Call::new(&world);

    let menu = call.ring().await;
    assert_eq!(
        menu,
        format!(
            "{XML}<Response><Gather input=\"speech dtmf\" action=\"{base}{path}?step=1\" \
             method=\"POST\" timeout=\"6\" speechTimeout=\"auto\" numDigits=\"1\" \
             language=\"he-IL\" hints=\"{}\" actionOnEmptyResult=\"true\">\
             <Say language=\"he-IL\">שלום. {}</Say></Gather></Response>",
            plain::hints(Lang::He),
            plain::menu(Lang::He)
        )
    );

    let offer = call.says("מחר בשלוש").await;
    assert_eq!(
        says(&offer),
        [format!(
            "יש תור פנוי {}. לאישור הקישו 1, לשעות אחרות הקישו 2.",
            said(tomorrow_at(15, 0), true)
        )]
    );
    assert!(
        offer.contains(&format!("action=\"{base}{path}?step=2\"")),
        "{offer}"
    );
    assert!(offer.contains("input=\"speech dtmf\""), "{offer}");

    let done = call.presses("1").await;
    assert_eq!(
        done,
        format!(
            "{XML}<Response><Say language=\"he-IL\">התור נקבע: בדיקה, {}. להתראות.</Say>\
             <Hangup/></Response>",
            said(tomorrow_at(15, 0), true)
        )
    );
    let booked = world.appointments().await;
    assert_eq!(booked.len(), 1, "{booked:?}");
    let appointment = &booked[0];
    assert_eq!(appointment.slot.start, tomorrow_at(15, 0));
    assert_eq!(appointment.channel, Channel::Voice);
    assert_eq!(appointment.status, AppointmentStatus::Booked);
    assert_eq!(appointment.phone.as_str(), CALLER);
    assert_eq!(appointment.service.as_str(), "checkup");
    assert_eq!(appointment.source, format!("voice:{}:2", call.sid));
    assert_eq!(world.events(), ["appointment.booked"]);
    assert_eq!(
        world.follow_ups(),
        ["confirmation"],
        "the caller's confirmation"
    );
    assert_eq!(call.state().await.answered.map(|a| a.step), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_time_is_answered_with_three_alternatives_and_a_key_books_one() {
    let world = World::embedded().await;
    world.someone_books(tomorrow_at(15, 0)).await;
    let mut call = Call::new(&world);
    call.ring().await;
    let offer = call.says("מחר בשלוש").await;
    assert_eq!(
        says(&offer),
        [format!(
            "{} — השעה הזו כבר תפוסה. אפשר במקום: לתור {} הקישו 1. לתור {} הקישו 2. \
             לתור {} הקישו 3. לשעות מאוחרות יותר הקישו 9. אפשר גם לומר יום ושעה אחרים. \
             להשארת הודעה הקישו 0.",
            said(tomorrow_at(15, 0), false),
            said(tomorrow_at(14, 15), false),
            said(tomorrow_at(14, 30), false),
            said(tomorrow_at(15, 30), false),
        )]
    );
    let done = call.presses("2").await;
    assert!(done.ends_with("<Hangup/></Response>"), "{done}");
    let mine: Vec<_> = world
        .appointments()
        .await
        .into_iter()
        .filter(|a| a.channel == Channel::Voice)
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].slot.start, tomorrow_at(14, 30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slot_taken_between_offer_and_confirmation_gets_a_fresh_offer_and_is_booked_once() {
    let world = World::embedded().await;
    let mut call = Call::new(&world);
    call.ring().await;
    call.says("מחר בשלוש").await;
    world.someone_books(tomorrow_at(15, 0)).await;

    let fresh = call.presses("1").await;
    let fresh = says(&fresh).remove(0);
    assert!(
        fresh.starts_with(&format!(
            "התור {} נתפס הרגע. אפשר במקום: לתור {} הקישו 1.",
            said(tomorrow_at(15, 0), false),
            said(tomorrow_at(14, 15), false)
        )),
        "{fresh}"
    );
    assert!(call.next.is_some(), "asked again");
    call.presses("1").await;

    let all = world.appointments().await;
    let at_three: Vec<_> = all
        .iter()
        .filter(|a| a.slot.start == tomorrow_at(15, 0))
        .collect();
    assert_eq!(at_three.len(), 1, "{all:?}");
    assert_eq!(at_three[0].phone.as_str(), OTHER_CALLER);
    let mine: Vec<_> = all.iter().filter(|a| a.channel == Channel::Voice).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].slot.start, tomorrow_at(14, 15));
    assert_eq!(world.events(), ["appointment.booked", "appointment.booked"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_callback_books_once_and_gets_the_same_answer() {
    let world = World::embedded().await;
    let mut call = Call::new(&world);
    call.ring().await;
    call.says("מחר בשלוש").await;
    let done = call.presses("1").await;
    for _ in 0..2 {
        assert_eq!(call.again().await, done);
    }
    assert_eq!(world.appointments().await.len(), 1);
    assert_eq!(world.events(), ["appointment.booked"]);

    // Two deliveries of one callback at once: one booking, one answer.
    let mut second = Call::new(&world);
    second.from = OTHER_CALLER.into();
    second.ring().await;
    second.says("מחר בארבע").await;
    let path = second.next.clone().unwrap();
    let params = second.params(&[("Digits", "1")]);
    let (a, b) = tokio::join!(second.post(&path, &params), second.post(&path, &params));
    assert_eq!(a, b);
    assert!(a.contains("התור נקבע"), "{a}");
    let at_four: Vec<_> = world
        .appointments()
        .await
        .into_iter()
        .filter(|a| a.slot.start == tomorrow_at(16, 0))
        .collect();
    assert_eq!(at_four.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_silent_twice_may_leave_a_message() {
    let world = World::embedded().await;
    let mut call = Call::new(&world);
    call.ring().await;
    let again = call.is_silent().await;
    assert_eq!(
        says(&again),
        [format!("לא שמעתי. {}", plain::menu(Lang::He))]
    );
    let message = call.is_silent().await;
    assert_eq!(message, voicemail(&world.server.base_url));
    assert!(world.appointments().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_leaves_a_message_after_the_greeting_incoming_call_found() {
    let mut world = World::embedded().await;
    let key = frontdesk::domain::Business::standard_greeting_key(&world.business.id);
    world
        .server
        .app
        .greetings()
        .put(&key, crate::voice::mp3(), "audio/mpeg")
        .await
        .unwrap();
    world.business.greeting_key = Some(key);
    world.save().await;
    let base = world.server.base_url.clone();
    let mut call = Call::new(&world);
    let menu = call.ring().await;
    assert!(
        menu.contains(&format!(
            "action=\"{base}{}?step=1&amp;greeting=1\"",
            Route::VoiceBooking.path()
        )),
        "{menu}"
    );
    call.says("מחר בשלוש").await;
    let message = call.presses("0").await;
    let greeting = Route::Greeting.path_with(&[("business", world.business.id.as_str())]);
    assert!(
        message.starts_with(&format!(
            "{XML}<Response><Play>{base}{greeting}</Play><Pause length=\"1\"/>\
             <Record action=\"{base}/webhook/handle_recording\""
        )),
        "{message}"
    );
    assert!(world.appointments().await.is_empty());
}
