//! The forced-command model (issue 10, item 2 and weakness 3): `serve LOGIN` as the one SSH
//! forced command, files through standard input and output, a global option given twice
//! refused, and every audit event saying how its actor was established. The last test drives
//! it all through a real OpenSSH server on loopback.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use shuangsuiji::domain::audit::EventFilter;
use shuangsuiji::services::identity;

use crate::support::{self, BIN, command, demo_copy, open, stderr, stdout};

// ---------------------------------------------------------------------------------------------
// Helpers.

/// `shuangsuiji --db DB serve LOGIN` as sshd would start it for a key: the requested command
/// in `SSH_ORIGINAL_COMMAND` (none: the person asked for nothing), on the demo day, with no
/// other SSH variables unless the test sets them.
fn serve(db: &Path, login: &str, requested: Option<&str>) -> Command {
    let mut c = command(db, &["serve", login]);
    c.env_remove("SSH_ORIGINAL_COMMAND")
        .env_remove("SSH_USER_AUTH")
        .env_remove("SSH_CONNECTION");
    if let Some(r) = requested {
        c.env("SSH_ORIGINAL_COMMAND", r);
    }
    c
}

/// Runs `c` with `input` on standard input.
fn with_input(mut c: Command, input: &[u8]) -> Output {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // Written beside the reading of the output, so that neither pipe can fill and stall the
    // other. A refused command may exit before reading: a closed pipe is no failure here.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// Runs `c` with nothing on standard input.
fn run(mut c: Command) -> Output {
    c.stdin(Stdio::null()).output().expect("the binary runs")
}

fn ok(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what}: exit {:?}\n{}",
        o.status.code(),
        stderr(o)
    );
}

fn refused(o: &Output, code: i32, words: &[&str], what: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "{what}: {err}");
    for w in words {
        assert!(err.contains(w), "{what}: {w:?} missing from {err}");
    }
    assert!(!err.contains("panicked"), "{what}: {err}");
}

/// The newest audit event whose action starts with `action`, read by the OS user.
fn last_event(db: &Path, action: &str) -> shuangsuiji::domain::audit::AuditEvent {
    let s = open(db, "admin.li");
    s.audit_events(&EventFilter {
        action_prefix: Some(action.to_string()),
        actor: None,
        subject: None,
        limit: Some(1),
    })
    .unwrap()
    .into_iter()
    .next()
    .unwrap_or_else(|| panic!("an {action} event"))
}

fn via(event: &shuangsuiji::domain::audit::AuditEvent) -> Value {
    let detail: Value = serde_json::from_str(&event.detail).unwrap();
    detail["via"].clone()
}

/// A file with what sshd writes for `SSH_USER_AUTH` under `ExposeAuthInfo yes`.
const KEY_LINE: &str =
    "publickey ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBVTZe3xxd+CLkDTW9hegs/Lq3rOk7O37bUh3JJikr0c\n";
/// What `ssh-keygen -lf` prints for that key.
const KEY_PRINT: &str = "SHA256:C910mHXjL9Ww+K9hlyqUSxX5U8eyaPctacr6TzrkvH4";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

// ---------------------------------------------------------------------------------------------
// A global option twice (weakness 3).

#[test]
fn a_global_option_given_twice_anywhere_on_the_line_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "demo.db");
    // The line that once added an admin in service-account mode: the later --as won.
    let o = run(command(
        &db,
        &[
            "--as", "li.na", "user", "add", "mallory", "--name", "M", "--role", "admin", "--as",
            "ssjsvc",
        ],
    ));
    refused(&o, 2, &["--as", "不止一次"], "--as twice");
    assert!(
        open(&db, "admin.li")
            .list_users()
            .unwrap()
            .iter()
            .all(|u| u.login != "mallory"),
        "nobody was added"
    );
    let elsewhere = dir.path().join("other.db");
    for line in [
        vec!["whoami", "--db", s(&elsewhere)],
        vec!["--today", "2026-05-21", "whoami"],
        vec!["whoami", "--as=li.rui", "--as", "lead.liu"],
        vec!["--ascii", "stats", "--ascii"],
    ] {
        // `command` gives --db (and the date through the environment) before these.
        let mut c = command(&db, &line);
        if line.contains(&"--today") {
            c.arg("--today").arg("2026-05-22");
        }
        let o = run(c);
        refused(&o, 2, &["不止一次"], &line.join(" "));
    }
    assert!(!elsewhere.exists(), "the second --db was not opened");
    // Once, before or after the subcommand, is as before.
    for line in [["--as", "li.rui", "whoami"], ["whoami", "--as", "li.rui"]] {
        let o = run(command(&db, &line));
        ok(&o, &line.join(" "));
        assert!(stdout(&o).starts_with("li.rui"), "{}", stdout(&o));
    }
}

