//! `keyhound scan`: collect the findings of the chosen source (tree, standard input, staged
//! changes, history), then the steps every kind of scan shares: the baseline, revocation,
//! the report and the exit code. The `baseline` commands collect the same way.

use super::{progress, EXIT_CLEAN, EXIT_FINDINGS};
use crate::cli::{ConfigFrom, FailOn, ScanArgs, Target};
use anyhow::{bail, Context, Result};
use keyhound::config::Config;
use keyhound::detect::{Engine, Workload};
use keyhound::finding::baseline::{self, Baseline};
use keyhound::finding::{Finding, FindingKind, Policy, Scope};
use keyhound::report::{self, Format};
use keyhound::scan::{self, Outcome};
use keyhound::source::fs::WalkOptions;
use keyhound::source::git::{self, HistoryOptions, Place};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// A scan resolved once from its arguments (the way ripgrep turns its flags into resolved
/// ones): what is read, the repository around it (found once), the configuration file, and
/// the settings every step takes. Every combination the flags cannot make is refused here,
/// before anything is read.
pub(super) struct Plan {
    pub source: Source,
    pub place: Place,
    /// `--config FILE` (checked to exist), else the `.keyhound.toml` found at the place.
    pub config: ConfigFile,
    pub config_from: Option<ConfigFrom>,
    pub settings: Settings,
}

/// What a scan reads.
pub(super) enum Source {
    /// Files and directories (the working tree, or anything on disk).
    Paths(Vec<PathBuf>),
    /// Standard input.
    Stdin,
    /// The index against HEAD, under the path given.
    Staged(PathBuf),
    /// Commits, under `path`.
    History {
        path: PathBuf,
        /// `None`: nothing to scan (a push that only deletes).
        select: Option<HistoryOptions>,
        /// `--pre-push`: the commits a push sends (no range, so no base to read files at).
        pre_push: bool,
    },
}

/// The configuration file a scan reads.
pub(super) struct ConfigFile {
    /// `--config`, as given (history scans read it at a commit when it is in the repository).
    pub explicit: Option<PathBuf>,
    /// The file on disk: `--config`, or `.keyhound.toml` at the place; `None`: built-ins only.
    pub on_disk: Option<PathBuf>,
}

impl ConfigFile {
    fn load(&self) -> Result<Config> {
        Ok(keyhound::config::load(self.on_disk.as_deref())?)
    }
}

/// The flags that shape the scan itself.
#[derive(Clone, Default)]
pub(super) struct Settings {
    pub max_file_size: u64,
    /// `-j`: worker threads (0 or unset: one per core).
    pub threads: Option<usize>,
    /// `--no-ignore`: neither `.gitignore` nor `.keyhoundignore`.
    pub no_ignore: bool,
    pub no_inline_allow: bool,
    pub include_invalid: bool,
    pub include_test_keys: bool,
    pub confidence: Option<keyhound::rules::Confidence>,
}

impl Plan {
    /// Resolves `target`: checks the paths and flag combinations, finds the repository once
    /// and the configuration file, and (for `--pre-push`) reads what is being pushed.
    pub fn resolve(target: &Target) -> Result<Plan> {
        let source = Self::source(target)?;
        let start = match &source {
            Source::Paths(paths) => paths[0].as_path(),
            Source::Stdin => Path::new("."),
            Source::Staged(path) | Source::History { path, .. } => path.as_path(),
        };
        let place = Place::find(start);
        let config = ConfigFile {
            explicit: target.config.clone(),
            on_disk: config_file(target.config.as_deref(), &place)?,
        };
        Ok(Plan {
            source,
            place,
            config,
            config_from: target.config_from,
            settings: Settings {
                max_file_size: target.max_file_size,
                threads: target.threads,
                no_ignore: target.no_ignore,
                no_inline_allow: target.no_inline_allow,
                include_invalid: target.include_invalid,
                include_test_keys: target.include_test_keys,
                confidence: target.confidence,
            },
        })
    }

