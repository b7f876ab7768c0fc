//! A match plus its origin becomes a finding: location, redaction, fingerprint, inline allows,
//! and then the [`Policy`]: allowlist, test context, live-in-test.

pub mod allowlist;
pub mod baseline;
pub mod context;
pub mod docs;

use crate::detect::{Confirmation, Engine, Match};
use crate::keys::Env;
use crate::rules::{Confidence, Environment, Rule, Severity};
use crate::source::{CommitInfo, Origin};
pub use crate::util::redact;
pub use allowlist::Allowlist;
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
    /// Shared by the findings of a rule in one blob (a file may hold thousands).
    pub rule_id: Arc<str>,
    pub rule_name: Arc<str>,
    pub severity: Severity,
    pub tags: Arc<[String]>,
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
    /// The same line with the secret shown; used only with `--show-secrets` (empty unless
    /// [`Options::raw_lines`] asked for it).
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
    /// How sure this is a credential: the rule's, raised by a confirmed checksum, lowered
    /// by test, docs or examples context (set by [`Policy::admit`]) or by a doubt.
    pub confidence: Confidence,
    /// Why the value classifier doubts the value (`placeholder`, `name`, `code`, …); such a
    /// finding is `low`.
    pub doubt: Option<&'static str>,
    /// The environment the secret is for (live, test, unknown), from markers in the secret.
    pub environment: Environment,
    /// Test code or fixtures, or code that ships; set by [`Policy::admit`].
    pub context: Context,
    /// `live-in-test` or `hardcoded`; set by [`Policy::admit`].
    pub kind: FindingKind,
    /// With `--revoke`: what became of the revocation report.
    pub revocation: Option<Revocation>,
}

/// What became of a confirmed finding's revocation report (`--revoke`); reports show it as
/// `revoked`, `already-revoked`, `unknown-key`, `spooled`, `failed: …` or `dry-run`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// The receiver's answer: `revoked`, `already-revoked`, `unknown-key`; or
    /// `already-reported` when it refused the message as a replay of one it processed.
    Answered(String),
    /// Not delivered after the retries; kept in the spool.
    Spooled,
    /// Refused for good (a 4xx other than 429); kept in the spool too.
    Failed(String),
    /// `--revoke-dry-run`: shown, not sent.
    DryRun,
}

impl std::fmt::Display for Revocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Revocation::Answered(answer) => f.write_str(answer),
            Revocation::Spooled => f.write_str("spooled"),
            Revocation::Failed(why) => write!(f, "failed: {why}"),
            Revocation::DryRun => f.write_str("dry-run"),
        }
    }
}

impl Finding {
    /// Reported at SARIF's `note` level rather than by severity: a third-party checksum that
    /// failed (kept because a scheme we misread must never hide a real key), a test key in
    /// test code shown with `--include-test-keys`, or a suppression added.
    pub fn is_note(&self) -> bool {
        self.confirmation == Confirmation::ChecksumFailed
            || (self.environment == Some(Env::Test) && self.context == Context::Test)
            || self.is_suppression()
    }

    /// A change that can silence findings, not a secret ([`FindingKind::SuppressionAdded`]).
    pub fn is_suppression(&self) -> bool {
        self.kind == FindingKind::SuppressionAdded
    }

    /// A [`FindingKind::SuppressionAdded`] finding: `rule` says what was added (see
    /// [`Suppression`]), at `line` of `path`; `text` is the added line with any secret in it
    /// already redacted, `raw` the line as it is (for `--show-secrets`).
    pub fn suppression(
        what: Suppression,
        path: &str,
        line: usize,
        text: &str,
        raw: &str,
        scope: &Scope,
    ) -> Finding {
        let cut = |s: &str| {
            let s = s.trim();
            match s.char_indices().nth(2 * EXCERPT_SIDE) {
                Some((at, _)) => format!("{}…", &s[..at]),
                None => s.to_string(),
            }
        };
        let (id, name) = what.rule();
        let line_redacted = shown_controls(&cut(text));
        let line_raw = shown_controls(&cut(raw));
        Finding {
            rule_id: id.into(),
            rule_name: name.into(),
            severity: Severity::Low,
            tags: Arc::from(vec!["suppression".to_string()]),
            path: path.to_string(),
            line,
            column: 1,
            end_line: line,
            end_column: raw.chars().count() + 1,
            // Identified by what was added where: the same line in the same file is one
            // suppression, wherever it moves.
            fingerprint: fingerprint(scope, id, format!("{path}\0{}", raw.trim()).as_bytes()),
            secret: Secret::new(String::new()),
            line_redacted,
            line_raw: Secret::new(line_raw),
            entropy: 0.0,
            line_hash: None,
            commit: None,
            other_commits: 0,
            in_head: None,
            confirmation: Confirmation::None,
            // Certainly added; shown whatever --confidence says.
            confidence: Confidence::High,
            doubt: None,
            environment: None,
            context: Context::Code,
            kind: FindingKind::SuppressionAdded,
            revocation: None,
        }
    }
}