// ---------------------------------------------------------------------------------------------
// serve LOGIN.

#[test]
fn serve_is_honoured_only_for_the_service_account() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("prod.db");
    let prod = |c: &mut Command| {
        c.env_remove("SHUANGSUIJI_TODAY");
    };
    let mut c = command(&db, &["init", "--empty"]);
    prod(&mut c);
    ok(&run(c), "init");
    let mut c = command(
        &db,
        &[
            "user",
            "add",
            "zhang.wei",
            "--name",
            "张伟",
            "--role",
            "lead",
        ],
    );
    prod(&mut c);
    ok(&run(c), "user add");
    // Anyone may start the binary with `serve principal`: without the service account it
    // is refused, as --as is.
    let mut c = serve(&db, "zhang.wei", Some("whoami"));
    prod(&mut c);
    refused(
        &run(c),
        1,
        &["serve 只在以服务账户运行时有效", "本库未设置服务账户"],
        "serve before the service account",
    );
    let me = identity::os_login().unwrap();
    let mut c = command(&db, &["settings", "service-account", &me]);
    prod(&mut c);
    ok(&run(c), "service account");
    let mut c = serve(&db, "zhang.wei", Some("whoami --json"));
    prod(&mut c);
    let o = run(c);
    ok(&o, "serve as the service account");
    let who: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(who["login"], "zhang.wei");
    // Only registered, active people.
    let mut c = serve(&db, "nobody", Some("whoami"));
    prod(&mut c);
    refused(&run(c), 1, &["nobody", "未登记"], "an unknown login");
    // A production database keeps refusing a date, even one the forced command gives.
    let mut c = command(&db, &["--today", "2026-05-20", "serve", "zhang.wei"]);
    prod(&mut c);
    c.env("SSH_ORIGINAL_COMMAND", "whoami");
    refused(&run(c), 1, &["--today"], "a date on production");
}

#[test]
fn inside_serve_the_key_fixes_who_acts_on_which_database_and_day() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "demo.db");
    let other = dir.path().join("other.db");
    let key = dir.path().join("key");
    std::fs::write(&key, b"x").unwrap();
    for (line, words) in [
        (
            "--as admin.li user add m --name M --role admin",
            &["--as"][..],
        ),
        ("whoami --as admin.li", &["--as"]),
        ("whoami --as=admin.li", &["--as"]),
        (&format!("--db {} whoami", s(&other)), &["--db"]),
        (&format!("stats --db={}", s(&other)), &["--db"]),
        ("--today 2026-12-31 whoami", &["--today"]),
        ("serve admin.li", &["serve", "管理操作"]),
        ("init --demo", &["init"]),
        ("backup copy.db", &["backup"]),
        (&format!("restore {}", s(&key)), &["restore"]),
        ("whoami 'unclosed", &["引号"]),
        ("stats --bogus", &["--bogus"]),
    ] {
        let o = run(serve(&db, "lead.liu", Some(line)));
        refused(&o, 2, words, line);
        assert!(o.stdout.is_empty(), "{line}: {}", stdout(&o));
    }
    assert!(!other.exists());
    assert!(
        open(&db, "admin.li")
            .list_users()
            .unwrap()
            .iter()
            .all(|u| u.login != "m")
    );
    // The forced command itself may not carry --as either: the key names the person.
    let mut c = command(&db, &["--as", "admin.li", "serve", "lead.liu"]);
    c.env("SSH_ORIGINAL_COMMAND", "whoami");
    refused(&run(c), 2, &["--as"], "--as in the forced command");
    // The server's files are out of reach: every file is `-`.
    let target = dir.path().join("stolen.csv");
    for (line, arg) in [
        (format!("export entities {}", s(&target)), "<FILE>"),
        (format!("import entities {}", s(&key)), "<FILE>"),
        (format!("result submit 3 --file {}", s(&key)), "--file"),
        (format!("draw verify --file {}", s(&key)), "--file"),
        (format!("template entities {}", s(&target)), "<FILE>"),
        (
            format!("report quarter --period 2026Q1 {}", s(&target)),
            "<FILE>",
        ),
    ] {
        let o = run(serve(&db, "lead.liu", Some(&line)));
        refused(&o, 2, &["服务器上的文件", arg, "写作 -"], &line);
    }
    assert!(!target.exists());
    // Help is there to read.
    let o = run(serve(&db, "lead.liu", Some("--help")));
    ok(&o, "--help");
    assert!(stdout(&o).contains("serve"), "{}", stdout(&o));
}

