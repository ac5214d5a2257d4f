//! A business's own settings: its numbers, its voice mode and greeting, its call goal.

use frontdesk::domain::business::stream_wss_url;
use frontdesk::domain::{Business, CallGoal, VoiceMode};
use frontdesk::Route;

use super::report::{fail, pass, warn, Check};
use super::Doctor;
use crate::business::serde_label;
use crate::CliError;

impl Doctor<'_> {
    pub(super) async fn business_checks(
        &self,
        business: &Business,
    ) -> Result<Vec<Check>, CliError> {
        let mut checks = vec![self.numbers(business).await?, voice_mode(business)];
        checks.extend(self.greeting(business).await);
        checks.extend(self.webhooks(business).await?);
        checks.push(call_goal(business));
        checks.extend(self.booking(business).await?);
        checks.extend(self.follow_ups(business).await?);
        checks.extend(self.reminders(business).await?);
        checks.extend(self.alerts(business).await?);
        checks.push(self.transcription_setup(business));
        checks.extend(self.transcription_backlog(business).await?);
        checks.push(self.outbound_calls(business).await?);
        checks.extend(self.twilio_numbers(business).await);
        checks.push(self.caller_id(business).await);
        checks.extend(self.meta(business));
        Ok(checks)
    }

    async fn numbers(&self, business: &Business) -> Result<Check, CliError> {
        const CHECK: &str = "numbers";
        if business.phone_numbers.is_empty() {
            return Ok(fail(
                CHECK,
                "no phone number: no call or message reaches this business",
                format!("frontdesk business update {} --number +E164", business.id),
            ));
        }
        for number in &business.phone_numbers {
            let owner = self.deployment.store.business_by_number(number).await?;
            match owner {
                Some(owner) if owner.id == business.id => {}
                Some(owner) => {
                    return Ok(fail(
                        CHECK,
                        format!("{number} answers as business `{}`", owner.id),
                        format!("remove {number} from one of them (business update --number …)"),
                    ))
                }
                None => {
                    return Ok(fail(
                        CHECK,
                        format!(
                            "{number} is not in the number index: calls to it hear the default"
                        ),
                        format!(
                            "frontdesk business update {} --number {number}",
                            business.id
                        ),
                    ))
                }
            }
        }
        let numbers: Vec<&str> = business.phone_numbers.iter().map(|n| n.as_str()).collect();
        Ok(pass(
            CHECK,
            format!("{} (each held by this business only)", numbers.join(", ")),
        ))
    }

    async fn greeting(&self, business: &Business) -> Vec<Check> {
        let Some(key) = &business.greeting_key else {
            return vec![warn(
                "greeting",
                format!(
                    "no greeting MP3: callers hear the spoken fallback ({}): {}",
                    business.language, business.fallback_text
                ),
                format!("frontdesk greeting upload {} FILE.mp3", business.id),
            )];
        };
        let upload = format!("frontdesk greeting upload {} FILE.mp3", business.id);
        let meta = match self.deployment.greetings.head(key).await {
            Ok(Some(meta)) => meta,
            Ok(None) => {
                return vec![fail(
                    "greeting",
                    format!("{key} is missing: callers hear the spoken fallback"),
                    upload,
                )]
            }
            Err(err) => {
                return vec![fail(
                    "greeting",
                    err.to_string(),
                    "check the greetings bucket and its permissions",
                )]
            }
        };
        if meta.content_type != "audio/mpeg" {
            return vec![fail(
                "greeting",
                format!(
                    "{key} is {}, not audio/mpeg: Frontdesk will not play it",
                    meta.content_type
                ),
                upload,
            )];
        }
        let mut checks = vec![match &business.greeting_etag {
            Some(etag) if *etag != meta.etag => warn(
                "greeting",
                format!(
                    "{key} changed since it was uploaded (ETag {} → {})",
                    etag, meta.etag
                ),
                upload,
            ),
            _ => pass(
                "greeting",
                format!("{key}, audio/mpeg, {} bytes", meta.content_length),
            ),
        }];
        checks.push(self.greeting_url(business).await);
        checks
    }

    /// What Twilio's `<Play>` will do: HEAD the public URL.
    async fn greeting_url(&self, business: &Business) -> Check {
        const CHECK: &str = "greeting URL";
        let url = crate::greeting::public_url(self.deployment, &business.id);
        match self.http.head(&url).send().await {
            Ok(response) => {
                let content_type = response
                    .headers()
                    .get(http::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                if response.status() == reqwest::StatusCode::OK && content_type == "audio/mpeg" {
                    pass(CHECK, format!("HEAD {url} → 200 audio/mpeg"))
                } else {
                    fail(
                        CHECK,
                        format!("HEAD {url} → {} {content_type}", response.status()),
                        format!(
                            "check the greeting route of the deployment (GET {})",
                            Route::Greeting.path()
                        ),
                    )
                }
            }
            Err(err) => fail(
                CHECK,
                format!("HEAD {url}: {}", frontdesk::worker::media::describe(err)),
                "the public URL must reach the deployment: check --base-url / PUBLIC_BASE_URL",
            ),
        }
    }
}

fn voice_mode(business: &Business) -> Check {
    const CHECK: &str = "voice mode";
    match business.voice_mode {
        VoiceMode::Voicemail => pass(CHECK, "voicemail: greeting, then a recording"),
        VoiceMode::VerificationCode => pass(CHECK, "verification code: 6 digits, voicemail as fallback"),
        VoiceMode::Stream => match business.stream_url.as_deref().and_then(stream_wss_url) {
            Some(url) => pass(CHECK, format!("stream to {url}, voicemail after")),
            None => fail(
                CHECK,
                "stream mode without a usable stream URL: callers get voicemail",
                format!("frontdesk business update {} --stream-url wss://agent.example.com/media-stream", business.id),
            ),
        },
    }
}

fn call_goal(business: &Business) -> Check {
    const CHECK: &str = "call goal";
    let detail = format!(
        "call_goal {}, calendar scheduling {}",
        serde_label(&business.call_goal),
        if business.enable_calendar_scheduling {
            "on"
        } else {
            "off"
        }
    );
    if business.call_goal == CallGoal::Appointment && !business.enable_calendar_scheduling {
        fail(
            CHECK,
            format!("{detail}: appointment calls cannot book"),
            format!(
                "frontdesk business update {} --calendar true (or --call-goal lead-only)",
                business.id
            ),
        )
    } else {
        pass(CHECK, detail)
    }
}
