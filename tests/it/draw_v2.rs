//! Record format v2: what the commitment binds (draw id, preparer, time, the system part's and
//! the private part's digests), the private part kept from those who may not see it, no silent
//! re-roll, and the first year's v1 records and databases still verifying.

use std::io::Read;
use std::path::{Path, PathBuf};

use shuangsuiji::domain::draw::commit::{commitment, seed};
use shuangsuiji::domain::draw::record::{
    DrawRecord, FORMAT, FORMAT_V1, OfficerConflicts, parse_record,
};
use shuangsuiji::domain::draw::verify::{notes, verify};
use shuangsuiji::domain::role::Role;

use crate::support::{self, open, run, seeds, stderr, stdout};

/// One file of the first year's fixture: a demo database made by the first year's build on
/// 2026-05-20 (2026Q1-01 run, with one substitution; 2026Q2-01 prepared, not run) and the
/// record of 2026Q1-01 that build printed (`draw show 2026Q1-01 --json`).
fn first_year(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/first-year-v1.zip");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = Vec::new();
    zip.by_name(name).unwrap().read_to_end(&mut out).unwrap();
    out
}

fn v1_record() -> DrawRecord {
    parse_record(std::str::from_utf8(&first_year("record-v1.json")).unwrap()).unwrap()
}

