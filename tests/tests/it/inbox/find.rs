//! Finding a customer or a word: the customers page (most recent activity first, in pages) and
//! the search (a number goes to the customer's timeline; a word finds calls and messages).

use frontdesk::domain::{
    BusinessId, CallSid, CallStart, CallStatus, Direction, MessageContent, MessageDirection,
    MessageId, MessageStatus, NewMessage, PhoneNumber,
};
use frontdesk::http::FormParams;
use frontdesk::Route;
use time::macros::datetime;
use time::OffsetDateTime;

use super::{Inbox, HOSTILE_NAME};

const CUSTOMERS: &str = "/inbox/customers";

fn search_path(q: &str) -> String {
    let query = FormParams::from_pairs(vec![("q".into(), q.into())]).encode();
    format!("{}?{query}", Route::InboxSearch.path())
}

/// Stores a WhatsApp message between `business` and `contact`.
async fn whatsapp(
    inbox: &Inbox,
    business: &BusinessId,
    contact: &str,
    direction: MessageDirection,
    body: &str,
    at: OffsetDateTime,
) -> MessageId {
    let id = MessageId::parse(&format!("SMfind{}", at.unix_timestamp())).unwrap();
    let message = NewMessage {
        id: id.clone(),
        business_id: Some(business.clone()),
        direction,
        contact: Some(PhoneNumber::parse(contact).unwrap()),
        from: None,
        to: None,
        content: MessageContent {
            kind: "text".into(),
            body: Some(body.into()),
            profile_name: Some("Noa".into()),
            ..MessageContent::default()
        },
        status: match direction {
            MessageDirection::Inbound => MessageStatus::Received,
            MessageDirection::Outbound => MessageStatus::Delivered,
        },
        error_code: None,
        error_message: None,
        at,
    };
    assert!(inbox
        .server
        .app
        .store()
        .insert_message(&message)
        .await
        .unwrap());
    id
}

