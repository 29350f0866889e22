//! The real binary: exit codes, Chinese messages, JSON output, the first run.

use crate::support::{command, run, stderr, stdout};

fn demo(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = dir.path().join("cli.db");
    let o = run(&db, &["init", "--demo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("示例数据"), "{}", stdout(&o));
    db
}

#[test]
fn first_run_without_a_subcommand_creates_the_demo_and_prints_help() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shuangsuiji.db");
    let first = || crate::support::run_without_db(dir.path(), &[]);
    let o = first();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("已创建示例数据库"), "{out}");
    assert!(out.contains("用法"), "{out}");
    assert!(db.exists(), "the demo is made at the default path");
    // Second run: no new database, help only.
    let o = first();
    assert!(!stdout(&o).contains("已创建"));
}

#[test]
fn a_chosen_path_never_gets_a_demo_by_surprise() {
    let dir = tempfile::tempdir().unwrap();
    // `--db`, as a wrapper for the production database would give it.
    let db = dir.path().join("prod.db");
    let o = run(&db, &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("不存在，未创建任何文件") && err.contains("init --empty"),
        "{err}"
    );
    assert!(!db.exists(), "nothing is created at a chosen path");
    // The same through SHUANGSUIJI_DB, with no --db.
    let env_db = dir.path().join("env.db");
    let o = std::process::Command::new(crate::support::BIN)
        .current_dir(dir.path())
        .env("SHUANGSUIJI_DB", &env_db)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!env_db.exists());
    assert!(!dir.path().join("shuangsuiji.db").exists());
    // init --empty then works at that path, as the message says.
    let o = command(&db, &["init", "--empty"])
        .env_remove("SHUANGSUIJI_TODAY")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(db.exists());
}

