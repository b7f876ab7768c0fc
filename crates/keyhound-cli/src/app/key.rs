//! `keyhound key`: issue, list, revoke, rotate, verify, audit and check keys, one function
//! per subcommand; the listings' text and JSON shapes are functions of their own.
//!
//! Everything a person reads has its control characters escaped: owners, labels, reasons
//! and locations may come from other people (a signed webhook report's location, say).

use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::cli::{KeyCommand, KeyFormat};
use anyhow::{Context, Result};
use keyhound::keys::{self, Env, IssuedKey, Issuer};
use keyhound::term::escape_controls as esc;
use keyhound::util::rfc3339;
use keyhound_issuer::store::{self, AuditRow, KeyRecord, KeyStatus, KeyStore, NewKey, Verdict};
use std::io::{IsTerminal, Write};
use std::path::Path;

pub(super) fn run(cmd: KeyCommand) -> Result<i32> {
    match cmd {
        KeyCommand::New {
            prefix,
            env,
            count,
            format,
            db,
            owner,
            label,
            scopes,
            expires,
        } => {
            let new = NewKey {
                owner,
                label,
                scopes,
                expires_in: expires,
            };
            let issued = issue(&prefix, env, count, db.as_deref(), &new)?;
            print_keys(&issued, format)?;
            Ok(EXIT_CLEAN)
        }
        KeyCommand::List {
            db,
            stale,
            max_age,
            format,
        } => list(&db, stale.then_some(max_age), format),
        KeyCommand::Revoke { key_id, db, reason } => {
            let outcome = KeyStore::open(&db)?.revoke(&key_id, &reason, None)?;
            println!("{}: {}", esc(&key_id), outcome.as_str());
            Ok(EXIT_CLEAN)
        }
        KeyCommand::Rotate {
            key_id,
            db,
            grace,
            format,
        } => rotate(&key_id, &db, grace, format),
        KeyCommand::Verify { key, db } => verify(&read_key(key)?, &db),
        KeyCommand::Audit { db, format } => {
            let rows = KeyStore::open_read_only(&db)?.audit()?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match format {
                // One document, as `key list --format json` is.
                KeyFormat::Json => write_json(&mut out, &serde_json::json!({ "audit": rows }))?,
                KeyFormat::Text => write_audit_table(&mut out, &rows)?,
            }
            out.flush()?;
            Ok(EXIT_CLEAN)
        }
        KeyCommand::Check { key } => Ok(check(&read_key(key)?)),
    }
}

/// `-` reads the key from standard input (so it stays out of the shell's history).
fn read_key(key: String) -> Result<String> {
    if key != "-" {
        return Ok(key);
    }
    let mut s = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
        .context("cannot read the key from standard input")?;
    Ok(s.trim().to_string())
}

/// `key new`: `count` keys, recorded in the store at `db` when one is given.
fn issue(
    prefix: &str,
    env: Env,
    count: u32,
    db: Option<&Path>,
    new: &NewKey,
) -> Result<Vec<IssuedKey>> {
    let issuer = Issuer::new(prefix)?;
    let mut store = db.map(KeyStore::open).transpose()?;
    (0..count)
        .map(|_| match &mut store {
            Some(store) => Ok(store.issue(&issuer, env, new)?),
            None => Ok(issuer.issue(env)?),
        })
        .collect()
}

/// `key list`, with `stale_after` (`--stale --max-age`): only active keys at least that old.
fn list(db: &Path, stale_after: Option<i64>, format: KeyFormat) -> Result<i32> {
    let store = KeyStore::open_read_only(db)?;
    let now = store::now();
    let mut keys = store.list()?;
    if let Some(max_age) = stale_after {
        keys.retain(|k| k.status(now) == KeyStatus::Active && now - k.created_at >= max_age);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        KeyFormat::Json => {
            let list: Vec<serde_json::Value> = keys
                .iter()
                .map(|k| {
                    let mut v = serde_json::to_value(k).unwrap_or_default();
                    v["status"] = serde_json::json!(k.status(now).as_str());
                    v
                })
                .collect();
            write_json(&mut out, &serde_json::json!({ "keys": list }))?;
        }
        KeyFormat::Text => write_key_table(&mut out, &keys, now)?,
    }
    out.flush()?;
    Ok(EXIT_CLEAN)
}

fn write_json(out: &mut impl Write, value: &serde_json::Value) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

