//! `keyhound import gitleaks`: a gitleaks configuration and ignore file translated, then
//! used for a scan.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

fn run(dir: &Path, args: &[&str], code: i32) -> String {
    let out = output_in(dir, args, code);
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn scan(dir: &Path, code: i32) -> Vec<Value> {
    let v = json_in(dir, &["scan", "--format", "json", "."], code);
    v["findings"].as_array().unwrap().clone()
}

fn internal_token(seed: u64) -> String {
    format!(
        "{}{}",
        "acmesvc_",
        body(seed, "abcdefghijklmnopqrstuvwxyz0123456789", 32)
    )
}

#[test]
fn a_real_gitleaks_config_and_ignore_file_are_translated() {
    let r = repo();
    let fixture = std::fs::read_to_string(root().join("testdata/gitleaks/gitleaks.toml")).unwrap();
    write(r.path(), ".gitleaks.toml", &fixture);

    // A secret gitleaks had been told to ignore, in history…
    let old = internal_token(1);
    write(
        r.path(),
        "svc/old.py",
        format!("\nACME_SVC_TOKEN = \"{old}\"\n"),
    );
    git(r.path(), &["add", "-A"]);
    git(r.path(), &["commit", "-q", "-m", "old token"]);
    let sha = git(r.path(), &["rev-parse", "HEAD"]);
    git(r.path(), &["rm", "-q", "svc/old.py"]);
    // …and one in the working tree.
    let known = internal_token(2);
    write(
        r.path(),
        "svc/known.py",
        format!("acme_service_token: '{known}'\n"),
    );
    write(
        r.path(),
        ".gitleaksignore",
        format!(
            "{sha}:svc/old.py:acme-internal-token:2\nsvc/known.py:acme-internal-token:1\nsvc/gone.py:acme-internal-token:9\n"
        ),
    );

    let out = run(r.path(), &["import", "gitleaks"], 0);
    assert!(
        out.contains("wrote .keyhound.toml: 3 rules translated"),
        "{out}"
    );
    for skipped in [
        "\"acme-legacy-password\": its regex does not parse: look-around",
        "\"acme-pem-path\": matches file paths only",
        "\"Acme-Webhook\": its `path` filter",
        "condition = \"AND\"",
        "applies only to rules [\"acme-internal-token\"]",
        "disabledRules = [\"generic-api-key\"]",
        "svc/gone.py:acme-internal-token:9",
    ] {
        assert!(out.contains(skipped), "expected {skipped:?} in:\n{out}");
    }
    assert!(out.contains("appended 2 fingerprints to"), "{out}");

    // The result loads, and says what it holds.
    let check = run(r.path(), &["config", "check"], 0);
    assert!(check.contains("3 custom"), "{check}");
    assert!(
        check.contains("path_regexes = [\"(.*?)(jpg|gif|doc|docx|zip|xls|pdf|bin|svg|socket)$\""),
        "{check}"
    );
    assert!(
        check.contains("d1271fe64683bd9ecc4c0e4e03022d4f1bf49556"),
        "{check}"
    );
    let config = std::fs::read_to_string(r.path().join(".keyhound.toml")).unwrap();
    assert!(
        config.contains("(?P<secret>acmesvc_[a-z0-9]{32})"),
        "{config}"
    );
    assert!(config.contains("keywords = ['acmedeploy-']"), "{config}");

    // The ignored token is silenced (it was in .gitleaksignore); the translated rules and
    // allowlists work.
    assert!(scan(r.path(), 0).is_empty());
    let fresh = internal_token(3);
    write(
        r.path(),
        "svc/new.py",
        format!("ACME_SVC_TOKEN = \"{fresh}\"\n"),
    );
    write(
        r.path(),
        "vendor/lib/x.py",
        format!("ACME_SVC_TOKEN = \"{}\"\n", internal_token(4)),
    );
    write(
        r.path(),
        "svc/deploy.sh",
        format!(
            "DEPLOY={}{}\n",
            "acmedeploy-",
            body(5, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 24)
        ),
    );
    write(
        r.path(),
        "svc/dummy.py",
        format!(
            "ACME_SVC_TOKEN = \"{}dummy{}\"\n",
            "acmesvc_",
            body(6, "abcdef0123456789", 27)
        ),
    );
    let found = scan(r.path(), 1);
    let mut got: Vec<(String, String)> = found
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("svc/deploy.sh".to_string(), "acme-deploy-key".to_string()),
            ("svc/new.py".to_string(), "acme-internal-token".to_string()),
        ],
        "vendor/ is allowlisted by path regex, `dummy` is a stopword"
    );
    // The history entry silences the old token in history too.
    let v = json_in(r.path(), &["scan", "--git", "--format", "json"], 0);
    assert!(v["findings"].as_array().unwrap().is_empty(), "{v:#}");

    // Importing the ignore file again adds nothing.
    let out = run(
        r.path(),
        &[
            "import",
            "gitleaks",
            ".gitleaks.toml",
            ".gitleaksignore",
            "-o",
            "again.toml",
        ],
        0,
    );
    assert!(!out.contains("appended"), "{out}");
    // An existing .keyhound.toml is not overwritten without --force.
    let out = run(r.path(), &["import", "gitleaks", ".gitleaks.toml"], 2);
    assert!(out.contains("exists; pass --force"), "{out}");
    run(
        r.path(),
        &["import", "gitleaks", ".gitleaks.toml", "--force"],
        0,
    );
}

