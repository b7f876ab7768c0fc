//! `scan --staged`, `scan --git`, `--pre-push` and `hook install|uninstall` on real
//! repositories built with the git command line in temporary directories.

use crate::common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command as Proc;

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

/// (path, line) of every finding.
fn places(report: &Value) -> Vec<(String, u64)> {
    findings(report)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------- --staged

#[test]
fn staged_scans_the_index_not_the_working_tree() {
    let r = repo();
    write(r.path(), "app.py", "x = 1\n");
    commit_all(r.path(), "init");
    // A secret only in the working tree: not part of the commit.
    write(
        r.path(),
        "app.py",
        format!("x = 1\ntoken = \"{}\"\n", github_token(1)),
    );
    let rep = scan_json(r.path(), &["--staged"], 0);
    assert_eq!(rep["summary"]["files"], 0);
    // Staged: reported, with the staged file's line number.
    git(r.path(), &["add", "app.py"]);
    let rep = scan_json(r.path(), &["--staged"], 1);
    assert_eq!(places(&rep), vec![("app.py".to_string(), 2)]);
    assert_eq!(rep["summary"]["source"], "staged");
    assert_eq!(rep["summary"]["files"], 1);
}

#[test]
fn staged_reports_only_added_lines() {
    let r = repo();
    // An old secret already committed is history's business, not this commit's.
    write(r.path(), "cfg.py", format!("old = \"{}\"\n", aws_key_id(2)));
    commit_all(r.path(), "init");
    write(
        r.path(),
        "cfg.py",
        format!(
            "old = \"{}\"\nnew = \"{}\"\n",
            aws_key_id(2),
            stripe_live(3)
        ),
    );
    git(r.path(), &["add", "cfg.py"]);
    let rep = scan_json(r.path(), &["--staged"], 1);
    assert_eq!(places(&rep), vec![("cfg.py".to_string(), 2)]);
    assert_eq!(findings(&rep)[0]["rule_id"], "stripe.secret.live");
}

#[test]
fn partial_staging_is_respected() {
    let r = repo();
    write(r.path(), "a.txt", "one\n");
    commit_all(r.path(), "init");
    let staged = format!("one\ngh = {}\n", github_token(4));
    let full = format!("{staged}slack = {}\n", slack_bot(5));
    // Stage only the first hunk's content, as `git add -p` would.
    write(r.path(), "a.txt", &staged);
    git(r.path(), &["add", "a.txt"]);
    write(r.path(), "a.txt", &full);
    let rep = scan_json(r.path(), &["--staged", "--show-secrets"], 1);
    let f = findings(&rep);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["secret"], github_token(4));
}

#[test]
fn first_commit_scans_everything_staged() {
    let r = repo();
    write(r.path(), "k.env", format!("KEY={}\n", aws_key_id(6)));
    git(r.path(), &["add", "k.env"]);
    let rep = scan_json(r.path(), &["--staged"], 1);
    assert_eq!(places(&rep), vec![("k.env".to_string(), 1)]);
}

#[test]
fn empty_index_exits_0_quietly() {
    let r = repo();
    keyhound()
        .args(["scan", "--staged", "--quiet"])
        .arg(r.path())
        .assert()
        .code(0)
        .stdout("")
        .stderr("");
}

#[test]
fn deletions_renames_and_mode_changes_report_nothing() {
    let r = repo();
    write(r.path(), "a.py", format!("t = \"{}\"\n", github_token(7)));
    write(r.path(), "b.py", format!("t = \"{}\"\n", github_token(8)));
    write(r.path(), "c.sh", format!("t = \"{}\"\n", github_token(9)));
    commit_all(r.path(), "init");
    git(r.path(), &["rm", "-q", "a.py"]);
    git(r.path(), &["mv", "b.py", "renamed.py"]);
    git(r.path(), &["update-index", "--chmod=+x", "c.sh"]);
    let rep = scan_json(r.path(), &["--staged"], 0);
    assert!(findings(&rep).is_empty());
}

#[test]
fn staged_binary_and_oversized_blobs_are_skipped_and_counted() {
    let r = repo();
    let mut bin = format!("t = {}\n", github_token(10)).into_bytes();
    bin.insert(0, 0);
    write(r.path(), "blob.bin", bin);
    write(
        r.path(),
        "big.txt",
        format!("t = {}\n{}", github_token(11), "x".repeat(4096)),
    );
    let utf16: Vec<u8> = format!("\u{feff}$token = \"{}\"\r\n", github_token(12))
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    write(r.path(), "setup.ps1", utf16);
    git(r.path(), &["add", "-A"]);
    let rep = scan_json(r.path(), &["--staged", "--max-file-size", "1K"], 0);
    assert_eq!(rep["summary"]["skipped_binary"], 2);
    assert_eq!(rep["summary"]["skipped_large"], 1);
    // Even quiet, as the hook runs it, the scan says what it did not check (it was silent).
    let out = output_in(
        r.path(),
        &["scan", "--staged", "--quiet", "--max-file-size", "1K"],
        0,
    );
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("3 staged files not scanned")
            && err.contains("big.txt (over --max-file-size)")
            && err.contains("blob.bin (binary)")
            && err.contains("setup.ps1 (UTF-16 text"),
        "{err}"
    );
}

