//! The revocation webhook client: confirmed leaks go to the issuer, signed, retried, and never
//! lost — what cannot be delivered is spooled for `keyhound revoke --retry-pending`.
//!
//! Policy: only findings confirmed by a checksum are sent (a placeholder must never revoke a
//! real key); the raw key only with `include_token = true`; HTTPS with certificate checks
//! (plain `http://` only to loopback). Every attempt goes to an audit log (JSONL) without the
//! key.

pub mod partner;
pub mod webhook;

use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use webhook::{BatchResult, LeakBatch, LeakReport, Location};

/// `[revocation]` in `.keyhound.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationConfig {
    pub url: Option<String>,
    /// The environment variable holding the signing secret (never the secret itself).
    #[serde(default = "default_secret_env")]
    pub secret_env: String,
    /// `standard-webhooks` (default) or `github-partner`.
    #[serde(default = "default_format")]
    pub format: String,
    /// `github-partner`: the P-256 private key (PKCS#8 PEM) from `keyhound webhook keygen`.
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// `github-partner`: the header carrying the public key's identifier.
    #[serde(default = "default_key_id_header")]
    pub key_id_header: String,
    /// `github-partner`: the header carrying the signature.
    #[serde(default = "default_signature_header")]
    pub signature_header: String,
    /// Send the raw key too (default: its SHA-256 only).
    #[serde(default)]
    pub include_token: bool,
    /// Per request, in seconds.
    #[serde(default = "default_timeout")]
    pub timeout: u64,
    /// Retries after the first attempt, for connection errors, timeouts, 429 and 5xx.
    #[serde(default = "default_retries")]
    pub max_retries: u32,
}

fn default_secret_env() -> String {
    "KEYHOUND_WEBHOOK_SECRET".into()
}
fn default_format() -> String {
    "standard-webhooks".into()
}
fn default_key_id_header() -> String {
    "Github-Public-Key-Identifier".into()
}
fn default_signature_header() -> String {
    "Github-Public-Key-Signature".into()
}
fn default_timeout() -> u64 {
    10
}
fn default_retries() -> u32 {
    5
}

impl Default for RevocationConfig {
    fn default() -> Self {
        RevocationConfig {
            url: None,
            secret_env: default_secret_env(),
            format: default_format(),
            key_file: None,
            key_id_header: default_key_id_header(),
            signature_header: default_signature_header(),
            include_token: false,
            timeout: default_timeout(),
            max_retries: default_retries(),
        }
    }
}

/// How messages are signed.
#[derive(Clone)]
enum Signing {
    /// Standard Webhooks: HMAC-SHA256 with this key.
    Hmac(Vec<u8>),
    /// GitHub's partner format: ECDSA P-256.
    Partner {
        key: p256::ecdsa::SigningKey,
        key_id: String,
        key_id_header: String,
        signature_header: String,
    },
}

/// A ready-to-use client configuration.
#[derive(Clone)]
pub struct Settings {
    pub url: String,
    signing: Signing,
    pub include_token: bool,
    pub timeout: Duration,
    pub max_retries: u32,
    /// First retry delay; doubles each time (with jitter).
    pub backoff: Duration,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("url", &self.url)
            .field("include_token", &self.include_token)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Settings from the configuration, `url_override` (`--revoke-url`) winning over its URL.
    /// The secret is read from the named environment variable.
    pub fn new(cfg: &RevocationConfig, url_override: Option<&str>) -> Result<Settings, String> {
        let url = url_override
            .map(str::to_string)
            .or_else(|| cfg.url.clone())
            .ok_or("no revocation URL: set [revocation] url in .keyhound.toml or --revoke-url")?;
        check_url(&url)?;
        let (timeout, max_retries) = (Duration::from_secs(cfg.timeout.max(1)), cfg.max_retries);
        match cfg.format.as_str() {
            "standard-webhooks" => {}
            "github-partner" => {
                let path = cfg.key_file.as_ref().ok_or(
                    "[revocation] format \"github-partner\" needs key_file (see `keyhound webhook keygen`)",
                )?;
                let key = partner::load_signing_key(path)?;
                let key_id = partner::key_id(&p256::ecdsa::VerifyingKey::from(&key))?;
                return Ok(Settings {
                    url,
                    signing: Signing::Partner {
                        key,
                        key_id,
                        key_id_header: cfg.key_id_header.clone(),
                        signature_header: cfg.signature_header.clone(),
                    },
                    // The partner format carries the token itself.
                    include_token: true,
                    timeout,
                    max_retries,
                    backoff: Duration::from_millis(500),
                });
            }
            other => {
                return Err(format!(
                    "[revocation] format {other:?} is unknown (use \"standard-webhooks\" or \"github-partner\")"
                ))
            }
        }
        let secret = std::env::var(&cfg.secret_env)
            .ok()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                format!(
                    "{} is not set: the revocation webhook needs its signing secret there",
                    cfg.secret_env
                )
            })?;
        Ok(Settings {
            url,
            signing: Signing::Hmac(webhook::signing_key(&secret)),
            include_token: cfg.include_token,
            timeout,
            max_retries,
            backoff: Duration::from_millis(500),
        })
    }
}

