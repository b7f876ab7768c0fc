//! Command-line interface (clap derive). The doc comments are the `--help` text.

use clap::{Args, Parser, Subcommand};
use keyhound::report::Format;
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit codes:
  0  no findings
  1  findings were reported
  2  error (bad arguments, bad configuration, nothing readable at a named path)

Examples:
  keyhound scan                      scan the current directory
  keyhound scan src config --format json --output findings.json
  keyhound scan --format sarif --output keyhound.sarif
  keyhound scan --staged             what the next commit adds (the pre-commit hook)
  keyhound scan --git                every commit reachable from HEAD
  keyhound scan --git main..feature  only the commits on feature that main lacks
  keyhound scan --git --all          every branch, tag and remote ref
  keyhound scan --fail-on live-in-test   fail only on live keys in tests and fixtures
  keyhound baseline create --git     record existing findings, then:
  keyhound scan --git --baseline .keyhound-baseline.json   report only new ones
  git log -p | keyhound scan -       scan standard input
  keyhound rules list                list the built-in rules
  keyhound key new --prefix acme     issue a key that scans recognise and confirm offline";

/// keyhound: find hardcoded credentials before they leak.
#[derive(Debug, Parser)]
#[command(name = "keyhound", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories (or standard input with `-`) for secrets.
    #[command(after_help = AFTER_HELP)]
    Scan(ScanArgs),
    /// List the rules or test a rule file's examples.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Install or remove the git hook that runs `keyhound scan --staged` before each commit.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Issue keys in keyhound's recognisable, self-checking format; check, store, rotate,
    /// revoke and verify them.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Resend revocation reports that could not be delivered (the spool in .git/keyhound).
    Revoke(RevokeArgs),
    /// Check the configuration and print what is in effect.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Revocation webhook utilities.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Record the findings a repository already has, so scans report only new ones.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Translate another scanner's configuration into `.keyhound.toml`.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Run the receiving end of the revocation webhook over a key store.
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
}

const SERVE_HELP: &str = "\
The signing secret comes from KEYHOUND_WEBHOOK_SECRET (a Standard Webhooks `whsec_…` secret,
or any string of at least 16 bytes); `keyhound webhook secret` makes one (32 random bytes).
The scanning side signs with the same secret. POST /v1/revocations takes signed
`keyhound.leak.v1` messages and revokes each reported key found by its SHA-256 digest;
GET /healthz answers `ok`. Bodies over 1 MiB get 413. Logs are JSON lines on standard error
(warnings too: a short secret, a listen address that is not loopback). SIGTERM or Ctrl-C
stops it after the requests in flight.

Slow clients: a connection that does not send a request's headers within --header-timeout
(which is also the idle keep-alive timeout) is closed; a body not received within
--body-timeout gets 408 and the connection is closed; at most --max-connections are served
at once.