    fn source(target: &Target) -> Result<Source> {
        let exists = |p: &Path| -> Result<()> {
            if std::fs::symlink_metadata(p).is_err() {
                bail!("{}: no such file or directory", p.display());
            }
            Ok(())
        };
        if !(target.staged || target.git.is_some() || target.pre_push) {
            let paths = if target.paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                target.paths.clone()
            };
            if paths.iter().any(|p| p.as_os_str() == "-") {
                if paths.len() > 1 {
                    bail!("`-` (standard input) cannot be combined with other paths");
                }
                return Ok(Source::Stdin);
            }
            for p in &paths {
                exists(p)?;
            }
            return Ok(Source::Paths(paths));
        }
        let mut paths = target.paths.clone();
        let mut range = target.git.clone();
        // `keyhound scan --git DIR`: clap reads DIR as the range; an existing directory with
        // no `..` in it is meant as the repository.
        if let Some(r) = &range {
            if paths.is_empty() && !r.contains("..") && Path::new(r).is_dir() {
                paths.push(PathBuf::from(r));
                range = Some(String::new());
            }
        }
        if paths.len() > 1 {
            bail!("--staged, --git and --pre-push scan one repository: give at most one path");
        }
        let path = paths.pop().unwrap_or_else(|| PathBuf::from("."));
        if path.as_os_str() == "-" {
            bail!("`-` (standard input) cannot be combined with --staged, --git or --pre-push");
        }
        exists(&path)?;
        if target.staged {
            return Ok(Source::Staged(path));
        }
        let select = if target.pre_push {
            pre_push_selection()?
        } else {
            Some(HistoryOptions {
                range: range.filter(|r| !r.is_empty()),
                all: target.all,
                since_commit: target.since_commit.clone(),
                ..HistoryOptions::default()
            })
        };
        Ok(Source::History {
            path,
            select,
            pre_push: target.pre_push,
        })
    }
}

/// `--config FILE` (which must exist), else the `.keyhound.toml` a command at `place` reads.
pub(super) fn config_file(explicit: Option<&Path>, place: &Place) -> Result<Option<PathBuf>> {
    match explicit {
        Some(f) if !f.is_file() => bail!("configuration file {} does not exist", f.display()),
        Some(f) => Ok(Some(f.to_path_buf())),
        None => Ok(keyhound::config::discover(place)),
    }
}

/// A scan's findings, and what the steps after it need.
pub(super) struct Collected {
    pub outcome: Outcome,
    pub engine: Engine,
    pub revocation: Option<keyhound::revoke::RevocationConfig>,
    /// Where the scan ran: baseline paths are relative to its root, `.keyhoundignore` is
    /// read there, revocations are spooled in its repository.
    pub place: Place,
    /// What fingerprints are scoped by.
    pub scope: Scope,
    /// The baseline [`Collect::baseline`] named, read where the configuration was.
    pub baseline: Option<Baseline>,
}

impl Collected {
    /// How this scan's finding paths become repository-relative (baselines store those).
    pub fn repo_paths(&self) -> baseline::RepoPaths {
        match self.outcome.stats.kind {
            scan::Kind::History | scan::Kind::Staged => baseline::RepoPaths::relative(),
            scan::Kind::Tree | scan::Kind::Stdin => baseline::RepoPaths::under(&self.place.root),
        }
    }

    /// Each finding with its repository-relative path.
    pub fn with_repo_paths(&self) -> impl Iterator<Item = (&Finding, String)> {
        let paths = self.repo_paths();
        self.outcome.findings.iter().map(move |f| (f, paths.of(f)))
    }
}

/// How to collect.
#[derive(Default)]
pub(super) struct Collect {
    /// Compute GitHub's line hashes (SARIF).
    pub line_hashes: bool,
    /// Keep each finding's line unredacted (`--show-secrets`).
    pub raw_lines: bool,
    /// `--quiet`: no notes on standard error.
    pub quiet: bool,
    /// Draw a progress bar for history scans.
    pub progress: bool,
    /// Drop findings whose fingerprint `.keyhoundignore` lists (not for `baseline check`,
    /// which reports the entries that silence nothing).
    pub apply_ignore: bool,
    /// A baseline to read before scanning (a bad file is an error before a long scan), from
    /// where the configuration is read (see [`crate::cli::ConfigFrom`]).
    pub baseline: Option<PathBuf>,
}