/// HTTPS anywhere; plain HTTP only to loopback.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("https://") {
        return Ok(());
    }
    if let Some(rest) = url.strip_prefix("http://") {
        let authority = rest.split('/').next().unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or_default();
        let host = if let Some(v6) = host.strip_prefix('[') {
            v6.split(']').next().unwrap_or_default()
        } else {
            host.split(':').next().unwrap_or_default()
        };
        let loopback = host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if loopback {
            return Ok(());
        }
        return Err(format!(
            "refusing plain http:// to {host}: use https:// (http is allowed only to loopback)"
        ));
    }
    Err(format!("revocation URL {url:?} must start with https://"))
}

/// A repository URL with any credentials removed: the userinfo before `@` in
/// `https://…@host/x` is dropped, leaving `https://host/x`.
pub fn strip_credentials(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = authority.rsplit('@').next().unwrap_or(authority);
        if path.is_empty() && !rest.contains('/') {
            return format!("{scheme}://{host}");
        }
        return format!("{scheme}://{host}/{path}");
    }
    // scp-like `git@host:org/repo.git`: the user is not a secret, keep it.
    url.to_string()
}

/// Where a scan runs and what it reports as.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// Remote URL without credentials, or empty.
    pub repository: String,
    /// `ci` or `local`.
    pub source: String,
    /// Directory for the spool and the audit log (`.git/keyhound`).
    pub state_dir: PathBuf,
}

impl Origin {
    /// For a scan of `path`: the repository's `origin` remote and its git directory, if any.
    pub fn discover(path: &Path) -> Origin {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
            || std::env::var_os("GITHUB_ACTIONS").is_some();
        let source = if ci { "ci" } else { "local" }.to_string();
        match git2::Repository::discover(path) {
            Ok(repo) => Origin {
                repository: repo
                    .find_remote("origin")
                    .ok()
                    .and_then(|r| r.url().ok().map(strip_credentials))
                    .unwrap_or_default(),
                source,
                state_dir: repo.path().join("keyhound"),
            },
            Err(_) => Origin {
                repository: String::new(),
                source,
                state_dir: path
                    .canonicalize()
                    .unwrap_or_else(|_| path.to_path_buf())
                    .join(".keyhound"),
            },
        }
    }

    pub fn spool_path(&self) -> PathBuf {
        self.state_dir.join("revocations.jsonl")
    }

    pub fn audit_path(&self) -> PathBuf {
        self.state_dir.join("revocations-audit.jsonl")
    }
}

/// The part of a key that names its issuer and kind (`acme_live_`, `ghp_`), or its first four
/// characters.
pub fn token_prefix(secret: &str) -> String {
    match secret[..secret.len().min(17)].rfind('_') {
        Some(i) => secret[..=i].to_string(),
        None => secret.chars().take(4).collect(),
    }
}

