//! 一公开 for everyone: `publish DIR` writes a static site (plain files, no server) with the
//! year's plan, its draws as far as each is public, the published results and the annual
//! figures, and a verifier that re-computes each draw in the reader's browser.
//!
//! What a draw page shows is what the public may see of the draw at that moment
//! (docs/draw.md §8, "Confidentiality of the record itself"): the services' own views, asked
//! as a member of the public (an observer with no inspector record), see [`Stage`].

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Result, ServiceError, Session};
use crate::domain::check_item::CheckItem;
use crate::domain::draw::Draw;
use crate::domain::draw::record::{DrawRecord, Prepared, StratumCount, Substitution};
use crate::domain::draw::status::DrawStatus;
use crate::domain::plan_records::PlanRecord;
use crate::domain::role::{Action, Role};
use crate::domain::user::User;
use crate::sheets::files::Staged;
use crate::sheets::publicity::PublicityRecord;
use crate::sheets::{Access, Overwrite};
use crate::store;

mod html;

/// The file `publish` leaves in a directory it created: it writes only where this is.
pub const MARKER: &str = ".shuangsuiji-site";
const MARKER_TEXT: &str =
    "shuangsuiji publish: this directory is written by `shuangsuiji publish`\n";

/// How much of a draw the public may see now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Prepared (or run) while earlier draws of the year still have visits that have neither
    /// started nor been marked 未实施: the commitment and per-stratum counts only.
    Committed,
    /// Prepared, not run, the earlier draws' visits all started: the public part of
    /// `prepared` and the commitment.
    Prepared,
    /// Run, some visits neither started nor marked 未实施: what was public before the run,
    /// the run date and the witnesses; never the seed, its parts or any selection.
    Run,
    /// Run, every visit started or marked 未实施 (and the preparation public): the full
    /// record without the private part.
    Complete,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Committed => "已公布承诺值（抽取内容暂不公开）",
            Stage::Prepared => "已公布承诺内容，待摇号",
            Stage::Run => "已抽取，检查尚未全部开始（名单保密）",
            Stage::Complete => "已抽取，完整记录公开，可核验",
        }
    }
}

/// One draw as the public may see it now.
#[derive(Debug, Clone, Serialize)]
pub struct PublicDraw {
    pub id: String,
    pub period: String,
    pub status: DrawStatus,
    pub stage: Stage,
    pub commitment: String,
    /// RFC 3339.
    pub prepared_at: String,
    /// The run date (YYYY-MM-DD), once run.
    pub run_on: Option<String>,
    pub witnesses: Vec<String>,
    pub tasks: Vec<String>,
    pub counts: Vec<StratumCount>,
    /// The preparation when public ([`Stage::Prepared`], and [`Stage::Run`] when it was public
    /// before the run); `None` while withheld.
    pub prepared: Option<Prepared>,
    /// The whole record without the private part, substitutions' reasons withheld
    /// ([`Stage::Complete`] only).
    pub record: Option<DrawRecord>,
    /// True when personal data the first year's format kept inside `prepared` (officers'
    /// ineligibility reasons and declared conflicts, entities' previous teams) was taken out:
    /// the commitment, which binds them, can then not be re-computed from the page.
    pub redacted: bool,
}

/// What a page says of a v1 preparation whose personal data was taken out.
pub const REDACTED_NOTE: &str = "本记录为第一年格式（ssj-draw-record-v1），其承诺内容含执法人员的不可派原因、回避申报和上次检查组等个人信息，公开时已删去：承诺值无法在本页重算，须由本局用完整记录（draw verify）核验；种子、名额和抽中对象仍按记录中的承诺值核验";

/// `prepared` without the personal data a v1 preparation holds; true if there was any.
fn redact(p: &mut Prepared) -> bool {
    let mut any = p.ineligible.take().is_some();
    for i in &mut p.inspectors {
        any |= i.conflicts.take().is_some();
    }
    for e in &mut p.entities {
        any |= e.last_team.take().is_some();
    }
    any
}

