//! Reading the command line, and `serve LOGIN`: the one SSH forced command.
//!
//! As in gitolite, each person's key in the service account's `authorized_keys` runs
//!
//! ```text
//! command="shuangsuiji --db P serve LOGIN",restrict,pty ssh-ed25519 AAAA… comment
//! ```
//!
//! and what the person typed after `ssh host` arrives in `SSH_ORIGINAL_COMMAND`. It is split
//! into words by shell quoting rules without any shell running (`shlex`), then parsed by the
//! same parser as a command line typed at the server. Inside it:
//!
//! - `--as`, `--db` and `--today` are refused: the key decides who acts, the forced command
//!   which database and which day;
//! - `serve`, `init`, `backup` and `restore` are refused: they are the server's
//!   administration, done there as the service account;
//! - every file is `-`: the server's files belong to the service account, not to the person,
//!   so files pass through standard input and output;
//! - nothing at all opens the dashboard (`ssh -t host`).
//!
//! Every command line, inside `serve` or not, is refused when it names a global option twice
//! (before and after the subcommand, say): clap would let the later one win.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{ArgMatches, FromArgMatches};

use super::{Cli, Command};
use shuangsuiji::services::identity::Served;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// 该密钥所属用户的登录名
    pub login: String,
}

/// The environment variable sshd puts the requested command in.
pub const ORIGINAL_COMMAND: &str = "SSH_ORIGINAL_COMMAND";

/// Options a command run through `serve` may not give.
const FIXED_BY_THE_KEY: [&str; 3] = ["as", "db", "today"];

/// A refusal of the command line: printed after “错误：”, exit code 2.
fn refuse(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("错误：{}", super::clean(&message.to_string()));
    ExitCode::from(2)
}

/// The long names of the options every subcommand takes (`db`, `as`, `today`, `ascii`).
fn global_options() -> Vec<String> {
    super::command()
        .get_arguments()
        .filter(|a| a.is_global_set())
        .filter_map(|a| a.get_long().map(str::to_string))
        .collect()
}

/// The long option a word gives (`--as=x` → `as`), before a `--` that ends the options.
fn long_options(words: &[OsString]) -> impl Iterator<Item = &str> {
    words
        .iter()
        .map_while(|w| match w.to_str() {
            Some("--") => None,
            other => Some(other),
        })
        .flatten()
        .filter_map(|w| w.strip_prefix("--"))
        .filter(|w| !w.is_empty())
        .map(|w| w.split_once('=').map_or(w, |(name, _)| name))
}

/// The first global option named twice in `words` (the words after the program's name).
fn repeated_global(words: &[OsString]) -> Option<String> {
    let globals = global_options();
    let mut seen: Vec<&str> = Vec::new();
    for name in long_options(words) {
        if globals.iter().any(|g| g == name) {
            if seen.contains(&name) {
                return Some(name.to_string());
            }
            seen.push(name);
        }
    }
    None
}

/// Parses a command line (program name first), printing any mistake; `Err` is the exit code.
fn parse(words: Vec<OsString>) -> Result<(Cli, ArgMatches), ExitCode> {
    if let Some(name) = repeated_global(words.get(1..).unwrap_or_default()) {
        return Err(refuse(format!(
            "参数 --{name} 给出了不止一次：全局参数在子命令前后合计只能给出一次"
        )));
    }
    let matches = match super::command().try_get_matches_from(words) {
        Ok(m) => m,
        Err(e) => return Err(explain(e)),
    };
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return Err(explain(e)),
    };
    cli.db_defaulted = matches.value_source("db") == Some(ValueSource::DefaultValue);
    Ok((cli, matches))
}

/// A clap error: help and version printed as clap prints them (exit 0), mistakes in Chinese
/// (exit 2).
fn explain(e: clap::Error) -> ExitCode {
    match super::explain_arguments(&e) {
        None => {
            // Help and version: clap's rendering, with its remaining English words in Chinese.
            print!("{}", super::chinese_words(&e.render().to_string()));
            ExitCode::SUCCESS
        }
        Some(message) => refuse(message),
    }
}

/// Reads the process's command line; for `serve LOGIN`, the command it carries. Mistakes are
/// printed here, and `Err` is the exit code to end with.
pub fn parse_command_line() -> Result<Cli, ExitCode> {
    let (cli, _) = parse(std::env::args_os().collect())?;
    match &cli.command {
        Some(Command::Serve(a)) => {
            let requested = std::env::var_os(ORIGINAL_COMMAND);
            let served = Served::from_environment(&a.login);
            served_command(cli, served, requested)
        }
        _ => Ok(cli),
    }
}

