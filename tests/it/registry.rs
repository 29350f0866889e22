//! The registry's use cases through the service layer: init, imports, permissions, identity,
//! plans, and the audit chain on a real database file.

use std::path::Path;

use shuangsuiji::domain::audit::Checkpoint;
use shuangsuiji::domain::plan::TierMultipliers;
use shuangsuiji::domain::role::Role;
use shuangsuiji::services::plans::PlanEdit;
use shuangsuiji::services::registry::EntityFilter;
use shuangsuiji::services::users::UserChange;
use shuangsuiji::services::{OpenOptions, ServiceError, Session, identity, init};

use crate::support::{self, demo_day as today, only as login_with, open, try_open_on};
use shuangsuiji::sheets::Overwrite;

fn demo_db(dir: &tempfile::TempDir) -> std::path::PathBuf {
    support::demo_copy(dir, "demo.db")
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

const HEADER: &str = "名称,统一社会信用代码,乡镇,检查对象类型,排污许可管理类别,生产状态,生产月份\n";

#[test]
fn init_demo_makes_a_county_and_refuses_to_overwrite_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let s = open(&path, None);
    let st = s.stats().unwrap();
    assert!((550..=650).contains(&st.entities), "{}", st.entities);
    assert_eq!(st.check_items, 19);
    assert_eq!(st.plans_this_year, 2);
    assert_eq!(st.tasks_this_year, 9);
    assert!(st.by_class.len() == 3, "{:?}", st.by_class);
    let head = s.verify_audit(None).unwrap().unwrap();
    assert_eq!(head.size, st.audit_size);
    // The creator is admin and lead.
    assert!(s.user().roles.contains(&Role::Admin) && s.user().roles.contains(&Role::Lead));
    let again = init::init_demo(&path, "someone", today());
    assert!(
        matches!(again, Err(m @ ServiceError::Exists(shuangsuiji::services::Existing::Database { .. })) if m.to_string().contains("已存在"))
    );
}

#[test]
fn demo_logins_can_be_taken_with_as_and_roles_are_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let admin = open(&path, None);
    let observer = login_with(&admin, Role::Observer);
    let principal = login_with(&admin, Role::Principal);
    let inspector = login_with(&admin, Role::Inspector);
    let csv = dir.path().join("one.csv");
    write(
        &csv,
        &format!("{HEADER}新公司,91140522MA0K00001P,凤城镇,排污单位,,,\n"),
    );

    let mut s = open(&path, &observer);
    let err = s.import_entities(&csv, false, &mut |_, _| {}).unwrap_err();
    assert!(matches!(err, ServiceError::Denied { .. }), "{err}");
    assert!(err.to_string().contains("无权维护监管对象库"), "{err}");
    assert!(
        s.export_entities(&dir.path().join("x.csv"), Overwrite::Refuse)
            .is_err()
    );
    assert!(!dir.path().join("x.csv").exists());
    assert!(
        s.list_entities(&EntityFilter::default()).is_ok(),
        "observers may look"
    );

    let mut s = open(&path, &inspector);
    assert!(matches!(
        s.add_user("x", "某", &[Role::Admin], None),
        Err(ServiceError::Denied { .. })
    ));
    assert!(matches!(
        s.create_seed_plans(2030),
        Err(ServiceError::Denied { .. })
    ));

    let mut s = open(&path, &principal);
    assert!(
        s.export_entities(&dir.path().join("p.csv"), Overwrite::Refuse)
            .is_ok()
    );
    assert!(matches!(
        s.set_service_account(Some("svc")),
        Err(ServiceError::Denied { .. })
    ));

    assert!(try_open_on(&path, "nobody", today()).is_err());
}

#[test]
fn production_databases_honour_as_only_for_the_service_account() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prod.db");
    let me = identity::os_login().unwrap();
    init::init_empty(&path, &me, today()).unwrap();
    let plain = OpenOptions::default();
    let mut admin = Session::open(&path, &plain).unwrap();
    assert_eq!(admin.user().login, me);
    admin
        .add_user("zhang.wei", "张伟", &[Role::Lead], None)
        .unwrap();

    let as_zhang = OpenOptions {
        act_as: Some("zhang.wei".into()),
        today: None,
    };
    let err = Session::open(&path, &as_zhang).err().unwrap();
    assert!(
        err.to_string().contains("只在以服务账户运行时有效"),
        "{err}"
    );

    // The process runs as the configured service account: --as is honoured.
    admin.set_service_account(Some(&me)).unwrap();
    let s = Session::open(&path, &as_zhang).unwrap();
    assert_eq!(s.user().login, "zhang.wei");
    assert!(s.user().roles.contains(&Role::Lead));
    // …but only for registered, active users.
    let ghost = OpenOptions {
        act_as: Some("ghost".into()),
        today: None,
    };
    assert!(
        Session::open(&path, &ghost)
            .err()
            .unwrap()
            .to_string()
            .contains("未登记")
    );
    admin
        .change_user("zhang.wei", UserChange::Active(false))
        .unwrap();
    assert!(
        Session::open(&path, &as_zhang)
            .err()
            .unwrap()
            .to_string()
            .contains("已停用")
    );

    // A production database refuses --today.
    let dated = OpenOptions {
        act_as: None,
        today: Some(today()),
    };
    assert!(
        Session::open(&path, &dated)
            .err()
            .unwrap()
            .to_string()
            .contains("--today")
    );
}

