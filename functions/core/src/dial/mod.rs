//! A business's outbound call, placed through Twilio's Calls API: the one path every outbound
//! call takes (`POST /api/calls`, `frontdesk call`, reminders).
//!
//! [`place`] checks the request against the business, writes the [`Placement`] (the
//! write-before-acknowledge record: its id is derived from the business and the request key, so
//! a retry finds it and never places twice), waits its turn ([`pacing`]), asks Twilio
//! ([`calls_api`]) from the business's first number with absolute callback URLs built by the
//! one public-URL builder, then stores the call under Twilio's CallSid as `outbound-api` with
//! its purpose, requester and start, and settles the placement. Status callbacks that beat
//! that write merge with it through the status ranking. What the callee hears is answered
//! by `/webhook/outbound_call` from the placement ([`answer`]).
//!
//! | Twilio's answer | placement | a retry with the same key |
//! | --- | --- | --- |
//! | 2xx | `placed` with the CallSid | the same call, `Idempotent-Replayed` |
//! | 4xx (not 429) | `refused` | the same refusal |
//! | 429 / 5xx after retries, no connection | released | places the call |
//! | no answer (timeout) | stays `pending` | "outcome unknown": never placed twice |

pub mod answer;
pub mod calls_api;
pub mod pacing;

use std::time::Duration;

use time::OffsetDateTime;
use tracing::{error, info, warn};

use crate::app::App;
use crate::domain::{
    AppointmentId, Business, CallSid, CallStart, CallStatus, Direction, Hears, PhoneNumber,
    PlacedBy, Placement, PlacementId, PlacementState, Purpose, Requester, MAX_SAY_CHARS,
};
use crate::http::routes::Route;
use crate::http::InboundRequest;
use crate::store::StoreError;
use calls_api::{Account, CallsApiError, NewCall, DETECT_MESSAGE_END, RETRY};

/// How long Twilio lets the dialled phone ring.
pub const RING_SECONDS: u32 = 30;

/// What the callee should hear, as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Script {
    /// This text, spoken in the business's language.
    Say(String),
    /// Click-to-call: the business's owner first, then the customer.
    Bridge,
    /// `appointment`'s reminder: the appointment said, then 1 to confirm or 2 to cancel.
    Reminder { appointment: AppointmentId },
}

/// A call to place.
#[derive(Clone, Debug)]
pub struct DialRequest {
    pub to: PhoneNumber,
    pub purpose: Purpose,
    pub script: Script,
    pub requested_by: Requester,
    /// What makes a retry safe (`api:{Idempotency-Key}`, `reminder:{appointment}:{slot}`);
    /// `None`: a fresh key, the request is then simply not safe to retry.
    pub request_key: Option<String>,
    /// The longest to wait for a free second ([`pacing`]).
    pub max_wait: Duration,
}

/// Where the callback URLs point: the deployment as this request reached it, or
/// `PUBLIC_BASE_URL` (for a call no request led to: the CLI, a consumer).
#[derive(Clone, Copy, Debug)]
pub enum Origin<'a> {
    Request(&'a InboundRequest),
    Configured,
}

impl Origin<'_> {
    /// The absolute URL of `path` on this deployment.
    fn url(self, app: &App, path: &str) -> Option<String> {
        let base = app.config().public_base_url.as_ref();
        match self {
            Origin::Request(request) => Some(request.public_url_of(base, path)),
            Origin::Configured => base.map(|base| base.join(path)),
        }
    }
}

