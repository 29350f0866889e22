//! shuangsuiji: the command line (and, later, the dashboard).

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(cli::Failure(message)) if message.is_empty() => std::process::ExitCode::SUCCESS,
        Err(cli::Failure(message)) => {
            // Messages can quote file contents: nothing in them may drive the terminal.
            eprintln!("错误：{}", cli::clean(&message));
            std::process::ExitCode::FAILURE
        }
    }
}
