//! Runs what `update` asked for, through the same services as the command line.

use super::load;
use super::model::{Effect, FormFocus, Model, Popup, ResultForm};
use super::strings as s;
use super::update::fields_of;
use crate::domain::draw::DrawStatus;
use crate::domain::draw::period::Period;
use crate::domain::result::{Category, InspectionResult, ItemOutcome, Outcome};
use crate::domain::role::{Action, Subject};
use crate::services::{ServiceError, Session};

fn message(m: &mut Model, title: &str, lines: Vec<String>, error: bool) {
    m.popup = Some(Popup::Message {
        title: title.to_string(),
        lines,
        error,
    });
}

fn fail(m: &mut Model, e: ServiceError) {
    let text = match e {
        ServiceError::Rejected(p) => p
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    };
    message(
        m,
        s::ERROR,
        text.lines().map(str::to_string).collect(),
        true,
    );
}

pub fn apply(session: &mut Session, m: &mut Model, effect: Effect) {
    if let Err(e) = run(session, m, effect) {
        fail(m, e);
    }
}

fn run(session: &mut Session, m: &mut Model, effect: Effect) -> Result<(), ServiceError> {
    match effect {
        Effect::Reload => load::current(session, m)?,
        Effect::LoadEntities => load::entities(session, m)?,
        Effect::PrepareDraw { period, tasks } => {
            let period: Period = period.parse().map_err(ServiceError::Invalid)?;
            let p = session.prepare_draw(period, &tasks, &[])?;
            load::draws(session, m)?;
            open_draw(session, m, &p.id)?;
            message(
                m,
                s::DONE,
                vec![
                    format!("{} {}：{}", p.id, p.period, p.tasks.join("、")),
                    format!("{}：{}", s::COMMITMENT, p.commitment),
                ],
                false,
            );
        }
        Effect::WriteRecord(id) => {
            let text = session.printable_record(&id)?;
            let path = m.export_dir.join(format!("抽取记录-{id}.md"));
            // The drawn list is confidential until the visits start: owner-only, like the database.
            let written = {
                use std::io::Write;
                use std::os::unix::fs::OpenOptionsExt;
                std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .mode(0o600)
                    .open(&path)
                    .and_then(|mut f| f.write_all(text.as_bytes()))
            };
            written
                .map_err(|e| ServiceError::Invalid(format!("无法写入 {}：{e}", path.display())))?;
            let shown = std::fs::canonicalize(&path).unwrap_or(path);
            message(
                m,
                s::DONE,
                vec![s::RECORD_WRITTEN.to_string(), shown.display().to_string()],
                false,
            );
        }
        Effect::RunDraw {
            id,
            seeds,
            witnesses,
        } => {
            let r = session.run_draw(&id, &seeds, &witnesses)?;
            load::draws(session, m)?;
            open_draw(session, m, &id)?;
            let problems = r.visits.iter().filter(|v| v.problem.is_some()).count();
            let mut lines = vec![
                format!("{}：{}", s::SEED, r.seed),
                format!("{} {}", s::VISITS, r.visits.len()),
            ];
            if problems > 0 {
                lines.push(format!("{problems} 项未能组成检查组"));
            }
            message(
                m,
                &format!("{id} {}", DrawStatus::Run.label()),
                lines,
                false,
            );
        }
        Effect::VerifyDraw(id) => {
            let diffs = session.verify_draw(&id)?;
            if diffs.is_empty() {
                message(m, s::DONE, vec![format!("{id} 核验通过")], false);
            } else {
                message(m, s::ERROR, diffs, true);
            }
        }
        Effect::RequestVoid { id, reason } => {
            session.request_void(&id, &reason)?;
            load::draws(session, m)?;
            m.status = Some((format!("{id} {}", DrawStatus::VoidRequested.label()), false));
        }
        Effect::ApproveVoid(id) => {
            session.approve_void(&id)?;
            load::current(session, m)?;
            m.status = Some((format!("{id} {}", DrawStatus::Void.label()), false));
        }
        Effect::OpenDraw(id) => open_draw(session, m, &id)?,
        Effect::Substitute {
            draw,
            entity,
            out,
            reason,
        } => {
            let sub = session.substitute(&draw, &entity, &out, &reason)?;
            load::visits(session, m)?;
            message(
                m,
                s::DONE,
                vec![format!(
                    "{} 由 {} 接替，理由：{}",
                    sub.out, sub.replacement, sub.reason
                )],
                false,
            );
        }
        Effect::StartVisit(id) => {
            session.start_visit(id, m.today)?;
            load::visits(session, m)?;
        }
        Effect::CompleteVisit(id) => {
            session.complete_visit(id, m.today)?;
            load::visits(session, m)?;
        }
        Effect::OpenForm(id) => {
            m.status = None;
            open_form(session, m, id)?
        }
        Effect::SaveDraft => {
            if let Some(f) = &mut m.form {
                f.problems = f
                    .result
                    .problems(&f.items.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>());
                session.save_draft(f.visit.id, &f.result)?;
                m.status = Some((s::DRAFT_SAVED.to_string(), false));
            }
        }
        Effect::SubmitResult => {
            if let Some(f) = &m.form {
                let id = f.visit.id;
                let r = session.submit_result(id, &f.result)?;
                m.form = None;
                m.status = None;
                load::visits(session, m)?;
                message(
                    m,
                    s::DONE,
                    vec![format!(
                        "检查任务 {id} 已提交，期限 {}{}",
                        r.due,
                        if r.late {
                            format!("，{}", s::LATE)
                        } else {
                            String::new()
                        }
                    )],
                    false,
                );
            }
        }
        Effect::DecideCorrection { id, approve, note } => {
            session.decide_correction(id, approve, &note)?;
            load::approvals(session, m)?;
        }
        Effect::VerifyAudit => match session.verify_audit(None)? {
            Ok(head) => {
                m.audit.verified = Some(Ok(format!("{}：{} 条，{}", s::VERIFY_OK, head.size, head)))
            }
            Err(b) => m.audit.verified = Some(Err(b.to_string())),
        },
    }
    Ok(())
}