/// A complete record as the public may have it: no private part, substitutions' reasons
/// withheld, a v1 preparation's personal data taken out (true then).
fn public_record(mut r: DrawRecord) -> (DrawRecord, bool) {
    r.private = None;
    r.substitutions.iter_mut().for_each(Substitution::withhold);
    // Logins are internal: who substituted and who asked are named 操作人1, 操作人2 … in
    // order of appearance, the same login the same name, so that the seat rule (the one who
    // asked is not the one who approved) still verifies.
    let mut logins: Vec<String> = Vec::new();
    for sub in &mut r.substitutions {
        alias(&mut logins, &mut sub.by);
        if let Some(a) = &mut sub.approval {
            alias(&mut logins, &mut a.requested_by);
        }
    }
    let redacted = redact(&mut r.prepared);
    (r, redacted)
}

fn alias(logins: &mut Vec<String>, login: &mut String) {
    if login.trim().is_empty() {
        return;
    }
    let n = match logins.iter().position(|l| l == login) {
        Some(i) => i + 1,
        None => {
            logins.push(login.clone());
            logins.len()
        }
    };
    *login = format!("操作人{n}");
}

impl PublicDraw {
    /// What the page embeds and offers for download: the record ([`Stage::Complete`]), the
    /// prepared export (`ssj-draw-prepared-v1`, when the preparation is public), or the
    /// commitment and counts.
    pub fn public_json(&self) -> serde_json::Value {
        if let Some(r) = &self.record {
            let mut v = serde_json::to_value(r).expect("records serialise");
            if self.redacted {
                v["redacted"] = REDACTED_NOTE.into();
            }
            return v;
        }
        let mut v = serde_json::json!({
            "format": match self.prepared {
                Some(_) => super::draws::PREPARED_FORMAT,
                None => "ssj-draw-commitment-v1",
            },
            "draw_id": self.id,
            "period": self.period,
            "commitment": self.commitment,
            "counts": self.counts,
        });
        if let Some(p) = &self.prepared {
            v["prepared"] = serde_json::to_value(p).expect("records serialise");
        }
        if let Some(run_on) = &self.run_on {
            v["run_on"] = run_on.clone().into();
            v["witnesses"] = self.witnesses.clone().into();
        }
        if self.redacted {
            v["redacted"] = REDACTED_NOTE.into();
        }
        v
    }
}

/// The 一单: one task of the year's plans with its lines and the items' legal basis.
#[derive(Debug, Clone, Serialize)]
pub struct PublicTask {
    pub plan: String,
    pub code: String,
    pub name: String,
    pub scope: String,
    pub body: String,
    pub departments: Vec<String>,
    /// Per line: the items, the window and the rule in words.
    pub lines: Vec<PublicLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicLine {
    pub items: Vec<PublicItem>,
    pub window: String,
    pub rule: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicItem {
    pub code: String,
    pub item: String,
    pub legal_basis: String,
}

/// Everything the site shows.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    pub bureau: String,
    pub year: i32,
    /// The day the site was written.
    pub as_of: String,
    pub plans: Vec<(String, String)>,
    pub tasks: Vec<PublicTask>,
    pub draws: Vec<PublicDraw>,
    /// The 公示 list: rows of results already published (已公示), of the year.
    pub published: Vec<PublicityRecord>,
    /// The annual report's summary table, once the report has been generated.
    #[serde(skip)]
    pub annual: Option<crate::sheets::publicity::Table>,
}

/// What `publish` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct SiteReport {
    pub dir: String,
    pub files: Vec<String>,
    /// Each draw and its stage.
    pub draws: Vec<(String, Stage)>,
    pub published_rows: usize,
}

/// The draw page's file name.
pub fn draw_page(id: &str) -> String {
    format!("draw-{}.html", file_safe(id))
}

/// The draw record's file name.
pub fn draw_json(id: &str) -> String {
    format!("draw-{}.json", file_safe(id))
}

fn file_safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A member of the public: an observer with no login, no inspector record.
fn public_user() -> User {
    User {
        login: String::new(),
        name: "公众".to_string(),
        roles: [Role::Observer].into_iter().collect(),
        inspector: None,
        active: true,
    }
}