Example:
  export KEYHOUND_WEBHOOK_SECRET=\"$(keyhound webhook secret)\"
  keyhound serve --db keys.sqlite --listen localhost:8787";

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate `.keyhound.toml` (exit 2 with the problem, and the nearest valid key for a
    /// typo) and print the effective configuration.
    Check {
        /// Configuration file (default: `.keyhound.toml` at the repository root of PATH).
        #[arg(short, long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Where to look for `.keyhound.toml` (default: the current directory).
        #[arg(value_name = "PATH")]
        path: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Print a new Standard Webhooks signing secret: `whsec_` and the base64 of 32 random
    /// bytes from the operating system. Give the same secret to `keyhound serve` and to the
    /// scans that send revocations (KEYHOUND_WEBHOOK_SECRET, or the variable `[revocation]
    /// secret_env` names).
    #[command(after_help = WEBHOOK_SECRET_HELP)]
    Secret,
    /// Generate the P-256 key pair for the `github-partner` format: writes the private key
    /// (PKCS#8 PEM, mode 0600) and prints the public key and its identifier to publish.
    Keygen {
        /// Where to write the private key.
        #[arg(long, value_name = "FILE", default_value = "keyhound-webhook.pem")]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
}

const WEBHOOK_SECRET_HELP: &str = "\
Only the secret is printed (standard output), so it can go straight into a variable or a
secret store; it is not written anywhere.

Example:
  export KEYHOUND_WEBHOOK_SECRET=\"$(keyhound webhook secret)\"";

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// Resend the spooled reports; delivered ones are removed from the spool.
    #[arg(long, required = true)]
    pub retry_pending: bool,
    /// A path inside the repository whose spool to resend (default: the current directory).
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// The webhook URL (default: `[revocation] url`, else the URL each report was first
    /// sent to, recorded in the spool).
    #[arg(long, value_name = "URL")]
    pub revoke_url: Option<String>,
    /// Configuration file (default: `.keyhound.toml` at the repository root, if any).
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The key store (SQLite), as written by `keyhound key new --db`.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// Address to listen on: `HOST:PORT`, the host an IP address or a name (`localhost:8787`).
    /// Put a TLS-terminating proxy in front for anything but loopback.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8787")]
    pub listen: String,
    /// Time a connection has to send a request's headers, counted from when it opens or its
    /// previous answer was sent (so it is also how long an idle keep-alive connection stays
    /// open): `10s`, `500ms`, `1m`.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_timeout)]
    pub header_timeout: std::time::Duration,
    /// Time a request has to send its whole body once its headers are in (408 after it).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_timeout)]
    pub body_timeout: std::time::Duration,
    /// Connections served at once; more wait unaccepted until one closes.
    #[arg(long, value_name = "N", default_value_t = 128,
          value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub max_connections: u32,
}

/// `--env live|test`: the environment of an issued key ([`keyhound::keys::Env`]).
fn env_parser() -> impl clap::builder::TypedValueParser<Value = keyhound::keys::Env> {
    use clap::builder::TypedValueParser as _;
    use keyhound::keys::Env;
    clap::builder::PossibleValuesParser::new([Env::Live.as_str(), Env::Test.as_str()]).map(|s| {
        if s == Env::Test.as_str() {
            Env::Test
        } else {
            Env::Live
        }
    })
}

/// Output of `keyhound key new`, `key list` and `rules list`: a table or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyFormat {
    Text,
    Json,
}

const KEY_NEW_HELP: &str = "\
Each key is `<prefix>_<env>_<30 random base62 characters><6-character CRC32>` (about 178 bits
from the operating system's random number generator). It is printed once: give it to its
owner and store only its SHA-256 digest; the key id (the digest's first 8 hex digits) names it
in logs. Without --db nothing is written to disk; with --db each key's digest and metadata
(never the key) go into that SQLite key store, created if needed.

Examples:
  keyhound key new --prefix acme
  keyhound key new --prefix acme --env test --count 5 --format json
  keyhound key new --prefix acme --db keys.sqlite --owner billing --expires 90d";

const KEY_CHECK_HELP: &str = "\
Exit codes: 0 the key is well formed and its checksum is valid; 1 it is not (the reason is
printed); 2 error. No network call and no database: the cheap first test before a lookup.

