//! The GitHub Action's script (`hooks/github-action.sh`) run with a simulated GitHub
//! environment — event payload, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` — on real repositories.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn script() -> PathBuf {
    root().join("hooks/github-action.sh")
}

fn action_yml() -> String {
    std::fs::read_to_string(root().join("action.yml")).unwrap()
}

/// What one run of the script left behind.
struct Run {
    code: i32,
    stdout: String,
    outputs: BTreeMap<String, String>,
    summary: String,
    sarif: Option<Value>,
}

/// Runs the script in `workspace` for `event` (name, payload) with `inputs` (`sarif-file`
/// → INPUT_SARIF_FILE).
fn run(workspace: &Path, event: &str, payload: Value, inputs: &[(&str, &str)]) -> Run {
    let gh = tempfile::tempdir().unwrap();
    let event_path = gh.path().join("event.json");
    std::fs::write(&event_path, payload.to_string()).unwrap();
    let output = gh.path().join("output");
    let summary = gh.path().join("summary.md");
    let mut cmd = Command::new("bash");
    cmd.arg(script())
        .current_dir(workspace)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
        .env("KEYHOUND", assert_cmd::cargo::cargo_bin("keyhound"))
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_WORKSPACE", workspace);
    for (k, v) in inputs {
        cmd.env(format!("INPUT_{}", k.to_uppercase().replace('-', "_")), v);
    }
    let out = cmd.output().expect("bash runs");
    let outputs = std::fs::read_to_string(&output)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let sarif_file = inputs
        .iter()
        .find(|(k, _)| *k == "sarif-file")
        .map_or("keyhound.sarif", |(_, v)| v);
    let sarif = std::fs::read_to_string(workspace.join(sarif_file))
        .ok()
        .map(|t| serde_json::from_str(&t).expect("SARIF is JSON"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        outputs,
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        sarif,
    }
}

fn sarif_paths(sarif: &Value) -> Vec<String> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn assert_valid_sarif(sarif: &Value) {
    let errors = sarif_schema_errors(sarif);
    assert!(
        errors.is_empty(),
        "SARIF must be valid against the 2.1.0 schema:\n{}",
        errors.join("\n")
    );
}

/// main: a secret committed long ago, then the pull request's base; feature: one new secret.
struct Pr {
    dir: tempfile::TempDir,
    base: String,
    head: String,
    old: String,
    new: String,
}

fn pull_request_repo() -> Pr {
    let dir = repo();
    let old = github_token(1);
    write(
        dir.path(),
        "legacy/settings.py",
        format!("TOKEN = \"{old}\"\n"),
    );
    commit_all(dir.path(), "long ago");
    write(dir.path(), "README.md", "app\n");
    let base = commit_all(dir.path(), "base of the pull request");
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    write(dir.path(), "src/app.py", "print('hi')\n");
    commit_all(dir.path(), "feature work");
    let new = github_token(2);
    write(
        dir.path(),
        "src/client.py",
        format!("API_TOKEN = \"{new}\"\n"),
    );
    let head = commit_all(dir.path(), "adds a client");
    Pr {
        dir,
        base,
        head,
        old,
        new,
    }
}

fn pr_payload(base: &str, head: &str) -> Value {
    serde_json::json!({
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "base": { "ref": "main", "sha": base },
            "head": { "ref": "feature", "sha": head }
        }
    })
}

