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
                eprintln!("error: {err:#}");
                EXIT_ERROR
            }
        }
    };
    std::process::exit(code);
}