/// The value of `attribute` on each element that has it, in page order.
fn each(page: &str, attribute: &str) -> Vec<String> {
    let marker = format!("{attribute}=\"");
    page.match_indices(&marker)
        .map(|(at, _)| {
            page[at + marker.len()..]
                .split('"')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The next page's link (`rel="next"`), unescaped.
fn next_link(page: &str) -> Option<String> {
    let rel = page.find(r#"rel="next""#)?;
    let href = page[..rel].rfind("href=\"")? + "href=\"".len();
    Some(page[href..].split('"').next()?.replace("&amp;", "&"))
}

fn path_of(inbox: &Inbox, url: &str) -> String {
    url.strip_prefix(&inbox.server.base_url)
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn customers_are_listed_most_recent_first_in_pages_with_their_last_message() {
    let inbox = Inbox::start(25).await;
    whatsapp(
        &inbox,
        &inbox.owner.id,
        "+972501112222",
        MessageDirection::Inbound,
        "Is Tuesday free?",
        datetime!(2026-11-30 08:00 UTC),
    )
    .await;
    let cookie = inbox.sign_in().await;

    let first = inbox.page(CUSTOMERS, &cookie).await;
    assert!(first.contains(r#"<html lang="he" dir="rtl">"#));
    let mut numbers = each(&first, "data-customer");
    assert_eq!(numbers.len(), 20, "a page of twenty");
    assert_eq!(numbers[0], "+972501112222", "the latest activity first");
    assert_eq!(numbers[1], "+972500000024");
    assert!(first.contains("Is Tuesday free?") && first.contains("מחכה לתשובה"));
    assert!(first.contains("/inbox/customers/+972501112222"), "{first}");
    assert!(first.contains("/inbox/search\""), "the search form");

    let older = next_link(&first).expect("an older page");
    let second = inbox.page(&path_of(&inbox, &older), &cookie).await;
    numbers.extend(each(&second, "data-customer"));
    assert_eq!(numbers.len(), 26);
    assert_eq!(numbers.last().unwrap(), "+972500000000");
    assert_eq!(next_link(&second), None);
    let mut unique = numbers.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 26, "each customer once");

    let bad = inbox
        .get(&format!("{CUSTOMERS}?cursor=bm9wZQ"), &cookie)
        .await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn another_businesss_customers_calls_and_messages_never_appear() {
    let inbox = Inbox::start(2).await;
    whatsapp(
        &inbox,
        &inbox.other.id,
        "+972507770000",
        MessageDirection::Inbound,
        "rival crown secret",
        datetime!(2026-11-30 08:00 UTC),
    )
    .await;
    let cookie = inbox.sign_in().await;
    let customers = inbox.page(CUSTOMERS, &cookie).await;
    for theirs in ["+972509999999", "+972507770000", "Their caller", "rival"] {
        assert!(!customers.contains(theirs), "{theirs}");
    }
    for word in ["their caller", "crown secret"] {
        let page = inbox.page(&search_path(word), &cookie).await;
        assert!(each(&page, "data-hit").is_empty(), "{word}: {page}");
        assert!(!page.contains(inbox.theirs.as_str()));
    }
}

#[tokio::test]
async fn a_word_finds_a_transcript_and_a_message_in_any_case_newest_first() {
    let inbox = Inbox::start(3).await;
    let voicemail = inbox.calls.last().unwrap().clone();
    let message = whatsapp(
        &inbox,
        &inbox.owner.id,
        "+972501112222",
        MessageDirection::Outbound,
        "We will call you SOON about the crown",
        datetime!(2026-11-30 08:00 UTC),
    )
    .await;
    let cookie = inbox.sign_in().await;
    for word in ["soon", "Soon", "  SOON "] {
        let page = inbox.page(&search_path(word), &cookie).await;
        assert_eq!(
            each(&page, "data-hit"),
            [message.as_str(), voicemail.as_str()],
            "{word}"
        );
        assert!(page.contains(&format!("/inbox/calls/{voicemail}")));
        assert!(page.contains("/inbox/customers/+972501112222"));
        assert!(page.contains("נמסרה"), "the message's delivery status");
        assert_eq!(next_link(&page), None);
    }
    let by_name = inbox.page(&search_path("script"), &cookie).await;
    assert_eq!(each(&by_name, "data-hit"), [voicemail.as_str()]);
    let none = inbox.page(&search_path("nowhere"), &cookie).await;
    assert!(each(&none, "data-hit").is_empty());
    assert!(none.contains("לא נמצאו שיחות או הודעות."));
}

#[tokio::test]
async fn a_phone_number_goes_to_that_customers_timeline() {
    let inbox = Inbox::start(1).await;
    let cookie = inbox.sign_in().await;
    for q in ["+972501234567", " +972 50-123-4567 "] {
        let response = inbox.get(&search_path(q), &cookie).await;
        assert_eq!(response.status(), 303, "{q}");
        assert_eq!(
            response.headers()["location"],
            inbox.url("/inbox/customers/+972501234567")
        );
    }
}

#[tokio::test]
async fn percent_and_underscore_are_taken_literally() {
    let inbox = Inbox::start(0).await;
    let id = whatsapp(
        &inbox,
        &inbox.owner.id,
        "+972501112222",
        MessageDirection::Inbound,
        "50% off_deal",
        datetime!(2026-11-30 08:00 UTC),
    )
    .await;
    let cookie = inbox.sign_in().await;
    for (q, found) in [("0%", true), ("f_d", true), ("o_f", false), ("5%f", false)] {
        let page = inbox.page(&search_path(q), &cookie).await;
        let hits = each(&page, "data-hit");
        assert_eq!(hits == [id.as_str()], found, "{q}: {hits:?}");
    }
}

#[tokio::test]
async fn a_search_too_short_too_long_or_missing_is_refused_with_a_reason() {
    let inbox = Inbox::start(0).await;
    let cookie = inbox.sign_in().await;
    let long = "x".repeat(101);
    for path in [
        search_path("a"),
        search_path("   "),
        search_path(&long),
        Route::InboxSearch.path().to_string(),
    ] {
        let response = inbox.get(&path, &cookie).await;
        assert_eq!(response.status(), 400, "{path}");
        let body = response.text().await.unwrap();
        assert!(body.contains("2 to 100 characters"), "{body}");
        assert_eq!(body.lines().count(), 1);
    }
    let bad_cursor = inbox
        .get(&format!("{}&cursor=bm9wZQ", search_path("crown")), &cookie)
        .await;
    assert_eq!(bad_cursor.status(), 400);
}

#[tokio::test]
async fn hostile_names_transcripts_and_messages_show_as_text() {
    let inbox = Inbox::start(2).await;
    whatsapp(
        &inbox,
        &inbox.owner.id,
        "+972501112222",
        MessageDirection::Inbound,
        "<img src=x onerror=alert(2)> please",
        datetime!(2026-11-30 08:00 UTC),
    )
    .await;
    let cookie = inbox.sign_in().await;
    let customers = inbox.page(CUSTOMERS, &cookie).await;
    let searched = inbox.page(&search_path("onerror"), &cookie).await;
    assert_eq!(each(&searched, "data-hit").len(), 2);
    for page in [&customers, &searched] {
        assert!(
            !page.contains("<script>") && !page.contains("<img"),
            "{page}"
        );
        assert!(page.contains("&lt;img src=x onerror=alert("));
    }
    assert!(customers.contains("&lt;script&gt;alert('name')&lt;/script&gt;"));
    assert!(!customers.contains(HOSTILE_NAME));
    let hostile_query = inbox
        .page(&search_path("\"><script>x</script>"), &cookie)
        .await;
    assert!(!hostile_query.contains("<script>x"), "{hostile_query}");
}

#[tokio::test]
async fn the_pages_are_for_signed_in_owners_only() {
    let inbox = Inbox::start(1).await;
    for path in [CUSTOMERS.to_string(), search_path("crown")] {
        let response = super::client().get(inbox.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 401, "{path}");
    }
}

#[tokio::test]
async fn a_search_over_ten_thousand_calls_reads_one_budget_a_page() {
    let inbox = Inbox::start(0).await;
    let store = inbox.server.app.store();
    let first = datetime!(2026-01-01 08:00 UTC);
    for n in 0..10_000 {
        // Every caller is a Cohen; only the very first is a Levi.
        let name = if n == 0 {
            "Dana Levi Cohen"
        } else {
            "Dana Cohen"
        };
        store
            .record_call_start(&CallStart {
                sid: CallSid::parse(&format!("CAmany{n:05}")).unwrap(),
                business_id: inbox.owner.id.clone(),
                from: format!("+9725{n:08}"),
                to: "+97233334444".into(),
                direction: Direction::Inbound,
                caller_name: Some(name.into()),
                status: CallStatus::Completed,
                started_at: first + time::Duration::minutes(n),
                placed: None,
            })
            .await
            .unwrap();
    }
    let cookie = inbox.sign_in().await;

    // Every call holds the word: a page holds twenty, and goes on.
    let page = inbox.page(&search_path("cohen"), &cookie).await;
    let hits = each(&page, "data-hit");
    assert_eq!(hits.len(), 20);
    assert_eq!(hits[0], "CAmany09999");
    assert!(!page.contains("החיפוש הגיע עד"));
    let next = inbox
        .page(&path_of(&inbox, &next_link(&page).unwrap()), &cookie)
        .await;
    assert_eq!(each(&next, "data-hit")[0], "CAmany09979");

    // Only the oldest holds it: each page reads its budget and says how far back it got.
    let mut page = inbox.page(&search_path("levi"), &cookie).await;
    let mut pages = 1;
    while each(&page, "data-hit").is_empty() {
        assert!(page.contains("החיפוש הגיע עד"), "{page}");
        let link = next_link(&page).expect("a link to search further back");
        page = inbox.page(&path_of(&inbox, &link), &cookie).await;
        pages += 1;
    }
    assert_eq!(each(&page, "data-hit"), ["CAmany00000"]);
    assert_eq!(pages, 20, "10,000 entries, 500 a page");
    assert_eq!(next_link(&page), None);
}

#[tokio::test]
async fn on_aws_the_customers_and_the_search_read_dynamodb() {
    use frontdesk::config::PublicBaseUrl;
    use frontdesk::domain::Business;
    use frontdesk::lambda::Wiring;
    use frontdesk_testkit::{Stack, TestServer};

    let stack = Stack::new().await;
    let app = Wiring::new(
        frontdesk_testkit::config::config(&[]),
        stack.sdk.clone(),
        stack.resources.clone(),
    )
    .app()
    .unwrap();
    let server = TestServer::with_app(app, stack.probe()).await;
    let store = server.app.store();
    let owner = Business::new(
        BusinessId::parse(&format!("find-{}", stack.name)).unwrap(),
        "Clinic",
    );
    let rival = Business::new(
        BusinessId::parse(&format!("rival-{}", stack.name)).unwrap(),
        "Rival",
    );
    store.put_business(&owner).await.unwrap();
    store.put_business(&rival).await.unwrap();
    let now = OffsetDateTime::now_utc();
    for (n, business, name) in [(1, &owner, "Dana Levi"), (2, &rival, "Levi Rival")] {
        store
            .record_call_start(&CallStart {
                sid: CallSid::parse(&format!("CAfindaws{n}")).unwrap(),
                business_id: business.id.clone(),
                from: format!("+97250123456{n}"),
                to: "+97233334444".into(),
                direction: Direction::Inbound,
                caller_name: Some(name.into()),
                status: CallStatus::Completed,
                started_at: now - time::Duration::minutes(10),
                placed: None,
            })
            .await
            .unwrap();
    }
    let message = NewMessage {
        id: MessageId::parse("SMfindaws1").unwrap(),
        business_id: Some(owner.id.clone()),
        direction: MessageDirection::Inbound,
        contact: Some(PhoneNumber::parse("+972501112222").unwrap()),
        from: None,
        to: None,
        content: MessageContent {
            kind: "text".into(),
            body: Some("A LEVI question".into()),
            ..MessageContent::default()
        },
        status: MessageStatus::Received,
        error_code: None,
        error_message: None,
        at: now,
    };
    store.insert_message(&message).await.unwrap();

    let link = frontdesk_cli::inbox::link(
        store,
        &PublicBaseUrl::parse(&server.base_url).unwrap(),
        &owner.id,
        15,
        jiff::Timestamp::now(),
    )
    .await
    .unwrap();
    let signed_in = super::client().get(&link).send().await.unwrap();
    let cookie = super::cookie_of(&signed_in).unwrap();
    let page = |path: String| {
        let cookie = cookie.clone();
        let url = server.url(&path);
        async move {
            let response = super::client()
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{path}");
            response.text().await.unwrap()
        }
    };
    let customers = page(CUSTOMERS.to_string()).await;
    assert_eq!(
        each(&customers, "data-customer"),
        ["+972501112222", "+972501234561"]
    );
    let found = page(search_path("levi")).await;
    assert_eq!(each(&found, "data-hit"), ["SMfindaws1", "CAfindaws1"]);
}
