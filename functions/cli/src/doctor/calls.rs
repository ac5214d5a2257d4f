//! A business's recent calls: transcription set up and keeping up, and the outbound calls seen.

use frontdesk::domain::time::format_time;
use frontdesk::domain::{Business, Direction, TranscriptionState};
use frontdesk::store::CallQuery;
use frontdesk::Route;

use super::report::{fail, pass, Check};
use super::Doctor;
use crate::CliError;

/// How long a transcription may wait before it counts as stuck: the reconciler resends
/// pending jobs every few minutes, so a quarter of an hour means it is not getting through.
const STUCK_AFTER: time::Duration = time::Duration::minutes(15);
/// How far back failed transcriptions and outbound calls are looked for.
const LOOK_BACK: time::Duration = time::Duration::days(7);
/// How many of the latest outbound calls the report lists.
const LISTED: usize = 3;

impl Doctor<'_> {
    pub(super) fn transcription_setup(&self, business: &Business) -> Check {
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

    pub(super) async fn transcription_backlog(
        &self,
        business: &Business,
    ) -> Result<Vec<Check>, CliError> {
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
                    format!(
                        "{} call(s) in the last 7 days: {}",
                        failed.len(),
                        sample(&failed)
                    ),
                    format!(
                        "GET {} shows each reason; check the transcription server and key",
                        Route::ApiCall.path_with(&[("call_sid", "{CallSid}")])
                    ),
                )
            },
        ])
    }

    /// Note 002's report: the outbound calls lately seen, the latest few listed (who asked,
    /// why, how each ended, what answered), and where their events went.
    pub(super) async fn outbound_calls(&self, business: &Business) -> Result<Check, CliError> {
        let mut calls = Vec::new();
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
            calls.extend(page.calls);
        }
        calls.sort_by_key(|call| std::cmp::Reverse(call.started_at));
        let latest: Vec<String> = calls
            .iter()
            .take(LISTED)
            .map(|call| {
                let mut line = format!(
                    "{} to {} at {}: {}",
                    call.sid,
                    call.to.as_deref().unwrap_or("?"),
                    call.started_at.map(format_time).unwrap_or_default(),
                    call.status.as_str()
                );
                if let Some(purpose) = &call.purpose {
                    line.push_str(&format!(", {purpose}"));
                }
                if let Some(who) = &call.requested_by {
                    line.push_str(&format!(" by {who}"));
                }
                if let Some(answered_by) = &call.answered_by {
                    line.push_str(&format!(", answered by {answered_by}"));
                }
                line
            })
            .collect();
        Ok(pass(
            "outbound calls",
            if latest.is_empty() {
                "none in the last 7 days".into()
            } else {
                format!(
                    "{} in the last 7 days; latest: {}",
                    calls.len(),
                    latest.join("; ")
                )
            },
        ))
    }
}
