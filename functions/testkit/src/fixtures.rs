//! The repository's files the tests read: sample events, the demo seed and the function
//! crates.

use std::path::{Path, PathBuf};

use bytes::Bytes;

/// The Twilio auth token the sample events in `events/` are signed with (events/README.md).
pub const SAMPLE_AUTH_TOKEN: &str = "frontdesk-sample-auth-token";
/// The app secret Meta's sample events are signed with (events/README.md).
pub const SAMPLE_META_APP_SECRET: &str = "frontdesk-sample-meta-app-secret";
/// The verify token Meta's sample subscription handshake carries (events/README.md).
pub const SAMPLE_META_VERIFY_TOKEN: &str = "frontdesk-sample-verify-token";

/// Crates under `functions/` that are not Lambda functions.
pub const NOT_FUNCTIONS: &[&str] = &["core", "cli", "testkit"];

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `events/`: the sample events `sam local invoke -e` and `cargo lambda invoke` use.
pub fn events_dir() -> PathBuf {
    root().join("events")
}

/// The sample event `file` from `events/`.
pub fn event(file: &str) -> Vec<u8> {
    let path = events_dir().join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// `infra/seed/businesses.json`: the demo clinic `frontdesk serve --seed` loads.
pub fn seed_businesses() -> PathBuf {
    root().join("infra/seed/businesses.json")
}

/// `infra/seed/demo-greeting.mp3`: a real MP3.
pub fn demo_greeting_path() -> PathBuf {
    root().join("infra/seed/demo-greeting.mp3")
}

/// The demo greeting's bytes.
pub fn demo_greeting() -> Bytes {
    Bytes::from(std::fs::read(demo_greeting_path()).expect("infra/seed/demo-greeting.mp3"))
}

/// The function crates: every folder under `functions/` with a manifest, except
/// [`NOT_FUNCTIONS`]; each one's bin is named like its folder (template_drift checks that).
pub fn function_crates() -> Vec<String> {
    let mut crates: Vec<String> = std::fs::read_dir(root().join("functions"))
        .expect("functions/ is readable")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("Cargo.toml").is_file())
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|name| !NOT_FUNCTIONS.contains(&name.as_str()))
        .collect();
    crates.sort();
    crates
}