pub(super) fn run_scan(args: ScanArgs) -> Result<i32> {
    let plan = Plan::resolve(&args.target)?;
    let collect = Collect {
        // SARIF carries GitHub's line hashes, whether it is the report or an extra one.
        line_hashes: args.format == Format::Sarif
            || args.reports.iter().any(|(f, _)| *f == Format::Sarif),
        raw_lines: args.show_secrets,
        quiet: args.quiet,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        apply_ignore: true,
        baseline: args.baseline.clone(),
    };
    let staged = matches!(plan.source, Source::Staged(_));
    if wants_revocation(&args) && staged {
        eprintln!(
            "note: not sending revocations from --staged: an unpushed secret has not leaked (remove it before committing)"
        );
    }
    let mut c = collect_findings(plan, &collect)?;
    if let (Some(base), Some(file)) = (c.baseline.take(), &args.baseline) {
        let before = c.outcome.findings.len();
        let paths = c.repo_paths();
        c.outcome
            .findings
            .retain(|f| f.is_suppression() || !base.contains(f, &paths.of(f)));
        let known = before - c.outcome.findings.len();
        if known > 0 && !args.quiet {
            eprintln!(
                "{known} finding{} already in {} not reported",
                if known == 1 { "" } else { "s" },
                file.display()
            );
        }
    }
    if !staged {
        send_revocations(
            &args,
            c.revocation.take(),
            &c.place,
            &mut c.outcome.findings,
        )?;
    }
    emit_report(&args, &c.outcome, &c.engine)?;
    if let Some(line) = skipped_line(&c.outcome.skipped) {
        // Even with --quiet: a commit is about to include files nobody checked.
        eprintln!("{line}");
    }
    let code = exit_code(args.fail_on, &c.outcome.findings);
    if code == EXIT_FINDINGS {
        if staged {
            eprintln!("{STAGED_HELP}");
        } else if args.target.pre_push {
            eprintln!("{PRE_PUSH_HELP}");
        }
    }
    // The process ends here: freeing a thousand rules' compiled pieces one by one costs
    // more than a pre-commit hook's whole scan (the reports are written and flushed).
    std::mem::forget(c);
    Ok(code)
}

/// Runs the scan `plan` describes and returns its findings (after the configuration's
/// allowlist, inline allows and, with `apply_ignore`, `.keyhoundignore`).
pub(super) fn collect_findings(plan: Plan, how: &Collect) -> Result<Collected> {
    let paths = match &plan.source {
        Source::Staged(_) => return collect_staged(plan, how),
        Source::History { .. } => return collect_history(plan, how),
        Source::Paths(paths) => Some(paths.clone()),
        Source::Stdin => None,
    };
    let s = &plan.settings;
    let mut cfg = plan.config.load()?;
    // A bad baseline file is an error before the scan, not after a long one.
    let baseline = how.baseline.as_deref().map(Baseline::load).transpose()?;
    let engine = build_engine(s, std::mem::take(&mut cfg.rules), Workload::Bulk)?;
    let ignored = worktree_ignored(s, how, &plan.place.root)?;
    let p = prepare(s, cfg, ignored, plan.place.remote_scope(), how)?;
    let outcome = match paths {
        None => {
            let (data, cut) = keyhound::source::stdin::read(s.max_file_size)
                .context("cannot read standard input")?;
            if cut {
                eprintln!(
                    "warning: standard input is larger than --max-file-size ({} bytes); only the first part was scanned",
                    s.max_file_size
                );
            }
            scan::scan_bytes(&engine, &p.policy, &p.opts, "<stdin>", &data)
        }
        Some(paths) => {
            let walk = WalkOptions {
                paths,
                max_file_size: s.max_file_size,
                no_ignore: s.no_ignore,
                threads: s.threads.unwrap_or(0),
            };
            scan::scan_tree(&engine, &p.policy, &p.opts, &walk)
        }
    };
    for w in &outcome.warnings {
        eprintln!("warning: {}", keyhound::term::escape_controls(w));
    }
    if outcome.stats.files == 0 && outcome.stats.unreadable > 0 {
        bail!("nothing could be read at the given path(s)");
    }
    Ok(p.collected(outcome, engine, plan.place, baseline))
}

/// The fingerprint scope: `[fingerprint] scope`, else the repository's remote (`remote`,
/// from [`git::remote_scope`]), else none.
pub(super) fn scope_of(cfg: &Config, remote: Option<String>) -> Scope {
    Scope::new(&cfg.fingerprint_scope.clone().or(remote).unwrap_or_default())
}

