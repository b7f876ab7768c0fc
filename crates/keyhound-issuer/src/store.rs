//! The issuer's key store: SQLite (embedded, no server), holding each key's SHA-256 digest —
//! never the key — with its owner, scopes, lifetime and revocation, and an append-only audit
//! trail of every issuance, rotation and revocation. Failed verifications are counted: one
//! audit row per key, verdict and hour, whose count is the only thing that ever changes in
//! the trail (so a flood of bad keys cannot grow it without bound).
//!
//! ```
//! use keyhound_keys::{Env, Issuer};
//! use keyhound_issuer::store::{KeyStore, NewKey, Verdict};
//!
//! let mut store = KeyStore::open_in_memory().unwrap();
//! let acme = Issuer::new("acme").unwrap();
//! let key = store.issue(&acme, Env::Live, &NewKey { owner: "billing".into(), ..NewKey::default() }).unwrap();
//! assert!(matches!(store.verify(key.expose()).unwrap(), Verdict::Valid(_)));
//! store.revoke(&key.key_id, "leaked", None).unwrap();
//! assert!(matches!(store.verify(key.expose()).unwrap(), Verdict::Revoked { .. }));
//! ```

use keyhound_keys::{digest, parse, Env, IssuedKey, Issuer, KeyError};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    // 1: keys, the audit trail (append-only, enforced by triggers), webhook message ids.
    "CREATE TABLE keys (
        digest TEXT PRIMARY KEY,
        key_id TEXT NOT NULL,
        prefix TEXT NOT NULL,
        env TEXT NOT NULL,
        owner TEXT NOT NULL DEFAULT '',
        label TEXT NOT NULL DEFAULT '',
        scopes TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        revoked_at INTEGER,
        revoked_reason TEXT,
        replaces TEXT REFERENCES keys(digest)
    );
    CREATE INDEX keys_key_id ON keys(key_id);
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        event TEXT NOT NULL,
        key_id TEXT,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE TABLE webhook_messages (
        id TEXT PRIMARY KEY,
        received_at INTEGER NOT NULL
    );",
    // 2: forgetting old message ids must not scan them all on every message.
    "CREATE INDEX webhook_messages_received ON webhook_messages(received_at);",
    // 3: failed verifications are counted, one row per key, verdict and hour: the row's
    // count may grow, nothing else in the trail may change.
    "ALTER TABLE audit ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
    DROP TRIGGER audit_no_update;
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        WHEN NOT (OLD.event = 'verify-failed' AND NEW.event = OLD.event
                  AND NEW.seq = OLD.seq AND NEW.at = OLD.at AND NEW.key_id IS OLD.key_id
                  AND NEW.detail = OLD.detail AND NEW.count > OLD.count)
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    CREATE INDEX audit_verify_failed ON audit(key_id, detail, at) WHERE event = 'verify-failed';",
];

/// The longest key lifetime (`--expires`) and rotation grace period: 10 years, in seconds.
pub const MAX_LIFETIME_SECS: i64 = 3650 * 86_400;

/// Failed verifications of one key (and verdict) are counted in one audit row per this many
/// seconds.
pub const VERIFY_FAILED_BUCKET_SECS: i64 = 3600;

/// Errors of the key store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite's message is in the text, so it is not also a `source` (which `{:#}` would
    /// print a second time).
    #[error("key store: {0}")]
    Sql(rusqlite::Error),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("no key with id {0}")]
    NotFound(String),
    #[error("key id {0} matches {1} keys: give more digits of the digest")]
    Ambiguous(String, usize),
    #[error("key store {path}: {message}")]
    Open { path: String, message: String },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sql(e)
    }
}

/// What to record with a new key.
#[derive(Debug, Clone, Default)]
pub struct NewKey {
    pub owner: String,
    pub label: String,
    pub scopes: Vec<String>,
    /// Lifetime in seconds from issuance.
    pub expires_in: Option<i64>,
}

/// A stored key (no key material: its digest).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyRecord {
    pub key_id: String,
    pub digest: String,
    pub prefix: String,
    pub env: String,
    pub owner: String,
    pub label: String,
    pub scopes: Vec<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
    /// The digest of the key this one replaced (rotation).
    pub replaces: Option<String>,
}