/// The command line `serve` runs: the person's requested command, under the forced command's
/// database, day and the key's login.
fn served_command(
    outer: Cli,
    served: Served,
    requested: Option<OsString>,
) -> Result<Cli, ExitCode> {
    if outer.act_as.is_some() {
        return Err(refuse("serve 已由密钥指定用户，强制命令中不能再加 --as"));
    }
    let requested = match requested {
        None => String::new(),
        Some(text) => text
            .into_string()
            .map_err(|_| refuse("SSH 传来的命令不是 UTF-8 文本"))?,
    };
    let words = shlex::split(&requested)
        .ok_or_else(|| refuse("SSH 传来的命令中引号不成对，或以 \\ 结尾"))?;
    // `ssh host shuangsuiji whoami`, as a person used to a login shell types it: the
    // program's name is not a subcommand, and is dropped.
    let skip = usize::from(words.first().is_some_and(|w| w == "shuangsuiji"));
    let words: Vec<OsString> = words.into_iter().skip(skip).map(OsString::from).collect();
    if let Some(name) = long_options(&words).find(|n| FIXED_BY_THE_KEY.contains(n)) {
        return Err(refuse(format!(
            "经 SSH 登录时不能使用 --{name}：用户由密钥确定，数据库和日期由服务器上的强制命令确定"
        )));
    }
    let mut line = vec![OsString::from("shuangsuiji")];
    line.extend(words);
    let (inner, matches) = parse(line)?;
    let name = matches.subcommand_name().unwrap_or("");
    if let Some(Command::Serve(_) | Command::Init(_) | Command::Backup(_) | Command::Restore(_)) =
        &inner.command
    {
        return Err(refuse(format!(
            "经 SSH 登录时不能运行 {name}：这是服务器上的管理操作，须在服务器上以服务账户运行"
        )));
    }
    if let Some((arg, path)) = server_files(&matches).into_iter().next() {
        return Err(refuse(format!(
            "经 SSH 登录时不能读写服务器上的文件“{}”：文件经标准输入输出传递，请把 {arg} 写作 -（如 ssh 服务器 import entities - < 名录.xlsx，ssh 服务器 export entities - --format csv > 名录.csv）",
            path.display()
        )));
    }
    Ok(Cli {
        db: outer.db,
        db_defaulted: outer.db_defaulted,
        act_as: None,
        today: outer.today,
        ascii: outer.ascii || inner.ascii,
        // Nothing asked for: the dashboard (never the first run's demo county).
        command: Some(inner.command.unwrap_or(Command::Dashboard)),
        served: Some(served),
    })
}

/// The file arguments given on the command line that are not `-`, each with how the
/// argument is written (`--file`, `<FILE>`). Found by type (every argument holding a path),
/// so that a command added later is covered too.
fn server_files(matches: &ArgMatches) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    let mut command = super::command();
    let mut m = matches;
    loop {
        for id in m.ids() {
            let id = id.as_str();
            if m.value_source(id) != Some(ValueSource::CommandLine) {
                continue;
            }
            let Ok(Some(values)) = m.try_get_many::<PathBuf>(id) else {
                continue;
            };
            let written = command
                .get_arguments()
                .find(|a| a.get_id() == id)
                .map(|a| match a.get_long() {
                    Some(long) => format!("--{long}"),
                    None => format!("<{}>", id.to_uppercase()),
                })
                .unwrap_or_else(|| id.to_string());
            for v in values {
                if !super::stdio::is_stdio(v) {
                    found.push((written.clone(), v.clone()));
                }
            }
        }
        match m.subcommand() {
            Some((name, sub)) => {
                command = command
                    .find_subcommand(name)
                    .cloned()
                    .unwrap_or_else(|| clap::Command::new("unknown"));
                m = sub;
            }
            None => break,
        }
    }
    found
}

