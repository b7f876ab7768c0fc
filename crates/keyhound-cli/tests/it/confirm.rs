//! Confirmation by checksum, live-in-test findings and `--fail-on`, end to end.

use crate::common::*;
use keyhound::detect::{Confirmation, Engine, Scratch};
use keyhound::rules::builtin_rules;
use serde_json::Value;

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

/// The scenario: a live key in a fixture, a test key in tests, a live key in src.
fn repo_with_keys() -> (tempfile::TempDir, [String; 3]) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let fixture_live = keyhound_key("acme_live_", 1);
    let test_key = keyhound_key("acme_test_", 2);
    let src_live = keyhound_key("acme_live_", 3);
    write(
        dir.path(),
        "tests/fixtures/config.json",
        format!("{{\"api_key\": \"{fixture_live}\"}}\n"),
    );
    write(
        dir.path(),
        "tests/client_test.py",
        format!("KEY = \"{test_key}\"\n"),
    );
    write(
        dir.path(),
        "src/client.py",
        format!("client = Client(\"{src_live}\")\n"),
    );
    (dir, [fixture_live, test_key, src_live])
}

#[test]
fn live_in_test_hardcoded_and_quiet_test_key() {
    let (dir, [fixture_live, _test_key, src_live]) = repo_with_keys();
    let report = scan_json(dir.path(), &[], 1);
    let list = findings(&report);
    assert_eq!(list.len(), 2, "{report:#}");
    let by_path = |p: &str| {
        list.iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(p))
            .unwrap_or_else(|| panic!("no finding in {p}: {report:#}"))
    };
    let fixture = by_path("tests/fixtures/config.json");
    assert_eq!(fixture["kind"], "live-in-test");
    assert_eq!(fixture["environment"], "live");
    assert_eq!(fixture["context"], "test");
    assert_eq!(fixture["confirmation"], "checksum");
    assert_eq!(fixture["rule_id"], "keyhound.key");
    let src = by_path("src/client.py");
    assert_eq!(src["kind"], "hardcoded");
    assert_eq!(src["context"], "code");
    assert_eq!(src["confirmation"], "checksum");
    assert_eq!(report["summary"]["live_in_test"], 1);
    assert_eq!(report["summary"]["confirmed"], 2);
    let text = report.to_string();
    assert!(!text.contains(&fixture_live) && !text.contains(&src_live));

    // --include-test-keys shows the test key, at note level.
    let report = scan_json(dir.path(), &["--include-test-keys"], 1);
    let test = findings(&report)
        .iter()
        .find(|f| f["environment"] == "test")
        .expect("test key reported with --include-test-keys");
    assert_eq!(test["level"], "note");
    assert_eq!(test["kind"], "hardcoded");
}

#[test]
fn text_report_puts_live_in_test_in_its_own_section() {
    let (dir, _) = repo_with_keys();
    let out = keyhound()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let section = text.find("LIVE KEY IN TEST CODE (1)").expect(&text);
    let other = text.find("OTHER FINDINGS").expect(&text);
    let fixture = text.find("tests/fixtures/config.json").unwrap();
    let src = text.find("src/client.py").unwrap();
    assert!(
        section < fixture && fixture < other && other < src,
        "{text}"
    );
    assert!(text.contains("[confirmed: checksum]"), "{text}");
    assert!(
        text.contains("2 findings (1 live in test code, 2 confirmed)"),
        "{text}"
    );
}

