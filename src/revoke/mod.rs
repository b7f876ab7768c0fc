//! The revocation webhook client: confirmed leaks go to the issuer, signed, retried, and never
//! lost — what cannot be delivered is spooled for `keyhound revoke --retry-pending`.
//!
//! Policy: only findings confirmed by a checksum are sent (a placeholder must never revoke a
//! real key); the raw key only with `include_token = true`; HTTPS with certificate checks
//! (plain `http://` only to loopback, checked on the host the client connects to; no
//! credentials in the URL; no redirects). Every attempt goes to an audit log (JSONL) without
//! the key.

pub mod partner;
/// The revocation message and its signature, shared with the receiver (`keyhound-keys`).
pub use keyhound_keys::webhook;

use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
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
    #[serde(default)]
    pub format: RevocationFormat,
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

/// How revocation reports are signed and shaped: `[revocation] format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RevocationFormat {
    /// keyhound's `keyhound.leak.v1` message, signed with Standard Webhooks HMAC.
    #[default]
    StandardWebhooks,
    /// GitHub's secret scanning partner format, signed with a P-256 key (the token is sent).
    GithubPartner,
}

impl RevocationFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            RevocationFormat::StandardWebhooks => "standard-webhooks",
            RevocationFormat::GithubPartner => "github-partner",
        }
    }
}

