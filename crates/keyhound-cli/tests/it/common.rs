//! Helpers for integration tests. Secret-shaped values are assembled at run time from a
//! prefix and a generated body, so the repository holds no secret-shaped literals.

use assert_cmd::Command;
use std::path::Path;

/// The repository's root (where `action.yml`, `hooks/` and `testdata/` are).
pub fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root")
}

/// Deterministic pseudo-random characters from `alphabet` (xorshift; no real secret).
pub fn body(seed: u64, alphabet: &str, n: usize) -> String {
    let chars: Vec<char> = alphabet.chars().collect();
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chars[(x % chars.len() as u64) as usize]
        })
        .collect()
}

pub const B62: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
pub const HEX: &str = "0123456789abcdef";
pub const B32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A fake GitHub classic token whose checksum is valid (30 random characters, then their
/// base62 CRC32), as real tokens are.
pub fn github_token(seed: u64) -> String {
    with_crc("ghp_", &body(seed, B62, 30))
}

/// `prefix`, `random`, then the base62 CRC32 of `random` (GitHub's and npm's scheme).
pub fn with_crc(prefix: &str, random: &str) -> String {
    let check = keyhound::keys::checksum::crc32_base62(random.as_bytes());
    format!("{prefix}{random}{}", std::str::from_utf8(&check).unwrap())
}

/// The same shape with a checksum that does not match: a placeholder or a typo.
pub fn with_bad_crc(prefix: &str, random: &str) -> String {
    let mut t = with_crc(prefix, random);
    let last = t.pop().unwrap();
    t.push(if last == 'A' { 'B' } else { 'A' });
    t
}

/// A keyhound-format key with a valid checksum (deterministic, for fixtures).
pub fn keyhound_key(prefix_env: &str, seed: u64) -> String {
    let mut k = format!("{prefix_env}{}", body(seed, B62, 30));
    let check = keyhound::keys::checksum::crc32_base62(k.as_bytes());
    k.push_str(std::str::from_utf8(&check).unwrap());
    k
}

/// A fake AWS access key id.
pub fn aws_key_id(seed: u64) -> String {
    format!("{}{}", "AKIA", body(seed, B32, 16))
}

/// A fake Stripe live secret key.
pub fn stripe_live(seed: u64) -> String {
    format!("{}{}", "sk_live_", body(seed, B62, 32))
}

/// A fake Slack bot token.
pub fn slack_bot(seed: u64) -> String {
    format!(
        "{}{}-{}-{}",
        "xoxb-",
        body(seed, "0123456789", 12),
        body(seed + 1, "0123456789", 13),
        body(seed + 2, B62, 24)
    )
}

pub fn keyhound() -> Command {
    let mut c = Command::cargo_bin("keyhound").expect("binary built");
    c.env("NO_COLOR", "1");
    c
}

pub fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

/// Runs `keyhound scan --format json EXTRA… PATH`, checks the exit code, returns the report.
pub fn scan_json(path: &Path, extra: &[&str], code: i32) -> serde_json::Value {
    let out = keyhound()
        .args(["scan", "--format", "json"])
        .args(extra)
        .arg(path)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("JSON report")
}

/// Runs `keyhound ARGS…` in `dir`, checks the exit code, returns what it printed.
pub fn output_in(dir: &Path, args: &[&str], code: i32) -> std::process::Output {
    keyhound()
        .current_dir(dir)
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .clone()
}

/// Runs `keyhound ARGS…` in `dir` (ARGS asking for a JSON report), checks the exit code,
/// returns the report.
pub fn json_in(dir: &Path, args: &[&str], code: i32) -> serde_json::Value {
    serde_json::from_slice(&output_in(dir, args, code).stdout).expect("JSON report")
}

/// Where `sarif` breaks the SARIF 2.1.0 schema (OASIS), one line each; empty when valid.
pub fn sarif_schema_errors(sarif: &serde_json::Value) -> Vec<String> {
    let path = root().join("testdata/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Runs git in `dir` with a fixed identity and no user or system configuration.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Ada Tester")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Tester")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A new repository (branch `main`) in a temporary directory.
pub fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    dir
}

/// Commits everything in `dir`; returns the new commit's id.
pub fn commit_all(dir: &Path, msg: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", msg]);
    git(dir, &["rev-parse", "HEAD"])
}

/// keyhound run as an unprivileged user when the tests run as root (root reads anything).
pub fn unprivileged() -> assert_cmd::Command {
    let bin = assert_cmd::cargo::cargo_bin("keyhound");
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let mut c = if is_root {
        let mut c = assert_cmd::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        assert_cmd::Command::new(&bin)
    };
    c.env("NO_COLOR", "1");
    c
}
