//! Adopting keyhound in a repository that already has findings: baselines, `.keyhoundignore`
//! fingerprints, repository-scoped fingerprints and commit allowlists, on real repositories.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

fn findings(report: &Value) -> Vec<Value> {
    report["findings"].as_array().unwrap().clone()
}

/// Runs `keyhound baseline SUB ARGS…` in `dir`; returns stdout.
fn baseline(dir: &Path, sub: &str, args: &[&str], code: i32) -> String {
    let all: Vec<&str> = ["baseline", sub]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    String::from_utf8_lossy(&output_in(dir, &all, code).stdout).into_owned()
}

/// `keyhound scan --format json ARGS… .` run in `dir`.
fn scan_in(dir: &Path, args: &[&str], code: i32) -> Value {
    let all: Vec<&str> = ["scan", "--format", "json"]
        .into_iter()
        .chain(args.iter().copied())
        .chain(["."])
        .collect();
    json_in(dir, &all, code)
}

/// 50 files, each with its own secret.
fn fifty_secrets(dir: &Path) -> Vec<String> {
    (0..50)
        .map(|i| {
            let secret = github_token(1000 + i);
            write(
                dir,
                &format!("src/mod{i:02}.py"),
                format!("# module {i}\nGITHUB_TOKEN = \"{secret}\"\n"),
            );
            secret
        })
        .collect()
}

#[test]
fn fifty_baselined_findings_then_only_the_new_secret_is_reported() {
    let r = repo();
    let secrets = fifty_secrets(r.path());
    commit_all(r.path(), "years of history");
    assert_eq!(findings(&scan_in(r.path(), &[], 1)).len(), 50);

    let out = baseline(r.path(), "create", &[], 0);
    assert!(out.contains("50 entries from 50 findings"), "{out}");
    let text = std::fs::read_to_string(r.path().join(".keyhound-baseline.json")).unwrap();
    for s in &secrets {
        assert!(!text.contains(s.as_str()), "the baseline holds no secret");
    }
    assert_eq!(text.lines().count(), 53, "header, 50 entries, null, footer");
    assert!(!text.contains("\"line\""), "no line numbers");

    let base = ["--baseline", ".keyhound-baseline.json"];
    assert!(findings(&scan_in(r.path(), &base, 0)).is_empty());

    let new = aws_key_id(77);
    write(
        r.path(),
        "src/new.py",
        format!("AWS_ACCESS_KEY_ID = \"{new}\"\n"),
    );
    let rep = scan_in(r.path(), &base, 1);
    let f = findings(&rep);
    assert_eq!(f.len(), 1, "{rep:#}");
    assert_eq!(f[0]["path"], "src/new.py");
    assert_eq!(f[0]["rule_id"], "aws.access-key-id");

    // The same from history: a baseline of every commit, then one new commit.
    baseline(
        r.path(),
        "create",
        &["--git", "-o", "history-baseline.json"],
        0,
    );
    commit_all(r.path(), "adds a key");
    let rep = json_in(
        r.path(),
        &[
            "scan",
            "--git",
            "--format",
            "json",
            "--baseline",
            "history-baseline.json",
        ],
        1,
    );
    let f = findings(&rep);
    assert_eq!(f.len(), 1, "{rep:#}");
    assert_eq!(f[0]["path"], "src/new.py");
}

#[test]
fn a_moved_line_stays_baselined_and_a_new_secret_on_it_does_not() {
    let r = repo();
    let secret = stripe_live(5);
    write(
        r.path(),
        "app.py",
        format!("import os\n\nKEY = \"{secret}\"\n"),
    );
    baseline(r.path(), "create", &[], 0);
    let base = ["--baseline", ".keyhound-baseline.json"];
    // Lines added above it: the finding moves to line 6, and is still baselined.
    write(
        r.path(),
        "app.py",
        format!("import os\nimport sys\nimport re\n\n\nKEY = \"{secret}\"\n"),
    );
    assert!(findings(&scan_in(r.path(), &base, 0)).is_empty());
    // Run from a subdirectory: paths are still repository-relative.
    write(r.path(), "sub/readme.txt", "nothing here\n");
    let out = keyhound()
        .current_dir(r.path().join("sub"))
        .args([
            "scan",
            "--format",
            "json",
            "--baseline",
            "../.keyhound-baseline.json",
            "..",
        ])
        .assert()
        .code(0);
    drop(out);
    // A different secret on the same line is a new finding.
    write(
        r.path(),
        "app.py",
        format!(
            "import os\nimport sys\nimport re\n\n\nKEY = \"{}\"\n",
            stripe_live(6)
        ),
    );
    assert_eq!(findings(&scan_in(r.path(), &base, 1)).len(), 1);
    // The same secret copied into another file is new there.
    write(r.path(), "app.py", format!("KEY = \"{secret}\"\n"));
    write(r.path(), "copy.py", format!("KEY = \"{secret}\"\n"));
    let f = findings(&scan_in(r.path(), &base, 1));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["path"], "copy.py");
}