#[test]
fn blocking_message_says_how_to_fix() {
    let r = repo();
    write(r.path(), "a.py", format!("t = \"{}\"\n", github_token(12)));
    git(r.path(), &["add", "a.py"]);
    keyhound()
        .args(["scan", "--staged"])
        .arg(r.path())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("rotate"))
        .stderr(predicates::str::contains("keyhound:allow"))
        .stderr(predicates::str::contains("--no-verify"));
}

#[test]
fn not_a_repository_is_exit_2() {
    let d = tempfile::tempdir().unwrap();
    keyhound()
        .args(["scan", "--staged"])
        .arg(d.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not inside a git repository"));
}

// ---------------------------------------------------------------- --git

#[test]
fn history_finds_a_secret_added_then_removed() {
    let r = repo();
    write(r.path(), "README", "hello\n");
    commit_all(r.path(), "init");
    write(
        r.path(),
        "conf.py",
        format!("key = \"{}\"\n", stripe_live(20)),
    );
    let added = commit_all(r.path(), "add config");
    write(r.path(), "conf.py", "key = os.environ['KEY']\n");
    commit_all(r.path(), "use the environment");
    let rep = scan_json(r.path(), &["--git"], 1);
    let f = findings(&rep);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["path"], "conf.py");
    assert_eq!(f[0]["commit"]["id"], added);
    assert_eq!(f[0]["commit"]["author_name"], "Ada Tester");
    assert_eq!(f[0]["commit"]["author_email"], "ada@example.com");
    assert_eq!(f[0]["commit"]["summary"], "add config");
    assert!(f[0]["commit"]["date"].as_str().unwrap().ends_with('Z'));
    assert_eq!(f[0]["in_head"], false);
    assert_eq!(rep["summary"]["commits"], 3);
    assert_eq!(rep["summary"]["source"], "history");
}

#[test]
fn a_secret_in_many_commits_is_reported_once_at_the_first() {
    let r = repo();
    let secret = github_token(21);
    write(r.path(), "a.py", format!("t = \"{secret}\"\nv = 0\n"));
    let first = commit_all(r.path(), "first");
    for i in 1..=3 {
        write(r.path(), "a.py", format!("t = \"{secret}\"\nv = {i}\n"));
        commit_all(r.path(), &format!("edit {i}"));
    }
    let rep = scan_json(r.path(), &["--git"], 1);
    let f = findings(&rep);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["commit"]["id"], first);
    assert_eq!(f[0]["other_commits"], 3);
    assert_eq!(f[0]["in_head"], true);
    // Four distinct blobs were read, each once.
    assert_eq!(rep["summary"]["files"], 4);
}

#[test]
fn merges_ranges_and_since_commit() {
    let r = repo();
    write(r.path(), "base.txt", "base\n");
    let base = commit_all(r.path(), "base");
    git(r.path(), &["checkout", "-q", "-b", "feature"]);
    write(r.path(), "f.py", format!("k = \"{}\"\n", aws_key_id(22)));
    commit_all(r.path(), "feature secret");
    git(r.path(), &["checkout", "-q", "main"]);
    write(r.path(), "m.py", format!("k = \"{}\"\n", slack_bot(23)));
    commit_all(r.path(), "main secret");
    git(r.path(), &["merge", "-q", "--no-edit", "feature"]);
    // HEAD (the merge) reaches both.
    let all = scan_json(r.path(), &["--git"], 1);
    let mut paths: Vec<_> = places(&all).into_iter().map(|p| p.0).collect();
    paths.sort();
    assert_eq!(paths, ["f.py", "m.py"]);
    // A range: only what feature adds over base.
    let range = scan_json(r.path(), &["--git", &format!("{base}..feature")], 1);
    assert_eq!(places(&range), vec![("f.py".to_string(), 1)]);
    // --since-commit: commits after base, on HEAD's side too.
    let since = scan_json(r.path(), &["--git", "--since-commit", &base], 1);
    assert_eq!(findings(&since).len(), 2);
    // Nothing after HEAD.
    let head = git(r.path(), &["rev-parse", "HEAD"]);
    scan_json(r.path(), &["--git", "--since-commit", &head], 0);
}

/// A fake PEM RSA key whose body is four random base64 lines.
fn pem_key(seed: u64) -> String {
    let b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let lines: Vec<String> = (0..4).map(|i| body(seed * 10 + i, b64, 64)).collect();
    format!(
        "{}{}\n{}\n{}\n",
        "-----BEGIN RSA ",
        "PRIVATE KEY-----",
        lines.join("\n"),
        "-----END RSA PRIVATE KEY-----"
    )
}