impl Session {
    /// Runs `f` with the session's user replaced by a member of the public, so that the
    /// services' own views decide what is shown.
    fn as_public<T>(&mut self, f: impl FnOnce(&Session) -> Result<T>) -> Result<T> {
        let me = std::mem::replace(&mut self.user, public_user());
        let out = f(self);
        self.user = me;
        out
    }

    /// What the site for `year` shows, as of today.
    pub fn public_site(&mut self, year: i32) -> Result<Site> {
        self.require(Action::ExportRegistry)?;
        let conn = self.store().conn();
        let bureau = super::departments::bureau(conn)?;
        let plans = store::plans::list(conn, Some(year))?;
        let items: HashMap<String, CheckItem> = store::items::all(conn)?
            .into_iter()
            .map(|i| (i.code.clone(), i))
            .collect();
        let draws: Vec<Draw> = store::draws::all(conn)?
            .into_iter()
            .filter(|d| d.period.starts_with(&year.to_string()))
            .collect();
        // Visits that started or were marked 未实施, and every visit, per draw.
        let events = store::results::events(conn)?;
        let mut open: HashMap<String, usize> = HashMap::new();
        for v in store::draws::live_visits(conn, Some(year))? {
            let done = events
                .get(&v.id)
                .is_some_and(|d| d.started.is_some() || d.lapsed.is_some());
            if !done {
                *open.entry(v.draw_id.clone()).or_default() += 1;
            }
        }
        let mut full: HashMap<String, DrawRecord> = HashMap::new();
        for d in &draws {
            if let Some(mut r) = store::draws::run_record(conn, &d.id)? {
                r.substitutions = store::substitution_requests::substitutions(conn, &d.id)?;
                full.insert(d.id.clone(), r);
            }
        }
        let (rows, _, records) = super::publicity::publicity_rows(conn, None)?;
        let published_visits: HashSet<i64> = records
            .iter()
            .filter(|v| v.dates.published.is_some())
            .map(|v| v.row.id)
            .collect();
        let year_prefix = year.to_string();
        let published: Vec<PublicityRecord> = rows
            .into_iter()
            .filter(|r| published_visits.contains(&r.visit_id))
            .map(|r| r.record)
            .filter(|r| r.task_code.starts_with(&year_prefix))
            .collect();
        let annual = match self.annual_report_generated(year)? {
            Some(_) => {
                let report = self.annual_report(year)?;
                super::reports::report_tables(&report).into_iter().next()
            }
            None => None,
        };
        let tasks = public_tasks(&plans, &items);
        let as_of = self.today().to_string();
        let draws = self.as_public(|s| {
            draws
                .iter()
                .map(|d| public_draw(s, d, open.get(&d.id).copied().unwrap_or(0), &full))
                .collect::<Result<Vec<_>>>()
        })?;
        Ok(Site {
            bureau,
            year,
            as_of,
            plans: plans
                .iter()
                .map(|p| {
                    (
                        format!("{}-{}", p.plan.year, p.plan.code),
                        p.plan.name.clone(),
                    )
                })
                .collect(),
            tasks,
            draws,
            published,
            annual,
        })
    }

    /// `publish DIR [--year Y] [--force]`: writes the site into `dir`. Only the admin, a lead
    /// or the principal (the role table's [`Action::ExportRegistry`]). A directory that
    /// exists and was not created by `publish` (no [`MARKER`]) is refused unless `force`.
    /// Each file is written beside its name and renamed into place.
    pub fn publish_site(&mut self, dir: &Path, year: i32, force: bool) -> Result<SiteReport> {
        self.require(Action::ExportRegistry)?;
        prepare_dir(dir, force)?;
        let site = self.public_site(year)?;
        let mut files: Vec<(String, Vec<u8>)> =
            vec![("index.html".to_string(), html::index(&site).into_bytes())];
        for d in &site.draws {
            files.push((draw_page(&d.id), html::draw(&site, d).into_bytes()));
            let json = serde_json::to_string_pretty(&d.public_json()).expect("json serialises");
            files.push((draw_json(&d.id), json.into_bytes()));
        }
        // Publishing takes data out of the database, like an export: it leaves a trace first.
        self.log_read(
            "site.publish",
            &dir.display().to_string(),
            &serde_json::json!({
                "year": year,
                "files": files.len(),
                "draws": site.draws.iter().map(|d| (d.id.clone(), format!("{:?}", d.stage))).collect::<Vec<_>>(),
                "published": site.published.len(),
            }),
        )?;
        let mut written = Vec::new();
        for (name, bytes) in &files {
            let path = dir.join(name);
            Staged::bytes(&path, Overwrite::Replace, Access::Public, bytes)?.place()?;
            written.push(name.clone());
        }
        Ok(SiteReport {
            dir: dir.display().to_string(),
            files: written,
            draws: site.draws.iter().map(|d| (d.id.clone(), d.stage)).collect(),
            published_rows: site.published.len(),
        })
    }
}