#[test]
fn baselines_changed_on_two_branches_merge_without_conflict() {
    let r = repo();
    for i in 0..10 {
        write(
            r.path(),
            &format!("m/{i:02}.py"),
            format!("T = \"{}\"\n", github_token(300 + i)),
        );
    }
    baseline(r.path(), "create", &[], 0);
    commit_all(r.path(), "baseline");

    git(r.path(), &["checkout", "-q", "-b", "feature"]);
    write(
        r.path(),
        "a/new.py",
        format!("T = \"{}\"\n", github_token(401)),
    );
    baseline(r.path(), "create", &[], 0);
    commit_all(r.path(), "feature: accept a/new.py");

    git(r.path(), &["checkout", "-q", "main"]);
    write(
        r.path(),
        "z/new.py",
        format!("T = \"{}\"\n", github_token(402)),
    );
    baseline(r.path(), "create", &[], 0);
    commit_all(r.path(), "main: accept z/new.py");

    git(r.path(), &["merge", "-q", "--no-edit", "feature"]);
    let text = std::fs::read_to_string(r.path().join(".keyhound-baseline.json")).unwrap();
    assert!(!text.contains("<<<<<<<"), "{text}");
    assert_eq!(text.lines().count(), 15, "10 + 2 entries: {text}");
    // The merged baseline is valid and covers everything.
    assert!(findings(&scan_in(
        r.path(),
        &["--baseline", ".keyhound-baseline.json"],
        0
    ))
    .is_empty());
    baseline(r.path(), "check", &[], 0);

    // Two additions at the same place: with `merge=union` (as README recommends) they merge.
    write(
        r.path(),
        ".gitattributes",
        ".keyhound-baseline.json merge=union\n",
    );
    commit_all(r.path(), "union merge for the baseline");
    git(r.path(), &["checkout", "-q", "-b", "two"]);
    write(
        r.path(),
        "k/x.py",
        format!("T = \"{}\"\n", github_token(501)),
    );
    baseline(r.path(), "create", &[], 0);
    commit_all(r.path(), "two: k/x.py");
    git(r.path(), &["checkout", "-q", "main"]);
    write(
        r.path(),
        "k/y.py",
        format!("T = \"{}\"\n", github_token(502)),
    );
    baseline(r.path(), "create", &[], 0);
    commit_all(r.path(), "main: k/y.py");
    git(r.path(), &["merge", "-q", "--no-edit", "two"]);
    assert!(findings(&scan_in(
        r.path(),
        &["--baseline", ".keyhound-baseline.json"],
        0
    ))
    .is_empty());
}

#[test]
fn check_lists_stale_entries_and_unused_ignores_and_prune_removes_them() {
    let r = repo();
    for i in 0..3 {
        write(
            r.path(),
            &format!("f{i}.py"),
            format!("T = \"{}\"\n", github_token(600 + i)),
        );
    }
    baseline(r.path(), "create", &[], 0);
    assert!(baseline(r.path(), "check", &[], 0).contains("0 of 3 baseline entries stale"));
    std::fs::remove_file(r.path().join("f1.py")).unwrap();
    let out = baseline(r.path(), "check", &[], 1);
    assert!(out.contains("stale: ") && out.contains("f1.py"), "{out}");
    assert!(out.contains("1 of 3 baseline entries stale"), "{out}");
    let out = baseline(r.path(), "prune", &[], 0);
    assert!(out.contains("removed 1 stale entry, 2 left"), "{out}");
    baseline(r.path(), "check", &[], 0);

    // An ignore entry that silences nothing is reported; one in use is not.
    let rep = scan_in(r.path(), &[], 1);
    let used = findings(&rep)[0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    write(
        r.path(),
        ".keyhoundignore",
        format!("# accepted\n{used}\n00000000000000000000000000000000\n"),
    );
    let out = baseline(r.path(), "check", &[], 1);
    assert!(
        out.contains("unused: 00000000000000000000000000000000"),
        "{out}"
    );
    assert!(!out.contains(&format!("unused: {used}")), "{out}");
}

#[test]
fn keyhoundignore_fingerprint_silences_exactly_that_finding() {
    let r = repo();
    write(r.path(), "a.py", format!("A = \"{}\"\n", github_token(700)));
    write(r.path(), "b.py", format!("B = \"{}\"\n", github_token(701)));
    let rep = scan_in(r.path(), &[], 1);
    let fa = findings(&rep)
        .into_iter()
        .find(|f| f["path"] == "a.py")
        .unwrap();
    // The text report shows the fingerprint to paste.
    let text = keyhound()
        .current_dir(r.path())
        .args(["scan", "."])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&text).contains(fa["fingerprint"].as_str().unwrap()));
    write(
        r.path(),
        ".keyhoundignore",
        format!(
            "{}  # a.py's token, accepted\n",
            fa["fingerprint"].as_str().unwrap()
        ),
    );
    let f = findings(&scan_in(r.path(), &[], 1));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["path"], "b.py");
}