/// The report for a confirmed finding.
pub fn report_for(f: &Finding, origin: &Origin, include_token: bool) -> LeakReport {
    LeakReport {
        id: f.fingerprint.clone(),
        rule: f.rule_id.to_string(),
        token_sha256: crate::keys::digest(f.secret.expose()),
        token_prefix: token_prefix(f.secret.expose()),
        location: Location {
            repository: origin.repository.clone(),
            commit: f.commit.as_ref().map(|c| c.id.clone()),
            path: f.path.clone(),
            line: f.line,
        },
        source: origin.source.clone(),
        detected_at: crate::report::rfc3339(crate::keys::store::now()),
        token: include_token.then(|| f.secret.expose().to_string()),
    }
}

/// A stable message id for a batch: the same reports give the same id, so a retry is
/// recognisably the same message.
pub fn message_id(reports: &[LeakReport]) -> String {
    if let [one] = reports {
        return format!("msg_{}", one.id);
    }
    let mut joined = String::new();
    for r in reports {
        joined.push_str(&r.id);
        joined.push('\n');
    }
    format!("msg_{}", &crate::keys::digest(&joined)[..32])
}

/// What became of one report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The receiver's answer: `revoked`, `already-revoked`, `unknown-key`; or
    /// `already-reported` when it refused the message as a replay of one it processed.
    Answered(String),
    /// Not delivered after the retries; kept in the spool.
    Spooled,
    /// Refused for good (a 4xx other than 429); kept in the spool too.
    Failed(String),
}

impl Delivery {
    pub fn describe(&self) -> String {
        match self {
            Delivery::Answered(s) => s.clone(),
            Delivery::Spooled => "spooled".into(),
            Delivery::Failed(why) => format!("failed: {why}"),
        }
    }
}

/// One attempt, for the audit log (no key material).
#[derive(Debug, Serialize)]
struct AttemptLog<'a> {
    time: String,
    id: &'a str,
    host: &'a str,
    status: String,
    attempt: u32,
}

fn host_of(url: &str) -> &str {
    url.split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .map(|a| a.rsplit('@').next().unwrap_or(a))
        .unwrap_or("")
}

/// Appends lines to a file created with mode 0600.
fn append_private(path: &Path, lines: &[String]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    for l in lines {
        writeln!(f, "{l}")?;
    }
    f.sync_all()
}

