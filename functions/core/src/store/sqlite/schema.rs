//! The embedded database's tables. Every statement is idempotent, so opening a file applies
//! whatever is missing.

/// Bumped when the schema changes, so an older build refuses a newer file instead of
/// misreading it.
pub(super) const SCHEMA_VERSION: i64 = 3;

/// Businesses, calls and everything kept about them.
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS businesses (
    id       TEXT PRIMARY KEY,
    document TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS business_numbers (
    number      TEXT PRIMARY KEY,
    business_id TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS business_numbers_by_business ON business_numbers (business_id);

-- status and direction are NULL while the call is known only from a recording or digits:
-- the first start or status callback then applies in full.
CREATE TABLE IF NOT EXISTS calls (
    sid                        TEXT PRIMARY KEY,
    business_id                TEXT,
    from_number                TEXT,
    to_number                  TEXT,
    direction                  TEXT,
    caller_name                TEXT,
    status                     TEXT,
    status_sequence            INTEGER,
    started_at                 TEXT,
    ended_at                   TEXT,
    duration_seconds           INTEGER,
    recording_sid              TEXT,
    recording_url              TEXT,
    recording_duration_seconds INTEGER,
    recording_digits           TEXT,
    recorded_at                TEXT,
    recorded_at_ns             INTEGER,
    recording_status           TEXT,
    transcription              TEXT,
    transcription_queued_at    TEXT,
    transcription_queued_at_ns INTEGER,
    gathered_digits            TEXT,
    purpose                    TEXT,
    requested_by               TEXT,
    answered_by                TEXT,
    handled                    INTEGER NOT NULL DEFAULT 0,
    appointment_id             TEXT
) STRICT;
-- A business's calls newest first by their list position (the expression list_calls orders
-- and pages by), so a page reads its rows and no more.
CREATE INDEX IF NOT EXISTS calls_by_business_position
    ON calls (business_id, (started_at || '#' || sid)) WHERE started_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS calls_transcription_backlog ON calls (recorded_at_ns)
    WHERE transcription IN ('pending', 'queued');
-- A business's calls with one customer: the caller of an inbound call, the callee of an
-- outbound one (CALL_CONTACT, which the query must spell the same).
CREATE INDEX IF NOT EXISTS calls_by_contact ON calls (business_id,
    (CASE WHEN direction = 'inbound' THEN from_number ELSE to_number END));

CREATE TABLE IF NOT EXISTS call_events (
    call_sid         TEXT NOT NULL,
    event_key        TEXT NOT NULL,
    status           TEXT NOT NULL,
    sequence         INTEGER,
    at               TEXT NOT NULL,
    duration_seconds INTEGER,
    PRIMARY KEY (call_sid, event_key)
) STRICT;

CREATE TABLE IF NOT EXISTS call_attempts (
    business_id  TEXT NOT NULL,
    caller       TEXT NOT NULL,
    minute_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (business_id, caller, minute_start)
) STRICT;
CREATE INDEX IF NOT EXISTS call_attempts_by_expiry ON call_attempts (expires_at);

CREATE TABLE IF NOT EXISTS call_media (
    call_sid      TEXT PRIMARY KEY,
    recording_key TEXT,
    transcript    TEXT,
    language      TEXT,
    reason        TEXT,
    finished_at   TEXT
) STRICT;

-- call_sid is the log's subject: a CallSid, or APPT#{id} for an appointment's event.
CREATE TABLE IF NOT EXISTS deliveries (
    call_sid TEXT NOT NULL,
    event_id TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (call_sid, event_id)
) STRICT;

CREATE TABLE IF NOT EXISTS webhook_secrets (
    business_id TEXT PRIMARY KEY,
    secret      TEXT NOT NULL
) STRICT;

-- Only the SHA-256 of a key is kept.
CREATE TABLE IF NOT EXISTS api_keys (
    key_hash    TEXT PRIMARY KEY,
    business_id TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
";

/// A call's customer in SQL ([`crate::domain::Direction::contact`]), as `calls_by_contact`
/// indexes it.
pub(super) const CALL_CONTACT: &str =
    "(CASE WHEN direction = 'inbound' THEN from_number ELSE to_number END)";

/// Columns added after version 1, by table, with their types: a file made by an older build
/// gains them when it is opened ([`add_missing_columns`]).
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    ("calls", "purpose", "TEXT"),
    ("calls", "requested_by", "TEXT"),
    ("calls", "answered_by", "TEXT"),
    ("calls", "handled", "INTEGER NOT NULL DEFAULT 0"),
    ("calls", "appointment_id", "TEXT"),
    ("call_media", "triage", "TEXT"),
];

/// Adds the columns a file from an older build lacks (SQLite has no `ADD COLUMN IF NOT EXISTS`).
pub(super) fn add_missing_columns(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    for (table, name, kind) in ADDED_COLUMNS {
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
            [table, name],
            |row| row.get(0),
        )?;
        if !exists {
            tx.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {name} {kind}"))?;
        }
    }
    Ok(())
}

