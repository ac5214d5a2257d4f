//! What follows a booking: for a business with a Google Calendar, that its key is stored and
//! usable (Google issues a token) and the calendar is shared with the service account; and for
//! any business, the follow-ups of the last 7 days that failed (a confirmation refused or
//! failed since, a calendar sync that gave up), each FAIL with its fix.

use frontdesk::api::follow_ups::{confirmation_failed, confirmation_status};
use frontdesk::domain::{
    AppointmentId, Business, CallGoal, FollowUpState, FollowUps, GoogleCalendar,
};
use frontdesk::google::{GoogleError, ServiceAccountKey};
use jiff::{SignedDuration, Timestamp};

use super::report::{fail, pass, warn, Check};
use super::Doctor;
use crate::calendar::sharing_fix;
use crate::CliError;

/// How far back failures are looked for.
const LOOK_BACK: SignedDuration = SignedDuration::from_hours(7 * 24);
/// Failures named in a check's detail; the rest are counted.
const NAMED: usize = 3;

impl Doctor<'_> {
    pub(super) async fn follow_ups(&self, business: &Business) -> Result<Vec<Check>, CliError> {
        let mut checks = Vec::new();
        if let Some(calendar) = &business.google_calendar {
            checks.extend(self.calendar(business, calendar).await?);
        }
        let since = Timestamp::from_second(self.now.unix_timestamp())? - LOOK_BACK;
        let recent = self
            .deployment
            .store
            .recent_follow_ups(&business.id, since)
            .await?;
        let books_by_phone = business.call_goal == CallGoal::Appointment;
        if books_by_phone || recent.iter().any(|(_, f)| f.confirmation.is_some()) {
            checks.push(self.confirmations(business, &recent).await?);
        }
        if business.google_calendar.is_some() || recent.iter().any(|(_, f)| f.calendar.is_some()) {
            checks.push(calendar_syncs(business, &recent));
        }
        Ok(checks)
    }

    /// The key, a token for it, and the calendar seen through it.
    async fn calendar(
        &self,
        business: &Business,
        calendar: &GoogleCalendar,
    ) -> Result<Vec<Check>, CliError> {
        let connect = format!(
            "frontdesk calendar connect {} --service-account KEY.json --calendar-id {}",
            business.id, calendar.calendar_id
        );
        let Some(stored) = self.deployment.store.calendar_key(&business.id).await? else {
            return Ok(vec![fail(
                "calendar key",
                "no service account key stored: the calendar is neither read nor written",
                connect,
            )]);
        };
        let key = match ServiceAccountKey::parse(stored.expose()) {
            Ok(key) => key,
            Err(err) => return Ok(vec![fail("calendar key", err.to_string(), connect)]),
        };
        let mut checks = vec![pass(
            "calendar key",
            format!(
                "{} (key id {})",
                key.client_email,
                key.private_key_id.as_deref().unwrap_or("not given")
            ),
        )];
        let app = self.deployment.app()?;
        let google = app.google();
        let api = match google.calendar(&key, &calendar.calendar_id).await {
            Ok(api) => {
                checks.push(pass(
                    "calendar token",
                    format!("issued at {}", google.token_endpoint(&key)),
                ));
                api
            }
            Err(err) => {
                let fix = match &err {
                    GoogleError::TokenRefused { .. } => format!(
                        "the key was deleted or disabled: create a new key for {} (Google Cloud → IAM → Service accounts → Keys → Add key), then {connect}",
                        key.client_email
                    ),
                    _ => format!(
                        "Google's token endpoint ({}) must be reachable from here and from the functions",
                        google.token_endpoint(&key)
                    ),
                };
                checks.push(fail("calendar token", err.to_string(), fix));
                return Ok(checks);
            }
        };
        let now = Timestamp::now();
        let seen = match api.get().await {
            Ok(found) => api
                .free_busy(now, now + SignedDuration::from_hours(24))
                .await
                .map(|_| found),
            Err(err) => Err(err),
        };
        checks.push(match seen {
            Ok(found) => pass(
                "calendar shared",
                format!(
                    "{} ({}) read through {}: free/busy and events",
                    calendar.calendar_id,
                    found["summary"].as_str().unwrap_or("no name"),
                    calendar.service_account
                ),
            ),
            Err(err) if err.is_not_shared() => fail(
                "calendar shared",
                format!(
                    "{} cannot see {}",
                    calendar.service_account, calendar.calendar_id
                ),
                sharing_fix(calendar, &err),
            ),
            Err(err) => fail(
                "calendar shared",
                err.to_string(),
                format!("frontdesk calendar show {}", business.id),
            ),
        });
        Ok(checks)
    }

    /// Confirmations of the last week that did not reach the customer.
    async fn confirmations(
        &self,
        business: &Business,
        recent: &[(AppointmentId, FollowUps)],
    ) -> Result<Check, CliError> {
        const CHECK: &str = "confirmations";
        let mut sent = 0;
        let mut failed = Vec::new();
        for (id, follow_ups) in recent {
            let Some(confirmation) = &follow_ups.confirmation else {
                continue;
            };
            let message = match &confirmation.message_id {
                Some(message_id) => self.deployment.store.message(message_id).await?,
                None => None,
            };
            if confirmation_failed(confirmation, message.as_ref()) {
                let (_, code, error) = confirmation_status(confirmation, message.as_ref());
                let code = code.map(|c| format!(" code {c}")).unwrap_or_default();
                let error = error.unwrap_or_else(|| "failed".into());
                failed.push(format!(
                    "{id} ({}{code}): {error}",
                    confirmation.channel.as_str()
                ));
            } else {
                sent += 1;
            }
        }
        let how = crate::confirmation::describe(business);
        if failed.is_empty() {
            return Ok(pass(
                CHECK,
                format!("{sent} sent in the last 7 days, none failed; by {how}"),
            ));
        }
        let count = failed.len();
        failed.truncate(NAMED);
        let more = count.saturating_sub(NAMED);
        Ok(fail(
            CHECK,
            format!(
                "{count} of {} in the last 7 days failed (the bookings stand): {}{}",
                count + sent,
                failed.join("; "),
                if more > 0 { format!("; {more} more") } else { String::new() }
            ),
            format!(
                "a template refusal (Twilio 63016, Meta 131047): check the template is approved for WhatsApp, or confirm by SMS: frontdesk confirmation set {} --sms; each appointment's confirmation: frontdesk appointments list {} --json",
                business.id, business.id
            ),
        ))
    }
}