/// Sends batches of ≤ 100 reports, retrying transient failures; returns each report's
/// fate in order. Undelivered reports are appended to the spool.
pub fn deliver(settings: &Settings, origin: &Origin, reports: &[LeakReport]) -> Vec<Delivery> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(settings.timeout))
        .http_status_as_error(false)
        .user_agent(concat!("keyhound/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut out = Vec::with_capacity(reports.len());
    let mut audit = Vec::new();
    let mut spool = Vec::new();
    for chunk in reports.chunks(webhook::MAX_BATCH) {
        let fate = send_batch(&agent, settings, chunk, &mut audit);
        if !matches!(fate, BatchFate::Answered(_) | BatchFate::Replayed) {
            for r in chunk {
                spool.push(serde_json::to_string(r).unwrap_or_default());
            }
        }
        match fate {
            BatchFate::Answered(result) => {
                for r in chunk {
                    let outcome = result
                        .results
                        .iter()
                        .find(|x| x.id == r.id)
                        .map_or("unanswered".to_string(), |x| x.outcome.clone());
                    out.push(Delivery::Answered(outcome));
                }
            }
            BatchFate::Replayed => out.extend(
                chunk
                    .iter()
                    .map(|_| Delivery::Answered("already-reported".into())),
            ),
            BatchFate::Transient => out.extend(chunk.iter().map(|_| Delivery::Spooled)),
            BatchFate::Final(why) => {
                out.extend(chunk.iter().map(|_| Delivery::Failed(why.clone())))
            }
        }
    }
    if let Err(e) = append_private(&origin.audit_path(), &audit) {
        eprintln!(
            "warning: cannot write the revocation audit log {}: {e}",
            origin.audit_path().display()
        );
    }
    if !spool.is_empty() {
        if let Err(e) = append_private(&origin.spool_path(), &spool) {
            eprintln!(
                "warning: cannot write the revocation spool {}: {e}",
                origin.spool_path().display()
            );
        }
    }
    out
}

enum BatchFate {
    Answered(BatchResult),
    Replayed,
    Transient,
    Final(String),
}

fn send_batch(
    agent: &ureq::Agent,
    settings: &Settings,
    chunk: &[LeakReport],
    audit: &mut Vec<String>,
) -> BatchFate {
    let id = message_id(chunk);
    let body = match &settings.signing {
        Signing::Hmac(_) => serde_json::to_vec(&LeakBatch {
            kind: webhook::LEAK_TYPE.into(),
            reports: chunk.to_vec(),
        }),
        Signing::Partner { .. } => serde_json::to_vec(
            &chunk
                .iter()
                .map(|r| partner::PartnerReport {
                    token: r.token.clone().unwrap_or_default(),
                    kind: r.rule.clone(),
                    url: location_url(&r.location),
                    source: if r.location.commit.is_some() {
                        "commit".into()
                    } else {
                        "content".into()
                    },
                })
                .collect::<Vec<_>>(),
        ),
    }
    .unwrap_or_default();
    let host = host_of(&settings.url);
    let mut delay = settings.backoff;
    for attempt in 1..=settings.max_retries + 1 {
        let ts = crate::keys::store::now();
        let request = agent
            .post(&settings.url)
            .header("content-type", "application/json");
        let request = match &settings.signing {
            Signing::Hmac(key) => request
                .header("webhook-id", &id)
                .header("webhook-timestamp", ts.to_string())
                .header("webhook-signature", webhook::sign(key, &id, ts, &body)),
            Signing::Partner {
                key,
                key_id,
                key_id_header,
                signature_header,
            } => request
                .header(key_id_header.as_str(), key_id.as_str())
                .header(signature_header.as_str(), partner::sign(key, &body)),
        };
        let result = request.send(&body[..]);
        let (status, retry_after, fate) = match result {
            Ok(mut resp) => {
                let code = resp.status().as_u16();
                let retry_after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                let text = resp
                    .body_mut()
                    .with_config()
                    .limit(1 << 20)
                    .read_to_string()
                    .unwrap_or_default();
                let partner = matches!(settings.signing, Signing::Partner { .. });
                let fate = match code {
                    // The partner format's answer is the issuer's own; delivery is what we know.
                    200..=299 if partner => Some(BatchFate::Answered(BatchResult {
                        results: chunk
                            .iter()
                            .map(|r| webhook::ReportResult {
                                id: r.id.clone(),
                                outcome: "reported".into(),
                            })
                            .collect(),
                    })),
                    200..=299 => match serde_json::from_str::<BatchResult>(&text) {
                        Ok(r) => Some(BatchFate::Answered(r)),
                        Err(_) => Some(BatchFate::Final(format!(
                            "HTTP {code} with an unreadable answer"
                        ))),
                    },
                    // A replay: the receiver already processed this very message.
                    409 => Some(BatchFate::Replayed),
                    429 | 500..=599 => None,
                    _ => {
                        let why = serde_json::from_str::<serde_json::Value>(&text)
                            .ok()
                            .and_then(|v| v["error"].as_str().map(str::to_string))
                            .unwrap_or_default();
                        Some(BatchFate::Final(
                            format!("HTTP {code} {why}").trim_end().to_string(),
                        ))
                    }
                };
                (code.to_string(), retry_after, fate)
            }
            Err(e) => (format!("error: {e}"), None, None),
        };
        audit.push(
            serde_json::to_string(&AttemptLog {
                time: crate::report::rfc3339(ts),
                id: &id,
                host,
                status,
                attempt,
            })
            .unwrap_or_default(),
        );
        if let Some(f) = fate {
            return f;
        }
        if attempt <= settings.max_retries {
            // Exponential backoff with full jitter; the server's Retry-After wins (capped).
            let wait = match retry_after {
                Some(s) => Duration::from_secs(s.min(60)),
                None => jitter(delay),
            };
            std::thread::sleep(wait);
            delay = (delay * 2).min(Duration::from_secs(30));
        }
    }
    BatchFate::Transient
}

/// A link to where the key was found: a GitHub-style blob URL when the repository is an
/// https URL and the commit is known, else `repository:path:line`.
fn location_url(l: &Location) -> String {
    let repo = l.repository.trim_end_matches(".git");
    match (&l.commit, repo.starts_with("https://")) {
        (Some(c), true) => format!("{repo}/blob/{c}/{}#L{}", l.path, l.line),
        _ => format!("{}:{}:{}", l.repository, l.path, l.line),
    }
}

/// A random duration in [d/2, d].
fn jitter(d: Duration) -> Duration {
    let mut b = [0u8; 2];
    let _ = getrandom::fill(&mut b);
    let frac = u16::from_le_bytes(b) as f64 / u16::MAX as f64;
    d.mul_f64(0.5 + frac / 2.0)
}

/// Reads the spool (one report per line; unreadable lines are kept aside, not dropped).
pub fn read_spool(origin: &Origin) -> std::io::Result<(Vec<LeakReport>, Vec<String>)> {
    let text = match std::fs::read_to_string(origin.spool_path()) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(e),
    };
    let mut reports = Vec::new();
    let mut bad = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<LeakReport>(line) {
            Ok(r) => {
                if seen.insert(r.id.clone()) {
                    reports.push(r);
                }
            }
            Err(_) => bad.push(line.to_string()),
        }
    }
    Ok((reports, bad))
}

