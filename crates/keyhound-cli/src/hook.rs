//! `keyhound hook install|uninstall`: git hooks that run keyhound.
//!
//! The hook scripts are `hooks/pre-commit` and `hooks/pre-push` in this repository, embedded
//! here. A hook is ours if it carries the [`MARKER`] line; anything else is the user's and is
//! never overwritten without `--force` (and then it is kept as `<hook>.keyhound-backup`).

use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};

/// The line that marks a hook script as keyhound's.
pub const MARKER: &str = "# keyhound-hook:";

/// Which git hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    PreCommit,
    PrePush,
}

impl Kind {
    pub fn file_name(self) -> &'static str {
        match self {
            Kind::PreCommit => "pre-commit",
            Kind::PrePush => "pre-push",
        }
    }

    /// The script installed for this hook.
    pub fn script(self) -> &'static str {
        match self {
            Kind::PreCommit => include_str!("../../../hooks/pre-commit"),
            Kind::PrePush => include_str!("../../../hooks/pre-push"),
        }
    }
}

/// The directory git runs hooks from: `core.hooksPath` if set (relative to the work tree),
/// else `hooks/` in the common git directory (shared by linked worktrees).
pub fn hooks_dir(repo: &keyhound::source::git::Repository) -> Result<PathBuf> {
    let config = repo.config().context("cannot read the git configuration")?;
    match config.get_path("core.hooksPath") {
        Ok(p) if p.is_absolute() => Ok(p),
        Ok(p) => {
            let base = repo.workdir().unwrap_or_else(|| repo.path());
            Ok(base.join(p))
        }
        Err(_) => Ok(repo.commondir().join("hooks")),
    }
}

fn is_ours(text: &str) -> bool {
    text.lines().any(|l| l.starts_with(MARKER))
}

fn backup_path(hook: &Path) -> PathBuf {
    let mut name = hook.file_name().unwrap_or_default().to_os_string();
    name.push(".keyhound-backup");
    hook.with_file_name(name)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<()> {
    Ok(())
}

/// What [`install`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    /// Written where there was no hook.
    New(PathBuf),
    /// Our hook was already there; rewritten with the current script.
    Updated(PathBuf),
    /// Someone else's hook was moved to the backup path and ours written (`--force`).
    Replaced { hook: PathBuf, backup: PathBuf },
}

/// Installs the hook into `repo`. An existing hook that is not ours is an error unless
/// `force`.
pub fn install(
    repo: &keyhound::source::git::Repository,
    kind: Kind,
    force: bool,
) -> Result<Installed> {
    let dir = hooks_dir(repo)?;
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the hooks directory {}", dir.display()))?;
    let hook = dir.join(kind.file_name());
    let outcome = match std::fs::read(&hook) {
        Ok(existing) if is_ours(&String::from_utf8_lossy(&existing)) => {
            Installed::Updated(hook.clone())
        }
        Ok(_) if !force => bail!(
            "{} already exists and is not keyhound's; left it alone. \
             Run `keyhound hook install --force` to replace it (it will be kept as {}), \
             or call `keyhound scan --staged` from it yourself.",
            hook.display(),
            backup_path(&hook).display()
        ),
        Ok(_) => {
            let backup = backup_path(&hook);
            std::fs::rename(&hook, &backup)
                .with_context(|| format!("cannot move {} aside", hook.display()))?;
            Installed::Replaced {
                hook: hook.clone(),
                backup,
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Installed::New(hook.clone()),
        Err(e) => return Err(anyhow!("cannot read {}: {e}", hook.display())),
    };
    std::fs::write(&hook, kind.script())
        .with_context(|| format!("cannot write {}", hook.display()))?;
    make_executable(&hook)?;
    Ok(outcome)
}

/// What [`uninstall`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Uninstalled {
    Removed(PathBuf),
    /// Removed ours and put back the hook `--force` had moved aside.
    Restored(PathBuf),
    NotInstalled(PathBuf),
}

/// Removes our hook; a hook that is not ours is an error and stays.
pub fn uninstall(repo: &keyhound::source::git::Repository, kind: Kind) -> Result<Uninstalled> {
    let hook = hooks_dir(repo)?.join(kind.file_name());
    let text = match std::fs::read(&hook) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Uninstalled::NotInstalled(hook))
        }
        Err(e) => return Err(anyhow!("cannot read {}: {e}", hook.display())),
    };
    if !is_ours(&String::from_utf8_lossy(&text)) {
        bail!("{} is not keyhound's hook; left it alone", hook.display());
    }
    std::fs::remove_file(&hook).with_context(|| format!("cannot remove {}", hook.display()))?;
    let backup = backup_path(&hook);
    if backup.exists() {
        std::fs::rename(&backup, &hook)
            .with_context(|| format!("cannot restore {}", backup.display()))?;
        return Ok(Uninstalled::Restored(hook));
    }
    Ok(Uninstalled::Removed(hook))
}