/// `--git` and `--pre-push`: scans a repository's commits, not its files.
fn collect_history(plan: Plan, how: &Collect) -> Result<Collected> {
    let Source::History {
        path,
        select,
        pre_push,
    } = &plan.source
    else {
        unreachable!("collect_history is called for history sources")
    };
    let s = &plan.settings;
    if let Some(n) = s.threads.filter(|&n| n > 0) {
        // History scans run on rayon's pool: -j sizes it.
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("cannot start worker threads")?;
    }
    let repo = plan.place.repository()?;
    let root = &plan.place.root;
    // `scan --git services/api`: only that part of the repository.
    let prefix = git::prefix_of(repo, path);
    let select = select.clone().map(|s| HistoryOptions {
        prefix: prefix.clone(),
        ..s
    });
    let ends = match &select {
        Some(s) if !pre_push => git::range_ends(repo, s)?,
        _ => None,
    };
    let trusted = trusted_files(repo, root, &plan, ends, how)?;
    if let (Some(from), false) = (&trusted.from, how.quiet) {
        eprintln!("note: configuration, .keyhoundignore and baseline read from {from}");
    }
    let mut cfg = trusted.config;
    let engine = build_engine(s, std::mem::take(&mut cfg.rules), Workload::Bulk)?;
    let p = prepare(s, cfg, trusted.ignored, plan.place.remote_scope(), how)?;
    let bars = how.progress.then(progress::Bars::new);
    let mut outcome = match select {
        Some(select) => scan::scan_history(
            &engine,
            &p.policy,
            &p.opts,
            repo,
            &scan::HistoryRun {
                select,
                max_file_size: s.max_file_size,
                suppressions: ends.map(|(base, head)| scan::SuppressionCheck {
                    base,
                    head,
                    files: scan::SuppressionFiles {
                        config: trusted.config_path.clone(),
                        baseline: trusted.baseline_path.clone(),
                    },
                    scope: p.opts.scope.clone(),
                }),
            },
            bars.as_ref()
                .map_or(&scan::Quiet as &dyn scan::Progress, |b| b),
        )?,
        None => Outcome {
            findings: Vec::new(),
            stats: scan::Stats {
                kind: scan::Kind::History,
                ..scan::Stats::default()
            },
            warnings: Vec::new(),
            skipped: Vec::new(),
        },
    };
    outcome.stats.config_from = trusted.from;
    for w in &outcome.warnings {
        eprintln!("warning: {}", keyhound::term::escape_controls(w));
    }
    Ok(p.collected(outcome, engine, plan.place, trusted.baseline))
}

/// The configuration, the `.keyhoundignore` fingerprints and the baseline a git scan uses,
/// read from where `--config-from` says (a range's base commit by default).
struct Trusted {
    config: Config,
    ignored: std::collections::HashSet<String>,
    baseline: Option<Baseline>,
    /// Where they were read, when not from the working tree: "the base commit 1a2b3c4d5e6f".
    from: Option<String>,
    /// Repository-relative paths of the configuration file and the baseline, for the
    /// suppression check (changes to them are reported).
    config_path: Option<String>,
    baseline_path: Option<String>,
}

/// `path` (as given on the command line) relative to the repository's work tree, if it is
/// in it.
fn repo_relative(root: &Path, path: &Path) -> Option<String> {
    let abs = std::path::absolute(path).ok()?;
    let abs = std::fs::canonicalize(&abs).unwrap_or(abs);
    let root = std::fs::canonicalize(root).ok()?;
    let rel = abs.strip_prefix(&root).ok()?;
    Some(keyhound::source::fs::display_path(rel))
}