#[test]
fn pull_request_reports_only_what_its_commits_add() {
    let pr = pull_request_repo();
    let r = run(
        pr.dir.path(),
        "pull_request",
        pr_payload(&pr.base, &pr.head),
        &[],
    );
    assert_eq!(r.code, 1, "stdout: {}", r.stdout);
    assert_eq!(r.outputs["findings"], "1");
    assert_eq!(
        r.outputs["confirmed"], "1",
        "a GitHub token with a valid checksum"
    );
    assert_eq!(r.outputs["live-in-test"], "0");
    assert_eq!(r.outputs["sarif-file"], "keyhound.sarif");
    assert_eq!(r.outputs["exit-code"], "1");
    // Annotations on the pull request.
    assert!(
        r.stdout.contains("::error file=src/client.py,line=1"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("legacy/settings.py"), "{}", r.stdout);
    // SARIF: valid, one result, the new secret.
    let sarif = r.sarif.expect("SARIF written");
    assert_valid_sarif(&sarif);
    assert_eq!(sarif_paths(&sarif), vec!["src/client.py".to_string()]);
    assert_eq!(sarif["runs"][0]["automationDetails"]["id"], "keyhound/");
    assert!(
        sarif["runs"][0]["results"][0]["partialFingerprints"]["primaryLocationLineHash"]
            .is_string(),
        "code scanning needs the line hash to track the alert"
    );
    // The job summary: counts, the table, the range; no secret anywhere.
    assert!(r.summary.contains("## keyhound"), "{}", r.summary);
    assert!(
        r.summary.contains("| confirmed by checksum | 1 |"),
        "{}",
        r.summary
    );
    assert!(r.summary.contains("`src/client.py:1 @ "), "{}", r.summary);
    assert!(
        r.summary
            .contains(&format!("commits `{}..{}`", &pr.base[..12], &pr.head[..12])),
        "{}",
        r.summary
    );
    for text in [&r.summary, &r.stdout, &sarif.to_string()] {
        assert!(
            !text.contains(&pr.new) && !text.contains(&pr.old),
            "a secret leaked"
        );
    }
    // fail-on none: the same findings, a green step.
    let r = run(
        pr.dir.path(),
        "pull_request",
        pr_payload(&pr.base, &pr.head),
        &[("fail-on", "none"), ("sarif-file", "out/ks.sarif")],
    );
    assert_eq!(r.code, 0);
    assert_eq!(r.outputs["exit-code"], "1");
    assert_eq!(r.outputs["sarif-file"], "out/ks.sarif");
    assert!(r.sarif.is_some());
}

/// A pull request that adds a token and, in the same change, an allowlist for its file:
/// the base commit's configuration is used, so the token is still reported; the allowlist
/// is a notice on the pull request and listed in the job summary.
#[test]
fn a_pull_request_cannot_silence_its_own_findings() {
    let pr = pull_request_repo();
    let d = pr.dir.path();
    write(
        d,
        ".keyhound.toml",
        "[allowlist]\npaths = [\"src/client.py\"]\n",
    );
    write(d, "src/fixture.py", "X = 1  # keyhound:allow\n");
    let head = commit_all(d, "silence the client");
    let r = run(d, "pull_request", pr_payload(&pr.base, &head), &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.outputs["findings"], "1");
    assert_eq!(r.outputs["suppressions-added"], "3");
    assert!(
        r.stdout.contains("::error file=src/client.py,line=1"),
        "{}",
        r.stdout
    );
    for (file, line) in [
        (".keyhound.toml", 1),
        (".keyhound.toml", 2),
        ("src/fixture.py", 1),
    ] {
        assert!(
            r.stdout.contains(&format!(
                "::notice file={file},line={line},title=keyhound%3A "
            )),
            "{file}:{line}: {}",
            r.stdout
        );
    }
    assert!(
        r.summary.contains("### 3 suppressions added"),
        "{}",
        r.summary
    );
    assert!(
        r.summary.contains("read from the base commit"),
        "{}",
        r.summary
    );
    let sarif = r.sarif.expect("SARIF written");
    assert_valid_sarif(&sarif);
    let levels: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(
        levels.iter().filter(|l| **l == "note").count(),
        3,
        "{levels:?}"
    );
    for text in [&r.summary, &r.stdout, &sarif.to_string()] {
        assert!(!text.contains(&pr.new), "a secret leaked");
    }
}

#[test]
fn push_of_a_new_branch_scans_its_whole_history() {
    let pr = pull_request_repo();
    let payload = serde_json::json!({
        "ref": "refs/heads/feature",
        "before": "0000000000000000000000000000000000000000",
        "after": pr.head,
        "created": true
    });
    let r = run(pr.dir.path(), "push", payload, &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.outputs["findings"], "2");
    assert!(r.summary.contains("(a new branch)"), "{}", r.summary);
    let mut paths = sarif_paths(r.sarif.as_ref().unwrap());
    paths.sort();
    assert_eq!(paths, vec!["legacy/settings.py", "src/client.py"]);
    // An ordinary push: before..after.
    let payload = serde_json::json!({ "before": pr.base, "after": pr.head });
    let r = run(pr.dir.path(), "push", payload, &[]);
    assert_eq!(r.outputs["findings"], "1");
}

#[test]
fn shallow_checkout_scans_what_it_has_and_says_so() {
    let pr = pull_request_repo();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", pr.dir.path().display());
    git(
        clone.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &url, ".",
        ],
    );
    let r = run(
        clone.path(),
        "pull_request",
        pr_payload(&pr.base, &pr.head),
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.summary.contains("shallow clone"), "{}", r.summary);
    assert!(
        r.summary.contains("is not in this checkout"),
        "{}",
        r.summary
    );
    assert!(
        r.stdout.contains("::notice title=keyhound::"),
        "{}",
        r.stdout
    );
    // The one commit present holds both files: both are reported.
    assert_eq!(r.outputs["findings"], "2");
}

