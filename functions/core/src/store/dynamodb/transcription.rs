//! A call's recording and transcription: the state on the call record, the `RECON` work-list
//! kept in the same transactions, and the `MEDIA` record.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};
use time::OffsetDateTime;

use super::expr::{contended, Changes, Placeholders, BATCH_GET_LIMIT, MAX_WRITE_ROUNDS};
use super::item::{call_from_item, corrupt, get_s, get_time, n, required, s};
use super::keys::{
    call_key, media_key, recon_key, FINISHED_AT, LANGUAGE, PARTITION_KEY, REASON, RECON_PK,
    RECORDING_DIGITS, RECORDING_DURATION, RECORDING_KEY, RECORDING_SID, RECORDING_URL, SINCE,
    SORT_KEY, TRANSCRIPT, TRANSCRIPTION, TRANSCRIPTION_QUEUED_AT,
};
use super::{request_error, unavailable, DynamoStore};
use crate::domain::time::format_time;
use crate::domain::{
    Call, CallMedia, CallSid, Recording, TranscriptionOutcome, TranscriptionState,
};
use crate::store::{parse_time, RecordingAttach, StoreError, TranscriptionStore};

impl DynamoStore {
    /// Loads calls by sid, in BatchGetItem-sized chunks.
    pub(super) async fn calls_by_sid(
        &self,
        sids: &[CallSid],
    ) -> Result<HashMap<CallSid, Call>, StoreError> {
        let mut calls = HashMap::new();
        for item in self.batch_get(sids.iter().map(call_key).collect()).await? {
            let call = call_from_item(&item)?;
            calls.insert(call.sid.clone(), call);
        }
        Ok(calls)
    }
}

#[async_trait]
impl TranscriptionStore for DynamoStore {
    async fn attach_recording(
        &self,
        sid: &CallSid,
        recording: &Recording,
        transcribe: bool,
        now: OffsetDateTime,
    ) -> Result<RecordingAttach, StoreError> {
        let state = if transcribe {
            TranscriptionState::Pending
        } else {
            TranscriptionState::Skipped
        };
        for _ in 0..MAX_WRITE_ROUNDS {
            let loaded = self.load_call(sid).await?;
            if let Some(loaded) = loaded.as_ref().filter(|l| l.call.recording.is_some()) {
                return Ok(RecordingAttach::AlreadyAttached(loaded.call.transcription));
            }
            let mut changes = Changes::against(loaded.as_ref().map(|l| &l.item));
            changes.set(RECORDING_SID, s(recording.sid.as_str()));
            changes.set(RECORDING_URL, s(recording.url.as_str()));
            if let Some(duration) = recording.duration_seconds {
                changes.set(RECORDING_DURATION, n(duration));
            }
            if let Some(digits) = &recording.digits {
                changes.set(RECORDING_DIGITS, s(digits.as_str()));
            }
            changes.set(TRANSCRIPTION, s(state.as_str()));
            let mut alongside = Vec::new();
            if transcribe {
                let mut work = recon_key(sid);
                work.insert(SINCE.into(), s(format_time(now)));
                alongside.push(self.transaction_put(work, None)?);
            }
            if self.write_call(sid, changes, alongside).await? {
                return Ok(RecordingAttach::Attached);
            }
        }
        Err(contended(&format!("call {sid}")))
    }

    async fn claim_transcription_job(
        &self,
        sid: &CallSid,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut changes = Changes::blind();
        changes.set(TRANSCRIPTION, s(TranscriptionState::Queued.as_str()));
        changes.set(TRANSCRIPTION_QUEUED_AT, s(format_time(now)));
        changes.bump_revision();
        changes.only_if_equals(TRANSCRIPTION, s(TranscriptionState::Pending.as_str()));
        self.update_if(call_key(sid), changes).await
    }

    async fn release_transcription_job(&self, sid: &CallSid) -> Result<(), StoreError> {
        let mut changes = Changes::blind();
        changes.set(TRANSCRIPTION, s(TranscriptionState::Pending.as_str()));
        changes.remove(TRANSCRIPTION_QUEUED_AT);
        changes.bump_revision();
        changes.only_if_equals(TRANSCRIPTION, s(TranscriptionState::Queued.as_str()));
        // A claim that is no longer held (finished, or never made) has nothing to give back.
        self.update_if(call_key(sid), changes).await.map(drop)
    }

