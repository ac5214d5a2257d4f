//! Where a business's call events go, whether they can be signed, and (with `--ping`) whether
//! the receivers accept a signed event.

use frontdesk::domain::{Business, Direction};
use frontdesk::worker::notify;

use super::report::{fail, pass, Check};
use super::Doctor;
use crate::business::{is_loopback_http, webhook_url_problem};
use crate::CliError;

impl Doctor<'_> {
    pub(super) async fn webhooks(&self, business: &Business) -> Result<Vec<Check>, CliError> {
        let mut checks = Vec::new();
        let fix = format!(
            "frontdesk business update {} --webhook-url https://… (or --inbound-webhook-url / --outbound-webhook-url)",
            business.id
        );
        let inbound = notify::route(business, Direction::Inbound);
        let outbound = notify::route(business, Direction::OutboundApi);
        let describe = |route: &Result<notify::Destination, String>| match route {
            Ok(d) => format!("{} ({})", d.url, d.why),
            Err(why) => why.clone(),
        };
        let detail = format!(
            "inbound calls → {}; outbound calls → {}",
            describe(&inbound),
            describe(&outbound)
        );
        let mut destinations: Vec<String> = [&inbound, &outbound]
            .into_iter()
            .filter_map(|r| r.as_ref().ok().map(|d| d.url.clone()))
            .collect();
        destinations.dedup();
        checks.push(match (&inbound, &outbound) {
            (Ok(_), Ok(_)) => match destinations.iter().find_map(|url| self.url_problem(url)) {
                Some(problem) => fail("webhook URLs", problem, fix),
                None => pass("webhook URLs", detail),
            },
            _ => fail(
                "webhook URLs",
                format!("call.completed is dropped: {detail}"),
                fix,
            ),
        });
        if destinations.is_empty() {
            return Ok(checks);
        }
        let secret = self.deployment.store.webhook_secret(&business.id).await?;
        let Some(secret) = secret else {
            checks.push(fail(
                "webhook secret",
                "no signing secret: events are not sent until there is one",
                format!("frontdesk business webhook-secret {}", business.id),
            ));
            return Ok(checks);
        };
        checks.push(pass(
            "webhook secret",
            "set (events carry webhook-signature)",
        ));
        if self.ping {
            for url in destinations {
                checks.push(self.ping(business, &url, &secret).await);
            }
        }
        Ok(checks)
    }

    fn url_problem(&self, url: &str) -> Option<String> {
        if let Some(problem) = webhook_url_problem(url) {
            return Some(problem);
        }
        (self.on_aws() && is_loopback_http(url))
            .then(|| format!("`{url}` is this machine: a deployed stack cannot reach it"))
    }

    /// A signed `frontdesk.ping`, exactly as real events are signed.
    async fn ping(
        &self,
        business: &Business,
        url: &str,
        secret: &frontdesk::config::Secret,
    ) -> Check {
        const CHECK: &str = "webhook ping";
        let event_id = format!("evt_ping_{}", uuid::Uuid::new_v4().simple());
        let body = serde_json::json!({
            "type": "frontdesk.ping",
            "timestamp": frontdesk::domain::time::format_time(self.now),
            "data": { "business_id": business.id.as_str() },
        });
        let request = match notify::signed_event(
            &self.http,
            url,
            secret,
            &event_id,
            self.now,
            body.to_string().into_bytes(),
        ) {
            Ok(request) => request,
            Err(err) => {
                return fail(
                    CHECK,
                    err.to_string(),
                    format!("frontdesk business webhook-secret {}", business.id),
                )
            }
        };
        match request.send().await {
            Ok(response) if response.status().is_success() => {
                pass(CHECK, format!("{url} → {}", response.status()))
            }
            Ok(response) => fail(
                CHECK,
                format!("{url} → {}", response.status()),
                "the receiver must answer 2xx to a correctly signed event (check its secret)",
            ),
            Err(err) => fail(
                CHECK,
                format!("{url}: {}", frontdesk::worker::media::describe(err)),
                "the receiver must be reachable from the deployment",
            ),
        }
    }
}