/// Shows a draw: its printable record once run (or the user's own visits, while the list is
/// confidential), else its preparation record (strata, quotas, exclusions, officers).
fn open_draw(session: &Session, m: &mut Model, id: &str) -> Result<(), ServiceError> {
    let view = session.show_draw(id)?;
    let mut lines = vec![format!("{}：{}", s::COMMITMENT, view.draw.commitment)];
    match (&view.record, view.confidential) {
        (Some(_), false) => {
            lines = session
                .printable_record(id)?
                .lines()
                .map(str::to_string)
                .collect();
        }
        (Some(r), true) => {
            lines.push(s::CONFIDENTIAL.to_string());
            for v in &r.visits {
                lines.push(format!("{} {}", v.entity, v.tasks.join("、")));
            }
        }
        (None, _) => {
            lines = session
                .printable_prepared(id)?
                .lines()
                .map(str::to_string)
                .collect();
        }
    }
    m.draws.detail = Some((id.to_string(), lines));
    m.draws.scroll = 0;
    Ok(())
}

fn open_form(session: &mut Session, m: &mut Model, id: i64) -> Result<(), ServiceError> {
    let view = session.result_view(id)?;
    let on_team = m.may(Action::EnterResult, Subject::VisitResult(&view.visit.team));
    let read_only = view.submitted.is_some()
        || !on_team
        || view.visit.state != crate::domain::visit::VisitState::Completed;
    let result = view
        .effective
        .clone()
        .or_else(|| view.draft.as_ref().map(|d| d.result.clone()))
        .unwrap_or_else(|| InspectionResult {
            items: view
                .items
                .iter()
                .map(|(c, _)| ItemOutcome {
                    item: c.clone(),
                    outcome: Outcome::Compliant,
                    note: String::new(),
                })
                .collect(),
            categories: [Category::NoProblem].into(),
            ..Default::default()
        });
    let [findings, legal_basis, measure, other, remark] = fields_of(&result);
    let codes: Vec<String> = view.items.iter().map(|(c, _)| c.clone()).collect();
    m.form = Some(ResultForm {
        problems: result.problems(&codes),
        visit: view.visit,
        items: view.items,
        result,
        focus: FormFocus::Items,
        item_cursor: 0,
        category_cursor: 0,
        findings,
        legal_basis,
        measure,
        other,
        remark,
        read_only,
    });
    Ok(())
}