/// What a range added that can silence findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suppression {
    /// An inline allow marker ([`INLINE_ALLOW_MARKERS`]) on an added line.
    InlineAllow,
    /// A line added to `.keyhound.toml` (allowlists, disabled rules, rules).
    Config,
    /// A line added to a `.keyhoundignore` (paths and fingerprints not reported).
    IgnoreFile,
    /// A line added to the baseline (findings not reported).
    Baseline,
}

impl Suppression {
    /// The rule id and name its findings carry.
    pub fn rule(self) -> (&'static str, &'static str) {
        match self {
            Suppression::InlineAllow => (
                "keyhound.suppression.inline-allow",
                "Inline allow marker added",
            ),
            Suppression::Config => ("keyhound.suppression.config", "Configuration changed"),
            Suppression::IgnoreFile => ("keyhound.suppression.ignore", "Ignore file changed"),
            Suppression::Baseline => ("keyhound.suppression.baseline", "Baseline changed"),
        }
    }

    /// Why a reviewer should look, for reports.
    pub fn why(rule_id: &str) -> &'static str {
        match rule_id {
            "keyhound.suppression.inline-allow" => {
                "an inline allow marker hides every finding on its line"
            }
            "keyhound.suppression.config" => {
                ".keyhound.toml can allowlist paths and values and disable rules"
            }
            "keyhound.suppression.ignore" => ".keyhoundignore hides paths and fingerprints",
            "keyhound.suppression.baseline" => "a baseline entry hides a finding",
            _ => "it can silence findings",
        }
    }
}

/// `data` as text with the secrets of `matches` redacted (see [`redact`]).
pub fn redact_secrets(data: &[u8], matches: &[Match]) -> String {
    let copies = Copies::of(data, matches);
    let mut ranges: Vec<Range<usize>> = matches.iter().map(|m| m.secret.clone()).collect();
    for m in matches {
        ranges.extend(copies.find(data, 0..data.len(), &data[m.secret.clone()]));
    }
    redacted_ranges(data, 0..data.len(), ranges)
}

/// The secrets a blob's matches found, to find their copies: a secret found once may stand
/// unmatched elsewhere (a second copy on the line without the context a generic rule needs,
/// or inside other text), and an excerpt must not show it there either.
struct Copies {
    /// Every distinct secret of more than 4 characters (shorter ones redact to themselves),
    /// when there are at most [`Copies::MAX`]; `None` past that, when each finding's excerpt
    /// is searched for its own secret only, so the work stays linear.
    all: Option<aho_corasick::AhoCorasick>,
    /// The longest secret, in bytes: how far past a window a copy overlapping it may start.
    longest: usize,
}

impl Copies {
    const MAX: usize = 1024;

    fn worth_hiding(secret: &[u8]) -> bool {
        char_count(secret) > 4
    }

    fn of(data: &[u8], matches: &[Match]) -> Copies {
        let mut secrets: Vec<&[u8]> = matches
            .iter()
            .map(|m| &data[m.secret.clone()])
            .filter(|s| Copies::worth_hiding(s))
            .collect();
        let longest = secrets.iter().map(|s| s.len()).max().unwrap_or(0);
        secrets.sort_unstable();
        secrets.dedup();
        let all = (secrets.len() <= Copies::MAX && !secrets.is_empty())
            .then(|| {
                aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                    .build(&secrets)
                    .ok()
            })
            .flatten();
        Copies { all, longest }
    }

