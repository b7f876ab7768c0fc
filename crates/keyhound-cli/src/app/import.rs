//! `keyhound import gitleaks`.

use super::config::load_config;
use super::scan::scope_of;
use super::EXIT_CLEAN;
use crate::cli::ImportCommand;
use anyhow::{bail, Context, Result};
use keyhound::config::gitleaks::{self, IgnoreEntry};
use keyhound::detect::Engine;
use keyhound::finding::baseline::IGNORE_FILE;
use keyhound::finding::{Finding, Options, Policy};
use keyhound::source::git::{self, Place};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub(super) fn run(cmd: ImportCommand) -> Result<i32> {
    let ImportCommand::Gitleaks {
        config,
        ignore,
        output,
        force,
        replace_defaults,
    } = cmd;
    let default = |given: Option<PathBuf>, name: &str| -> Option<PathBuf> {
        given.or_else(|| Some(PathBuf::from(name)).filter(|p| p.is_file()))
    };
    // `keyhound import gitleaks .gitleaksignore`: the one file named is the ignore file.
    let named_ignore = ignore.is_none()
        && config.as_ref().is_some_and(|c| {
            c.file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with("gitleaksignore"))
        });
    let (config, ignore) = if named_ignore {
        (None, config)
    } else {
        (
            default(config, ".gitleaks.toml"),
            default(ignore, ".gitleaksignore"),
        )
    };
    if config.is_none() && ignore.is_none() {
        bail!("no .gitleaks.toml or .gitleaksignore here: name the gitleaks configuration to translate");
    }
    let mut skipped = Vec::new();
    if let Some(path) = &config {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
        let t = gitleaks::translate(&name, &text, replace_defaults)?;
        if output.exists() && !force {
            bail!(
                "{} exists; pass --force to replace it (or -o another file and merge by hand)",
                output.display()
            );
        }
        keyhound::util::write_atomically(&output, t.config.as_bytes())?;
        println!(
            "wrote {}: {} rule{} translated{}",
            output.display(),
            t.rules.len(),
            if t.rules.len() == 1 { "" } else { "s" },
            if t.rules.is_empty() {
                String::new()
            } else {
                format!(" ({})", t.rules.join(", "))
            }
        );
        skipped.extend(t.skipped);
    }
    if let Some(path) = &ignore {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let (entries, bad) = gitleaks::parse_ignore(&text);
        skipped.extend(
            bad.into_iter()
                .map(|l| format!("{}: {l:?} is not a gitleaks fingerprint", path.display())),
        );
        // The configuration just written, if any, decides what keyhound finds.
        let cfg_file = config.as_ref().map(|_| output.as_path());
        let place = Place::find(Path::new("."));
        let root = &place.root;
        let (found, unmatched) = translate_ignores(&entries, cfg_file, &place)?;
        skipped.extend(unmatched);
        // Importing twice appends nothing twice.
        let have: std::collections::HashSet<String> =
            keyhound::finding::baseline::ignored_fingerprints(root)?
                .into_iter()
                .collect();
        let mut added = std::collections::HashSet::new();
        let lines: Vec<String> = found
            .into_iter()
            .filter(|(fp, _)| !have.contains(fp) && added.insert(fp.clone()))
            .map(|(fp, comment)| format!("{comment}\n{fp}\n"))
            .collect();
        if !lines.is_empty() {
            let target = root.join(IGNORE_FILE);
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&target)
                .with_context(|| format!("cannot write {}", target.display()))?;
            f.write_all(lines.concat().as_bytes())?;
            println!(
                "appended {} fingerprint{} to {}",
                lines.len(),
                if lines.len() == 1 { "" } else { "s" },
                target.display()
            );
        }
    }
    if skipped.is_empty() {
        println!("everything was translated");
    } else {
        println!("not translated ({}):", skipped.len());
        for s in &skipped {
            println!("  - {}", keyhound::term::escape_controls(s));
        }
    }
    Ok(EXIT_CLEAN)
}

