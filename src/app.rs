//! Runs a parsed command line; `main` maps the result to an exit code.

use crate::cli::{
    Cli, Command, FailOn, HookCommand, KeyCommand, KeyEnv, KeyFormat, RulesCommand, ScanArgs,
};
use crate::config::{self, Config};
use crate::detect::{Engine, Workload};
use crate::finding::{Finding, FindingKind, Policy};
use crate::report::{self, Format};
use crate::rules::check::check_examples;
use crate::rules::parse_rule_file;
use crate::scan::{self, Outcome};
use crate::source::fs::WalkOptions;
use crate::source::git::{self, HistoryOptions};
use anyhow::{bail, Context, Result};
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
        Command::Scan(args) => run_scan(args),
        Command::Rules(RulesCommand::List { config }) => rules_list(config.as_deref()),
        Command::Rules(RulesCommand::Test { file }) => rules_test(&file),
        Command::Hook(cmd) => run_hook(cmd),
        Command::Key(cmd) => run_key(cmd),
        Command::Serve(args) => run_serve(args),
        Command::Revoke(args) => run_revoke(args),
        Command::Config(crate::cli::ConfigCommand::Check { config, path }) => {
            config_check(config.as_deref(), path.as_deref().unwrap_or(Path::new(".")))
        }
        Command::Webhook(crate::cli::WebhookCommand::Keygen { out, force }) => {
            run_keygen(&out, force)
        }
    }
}

fn config_check(explicit: Option<&Path>, path: &Path) -> Result<i32> {
    let cfg = load_config(explicit, path)?;
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
    writeln!(out, "\n[context]")?;
    writeln!(
        out,
        "test_paths = [{}]  # added to {} built-in conventions",
        list(&s.test_paths),
        crate::finding::context::DEFAULT_TEST_PATHS.len()
    )?;
    if let Some(r) = &cfg.revocation {
        let secret_set = std::env::var_os(&r.secret_env).is_some_and(|v| !v.is_empty());
        writeln!(out, "\n[revocation]")?;
        writeln!(out, "url = {:?}", r.url.as_deref().unwrap_or(""))?;
        writeln!(out, "format = {:?}", r.format)?;
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
        writeln!(out, "include_token = {}", r.include_token)?;
        writeln!(
            out,
            "timeout = {}\nmax_retries = {}",
            r.timeout, r.max_retries
        )?;
        if let Some(url) = &r.url {
            if let Err(e) = crate::revoke::check_url(url) {
                writeln!(out, "# warning: {e}")?;
            }
        }
    }
    out.flush()?;
    Ok(EXIT_CLEAN)
}

fn run_keygen(out: &Path, force: bool) -> Result<i32> {
    let pair = crate::revoke::partner::generate().map_err(anyhow::Error::msg)?;
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

fn run_serve(args: crate::cli::ServeArgs) -> Result<i32> {
    let secret = std::env::var("KEYHOUND_WEBHOOK_SECRET")
        .ok()
        .filter(|s| !s.is_empty())
        .context("KEYHOUND_WEBHOOK_SECRET is not set: the receiver needs the signing secret")?;
    let store = crate::keys::store::KeyStore::open(&args.db)?;
    let rt = tokio::runtime::Runtime::new().context("cannot start the server runtime")?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        crate::keys::serve::serve(
            listener,
            store,
            &secret,
            crate::keys::serve::shutdown_signal(),
        )
        .await
        .context("server failed")
    })?;
    Ok(EXIT_CLEAN)
}

