//! `keyhound hook install` and `hook uninstall`.

use super::EXIT_CLEAN;
use crate::cli::HookCommand;
use anyhow::Result;
use keyhound::source::git::Place;
use std::path::Path;

pub(super) fn run(cmd: HookCommand) -> Result<i32> {
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