    /// The byte ranges of secrets' copies overlapping `window` (`own`: the secret whose
    /// excerpt this is, searched for even without the automaton).
    fn find(&self, data: &[u8], window: Range<usize>, own: &[u8]) -> Vec<Range<usize>> {
        if window.is_empty() || self.longest == 0 {
            return Vec::new();
        }
        let from = window.start.saturating_sub(self.longest - 1);
        let to = (window.end + self.longest - 1).min(data.len());
        let hay = &data[from..to];
        let overlaps = |r: &Range<usize>| r.start < window.end && r.end > window.start;
        let found: Vec<Range<usize>> = match &self.all {
            Some(ac) => ac
                .find_iter(hay)
                .map(|m| from + m.start()..from + m.end())
                .collect(),
            None if Copies::worth_hiding(own) => memchr::memmem::find_iter(hay, own)
                .map(|at| from + at..from + at + own.len())
                .collect(),
            None => Vec::new(),
        };
        found.into_iter().filter(overlaps).collect()
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
    /// The lowest confidence reported (`--confidence`; default medium).
    pub min_confidence: Confidence,
}

/// A finding's confidence in its context: in test code, documentation or examples, a
/// finding is at most `medium` if its checksum is confirmed or the secret is marked live
/// (`sk_live_…`); otherwise in test code it is `low`, and in docs one level down (a
/// provider-format key `medium`, anything else `low`).
pub fn confidence_in(
    context: Context,
    base: Confidence,
    confirmed: bool,
    live: bool,
) -> Confidence {
    match context {
        Context::Code => base,
        Context::Test | Context::Docs if confirmed || live => base.min(Confidence::Medium),
        Context::Test => Confidence::Low,
        // Docs and examples: at most `medium`, one level down — a provider-format key
        // pasted into a README is still reported; a generic value in an example is not.
        Context::Docs => match base {
            Confidence::High => Confidence::Medium,
            _ => Confidence::Low,
        },
    }
}

/// Whether a documentation line presents its value as an example: a doctest line
/// (`>>> `, `... `), or the word `example`, `examples`, `sample` or `e.g.` (not a host such
/// as `example.com`, not part of an identifier such as `example_key`).
pub fn example_line(line: &str) -> bool {
    let trimmed = line.trim_start();
    if trimmed.starts_with(">>> ") || trimmed.starts_with("... ") {
        return true;
    }
    let lower = line.to_ascii_lowercase();
    let b = lower.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    ["example", "examples", "sample", "e.g."].iter().any(|w| {
        lower.match_indices(w).any(|(at, _)| {
            let end = at + w.len();
            let before = at == 0 || !word(b[at - 1]);
            let after = match b.get(end) {
                None => true,
                // `example.com`, `sample.org`: a host, not a label.
                Some(b'.') => !b.get(end + 1).is_some_and(|&c| c.is_ascii_alphanumeric()),
                Some(&c) => w.ends_with('.') || !word(c),
            };
            before && after
        })
    })
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
        // A path's context wins over a documentation region inside a code file.
        f.context = match self.test_paths.classify(rel_path) {
            Context::Code => f.context,
            other => other,
        };
        f.kind = if f.environment == Some(Env::Live) && f.context == Context::Test {
            FindingKind::LiveInTest
        } else {
            FindingKind::Hardcoded
        };
        f.confidence = confidence_in(
            f.context,
            f.confidence,
            f.confirmation.is_confirmed(),
            f.environment == Some(Env::Live),
        );
        // Documentation that calls a value an example (or shows it in a doctest) says what
        // it is; a confirmed or live key is still reported.
        if f.context == Context::Docs
            && f.doubt.is_none()
            && !f.confirmation.is_confirmed()
            && f.environment != Some(Env::Live)
            && example_line(&f.line_redacted)
        {
            f.confidence = Confidence::Low;
            f.doubt = Some("example");
        }
        // A test key where tests live is what test keys are for.
        if f.environment == Some(Env::Test) && f.context == Context::Test && !self.include_test_keys
        {
            return false;
        }
        f.confidence >= self.min_confidence
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

/// What to compute for each finding beyond the essentials.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Compute [`Finding::line_hash`].
    pub line_hashes: bool,
    /// Keep [`Finding::line_raw`] (for `--show-secrets`).
    pub raw_lines: bool,
    /// Report findings on lines with an inline allow marker too (`--no-inline-allow`).
    pub ignore_inline_allow: bool,
    /// What fingerprints are scoped by.
    pub scope: Scope,
}

/// Turns a blob's matches into findings, dropping those on lines with an inline allow.
///
/// `matches` come from [`Engine::scan`]: sorted by secret start, secrets not overlapping.
/// The work per finding is bounded (its line is looked at once, and only about
/// [`EXCERPT_SIDE`] characters around each secret are redacted and copied), so a file with
/// 100,000 secrets on one line costs what 100,000 lines with one each do.
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
    let mut line = LineFacts::default();
    let mut names: std::collections::HashMap<usize, RuleNames> = Default::default();
    let mut docs: Option<docs::DocRegions> = None;
    debug_assert!(matches
        .windows(2)
        .all(|w| w[0].secret.start <= w[1].secret.start));
    // The furthest any secret up to each match reaches: the neighbours an excerpt must
    // redact are found from it even if secrets overlapped.
    let reach: Vec<usize> = matches
        .iter()
        .scan(0, |r, m| {
            *r = m.secret.end.max(*r);
            Some(*r)
        })
        .collect();
    let copies = Copies::of(data, matches);
    for (i, m) in matches.iter().enumerate() {
        let (line_no, line_start) = lines.locate(data, m.secret.start);
        if line.start != line_start || line.number == 0 {
            line = LineFacts::of(data, line_no, line_start);
        }
        if line.allowed && !opts.ignore_inline_allow {
            continue;
        }
        let line_end = line.end;
        let (end_line, end_line_start) = lines.locate(data, m.secret.end.max(m.secret.start));
        let rule: &Rule = engine.rule(m.rule);
        let (rule_id, rule_name, tags) = names
            .entry(m.rule)
            .or_insert_with(|| {
                (
                    rule.id.as_str().into(),
                    rule.name.as_str().into(),
                    rule.tags.as_slice().into(),
                )
            })
            .clone();
        let secret_bytes = &data[m.secret.clone()];
        let secret = Secret::new(String::from_utf8_lossy(secret_bytes).into_owned());
        let column = line.column_of(data, m.secret.start);
        let end_column = if end_line == line_no {
            column + char_count(secret_bytes)
        } else {
            char_count(&data[end_line_start..m.secret.end]) + 1
        };
        let line_hash = opts.line_hashes.then(|| {
            hashes
                .get_or_insert_with(|| line_hashes(data))
                .get(line_no - 1)
                .cloned()
                .unwrap_or_default()
        });
        let first_line_end = m.secret.end.min(line_end).max(m.secret.start);
        // Only what the excerpt can show is looked at: up to WINDOW bytes on each side
        // (enough for EXCERPT_SIDE characters of any UTF-8).
        let before = m.secret.start.saturating_sub(WINDOW).max(line_start)..m.secret.start;
        let after = first_line_end..(first_line_end + WINDOW).min(line_end);
        // Text cut off at the window's edge is shown as `…`, unless it is only the line's
        // indentation (which a whole line would have trimmed anyway).
        let cut_before = before.start > line.first_visible;
        let cut_after = after.end < line.last_visible;
        // Other secrets near this one on the line are redacted too, never shown beside it.
        // So are copies of any secret (this one included) that no match covers.
        let neighbours = nearby(matches, &reach, i, &before, &after);
        let hidden = |window: &Range<usize>| {
            let mut ranges: Vec<Range<usize>> =
                neighbours.iter().map(|n| n.secret.clone()).collect();
            ranges.extend(copies.find(data, window.clone(), secret_bytes));
            redacted_ranges(data, window.clone(), ranges)
        };
        let line_redacted = excerpt(
            &hidden(&before),
            cut_before,
            &secret.redacted(),
            &hidden(&after),
            cut_after,
        );
        let line_raw = if opts.raw_lines {
            excerpt(
                &String::from_utf8_lossy(&data[before]),
                cut_before,
                &String::from_utf8_lossy(&data[m.secret.start..first_line_end]),
                &String::from_utf8_lossy(&data[after]),
                cut_after,
            )
        } else {
            String::new()
        };
        out.push(Finding {
            rule_id,
            rule_name,
            severity: rule.severity,
            tags,
            path: origin.path.clone(),
            line: line_no,
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
            confidence: if m.confirmation.is_confirmed() {
                Confidence::High
            } else if m.doubt.is_some() {
                Confidence::Low
            } else {
                rule.confidence()
            },
            doubt: m.doubt.map(|d| d.as_str()),
            environment: rule.environment.classify(secret_bytes),
            // Documentation or a test module inside a code file (docstrings, doc
            // comments, Rust's `#[cfg(test)] mod`); the path's context is applied by
            // `Policy::admit`.
            context: docs
                .get_or_insert_with(|| docs::DocRegions::new(&origin.path, data))
                .context_at(m.secret.start),
            kind: FindingKind::Hardcoded,
            revocation: None,
        });
    }
    out
}

