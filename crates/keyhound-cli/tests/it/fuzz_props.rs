//! The fuzz targets as bounded property tests, run by `cargo test` on stable.
//!
//! The bodies are the fuzz crate's own (`fuzz/src/lib.rs`, included here): each drives one
//! entry point and panics when a property fails. libFuzzer feeds them mutated bytes for as
//! long as it is let run (see `fuzz/README.md`); here proptest feeds them a few hundred
//! structured inputs each — fake tokens assembled at run time, keywords, separators,
//! control and multi-byte characters — and raw bytes, and every crash the fuzzers found is
//! kept below as a regression case.

#[path = "../../../../fuzz/src/lib.rs"]
mod bodies;

use crate::common;
use bodies::ReceiverInput;
use proptest::prelude::*;

fn cases(n: u32) -> ProptestConfig {
    ProptestConfig {
        cases: n,
        // Failures are shrunk and reported, not written into the source tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Pieces of scanned text: fake secrets of several providers (generated), the keywords and
/// assignments generic rules look for, filler, line breaks, control and wide characters.
fn text_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u64>().prop_map(common::github_token),
        any::<u64>().prop_map(common::aws_key_id),
        any::<u64>().prop_map(common::stripe_live),
        any::<u64>().prop_map(common::slack_bot),
        any::<u64>().prop_map(|s| common::keyhound_key("acme_live_", s)),
        any::<u64>().prop_map(|s| common::with_bad_crc("ghp_", &common::body(s, common::B62, 30))),
        any::<u64>().prop_map(|s| format!("password = \"{}\"", common::body(s, common::B62, 16))),
        any::<u64>().prop_map(|s| format!("api_key: {}", common::body(s, common::HEX, 32))),
        any::<u64>().prop_map(|s| format!(
            "postgres://app:{}@db.example.invalid/x",
            common::body(s, common::B62, 12)
        )),
        Just("-----BEGIN RSA PRIVATE KEY-----\n".to_string()),
        Just(" keyhound:allow ".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        "[ -~]{0,80}",
        "[a-z=:\"' \t]{0,40}",
        "[\u{0}-\u{1f}\u{7f}\u{202e}é日]{0,4}",
    ]
}

proptest! {
    #![proptest_config(cases(1024))]

    #[test]
    fn engine_scan_on_text(parts in proptest::collection::vec(text_piece(), 0..24)) {
        bodies::engine_scan(parts.concat().as_bytes());
    }

    #[test]
    fn engine_scan_on_bytes(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        bodies::engine_scan(&data);
    }
}

/// Lines of `.keyhound.toml`, valid and not.
fn config_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[extend]\ndefaults = false".to_string()),
        Just("[extend]\ndefaults = true".to_string()),
        Just("[[rules]]".to_string()),
        "[a-z.]{1,12}".prop_map(|id| format!("id = \"{id}\"\nname = \"N\"")),
        "[a-z_]{1,6}".prop_map(|k| format!("keywords = [\"{k}\"]")),
        "[a-z_]{1,6}".prop_map(|k| format!("regex = '''{k}(?P<secret>[a-z0-9]{{4,12}})'''")),
        "[ -~]{0,16}".prop_map(|r| format!("regex = '''{}'''", r.replace('\'', ""))),
        Just("min_entropy = 2.0".to_string()),
        Just("severity = \"low\"".to_string()),
        Just("multiline = true\nmax_len = 64".to_string()),
        Just("disabled_rules = [\"generic.password\"]".to_string()),
        Just("[allowlist]".to_string()),
        "[ -~]{0,12}".prop_map(|p| format!("paths = [\"{}\"]", p.replace(['"', '\\'], ""))),
        "[ -~]{0,12}".prop_map(|p| format!("regexes = [\"{}\"]", p.replace(['"', '\\'], ""))),
        Just("[context]\ntest_paths = [\"fixtures/**\"]".to_string()),
        "[a-z0-9A-Z_]{0,18}".prop_map(|p| format!("[[issuer]]\nprefix = \"{p}\"")),
        Just("[fingerprint]\nscope = \"github.com/acme/app\"".to_string()),
        "[ -~]{0,30}",
    ]
}

