//! Runs a parsed command line; `main` maps the result to an exit code.

mod baseline;
mod config;
mod hook;
mod import;
mod key;
mod progress;
mod revoke;
mod rules;
mod scan;
mod serve;
mod webhook;

use crate::cli::{Cli, Command, ConfigCommand, RulesCommand, WebhookCommand};
use anyhow::Result;
use std::path::Path;

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
            rules::list(config.as_deref(), format)
        }
        Command::Rules(RulesCommand::Test { file }) => rules::test(&file),
        Command::Hook(cmd) => hook::run(cmd),
        Command::Key(cmd) => key::run(cmd),
        Command::Serve(args) => serve::run(args),
        Command::Revoke(args) => revoke::run(args),
        Command::Config(ConfigCommand::Check { config, path }) => {
            config::check(config.as_deref(), path.as_deref().unwrap_or(Path::new(".")))
        }
        Command::Webhook(WebhookCommand::Keygen { out, force }) => webhook::keygen(&out, force),
        Command::Webhook(WebhookCommand::Secret) => webhook::secret(),
    }
}