fn run_key(cmd: KeyCommand) -> Result<i32> {
    use crate::keys::store::{self, KeyStore, NewKey, Verdict};
    use crate::keys::{self, Env, Issuer};
    let read_key = |key: String| -> Result<String> {
        if key == "-" {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .context("cannot read the key from standard input")?;
            Ok(s.trim().to_string())
        } else {
            Ok(key)
        }
    };
    match cmd {
        KeyCommand::New {
            prefix,
            env,
            count,
            format,
            db,
            owner,
            label,
            scopes,
            expires,
        } => {
            let issuer = Issuer::new(&prefix)?;
            let env = match env {
                KeyEnv::Live => Env::Live,
                KeyEnv::Test => Env::Test,
            };
            let mut issued = Vec::with_capacity(count as usize);
            match db {
                Some(path) => {
                    let mut store = KeyStore::open(&path)?;
                    let new = NewKey {
                        owner,
                        label,
                        scopes,
                        expires_in: expires,
                    };
                    for _ in 0..count {
                        issued.push(store.issue(&issuer, env, &new)?);
                    }
                }
                None => {
                    for _ in 0..count {
                        issued.push(issuer.issue(env)?);
                    }
                }
            }
            print_keys(&issued, format)?;
            Ok(EXIT_CLEAN)
        }
        KeyCommand::List {
            db,
            stale,
            max_age,
            format,
        } => {
            let store = KeyStore::open(&db)?;
            let now = store::now();
            let mut keys = store.list()?;
            if stale {
                keys.retain(|k| k.status(now) == "active" && now - k.created_at >= max_age);
            }
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match format {
                KeyFormat::Json => {
                    let list: Vec<serde_json::Value> = keys
                        .iter()
                        .map(|k| {
                            let mut v = serde_json::to_value(k).unwrap_or_default();
                            v["status"] = serde_json::json!(k.status(now));
                            v
                        })
                        .collect();
                    serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "keys": list }))?;
                    writeln!(out)?;
                }
                KeyFormat::Text => {
                    writeln!(
                        out,
                        "{:8}  {:8}  {:4}  {:20}  {:20}  {:20}  owner / label",
                        "key id", "status", "env", "created", "expires", "prefix"
                    )?;
                    for k in &keys {
                        writeln!(
                            out,
                            "{:8}  {:8}  {:4}  {:20}  {:20}  {:20}  {} {}",
                            k.key_id,
                            k.status(now),
                            k.env,
                            crate::report::rfc3339(k.created_at),
                            k.expires_at
                                .map(crate::report::rfc3339)
                                .unwrap_or_else(|| "never".into()),
                            k.prefix,
                            k.owner,
                            k.label
                        )?;
                    }
                    writeln!(
                        out,
                        "{} key{}",
                        keys.len(),
                        if keys.len() == 1 { "" } else { "s" }
                    )?;
                }
            }
            out.flush()?;
            Ok(EXIT_CLEAN)
        }
        KeyCommand::Revoke { key_id, db, reason } => {
            let mut store = KeyStore::open(&db)?;
            let outcome = store.revoke(&key_id, &reason, None)?;
            println!("{}: {}", key_id, outcome.as_str());
            Ok(EXIT_CLEAN)
        }
        KeyCommand::Rotate {
            key_id,
            db,
            grace,
            format,
        } => {
            let mut store = KeyStore::open(&db)?;
            let key = store.rotate(&key_id, grace)?;
            print_keys(std::slice::from_ref(&key), format)?;
            eprintln!(
                "{key_id} stays valid until {}; move clients to {} before then.",
                store
                    .find(&key_id)?
                    .expires_at
                    .map(crate::report::rfc3339)
                    .unwrap_or_default(),
                key.key_id
            );
            Ok(EXIT_CLEAN)
        }
        KeyCommand::Verify { key, db } => {
            let key = read_key(key)?;
            let mut store = KeyStore::open(&db)?;
            let verdict = store.verify(&key)?;
            match &verdict {
                Verdict::Valid(r) => println!(
                    "valid: key id {}, owner {}, env {}{}",
                    r.key_id,
                    if r.owner.is_empty() { "-" } else { &r.owner },
                    r.env,
                    r.expires_at
                        .map(|e| format!(", expires {}", crate::report::rfc3339(e)))
                        .unwrap_or_default()
                ),
                Verdict::Revoked { key_id, reason } => {
                    println!("revoked: key id {key_id} ({reason})")
                }
                Verdict::Expired { key_id } => println!("expired: key id {key_id}"),
                Verdict::Unknown => println!("unknown: well formed, but not in this store"),
                Verdict::Malformed(e) => println!("malformed: {e}"),
            }
            Ok(if matches!(verdict, Verdict::Valid(_)) {
                EXIT_CLEAN
            } else {
                EXIT_FINDINGS
            })
        }
        KeyCommand::Audit { db, format } => {
            let store = KeyStore::open(&db)?;
            let rows = store.audit()?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match format {
                KeyFormat::Json => {
                    for r in &rows {
                        serde_json::to_writer(&mut out, r)?;
                        writeln!(out)?;
                    }
                }
                KeyFormat::Text => {
                    for r in &rows {
                        writeln!(
                            out,
                            "{}  {:13}  {:8}  {}",
                            crate::report::rfc3339(r.at),
                            r.event,
                            r.key_id.as_deref().unwrap_or("-"),
                            r.detail
                        )?;
                    }
                }
            }
            out.flush()?;
            Ok(EXIT_CLEAN)
        }
        KeyCommand::Check { key } => {
            let key = read_key(key)?;
            match keys::parse(&key) {
                Ok(p) => {
                    let digest = keys::digest(&key);
                    println!(
                        "valid: prefix {}, env {}, key id {}",
                        p.prefix,
                        p.env,
                        keys::key_id(&digest)
                    );
                    Ok(EXIT_CLEAN)
                }
                Err(e) => {
                    println!("invalid: {e}");
                    Ok(EXIT_FINDINGS)
                }
            }
        }
    }
}