impl KeyRecord {
    /// Whether the key is active, revoked or expired at `now`.
    pub fn status(&self, now: i64) -> KeyStatus {
        if self.revoked_at.is_some() {
            KeyStatus::Revoked
        } else if self.expires_at.is_some_and(|e| e <= now) {
            KeyStatus::Expired
        } else {
            KeyStatus::Active
        }
    }
}

/// A key's state at a time ([`KeyRecord::status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    Active,
    Revoked,
    Expired,
}

impl KeyStatus {
    /// `active`, `revoked` or `expired`, as listings show it.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "active",
            KeyStatus::Revoked => "revoked",
            KeyStatus::Expired => "expired",
        }
    }
}

impl std::fmt::Display for KeyStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// The answer to "is this key good?": what an API server asks on each request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Valid(Box<KeyRecord>),
    Revoked {
        key_id: String,
        reason: String,
    },
    Expired {
        key_id: String,
    },
    /// Well formed, checksum valid, but not in this store.
    Unknown,
    /// Not a well-formed key (checked before any lookup).
    Malformed(KeyError),
}

impl Verdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Valid(_) => "valid",
            Verdict::Revoked { .. } => "revoked",
            Verdict::Expired { .. } => "expired",
            Verdict::Unknown => "unknown",
            Verdict::Malformed(_) => "malformed",
        }
    }
}

/// Outcome of revoking one key (also the receiver's per-report answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeOutcome {
    Revoked,
    AlreadyRevoked,
    UnknownKey,
}

impl RevokeOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            RevokeOutcome::Revoked => "revoked",
            RevokeOutcome::AlreadyRevoked => "already-revoked",
            RevokeOutcome::UnknownKey => "unknown-key",
        }
    }
}

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRow {
    pub seq: i64,
    /// When it happened (for `verify-failed`: the first failure of its hour).
    pub at: i64,
    pub event: String,
    pub key_id: Option<String>,
    pub detail: String,
    /// How many times: 1, except for `verify-failed` (failures of that key and verdict in
    /// the hour starting at `at`).
    pub count: i64,
}

/// Seconds since the Unix epoch.
pub use keyhound_keys::time::now;

/// A duration or key lifetime that cannot be used; each message quotes what was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("`{0}` is not a duration (try 90d, 12h or 30m)")]
    NotADuration(String),
    #[error("unknown duration unit `{0}` (use s, m, h, d or w)")]
    Unit(String),
    #[error("`{0}` is too long")]
    TooLong(String),
    #[error(
        "`{0}`: a key must live at least 1 second (leave --expires out for a key that does not expire)"
    )]
    Zero(String),
    #[error(
        "`{0}` is more than 10 years (3650d): leave --expires out for a key that does not expire"
    )]
    OverTenYears(String),
}

/// Parses a duration such as `90d`, `7d`, `12h`, `30m`, `45s` into seconds.
pub fn parse_duration(s: &str) -> Result<i64, DurationError> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: i64 = num
        .parse()
        .map_err(|_| DurationError::NotADuration(s.to_string()))?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" | "" => 86_400,
        "w" => 7 * 86_400,
        other => return Err(DurationError::Unit(other.to_string())),
    };
    n.checked_mul(mult)
        .ok_or_else(|| DurationError::TooLong(s.to_string()))
}

/// A key lifetime (`--expires`): a [`parse_duration`] from 1 second to 10 years.
pub fn parse_lifetime(s: &str) -> Result<i64, DurationError> {
    let d = parse_duration(s).map_err(|e| match e {
        DurationError::TooLong(s) => DurationError::OverTenYears(s),
        e => e,
    })?;
    if d == 0 {
        return Err(DurationError::Zero(s.to_string()));
    }
    if d > MAX_LIFETIME_SECS {
        return Err(DurationError::OverTenYears(s.to_string()));
    }
    Ok(d)
}

const RECORD_COLUMNS: &str = "key_id, digest, prefix, env, owner, label, scopes, created_at, \
                              expires_at, revoked_at, revoked_reason, replaces";

