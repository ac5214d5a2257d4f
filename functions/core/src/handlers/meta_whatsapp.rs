//! Meta's WhatsApp Cloud API webhook, `/webhook/meta/whatsapp`:
//! - `GET`: the subscription handshake. `hub.mode=subscribe` and a `hub.verify_token` equal
//!   (constant time) to `META_VERIFY_TOKEN` → 200 with `hub.challenge` as text/plain; else 403.
//! - `POST`: notifications. `X-Hub-Signature-256` is checked over the raw body first (missing
//!   → 401, wrong → 403, nothing stored); then every message and status is stored, and the
//!   answer is 200 whatever the content. Only a store that cannot take the writes gets a 503,
//!   so Meta delivers the batch again (every write is idempotent).
//!
//! A message stored for the first time, for a business that books over WhatsApp or reminds its
//! customers ([`dialogue::listens`]), then goes to the booking dialogue (a reminder's answer first), whose reply is sent through the
//! Graph API before the answer; a redelivered batch finds its messages stored and answers none
//! of them again. A sender the owner blocked is stored and never answered.

use std::collections::HashMap;
use std::time::Duration;

use tracing::{error, info, warn};

use crate::app::App;
use crate::booking::dialogue::{self, Inbound};
use crate::config::SignaturePolicy;
use crate::domain::{Business, MessageDirection, PhoneNumber, Provider, WhatsAppAddress};
use crate::domain::{MessageStatusUpdate, NewMessage};
use crate::http::{form, response, InboundRequest, Response};
use crate::meta::payload::{self, Change, InboundMessage};
use crate::meta::signature::{self, SignatureError};
use crate::store::StoreError;

/// Meta allows a few seconds; the batch's writes must finish well inside them.
const NOTIFICATION_DEADLINE: Duration = Duration::from_secs(4);

/// Meta sends at most 3 MB; anything bigger is not a notification.
const MAX_BODY: usize = 3 * 1024 * 1024;

pub async fn verify_subscription(app: &App, request: &InboundRequest) -> Response {
    let Ok(query) = form::parse(request.raw_query.as_bytes()) else {
        return response::forbidden();
    };
    let Some(expected) = app.config().meta.verify_token.as_ref() else {
        error!("META_VERIFY_TOKEN is not set; Meta's subscription handshake refused");
        return response::forbidden();
    };
    let mode_ok = query.get("hub.mode") == Some("subscribe");
    let token_ok = query
        .get("hub.verify_token")
        .is_some_and(|given| signature::tokens_match(expected.expose(), given));
    match query.get("hub.challenge") {
        Some(challenge) if mode_ok && token_ok => {
            info!("meta webhook subscription verified");
            response::text(challenge.to_string())
        }
        _ => {
            warn!(mode_ok, token_ok, "meta webhook subscription refused");
            response::forbidden()
        }
    }
}

/// The signature verdict under the configured policy: `Err` is why the request is refused.
fn check_signature(app: &App, request: &InboundRequest) -> Result<(), SignatureError> {
    let policy = app.config().signature_policy;
    if policy == SignaturePolicy::Off {
        warn!("X-Hub-Signature-256 not checked: FRONTDESK_SIGNATURE_POLICY=off");
        return Ok(());
    }
    let header = request.header("x-hub-signature-256");
    let verdict = match app.config().meta.app_secret.as_ref() {
        Some(secret) => signature::verify(secret.expose(), &request.body, header),
        None => {
            error!("META_APP_SECRET is not set; Meta notifications cannot be verified");
            Err(SignatureError::Invalid)
        }
    };
    match verdict {
        Ok(()) => Ok(()),
        Err(rejection) if policy == SignaturePolicy::Shadow => {
            warn!(
                reason = rejection.as_str(),
                "signature invalid; served anyway (FRONTDESK_SIGNATURE_POLICY=shadow)"
            );
            Ok(())
        }
        Err(rejection) => {
            warn!(reason = rejection.as_str(), "meta notification rejected");
            Err(rejection)
        }
    }
}

pub async fn notification(app: &App, request: &InboundRequest) -> Response {
    if request.body.len() > MAX_BODY {
        return response::bad_request("body is over Meta's 3 MB limit");
    }
    match check_signature(app, request) {
        Ok(()) => {}
        Err(SignatureError::Missing) => return response::unauthorized(),
        Err(SignatureError::Invalid) => return response::forbidden(),
    }
    let changes = match payload::parse(&request.body) {
        Ok(changes) => changes,
        Err(reason) => {
            // Signed by Meta, so answered 200: a retry would carry the same content.
            warn!(%reason, "meta notification not readable; acknowledged");
            return response::text("ok");
        }
    };
    let mut fresh = Vec::new();
    let stored = tokio::time::timeout(
        NOTIFICATION_DEADLINE,
        store_changes(app, &changes, &mut fresh),
    )
    .await;
    // Even when a later write failed: these are stored, so a redelivery would not answer them.
    converse(app, &fresh).await;
    match stored {
        Ok(Ok((messages, statuses))) => {
            info!(messages, statuses, "meta notification stored");
            response::text("ok")
        }
        Ok(Err(err)) => {
            error!(metric = "whatsapp_meta_retry", error = %err, "meta notification not stored; Meta will retry");
            response::unavailable("store unavailable")
        }
        Err(_) => {
            error!(
                metric = "whatsapp_meta_retry",
                "store too slow; Meta will retry"
            );
            response::unavailable("store too slow")
        }
    }
}