/// A fingerprint for `.keyhoundignore`, and the comment naming where it came from.
type Ignored = (String, String);

/// The findings in a file an entry names, or why it could not be read.
type FileFindings = Result<Vec<Finding>, String>;

/// For each entry, keyhound's fingerprints of the findings on its line, and the entries that
/// matched nothing, reading the files at `place`.
fn translate_ignores(
    entries: &[IgnoreEntry],
    config: Option<&Path>,
    place: &Place,
) -> Result<(Vec<Ignored>, Vec<String>)> {
    if entries.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut cfg = load_config(config, place)?;
    let engine = Engine::new(std::mem::take(&mut cfg.rules).resolve())?;
    let opts = Options {
        line_hashes: false,
        raw_lines: false,
        ignore_inline_allow: false,
        scope: scope_of(&cfg, place.remote_scope()),
    };
    // Everything keyhound finds, whatever the allowlists say: the entry is what silences it.
    let policy = Policy {
        include_test_keys: true,
        ..Policy::default()
    };
    let mut lines = Vec::new();
    let mut unmatched = Vec::new();
    // Entries name the same file (at the same commit) many times: each is read and scanned
    // once.
    let mut scanned: HashMap<(Option<&str>, &str), FileFindings> = HashMap::new();
    for e in entries {
        let shown = match &e.commit {
            Some(c) => format!("{c}:{}:{}:{}", e.file, e.rule, e.line),
            None => format!("{}:{}:{}", e.file, e.rule, e.line),
        };
        let findings = scanned
            .entry((e.commit.as_deref(), e.file.as_str()))
            .or_insert_with(|| {
                let data = content(place.repo(), &place.root, e)?;
                let outcome = keyhound::scan::scan_bytes(&engine, &policy, &opts, &e.file, &data);
                Ok(outcome.findings)
            });
        let findings = match findings {
            Ok(f) => f,
            Err(why) => {
                unmatched.push(format!(".gitleaksignore {shown}: {why}"));
                continue;
            }
        };
        let found: Vec<_> = findings.iter().filter(|f| f.line == e.line).collect();
        if found.is_empty() {
            unmatched.push(format!(
                ".gitleaksignore {shown}: keyhound finds nothing on that line"
            ));
        }
        for f in found {
            lines.push((
                f.fingerprint.clone(),
                format!("# from .gitleaksignore {shown} ({})", f.rule_id),
            ));
        }
    }
    Ok((lines, unmatched))
}

/// The file an entry names: at its commit, or in the working tree.
fn content(
    repo: Option<&git::Repository>,
    root: &Path,
    e: &IgnoreEntry,
) -> Result<Vec<u8>, String> {
    match &e.commit {
        Some(c) => {
            let repo = repo.ok_or("not in a git repository")?;
            let commit = repo
                .revparse_single(c)
                .and_then(|o| o.peel_to_commit())
                .map_err(|_| format!("commit {c} is not in this repository"))?;
            let tree = commit.tree().map_err(|e| e.to_string())?;
            git::blob_at(repo, &tree, &e.file)
                .ok_or_else(|| format!("{} is not a file in commit {c}", e.file))
        }
        None => {
            // An ignore file is data from the repository: it names files in it, never
            // elsewhere (`../../etc/shadow`, `/home/me/.aws/credentials`, a symlink out).
            let p = Path::new(&e.file);
            let outside = || format!("{} is outside the repository; not read", e.file);
            if p.is_absolute() {
                return Err(outside());
            }
            let p = root.join(p);
            let (Ok(real), Ok(top)) = (std::fs::canonicalize(&p), std::fs::canonicalize(root))
            else {
                return Err(format!("cannot read {}", p.display()));
            };
            if !real.starts_with(&top) {
                return Err(outside());
            }
            std::fs::read(&real).map_err(|err| format!("cannot read {}: {err}", p.display()))
        }
    }
}