Examples:
  keyhound key check acme_live_…
  printf '%s' \"$KEY\" | keyhound key check -     (keeps the key out of shell history)";

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Issue new keys and print each with its SHA-256 digest and key id.
    #[command(after_help = KEY_NEW_HELP)]
    New {
        /// The issuer's prefix: 2–16 lowercase ASCII letters and digits (e.g. `acme`).
        #[arg(long)]
        prefix: String,
        /// The environment the key is for.
        #[arg(long, default_value = "live", value_parser = env_parser())]
        env: keyhound::keys::Env,
        /// How many keys to issue.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        count: u32,
        /// Output format.
        #[arg(long, value_enum, default_value_t = KeyFormat::Text)]
        format: KeyFormat,
        /// Record the keys (their digests, never the keys) in this SQLite key store.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// With --db: who the key belongs to.
        #[arg(long, requires = "db", default_value = "")]
        owner: String,
        /// With --db: a label (what the key is for).
        #[arg(long, requires = "db", default_value = "")]
        label: String,
        /// With --db: a scope the key grants (repeatable).
        #[arg(long = "scope", requires = "db", value_name = "SCOPE")]
        scopes: Vec<String>,
        /// With --db: lifetime (`90d`, `12h`, `30m`), from 1 second to 10 years (3650d);
        /// default: no expiry.
        #[arg(long, requires = "db", value_name = "DURATION", value_parser = parse_lifetime)]
        expires: Option<i64>,
    },
    /// List the keys in a store (key ids and metadata; never the keys). Opens the store
    /// read-only.
    List {
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// Only active keys older than --max-age: due for rotation.
        #[arg(long)]
        stale: bool,
        /// Rotation age for --stale.
        #[arg(long, value_name = "DURATION", default_value = "90d", value_parser = parse_duration)]
        max_age: i64,
        /// `text`: a table, control characters escaped; `json`: one JSON document,
        /// `{"keys": [{"key_id", "status", …}, …]}`.
        #[arg(long, value_enum, default_value_t = KeyFormat::Text)]
        format: KeyFormat,
    },
    /// Revoke a key by its key id (or a longer prefix of its digest).
    Revoke {
        #[arg(value_name = "KEYID")]
        key_id: String,
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// Why (recorded in the audit trail).
        #[arg(long, default_value = "revoked by operator")]
        reason: String,
    },
    /// Issue a key's replacement; the old key stays valid for the grace period.
    Rotate {
        #[arg(value_name = "KEYID")]
        key_id: String,
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// How long the old key keeps working (`7d`, `0` to stop it now; at most 10 years).
        #[arg(long, value_name = "DURATION", default_value = "7d", value_parser = parse_grace)]
        grace: i64,
        #[arg(long, value_enum, default_value_t = KeyFormat::Text)]
        format: KeyFormat,
    },
    /// Is this key good? Checksum first, then the store: valid, revoked, expired or unknown
    /// (exit 0 only for valid). Failures are counted in the audit trail, one row per key,
    /// verdict and hour; a store that cannot be written still answers (with a warning).
    Verify {
        /// The key, or `-` to read it from standard input.
        key: String,
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
    },
    /// Print the audit trail: issuance, rotation, revocation, failed verification (one
    /// line per key, verdict and hour, with a count). Opens the store read-only.
    Audit {
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// `text`: one line per entry, control characters escaped; `json`: one JSON
        /// document, `{"audit": [{"seq", "at", "event", "key_id", "detail", "count"}, …]}`,
        /// as `key list --format json` is `{"keys": […]}`.
        #[arg(long, value_enum, default_value_t = KeyFormat::Text)]
        format: KeyFormat,
    },
    /// Check a key's format and checksum offline.
    #[command(after_help = KEY_CHECK_HELP)]
    Check {
        /// The key, or `-` to read it from standard input.
        key: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Install the pre-commit hook (honours core.hooksPath). An existing hook that is not
    /// keyhound's is left alone unless --force.
    Install {
        /// Replace an existing hook that is not keyhound's (it is kept as
        /// `<hook>.keyhound-backup` and restored by `hook uninstall`).
        #[arg(long)]
        force: bool,
        /// Install the pre-push hook (scans the commits being pushed) instead.
        #[arg(long)]
        pre_push: bool,
        /// A path inside the repository (default: the current directory).
        #[arg(value_name = "PATH")]
        path: Option<PathBuf>,
    },
    /// Remove keyhound's hook; any other hook is left alone.
    Uninstall {
        /// Remove the pre-push hook instead.
        #[arg(long)]
        pre_push: bool,
        /// A path inside the repository (default: the current directory).
        #[arg(value_name = "PATH")]
        path: Option<PathBuf>,
    },
}

/// What to scan, and which findings count: shared by `scan` and the `baseline` commands.
#[derive(Debug, Clone, Args)]
pub struct Target {
    /// Files or directories to scan; `-` reads standard input. Default: the current directory.
    /// With --staged, --git or --pre-push: the repository, or a part of it (a subdirectory
    /// scans only the files under it, as for a monorepo slice).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Scan what the next commit will contain: the staged (index) version of each changed
    /// file, reporting only the lines the commit adds. This is what the pre-commit hook runs.
    #[arg(long, conflicts_with_all = ["git", "pre_push"])]
    pub staged: bool,