/// Lines of a gitleaks configuration (and of a `.gitleaksignore`).
fn gitleaks_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("title = \"t\"".to_string()),
        Just("[extend]\nuseDefault = true".to_string()),
        Just("[extend]\npath = \"other.toml\"\ndisabledRules = [\"x\"]".to_string()),
        Just("[[rules]]".to_string()),
        "[a-z-]{1,10}".prop_map(|id| format!("id = \"{id}\"\ndescription = \"D\"")),
        "[ -~]{0,20}".prop_map(|r| format!("regex = '''{}'''", r.replace('\'', ""))),
        "[a-z_]{1,6}".prop_map(|k| format!("regex = '''{k}[a-z0-9]{{8}}'''\nkeywords = [\"{k}\"]")),
        (0u8..4).prop_map(|g| format!("secretGroup = {g}")),
        Just("entropy = 3.5".to_string()),
        Just("path = '''\\.py$'''".to_string()),
        Just("[[rules.allowlists]]\nregexTarget = \"line\"\nregexes = [\"x\"]".to_string()),
        Just("condition = \"AND\"\nstopwords = [\"y\"]".to_string()),
        Just("[allowlist]\npaths = [\"vendor/\"]\ncommits = [\"abc\"]".to_string()),
        Just("[[allowlists]]\ntargetRules = [\"r\"]".to_string()),
        "[0-9a-f]{40}:[a-z/.]{1,10}:[a-z-]{1,8}:[0-9]{1,3}",
        "[ -~]{0,30}",
    ]
}

proptest! {
    #![proptest_config(cases(768))]

    #[test]
    fn config_parse_on_lines(lines in proptest::collection::vec(config_line(), 0..12)) {
        bodies::config_parse(lines.join("\n").as_bytes());
    }

    #[test]
    fn gitleaks_import_on_lines(lines in proptest::collection::vec(gitleaks_line(), 0..12)) {
        bodies::gitleaks_import(lines.join("\n").as_bytes());
    }
}

/// A baseline entry's JSON, well formed or not.
fn baseline_entry() -> impl Strategy<Value = String> {
    (
        "[ -~é]{0,12}",
        "[a-z.]{0,10}",
        prop_oneof!["[0-9a-f]{32}", "[0-9A-Fa-z]{30,34}"],
        proptest::option::of("[0-9a-f]{40}"),
    )
        .prop_map(|(path, rule, fingerprint, commit)| {
            let mut e = serde_json::json!({"path": path, "rule": rule, "fingerprint": fingerprint});
            if let Some(c) = commit {
                e["commit"] = c.into();
            }
            e.to_string()
        })
}

proptest! {
    #![proptest_config(cases(768))]

    #[test]
    fn baseline_parse_on_baselines(
        version in 0u32..3,
        scope in "[ -~]{0,20}",
        entries in proptest::collection::vec(prop_oneof![baseline_entry(), Just("null".to_string())], 0..6),
    ) {
        let text = format!(
            "{{\"keyhound_baseline\": {version}, \"scope\": {}, \"entries\": [{}]}}",
            serde_json::Value::from(scope),
            entries.join(",\n")
        );
        bodies::baseline_parse(text.as_bytes());
    }

    #[test]
    fn baseline_parse_on_ignore_files(
        lines in proptest::collection::vec(prop_oneof!["[0-9a-fA-F]{32}", "[ -~]{0,40}", "[0-9a-f]{32} *#.*"], 0..10)
    ) {
        bodies::baseline_parse(lines.join("\n").as_bytes());
    }

    #[test]
    fn key_parse_on_key_shapes(
        prefix in prop_oneof!["[a-z0-9]{2,16}", "[ -~]{0,20}"],
        env in prop_oneof![Just("live".to_string()), Just("test".to_string()), "[ -~]{0,10}"],
        rest in prop_oneof!["[0-9A-Za-z]{36}", "[ -~é]{0,40}"],
        checksum in any::<bool>(),
    ) {
        let key = if checksum && rest.len() >= 6 {
            common::keyhound_key(&format!("{prefix}_{env}_"), rest.len() as u64)
        } else {
            format!("{prefix}_{env}_{rest}")
        };
        bodies::key_parse(key.as_bytes());
    }

    #[test]
    fn key_parse_on_bytes(data in proptest::collection::vec(any::<u8>(), 0..60)) {
        bodies::key_parse(&data);
    }

    #[test]
    fn baseline_and_gitleaks_on_bytes(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        bodies::baseline_parse(&data);
        bodies::gitleaks_import(&data);
        bodies::config_parse(&data);
    }
}

/// One report of a leak batch: a key in the store (by placeholder), a digest of nothing,
/// or a malformed field.
fn leak_report() -> impl Strategy<Value = serde_json::Value> {
    (
        prop_oneof![
            Just(bodies::KEY_PLACEHOLDERS[0].to_string()),
            Just(bodies::KEY_PLACEHOLDERS[1].to_string()),
            "[0-9a-fA-F]{64}",
            "[ -~]{0,10}",
        ],
        "[ -~]{0,10}",
        "[ -~é:@]{0,30}",
        any::<usize>(),
        any::<bool>(),
    )
        .prop_map(|(digest, id, repository, line, token)| {
            let mut r = serde_json::json!({
                "id": id,
                "rule": "keyhound.key",
                "token_sha256": digest,
                "token_prefix": "fuzz_live_",
                "location": {"repository": repository, "path": "a.py", "line": line},
                "source": "ci",
                "detected_at": "2026-01-01T00:00:00Z",
            });
            if token {
                r["token"] = common::keyhound_key("fuzz_live_", line as u64).into();
            }
            r
        })
}

