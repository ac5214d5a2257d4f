//! Names and numbers unique to one test. Every test binary runs its tests on parallel threads
//! and moto keeps its state between runs, so uniqueness comes from one counter for the whole
//! process (per call, hence per test), the process id (another binary running at the same
//! time) and, for AWS resource names, a random part (an earlier run against the same moto).

use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The next value of the process-wide counter: never the same twice in one process.
pub fn next() -> u64 {
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// A number unique to this process and call: the counter, offset by the process id.
pub fn number() -> u64 {
    next() + u64::from(std::process::id()) * 1000
}

/// A lowercase AWS resource name (valid for a table, a queue and a bucket, with room for a
/// suffix such as `-greetings`): `fd-{process}-{counter}-{random}`.
pub fn aws_name() -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("fd-{}-{}-{}", std::process::id(), next(), &random[..8])
}
