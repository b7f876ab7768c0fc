//! The bodies of keyhound's fuzz targets, shared by the cargo-fuzz binaries in
//! `fuzz/fuzz_targets/` and the bounded property tests in `tests/fuzz_props.rs` (which
//! include this file with `#[path]`, so `cargo test` on stable runs the same checks).
//!
//! Each body takes the fuzzer's bytes, drives one entry point of the library and panics when
//! a property fails: a panic is what libFuzzer reports as a crash and what proptest shrinks.
//! No body prints its input, and no assertion message quotes a secret found in it: a
//! message says what went wrong and where, with secrets redacted.
//!
//! Only this file and the targets are fuzz-specific; it uses the library's public API and
//! the crates the library itself depends on.

use keyhound::detect::{Engine, Scratch};
use keyhound::finding::{self, Policy};
use keyhound::report::{self, Format};
use keyhound::rules::builtin_rules;
use keyhound::scan::{Kind, Outcome, Stats};
use keyhound::source::Origin;
use std::sync::OnceLock;

/// The path findings of [`engine_scan`] are reported at.
pub const FUZZ_PATH: &str = "fuzz/input.txt";

/// Every format a report can be written in.
pub const FORMATS: [Format; 5] = Format::ALL;

/// The engine over the built-in rules, built once (its automata compile on first use).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(builtin_rules()).expect("the built-in rules compile"))
}

/// Text every report may show whatever it scanned: the rules' ids, names, tags, keywords and
/// help, the path, and each format's empty report. A secret found inside it cannot be told
/// apart from it, so the leak check passes over such secrets.
fn static_text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let engine = engine();
        let mut s = String::from(FUZZ_PATH);
        for r in engine.rules() {
            for part in [&r.id, &r.name, &r.help_text(), &r.regex] {
                s.push('\n');
                s.push_str(part);
            }
            for part in r.tags.iter().chain(&r.keywords) {
                s.push('\n');
                s.push_str(part);
            }
        }
        let empty = outcome(Vec::new(), 0);
        for format in FORMATS {
            s.push('\n');
            s.push_str(&render(&empty, format, false));
        }
        s
    })
}

fn outcome(findings: Vec<finding::Finding>, bytes: usize) -> Outcome {
    Outcome {
        findings,
        stats: Stats {
            kind: Kind::Stdin,
            files: 1,
            bytes: bytes as u64,
            ..Stats::default()
        },
        warnings: Vec::new(),
        skipped: Vec::new(),
    }
}

fn render(outcome: &Outcome, format: Format, show_secrets: bool) -> String {
    let mut out = Vec::new();
    let opts = report::Options {
        show_secrets,
        color: false,
        sarif_category: Some("fuzz".into()),
    };
    report::write(&mut out, format, outcome, engine(), &opts).expect("writing to memory");
    String::from_utf8(out).expect("reports are UTF-8")
}

/// Every string value in a JSON document, decoded.
fn json_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        // Key names are the reports' fixed schema (`shortDescription`), which a secret may
        // be part of; keyhound's reports put no data in keys.
        serde_json::Value::Object(o) => o.values().for_each(|x| json_strings(x, out)),
        _ => {}
    }
}

/// The forms a secret can take in a report: as it is, without control characters (as
/// excerpts drop them), escaped for a Markdown cell, and escaped for a workflow command.
fn visible_forms(secret: &str) -> Vec<String> {
    let no_controls: String = secret
        .chars()
        .filter(|c| !c.is_control() || *c == '\t')
        .collect();
    let cell: String = secret
        .chars()
        .map(|c| match c {
            '|' => "\\|".to_string(),
            '\n' | '\r' => " ".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '`' => "'".to_string(),
            c => c.to_string(),
        })
        .collect();
    let workflow = secret
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    let mut forms = vec![secret.to_string(), no_controls, cell, workflow];
    forms.sort();
    forms.dedup();
    forms
}