fn receiver_input() -> impl Strategy<Value = ReceiverInput> {
    let body = prop_oneof![
        4 => (
            prop_oneof![Just("keyhound.leak.v1".to_string()), "[a-z.]{0,8}"],
            proptest::collection::vec(leak_report(), 0..5),
        )
            .prop_map(|(kind, reports)| {
                serde_json::json!({"type": kind, "reports": reports})
                    .to_string()
                    .into_bytes()
            }),
        1 => proptest::collection::vec(any::<u8>(), 0..80),
    ];
    (
        (any::<[bool; 7]>(), -80i64..80),
        ("[ -~]{0,12}", "[ -~]{0,12}", "[ -~]{0,12}", "[0-9 ]{0,9}"),
        body,
    )
        .prop_map(
            |((f, skew), (id, timestamp, signature, content_length), body)| ReceiverInput {
                // Mostly complete, signed requests: those reach the parser and the store.
                sign: f[0] || f[1],
                send_id: f[1] || f[2],
                send_timestamp: f[1] || f[3],
                raw_timestamp: f[4] && f[5],
                send_signature: f[1] || f[4],
                lie_length: f[5] && f[6],
                get: f[6] && f[0] && f[2],
                skew: skew * 5,
                id,
                timestamp,
                signature: if f[3] && f[6] {
                    signature
                } else {
                    String::new()
                },
                content_length,
                body,
            },
        )
}

proptest! {
    #![proptest_config(cases(1024))]

    #[test]
    fn receiver_on_requests(input in receiver_input()) {
        bodies::receiver_request(&input);
    }

    #[test]
    fn receiver_on_bytes(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        bodies::receiver_body(&data);
    }
}

/// The fuzz seeds' shapes, checked to reach what they are meant to (a property test whose
/// inputs all bounce off the first check would test nothing).
#[test]
fn signed_batches_are_applied_and_unsigned_ones_refused() {
    let report = |i: usize, digest: &str| {
        serde_json::json!({
            "id": format!("r{i}"), "rule": "keyhound.key", "token_sha256": digest,
            "token_prefix": "fuzz_live_",
            "location": {"repository": "", "path": "a.py", "line": i},
            "source": "ci", "detected_at": "2026-01-01T00:00:00Z",
        })
    };
    let batch = serde_json::json!({"type": "keyhound.leak.v1", "reports": [
        report(0, bodies::KEY_PLACEHOLDERS[0]),
        report(1, bodies::KEY_PLACEHOLDERS[0]),
        report(2, &"0".repeat(64)),
    ]});
    let signed = ReceiverInput {
        sign: true,
        send_id: true,
        send_timestamp: true,
        send_signature: true,
        id: "msg_1".into(),
        body: batch.to_string().into_bytes(),
        ..ReceiverInput::default()
    };
    let a = bodies::receiver_request(&signed);
    assert_eq!(a.status, 200, "{:?}", a.body);
    let outcomes: Vec<&str> = a.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["revoked", "already-revoked", "unknown-key"]);
    let unsigned = ReceiverInput {
        sign: false,
        signature: "v1,AAAA".into(),
        ..signed.clone()
    };
    assert_eq!(bodies::receiver_request(&unsigned).status, 401);
    let stale = ReceiverInput {
        skew: -600,
        ..signed.clone()
    };
    assert_eq!(bodies::receiver_request(&stale).status, 400);
    // The byte encoding the fuzzer uses decodes to the same request.
    let mut bytes = vec![0x17, 0];
    bytes.extend_from_slice(b"msg_1\n\n\n\n");
    bytes.extend_from_slice(&signed.body);
    let decoded = ReceiverInput::from_bytes(&bytes);
    assert!(decoded.sign && decoded.send_id && decoded.send_timestamp && decoded.send_signature);
    assert_eq!(
        (decoded.id.as_str(), &decoded.body),
        ("msg_1", &signed.body)
    );
    assert_eq!(bodies::receiver_request(&decoded).status, 200);
}

#[test]
fn engine_scan_reports_the_fake_tokens_it_is_fed() {
    // The leak check only means something if findings are made: these are.
    let token = common::github_token(7);
    let text = format!(
        "x = {token}\npassword = \"{}\"\n",
        common::body(8, common::B62, 16)
    );
    let engine = bodies::engine();
    let matches = engine.scan(text.as_bytes(), &mut keyhound::detect::Scratch::default());
    assert!(matches.len() >= 2, "{} matches", matches.len());
    bodies::engine_scan(text.as_bytes());
}

