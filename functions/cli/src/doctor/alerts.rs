//! Owner alerts: that each recipient's channel can send from this deployment (a number and
//! Twilio's account for SMS and WhatsApp, a mailer for email), that the summary endpoint is
//! there when summaries are on, what the latest alerts did (a failed one is a FAIL with its
//! error), and the screening rules with their hits.

use std::collections::BTreeMap;

use frontdesk::domain::{AlertState, Business, Recipient};
use frontdesk::store::RECENT_ALERTS;

use super::report::{fail, pass, warn, Check};
use super::Doctor;
use crate::CliError;

impl Doctor<'_> {
    pub(super) async fn alerts(&self, business: &Business) -> Result<Vec<Check>, CliError> {
        let Some(settings) = business.alerts.as_ref().filter(|s| !s.is_empty()) else {
            return Ok(Vec::new());
        };
        let fix_test = format!("fix it, then run frontdesk alerts test {}", business.id);
        let mut checks = Vec::new();
        let names: Vec<String> = settings
            .recipients
            .iter()
            .map(ToString::to_string)
            .collect();
        let texts = settings
            .recipients
            .iter()
            .any(|r| matches!(r, Recipient::Sms(_) | Recipient::Whatsapp(_)));
        let emails = settings
            .recipients
            .iter()
            .any(|r| matches!(r, Recipient::Email(_)));
        let settings_ = &self.deployment.settings;
        checks.push(if texts && business.phone_numbers.is_empty() {
            fail(
                "alert recipients",
                "no number to text or WhatsApp alerts from",
                format!("frontdesk business update {} --number +E164", business.id),
            )
        } else if texts && settings_.twilio.is_none() {
            fail(
                "alert recipients",
                "SMS and WhatsApp alerts need Twilio's account",
                "set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
            )
        } else if emails && settings_.alert_email_from.is_none() && !self.on_local() {
            fail(
                "alert recipients",
                "email alerts have no sender",
                "set the stack's AlertEmailFrom parameter (an SES-verified address)",
            )
        } else {
            pass(
                "alert recipients",
                format!(
                    "{}; email via {}",
                    names.join(", "),
                    self.deployment.mailer.describe()
                ),
            )
        });
        if settings.summaries && settings_.summary_api_base.is_none() {
            checks.push(warn(
                "alert summaries",
                "summaries are on but no summary endpoint is set: urgency comes from the rules",
                "set SUMMARY_API_BASE (the stack's SummaryApiBase parameter)",
            ));
        }

        let recent = self
            .deployment
            .store
            .recent_alerts(&business.id, RECENT_ALERTS)
            .await?;
        let failed: Vec<_> = recent
            .iter()
            .filter(|r| r.state == AlertState::Failed)
            .collect();
        let sent = recent
            .iter()
            .filter(|r| r.state == AlertState::Sent)
            .count();
        let waiting = recent
            .iter()
            .filter(|r| matches!(r.state, AlertState::Retrying | AlertState::Held))
            .count();
        checks.push(match failed.first() {
            Some(last) => fail(
                "alert deliveries",
                format!(
                    "{} of the last {} failed; latest: {} {} — {}",
                    failed.len(),
                    recent.len(),
                    last.kind.as_str(),
                    last.recipient,
                    last.attempts
                        .last()
                        .and_then(|a| a.error.clone())
                        .unwrap_or_else(|| "no attempt".into())
                ),
                fix_test,
            ),
            None => pass(
                "alert deliveries",
                format!("{sent} sent, {waiting} waiting (quiet hours or retrying)"),
            ),
        });

        let mut hits: BTreeMap<String, usize> = BTreeMap::new();
        for record in recent.iter().filter(|r| r.state == AlertState::Screened) {
            *hits
                .entry(record.note.clone().unwrap_or_default())
                .or_default() += 1;
        }
        let rules = format!(
            "lookup {}, screened line types [{}], extra urgent words [{}]",
            if settings.lookup { "on" } else { "off" },
            settings.screen_line_types.join(", "),
            settings.urgent_words.join(", ")
        );
        let hits = if hits.is_empty() {
            "no caller screened lately".to_string()
        } else {
            hits.iter()
                .map(|(rule, n)| format!("{rule} ×{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        checks.push(pass("screening", format!("{rules}; {hits}")));
        Ok(checks)
    }

    fn on_local(&self) -> bool {
        !self.on_aws()
    }
}