#[test]
fn the_last_admin_cannot_be_removed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prod.db");
    let me = identity::os_login().unwrap();
    init::init_empty(&path, &me, today()).unwrap();
    let mut admin = Session::open(&path, &OpenOptions::default()).unwrap();
    let err = admin
        .change_user(&me, UserChange::Revoke(Role::Admin))
        .unwrap_err();
    assert!(err.to_string().contains("至少要保留一名"), "{err}");
    admin
        .add_user("li.na", "李娜", &[Role::Admin], None)
        .unwrap();
    admin
        .change_user(&me, UserChange::Revoke(Role::Admin))
        .unwrap();
}

#[test]
fn a_file_with_bad_rows_imports_nothing_and_names_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut s = open(&path, None);
    let before = s.stats().unwrap();
    let csv = dir.path().join("bad.csv");
    write(
        &csv,
        &format!(
            "{HEADER}好公司,91140522MA0K00001P,凤城镇,排污单位,,,\n\
             坏代码,91140522MA0K00001Q,凤城镇,排污单位,,,\n\
             坏类别,91140522MA0K00002T,凤城镇,排污单位,重点,,\n\
             季节性,91140522MA0K00003X,凤城镇,排污单位,,季节性,\n"
        ),
    );
    let err = s.import_entities(&csv, false, &mut |_, _| {}).unwrap_err();
    let ServiceError::Rejected(problems) = err else {
        panic!("expected a rejection, got {err}")
    };
    let rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
    assert_eq!(rows, vec![3, 4, 5], "{problems:?}");
    assert_eq!(
        problems[0].to_string(),
        "第3行 统一社会信用代码 “91140522MA0K00001Q” 校验位错误"
    );
    assert_eq!(problems[1].column, "排污许可管理类别");
    assert_eq!(problems[2].column, "生产月份");
    let after = s.stats().unwrap();
    assert_eq!(after.entities, before.entities);
    assert_eq!(after.audit_size, before.audit_size);
}

#[test]
fn reimport_upserts_and_reports_added_updated_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut s = open(&path, None);
    let a = dir.path().join("a.csv");
    write(
        &a,
        &format!(
            "{HEADER}甲公司,91140522MA0K00001P,凤城镇,排污单位,,,\n乙公司,91140522MA0K00002T,北留镇,排污单位,,,\n"
        ),
    );
    let r = s.import_entities(&a, false, &mut |_, _| {}).unwrap();
    assert_eq!((r.added, r.updated, r.unchanged), (2, 0, 0));
    let seq = r.audit_seq.unwrap();
    write(
        &a,
        &format!(
            "{HEADER}甲公司,91140522MA0K00001P,凤城镇,排污单位,,,\n乙公司（更名）,91140522MA0K00002T,北留镇,排污单位,重点管理,,\n丙公司,91140522MA0K00003X,润城镇,排污单位,,,\n"
        ),
    );
    let dry = s.import_entities(&a, true, &mut |_, _| {}).unwrap();
    assert_eq!(
        (dry.added, dry.updated, dry.unchanged, dry.audit_seq),
        (1, 1, 1, None)
    );
    let r = s.import_entities(&a, false, &mut |_, _| {}).unwrap();
    assert_eq!((r.added, r.updated, r.unchanged), (1, 1, 1));
    assert!(r.audit_seq.unwrap() > seq);
    let d = s.show_entity("91140522MA0K00002T").unwrap();
    assert_eq!(d.entity.entity.name, "乙公司（更名）");
    assert_eq!(d.entity.classification.class.key(), "key");
    assert_eq!(d.changed_seq, r.audit_seq.unwrap());
    // Nothing changed: nothing written, no event.
    let r = s.import_entities(&a, false, &mut |_, _| {}).unwrap();
    assert_eq!(
        (r.added, r.updated, r.unchanged, r.audit_seq),
        (0, 0, 3, None)
    );
}

#[test]
fn export_then_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut s = open(&path, None);
    for ext in ["xlsx", "csv", "json"] {
        let f = dir.path().join(format!("entities.{ext}"));
        let n = s.export_entities(&f, Overwrite::Refuse).unwrap();
        let r = s.import_entities(&f, false, &mut |_, _| {}).unwrap();
        assert_eq!((r.added, r.updated, r.unchanged), (0, 0, n), "{ext}");
        let f = dir.path().join(format!("inspectors.{ext}"));
        let n = s.export_inspectors(&f, Overwrite::Refuse).unwrap();
        let r = s.import_inspectors(&f, false).unwrap();
        assert_eq!((r.added, r.updated, r.unchanged), (0, 0, n), "{ext}");
    }
}

