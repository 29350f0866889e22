//! Issue 15 items 4–8: the inspector's view of a visit (`visit show`, `result template`), the
//! maintenance verbs (`inspectors show`, leaves, partial sheets), the CLI's small frictions,
//! the holiday notice template and Chinese help.

use crate::support::*;

/// `result template` writes every check item of the visit with its basis and the allowed
/// values; the file, once an item is marked as a problem and the problem fields are filled,
/// is accepted by `result submit`; `visit show` and `result show` list the same items.
#[test]
fn the_result_template_lists_the_items_and_is_accepted_once_filled() {
    let dir = tempfile::tempdir().unwrap();
    let c = completed_visit(&dir, "t.db", |_| true);
    let id = c.visit.id.to_string();
    let s = open(&c.db, &c.officer);
    let view = s.result_view(c.visit.id).unwrap();
    drop(s);
    assert!(!view.check_items.is_empty());

    let out = run(&c.db, &["--as", &c.officer, "result", "template", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for item in &view.check_items {
        assert!(
            text.contains(&format!("code = \"{}\"", item.code)),
            "{text}"
        );
        assert!(text.contains(&item.item), "the item's text: {text}");
        if !item.legal_basis.is_empty() {
            let first = item.legal_basis.split_whitespace().next().unwrap();
            assert!(text.contains(first), "the legal basis: {text}");
        }
    }
    for allowed in [
        "发现问题待后续处理",
        "未发现开展本次抽查涉及的经营活动",
        "不适用",
    ] {
        assert!(text.contains(allowed), "the allowed values: {text}");
    }

    // Filled: the first item is a problem, with the problem fields.
    let first = &view.check_items[0].code;
    let filled = text
        .replacen("outcome = \"符合要求\"", "outcome = \"发现问题\"", 1)
        .replace(
            "categories = [\"未发现问题\"]",
            "categories = [\"发现问题待后续处理\"]",
        )
        .replace("findings = \"\"", "findings = \"危废贮存场所无标志\"")
        .replace(
            "legal_basis = \"\"",
            "legal_basis = \"《固体废物污染环境防治法》第七十七条\"",
        )
        .replace("measure = \"\"", "measure = \"立案调查\"");
    let file = dir.path().join("结果.toml");
    std::fs::write(&file, &filled).unwrap();
    let out = run(
        &c.db,
        &[
            "--as",
            &c.officer,
            "result",
            "submit",
            &id,
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let s = open(&c.db, &c.officer);
    let r = s.result_view(c.visit.id).unwrap().effective.unwrap();
    assert_eq!(r.items[0].item, *first);
    assert_eq!(r.items[0].outcome.label(), "发现问题");
    assert_eq!(r.measure, "立案调查");
    drop(s);

    for args in [vec!["visit", "show", &id], vec!["result", "show", &id]] {
        let mut all = vec!["--as", c.officer.as_str()];
        all.extend(args.iter().copied());
        let out = run(&c.db, &all);
        assert!(out.status.success(), "{}", stderr(&out));
        let shown = stdout(&out);
        assert!(shown.contains("抽查事项"), "{shown}");
        for item in &view.check_items {
            assert!(
                shown.contains(&format!(
                    "{} {}",
                    item.code,
                    item.item.split_whitespace().collect::<Vec<_>>().join(" ")
                )),
                "{shown}"
            );
        }
    }
}

/// `result template --output FILE` writes the file; the untouched template is a valid result
/// file (every item 符合要求, 未发现问题), as the dashboard's form starts.
#[test]
fn the_template_can_be_written_to_a_file_and_parses() {
    let dir = tempfile::tempdir().unwrap();
    let c = completed_visit(&dir, "t.db", |_| true);
    let id = c.visit.id.to_string();
    let file = dir.path().join("r.toml");
    let out = run(
        &c.db,
        &[
            "--as",
            &c.officer,
            "result",
            "template",
            &id,
            "--output",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("已写入结果文件模板"),
        "{}",
        stdout(&out)
    );
    let out = run(
        &c.db,
        &[
            "--as",
            &c.officer,
            "result",
            "draft",
            &id,
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // The draft's values come back in the next template.
    let s = open(&c.db, &c.officer);
    assert!(s.result_view(c.visit.id).unwrap().draft.is_some());
}