/// Arbitrary bytes through the engine with the built-in rules, then [`finding::build`], the
/// default policy and every report format. Checks that matches lie inside the input, sorted
/// by their start; that findings' positions are sane; that JSON and SARIF parse; and that no
/// secret of 8 characters or more appears in any report without `--show-secrets`, nor in
/// the findings' `Debug` form (what a stray `{:?}` in a log or a panic would print).
pub fn engine_scan(data: &[u8]) {
    let engine = engine();
    // Kept between inputs, as a scan keeps one per thread: its regex caches warm up.
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
    }
    let matches = SCRATCH.with(|s| engine.scan(data, &mut s.borrow_mut()));
    for (i, m) in matches.iter().enumerate() {
        assert!(
            m.secret.start <= m.secret.end && m.secret.end <= data.len(),
            "match {i}: secret range {:?} outside the input of {} bytes",
            m.secret,
            data.len()
        );
        assert!(
            m.range.start <= m.secret.start && m.secret.end <= m.range.end,
            "match {i}: secret {:?} outside its match {:?}",
            m.secret,
            m.range
        );
        assert!(m.rule < engine.len(), "match {i}: no rule {}", m.rule);
    }
    assert!(
        matches
            .windows(2)
            .all(|w| w[0].secret.start <= w[1].secret.start),
        "matches not sorted by secret start"
    );
    let opts = finding::Options {
        line_hashes: true,
        raw_lines: true,
        ..finding::Options::default()
    };
    let mut found = finding::build(engine, &Origin::file(FUZZ_PATH), data, &matches, &opts);
    assert!(found.len() <= matches.len());
    // Built once: its test-path globs compile when it is made.
    static POLICY: OnceLock<Policy> = OnceLock::new();
    let policy = POLICY.get_or_init(Policy::default);
    found.retain_mut(|f| policy.admit(f, FUZZ_PATH));
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    for f in &found {
        assert!(
            f.line >= 1 && f.line <= f.end_line && f.end_line <= lines,
            "{}: lines {}..{} of {lines}",
            f.rule_id,
            f.line,
            f.end_line
        );
        assert!(
            f.column >= 1 && f.end_column >= 1,
            "{}: column 0",
            f.rule_id
        );
        assert_eq!(f.fingerprint.len(), 32, "{}: fingerprint", f.rule_id);
    }
    let secrets: Vec<String> = found
        .iter()
        .map(|f| f.secret.expose().to_string())
        .filter(|s| s.chars().count() >= 8)
        .collect();
    // Fingerprints and line hashes are shown by design; an input can hold a "secret" that
    // is one of them (the fuzzer made one), so they are blanked out before the check.
    let hashes: Vec<String> = found
        .iter()
        .flat_map(|f| [Some(f.fingerprint.clone()), f.line_hash.clone()])
        .flatten()
        .collect();
    let blank = |text: String| {
        hashes
            .iter()
            .fold(text, |t, h| t.replace(h.as_str(), "\u{fffd}"))
    };
    let outcome = outcome(found, data.len());
    let mut shown: Vec<(String, String)> =
        vec![("Debug".into(), blank(format!("{:?}", outcome.findings)))];
    for format in FORMATS {
        let text = render(&outcome, format, false);
        if matches!(format, Format::Json | Format::Sarif) {
            let doc: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{format:?} output is not JSON: {e}"));
            let mut strings = Vec::new();
            json_strings(&doc, &mut strings);
            shown.extend(
                strings
                    .into_iter()
                    .map(|s| (format!("{format:?}"), blank(s))),
            );
        }
        // JSON and SARIF are checked by their string values (above): their key names
        // (`shortDescription`) are fixed text that a secret may be part of.
        if !matches!(format, Format::Json | Format::Sarif) {
            shown.push((format!("{format:?}"), blank(text)));
        }
        // With --show-secrets: only that it renders.
        let _ = render(&outcome, format, true);
    }
    let known = static_text();
    let input = String::from_utf8_lossy(data);
    for (i, secret) in secrets.iter().enumerate() {
        // What the input holds besides this secret: a form derived from the secret (its
        // control characters dropped, say) that the input also holds as ordinary text
        // elsewhere is that text, not a leak.
        let elsewhere = input.replace(secret.as_str(), "\u{fffd}");
        for form in visible_forms(secret) {
            if form.chars().count() < 8
                || known.contains(&form)
                || (form != *secret && elsewhere.contains(&form))
            {
                continue;
            }
            for (what, text) in &shown {
                assert!(
                    !text.contains(&form),
                    "secret {i} ({}, {} characters) appears in the {what} output",
                    keyhound::util::redact(secret),
                    secret.chars().count()
                );
            }
        }
    }
}

/// `.keyhound.toml` text through [`keyhound::config::parse`]. A configuration that loads
/// builds an engine whose rules all compile, and that engine scans the text itself.
pub fn config_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = keyhound::config::parse(".keyhound.toml", text) else {
        return;
    };
    // The built-in rules are checked by the rule tests; compiling all of them for every
    // input would leave the fuzzer no time for the rest. The others must all compile.
    let rules: Vec<_> = config.rules.written().cloned().collect();
    let engine = Engine::new(rules).expect("a loaded configuration's rules build");
    if let Err(e) = engine.validate() {
        panic!(
            "a loaded configuration's rule {} does not compile: {e}",
            e.index
        );
    }
    let _ = engine.scan(data, &mut Scratch::default());
    let _ = config
        .allowlist
        .allows("src/app.py", "placeholder", Some(&"a".repeat(40)));
    let _ = config.test_paths.classify("tests/fixtures/app.py");
}

