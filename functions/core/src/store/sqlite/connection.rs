//! Opening a connection to the embedded database file, for the store and the queue alike.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

/// How long a write waits for another connection (the queue, a second process) to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens `path` (creating it) with the settings every embedded connection uses: WAL so readers
/// never block the writer; `synchronous=NORMAL`, which in WAL mode can lose the last commits to
/// a power cut but never corrupts the file; and a busy timeout so concurrent writers wait
/// instead of failing. Errors name the file.
pub(crate) fn open_connection(path: &Path) -> Result<Connection, String> {
    let failed = |e: rusqlite::Error| format!("{}: {e}", path.display());
    let conn = Connection::open(path).map_err(failed)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(failed)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(failed)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(format!(
            "{}: journal_mode is `{mode}`, not WAL",
            path.display()
        ));
    }
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(failed)?;
    Ok(conn)
}