#[test]
fn history_reports_what_each_commit_adds() {
    let r = repo();
    // A secret committed before the range, in a file the range then edits.
    write(
        r.path(),
        "cfg.py",
        format!("old = \"{}\"\nv = 0\n", aws_key_id(40)),
    );
    let base = commit_all(r.path(), "old secret");
    write(
        r.path(),
        "cfg.py",
        format!(
            "old = \"{}\"\nv = 1\nnew = \"{}\"\n",
            aws_key_id(40),
            stripe_live(41)
        ),
    );
    let edit = commit_all(r.path(), "edit");
    // The range's commit edited the file, but added only the second secret.
    let range = scan_json(r.path(), &["--git", &format!("{base}..HEAD")], 1);
    assert_eq!(places(&range), vec![("cfg.py".to_string(), 3)]);
    assert_eq!(findings(&range)[0]["commit"]["id"], edit);
    // The whole history: each secret at the commit that added it; the old one is in the
    // edited version too.
    let all = scan_json(r.path(), &["--git"], 1);
    let f = findings(&all);
    assert_eq!(f.len(), 2, "{f:?}");
    let old = f.iter().find(|f| f["line"] == 1).unwrap();
    assert_eq!(old["commit"]["id"], base);
    assert_eq!(old["other_commits"], 1);

    // A key rotated in place: the PEM header and footer lines stay, only the body is new;
    // the header (the rule's keyword) is found on the unchanged line above it.
    write(r.path(), "deploy/key.pem", pem_key(42));
    let first = commit_all(r.path(), "add key");
    write(r.path(), "deploy/key.pem", pem_key(43));
    let rotated = commit_all(r.path(), "rotate key");
    let rep = scan_json(r.path(), &["--git", &format!("{edit}..HEAD")], 1);
    let mut keys: Vec<(String, u64)> = findings(&rep)
        .iter()
        .map(|f| {
            assert_eq!(f["rule_id"], "private-key.pem");
            (
                f["commit"]["id"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    keys.sort();
    // Line 2: the secret (the body) starts under the header.
    let mut want = vec![(first, 2), (rotated, 2)];
    want.sort();
    assert_eq!(keys, want);

    // Removed, then added back: one finding, at the first commit; the return is counted.
    write(r.path(), "cfg.py", "v = 2\n");
    commit_all(r.path(), "remove secrets");
    write(
        r.path(),
        "cfg.py",
        format!("v = 3\nold = \"{}\"\n", aws_key_id(40)),
    );
    commit_all(r.path(), "put one back");
    let all = scan_json(r.path(), &["--git"], 1);
    let old: Vec<&Value> = findings(&all)
        .iter()
        .filter(|f| f["path"] == "cfg.py" && f["rule_id"] != "stripe.secret.live")
        .collect();
    assert_eq!(old.len(), 1, "{old:?}");
    assert_eq!(old[0]["commit"]["id"], base);
    assert_eq!(old[0]["other_commits"], 2);
}

#[test]
fn renamed_file_keeps_one_blob_read() {
    let r = repo();
    write(
        r.path(),
        "old.py",
        format!("k = \"{}\"\n", github_token(24)),
    );
    commit_all(r.path(), "add");
    git(r.path(), &["mv", "old.py", "new.py"]);
    commit_all(r.path(), "rename");
    let rep = scan_json(r.path(), &["--git"], 1);
    // One object read; the secret is reported at each path it lived at.
    assert_eq!(rep["summary"]["files"], 1);
    let mut paths: Vec<_> = places(&rep).into_iter().map(|p| p.0).collect();
    paths.sort();
    assert_eq!(paths, ["new.py", "old.py"]);
}

#[test]
fn history_skips_binary_and_oversized_blobs() {
    let r = repo();
    let mut bin = format!("t = {}\n", github_token(25)).into_bytes();
    bin.insert(0, 0);
    write(r.path(), "blob.bin", bin);
    write(
        r.path(),
        "big.txt",
        format!("t = {}\n{}", github_token(26), "x".repeat(4096)),
    );
    commit_all(r.path(), "binary and big");
    let rep = scan_json(r.path(), &["--git", "--max-file-size", "1K"], 0);
    assert_eq!(rep["summary"]["skipped_binary"], 1);
    assert_eq!(rep["summary"]["skipped_large"], 1);
}

#[test]
fn bare_repository_and_shallow_clone() {
    let r = repo();
    write(r.path(), "a.py", format!("k = \"{}\"\n", github_token(27)));
    commit_all(r.path(), "one");
    write(r.path(), "b.py", format!("k = \"{}\"\n", stripe_live(28)));
    commit_all(r.path(), "two");
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("file://{}", r.path().display());
    git(tmp.path(), &["clone", "-q", "--bare", &url, "bare.git"]);
    let rep = scan_json(&tmp.path().join("bare.git"), &["--git"], 1);
    assert_eq!(findings(&rep).len(), 2);
    git(
        tmp.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let out = keyhound()
        .args(["scan", "--format", "json", "--git"])
        .arg(tmp.path().join("shallow"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("shallow"))
        .get_output()
        .stdout
        .clone();
    let rep: Value = serde_json::from_slice(&out).unwrap();
    // The one commit present holds the whole tree: both secrets are there.
    assert_eq!(rep["summary"]["commits"], 1);
    assert_eq!(findings(&rep).len(), 2);
}

#[test]
fn corrupt_object_is_a_clear_error() {
    let r = repo();
    write(r.path(), "a.txt", "some content that will be corrupted\n");
    commit_all(r.path(), "one");
    let oid = git(r.path(), &["rev-parse", "HEAD:a.txt"]);
    let obj = r
        .path()
        .join(".git/objects")
        .join(&oid[..2])
        .join(&oid[2..]);
    let mut perms = std::fs::metadata(&obj).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&obj, perms).unwrap();
    std::fs::write(&obj, b"this is not zlib data").unwrap();
    keyhound()
        .args(["scan", "--git"])
        .arg(r.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(&oid));
}

/// A repository whose HEAD commit is missing, or whose pack is cut short, is an error
/// naming what cannot be read (it scanned as clean: "0 blobs from 0 commits", exit 0); a
/// repository with no commits yet is nothing to scan, said plainly, exit 0.
#[test]
fn damaged_repositories_fail_and_unborn_ones_are_empty() {
    let three_commits = || {
        let r = repo();
        for i in 1..=3 {
            write(r.path(), &format!("f{i}.txt"), format!("version {i}\n"));
            commit_all(r.path(), &format!("c{i}"));
        }
        r
    };
    let scans = [
        &["scan", "--git"][..],
        &["scan", "--git", "--all"],
        &["scan", "--staged"],
    ];
    // HEAD's commit object deleted.
    let r = three_commits();
    let head = git(r.path(), &["rev-parse", "HEAD"]);
    std::fs::remove_file(
        r.path()
            .join(".git/objects")
            .join(&head[..2])
            .join(&head[2..]),
    )
    .unwrap();
    for args in scans {
        let out = output_in(r.path(), args, 2);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&head), "{args:?}: {err}");
    }
    // The pack holding everything, cut short.
    let r = three_commits();
    git(r.path(), &["gc", "-q"]);
    let pack = std::fs::read_dir(r.path().join(".git/objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "pack"))
        .unwrap();
    let f = std::fs::OpenOptions::new().write(true).open(&pack).unwrap();
    f.set_len(100).unwrap();
    for args in scans {
        let out = output_in(r.path(), args, 2);
        assert!(out.stdout.is_empty(), "{args:?}: a report was printed");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("error:"),
            "{args:?}"
        );
    }
    // No commits yet: nothing to scan, and it says so.
    let r = repo();
    for args in [&["scan", "--git"][..], &["scan", "--git", "--all"]] {
        let out = output_in(r.path(), args, 0);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("no commits yet"),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    output_in(r.path(), &["scan", "--staged"], 0);
}

#[test]
fn history_sarif_carries_commit_fields_and_line_hash() {
    let r = repo();
    write(
        r.path(),
        "gone.py",
        format!("k = \"{}\"\n", github_token(29)),
    );
    let c = commit_all(r.path(), "add");
    git(r.path(), &["rm", "-q", "gone.py"]);
    commit_all(r.path(), "remove");
    let out = keyhound()
        .args(["scan", "--format", "sarif", "--git"])
        .arg(r.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let sarif: Value = serde_json::from_slice(&out).unwrap();
    let res = &sarif["runs"][0]["results"][0];
    assert_eq!(res["properties"]["commitSha"], c);
    assert_eq!(res["properties"]["historyOnly"], true);
    assert_eq!(res["properties"]["author"], "Ada Tester");
    // Computed from the blob, though the file is gone from the working tree.
    assert!(res["partialFingerprints"]["primaryLocationLineHash"]
        .as_str()
        .is_some_and(|h| h.ends_with(":1")));
    assert!(!String::from_utf8_lossy(&out).contains(&github_token(29)));
}

#[test]
fn unknown_revision_is_exit_2() {
    let r = repo();
    commit_all(r.path(), "one");
    keyhound()
        .args(["scan", "--git", "nope..main"])
        .current_dir(r.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown revision"));
}

// ---------------------------------------------------------------- --pre-push

#[test]
fn pre_push_scans_only_the_pushed_commits() {
    let r = repo();
    write(r.path(), "old.py", format!("k = \"{}\"\n", aws_key_id(30)));
    let old = commit_all(r.path(), "already pushed");
    write(
        r.path(),
        "new.py",
        format!("k = \"{}\"\n", github_token(31)),
    );
    let new = commit_all(r.path(), "to push");
    let stdin = format!("refs/heads/main {new} refs/heads/main {old}\n");
    let out = keyhound()
        .args(["scan", "--format", "json", "--pre-push"])
        .arg(r.path())
        .write_stdin(stdin)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("git push --no-verify"))
        .get_output()
        .stdout
        .clone();
    let rep: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(places(&rep), vec![("new.py".to_string(), 1)]);
    // A deletion sends nothing.
    let zero = "0".repeat(40);
    keyhound()
        .args(["scan", "--pre-push", "--quiet"])
        .arg(r.path())
        .write_stdin(format!("(delete) {zero} refs/heads/gone {old}\n"))
        .assert()
        .code(0);
}

// ---------------------------------------------------------------- hooks

/// Runs `keyhound hook ARGS… REPO` and checks its exit code.
fn hook(repo: &Path, args: &[&str], code: i32) -> assert_cmd::assert::Assert {
    keyhound()
        .arg("hook")
        .args(args)
        .arg(repo)
        .assert()
        .code(code)
}

fn hook_path(repo: &Path) -> std::path::PathBuf {
    repo.join(".git/hooks/pre-commit")
}

#[test]
fn hook_install_fresh_update_and_uninstall() {
    let r = repo();
    hook(r.path(), &["install"], 0).stdout(predicates::str::contains("installed"));
    let text = std::fs::read_to_string(hook_path(r.path())).unwrap();
    assert!(text.contains("keyhound scan --staged"));
    // Installing again updates our own hook.
    hook(r.path(), &["install"], 0).stdout(predicates::str::contains("updated"));
    hook(r.path(), &["uninstall"], 0);
    assert!(!hook_path(r.path()).exists());
}

#[test]
fn hook_install_leaves_a_foreign_hook_alone_unless_forced() {
    let r = repo();
    let mine = "#!/bin/sh\necho my own hook\n";
    write(r.path(), ".git/hooks/pre-commit", mine);
    hook(r.path(), &["install"], 2).stderr(predicates::str::contains("--force"));
    assert_eq!(std::fs::read_to_string(hook_path(r.path())).unwrap(), mine);
    hook(r.path(), &["install", "--force"], 0);
    assert!(std::fs::read_to_string(hook_path(r.path()))
        .unwrap()
        .contains("keyhound"));
    // Uninstall puts the user's hook back.
    hook(r.path(), &["uninstall"], 0);
    assert_eq!(std::fs::read_to_string(hook_path(r.path())).unwrap(), mine);
    // And refuses to remove a hook that is not ours.
    hook(r.path(), &["uninstall"], 2);
    assert!(hook_path(r.path()).exists());
}

#[test]
fn hook_install_honours_core_hooks_path() {
    let r = repo();
    git(r.path(), &["config", "core.hooksPath", "githooks"]);
    hook(r.path(), &["install"], 0);
    assert!(r.path().join("githooks/pre-commit").exists());
    assert!(!hook_path(r.path()).exists());
}

/// PATH with the directory of the keyhound binary under test first.
fn path_with_keyhound() -> String {
    let bin = assert_cmd::cargo::cargo_bin("keyhound");
    format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// `git commit -q -m try EXTRA…` in `dir`, with the keyhound under test on PATH for the hook.
fn hooked_commit(dir: &Path, extra: &[&str]) -> std::process::Output {
    Proc::new("git")
        .current_dir(dir)
        .args(["commit", "-q", "-m", "try"])
        .args(extra)
        .env("PATH", path_with_keyhound())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Ada Tester")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Tester")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap()
}

/// Git gives the hook a temporary index (`GIT_INDEX_FILE`) for `commit -a`, `commit <path>`,
/// `--include`, `--only`; the hook must scan that index, not the repository's own, which
/// does not hold the change. Each way of committing a secret is blocked, and the same way of
/// committing a harmless change goes through.
#[cfg(unix)]
#[test]
fn installed_hook_reads_the_index_git_commits_from() {
    let cases: &[(&str, &[&str])] = &[
        ("commit -a", &["-a"]),
        ("commit <path>", &["app.py"]),
        ("commit --only <path>", &["--only", "app.py"]),
        ("commit --include <path>", &["--include", "app.py"]),
        ("commit --amend -a", &["--amend", "-a"]),
    ];
    for (i, (how, extra)) in cases.iter().enumerate() {
        let r = repo();
        write(r.path(), "app.py", "print('hello')\n");
        write(r.path(), "other.txt", "x\n");
        commit_all(r.path(), "init");
        hook(r.path(), &["install"], 0);
        let head = git(r.path(), &["rev-parse", "HEAD"]);
        // The change is in the working tree only: the repository's index does not hold it.
        write(
            r.path(),
            "app.py",
            format!("print('hello')\nk = \"{}\"\n", github_token(60 + i as u64)),
        );
        let blocked = hooked_commit(r.path(), extra);
        let stderr = String::from_utf8_lossy(&blocked.stderr);
        assert!(
            !blocked.status.success(),
            "{how}: the hook let a secret through"
        );
        assert!(
            stderr.contains("keyhound blocked this commit"),
            "{how}: {stderr}"
        );
        assert_eq!(
            git(r.path(), &["rev-parse", "HEAD"]),
            head,
            "{how}: a commit was made"
        );
        // The same kind of commit with no secret in it is not blocked.
        write(r.path(), "app.py", "print('hello')\nprint('bye')\n");
        let ok = hooked_commit(r.path(), extra);
        assert!(
            ok.status.success(),
            "{how}: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
    }
}

/// `GIT_INDEX_FILE` set by hand (relative paths are relative to the top of the work tree,
/// as git reads them, even from a subdirectory): `scan --staged` scans that index.
#[test]
fn staged_honours_a_hand_made_git_index_file() {
    let r = repo();
    write(r.path(), "app.py", "print('hello')\n");
    write(r.path(), "sub/readme.txt", "docs\n");
    commit_all(r.path(), "init");
    write(
        r.path(),
        "app.py",
        format!("k = \"{}\"\n", github_token(70)),
    );
    let alt = |args: &[&str]| {
        let out = Proc::new("git")
            .current_dir(r.path())
            .args(args)
            .env("GIT_INDEX_FILE", "alt-index")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    alt(&["read-tree", "HEAD"]);
    alt(&["add", "app.py"]);
    // The repository's own index holds nothing new.
    let plain = json_in(r.path(), &["scan", "--staged", "--format", "json"], 0);
    assert_eq!(findings(&plain).len(), 0);
    for (dir, index) in [
        (r.path().to_path_buf(), "alt-index".to_string()),
        (r.path().join("sub"), "alt-index".to_string()),
        (
            r.path().join("sub"),
            r.path().join("alt-index").display().to_string(),
        ),
    ] {
        let out = keyhound()
            .current_dir(&dir)
            .args(["scan", "--staged", "--format", "json"])
            .arg(r.path())
            .env("GIT_INDEX_FILE", &index)
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        let report: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(places(&report), vec![("app.py".to_string(), 1)], "{index}");
    }
    // An index file that cannot be read is an error, not a clean scan.
    std::fs::write(r.path().join("bad-index"), b"not an index").unwrap();
    keyhound()
        .current_dir(r.path())
        .args(["scan", "--staged"])
        .env("GIT_INDEX_FILE", "bad-index")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad-index"));
}

#[cfg(unix)]
#[test]
fn installed_hook_blocks_a_commit_with_a_secret() {
    let r = repo();
    hook(r.path(), &["install"], 0);
    write(r.path(), "ok.txt", "fine\n");
    write(
        r.path(),
        "leak.py",
        format!("k = \"{}\"\n", github_token(40)),
    );
    git(r.path(), &["add", "-A"]);
    let commit = |extra: &[&str]| hooked_commit(r.path(), extra);
    let blocked = commit(&[]);
    assert!(!blocked.status.success(), "the hook let a secret through");
    assert!(String::from_utf8_lossy(&blocked.stderr).contains("keyhound blocked this commit"));
    // Mark it as a deliberate fixture: the commit goes through.
    write(
        r.path(),
        "leak.py",
        format!("k = \"{}\"  # keyhound:allow\n", github_token(40)),
    );
    git(r.path(), &["add", "-A"]);
    let ok = commit(&[]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[cfg(unix)]
#[test]
fn hook_without_keyhound_on_path_fails_with_install_command() {
    let r = repo();
    hook(r.path(), &["install"], 0);
    let out = Proc::new("sh")
        .arg(hook_path(r.path()))
        .current_dir(r.path())
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cargo install"));
}

#[test]
fn all_refs_reach_branches_head_does_not() {
    let r = repo();
    write(r.path(), "a.txt", "base\n");
    commit_all(r.path(), "base");
    git(r.path(), &["checkout", "-q", "-b", "side"]);
    write(
        r.path(),
        "side.py",
        format!("k = \"{}\"\n", stripe_live(50)),
    );
    commit_all(r.path(), "side secret");
    git(r.path(), &["checkout", "-q", "main"]);
    // HEAD (main) does not reach the side branch; --all does.
    scan_json(r.path(), &["--git"], 0);
    let rep = scan_json(r.path(), &["--git", "--all"], 1);
    assert_eq!(places(&rep), vec![("side.py".to_string(), 1)]);
}

// ------------------------------------------------------- live keys in tests

#[test]
fn live_in_test_in_staged_and_history_scans() {
    let r = repo();
    let live = keyhound_key("acme_live_", 11);
    let test = keyhound_key("acme_test_", 12);
    write(
        r.path(),
        "spec/fixtures/creds.yml",
        format!("api_key: {live}\nsandbox_key: {test}\n"),
    );
    git(r.path(), &["add", "-A"]);
    let rep = scan_json(r.path(), &["--staged"], 1);
    let list = findings(&rep);
    assert_eq!(
        list.len(),
        1,
        "the test key in a test path is not reported: {rep:#}"
    );
    assert_eq!(list[0]["kind"], "live-in-test");
    assert_eq!(list[0]["confirmation"], "checksum");
    commit_all(r.path(), "add fixture");
    // Deleted from the tree, still in history: still live-in-test there.
    std::fs::remove_file(r.path().join("spec/fixtures/creds.yml")).unwrap();
    commit_all(r.path(), "remove fixture");
    let rep = scan_json(r.path(), &["--git"], 1);
    let list = findings(&rep);
    assert_eq!(list.len(), 1, "{rep:#}");
    assert_eq!(list[0]["kind"], "live-in-test");
    assert_eq!(list[0]["in_head"], false);
    // --fail-on live-in-test fails on it.
    keyhound()
        .args(["scan", "--git", "-q", "--fail-on", "live-in-test"])
        .arg(r.path())
        .assert()
        .code(1);
}

// ---------------------------------------------------------------- trust in range scans

/// main holds the base; `feature` adds a secret and, with it, everything that could hide it.
struct Silenced {
    dir: tempfile::TempDir,
    token: String,
}

fn pull_request_that_silences_itself() -> Silenced {
    let r = repo();
    write(r.path(), "src.py", "print('hello')\n");
    write(r.path(), ".keyhound.toml", "# settings\n");
    commit_all(r.path(), "base");
    git(r.path(), &["checkout", "-q", "-b", "feature"]);
    let token = github_token(80);
    write(
        r.path(),
        "src.py",
        format!("print('hello')\nTOKEN = \"{token}\"\n"),
    );
    write(
        r.path(),
        ".keyhound.toml",
        "# settings\n[allowlist]\npaths = [\"src.py\"]\n",
    );
    commit_all(r.path(), "adds a token and silences it");
    Silenced { dir: r, token }
}

fn kinds(report: &Value) -> Vec<(String, String, String)> {
    findings(report)
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A range reads `.keyhound.toml` from its base commit by default: the pull request's own
/// allowlist does not hide its token (it did). What it added is a `suppression-added`
/// notice either way, and notices never fail the scan.
#[test]
fn a_range_reads_its_configuration_from_the_base_commit() {
    let pr = pull_request_that_silences_itself();
    let d = pr.dir.path();
    let rep = json_in(
        d,
        &["scan", "--git", "main..feature", "--format", "json"],
        1,
    );
    assert_eq!(
        kinds(&rep),
        vec![
            (
                "suppression-added".into(),
                "keyhound.suppression.config".into(),
                ".keyhound.toml".into()
            ),
            (
                "suppression-added".into(),
                "keyhound.suppression.config".into(),
                ".keyhound.toml".into()
            ),
            (
                "hardcoded".into(),
                "github.pat.classic".into(),
                "src.py".into()
            ),
        ]
    );
    assert_eq!(rep["summary"]["findings"], 1);
    assert_eq!(rep["summary"]["suppressions_added"], 2);
    assert!(rep["summary"]["config_from"]
        .as_str()
        .unwrap()
        .starts_with("the base commit"));
    let lines: Vec<&str> = findings(&rep)[..2]
        .iter()
        .map(|f| f["line_text"].as_str().unwrap())
        .collect();
    assert_eq!(lines, ["[allowlist]", "paths = [\"src.py\"]"]);
    // --since-commit is a range too.
    let base = git(d, &["rev-parse", "main"]);
    let rep = json_in(
        d,
        &["scan", "--git", "--since-commit", &base, "--format", "json"],
        1,
    );
    assert_eq!(rep["summary"]["findings"], 1);
    // Read from the head (or the working tree), the allowlist applies: only the notices,
    // and they do not fail the scan.
    for from in ["head", "worktree"] {
        let rep = json_in(
            d,
            &[
                "scan",
                "--git",
                "main..feature",
                "--config-from",
                from,
                "--format",
                "json",
            ],
            0,
        );
        assert_eq!(rep["summary"]["findings"], 0, "{from}");
        assert_eq!(rep["summary"]["suppressions_added"], 2, "{from}");
    }
    // The text report lists them apart, and says so in the summary line.
    let out = output_in(d, &["scan", "--git", "main..feature"], 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("SUPPRESSIONS ADDED (2)"), "{text}");
    assert!(
        text.contains("1 finding (1 confirmed); 2 suppressions added"),
        "{text}"
    );
    assert!(!text.contains(&pr.token));
    // Whole-history scans have no base: the working tree's configuration, as before.
    let rep = json_in(d, &["scan", "--git", "--format", "json"], 0);
    assert_eq!(rep["summary"]["findings"], 0);
    // --config-from base needs a range.
    let out = output_in(d, &["scan", "--git", "--config-from", "base"], 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a range"));
}

/// The same for `.keyhoundignore` fingerprints and the baseline: the base's are used, and
/// what the range adds to them is reported.
#[test]
fn a_range_cannot_ignore_or_baseline_its_own_findings() {
    let pr = pull_request_that_silences_itself();
    let d = pr.dir.path();
    // Drop the allowlist; silence the token by fingerprint and by baseline instead.
    write(d, ".keyhound.toml", "# settings\n");
    commit_all(d, "no allowlist");
    let rep = json_in(
        d,
        &["scan", "--git", "main..feature", "--format", "json"],
        1,
    );
    let token = findings(&rep)
        .iter()
        .find(|f| f["kind"] == "hardcoded")
        .unwrap()
        .clone();
    let print = token["fingerprint"].as_str().unwrap().to_string();
    output_in(d, &["baseline", "create", "--git", "-o", "base.json"], 0);
    write(
        d,
        ".keyhoundignore",
        format!("{print}  # a fixture, says the PR\n"),
    );
    commit_all(d, "ignore and baseline it");
    let rep = json_in(
        d,
        &[
            "scan",
            "--git",
            "main..feature",
            "--baseline",
            "base.json",
            "--format",
            "json",
        ],
        1,
    );
    let k = kinds(&rep);
    assert!(
        k.contains(&(
            "hardcoded".into(),
            "github.pat.classic".into(),
            "src.py".into()
        )),
        "{k:?}"
    );
    assert!(
        k.contains(&(
            "suppression-added".into(),
            "keyhound.suppression.ignore".into(),
            ".keyhoundignore".into()
        )),
        "{k:?}"
    );
    assert!(
        k.iter()
            .any(|(_, rule, path)| rule == "keyhound.suppression.baseline" && path == "base.json"),
        "{k:?}"
    );
    // At the head, both apply.
    let rep = json_in(
        d,
        &[
            "scan",
            "--git",
            "main..feature",
            "--baseline",
            "base.json",
            "--config-from",
            "head",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(rep["summary"]["findings"], 0);
}

/// Inline allow markers a range adds are notices; `--no-inline-allow` reports what they
/// hide, in every kind of scan.
#[test]
fn inline_allow_markers_added_are_reported_and_can_be_audited() {
    let r = repo();
    write(r.path(), "a.py", "print(1)\n");
    commit_all(r.path(), "base");
    let token = github_token(81);
    write(
        r.path(),
        "a.py",
        format!("print(1)\nT = \"{token}\"  # keyhound:allow\nU = 2  # pragma: allowlist secret\n"),
    );
    commit_all(r.path(), "marked");
    let rep = json_in(
        r.path(),
        &["scan", "--git", "HEAD~1..HEAD", "--format", "json"],
        0,
    );
    let k = kinds(&rep);
    assert_eq!(k.len(), 2, "{k:?}");
    assert!(k.iter().all(|(kind, rule, _)| kind == "suppression-added"
        && rule == "keyhound.suppression.inline-allow"));
    let shown: Vec<&str> = findings(&rep)
        .iter()
        .map(|f| f["line_text"].as_str().unwrap())
        .collect();
    assert!(
        shown[0].contains("ghp_…") && !shown[0].contains(&token),
        "{shown:?}"
    );
    assert_eq!(findings(&rep)[0]["line"], 2);
    assert_eq!(findings(&rep)[0]["secret"], "");
    // The audit: what the marker hides is reported.
    for args in [
        &[
            "scan",
            "--git",
            "HEAD~1..HEAD",
            "--no-inline-allow",
            "--format",
            "json",
        ][..],
        &["scan", "--no-inline-allow", "--format", "json", "."],
    ] {
        let rep = json_in(r.path(), args, 1);
        assert_eq!(rep["summary"]["findings"], 1, "{args:?}");
    }
    // Without it, the tree scan honours the marker.
    let rep = json_in(r.path(), &["scan", "--format", "json", "."], 0);
    assert_eq!(rep["summary"]["findings"], 0);
    // Moving the file adds no marker.
    git(r.path(), &["mv", "a.py", "moved.py"]);
    commit_all(r.path(), "move");
    let rep = json_in(
        r.path(),
        &["scan", "--git", "HEAD~1..HEAD", "--format", "json"],
        0,
    );
    assert_eq!(rep["summary"]["suppressions_added"], 0, "{rep}");
}

/// A secret in a commit message is found (it is as leaked as one in a file), and the
/// commit's summary is redacted in every report: it was printed whole in text, JSON
/// `commit.summary` and SARIF `commitSummary`.
#[test]
fn secrets_in_commit_messages_are_found_and_redacted() {
    let r = repo();
    write(r.path(), "a.txt", "hello\n");
    commit_all(r.path(), "init");
    let token = github_token(90);
    git(
        r.path(),
        &[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            &format!("ci: use {token} for now"),
            "-m",
            "body",
        ],
    );
    let other = aws_key_id(91);
    write(r.path(), "b.txt", "world\n");
    commit_all(r.path(), &format!("add b\n\nthe key was {other}"));
    let rep = json_in(r.path(), &["scan", "--git", "--format", "json"], 1);
    let f = findings(&rep);
    assert_eq!(f.len(), 2, "{f:?}");
    for x in f {
        assert_eq!(x["path"], "<commit message>");
        assert!(x["in_head"].is_null());
    }
    let rules: Vec<&str> = f.iter().map(|x| x["rule_id"].as_str().unwrap()).collect();
    assert!(
        rules.contains(&"github.pat.classic") && rules.contains(&"aws.access-key-id"),
        "{rules:?}"
    );
    let gh = f
        .iter()
        .find(|x| x["rule_id"] == "github.pat.classic")
        .unwrap();
    assert_eq!(gh["line"], 1);
    assert_eq!(gh["commit"]["summary"], "ci: use ghp_… for now");
    for format in ["text", "json", "sarif", "github", "markdown"] {
        let out = output_in(r.path(), &["scan", "--git", "--format", format], 1);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains(&token) && !text.contains(&other),
            "{format}: a secret leaked"
        );
        if format == "sarif" {
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert!(sarif_schema_errors(&v).is_empty());
        }
    }
    // A range covers its own commits' messages only.
    let rep = json_in(
        r.path(),
        &["scan", "--git", "HEAD~1..HEAD", "--format", "json"],
        1,
    );
    assert_eq!(findings(&rep).len(), 1);
    assert_eq!(findings(&rep)[0]["rule_id"], "aws.access-key-id");
}
