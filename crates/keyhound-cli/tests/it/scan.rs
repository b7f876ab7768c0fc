//! End-to-end: the real binary on real directories.

use crate::common::*;
use predicates::prelude::*;
use serde_json::Value;
use std::fs;

fn project_with_secrets() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let gh = github_token(1);
    let aws = aws_key_id(2);
    let stripe = stripe_live(3);
    write(
        dir.path(),
        "src/config.py",
        format!("import os\n\nGITHUB_TOKEN = \"{gh}\"\nregion = \"eu-west-1\"\n"),
    );
    write(
        dir.path(),
        "deploy/env.sh",
        format!("export AWS_ACCESS_KEY_ID={aws}\nexport STRIPE_KEY={stripe}\n"),
    );
    write(dir.path(), "README.md", "nothing to see here\n");
    (dir, vec![gh, aws, stripe])
}

#[test]
fn text_report_redacts_and_exits_1() {
    let (dir, secrets) = project_with_secrets();
    let out = keyhound()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for s in &secrets {
        assert!(!text.contains(s.as_str()), "raw secret leaked: {text}");
        assert!(
            text.contains(&format!("{}…", &s[..4])),
            "redacted form missing: {text}"
        );
    }
    assert!(text.contains("github.pat.classic"), "{text}");
    assert!(text.contains("aws.access-key-id"), "{text}");
    assert!(text.contains("stripe.secret.live"), "{text}");
    assert!(text.contains("config.py:3:17"), "line and column: {text}");
    assert!(text.contains("3 findings"), "{text}");
    assert!(text.contains("Scanned 3 files"), "{text}");
}

#[test]
fn show_secrets_reveals() {
    let (dir, secrets) = project_with_secrets();
    keyhound()
        .args(["scan", "--show-secrets"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(secrets[0].as_str()));
}

#[test]
fn clean_tree_exits_0() {
    let clean = root().join("testdata/clean");
    keyhound()
        .arg("scan")
        .arg(&clean)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no secrets found"));
}

#[test]
fn json_report_has_documented_fields() {
    let (dir, secrets) = project_with_secrets();
    let out = keyhound()
        .args(["scan", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for s in &secrets {
        assert!(!text.contains(s.as_str()));
    }
    let v: Value = serde_json::from_str(&text).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3);
    let f = findings
        .iter()
        .find(|f| f["rule_id"] == "github.pat.classic")
        .unwrap();
    assert!(f["path"].as_str().unwrap().ends_with("src/config.py"));
    assert_eq!(f["line"], 3);
    assert_eq!(f["column"], 17);
    assert_eq!(f["end_column"], 17 + 40);
    assert_eq!(f["redacted"], true);
    assert_eq!(f["secret"], format!("{}…", &secrets[0][..4]));
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 32);
    assert_eq!(f["severity"], "critical");
    assert_eq!(v["summary"]["files"], 3);
    assert_eq!(v["summary"]["findings"], 3);
}

#[test]
fn fingerprint_survives_moving_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let gh = github_token(9);
    write(dir.path(), "a.txt", format!("token {gh}\n"));
    let fp = |dir: &std::path::Path| -> String {
        let v = scan_json(dir, &[], 1);
        v["findings"][0]["fingerprint"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let before = fp(dir.path());
    write(dir.path(), "a.txt", format!("\n\n\n    moved: {gh}\n"));
    assert_eq!(before, fp(dir.path()));
}

#[test]
fn sarif_is_valid_and_holds_no_secret() {
    let (dir, secrets) = project_with_secrets();
    let out_file = dir.path().join("out.sarif");
    keyhound()
        .current_dir(dir.path())
        .args(["scan", ".", "--format", "sarif", "--output"])
        .arg(&out_file)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let text = fs::read_to_string(&out_file).unwrap();
    for s in &secrets {
        assert!(!text.contains(s.as_str()), "secret in SARIF");
    }
    let instance: Value = serde_json::from_str(&text).unwrap();
    let errors = sarif_schema_errors(&instance);
    assert!(errors.is_empty(), "SARIF invalid:\n{}", errors.join("\n"));

    let run = &instance["runs"][0];
    assert_eq!(instance["version"], "2.1.0");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 3, "only rules that fired");
    for r in rules {
        assert!(r["properties"]["security-severity"].is_string());
        let tags: Vec<&str> = r["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(tags.contains(&"security") && tags.contains(&"secret"));
        assert!(!r["help"]["text"].as_str().unwrap().is_empty());
        assert!(r["fullDescription"]["text"].is_string());
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let gh = results
        .iter()
        .find(|r| r["ruleId"] == "github.pat.classic")
        .unwrap();
    let loc = &gh["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "src/config.py");
    assert_eq!(loc["region"]["startLine"], 3);
    assert_eq!(loc["region"]["startColumn"], 17);
    assert_eq!(loc["region"]["endColumn"], 57);
    let lh = gh["partialFingerprints"]["primaryLocationLineHash"]
        .as_str()
        .unwrap();
    assert!(lh.ends_with(":1"), "{lh}");
    assert_eq!(gh["level"], "error");
}

#[test]
fn nonexistent_path_is_exit_2_with_message() {
    keyhound()
        .args(["scan", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/definitely/not/here"))
        .stderr(predicate::str::contains("no such file"));
}

#[test]
fn bad_flag_is_exit_2() {
    keyhound()
        .args(["scan", "--format", "yaml"])
        .assert()
        .code(2);
    keyhound()
        .args(["scan", "--max-file-size", "lots"])
        .assert()
        .code(2);
}

#[test]
fn invalid_custom_rule_is_exit_2_naming_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".keyhound.toml",
        "[[rules]]\nid = \"acme.broken\"\nname = \"Broken\"\nkeywords = [\"acme_\"]\nregex = '''acme_[a-z'''\n",
    );
    keyhound()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("acme.broken"))
        .stderr(predicate::str::contains(".keyhound.toml"));
    // An unparsable file names the file and line.
    write(dir.path(), ".keyhound.toml", "[[rules]\n");
    keyhound()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(".keyhound.toml"));
}

#[test]
fn custom_rule_and_disabled_builtin() {
    let dir = tempfile::tempdir().unwrap();
    let internal = format!(
        "{}{}",
        "acme_",
        body(4, "abcdefghijklmnopqrstuvwxyz0123456789", 24)
    );
    write(
        dir.path(),
        "app.txt",
        format!("k = {internal}\nt = {}\n", github_token(5)),
    );
    write(
        dir.path(),
        ".keyhound.toml",
        "disabled_rules = [\"github.pat.classic\"]\n[[rules]]\nid = \"acme.internal\"\nname = \"Acme internal token\"\nkeywords = [\"acme_\"]\nregex = '''\\b(?P<secret>acme_[a-z0-9]{24})\\b'''\nexamples = [\"acme_0123456789abcdefghijklmn\"]\nnegative_examples = [\"acme_short\"]\n",
    );
    let v = scan_json(dir.path(), &[], 1);
    // The config's own example is a finding too; app.txt holds the one that matters.
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().ends_with("app.txt"))
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["acme.internal"]);
}