/// Whether standard input and output are a terminal (the dashboard needs one).
pub fn on_a_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// `serve` with nothing to run and no terminal for the dashboard (`ssh -T host`).
pub fn no_terminal() -> String {
    "没有终端，无法打开仪表盘：请用 ssh -t 登录，或在 ssh 后写要运行的命令（如 ssh 服务器 whoami，ssh 服务器 --help）".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &[&str]) -> Vec<OsString> {
        line.iter().map(OsString::from).collect()
    }

    fn served(line: Option<&str>) -> Result<Cli, ExitCode> {
        let (outer, _) = parse(words(&[
            "shuangsuiji",
            "--db",
            "/srv/p.db",
            "serve",
            "li.na",
        ]))
        .unwrap_or_else(|_| panic!("the forced command parses"));
        let key = Served {
            login: "li.na".into(),
            key: None,
            from: None,
        };
        served_command(outer, key, line.map(OsString::from))
    }

    #[test]
    fn a_global_option_twice_is_found_before_or_after_the_subcommand() {
        let twice = |line: &[&str]| repeated_global(&words(line));
        assert_eq!(
            twice(&["--as", "li.na", "user", "add", "m", "--as", "ssj"]),
            Some("as".into())
        );
        assert_eq!(twice(&["--db=a", "whoami", "--db", "b"]), Some("db".into()));
        assert_eq!(
            twice(&["--ascii", "dashboard", "--ascii"]),
            Some("ascii".into())
        );
        assert_eq!(twice(&["--as", "li.na", "whoami", "--db", "x"]), None);
        // After `--` words are values, not options.
        assert_eq!(twice(&["--as", "a", "--", "--as"]), None);
        assert_eq!(twice(&["whoami"]), None);
    }

    #[test]
    fn serve_runs_the_requested_command_with_the_forced_database() {
        let cli = served(Some("whoami --json")).unwrap_or_else(|_| panic!("accepted"));
        assert_eq!(cli.db, PathBuf::from("/srv/p.db"));
        assert!(cli.act_as.is_none());
        assert_eq!(cli.served.as_ref().unwrap().login, "li.na");
        assert!(matches!(cli.command, Some(Command::Whoami(ref j)) if j.json));
        // Quoting is a shell's, with no shell: a quoted reason is one word, `;` is a word.
        let cli = served(Some("draw void 2026Q2-01 --reason '登记有误; rm -rf /'"))
            .unwrap_or_else(|_| panic!("accepted"));
        match cli.command {
            Some(Command::Draw(super::super::draws::DrawCommand::Void { reason, .. })) => {
                assert_eq!(reason, "登记有误; rm -rf /")
            }
            other => panic!("{other:?}"),
        }
        // The program's name typed out of habit is dropped.
        let cli = served(Some("shuangsuiji stats")).unwrap_or_else(|_| panic!("accepted"));
        assert!(matches!(cli.command, Some(Command::Stats(_))));
        // Nothing asked for: the dashboard.
        for nothing in [None, Some(""), Some("   ")] {
            let cli = served(nothing).unwrap_or_else(|_| panic!("accepted"));
            assert!(matches!(cli.command, Some(Command::Dashboard)));
        }
    }

    #[test]
    fn serve_refuses_what_the_key_fixes_and_the_servers_files() {
        for line in [
            "--as ssj whoami",
            "whoami --as ssj",
            "whoami --as=ssj",
            "--db /tmp/other.db whoami",
            "stats --db=/tmp/other.db",
            "--today 2026-01-01 whoami",
            "serve admin",
            "init --demo",
            "backup /tmp/copy.db",
            "restore /tmp/copy.db",
            "import entities /home/ssj/名录.xlsx",
            "export entities /home/ssj/.ssh/authorized_keys --force",
            "result submit 3 --file /etc/passwd",
            "draw verify --file ../record.json",
            "template entities t.xlsx",
            "report annual --year 2026 r.md",
            "whoami 'unclosed",
            "stats --bogus",
        ] {
            assert!(served(Some(line)).is_err(), "{line} is refused");
        }
        for line in [
            "import entities -",
            "export entities - --format csv",
            "result submit 3 --file -",
            "template entities -",
            "report annual --year 2026 - --format md",
            "draw verify --file -",
        ] {
            assert!(served(Some(line)).is_ok(), "{line} is accepted");
        }
    }

    #[test]
    fn server_files_are_found_by_type_with_how_they_are_written() {
        let m = crate::cli::command()
            .try_get_matches_from(["s", "result", "submit", "3", "--file", "/etc/passwd"])
            .unwrap();
        assert_eq!(
            server_files(&m),
            vec![("--file".to_string(), PathBuf::from("/etc/passwd"))]
        );
        let m = crate::cli::command()
            .try_get_matches_from(["s", "import", "entities", "a.xlsx"])
            .unwrap();
        assert_eq!(
            server_files(&m),
            vec![("<FILE>".to_string(), PathBuf::from("a.xlsx"))]
        );
        // The database path from the environment or the default is not the person's.
        let m = crate::cli::command()
            .try_get_matches_from(["s", "whoami"])
            .unwrap();
        assert!(server_files(&m).is_empty());
    }
}