/// Calendar syncs of the last week that gave up or are still retrying.
fn calendar_syncs(business: &Business, recent: &[(AppointmentId, FollowUps)]) -> Check {
    const CHECK: &str = "calendar sync";
    let syncs: Vec<_> = recent
        .iter()
        .filter_map(|(id, f)| f.calendar.as_ref().map(|c| (id, c)))
        .collect();
    let of_state = |state| syncs.iter().filter(move |(_, c)| c.state == state);
    let failed: Vec<String> = of_state(FollowUpState::Failed)
        .map(|(id, c)| {
            format!(
                "{id} ({} v{}): {}",
                c.action.as_str(),
                c.version,
                c.error.as_deref().unwrap_or("failed")
            )
        })
        .collect();
    let retrying = of_state(FollowUpState::Retrying).count();
    let done = of_state(FollowUpState::Done).count();
    if !failed.is_empty() {
        let count = failed.len();
        return fail(
            CHECK,
            format!(
                "{count} gave up in the last 7 days (each job is in the dead-letter queue or was refused): {}",
                failed.into_iter().take(NAMED).collect::<Vec<_>>().join("; ")
            ),
            format!(
                "fix the calendar checks above; an appointment's next change syncs it again (frontdesk appointments list {} --json shows each one's calendar state)",
                business.id
            ),
        );
    }
    if retrying > 0 {
        return warn(
            CHECK,
            format!("{retrying} retrying (Google unreachable or refusing for now), {done} in step"),
            format!("frontdesk appointments list {} --json", business.id),
        );
    }
    pass(
        CHECK,
        format!("{done} changes written in the last 7 days, none failed"),
    )
}
