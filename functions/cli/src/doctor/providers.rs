//! The providers' side of a business: its numbers' URLs at Twilio, and Meta's settings.

use frontdesk::domain::Business;

use super::report::{fail, pass, warn, Check};
use super::Doctor;
use crate::twilio_rest::NumberUrls;

impl Doctor<'_> {
    pub(super) async fn twilio_numbers(&self, business: &Business) -> Vec<Check> {
        const CHECK: &str = "Twilio numbers";
        let Some(twilio) = &self.twilio else {
            return vec![warn(
                CHECK,
                "not checked: no Twilio credentials",
                "set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (read only) to compare each number's URLs with this deployment's",
            )];
        };
        let wanted = NumberUrls::for_stack(&self.deployment.base_url);
        let configure = format!("frontdesk twilio configure {} --yes", business.id);
        let mut checks = Vec::new();
        for number in &business.phone_numbers {
            checks.push(match twilio.find_number(number).await {
                Ok(None) => fail(
                    CHECK,
                    format!("{number} is not a number of this Twilio account"),
                    "buy or port the number into the account, or fix the business's numbers",
                ),
                Ok(Some(found)) => {
                    let differences = wanted.differences(&found);
                    if differences.is_empty() {
                        pass(
                            CHECK,
                            format!(
                                "{number}: voice, status callback and messaging URLs point here"
                            ),
                        )
                    } else {
                        let detail: Vec<String> = differences
                            .iter()
                            .map(|d| {
                                format!(
                                    "{} is {} (want {})",
                                    d.field,
                                    d.current.as_deref().unwrap_or("unset"),
                                    d.wanted
                                )
                            })
                            .collect();
                        fail(
                            CHECK,
                            format!("{number}: {}", detail.join("; ")),
                            configure.clone(),
                        )
                    }
                }
                Err(err) => fail(
                    CHECK,
                    format!("{number}: {err}"),
                    "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
                ),
            });
        }
        checks
    }

    /// Outbound calls go out from the business's first number: Twilio refuses any caller ID
    /// that is not one of the account's numbers (21210).
    pub(super) async fn caller_id(&self, business: &Business) -> Check {
        const CHECK: &str = "outbound caller ID";
        let Some(number) = business.phone_numbers.first() else {
            return warn(
                CHECK,
                "no number: outbound calls are refused (409)",
                format!("frontdesk business update {} --number +…", business.id),
            );
        };
        let bridge = match &business.owner_phone {
            Some(owner) => format!("click-to-call rings the owner at {owner}"),
            None => "no owner phone, so click-to-call is refused".to_string(),
        };
        let Some(twilio) = &self.twilio else {
            return warn(
                CHECK,
                format!("{number} not checked: no Twilio credentials; {bridge}"),
                "set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to check the caller ID",
            );
        };
        match twilio.find_number(number).await {
            Ok(Some(_)) => pass(
                CHECK,
                format!("{number}, a number of account {}; {bridge}", twilio.account_sid()),
            ),
            Ok(None) => fail(
                CHECK,
                format!("{number} is not a number of account {}: Twilio refuses every outbound call from it (21210)", twilio.account_sid()),
                "put a number of this account first in the business's numbers",
            ),
            Err(err) => fail(
                CHECK,
                format!("{number}: {err}"),
                "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
            ),
        }
    }

    pub(super) fn meta(&self, business: &Business) -> Option<Check> {
        let is_meta = business.meta_phone_number_id.is_some()
            || business.whatsapp_provider == frontdesk::domain::message::Provider::Meta;
        if !is_meta {
            return None;
        }
        let settings = &self.deployment.settings;
        let missing: Vec<&str> = [
            (settings.meta_app_secret, "META_APP_SECRET"),
            (settings.meta_verify_token, "META_VERIFY_TOKEN"),
        ]
        .into_iter()
        .filter(|(set, _)| !set)
        .map(|(_, name)| name)
        .collect();
        Some(if missing.is_empty() {
            pass("Meta WhatsApp", "app secret and verify token set")
        } else {
            fail(
                "Meta WhatsApp",
                format!("{} not set in {}: Meta's webhooks are refused", missing.join(" and "), settings.source),
                "set them (the secret's meta_app_secret and meta_verify_token) to the Meta app's values",
            )
        })
    }
}