fn trusted_files(
    repo: &git::Repository,
    root: &Path,
    plan: &Plan,
    ends: Option<(git::Oid, git::Oid)>,
    how: &Collect,
) -> Result<Trusted> {
    let explicit = plan.config.explicit.as_deref();
    let config_path = match explicit {
        Some(f) => repo_relative(root, f),
        None => Some(keyhound::config::CONFIG_FILE.to_string()),
    };
    let baseline_path = how.baseline.as_deref().and_then(|b| repo_relative(root, b));
    let at = match (plan.config_from, ends) {
        (Some(ConfigFrom::Worktree), _) | (None, None) => None,
        (Some(ConfigFrom::Base) | None, Some((base, _))) => Some((base, "base")),
        (Some(ConfigFrom::Head), Some((_, head))) => Some((head, "head")),
        (Some(from), None) => bail!(
            "--config-from {} needs a range to read it from: --git BASE..HEAD or --since-commit SHA",
            if from == ConfigFrom::Base { "base" } else { "head" }
        ),
    };
    let Some((commit, which)) = at else {
        return Ok(Trusted {
            config: plan.config.load()?,
            ignored: worktree_ignored(&plan.settings, how, root)?,
            // A bad baseline file is an error before the scan, not after a long one.
            baseline: how.baseline.as_deref().map(Baseline::load).transpose()?,
            from: None,
            config_path,
            baseline_path,
        });
    };
    let short = &commit.to_string()[..12];
    let from = format!("the {which} commit {short} (--config-from {which})");
    let read = |rel: &str| -> Result<Option<String>> {
        Ok(git::file_at(repo, commit, rel)?.map(|b| String::from_utf8_lossy(&b).into_owned()))
    };
    let config = match (explicit, &config_path) {
        // A configuration outside the repository is the operator's, not the range's.
        (Some(_), None) => plan.config.load()?,
        (explicit, Some(rel)) => match read(rel)? {
            Some(text) => keyhound::config::parse(&format!("{rel} at {which} commit {short}"), &text)?,
            None if explicit.is_some() => bail!(
                "{rel} does not exist at the {which} commit {short}; use --config-from worktree to read it from disk"
            ),
            None => keyhound::config::load(None)?,
        },
        (None, None) => keyhound::config::load(None)?,
    };
    let ignored = if how.apply_ignore && !plan.settings.no_ignore {
        read(keyhound::source::fs::IGNORE_FILE)?
            .map(|t| baseline::fingerprints_in(&t).into_iter().collect())
            .unwrap_or_default()
    } else {
        Default::default()
    };
    let baseline = match (&how.baseline, &baseline_path) {
        (Some(file), None) => Some(Baseline::load(file)?),
        (Some(_), Some(rel)) => match read(rel)? {
            Some(text) => Some(Baseline::parse(&text).with_context(|| {
                format!("{rel} at {which} commit {short} is not a keyhound baseline")
            })?),
            None => {
                eprintln!(
                    "warning: the baseline {rel} does not exist at the {which} commit {short}: nothing is baselined"
                );
                None
            }
        },
        (None, _) => None,
    };
    Ok(Trusted {
        config,
        ignored,
        baseline,
        from: Some(from),
        config_path,
        baseline_path,
    })
}

/// The fingerprints `.keyhoundignore` at `root` silences, when the scan applies them.
fn worktree_ignored(
    settings: &Settings,
    how: &Collect,
    root: &Path,
) -> Result<std::collections::HashSet<String>> {
    Ok(if how.apply_ignore && !settings.no_ignore {
        baseline::ignored_fingerprints(root)?.into_iter().collect()
    } else {
        Default::default()
    })
}

/// The pre-commit path, where every millisecond is paid on every commit: the rules are
/// loaded and the engine built (with the keyed generic rules' regexes, which nearly every
/// commit needs) on a second thread while this one reads the index and diffs it against HEAD.
fn collect_staged(plan: Plan, how: &Collect) -> Result<Collected> {
    let started = std::time::Instant::now();
    let Source::Staged(path) = &plan.source else {
        unreachable!("collect_staged is called for --staged")
    };
    let s = &plan.settings;
    let (prepared, staged) = std::thread::scope(|scope| {
        let prepare = scope.spawn(|| -> Result<(Config, Engine)> {
            let mut cfg = plan.config.load()?;
            // A commit is a few files: an automaton that builds fast beats one that runs fast.
            let engine = build_engine(s, std::mem::take(&mut cfg.rules), Workload::Small)?;
            engine.warm_up(|rule| rule.assignment_gate);
            Ok((cfg, engine))
        });
        let staged = plan.place.repository().and_then(|repo| {
            let mut staged = git::staged(repo, s.max_file_size)?;
            let prefix = git::prefix_of(repo, path);
            staged
                .files
                .retain(|f| git::under(prefix.as_deref(), &f.path));
            Ok(staged)
        });
        let prepared = prepare
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (prepared, staged)
    });
    let (cfg, engine) = prepared?;
    let staged = staged?;
    let baseline = how.baseline.as_deref().map(Baseline::load).transpose()?;
    let ignored = worktree_ignored(s, how, &plan.place.root)?;
    let p = prepare(s, cfg, ignored, plan.place.remote_scope(), how)?;
    let outcome = scan::scan_staged(&engine, &p.policy, &p.opts, &staged, started);
    Ok(p.collected(outcome, engine, plan.place, baseline))
}