fn default_secret_env() -> String {
    "KEYHOUND_WEBHOOK_SECRET".into()
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
            format: RevocationFormat::default(),
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

/// Why revocations cannot be sent: the settings (URL, format, secret, signing key) or the
/// spool. No variant holds a secret or a URL (a URL may carry a password).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no revocation URL: set [revocation] url in .keyhound.toml or --revoke-url")]
    NoUrl,
    #[error(
        "no revocation URL: set [revocation] url in .keyhound.toml or pass --revoke-url (the \
         spooled reports were written by a keyhound that did not record where they were going)"
    )]
    NoUrlRecorded,
    #[error("the revocation URL is not a valid URL: {0}")]
    InvalidUrl(url::ParseError),
    #[error(
        "the revocation URL must not hold credentials (`user:password@`): the webhook is \
         authenticated by its signing secret, and the URL is shown in messages and kept in the \
         spool"
    )]
    UrlCredentials,
    #[error("refusing plain http:// to {0}: use https:// (http is allowed only to loopback)")]
    PlainHttp(String),
    #[error("the revocation URL must start with https://")]
    NotHttps,
    #[error("the revocation URL cannot be used by the HTTP client")]
    UnusableUrl,
    #[error("the revocation URL is ambiguous: the HTTP client would read another host in it")]
    AmbiguousUrl,
    #[error(
        "[revocation] format \"github-partner\" needs key_file (see `keyhound webhook keygen`)"
    )]
    NoKeyFile,
    #[error(
        "[revocation] secret_env is not a valid environment variable name: it must name the \
         variable that holds the signing secret (letters, digits and `_`, such as \
         KEYHOUND_WEBHOOK_SECRET), never hold the secret"
    )]
    SecretEnvName,
    /// The variable's name when it is one people write (never one that may be a secret).
    #[error("{}", match .0 {
        Some(name) => format!("{name} is not set: the revocation webhook needs its signing secret there"),
        None => "the environment variable [revocation] secret_env names is not set: the \
                 revocation webhook needs its signing secret there".to_string(),
    })]
    SecretNotSet(Option<String>),
    #[error(transparent)]
    SigningKey(#[from] partner::KeyError),
    /// (The I/O error is in the message, not chained: said once however it is shown.)
    #[error("cannot resend {}: {error}", path.display())]
    Spool {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl Settings {
    /// Settings from the configuration, `url_override` (`--revoke-url`) winning over its URL.
    /// The secret is read from the named environment variable.
    pub fn new(cfg: &RevocationConfig, url_override: Option<&str>) -> Result<Settings, Error> {
        let url = url_override
            .map(str::to_string)
            .or_else(|| cfg.url.clone())
            .ok_or(Error::NoUrl)?;
        // From here on, the URL is the parsed one: the client connects where it was checked.
        let url = check_url(&url)?.to_string();
        let (timeout, max_retries) = (Duration::from_secs(cfg.timeout.max(1)), cfg.max_retries);
        match cfg.format {
            RevocationFormat::StandardWebhooks => {}
            RevocationFormat::GithubPartner => {
                let path = cfg.key_file.as_ref().ok_or(Error::NoKeyFile)?;
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
        }
        if !is_env_var_name(&cfg.secret_env) {
            // Never echoed: a value that is no variable name may be the secret itself.
            return Err(Error::SecretEnvName);
        }
        let secret = std::env::var(&cfg.secret_env)
            .ok()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::SecretNotSet(
                    is_conventional_env_name(&cfg.secret_env).then(|| cfg.secret_env.clone()),
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

/// Whether `name` can be an environment variable's name (letters, digits and `_`, not
/// starting with a digit) and does not look like a signing secret (`whsec_…`).
pub fn is_env_var_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && name.len() <= 128
        && !name.starts_with("whsec_")
}

/// A name as people write them (`KEYHOUND_WEBHOOK_SECRET`): safe to show in an error.
fn is_conventional_env_name(name: &str) -> bool {
    is_env_var_name(name)
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether the URL's host is loopback: `localhost`, 127.0.0.0/8, `::1` or `::ffff:127.x`.
fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => {
            a.is_loopback() || a.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

/// Checks a revocation URL and returns it parsed (normalised: `http://2130706433/` is
/// `http://127.0.0.1/`), which is what the client must use. HTTPS anywhere; plain HTTP only
/// to loopback, judged on the host the URL really names (the parser's, as the client's);
/// never credentials (`user:password@`). Errors never quote the URL: it may hold a password.
pub fn check_url(raw: &str) -> Result<url::Url, Error> {
    let mut url = url::Url::parse(raw.trim()).map_err(Error::InvalidUrl)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::UrlCredentials);
    }
    url.set_fragment(None);
    let host = url.host_str().unwrap_or_default().to_string();
    match url.scheme() {
        "https" if !host.is_empty() => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(Error::PlainHttp(host)),
        _ => return Err(Error::NotHttps),
    }
    // The HTTP client parses the URL again: it must read the same host and port.
    let uri: ureq::http::Uri = url.as_str().parse().map_err(|_| Error::UnusableUrl)?;
    let same_host = uri
        .host()
        .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
        .is_some_and(|h| {
            h.eq_ignore_ascii_case(host.trim_start_matches('[').trim_end_matches(']'))
        });
    let port = uri.port_u16().or(match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    });
    if !same_host || port != url.port_or_known_default() {
        return Err(Error::AmbiguousUrl);
    }
    Ok(url)
}

pub use keyhound_keys::webhook::{message_id, strip_credentials};

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
    /// For a command at `place`: the repository's `origin` remote and its git directory
    /// (outside a repository, `.keyhound` in the place's root).
    pub fn of(place: &crate::source::git::Place) -> Origin {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
            || std::env::var_os("GITHUB_ACTIONS").is_some();
        let source = if ci { "ci" } else { "local" }.to_string();
        match place.repo() {
            Some(repo) => Origin {
                repository: repo
                    .find_remote("origin")
                    .ok()
                    .and_then(|r| r.url().ok().map(strip_credentials))
                    .unwrap_or_default(),
                source,
                state_dir: repo.path().join("keyhound"),
            },
            None => Origin {
                repository: String::new(),
                source,
                state_dir: place
                    .root
                    .canonicalize()
                    .unwrap_or_else(|_| place.root.clone())
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
        detected_at: crate::util::rfc3339(crate::util::now()),
        token: include_token.then(|| f.secret.expose().to_string()),
    }
}

/// What became of one report.
pub use crate::finding::Revocation;

/// One attempt, for the audit log (no key material).
#[derive(Debug, Serialize)]
struct AttemptLog<'a> {
    time: String,
    id: &'a str,
    host: &'a str,
    status: String,
    attempt: u32,
}

/// `host[:port]` of a URL (never its userinfo), for the audit log and messages.
fn host_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => String::new(),
        },
        Err(_) => String::new(),
    }
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

/// Whether the webhook URL is `https` (else it is loopback `http`, see [`check_url`]).
fn uses_tls(url: &str) -> bool {
    url.get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
}

/// Sends batches of ≤ 100 reports, retrying transient failures; returns each report's
/// fate in order. Undelivered reports are kept in the spool with the URL they were for;
/// delivered ones leave it (a report spooled by an earlier run and delivered now is done).
pub fn deliver(settings: &Settings, origin: &Origin, reports: &[LeakReport]) -> Vec<Revocation> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(settings.timeout))
        .http_status_as_error(false)
        // A redirect would send the report somewhere `check_url` never saw.
        .max_redirects(0)
        // Plain HTTP is allowed to loopback only: a proxy from the environment would
        // carry it, unencrypted, off the machine. HTTPS may use one (`HTTPS_PROXY`): the
        // proxy tunnels TLS it cannot read.
        .proxy(if uses_tls(&settings.url) {
            ureq::Proxy::try_from_env()
        } else {
            None
        })
        .user_agent(concat!("keyhound/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut out = Vec::with_capacity(reports.len());
    let mut audit = Vec::new();
    let mut spool = Vec::new();
    let mut delivered = HashSet::new();
    for chunk in reports.chunks(webhook::MAX_BATCH) {
        let fate = send_batch(&agent, settings, chunk, &mut audit);
        match fate {
            BatchFate::Answered(result) => {
                for r in chunk {
                    match result.results.iter().find(|x| x.id == r.id) {
                        Some(x) => {
                            delivered.insert(r.id.clone());
                            out.push(Revocation::Answered(x.outcome.clone()));
                        }
                        // Not in the answer: nothing settled (an entry already spooled
                        // for it stays).
                        None => out.push(Revocation::Answered("unanswered".into())),
                    }
                }
            }
            BatchFate::Replayed => {
                delivered.extend(chunk.iter().map(|r| r.id.clone()));
                out.extend(
                    chunk
                        .iter()
                        .map(|_| Revocation::Answered("already-reported".into())),
                );
            }
            BatchFate::Transient => {
                spool.extend(chunk.iter().map(|r| SpoolEntry::new(r, &settings.url)));
                out.extend(chunk.iter().map(|_| Revocation::Spooled));
            }
            BatchFate::Final(why) => {
                spool.extend(chunk.iter().map(|r| SpoolEntry::new(r, &settings.url)));
                out.extend(chunk.iter().map(|_| Revocation::Failed(why.clone())));
            }
        }
    }
    if let Err(e) = append_private(&origin.audit_path(), &audit) {
        eprintln!(
            "warning: cannot write the revocation audit log {}: {e}",
            origin.audit_path().display()
        );
    }
    if let Err(e) = update_spool(origin, &settings.url, &delivered, spool) {
        eprintln!(
            "warning: cannot write the revocation spool {}: {e}",
            origin.spool_path().display()
        );
    }
    out
}

/// One line of the spool: a report and the URL it was for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpoolEntry {
    #[serde(flatten)]
    pub report: LeakReport,
    /// The webhook URL (checked, so without credentials); absent in spools written before
    /// keyhound recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl SpoolEntry {
    fn new(report: &LeakReport, url: &str) -> SpoolEntry {
        SpoolEntry {
            report: report.clone(),
            url: Some(url.to_string()),
        }
    }

    /// Whether a delivery to `url` of a report with this id settles this entry.
    fn settled_by(&self, url: &str, delivered: &HashSet<String>) -> bool {
        delivered.contains(&self.report.id) && self.url.as_deref().is_none_or(|u| u == url)
    }
}

/// Updates the spool: entries settled by `delivered` (ids delivered to `url`) go, `add`
/// joins (unless already there). Unreadable lines are kept. With nothing to remove the new
/// lines are appended (as a concurrent scan would); otherwise the spool is written to a
/// temporary file (mode 0600) and renamed over, so a crash leaves the old or the new one.
fn update_spool(
    origin: &Origin,
    url: &str,
    delivered: &HashSet<String>,
    add: Vec<SpoolEntry>,
) -> std::io::Result<()> {
    let path = origin.spool_path();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let mut removed = false;
    let mut lines = Vec::new();
    let mut present = HashSet::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<SpoolEntry>(line) {
            Ok(e) if e.settled_by(url, delivered) => removed = true,
            Ok(e) => {
                present.insert((e.report.id.clone(), e.url.clone()));
                lines.push(line.to_string());
            }
            Err(_) => lines.push(line.to_string()),
        }
    }
    let mut added = Vec::new();
    for e in add {
        if present.insert((e.report.id.clone(), e.url.clone())) {
            added.push(serde_json::to_string(&e).unwrap_or_default());
        }
    }
    if !removed {
        return if added.is_empty() {
            Ok(())
        } else {
            append_private(&path, &added)
        };
    }
    lines.extend(added);
    let tmp = path.with_extension("jsonl.tmp");
    let _ = std::fs::remove_file(&tmp);
    append_private(&tmp, &lines)?;
    std::fs::rename(&tmp, &path)
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
    let host = host.as_str();
    let mut delay = settings.backoff;
    for attempt in 1..=settings.max_retries + 1 {
        let ts = crate::util::now();
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
                time: crate::util::rfc3339(ts),
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
        let attempts = settings.max_retries + 1;
        let what = match audit_status(audit) {
            Some(s) if s.starts_with("error: ") => s["error: ".len()..].to_string(),
            Some(s) => format!("HTTP {s}"),
            None => "no answer".into(),
        };
        if attempt <= settings.max_retries {
            // Exponential backoff with full jitter; the server's Retry-After wins (capped).
            let wait = match retry_after {
                Some(s) => Duration::from_secs(s.min(60)),
                None => jitter(delay),
            };
            // Said, so a dead receiver is not a silent wait. The host only: never the path,
            // the secret or a report.
            eprintln!(
                "revocation webhook {host}: {}; retrying in {:.1} s (attempt {} of {attempts})",
                crate::term::escape_controls(&what),
                wait.as_secs_f64(),
                attempt + 1
            );
            std::thread::sleep(wait);
            delay = (delay * 2).min(Duration::from_secs(30));
        } else {
            eprintln!(
                "revocation webhook {host}: {}; giving up after {attempts} attempt{}",
                crate::term::escape_controls(&what),
                if attempts == 1 { "" } else { "s" }
            );
        }
    }
    BatchFate::Transient
}