#[test]
fn entities_list_and_show_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(&dir);
    let o = run(&db, &["entities", "list", "--class", "special", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let list = list.as_array().unwrap();
    assert!(!list.is_empty());
    assert!(
        list.iter()
            .all(|e| e["classification"]["class"] == "special")
    );
    let id = list[0]["id"].as_str().unwrap();
    let o = run(&db, &["entities", "show", id, "--json"]);
    let shown: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(shown["id"], id);
    assert!(
        !shown["classification"]["reasons"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let o = run(&db, &["entities", "show", "NOPE"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("未找到监管对象 NOPE"), "{}", stderr(&o));
}

#[test]
fn a_gbk_file_with_a_bad_row_is_rejected_with_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(&dir);
    let text = "名称,统一社会信用代码,乡镇,检查对象类型\n甲公司,91140522MA0K00001P,凤城镇,排污单位\n乙公司,91140522MA0K00002A,北留镇,排污单位\n";
    let (bytes, _, _) = encoding_rs::GBK.encode(text);
    let file = dir.path().join("gbk.csv");
    std::fs::write(&file, &bytes).unwrap();
    let o = run(&db, &["import", "entities", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("第3行 统一社会信用代码 “91140522MA0K00002A” 校验位错误"),
        "the value typed is quoted: {err}"
    );
    assert!(err.contains("未导入任何数据"), "{err}");
    // Fixed, it imports.
    let fixed = text.replace("00002A", "00002T");
    let (bytes, _, _) = encoding_rs::GBK.encode(&fixed);
    std::fs::write(&file, &bytes).unwrap();
    let o = run(&db, &["import", "entities", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("新增 2"), "{}", stdout(&o));
}

#[test]
fn audit_verify_and_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(&dir);
    let o = run(&db, &["audit", "checkpoint"]);
    let cp = stdout(&o).trim().to_string();
    assert!(cp.contains(':'), "{cp}");
    let o = run(&db, &["audit", "verify", "--checkpoint", &cp]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("审计日志完整"));
    let bad = format!("{}:{}", cp.split(':').next().unwrap(), "0".repeat(64));
    let o = run(&db, &["audit", "verify", "--checkpoint", &bad]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("与检查点不一致"), "{}", stderr(&o));
}

#[test]
fn roles_hold_on_the_command_line_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(&dir);
    let users = run(&db, &["user", "list", "--json"]);
    let users: serde_json::Value = serde_json::from_str(&stdout(&users)).unwrap();
    let observer = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["roles"] == serde_json::json!(["observer"]))
        .expect("a demo observer")["login"]
        .as_str()
        .unwrap()
        .to_string();
    let o = run(&db, &["--as", &observer, "plan", "init", "--year", "2031"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("无权制定和调整抽查计划"),
        "{}",
        stderr(&o)
    );
    let o = run(&db, &["--as", &observer, "whoami"]);
    assert!(stdout(&o).contains(&observer));
    // whoami says what the role table lets each one do.
    let may = stdout(&o)
        .lines()
        .find(|l| l.starts_with("可以："))
        .unwrap_or("")
        .to_string();
    assert!(
        may.contains("查看名录与计划") && !may.contains("准备抽取"),
        "{may}"
    );
    let o = run(&db, &["--as", "lead.liu", "whoami", "--json"]);
    let who: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let may: Vec<&str> = who["may"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    assert!(
        may.contains(&"PrepareDraw") && !may.contains(&"ApproveVoid"),
        "{may:?}"
    );
}

#[test]
fn a_production_database_refuses_today_and_as() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("prod.db");
    let o = command(&db, &["init", "--empty"])
        .env_remove("SHUANGSUIJI_TODAY")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode & 0o007, 0, "no access for others: {mode:o}");
    let o = run(&db, &["stats"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--today"), "{}", stderr(&o));
    let o = command(&db, &["--as", "someone", "stats"])
        .env_remove("SHUANGSUIJI_TODAY")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("服务账户"), "{}", stderr(&o));
}

#[test]
fn identity_comes_from_the_process_not_from_user_variables() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(&dir);
    let real = shuangsuiji::services::identity::os_login().unwrap();
    let o = command(&db, &["whoami"])
        .env("USER", "principal.wang")
        .env("LOGNAME", "principal.wang")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with(&format!("{real}（")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_corrected_result_shows_both_versions_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(&dir);
    let o = run(
        &db,
        &["--as", "principal.wang", "result", "pending", "--json"],
    );
    let pending: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let c = &pending[0];
    let (cid, visit) = (c["id"].to_string(), c["visit_id"].to_string());
    let remark = c["result"]["remark"].as_str().unwrap().to_string();
    assert!(
        !remark.is_empty(),
        "the demo's waiting correction adds a remark"
    );
    let o = run(
        &db,
        &[
            "--as",
            "principal.wang",
            "result",
            "approve-correction",
            &cid,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&db, &["--as", "principal.wang", "result", "show", &visit]);
    let out = stdout(&o);
    let now = out.find("现行结果（已更正）").expect(&out);
    let before = out.find("原提交结果").expect(&out);
    assert!(now < before, "{out}");
    // The remark the correction added is in the version in force, not in the original.
    let remark_at = out.find(&format!("备注：{remark}")).expect(&out);
    assert!(now < remark_at && remark_at < before, "{out}");
}

#[test]
fn argument_mistakes_are_told_in_chinese_with_exit_code_two() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(&dir);
    let o = run(&db, &["visit", "start", "35", "--date", "2026-02-30"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.starts_with("错误：参数 --date"), "{err}");
    assert!(err.contains("YYYY-MM-DD"), "{err}");
    assert!(!err.contains("error:"), "{err}");
}

#[test]
fn an_empty_database_variable_does_not_hide_the_db_argument() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(&dir);
    let o = command(&db, &["stats"])
        .env("SHUANGSUIJI_DB", "")
        .env("SHUANGSUIJI_TODAY", "")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("监管对象"), "{}", stdout(&o));
}

#[test]
fn output_cut_short_by_a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let db = demo(&dir);
    let mut child = command(&db, &["entities", "list", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        o.status.success() || o.status.signal() == Some(13),
        "ended by SIGPIPE or done before it: {:?} {err}",
        o.status
    );
}

#[test]
fn entities_show_lists_the_visits_of_the_entity() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(&dir);
    let o = run(&db, &["visit", "list", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let visits: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let v = &visits.as_array().unwrap()[0];
    let entity = v["entity"].as_str().unwrap();

    let o = run(&db, &["entities", "show", entity]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let section = &out[out.find("\n检查记录\n").expect(&out)..];
    for header in [
        "期次",
        "抽查",
        "任务",
        "检查组",
        "状态",
        "日期",
        "检查结果",
        "后续处理",
    ] {
        assert!(section.contains(header), "{header}: {section}");
    }
    let line = section
        .lines()
        .find(|l| l.contains(v["draw_id"].as_str().unwrap()))
        .unwrap_or_else(|| panic!("the visit is listed: {section}"));
    assert!(line.starts_with(v["period"].as_str().unwrap()), "{line}");
    for task in v["tasks"].as_array().unwrap() {
        assert!(line.contains(task.as_str().unwrap()), "{line}");
    }
    let lead = v["team"][0]["inspector"].as_str().unwrap();
    assert!(line.contains(&format!("*{lead}")), "{line}");
    assert!(!section.contains("（无）"), "{section}");

    let o = run(&db, &["entities", "show", entity, "--json"]);
    let shown: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let history = shown["history"].as_array().unwrap();
    assert!(
        history.iter().any(|h| h["visit_id"] == v["id"]
            && h["period"] == v["period"]
            && h["state"] == v["state"]),
        "{history:#?}"
    );

    // An entity never visited: the section says so.
    let visited: Vec<&str> = visits
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["entity"].as_str().unwrap())
        .collect();
    let o = run(&db, &["entities", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let never = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .find(|id| !visited.contains(id))
        .unwrap();
    let o = run(&db, &["entities", "show", never]);
    assert!(
        stdout(&o).ends_with("\n检查记录\n（无）\n"),
        "{}",
        stdout(&o)
    );
    let o = run(&db, &["entities", "show", never, "--json"]);
    let shown: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(shown["history"], serde_json::json!([]));
}
