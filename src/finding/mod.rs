//! A match plus its origin becomes a finding: location, redaction, fingerprint, inline allows,
//! and then the [`Policy`]: allowlist, test context, live-in-test.

pub mod baseline;
pub mod context;

use crate::config::Allowlist;
use crate::detect::{Confirmation, Engine, Match};
use crate::rules::{Environment, Rule, Severity};
use crate::source::{CommitInfo, Origin};
pub use context::{Context, FindingKind, TestPaths};
use sha2::Sha256;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A secret value. It never prints itself: `Debug` and `Display` show the redacted form, so
/// a stray `{:?}` in a log or a panic cannot leak it. Call [`Secret::expose`] to see it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Secret {
        Secret(s)
    }

    /// The raw value. Only for `--show-secrets` and hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// First 4 characters, then `…`.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Redacts a secret to its first 4 characters and `…`.
pub fn redact(s: &str) -> String {
    let mut out: String = s.chars().take(4).collect();
    out.push('…');
    out
}

/// Markers that silence a finding on their line, whatever the comment syntax.
/// `gitleaks:allow` and detect-secrets' `pragma: allowlist secret` are honoured for users
/// migrating from those tools.
pub const INLINE_ALLOW_MARKERS: &[&str] = &[
    "keyhound:allow",
    "gitleaks:allow",
    "pragma: allowlist secret",
];

/// One reported secret.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule_id: String,
    pub rule_name: String,
    pub severity: Severity,
    pub tags: Vec<String>,
    pub path: String,
    /// 1-based line of the secret's first byte.
    pub line: usize,
    /// 1-based column (in characters) of the secret's first character.
    pub column: usize,
    pub end_line: usize,
    /// 1-based column of the character following the secret.
    pub end_column: usize,
    pub secret: Secret,
    /// The line holding the secret, with the secret redacted (cut to a readable length).
    pub line_redacted: String,
    /// The same line with the secret shown; used only with `--show-secrets`.
    pub line_raw: Secret,
    pub entropy: f64,
    /// Stable identity: a hash of (rule id, secret), independent of location.
    pub fingerprint: String,
    /// GitHub code scanning's `primaryLocationLineHash` for the finding's line, when the
    /// report needs it (SARIF): it costs a pass over the whole file.
    pub line_hash: Option<String>,
    /// History scans: the commit that first introduced this secret at this path.
    pub commit: Option<Arc<CommitInfo>>,
    /// History scans: how many other commits introduced the same secret at the same path.
    pub other_commits: u64,
    /// History scans: whether the secret is still in the file at HEAD (`Some(false)`: gone
    /// from HEAD, but still in history — not remediated until it is rotated).
    pub in_head: Option<bool>,
    /// What the rule's checksum validator said.
    pub confirmation: Confirmation,
    /// The environment the secret is for (live, test, unknown), from markers in the secret.
    pub environment: Environment,
    /// Test code or fixtures, or code that ships; set by [`Policy::admit`].
    pub context: Context,
    /// `live-in-test` or `hardcoded`; set by [`Policy::admit`].
    pub kind: FindingKind,
    /// With `--revoke`: what became of the revocation report (`revoked`, `already-revoked`,
    /// `unknown-key`, `failed: …`, `spooled`, `dry-run`).
    pub revocation: Option<String>,
}

impl Finding {
    /// Reported at SARIF's `note` level rather than by severity: a third-party checksum that
    /// failed (kept because a scheme we misread must never hide a real key), or a test key in
    /// test code shown with `--include-test-keys`.
    pub fn is_note(&self) -> bool {
        self.confirmation == Confirmation::ChecksumFailed
            || (self.environment == Environment::Test && self.context == Context::Test)
    }
}

/// What happens to findings after detection.
#[derive(Default)]
pub struct Policy {
    /// The configuration's global allowlist.
    pub allowlist: Allowlist,
    /// Which paths are test code.
    pub test_paths: TestPaths,
    /// Report test-environment keys found in test code (at `note` level).
    pub include_test_keys: bool,
    /// Fingerprints silenced one by one (`.keyhoundignore`).
    pub ignored: std::collections::HashSet<String>,
}

