//! shuangsuiji: the dashboard and the command line.

mod cli;

fn main() -> std::process::ExitCode {
    // A variable set but empty (`SHUANGSUIJI_DB=`) means "not set", not "an empty value".
    for var in ["SHUANGSUIJI_DB", "SHUANGSUIJI_TODAY"] {
        if std::env::var_os(var).is_some_and(|v| v.is_empty()) {
            // SAFETY: the process has one thread here; nothing else reads the environment.
            unsafe { std::env::remove_var(var) };
        }
    }
    // The command line (for `serve LOGIN`, the command it carries), or the exit code of a
    // mistake already printed.
    let args = match cli::parse_command_line() {
        Ok(args) => args,
        Err(code) => return code,
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