/// gitleaks configuration text through [`keyhound::config::gitleaks::translate`], and the
/// same text as a `.gitleaksignore` through `parse_ignore`. What the translator writes must
/// load as a keyhound configuration: its own check saying otherwise is a translator bug.
pub fn gitleaks_import(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    use keyhound::config::gitleaks;
    match gitleaks::translate(".gitleaks.toml", text, false) {
        Ok(t) => {
            let config = keyhound::config::parse("translated", &t.config)
                .unwrap_or_else(|e| panic!("the translation does not load: {e}"));
            for id in &t.rules {
                assert!(
                    config.rules.written().any(|r| &r.id == id),
                    "translated rule {id:?} is not in the loaded configuration"
                );
            }
        }
        Err(e) => assert!(
            !matches!(e, gitleaks::TranslateError::Untranslatable { .. }),
            "translator bug: {e}"
        ),
    }
    let (entries, bad) = gitleaks::parse_ignore(text);
    for e in &entries {
        assert!(!e.file.is_empty() && !e.rule.is_empty() && !e.rule.contains(':'));
    }
    let lines = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim().starts_with('#'))
        .count();
    assert_eq!(
        entries.len() + bad.len(),
        lines,
        "every entry line is kept or refused"
    );
}

/// Baseline text through `Baseline::parse` (a baseline that loads writes text that loads
/// back to the same entries) and ignore-file text through `fingerprints_in` (every line
/// kept is a lower-case 32-hex-digit fingerprint).
pub fn baseline_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    use keyhound::finding::baseline::{fingerprints_in, is_fingerprint, Baseline};
    if let Ok(b) = Baseline::parse(&text) {
        let again = Baseline::parse(&b.to_text()).expect("a saved baseline loads");
        assert_eq!(again.entries(), b.entries(), "a baseline round-trips");
        let stale = b.stale(std::iter::empty());
        assert_eq!(
            stale.len(),
            b.entries().len(),
            "with no findings, every entry is stale"
        );
    }
    for f in fingerprints_in(&text) {
        assert!(is_fingerprint(&f) && f.bytes().all(|b| !b.is_ascii_uppercase()));
    }
}

/// A string through [`keyhound::keys::parse`] and `verify_checksum`: they agree, a parsed
/// key is its parts put back together, and an error shows no more of the presented key than
/// its valid `prefix_env_` head, one character, or the first 4 characters of a bad prefix
/// or environment (a key presented is a secret, and `keyhound key check` prints the error).
pub fn key_parse(data: &[u8]) {
    let Ok(key) = std::str::from_utf8(data) else {
        return;
    };
    use keyhound::keys::{self, KeyError};
    match keys::parse(key) {
        Ok(p) => {
            assert!(keys::verify_checksum(key));
            assert_eq!(format!("{}_{}_{}{}", p.prefix, p.env, p.body, p.check), key);
            assert!(keys::check_prefix(p.prefix).is_ok());
        }
        Err(e) => {
            assert!(!keys::verify_checksum(key));
            // The message is its variant's fixed text around these fields: what they hold of
            // the key is all it can show.
            let mut parts = key.splitn(3, '_');
            let head = match (parts.next(), parts.next()) {
                (Some(p), Some(env))
                    if keys::check_prefix(p).is_ok() && (env == "live" || env == "test") =>
                {
                    Some(format!("{p}_{env}_"))
                }
                _ => None,
            };
            match &e {
                KeyError::Prefix(shown) | KeyError::Env(shown) => {
                    let n = shown.chars().count();
                    assert!(n <= 5, "a prefix or environment error shows {n} characters");
                }
                KeyError::Length { head: shown, .. } => assert!(
                    head.as_ref() == Some(shown),
                    "a length error shows only the valid head"
                ),
                KeyError::Characters { .. } | KeyError::Shape | KeyError::Checksum => {}
                KeyError::Random(_) => panic!("parsing reads no random numbers"),
            }
        }
    }
}

/// What a [`receiver_body`] request got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverAnswer {
    pub status: u16,
    pub body: serde_json::Value,
}