#[test]
fn fingerprints_are_scoped_by_repository() {
    let content = format!("T = \"{}\"\n", github_token(800));
    let fp = |remote: Option<&str>, config: Option<&str>| -> String {
        let r = repo();
        if let Some(url) = remote {
            git(r.path(), &["remote", "add", "origin", url]);
        }
        if let Some(c) = config {
            write(r.path(), ".keyhound.toml", c);
        }
        write(r.path(), "t.py", &content);
        let rep = scan_in(r.path(), &[], 1);
        findings(&rep)[0]["fingerprint"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let https = fp(Some("https://github.com/acme/app.git"), None);
    assert_eq!(
        https,
        fp(Some("git@github.com:Acme/App.git"), None),
        "one repository"
    );
    assert_ne!(https, fp(Some("https://github.com/acme/other.git"), None));
    assert_ne!(https, fp(None, None));
    let pinned = "[fingerprint]\nscope = \"github.com/acme/app\"\n";
    assert_eq!(
        https,
        fp(Some("https://github.com/someone/fork.git"), Some(pinned))
    );
    // A staged scan computes the same fingerprint as a tree scan.
    let r = repo();
    git(
        r.path(),
        &["remote", "add", "origin", "https://github.com/acme/app"],
    );
    write(r.path(), "t.py", &content);
    git(r.path(), &["add", "t.py"]);
    let rep = json_in(r.path(), &["scan", "--staged", "--format", "json"], 1);
    assert_eq!(findings(&rep)[0]["fingerprint"].as_str().unwrap(), https);
}

#[test]
fn allowlisted_commits_are_skipped_in_history() {
    let r = repo();
    write(
        r.path(),
        "old.py",
        format!("T = \"{}\"\n", github_token(900)),
    );
    let old = commit_all(r.path(), "an accepted leak");
    write(
        r.path(),
        "new.py",
        format!("T = \"{}\"\n", github_token(901)),
    );
    commit_all(r.path(), "a new leak");
    write(
        r.path(),
        ".keyhound.toml",
        format!("[allowlist]\ncommits = [\"{}\"]\n", &old[..12]),
    );
    let rep = json_in(r.path(), &["scan", "--git", "--format", "json"], 1);
    let f = findings(&rep);
    assert_eq!(f.len(), 1, "{rep:#}");
    assert_eq!(f[0]["path"], "new.py");
}

#[test]
fn bad_baselines_and_targets_are_clear_errors() {
    let r = repo();
    write(
        r.path(),
        "broken.json",
        "{\"keyhound_baseline\": 1, \"entries\": [",
    );
    let out = keyhound()
        .current_dir(r.path())
        .args(["scan", "--baseline", "broken.json", "."])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("broken.json is not a keyhound baseline"));
    let out = keyhound()
        .current_dir(r.path())
        .args(["scan", "--baseline", "missing.json", "."])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("cannot read baseline missing.json"));
    let out = keyhound()
        .current_dir(r.path())
        .args(["baseline", "create", "--staged"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("not --staged"));
}

#[test]
fn staged_scans_honour_the_baseline_from_any_directory() {
    let r = repo();
    let old = github_token(950);
    write(r.path(), "src/app/config.py", format!("T = \"{old}\"\n"));
    baseline(r.path(), "create", &[], 0);
    // The baselined secret, re-staged (its file edited above it), and one new secret.
    write(
        r.path(),
        "src/app/config.py",
        format!("import os\nT = \"{old}\"\n"),
    );
    write(
        r.path(),
        "src/app/new.py",
        format!("N = \"{}\"\n", github_token(951)),
    );
    git(r.path(), &["add", "-A"]);
    let rep = json_in(
        &r.path().join("src/app"),
        &[
            "scan",
            "--staged",
            "--format",
            "json",
            "--baseline",
            "../../.keyhound-baseline.json",
            "../..",
        ],
        1,
    );
    let f = findings(&rep);
    assert_eq!(f.len(), 1, "{rep:#}");
    assert_eq!(f[0]["path"], "src/app/new.py");
}

/// A baseline written to a pipe goes into the pipe: the pipe is not replaced by a regular
/// file (as root, a rename over `/dev/null` would succeed and break the machine).
#[cfg(unix)]
#[test]
fn baseline_to_a_fifo_writes_into_it() {
    use std::os::unix::fs::FileTypeExt;
    let r = repo();
    write(r.path(), "a.py", format!("T = \"{}\"\n", github_token(960)));
    let fifo = r.path().join("pipe");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    baseline(r.path(), "create", &["-o", "pipe"], 0);
    // Checked before joining: had the pipe been replaced, the reader would never return.
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    let text = reader.join().unwrap();
    assert!(text.starts_with("{\"keyhound_baseline\": 1"), "{text}");
}
