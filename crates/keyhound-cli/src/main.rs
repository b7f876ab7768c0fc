//! `keyhound`: parses the command line (clap), runs it, and maps the result to an exit code:
//! 0 clean, 1 findings, 2 error.
//!
//! - [`cli`]: the arguments, per subcommand;
//! - [`app`]: one module per command, calling the scanner library (`keyhound`) and the
//!   issuer (`keyhound-issuer`);
//! - [`hook`]: installing keyhound as a git pre-commit hook.

mod app;
mod cli;
mod hook;

use app::EXIT_ERROR;
use clap::Parser;
use cli::Cli;

fn main() {
    let cli = Cli::parse();
    let code = match app::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`keyhound scan | head`) ends quietly.
            if err
                .chain()
                .filter_map(|e| e.downcast_ref::<std::io::Error>())
                .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                0
            } else {
                // Messages quote paths and names from what was scanned: their control
                // characters are shown escaped (line breaks the message makes are kept).
                let text = format!("{err:#}");
                let lines: Vec<_> = text
                    .split('\n')
                    .map(keyhound::term::escape_controls)
                    .collect();
                eprintln!("error: {}", lines.join("\n"));
                EXIT_ERROR
            }
        }
    };
    std::process::exit(code);
}