/// The fake signing secret of [`receiver_body`]'s receiver.
pub const RECEIVER_SECRET: &str = "fuzz-signing-secret-not-a-real-one";

/// In a [`receiver_body`] body, `@KEY0@` and `@KEY1@` stand for the SHA-256 digests of the
/// two keys in the store (the fuzzer cannot find a digest by itself).
pub const KEY_PLACEHOLDERS: [&str; 2] = ["@KEY0@", "@KEY1@"];

/// A request to the receiver, decoded from fuzz bytes by [`ReceiverInput::from_bytes`].
#[derive(Debug, Clone, Default)]
pub struct ReceiverInput {
    /// Sign the body with the receiver's secret (else the signature header is `signature`).
    pub sign: bool,
    pub send_id: bool,
    pub send_timestamp: bool,
    /// Send `timestamp` as text rather than now plus `skew`.
    pub raw_timestamp: bool,
    pub send_signature: bool,
    /// Declare `content_length` rather than the body's length.
    pub lie_length: bool,
    /// `GET` rather than `POST`.
    pub get: bool,
    /// Seconds added to the current time for the timestamp.
    pub skew: i64,
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub content_length: String,
    pub body: Vec<u8>,
}

impl ReceiverInput {
    /// Byte 0: flags (sign, id, timestamp, raw timestamp, signature, lie about the length,
    /// GET); byte 1: the clock skew in units of 5 s (signed); then `\n`-separated fields:
    /// id, raw timestamp, extra signature, declared length; the rest is the body.
    pub fn from_bytes(data: &[u8]) -> ReceiverInput {
        let flags = data.first().copied().unwrap_or(0x17);
        let skew = data.get(1).map_or(0, |&b| i64::from(b as i8) * 5);
        let mut rest = data.get(2..).unwrap_or_default();
        let mut field = || {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let f = String::from_utf8_lossy(&rest[..end]).into_owned();
            rest = rest.get(end + 1..).unwrap_or_default();
            f
        };
        let (id, timestamp, signature, content_length) = (field(), field(), field(), field());
        ReceiverInput {
            sign: flags & 1 != 0,
            send_id: flags & 2 != 0,
            send_timestamp: flags & 4 != 0,
            raw_timestamp: flags & 8 != 0,
            send_signature: flags & 16 != 0,
            lie_length: flags & 32 != 0,
            get: flags & 64 != 0,
            skew,
            id,
            timestamp,
            signature,
            content_length,
            body: rest.to_vec(),
        }
    }
}

/// Fuzz bytes as a [`ReceiverInput`], through [`receiver_request`].
pub fn receiver_body(data: &[u8]) {
    receiver_request(&ReceiverInput::from_bytes(data));
}