#[test]
fn filters_select_by_class_tier_and_town() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let s = open(&path, None);
    let all = s.list_entities(&EntityFilter::default()).unwrap();
    let key = s
        .list_entities(&EntityFilter {
            class: shuangsuiji::domain::classification::SupervisionClass::parse("key"),
            ..Default::default()
        })
        .unwrap();
    assert!(!key.is_empty() && key.len() < all.len());
    assert!(key.iter().all(|c| c.classification.class.key() == "key"));
    let town = all[0].entity.town.clone();
    let in_town = s
        .list_entities(&EntityFilter {
            town: Some(town.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        in_town.len(),
        all.iter().filter(|c| c.entity.town == town).count()
    );
}

#[test]
fn plan_changes_need_a_reason_and_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut s = open(&path, None);
    let err = s
        .edit_plan(2026, "NB", PlanEdit::RemoveTask("NB-4".into()), "")
        .unwrap_err();
    assert!(err.to_string().contains("书面理由"), "{err}");
    s.edit_plan(
        2026,
        "NB",
        PlanEdit::RemoveTask("NB-4".into()),
        "本年度辖区无非道路移动机械备案",
    )
    .unwrap();
    let plans = s.list_plans(Some(2026)).unwrap();
    let nb = plans.iter().find(|p| p.plan.code == "NB").unwrap();
    assert_eq!(nb.plan.tasks.len(), 6);
    assert_eq!(nb.removed[0].code, "NB-4");
    let changes = s.plan_changes(2026).unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].reason, "本年度辖区无非道路移动机械备案");
    assert!(
        changes[0]
            .before
            .as_deref()
            .unwrap()
            .contains("非道路移动机械")
    );
    // Copying to another year takes the plans as they now stand.
    assert_eq!(s.copy_plans(2026, 2027).unwrap(), 2);
    let next = s.list_plans(Some(2027)).unwrap();
    assert_eq!(next.iter().map(|p| p.plan.tasks.len()).sum::<usize>(), 8);
    assert!(s.copy_plans(2026, 2027).is_err(), "a year is copied once");
    assert!(s.verify_audit(None).unwrap().is_ok());
}

fn tiers(low: u32, normal: u32, elevated: u32, high: u32) -> TierMultipliers {
    TierMultipliers {
        low_pct: low,
        normal_pct: normal,
        elevated_pct: elevated,
        high_pct: high,
    }
}

