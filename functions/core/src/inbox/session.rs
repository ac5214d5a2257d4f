//! Signing in with a one-time link, the signed-in owner behind a request, and signing out.

use jiff::Timestamp;
use tracing::{info, warn};

use super::cookie::{self, Scope};
use crate::app::App;
use crate::domain::{Business, InboxSecret, InboxSession};
use crate::http::routes::Route;
use crate::http::{form, InboundRequest};
use crate::store::StoreError;

/// Why a request gets no inbox.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// No cookie, or a forged, expired or revoked one, or a link that does not open: sign in
    /// again with a new link.
    #[error("not signed in")]
    SignedOut,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The owner behind a request: their business, their session's id and its CSRF token.
#[derive(Debug)]
pub struct SignedIn {
    pub business: Business,
    pub id: InboxSecret,
    pub csrf: String,
}

impl SignedIn {
    /// Whether a form's `csrf` field is this session's token.
    pub fn csrf_matches(&self, app: &App, presented: Option<&str>) -> bool {
        match (app.inbox_key_read(), presented) {
            (Some(key), Some(presented)) => cookie::csrf_matches(key, &self.id, presented),
            _ => false,
        }
    }
}

/// Where the cookie lives: the inbox's path as this request reached it (the API Gateway stage
/// or `PUBLIC_BASE_URL`'s path kept), `Secure` unless the stage is `local` or `test`.
pub fn scope(app: &App, request: &InboundRequest) -> Scope {
    let url = request.public_url_of(app.config().public_base_url.as_ref(), Route::Inbox.path());
    let path = url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|slash| rest[slash..].to_string()))
        .unwrap_or_else(|| Route::Inbox.path().to_string());
    Scope {
        path,
        secure: !app.config().stage.allows_unsigned(),
    }
}

/// The signed-in owner of `request` at `now`.
pub async fn signed_in(
    app: &App,
    request: &InboundRequest,
    now: Timestamp,
) -> Result<SignedIn, Refusal> {
    let key = app.inbox_key().await?;
    let Some(value) = cookie::read(request) else {
        return Err(Refusal::SignedOut);
    };
    let Some(id) = cookie::open(key, value) else {
        info!("inbox: a cookie that is not this deployment's was refused");
        return Err(Refusal::SignedOut);
    };
    let store = app.store();
    let Some(session) = store.inbox_session(&id.hash()).await? else {
        return Err(Refusal::SignedOut);
    };
    let revoked = store.inbox_revoked_at(&session.business).await?;
    if !session.live_at(now, revoked) {
        return Err(Refusal::SignedOut);
    }
    let Some(business) = store.business(&session.business).await? else {
        return Err(Refusal::SignedOut);
    };
    Ok(SignedIn {
        business,
        csrf: cookie::csrf_token(key, &id),
        id,
    })
}

/// Takes the sign-in link in the query's `token` and opens a session: the cookie's value and
/// the session. A link opens once, before it expires and after its business's last revocation.
pub async fn sign_in(
    app: &App,
    raw_query: &str,
    now: Timestamp,
) -> Result<(String, InboxSession), Refusal> {
    let key = app.inbox_key().await?;
    let token = form::parse(raw_query.as_bytes())
        .ok()
        .and_then(|params| params.non_empty("token").map(str::to_string))
        .and_then(|token| InboxSecret::parse(&token).ok())
        .ok_or(Refusal::SignedOut)?;
    let store = app.store();
    let Some(link) = store.take_sign_in_link(&token.hash()).await? else {
        info!("inbox: an unknown or already used sign-in link");
        return Err(Refusal::SignedOut);
    };
    let revoked = store.inbox_revoked_at(&link.business).await?;
    if !link.opens_at(now, revoked) {
        info!(business = %link.business, "inbox: an expired or revoked sign-in link");
        return Err(Refusal::SignedOut);
    }
    let (id, session) = InboxSession::open(link.business, now).map_err(|err| {
        warn!(error = %err, "inbox: no random session id");
        StoreError::Unavailable(format!("random generator: {err}"))
    })?;
    store.put_inbox_session(&session).await?;
    info!(business = %session.business, "inbox: signed in");
    Ok((cookie::seal(key, &id), session))
}

/// Ends the request's session, if it has one.
pub async fn sign_out(app: &App, signed_in: &SignedIn) -> Result<(), Refusal> {
    app.store()
        .delete_inbox_session(&signed_in.id.hash())
        .await?;
    info!(business = %signed_in.business.id, "inbox: signed out");
    Ok(())
}
