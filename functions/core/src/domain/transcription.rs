//! How a call's recording ends up as text: the outcome of a transcription and what is kept.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::call::TranscriptionState;

/// A call's recording copy and transcription result.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallMedia {
    /// Key of the copy in the recordings blob store.
    pub recording_key: Option<String>,
    pub transcript: Option<String>,
    pub language: Option<String>,
    /// Why transcription failed or was skipped.
    pub reason: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// What Frontdesk made of the call (summary, intent, urgency, spam), once assessed.
    #[serde(default)]
    pub triage: Option<super::alert::Triage>,
}

/// How a call's transcription ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TranscriptionOutcome {
    Ready {
        transcript: String,
        language: Option<String>,
    },
    Failed {
        reason: String,
    },
    Skipped {
        reason: String,
    },
}

impl TranscriptionOutcome {
    pub fn state(&self) -> TranscriptionState {
        match self {
            Self::Ready { .. } => TranscriptionState::Ready,
            Self::Failed { .. } => TranscriptionState::Failed,
            Self::Skipped { .. } => TranscriptionState::Skipped,
        }
    }
}