#[test]
fn credit_tiers_must_rise_strictly() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut s = open(&path, None);
    for flat in [
        tiers(100, 100, 100, 100),
        tiers(100, 150, 150, 300),
        tiers(300, 200, 150, 100),
    ] {
        let err = s
            .edit_plan(
                2026,
                "NB",
                PlanEdit::Multipliers(flat),
                "按信用分类试行调整",
            )
            .unwrap_err();
        assert!(
            matches!(
                err,
                ServiceError::InvalidField {
                    field: "multipliers",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("逐级递加"), "{err}");
        assert!(
            err.to_string().contains("分别递加比例抽查"),
            "quotes the plan: {err}"
        );
    }
    assert!(s.plan_changes(2026).unwrap().is_empty(), "nothing recorded");
    s.edit_plan(
        2026,
        "NB",
        PlanEdit::Multipliers(tiers(100, 120, 160, 250)),
        "按信用分类试行调整",
    )
    .unwrap();
    let nb = s.list_plans(Some(2026)).unwrap();
    let nb = nb.iter().find(|p| p.plan.code == "NB").unwrap();
    assert_eq!(nb.plan.tier_multipliers, tiers(100, 120, 160, 250));

    // The command line says why, in Chinese.
    let o = support::run(
        &path,
        &[
            "plan",
            "multipliers",
            "--plan",
            "NB",
            "--low",
            "100",
            "--normal",
            "100",
            "--elevated",
            "100",
            "--high",
            "100",
            "--reason",
            "按信用分类试行调整",
            "--year",
            "2026",
        ],
    );
    assert!(!o.status.success());
    let err = support::stderr(&o);
    assert!(
        err.contains("逐级递加") && err.contains("分别递加比例抽查"),
        "{err}"
    );
}

#[test]
fn plans_whose_tiers_do_not_rise_are_not_copied() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    // A plan kept by an older build, which took flat tiers.
    raw(&path)
        .execute(
            "UPDATE plans SET tier_multipliers = ?1 WHERE year = 2026 AND code = 'NB'",
            [r#"{"low_pct":100,"normal_pct":100,"elevated_pct":100,"high_pct":100}"#],
        )
        .unwrap();
    let mut s = open(&path, None);
    let err = s.copy_plans(2026, 2027).unwrap_err();
    assert!(err.to_string().contains("计划NB不能复制"), "{err}");
    assert!(err.to_string().contains("逐级递加"), "{err}");
    assert!(
        s.list_plans(Some(2027)).unwrap().is_empty(),
        "nothing copied"
    );
}

/// Opens the file behind the application's back, as an intruder with file access would.
fn raw(path: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("PRAGMA foreign_keys = OFF; DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    c
}

#[test]
fn the_four_tamperings_are_detected() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let checkpoint: Checkpoint = open(&path, None).audit_checkpoint().unwrap();
    assert!(checkpoint.size >= 6, "the demo writes several events");
    let verify = |cp: Option<&Checkpoint>| open(&path, None).verify_audit(cp).unwrap();

    // 1. A row edited.
    let copy = dir.path().join("t1.db");
    std::fs::copy(&path, &copy).unwrap();
    raw(&copy)
        .execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3", [])
        .unwrap();
    let r = open(&copy, None).verify_audit(None).unwrap();
    assert_eq!(
        r.unwrap_err().to_string(),
        "审计日志第3条的哈希不符（该记录或其前的记录被修改）"
    );

    // 2. A middle row deleted.
    let copy = dir.path().join("t2.db");
    std::fs::copy(&path, &copy).unwrap();
    raw(&copy)
        .execute("DELETE FROM audit_log WHERE seq = 2", [])
        .unwrap();
    let r = open(&copy, None).verify_audit(None).unwrap();
    assert!(r.unwrap_err().to_string().contains("应为第2条，实为第3条"));

    // 3. The last rows deleted: only a checkpoint can tell.
    let copy = dir.path().join("t3.db");
    std::fs::copy(&path, &copy).unwrap();
    raw(&copy)
        .execute("DELETE FROM audit_log WHERE seq > 2", [])
        .unwrap();
    let s = open(&copy, None);
    assert!(s.verify_audit(None).unwrap().is_ok());
    assert!(
        s.verify_audit(Some(&checkpoint))
            .unwrap()
            .unwrap_err()
            .to_string()
            .contains("末尾记录被删除")
    );

    // 4. The tail rewritten with recomputed hashes.
    let copy = dir.path().join("t4.db");
    std::fs::copy(&path, &copy).unwrap();
    {
        let c = raw(&copy);
        c.execute("DELETE FROM audit_log WHERE seq > 2", [])
            .unwrap();
        for i in 0..checkpoint.size {
            shuangsuiji::store::audit::append(
                &c,
                "2026-05-20T10:00:00+08:00",
                "mallory",
                "entities.import",
                &format!("forged{i}"),
                "{}",
            )
            .unwrap();
        }
    }
    let s = open(&copy, None);
    assert!(
        s.verify_audit(None).unwrap().is_ok(),
        "a recomputed chain is consistent in itself"
    );
    let err = s.verify_audit(Some(&checkpoint)).unwrap().unwrap_err();
    assert!(err.to_string().contains("重新计算了哈希"), "{err}");

    // The untouched original still verifies against its checkpoint.
    assert_eq!(verify(Some(&checkpoint)).unwrap(), checkpoint);
}

#[test]
fn single_edits_are_checked_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut s = open(&path, None);
    let entity = s
        .list_entities(&EntityFilter::default())
        .unwrap()
        .into_iter()
        .find(|c| c.entity.exclusion.is_none())
        .unwrap()
        .id;
    let before = s.audit_checkpoint().unwrap().size;
    assert!(
        s.set_exclusion(&entity, Some("搬迁"), "  ").is_err(),
        "a reason is required"
    );
    s.set_exclusion(&entity, Some("搬迁"), "企业已迁出本县")
        .unwrap();
    let shown = s.show_entity(&entity).unwrap();
    assert_eq!(shown.entity.entity.exclusion.as_deref(), Some("搬迁"));
    assert_eq!(shown.changed_seq, before + 1);
    assert!(
        s.set_exclusion(&entity, Some("搬迁"), "再次").is_err(),
        "no change, no event"
    );
    s.set_exclusion(&entity, None, "迁回").unwrap();
    let events = s.audit_events(&Default::default()).unwrap();
    assert_eq!(events[0].action, "entities.include");
    assert_eq!(events[1].action, "entities.exclude");
    assert!(events[1].detail.contains("企业已迁出本县"));

    let officer = s.list_inspectors().unwrap()[0].code.clone();
    let d = support::day;
    assert!(
        s.add_leave(&officer, d("2026-06-10"), d("2026-06-01"), "病假")
            .is_err()
    );
    let i = s
        .add_leave(&officer, d("2026-06-01"), d("2026-06-10"), "病假")
        .unwrap();
    assert!(i.on_leave(d("2026-06-05")));
    assert!(s.declare_conflict(&officer, "NOSUCHCODE", "亲属").is_err());
    let i = s
        .declare_conflict(&officer, &entity, "配偶在该单位任职")
        .unwrap();
    assert!(i.conflicts_with(&entity));
    assert!(
        s.show_entity(&entity)
            .unwrap()
            .conflicted_inspectors
            .iter()
            .any(|x| x.starts_with(&officer))
    );
    let i = s.set_on_duty(&officer, false, "借调").unwrap();
    assert!(!i.on_duty);
    assert!(s.verify_audit(None).unwrap().is_ok());

    let observer = login_with(&s, Role::Observer);
    let mut o = open(&path, &observer);
    assert!(matches!(
        o.set_exclusion(&entity, Some("注销"), "x"),
        Err(ServiceError::Denied { .. })
    ));
    assert!(matches!(
        o.set_on_duty(&officer, true, "x"),
        Err(ServiceError::Denied { .. })
    ));
}