/// One request through the receiver's router, in process, against a fresh in-memory store
/// holding two keys. Checks that it never answers 500, always answers JSON (except
/// `/healthz`-style plain answers from the router itself: 405), says 200 only to a request
/// signed with the secret, timely, well formed and of the leak type — then one result per
/// report, each key in the store `revoked` the first time it is named, `already-revoked`
/// after, `unknown-key` for other digests — and that no answer holds a key of the store.
pub fn receiver_request(input: &ReceiverInput) -> ReceiverAnswer {
    use keyhound::keys::{Env, Issuer};
    use keyhound::revoke::webhook;
    use keyhound_issuer::store::{KeyStore, NewKey};
    let mut store = KeyStore::open_in_memory().expect("an in-memory store");
    let issuer = Issuer::new("fuzz").expect("a valid prefix");
    let keys: Vec<_> = (0..2)
        .map(|_| {
            store
                .issue(&issuer, Env::Live, &NewKey::default())
                .expect("issuing a key")
        })
        .collect();
    let mut body = input.body.clone();
    for (k, placeholder) in keys.iter().zip(KEY_PLACEHOLDERS) {
        body = replace_bytes(&body, placeholder.as_bytes(), k.digest.as_bytes());
    }
    let now = keyhound_issuer::store::now();
    let ts_text = if input.raw_timestamp {
        input.timestamp.clone()
    } else {
        (now + input.skew).to_string()
    };
    let key = webhook::signing_key(RECEIVER_SECRET);
    let mut signature = String::new();
    if input.sign {
        if let Ok(ts) = ts_text.parse::<i64>() {
            signature = webhook::sign(&key, &input.id, ts, &body);
        }
    }
    if !input.signature.is_empty() {
        signature = format!("{} {signature}", input.signature);
    }
    let mut req = axum::http::Request::builder()
        .method(if input.get { "GET" } else { "POST" })
        .uri("/v1/revocations")
        .header("content-type", "application/json");
    let mut sent_headers = (false, false, false);
    let mut too_large = body.len() > keyhound_issuer::serve::MAX_BODY;
    if input.send_id {
        if let Ok(v) = axum::http::HeaderValue::from_str(&input.id) {
            // The receiver reads headers as ASCII text: any other counts as missing.
            sent_headers.0 = v.to_str().is_ok();
            req = req.header("webhook-id", v);
        }
    }
    if input.send_timestamp {
        if let Ok(v) = axum::http::HeaderValue::from_str(&ts_text) {
            sent_headers.1 = v.to_str().is_ok();
            req = req.header("webhook-timestamp", v);
        }
    }
    if input.send_signature {
        if let Ok(v) = axum::http::HeaderValue::from_str(&signature) {
            sent_headers.2 = v.to_str().is_ok();
            req = req.header("webhook-signature", v);
        }
    }
    if input.lie_length {
        if let Ok(v) = axum::http::HeaderValue::from_str(&input.content_length) {
            req = req.header("content-length", v);
            too_large |= input
                .content_length
                .trim()
                .parse::<u64>()
                .is_ok_and(|n| n > keyhound_issuer::serve::MAX_BODY as u64);
        }
    }
    let req = req
        .body(axum::body::Body::from(body.clone()))
        .expect("a request");
    let app = keyhound_issuer::serve::router(store, RECEIVER_SECRET);
    let (status, bytes) = runtime().block_on(async move {
        use http_body_util::BodyExt as _;
        let svc = hyper_util::service::TowerToHyperService::new(app);
        let resp = hyper::service::Service::call(&svc, req)
            .await
            .expect("the router is infallible");
        let status = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .expect("a response body")
            .to_bytes();
        (status, bytes)
    });
    assert_ne!(status, 500, "the receiver failed on a request");
    if input.get {
        assert_eq!(status, 405, "GET /v1/revocations");
        return ReceiverAnswer {
            status,
            body: serde_json::Value::Null,
        };
    }
    let answer: serde_json::Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("status {status}: the answer is not JSON"));
    let ts = ts_text.parse::<i64>().ok();
    let signed = sent_headers == (true, true, true)
        && ts.is_some_and(|ts| webhook::verify(&key, &input.id, ts, &body, &signature));
    // The receiver reads its clock a moment after this one: a timestamp within a few
    // seconds of the window's edge may fall either side.
    let off = ts.map(|ts| now.abs_diff(ts));
    if off.is_some_and(|o| o.abs_diff(webhook::TOLERANCE_SECS as u64) <= 3) {
        return ReceiverAnswer {
            status,
            body: answer,
        };
    }
    let signed_ok = signed && off.is_some_and(|o| o <= webhook::TOLERANCE_SECS as u64);
    if too_large && sent_headers == (true, true, true) && ts.is_some() {
        assert_eq!(status, 413, "a body over the limit");
    }
    if status == 200 {
        assert!(
            signed_ok,
            "200 for a request that is not signed, timely and complete"
        );
        let batch: webhook::LeakBatch =
            serde_json::from_slice(&body).expect("a 200 answers a well-formed batch");
        assert_eq!(batch.kind, webhook::LEAK_TYPE);
        let results = answer["results"].as_array().expect("results");
        assert_eq!(results.len(), batch.reports.len(), "one result per report");
        let mut seen = std::collections::HashSet::new();
        for (r, res) in batch.reports.iter().zip(results) {
            assert_eq!(res["id"].as_str(), Some(r.id.as_str()));
            let digest = r.token_sha256.to_ascii_lowercase();
            let known = keys.iter().any(|k| k.digest == digest);
            let expected = match (known, seen.insert(digest)) {
                (false, _) => "unknown-key",
                (true, true) => "revoked",
                (true, false) => "already-revoked",
            };
            assert_eq!(res["outcome"].as_str(), Some(expected), "report outcome");
        }
        for k in &keys {
            assert!(
                !String::from_utf8_lossy(&bytes).contains(k.expose()),
                "the answer holds a key"
            );
        }
    } else {
        assert!(
            answer["error"].is_string(),
            "status {status}: an error answer names the error"
        );
        if signed_ok
            && !too_large
            && serde_json::from_slice::<webhook::LeakBatch>(&body)
                .is_ok_and(|b| b.kind == webhook::LEAK_TYPE)
        {
            panic!("status {status} for a signed, timely, well-formed batch");
        }
    }
    ReceiverAnswer {
        status,
        body: answer,
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

fn replace_bytes(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}