#[test]
fn nothing_to_import_and_bad_input_are_clear_errors() {
    let r = repo();
    let out = run(r.path(), &["import", "gitleaks"], 2);
    assert!(
        out.contains("no .gitleaks.toml or .gitleaksignore here"),
        "{out}"
    );
    // An ignore file named alone is read as one (not as a configuration), and nothing is
    // translated or written for a configuration.
    write(r.path(), ".gitleaksignore", "app.py:generic-api-key:1\n");
    let out = run(r.path(), &["import", "gitleaks", ".gitleaksignore"], 0);
    assert!(out.contains("app.py"), "{out}");
    assert!(!r.path().join(".keyhound.toml").exists());
    write(r.path(), "bad.toml", "[[rules]\nid = 1");
    let out = run(r.path(), &["import", "gitleaks", "bad.toml"], 2);
    assert!(out.contains("bad.toml"), "{out}");
}

/// A configuration with no rule in effect is refused by `scan` and `config check` (it made
/// every scan "clean"); the importer keeps keyhound's rules on unless asked, and refuses to
/// write a configuration with none (a gitleaks file none of whose rules translate wrote
/// `defaults = false` and nothing else).
#[test]
fn no_rule_in_effect_is_an_error_never_a_clean_scan() {
    let r = repo();
    write(
        r.path(),
        "leak.py",
        format!("k = \"{}\"\n", github_token(5)),
    );
    for (config, why) in [
        ("[extend]\ndefaults = false\n", "defaults = false"),
        (
            "disabled_rules = [\"acme.token\"]\n\n[extend]\ndefaults = false\n\n[[rules]]\nid = \"acme.token\"\nname = \"Acme\"\nkeywords = [\"acme_\"]\nregex = 'acme_[a-z]{10}'\n",
            "every rule is disabled",
        ),
    ] {
        write(r.path(), ".keyhound.toml", config);
        for args in [&["scan", "."][..], &["config", "check"]] {
            let out = run(r.path(), args, 2);
            assert!(out.contains("no rule is in effect") && out.contains(why), "{args:?}: {out}");
        }
    }
    std::fs::remove_file(r.path().join(".keyhound.toml")).unwrap();
    // Only a look-around rule, which is listed as not translated.
    write(
        r.path(),
        ".gitleaks.toml",
        "[[rules]]\nid = \"la\"\nregex = '''acme_(?=[a-z]{10})'''\nkeywords = [\"acme_\"]\n",
    );
    let out = run(r.path(), &["import", "gitleaks", "--replace-defaults"], 2);
    assert!(
        out.contains("no\nrule would be in effect") || out.contains("no rule would be in effect"),
        "{out}"
    );
    assert!(!r.path().join(".keyhound.toml").exists());
    run(r.path(), &["import", "gitleaks"], 0);
    let toml = std::fs::read_to_string(r.path().join(".keyhound.toml")).unwrap();
    assert!(toml.contains("defaults = true"), "{toml}");
    // And the built-in rules still find what they find.
    assert_eq!(scan(r.path(), 1).len(), 1);
}

/// `.gitleaksignore` entries name files in the repository: one naming a file outside it —
/// by `..`, an absolute path, or a symlink out — is not read (it was, and its findings'
/// fingerprints were written to `.keyhoundignore`).
#[test]
fn gitleaksignore_entries_outside_the_repository_are_not_read() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "creds.txt",
        format!("k = \"{}\"\n", github_token(6)),
    );
    let r = repo();
    let secret = outside.path().join("creds.txt");
    std::os::unix::fs::symlink(&secret, r.path().join("link.txt")).unwrap();
    // `../../…/tmp/…/creds.txt` from the repository's root.
    let to_root = "../".repeat(r.path().components().count() - 1);
    let up = format!("{to_root}{}", secret.strip_prefix("/").unwrap().display());
    let entries = [
        format!("{}:github-pat:1", secret.display()),
        "link.txt:github-pat:1".to_string(),
        format!("{up}:github-pat:1"),
    ];
    write(
        r.path(),
        ".gitleaksignore",
        format!("{}\n", entries.join("\n")),
    );
    let out = run(r.path(), &["import", "gitleaks", ".gitleaksignore"], 0);
    assert_eq!(out.matches("outside the repository").count(), 3, "{out}");
    assert!(!r.path().join(".keyhoundignore").exists(), "{out}");
}
