//! What a signed-in owner sees and does: the calls newest first and paged, one call, the
//! handled flag, signing out.

use frontdesk::Route;

use super::{
    client, cookie_of, csrf_of, handled_path, set_cookie, Inbox, HOSTILE_NAME, HOSTILE_TRANSCRIPT,
};

#[tokio::test]
async fn a_link_signs_the_owner_in_with_a_strict_cookie_and_shows_their_calls_newest_first() {
    let inbox = Inbox::start(3).await;
    let link = inbox
        .link(&inbox.owner.id, 15, jiff::SignedDuration::ZERO)
        .await;
    assert!(
        link.starts_with(&format!("{}/inbox/login?token=", inbox.server.base_url)),
        "{link}"
    );
    let response = client().get(&link).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let set = set_cookie(&response).unwrap();
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/inbox",
        "Max-Age=604800",
    ] {
        assert!(set.contains(attribute), "{attribute}: {set}");
    }
    assert!(
        !set.contains("Secure"),
        "plain HTTP in the test stage: {set}"
    );
    let cookie = cookie_of(&response).unwrap();
    let landing = response.text().await.unwrap();
    assert!(
        landing.contains(&format!(
            r#"<meta http-equiv="refresh" content="0; url={}">"#,
            inbox.url(Route::Inbox.path())
        )),
        "the page goes on to the calls by a refresh of its own: {landing}"
    );

    let response = inbox.get(Route::Inbox.path(), &cookie).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    assert!(response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    let page = response.text().await.unwrap();
    assert!(page.contains(r#"<html lang="he" dir="rtl">"#), "{page}");
    assert!(page.contains("width=device-width"));
    let positions: Vec<usize> = inbox
        .calls
        .iter()
        .map(|sid| {
            page.find(&format!("data-call=\"{sid}\""))
                .expect("each call listed")
        })
        .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] > pair[1]),
        "newest first: {positions:?}"
    );
    assert!(
        !page.contains(inbox.theirs.as_str()),
        "another business's call"
    );
    let marker = r#"<audio controls preload="none" src=""#;
    let src = page[page.find(marker).expect("the voicemail's player") + marker.len()..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(
        src.starts_with("/blobs/recordings/") && src.contains(".mp3?expires="),
        "a signed local link: {src}"
    );
    let audio = client().get(inbox.server.url(&src)).send().await.unwrap();
    assert_eq!(audio.status(), 200, "serve answers its own signed link");
    assert_eq!(
        audio.headers()["content-type"],
        "audio/mpeg",
        "played as audio"
    );
    assert_eq!(audio.bytes().await.unwrap().as_ref(), b"ID3");
    let forged = src.replace("signature=", "signature=00");
    let refused = client()
        .get(inbox.server.url(&forged))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404, "a changed link reads nothing");
    assert!(
        page.contains("הודעה קולית"),
        "the voicemail's outcome in Hebrew"
    );
}

