//! Every way into the inbox that must stay shut: used, expired and revoked links; forged,
//! foreign and expired cookies; POSTs without the session's CSRF token; another business's
//! call.

use frontdesk::domain::{InboxSecret, InboxSession};
use frontdesk::inbox::cookie;
use frontdesk::Route;
use jiff::{SignedDuration, Timestamp};

use super::{client, cookie_of, csrf_of, handled_path, set_cookie, Inbox};

#[tokio::test]
async fn a_link_opens_once() {
    let inbox = Inbox::start(1).await;
    let link = inbox.link(&inbox.owner.id, 15, SignedDuration::ZERO).await;
    assert_eq!(client().get(&link).send().await.unwrap().status(), 200);
    let again = client().get(&link).send().await.unwrap();
    assert_eq!(again.status(), 401);
    assert_eq!(cookie_of(&again), None, "no session for a used link");
    assert!(again.text().await.unwrap().contains("צריך להיכנס מחדש"));
}

#[tokio::test]
async fn an_expired_a_revoked_and_a_made_up_link_open_nothing() {
    let inbox = Inbox::start(1).await;
    let expired = inbox
        .link(&inbox.owner.id, 15, SignedDuration::from_mins(16))
        .await;
    let revoked = inbox
        .link(&inbox.owner.id, 15, SignedDuration::from_secs(1))
        .await;
    inbox
        .server
        .app
        .store()
        .revoke_inbox(&inbox.owner.id, Timestamp::now())
        .await
        .unwrap();
    let made_up = format!(
        "{}?token={}",
        inbox.url(Route::InboxLogin.path()),
        InboxSecret::generate().unwrap().reveal()
    );
    let malformed = format!("{}?token=%3Cscript%3E", inbox.url(Route::InboxLogin.path()));
    let bare = inbox.url(Route::InboxLogin.path());
    for link in [expired, revoked, made_up, malformed, bare] {
        let response = client().get(&link).send().await.unwrap();
        assert_eq!(response.status(), 401, "{link}");
        assert_eq!(cookie_of(&response), None, "{link}");
    }
}

#[tokio::test]
async fn revoking_the_business_signs_its_sessions_out() {
    let inbox = Inbox::start(1).await;
    let cookie = inbox.sign_in().await;
    assert_eq!(inbox.get(Route::Inbox.path(), &cookie).await.status(), 200);
    inbox
        .server
        .app
        .store()
        .revoke_inbox(&inbox.owner.id, Timestamp::now())
        .await
        .unwrap();
    let response = inbox.get(Route::Inbox.path(), &cookie).await;
    assert_eq!(response.status(), 401);
    assert!(
        set_cookie(&response).unwrap().contains("Max-Age=0"),
        "the cookie is cleared"
    );
    let fresh = inbox.sign_in().await;
    assert_eq!(
        inbox.get(Route::Inbox.path(), &fresh).await.status(),
        200,
        "a link issued after the revocation opens"
    );
}

#[tokio::test]
async fn forged_foreign_and_expired_cookies_are_refused() {
    let inbox = Inbox::start(1).await;
    let store = inbox.server.app.store();
    let genuine = inbox.sign_in().await;
    let key = inbox.server.app.inbox_key().await.unwrap().clone();
    let value = genuine.strip_prefix("frontdesk_inbox=").unwrap();
    let (id, mac) = value.split_once('.').unwrap();

    let stranger = InboxSecret::generate().unwrap();
    let other_key = frontdesk::config::Secret::new("another deployment's key").unwrap();
    let (old_id, mut old) = InboxSession::open(inbox.owner.id.clone(), Timestamp::now()).unwrap();
    old.created_at = Timestamp::now() - SignedDuration::from_hours(8 * 24);
    old.expires_at = Timestamp::now() - SignedDuration::from_hours(24);
    store.put_inbox_session(&old).await.unwrap();

    for (why, forged) in [
        ("no MAC", id.to_string()),
        (
            "a MAC moved to another id",
            format!("{}.{mac}", stranger.reveal()),
        ),
        (
            "another deployment's key",
            cookie::seal(&other_key, &InboxSecret::parse(id).unwrap()),
        ),
        (
            "a well signed session never opened",
            cookie::seal(&key, &stranger),
        ),
        ("an expired session", cookie::seal(&key, &old_id)),
        ("garbage", "%00<>".to_string()),
    ] {
        let response = inbox
            .get(Route::Inbox.path(), &format!("frontdesk_inbox={forged}"))
            .await;
        assert_eq!(response.status(), 401, "{why}");
    }
    let none = inbox.get(Route::Inbox.path(), "").await;
    assert_eq!(none.status(), 401, "no cookie");
    assert_eq!(
        set_cookie(&none),
        None,
        "no cookie came, so none is cleared"
    );
    assert_eq!(inbox.get(Route::Inbox.path(), &genuine).await.status(), 200);
}

#[tokio::test]
async fn a_post_without_the_sessions_csrf_token_is_refused_and_changes_nothing() {
    let inbox = Inbox::start(1).await;
    let call = &inbox.calls[0];
    let mine = inbox.sign_in().await;
    let another = inbox.sign_in().await;
    let others_token = csrf_of(&inbox.page(Route::Inbox.path(), &another).await);
    let my_token = csrf_of(&inbox.page(Route::Inbox.path(), &mine).await);
    assert_ne!(my_token, others_token, "a token per session");
    for (why, form) in [
        ("no token", vec![("handled", "true")]),
        ("a wrong token", vec![("csrf", "x"), ("handled", "true")]),
        (
            "another session's token",
            vec![("csrf", others_token.as_str()), ("handled", "true")],
        ),
    ] {
        let response = inbox.post(&handled_path(call), &mine, &form).await;
        assert_eq!(response.status(), 403, "{why}");
        assert!(!inbox.handled(call).await, "{why}");
        let logout = inbox.post(Route::InboxLogout.path(), &mine, &form).await;
        assert_eq!(logout.status(), 403, "{why}");
    }
    assert_eq!(
        inbox.get(Route::Inbox.path(), &mine).await.status(),
        200,
        "still signed in"
    );
    let without_session = inbox
        .post(
            &handled_path(call),
            "",
            &[("csrf", my_token.as_str()), ("handled", "true")],
        )
        .await;
    assert_eq!(without_session.status(), 401);
    assert!(!inbox.handled(call).await);
}

#[tokio::test]
async fn another_businesss_call_is_not_found_to_read_or_to_mark() {
    let inbox = Inbox::start(1).await;
    let cookie = inbox.sign_in().await;
    let csrf = csrf_of(&inbox.page(Route::Inbox.path(), &cookie).await);
    let theirs = &inbox.theirs;
    let page = inbox
        .get(
            &Route::InboxCall.path_with(&[("call_sid", theirs.as_str())]),
            &cookie,
        )
        .await;
    assert_eq!(page.status(), 404);
    let mark = inbox
        .post(
            &handled_path(theirs),
            &cookie,
            &[("csrf", &csrf), ("handled", "true")],
        )
        .await;
    assert_eq!(mark.status(), 404);
    let call = inbox
        .server
        .app
        .store()
        .call(theirs)
        .await
        .unwrap()
        .unwrap();
    assert!(!call.handled, "their call is untouched");
    assert_eq!(call.business_id.as_ref(), Some(&inbox.other.id));
    for unknown in ["CAnever0001", "not-a-sid"] {
        let page = inbox
            .get(
                &Route::InboxCall.path_with(&[("call_sid", unknown)]),
                &cookie,
            )
            .await;
        assert_eq!(page.status(), 404, "{unknown}");
    }
}