/// The business whose WhatsApp number a change is for: by `phone_number_id`, else by the
/// display number in the phone-number index.
async fn business_for(
    app: &App,
    change: &Change,
    by_meta_id: &mut Option<HashMap<String, Business>>,
) -> Result<Option<Business>, StoreError> {
    if let Some(id) = &change.phone_number_id {
        if by_meta_id.is_none() {
            let businesses = app.store().list_businesses().await?;
            *by_meta_id = Some(
                businesses
                    .into_iter()
                    .filter_map(|b| Some((b.meta_phone_number_id.clone()?, b)))
                    .collect(),
            );
        }
        if let Some(business) = by_meta_id.as_ref().and_then(|m| m.get(id)) {
            return Ok(Some(business.clone()));
        }
    }
    match change
        .display_phone_number
        .as_deref()
        .and_then(|n| WhatsAppAddress::parse(n).ok())
    {
        Some(number) => app.business_by_number(number.number()).await,
        None => Ok(None),
    }
}

/// Stores every message and status; `fresh` gathers the messages stored for the first time
/// for a business that books over WhatsApp.
async fn store_changes(
    app: &App,
    changes: &[Change],
    fresh: &mut Vec<(Business, InboundMessage)>,
) -> Result<(usize, usize), StoreError> {
    let mut by_meta_id = None;
    let (mut messages, mut statuses) = (0, 0);
    for change in changes {
        for reason in &change.skipped {
            warn!(%reason, "meta notification item skipped");
        }
        if change.messages.is_empty() && change.statuses.is_empty() {
            continue;
        }
        let business = business_for(app, change, &mut by_meta_id).await?;
        if business.is_none() {
            warn!(
                phone_number_id = change.phone_number_id.as_deref().unwrap_or_default(),
                "no business has this WhatsApp number; stored without one"
            );
        }
        let to = change
            .display_phone_number
            .as_deref()
            .and_then(|n| WhatsAppAddress::parse(n).ok())
            .map(|a| a.address());
        for message in &change.messages {
            let inserted = app
                .store()
                .insert_message(&NewMessage {
                    id: message.id.clone(),
                    business_id: business.as_ref().map(|b| b.id.clone()),
                    direction: MessageDirection::Inbound,
                    contact: Some(PhoneNumber::clone(message.from.number())),
                    from: Some(message.from.address()),
                    to: to.clone(),
                    content: message.content.clone(),
                    status: crate::domain::MessageStatus::Received,
                    error_code: None,
                    error_message: None,
                    at: message.at,
                })
                .await?;
            info!(wamid = %message.id, kind = message.content.kind, inserted, "meta message stored");
            messages += 1;
            // A blocked sender's message is kept, and answered by nothing.
            if let Some(business) = business.as_ref().filter(|b| {
                inserted && dialogue::listens(b) && !b.blocks(message.from.number().as_str())
            }) {
                fresh.push((business.clone(), message.clone()));
            }
        }
        for status in &change.statuses {
            let advanced = app
                .store()
                .apply_message_status(&MessageStatusUpdate {
                    id: status.id.clone(),
                    status: status.status,
                    at: status.at,
                    error_code: status.error_code.clone(),
                    error_message: status.error_message.clone(),
                })
                .await?;
            info!(wamid = %status.id, status = status.status.as_str(), advanced, "meta status applied");
            statuses += 1;
        }
    }
    Ok((messages, statuses))
}

/// The booking dialogue for each fresh message, in order, within the dialogue's deadline.
async fn converse(app: &App, fresh: &[(Business, InboundMessage)]) {
    if fresh.is_empty() {
        return;
    }
    let all = async {
        for (business, message) in fresh {
            let inbound = Inbound {
                id: message.id.clone(),
                from: message.from.clone(),
                kind: message.content.kind.clone(),
                text: message.content.body.clone().unwrap_or_default(),
                reply_id: message.reply_id.clone(),
                profile_name: message.content.profile_name.clone(),
                provider: Provider::Meta,
            };
            let now = jiff::Timestamp::now();
            let conversed = dialogue::converse(app, business, &inbound, None, now).await;
            info!(wamid = %message.id, ?conversed, "booking dialogue");
        }
    };
    if tokio::time::timeout(dialogue::DEADLINE, all).await.is_err() {
        error!(
            metric = "whatsapp_dialogue_lost",
            "booking dialogue too slow; the rest of the batch unanswered"
        );
    }
}
