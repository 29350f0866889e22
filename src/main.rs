//! shuangsuiji: the dashboard and the command line.

mod cli;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

fn main() -> std::process::ExitCode {
    // A variable set but empty (`SHUANGSUIJI_DB=`) means "not set", not "an empty value".
    for var in ["SHUANGSUIJI_DB", "SHUANGSUIJI_TODAY"] {
        if std::env::var_os(var).is_some_and(|v| v.is_empty()) {
            // SAFETY: the process has one thread here; nothing else reads the environment.
            unsafe { std::env::remove_var(var) };
        }
    }
    let parsed = cli::Cli::command().try_get_matches().and_then(|matches| {
        let mut args = cli::Cli::from_arg_matches(&matches)?;
        args.db_defaulted = matches.value_source("db") == Some(ValueSource::DefaultValue);
        Ok(args)
    });
    let args = match parsed {
        Ok(args) => args,
        Err(e) => match cli::explain_arguments(&e) {
            None => e.exit(),
            Some(message) => {
                eprintln!("错误：{message}");
                return std::process::ExitCode::from(2);
            }
        },
    };
    if !matches!(args.command, None | Some(cli::Command::Dashboard)) {
        // Output piped into `head` ends the command quietly, as for any Unix tool, instead of
        // a panic on the closed pipe. (The dashboard keeps Rust's default: it owns a terminal.)
        // SAFETY: restoring the default disposition of a signal before any thread starts.
        let _ = unsafe {
            nix::sys::signal::signal(
                nix::sys::signal::Signal::SIGPIPE,
                nix::sys::signal::SigHandler::SigDfl,
            )
        };
    }
    match cli::run(args) {
        Ok(cli::Finished::Cleanly) | Err(cli::Failure::Quiet) => std::process::ExitCode::SUCCESS,
        Ok(cli::Finished::WithWarnings) => std::process::ExitCode::from(2),
        Err(cli::Failure::Message(message)) => {
            // Messages can quote file contents: nothing in them may drive the terminal.
            eprintln!("错误：{}", cli::clean(&message));
            std::process::ExitCode::FAILURE
        }
    }
}
