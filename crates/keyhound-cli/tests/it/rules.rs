//! Every built-in rule's examples and negative examples, run against the compiled engine.

use crate::common::*;
use keyhound::detect::check::check_examples;
use keyhound::detect::Engine;
use keyhound::rules::{
    builtin_rules, builtin_rules_with_examples, parse_rule_file, BUILTIN_RULE_FILES,
};
use predicates::prelude::PredicateBooleanExt;
use std::collections::HashSet;

#[test]
fn every_embedded_file_parses() {
    let mut from_toml = Vec::new();
    for (file, text, _) in BUILTIN_RULE_FILES {
        from_toml.extend(parse_rule_file(file, text).unwrap_or_else(|e| panic!("{e}")));
    }
    // The JSON form the binary loads at start-up holds exactly the same rules, but for
    // their examples.
    let from_json = builtin_rules();
    assert_eq!(from_toml.len(), from_json.len());
    for (a, b) in from_toml.iter_mut().zip(&from_json) {
        assert!(!a.examples.is_empty() && b.examples.is_empty(), "{}", a.id);
        a.examples.clear();
        a.negative_examples.clear();
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "rule {} differs", a.id);
    }
    assert_eq!(builtin_rules_with_examples().len(), from_json.len());
}

#[test]
fn rule_ids_are_unique_and_well_formed() {
    let mut seen = HashSet::new();
    for r in builtin_rules() {
        assert!(seen.insert(r.id.clone()), "duplicate rule id {}", r.id);
        assert!(r.id.contains('.'), "rule id {} is not provider.kind", r.id);
    }
}

#[test]
fn default_set_covers_at_least_150_rules() {
    let n = builtin_rules().len();
    assert!(n >= 150, "only {n} built-in rules");
}

#[test]
fn every_rule_passes_its_examples() {
    let engine = Engine::new(builtin_rules_with_examples()).expect("engine builds");
    let failures = check_examples(&engine);
    let report: Vec<String> = failures.iter().map(|f| f.to_string()).collect();
    assert!(
        failures.is_empty(),
        "{} rule example failures:\n{}",
        failures.len(),
        report.join("\n")
    );
}

/// Every built-in rule says how sure its findings are (`confidence`), and a rule whose
/// findings carry a provider-specific structure is not below `medium`.
#[test]
fn every_rule_declares_its_confidence() {
    for (file, text, _) in BUILTIN_RULE_FILES {
        let table: toml::Table = toml::from_str(text).unwrap();
        for rule in table["rules"].as_array().unwrap() {
            let id = rule["id"].as_str().unwrap();
            let c = rule
                .get("confidence")
                .and_then(|c| c.as_str())
                .unwrap_or_else(|| panic!("{file}: rule {id} declares no confidence"));
            assert!(
                ["low", "medium", "high"].contains(&c),
                "{file}: rule {id}: confidence {c}"
            );
            if rule.get("validator").is_some() {
                assert_eq!(c, "high", "{file}: rule {id} has a checksum validator");
            }
        }
    }
}

/// Every built-in rule names the documentation its format was written from (issue 15): a
/// user acting on a finding, and a reviewer checking a rule, start there.
#[test]
fn every_builtin_rule_names_its_references() {
    let missing: Vec<String> = builtin_rules()
        .into_iter()
        .filter(|r| r.references.is_empty())
        .map(|r| r.id)
        .collect();
    assert!(missing.is_empty(), "rules without references: {missing:?}");
}

/// A custom rule (a fake vendor, `zz_` prefix) with references and a revoke URL.
fn documented_rule_config() -> String {
    r#"
[[rules]]
id = "zzvendor.api-key"
name = "ZZ Vendor API key"
confidence = "high"
keywords = ["zz_"]
regex = '\b(?P<secret>zz_[A-Za-z0-9]{32})\b'
references = ["https://docs.zzvendor.test/api/keys", "https://docs.zzvendor.test/api/auth"]
revoke_url = "https://zzvendor.test/settings/keys"
examples = ["k = zz_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"]
negative_examples = ["zz_short"]
"#
    .to_string()
}

/// `rules list --format json` describes every rule in effect, with the fields a script
/// needs to count formats (`format`, `generic`) and act on a finding (`references`,
/// `revoke_url`); the text listing's format count agrees with it.
#[test]
fn rules_list_json_exposes_formats_and_references() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kh.toml", documented_rule_config());
    let cfg = dir.path().join("kh.toml");
    let out = keyhound()
        .args(["rules", "list", "--format", "json", "--config"])
        .arg(&cfg)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
    assert_eq!(rules.len(), builtin_rules().len() + 1);
    let custom = rules
        .iter()
        .find(|r| r["id"] == "zzvendor.api-key")
        .unwrap();
    assert_eq!(custom["builtin"], false);
    assert_eq!(custom["format"], "zzvendor.api-key");
    assert_eq!(custom["revoke_url"], "https://zzvendor.test/settings/keys");
    assert_eq!(custom["references"].as_array().unwrap().len(), 2);
    let generic: Vec<&serde_json::Value> = rules.iter().filter(|r| r["generic"] == true).collect();
    assert!(!generic.is_empty());
    assert!(generic.iter().all(|r| r["format"].is_null()));
    let formats: HashSet<&str> = rules.iter().filter_map(|r| r["format"].as_str()).collect();
    let text = keyhound()
        .args(["rules", "list", "--config"])
        .arg(&cfg)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    let last = text.lines().last().unwrap();
    assert_eq!(
        last,
        format!(
            "{} rules: {} credential formats, {} generic rules",
            rules.len(),
            formats.len(),
            generic.len()
        )
    );
}

/// SARIF `help` names the provider documentation and the revoke page; `helpUri` is the
/// revoke page.
#[test]
fn sarif_help_carries_references_and_revoke_url() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kh.toml", documented_rule_config());
    let key = format!(
        "zz_{}",
        body(
            7,
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            32
        )
    );
    write(dir.path(), "src/app.cfg", format!("vendor = {key}\n"));
    let out = keyhound()
        .current_dir(dir.path())
        .args(["scan", "src", "--format", "sarif", "--config", "kh.toml"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let log: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = rules
        .iter()
        .find(|r| r["id"] == "zzvendor.api-key")
        .unwrap();
    assert_eq!(rule["helpUri"], "https://zzvendor.test/settings/keys");
    let md = rule["help"]["markdown"].as_str().unwrap();
    assert!(md.contains("<https://docs.zzvendor.test/api/keys>"), "{md}");
    assert!(md.contains("<https://docs.zzvendor.test/api/auth>"), "{md}");
    assert!(
        md.contains("Revoke or rotate: <https://zzvendor.test/settings/keys>"),
        "{md}"
    );
    assert!(rule["help"]["text"]
        .as_str()
        .unwrap()
        .contains("https://zzvendor.test/settings/keys"));
}

/// A reference must be a URL: a typo'd one is an error naming the rule.
#[test]
fn a_reference_that_is_not_a_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "kh.toml",
        documented_rule_config()
            .replace("https://docs.zzvendor.test/api/auth", "docs.zzvendor.test"),
    );
    keyhound()
        .args(["rules", "test"])
        .arg(dir.path().join("kh.toml"))
        .assert()
        .code(2)
        .stderr(
            predicates::str::contains("zzvendor.api-key")
                .and(predicates::str::contains("not an http(s) URL")),
        );
}
