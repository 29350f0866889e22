//! Runs what `update` asked for, through the same services as the command line: one small
//! function per effect. Each does the I/O (the service call, then reloading the lists it
//! changed) and returns what the user is to be told, an [`Outcome`]; [`apply`] puts that on
//! screen, in one place.

use super::load;
use super::model::{Busy, Effect, FormSubject, Model, Popup};
use super::record::{self, RecordLine};
use super::strings as s;
use super::update::{form_of, targeted_form};
use crate::domain::draw::DrawStatus;
use crate::domain::draw::period::Period;
use crate::domain::draw::record::DrawRecord;
use crate::domain::role::{Action, Subject};
use crate::domain::targeted;
use crate::domain::visit::Step;
use crate::domain::vocab::join_list;
use crate::services::draws::PreparedDraw;
use crate::services::targeted::TargetedEntry;
use crate::services::{ServiceError, Session};
use crate::sheets::SheetError;
use crate::sheets::files::{Access, Overwrite, write_file};

type Result<T> = std::result::Result<T, ServiceError>;

/// What an effect tells the user, besides the lists it reloaded.
#[derive(Debug)]
pub enum Outcome {
    /// Nothing: the screen shows the change.
    Quiet,
    /// A dialog, of an error or not.
    Message {
        title: String,
        lines: Vec<String>,
        error: bool,
    },
    /// A line in the status bar.
    Status(String),
    /// The audit chain checked: what the audit screen says of it, good or broken.
    AuditVerified(std::result::Result<String, String>),
    /// A question first: the effect runs once the user confirms.
    Ask { text: String, effect: Effect },
}

impl Outcome {
    fn done(lines: Vec<String>) -> Outcome {
        Outcome::Message {
            title: s::DONE.to_string(),
            lines,
            error: false,
        }
    }

    fn error(lines: Vec<String>) -> Outcome {
        Outcome::Message {
            title: s::ERROR.to_string(),
            lines,
            error: true,
        }
    }