    /// Scan git history: every blob each commit introduces, once per object; a secret is
    /// reported at the commit that added it (so a range reports only what it adds, not older
    /// secrets in files it edits). RANGE is a revision range (`main..feature`) or a revision
    /// (its ancestry); default HEAD.
    #[arg(
        long,
        value_name = "RANGE",
        num_args = 0..=1,
        default_missing_value = "",
        conflicts_with = "pre_push"
    )]
    pub git: Option<String>,

    /// With --git: every ref (branches, tags, remotes), not just HEAD.
    #[arg(long, requires = "git")]
    pub all: bool,

    /// With --git: only commits after SHA (for CI: the last commit already scanned).
    #[arg(long, value_name = "SHA", requires = "git")]
    pub since_commit: Option<String>,

    /// Scan the commits a `git push` is about to send (reads the ref lines git gives a
    /// pre-push hook on standard input, or PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF).
    #[arg(long)]
    pub pre_push: bool,

    /// Configuration file (default: `.keyhound.toml` at the repository root, if any).
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Range scans (`--git BASE..HEAD`, `--since-commit`): where `.keyhound.toml` (or the
    /// --config file, when it is in the repository), `.keyhoundignore` and the --baseline
    /// file are read. `base` (the default for ranges): as they are at the base commit, so a
    /// pull request cannot silence its own findings by changing them; `head`: at the
    /// range's last commit; `worktree`: the files on disk (what other scans always use).
    /// Whatever is chosen, each line the range adds to those files, and each inline allow
    /// marker it adds, is reported as a `suppression-added` notice.
    #[arg(long, value_enum, value_name = "WHERE", requires = "git")]
    pub config_from: Option<ConfigFrom>,

    /// Do not honour inline allow markers (`keyhound:allow`, `gitleaks:allow`,
    /// `pragma: allowlist secret`): report what they hide (an audit of the markers).
    #[arg(long)]
    pub no_inline_allow: bool,

    /// Scan everything: ignore `.gitignore`, `.ignore` and `.keyhoundignore`.
    #[arg(long)]
    pub no_ignore: bool,

    /// Skip files larger than this (bytes, or with a unit: 500K, 10M, 1G, 10MiB).
    #[arg(long, value_name = "SIZE", default_value = "10MiB", value_parser = parse_size)]
    pub max_file_size: u64,

    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// Also report keyhound-format candidates whose checksum fails (normally dropped: they
    /// are not keys), as `checksum-failed`.
    #[arg(long)]
    pub include_invalid: bool,

    /// Also report test-environment keys in test code (`sk_test_…` in `tests/`), at `note`
    /// level. By default they are not reported: that is what test keys are for.
    #[arg(long)]
    pub include_test_keys: bool,

    /// The lowest confidence reported: `high` (a provider-specific format or a confirmed
    /// checksum), `medium` (a credential name with a value of the credential's shape; the
    /// default), `low` (also what test code, docs and examples hold, unless confirmed or
    /// marked live). Default: `[scan] confidence` in `.keyhound.toml`, else `medium`.
    #[arg(long, value_name = "LEVEL", value_parser = parse_confidence)]
    pub confidence: Option<keyhound::rules::Confidence>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub target: Target,

    /// Report only findings that are not in this baseline (`keyhound baseline create`).
    #[arg(short, long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Report format.
    #[arg(short, long, default_value = "text", value_parser = format_parser())]
    pub format: Format,

    /// SARIF: the category of this upload (`runAutomationDetails.id`), so several uploads —
    /// one per monorepo path, say — stay separate in code scanning. Default `keyhound`.
    #[arg(long, value_name = "NAME")]
    pub sarif_category: Option<String>,

    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write a report in another format, from the same scan (repeatable; FILE `-` is
    /// standard output): `--format github --report sarif=keyhound.sarif --report
    /// markdown=summary.md`.
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = parse_report)]
    pub reports: Vec<(Format, PathBuf)>,

    /// Show secrets in full instead of redacted (first 4 characters then `…`).
    #[arg(long)]
    pub show_secrets: bool,

    /// Never color the text report (NO_COLOR in the environment does the same).
    #[arg(long)]
    pub no_color: bool,

    /// Print nothing when there are no findings (text format), and no progress bar.
    #[arg(short, long)]
    pub quiet: bool,

    /// Which findings make the exit code 1: `any`; `confirmed` (checksum-confirmed only);
    /// `live-in-test` (live keys in test code only). All findings are reported regardless;
    /// `suppression-added` notices never fail a scan.
    #[arg(long, value_enum, value_name = "WHICH", default_value_t = FailOn::Any)]
    pub fail_on: FailOn,

    /// Send confirmed leaks (checksum-confirmed findings only) to the revocation webhook in
    /// `.keyhound.toml` `[revocation]`, signed with the secret from its `secret_env`.
    /// Not with --staged: an unpushed secret has not leaked.
    #[arg(long)]
    pub revoke: bool,

    /// The revocation webhook URL (implies --revoke; the secret comes from
    /// KEYHOUND_WEBHOOK_SECRET unless `[revocation] secret_env` names another variable).
    #[arg(long, value_name = "URL")]
    pub revoke_url: Option<String>,

    /// Print the revocation payloads on standard error instead of sending them.
    #[arg(long)]
    pub revoke_dry_run: bool,
}

