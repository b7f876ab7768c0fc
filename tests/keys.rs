//! Properties of issued keys (proptest) and the `keyhound key` commands.

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

fn keyhound() -> Command {
    Command::cargo_bin("keyhound").unwrap()
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