/// Creates `dir` with its marker, or accepts it when it has the marker (or `force`).
fn prepare_dir(dir: &Path, force: bool) -> Result<()> {
    let marker: PathBuf = dir.join(MARKER);
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir)
                .map_err(|e| ServiceError::io(format!("无法创建目录 {}", dir.display()), e))?;
        }
        Err(e) => {
            return Err(ServiceError::io(
                format!("无法读取目录 {}", dir.display()),
                e,
            ));
        }
        Ok(m) if !m.is_dir() => {
            return Err(ServiceError::invalid(
                "DIR",
                format!("{} 不是目录", dir.display()),
            ));
        }
        Ok(_) if marker.exists() || force => {}
        Ok(_) => {
            return Err(ServiceError::invalid(
                "DIR",
                format!(
                    "目录 {} 已存在且不是 publish 创建的（没有 {MARKER}）：请指定一个新目录，或加 --force 写入该目录（同名文件将被替换）",
                    dir.display()
                ),
            ));
        }
    }
    if !marker.exists() {
        Staged::bytes(
            &marker,
            Overwrite::Replace,
            Access::Public,
            MARKER_TEXT.as_bytes(),
        )?
        .place()?;
    }
    Ok(())
}

fn public_tasks(plans: &[PlanRecord], items: &HashMap<String, CheckItem>) -> Vec<PublicTask> {
    let mut out = Vec::new();
    for p in plans {
        for t in &p.plan.tasks {
            out.push(PublicTask {
                plan: format!("{}-{}", p.plan.year, p.plan.code),
                code: t.code.clone(),
                name: t.name.clone(),
                scope: t.scope.clone(),
                body: if t.inspecting_body.trim().is_empty() {
                    t.initiating_unit.clone()
                } else {
                    t.inspecting_body.clone()
                },
                departments: t.cooperating_departments.clone(),
                lines: t
                    .lines
                    .iter()
                    .map(|l| PublicLine {
                        items: l
                            .items
                            .iter()
                            .map(|code| match items.get(code) {
                                Some(i) => PublicItem {
                                    code: code.clone(),
                                    item: i.item.clone(),
                                    legal_basis: i.legal_basis.clone(),
                                },
                                None => PublicItem {
                                    code: code.clone(),
                                    item: String::new(),
                                    legal_basis: String::new(),
                                },
                            })
                            .collect(),
                        window: l.window.label(),
                        rule: if l.rule_text.trim().is_empty() {
                            l.rule.describe()
                        } else {
                            l.rule_text.clone()
                        },
                    })
                    .collect(),
            });
        }
    }
    out
}

