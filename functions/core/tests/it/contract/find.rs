//! The find half of the store contract: a business's customers by their latest activity, and
//! its calls and messages by their words, within a read budget per page.

use frontdesk::domain::{
    BusinessId, CallSid, CallStart, Direction, MessageContent, MessageDirection, MessageStatus,
    NewMessage, PhoneNumber, TranscriptionOutcome,
};
use frontdesk::store::find::{Activity, SearchPage, SearchQuery, SearchTerm};
use frontdesk::store::StoreError;
use time::{Duration, OffsetDateTime};

use super::messages::message_id;
use super::{business, call_sid, number, recording, start, Backends, T0};

fn minutes(n: i64) -> OffsetDateTime {
    T0 + Duration::minutes(n)
}

fn call_from(
    sid: &CallSid,
    business: &BusinessId,
    from: &str,
    name: Option<&str>,
    at: OffsetDateTime,
) -> CallStart {
    CallStart {
        from: from.into(),
        caller_name: name.map(str::to_string),
        started_at: at,
        ..start(sid, business)
    }
}

fn message(
    business: &BusinessId,
    contact: &PhoneNumber,
    direction: MessageDirection,
    body: &str,
    at: OffsetDateTime,
) -> NewMessage {
    NewMessage {
        id: message_id(),
        business_id: Some(business.clone()),
        direction,
        contact: Some(contact.clone()),
        from: None,
        to: None,
        content: MessageContent {
            kind: "text".into(),
            body: Some(body.into()),
            ..MessageContent::default()
        },
        status: match direction {
            MessageDirection::Inbound => MessageStatus::Received,
            MessageDirection::Outbound => MessageStatus::Sent,
        },
        error_code: None,
        error_message: None,
        at,
    }
}

async fn transcribe(b: &Backends, sid: &CallSid, transcript: &str) {
    b.store
        .attach_recording(sid, &recording("REfind1"), true, T0)
        .await
        .unwrap();
    let ready = TranscriptionOutcome::Ready {
        transcript: transcript.into(),
        language: None,
    };
    assert!(b.store.finish_transcription(sid, &ready, T0).await.unwrap());
}

async fn search(
    b: &Backends,
    business: &BusinessId,
    term: &str,
    after: Option<&str>,
    limit: usize,
    budget: usize,
) -> SearchPage {
    let query = SearchQuery {
        term: SearchTerm::parse(term).unwrap(),
        after: after.map(str::to_string),
        limit,
        budget,
    };
    b.store.search(business, &query).await.unwrap()
}

fn found(page: &SearchPage) -> Vec<Activity> {
    page.hits.iter().map(|hit| hit.found.clone()).collect()
}

pub async fn customers_are_listed_by_their_latest_activity_and_paged(b: &Backends) {
    let biz = business(vec![]);
    let other = business(vec![]);
    let (a, bee, c) = (number(), number(), number());
    let call_a = call_sid();
    b.store
        .record_call_start(&call_from(&call_a, &biz.id, a.as_str(), None, minutes(0)))
        .await
        .unwrap();
    // An outbound call's customer is its callee.
    let call_b = call_sid();
    b.store
        .record_call_start(&CallStart {
            direction: Direction::OutboundApi,
            from: "+97233334444".into(),
            to: bee.as_str().into(),
            ..call_from(&call_b, &biz.id, "", None, minutes(1))
        })
        .await
        .unwrap();
    let from_c = message(&biz.id, &c, MessageDirection::Inbound, "hi", minutes(2));
    b.store.insert_message(&from_c).await.unwrap();
    let from_a = message(&biz.id, &a, MessageDirection::Inbound, "hello", minutes(3));
    b.store.insert_message(&from_a).await.unwrap();
    // Stored late, an older call does not move its customer back.
    b.store
        .record_call_start(&call_from(
            &call_sid(),
            &biz.id,
            bee.as_str(),
            None,
            minutes(-60),
        ))
        .await
        .unwrap();
    // No number, no customer; another business's caller is theirs alone.
    b.store
        .record_call_start(&call_from(
            &call_sid(),
            &biz.id,
            "anonymous",
            None,
            minutes(9),
        ))
        .await
        .unwrap();
    let theirs = call_sid();
    b.store
        .record_call_start(&call_from(
            &theirs,
            &other.id,
            a.as_str(),
            None,
            minutes(10),
        ))
        .await
        .unwrap();

    let first = b.store.list_contacts(&biz.id, None, 2).await.unwrap();
    let numbers: Vec<_> = first.contacts.iter().map(|c| c.number.clone()).collect();
    assert_eq!(numbers, [a.clone(), c.clone()]);
    assert_eq!(first.contacts[0].last, Activity::Message(from_a.id.clone()));
    assert_eq!(first.contacts[0].last_at, minutes(3));
    assert!(first.contacts[0].awaiting_reply && first.contacts[1].awaiting_reply);
    let second = b
        .store
        .list_contacts(&biz.id, first.next.as_deref(), 2)
        .await
        .unwrap();
    assert_eq!(second.contacts.len(), 1);
    assert_eq!(second.contacts[0].number, bee);
    assert_eq!(second.contacts[0].last, Activity::Call(call_b));
    assert_eq!(second.contacts[0].last_at, minutes(1));
    assert!(!second.contacts[0].awaiting_reply);
    assert_eq!(second.next, None);

    let theirs_page = b.store.list_contacts(&other.id, None, 10).await.unwrap();
    assert_eq!(theirs_page.contacts.len(), 1);
    assert_eq!(theirs_page.contacts[0].last, Activity::Call(theirs));

    assert!(matches!(
        b.store.list_contacts(&biz.id, Some("nope#x"), 2).await,
        Err(StoreError::BadCursor(_))
    ));
}

