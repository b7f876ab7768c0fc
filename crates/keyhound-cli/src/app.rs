//! Runs a parsed command line; `main` maps the result to an exit code.

mod baseline;
mod import;
mod key;
mod progress;
mod scan;

use crate::cli::{Cli, Command, HookCommand, KeyFormat, RulesCommand};
use anyhow::{bail, Context, Result};
use keyhound::config::{self, Config};
use keyhound::detect::check::check_examples;
use keyhound::detect::Engine;
use keyhound::rules::parse_rule_file;
use keyhound::source::git::Place;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Exit code: nothing found.
pub const EXIT_CLEAN: i32 = 0;
/// Exit code: findings were reported.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: an error stopped the run.
pub const EXIT_ERROR: i32 = 2;

/// Runs the command and returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Scan(args) => scan::run_scan(args),
        Command::Baseline(cmd) => baseline::run(cmd),
        Command::Import(cmd) => import::run(cmd),
        Command::Rules(RulesCommand::List { config, format }) => {
            rules_list(config.as_deref(), format)
        }
        Command::Rules(RulesCommand::Test { file }) => rules_test(&file),
        Command::Hook(cmd) => run_hook(cmd),
        Command::Key(cmd) => key::run(cmd),
        Command::Serve(args) => run_serve(args),
        Command::Revoke(args) => run_revoke(args),
        Command::Config(crate::cli::ConfigCommand::Check { config, path }) => {
            config_check(config.as_deref(), path.as_deref().unwrap_or(Path::new(".")))
        }
        Command::Webhook(crate::cli::WebhookCommand::Keygen { out, force }) => {
            run_keygen(&out, force)
        }
        Command::Webhook(crate::cli::WebhookCommand::Secret) => run_webhook_secret(),
    }
}