#[test]
fn binary_files_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = vec![0u8, 1, 2, 3];
    data.extend_from_slice(github_token(6).as_bytes());
    write(dir.path(), "blob.bin", data);
    keyhound()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("skipped 1 binary"));
}

#[test]
fn invalid_utf8_still_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = b"\xff\xfe garbage \xc3\x28 ".to_vec();
    data.extend_from_slice(github_token(7).as_bytes());
    data.extend_from_slice(b" \xe2\x82\n");
    write(dir.path(), "latin1.txt", data);
    keyhound()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("github.pat.classic"));
}

#[test]
fn sparse_file_over_limit_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let f = fs::File::create(dir.path().join("huge.log")).unwrap();
    f.set_len(1 << 30).unwrap(); // 1 GiB, sparse: no disk used
    write(dir.path(), "small.txt", format!("{}\n", github_token(8)));
    keyhound()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("skipped 1 over the size limit"))
        .stdout(predicate::str::contains("Scanned 1 file"));
}

#[test]
fn hundred_megabyte_single_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = Vec::with_capacity(100 << 20);
    let filler = b"abcdefghij token= password: ";
    while data.len() < 50 << 20 {
        data.extend_from_slice(filler);
    }
    data.extend_from_slice(b" ");
    data.extend_from_slice(github_token(10).as_bytes());
    data.extend_from_slice(b" ");
    while data.len() < 100 << 20 {
        data.extend_from_slice(filler);
    }
    write(dir.path(), "one-line.txt", &data);
    keyhound()
        .args(["scan", "--max-file-size", "200M", "-f", "json"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("github.pat.classic"));
    // Under the default limit (10 MiB) it is skipped, not scanned.
    keyhound()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("over the size limit"));
}