/// Owner alerts, one row per alert and recipient (the document is an
/// [`crate::domain::AlertRecord`]), and Twilio Lookup's answers per number.
pub(super) const ALERTS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS alerts (
    business_id TEXT NOT NULL,
    key         TEXT NOT NULL,
    created_ns  INTEGER NOT NULL,
    document    TEXT NOT NULL,
    PRIMARY KEY (business_id, key)
) STRICT;
CREATE INDEX IF NOT EXISTS alerts_by_business_time ON alerts (business_id, created_ns);

CREATE TABLE IF NOT EXISTS caller_lookups (
    number   TEXT PRIMARY KEY,
    document TEXT NOT NULL
) STRICT;
";

/// Queue messages parked while their queue was down, until the reconciler sends them.
pub(super) const PARKED_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS parked_messages (
    queue     TEXT NOT NULL,
    dedup_id  TEXT NOT NULL,
    body      TEXT NOT NULL,
    parked_at TEXT NOT NULL,
    parked_ns INTEGER NOT NULL,
    PRIMARY KEY (queue, dedup_id)
) STRICT;
";

/// Outbound calls Frontdesk placed, one row per placement id (the business and the request
/// key, hashed): the JSON document, and the CallSid once Twilio took the call.
pub(super) const PLACEMENTS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS call_placements (
    id          TEXT PRIMARY KEY,
    business_id TEXT NOT NULL,
    call_sid    TEXT,
    document    TEXT NOT NULL
) STRICT;
";