impl Policy {
    /// Whether nothing under `path` can be reported (allowlisted paths are not even read).
    pub fn skips_path(&self, path: &str) -> bool {
        self.allowlist.allows_path(path)
    }

    /// Sets the finding's context and kind (`rel_path` is its path relative to the repository
    /// or scan root) and says whether it is reported.
    pub fn admit(&self, f: &mut Finding, rel_path: &str) -> bool {
        if self.ignored.contains(&f.fingerprint)
            || self.allowlist.allows(
                &f.path,
                f.secret.expose(),
                f.commit.as_deref().map(|c| c.id.as_str()),
            )
        {
            return false;
        }
        f.context = self.test_paths.classify(rel_path);
        f.kind = if f.environment == Environment::Live && f.context == Context::Test {
            FindingKind::LiveInTest
        } else {
            FindingKind::Hardcoded
        };
        // A test key where tests live is what test keys are for.
        !(f.environment == Environment::Test
            && f.context == Context::Test
            && !self.include_test_keys)
    }
}

/// Fingerprint of a (rule, secret) pair within a scope: HMAC-SHA256 keyed by the scope (a
/// repository's normalised remote URL, see [`Scope`]), cut to 128 bits, in hex. Never the
/// secret, never positional. Keyed and scoped so that the same secret in two repositories has
/// two fingerprints: an entry in one repository's `.keyhoundignore` or baseline silences
/// nothing elsewhere, and fingerprints published with one repository's baseline cannot be
/// matched against a table of hashes computed once for every repository.
pub fn fingerprint(scope: &Scope, rule_id: &str, secret: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = scope.mac.clone();
    mac.update(rule_id.as_bytes());
    mac.update(b"\0");
    mac.update(secret);
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// What fingerprints are scoped by: a repository's identity (its normalised remote URL,
/// `github.com/acme/app`), or nothing outside a repository with a remote.
#[derive(Clone)]
pub struct Scope {
    name: String,
    mac: hmac::Hmac<Sha256>,
}

impl Scope {
    pub fn new(name: &str) -> Scope {
        use hmac::Mac;
        let key = format!("keyhound-fingerprint-v2\0{name}");
        Scope {
            name: name.to_string(),
            mac: hmac::Hmac::<Sha256>::new_from_slice(key.as_bytes())
                .expect("HMAC takes keys of any length"),
        }
    }

    /// The scope's name (empty: unscoped).
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Default for Scope {
    fn default() -> Scope {
        Scope::new("")
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope({:?})", self.name)
    }
}

/// Turns a blob's matches into findings, dropping those on lines with an inline allow.
/// What to compute for each finding beyond the essentials.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Compute [`Finding::line_hash`].
    pub line_hashes: bool,
    /// What fingerprints are scoped by.
    pub scope: Scope,
}

pub fn build(
    engine: &Engine,
    origin: &Origin,
    data: &[u8],
    matches: &[Match],
    opts: &Options,
) -> Vec<Finding> {
    let mut out = Vec::with_capacity(matches.len());
    let mut hashes: Option<Vec<String>> = None;
    let mut lines = LineIndex::default();
    for m in matches {
        let (line, line_start) = lines.locate(data, m.secret.start);
        let line_end =
            memchr::memchr(b'\n', &data[line_start..]).map_or(data.len(), |p| line_start + p);
        let line_bytes = &data[line_start..line_end];
        if INLINE_ALLOW_MARKERS
            .iter()
            .any(|mk| memchr::memmem::find(line_bytes, mk.as_bytes()).is_some())
        {
            continue;
        }
        let (end_line, end_line_start) = lines.locate(data, m.secret.end.max(m.secret.start));
        let rule: &Rule = engine.rule(m.rule);
        let secret_bytes = &data[m.secret.clone()];
        let secret = Secret::new(String::from_utf8_lossy(secret_bytes).into_owned());
        let column = char_count(&data[line_start..m.secret.start]) + 1;
        let end_column = char_count(&data[end_line_start..m.secret.end]) + 1;
        let line_hash = opts.line_hashes.then(|| {
            hashes
                .get_or_insert_with(|| line_hashes(data))
                .get(line - 1)
                .cloned()
                .unwrap_or_default()
        });
        let first_line_end = m.secret.end.min(line_end);
        let (before, inner, after) = (
            line_start..m.secret.start,
            &data[m.secret.start..first_line_end],
            first_line_end..line_end,
        );
        // Other secrets on the same line are redacted too, never shown beside this one.
        let line_redacted = excerpt(
            &redacted_text(data, before.clone(), matches),
            &secret.redacted(),
            &redacted_text(data, after.clone(), matches),
        );
        let line_raw = excerpt(
            &String::from_utf8_lossy(&data[before]),
            &String::from_utf8_lossy(inner),
            &String::from_utf8_lossy(&data[after]),
        );
        out.push(Finding {
            rule_id: rule.id.clone(),
            rule_name: rule.name.clone(),
            severity: rule.severity,
            tags: rule.tags.clone(),
            path: origin.path.clone(),
            line,
            column,
            end_line,
            end_column,
            line_redacted,
            line_raw: Secret::new(line_raw),
            entropy: m.entropy,
            // From the text form (lossy for invalid UTF-8), as baselines recompute it.
            fingerprint: fingerprint(&opts.scope, &rule.id, secret.expose().as_bytes()),
            line_hash,
            secret,
            commit: origin.commit.clone(),
            other_commits: 0,
            in_head: None,
            confirmation: m.confirmation,
            environment: rule.environment.classify(secret_bytes),
            context: Context::Code,
            kind: FindingKind::Hardcoded,
            revocation: None,
        });
    }
    out
}

/// `data[range]` as text, with every matched secret that overlaps it redacted.
fn redacted_text(data: &[u8], range: Range<usize>, matches: &[Match]) -> String {
    let mut secrets: Vec<&Range<usize>> = matches
        .iter()
        .map(|m| &m.secret)
        .filter(|s| s.start < range.end && s.end > range.start)
        .collect();
    secrets.sort_by_key(|s| s.start);
    let mut out = String::new();
    let mut pos = range.start;
    for s in secrets {
        if s.end <= pos {
            continue;
        }
        let start = s.start.max(pos);
        out.push_str(&String::from_utf8_lossy(&data[pos..start]));
        if s.start >= range.start {
            out.push_str(&redact(&String::from_utf8_lossy(&data[s.clone()])));
        } else {
            out.push('…');
        }
        pos = s.end.min(range.end);
    }
    out.push_str(&String::from_utf8_lossy(&data[pos..range.end]));
    out
}

/// Joins the parts of a line around a (possibly redacted) secret, trimmed to a readable width.
fn excerpt(before: &str, middle: &str, after: &str) -> String {
    const SIDE: usize = 60;
    let before = before.trim_start();
    let b: String = if before.chars().count() > SIDE {
        let skip = before.chars().count() - SIDE;
        format!("…{}", before.chars().skip(skip).collect::<String>())
    } else {
        before.to_string()
    };
    let a: String = if after.chars().count() > SIDE {
        format!("{}…", after.chars().take(SIDE).collect::<String>())
    } else {
        after.trim_end().to_string()
    };
    let mut s = format!("{b}{middle}{a}");
    s.retain(|c| !c.is_control() || c == '\t');
    s
}

/// Characters in a UTF-8 byte run (invalid bytes count as one each).
fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// Incremental line numbering for ascending offsets.
#[derive(Default)]
struct LineIndex {
    offset: usize,
    line: usize,
    line_start: usize,
}

impl LineIndex {
    /// The 1-based line of `pos` and the offset where that line starts.
    fn locate(&mut self, data: &[u8], pos: usize) -> (usize, usize) {
        if pos < self.offset {
            *self = LineIndex::default();
        }
        let pos = pos.min(data.len());
        for nl in memchr::memchr_iter(b'\n', &data[self.offset..pos]) {
            self.line += 1;
            self.line_start = self.offset + nl + 1;
        }
        self.offset = pos;
        (self.line + 1, self.line_start)
    }
}

/// GitHub code scanning's `primaryLocationLineHash` for every line of `data`, computed as
/// github/codeql-action's `fingerprints.ts` does: a rolling polynomial hash (base 37, mod 2^64)
/// over the 100 characters (UTF-16 code units) that start at each line, ignoring spaces and
/// tabs, with line endings normalised to `\n`, an end marker (65535) and zero padding;
/// formatted as `<hex>:<n>` where `n` counts earlier occurrences of the same hash.
pub fn line_hashes(data: &[u8]) -> Vec<String> {
    const BLOCK: usize = 100;
    const MOD: u64 = 37;
    let first_mod = (0..BLOCK).fold(1u64, |acc, _| acc.wrapping_mul(MOD));
    let text = String::from_utf8_lossy(data);
    let mut window = [0u64; BLOCK];
    let mut line_numbers = [usize::MAX; BLOCK];
    let mut hash: u64 = 0;
    let mut index = 0usize;
    let mut line_number = 0usize;
    let mut line_start = true;
    let mut prev_cr = false;
    let mut counts: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    let mut out: Vec<String> = Vec::new();

    let mut emit = |hash: u64, line: usize, out: &mut Vec<String>| {
        let n = counts.entry(hash).or_insert(0);
        *n += 1;
        if out.len() < line {
            out.resize(line, String::new());
        }
        out[line - 1] = format!("{hash:x}:{n}");
    };
    let mut process = |c: u64,
                       window: &mut [u64; BLOCK],
                       line_numbers: &mut [usize; BLOCK],
                       hash: &mut u64,
                       index: &mut usize,
                       out: &mut Vec<String>| {
        let (space, tab, lf, cr) = (b' ' as u64, b'\t' as u64, b'\n' as u64, b'\r' as u64);
        if c == space || c == tab || (prev_cr && c == lf) {
            prev_cr = false;
            return;
        }
        let c = if c == cr {
            prev_cr = true;
            lf
        } else {
            prev_cr = false;
            c
        };
        if line_numbers[*index] != usize::MAX {
            emit(*hash, line_numbers[*index], out);
            line_numbers[*index] = usize::MAX;
        }
        if line_start {
            line_start = false;
            line_number += 1;
            line_numbers[*index] = line_number;
        }
        if c == lf {
            line_start = true;
        }
        let begin = window[*index];
        window[*index] = c;
        *hash = MOD
            .wrapping_mul(*hash)
            .wrapping_add(c)
            .wrapping_sub(first_mod.wrapping_mul(begin));
        *index = (*index + 1) % BLOCK;
    };
    for unit in text.encode_utf16() {
        process(
            unit as u64,
            &mut window,
            &mut line_numbers,
            &mut hash,
            &mut index,
            &mut out,
        );
    }
    process(
        65535,
        &mut window,
        &mut line_numbers,
        &mut hash,
        &mut index,
        &mut out,
    );
    for _ in 0..BLOCK {
        if line_numbers[index] != usize::MAX {
            emit(hash, line_numbers[index], &mut out);
            line_numbers[index] = usize::MAX;
        }
        let begin = window[index];
        window[index] = 0;
        hash = MOD
            .wrapping_mul(hash)
            .wrapping_sub(first_mod.wrapping_mul(begin));
        index = (index + 1) % BLOCK;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_four_chars() {
        assert_eq!(redact("abcdefgh"), "abcd…");
        assert_eq!(redact("ab"), "ab…");
        let s = Secret::new("supersecretvalue".into());
        assert_eq!(format!("{s:?}"), "Secret(supe…)");
        assert_eq!(format!("{s}"), "supe…");
    }

    #[test]
    fn other_secrets_on_the_line_are_redacted_too() {
        let data = b"a=SECRETONE1234 b=SECRETTWO5678\n";
        let m = |start: usize, end: usize| Match {
            rule: 0,
            range: start..end,
            secret: start..end,
            entropy: 4.0,
            confirmation: Confirmation::None,
        };
        let matches = [m(2, 15), m(18, 31)];
        assert_eq!(redacted_text(data, 0..18, &matches), "a=SECR… b=");
        assert_eq!(redacted_text(data, 15..31, &matches), " b=SECR…");
        assert_eq!(redacted_text(data, 5..18, &matches), "… b=");
    }

    #[test]
    fn fingerprint_depends_on_scope_rule_and_secret_only() {
        let s = Scope::new("github.com/acme/app");
        let a = fingerprint(&s, "x.y", b"secret1");
        assert_eq!(
            a,
            fingerprint(&Scope::new("github.com/acme/app"), "x.y", b"secret1")
        );
        assert_ne!(a, fingerprint(&s, "x.z", b"secret1"));
        assert_ne!(a, fingerprint(&s, "x.y", b"secret2"));
        assert_ne!(
            a,
            fingerprint(&Scope::new("github.com/acme/other"), "x.y", b"secret1")
        );
        assert_ne!(a, fingerprint(&Scope::default(), "x.y", b"secret1"));
        assert_eq!(a.len(), 32);
        assert!(!a.contains("secret1"));
    }

    #[test]
    fn line_index_counts_lines() {
        let data = b"a\nbb\nccc\n";
        let mut li = LineIndex::default();
        assert_eq!(li.locate(data, 0), (1, 0));
        assert_eq!(li.locate(data, 3), (2, 2));
        assert_eq!(li.locate(data, 6), (3, 5));
        assert_eq!(li.locate(data, 1), (1, 0));
    }

    /// Expected values published in github/codeql-action's fingerprint tests.
    #[test]
    fn line_hashes_match_github_code_scanning() {
        assert_eq!(line_hashes(b""), vec!["c129715d7a2bc9a3:1"]);
        assert_eq!(
            line_hashes(b" a\nb\n  \t\tc\n d"),
            vec![
                "271789c17abda88f:1",
                "54703d4cd895b18:1",
                "180aee12dab6264:1",
                "a23a3dc5e078b07b:1"
            ]
        );
        let expected_tail = [
            "e9496ae3ebfced30:1",
            "fb7c023a8b9ccb3f:1",
            "ce8ba1a563dcdaca:1",
            "e20e36e16fcb0cc8:1",
            "b3edc88f2938467e:1",
            "c8e28b0b4002a3a0:1",
            "c129715d7a2bc9a3:1",
        ];
        for input in [
            &b" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n"[..],
            b" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            b" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
        ] {
            assert_eq!(line_hashes(input), expected_tail);
        }
        let lorem = "Lorem ipsum dolor sit amet.\n".repeat(10);
        let got = line_hashes(lorem.as_bytes());
        assert_eq!(got[0], "a7f2ff13bc495cf2:1");
        assert_eq!(got[5], "a7f2ff13bc495cf2:6");
        assert_eq!(got[6], "a7f2ff1481e87703:1");
        assert_eq!(got[10], "c129715d7a2bc9a3:1");
    }

    #[test]
    fn line_hashes_one_per_line_and_stable_under_indentation() {
        let a = line_hashes(b"hello\nworld\n");
        assert_eq!(a.len(), 3, "two lines plus the empty last line");
        let b = line_hashes(b"  hello\n\tworld\n");
        assert_eq!(a, b, "spaces and tabs are ignored");
        let c = line_hashes(b"hello\r\nworld\r\n");
        assert_eq!(a, c, "CRLF is normalised");
        assert!(a[0].ends_with(":1"));
        let d = line_hashes(b"same\nsame\n");
        assert_ne!(
            d[0], d[1],
            "equal content still differs by the following lines"
        );
    }
}