#[test]
fn the_second_of_two_people_doing_the_same_edit_learns_who_was_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut first = open(&path, "lead.liu");
    let entity = first
        .list_entities(&EntityFilter::default())
        .unwrap()
        .into_iter()
        .find(|c| c.entity.exclusion.is_none())
        .unwrap()
        .id;
    let mut second = open(&path, None);
    first
        .set_exclusion(&entity, Some("注销"), "已注销登记")
        .unwrap();
    let err = second
        .set_exclusion(&entity, Some("注销"), "已注销登记")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("lead.liu") && err.contains("entities.exclude"),
        "{err}"
    );
}

/// Imports the entities of `file` as a trial, then for real: both report `want` (added,
/// updated, unchanged).
fn import_twice(s: &mut Session, file: &Path, want: (usize, usize, usize)) {
    for dry_run in [true, false] {
        let r = s.import_entities(file, dry_run, &mut |_, _| {}).unwrap();
        assert_eq!((r.added, r.updated, r.unchanged), want, "dry run {dry_run}");
    }
}

#[test]
fn reimporting_some_columns_leaves_the_others_as_they_were() {
    use shuangsuiji::domain::vocab::join_list;
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut s = open(&path, None);
    let all = s.list_entities(&EntityFilter::default()).unwrap();
    let before = all
        .iter()
        .find(|c| {
            let e = &c.entity;
            c.classification.class.key() == "special"
                && e.uscc.is_some()
                && !e.address.is_empty()
                && !e.industry.is_empty()
                && e.permit_class.is_some()
        })
        .expect("the demo has a special entity with an address, industry and permit")
        .clone();
    let e = &before.entity;
    let targets = join_list(e.target_types.iter().map(|t| t.label()));
    let uscc = e.uscc.as_deref().unwrap();
    // The same name, town and targets and nothing else: nothing changes.
    let partial = dir.path().join("partial.csv");
    write(
        &partial,
        &format!(
            "名称,统一社会信用代码,乡镇,检查对象类型\n{},{uscc},{},{targets}\n",
            e.name, e.town
        ),
    );
    import_twice(&mut s, &partial, (0, 0, 1));
    let after = s.show_entity(uscc).unwrap().entity;
    assert_eq!(after.entity, before.entity);
    assert_eq!(after.classification.class.key(), "special");
    // A new name and an empty 行业 column: the name changes, 行业 is cleared (an explicit
    // edit), every absent column keeps its value.
    write(
        &partial,
        &format!(
            "名称,统一社会信用代码,乡镇,检查对象类型,行业\n{}（更名）,{uscc},{},{targets},\n",
            e.name, e.town
        ),
    );
    import_twice(&mut s, &partial, (0, 1, 0));
    let after = s.show_entity(uscc).unwrap().entity;
    let mut expected = before.entity.clone();
    expected.name = format!("{}（更名）", e.name);
    expected.industry = String::new();
    assert_eq!(after.entity, expected);
    assert_eq!(after.classification.class.key(), "special");
    // A new record gets the defaults of absent columns.
    write(
        &partial,
        "名称,统一社会信用代码,乡镇,检查对象类型\n新公司,91140522MA0K00001P,凤城镇,排污单位\n",
    );
    let r = s.import_entities(&partial, false, &mut |_, _| {}).unwrap();
    assert_eq!((r.added, r.updated, r.unchanged), (1, 0, 0));
    assert_eq!(
        s.show_entity("91140522MA0K00001P")
            .unwrap()
            .entity
            .entity
            .address,
        ""
    );
}