/// The status of the last attempt in the audit log (`503`, `error: …`).
fn audit_status(audit: &[String]) -> Option<String> {
    let last: serde_json::Value = serde_json::from_str(audit.last()?).ok()?;
    last["status"].as_str().map(str::to_string)
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
/// A report spooled twice for the same URL is read once.
pub fn read_spool(origin: &Origin) -> std::io::Result<(Vec<SpoolEntry>, Vec<String>)> {
    let text = match std::fs::read_to_string(origin.spool_path()) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(e),
    };
    let mut entries = Vec::new();
    let mut bad = Vec::new();
    let mut seen = HashSet::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<SpoolEntry>(line) {
            Ok(e) => {
                if seen.insert((e.report.id.clone(), e.url.clone())) {
                    entries.push(e);
                }
            }
            Err(_) => bad.push(line.to_string()),
        }
    }
    Ok((entries, bad))
}

/// Resends the spool: each report to `url_override`, else `[revocation] url`, else the URL
/// it was spooled for. What is delivered is removed, the rest stays. Returns the deliveries
/// (a report with no URL anywhere is kept, and failed, when others could be sent).
pub fn retry_pending(
    cfg: &RevocationConfig,
    url_override: Option<&str>,
    origin: &Origin,
) -> Result<Vec<(LeakReport, Revocation)>, Error> {
    let spool = origin.spool_path();
    let cannot = |error: std::io::Error| Error::Spool {
        path: spool.clone(),
        error,
    };
    let (entries, bad) = read_spool(origin).map_err(cannot)?;
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let fixed = url_override.map(str::to_string).or_else(|| cfg.url.clone());
    // Grouped by URL, in the order first seen.
    let mut groups: Vec<(Option<String>, Vec<LeakReport>)> = Vec::new();
    for e in entries {
        let url = fixed.clone().or(e.url);
        match groups.iter_mut().find(|(u, _)| *u == url) {
            Some((_, g)) => g.push(e.report),
            None => groups.push((url, vec![e.report])),
        }
    }
    if groups.iter().all(|(u, _)| u.is_none()) {
        return Err(Error::NoUrlRecorded);
    }
    // Every setting is checked (secret, URL) before the spool is touched.
    let mut plan = Vec::new();
    let mut unsendable = Vec::new();
    for (url, reports) in groups {
        match url {
            Some(u) => plan.push((Settings::new(cfg, Some(&u))?, reports)),
            None => unsendable.extend(reports),
        }
    }
    // Take the spool aside first: `deliver` puts back what still fails.
    let aside = spool.with_extension("jsonl.sending");
    std::fs::rename(&spool, &aside).map_err(cannot)?;
    let mut keep = bad;
    keep.extend(unsendable.iter().map(|r| {
        serde_json::to_string(&SpoolEntry {
            report: r.clone(),
            url: None,
        })
        .unwrap_or_default()
    }));
    if !keep.is_empty() {
        append_private(&spool, &keep).map_err(cannot)?;
    }
    let mut results = Vec::new();
    for (settings, reports) in plan {
        let fates = deliver(&settings, origin, &reports);
        results.extend(reports.into_iter().zip(fates));
    }
    results.extend(unsendable.into_iter().map(|r| {
        (
            r,
            Revocation::Failed("no URL recorded for it: pass --revoke-url".into()),
        )
    }));
    std::fs::remove_file(&aside).map_err(cannot)?;
    Ok(results)
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

    /// Each URL is judged on the host the client connects to, and the URL the client gets
    /// is the one that was judged.
    #[test]
    fn the_loopback_rule_holds_for_the_host_the_client_uses() {
        let refused = |u: &str, why: &str| {
            let e = check_url(u).expect_err(u).to_string();
            assert!(e.contains(why), "{u}: {e}");
        };
        // The query (or fragment) after `?`, not a userinfo: the host is 0.0.0.0.
        refused(
            "http://0.0.0.0:8787?@127.0.0.1/v1/revocations",
            "to 0.0.0.0",
        );
        refused(
            "http://0.0.0.0:8787#@127.0.0.1/v1/revocations",
            "to 0.0.0.0",
        );
        refused("http://0.0.0.0/?@localhost/", "to 0.0.0.0");
        refused("http://127.0.0.1.evil.com/v1", "to 127.0.0.1.evil.com");
        refused("http://localhost.evil.com/v1", "to localhost.evil.com");
        refused("http://evil.localhost/v1", "to evil.localhost");
        refused("http://[::]:8787/v1", "to [::]");
        refused("http://0/v1", "to 0.0.0.0");
        refused("http://3232235521/v1", "to 192.168.0.1");
        refused("http://[::ffff:10.0.0.1]/v1", "to [::ffff:a00:1]");
        // Credentials, wherever they sit, and never echoed.
        let pw = format!("{}{}", "hunter", "2");
        for u in [
            format!("http://user:{pw}@127.0.0.1/v1"),
            format!("https://user:{pw}@keys.example.com/v1"),
            format!("https://{pw}@keys.example.com/v1"),
            "http://127.0.0.1:80@evil.com/v1".to_string(),
        ] {
            let e = check_url(&u).expect_err(&u).to_string();
            assert!(
                e.contains("credentials") && !e.contains(&pw) && !e.contains("evil"),
                "{e}"
            );
        }
        refused("file:///etc/passwd", "https://");
        refused("javascript:alert(1)", "https://");
        refused("not a url", "not a valid URL");
        // Loopback however it is written; the client gets the normalised form.
        let ok = |u: &str, normal: &str| assert_eq!(check_url(u).expect(u).as_str(), normal);
        ok("http://2130706433:8787/v1", "http://127.0.0.1:8787/v1");
        ok("http://0x7f000001/v1", "http://127.0.0.1/v1");
        ok("http://127.1/v1", "http://127.0.0.1/v1");
        ok("http://LOCALHOST:9/v1", "http://localhost:9/v1");
        ok(
            "http://[::ffff:127.0.0.1]:9/v1",
            "http://[::ffff:7f00:1]:9/v1",
        );
        ok("http://[::1]:9/v1#frag", "http://[::1]:9/v1");
        // A backslash is a slash to the parser: the `@` is in the path, the host loopback.
        ok(
            "http://127.0.0.1\\@evil.com/v1",
            "http://127.0.0.1/@evil.com/v1",
        );
        ok(
            "https://keys.example.com/v1?a=1",
            "https://keys.example.com/v1?a=1",
        );
    }

    #[test]
    fn credentials_are_stripped() {
        let pw = format!("{}{}", "hunter", "2");
        let cases = [
            (
                format!("https://user:{pw}@github.com/acme/app.git"),
                "https://github.com/acme/app.git",
            ),
            (
                format!("https://{pw}@github.com/acme/app"),
                "https://github.com/acme/app",
            ),
            (
                "https://github.com/acme/app".into(),
                "https://github.com/acme/app",
            ),
            (
                format!("ssh://git:{pw}@github.com:22/acme/app"),
                "ssh://github.com:22/acme/app",
            ),
            (
                "ssh://git@github.com/acme/app.git".into(),
                "ssh://github.com/acme/app.git",
            ),
            // scp-like, with and without a password (which may hold `@`, `:` or `/`).
            (
                format!("bot:{pw}@git.example.com:acme/app.git"),
                "git.example.com:acme/app.git",
            ),
            (
                "git@github.com:acme/app.git".into(),
                "github.com:acme/app.git",
            ),
            (
                format!("bot:{pw}/x@git.example.com:acme/app.git"),
                "git.example.com:acme/app.git",
            ),
            (
                format!("bot:{pw}@:x@git.example.com:acme/app.git"),
                "git.example.com:acme/app.git",
            ),
            ("git@host:org/repo@v2.git".into(), "host:org/repo@v2.git"),
            (
                format!("bot:{pw}@git.example.com/acme/app.git"),
                "git.example.com/acme/app.git",
            ),
            ("github.com:acme/app.git".into(), "github.com:acme/app.git"),
            // Local paths are left alone.
            ("/srv/git/app.git".into(), "/srv/git/app.git"),
            ("../app".into(), "../app"),
            ("file:///srv/git/app.git".into(), "file:///srv/git/app.git"),
        ];
        for (remote, want) in &cases {
            let got = strip_credentials(remote);
            assert_eq!(&got, want, "{remote}");
            assert!(!got.contains(&pw));
        }
        // Unparseable (a `/` in the password): stripped through the last `@`.
        let broken = format!("https://bot:{pw}/x@git.example.com/acme/app");
        assert_eq!(
            strip_credentials(&broken),
            "https://git.example.com/acme/app"
        );
    }

    #[test]
    fn hosts_never_carry_userinfo() {
        assert_eq!(host_of("http://127.0.0.1:8787/v1"), "127.0.0.1:8787");
        assert_eq!(host_of("https://keys.example.com/v1"), "keys.example.com");
        assert_eq!(host_of("http://[::1]:9/v1"), "[::1]:9");
        assert_eq!(
            host_of("https://u:p@keys.example.com/v1"),
            "keys.example.com"
        );
        assert_eq!(host_of("nonsense"), "");
    }

    #[test]
    fn secret_env_must_be_a_variable_name() {
        assert!(is_env_var_name("KEYHOUND_WEBHOOK_SECRET"));
        assert!(is_env_var_name("_x1"));
        assert!(is_conventional_env_name("MY_SECRET_2"));
        assert!(!is_conventional_env_name("mixedCaseValue9"));
        for bad in ["", "1ABC", "A-B", "A B", "sec=ret", "abc/def+=="] {
            assert!(!is_env_var_name(bad), "{bad}");
        }
        let looks_like_a_secret = format!("{}{}", "whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assert!(!is_env_var_name(&looks_like_a_secret));
        assert!(!is_env_var_name(&"A".repeat(129)));
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
