//! `frontdesk doctor [BUSINESS]`: why a number does not work. For the deployment and each
//! business, a table of checks, each PASS, WARN or FAIL with the fix, and a summary; the exit
//! code is 1 on any FAIL.

use std::io::Write;
use std::time::Duration;

use clap::Args;
use frontdesk::domain::business::stream_wss_url;
use frontdesk::domain::{Business, BusinessId, CallGoal, Direction, TranscriptionState, VoiceMode};
use frontdesk::store::CallQuery;
use frontdesk::worker::notify;
use serde::Serialize;
use time::OffsetDateTime;

use crate::business::{is_loopback_http, serde_label, webhook_url_problem};
use crate::deployment::{DeadLetters, Deployment};
use crate::twilio_rest::{NumberUrls, TwilioRest};
use crate::CliError;

#[derive(Args, Debug)]
pub struct DoctorArgs {
    /// Check only this business (default: every business).
    pub business: Option<String>,
    /// Also send each webhook URL a signed `frontdesk.ping` event and expect a 2xx.
    #[arg(long)]
    pub ping: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Pass,
    Warn,
    Fail,
}

impl Level {
    fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Warn => "WARN",
            Self::Fail => "FAIL",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub check: &'static str,
    pub level: Level,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

fn pass(check: &'static str, detail: impl Into<String>) -> Check {
    Check {
        check,
        level: Level::Pass,
        detail: detail.into(),
        fix: None,
    }
}

fn warn(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        check,
        level: Level::Warn,
        detail: detail.into(),
        fix: Some(fix.into()),
    }
}

fn fail(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        check,
        level: Level::Fail,
        detail: detail.into(),
        fix: Some(fix.into()),
    }
}

/// The checks of the deployment (`business: None`) or of one business.
#[derive(Clone, Debug, Serialize)]
pub struct Section {
    pub business: Option<String>,
    pub checks: Vec<Check>,
}

impl Section {
    pub fn worst(&self) -> Level {
        self.checks
            .iter()
            .map(|c| c.level)
            .max()
            .unwrap_or(Level::Pass)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub deployment: String,
    pub sections: Vec<Section>,
}

impl Report {
    pub fn count(&self, level: Level) -> usize {
        self.sections
            .iter()
            .flat_map(|s| &s.checks)
            .filter(|c| c.level == level)
            .count()
    }

    /// The check named `check` in the section of `business` (`None`: the deployment's).
    pub fn find(&self, business: Option<&str>, check: &str) -> Option<&Check> {
        self.sections
            .iter()
            .find(|s| s.business.as_deref() == business)?
            .checks
            .iter()
            .find(|c| c.check == check)
    }
}

/// How long a transcription may wait before it counts as stuck: the reconciler resends
/// pending jobs every few minutes, so a quarter of an hour means it is not getting through.
const STUCK_AFTER: time::Duration = time::Duration::minutes(15);
/// How far back failed transcriptions and outbound calls are looked for.
const LOOK_BACK: time::Duration = time::Duration::days(7);

/// Everything the checks reach out with.
pub struct Doctor<'a> {
    pub deployment: &'a Deployment,
    pub http: reqwest::Client,
    pub twilio: Option<TwilioRest>,
    pub ping: bool,
    pub now: OffsetDateTime,
}

impl<'a> Doctor<'a> {
    pub fn new(deployment: &'a Deployment, ping: bool) -> Result<Self, CliError> {
        Ok(Self {
            deployment,
            http: frontdesk::tls::https_client_builder()
                .timeout(Duration::from_secs(10))
                .build()?,
            twilio: deployment.settings.twilio.clone(),
            ping,
            now: OffsetDateTime::now_utc(),
        })
    }

    fn on_aws(&self) -> bool {
        !matches!(self.deployment.queues, DeadLetters::Embedded(_))
    }

    /// The report for one business, or for every business.
    pub async fn diagnose(&self, only: Option<&BusinessId>) -> Result<Report, CliError> {
        let businesses = match only {
            Some(id) => vec![crate::business::load(self.deployment, id).await?],
            None => self.deployment.store.list_businesses().await?,
        };
        let mut sections = vec![Section {
            business: None,
            checks: self.deployment_checks(businesses.is_empty()).await?,
        }];
        for business in &businesses {
            sections.push(Section {
                business: Some(business.id.to_string()),
                checks: self.business_checks(business).await?,
            });
        }
        Ok(Report {
            deployment: self.deployment.name.clone(),
            sections,
        })
    }

    async fn deployment_checks(&self, no_businesses: bool) -> Result<Vec<Check>, CliError> {
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
        if no_businesses {
            checks.push(fail(
                "businesses",
                "none yet: every call hears the default voicemail",
                "frontdesk business create ID --name NAME --number +E164",
            ));
        }
        Ok(checks)
    }

