use clap::Parser;
use keyhound::app::{self, EXIT_ERROR};
use keyhound::cli::Cli;

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
