//! Listing a business's calls: the query, a page, and a call's position in the list.

use time::OffsetDateTime;

use crate::domain::{Call, CallSid, CallStatus, Direction};

/// Which of a business's calls to list, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallQuery {
    pub status: Option<CallStatus>,
    pub direction: Option<Direction>,
    /// Calls started at or after this time.
    pub since: Option<OffsetDateTime>,
    /// Continue after this position (a page's `next`).
    pub after: Option<String>,
    pub limit: usize,
}

/// One page of calls and where the next starts (an opaque position: `{started_at}#{sid}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallPage {
    pub calls: Vec<Call>,
    pub next: Option<String>,
}

/// A call's position in its business's newest-first list.
pub fn list_position(started_at: OffsetDateTime, sid: &CallSid) -> String {
    format!("{}#{sid}", crate::domain::time::format_time(started_at))
}