/// A rule's id, name and tags, shared by its findings in one blob.
type RuleNames = (Arc<str>, Arc<str>, Arc<[String]>);

/// Characters of context an excerpt shows on each side of the secret.
pub const EXCERPT_SIDE: usize = 60;

/// Bytes looked at on each side of a secret: enough for [`EXCERPT_SIDE`] characters and
/// the one that tells whether there are more, even when each takes four bytes and the first
/// is cut.
const WINDOW: usize = 4 * (EXCERPT_SIDE + 2);

/// What is computed once per line, however many secrets it holds.
#[derive(Default)]
struct LineFacts {
    /// 1-based; 0 before the first line is looked at.
    number: usize,
    start: usize,
    end: usize,
    /// The line carries an inline allow marker.
    allowed: bool,
    /// Offsets of the first and past the last non-whitespace byte.
    first_visible: usize,
    last_visible: usize,
    /// The last offset a column was computed for, and its 1-based column.
    column_at: (usize, usize),
}

impl LineFacts {
    fn of(data: &[u8], number: usize, start: usize) -> LineFacts {
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |p| start + p);
        let bytes = &data[start..end];
        let allowed = INLINE_ALLOW_MARKERS
            .iter()
            .any(|mk| memchr::memmem::find(bytes, mk.as_bytes()).is_some());
        let visible = |b: &u8| !b.is_ascii_whitespace();
        let first_visible = bytes.iter().position(visible).map_or(end, |p| start + p);
        let last_visible = bytes
            .iter()
            .rposition(visible)
            .map_or(start, |p| start + p + 1);
        LineFacts {
            number,
            start,
            end,
            allowed,
            first_visible,
            last_visible,
            column_at: (start, 1),
        }
    }

    /// The 1-based column (in characters) of offset `pos` on this line; offsets asked for
    /// in ascending order cost the bytes between them.
    fn column_of(&mut self, data: &[u8], pos: usize) -> usize {
        let (at, col) = self.column_at;
        let col = if pos >= at {
            col + char_count(&data[at..pos])
        } else {
            char_count(&data[self.start..pos]) + 1
        };
        self.column_at = (pos, col);
        col
    }
}