/// A directory that cannot be read is named as such (it was reported as its
/// `.keyhoundignore`), and a scan of nothing readable is an error.
#[test]
fn unreadable_directory_is_named_itself() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    write(dir.path(), "locked/a.txt", "x\n");
    let locked = dir.path().join("locked");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    let out = unprivileged()
        .arg("scan")
        .arg(&locked)
        .assert()
        .code(2)
        .get_output()
        .clone();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains(".keyhoundignore"), "{err}");
    assert!(
        err.contains(&format!("{}: Permission denied", locked.display())),
        "{err}"
    );
    assert!(err.contains("nothing could be read"), "{err}");
}

/// File names carrying ESC, CR, LF or bidirectional overrides cannot move the cursor, set
/// the window title or forge lines: every human-facing output shows them escaped.
#[test]
fn control_characters_in_names_are_escaped_in_every_human_output() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let evil = "evil\x1b]0;pwned\x07\r\nScanned 0 files: no secrets found\u{202e}.py";
    write(dir.path(), evil, format!("k = \"{}\"\n", github_token(12)));
    let f = dir.path().join(evil);
    fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
    // An unreadable one too, for the warning.
    let locked_name = "locked\x1b[2J.txt";
    write(dir.path(), locked_name, "x\n");
    fs::set_permissions(
        dir.path().join(locked_name),
        fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let raw = |s: &str| s.contains('\x1b') || s.contains('\r') || s.contains('\u{202e}');
    for format in ["text", "github", "markdown"] {
        let out = unprivileged()
            .args(["scan", "--format", format])
            .arg(dir.path())
            .assert()
            .code(1)
            .get_output()
            .clone();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !raw(&stdout),
            "{format}: raw control characters in {stdout:?}"
        );
        assert!(
            !raw(&stderr),
            "{format}: raw control characters in {stderr:?}"
        );
        assert!(
            stdout.contains("evil\\x1b]0;pwned\\u{7}\\r\\nScanned"),
            "{format}: {stdout}"
        );
        assert!(
            !stdout.lines().any(|l| l.starts_with("Scanned 0 files")),
            "{format}: a forged line: {stdout}"
        );
        assert!(stderr.contains("locked\\x1b[2J.txt"), "{format}: {stderr}");
    }
    // Errors quoting a path too.
    let out = keyhound()
        .arg("scan")
        .arg(dir.path().join("gone\x1b[2J"))
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !raw(&stderr) && stderr.contains("gone\\x1b[2J"),
        "{stderr:?}"
    );
}

#[test]
fn unreadable_file_is_a_warning_and_the_scan_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    write(dir.path(), "ok.txt", format!("{}\n", github_token(11)));
    write(dir.path(), "locked.txt", "x\n");
    let ok = dir.path().join("ok.txt");
    fs::set_permissions(&ok, fs::Permissions::from_mode(0o644)).unwrap();
    let locked = dir.path().join("locked.txt");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads anything: run the scan as an unprivileged user when we are root.
    unprivileged()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("locked.txt"))
        .stdout(predicate::str::contains("github.pat.classic"))
        .stdout(predicate::str::contains("1 unreadable"));
}

#[test]
fn ignore_files_are_respected_and_no_ignore_overrides() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", "build/\n");
    write(dir.path(), ".keyhoundignore", "fixtures/**\n");
    write(
        dir.path(),
        "build/out.txt",
        format!("{}\n", github_token(12)),
    );
    write(
        dir.path(),
        "fixtures/f.txt",
        format!("{}\n", github_token(13)),
    );
    write(dir.path(), ".env", format!("STRIPE={}\n", stripe_live(14)));
    write(dir.path(), ".git/config", format!("{}\n", github_token(15)));
    let scan = |extra: &[&str]| -> Vec<String> {
        let v = scan_json(dir.path(), extra, 1);
        let mut paths: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let p = f["path"].as_str().unwrap();
                p.rsplit_once(dir.path().file_name().unwrap().to_str().unwrap())
                    .map_or(p, |(_, r)| r)
                    .trim_start_matches('/')
                    .to_string()
            })
            .collect();
        paths.sort();
        paths
    };
    assert_eq!(
        scan(&[]),
        vec![".env"],
        "hidden files scanned, ignored paths not"
    );
    assert_eq!(
        scan(&["--no-ignore"]),
        vec![".env", "build/out.txt", "fixtures/f.txt"],
        ".git is never scanned"
    );
}

