//! What a caller says that cannot be booked as said: not a time, a time past, a closed day,
//! keys a question has no use for, speech heard too unsure, and 0 for a message.

use frontdesk::booking::dialogue::state::Lang;
use frontdesk::phone::state::Phase;
use frontdesk::phone::words::plain;

use super::flow::voicemail;
use super::{said, says, settings, today, zone, Call, World};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speech_that_is_not_a_time_is_asked_again_and_a_time_after_it_is_offered() {
    let world = World::embedded().await;
    let mut call = Call::new(&world);
    call.ring().await;
    let again = call.says("שלום, מה שלומך?").await;
    assert_eq!(
        says(&again),
        [format!("לא הבנתי. {}", plain::menu(Lang::He))]
    );
    let offer = call.says("מחר בשלוש").await;
    assert!(says(&offer)[0].starts_with("יש תור פנוי מחר"), "{offer}");
    assert_eq!(call.state().await.misses, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_past_time_is_refused_with_the_reason_in_words_and_alternatives() {
    let world = World::embedded().await;
    let mut call = Call::new(&world);
    call.ring().await;
    let refused = says(&call.says("1/1/2020 בעשר").await).remove(0);
    assert!(
        refused.starts_with(
            "ביום רביעי, אחד בינואר, בעשר בבוקר — השעה הזו כבר עברה. אפשר במקום: לתור "
        ),
        "{refused}"
    );
    assert!(refused.contains("הקישו 3."), "{refused}");
    assert!(world.appointments().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_day_is_refused_with_the_reason_in_words_and_alternatives() {
    let mut world = World::embedded().await;
    let closed = today().checked_add(jiff::Span::new().days(3)).unwrap();
    world.business.booking = Some(settings(Some(closed)));
    world.save().await;
    let mut call = Call::new(&world);
    call.ring().await;
    let asked = format!("{}/{} בעשר", closed.day(), closed.month());
    let refused = says(&call.says(&asked).await).remove(0);
    let at_ten = closed.at(10, 0, 0, 0).to_zoned(zone()).unwrap().timestamp();
    assert!(
        refused.starts_with(&format!(
            "{} — אנחנו סגורים ביום הזה. אפשר במקום: לתור ",
            said(at_ten, false)
        )),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_out_of_range_repeat_the_question_and_the_right_key_still_books() {
    let world = World::embedded().await;
    let mut call = Call::new(&world);
    call.ring().await;
    let menu = call.presses("5").await;
    assert_eq!(
        says(&menu),
        [format!("אין אפשרות כזו. {}", plain::menu(Lang::He))]
    );
    let offer = says(&call.says("מחר בשלוש").await).remove(0);
    let again = call.presses("7").await;
    assert_eq!(says(&again), [format!("אין אפשרות כזו. {offer}")]);
    assert!(world.appointments().await.is_empty());
    let done = call.presses("1").await;
    assert!(says(&done)[0].starts_with("התור נקבע"), "{done}");
    let booked = world.appointments().await;
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0].source, format!("voice:{}:4", call.sid));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn low_confidence_twice_gives_the_key_menu_and_two_books_the_second_slot() {
    let world = World::embedded().await;
    let mut call = Call::new(&world);
    call.ring().await;
    let unsure = [("SpeechResult", "מחר בשלוש"), ("Confidence", "0.22")];
    let first = call.send(&unsure).await;
    assert_eq!(
        says(&first),
        [format!("לא הבנתי. {}", plain::menu(Lang::He))]
    );
    let keys = says(&call.send(&unsure).await).remove(0);
    assert!(
        keys.starts_with("לא הצלחתי להבין. אפשר לבחור בהקשה. לתור "),
        "{keys}"
    );
    assert!(!keys.contains("לומר"), "keys only: {keys}");
    let Phase::Options {
        slots, keys: true, ..
    } = call.state().await.phase
    else {
        panic!("a menu of keys")
    };
    assert_eq!(slots.len(), 3);
    assert!(keys.contains(&format!("לתור {} הקישו 2.", said(slots[1].start, false))));
    let done = call.presses("2").await;
    assert!(done.contains("<Hangup/>"), "{done}");
    let booked = world.appointments().await;
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0].slot, slots[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_leaves_a_message_and_books_nothing() {
    let world = World::embedded().await;
    let mut call = Call::new(&world);
    call.ring().await;
    let message = call.presses("0").await;
    assert_eq!(message, voicemail(&world.server.base_url));
    assert!(call.next.is_none());
    assert!(world.appointments().await.is_empty());
}