#[test]
fn sarif_carries_kind_and_confirmation() {
    let (dir, _) = repo_with_keys();
    let out = keyhound()
        .args(["scan", "--format", "sarif"])
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let sarif: Value = serde_json::from_slice(&out).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let live = results
        .iter()
        .find(|r| r["properties"]["kind"] == "live-in-test")
        .unwrap();
    assert_eq!(live["properties"]["confirmation"], "checksum");
    assert_eq!(live["properties"]["precision"], "very-high");
    assert_eq!(live["properties"]["security-severity"], "10.0");
    let tags: Vec<&str> = live["properties"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(tags.contains(&"live-in-test"), "{tags:?}");
    let rule = &sarif["runs"][0]["tool"]["driver"]["rules"][0];
    assert_eq!(rule["properties"]["precision"], "very-high");
}

#[test]
fn fail_on_selects_what_fails() {
    let (dir, _) = repo_with_keys();
    let code = |extra: &[&str]| {
        keyhound()
            .args(["scan", "-q"])
            .args(extra)
            .arg(dir.path())
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(code(&["--fail-on", "any"]), Some(1));
    assert_eq!(code(&["--fail-on", "confirmed"]), Some(1));
    assert_eq!(code(&["--fail-on", "live-in-test"]), Some(1));
    // Without the fixture, nothing is live in tests.
    std::fs::remove_file(dir.path().join("tests/fixtures/config.json")).unwrap();
    assert_eq!(code(&["--fail-on", "live-in-test"]), Some(0));
    assert_eq!(code(&["--fail-on", "confirmed"]), Some(1));
    // An unconfirmed third-party finding fails `any` but not `confirmed`.
    std::fs::remove_file(dir.path().join("src/client.py")).unwrap();
    write(
        dir.path(),
        "src/gh.py",
        format!("T = \"{}\"\n", with_bad_crc("ghp_", &body(9, B62, 30))),
    );
    assert_eq!(code(&["--fail-on", "any"]), Some(1));
    assert_eq!(code(&["--fail-on", "confirmed"]), Some(0));
    assert_eq!(code(&["--fail-on", "nonsense"]), Some(2));
}

#[test]
fn third_party_checksum_failure_is_a_note_and_keyhound_failure_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let gh_good = with_crc("ghp_", &body(1, B62, 30));
    let gh_bad = with_bad_crc("ghp_", &body(2, B62, 30));
    let npm_good = with_crc("npm_", &body(3, B62, 30));
    let mut kh_bad = keyhound_key("acme_live_", 4);
    kh_bad.pop();
    kh_bad.push('!'); // not base62: the shape rule cannot match at all
    let kh_bad2 = {
        let mut k = keyhound_key("acme_live_", 5);
        let last = k.pop().unwrap();
        k.push(if last == 'a' { 'b' } else { 'a' });
        k
    };
    write(
        dir.path(),
        "app/settings.py",
        format!("A = \"{gh_good}\"\nB = \"{gh_bad}\"\nC = \"{npm_good}\"\nD = \"{kh_bad2}\"\n"),
    );
    let report = scan_json(dir.path(), &[], 1);
    let list = findings(&report);
    let at = |line: u64| list.iter().find(|f| f["line"] == line);
    assert_eq!(at(1).unwrap()["confirmation"], "checksum");
    assert_eq!(at(1).unwrap()["level"], "error");
    assert_eq!(at(2).unwrap()["confirmation"], "checksum-failed");
    assert_eq!(at(2).unwrap()["level"], "note");
    assert_eq!(at(3).unwrap()["confirmation"], "checksum");
    assert_eq!(at(3).unwrap()["rule_id"], "npm.token");
    assert!(
        at(4).is_none(),
        "a keyhound key failing its checksum is not a key"
    );
    // --include-invalid shows it.
    let report = scan_json(dir.path(), &["--include-invalid"], 1);
    let d = findings(&report).iter().find(|f| f["line"] == 4).unwrap();
    assert_eq!(d["confirmation"], "checksum-failed");
    assert_eq!(d["rule_id"], "keyhound.key");
}

#[test]
fn issuer_prefix_in_config_names_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        ".keyhound.toml",
        "[[issuer]]\nprefix = \"acme\"\nname = \"Acme\"\n\n[context]\ntest_paths = [\"qa/**\"]\n",
    );
    let key = keyhound_key("acme_live_", 7);
    write(dir.path(), "qa/load.js", format!("const k = '{key}';\n"));
    let report = scan_json(dir.path(), &[], 1);
    let f = &findings(&report)[0];
    assert_eq!(f["rule_id"], "keyhound.issuer.acme");
    assert_eq!(f["rule_name"], "Acme API key");
    assert_eq!(f["kind"], "live-in-test", "[context] test_paths applies");
    write(
        dir.path(),
        ".keyhound.toml",
        "[[issuer]]\nprefix = \"ACME\"\n",
    );
    keyhound()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("issuer"));
}

/// Precision of confirmation, at test scale (the full counts are in
/// `examples/confirm_precision.rs`): wrong checksums are never confirmed, and keyhound-format
/// ones never reported; valid ones always confirmed.
#[test]
fn confirmation_precision() {
    const WRONG: u64 = 10_000;
    const VALID: u64 = 1_000;
    let engine = Engine::new(builtin_rules()).unwrap();
    let mut scratch = Scratch::default();
    let mut wrong = String::new();
    for i in 0..WRONG {
        let token = match i % 3 {
            0 => with_bad_crc("ghp_", &body(i + 1, B62, 30)),
            1 => with_bad_crc("npm_", &body(i + 1, B62, 30)),
            // keyhound keys checksum everything before the check
            _ => {
                let mut k = keyhound_key("acme_live_", i + 1);
                let last = k.pop().unwrap();
                k.push(if last == 'z' { 'y' } else { 'z' });
                k
            }
        };
        wrong.push_str(&format!("key = \"{token}\"\n"));
    }
    let matches = engine.scan(wrong.as_bytes(), &mut scratch);
    assert!(
        matches
            .iter()
            .all(|m| m.confirmation != Confirmation::Checksum),
        "a wrong checksum was confirmed"
    );
    assert!(
        matches
            .iter()
            .all(|m| engine.rule(m.rule).validator != Some(keyhound::rules::Validator::Keyhound)),
        "a keyhound-format key with a wrong checksum was reported"
    );
    let third_party = (0..WRONG).filter(|i| i % 3 != 2).count();
    let rules: std::collections::BTreeSet<&str> = matches
        .iter()
        .map(|m| engine.rule(m.rule).id.as_str())
        .collect();
    assert_eq!(
        matches.len(),
        third_party,
        "third-party candidates stay findings ({rules:?})"
    );

    let mut valid = String::new();
    for i in 0..VALID {
        let random = body(i + 100_000, B62, 30);
        let token = match i % 3 {
            0 => with_crc("ghp_", &random),
            1 => with_crc("npm_", &random),
            _ => keyhound_key("acme_live_", i + 100_000),
        };
        valid.push_str(&format!("key = \"{token}\"\n"));
    }
    let matches = engine.scan(valid.as_bytes(), &mut scratch);
    assert_eq!(matches.len() as u64, VALID);
    assert!(matches
        .iter()
        .all(|m| m.confirmation == Confirmation::Checksum));
}
