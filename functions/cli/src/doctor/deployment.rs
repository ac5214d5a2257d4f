//! The deployment's own checks: it answers, it can verify Twilio, no job is dead-lettered or
//! left parked by a queue outage, and it has a business.

use frontdesk::domain::time::format_time;
use frontdesk::Route;

use super::report::{fail, pass, warn, Check};
use super::Doctor;
use crate::CliError;

/// A parked job older than this is not getting through.
const STALE_PARKED: time::Duration = time::Duration::minutes(15);

impl Doctor<'_> {
    pub(super) async fn deployment_checks(
        &self,
        no_businesses: bool,
    ) -> Result<Vec<Check>, CliError> {
        let settings = &self.deployment.settings;
        let mut checks = Vec::new();
        checks.push(self.health().await);
        checks.push(if settings.twilio_auth_token {
            pass("Twilio auth token", format!("set in {}", settings.source))
        } else {
            fail(
                "Twilio auth token",
                format!("not set in {}: every Twilio webhook answers 403", settings.source),
                "set TWILIO_AUTH_TOKEN (the stack's secret key twilio_auth_token) to the account's auth token",
            )
        });
        checks.push(match self.deployment.queues.counts().await {
            Ok(None) => warn(
                "dead letters",
                "not checked: the queues are not known",
                "name the stack (--stack) instead of its table",
            ),
            Ok(Some(counts)) => {
                let waiting: Vec<String> = counts
                    .iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(queue, n)| format!("{n} in {}", queue.as_str()))
                    .collect();
                if waiting.is_empty() {
                    pass("dead letters", "no job has used up its retries")
                } else {
                    fail(
                        "dead letters",
                        format!("jobs gave up after every retry: {}", waiting.join(", ")),
                        "read the transcribe/notify logs for why, fix it, then redrive the dead-letter queue",
                    )
                }
            }
            Err(err) => fail(
                "dead letters",
                format!("could not be read: {err}"),
                "check the AWS credentials' sqs:GetQueueAttributes permission",
            ),
        });
        checks.push(self.parked().await?);
        if no_businesses {
            checks.push(fail(
                "businesses",
                "none yet: every call hears the default voicemail",
                "frontdesk business create ID --name NAME --number +E164",
            ));
        }
        Ok(checks)
    }

    /// Jobs kept in the store while their queue was down: the reconciler sends them on its
    /// next pass, so only old ones mean it is not getting through.
    async fn parked(&self) -> Result<Check, CliError> {
        const CHECK: &str = "parked jobs";
        let parked = self.deployment.store.parked(1000).await?;
        let Some(oldest) = parked.first() else {
            return Ok(pass(CHECK, "none: the queues took every job"));
        };
        let waiting = format!(
            "{} job(s) kept while their queue was down, the oldest since {}",
            parked.len(),
            format_time(oldest.parked_at)
        );
        Ok(if oldest.parked_at < self.now - STALE_PARKED {
            fail(
                CHECK,
                waiting,
                "the reconciler sends them each minute: check its logs and the queues",
            )
        } else {
            warn(CHECK, waiting, "the reconciler sends them on its next pass")
        })
    }

    async fn health(&self) -> Check {
        let url = self.deployment.base_url.join(Route::Health.path());
        match self.http.get(&url).send().await {
            Ok(response) if response.status().is_success() => {
                pass("answers", format!("{url} → {}", response.status()))
            }
            Ok(response) => fail(
                "answers",
                format!("{url} → {}", response.status()),
                "check the deployment's logs (the health function)",
            ),
            Err(err) => fail(
                "answers",
                format!(
                    "{url} does not answer: {}",
                    frontdesk::worker::media::describe(err)
                ),
                "start `frontdesk serve` (or deploy the stack), or give the right --base-url",
            ),
        }
    }
}