#[tokio::test]
async fn an_english_business_reads_left_to_right() {
    let inbox = Inbox::start(1).await;
    let mut owner = inbox.owner.clone();
    owner.language = "en-US".into();
    inbox.server.app.store().put_business(&owner).await.unwrap();
    let cookie = inbox.sign_in().await;
    let page = inbox.page(Route::Inbox.path(), &cookie).await;
    assert!(page.contains(r#"<html lang="en" dir="ltr">"#), "{page}");
    assert!(page.contains("Needs a call back"));
}

#[tokio::test]
async fn calls_are_paged_with_the_calls_apis_cursor() {
    let inbox = Inbox::start(30).await;
    let cookie = inbox.sign_in().await;
    let first = inbox.page(Route::Inbox.path(), &cookie).await;
    assert_eq!(first.matches("<article").count(), 25);
    let marker = r#"<a href=""#;
    let next = first[first.rfind(marker).unwrap() + marker.len()..]
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(
        first.contains(r#"rel="next""#) && next.contains("?cursor="),
        "{next}"
    );
    let path = next.strip_prefix(&inbox.server.base_url).unwrap();
    let second = inbox.page(path, &cookie).await;
    assert_eq!(second.matches("<article").count(), 5);
    assert!(!second.contains(r#"rel="next""#));
    for sid in &inbox.calls {
        let shown = [&first, &second]
            .iter()
            .filter(|page| page.contains(&format!("data-call=\"{sid}\"")))
            .count();
        assert_eq!(shown, 1, "{sid} on exactly one page");
    }
}

#[tokio::test]
async fn caller_supplied_html_is_shown_as_text_and_never_as_markup() {
    let inbox = Inbox::start(2).await;
    let cookie = inbox.sign_in().await;
    let newest = inbox.calls.last().unwrap();
    for path in [
        Route::Inbox.path().to_string(),
        Route::InboxCall.path_with(&[("call_sid", newest.as_str())]),
    ] {
        let page = inbox.page(&path, &cookie).await;
        // The one script element is the inbox's own file.
        let scripts: Vec<&str> = page.split("<script").skip(1).collect();
        assert!(
            scripts
                .iter()
                .all(|s| s.contains("/inbox/app.js\" defer></script>")),
            "{path}: {page}"
        );
        assert!(!page.contains("<img"), "{path}");
        assert!(
            page.contains("&lt;script&gt;alert('name')&lt;/script&gt;"),
            "{path}"
        );
        assert!(
            page.contains("call me &lt;img src=x onerror=alert(1)&gt; &amp; &quot;soon&quot;"),
            "{path}: {page}"
        );
        assert!(!page.contains(HOSTILE_NAME) && !page.contains(HOSTILE_TRANSCRIPT));
    }
}

#[tokio::test]
async fn a_call_is_marked_handled_and_back_with_the_pages_csrf_token() {
    let inbox = Inbox::start(2).await;
    let cookie = inbox.sign_in().await;
    let call = &inbox.calls[0];
    let page = inbox.page(Route::Inbox.path(), &cookie).await;
    let csrf = csrf_of(&page);
    assert!(!inbox.handled(call).await);
    assert_eq!(
        page.matches(r#"<span class="open">"#).count(),
        2,
        "both need a call back"
    );

    let response = inbox
        .post(
            &handled_path(call),
            &cookie,
            &[("csrf", &csrf), ("handled", "true")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        inbox.url(Route::Inbox.path())
    );
    assert!(inbox.handled(call).await);
    assert!(!inbox.handled(&inbox.calls[1]).await, "only that call");
    let detail = inbox
        .page(
            &Route::InboxCall.path_with(&[("call_sid", call.as_str())]),
            &cookie,
        )
        .await;
    assert!(
        detail.contains(r#"<span class="handled">"#),
        "shown handled: {detail}"
    );
    assert!(!detail.contains(r#"<span class="open">"#));
    let open = inbox.page("/inbox?handled=false", &cookie).await;
    assert!(
        !open.contains(&format!("data-call=\"{call}\"")),
        "handled: not listed"
    );
    assert!(open.contains(&format!("data-call=\"{}\"", inbox.calls[1])));
    assert!(
        open.contains(r#"?handled=false" aria-current="page""#),
        "{open}"
    );

    inbox
        .post(
            &handled_path(call),
            &cookie,
            &[("csrf", &csrf), ("handled", "false")],
        )
        .await;
    assert!(!inbox.handled(call).await, "back to needing a call back");
}

#[tokio::test]
async fn signing_out_ends_the_session_and_forgets_the_cookie() {
    let inbox = Inbox::start(1).await;
    let cookie = inbox.sign_in().await;
    let csrf = csrf_of(&inbox.page(Route::Inbox.path(), &cookie).await);
    let response = inbox
        .post(Route::InboxLogout.path(), &cookie, &[("csrf", &csrf)])
        .await;
    assert_eq!(response.status(), 200);
    assert!(set_cookie(&response).unwrap().contains("Max-Age=0"));
    assert_eq!(inbox.get(Route::Inbox.path(), &cookie).await.status(), 401);
}

#[tokio::test]
async fn ten_thousand_calls_come_a_page_at_a_time() {
    let inbox = Inbox::start(10_000).await;
    let cookie = inbox.sign_in().await;
    let page = inbox.page(Route::Inbox.path(), &cookie).await;
    assert_eq!(page.matches("<article").count(), 25);
    assert!(page.contains(r#"rel="next""#));
    let newest = inbox.calls.last().unwrap();
    assert!(
        page.contains(&format!("data-call=\"{newest}\"")),
        "the newest first"
    );
    assert!(page.len() < 100 * 1024, "a page is {} bytes", page.len());
}

#[tokio::test]
async fn the_first_page_asks_for_calls_since_its_newest_and_gets_only_the_owners() {
    let inbox = Inbox::start(3).await;
    let cookie = inbox.sign_in().await;
    let page = inbox.page(Route::Inbox.path(), &cookie).await;
    let marker = "data-updates=\"";
    let updates = page[page.find(marker).expect("a live list") + marker.len()..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(
        updates.ends_with("/inbox/updates?since=2026-11-29T08%3A02%3A00Z"),
        "since the newest call's start: {updates}"
    );
    assert!(page.contains(r#"<script src="http"#) && page.contains("/inbox/app.js\" defer"));
    let script = client()
        .get(inbox.url(Route::InboxScript.path()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(script.text().await.unwrap().contains("data-updates"));

    // A new call of the owner, and one of the other business, after the page was made.
    let store = inbox.server.app.store();
    for (sid, business) in [
        ("CAinboxlive", &inbox.owner.id),
        ("CArivallive", &inbox.other.id),
    ] {
        store
            .record_call_start(&frontdesk::domain::CallStart {
                sid: frontdesk::domain::CallSid::parse(sid).unwrap(),
                business_id: business.clone(),
                from: "+972501110000".into(),
                to: "+97233334444".into(),
                direction: frontdesk::domain::Direction::Inbound,
                caller_name: None,
                status: frontdesk::domain::CallStatus::Ringing,
                started_at: time::macros::datetime!(2026-11-29 08:05 UTC),
                placed: None,
            })
            .await
            .unwrap();
    }
    let path = updates.split_once("/inbox/updates").unwrap().1;
    let cards = inbox
        .page(&format!("{}{path}", Route::InboxUpdates.path()), &cookie)
        .await;
    let listed: Vec<&str> = cards
        .split("data-call=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    assert_eq!(
        listed,
        ["CAinboxlive", inbox.calls[2].as_str()],
        "the new call and the newest one shown (refreshed), newest first"
    );
    assert!(!cards.contains("<html"), "cards alone");

    let without_since = inbox.get(Route::InboxUpdates.path(), &cookie).await;
    assert_eq!(without_since.status(), 400);
    let signed_out = inbox
        .get(&format!("{}{path}", Route::InboxUpdates.path()), "")
        .await;
    assert_eq!(signed_out.status(), 401);
}

#[tokio::test]
async fn marking_a_call_returns_to_the_inbox_page_it_was_marked_on_and_nowhere_else() {
    let inbox = Inbox::start(2).await;
    let cookie = inbox.sign_in().await;
    let call = &inbox.calls[0];
    let customer = Route::InboxCustomer.path_with(&[("number", "+972500000000")]);
    let page = inbox.page(&customer, &cookie).await;
    assert!(
        page.contains(&format!(r#"name="back" value="{customer}""#)),
        "the customer's page sends its own address"
    );
    let csrf = csrf_of(&page);
    for (back, lands) in [
        (customer.clone(), inbox.url(&customer)),
        (
            "/inbox?handled=false".to_string(),
            inbox.url("/inbox?handled=false"),
        ),
        (
            "https://evil.example/".to_string(),
            inbox.url(Route::Inbox.path()),
        ),
        (
            "//evil.example/inbox".to_string(),
            inbox.url(Route::Inbox.path()),
        ),
        (
            "/webhook/incoming_call".to_string(),
            inbox.url(Route::Inbox.path()),
        ),
    ] {
        let response = inbox
            .post(
                &handled_path(call),
                &cookie,
                &[("csrf", &csrf), ("handled", "true"), ("back", &back)],
            )
            .await;
        assert_eq!(response.status(), 303, "{back}");
        assert_eq!(response.headers()["location"], lands.as_str(), "{back}");
    }
}