/// Resends the spool; what is delivered is removed, the rest stays. Returns the deliveries.
pub fn retry_pending(
    settings: &Settings,
    origin: &Origin,
) -> std::io::Result<Vec<(LeakReport, Delivery)>> {
    let (reports, bad) = read_spool(origin)?;
    if reports.is_empty() {
        return Ok(Vec::new());
    }
    // Take the spool aside first: `deliver` re-appends what still fails.
    let spool = origin.spool_path();
    let aside = spool.with_extension("jsonl.sending");
    std::fs::rename(&spool, &aside)?;
    if !bad.is_empty() {
        append_private(&spool, &bad)?;
    }
    let fates = deliver(settings, origin, &reports);
    std::fs::remove_file(&aside)?;
    Ok(reports.into_iter().zip(fates).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(check_url("https://revoke.example.com/v1").is_ok());
        assert!(check_url("http://127.0.0.1:8787/v1/revocations").is_ok());
        assert!(check_url("http://localhost/x").is_ok());
        assert!(check_url("http://[::1]:9/x").is_ok());
        assert!(check_url("http://revoke.example.com/v1").is_err());
        assert!(check_url("http://127.0.0.1.evil.com/v1").is_err());
        assert!(check_url("ftp://x").is_err());
    }

    #[test]
    fn credentials_are_stripped() {
        assert_eq!(
            strip_credentials(&format!("https://user:{}@github.com/acme/app.git", "tok")),
            "https://github.com/acme/app.git"
        );
        assert_eq!(
            strip_credentials("https://github.com/acme/app"),
            "https://github.com/acme/app"
        );
        assert_eq!(
            strip_credentials("git@github.com:acme/app.git"),
            "git@github.com:acme/app.git"
        );
    }

    #[test]
    fn prefixes_and_ids() {
        assert_eq!(token_prefix("acme_live_abcdefghijkl"), "acme_live_");
        assert_eq!(token_prefix("ghp_abcdefghijkl"), "ghp_");
        assert_eq!(token_prefix("AKIAABCDEFGHIJKL"), "AKIA");
        let r = |id: &str| LeakReport {
            id: id.into(),
            rule: "r".into(),
            token_sha256: "0".repeat(64),
            token_prefix: "x".into(),
            location: Location {
                repository: String::new(),
                commit: None,
                path: "p".into(),
                line: 1,
            },
            source: "local".into(),
            detected_at: String::new(),
            token: None,
        };
        assert_eq!(message_id(&[r("abc")]), "msg_abc");
        let two = message_id(&[r("a"), r("b")]);
        assert_eq!(two, message_id(&[r("a"), r("b")]));
        assert_ne!(two, message_id(&[r("a"), r("c")]));
    }
}
