//! Properties of issued keys (proptest) and the `keyhound key` commands.

use crate::common::keyhound;
use assert_cmd::Command;
use keyhound::keys::{self, Env, Issuer};
use proptest::prelude::*;
use std::collections::HashSet;

fn env_strategy() -> impl Strategy<Value = Env> {
    prop_oneof![Just(Env::Live), Just(Env::Test)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_issued_key_parses_and_verifies(prefix in "[a-z0-9]{2,16}", env in env_strategy()) {
        let key = Issuer::new(&prefix).unwrap().issue(env).unwrap();
        let parsed = keys::parse(key.expose()).unwrap();
        prop_assert_eq!(parsed.prefix, prefix.as_str());
        prop_assert_eq!(parsed.env, env);
        prop_assert!(keys::verify_checksum(key.expose()));
        prop_assert_eq!(keys::digest(key.expose()), key.digest.clone());
    }

    #[test]
    fn every_single_character_change_fails(
        prefix in "[a-z0-9]{2,16}",
        env in env_strategy(),
        position in any::<prop::sample::Index>(),
        replacement in prop::char::range('!', '~'),
    ) {
        let key = Issuer::new(&prefix).unwrap().issue(env).unwrap();
        let mut chars: Vec<char> = key.expose().chars().collect();
        let i = position.index(chars.len());
        prop_assume!(chars[i] != replacement);
        chars[i] = replacement;
        let changed: String = chars.into_iter().collect();
        prop_assert!(!keys::verify_checksum(&changed), "{} still verifies", i);
    }
}

#[test]
fn no_duplicates_in_a_million_draws() {
    let issuer = Issuer::new("acme").unwrap();
    let mut seen = HashSet::with_capacity(1_000_000);
    for _ in 0..1_000_000 {
        let key = issuer.issue(Env::Live).unwrap();
        assert!(seen.insert(key.digest), "duplicate key issued");
    }
}

#[test]
fn key_new_prints_keys_digests_and_ids() {
    let out = keyhound()
        .args([
            "key", "new", "--prefix", "acme", "--count", "3", "--format", "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let list = doc["keys"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    for k in list {
        let key = k["key"].as_str().unwrap();
        assert!(key.starts_with("acme_live_"), "{key}");
        assert!(keys::verify_checksum(key));
        assert_eq!(k["sha256"].as_str().unwrap(), keys::digest(key));
        assert_eq!(k["key_id"].as_str().unwrap(), &keys::digest(key)[..8]);
        assert_eq!(k["env"], "live");
    }
    let text = keyhound()
        .args(["key", "new", "--prefix", "acme", "--env", "test"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("acme_test_"), "{text}");
    assert!(text.contains("sha256"), "{text}");
}

#[test]
fn key_new_rejects_bad_prefixes_and_counts() {
    keyhound()
        .args(["key", "new", "--prefix", "ACME"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("lowercase"));
    keyhound()
        .args(["key", "new", "--prefix", "acme", "--count", "0"])
        .assert()
        .code(2);
}

#[test]
fn key_check_accepts_valid_and_explains_invalid() {
    let key = keys::issue("acme", Env::Test).unwrap();
    let good = key.expose().to_string();
    keyhound()
        .args(["key", "check", &good])
        .assert()
        .success()
        .stdout(predicates::str::contains("acme"))
        .stdout(predicates::str::contains("test"))
        .stdout(predicates::str::contains(key.key_id.as_str()));
    // From standard input, so the key stays out of shell history.
    keyhound()
        .args(["key", "check", "-"])
        .write_stdin(format!("{good}\n"))
        .assert()
        .success();
    let mut typo = good.clone();
    let last = typo.pop().unwrap();
    typo.push(if last == 'a' { 'b' } else { 'a' });
    keyhound()
        .args(["key", "check", &typo])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("checksum"));
    keyhound()
        .args(["key", "check", &good[..good.len() - 2]])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("length"));
    keyhound()
        .args(["key", "check", &good.replacen("_test_", "_te$t_", 1)])
        .assert()
        .code(1);
}

/// Issues one key into `db` and returns (key, key id).
fn issue_into(db: &std::path::Path, extra: &[&str]) -> (String, String) {
    let out = keyhound()
        .args(["key", "new", "--prefix", "acme", "--format", "json", "--db"])
        .arg(db)
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let k = &doc["keys"][0];
    (
        k["key"].as_str().unwrap().to_string(),
        k["key_id"].as_str().unwrap().to_string(),
    )
}

fn stdout_of(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn key_store_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.sqlite");
    let (key, id) = issue_into(
        &db,
        &["--owner", "billing", "--scope", "read", "--expires", "90d"],
    );
    let verify = |key: &str| stdout_of(keyhound().args(["key", "verify", key, "--db"]).arg(&db));
    let (code, out) = verify(&key);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("valid:") && out.contains("billing"),
        "{out}"
    );

    // list shows metadata, never the key
    let (code, out) = stdout_of(keyhound().args(["key", "list", "--db"]).arg(&db));
    assert_eq!(code, 0);
    assert!(
        out.contains(&id) && out.contains("active") && !out.contains(&key),
        "{out}"
    );
    // nothing is older than 90 days yet
    let (_, out) = stdout_of(keyhound().args(["key", "list", "--stale", "--db"]).arg(&db));
    assert!(out.contains("0 keys"), "{out}");
    let (_, out) = stdout_of(
        keyhound()
            .args(["key", "list", "--stale", "--max-age", "0s", "--db"])
            .arg(&db),
    );
    assert!(out.contains("1 key"), "{out}");

    // rotate: the replacement is valid, the old key too during the grace period
    let out = keyhound()
        .args([
            "key", "rotate", &id, "--grace", "7d", "--format", "json", "--db",
        ])
        .arg(&db)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let new_key = doc["keys"][0]["key"].as_str().unwrap().to_string();
    assert_eq!(verify(&new_key).0, 0);
    assert_eq!(verify(&key).0, 0);

    // revoke
    keyhound()
        .args(["key", "revoke", &id, "--reason", "compromised", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicates::str::contains("revoked"));
    let (code, out) = verify(&key);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("revoked:") && out.contains("compromised"),
        "{out}"
    );

    // unknown and malformed
    let stranger = keys::issue("acme", Env::Live).unwrap();
    assert!(verify(stranger.expose()).1.starts_with("unknown"));
    assert!(verify("acme_live_short").1.starts_with("malformed"));

    // the audit trail has it all, and no key
    let (code, out) = stdout_of(keyhound().args(["key", "audit", "--db"]).arg(&db));
    assert_eq!(code, 0);
    for event in ["issued", "rotated", "revoked", "verify-failed"] {
        assert!(out.contains(event), "{event} missing: {out}");
    }
    assert!(!out.contains(&key) && !out.contains(&new_key));
    // the store file holds no key either
    let bytes = std::fs::read(&db).unwrap();
    let hay = String::from_utf8_lossy(&bytes);
    assert!(!hay.contains(&key) && !hay.contains(&new_key));
}

#[test]
fn key_store_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.sqlite");
    keyhound()
        .args(["key", "revoke", "deadbeef", "--db"])
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no key with id deadbeef"));
    keyhound()
        .args([
            "key",
            "new",
            "--prefix",
            "acme",
            "--expires",
            "soon",
            "--db",
        ])
        .arg(&db)
        .assert()
        .code(2);
    keyhound()
        .args(["key", "new", "--prefix", "acme", "--owner", "x"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--db"));
}

fn json_of(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).expect("one JSON document")
}

#[test]
fn list_and_audit_json_are_each_one_document() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.sqlite");
    let (_, id) = issue_into(&db, &[]);
    issue_into(&db, &[]);
    keyhound()
        .args(["key", "revoke", &id, "--db"])
        .arg(&db)
        .assert()
        .success();
    let list = json_of(
        keyhound()
            .args(["key", "list", "--format", "json", "--db"])
            .arg(&db),
    );
    assert_eq!(list["keys"].as_array().unwrap().len(), 2);
    let audit = json_of(
        keyhound()
            .args(["key", "audit", "--format", "json", "--db"])
            .arg(&db),
    );
    let rows = audit["audit"].as_array().unwrap();
    let events: Vec<&str> = rows.iter().map(|r| r["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["issued", "issued", "revoked"]);
    assert_eq!(rows[2]["key_id"], id.as_str());
    assert_eq!(rows[2]["count"], 1);
    // Documented as such.
    let help = keyhound()
        .args(["key", "audit", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(help).unwrap().contains(r#"{"audit": ["#));
}

#[test]
fn failed_verifications_are_counted_not_appended() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.sqlite");
    let (key, id) = issue_into(&db, &[]);
    keyhound()
        .args(["key", "revoke", &id, "--db"])
        .arg(&db)
        .assert()
        .success();
    let stranger = keys::issue("acme", Env::Live).unwrap();
    for _ in 0..5 {
        for k in [key.as_str(), stranger.expose()] {
            keyhound()
                .args(["key", "verify", k, "--db"])
                .arg(&db)
                .assert()
                .code(1);
        }
    }
    let audit = json_of(
        keyhound()
            .args(["key", "audit", "--format", "json", "--db"])
            .arg(&db),
    );
    let failed: Vec<&serde_json::Value> = audit["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["event"] == "verify-failed")
        .collect();
    let total = |key_id: &serde_json::Value| {
        failed
            .iter()
            .filter(|r| &r["key_id"] == key_id)
            .map(|r| r["count"].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!(total(&serde_json::json!(id)), 5, "{failed:?}");
    assert_eq!(total(&serde_json::Value::Null), 5, "{failed:?}");
    // Ten failures: one row per key (two if the hour turned meanwhile).
    assert!(failed.len() <= 4, "{failed:?}");
    let (_, text) = stdout_of(keyhound().args(["key", "audit", "--db"]).arg(&db));
    assert!(text.contains("verdict=revoked count=5"), "{text}");
}

#[test]
fn lifetimes_must_be_sensible() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.sqlite");
    for (expires, said) in [
        ("0d", "at least 1 second"),
        ("0s", "at least 1 second"),
        ("3651d", "more than 10 years"),
        ("99999999999999999d", "more than 10 years"),
    ] {
        keyhound()
            .args([
                "key",
                "new",
                "--prefix",
                "acme",
                "--expires",
                expires,
                "--db",
            ])
            .arg(&db)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(said));
    }
    let (_, id) = issue_into(&db, &["--expires", "3650d"]);
    keyhound()
        .args(["key", "rotate", &id, "--grace", "99999d", "--db"])
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("more than 10 years"));
    let list = json_of(
        keyhound()
            .args(["key", "list", "--format", "json", "--db"])
            .arg(&db),
    );
    assert_eq!(
        list["keys"].as_array().unwrap().len(),
        1,
        "nothing issued by the refusals"
    );
}

#[test]
fn key_new_help_says_what_db_writes() {
    let help = keyhound()
        .args(["key", "new", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(help).unwrap();
    assert!(!help.contains("Nothing is written to disk."), "{help}");
    assert!(
        help.contains("Without --db nothing is written to disk"),
        "{help}"
    );
}

#[test]
fn reading_a_store_changes_nothing_and_errors_are_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.sqlite");
    let (_, id) = issue_into(&db, &["--owner", "billing"]);
    // Closed cleanly: no write-ahead log left; a shared, read-only mode.
    assert!(!dir.path().join("keys.sqlite-wal").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let (code, out) = stdout_of(keyhound().args(["key", "list", "--db"]).arg(&db));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&id) && out.contains("billing"), "{out}");
    let (code, out) = stdout_of(keyhound().args(["key", "audit", "--db"]).arg(&db));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("issued"), "{out}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o444, "the mode is left alone");
    }
    // A store that is not one: the reason, once.
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, "not a key store, just some text that is long enough").unwrap();
    for cmd in ["list", "audit", "revoke"] {
        let mut c = keyhound();
        c.args(["key", cmd]);
        if cmd == "revoke" {
            c.arg("deadbeef");
        }
        let out = c.arg("--db").arg(&junk).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert_eq!(err.matches("not a database").count(), 1, "{cmd}: {err}");
    }
    // Listing a store that does not exist does not create it.
    let missing = dir.path().join("missing.sqlite");
    keyhound()
        .args(["key", "list", "--db"])
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no such file"));
    assert!(!missing.exists());
}

#[test]
fn owners_and_labels_are_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.sqlite");
    issue_into(&db, &["--owner", "ops\x1b[2J", "--label", "a\nforged line"]);
    for cmd in ["list", "audit"] {
        let (code, out) = stdout_of(keyhound().args(["key", cmd, "--db"]).arg(&db));
        assert_eq!(code, 0);
        assert!(!out.contains('\x1b'), "{cmd}: {out:?}");
        assert!(out.contains("ops\\x1b[2J"), "{cmd}: {out}");
    }
    let (_, out) = stdout_of(keyhound().args(["key", "list", "--db"]).arg(&db));
    assert!(
        out.contains("a\\nforged line") && !out.contains("\nforged"),
        "{out}"
    );
}
