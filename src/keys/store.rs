//! The issuer's key store: SQLite (embedded, no server), holding each key's SHA-256 digest —
//! never the key — with its owner, scopes, lifetime and revocation, and an append-only audit
//! trail of every issuance, rotation, revocation and failed verification.
//!
//! ```
//! use keyhound::keys::{Env, Issuer};
//! use keyhound::keys::store::{KeyStore, NewKey, Verdict};
//!
//! let mut store = KeyStore::open_in_memory().unwrap();
//! let acme = Issuer::new("acme").unwrap();
//! let key = store.issue(&acme, Env::Live, &NewKey { owner: "billing".into(), ..NewKey::default() }).unwrap();
//! assert!(matches!(store.verify(key.expose()).unwrap(), Verdict::Valid(_)));
//! store.revoke(&key.key_id, "leaked", None).unwrap();
//! assert!(matches!(store.verify(key.expose()).unwrap(), Verdict::Revoked { .. }));
//! ```

use super::{digest, parse, Env, IssuedKey, Issuer, KeyError};
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
];

/// Errors of the key store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("key store: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("no key with id {0}")]
    NotFound(String),
    #[error("key id {0} matches {1} keys: give more digits of the digest")]
    Ambiguous(String, usize),
    #[error("key store {path}: {message}")]
    Open { path: String, message: String },
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
    /// `active`, `revoked` or `expired` at `now`.
    pub fn status(&self, now: i64) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires_at.is_some_and(|e| e <= now) {
            "expired"
        } else {
            "active"
        }
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
    pub at: i64,
    pub event: String,
    pub key_id: Option<String>,
    pub detail: String,
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Parses a duration such as `90d`, `7d`, `12h`, `30m`, `45s` into seconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: i64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (try 90d, 12h or 30m)"))?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" | "" => 86_400,
        "w" => 7 * 86_400,
        other => {
            return Err(format!(
                "unknown duration unit `{other}` (use s, m, h, d or w)"
            ))
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("`{s}` is too long"))
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

/// The key store.
pub struct KeyStore {
    conn: Connection,
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
        Ok(KeyStore { conn })
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
                crate::report::rfc3339(until)
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
    /// digest. Failed verifications are audited (with the key id, never the key).
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
        if !matches!(verdict, Verdict::Valid(_)) {
            let key_id = match &verdict {
                Verdict::Revoked { key_id, .. } | Verdict::Expired { key_id } => {
                    Some(key_id.clone())
                }
                _ => None,
            };
            let tx = self.conn.transaction()?;
            Self::audit_in(
                &tx,
                "verify-failed",
                key_id.as_deref(),
                &format!("verdict={}", verdict.as_str()),
            )?;
            tx.commit()?;
        }
        Ok(verdict)
    }

    /// The audit trail, oldest first.
    pub fn audit(&self) -> Result<Vec<AuditRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, at, event, key_id, detail FROM audit ORDER BY seq")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(AuditRow {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    event: r.get(2)?,
                    key_id: r.get(3)?,
                    detail: r.get(4)?,
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
        let other = crate::keys::issue("acme", Env::Live).unwrap();
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