/// WhatsApp messages and their status events.
pub(super) const MESSAGES_SCHEMA: &str = "
-- direction and content are NULL while the message is known only from status callbacks.
CREATE TABLE IF NOT EXISTS messages (
    id            TEXT PRIMARY KEY,
    business_id   TEXT,
    direction     TEXT,
    contact       TEXT,
    from_address  TEXT,
    to_address    TEXT,
    content       TEXT,
    created_at    TEXT,
    created_ns    INTEGER,
    status        TEXT,
    status_at     TEXT,
    sent_at       TEXT,
    delivered_at  TEXT,
    read_at       TEXT,
    failed_at     TEXT,
    error_code    TEXT,
    error_message TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS messages_by_conversation
    ON messages (business_id, contact, created_ns DESC, id DESC);

CREATE TABLE IF NOT EXISTS message_events (
    message_id TEXT NOT NULL,
    status     TEXT NOT NULL,
    at         TEXT NOT NULL,
    at_ns      INTEGER NOT NULL,
    error_code TEXT,
    PRIMARY KEY (message_id, status)
) STRICT;
";

/// Appointments, the counted locks on their 5-minute cells, the request keys spent on them,
/// their follow-ups, the businesses' calendar keys, and conversations. Times are RFC 3339 UTC text, with `*_ns` companions to order and compare.
pub(super) const BOOKING_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS appointments (
    id             TEXT PRIMARY KEY,
    business_id    TEXT NOT NULL,
    service        TEXT NOT NULL,
    slot_start     TEXT NOT NULL,
    slot_end       TEXT NOT NULL,
    block_start    TEXT NOT NULL,
    block_end      TEXT NOT NULL,
    timezone       TEXT NOT NULL,
    phone          TEXT NOT NULL,
    name           TEXT,
    channel        TEXT NOT NULL,
    source         TEXT NOT NULL,
    status         TEXT NOT NULL,
    version        INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    start_ns       INTEGER NOT NULL,
    block_start_ns INTEGER NOT NULL,
    block_end_ns   INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS appointments_by_start ON appointments (business_id, start_ns, id);
CREATE INDEX IF NOT EXISTS appointments_by_phone ON appointments (business_id, phone, id);

-- n: how many booked appointments hold the cell; a row goes when n falls to 0.
CREATE TABLE IF NOT EXISTS appointment_cells (
    business_id TEXT NOT NULL,
    cell        INTEGER NOT NULL,
    n           INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (business_id, cell)
) STRICT;

CREATE TABLE IF NOT EXISTS appointment_requests (
    business_id    TEXT NOT NULL,
    key            TEXT NOT NULL,
    appointment_id TEXT NOT NULL,
    operation      TEXT NOT NULL,
    PRIMARY KEY (business_id, key)
) STRICT;

-- What became of an appointment's follow-ups: one JSON column per kind, each written alone.
CREATE TABLE IF NOT EXISTS appointment_follow_ups (
    appointment_id TEXT PRIMARY KEY,
    business_id    TEXT NOT NULL,
    confirmation   TEXT,
    calendar       TEXT,
    updated_ns     INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS follow_ups_by_business
    ON appointment_follow_ups (business_id, updated_ns);

-- A business's Google service-account key (JSON), kept like its webhook secret.
CREATE TABLE IF NOT EXISTS calendar_keys (
    business_id TEXT PRIMARY KEY,
    secret      TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS conversations (
    key         TEXT PRIMARY KEY,
    business_id TEXT NOT NULL,
    state       TEXT NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
) STRICT;

-- One reminder per appointment and offset; the due index is read by (state, due_ns).
CREATE TABLE IF NOT EXISTS reminders (
    appointment_id TEXT NOT NULL,
    offset_minutes INTEGER NOT NULL,
    business_id    TEXT NOT NULL,
    start_ns       INTEGER NOT NULL,
    due_ns         INTEGER NOT NULL,
    state          TEXT NOT NULL,
    data           TEXT NOT NULL,
    PRIMARY KEY (appointment_id, offset_minutes)
) STRICT;
CREATE INDEX IF NOT EXISTS reminders_due ON reminders (state, due_ns);
";

/// The inbox's sign-in links and sessions, by their secret's SHA-256, each business's last
/// revocation, the inbox key, and the forms' claimed one-time keys. Times are RFC 3339 UTC text.
pub(super) const INBOX_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS inbox_links (
    token_hash  TEXT PRIMARY KEY,
    business_id TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS inbox_sessions (
    id_hash     TEXT PRIMARY KEY,
    business_id TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS inbox_revocations (
    business_id TEXT PRIMARY KEY,
    revoked_at  TEXT NOT NULL
) STRICT;

-- The one inbox key of this database, made at its first use.
CREATE TABLE IF NOT EXISTS inbox_key (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    secret TEXT NOT NULL
) STRICT;

-- A form's one-time key, claimed once (a double submit finds it); gone after expires_ns.
CREATE TABLE IF NOT EXISTS inbox_form_keys (
    business_id TEXT NOT NULL,
    form_key    TEXT NOT NULL,
    claimed_at  TEXT NOT NULL,
    expires_ns  INTEGER NOT NULL,
    PRIMARY KEY (business_id, form_key)
) STRICT;
CREATE INDEX IF NOT EXISTS inbox_form_keys_by_expiry ON inbox_form_keys (expires_ns);
";

/// The indexes that find a business's customers and words (`store::find`): one contact per
/// business and number at its last activity, and one search entry per call or message with
/// words, in lower case. Positions are `{Unix ns, 20 digits}#{key}`, so text order is time
/// order.
pub(super) const FIND_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS contacts (
    business_id TEXT NOT NULL,
    contact     TEXT NOT NULL,
    position    TEXT NOT NULL,
    last_ns     INTEGER NOT NULL,
    last_kind   TEXT NOT NULL,
    last_id     TEXT NOT NULL,
    inbound_ns  INTEGER,
    replied_ns  INTEGER,
    PRIMARY KEY (business_id, contact)
) STRICT;
CREATE INDEX IF NOT EXISTS contacts_by_activity ON contacts (business_id, position);

CREATE TABLE IF NOT EXISTS search_entries (
    business_id TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    position    TEXT NOT NULL,
    caller_text TEXT,
    body_text   TEXT,
    PRIMARY KEY (business_id, item_id)
) STRICT;
CREATE INDEX IF NOT EXISTS search_entries_by_time ON search_entries (business_id, position);
";
