//! The suite's log lines, kept for the secret scan: when `FRONTDESK_TEST_LOG_DIR` is set (the
//! test command sets it), every tracing event of a test process at `info` and above — what a
//! deployment logs — is also written as a JSON line to `{dir}/{pid}.jsonl`. The helpers that
//! start Frontdesk for a test (`TestServer`, the consumers' `Env`, a moto `Stack`) call
//! [`capture`]; `scan-logs` then reads every file for a secret the tests use.

use std::sync::{Mutex, Once};

/// The variable that names the folder.
pub const LOG_DIR_VAR: &str = "FRONTDESK_TEST_LOG_DIR";

/// Starts capturing this process's log lines, once, when [`LOG_DIR_VAR`] is set.
pub fn capture() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let Some(dir) = std::env::var_os(LOG_DIR_VAR) else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        if std::fs::create_dir_all(&dir).is_err() {
            return;
        }
        let Ok(file) = std::fs::File::create(dir.join(format!("{}.jsonl", std::process::id())))
        else {
            return;
        };
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .with_max_level(tracing::Level::INFO)
            .with_writer(Mutex::new(file))
            .finish();
        // A test that set its own subscriber first keeps it.
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// The secrets the tests configure, which no log line may hold.
pub fn secrets() -> Vec<&'static str> {
    vec![
        crate::config::TEST_TOKEN,
        crate::fixtures::SAMPLE_AUTH_TOKEN,
        crate::fixtures::SAMPLE_META_APP_SECRET,
        crate::workers::WEBHOOK_SECRET,
        crate::standins::scripted::TRANSCRIBE_KEY,
        crate::standins::chat::SUMMARY_KEY,
    ]
}