#[test]
fn stdin_is_scanned() {
    keyhound()
        .args(["scan", "-"])
        .write_stdin(format!("log line\nleaked {}\n", slack_bot(16)))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("<stdin>:2:"))
        .stdout(predicate::str::contains("slack.bot-token"));
    keyhound()
        .args(["scan", "-"])
        .write_stdin("nothing here\n")
        .assert()
        .code(0);
}

#[test]
fn inline_allow_silences_a_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "t.py",
        format!(
            "a = \"{}\"  # keyhound:allow\nb = \"{}\"  # gitleaks:allow\nc = \"{}\"\n",
            github_token(17),
            github_token(18),
            github_token(19)
        ),
    );
    let v = scan_json(dir.path(), &[], 1);
    let lines: Vec<i64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![3]);
}

#[test]
fn output_file_is_written_whole() {
    let (dir, _) = project_with_secrets();
    let target = dir.path().join("reports/out.json");
    fs::create_dir_all(target.parent().unwrap()).unwrap();
    keyhound()
        .args(["scan", "-f", "json", "-o"])
        .arg(&target)
        .arg(dir.path().join("src"))
        .assert()
        .code(1);
    let v: Value = serde_json::from_str(&fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
    // No temporary files left beside it.
    assert_eq!(fs::read_dir(target.parent().unwrap()).unwrap().count(), 1);
}

/// `-o` on a pipe (or `/dev/null`) writes into it; it must never replace the node with a
/// regular file (as root, a rename over `/dev/null` would succeed and break the machine).
#[cfg(unix)]
#[test]
fn output_to_a_fifo_writes_into_it() {
    use std::os::unix::fs::FileTypeExt;
    let (dir, _) = project_with_secrets();
    let fifo = dir.path().join("pipe");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(ok.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    keyhound()
        .args(["scan", "-f", "json", "-o"])
        .arg(&fifo)
        .arg(dir.path().join("src"))
        .assert()
        .code(1);
    // Checked before joining: had the pipe been replaced, the reader would never return.
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    let text = reader.join().unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
}

#[cfg(unix)]
#[test]
fn output_through_a_symlink_replaces_the_target_not_the_link() {
    let (dir, _) = project_with_secrets();
    let real = dir.path().join("real.json");
    fs::write(&real, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    keyhound()
        .args(["scan", "-f", "json", "-o"])
        .arg(&link)
        .arg(dir.path().join("src"))
        .assert()
        .code(1);
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(fs::read_to_string(&real).unwrap().contains("findings"));
}

#[test]
fn rules_list_and_rules_test() {
    keyhound()
        .args(["rules", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("aws.access-key-id"))
        .stdout(predicate::str::contains("github.pat.fine-grained"));
    let dir = tempfile::tempdir().unwrap();
    let good = "[[rules]]\nid = \"acme.key\"\nname = \"Acme key\"\nkeywords = [\"acme_\"]\nregex = '''\\bacme_[0-9]{6}\\b'''\nexamples = [\"acme_123456\"]\nnegative_examples = [\"acme_12\"]\n";
    write(dir.path(), "good.toml", good);
    keyhound()
        .args(["rules", "test"])
        .arg(dir.path().join("good.toml"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1 rules, 0 failures"));
    write(
        dir.path(),
        "bad.toml",
        good.replace("acme_12\"", "acme_654321\""),
    );
    keyhound()
        .args(["rules", "test"])
        .arg(dir.path().join("bad.toml"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "rule `acme.key`: negative example #1",
        ));
}

#[test]
fn help_teaches_exit_codes() {
    keyhound()
        .args(["scan", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Exit codes"))
        .stdout(predicate::str::contains("--show-secrets"));
}

#[test]
fn symlinks_are_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "secret.txt",
        format!("{}\n", github_token(20)),
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "plain.txt", "nothing\n");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("linked-dir")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        dir.path().join("linked.txt"),
    )
    .unwrap();
    keyhound()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Scanned 1 file"));
}

#[test]
fn a_second_secret_on_the_line_is_not_shown_raw() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (aws_key_id(21), github_token(22));
    write(dir.path(), "env.sh", format!("export A={a} B={b}\n"));
    for format in ["text", "json"] {
        let out = keyhound()
            .args(["scan", "--format", format])
            .arg(dir.path())
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text.contains(a.as_str()) && !text.contains(b.as_str()),
            "{text}"
        );
        assert!(text.contains("github.pat.classic") && text.contains("aws.access-key-id"));
    }
}

#[test]
fn allowlisted_paths_are_not_read_or_counted() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".keyhound.toml",
        "[allowlist]\npaths = [\"**/fixtures/**\"]\n",
    );
    write(
        dir.path(),
        "tests/fixtures/a.txt",
        format!("{}\n", github_token(23)),
    );
    write(dir.path(), "src/b.txt", format!("{}\n", github_token(24)));
    let v = scan_json(dir.path(), &[], 1);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    assert!(findings[0]["path"].as_str().unwrap().ends_with("src/b.txt"));
    assert_eq!(
        v["summary"]["files"], 2,
        "src/b.txt and .keyhound.toml only"
    );
}

#[test]
fn config_check_prints_the_effective_configuration_and_suggests_fixes() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        ".keyhound.toml",
        "disabled_rules = [\"jwt.token\"]\n[[issuer]]\nprefix = \"acme\"\n[context]\ntest_paths = [\"qa/**\"]\n",
    );
    keyhound()
        .args(["config", "check"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("valid"))
        .stdout(predicate::str::contains("disabled_rules = [\"jwt.token\"]"))
        .stdout(predicate::str::contains("keyhound.issuer.acme"))
        .stdout(predicate::str::contains("test_paths = [\"qa/**\"]"));
    write(
        dir.path(),
        ".keyhound.toml",
        "[allowlist]\nstopword = [\"x\"]\n",
    );
    keyhound()
        .args(["config", "check"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `stopwords`"));
    // The scan itself refuses the same file the same way.
    keyhound()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `stopwords`"));
}

#[test]
fn github_format_emits_annotations_without_secrets() {
    let (dir, secrets) = project_with_secrets();
    let out = keyhound()
        .current_dir(dir.path())
        .args(["scan", ".", "--format", "github"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for s in &secrets {
        assert!(
            !text.contains(s.as_str()),
            "raw secret in annotations: {text}"
        );
    }
    let gh = text
        .lines()
        .find(|l| l.contains("file=src/config.py"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        gh.starts_with("::error file=src/config.py,line=3,endLine=3,col=17,endColumn=57,title=Hardcoded GitHub personal access token (classic) (confirmed)::"),
        "{gh}"
    );
    assert!(gh.contains("ghp_…"), "{gh}");
    assert_eq!(text.lines().filter(|l| l.starts_with("::")).count(), 3);
}

/// A scan, in process, of `app/settings.py` holding one GitHub token per seed.
fn tokens_scanned(
    seeds: impl Iterator<Item = u64>,
) -> (keyhound::detect::Engine, keyhound::scan::Outcome) {
    use keyhound::finding::{Options, Policy};
    let data: String = seeds
        .enumerate()
        .map(|(i, seed)| format!("TOKEN_{} = \"{}\"\n", i + 1, github_token(seed)))
        .collect();
    let engine = keyhound::detect::Engine::new(keyhound::rules::builtin_rules()).unwrap();
    let outcome = keyhound::scan::scan_bytes(
        &engine,
        &Policy::default(),
        &Options::default(),
        "app/settings.py",
        data.as_bytes(),
    );
    (engine, outcome)
}

fn gzip_len(data: &[u8]) -> usize {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, data).unwrap();
    gz.finish().unwrap().len()
}

#[test]
fn sarif_category_and_deterministic_truncation() {
    let (engine, outcome) = tokens_scanned(1..=3);
    assert_eq!(outcome.findings.len(), 3);
    let sarif = keyhound::report::sarif::build_limited(&outcome, &engine, Some("apps/web"), 2);
    let v = serde_json::to_value(&sarif).unwrap();
    let run = &v["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "apps/web/");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    // Same severity and confirmation: the cut keeps the first locations.
    let lines: Vec<u64> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(lines, [1, 2]);
    let note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(note.contains("2 of 3"), "{note}");
    assert!(
        sarif_schema_errors(&v).is_empty(),
        "truncated SARIF must stay valid"
    );
    // Under the limit: everything, no notification, default category.
    let full =
        serde_json::to_value(keyhound::report::sarif::build(&outcome, &engine, None)).unwrap();
    assert_eq!(full["runs"][0]["results"].as_array().unwrap().len(), 3);
    assert_eq!(full["runs"][0]["automationDetails"]["id"], "keyhound/");
    assert!(full["runs"][0]["invocations"][0]["toolExecutionNotifications"].is_null());
}

#[test]
fn sarif_is_cut_to_fit_the_compressed_size_limit() {
    // Distinct random tokens compress poorly: 400 findings make a SARIF file far above 4 KB
    // once gzip-compressed.
    let (engine, outcome) = tokens_scanned(10_001..=10_400);
    assert_eq!(outcome.findings.len(), 400);
    let limit = 16_000;
    let bytes = keyhound::report::sarif::render(&outcome, &engine, None, 25_000, limit).unwrap();
    let compressed = gzip_len(&bytes);
    assert!(compressed <= limit, "{compressed} > {limit}");
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    let kept = v["runs"][0]["results"].as_array().unwrap().len();
    assert!(kept > 0 && kept < 400, "kept {kept}");
    let note = v["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(note.contains(&format!("{kept} of 400")), "{note}");
    // One more result would not have fitted: the cut is as late as it can be.
    let one_more = serde_json::to_vec_pretty(&keyhound::report::sarif::build_limited(
        &outcome,
        &engine,
        None,
        kept + 1,
    ))
    .unwrap();
    assert!(gzip_len(&one_more) > limit);
    // Under the limit nothing is cut.
    let all = keyhound::report::sarif::render(&outcome, &engine, None, 25_000, 10_000_000).unwrap();
    let v: Value = serde_json::from_slice(&all).unwrap();
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 400);
    // Written one result at a time, the log is the same bytes as the whole log rendered.
    let mut whole =
        serde_json::to_vec_pretty(&keyhound::report::sarif::build(&outcome, &engine, None))
            .unwrap();
    whole.push(b'\n');
    assert!(all == whole, "streamed SARIF differs from the rendered log");
}

/// A named pipe, `/dev/stdin` or a process substitution named on the command line is input:
/// it is read and scanned (each was "Scanned 0 files", exit 0). A socket, which cannot be
/// read, is an error, never a clean scan.
#[test]
fn pipes_and_devices_named_on_the_command_line_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let content = format!("k = \"{}\"\n", github_token(21));
    // A FIFO, written by another thread.
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let writer = {
        let (fifo, content) = (fifo.clone(), content.clone());
        std::thread::spawn(move || fs::write(fifo, content).unwrap())
    };
    let rep = scan_json(&fifo, &[], 1);
    writer.join().unwrap();
    assert_eq!(rep["findings"].as_array().unwrap().len(), 1);
    assert_eq!(rep["summary"]["files"], 1);
    // /dev/stdin fed by a pipe, and bash's <(…).
    let bin = assert_cmd::cargo::cargo_bin("keyhound");
    let file = dir.path().join("token.txt");
    fs::write(&file, &content).unwrap();
    for script in [
        format!(
            "cat '{}' | '{}' scan --format json /dev/stdin",
            file.display(),
            bin.display()
        ),
        format!(
            "'{}' scan --format json <(cat '{}')",
            bin.display(),
            file.display()
        ),
    ] {
        let out = std::process::Command::new("bash")
            .args(["-c", &script])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rep: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(rep["findings"].as_array().unwrap().len(), 1, "{script}");
    }
    // A socket cannot be opened: exit 2, naming it.
    let sock = dir.path().join("sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    keyhound()
        .arg("scan")
        .arg(&sock)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sock"));
}

/// Confidence on every finding, and `--confidence` choosing what is reported: the default
/// (`medium`) hides what test code and docs hold unless confirmed or live; `low` shows it;
/// `high` keeps provider-specific formats only. The configuration can set the default.
#[test]
fn confidence_levels_select_what_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Code: a provider format (high) and a generic password (medium).
    write(
        d,
        "src/app.py",
        format!("KEY_ID = \"{}\"\n", aws_key_id(31)),
    );
    write(d, "src/db.py", "db_password = \"n6QfW0gd84C1wlGc\"\n");
    // Test code: an unconfirmed provider format (low), a checksum-confirmed token (medium),
    // a live-marked key (medium, live-in-test).
    write(
        d,
        "tests/test_client.py",
        format!("KEY_ID = \"{}\"\n", aws_key_id(32)),
    );
    write(
        d,
        "tests/fixtures/gh.txt",
        format!("{}\n", github_token(33)),
    );
    write(
        d,
        "pkg/pay_test.go",
        format!("k := \"{}\"\n", stripe_live(34)),
    );
    // Docs: a generic password (low).
    write(d, "docs/setup.md", "password: \"Jq9hB4insToFpkUgoq37\"\n");
    let run = |extra: &[&str], code: i32| -> Vec<(String, String)> {
        let rep = scan_json(d, extra, code);
        let mut v: Vec<(String, String)> = rep["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let path = f["path"].as_str().unwrap();
                let rel = path
                    .rsplit_once(&format!("{}/", d.display()))
                    .map_or(path, |(_, r)| r);
                (
                    rel.to_string(),
                    f["confidence"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let pair = |p: &str, c: &str| (p.to_string(), c.to_string());
    let low = run(&["--confidence", "low"], 1);
    assert_eq!(
        low,
        vec![
            pair("docs/setup.md", "low"),
            pair("pkg/pay_test.go", "medium"),
            pair("src/app.py", "high"),
            pair("src/db.py", "medium"),
            pair("tests/fixtures/gh.txt", "medium"),
            pair("tests/test_client.py", "low"),
        ]
    );
    let medium: Vec<_> = low.iter().filter(|(_, c)| c != "low").cloned().collect();
    assert_eq!(run(&[], 1), medium, "medium is the default");
    assert_eq!(run(&["--confidence", "medium"], 1), medium);
    assert_eq!(
        run(&["--confidence", "high"], 1),
        vec![pair("src/app.py", "high")]
    );
    // The configuration's default, which the flag overrides.
    write(d, ".keyhound.toml", "[scan]\nconfidence = \"low\"\n");
    assert_eq!(run(&[], 1), low);
    assert_eq!(
        run(&["--confidence", "high"], 1),
        vec![pair("src/app.py", "high")]
    );
    // SARIF carries it too.
    let out = keyhound()
        .args(["scan", "--format", "sarif"])
        .arg(d)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let sarif: Value = serde_json::from_slice(&out).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    assert!(results
        .iter()
        .all(|r| r["properties"]["confidence"].is_string()));
    let precisions: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| r["properties"]["precision"].as_str().unwrap())
        .collect();
    assert!(
        precisions.contains("low") && precisions.contains("very-high"),
        "{precisions:?}"
    );
    // A bad level is exit 2 with the choices.
    keyhound()
        .args(["scan", "--confidence", "bogus"])
        .arg(d)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("low, medium, high"));
}

/// The false-positive shapes issue 14 lists (identifiers, code, placeholders, URL userinfo,
/// encoded words, an example in a docstring): not reported at the default confidence, shown
/// at `--confidence low` with the reason (`doubt`, or the `docs` context). Real-shaped
/// provider keys and a random password in the same files are still reported.
#[test]
fn confidence_low_shows_what_the_classifier_hides() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cookie = base64::engine::general_purpose::STANDARD.encode("example-cookie-secret");
    let doubted = [
        "api_key = \"transportCredsForS2A\"".to_string(),
        "curl -H \"Authorization: Bearer YOUR_API_KEY\"".to_string(),
        "url = \"s3://access_key:secret_access_key@host/bucket\"".to_string(),
        format!("cookie_secret = \"{cookie}\""),
        "password = \"pass%20word\"".to_string(),
        "auth_token = \"Resource$Projects$Locations$Secrets\"".to_string(),
        "token: recaptchaV2Token".to_string(),
        "password: Cisco#123".to_string(),
        "secret = \"a-zA-Z0-9/_+=.@-\"".to_string(),
        "password = get_option(\"become_pass\", playcontext=self._play_context)".to_string(),
        // AWS's documentation convention for example key ids.
        format!("aws_key_id = \"{}\"", ["AKIA", "EXAMPLEPBUMBC3GA"].concat()),
    ];
    write(d, "src/settings.py", doubted.join("\n") + "\n");
    write(
        d,
        "src/client.py",
        "def connect():\n    \"\"\"Connects.\n\n    Example: db_password = \"Jq9hB4insToFpkUgoq37\"\n    \"\"\"\n",
    );
    write(
        d,
        "src/keys.py",
        format!(
            "AWS_KEY_ID = \"{}\"\nGH = \"{}\"\nSLACK = \"{}\"\ndb_password = \"n6QfW0gd84C1wlGc\"\n",
            aws_key_id(41),
            github_token(42),
            slack_bot(43)
        ),
    );
    // Docs: a provider-format key is still reported (medium); a shortened PEM body is not
    // a key at all.
    write(
        d,
        "docs/setup.md",
        format!(
            "export GITHUB_TOKEN={}\n\n    -----BEGIN RSA {}-----\n    MIIEpQIBAAKCAQEAuyf/lNrH9ck8DmNyo3fG...\n    -----END RSA {}-----\n",
            github_token(44),
            "PRIVATE KEY",
            "PRIVATE KEY"
        ),
    );
    // Docs that call a value an example, or show it in a doctest: low, doubt `example`
    // (a checksum-confirmed key would still be reported).
    write(
        d,
        "docs/api.rst",
        format!(
            "Set the key (example: ``{}``).\n\n    >>> client = Client(\"{}\")\n",
            aws_key_id(45),
            slack_bot(46)
        ),
    );
    let findings = |extra: &[&str]| -> Vec<Value> {
        scan_json(d, extra, 1)["findings"]
            .as_array()
            .unwrap()
            .clone()
    };
    let in_file = |fs: &[Value], name: &str| -> Vec<Value> {
        fs.iter()
            .filter(|f| f["path"].as_str().unwrap().ends_with(name))
            .cloned()
            .collect()
    };
    let medium = findings(&[]);
    assert!(in_file(&medium, "settings.py").is_empty(), "{medium:#?}");
    assert!(in_file(&medium, "client.py").is_empty(), "{medium:#?}");
    let keys = in_file(&medium, "keys.py");
    let mut levels: Vec<&str> = keys
        .iter()
        .map(|f| f["confidence"].as_str().unwrap())
        .collect();
    levels.sort();
    assert_eq!(levels, ["high", "high", "high", "medium"], "{keys:#?}");
    let docs = in_file(&medium, "setup.md");
    assert_eq!(docs.len(), 1, "{docs:#?}");
    assert_eq!(docs[0]["rule_id"], "github.pat.classic");
    assert_eq!(docs[0]["confidence"], "medium");

    let low = findings(&["--confidence", "low"]);
    let shown = in_file(&low, "settings.py");
    let lines: Vec<u64> = shown.iter().map(|f| f["line"].as_u64().unwrap()).collect();
    // Line 3's URL userinfo is for the URL rules alone (the generic rules skip userinfo),
    // and they drop a password that is a placeholder name outright: not even low.
    assert_eq!(
        lines,
        (1..=doubted.len() as u64)
            .filter(|&l| l != 3)
            .collect::<Vec<_>>(),
        "{shown:#?}"
    );
    for f in &shown {
        assert_eq!(f["confidence"], "low", "{f:#?}");
        assert!(f["doubt"].is_string(), "each says why: {f:#?}");
    }
    let doc = in_file(&low, "client.py");
    assert_eq!(doc.len(), 1, "{doc:#?}");
    assert_eq!(doc[0]["context"], "docs");
    assert_eq!(doc[0]["confidence"], "low");
    assert_eq!(in_file(&low, "keys.py").len(), 4);
    assert_eq!(
        in_file(&low, "setup.md").len(),
        1,
        "the shortened PEM is never a key"
    );
    assert!(in_file(&medium, "api.rst").is_empty(), "{medium:#?}");
    let examples = in_file(&low, "api.rst");
    assert_eq!(examples.len(), 2, "{examples:#?}");
    for f in &examples {
        assert_eq!(f["doubt"], "example", "{f:#?}");
        assert_eq!(f["confidence"], "low", "{f:#?}");
    }
}

#[test]
fn a_report_format_that_does_not_exist_names_the_ones_that_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = keyhound()
        .args(["scan", "--report", "xml=out.xml"])
        .arg(dir.path())
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(
        err.contains("`xml` is not a report format (text, json, sarif, github, markdown)"),
        "{err}"
    );
    // Names are case-insensitive.
    keyhound()
        .args(["scan", "--quiet", "--report", "SARIF=-"])
        .arg(dir.path())
        .assert()
        .code(0);
}

#[test]
fn a_report_that_cannot_be_written_says_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join("file");
    write(dir.path(), "file", "not a directory\n");
    let target = blocked.join("report.json");
    let out = keyhound()
        .args(["scan", "--format", "json", "-o"])
        .arg(&target)
        .arg(dir.path())
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(err.contains("cannot write report to"), "{err}");
    assert_eq!(err.matches("cannot write").count(), 1, "{err}");
}