#[test]
fn tree_mode_and_a_monorepo_slice() {
    let pr = pull_request_repo();
    write(
        pr.dir.path(),
        "services/api/key.env",
        format!("STRIPE={}\n", stripe_live(3)),
    );
    let r = run(
        pr.dir.path(),
        "workflow_dispatch",
        serde_json::json!({}),
        &[("mode", "tree"), ("path", "services/api")],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.outputs["findings"], "1");
    let sarif = r.sarif.unwrap();
    assert_eq!(
        sarif["runs"][0]["automationDetails"]["id"],
        "keyhound/services/api/"
    );
    // History of one slice: only files under it.
    commit_all(pr.dir.path(), "api key");
    let r = run(
        pr.dir.path(),
        "workflow_dispatch",
        serde_json::json!({}),
        &[("mode", "history"), ("path", "src")],
    );
    assert_eq!(r.outputs["findings"], "1", "{}", r.summary);
    assert_eq!(
        sarif_paths(r.sarif.as_ref().unwrap()),
        vec!["src/client.py"]
    );
}

#[test]
fn bad_inputs_and_missing_secrets_are_explained() {
    let pr = pull_request_repo();
    let r = run(
        pr.dir.path(),
        "push",
        serde_json::json!({}),
        &[("mode", "everything")],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stdout.contains("::error title=keyhound::mode must be"),
        "{}",
        r.stdout
    );
    assert_eq!(r.outputs["exit-code"], "2");
    // A revocation webhook without its secret (a fork's pull request): scanned, not sent.
    let r = run(
        pr.dir.path(),
        "pull_request",
        pr_payload(&pr.base, &pr.head),
        &[("revoke-url", "https://revoke.example/hook")],
    );
    assert_eq!(r.code, 1);
    assert!(r.summary.contains("Revocation skipped"), "{}", r.summary);
    // A baseline input is passed on. One in the repository is read at the base commit,
    // where this one (written just now) does not exist: nothing is baselined.
    keyhound()
        .current_dir(pr.dir.path())
        .args(["baseline", "create", "--git"])
        .assert()
        .code(0);
    let r = run(
        pr.dir.path(),
        "pull_request",
        pr_payload(&pr.base, &pr.head),
        &[("baseline", ".keyhound-baseline.json"), ("config", "")],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.outputs["findings"], "1");
    // One outside the repository is the operator's, read as it is.
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("baseline.json");
    std::fs::rename(pr.dir.path().join(".keyhound-baseline.json"), &file).unwrap();
    let r = run(
        pr.dir.path(),
        "pull_request",
        pr_payload(&pr.base, &pr.head),
        &[("baseline", file.to_str().unwrap()), ("config", "")],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.outputs["findings"], "0");
}

/// The names under a top-level `key:` of action.yml (two-space indented `name:` lines).
fn yaml_section(yml: &str, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in yml.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            inside = line.trim_end() == format!("{key}:");
            continue;
        }
        if inside {
            if let Some(name) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')) {
                if !name.starts_with(' ') {
                    out.push(name.to_string());
                }
            }
        }
    }
    out
}

#[test]
fn every_input_is_used_and_every_output_written() {
    let yml = action_yml();
    let inputs = yaml_section(&yml, "inputs");
    let outputs = yaml_section(&yml, "outputs");
    assert_eq!(
        inputs,
        [
            "path",
            "mode",
            "config",
            "baseline",
            "sarif-file",
            "fail-on",
            "revoke-url"
        ]
    );
    assert_eq!(
        outputs,
        [
            "findings",
            "confirmed",
            "live-in-test",
            "suppressions-added",
            "sarif-file",
            "exit-code"
        ]
    );
    let sh = std::fs::read_to_string(script()).unwrap();
    for i in &inputs {
        let var = format!("INPUT_{}", i.to_uppercase().replace('-', "_"));
        assert!(
            yml.contains(&format!("{var}: ${{{{ inputs.{i} }}}}")),
            "action.yml passes {i} as {var}"
        );
        assert!(sh.contains(&format!("${{{var}:")), "the script reads {var}");
    }
    let pr = pull_request_repo();
    let r = run(
        pr.dir.path(),
        "pull_request",
        pr_payload(&pr.base, &pr.head),
        &[],
    );
    for o in &outputs {
        assert!(
            yml.contains(&format!("value: ${{{{ steps.scan.outputs.{o} }}}}")),
            "action.yml exposes {o}"
        );
        assert!(
            r.outputs.contains_key(o),
            "the script writes {o}: {:?}",
            r.outputs
        );
    }
}