/// One draw as the public sees it: `s` is a public session; `open` the draw's visits that
/// have neither started nor been marked 未实施; `full` the stored records.
fn public_draw(
    s: &Session,
    d: &Draw,
    open: usize,
    full: &HashMap<String, DrawRecord>,
) -> Result<PublicDraw> {
    let view = s.show_draw(&d.id)?;
    let status = d.status();
    let run = view.record.as_ref();
    let stage = match (run, view.withheld) {
        (None, true) => Stage::Committed,
        (None, false) => Stage::Prepared,
        (Some(_), true) => Stage::Run,
        (Some(_), false) if open == 0 && status == DrawStatus::Run => Stage::Complete,
        (Some(_), false) => Stage::Run,
    };
    let (record, mut redacted) = match stage {
        Stage::Complete => match full.get(&d.id).cloned().map(public_record) {
            Some((r, redacted)) => (Some(r), redacted),
            None => (None, false),
        },
        _ => (None, false),
    };
    let mut prepared = view.prepared;
    redacted |= redact(&mut prepared);
    Ok(PublicDraw {
        id: d.id.clone(),
        period: d.period.clone(),
        status,
        stage,
        commitment: d.commitment.clone(),
        prepared_at: d.prepared_at.clone(),
        run_on: run.map(|r| r.run_on.clone()),
        witnesses: run.map(|r| r.witnesses.clone()).unwrap_or_default(),
        tasks: d.tasks.clone(),
        counts: view.counts,
        prepared: (!view.withheld && stage != Stage::Complete).then_some(prepared),
        record,
        redacted,
    })
}

/// The draw page of a complete record, alone (no database): what `publish` writes for a draw
/// whose visits have all started. For measurements and tests of the in-page verifier.
pub fn record_page(bureau: &str, year: i32, record: &DrawRecord) -> String {
    let (record, redacted) = public_record(record.clone());
    let draw = PublicDraw {
        id: record.draw_id.clone(),
        period: record.period.clone(),
        status: DrawStatus::Run,
        stage: Stage::Complete,
        commitment: record.commitment.clone(),
        prepared_at: record.prepared.prepared_at.clone().unwrap_or_default(),
        run_on: Some(record.run_on.clone()),
        witnesses: record.witnesses.clone(),
        tasks: record
            .prepared
            .tasks
            .iter()
            .map(|t| t.code.clone())
            .collect(),
        counts: record.prepared.counts(),
        prepared: None,
        record: Some(record),
        redacted,
    };
    let site = Site {
        bureau: bureau.to_string(),
        year,
        as_of: String::new(),
        plans: Vec::new(),
        tasks: Vec::new(),
        draws: Vec::new(),
        published: Vec::new(),
        annual: None,
    };
    html::draw(&site, &draw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::draw::record::{Ineligible, SubstitutionApproval};

    #[test]
    fn a_public_record_names_no_login_and_holds_no_reason() {
        let sub = |by: &str, asked: Option<&str>| Substitution {
            entity: "E1".into(),
            out: "YC-001".into(),
            replacement: "YC-002".into(),
            reason: "病假".into(),
            skipped: vec![Ineligible {
                id: "YC-003".into(),
                reason: "休假".into(),
            }],
            at: "2026-04-03T09:00:00+08:00".into(),
            by: by.into(),
            approval: asked.map(|a| SubstitutionApproval {
                requested_by: a.into(),
                requested_at: "2026-04-03T08:00:00+08:00".into(),
            }),
            withheld: false,
        };
        let record = DrawRecord {
            format: crate::domain::draw::record::FORMAT.into(),
            draw_id: "2026Q2-01".into(),
            period: "2026Q2".into(),
            algorithm: crate::domain::draw::record::ALGORITHM.into(),
            prepared: Prepared::default(),
            private: Some(Default::default()),
            commitment: String::new(),
            seed_parts: vec![],
            seed_sources: vec![],
            seed: String::new(),
            run_on: String::new(),
            witnesses: vec![],
            strata: vec![],
            visits: vec![],
            substitutions: vec![
                sub("lead.liu", None),
                sub("principal.wang", Some("lead.liu")),
            ],
            checkpoint: None,
        };
        let (r, _) = public_record(record);
        let text = serde_json::to_string(&r).unwrap();
        for secret in ["lead.liu", "principal.wang", "病假", "休假", "private"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(r.substitutions[0].by, "操作人1");
        assert_eq!(r.substitutions[1].by, "操作人2");
        let asked = r.substitutions[1].approval.as_ref().unwrap();
        assert_eq!(
            asked.requested_by, "操作人1",
            "the same login, the same name"
        );
        assert!(r.substitutions.iter().all(|s| s.withheld));
    }
}