fn write_key_table(out: &mut impl Write, keys: &[KeyRecord], now: i64) -> Result<()> {
    writeln!(
        out,
        "{:8}  {:8}  {:4}  {:20}  {:20}  {:20}  owner / label",
        "key id", "status", "env", "created", "expires", "prefix"
    )?;
    for k in keys {
        writeln!(
            out,
            "{:8}  {:8}  {:4}  {:20}  {:20}  {:20}  {} {}",
            k.key_id,
            k.status(now),
            k.env,
            rfc3339(k.created_at),
            k.expires_at.map(rfc3339).unwrap_or_else(|| "never".into()),
            esc(&k.prefix),
            esc(&k.owner),
            esc(&k.label)
        )?;
    }
    writeln!(
        out,
        "{} key{}",
        keys.len(),
        if keys.len() == 1 { "" } else { "s" }
    )?;
    Ok(())
}

fn write_audit_table(out: &mut impl Write, rows: &[AuditRow]) -> Result<()> {
    for r in rows {
        let count = if r.event == "verify-failed" {
            format!(" count={} (in the hour from this time)", r.count)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{}  {:13}  {:8}  {}{count}",
            rfc3339(r.at),
            esc(&r.event),
            esc(r.key_id.as_deref().unwrap_or("-")),
            esc(&r.detail)
        )?;
    }
    Ok(())
}

/// `key rotate`: a new key for the same owner; the old one stays valid for `grace` seconds.
fn rotate(key_id: &str, db: &Path, grace: i64, format: KeyFormat) -> Result<i32> {
    let mut store = KeyStore::open(db)?;
    let key = store.rotate(key_id, grace)?;
    print_keys(std::slice::from_ref(&key), format)?;
    eprintln!(
        "{} stays valid until {}; move clients to {} before then.",
        esc(key_id),
        store
            .find(key_id)?
            .expires_at
            .map(rfc3339)
            .unwrap_or_default(),
        key.key_id
    );
    Ok(EXIT_CLEAN)
}

/// `key verify`: the store's verdict; exit 1 unless the key is valid.
fn verify(key: &str, db: &Path) -> Result<i32> {
    // A store that cannot be written still answers; failures are then not counted.
    let mut store = match KeyStore::open(db) {
        Ok(s) => s,
        Err(e) => KeyStore::open_read_only(db).map_err(|_| e)?,
    };
    let verdict = store.verify(key)?;
    if store.is_read_only() && !matches!(verdict, Verdict::Valid(_)) {
        eprintln!(
            "warning: key store {} is read-only: this failed verification is not counted \
             in its audit trail",
            db.display()
        );
    }
    match &verdict {
        Verdict::Valid(r) => println!(
            "valid: key id {}, owner {}, env {}{}",
            r.key_id,
            if r.owner.is_empty() {
                "-".into()
            } else {
                esc(&r.owner)
            },
            r.env,
            r.expires_at
                .map(|e| format!(", expires {}", rfc3339(e)))
                .unwrap_or_default()
        ),
        Verdict::Revoked { key_id, reason } => {
            println!("revoked: key id {key_id} ({})", esc(reason))
        }
        Verdict::Expired { key_id } => println!("expired: key id {key_id}"),
        Verdict::Unknown => println!("unknown: well formed, but not in this store"),
        Verdict::Malformed(e) => println!("malformed: {e}"),
    }
    Ok(if matches!(verdict, Verdict::Valid(_)) {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

/// `key check`: the offline checks (format, checksum); exit 1 for a key that fails them.
fn check(key: &str) -> i32 {
    match keys::parse(key) {
        Ok(p) => {
            let digest = keys::digest(key);
            println!(
                "valid: prefix {}, env {}, key id {}",
                p.prefix,
                p.env,
                keys::key_id(&digest)
            );
            EXIT_CLEAN
        }
        Err(e) => {
            println!("invalid: {e}");
            EXIT_FINDINGS
        }
    }
}

/// Prints newly issued keys (shown once) with their digests and key ids.
fn print_keys(issued: &[IssuedKey], format: KeyFormat) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        KeyFormat::Text => {
            for k in issued {
                writeln!(out, "{}", k.expose())?;
                writeln!(out, "  key id  {}", k.key_id)?;
                writeln!(out, "  sha256  {}", k.digest)?;
            }
        }
        KeyFormat::Json => {
            let list: Vec<serde_json::Value> = issued
                .iter()
                .map(|k| {
                    serde_json::json!({
                        "key": k.expose(),
                        "key_id": k.key_id,
                        "sha256": k.digest,
                        "prefix": k.prefix,
                        "env": k.env.as_str(),
                    })
                })
                .collect();
            write_json(&mut out, &serde_json::json!({ "keys": list }))?;
        }
    }
    out.flush()?;
    if std::io::stdout().is_terminal() {
        eprintln!("Shown once: hand each key to its owner and store only its sha256 digest.");
    }
    Ok(())
}