#[test]
fn serve_with_nothing_asked_opens_the_dashboard_which_needs_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "demo.db");
    for requested in [None, Some(""), Some("  ")] {
        let o = run(serve(&db, "lead.liu", requested));
        refused(&o, 1, &["没有终端", "ssh -t"], "no terminal");
    }
}

// ---------------------------------------------------------------------------------------------
// Files through standard input and output.

#[test]
fn files_pass_through_standard_input_and_output() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "demo.db");
    // An export to `-` writes the file and nothing else on standard output: the same bytes
    // as an export to a file.
    let o = run(serve(
        &db,
        "lead.liu",
        Some("export entities - --format csv"),
    ));
    ok(&o, "export to -");
    assert!(
        stderr(&o).contains("已导出 589 条到 标准输出"),
        "{}",
        stderr(&o)
    );
    let file = dir.path().join("entities.csv");
    ok(
        &run(command(&db, &["export", "entities", s(&file)])),
        "export to a file",
    );
    assert_eq!(o.stdout, std::fs::read(&file).unwrap());
    // `-` needs a format; a file name gets its format from the extension, not --format.
    let o = run(serve(&db, "lead.liu", Some("export entities -")));
    refused(&o, 1, &["--format"], "no format");
    assert!(o.stdout.is_empty());
    let o = run(command(
        &db,
        &[
            "export",
            "entities",
            s(&dir.path().join("x.csv")),
            "--format",
            "csv",
        ],
    ));
    refused(&o, 1, &["--format 只用于"], "--format with a file");

    // An import from `-`: the format is told from the bytes.
    let csv = String::from_utf8(std::fs::read(&file).unwrap()).unwrap();
    let changed = csv.replacen("阳城县", "阳城縣", 1);
    assert_ne!(csv, changed, "the export names the county");
    let o = with_input(
        serve(&db, "lead.liu", Some("import entities -")),
        changed.as_bytes(),
    );
    ok(&o, "import csv from -");
    assert!(
        stdout(&o).contains("导入完成：标准输入.csv 共 589 行，新增 0，更新 1"),
        "{}",
        stdout(&o)
    );
    let ev = last_event(&db, "entities.import");
    assert_eq!(ev.subject, "标准输入.csv");
    assert_eq!(ev.actor, "lead.liu");
    // A workbook and a JSON export come back through `-` unchanged.
    for format in ["xlsx", "json"] {
        let o = run(serve(
            &db,
            "lead.liu",
            Some(&format!("export entities - --format {format}")),
        ));
        ok(&o, format);
        let back = with_input(
            serve(&db, "lead.liu", Some("import entities - --dry-run")),
            &o.stdout,
        );
        ok(&back, format);
        assert!(
            stdout(&back).contains(&format!(
                "标准输入.{format} 共 589 行，新增 0，更新 0，未变 589"
            )),
            "{format}: {}",
            stdout(&back)
        );
    }
    // Nothing on standard input, or a file beyond reading, is refused in words.
    let o = with_input(serve(&db, "lead.liu", Some("import entities -")), b"");
    refused(&o, 1, &["标准输入没有内容"], "empty input");
    let o = with_input(
        serve(&db, "lead.liu", Some("import entities -")),
        b"PK\x03\x04 not really a zip",
    );
    refused(&o, 1, &["Excel"], "a broken workbook");

    // A template and reports to `-`.
    let o = run(serve(&db, "lead.liu", Some("template entities -")));
    ok(&o, "template");
    assert!(o.stdout.starts_with(b"PK\x03\x04"), "a workbook");
    let o = run(serve(
        &db,
        "lead.liu",
        Some("report quarter --period 2026Q1 - --format md"),
    ));
    ok(&o, "report md");
    assert!(stdout(&o).starts_with('#'), "{}", stdout(&o));
    assert!(stderr(&o).contains("已生成"), "{}", stderr(&o));
    let o = run(serve(
        &db,
        "lead.liu",
        Some("report quarter --period 2026Q1 - --format xlsx"),
    ));
    ok(&o, "report xlsx");
    assert!(o.stdout.starts_with(b"PK\x03\x04"));
    let o = run(serve(
        &db,
        "lead.liu",
        Some("report quarter --period 2026Q1 - --format md --json"),
    ));
    refused(&o, 1, &["--json"], "report to - with --json");
}