    async fn health(&self) -> Check {
        let url = self.deployment.base_url.join("/health");
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

    async fn business_checks(&self, business: &Business) -> Result<Vec<Check>, CliError> {
        let mut checks = vec![self.numbers(business).await?, voice_mode(business)];
        checks.extend(self.greeting(business).await);
        checks.extend(self.webhooks(business).await?);
        checks.push(call_goal(business));
        checks.push(self.transcription_setup(business));
        checks.extend(self.transcription_backlog(business).await?);
        checks.push(self.outbound_calls(business).await?);
        checks.extend(self.twilio_numbers(business).await);
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
                        "check the greeting route of the deployment (GET /greetings/{business}.mp3)",
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

    async fn webhooks(&self, business: &Business) -> Result<Vec<Check>, CliError> {
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

    fn transcription_setup(&self, business: &Business) -> Check {
        const CHECK: &str = "transcription";
        let settings = &self.deployment.settings;
        if !business.transcription_enabled {
            return pass(
                CHECK,
                "off for this business (calls carry the recording only)",
            );
        }
        match &settings.transcribe_api_base {
            None => fail(
                CHECK,
                format!("on, but no transcription server is set in {}: voicemails are never transcribed", settings.source),
                "set TRANSCRIBE_API_BASE (the stack's TranscribeApiBase parameter) and TRANSCRIBE_API_KEY, or --transcription false",
            ),
            Some(base) if !settings.transcribe_api_key => fail(
                CHECK,
                format!("on, server {base}, but no API key in {}", settings.source),
                "set TRANSCRIBE_API_KEY (the secret's transcription_api_key)",
            ),
            Some(base) => pass(CHECK, format!("on, through {base}")),
        }
    }

    async fn transcription_backlog(&self, business: &Business) -> Result<Vec<Check>, CliError> {
        let store = &self.deployment.store;
        let stuck: Vec<String> = store
            .transcription_backlog(self.now - STUCK_AFTER, 1000)
            .await?
            .into_iter()
            .filter(|call| call.business_id.as_ref() == Some(&business.id))
            .filter(|call| {
                let since = call
                    .transcription_queued_at
                    .or(call.ended_at)
                    .or(call.started_at);
                since.is_some_and(|at| at < self.now - STUCK_AFTER)
            })
            .map(|call| call.sid.to_string())
            .collect();
        let mut failed = Vec::new();
        let mut query = CallQuery {
            since: Some(self.now - LOOK_BACK),
            limit: 100,
            ..CallQuery::default()
        };
        loop {
            let page = store.list_calls(&business.id, &query).await?;
            failed.extend(
                page.calls
                    .iter()
                    .filter(|c| c.transcription == Some(TranscriptionState::Failed))
                    .map(|c| c.sid.to_string()),
            );
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        let sample = |sids: &[String]| sids.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
        Ok(vec![
            if stuck.is_empty() {
                pass(
                    "stuck transcriptions",
                    "none waiting longer than 15 minutes",
                )
            } else {
                fail(
                    "stuck transcriptions",
                    format!("{} call(s) waiting over 15 minutes: {}", stuck.len(), sample(&stuck)),
                    "check the transcribe function's logs and the recordings queue; the reconciler resends pending jobs",
                )
            },
            if failed.is_empty() {
                pass("failed transcriptions", "none in the last 7 days")
            } else {
                fail(
                    "failed transcriptions",
                    format!("{} call(s) in the last 7 days: {}", failed.len(), sample(&failed)),
                    "GET /api/calls/{CallSid} shows each reason; check the transcription server and key",
                )
            },
        ])
    }

    /// Note 002's report: the outbound calls lately seen, and where their events went.
    async fn outbound_calls(&self, business: &Business) -> Result<Check, CliError> {
        let mut count = 0;
        let mut last = None;
        for direction in [Direction::OutboundApi, Direction::OutboundDial] {
            let page = self
                .deployment
                .store
                .list_calls(
                    &business.id,
                    &CallQuery {
                        direction: Some(direction),
                        since: Some(self.now - LOOK_BACK),
                        limit: 100,
                        ..CallQuery::default()
                    },
                )
                .await?;
            count += page.calls.len();
            for call in page.calls {
                if last
                    .as_ref()
                    .is_none_or(|(at, _)| call.started_at > Some(*at))
                {
                    if let Some(at) = call.started_at {
                        last = Some((at, call.to.clone().unwrap_or_default()));
                    }
                }
            }
        }
        Ok(pass(
            "outbound calls",
            match last {
                Some((at, to)) => format!(
                    "{count} in the last 7 days, the latest to {to} at {}",
                    frontdesk::domain::time::format_time(at)
                ),
                None => "none in the last 7 days".into(),
            },
        ))
    }

    async fn twilio_numbers(&self, business: &Business) -> Vec<Check> {
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

    fn meta(&self, business: &Business) -> Option<Check> {
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

/// Prints the report: a table per section, then the summary.
pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "Frontdesk doctor: {}", report.deployment)?;
    for section in &report.sections {
        writeln!(out)?;
        match &section.business {
            None => writeln!(out, "Deployment")?,
            Some(id) => writeln!(out, "Business {id}")?,
        }
        let width = section
            .checks
            .iter()
            .map(|c| c.check.len())
            .max()
            .unwrap_or(0);
        for check in &section.checks {
            writeln!(
                out,
                "  {}  {:width$}  {}",
                check.level.label(),
                check.check,
                check.detail
            )?;
            if let (Some(fix), true) = (&check.fix, check.level != Level::Pass) {
                writeln!(out, "        {:width$}  fix: {fix}", "")?;
            }
        }
    }
    writeln!(out)?;
    writeln!(out, "DIAGNOSTIC SUMMARY")?;
    for section in &report.sections {
        let name = section.business.as_deref().unwrap_or("deployment");
        writeln!(out, "  {name:30} {}", section.worst().label())?;
    }
    let (passed, warned, failed) = (
        report.count(Level::Pass),
        report.count(Level::Warn),
        report.count(Level::Fail),
    );
    writeln!(out, "{passed} passed, {warned} warnings, {failed} failed")?;
    Ok(())
}

/// Runs the doctor; `Ok(false)` when any check failed.
pub async fn run(
    deployment: &Deployment,
    args: DoctorArgs,
    out: &mut dyn Write,
) -> Result<bool, CliError> {
    let only = args
        .business
        .as_deref()
        .map(BusinessId::parse)
        .transpose()?;
    let report = Doctor::new(deployment, args.ping)?
        .diagnose(only.as_ref())
        .await?;
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        render(&report, out)?;
    }
    Ok(report.count(Level::Fail) == 0)
}