/// engine_scan's leak check blanks fingerprints out first: the fuzzer made an input whose
/// first secret was the second finding's fingerprint, which every report shows by design
/// (a false alarm of the check, not a leak).
#[test]
fn a_secret_equal_to_another_findings_fingerprint_is_no_leak() {
    let second = common::body(21, common::HEX, 32);
    let fp = keyhound::finding::fingerprint(
        &keyhound::finding::Scope::default(),
        "datadog.api-key",
        second.as_bytes(),
    );
    let text = format!("datadog_api_key = \"{fp}\"\nexport DATADOG_SECRET={second}\n");
    let engine = bodies::engine();
    let matches = engine.scan(text.as_bytes(), &mut keyhound::detect::Scratch::default());
    let ids: Vec<&str> = matches
        .iter()
        .map(|m| engine.rule(m.rule).id.as_str())
        .collect();
    assert_eq!(ids, ["datadog.api-key", "datadog.api-key"]);
    bodies::engine_scan(text.as_bytes());
}

/// Regression cases: the inputs the fuzzers crashed on (minimised), each failing before its
/// fix. None holds a secret: they are generated filler.
mod found_by_fuzzing {
    use super::bodies;

    /// engine_scan: a secret holding a NUL (`myacct-bluemix.\0`, matched by a doubted
    /// generic rule on a `<password>@` template line) whose visible form is also ordinary
    /// text elsewhere in the input (the host of a Cloudant URL on the line before): that
    /// text is not a leak (it was a false alarm of the check).
    #[test]
    fn a_secrets_visible_form_that_is_other_text() {
        let pw = super::common::body(7, "abcdefghijklmnopqrstuvwxyz0123456789", 64);
        let text = format!(
            "url = \"https://myacct-bluemix:{pw}@myacct-bluemix.cloudant.com\"\nhttps://myacct-bluemix:<password>@myacct-bluemix.\0\ncloudant.com\n"
        );
        bodies::engine_scan(text.as_bytes());
    }

    /// engine_scan, a false alarm of the check: a URL password (`tDescription`) that is part
    /// of a SARIF key name (`shortDescription`) was counted as leaked by the whole-text
    /// check; JSON and SARIF are checked by their string values.
    #[test]
    fn a_secret_inside_a_sarif_key_name() {
        bodies::engine_scan(b"url = \"https://admin:tDescription@10.0.0.5://localhost/db\"\n");
    }

    /// key_parse: `KeyError::Prefix` quoted everything before the first `_` of a presented
    /// key ("#acmeace").
    #[test]
    fn key_error_quoting_the_prefix() {
        bodies::key_parse(b"#acmeace__");
        bodies::key_parse(b"#acmeacme_test_XowmSCaPd3rZv37");
    }

    /// gitleaks_import: a gitleaks rule id with a space made a translation that did not
    /// load (the fixture's `[[rules]]` with its id mutated).
    #[test]
    fn gitleaks_rule_id_with_a_space() {
        bodies::gitleaks_import(
            b"[[rules]]\nid = \"acme-deploy-kle only\"\nregex = '''acme_[a-z]{10}'''\nkeywords = [\"acme_\"]\n",
        );
    }

    /// engine_scan: a secret matched once by a generic rule stood again, unmatched, later on
    /// the line, and the excerpt showed it whole (the fuzzer's input, its hex regenerated).
    #[test]
    fn unmatched_copy_of_a_secret_on_its_line() {
        let h = |seed, n| super::common::body(seed, super::common::HEX, n);
        let part = format!("{}-{}-{}-{}-", h(1, 8), h(2, 4), h(3, 4), h(4, 4));
        let text = format!(
            "hubspot_api_key = \"00d_api_key = \"{part} \"00d_api_key = \"{part}{}\"\n",
            h(5, 12)
        );
        let engine = bodies::engine();
        let matches = engine.scan(text.as_bytes(), &mut keyhound::detect::Scratch::default());
        assert!(
            matches.iter().any(|m| text[m.secret.clone()] == part),
            "the first copy is matched"
        );
        assert_eq!(text.matches(&part).count(), 2);
        bodies::engine_scan(text.as_bytes());
    }

    /// gitleaks_import: a gitleaks entropy over 8 made a translation that did not load.
    #[test]
    fn gitleaks_entropy_over_8() {
        bodies::gitleaks_import(
            b"[[rules]]\nid = \"r\"\nregex = '''acme_[a-z]{10}'''\nkeywords = [\"acme_\"]\nentropy = 8.2\n",
        );
    }

    /// key_parse: the same through `KeyError::Env`.
    #[test]
    fn key_error_quoting_the_environment() {
        bodies::key_parse(b"acme_XowmSCaPd3rZv37_x");
    }
}