pub async fn a_reply_answers_a_customer_and_an_older_one_does_not(b: &Backends) {
    let biz = business(vec![]);
    let customer = number();
    let asked = message(
        &biz.id,
        &customer,
        MessageDirection::Inbound,
        "?",
        minutes(2),
    );
    b.store.insert_message(&asked).await.unwrap();
    let earlier = message(
        &biz.id,
        &customer,
        MessageDirection::Outbound,
        "a",
        minutes(1),
    );
    b.store.insert_message(&earlier).await.unwrap();
    let page = b.store.list_contacts(&biz.id, None, 5).await.unwrap();
    assert!(page.contacts[0].awaiting_reply);
    assert_eq!(page.contacts[0].last, Activity::Message(asked.id.clone()));

    let reply = message(
        &biz.id,
        &customer,
        MessageDirection::Outbound,
        "b",
        minutes(3),
    );
    b.store.insert_message(&reply).await.unwrap();
    // The same message again changes nothing.
    b.store.insert_message(&asked).await.unwrap();
    let page = b.store.list_contacts(&biz.id, None, 5).await.unwrap();
    assert_eq!(page.contacts.len(), 1);
    assert!(!page.contacts[0].awaiting_reply);
    assert_eq!(page.contacts[0].last, Activity::Message(reply.id));
}

pub async fn calls_and_messages_are_found_by_their_words_newest_first(b: &Backends) {
    let biz = business(vec![]);
    let other = business(vec![]);
    let customer = number();
    let named = call_sid();
    b.store
        .record_call_start(&call_from(
            &named,
            &biz.id,
            customer.as_str(),
            Some("Dana LEVI"),
            minutes(0),
        ))
        .await
        .unwrap();
    let spoken = call_sid();
    b.store
        .record_call_start(&call_from(
            &spoken,
            &biz.id,
            customer.as_str(),
            None,
            minutes(1),
        ))
        .await
        .unwrap();
    transcribe(b, &spoken, "About the CROWN: 50% off_deal").await;
    let asked = message(
        &biz.id,
        &customer,
        MessageDirection::Inbound,
        "Crown fitting?",
        minutes(2),
    );
    b.store.insert_message(&asked).await.unwrap();
    let answered = message(
        &biz.id,
        &customer,
        MessageDirection::Outbound,
        "See you",
        minutes(3),
    );
    b.store.insert_message(&answered).await.unwrap();
    let theirs = message(
        &other.id,
        &customer,
        MessageDirection::Inbound,
        "crown",
        minutes(4),
    );
    b.store.insert_message(&theirs).await.unwrap();

    for term in ["crown", "CROWN", " Crown "] {
        let page = search(b, &biz.id, term, None, 10, 100).await;
        assert_eq!(
            found(&page),
            [
                Activity::Message(asked.id.clone()),
                Activity::Call(spoken.clone())
            ],
            "{term}"
        );
        assert_eq!(page.hits[0].at, minutes(2));
        assert_eq!((page.next.as_deref(), page.searched_to), (None, None));
    }
    let by_name = search(b, &biz.id, "dana levi", None, 10, 100).await;
    assert_eq!(found(&by_name), [Activity::Call(named)]);
    // `%` and `_` are characters, not patterns.
    for literal in ["50%", "f_d"] {
        let page = search(b, &biz.id, literal, None, 10, 100).await;
        assert_eq!(found(&page), [Activity::Call(spoken.clone())], "{literal}");
    }
    for pattern in ["c%n", "o_f", "%%"] {
        assert!(
            search(b, &biz.id, pattern, None, 10, 100)
                .await
                .hits
                .is_empty(),
            "{pattern}"
        );
    }
    let theirs_page = search(b, &other.id, "crown", None, 10, 100).await;
    assert_eq!(found(&theirs_page), [Activity::Message(theirs.id)]);
}