fn build_engine(
    settings: &Settings,
    rules: keyhound::rules::RuleSet,
    workload: Workload,
) -> Result<Engine> {
    let mut engine = Engine::for_rule_set(rules, workload)?;
    engine.set_include_invalid(settings.include_invalid);
    // While the ignore files and the walk get going.
    engine.build_in_background();
    Ok(engine)
}

/// What a scan takes from its configuration besides the rules.
struct Prepared {
    policy: Policy,
    opts: keyhound::finding::Options,
    revocation: Option<keyhound::revoke::RevocationConfig>,
}

impl Prepared {
    /// The scan's result, with what the commands after it need.
    fn collected(
        self,
        outcome: Outcome,
        engine: Engine,
        place: Place,
        baseline: Option<Baseline>,
    ) -> Collected {
        Collected {
            outcome,
            engine,
            revocation: self.revocation,
            place,
            scope: self.opts.scope,
            baseline,
        }
    }
}

/// The post-detection policy (the configuration's allowlist and test paths, the flags, the
/// fingerprints `ignored` lists), the finding options (with the fingerprint scope:
/// `[fingerprint] scope`, else the repository's `remote`) and the revocation settings.
fn prepare(
    settings: &Settings,
    cfg: Config,
    ignored: std::collections::HashSet<String>,
    remote: Option<String>,
    how: &Collect,
) -> Result<Prepared> {
    let scope = scope_of(&cfg, remote);
    Ok(Prepared {
        policy: Policy {
            allowlist: cfg.allowlist,
            test_paths: cfg.test_paths,
            include_test_keys: settings.include_test_keys,
            ignored,
            min_confidence: settings
                .confidence
                .or(cfg.min_confidence)
                .unwrap_or(keyhound::rules::Confidence::Medium),
        },
        opts: keyhound::finding::Options {
            line_hashes: how.line_hashes,
            raw_lines: how.raw_lines,
            ignore_inline_allow: settings.no_inline_allow,
            scope,
        },
        revocation: cfg.revocation,
    })
}