#[test]
fn seasonal_production_is_checked_against_the_stored_months() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut s = open(&path, None);
    let f = dir.path().join("season.csv");
    let head = "名称,统一社会信用代码,乡镇,检查对象类型";
    write(
        &f,
        &format!("{head},生产状态,生产月份\n甲,91140522MA0K00001P,凤城镇,排污单位,季节性,11-3\n"),
    );
    s.import_entities(&f, false, &mut |_, _| {}).unwrap();
    // Without a 生产月份 column the stored months stand, so 季节性 is fine.
    write(
        &f,
        &format!("{head},生产状态\n甲,91140522MA0K00001P,凤城镇,排污单位,季节性\n"),
    );
    let r = s.import_entities(&f, false, &mut |_, _| {}).unwrap();
    assert_eq!(r.unchanged, 1);
    // A new seasonal record without months is refused, naming the row.
    write(
        &f,
        &format!("{head},生产状态\n乙,91140522MA0K00002T,凤城镇,排污单位,季节性\n"),
    );
    let err = s.import_entities(&f, true, &mut |_, _| {}).unwrap_err();
    let ServiceError::Rejected(problems) = err else {
        panic!("a refused row, not {err}");
    };
    assert_eq!(
        problems[0].to_string(),
        "第2行 生产月份 生产状态为季节性时必须填写生产月份"
    );
}

#[test]
fn reimporting_inspectors_with_three_columns_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut s = open(&path, None);
    let before = s
        .list_inspectors()
        .unwrap()
        .into_iter()
        .find(|i| !i.cert_no.is_empty() && !i.expertise.is_empty() && !i.areas.is_empty())
        .expect("the demo has a certified inspector with expertise and areas");
    let f = dir.path().join("people.csv");
    let sheet = |name: &str| {
        format!(
            "人员编号,姓名,所属部门\n{},{name},{}\n",
            before.code, before.department
        )
    };
    write(&f, &sheet(&before.name));
    for dry_run in [true, false] {
        let r = s.import_inspectors(&f, dry_run).unwrap();
        assert_eq!((r.added, r.updated, r.unchanged), (0, 0, 1));
    }
    write(&f, &sheet("改名"));
    for dry_run in [true, false] {
        let r = s.import_inspectors(&f, dry_run).unwrap();
        assert_eq!((r.added, r.updated, r.unchanged), (0, 1, 0));
    }
    let after = s
        .list_inspectors()
        .unwrap()
        .into_iter()
        .find(|i| i.code == before.code)
        .unwrap();
    let mut expected = before.clone();
    expected.name = "改名".into();
    assert_eq!(after, expected);
}

#[test]
fn check_items_exported_as_json_import_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut s = open(&path, None);
    let f = dir.path().join("it.json");
    let n = s.export_check_items(&f, Overwrite::Refuse).unwrap();
    let r = s.import_check_items(&f, false).unwrap();
    assert_eq!((r.added, r.updated, r.unchanged), (0, 0, n));
    let text = std::fs::read_to_string(&f).unwrap();
    write(&f, &text.replacen("\"1-1\"", "\"1-1x\"", 1));
    let err = s.import_check_items(&f, true).unwrap_err().to_string();
    assert!(err.contains("第1条 编号"), "{err}");
}

#[test]
fn plan_years_outside_2000_to_2100_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut s = open(&path, None);
    for to in [99999, 0, 1999, 2101] {
        let err = s.copy_plans(2026, to).unwrap_err().to_string();
        assert!(err.contains("2000年至2100年"), "{to}: {err}");
    }
    let err = s.create_seed_plans(1).unwrap_err().to_string();
    assert!(err.contains("2000年至2100年"), "{err}");
    assert!(s.list_plans(Some(1)).unwrap().is_empty());
    assert_eq!(s.copy_plans(2026, 2100).unwrap(), 2);
}

#[test]
fn a_removed_task_is_listed_and_a_second_removal_says_when_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut s = open(&path, None);
    let why = "本年度辖区无非道路移动机械备案";
    s.edit_plan(2026, "NB", PlanEdit::RemoveTask("NB-4".into()), why)
        .unwrap();
    let plans = s.list_plans(Some(2026)).unwrap();
    let nb = plans.iter().find(|p| p.plan.code == "NB").unwrap();
    let removal = nb.removal("NB-4").expect("the removal is recorded");
    assert_eq!(removal.reason, why);
    let err = s
        .edit_plan(
            2026,
            "NB",
            PlanEdit::RemoveTask("NB-4".into()),
            "再次删除该任务",
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("已被删除") && err.contains(why), "{err}");
    assert!(
        err.contains(&removal.actor) && err.contains(&removal.at),
        "{err}"
    );
    assert!(!err.contains("未找到"), "{err}");
}

#[test]
fn an_empty_checkpoint_has_only_the_genesis_hash() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let s = open(&path, None);
    let err = format!("0:{}", "f".repeat(64))
        .parse::<Checkpoint>()
        .unwrap_err();
    assert!(err.contains("起始值"), "{err}");
    let genesis: Checkpoint = format!("0:{}", "0".repeat(64)).parse().unwrap();
    assert!(s.verify_audit(Some(&genesis)).unwrap().is_ok());
}