#[test]
fn a_result_is_submitted_through_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let c = support::completed_visit(&dir, "demo.db", |_| true);
    let result = {
        let s = open(&c.db, &c.officer);
        support::clean_result(&s, c.visit.id)
    };
    let toml = toml::to_string(&result).unwrap();
    let line = format!("result submit {} --file -", c.visit.id);
    // A broken file is named as standard input, with its line.
    let o = with_input(serve(&c.db, &c.officer, Some(&line)), b"categories = [\n");
    refused(&o, 1, &["检查结果文件 标准输入 第"], "broken toml");
    let o = with_input(serve(&c.db, &c.officer, Some(&line)), toml.as_bytes());
    ok(&o, "submit from -");
    let ev = last_event(&c.db, "result.submit");
    assert_eq!(ev.actor, c.officer);
    assert_eq!(via(&ev)["kind"], "serve");
}

// ---------------------------------------------------------------------------------------------
// How the actor was established.

#[test]
fn every_event_records_how_its_actor_was_established() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_copy(&dir, "demo.db");
    let me = identity::os_login().unwrap();
    // The OS account itself (the demo's creator).
    ok(
        &run(command(
            &db,
            &[
                "calendar",
                "set",
                "2026-06-01",
                "--kind",
                "放假",
                "--reason",
                "县里通知",
            ],
        )),
        "as the OS account",
    );
    let ev = last_event(&db, "calendar");
    assert_eq!(ev.actor, me);
    assert_eq!(via(&ev), serde_json::json!({"kind": "os", "account": me}));
    // --as on a demo database.
    ok(
        &run(command(
            &db,
            &[
                "--as",
                "admin.li",
                "calendar",
                "set",
                "2026-06-02",
                "--kind",
                "放假",
                "--reason",
                "县里通知",
            ],
        )),
        "--as",
    );
    let ev = last_event(&db, "calendar");
    assert_eq!(ev.actor, "admin.li");
    assert_eq!(via(&ev), serde_json::json!({"kind": "as", "account": me}));
    // serve, with the key sshd exposed and the client's address.
    let auth = dir.path().join("auth");
    std::fs::write(&auth, KEY_LINE).unwrap();
    let mut c = serve(
        &db,
        "admin.li",
        Some("calendar set 2026-06-03 --kind 放假 --reason 县里通知"),
    );
    c.env("SSH_USER_AUTH", &auth)
        .env("SSH_CONNECTION", "10.20.30.40 50000 10.0.0.1 22");
    ok(&run(c), "serve with a key");
    let ev = last_event(&db, "calendar");
    assert_eq!(ev.actor, "admin.li");
    assert_eq!(
        via(&ev),
        serde_json::json!({"kind": "serve", "account": me, "key": KEY_PRINT,
            "key_type": "ssh-ed25519", "from": "10.20.30.40"})
    );
    // Without ExposeAuthInfo the log says the key is not known, not something else.
    ok(
        &run(serve(
            &db,
            "admin.li",
            Some("calendar set 2026-06-04 --kind 放假 --reason 县里通知"),
        )),
        "serve without a key",
    );
    let ev = last_event(&db, "calendar");
    assert_eq!(
        via(&ev),
        serde_json::json!({"kind": "serve", "account": me})
    );
    // The chain still verifies, and `audit log` shows each in words.
    ok(&run(command(&db, &["audit", "verify"])), "audit verify");
    let o = run(command(
        &db,
        &["audit", "log", "--action", "calendar", "--limit", "4"],
    ));
    ok(&o, "audit log");
    let log = stdout(&o);
    assert!(log.contains("身份来源"), "{log}");
    assert!(log.contains(&format!("系统账户 {me}")), "{log}");
    assert!(log.contains(&format!("--as（系统账户 {me}）")), "{log}");
    assert!(
        log.contains(&format!("serve 密钥 {KEY_PRINT} 来自 10.20.30.40")),
        "{log}"
    );
    assert!(log.contains("serve 密钥未知"), "{log}");
}