/// Prints newly issued keys (shown once) with their digests and key ids.
fn print_keys(issued: &[crate::keys::IssuedKey], format: KeyFormat) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        KeyFormat::Text => {
            for k in issued {
                writeln!(out, "{}", k.expose())?;
                writeln!(out, "  key id  {}", k.key_id)?;
                writeln!(out, "  sha256  {}", k.digest)?;
            }
        }
        KeyFormat::Json => {
            let list: Vec<serde_json::Value> = issued
                .iter()
                .map(|k| {
                    serde_json::json!({
                        "key": k.expose(),
                        "key_id": k.key_id,
                        "sha256": k.digest,
                        "prefix": k.prefix,
                        "env": k.env.as_str(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "keys": list }))?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    if std::io::stdout().is_terminal() {
        eprintln!("Shown once: hand each key to its owner and store only its sha256 digest.");
    }
    Ok(())
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
            let repo = git::open(path.as_deref().unwrap_or(Path::new(".")))?;
            match hook::install(&repo, kind(pre_push), force)? {
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
            let repo = git::open(path.as_deref().unwrap_or(Path::new(".")))?;
            match hook::uninstall(&repo, kind(pre_push))? {
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

fn load_config(explicit: Option<&Path>, scan_root: &Path) -> Result<Config> {
    let file = match explicit {
        Some(f) => {
            if !f.is_file() {
                bail!("configuration file {} does not exist", f.display());
            }
            Some(f.to_path_buf())
        }
        None => config::discover(scan_root),
    };
    Ok(config::load(file.as_deref())?)
}

fn run_scan(args: ScanArgs) -> Result<i32> {
    if args.staged || args.git.is_some() || args.pre_push {
        return run_git_scan(args);
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let stdin = paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && paths.len() > 1 {
        bail!("`-` (standard input) cannot be combined with other paths");
    }
    for p in &paths {
        if !stdin && std::fs::symlink_metadata(p).is_err() {
            bail!("{}: no such file or directory", p.display());
        }
    }
    let root = if stdin { Path::new(".") } else { &paths[0] };
    let mut cfg = load_config(args.config.as_deref(), root)?;
    let engine = build_engine(&args, std::mem::take(&mut cfg.rules), Workload::Bulk)?;
    let revocation = cfg.revocation.take();
    let policy = policy(&args, cfg);
    let finding_opts = finding_options(&args);
    let root = root.to_path_buf();

    let mut outcome = if stdin {
        let (data, cut) =
            crate::source::stdin::read(args.max_file_size).context("cannot read standard input")?;
        if cut {
            eprintln!(
                "warning: standard input is larger than --max-file-size ({} bytes); only the first part was scanned",
                args.max_file_size
            );
        }
        scan::scan_bytes(&engine, &policy, finding_opts, "<stdin>", &data)
    } else {
        let opts = WalkOptions {
            paths,
            max_file_size: args.max_file_size,
            no_ignore: args.no_ignore,
            threads: args.threads.unwrap_or(0),
        };
        scan::scan_tree(&engine, &policy, finding_opts, &opts)
    };
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    if outcome.stats.files == 0 && outcome.stats.unreadable > 0 {
        bail!("nothing could be read at the given path(s)");
    }
    send_revocations(&args, revocation, &root, &mut outcome.findings)?;
    emit_report(&args, &outcome, &engine)?;
    Ok(exit_code(args.fail_on, &outcome.findings))
}

fn wants_revocation(args: &ScanArgs) -> bool {
    args.revoke || args.revoke_url.is_some() || args.revoke_dry_run
}

/// `--revoke`: sends the checksum-confirmed findings to the revocation webhook and records
/// each one's outcome on the finding (for the report). Delivery problems never change the
/// scan's exit code: the findings are what it reports.
fn send_revocations(
    args: &ScanArgs,
    cfg: Option<crate::revoke::RevocationConfig>,
    scan_path: &Path,
    findings: &mut [Finding],
) -> Result<()> {
    use crate::revoke::{self, Delivery, Origin, Settings};
    if !wants_revocation(args) {
        return Ok(());
    }
    let cfg = cfg.unwrap_or_default();
    let confirmed: Vec<usize> = (0..findings.len())
        .filter(|&i| findings[i].confirmation.is_confirmed())
        .collect();
    let origin = Origin::discover(scan_path);
    // GitHub's partner format carries the token itself.
    let include_token = cfg.include_token || cfg.format == "github-partner";
    let reports: Vec<_> = confirmed
        .iter()
        .map(|&i| revoke::report_for(&findings[i], &origin, include_token))
        .collect();
    if args.revoke_dry_run {
        let url = args
            .revoke_url
            .as_deref()
            .or(cfg.url.as_deref())
            .map_or_else(|| "(no URL configured)".into(), revoke::strip_credentials);
        for chunk in reports.chunks(revoke::webhook::MAX_BATCH) {
            let mut shown = chunk.to_vec();
            if !args.show_secrets {
                for r in &mut shown {
                    if let Some(t) = &r.token {
                        r.token = Some(crate::finding::redact(t));
                    }
                }
            }
            let body = revoke::webhook::LeakBatch {
                kind: revoke::webhook::LEAK_TYPE.into(),
                reports: shown,
            };
            eprintln!(
                "POST {url}\nwebhook-id: {}\n{}\n",
                revoke::message_id(chunk),
                serde_json::to_string_pretty(&body)?
            );
        }
        for &i in &confirmed {
            findings[i].revocation = Some("dry-run".into());
        }
        eprintln!(
            "revocation dry run: {} confirmed finding{} would be sent",
            confirmed.len(),
            if confirmed.len() == 1 { "" } else { "s" }
        );
        return Ok(());
    }
    let settings = Settings::new(&cfg, args.revoke_url.as_deref()).map_err(anyhow::Error::msg)?;
    if reports.is_empty() {
        return Ok(());
    }
    let fates = revoke::deliver(&settings, &origin, &reports);
    let undelivered = fates
        .iter()
        .filter(|f| !matches!(f, Delivery::Answered(_)))
        .count();
    for (&i, fate) in confirmed.iter().zip(&fates) {
        findings[i].revocation = Some(fate.describe());
    }
    if undelivered > 0 {
        eprintln!(
            "warning: {undelivered} revocation report{} not delivered; kept in {} — resend with `keyhound revoke --retry-pending`",
            if undelivered == 1 { "" } else { "s" },
            origin.spool_path().display()
        );
    }
    Ok(())
}

fn run_revoke(args: crate::cli::RevokeArgs) -> Result<i32> {
    use crate::revoke::{self, Delivery, Origin, Settings};
    let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let origin = Origin::discover(&path);
    let root = git2::Repository::discover(&path)
        .ok()
        .and_then(|r| r.workdir().map(Path::to_path_buf))
        .unwrap_or_else(|| path.clone());
    let cfg = load_config(args.config.as_deref(), &root)?;
    let settings = Settings::new(
        &cfg.revocation.unwrap_or_default(),
        args.revoke_url.as_deref(),
    )
    .map_err(anyhow::Error::msg)?;
    let results = revoke::retry_pending(&settings, &origin)
        .with_context(|| format!("cannot resend {}", origin.spool_path().display()))?;
    if results.is_empty() {
        println!("nothing pending in {}", origin.spool_path().display());
        return Ok(EXIT_CLEAN);
    }
    let mut left = 0;
    for (r, fate) in &results {
        if !matches!(fate, Delivery::Answered(_)) {
            left += 1;
        }
        println!(
            "{}  {}  {}:{}  {}",
            &r.id[..r.id.len().min(12)],
            r.rule,
            r.location.path,
            r.location.line,
            fate.describe()
        );
    }
    println!("{} delivered, {left} still pending", results.len() - left);
    Ok(if left == 0 { EXIT_CLEAN } else { EXIT_FINDINGS })
}

/// Exit code 1 when a finding `fail_on` selects was reported.
fn exit_code(fail_on: FailOn, findings: &[Finding]) -> i32 {
    let fails = |f: &Finding| match fail_on {
        FailOn::Any => true,
        FailOn::Confirmed => f.confirmation.is_confirmed(),
        FailOn::LiveInTest => f.kind == FindingKind::LiveInTest,
    };
    if findings.iter().any(fails) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn build_engine(
    args: &ScanArgs,
    rules: Vec<crate::rules::Rule>,
    workload: Workload,
) -> Result<Engine> {
    let mut engine = Engine::for_workload(rules, workload)?;
    engine.set_include_invalid(args.include_invalid);
    Ok(engine)
}

/// The post-detection policy: the configuration's allowlist and test paths, and the flags.
fn policy(args: &ScanArgs, cfg: Config) -> Policy {
    Policy {
        allowlist: cfg.allowlist,
        test_paths: cfg.test_paths,
        include_test_keys: args.include_test_keys,
    }
}

/// Git's pre-push protocol: one line per ref, `<local ref> <local sha> <remote ref> <remote sha>`.
/// The pre-commit framework passes the range in PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF.
/// Returns `None` when nothing is being pushed (only deletions, or no input).
fn pre_push_selection() -> Result<Option<HistoryOptions>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let (Some(from), Some(to)) = (env("PRE_COMMIT_FROM_REF"), env("PRE_COMMIT_TO_REF")) {
        return Ok(Some(HistoryOptions {
            range: Some(format!("{from}..{to}")),
            ..HistoryOptions::default()
        }));
    }
    let mut input = String::new();
    if !std::io::stdin().is_terminal() {
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut input)
            .context("cannot read the pushed refs from standard input")?;
    }
    let is_zero = |sha: &str| sha.bytes().all(|b| b == b'0');
    let mut select = HistoryOptions::default();
    for line in input.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, local, _, remote] = fields[..] else {
            continue;
        };
        if is_zero(local) {
            continue; // deleting a remote ref sends nothing
        }
        select.include.push(local.to_string());
        if is_zero(remote) {
            select.exclude_remotes = true; // a new branch: what no remote has yet
        } else {
            select.exclude.push(remote.to_string());
        }
    }
    Ok((!select.include.is_empty()).then_some(select))
}

const STAGED_HELP: &str = "\
keyhound blocked this commit: the staged changes add the secret(s) above.
  - Remove the secret from the file and `git add` it again; then rotate the secret
    (revoke it and issue a new one), since it may already be copied elsewhere.
  - A deliberate test fixture? Put `keyhound:allow` in a comment on that line.
  - `git commit --no-verify` skips this check (not recommended).";

const PRE_PUSH_HELP: &str = "\
keyhound blocked this push: the commits being pushed contain the secret(s) above.
  - Rotate the secret (revoke it and issue a new one), then remove it from history
    (e.g. `git rebase -i`, or `git filter-repo` for older commits) before pushing.
  - A deliberate test fixture? Put `keyhound:allow` in a comment on that line.
  - `git push --no-verify` skips this check (not recommended).";

/// `--staged`, `--git` and `--pre-push`: scans a repository's objects, not its files.
fn run_git_scan(mut args: ScanArgs) -> Result<i32> {
    // `keyhound scan --git DIR`: clap reads DIR as the range; an existing directory with no
    // `..` in it is meant as the repository.
    if let Some(r) = &args.git {
        if args.paths.is_empty() && !r.contains("..") && Path::new(r).is_dir() {
            args.paths.push(PathBuf::from(r));
            args.git = Some(String::new());
        }
    }
    if args.paths.len() > 1 {
        bail!("--staged, --git and --pre-push scan one repository: give at most one path");
    }
    let path = args
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    if path.as_os_str() == "-" {
        bail!("`-` (standard input) cannot be combined with --staged, --git or --pre-push");
    }
    if std::fs::symlink_metadata(&path).is_err() {
        bail!("{}: no such file or directory", path.display());
    }
    let finding_opts = finding_options(&args);
    if args.staged {
        return run_staged(&args, &path, finding_opts);
    }
    if let Some(n) = args.threads.filter(|&n| n > 0) {
        // History scans run on rayon's pool: -j sizes it.
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("cannot start worker threads")?;
    }
    let repo = git::open(&path)?;
    let root = repo.workdir().unwrap_or(repo.path()).to_path_buf();
    let mut cfg = load_config(args.config.as_deref(), &root)?;
    let engine = build_engine(&args, std::mem::take(&mut cfg.rules), Workload::Bulk)?;
    let revocation = cfg.revocation.take();
    let policy = policy(&args, cfg);
    let select = if args.pre_push {
        pre_push_selection()?
    } else {
        Some(HistoryOptions {
            range: args.git.clone().filter(|r| !r.is_empty()),
            all: args.all,
            since_commit: args.since_commit.clone(),
            ..HistoryOptions::default()
        })
    };
    let mut outcome = match select {
        Some(select) => scan::scan_history(
            &engine,
            &policy,
            finding_opts,
            &repo,
            &scan::HistoryRun {
                select,
                max_file_size: args.max_file_size,
                progress: !args.quiet && std::io::stderr().is_terminal(),
            },
        )?,
        None => Outcome {
            findings: Vec::new(),
            stats: scan::Stats {
                kind: scan::Kind::History,
                ..scan::Stats::default()
            },
            warnings: Vec::new(),
        },
    };
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    send_revocations(&args, revocation, &path, &mut outcome.findings)?;
    emit_report(&args, &outcome, &engine)?;
    let code = exit_code(args.fail_on, &outcome.findings);
    if code == EXIT_FINDINGS && args.pre_push {
        eprintln!("{PRE_PUSH_HELP}");
    }
    Ok(code)
}

/// The pre-commit path, where every millisecond is paid on every commit: the rules are
/// loaded and the engine built (with the keyed generic rules' regexes, which nearly every commit
/// needs) on a second thread while this one reads the index and diffs it against HEAD.
fn run_staged(args: &ScanArgs, path: &Path, finding_opts: crate::finding::Options) -> Result<i32> {
    let started = std::time::Instant::now();
    let (prepared, staged) = std::thread::scope(|s| {
        let prepare = s.spawn(|| -> Result<(Config, Engine)> {
            let mut cfg = load_config(args.config.as_deref(), path)?;
            // A commit is a few files: an automaton that builds fast beats one that runs fast.
            let engine = build_engine(args, std::mem::take(&mut cfg.rules), Workload::Small)?;
            engine.warm_up(|rule| rule.assignment_gate);
            Ok((cfg, engine))
        });
        let staged = git::open(path).and_then(|repo| git::staged(&repo, args.max_file_size));
        let prepared = prepare
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (prepared, staged)
    });
    let (cfg, engine) = prepared?;
    if wants_revocation(args) {
        eprintln!(
            "note: not sending revocations from --staged: an unpushed secret has not leaked (remove it before committing)"
        );
    }
    let policy = policy(args, cfg);
    let outcome = scan::scan_staged(&engine, &policy, finding_opts, &staged?, started);
    emit_report(args, &outcome, &engine)?;
    let code = exit_code(args.fail_on, &outcome.findings);
    if code == EXIT_FINDINGS {
        eprintln!("{STAGED_HELP}");
    }
    Ok(code)
}

/// What findings must carry for the chosen report: SARIF needs GitHub's line hashes.
fn finding_options(args: &ScanArgs) -> crate::finding::Options {
    crate::finding::Options {
        line_hashes: args.format == Format::Sarif,
    }
}

fn color_wanted(args: &ScanArgs) -> bool {
    args.output.is_none()
        && !args.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal()
}

fn emit_report(args: &ScanArgs, outcome: &Outcome, engine: &Engine) -> Result<()> {
    let opts = report::Options {
        show_secrets: args.show_secrets,
        color: color_wanted(args),
        sarif_category: args.sarif_category.clone(),
    };
    if args.quiet && args.format == Format::Text && outcome.findings.is_empty() {
        return Ok(());
    }
    match &args.output {
        Some(path) => {
            let meta = std::fs::metadata(path); // follows symlinks
            if meta.as_ref().is_ok_and(|m| !m.is_file()) {
                // A device, pipe or socket (`-o /dev/null`, `-o /dev/stdout`): write to it.
                // Renaming a temp file over it would replace the device node itself.
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .with_context(|| format!("cannot write report to {}", path.display()))?;
                let mut w = std::io::BufWriter::new(file);
                report::write(&mut w, args.format, outcome, engine, &opts)?;
                w.flush()?;
                return Ok(());
            }
            // A regular file: write a temp file beside it, then rename over it, so readers
            // never see half a report. Through a symlink, the file it points to is replaced.
            let target = if meta.is_ok() {
                std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())
            } else {
                path.clone()
            };
            let dir = target
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let mut tmp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("cannot write report to {}", path.display()))?;
            report::write(&mut tmp, args.format, outcome, engine, &opts)?;
            tmp.flush()?;
            tmp.persist(&target)
                .with_context(|| format!("cannot write report to {}", path.display()))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::new(stdout.lock());
            report::write(&mut lock, args.format, outcome, engine, &opts)?;
            lock.flush()?;
        }
    }
    Ok(())
}

fn rules_list(config: Option<&Path>) -> Result<i32> {
    let cfg = load_config(config, Path::new("."))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let width = cfg.rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in &cfg.rules {
        writeln!(out, "{:width$}  {}", r.id, r.name)?;
    }
    writeln!(out, "{} rules", cfg.rules.len())?;
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
            let builtin_ids: std::collections::HashSet<String> = crate::rules::builtin_rules()
                .into_iter()
                .map(|r| r.id)
                .collect();
            cfg.rules
                .into_iter()
                .filter(|r| !builtin_ids.contains(&r.id))
                .collect()
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
