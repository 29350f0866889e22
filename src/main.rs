//! shuangsuiji: the command line (and, later, the dashboard).

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(cli::Failure(message)) if message.is_empty() => std::process::ExitCode::SUCCESS,
        Err(cli::Failure(message)) => {
            eprintln!("错误：{message}");
            std::process::ExitCode::FAILURE
        }
    }
}