/// The call was placed (or had been, for a retried key).
#[derive(Clone, Debug)]
pub struct Dialled {
    pub placement: Placement,
    pub call_sid: CallSid,
    pub status: CallStatus,
    /// A retry answered with the first placement's call.
    pub replayed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DialError {
    /// The request cannot be placed as it is (400).
    #[error("{0}")]
    Invalid(String),
    #[error("the business has no Twilio number to call from")]
    NoNumber,
    #[error("the business has no owner_phone to bridge the call to (frontdesk business update --owner-phone)")]
    NoOwnerPhone,
    #[error("this deployment cannot place calls: {0}")]
    NotConfigured(String),
    #[error("this Idempotency-Key was already used for a different call")]
    KeyReused,
    #[error("the call for this Idempotency-Key is being placed, or Twilio never said whether it was; see GET /api/calls")]
    Pending,
    #[error(transparent)]
    Busy(#[from] pacing::Busy),
    #[error(transparent)]
    Twilio(#[from] CallsApiError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Places `request` for `business`. See the module documentation for what a retry gets.
pub async fn place(
    app: &App,
    business: &Business,
    origin: Origin<'_>,
    request: DialRequest,
) -> Result<Dialled, DialError> {
    let placement = placement(business, &request)?;
    let account = account(app)?;
    let new_call = new_call(app, origin, business, &placement)?;
    if let Some(existing) = app.store().claim_placement(&placement).await? {
        return replay(existing, &placement);
    }
    let id = placement.id.clone();
    if let Err(busy) = pacing::wait_turn(app, &account.sid, request.max_wait).await {
        release(app, &id).await;
        return Err(busy.into());
    }
    match calls_api::create(&account, &new_call, RETRY).await {
        Ok(created) => {
            tracing::Span::current().record("call_sid", created.sid.as_str());
            let placed = Placement {
                state: PlacementState::Placed {
                    call_sid: created.sid.clone(),
                    status: created.status,
                },
                ..placement
            };
            keep(app, &placed, &created.sid, created.status).await;
            info!(call_sid = %created.sid, placement = %id, purpose = placed.purpose.as_str(), "outbound call placed");
            Ok(Dialled {
                placement: placed,
                call_sid: created.sid,
                status: created.status,
                replayed: false,
            })
        }
        Err(CallsApiError::Refused {
            status,
            code,
            message,
        }) => {
            let refused = Placement {
                state: PlacementState::Refused {
                    http_status: status,
                    code: code.clone(),
                    message: message.clone(),
                },
                ..placement
            };
            if let Err(err) = app.store().save_placement(&refused).await {
                warn!(placement = %id, error = %err, "refusal not kept; a retry asks Twilio again");
                release(app, &id).await;
            }
            warn!(placement = %id, status, code = code.as_deref().unwrap_or_default(), "Twilio refused the call");
            Err(CallsApiError::Refused {
                status,
                code,
                message,
            }
            .into())
        }
        Err(unavailable @ CallsApiError::Unavailable { .. }) => {
            release(app, &id).await;
            warn!(placement = %id, error = %unavailable, "call not placed");
            Err(unavailable.into())
        }
        Err(unknown @ CallsApiError::Unknown { .. }) => {
            // The call may exist: the placement stays pending, so a retry never places twice.
            error!(metric = "outbound_call_unknown", placement = %id, error = %unknown, "outcome of the call unknown");
            Err(unknown.into())
        }
    }
}

/// The placement `request` asks for, checked against the business.
fn placement(business: &Business, request: &DialRequest) -> Result<Placement, DialError> {
    let from = business
        .phone_numbers
        .first()
        .cloned()
        .ok_or(DialError::NoNumber)?;
    if business.phone_numbers.contains(&request.to) {
        return Err(DialError::Invalid(format!(
            "`to` {} is the business's own number",
            request.to
        )));
    }
    let hears = match &request.script {
        Script::Say(text) => {
            let text = text.trim();
            if text.is_empty() {
                return Err(DialError::Invalid("`say` is empty".into()));
            }
            if text.chars().count() > MAX_SAY_CHARS {
                return Err(DialError::Invalid(format!(
                    "`say` is over {MAX_SAY_CHARS} characters"
                )));
            }
            Hears::Say {
                text: text.to_string(),
                language: business.language.clone(),
            }
        }
        Script::Bridge => {
            let owner = business
                .owner_phone
                .clone()
                .ok_or(DialError::NoOwnerPhone)?;
            if owner == request.to {
                return Err(DialError::Invalid(
                    "`to` is the owner's own phone: a bridge would call the owner twice".into(),
                ));
            }
            Hears::Bridge { owner }
        }
        Script::Reminder { appointment } => Hears::Reminder {
            language: business.language.clone(),
            appointment: appointment.clone(),
        },
    };
    let key = request
        .request_key
        .clone()
        .unwrap_or_else(|| format!("fresh:{}", uuid::Uuid::new_v4().simple()));
    Ok(Placement {
        id: PlacementId::derive(&business.id, &key),
        business_id: business.id.clone(),
        to: request.to.clone(),
        from,
        hears,
        purpose: request.purpose.clone(),
        requested_by: request.requested_by.clone(),
        created_at: OffsetDateTime::now_utc(),
        state: PlacementState::Pending,
    })
}

fn account(app: &App) -> Result<Account, DialError> {
    let twilio = &app.config().twilio;
    let (sid, auth_token) = twilio.credentials().ok_or_else(|| {
        DialError::NotConfigured("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required".into())
    })?;
    Ok(Account {
        base_url: twilio.api_base_url.clone(),
        sid: sid.to_string(),
        auth_token: auth_token.clone(),
    })
}

/// The Calls API request for `placement`: absolute callback URLs, recording when the business
/// transcribes its calls, answering-machine detection when the message should be left.
fn new_call(
    app: &App,
    origin: Origin<'_>,
    business: &Business,
    placement: &Placement,
) -> Result<NewCall, DialError> {
    let url = |route: Route| {
        origin.url(app, route.path()).ok_or_else(|| {
            DialError::NotConfigured("PUBLIC_BASE_URL is required to place a call".into())
        })
    };
    let leaves_message = matches!(placement.hears, Hears::Say { .. } | Hears::Reminder { .. })
        && placement.purpose.leaves_a_message();
    Ok(NewCall {
        to: placement.dialled().as_str().to_string(),
        from: placement.from.as_str().to_string(),
        url: format!("{}?placement={}", url(Route::OutboundCall)?, placement.id),
        status_callback: url(Route::CallStatus)?,
        timeout: RING_SECONDS,
        recording_status_callback: business
            .transcription_enabled
            .then(|| url(Route::RecordingStatus))
            .transpose()?,
        machine_detection: leaves_message.then_some(DETECT_MESSAGE_END),
    })
}

/// A retried request: the first one's call, refusal, or "still pending".
fn replay(existing: Placement, asked: &Placement) -> Result<Dialled, DialError> {
    if !existing.same_request(asked) {
        return Err(DialError::KeyReused);
    }
    match existing.state.clone() {
        PlacementState::Placed { call_sid, status } => Ok(Dialled {
            placement: existing,
            call_sid,
            status,
            replayed: true,
        }),
        PlacementState::Refused {
            http_status,
            code,
            message,
        } => Err(CallsApiError::Refused {
            status: http_status,
            code,
            message,
        }
        .into()),
        PlacementState::Pending => Err(DialError::Pending),
    }
}

/// The call's start as Frontdesk placed it.
pub fn call_start(placement: &Placement, sid: &CallSid, status: CallStatus) -> CallStart {
    CallStart {
        sid: sid.clone(),
        business_id: placement.business_id.clone(),
        from: placement.from.as_str().to_string(),
        to: placement.to.as_str().to_string(),
        direction: Direction::OutboundApi,
        caller_name: None,
        status,
        started_at: placement.created_at,
        placed: Some(PlacedBy {
            purpose: placement.purpose.as_str().to_string(),
            requested_by: placement.requested_by.as_str().to_string(),
        }),
    }
}

/// Stores the placed call under its CallSid, then settles the placement. Twilio already has
/// the call, so a store failure is logged, not returned: the status callbacks still record it.
async fn keep(app: &App, placed: &Placement, sid: &CallSid, status: CallStatus) {
    let store = app.store();
    if let Err(err) = store
        .record_call_start(&call_start(placed, sid, status))
        .await
    {
        error!(metric = "outbound_call_unstored", call_sid = %sid, error = %err, "placed call not stored");
    }
    if let Err(err) = store.save_placement(placed).await {
        error!(metric = "outbound_call_unstored", call_sid = %sid, error = %err, "placement not settled");
    }
}

/// A placement still `pending` when Twilio asks what its callee hears (the placing process
/// died before storing the call): the call is stored and the placement settled now.
pub async fn settle_late(app: &App, placement: &Placement, sid: &CallSid) -> Placement {
    if placement.state != PlacementState::Pending {
        return placement.clone();
    }
    let placed = Placement {
        state: PlacementState::Placed {
            call_sid: sid.clone(),
            status: CallStatus::InProgress,
        },
        ..placement.clone()
    };
    keep(app, &placed, sid, CallStatus::InProgress).await;
    info!(placement = %placement.id, "pending placement settled by its call");
    placed
}

async fn release(app: &App, id: &PlacementId) {
    if let Err(err) = app.store().release_placement(id).await {
        warn!(placement = %id, error = %err, "placement not released; a retry will report it pending");
    }
}

#[cfg(test)]
mod tests;