pub async fn a_caller_name_and_transcript_are_one_entry_however_often_stored(b: &Backends) {
    let biz = business(vec![]);
    let sid = call_sid();
    let call = call_from(&sid, &biz.id, "+972501234567", Some("Dana"), minutes(0));
    b.store.record_call_start(&call).await.unwrap();
    b.store.record_call_start(&call).await.unwrap();
    transcribe(b, &sid, "a crown").await;
    let said = message(
        &biz.id,
        &number(),
        MessageDirection::Inbound,
        "crown",
        minutes(1),
    );
    b.store.insert_message(&said).await.unwrap();
    b.store.insert_message(&said).await.unwrap();
    for (term, hits) in [("dana", 1), ("crown", 2)] {
        let page = search(b, &biz.id, term, None, 10, 100).await;
        assert_eq!(page.hits.len(), hits, "{term}: {page:?}");
    }
}

pub async fn a_search_reads_at_most_its_budget_and_goes_on_from_where_it_stopped(b: &Backends) {
    let biz = business(vec![]);
    let customer = number();
    let mut ids = Vec::new();
    for n in 0..12 {
        let body = if [0, 1, 7].contains(&n) {
            format!("note {n} with a needle")
        } else {
            format!("note {n}")
        };
        let said = message(
            &biz.id,
            &customer,
            MessageDirection::Inbound,
            &body,
            minutes(n),
        );
        b.store.insert_message(&said).await.unwrap();
        ids.push(Activity::Message(said.id));
    }
    // Three entries a page: 11, 10, 9 hold nothing; the page says how far back it searched.
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = search(b, &biz.id, "needle", after.as_deref(), 2, 3).await;
        after = page.next.clone();
        pages.push(page);
        if after.is_none() {
            break;
        }
        assert!(pages.len() < 10, "a search that never ends");
    }
    let seen: Vec<(Vec<Activity>, Option<OffsetDateTime>)> = pages
        .iter()
        .map(|page| (found(page), page.searched_to))
        .collect();
    assert_eq!(
        seen,
        [
            (vec![], Some(minutes(9))),
            (vec![ids[7].clone()], Some(minutes(6))),
            (vec![], Some(minutes(3))),
            // Nothing older: the search is over.
            (vec![ids[1].clone(), ids[0].clone()], None),
        ]
    );

    // With budget to spare a page ends at its last hit, and goes on only while more hit.
    let first = search(b, &biz.id, "needle", None, 2, 100).await;
    assert_eq!(found(&first), [ids[7].clone(), ids[1].clone()]);
    assert_eq!(first.searched_to, None);
    let rest = search(b, &biz.id, "needle", first.next.as_deref(), 2, 100).await;
    assert_eq!(found(&rest), [ids[0].clone()]);
    assert_eq!(rest.next, None);
    let exact = search(b, &biz.id, "note 1", None, 2, 100).await;
    assert_eq!(found(&exact), [ids[11].clone(), ids[10].clone()]);
    let tail = search(b, &biz.id, "note 1", exact.next.as_deref(), 2, 100).await;
    assert_eq!(found(&tail), [ids[1].clone()]);
    assert_eq!(tail.next, None);

    let query = SearchQuery {
        term: SearchTerm::parse("needle").unwrap(),
        after: Some("00000000000000000001#+15550001111".into()),
        limit: 2,
        budget: 3,
    };
    assert!(matches!(
        b.store.search(&biz.id, &query).await,
        Err(StoreError::BadCursor(_))
    ));
}
