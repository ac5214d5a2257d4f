//! The business's Google Calendar as the booking engine sees it: busy times that no slot may
//! take, from `freeBusy`, reused for a short while per business. A calendar that is slow, down
//! or refusing never stops a booking: after [`GoogleSettings::busy_timeout`] availability is
//! answered from Frontdesk's own appointments alone, and a log line says so
//! (`metric=calendar_busy_unavailable`).
//!
//! [`GoogleSettings::busy_timeout`]: crate::config::GoogleSettings

use jiff::{SignedDuration, Timestamp};
use tracing::warn;

use crate::app::App;
use crate::domain::booking::engine::Busy;
use crate::domain::{Business, GoogleCalendar};
use crate::google::{GoogleError, ServiceAccountKey};

/// How far past the window a fetch reaches, so the cached answer still covers the windows of
/// the next requests (each one ends a little later).
const FETCH_AHEAD: SignedDuration = SignedDuration::from_hours(24);

/// The calendar's busy times in `[from, to)`, each repeated `capacity` times: the engine
/// counts blocks per 5-minute cell against capacity, and the owner's own commitment leaves no
/// seat free. Empty without a calendar, or when it cannot say in time.
pub async fn busy(
    app: &App,
    business: &Business,
    from: Timestamp,
    to: Timestamp,
    capacity: u32,
) -> Vec<Busy> {
    let Some(calendar) = &business.google_calendar else {
        return Vec::new();
    };
    let google = app.google();
    let known = match google.cached_busy(business.id.as_str(), &calendar.calendar_id, from, to) {
        Some(cached) => cached,
        None => {
            let until = to.saturating_add(FETCH_AHEAD).unwrap_or(to);
            let fetched = tokio::time::timeout(
                google.settings().busy_timeout,
                fetch(app, business, calendar, from, until),
            )
            .await
            .unwrap_or_else(|_| Err(GoogleError::Unreachable("timed out".into())))
            .map_err(|e| e.to_string());
            if let Err(reason) = &fetched {
                warn!(
                    metric = "calendar_busy_unavailable",
                    business = %business.id,
                    reason,
                    "the calendar's busy times are not known: free slots come from the appointments alone"
                );
            }
            google.keep_busy(
                business.id.as_str(),
                &calendar.calendar_id,
                from,
                until,
                fetched.clone(),
            );
            fetched
        }
    };
    let copies = usize::try_from(capacity.max(1)).unwrap_or(1);
    known
        .unwrap_or_default()
        .into_iter()
        .flat_map(|block| std::iter::repeat_n(block, copies))
        .collect()
}

/// The business's stored key, parsed.
pub async fn key(app: &App, business: &Business) -> Result<ServiceAccountKey, GoogleError> {
    let stored = app
        .store()
        .calendar_key(&business.id)
        .await
        .map_err(|e| GoogleError::Unreachable(e.to_string()))?
        .ok_or_else(|| {
            GoogleError::Key(format!(
                "no service account key stored: frontdesk calendar connect {} --service-account KEY.json --calendar-id ID",
                business.id
            ))
        })?;
    ServiceAccountKey::parse(stored.expose())
}

async fn fetch(
    app: &App,
    business: &Business,
    calendar: &GoogleCalendar,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Busy>, GoogleError> {
    let key = key(app, business).await?;
    let google = app.google();
    let api = google.calendar(&key, &calendar.calendar_id).await?;
    let busy = api.free_busy(from, to).await;
    if busy.as_ref().is_err_and(GoogleError::is_unauthorized) {
        google.forget_token(&key);
    }
    busy
}