fn config_check(explicit: Option<&Path>, path: &Path) -> Result<i32> {
    let cfg = load_config(explicit, &Place::find(path))?;
    let s = &cfg.summary;
    let list = |v: &[String]| {
        v.iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match &cfg.source {
        Some(f) => writeln!(out, "# {}: valid", f.display())?,
        None => writeln!(out, "# no .keyhound.toml found: built-in defaults")?,
    }
    writeln!(
        out,
        "rules = {}  # {} built-in, {} custom, {} disabled, {} issuer",
        cfg.rules.len(),
        s.builtin_rules,
        s.custom_rules.len(),
        s.disabled_rules.len(),
        s.issuers.len()
    )?;
    if !s.custom_rules.is_empty() {
        writeln!(out, "custom_rules = [{}]", list(&s.custom_rules))?;
    }
    if !s.disabled_rules.is_empty() {
        writeln!(out, "disabled_rules = [{}]", list(&s.disabled_rules))?;
    }
    for p in &s.issuers {
        writeln!(
            out,
            "\n[[issuer]]\nprefix = {p:?}  # rule keyhound.issuer.{p}"
        )?;
    }
    writeln!(out, "\n[allowlist]")?;
    writeln!(out, "paths = [{}]", list(&s.allow_paths))?;
    writeln!(out, "regexes = [{}]", list(&s.allow_regexes))?;
    writeln!(out, "stopwords = [{}]", list(&s.allow_stopwords))?;
    writeln!(out, "commits = [{}]", list(&s.allow_commits))?;
    if !s.allow_path_regexes.is_empty() {
        writeln!(out, "path_regexes = [{}]", list(&s.allow_path_regexes))?;
    }
    if let Some(scope) = &cfg.fingerprint_scope {
        writeln!(out, "\n[fingerprint]\nscope = {scope:?}")?;
    }
    writeln!(out, "\n[scan]")?;
    match cfg.min_confidence {
        Some(c) => writeln!(out, "confidence = \"{c}\"")?,
        None => writeln!(out, "confidence = \"medium\"  # the default")?,
    }
    writeln!(out, "\n[context]")?;
    writeln!(
        out,
        "test_paths = [{}]  # added to {} built-in conventions ({} for docs and examples)",
        list(&s.test_paths),
        keyhound::finding::context::DEFAULT_TEST_PATHS.len(),
        keyhound::finding::context::DEFAULT_DOC_PATHS.len()
    )?;
    if let Some(r) = &cfg.revocation {
        writeln!(out, "\n[revocation]")?;
        // The URL without userinfo (which `check_url` refuses: it would be a credential).
        let url = r.url.as_deref().map(keyhound::revoke::strip_credentials);
        writeln!(out, "url = {:?}", url.as_deref().unwrap_or(""))?;
        writeln!(out, "format = {:?}", r.format)?;
        if keyhound::revoke::is_env_var_name(&r.secret_env) {
            let secret_set = std::env::var_os(&r.secret_env).is_some_and(|v| !v.is_empty());
            writeln!(
                out,
                "secret_env = {:?}  # {}",
                r.secret_env,
                if secret_set {
                    "set"
                } else {
                    "NOT set in this environment"
                }
            )?;
        } else {
            // Never echoed: what is there may be the secret itself.
            writeln!(
                out,
                "# warning: secret_env is not a valid environment variable name (not shown: it \
                 may be the secret itself); it must name the variable that holds the secret"
            )?;
        }
        writeln!(out, "include_token = {}", r.include_token)?;
        writeln!(
            out,
            "timeout = {}\nmax_retries = {}",
            r.timeout, r.max_retries
        )?;
        if let Some(url) = &r.url {
            if let Err(e) = keyhound::revoke::check_url(url) {
                writeln!(out, "# warning: {e}")?;
            }
        }
    }
    out.flush()?;
    Ok(EXIT_CLEAN)
}

fn run_keygen(out: &Path, force: bool) -> Result<i32> {
    let pair = keyhound::revoke::partner::generate()?;
    if out.exists() && !force {
        bail!(
            "{} exists; pass --force to replace it (the old key stops working for the issuer)",
            out.display()
        );
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(out)
        .and_then(|mut f| f.write_all(pair.private_pem.as_bytes()))
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "private key written to {} (mode 0600; keep it secret)",
        out.display()
    );
    println!("key identifier: {}", pair.key_id);
    println!(
        "public key (publish this for the issuer):\n{}",
        pair.public_pem.trim_end()
    );
    println!(
        "\nIn .keyhound.toml:\n[revocation]\nurl = \"https://…\"\nformat = \"github-partner\"\nkey_file = \"{}\"",
        out.display()
    );
    Ok(EXIT_CLEAN)
}

/// `keyhound webhook secret`: a new Standard Webhooks secret on standard output.
fn run_webhook_secret() -> Result<i32> {
    let secret = keyhound::revoke::webhook::generate_secret()?;
    println!("{secret}");
    if std::io::stdout().is_terminal() {
        eprintln!(
            "Keep it secret: give it to `keyhound serve` and to the scans that send \
             revocations (KEYHOUND_WEBHOOK_SECRET)."
        );
    }
    Ok(EXIT_CLEAN)
}

fn run_serve(args: crate::cli::ServeArgs) -> Result<i32> {
    use keyhound_issuer::serve::{self, ServeLimits};
    let secret = std::env::var("KEYHOUND_WEBHOOK_SECRET")
        .ok()
        .filter(|s| !s.is_empty())
        .context("KEYHOUND_WEBHOOK_SECRET is not set: the receiver needs the signing secret")?;
    if let Some(w) = keyhound::revoke::webhook::secret_warning(&secret) {
        serve::warn(&w);
    }
    let store = keyhound_issuer::store::KeyStore::open(&args.db)?;
    if store.is_read_only() {
        bail!(
            "key store {} is read-only: the receiver records revocations there",
            args.db.display()
        );
    }
    let limits = ServeLimits {
        header_timeout: args.header_timeout,
        body_timeout: args.body_timeout,
        max_connections: args.max_connections as usize,
    };
    let listen = args.listen.trim().to_string();
    if !listen.contains(':') {
        bail!("--listen {listen:?}: expected HOST:PORT, e.g. 127.0.0.1:8787 or localhost:8787");
    }
    serve::run(&listen, store, &secret, limits)?;
    Ok(EXIT_CLEAN)
}

fn run_hook(cmd: HookCommand) -> Result<i32> {
    use crate::hook::{self, Installed, Uninstalled};
    let kind = |pre_push: bool| {
        if pre_push {
            hook::Kind::PrePush
        } else {
            hook::Kind::PreCommit
        }
    };
    match cmd {
        HookCommand::Install {
            force,
            pre_push,
            path,
        } => {
            let place = Place::find(path.as_deref().unwrap_or(Path::new(".")));
            let repo = place.repository()?;
            match hook::install(repo, kind(pre_push), force)? {
                Installed::New(p) => println!("installed {}", p.display()),
                Installed::Updated(p) => println!("updated keyhound's hook at {}", p.display()),
                Installed::Replaced { hook, backup } => println!(
                    "installed {} (the previous hook was moved to {})",
                    hook.display(),
                    backup.display()
                ),
            }
        }
        HookCommand::Uninstall { pre_push, path } => {
            let place = Place::find(path.as_deref().unwrap_or(Path::new(".")));
            let repo = place.repository()?;
            match hook::uninstall(repo, kind(pre_push))? {
                Uninstalled::Removed(p) => println!("removed {}", p.display()),
                Uninstalled::Restored(p) => {
                    println!(
                        "removed keyhound's hook and restored the previous {}",
                        p.display()
                    )
                }
                Uninstalled::NotInstalled(p) => println!("no hook at {}", p.display()),
            }
        }
    }
    Ok(EXIT_CLEAN)
}

/// The configuration a command at `place` reads: `--config FILE`, else `.keyhound.toml` there.
fn load_config(explicit: Option<&Path>, place: &Place) -> Result<Config> {
    Ok(config::load(
        scan::config_file(explicit, place)?.as_deref(),
    )?)
}

fn run_revoke(args: crate::cli::RevokeArgs) -> Result<i32> {
    use keyhound::revoke::{self, Origin, Revocation};
    use keyhound::term::escape_controls as esc;
    let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let place = Place::find(&path);
    let origin = Origin::of(&place);
    let cfg = load_config(args.config.as_deref(), &place)?;
    let results = revoke::retry_pending(
        &cfg.revocation.unwrap_or_default(),
        args.revoke_url.as_deref(),
        &origin,
    )?;
    if results.is_empty() {
        println!("nothing pending in {}", origin.spool_path().display());
        return Ok(EXIT_CLEAN);
    }
    let mut left = 0;
    for (r, fate) in &results {
        if !matches!(fate, Revocation::Answered(_)) {
            left += 1;
        }
        // The spool is a file anyone with the repository can write; the answer is the
        // receiver's: both are shown escaped.
        println!(
            "{}  {}  {}:{}  {}",
            esc(&r.id.chars().take(12).collect::<String>()),
            esc(&r.rule),
            esc(&r.location.path),
            r.location.line,
            esc(&fate.to_string())
        );
    }
    println!("{} delivered, {left} still pending", results.len() - left);
    Ok(if left == 0 { EXIT_CLEAN } else { EXIT_FINDINGS })
}

/// Exit code 1 when a finding `fail_on` selects was reported.
fn rules_list(config: Option<&Path>, format: KeyFormat) -> Result<i32> {
    let mut cfg = load_config(config, &Place::find(Path::new(".")))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let builtin: std::collections::HashSet<&str> =
        keyhound::rules::BUILTIN_RULE_IDS.iter().copied().collect();
    let rules = std::mem::take(&mut cfg.rules).resolve();
    match format {
        KeyFormat::Json => {
            let rules: Vec<serde_json::Value> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "name": r.name,
                        "format": r.format(),
                        "generic": r.is_generic(),
                        "builtin": builtin.contains(r.id.as_str()) && !cfg.summary.custom_rules.contains(&r.id),
                        "confidence": r.confidence().as_str(),
                        "severity": r.severity.as_str(),
                        "tags": r.tags,
                        "keywords": r.keywords,
                        "references": r.references,
                        "revoke_url": r.revoke_url,
                        "help": r.help_text(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &rules)?;
            writeln!(out)?;
        }
        KeyFormat::Text => {
            let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
            for r in &rules {
                writeln!(out, "{:width$}  {:6}  {}", r.id, r.confidence(), r.name)?;
            }
            let formats: std::collections::HashSet<&str> =
                rules.iter().filter_map(|r| r.format()).collect();
            let generic = rules.iter().filter(|r| r.is_generic()).count();
            writeln!(
                out,
                "{} rules: {} credential formats, {} generic rule{}",
                rules.len(),
                formats.len(),
                generic,
                if generic == 1 { "" } else { "s" }
            )?;
        }
    }
    out.flush()?;
    Ok(EXIT_CLEAN)
}

fn rules_test(file: &Path) -> Result<i32> {
    let name = file.display().to_string();
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read rule file {name}"))?;
    // Accept either a bare rule file or a `.keyhound.toml` holding `[[rules]]`.
    let rules = match parse_rule_file(&name, &text) {
        Ok(r) => r,
        Err(_) => {
            let cfg = config::parse(&name, &text)?;
            // Its own rules, a replacement of a built-in among them.
            cfg.rules.written().cloned().collect()
        }
    };
    if rules.is_empty() {
        bail!("{name}: no rules to test");
    }
    config::check_compiles(&name, &rules)?;
    let engine = Engine::new(rules)?;
    let failures = check_examples(&engine);
    for f in &failures {
        println!("FAIL {f}");
    }
    println!(
        "{} rules, {} failure{}",
        engine.len(),
        failures.len(),
        if failures.len() == 1 { "" } else { "s" }
    );
    Ok(if failures.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}