#[test]
fn a_first_year_record_keeps_verifying_and_a_change_is_still_noticed() {
    let r = v1_record();
    assert_eq!(
        (r.format.as_str(), r.algorithm.as_str()),
        (FORMAT_V1, "ssj-draw-v1")
    );
    assert_eq!(r.substitutions.len(), 1);
    assert!(verify(&r).is_empty(), "{:?}", verify(&r));
    assert!(notes(&r).is_empty());
    // Through the command line, with no database at all.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.json");
    std::fs::write(&file, first_year("record-v1.json")).unwrap();
    let o = support::run_without_db(
        dir.path(),
        &["draw", "verify", "--file", file.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    // A v1 record is still held to v1: a changed ticket is noticed, and so is a v1 record
    // claiming to be v2.
    let mut t = r.clone();
    t.strata[0].selected[0].ticket.replace_range(5..6, "x");
    assert!(!verify(&t).is_empty());
    let mut t = r.clone();
    t.format = FORMAT.to_string();
    assert!(
        verify(&t).iter().any(|d| d.contains("记录格式")),
        "{:?}",
        verify(&t)
    );
}

/// The first year's database, copied into `dir`.
fn first_year_db(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("v1.db");
    std::fs::write(&path, first_year("demo-v1.db")).unwrap();
    path
}

#[test]
fn a_first_year_database_upgrades_its_draws_verify_and_a_v1_preparation_runs_as_v1() {
    let dir = tempfile::tempdir().unwrap();
    let path = first_year_db(&dir);
    let o = run(&path, &["--as", "lead.liu", "draw", "verify", "2026Q1-01"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let o = run(&path, &["audit", "verify"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    // 2026Q2-01 was prepared by the first year's build: its commitment stands, so it runs
    // and is recorded as v1.
    let mut lead = open(&path, "lead.liu");
    let r = lead
        .run_draw("2026Q2-01", &seeds(), &["张三".to_string()])
        .unwrap();
    assert_eq!(r.format, FORMAT_V1);
    assert!(r.private.is_none() && r.prepared.system_part_sha256.is_none());
    assert!(verify(&r).is_empty(), "{:?}", verify(&r));
    let check = lead.check_draw("2026Q2-01").unwrap();
    assert!(check.diffs.is_empty(), "{:?}", check.diffs);
}

#[test]
fn a_replacement_draw_never_repeats_the_voided_commitment() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let mut lead = open(&path, None);
    let principal = support::only(&lead, Role::Principal);
    let void = |lead: &mut shuangsuiji::services::Session, id: &str| {
        lead.request_void(id, "人员名单有误，重新准备").unwrap();
        open(&path, principal.as_str()).approve_void(id).unwrap();
    };
    let period = "2026Q2".parse().unwrap();
    void(&mut lead, "2026Q2-01");
    let second = lead.prepare_draw(period, &[], &[]).unwrap();
    void(&mut lead, &second.id);
    // Nothing changed in between: the same population, quotas and exclusions; yet the
    // commitment is new, since it binds the draw id, the preparer and the time.
    let third = lead.prepare_draw(period, &[], &[]).unwrap();
    assert_eq!(
        (second.id.as_str(), third.id.as_str()),
        ("2026Q2-02", "2026Q2-03")
    );
    assert_ne!(third.commitment, second.commitment);
    let a = lead.show_draw("2026Q2-02").unwrap().prepared;
    let b = lead.show_draw("2026Q2-03").unwrap().prepared;
    assert_eq!((&a.strata, &a.excluded), (&b.strata, &b.excluded));
    assert_eq!(b.draw_id.as_deref(), Some("2026Q2-03"));
    assert!(b.prepared_by.is_some() && b.prepared_at.is_some());
    assert_ne!(a.system_part_sha256, b.system_part_sha256);
}

#[test]
fn a_rollback_and_rerun_with_the_same_dice_draws_the_same_list() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let copy = dir.path().join("before-run.db");
    std::fs::copy(&path, &copy).unwrap();
    let list = |p: &Path, parts: &[String]| -> Vec<String> {
        let r = open(p, None).run_draw("2026Q2-01", parts, &[]).unwrap();
        r.visits.iter().map(|v| v.entity.clone()).collect()
    };
    let first = list(&path, &seeds());
    // The administrator puts the copy taken before the run back, and runs again.
    let again = list(&copy, &seeds());
    assert_eq!(first, again, "the system part was fixed at preparation");
    // Only other dice, which the witnesses see, give another list.
    let fresh = support::demo_copy(&dir, "fresh.db");
    let other = list(&fresh, &["11111111111111111111".to_string()]);
    assert_ne!(first, other);
}

#[test]
fn the_private_part_is_bound_by_the_commitment_and_kept_from_observers() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let mut lead = open(&path, None);
    let r = lead.run_draw("2026Q2-01", &seeds(), &[]).unwrap();
    let private = r
        .private
        .clone()
        .expect("the lead's record has the private part");
    assert!(!private.ineligible.is_empty() || !private.last_teams.is_empty());
    assert_eq!(
        r.prepared.private_sha256.as_deref(),
        Some(private.digest().as_str())
    );
    assert!(verify(&r).is_empty(), "{:?}", verify(&r));
    // A conflict slipped into the private part afterwards is noticed.
    let mut t = r.clone();
    t.private
        .as_mut()
        .unwrap()
        .conflicts
        .push(OfficerConflicts {
            inspector: "YC-001".to_string(),
            entities: vec![r.visits[0].entity.clone()],
        });
    assert!(
        verify(&t).iter().any(|d| d.contains("保密部分")),
        "{:?}",
        verify(&t)
    );
    // An observer's view has no private part; the record still verifies, with a note.
    let observer = support::only(&lead, Role::Observer);
    let view = open(&path, observer.as_str())
        .show_draw("2026Q2-01")
        .unwrap();
    assert!(view.private.is_none());
    let seen = view.record.unwrap();
    assert!(seen.private.is_none());
    let o = run(
        &path,
        &["--as", observer.as_str(), "draw", "show", "2026Q2-01"],
    );
    let text = stdout(&o);
    for x in &private.ineligible {
        assert!(
            !text.contains(&x.reason),
            "{} shown to an observer",
            x.reason
        );
    }
    let mut public = r.clone();
    public.private = None;
    assert!(verify(&public).is_empty(), "{:?}", verify(&public));
    assert_eq!(notes(&public).len(), 1);
}

#[test]
fn a_system_part_changed_after_preparation_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let r = open(&path, None)
        .run_draw("2026Q2-01", &seeds(), &[])
        .unwrap();
    let mut t = r.clone();
    let last = t.seed_parts.len() - 1;
    t.seed_parts[last] = "12345678901234567890".to_string();
    t.seed = seed(&t.commitment, &t.seed_parts);
    let diffs = verify(&t);
    assert!(
        diffs.iter().any(|d| d.contains("system_part_sha256")),
        "{diffs:?}"
    );
    // The commitment binds the digest: changing both is a commitment mismatch.
    assert_eq!(commitment(&r.prepared), r.commitment);
}

#[test]
fn a_file_compared_with_the_database_never_prints_the_stored_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::demo_copy(&dir, "d.db");
    let r = open(&path, None)
        .run_draw("2026Q2-01", &seeds(), &[])
        .unwrap();
    let observer = support::only(&open(&path, None), Role::Observer);
    // The public shape of the record with dummy seed parts and visits, verified by an observer
    // before any visit started.
    let mut probe = r.clone();
    probe.private = None;
    probe.seed_parts = vec!["1".repeat(20), "2".repeat(20)];
    for st in &mut probe.strata {
        st.selected.clear();
    }
    probe.visits.truncate(1);
    probe.visits[0].entity = "91000000000000000X".to_string();
    probe.visits[0].team.clear();
    let file = dir.path().join("probe.json");
    std::fs::write(&file, serde_json::to_string(&probe).unwrap()).unwrap();
    let o = run(
        &path,
        &[
            "--as",
            observer.as_str(),
            "draw",
            "verify",
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    let all = format!("{}{}", stdout(&o), stderr(&o));
    for secret in &r.seed_parts {
        assert!(!all.contains(secret.as_str()), "seed part {secret} printed");
    }
    // What the record alone recomputes from the dummy seed may name any unit of the public
    // population; what is compared with the database or the log never names a stored value.
    for line in all
        .lines()
        .filter(|l| l.contains("数据库") || l.contains("审计"))
    {
        for v in &r.visits {
            assert!(!line.contains(&v.entity), "{} printed: {line}", v.entity);
            for s in &v.team {
                assert!(
                    !line.contains(&s.inspector),
                    "{} printed: {line}",
                    s.inspector
                );
            }
        }
    }
    assert!(
        all.contains("seed_parts[0]") && all.contains("与数据库中的记录不一致"),
        "{all}"
    );
}