    /// A failed effect: each problem of a rejection on its own line.
    fn failure(e: ServiceError) -> Outcome {
        let text = match e {
            ServiceError::Rejected(p) => p
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
            other => other.to_string(),
        };
        Outcome::error(lines(&text))
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

/// Runs one effect and shows its outcome, or what went wrong. A long effect
/// ([`Effect::is_long`]) is only noted in [`Model::busy`] when the event loop runs effects in
/// the background; a second one is refused while one runs.
pub fn apply(session: &mut Session, m: &mut Model, effect: Effect) {
    if effect.is_long() {
        if let Some(busy) = &m.busy {
            m.status = Some((s::busy_refused(&busy.what), true));
            // The dialog comes back as it was: nothing typed is lost.
            if let Some(dialog) = m.asked.take() {
                m.popup = Some(dialog);
            }
            return;
        }
        if m.background {
            m.busy_asked = m.asked.take();
            m.busy = Some(Busy {
                what: s::busy_what(&effect),
                effect: Some(effect),
                secs: 0,
            });
            return;
        }
    }
    // The dialog that asked for this effect, if any: given back with the error if it fails,
    // so nothing typed is lost.
    let asked = m.asked.take();
    match run(session, m, effect) {
        Ok(outcome) => show(m, outcome),
        Err(e) => match asked {
            Some(dialog) => m.popup = Some(give_back(dialog, &e)),
            None => show(m, Outcome::failure(e)),
        },
    }
}

/// A dialog given back after its effect failed: the input as typed, the error under it with
/// the field named, and the focus on that field.
fn give_back(mut dialog: Popup, e: &ServiceError) -> Popup {
    if let Popup::Input {
        labels,
        focus,
        purpose,
        error,
        ..
    } = &mut dialog
    {
        let at = match e {
            ServiceError::InvalidField { field, .. } => purpose.field_index(field),
            _ => None,
        };
        let text = match e {
            ServiceError::Rejected(p) => p
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("；"),
            other => other.to_string(),
        };
        *error = Some(match at.and_then(|i| labels.get(i)) {
            Some(label) => s::labelled(label, text),
            None => text,
        });
        if let Some(i) = at {
            *focus = i;
        }
    }
    dialog
}

/// What the worker thread did: the service's answer, before the lists are reloaded.
#[derive(Debug)]
pub enum Worked {
    Prepared(PreparedDraw),
    Ran(Box<DrawRecord>),
    Told(Outcome),
}

/// The result of a long effect, sent back from the worker thread.
#[derive(Debug)]
pub struct Done {
    effect: Effect,
    result: Result<Worked>,
}

/// The part of a long effect that may take seconds: the service call alone, on the worker
/// thread's own session. Writes nothing to the model.
pub fn work(session: &mut Session, effect: Effect, export_dir: &std::path::Path) -> Done {
    let result = match &effect {
        Effect::PrepareDraw { period, tasks } => period
            .parse::<Period>()
            .map_err(|reason: String| ServiceError::invalid("period", reason))
            .and_then(|period| session.prepare_draw(period, tasks, &[]))
            .map(Worked::Prepared),
        Effect::RunDraw {
            id,
            seeds,
            witnesses,
        } => session
            .run_draw(id, seeds, witnesses)
            .map(|r| Worked::Ran(Box::new(r))),
        Effect::WriteRecord(id) => {
            write_record(session, export_dir, id, Overwrite::Refuse).map(Worked::Told)
        }
        Effect::OverwriteRecord(id) => {
            write_record(session, export_dir, id, Overwrite::Replace).map(Worked::Told)
        }
        _ => Ok(Worked::Told(Outcome::Quiet)),
    };
    Done { effect, result }
}

/// A long effect's result, on the dashboard's session: the lists reloaded and the outcome
/// shown, or the dialog that asked for it given back with the error.
pub fn finish(session: &mut Session, m: &mut Model, done: Done) {
    m.busy = None;
    let asked = m.busy_asked.take();
    match done.result.and_then(|w| after(session, m, &done.effect, w)) {
        Ok(outcome) => show(m, outcome),
        Err(e) => match asked {
            Some(dialog) => m.popup = Some(give_back(dialog, &e)),
            None => show(m, Outcome::failure(e)),
        },
    }
}

/// What follows a long effect's service call: reload and say what happened.
fn after(session: &mut Session, m: &mut Model, effect: &Effect, worked: Worked) -> Result<Outcome> {
    match (effect, worked) {
        (_, Worked::Prepared(p)) => {
            load::draws(session, m)?;
            open_draw(session, m, &p.id)?;
            Ok(Outcome::done(s::draw_prepared(
                &p.id,
                &p.period,
                &p.tasks,
                &p.commitment,
            )))
        }
        (Effect::RunDraw { id, .. }, Worked::Ran(r)) => {
            load::draws(session, m)?;
            open_draw(session, m, id)?;
            let without_team = r.visits.iter().filter(|v| v.problem.is_some()).count();
            Ok(Outcome::Message {
                title: s::draw_in_state(id, DrawStatus::Run),
                lines: s::draw_run(&r.seed, r.visits.len(), without_team),
                error: false,
            })
        }
        (_, Worked::Ran(_)) => Ok(Outcome::Quiet),
        (_, Worked::Told(o)) => Ok(o),
    }
}

/// Puts an outcome on screen.
fn show(m: &mut Model, outcome: Outcome) {
    match outcome {
        Outcome::Quiet => {}
        Outcome::Message {
            title,
            lines,
            error,
        } => {
            m.popup = Some(Popup::Message {
                title,
                lines,
                error,
            })
        }
        Outcome::Status(text) => m.status = Some((text, false)),
        Outcome::AuditVerified(v) => m.audit.verified = Some(v),
        Outcome::Ask { text, effect } => m.popup = Some(Popup::Confirm { text, effect }),
    }
}

fn run(session: &mut Session, m: &mut Model, effect: Effect) -> Result<Outcome> {
    if effect.is_long() {
        // The same two halves as on the worker thread, one after the other.
        let done = work(session, effect, &m.export_dir.clone());
        let worked = done.result?;
        return after(session, m, &done.effect, worked);
    }
    match effect {
        Effect::Reload => reload(session, m),
        Effect::LoadEntities => load_entities(session, m),
        Effect::PrepareDraw { .. }
        | Effect::WriteRecord(_)
        | Effect::OverwriteRecord(_)
        | Effect::RunDraw { .. } => Ok(Outcome::Quiet),
        Effect::VerifyDraw(id) => verify_draw(session, &id),
        Effect::RequestVoid { id, reason } => request_void(session, m, &id, &reason),
        Effect::ApproveVoid(id) => approve_void(session, m, &id),
        Effect::OpenDraw(id) => open_draw(session, m, &id),
        Effect::Substitute {
            draw,
            entity,
            out,
            reason,
        } => substitute(session, m, &draw, &entity, &out, &reason),
        Effect::RequestSubstitution {
            draw,
            entity,
            out,
            reason,
        } => {
            let q = session.request_substitution(&draw, &entity, &out, &reason)?;
            load::approvals(session, m)?;
            Ok(Outcome::Status(s::substitution_requested(q.id, &q.out)))
        }
        Effect::ApproveSubstitution(id) => {
            let sub = session.approve_substitution(id)?;
            load::approvals(session, m)?;
            load::visits(session, m)?;
            Ok(Outcome::Status(s::substitution_approved(
                id,
                &sub.out,
                &sub.replacement,
            )))
        }
        Effect::StartVisit { id, day, reason } => {
            session.start_visit(id, day, reason.as_deref())?;
            load::visits(session, m)?;
            Ok(Outcome::Status(s::step_done(id, Step::Start, day)))
        }
        Effect::CompleteVisit { id, day, reason } => {
            session.complete_visit(id, day, reason.as_deref())?;
            load::visits(session, m)?;
            Ok(Outcome::Status(s::step_done(id, Step::Complete, day)))
        }
        Effect::PublishVisit(id) => publish_visit(session, m, id),
        Effect::LapseVisit { id, reason } => lapse_visit(session, m, id, &reason),
        Effect::WritePlanNotice => write_plan_notice(session, m),
        Effect::MarkNoticeSent { id, on } => mark_notice_sent(session, &id, &on),
        Effect::OpenForm(id) => open_form(session, m, id),
        Effect::SaveDraft => save_draft(session, m),
        Effect::SubmitResult => submit_result(session, m),
        Effect::FileCorrection { visit, reason } => {
            let Some(f) = &m.form else {
                return Ok(Outcome::Quiet);
            };
            let id = session.file_correction(visit, &f.result, &reason)?;
            m.form = None;
            load::current(session, m)?;
            Ok(Outcome::Status(s::correction_filed(id, visit)))
        }
        Effect::DecideCorrection { id, approve, note } => {
            decide_correction(session, m, id, approve, &note)
        }
        Effect::VerifyAudit => verify_audit(session),
        Effect::OpenEntity(code) => {
            load::entity_history(session, m, &code)?;
            Ok(Outcome::Quiet)
        }
        Effect::OpenTargeted {
            entity,
            reason,
            detail,
            team,
            started,
            completed,
            items,
        } => {
            let (reason, detail) = targeted::parse_reason(&reason, &detail)
                .map_err(|why| ServiceError::invalid("reason", why))?;
            let day = |what: &str, text: &str| {
                crate::domain::parse_date(text)
                    .map_err(|why| ServiceError::invalid("date", format!("{what}：{why}")))
            };
            let entry = TargetedEntry {
                entity,
                reason,
                detail,
                team,
                started: day(s::TARGETED_STARTED, &started)?,
                completed: day(s::TARGETED_COMPLETED, &completed)?,
            };
            open_targeted(session, m, entry, &items)
        }
    }
}

/// Checks a targeted check's reason, team, dates and check items, then opens its result form.
fn open_targeted(
    session: &Session,
    m: &mut Model,
    entry: TargetedEntry,
    items: &[String],
) -> Result<Outcome> {
    let items = session.targeted_items(&entry, items)?;
    let name = session.show_entity(&entry.entity)?.entity.entity.name;
    m.status = None;
    m.form = Some(targeted_form(entry, name, items));
    Ok(Outcome::Quiet)
}

fn reload(session: &Session, m: &mut Model) -> Result<Outcome> {
    load::current(session, m)?;
    Ok(Outcome::Quiet)
}

fn load_entities(session: &Session, m: &mut Model) -> Result<Outcome> {
    load::entities(session, m)?;
    Ok(Outcome::Quiet)
}

/// Writes a run draw's printable record to a Markdown file in the export folder, owner-only
/// (the drawn list is confidential until the visits start, like the database), never through
/// a symlink; a file already there is replaced only once the user confirms.
fn write_record(
    session: &Session,
    export_dir: &std::path::Path,
    id: &str,
    overwrite: Overwrite,
) -> Result<Outcome> {
    let path = export_dir.join(s::record_file(id));
    if overwrite == Overwrite::Refuse && std::fs::symlink_metadata(&path).is_ok() {
        return Ok(Outcome::Ask {
            text: s::record_exists(&path),
            effect: Effect::OverwriteRecord(id.to_string()),
        });
    }
    let text = session.printable_record(id)?;
    match write_file(&path, text.as_bytes(), overwrite, Access::Private) {
        Ok(()) => {}
        // Created by someone else since the check: ask, as above.
        Err(SheetError::Exists(_)) => {
            return Ok(Outcome::Ask {
                text: s::record_exists(&path),
                effect: Effect::OverwriteRecord(id.to_string()),
            });
        }
        Err(e) => return Err(e.into()),
    }
    let shown = std::fs::canonicalize(&path).unwrap_or(path);
    Ok(Outcome::done(vec![
        s::RECORD_WRITTEN.to_string(),
        shown.display().to_string(),
    ]))
}

fn verify_draw(session: &Session, id: &str) -> Result<Outcome> {
    let diffs = session.verify_draw(id)?;
    Ok(if diffs.is_empty() {
        Outcome::done(vec![s::draw_verified(id)])
    } else {
        Outcome::error(diffs)
    })
}

fn request_void(session: &mut Session, m: &mut Model, id: &str, reason: &str) -> Result<Outcome> {
    session.request_void(id, reason)?;
    load::draws(session, m)?;
    Ok(Outcome::Status(s::draw_in_state(
        id,
        DrawStatus::VoidRequested,
    )))
}

fn approve_void(session: &mut Session, m: &mut Model, id: &str) -> Result<Outcome> {
    session.approve_void(id)?;
    load::current(session, m)?;
    Ok(Outcome::Status(s::draw_in_state(id, DrawStatus::Void)))
}

/// Shows a draw's record in the draws screen.
fn open_draw(session: &Session, m: &mut Model, id: &str) -> Result<Outcome> {
    m.draws.detail = Some((id.to_string(), draw_lines(session, id)?));
    m.draws.scroll = 0;
    Ok(Outcome::Quiet)
}

/// A draw's printable record once run (or the user's own visits, while the list is
/// confidential), else its preparation record (strata, quotas, exclusions, officers).
fn draw_lines(session: &Session, id: &str) -> Result<Vec<RecordLine>> {
    let view = session.show_draw(id)?;
    Ok(match (&view.record, view.confidential) {
        (Some(r), true) => {
            record::text_lines(&confidential_lines(&view.draw.commitment, r).join("\n"))
        }
        (Some(_), false) => record::parse(&session.printable_record(id)?),
        (None, _) => record::parse(&session.printable_prepared(id)?),
    })
}

/// What a user not on every team sees of a run draw: the commitment and their own visits.
fn confidential_lines(commitment: &str, r: &DrawRecord) -> Vec<String> {
    let mut out = vec![
        s::labelled(s::COMMITMENT, commitment),
        s::CONFIDENTIAL.to_string(),
    ];
    out.extend(
        r.visits
            .iter()
            .map(|v| format!("{} {}", v.entity, join_list(&v.tasks))),
    );
    out
}

fn substitute(
    session: &mut Session,
    m: &mut Model,
    draw: &str,
    entity: &str,
    out: &str,
    reason: &str,
) -> Result<Outcome> {
    // A seat substituted before needs the principal: the dialog says how to ask, in the
    // dashboard's terms (the service's message names the command line's flag).
    let sub = session
        .substitute(draw, entity, out, reason)
        .map_err(|e| match e {
            ServiceError::Invalid(why) if why.contains("--request") => {
                let what = why.split("：同一席位").next().unwrap_or_default();
                ServiceError::invalid("inspector", format!("{what}；{}", s::SUBSTITUTE_AGAIN))
            }
            other => other,
        })?;
    load::visits(session, m)?;
    Ok(Outcome::done(vec![s::substituted(
        &sub.out,
        &sub.replacement,
        &sub.reason,
    )]))
}

/// Marks a visit's entered result for the next publicity export (谁公示).
/// Writes this year's plan-change notice (书面报送) as Markdown into the export folder,
/// owner-only, never over an existing file.
fn write_plan_notice(session: &mut Session, m: &Model) -> Result<Outcome> {
    use chrono::Datelike;
    let year = m.today.year();
    let path = m.export_dir.join(s::notice_file(year, m.today));
    let n = session.write_plan_notice(year, &path, Overwrite::Refuse)?;
    let shown = std::fs::canonicalize(&path).unwrap_or(path);
    Ok(Outcome::done(s::notice_written(
        &n.id,
        n.changes.len(),
        &shown.display().to_string(),
    )))
}

/// Records that a plan-change notice was sent on the day typed.
fn mark_notice_sent(session: &mut Session, id: &str, on: &str) -> Result<Outcome> {
    let on = crate::domain::parse_date(on)
        .map_err(|reason| crate::services::ServiceError::invalid("on", reason))?;
    let n = session.mark_notice_sent(id.trim(), on)?;
    Ok(Outcome::Status(s::notice_sent(&n.id, on)))
}

fn lapse_visit(session: &mut Session, m: &mut Model, id: i64, reason: &str) -> Result<Outcome> {
    session.lapse_visit(id, reason)?;
    load::visits(session, m)?;
    Ok(Outcome::Status(s::lapsed(id)))
}

fn publish_visit(session: &mut Session, m: &mut Model, id: i64) -> Result<Outcome> {
    let mark = session.mark_for_publicity(id)?;
    load::visits(session, m)?;
    Ok(Outcome::Status(s::publish_marked(id, &mark.marked_by)))
}

/// Opens a visit's result form; editable only for its team, once completed, until submitted.
fn open_form(session: &Session, m: &mut Model, id: i64) -> Result<Outcome> {
    m.status = None;
    let view = session.result_view(id)?;
    let on_team = m.may(Action::EnterResult, Subject::VisitResult(&view.visit.team));
    m.form = Some(form_of(view, on_team));
    Ok(Outcome::Quiet)
}

fn save_draft(session: &mut Session, m: &mut Model) -> Result<Outcome> {
    let Some((id, result)) = m
        .form
        .as_ref()
        .and_then(|f| Some((f.visit()?.id, f.result.clone())))
    else {
        return Ok(Outcome::Quiet);
    };
    save_draft_of(session, m, id, &result)
}

/// Saves the draft a burst of keys left pending (see `tui::handle_burst`), once, and shows
/// the outcome.
pub fn save_pending(
    session: &mut Session,
    m: &mut Model,
    pending: &mut Option<(i64, crate::domain::result::InspectionResult)>,
) {
    if let Some((id, result)) = pending.take() {
        match save_draft_of(session, m, id, &result) {
            Ok(outcome) => show(m, outcome),
            Err(e) => show(m, Outcome::failure(e)),
        }
    }
}

/// Saves the user's draft of visit `id`. Found submitted by a teammate meanwhile: no dialog,
/// the form turns read only with a line in the status bar, and what was typed is kept.
fn save_draft_of(
    session: &mut Session,
    m: &mut Model,
    id: i64,
    result: &crate::domain::result::InspectionResult,
) -> Result<Outcome> {
    match session.save_draft(id, result) {
        Ok(()) => Ok(Outcome::Status(s::DRAFT_SAVED.to_string())),
        Err(ServiceError::AlreadySubmitted { .. }) => {
            load::form(session, m, true)?;
            Ok(Outcome::Quiet)
        }
        Err(e) => Err(e),
    }
}

fn submit_result(session: &mut Session, m: &mut Model) -> Result<Outcome> {
    let Some(f) = &m.form else {
        return Ok(Outcome::Quiet);
    };
    let id = match &f.subject {
        FormSubject::Visit(v) => v.id,
        FormSubject::Targeted { entry, entity_name } => {
            let t = session.record_targeted(entry, &f.result)?;
            let done = s::targeted_recorded(t.id, entity_name);
            m.form = None;
            m.status = None;
            // The entity's history shows it; key coverage may have grown.
            load::current(session, m)?;
            load::key_coverage(session, m)?;
            return Ok(Outcome::done(vec![done]));
        }
    };
    let r = session.submit_result(id, &f.result)?;
    m.form = None;
    m.status = None;
    // Back where the form was opened from (the overview or the visits), up to date.
    load::current(session, m)?;
    Ok(Outcome::done(vec![s::submitted(id, r.due, r.late)]))
}

fn decide_correction(
    session: &mut Session,
    m: &mut Model,
    id: i64,
    approve: bool,
    note: &str,
) -> Result<Outcome> {
    session.decide_correction(id, approve, note)?;
    load::approvals(session, m)?;
    Ok(Outcome::Status(s::correction_decided(id, approve)))
}

/// The chain, then every record row against it (as `audit verify` does).
fn verify_audit(session: &Session) -> Result<Outcome> {
    let verdict = match session.verify_audit(None)? {
        Err(broken) => Err(broken.to_string()),
        Ok(head) => {
            let rows = session.verify_rows()?;
            match rows.problems.first() {
                None => Ok(s::audit_verified(head.size, rows.rows, &head)),
                Some(first) => Err(s::rows_broken(rows.total, first)),
            }
        }
    };
    Ok(Outcome::AuditVerified(verdict))
}