const BASELINE_HELP: &str = "\
A baseline records the findings a repository already has — fingerprint, rule, path and (for
history scans) the commit that introduced each, never the secret, never a line number or a
time — one entry per line, sorted, so it merges cleanly. `keyhound scan --baseline FILE`
then reports only what is not in it: turn keyhound on today, hear only about new leaks.
A finding is in the baseline when its fingerprint and path are: moving a line keeps it
baselined; copying the secret to another file, or a new secret on a baselined line, is new.

To silence one finding without a baseline, paste its fingerprint (every report shows it) on
a line of `.keyhoundignore` at the repository root; `#` starts a comment.

Examples:
  keyhound baseline create                       # .keyhound-baseline.json from the tree
  keyhound baseline create --git -o .keyhound-baseline.json   # from all of history
  keyhound scan --git --baseline .keyhound-baseline.json
  keyhound baseline check                        # stale entries (exit 1 if any)
  keyhound baseline prune                        # remove them";

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Record the current findings (no secrets) in a baseline file.
    #[command(after_help = BASELINE_HELP)]
    Create {
        #[command(flatten)]
        target: Target,
        /// Where to write the baseline.
        #[arg(short, long, value_name = "FILE", default_value = DEFAULT_BASELINE)]
        output: PathBuf,
    },
    /// List baseline entries, and `.keyhoundignore` fingerprints, that no longer match any
    /// finding (exit 1 if there are any).
    #[command(after_help = BASELINE_HELP)]
    Check {
        #[command(flatten)]
        target: Target,
        /// The baseline file.
        #[arg(short, long, value_name = "FILE", default_value = DEFAULT_BASELINE)]
        baseline: PathBuf,
    },
    /// Remove the stale entries from a baseline file.
    #[command(after_help = BASELINE_HELP)]
    Prune {
        #[command(flatten)]
        target: Target,
        /// The baseline file.
        #[arg(short, long, value_name = "FILE", default_value = DEFAULT_BASELINE)]
        baseline: PathBuf,
    },
}

const IMPORT_HELP: &str = "\
Translated exactly: global allowlists (gitleaks `paths` are regexes: they become
`path_regexes`; `regexes`, `stopwords`, `commits`), custom rules (the `secretGroup` becomes
the `secret` group; a rule without keywords gets the literals its matches start with) and
their allowlists' regexes and stopwords. keyhound's built-in rules stay on beside the
translated ones (`--replace-defaults`: only with gitleaks' `[extend] useDefault = true`). Everything else is listed as
not translated, never approximated: an allowlist that silences more than the original would
hide leaks.

Each `.gitleaksignore` entry (`commit:file:rule:line` or `file:rule:line`) is looked up: the
file (at that commit, for history entries) is scanned and the fingerprints of keyhound's
findings on that line are appended to `.keyhoundignore`. Entries that match nothing are
listed.

Examples:
  keyhound import gitleaks                       # .gitleaks.toml and .gitleaksignore here
  keyhound import gitleaks ci/gitleaks.toml -o .keyhound.toml --force";

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Translate a gitleaks configuration (and `.gitleaksignore`) into `.keyhound.toml` (and
    /// fingerprints in `.keyhoundignore`).
    #[command(after_help = IMPORT_HELP)]
    Gitleaks {
        /// The gitleaks configuration (default: `.gitleaks.toml`, if there is one).
        #[arg(value_name = "GITLEAKS_TOML")]
        config: Option<PathBuf>,
        /// The gitleaks ignore file (default: `.gitleaksignore`, if there is one).
        #[arg(value_name = "GITLEAKSIGNORE")]
        ignore: Option<PathBuf>,
        /// Where to write the configuration.
        #[arg(short, long, value_name = "FILE", default_value = ".keyhound.toml")]
        output: PathBuf,
        /// Replace an existing output file.
        #[arg(long)]
        force: bool,
        /// Turn keyhound's built-in rules off unless the gitleaks configuration has
        /// `[extend] useDefault = true` (gitleaks' meaning of a custom configuration). By
        /// default they stay on, beside the translated rules.
        #[arg(long)]
        replace_defaults: bool,
    },
}

/// The baseline file's conventional name.
pub const DEFAULT_BASELINE: &str = keyhound::finding::baseline::DEFAULT_BASELINE;

/// Where a range scan reads its configuration, ignore file and baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConfigFrom {
    /// The range's base commit (what the pull request is merged into).
    Base,
    /// The range's last commit (what the pull request proposes).
    Head,
    /// The files on disk.
    Worktree,
}