fn record(row: &rusqlite::Row<'_>) -> rusqlite::Result<KeyRecord> {
    let scopes: String = row.get(6)?;
    Ok(KeyRecord {
        key_id: row.get(0)?,
        digest: row.get(1)?,
        prefix: row.get(2)?,
        env: row.get(3)?,
        owner: row.get(4)?,
        label: row.get(5)?,
        scopes: scopes
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        created_at: row.get(7)?,
        expires_at: row.get(8)?,
        revoked_at: row.get(9)?,
        revoked_reason: row.get(10)?,
        replaces: row.get(11)?,
    })
}

/// `path` for a `file:` URI: absolute, with `%`, `?` and `#` percent-encoded.
fn uri_path(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for c in abs.to_string_lossy().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

/// The key store.
pub struct KeyStore {
    conn: Connection,
    read_only: bool,
}

impl KeyStore {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<KeyStore, StoreError> {
        let conn = Connection::open(path).map_err(|e| StoreError::Open {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        // WAL: readers never block the writer; a busy store waits rather than failing.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        KeyStore::init(conn)
    }

    /// Opens the store at `path` for reading only: nothing is written (no migration, no
    /// change of mode or journal), so it works on a store that is not writable. The schema
    /// may be older than this keyhound's (it is read as it is) but not newer.
    pub fn open_read_only(path: &Path) -> Result<KeyStore, StoreError> {
        let open_error = |message: String| StoreError::Open {
            path: path.display().to_string(),
            message,
        };
        if !path.exists() {
            return Err(open_error("no such file".into()));
        }
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX
            | rusqlite::OpenFlags::SQLITE_OPEN_URI;
        let open = |conn: Connection| -> rusqlite::Result<(Connection, i64)> {
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            let version = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            Ok((conn, version))
        };
        let (conn, version) = match Connection::open_with_flags(path, flags).and_then(open) {
            Ok(v) => v,
            Err(e) => {
                // A WAL store in a directory we cannot write: SQLite cannot make the shared
                // memory file beside it. With no write-ahead log to read, nothing is lost by
                // reading the file alone (`immutable`); with one, that would be stale.
                let wal = path.with_file_name(format!(
                    "{}-wal",
                    path.file_name().unwrap_or_default().to_string_lossy()
                ));
                let wal_empty = std::fs::metadata(&wal).map_or(true, |m| m.len() == 0);
                if !wal_empty {
                    return Err(open_error(e.to_string()));
                }
                let uri = format!("file:{}?mode=ro&immutable=1", uri_path(path));
                Connection::open_with_flags(uri, flags)
                    .and_then(open)
                    .map_err(|_| open_error(e.to_string()))?
            }
        };
        if version as usize > MIGRATIONS.len() {
            return Err(open_error(format!(
                "schema version {version} is newer than this keyhound knows ({})",
                MIGRATIONS.len()
            )));
        }
        if version == 0 {
            return Err(open_error("not a keyhound key store (empty schema)".into()));
        }
        Ok(KeyStore {
            conn,
            read_only: true,
        })
    }

    /// Whether this store was opened read-only ([`KeyStore::open_read_only`]).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// A store in memory (tests, examples).
    pub fn open_in_memory() -> Result<KeyStore, StoreError> {
        KeyStore::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<KeyStore, StoreError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version as usize > MIGRATIONS.len() {
            return Err(StoreError::Open {
                path: conn.path().unwrap_or("<memory>").to_string(),
                message: format!(
                    "schema version {version} is newer than this keyhound knows ({})",
                    MIGRATIONS.len()
                ),
            });
        }
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(m)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        // SQLite opens a file it may not write read-only: say so rather than fail later.
        let read_only = conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false);
        Ok(KeyStore { conn, read_only })
    }

    /// The schema version in effect.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    fn audit_in(
        tx: &rusqlite::Transaction<'_>,
        event: &str,
        key_id: Option<&str>,
        detail: &str,
    ) -> rusqlite::Result<()> {
        tx.execute(
            "INSERT INTO audit (at, event, key_id, detail) VALUES (?1, ?2, ?3, ?4)",
            params![now(), event, key_id, detail],
        )?;
        Ok(())
    }

    /// Issues a key and records it (its digest only).
    pub fn issue(
        &mut self,
        issuer: &Issuer,
        env: Env,
        new: &NewKey,
    ) -> Result<IssuedKey, StoreError> {
        let tx = self.conn.transaction()?;
        let key = issuer.issue(env)?;
        Self::insert(&tx, &key, new, None)?;
        Self::audit_in(
            &tx,
            "issued",
            Some(&key.key_id),
            &format!("owner={} env={}", new.owner, env),
        )?;
        tx.commit()?;
        Ok(key)
    }

    fn insert(
        tx: &rusqlite::Transaction<'_>,
        key: &IssuedKey,
        new: &NewKey,
        replaces: Option<&str>,
    ) -> rusqlite::Result<()> {
        let created = now();
        tx.execute(
            "INSERT INTO keys (digest, key_id, prefix, env, owner, label, scopes, created_at, \
             expires_at, replaces) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                key.digest,
                key.key_id,
                key.prefix,
                key.env.as_str(),
                new.owner,
                new.label,
                new.scopes.join(","),
                created,
                new.expires_in.map(|s| created + s),
                replaces,
            ],
        )?;
        Ok(())
    }

    /// The record for a key id (8 hex digits) or any longer prefix of the digest.
    pub fn find(&self, id: &str) -> Result<KeyRecord, StoreError> {
        let id = id.trim().to_ascii_lowercase();
        if id.len() < 8 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound(id));
        }
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {RECORD_COLUMNS} FROM keys WHERE key_id = ?1 AND substr(digest, 1, ?2) = ?3"
        ))?;
        let found: Vec<KeyRecord> = stmt
            .query_map(params![&id[..8], id.len() as i64, id], record)?
            .collect::<Result<_, _>>()?;
        match found.len() {
            0 => Err(StoreError::NotFound(id)),
            1 => Ok(found.into_iter().next().expect("one")),
            n => Err(StoreError::Ambiguous(id, n)),
        }
    }

    /// Every key, oldest first.
    pub fn list(&self) -> Result<Vec<KeyRecord>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {RECORD_COLUMNS} FROM keys ORDER BY created_at, key_id"
        ))?;
        let rows = stmt.query_map([], record)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Revokes the key `id` names; `location` (where it leaked) goes to the audit trail.
    pub fn revoke(
        &mut self,
        id: &str,
        reason: &str,
        location: Option<&str>,
    ) -> Result<RevokeOutcome, StoreError> {
        let rec = self.find(id)?;
        self.revoke_digest(&rec.digest, reason, location)
    }

    /// Revokes the key with this SHA-256 digest (what a revocation report carries).
    pub fn revoke_digest(
        &mut self,
        digest: &str,
        reason: &str,
        location: Option<&str>,
    ) -> Result<RevokeOutcome, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut detail = format!("reason={reason}");
        if let Some(l) = location {
            detail.push_str(&format!(" location={l}"));
        }
        let outcome = Self::revoke_in(&tx, digest, reason, &detail)?;
        tx.commit()?;
        Ok(outcome)
    }

    /// Revokes one key inside `tx` (audited with `detail`), unless unknown or already revoked.
    fn revoke_in(
        tx: &rusqlite::Transaction<'_>,
        digest: &str,
        reason: &str,
        detail: &str,
    ) -> rusqlite::Result<RevokeOutcome> {
        let row: Option<(String, Option<i64>)> = tx
            .prepare_cached("SELECT key_id, revoked_at FROM keys WHERE digest = ?1")?
            .query_row(params![digest], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(match row {
            None => RevokeOutcome::UnknownKey,
            Some((_, Some(_))) => RevokeOutcome::AlreadyRevoked,
            Some((key_id, None)) => {
                tx.prepare_cached(
                    "UPDATE keys SET revoked_at = ?1, revoked_reason = ?2 WHERE digest = ?3",
                )?
                .execute(params![now(), reason, digest])?;
                Self::audit_in(tx, "revoked", Some(&key_id), detail)?;
                RevokeOutcome::Revoked
            }
        })
    }

    /// Issues the replacement of key `id`; the old key stays valid for `grace` seconds more
    /// (never longer than it already would), so clients can move over.
    pub fn rotate(&mut self, id: &str, grace: i64) -> Result<IssuedKey, StoreError> {
        let old = self.find(id)?;
        let env = if old.env == "test" {
            Env::Test
        } else {
            Env::Live
        };
        let issuer = Issuer::new(&old.prefix)?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let key = issuer.issue(env)?;
        let new = NewKey {
            owner: old.owner.clone(),
            label: old.label.clone(),
            scopes: old.scopes.clone(),
            // The replacement lives as long as the old key was meant to.
            expires_in: old.expires_at.map(|e| (e - old.created_at).max(0)),
        };
        Self::insert(&tx, &key, &new, Some(&old.digest))?;
        let until = now() + grace;
        let until = old.expires_at.map_or(until, |e| e.min(until));
        tx.execute(
            "UPDATE keys SET expires_at = ?1 WHERE digest = ?2",
            params![until, old.digest],
        )?;
        Self::audit_in(
            &tx,
            "rotated",
            Some(&old.key_id),
            &format!(
                "replaced_by={} old_valid_until={}",
                key.key_id,
                keyhound_keys::time::rfc3339(until)
            ),
        )?;
        Self::audit_in(
            &tx,
            "issued",
            Some(&key.key_id),
            &format!("owner={} env={} replaces={}", new.owner, env, old.key_id),
        )?;
        tx.commit()?;
        Ok(key)
    }

    /// Checks a presented key: checksum first (no lookup for malformed keys), then the
    /// digest. Failed verifications are counted in the audit trail (with the key id, never
    /// the key): one row per key, verdict and hour. A read-only store answers without
    /// counting.
    pub fn verify(&mut self, key: &str) -> Result<Verdict, StoreError> {
        let verdict = match parse(key) {
            Err(e) => Verdict::Malformed(e),
            Ok(_) => {
                let d = digest(key);
                let rec = self
                    .conn
                    .query_row(
                        &format!("SELECT {RECORD_COLUMNS} FROM keys WHERE digest = ?1"),
                        params![d],
                        record,
                    )
                    .optional()?;
                match rec {
                    None => Verdict::Unknown,
                    Some(r) if r.revoked_at.is_some() => Verdict::Revoked {
                        key_id: r.key_id.clone(),
                        reason: r.revoked_reason.clone().unwrap_or_default(),
                    },
                    Some(r) if r.expires_at.is_some_and(|e| e <= now()) => Verdict::Expired {
                        key_id: r.key_id.clone(),
                    },
                    Some(r) => Verdict::Valid(Box::new(r)),
                }
            }
        };
        if !matches!(verdict, Verdict::Valid(_)) && !self.read_only {
            let key_id = match &verdict {
                Verdict::Revoked { key_id, .. } | Verdict::Expired { key_id } => {
                    Some(key_id.clone())
                }
                _ => None,
            };
            self.count_failure(key_id.as_deref(), &format!("verdict={}", verdict.as_str()))?;
        }
        Ok(verdict)
    }

    /// Adds one to this hour's `verify-failed` row for `key_id` and `detail`, or starts it.
    fn count_failure(&mut self, key_id: Option<&str>, detail: &str) -> Result<(), StoreError> {
        let t = now();
        let hour = t - t.rem_euclid(VERIFY_FAILED_BUCKET_SECS);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let bumped = tx
            .prepare_cached(
                "UPDATE audit SET count = count + 1 WHERE seq = (SELECT seq FROM audit \
                 WHERE event = 'verify-failed' AND key_id IS ?1 AND detail = ?2 \
                 AND at >= ?3 AND at < ?4 ORDER BY seq DESC LIMIT 1)",
            )?
            .execute(params![
                key_id,
                detail,
                hour,
                hour + VERIFY_FAILED_BUCKET_SECS
            ])?;
        if bumped == 0 {
            Self::audit_in(&tx, "verify-failed", key_id, detail)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The audit trail, oldest first.
    pub fn audit(&self) -> Result<Vec<AuditRow>, StoreError> {
        // A store read as it is may predate the count column (schema 3).
        let count = if self.schema_version()? >= 3 {
            "count"
        } else {
            "1"
        };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT seq, at, event, key_id, detail, {count} FROM audit ORDER BY seq"
        ))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(AuditRow {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    event: r.get(2)?,
                    key_id: r.get(3)?,
                    detail: r.get(4)?,
                    count: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Applies one revocation message atomically: records its id (forgetting ids older than
    /// `keep` seconds) and revokes each `(digest, location)` with reason `leaked`. `None`
    /// when the id was seen before (a replay: nothing is changed). Either everything is
    /// written or nothing is, so a failed request can be retried safely.
    pub fn apply_revocations(
        &mut self,
        message_id: &str,
        keep: i64,
        reports: &[(String, String)],
    ) -> Result<Option<Vec<RevokeOutcome>>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let t = now();
        tx.execute(
            "DELETE FROM webhook_messages WHERE received_at < ?1",
            params![t - keep],
        )?;
        let fresh = tx.execute(
            "INSERT OR IGNORE INTO webhook_messages (id, received_at) VALUES (?1, ?2)",
            params![message_id, t],
        )? == 1;
        if !fresh {
            return Ok(None);
        }
        let mut outcomes = Vec::with_capacity(reports.len());
        for (digest, location) in reports {
            let detail = format!("reason=leaked message={message_id} location={location}");
            outcomes.push(Self::revoke_in(&tx, digest, "leaked", &detail)?);
        }
        tx.commit()?;
        Ok(Some(outcomes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> KeyStore {
        KeyStore::open_in_memory().unwrap()
    }

    #[test]
    fn issue_verify_revoke() {
        let mut s = store();
        let acme = Issuer::new("acme").unwrap();
        let k = s
            .issue(
                &acme,
                Env::Live,
                &NewKey {
                    owner: "team-a".into(),
                    scopes: vec!["read".into(), "write".into()],
                    ..NewKey::default()
                },
            )
            .unwrap();
        let Verdict::Valid(rec) = s.verify(k.expose()).unwrap() else {
            panic!("not valid")
        };
        assert_eq!(rec.owner, "team-a");
        assert_eq!(rec.scopes, ["read", "write"]);
        assert_eq!(rec.digest, k.digest);
        assert_eq!(
            s.revoke(&k.key_id, "leaked", Some("repo@abc:src/a.rs:3"))
                .unwrap(),
            RevokeOutcome::Revoked
        );
        assert_eq!(
            s.revoke(&k.key_id, "leaked", None).unwrap(),
            RevokeOutcome::AlreadyRevoked
        );
        assert!(matches!(
            s.verify(k.expose()).unwrap(),
            Verdict::Revoked { .. }
        ));
        assert_eq!(
            s.revoke_digest(&"0".repeat(64), "leaked", None).unwrap(),
            RevokeOutcome::UnknownKey
        );
        let events: Vec<String> = s.audit().unwrap().into_iter().map(|a| a.event).collect();
        assert_eq!(events, ["issued", "revoked", "verify-failed"]);
        // Nothing in the store is the key itself.
        let dump = format!("{:?}{:?}", s.list().unwrap(), s.audit().unwrap());
        assert!(!dump.contains(k.expose()));
    }

    #[test]
    fn malformed_unknown_expired() {
        let mut s = store();
        assert!(matches!(
            s.verify("acme_live_nope").unwrap(),
            Verdict::Malformed(_)
        ));
        let other = keyhound_keys::issue("acme", Env::Live).unwrap();
        assert_eq!(s.verify(other.expose()).unwrap(), Verdict::Unknown);
        let acme = Issuer::new("acme").unwrap();
        let k = s
            .issue(
                &acme,
                Env::Test,
                &NewKey {
                    expires_in: Some(-1),
                    ..NewKey::default()
                },
            )
            .unwrap();
        assert!(matches!(
            s.verify(k.expose()).unwrap(),
            Verdict::Expired { .. }
        ));
    }

    #[test]
    fn rotation_keeps_the_old_key_for_the_grace_period() {
        let mut s = store();
        let acme = Issuer::new("acme").unwrap();
        let old = s.issue(&acme, Env::Live, &NewKey::default()).unwrap();
        let new = s.rotate(&old.key_id, 7 * 86_400).unwrap();
        assert!(matches!(s.verify(old.expose()).unwrap(), Verdict::Valid(_)));
        let Verdict::Valid(rec) = s.verify(new.expose()).unwrap() else {
            panic!()
        };
        assert_eq!(rec.replaces.as_deref(), Some(old.digest.as_str()));
        let old_rec = s.find(&old.key_id).unwrap();
        let until = old_rec.expires_at.unwrap();
        assert!((until - now() - 7 * 86_400).abs() < 5);
        // No grace: the old key stops at once.
        let newer = s.rotate(&new.key_id, 0).unwrap();
        assert!(matches!(
            s.verify(new.expose()).unwrap(),
            Verdict::Expired { .. }
        ));
        assert!(matches!(
            s.verify(newer.expose()).unwrap(),
            Verdict::Valid(_)
        ));
    }

    #[test]
    fn audit_is_append_only_and_schema_is_versioned() {
        let s = store();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        s.conn
            .execute("INSERT INTO audit (at, event) VALUES (1, 'x')", [])
            .unwrap();
        assert!(s.conn.execute("DELETE FROM audit", []).is_err());
        assert!(s.conn.execute("UPDATE audit SET event = 'y'", []).is_err());
    }

    #[test]
    fn only_a_verify_failed_count_may_grow() {
        let mut s = store();
        let acme = Issuer::new("acme").unwrap();
        let k = s.issue(&acme, Env::Live, &NewKey::default()).unwrap();
        s.revoke(&k.key_id, "leaked", None).unwrap();
        s.verify(k.expose()).unwrap();
        let update = |sql: &str| s.conn.execute(sql, []);
        assert!(update("UPDATE audit SET count = count + 1 WHERE event = 'verify-failed'").is_ok());
        for sql in [
            "UPDATE audit SET count = count + 1 WHERE event = 'issued'",
            "UPDATE audit SET count = 0 WHERE event = 'verify-failed'",
            "UPDATE audit SET detail = 'x', count = count + 1 WHERE event = 'verify-failed'",
            "UPDATE audit SET at = 0, count = count + 1 WHERE event = 'verify-failed'",
            "DELETE FROM audit WHERE event = 'verify-failed'",
        ] {
            assert!(update(sql).is_err(), "{sql}");
        }
    }

    #[test]
    fn failed_verifications_are_counted_per_key_verdict_and_hour() {
        let mut s = store();
        let acme = Issuer::new("acme").unwrap();
        let revoked = s.issue(&acme, Env::Live, &NewKey::default()).unwrap();
        let other = s.issue(&acme, Env::Live, &NewKey::default()).unwrap();
        s.revoke(&revoked.key_id, "leaked", None).unwrap();
        s.revoke(&other.key_id, "leaked", None).unwrap();
        let stranger = keyhound_keys::issue("acme", Env::Live).unwrap();
        for _ in 0..50 {
            s.verify(revoked.expose()).unwrap();
            s.verify(stranger.expose()).unwrap();
        }
        s.verify(other.expose()).unwrap();
        s.verify("acme_live_nope").unwrap();
        let failed: Vec<AuditRow> = s
            .audit()
            .unwrap()
            .into_iter()
            .filter(|a| a.event == "verify-failed")
            .collect();
        let count = |key_id: Option<&str>, detail: &str| {
            let rows: Vec<&AuditRow> = failed
                .iter()
                .filter(|a| a.key_id.as_deref() == key_id && a.detail == detail)
                .collect();
            assert!(rows.len() <= 2, "at most two hours in this test: {rows:?}");
            rows.iter().map(|a| a.count).sum::<i64>()
        };
        assert_eq!(count(Some(&revoked.key_id), "verdict=revoked"), 50);
        assert_eq!(count(Some(&other.key_id), "verdict=revoked"), 1);
        assert_eq!(count(None, "verdict=unknown"), 50);
        assert_eq!(count(None, "verdict=malformed"), 1);
        // 102 failures, at most 8 rows (4 kinds, the hour may turn during the test).
        assert!(failed.len() <= 8, "{failed:?}");
        // A row from an earlier hour is left as it was; a new one starts.
        let hour_ago = now() - VERIFY_FAILED_BUCKET_SECS;
        s.conn
            .execute(
                "INSERT INTO audit (at, event, key_id, detail, count) VALUES (?1, 'verify-failed', ?2, 'verdict=revoked', 7)",
                params![hour_ago, other.key_id],
            )
            .unwrap();
        s.verify(other.expose()).unwrap();
        let old = s
            .audit()
            .unwrap()
            .into_iter()
            .find(|a| a.at == hour_ago)
            .unwrap();
        assert_eq!(old.count, 7);
    }

    #[test]
    fn a_store_opened_read_only_is_read_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.sqlite");
        {
            let mut conn = Connection::open(&path).unwrap();
            let tx = conn.transaction().unwrap();
            tx.execute_batch(MIGRATIONS[0]).unwrap();
            tx.execute_batch(MIGRATIONS[1]).unwrap();
            tx.execute("INSERT INTO audit (at, event) VALUES (1, 'issued')", [])
                .unwrap();
            tx.pragma_update(None, "user_version", 2).unwrap();
            tx.commit().unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let mut s = KeyStore::open_read_only(&path).unwrap();
        assert!(s.is_read_only());
        assert_eq!(s.schema_version().unwrap(), 2, "not migrated");
        assert_eq!(s.list().unwrap(), vec![]);
        let audit = s.audit().unwrap();
        assert_eq!((audit.len(), audit[0].count), (1, 1));
        // Verifying answers, without counting (nothing can be written).
        let stranger = keyhound_keys::issue("acme", Env::Live).unwrap();
        assert_eq!(s.verify(stranger.expose()).unwrap(), Verdict::Unknown);
        let acme = Issuer::new("acme").unwrap();
        assert!(s.issue(&acme, Env::Live, &NewKey::default()).is_err());
        drop(s);
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "the file is unchanged"
        );
        assert!(KeyStore::open_read_only(&dir.path().join("missing.sqlite")).is_err());
    }

    #[test]
    fn sqlite_errors_are_said_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.sqlite");
        std::fs::write(&path, "this is not a database, not at all; it is text").unwrap();
        for e in [
            KeyStore::open(&path).err().unwrap(),
            KeyStore::open_read_only(&path).err().unwrap(),
        ] {
            let shown = format!("{:#}", anyhow::Error::from(e));
            assert_eq!(shown.matches("not a database").count(), 1, "{shown}");
        }
    }

    #[test]
    fn an_older_store_is_migrated_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        let s = KeyStore::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        let index: i64 = s
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'webhook_messages_received'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(index, 1);
        drop(s);
        // A store from a newer keyhound is refused, not damaged.
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        assert!(KeyStore::open(&path).is_err());
    }

    #[test]
    fn replayed_messages_change_nothing() {
        let mut s = store();
        let acme = Issuer::new("acme").unwrap();
        let k = s.issue(&acme, Env::Live, &NewKey::default()).unwrap();
        let report = [(k.digest.clone(), "repo@c:p:1".to_string())];
        assert_eq!(
            s.apply_revocations("msg_1", 600, &report).unwrap(),
            Some(vec![RevokeOutcome::Revoked])
        );
        assert_eq!(s.apply_revocations("msg_1", 600, &report).unwrap(), None);
        assert_eq!(
            s.apply_revocations("msg_2", 600, &report).unwrap(),
            Some(vec![RevokeOutcome::AlreadyRevoked])
        );
        let revoked = s
            .audit()
            .unwrap()
            .iter()
            .filter(|a| a.event == "revoked")
            .count();
        assert_eq!(revoked, 1);
    }

    #[test]
    fn lifetimes_are_between_a_second_and_ten_years() {
        assert_eq!(parse_lifetime("90d").unwrap(), 90 * 86_400);
        assert_eq!(parse_lifetime("1s").unwrap(), 1);
        assert_eq!(parse_lifetime("3650d").unwrap(), MAX_LIFETIME_SECS);
        for bad in ["0d", "0s", "0", "3651d", "99999999d", "999999999999999999w"] {
            let e = parse_lifetime(bad).unwrap_err().to_string();
            assert!(
                e.contains(bad) && (e.contains("at least") || e.contains("10 years")),
                "{e}"
            );
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90d").unwrap(), 90 * 86_400);
        assert_eq!(parse_duration("12h").unwrap(), 12 * 3600);
        assert_eq!(parse_duration("30m").unwrap(), 1800);
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3y").is_err());
    }

    #[test]
    fn short_or_ambiguous_ids() {
        let s = store();
        assert!(matches!(s.find("abc"), Err(StoreError::NotFound(_))));
        assert!(matches!(s.find("zzzzzzzz"), Err(StoreError::NotFound(_))));
    }
}
