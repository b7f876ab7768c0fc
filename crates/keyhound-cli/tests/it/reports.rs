//! The five report formats, as snapshots (insta): whatever a format writes is in
//! `snapshots/`, so a change to it is a diff to review (`cargo insta review`, or rerun with
//! `INSTA_UPDATE=always` and read `git diff`). On CI a difference fails the test.
//!
//! The fixture holds one finding of each kind a report distinguishes: a token whose checksum
//! confirms it, a key without a checksum, a generic password, and a live key in a test file.
//! Secrets are fake and assembled at run time (`common`); reports redact them, so the
//! snapshots hold no secret-shaped text. Only the elapsed time varies between runs; it is
//! replaced by `[elapsed]`.

use crate::common::*;

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "app/settings.py",
        format!(
            "DEBUG = False\nGITHUB_TOKEN = \"{}\"\nDB_PASSWORD = \"{}\"\n",
            github_token(7),
            body(8, B62, 20)
        ),
    );
    write(
        d,
        "deploy/prod.env",
        format!("AWS_ACCESS_KEY_ID={}\n", aws_key_id(11)),
    );
    write(
        d,
        "tests/test_client.py",
        format!(
            "def test_live():\n    client = Client(key=\"{}\")\n",
            keyhound_key("acme_live_", 5)
        ),
    );
    write(d, "README.md", "# a project\n");
    dir
}

/// `keyhound scan . --format FORMAT` over the fixture, with the elapsed time masked.
fn report(format: &str) -> String {
    let dir = fixture();
    let out = output_in(dir.path(), &["scan", ".", "--format", format], 1);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 report")
}

fn assert_report(format: &str) {
    let text = report(format);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(r#""elapsed_ms": \d+"#, r#""elapsed_ms": "[elapsed]""#);
    settings.add_filter(r"in \d+(\.\d+)?m?s\b", "in [elapsed]");
    settings.bind(|| insta::assert_snapshot!(format!("report-{format}"), text));
}

#[test]
fn text_report() {
    assert_report("text");
}

#[test]
fn json_report() {
    assert_report("json");
}

#[test]
fn sarif_report() {
    assert_report("sarif");
}

#[test]
fn github_report() {
    assert_report("github");
}

#[test]
fn markdown_report() {
    assert_report("markdown");
}