    async fn transcription_backlog(
        &self,
        stale_before: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<Call>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut placeholders = Placeholders::default();
        let condition = format!(
            "{} = {}",
            placeholders.name(PARTITION_KEY),
            placeholders.value(s(RECON_PK))
        );
        let mut work = Vec::new();
        for item in self.query_all(None, &condition, placeholders).await? {
            let sk = required(&item, SORT_KEY)?;
            let sid = CallSid::parse(sk.strip_prefix("CALL#").unwrap_or(sk))
                .map_err(corrupt("work-list key"))?;
            work.push((parse_time(required(&item, SINCE)?)?, sid));
        }
        work.sort();

        let mut backlog = Vec::new();
        for chunk in work.chunks(BATCH_GET_LIMIT) {
            let sids: Vec<CallSid> = chunk.iter().map(|(_, sid)| sid.clone()).collect();
            let mut calls = self.calls_by_sid(&sids).await?;
            for sid in &sids {
                let Some(call) = calls.remove(sid) else {
                    continue;
                };
                let due = match call.transcription {
                    Some(TranscriptionState::Pending) => true,
                    Some(TranscriptionState::Queued) => call
                        .transcription_queued_at
                        .is_none_or(|at| at < stale_before),
                    _ => false,
                };
                if due {
                    backlog.push(call);
                    if backlog.len() == limit {
                        return Ok(backlog);
                    }
                }
            }
        }
        Ok(backlog)
    }

    async fn set_recording_copy(&self, sid: &CallSid, key: &str) -> Result<(), StoreError> {
        let mut changes = Changes::blind();
        changes.set(RECORDING_KEY, s(key));
        self.update_request(media_key(sid), changes)
            .send()
            .await
            .map_err(|e| unavailable("UpdateItem", e))?;
        Ok(())
    }

    async fn finish_transcription(
        &self,
        sid: &CallSid,
        outcome: &TranscriptionOutcome,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        for _ in 0..MAX_WRITE_ROUNDS {
            let Some(loaded) = self.load_call(sid).await? else {
                return Ok(false);
            };
            if !matches!(
                loaded.call.transcription,
                Some(TranscriptionState::Pending | TranscriptionState::Queued)
            ) {
                return Ok(false);
            }
            let mut changes = Changes::against(Some(&loaded.item));
            changes.set(TRANSCRIPTION, s(outcome.state().as_str()));
            let mut media = Changes::blind();
            match outcome {
                TranscriptionOutcome::Ready {
                    transcript,
                    language,
                } => {
                    media.set(TRANSCRIPT, s(transcript.as_str()));
                    match language {
                        Some(language) => media.set(LANGUAGE, s(language.as_str())),
                        None => media.remove(LANGUAGE),
                    }
                    media.remove(REASON);
                }
                TranscriptionOutcome::Failed { reason }
                | TranscriptionOutcome::Skipped { reason } => {
                    media.set(REASON, s(reason.as_str()));
                }
            }
            media.set(FINISHED_AT, s(format_time(at)));
            let leave_backlog = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(recon_key(sid)))
                .build()
                .map_err(request_error)?;
            let mut alongside = vec![
                self.transaction_update(media_key(sid), media)?,
                TransactWriteItem::builder().delete(leave_backlog).build(),
            ];
            if let TranscriptionOutcome::Ready { transcript, .. } = outcome {
                alongside.extend(self.transcript_words(&loaded.call, transcript)?);
            }
            if self.write_call(sid, changes, alongside).await? {
                return Ok(true);
            }
        }
        Err(contended(&format!("call {sid}")))
    }

    async fn call_media(&self, sid: &CallSid) -> Result<Option<CallMedia>, StoreError> {
        let Some(item) = self.get(media_key(sid)).await? else {
            return Ok(None);
        };
        Ok(Some(CallMedia {
            recording_key: get_s(&item, RECORDING_KEY)?.map(str::to_string),
            transcript: get_s(&item, TRANSCRIPT)?.map(str::to_string),
            language: get_s(&item, LANGUAGE)?.map(str::to_string),
            reason: get_s(&item, REASON)?.map(str::to_string),
            finished_at: get_time(&item, FINISHED_AT)?,
            triage: super::alerts::triage_from_item(&item)?,
        }))
    }
}