/// One line naming the staged files that were not scanned, and why; `None` if none were.
fn skipped_line(skipped: &[(String, &'static str)]) -> Option<String> {
    const SHOWN: usize = 5;
    if skipped.is_empty() {
        return None;
    }
    let mut names: Vec<String> = skipped
        .iter()
        .take(SHOWN)
        .map(|(path, why)| format!("{} ({why})", keyhound::term::escape_controls(path)))
        .collect();
    if skipped.len() > SHOWN {
        names.push(format!("and {} more", skipped.len() - SHOWN));
    }
    Some(format!(
        "keyhound: {} staged file{} not scanned, check by hand: {}",
        skipped.len(),
        if skipped.len() == 1 { "" } else { "s" },
        names.join(", ")
    ))
}

pub(super) fn wants_revocation(args: &ScanArgs) -> bool {
    args.revoke || args.revoke_url.is_some() || args.revoke_dry_run
}

/// `--revoke`: sends the checksum-confirmed findings to the revocation webhook and records
/// each one's outcome on the finding (for the report). Revocation problems never change the
/// scan's exit code: the findings are what it reports.
fn send_revocations(
    args: &ScanArgs,
    cfg: Option<keyhound::revoke::RevocationConfig>,
    place: &Place,
    findings: &mut [Finding],
) -> Result<()> {
    use keyhound::revoke::{self, Origin, Revocation, Settings};
    if !wants_revocation(args) {
        return Ok(());
    }
    let cfg = cfg.unwrap_or_default();
    let confirmed: Vec<usize> = (0..findings.len())
        .filter(|&i| findings[i].confirmation.is_confirmed())
        .collect();
    let origin = Origin::of(place);
    // GitHub's partner format carries the token itself.
    let include_token = cfg.include_token || cfg.format == revoke::RevocationFormat::GithubPartner;
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
                        r.token = Some(keyhound::util::redact(t));
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
            findings[i].revocation = Some(revoke::Revocation::DryRun);
        }
        eprintln!(
            "revocation dry run: {} confirmed finding{} would be sent",
            confirmed.len(),
            if confirmed.len() == 1 { "" } else { "s" }
        );
        return Ok(());
    }
    let settings = Settings::new(&cfg, args.revoke_url.as_deref())?;
    if reports.is_empty() {
        return Ok(());
    }
    let fates = revoke::deliver(&settings, &origin, &reports);
    let undelivered = fates
        .iter()
        .filter(|f| !matches!(f, Revocation::Answered(_)))
        .count();
    for (&i, fate) in confirmed.iter().zip(&fates) {
        findings[i].revocation = Some(fate.clone());
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

pub(super) fn exit_code(fail_on: FailOn, findings: &[Finding]) -> i32 {
    let fails = |f: &Finding| match fail_on {
        // A suppression added is a notice for review, not a leak.
        _ if f.is_suppression() => false,
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
    for (format, file) in &args.reports {
        let to = (file.as_os_str() != "-").then_some(file.as_path());
        let plain = report::Options {
            color: false,
            ..opts.clone()
        };
        write_report(*format, to, outcome, engine, &plain)?;
    }
    if args.quiet && args.format == Format::Text && outcome.findings.is_empty() {
        return Ok(());
    }
    write_report(args.format, args.output.as_deref(), outcome, engine, &opts)
}

/// Writes one report to `path` (see [`keyhound::util::write_atomically`]) or standard output.
fn write_report(
    format: Format,
    path: Option<&Path>,
    outcome: &Outcome,
    engine: &Engine,
    opts: &report::Options,
) -> Result<()> {
    let Some(path) = path else {
        let stdout = std::io::stdout();
        let mut lock = std::io::BufWriter::new(stdout.lock());
        report::write(&mut lock, format, outcome, engine, opts)?;
        lock.flush()?;
        return Ok(());
    };
    keyhound::util::write_atomically_with(path, |w| report::write(w, format, outcome, engine, opts))
        .map_err(|e| anyhow::anyhow!("cannot write report to {}: {}", path.display(), e.error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn plan(args: &[&str]) -> Result<Plan> {
        let cli = Cli::parse_from(["keyhound", "scan"].iter().chain(args));
        let Command::Scan(scan) = cli.command else {
            panic!("not scan")
        };
        Plan::resolve(&scan.target)
    }

    #[test]
    fn the_plan_resolves_the_source_once() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        // `--git DIR` is the repository DIR, not a range named DIR.
        let p = plan(&["--git", d]).unwrap();
        assert!(
            matches!(&p.source, Source::History { path, select: Some(s), pre_push: false }
                if path == dir.path() && s.range.is_none()),
        );
        assert!(matches!(plan(&["-"]).unwrap().source, Source::Stdin));
        assert!(matches!(
            plan(&["--staged", d]).unwrap().source,
            Source::Staged(_)
        ));
        let err = |args: &[&str]| plan(args).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err(&["-", d]).contains("cannot be combined with other paths"));
        assert!(err(&["--staged", "-"]).contains("cannot be combined with --staged"));
        assert!(err(&["--staged", d, d]).contains("at most one path"));
        assert!(err(&[&format!("{d}/missing")]).contains("no such file or directory"));
        assert!(err(&["--config", &format!("{d}/none.toml"), d]).contains("does not exist"));
    }

    #[test]
    fn outside_a_repository_the_root_is_the_scanned_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.env"), "x").unwrap();
        std::fs::write(dir.path().join(keyhound::config::CONFIG_FILE), "").unwrap();
        let file = dir.path().join("a.env");
        let p = plan(&[file.to_str().unwrap()]).unwrap();
        assert!(p.place.repo().is_none());
        assert_eq!(p.place.root, dir.path());
        // The configuration beside the file is the one read; revocations spool there too.
        assert_eq!(
            p.config.on_disk.as_deref(),
            Some(dir.path().join(keyhound::config::CONFIG_FILE).as_path())
        );
        let origin = keyhound::revoke::Origin::of(&p.place);
        assert!(
            origin.state_dir.ends_with(".keyhound"),
            "{:?}",
            origin.state_dir
        );
        assert!(
            !origin.state_dir.starts_with(&file),
            "{:?}",
            origin.state_dir
        );
        let why = p.place.repository().err().map(|e| e.to_string());
        assert!(why.unwrap().contains("not inside a git repository"));
    }
}