#[test]
fn an_observer_sees_how_a_draw_was_run_but_not_what_it_drew() {
    let dir = tempfile::tempdir().unwrap();
    let db = support::drawn_copy(&dir, "demo.db");
    let observer = support::only(
        &open(&db, "admin.li"),
        shuangsuiji::domain::role::Role::Observer,
    );
    let o = run(command(
        &db,
        &[
            "--as", &observer, "audit", "log", "--action", "draw.run", "--json",
        ],
    ));
    ok(&o, "observer's audit log");
    let events: Value = serde_json::from_slice(&o.stdout).unwrap();
    let detail: Value = serde_json::from_str(events[0]["detail"].as_str().unwrap()).unwrap();
    assert!(detail.get("保密").is_some(), "{detail}");
    assert!(
        detail.get("seed").is_none() && detail.get("visits").is_none(),
        "{detail}"
    );
    assert_eq!(detail["via"]["kind"], "as", "{detail}");
}

// ---------------------------------------------------------------------------------------------
// Through a real OpenSSH server.

/// A throw-away sshd on 127.0.0.1 with its own config, port, host key and
/// `authorized_keys` in a temporary directory; stopped when dropped.
struct Sshd {
    child: std::process::Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SSHD: &str = "/usr/sbin/sshd";

/// sshd must be there: `.ci/run` installs openssh-server. Only outside CI may a developer
/// without it skip this test, by saying so (`SHUANGSUIJI_TEST_NO_SSHD=1`).
fn sshd_required() -> bool {
    if Path::new(SSHD).exists() {
        return true;
    }
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    if !ci && std::env::var_os("SHUANGSUIJI_TEST_NO_SSHD").is_some() {
        eprintln!("skipped: {SSHD} is missing and SHUANGSUIJI_TEST_NO_SSHD is set");
        return false;
    }
    panic!(
        "{SSHD} is missing: install openssh-server (.ci/run does: apt-get install openssh-server)"
    );
}

fn keygen(path: &Path, comment: &str) {
    let o = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"])
        .arg(path)
        .output()
        .expect("ssh-keygen runs (openssh-client)");
    assert!(o.status.success(), "ssh-keygen: {}", stderr(&o));
}

impl Sshd {
    /// Starts sshd for the current account, with `authorized` as its `authorized_keys`.
    fn start(authorized: &str) -> Sshd {
        let dir = tempfile::tempdir().unwrap();
        let host_key = dir.path().join("host_ed25519");
        keygen(&host_key, "host");
        std::fs::write(dir.path().join("authorized_keys"), authorized).unwrap();
        let root = nix::unistd::getuid().is_root();
        if root {
            // sshd's privilege separation directory (the package's service makes it at boot).
            std::fs::create_dir_all("/run/sshd").unwrap();
        }
        let me = identity::os_login().unwrap();
        let mut last = String::new();
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let config = dir.path().join("sshd_config");
            let d = dir.path().display();
            std::fs::write(
                &config,
                format!(
                    "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_ed25519\n\
                     PidFile {d}/sshd.pid\nAuthorizedKeysFile {d}/authorized_keys\n\
                     StrictModes no\nExposeAuthInfo yes\nPubkeyAuthentication yes\n\
                     PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
                     PermitRootLogin prohibit-password\nAllowUsers {me}\nLogLevel VERBOSE\n"
                ),
            )
            .unwrap();
            let log = std::fs::File::create(dir.path().join("sshd.log")).unwrap();
            let mut child = Command::new(SSHD)
                .arg("-f")
                .arg(&config)
                .args(["-D", "-e"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("{SSHD} does not start: {e}"));
            // Wait until it listens (or has exited, say because the port was taken since).
            let mut listening = false;
            for _ in 0..200 {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    listening = true;
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            if listening {
                return Sshd { child, port, dir };
            }
            let _ = child.kill();
            let _ = child.wait();
            last = std::fs::read_to_string(dir.path().join("sshd.log")).unwrap_or_default();
        }
        panic!("sshd did not start on loopback:\n{last}");
    }

    /// The arguments of `ssh -p PORT -i KEY … -- ACCOUNT@127.0.0.1` (`-T` or `-tt` first).
    fn ssh_args(&self, key: &Path, tty: &str) -> Vec<String> {
        let me = identity::os_login().unwrap();
        let mut args: Vec<String> = ["-F", "/dev/null", tty, "-p"].map(String::from).to_vec();
        args.push(self.port.to_string());
        args.push("-i".into());
        args.push(s(key).into());
        for o in [
            "StrictHostKeyChecking=no",
            "UserKnownHostsFile=/dev/null",
            "BatchMode=yes",
            "IdentitiesOnly=yes",
            "LogLevel=ERROR",
        ] {
            args.push("-o".into());
            args.push(o.into());
        }
        // No option after this: a request such as `--as root whoami` is the command's.
        args.push("--".into());
        args.push(format!("{me}@127.0.0.1"));
        args
    }

    /// `ssh … REQUEST` without a terminal, with `input` on standard input.
    fn ssh(&self, key: &Path, request: &str, input: &[u8]) -> Output {
        let mut c = Command::new("ssh");
        c.args(self.ssh_args(key, "-T")).arg(request);
        with_input(c, input)
    }

    /// `ssh -tt …` with no command, in a pseudo-terminal: the dashboard, as a person opens
    /// it. Waits for its first frame, presses `q`, and returns the screen and whether ssh
    /// (and so the dashboard) exited successfully.
    fn dashboard(&self, key: &Path) -> (String, bool) {
        use portable_pty::{CommandBuilder, PtySize, native_pty_system};
        use std::io::Read;
        use std::sync::{Arc, Mutex};
        use std::time::{Duration, Instant};
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 100,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new("ssh");
        cmd.args(self.ssh_args(key, "-tt"));
        cmd.env("TERM", "xterm-256color");
        let mut child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let mut writer = pair.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(30).unwrap(),
            std::num::NonZeroU16::new(100).unwrap(),
            0,
        )));
        let shared = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                shared.lock().unwrap().process(&buf[..n]);
            }
        });
        let text = || screen.lock().unwrap().screen().contents();
        // Generous: a loaded two-core machine; the screen is polled, so no one waits for it.
        let deadline = Instant::now() + Duration::from_secs(30);
        while !text().contains("1总览") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let shown = text();
        writer.write_all(b"q").unwrap();
        writer.flush().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        (shown, status.is_some_and(|s| s.success()))
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }
}