/// Which findings fail the scan (exit code 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Every reported finding.
    Any,
    /// Findings confirmed by a checksum.
    Confirmed,
    /// Live keys in test code or fixtures.
    LiveInTest,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Print every rule in effect: id, confidence and name, and how many credential
    /// formats they describe (a rule is one format unless rules share a `format`; generic
    /// rules, which catch any provider's credential by its surroundings, are none).
    /// `--format json` adds keywords, tags, severity, references and revoke URL.
    List {
        /// Configuration file whose custom rules and disabled rules apply.
        #[arg(short, long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = KeyFormat::Text)]
        format: KeyFormat,
    },
    /// Check a rule file: it parses, its regexes compile, and its examples and negative
    /// examples behave.
    Test {
        /// A rule file (`[[rules]]` entries) or a `.keyhound.toml`.
        file: PathBuf,
    },
}

/// `--format`: the report formats, each with its description in `--help`.
fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser as _};
    PossibleValuesParser::new(
        Format::ALL.map(|f| PossibleValue::new(f.name()).help(f.description())),
    )
    .map(|name| Format::from_name(&name).unwrap_or(Format::Text))
}

/// `FORMAT=FILE` for `--report`.
fn parse_report(s: &str) -> Result<(Format, PathBuf), String> {
    let (format, file) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: expected FORMAT=FILE, e.g. sarif=keyhound.sarif"))?;
    let format = Format::from_name(format).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!("`{format}` is not a report format ({})", names.join(", "))
    })?;
    if file.is_empty() {
        return Err(format!("`{s}`: no file after `=`"));
    }
    Ok((format, PathBuf::from(file)))
}

/// `low`, `medium` or `high`; anything else names the choices.
fn parse_confidence(s: &str) -> Result<keyhound::rules::Confidence, String> {
    s.parse()
        .map_err(|e: keyhound::rules::UnknownConfidence| e.to_string())
}

fn parse_duration(s: &str) -> Result<i64, String> {
    keyhound_issuer::store::parse_duration(s).map_err(|e| e.to_string())
}

fn parse_lifetime(s: &str) -> Result<i64, String> {
    keyhound_issuer::store::parse_lifetime(s).map_err(|e| e.to_string())
}

fn parse_grace(s: &str) -> Result<i64, String> {
    let d = parse_duration(s)?;
    if d > keyhound_issuer::store::MAX_LIFETIME_SECS {
        return Err(format!("`{s}` is more than 10 years (3650d)"));
    }
    Ok(d)
}

/// A timeout: `500ms`, `10s`, `2m`; a bare number is seconds. Between 1 ms and 1 hour.
pub fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a timeout (try 10s, 500ms or 1m)"))?;
    let ms = match unit {
        "ms" => Some(n),
        "s" | "" => n.checked_mul(1000),
        "m" => n.checked_mul(60_000),
        other => return Err(format!("unknown timeout unit `{other}` (use ms, s or m)")),
    };
    match ms {
        Some(ms) if (1..=3_600_000).contains(&ms) => Ok(std::time::Duration::from_millis(ms)),
        _ => Err(format!("`{s}`: a timeout is between 1ms and 60m")),
    }
}

/// Parses a size such as `1048576`, `500K`, `10M`, `10MiB`, `1G`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size (try 10M or 1048576)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit `{other}` (use K, M or G)")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("`{s}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MiB").unwrap(), 10 << 20);
        assert_eq!(parse_size("500K").unwrap(), 500 << 10);
        assert_eq!(parse_size("42").unwrap(), 42);
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5X").is_err());
        assert!(parse_size("99999999999999G").is_err());
    }

    #[test]
    fn serve_defaults_are_the_receivers_defaults() {
        use clap::Parser;
        let cli = Cli::parse_from(["keyhound", "serve", "--db", "x.sqlite"]);
        let Command::Serve(args) = cli.command else {
            panic!("not serve")
        };
        let d = keyhound_issuer::serve::ServeLimits::default();
        assert_eq!(args.header_timeout, d.header_timeout);
        assert_eq!(args.body_timeout, d.body_timeout);
        assert_eq!(args.max_connections as usize, d.max_connections);
    }
}
