//! Reminders: that the business's reminder channel can be sent (a WhatsApp template for its
//! provider, else a WARN: reminders go as SMS; a number to send from), and what the reminders
//! of the last week and the next days did: any failed is a FAIL with its code, any still
//! pending well after its due time a FAIL (the reconciler is not running).

use frontdesk::domain::{Business, ReminderChannel, ReminderState};
use frontdesk::store::AppointmentQuery;
use jiff::{SignedDuration, Timestamp};

use super::report::{fail, pass, warn, Check};
use super::Doctor;
use crate::CliError;

/// How far back reminders are looked at.
const LOOK_BACK: SignedDuration = SignedDuration::from_hours(7 * 24);
/// A pending reminder this late means no tick has run.
const OVERDUE: SignedDuration = SignedDuration::from_mins(5);

impl Doctor<'_> {
    pub(super) async fn reminders(&self, business: &Business) -> Result<Vec<Check>, CliError> {
        let Some(settings) = &business.reminders else {
            return Ok(Vec::new());
        };
        let set = format!(
            "frontdesk reminders set {} --file reminders.json",
            business.id
        );
        let mut checks = Vec::new();
        let template = settings
            .template
            .as_ref()
            .filter(|t| t.provider() == business.whatsapp_provider);
        checks.push(
            match (business.phone_numbers.first(), settings.channel, template) {
                (_, ReminderChannel::Whatsapp, Some(t)) => {
                    pass("reminder channel", format!("WhatsApp: {t}"))
                }
                (None, _, _) => fail(
                    "reminder channel",
                    "no number to send reminders from",
                    format!("frontdesk business update {} --number +E164", business.id),
                ),
                (Some(number), ReminderChannel::Whatsapp, None) => warn(
                    "reminder channel",
                    format!(
                    "no WhatsApp template for its provider ({}): reminders go as SMS from {number}",
                    business.whatsapp_provider.as_str()
                ),
                    format!("add \"template\" to the settings and run {set}"),
                ),
                (Some(number), ReminderChannel::Sms, _) => {
                    pass("reminder channel", format!("SMS from {number}"))
                }
                (Some(number), ReminderChannel::Voice, _) => pass(
                    "reminder channel",
                    format!("a call from {number}: 1 confirms, 2 cancels"),
                ),
            },
        );

        let now = Timestamp::from_second(self.now.unix_timestamp())?;
        let query = AppointmentQuery {
            from: now - LOOK_BACK,
            to: now + SignedDuration::from_hours(24 * 8),
            status: None,
            after: None,
            limit: frontdesk::store::MAX_APPOINTMENT_PAGE,
        };
        let page = self
            .deployment
            .store
            .list_appointments(&business.id, &query)
            .await?;
        let ids: Vec<_> = page.appointments.iter().map(|a| a.id.clone()).collect();
        let all: Vec<_> = self
            .deployment
            .store
            .reminders_of(&ids)
            .await?
            .into_values()
            .flatten()
            .collect();
        let failed: Vec<_> = all
            .iter()
            .filter(|r| r.state == ReminderState::Failed)
            .collect();
        let overdue = all
            .iter()
            .filter(|r| r.state == ReminderState::Pending && r.due + OVERDUE < now)
            .count();
        let sent = all
            .iter()
            .filter(|r| r.state == ReminderState::Sent)
            .count();
        let pending = all
            .iter()
            .filter(|r| r.state == ReminderState::Pending)
            .count();
        checks.push(if !failed.is_empty() {
            let named: Vec<String> = failed
                .iter()
                .take(3)
                .map(|r| {
                    let code = r.outcome.as_ref().and_then(|o| o.error_code.clone()).unwrap_or_default();
                    format!("{} ({} min before; {code})", r.appointment_id, r.offset_minutes)
                })
                .collect();
            fail(
                "reminders",
                format!("{} failed in the last week: {}", failed.len(), named.join(", ")),
                format!("see frontdesk reminders list {}: a template Twilio or Meta refuses (63016, 131047) needs approving, an SMS refused (21610) means the customer opted out", business.id),
            )
        } else if overdue > 0 {
            fail(
                "reminders",
                format!("{overdue} still pending more than 5 minutes after their due time"),
                "the reconciler queues them every minute: check it runs (frontdesk serve, or the stack's reconciler function and its schedule)",
            )
        } else {
            pass("reminders", format!("{sent} sent in the last week, {pending} pending"))
        });
        Ok(checks)
    }
}
