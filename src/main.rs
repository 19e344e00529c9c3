use std::process::ExitCode;

use clap::Parser;

use satui::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let db = cli.db.clone().unwrap_or_else(satui::paths::default_db_path);
    match &cli.command {
        Some(Command::Demo) | None => {
            eprintln!("satui: the terminal UI is not built yet");
            ExitCode::from(1)
        }
        Some(command) => satui::cli::run(&cli, command, &db),
    }
}
