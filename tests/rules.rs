//! Every built-in rule's examples and negative examples, run against the compiled engine.

use keyhound::detect::Engine;
use keyhound::rules::check::check_examples;
use keyhound::rules::{builtin_rules, parse_rule_file, BUILTIN_RULE_FILES};
use std::collections::HashSet;

#[test]
fn every_embedded_file_parses() {
    let mut from_toml = Vec::new();
    for (file, text, _) in BUILTIN_RULE_FILES {
        from_toml.extend(parse_rule_file(file, text).unwrap_or_else(|e| panic!("{e}")));
    }
    // The JSON form the binary loads at start-up holds exactly the same rules.
    let from_json = builtin_rules();
    assert_eq!(from_toml.len(), from_json.len());
    for (a, b) in from_toml.iter().zip(&from_json) {
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "rule {} differs", a.id);
    }
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
    let engine = Engine::new(builtin_rules()).expect("engine builds");
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