/// The run of matches around `matches[i]` that holds every secret overlapping `before` or
/// `after` (matches are sorted by start; `reach[j]` is the furthest end of `matches[..=j]`).
fn nearby<'m>(
    matches: &'m [Match],
    reach: &[usize],
    i: usize,
    before: &Range<usize>,
    after: &Range<usize>,
) -> &'m [Match] {
    let mut lo = i;
    while lo > 0 && reach[lo - 1] > before.start {
        lo -= 1;
    }
    let mut hi = i + 1;
    while hi < matches.len() && matches[hi].secret.start < after.end {
        hi += 1;
    }
    &matches[lo..hi]
}

/// `data[range]` as text, with every matched secret that overlaps it redacted.
#[cfg(test)]
fn redacted_text(data: &[u8], range: Range<usize>, matches: &[Match]) -> String {
    redacted_ranges(
        data,
        range,
        matches.iter().map(|m| m.secret.clone()).collect(),
    )
}

/// `data[range]` as text, with every secret at `secrets` that overlaps it redacted.
fn redacted_ranges(data: &[u8], range: Range<usize>, mut secrets: Vec<Range<usize>>) -> String {
    secrets.retain(|s| s.start < range.end && s.end > range.start);
    secrets.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut out = String::new();
    let mut pos = range.start;
    for s in &secrets {
        if s.end <= pos {
            continue;
        }
        let start = s.start.max(pos);
        out.push_str(&String::from_utf8_lossy(&data[pos..start]));
        if s.start < pos {
            // Begun before the window (or inside a secret already redacted, whose `…` stands
            // for it too): nothing of it is shown.
            if pos == range.start {
                out.push('…');
            }
        } else if s.end <= range.end {
            out.push_str(&redact(&String::from_utf8_lossy(&data[s.clone()])));
        } else {
            // A secret running past the window's end: its first characters, never more.
            let shown = redact(&String::from_utf8_lossy(
                &data[s.start..s.end.min(range.end)],
            ));
            out.push_str(&shown);
        }
        pos = s.end.min(range.end);
    }
    out.push_str(&String::from_utf8_lossy(&data[pos..range.end]));
    out
}