#[test]
fn a_machine_owners_uscc_is_checked_kept_on_partial_reimport_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut s = open(&path, None);
    let before = s.stats().unwrap();
    let f = dir.path().join("machines.csv");
    let head = "名称,登记编码,乡镇,检查对象类型,所有人,所有人统一社会信用代码";
    // One bad owner USCC: nothing is imported, the row, column and reason are named.
    write(
        &f,
        &format!(
            "{head}\n装载机（XG955）,YCFDL-0901,凤城镇,非道路移动机械,阳城县某某运输有限公司,91140522ma0k00001p\n\
             挖掘机（SY215）,YCFDL-0902,凤城镇,非道路移动机械,阳城县某某建材有限公司,91140522MA0K00001Q\n"
        ),
    );
    let err = s.import_entities(&f, false, &mut |_, _| {}).unwrap_err();
    let ServiceError::Rejected(problems) = err else {
        panic!("a refused file, not {err}");
    };
    let got: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        got,
        vec!["第3行 所有人统一社会信用代码 “91140522MA0K00001Q” 校验位错误"]
    );
    assert_eq!(s.stats().unwrap().entities, before.entities);
    // Valid (lower case is upper-cased): stored.
    write(
        &f,
        &format!(
            "{head}\n装载机（XG955）,YCFDL-0901,凤城镇,非道路移动机械,阳城县某某运输有限公司,91140522ma0k00001p\n"
        ),
    );
    import_twice(&mut s, &f, (1, 0, 0));
    let stored = s.show_entity("YCFDL-0901").unwrap().entity.entity;
    assert_eq!(stored.owner, "阳城县某某运输有限公司");
    assert_eq!(stored.owner_uscc.as_deref(), Some("91140522MA0K00001P"));
    // A sheet without the column (a new owner's name only) keeps the stored USCC.
    write(
        &f,
        "名称,登记编码,乡镇,检查对象类型,所有人\n装载机（XG955）,YCFDL-0901,凤城镇,非道路移动机械,阳城县某某运输有限公司（更名）\n",
    );
    import_twice(&mut s, &f, (0, 1, 0));
    let kept = s.show_entity("YCFDL-0901").unwrap().entity.entity;
    assert_eq!(kept.owner, "阳城县某某运输有限公司（更名）");
    assert_eq!(kept.owner_uscc.as_deref(), Some("91140522MA0K00001P"));
    // Export: the column sits beside the owner's name and holds the code; the file imports
    // back unchanged.
    let out = dir.path().join("export.csv");
    let n = s.export_entities(&out, Overwrite::Refuse).unwrap();
    let table = shuangsuiji::sheets::read_table(&out).unwrap();
    let at = table.headers.iter().position(|h| h == "所有人").unwrap();
    assert_eq!(table.headers[at + 1], "所有人统一社会信用代码");
    let row = table
        .rows
        .iter()
        .find(|r| r.cells.contains(&"YCFDL-0901".to_string()))
        .unwrap();
    assert_eq!(
        row.cells[at..at + 2],
        ["阳城县某某运输有限公司（更名）", "91140522MA0K00001P"]
    );
    import_twice(&mut s, &out, (0, 0, n));
    // The column present with an empty cell clears it (an owner who is a person).
    write(
        &f,
        &format!("{head}\n装载机（XG955）,YCFDL-0901,凤城镇,非道路移动机械,张某,\n"),
    );
    import_twice(&mut s, &f, (0, 1, 0));
    let cleared = s.show_entity("YCFDL-0901").unwrap().entity.entity;
    assert_eq!((cleared.owner.as_str(), cleared.owner_uscc), ("张某", None));
}

// ---------------------------------------------------------------------------------------------
// An entity's history (`entities show`, the dashboard's detail).

/// An entity visited in the first quarter (visit with a team, not yet started or completed)
/// and drawn again in the second,
/// with both visits as the lead sees them.
fn entity_of_two_quarters(
    s: &Session,
) -> (
    String,
    shuangsuiji::services::visits::VisitView,
    shuangsuiji::services::visits::VisitView,
) {
    use shuangsuiji::domain::visit::VisitState;
    let visits = s
        .list_visits(&shuangsuiji::services::visits::VisitFilter::default())
        .unwrap();
    let q1 = visits
        .iter()
        .filter(|v| v.period == "2026Q1" && v.problem.is_none())
        .filter(|v| matches!(v.state, VisitState::Assigned | VisitState::Completed))
        .find(|v| {
            visits
                .iter()
                .any(|w| w.period == "2026Q2" && w.entity == v.entity && w.problem.is_none())
        })
        .expect("an entity visited in the first quarter and drawn again in the second")
        .clone();
    let q2 = visits
        .iter()
        .find(|w| w.period == "2026Q2" && w.entity == q1.entity)
        .unwrap()
        .clone();
    (q1.entity.clone(), q1, q2)
}

