//! Loading businesses (and their greeting MP3s) from a seed file into a store, so
//! `frontdesk serve` answers for a demo business from its first start.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use frontdesk::domain::Business;
use frontdesk::App;
use serde::Deserialize;

#[derive(Deserialize)]
struct SeedEntry {
    #[serde(flatten)]
    business: Business,
    /// An MP3 to upload as the greeting, relative to the seed file.
    #[serde(default)]
    greeting_mp3: Option<PathBuf>,
}

/// Puts every business in `path` into the app's store, uploading greetings it names.
/// Returns the ids loaded.
pub async fn load(app: &App, path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let entries: Vec<SeedEntry> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut loaded = Vec::new();
    for SeedEntry {
        mut business,
        greeting_mp3,
    } in entries
    {
        if let Some(mp3) = greeting_mp3 {
            let file = path.parent().unwrap_or(Path::new(".")).join(mp3);
            let body = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            crate::greeting::attach(
                app.greetings(),
                &mut business,
                Bytes::from(body),
                std::sync::Arc::new(|_| {}),
            )
            .await
            .map_err(|e| e.to_string())?;
        }
        app.store()
            .put_business(&business)
            .await
            .map_err(|e| e.to_string())?;
        loaded.push(business.id.to_string());
    }
    Ok(loaded)
}