#[test]
fn through_a_real_ssh_server_on_loopback() {
    if !sshd_required() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A production database whose service account is this account, as under option B.
    let db = dir.path().join("prod.db");
    let me = identity::os_login().unwrap();
    let local = |args: &[&str]| {
        let mut c = command(&db, args);
        c.env_remove("SHUANGSUIJI_TODAY");
        run(c)
    };
    ok(&local(&["init", "--empty"]), "init");
    ok(
        &local(&[
            "user",
            "add",
            "zhang.wei",
            "--name",
            "张伟",
            "--role",
            "lead",
        ]),
        "user add",
    );
    ok(
        &local(&["settings", "service-account", &me]),
        "service account",
    );
    let key = dir.path().join("zhang");
    keygen(&key, "zhang.wei@laptop");
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let sshd = Sshd::start(&format!(
        "command=\"{BIN} --db {} serve zhang.wei\",restrict,pty {public}",
        s(&db)
    ));
    let fingerprint = {
        let o = Command::new("ssh-keygen")
            .arg("-lf")
            .arg(key.with_extension("pub"))
            .output()
            .unwrap();
        stdout(&o).split_whitespace().nth(1).unwrap().to_string()
    };
    assert!(fingerprint.starts_with("SHA256:"), "{fingerprint}");

    // Who am I: the key's person, whatever account sshd runs as.
    let o = sshd.ssh(&key, "whoami", b"");
    assert!(o.status.success(), "{}\n{}", stderr(&o), sshd.log());
    assert!(
        stdout(&o).starts_with("zhang.wei（张伟）"),
        "{}",
        stdout(&o)
    );

    // An import through standard input (`ssh host import entities - < 名录.csv`).
    let demo = demo_copy(&dir, "demo.db");
    let csv = dir.path().join("名录.csv");
    ok(
        &run(command(&demo, &["export", "entities", s(&csv)])),
        "the demo's registry",
    );
    let o = sshd.ssh(&key, "import entities -", &std::fs::read(&csv).unwrap());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("导入完成：标准输入.csv 共 589 行，新增 589"),
        "{}",
        stdout(&o)
    );

    // An export to standard output: the bytes an export to a file has.
    let o = sshd.ssh(&key, "export entities - --format csv", b"");
    assert!(o.status.success(), "{}", stderr(&o));
    let here = dir.path().join("here.csv");
    ok(&local(&["export", "entities", s(&here)]), "local export");
    assert_eq!(o.stdout, std::fs::read(&here).unwrap());

    // The import's event names the person, the key's fingerprint and where from.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (actor, detail): (String, String) = conn
        .query_row(
            "SELECT actor, detail FROM audit_log WHERE action = 'entities.import'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(actor, "zhang.wei");
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(
        detail["via"],
        serde_json::json!({"kind": "serve", "account": me, "key": fingerprint,
            "key_type": "ssh-ed25519", "from": "127.0.0.1"})
    );
    assert!(
        sshd.log().contains(&fingerprint),
        "sshd logged the same key: {}",
        sshd.log()
    );

    // Nothing asked for, with a terminal: the dashboard, as zhang.wei.
    let (screen, quit) = sshd.dashboard(&key);
    assert!(
        screen.contains("1总览"),
        "the dashboard over ssh -tt:\n{screen}"
    );
    assert!(screen.contains("zhang.wei"), "{screen}");
    assert!(
        quit,
        "q ends the dashboard and the session cleanly:\n{screen}"
    );

    // Another identity, another database, a server file: refused, exit 2 through ssh.
    for request in [
        "--as root whoami",
        "whoami --as root",
        "user add mallory --name M --role admin --as root",
        "--db /tmp/other.db whoami",
        "export entities /tmp/stolen.csv",
    ] {
        let o = sshd.ssh(&key, request, b"");
        assert_eq!(o.status.code(), Some(2), "{request}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{request}: {}", stdout(&o));
    }
    // What the shell would make of it is not done: `;` is a word like any other.
    let o = sshd.ssh(&key, "whoami; touch /tmp/shuangsuiji-pwned", b"");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!Path::new("/tmp/shuangsuiji-pwned").exists());
    let o = local(&["user", "list", "--json"]);
    assert!(!stdout(&o).contains("mallory"));
    ok(&local(&["audit", "verify"]), "audit verify");
}