#[test]
fn entity_history_lists_its_visits_across_quarters_with_result_and_follow_up() {
    use shuangsuiji::domain::result::{Category, FollowUpKind};
    use shuangsuiji::domain::visit::VisitState;
    let dir = tempfile::tempdir().unwrap();
    let path = support::drawn_copy(&dir, "history.db");
    let lead = open(&path, "lead.liu");
    let (entity, q1, q2) = entity_of_two_quarters(&lead);
    let officer = support::login_of(&lead, &q1.team[0].inspector);
    drop(lead);

    // The first visit: a problem found, then corrected to 已责令改正 (approved), and a
    // follow-up opened.
    let mut s = open(&path, officer.as_str());
    if q1.state == VisitState::Assigned {
        s.start_visit(q1.id, today(), None).unwrap();
        s.complete_visit(q1.id, today(), None).unwrap();
    }
    let result = support::problem_result(&s, q1.id);
    s.submit_result(q1.id, &result).unwrap();
    s.add_followup(q1.id, FollowUpKind::Penalty, "阳环罚〔2026〕7号", "")
        .unwrap();
    let mut corrected = result.clone();
    corrected.categories = [Category::Corrected].into();
    let c = s
        .file_correction(q1.id, &corrected, "整改已当场完成，改为已责令改正")
        .unwrap();
    drop(s);
    let before = open(&path, "lead.liu")
        .show_entity(&entity)
        .unwrap()
        .history;
    assert_eq!(
        before[0].categories,
        vec![Category::Pending],
        "a correction not yet approved does not change the result in force"
    );
    assert!(!before[0].corrected);
    open(&path, "principal.wang")
        .decide_correction(c, true, "同意")
        .unwrap();

    let d = open(&path, "lead.liu").show_entity(&entity).unwrap();
    let h = &d.history;
    assert_eq!(h.len(), 2, "{h:#?}");
    // Oldest first.
    assert_eq!((h[0].visit_id, h[0].period.as_str()), (q1.id, "2026Q1"));
    assert_eq!((h[1].visit_id, h[1].period.as_str()), (q2.id, "2026Q2"));
    assert_eq!(h[0].tasks, q1.tasks);
    assert_eq!(h[0].team.codes(), q1.team.codes());
    assert_eq!(h[0].state, VisitState::Entered);
    assert!(h[0].dates.completed.is_some());
    assert_eq!(h[0].dates.entered, Some(today()));
    assert_eq!(h[0].latest_date(), Some(today()));
    assert_eq!(h[0].categories, vec![Category::Corrected]);
    assert!(h[0].corrected);
    assert_eq!(h[0].followups.len(), 1);
    assert_eq!(h[0].followups[0].kind, FollowUpKind::Penalty.label());
    assert_eq!(h[0].followups[0].case_no, "阳环罚〔2026〕7号");
    // The second: drawn, not started, no result.
    assert_eq!(h[1].state, VisitState::Assigned);
    assert!(h[1].categories.is_empty() && h[1].followups.is_empty() && !h[1].corrected);
    assert_eq!(h[1].latest_date(), q2.dates.drawn);
}

#[test]
fn entity_history_leaves_out_the_visits_of_a_voided_draw() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::drawn_copy(&dir, "voided.db");
    let lead = open(&path, "lead.liu");
    let (entity, q1, q2) = entity_of_two_quarters(&lead);
    let ids = |s: &Session| -> Vec<i64> {
        s.show_entity(&entity)
            .unwrap()
            .history
            .iter()
            .map(|v| v.visit_id)
            .collect()
    };
    assert_eq!(ids(&lead), vec![q1.id, q2.id]);
    drop(lead);
    open(&path, "lead.liu")
        .request_void("2026Q2-01", "见证人未到场，程序不合规")
        .unwrap();
    // Asked, not yet approved: the draw still stands.
    assert_eq!(ids(&open(&path, "lead.liu")), vec![q1.id, q2.id]);
    open(&path, "principal.wang")
        .approve_void("2026Q2-01")
        .unwrap();
    assert_eq!(ids(&open(&path, "lead.liu")), vec![q1.id]);
}

#[test]
fn entity_history_of_an_entity_never_visited_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let s = open(&path, "lead.liu");
    let visited: std::collections::HashSet<String> = s
        .list_visits(&Default::default())
        .unwrap()
        .into_iter()
        .map(|v| v.entity)
        .collect();
    let never = s
        .list_entities(&EntityFilter::default())
        .unwrap()
        .into_iter()
        .find(|e| !visited.contains(&e.id))
        .unwrap();
    assert!(s.show_entity(&never.id).unwrap().history.is_empty());
}