/// Joins the parts of a line around a (possibly redacted) secret, trimmed to a readable
/// width: at most [`EXCERPT_SIDE`] characters on each side, `…` where more was cut (`cut_*`:
/// the part given was already cut from a longer line).
fn excerpt(before: &str, cut_before: bool, middle: &str, after: &str, cut_after: bool) -> String {
    const SIDE: usize = EXCERPT_SIDE;
    let before = if cut_before {
        before
    } else {
        before.trim_start()
    };
    let b: String = match before.char_indices().rev().nth(SIDE - 1) {
        Some((at, _)) if at > 0 || cut_before => format!("…{}", &before[at..]),
        _ if cut_before => format!("…{before}"),
        _ => before.to_string(),
    };
    let a: String = match after.char_indices().nth(SIDE) {
        Some((at, _)) => format!("{}…", &after[..at]),
        None if cut_after => format!("{after}…"),
        None => after.trim_end().to_string(),
    };
    shown_controls(&format!("{b}{middle}{a}"))
}

/// An excerpt's control characters (tabs kept) as U+FFFD: never raw (a terminal would obey
/// them), and never dropped either — dropping them could join the text around them into a
/// copy of a secret found elsewhere (`ab\x01cd` shown as `abcd`) that no redaction covers.
fn shown_controls(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
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
    use crate::detect::Scratch;

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
            doubt: None,
        };
        let matches = [m(2, 15), m(18, 31)];
        assert_eq!(redacted_text(data, 0..18, &matches), "a=SECR… b=");
        assert_eq!(redacted_text(data, 15..31, &matches), " b=SECR…");
        assert_eq!(redacted_text(data, 5..18, &matches), "… b=");
    }

    /// The excerpt as it was computed before windows: the whole line redacted, then cut.
    fn whole_line_excerpt(data: &[u8], matches: &[Match], i: usize) -> String {
        let m = &matches[i];
        let line_start = data[..m.secret.start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let line_end = memchr::memchr(b'\n', &data[m.secret.start..])
            .map_or(data.len(), |p| m.secret.start + p);
        let before = redacted_text(data, line_start..m.secret.start, matches);
        let after = redacted_text(data, m.secret.end.min(line_end)..line_end, matches);
        let secret = redact(&String::from_utf8_lossy(&data[m.secret.clone()]));
        let before = before.trim_start();
        let b = if before.chars().count() > EXCERPT_SIDE {
            let skip = before.chars().count() - EXCERPT_SIDE;
            format!("…{}", before.chars().skip(skip).collect::<String>())
        } else {
            before.to_string()
        };
        let a = if after.chars().count() > EXCERPT_SIDE {
            format!("{}…", after.chars().take(EXCERPT_SIDE).collect::<String>())
        } else {
            after.trim_end().to_string()
        };
        shown_controls(&format!("{b}{secret}{a}"))
    }

    const DEMO_RULE: &str = r#"
[[rules]]
id = "demo.token"
name = "Demo token"
keywords = ["demo_"]
regex = '''(?P<secret>demo_[a-z0-9]{12})'''
"#;

    fn demo_engine() -> Engine {
        Engine::new(crate::rules::parse_rule_file("demo.toml", DEMO_RULE).unwrap()).unwrap()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Lines of filler (ASCII, spaces, multi-byte characters) and tokens: each excerpt
        /// shows no other token, stays within its width, and — where the line is short
        /// enough for the window to hold it — is what redacting the whole line gave.
        #[test]
        fn excerpts_are_bounded_and_never_show_another_secret(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-z =:;\"é日\t]{0,300}",
                    "demo_[a-z0-9]{12}",
                    proptest::strategy::Just("\n".to_string()),
                ],
                1..40,
            )
        ) {
            let data = parts.concat();
            let engine = demo_engine();
            let matches = engine.scan(data.as_bytes(), &mut Scratch::default());
            let found = build(&engine, &Origin::file("x"), data.as_bytes(), &matches, &Options {
                raw_lines: true,
                ..Options::default()
            });
            proptest::prop_assert_eq!(found.len(), matches.len());
            let secrets: Vec<&str> = matches.iter().map(|m| &data[m.secret.clone()]).collect();
            for (i, f) in found.iter().enumerate() {
                for s in &secrets {
                    proptest::prop_assert!(!f.line_redacted.contains(s), "{} shows {}", f.line_redacted, s);
                }
                let width = f.line_redacted.chars().count();
                proptest::prop_assert!(width <= 2 * EXCERPT_SIDE + 2 + 5, "{width}");
                proptest::prop_assert!(f.line_raw.expose().contains(secrets[i]));
                let m = &matches[i];
                let line_start = data[..m.secret.start].rfind('\n').map_or(0, |p| p + 1);
                let line_end = data[m.secret.start..].find('\n').map_or(data.len(), |p| m.secret.start + p);
                if m.secret.start - line_start <= WINDOW && line_end - m.secret.end <= WINDOW {
                    proptest::prop_assert_eq!(&f.line_redacted, &whole_line_excerpt(data.as_bytes(), &matches, i));
                }
                let col = data[line_start..m.secret.start].chars().count() + 1;
                proptest::prop_assert_eq!(f.column, col);
                proptest::prop_assert_eq!(f.end_column, col + secrets[i].chars().count());
            }
        }
    }

    /// The demo rule anchored like a generic rule: the secret only counts after `key = `.
    fn assignment_demo_engine() -> Engine {
        let rule = DEMO_RULE.replace("'''(?P<secret>", "'''key = (?P<secret>");
        Engine::new(crate::rules::parse_rule_file("demo.toml", &rule).unwrap()).unwrap()
    }

    /// Found by the `engine_scan` fuzz target: a secret matched once (a generic rule needs
    /// an assignment before it) was shown whole in its own excerpt where it stood a second
    /// time, unmatched, later on the line — and so in every report without --show-secrets.
    #[test]
    fn a_secrets_unmatched_copies_are_redacted_too() {
        let engine = assignment_demo_engine();
        let token = "demo_0123456789ab";
        let line = format!("key = {token} # {token} and again: x{token}y\n");
        let matches = engine.scan(line.as_bytes(), &mut Scratch::default());
        assert_eq!(matches.len(), 1, "the copies are not matched");
        let opts = Options::default();
        let found = build(
            &engine,
            &Origin::file("x"),
            line.as_bytes(),
            &matches,
            &opts,
        );
        assert_eq!(
            found[0].line_redacted,
            "key = demo… # demo… and again: xdemo…y"
        );
        // A copy of another line's secret, and a notice's line (`redact_secrets`), too.
        let two = format!("key = {token}\nkey = demo_zzzzzzzzzzzz {token}\n");
        let matches = engine.scan(two.as_bytes(), &mut Scratch::default());
        assert_eq!(matches.len(), 2);
        let found = build(&engine, &Origin::file("x"), two.as_bytes(), &matches, &opts);
        assert_eq!(found[1].line_redacted, "key = demo… demo…");
        let matches = engine.scan(line.as_bytes(), &mut Scratch::default());
        let notice = redact_secrets(line.as_bytes(), &matches);
        assert_eq!(notice, "key = demo… # demo… and again: xdemo…y\n");
    }

    /// Found by the `engine_scan` fuzz target: excerpts dropped control characters, so a
    /// secret's near-copy with one inside (`demo_01\x01\x0b23…`, not a copy, so not
    /// redacted) was shown as the secret itself in another finding's excerpt.
    #[test]
    fn control_characters_cannot_join_text_into_a_secret() {
        let engine = assignment_demo_engine();
        let token = "demo_0123456789ab";
        let (head, tail) = token.split_at(8);
        let text = format!("key = {token}\nkey = demo_zzzzzzzzzzzz {head}\u{1}\u{b}{tail}\n");
        let matches = engine.scan(text.as_bytes(), &mut Scratch::default());
        assert_eq!(matches.len(), 2, "the near-copy is not matched");
        let found = build(
            &engine,
            &Origin::file("x"),
            text.as_bytes(),
            &matches,
            &Options::default(),
        );
        assert!(
            !found[1].line_redacted.contains(token),
            "{:?}",
            found[1].line_redacted
        );
        assert_eq!(
            found[1].line_redacted,
            format!("key = demo… {head}\u{fffd}\u{fffd}{tail}")
        );
    }

    #[test]
    fn long_lines_are_cut_around_each_secret() {
        let tokens: Vec<String> = (0..2000).map(|i| format!("demo_{i:012}")).collect();
        let line = format!("{}  # {}\n", tokens.join(" "), "x".repeat(500));
        let engine = demo_engine();
        let matches = engine.scan(line.as_bytes(), &mut Scratch::default());
        assert_eq!(matches.len(), 2000);
        let found = build(
            &engine,
            &Origin::file("x"),
            line.as_bytes(),
            &matches,
            &Options::default(),
        );
        // In the middle of the line: cut on both sides, neighbours redacted.
        let mid = &found[1000];
        assert!(mid.line_redacted.starts_with('…') && mid.line_redacted.ends_with('…'));
        assert!(
            mid.line_redacted.contains("demo…  demo… demo…")
                || mid.line_redacted.contains("demo… demo…")
        );
        assert!(
            !mid.line_redacted.contains(&tokens[999]) && !mid.line_redacted.contains(&tokens[1001])
        );
        assert_eq!(mid.column, 1000 * 18 + 1);
        // The first: nothing before it, so nothing cut there.
        assert!(found[0].line_redacted.starts_with("demo…"));
        // No raw line unless asked for.
        assert_eq!(found[0].line_raw.expose(), "");
        // An inline allow anywhere on the line silences all of it.
        let allowed = format!("{}  # keyhound:allow\n", tokens.join(" "));
        let m = engine.scan(allowed.as_bytes(), &mut Scratch::default());
        assert!(build(
            &engine,
            &Origin::file("x"),
            allowed.as_bytes(),
            &m,
            &Options::default()
        )
        .is_empty());
    }

    #[test]
    fn context_demotes_unless_confirmed_or_live() {
        use Confidence::*;
        for base in [Low, Medium, High] {
            assert_eq!(confidence_in(Context::Code, base, false, false), base);
            for ctx in [Context::Test, Context::Docs] {
                assert_eq!(confidence_in(ctx, base, true, false), base.min(Medium));
                assert_eq!(confidence_in(ctx, base, false, true), base.min(Medium));
                // Applying it again to a confirmed or live finding changes nothing.
                let once = confidence_in(ctx, base, false, true);
                assert_eq!(confidence_in(ctx, once, false, true), once);
            }
            assert_eq!(confidence_in(Context::Test, base, false, false), Low);
        }
        // Docs: one level down, so a provider-format key is still reported by default.
        assert_eq!(confidence_in(Context::Docs, High, false, false), Medium);
        assert!(example_line("  cloud_api_key: <key>   # Example - eyJr…"));
        assert!(example_line(
            ">>> private_key = \"-----BEGIN RSA PRIVATE KEY-----\\nMIIE…"
        ));
        assert!(example_line("For example: TOKEN=ghp_…"));
        assert!(example_line("e.g. `sk_live_…`"));
        assert!(!example_line(
            "curl -u admin:s3cr… https://api.example.com/v1"
        ));
        assert!(!example_line("EXAMPLE_KEY = \"AKIA…\""));
        assert!(!example_line("export GITHUB_TOKEN=ghp_…"));
        assert!(!example_line("sampled = true; key = \"x…\""));
        assert_eq!(confidence_in(Context::Docs, Medium, false, false), Low);
        assert_eq!(confidence_in(Context::Docs, Low, false, false), Low);
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
