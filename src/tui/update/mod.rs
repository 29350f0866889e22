//! Keys to state changes and effects. Pure: the loop runs the effects with the services.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::full;
use super::keymap;
use super::load::{filter_entities, search_audit, search_entities, search_visits, towns};
use super::model::{Effect, FormFocus, InputPurpose, Model, Popup, ScreenId, field, text_of};
pub use super::msg::{Mode, Move, Msg};
use super::strings as s;
use crate::domain::draw::period::Period;
use crate::domain::result::{Category, Outcome};
use crate::domain::role::{Action, Subject};
use crate::domain::visit::{Step, VisitState};
use crate::domain::vocab::{CreditTier, TargetType};

mod form;

use form::form_update;
pub use form::{fields_of, form_of, targeted_form};

const PAGE: usize = 10;

/// A paste (bracketed paste: one event for the whole text) goes into the text field with the
/// focus as one insert: the result form's (cut at its limit, one draft save), a dialog's, or a
/// search's. Nowhere else: pasted text is never replayed as keys that would act.
pub fn paste(m: &mut Model, text: &str) -> Vec<Effect> {
    if m.too_small() {
        return vec![];
    }
    if let Some(Popup::Input {
        fields,
        focus,
        typed,
        ..
    }) = m.popup.as_mut()
    {
        // Dialog fields are one line each.
        let line: String = text
            .chars()
            .filter_map(|c| match c {
                '\n' | '\r' | '\t' => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
        if let Some(field) = fields.get_mut(*focus) {
            field.insert_str(line);
            *typed = true;
        }
        return vec![];
    }
    if m.popup.is_some() {
        return vec![];
    }
    if m.form.is_some() {
        return form::paste(m, text);
    }
    let searching = (m.screen == ScreenId::Entities && m.entities.searching)
        || (m.screen == ScreenId::Visits && m.visits.searching)
        || (m.screen == ScreenId::Audit && m.audit.searching);
    if !searching {
        m.status = Some((s::PASTE_NOWHERE.to_string(), true));
        return vec![];
    }
    let mut out = Vec::new();
    for c in text.chars().filter(|c| !c.is_control()) {
        out.extend(key(m, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
    }
    out
}

/// Handles one key; returns what needs the services: the mode decides the table, the table
/// makes the key a message (`keymap::message`), `update` acts on it.
pub fn key(m: &mut Model, k: KeyEvent) -> Vec<Effect> {
    let Some(msg) = keymap::message(Mode::of(m), m, k) else {
        return vec![];
    };
    let out = update(m, msg);
    if msg == Msg::CloseAndPass {
        // Nothing to answer: the key closed the message and is not lost.
        return key(m, k);
    }
    out
}

/// What a message changes, in the mode the model is in; returns what needs the services.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    if msg == Msg::Quit {
        m.quit = true;
        return vec![];
    }
    match Mode::of(m) {
        // Nothing is visible: a key must not act on what the user cannot see.
        Mode::TooSmall => vec![],
        Mode::Popup(_) => popup_update(m, msg),
        Mode::Form => form_update(m, msg),
        Mode::EntitySearch => search_update(m, msg),
        Mode::ListSearch => {
            list_search_update(m, msg);
            vec![]
        }
        Mode::Prefix => {
            m.go_prefix = false;
            match msg {
                Msg::Switch(to) => switch(m, to),
                _ => vec![],
            }
        }
        Mode::Screen(screen) => match msg {
            Msg::Help => {
                let keys = keymap::help(screen, |action| m.may(action, Subject::Any));
                m.popup = Some(Popup::Help(keys));
                vec![]
            }
            Msg::Prefix => {
                m.go_prefix = true;
                vec![]
            }
            Msg::Switch(to) => switch(m, to),
            _ => screen_update(m, screen, msg),
        },
    }
}

fn switch(m: &mut Model, to: ScreenId) -> Vec<Effect> {
    m.screen = to;
    m.status = None;
    if to == ScreenId::Entities && !m.entities.loaded {
        vec![Effect::LoadEntities]
    } else {
        vec![Effect::Reload]
    }
}

/// Moves a cursor within `len` rows, if `msg` is a move.
fn step(sel: &mut usize, len: usize, msg: Msg) -> bool {
    let Msg::Move(mv) = msg else {
        return false;
    };
    let last = len.saturating_sub(1);
    *sel = match mv {
        Move::Down => (*sel + 1).min(last),
        Move::Up => sel.saturating_sub(1),
        Move::PageDown => (*sel + PAGE).min(last),
        Move::PageUp => sel.saturating_sub(PAGE),
        Move::Home => 0,
        Move::End => last,
    };
    true
}

fn confirm(m: &mut Model, text: &str, effect: Effect) {
    m.popup = Some(Popup::Confirm {
        text: text.to_string(),
        effect,
    });
}

/// Opens an input dialog with an empty field for each label.
fn ask(m: &mut Model, title: String, labels: &[&'static str], purpose: InputPurpose) {
    m.popup = Some(Popup::input(
        title,
        labels.to_vec(),
        labels.iter().map(|_| TextArea::default()).collect(),
        purpose,
    ));
}

fn screen_update(m: &mut Model, screen: ScreenId, msg: Msg) -> Vec<Effect> {
    // A key the viewer's roles do not allow says why, from the role table, and does nothing.
    if let Some(why) = keymap::refusal(m, screen, msg) {
        m.status = Some((why, true));
        return vec![];
    }
    match screen {
        ScreenId::Overview => overview_update(m, msg),
        ScreenId::Entities => entities_update(m, msg),
        ScreenId::Draws => draws_update(m, msg),
        ScreenId::Visits => visits_update(m, msg),
        ScreenId::Approvals => approvals_update(m, msg),
        ScreenId::Audit => {
            if step(&mut m.audit.selected, m.audit.events.len(), msg) {
                return vec![];
            }
            match msg {
                Msg::Verify => vec![Effect::VerifyAudit],
                Msg::ShowFull => {
                    if let Some(e) = m.audit.events.get(m.audit.selected) {
                        let title = format!("{} {}", s::AUDIT_HEADERS[0], e.seq);
                        show_full(m, title, full::event(e));
                    }
                    vec![]
                }
                Msg::Search => {
                    m.audit.searching = true;
                    vec![]
                }
                Msg::Back if !m.audit.search.is_empty() => {
                    m.audit.search.clear();
                    search_audit(m);
                    vec![]
                }
                _ => vec![],
            }
        }
    }
}

/// 监管对象: class tabs, the tier, town and type filters, search, and the detail pane. While
/// the detail is open, the history of the entity it shows is asked for when it is not loaded.
fn entities_update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    let mut out = entities_list_update(m, msg);
    let e = &mut m.entities;
    let selected = e.shown.get(e.selected).map(|&i| e.all[i].id.clone());
    match selected {
        Some(code) if e.detail => {
            if e.history.as_ref().is_none_or(|(id, _)| *id != code) {
                out.push(Effect::OpenEntity(code));
            }
        }
        _ => e.history = None,
    }
    out
}

fn entities_list_update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    if msg == Msg::Targeted && m.entities.detail && m.may(Action::RecordTargeted, Subject::Any) {
        ask_targeted(m);
        return vec![];
    }
    let e = &mut m.entities;
    if step(&mut e.selected, e.shown.len(), msg) {
        return vec![];
    }
    match msg {
        Msg::NextTab => {
            e.tab = (e.tab + 1) % s::CLASS_TABS.len();
            filter_entities(m);
        }
        Msg::PrevTab => {
            e.tab = (e.tab + s::CLASS_TABS.len() - 1) % s::CLASS_TABS.len();
            filter_entities(m);
        }
        Msg::CycleTier => {
            // Unrated last.
            let tiers = [
                Some(CreditTier::High),
                Some(CreditTier::Elevated),
                Some(CreditTier::Normal),
                Some(CreditTier::Low),
                None,
            ];
            e.tier = next_filter(e.tier.as_ref(), &tiers);
            filter_entities(m);
        }
        Msg::CycleTown => {
            let towns = towns(m);
            let e = &mut m.entities;
            e.town = next_filter(e.town.as_ref(), &towns);
            filter_entities(m);
        }
        Msg::CycleTarget => {
            e.target = next_filter(e.target.as_ref(), TargetType::ALL);
            filter_entities(m);
        }
        Msg::Search => e.searching = true,
        Msg::ShowFull => {
            if let Some(c) = e.shown.get(e.selected).map(|&i| &e.all[i]) {
                let (title, lines) = (c.entity.name.clone(), full::entity(c));
                show_full(m, title, lines);
            }
        }
        Msg::Open => e.detail = true,
        Msg::Back if e.detail => e.detail = false,
        Msg::Back => {
            e.search.clear();
            filter_entities(m);
        }
        _ => {}
    }
    vec![]
}

/// Opens the dialog of a targeted check (个案检查) of the entity whose detail is open: its
/// reason, the reason's detail, the team, the dates (today to start with) and the check items.
fn ask_targeted(m: &mut Model) {
    let e = &m.entities;
    let Some(c) = e.shown.get(e.selected).map(|&i| &e.all[i]) else {
        return;
    };
    let today = m.today.to_string();
    let labels = s::TARGETED_FIELDS.to_vec();
    let fields = labels
        .iter()
        .enumerate()
        .map(|(i, _)| match i {
            3 | 4 => field(&today),
            _ => TextArea::default(),
        })
        .collect();
    m.popup = Some(Popup::input(
        s::targeted_title(&c.entity.name),
        labels,
        fields,
        InputPurpose::Targeted {
            entity: c.id.clone(),
        },
    ));
}

/// The next value of a filter, off (`None`) or one of `all`: off, then each in turn, then off.
fn next_filter<T: Clone + PartialEq>(current: Option<&T>, all: &[T]) -> Option<T> {
    match current {
        None => all.first().cloned(),
        Some(t) => all
            .iter()
            .position(|x| x == t)
            .and_then(|i| all.get(i + 1))
            .cloned(),
    }
}

/// Typing a search on 检查任务 or 日志: the list narrows with each key, the cursor kept on its
/// row while it is still shown. Enter (or Down) keeps the search and goes back to the list;
/// Esc drops it.
fn list_search_update(m: &mut Model, msg: Msg) {
    let (search, searching) = match m.screen {
        ScreenId::Audit => (&mut m.audit.search, &mut m.audit.searching),
        _ => (&mut m.visits.search, &mut m.visits.searching),
    };
    match msg {
        Msg::Done => *searching = false,
        Msg::Cancel => {
            *searching = false;
            search.clear();
        }
        Msg::Erase => {
            search.pop();
        }
        Msg::Type(c) => search.push(c),
        _ => return,
    }
    match m.screen {
        ScreenId::Audit => search_audit(m),
        _ => search_visits(m),
    }
}

fn search_update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    let e = &mut m.entities;
    match msg {
        Msg::Done => e.searching = false,
        Msg::Cancel => {
            e.searching = false;
            e.search.clear();
        }
        Msg::Erase => {
            e.search.pop();
        }
        Msg::Type(c) => e.search.push(c),
        _ => return vec![],
    }
    search_entities(m);
    vec![]
}

/// 总览: Tab moves between the deadlines and my visits, the arrows within, Enter opens one.
fn overview_update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    let Some(o) = m.overview.as_ref() else {
        return vec![];
    };
    let list = m.overview_pane.list(o);
    match msg {
        Msg::ShowFull => {
            // The reminders and the selected visit in full: nothing cut.
            let mut lines: Vec<String> = o
                .alerts
                .iter()
                .map(|a| format!("! {}", s::alert(a)))
                .collect();
            if let Some(v) = list.get(m.overview_selected) {
                if !lines.is_empty() {
                    lines.push(String::new());
                }
                lines.extend(visit_in_full(m, v));
            }
            if lines.is_empty() {
                lines.push(s::NONE.to_string());
            }
            m.popup = Some(Popup::Message {
                title: s::IN_FULL.to_string(),
                lines,
                error: false,
            });
            vec![]
        }
        Msg::NextTab => {
            m.overview_pane = m.overview_pane.other();
            m.overview_selected = 0;
            vec![]
        }
        Msg::Open => {
            let Some(v) = list.get(m.overview_selected) else {
                return vec![];
            };
            // The form opens over the overview, so Esc comes back here.
            vec![Effect::OpenForm(v.id)]
        }
        Msg::WriteNotice if m.may(Action::EditPlans, Subject::Any) => {
            vec![Effect::WritePlanNotice]
        }
        Msg::NoticeSent if m.may(Action::EditPlans, Subject::Any) => {
            let today = m.today.to_string();
            ask(
                m,
                s::NOTICE_SENT_TITLE.to_string(),
                &[s::NOTICE_ID, s::NOTICE_SENT_ON],
                InputPurpose::NoticeSent,
            );
            if let Some(Popup::Input { fields, .. }) = m.popup.as_mut()
                && let Some(f) = fields.get_mut(1)
            {
                f.insert_str(&today);
            }
            vec![]
        }
        msg => {
            let len = list.len();
            step(&mut m.overview_selected, len, msg);
            vec![]
        }
    }
}

fn draws_update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    let d = &mut m.draws;
    if let Some((id, lines)) = &d.detail {
        let len = lines.len();
        if step(&mut d.scroll, len, msg) {
            return vec![];
        }
        if msg == Msg::Back {
            d.detail = None;
            d.scroll = 0;
            return vec![];
        }
        if msg == Msg::ShowFull {
            // The line under the cursor in full: a row as header：cell lines.
            let (title, lines) = (id.clone(), super::record::in_full(lines, d.scroll));
            show_full(m, title, lines);
            return vec![];
        }
    } else if step(&mut d.selected, d.list.len(), msg) {
        return vec![];
    }
    let current = d.list.get(d.selected).map(|x| x.id.clone());
    match (msg, current) {
        (Msg::Open, Some(id)) => vec![Effect::OpenDraw(id)],
        (Msg::Prepare, _) if m.may(Action::PrepareDraw, Subject::Any) => {
            // The period field starts with this quarter.
            let mut period = TextArea::new(vec![Period::of(m.today).to_string()]);
            period.move_cursor(ratatui_textarea::CursorMove::End);
            m.popup = Some(Popup::input(
                s::PREPARE_TITLE.to_string(),
                vec![s::PREPARE_PERIOD, s::PREPARE_TASKS],
                vec![period, TextArea::default()],
                InputPurpose::PrepareDraw,
            ));
            vec![]
        }
        (Msg::WriteRecord, Some(id)) => vec![Effect::WriteRecord(id)],
        (Msg::Run, Some(id)) if m.may(Action::RunDraw, Subject::Any) => {
            let labels = [s::SEED_1, s::SEED_2, s::WITNESSES];
            ask(
                m,
                format!("{} {id}", s::RUN_TITLE),
                &labels,
                InputPurpose::RunDraw(id),
            );
            vec![]
        }
        (Msg::Verify, Some(id)) => vec![Effect::VerifyDraw(id)],
        (Msg::ShowFull, Some(id)) => {
            if let Some(d) = m.draws.list.get(m.draws.selected) {
                show_full(m, id, full::draw(d));
            }
            vec![]
        }
        (Msg::RequestVoid, Some(id)) if m.may(Action::RequestVoid, Subject::Any) => {
            let title = format!("{} {id}", s::VOID_TITLE);
            ask(m, title, &[s::VOID_TITLE], InputPurpose::VoidDraw(id));
            vec![]
        }
        (Msg::Approve, Some(id)) if m.may(Action::ApproveVoid, Subject::Any) => {
            confirm(m, &s::approve_void(&id), Effect::ApproveVoid(id));
            vec![]
        }
        _ => vec![],
    }
}

fn visits_update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    let v = &mut m.visits;
    if step(&mut v.selected, v.list.len(), msg) {
        return vec![];
    }
    let current = v.list.get(v.selected).map(|x| (x.id, x.state));
    // Progress is recorded by the visit's team or a lead; others are not offered the keys.
    let may_record = m
        .visits
        .list
        .get(m.visits.selected)
        .is_some_and(|x| m.may(Action::EnterResult, Subject::VisitWork(&x.team)));
    // A result is published by its team, or by those who export the list (谁公示); once.
    let may_publish = m.visits.list.get(m.visits.selected).is_some_and(|x| {
        !m.visits.marked.contains(&x.id)
            && m.may(Action::PublishResult, Subject::VisitPublication(&x.team))
    });
    if let Some(why) = visit_refusal(m, msg) {
        m.status = Some((why, true));
        return vec![];
    }
    let v = &mut m.visits;
    match (msg, current) {
        (Msg::Mine, _) => {
            v.mine = !v.mine;
            vec![Effect::Reload]
        }
        (Msg::Search, _) => {
            v.searching = true;
            vec![]
        }
        (Msg::ShowFull, Some((id, _))) => {
            let lines = m
                .visits
                .list
                .get(m.visits.selected)
                .map(|x| visit_in_full(m, x))
                .unwrap_or_default();
            m.popup = Some(Popup::Message {
                title: s::visit_title(id),
                lines,
                error: false,
            });
            vec![]
        }
        (Msg::Back, _) if !v.search.is_empty() => {
            v.search.clear();
            search_visits(m);
            vec![]
        }
        (Msg::Open, Some((id, _))) => vec![Effect::OpenForm(id)],
        (Msg::Start, Some((id, VisitState::Assigned))) if may_record => {
            ask_day(m, id, Step::Start);
            vec![]
        }
        (Msg::Substitute, Some((_, VisitState::Assigned)))
            if m.may(Action::RunDraw, Subject::Any) =>
        {
            if let Some(x) = m.visits.list.get(m.visits.selected) {
                let team: Vec<&str> = x.team.iter().map(|t| t.inspector.as_str()).collect();
                let title = s::substitute_title(x.id, &team);
                let purpose = InputPurpose::Substitute {
                    draw: x.draw_id.clone(),
                    entity: x.entity.clone(),
                };
                ask(
                    m,
                    title,
                    &[s::SUBSTITUTE_OUT, s::SUBSTITUTE_REASON],
                    purpose,
                );
            }
            vec![]
        }
        (Msg::RequestSubstitution, Some((_, VisitState::Assigned)))
            if m.may(Action::RunDraw, Subject::Any) =>
        {
            if let Some(x) = m.visits.list.get(m.visits.selected) {
                let team: Vec<&str> = x.team.iter().map(|t| t.inspector.as_str()).collect();
                let title = s::substitute_request_title(x.id, &team);
                let purpose = InputPurpose::RequestSubstitution {
                    draw: x.draw_id.clone(),
                    entity: x.entity.clone(),
                };
                ask(
                    m,
                    title,
                    &[s::SUBSTITUTE_OUT, s::SUBSTITUTE_REASON],
                    purpose,
                );
            }
            vec![]
        }
        (Msg::Lapse, Some((id, VisitState::Assigned)))
            if m.may(Action::MarkLapsed, Subject::Any) =>
        {
            let entity = m
                .visits
                .list
                .get(m.visits.selected)
                .map(|x| x.entity_name.clone())
                .unwrap_or_default();
            ask(
                m,
                s::lapse_title(id, &entity),
                &[s::LAPSE_REASON],
                InputPurpose::Lapse(id),
            );
            vec![]
        }
        (Msg::Complete, Some((id, VisitState::Started))) if may_record => {
            ask_day(m, id, Step::Complete);
            vec![]
        }
        (Msg::Publish, Some((id, VisitState::Entered))) if may_publish => {
            confirm(
                m,
                &s::publish_confirm(id, &selected_name(m)),
                Effect::PublishVisit(id),
            );
            vec![]
        }
        _ => vec![],
    }
}

/// Why a key of screen 4 may not act on the selected visit: another team's visit (`may`), or a
/// visit not in the state the step needs.
fn visit_refusal(m: &Model, msg: Msg) -> Option<String> {
    use crate::domain::role::may;
    use crate::domain::visit::Step;
    let x = m.visits.list.get(m.visits.selected)?;
    let (action, subject, step) = match msg {
        Msg::Start => (
            Action::EnterResult,
            Subject::VisitWork(&x.team),
            Step::Start,
        ),
        Msg::Complete => (
            Action::EnterResult,
            Subject::VisitWork(&x.team),
            Step::Complete,
        ),
        Msg::Publish => (
            Action::PublishResult,
            Subject::VisitPublication(&x.team),
            Step::Publish,
        ),
        _ => return None,
    };
    if let Err(r) = may(&m.viewer, action, subject) {
        return Some(keymap::why(m, action, r, x.id));
    }
    let what = match step {
        Step::Start => s::STEP_START,
        Step::Complete => s::STEP_COMPLETE,
        _ => s::STEP_PUBLISH,
    };
    if step.follows(x.state).is_err() {
        return Some(s::wrong_state(x.id, x.status_label(), what));
    }
    (step == Step::Publish && m.visits.marked.contains(&x.id)).then(|| s::already_marked(x.id))
}

/// `v`: a row in full, in a popup.
fn show_full(m: &mut Model, title: String, lines: Vec<String>) {
    m.popup = Some(Popup::Message {
        title,
        lines,
        error: false,
    });
}

/// A visit in full, one field a line, for `v` (any cell the list cut).
fn visit_in_full(m: &Model, v: &crate::services::visits::VisitView) -> Vec<String> {
    let mut out = vec![
        s::labelled(s::FULL_ENTITY, format!("{}（{}）", v.entity_name, v.entity)),
        s::labelled(s::FULL_TOWN, &v.town),
        s::labelled(s::FULL_TASKS, v.tasks.join("、")),
        s::labelled(s::FULL_DRAW, format!("{}（{}）", v.draw_id, v.period)),
        s::labelled(s::FULL_STATE, v.status_label()),
        s::labelled(
            s::FULL_TEAM,
            crate::tui::search::team_with_names(&v.team, &m.names),
        ),
    ];
    let due = crate::tui::views::countdown_in_full(m, v);
    if !due.is_empty() {
        out.push(s::labelled(s::FULL_DUE, due));
    }
    for (label, text) in [
        (s::FULL_PROBLEM, &v.problem),
        (s::FULL_NOTE, &v.note),
        (s::FULL_START_REASON, &v.dates.start_reason),
        (s::FULL_COMPLETE_REASON, &v.dates.complete_reason),
    ] {
        if let Some(t) = text {
            out.push(s::labelled(label, t));
        }
    }
    out
}

/// The name of the entity of the selected visit, for a confirmation that names its target.
fn selected_name(m: &Model) -> String {
    m.visits
        .list
        .get(m.visits.selected)
        .map(|v| v.entity_name.clone())
        .unwrap_or_default()
}

/// Opens the dialog of the day a visit is started or completed: today to begin with, the
/// visit named in the title. Enter is the confirmation.
fn ask_day(m: &mut Model, id: i64, step: Step) {
    let today = m.today.to_string();
    let (title, label) = match step {
        Step::Complete => (s::complete_title(id, &selected_name(m)), s::COMPLETE_DAY),
        _ => (s::start_title(id, &selected_name(m)), s::START_DAY),
    };
    m.popup = Some(Popup::input(
        title,
        vec![label],
        vec![field(&today)],
        InputPurpose::StepOn { id, step },
    ));
}

/// The effect of a visit's step on `day`.
fn step_effect(id: i64, step: Step, day: chrono::NaiveDate, reason: Option<String>) -> Effect {
    match step {
        Step::Complete => Effect::CompleteVisit { id, day, reason },
        _ => Effect::StartVisit { id, day, reason },
    }
}

/// The day typed in a step's dialog, checked as the service will (not after today, not
/// before the draw or an earlier step: the domain's `check_step`): the day, or what is wrong
/// with the field named.
fn step_day(m: &Model, id: i64, step: Step, text: &str) -> Result<chrono::NaiveDate, String> {
    // The field's short name: the domain's message names the step's date again.
    let label = match step {
        Step::Complete => s::TARGETED_COMPLETED,
        _ => s::TARGETED_STARTED,
    };
    let day = crate::domain::parse_date(text).map_err(|why| s::labelled(label, why))?;
    if let Some(v) = m.visits.list.iter().find(|v| v.id == id) {
        crate::domain::visit::check_step(&v.dates, step, day, m.today)
            .map_err(|why| s::labelled(label, why.to_string()))?;
    }
    Ok(day)
}

fn approvals_update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    let a = &mut m.approvals;
    let n = a.corrections.len() + a.voids.len() + a.substitutions.len();
    if step(&mut a.selected, n, msg) {
        return vec![];
    }
    // Only those who may decide (a principal, never on their own request) are offered the
    // keys; others see the list.
    if msg == Msg::ShowFull {
        if let Some((title, lines)) = full::approval(m) {
            show_full(m, title, lines);
        }
        return vec![];
    }
    let sel = a.selected;
    let a = &m.approvals;
    let correction = a
        .corrections
        .get(sel)
        .filter(|c| m.may(Action::ApproveCorrection, Subject::RequestOf(&c.filed_by)));
    let correction = correction.map(|c| (c.id, c.visit_id));
    let void = sel
        .checked_sub(a.corrections.len())
        .and_then(|i| a.voids.get(i))
        .filter(|d| {
            d.void_request
                .as_ref()
                .is_some_and(|r| m.may(Action::ApproveVoid, Subject::RequestOf(&r.by)))
        })
        .map(|d| d.id.clone());
    let request = sel
        .checked_sub(a.corrections.len() + a.voids.len())
        .and_then(|i| a.substitutions.get(i));
    let substitution = request
        .filter(|r| {
            m.may(
                Action::ApproveSubstitution,
                Subject::RequestOf(&r.requested_by),
            )
        })
        .map(|r| (r.id, r.entity.clone(), r.out.clone()));
    // The selected request, as the role table sees it: who filed it and what deciding it is.
    let selected = a
        .corrections
        .get(sel)
        .map(|c| (Action::ApproveCorrection, c.filed_by.as_str()))
        .or_else(|| {
            sel.checked_sub(a.corrections.len())
                .and_then(|i| a.voids.get(i))
                .and_then(|d| d.void_request.as_ref())
                .map(|r| (Action::ApproveVoid, r.by.as_str()))
        })
        .or_else(|| request.map(|r| (Action::ApproveSubstitution, r.requested_by.as_str())));
    if matches!(msg, Msg::Approve | Msg::Reject)
        && let Some((action, by)) = selected
        && let Err(r) = crate::domain::role::may(&m.viewer, action, Subject::RequestOf(by))
    {
        m.status = Some((keymap::why(m, action, r, 0), true));
        return vec![];
    }
    match (msg, correction, void) {
        (Msg::Approve, Some((id, visit)), _) => {
            confirm(
                m,
                &s::approve_correction(id, visit),
                Effect::DecideCorrection {
                    id,
                    approve: true,
                    note: String::new(),
                },
            );
            vec![]
        }
        (Msg::Reject, Some((id, visit)), _) => {
            let purpose = InputPurpose::RejectCorrection(id);
            ask(m, s::reject_title(id, visit), &[s::REJECT_LABEL], purpose);
            vec![]
        }
        (Msg::Approve, None, Some(id)) => {
            confirm(m, &s::approve_void(&id), Effect::ApproveVoid(id));
            vec![]
        }
        (Msg::Approve, None, None) => {
            if let Some((id, entity, out)) = substitution {
                confirm(
                    m,
                    &s::approve_substitution(id, &entity, &out),
                    Effect::ApproveSubstitution(id),
                );
            }
            vec![]
        }
        _ => vec![],
    }
}

/// The names or codes typed into one field, separated by 、 , or ，.
fn list_of(text: &str) -> Vec<String> {
    text.split(s::LIST_SEPARATORS)
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// What the fields of an input dialog ask for, once confirmed.
fn input_effect(purpose: InputPurpose, texts: Vec<String>) -> Effect {
    // The dialogs have one to three fields (six for a targeted check).
    let [first, second, third] = [0, 1, 2].map(|i| texts.get(i).cloned().unwrap_or_default());
    match purpose {
        InputPurpose::Targeted { entity } => {
            let [started, completed, items] =
                [3, 4, 5].map(|i| texts.get(i).cloned().unwrap_or_default());
            Effect::OpenTargeted {
                entity,
                reason: first,
                detail: second,
                team: list_of(&third.replace(' ', ",")),
                started,
                completed,
                items: list_of(&items.replace(' ', ",")),
            }
        }
        InputPurpose::PrepareDraw => Effect::PrepareDraw {
            period: first,
            tasks: list_of(&second.replace(' ', ",")),
        },
        InputPurpose::RunDraw(id) => Effect::RunDraw {
            id,
            seeds: [first, second]
                .into_iter()
                .filter(|t| !t.is_empty())
                .collect(),
            witnesses: list_of(&third),
        },
        InputPurpose::Substitute { draw, entity } => Effect::Substitute {
            draw,
            entity,
            out: first,
            reason: second,
        },
        InputPurpose::RequestSubstitution { draw, entity } => Effect::RequestSubstitution {
            draw,
            entity,
            out: first,
            reason: second,
        },
        InputPurpose::VoidDraw(id) => Effect::RequestVoid { id, reason: first },
        InputPurpose::Lapse(id) => Effect::LapseVisit { id, reason: first },
        InputPurpose::NoticeSent => Effect::MarkNoticeSent {
            id: first,
            on: second,
        },
        InputPurpose::StepOutside { id, step, day } => step_effect(id, step, day, Some(first)),
        // Answered in `popup_key`, once the day is checked.
        InputPurpose::StepOn { .. } => Effect::Reload,
        InputPurpose::Correction(visit) => Effect::FileCorrection {
            visit,
            reason: first,
        },
        InputPurpose::RejectCorrection(id) => Effect::DecideCorrection {
            id,
            approve: false,
            note: first,
        },
        // Answered in `popup_key`, with the seeds kept aside.
        InputPurpose::ConfirmRun(id) => Effect::OpenDraw(id),
    }
}

fn popup_update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    let Some(popup) = m.popup.as_mut() else {
        return vec![];
    };
    match popup {
        Popup::Confirm { effect, .. } => match msg {
            Msg::Confirm => {
                let e = effect.clone();
                m.popup = None;
                vec![e]
            }
            Msg::Cancel => {
                m.popup = None;
                vec![]
            }
            _ => vec![],
        },
        Popup::Message { .. } | Popup::Help(_) => {
            // Closed by any key: `key` gives a key that is not the message's own
            // (`Msg::CloseAndPass`) to what is under it.
            if matches!(msg, Msg::Close | Msg::CloseAndPass) {
                m.popup = None;
            }
            vec![]
        }
        Popup::Discard(_) => {
            match msg {
                Msg::Confirm => {
                    m.popup = None;
                    m.asked = None;
                }
                Msg::Cancel => {
                    if let Some(Popup::Discard(back)) = m.popup.take() {
                        m.popup = Some(*back);
                    }
                }
                _ => {}
            }
            vec![]
        }
        Popup::Input {
            fields,
            focus,
            purpose,
            error,
            typed,
            ..
        } => match msg {
            Msg::Cancel => {
                let this = m.popup.take();
                if matches!(
                    purpose_of(&this),
                    Some(InputPurpose::ConfirmRun(_) | InputPurpose::StepOutside { .. })
                ) {
                    // Back to the seeds and witnesses, as typed.
                    m.popup = m.asked.take();
                } else if let Some(p) =
                    this.filter(|p| matches!(p, Popup::Input { typed: true, .. }))
                {
                    m.popup = Some(Popup::Discard(Box::new(p)));
                }
                vec![]
            }
            Msg::NextField => {
                *focus = (*focus + 1) % fields.len();
                vec![]
            }
            Msg::PrevField => {
                *focus = (*focus + fields.len() - 1) % fields.len();
                vec![]
            }
            Msg::Confirm => {
                let texts: Vec<String> = fields
                    .iter()
                    .map(|f| text_of(f).trim().to_string())
                    .collect();
                match purpose.clone() {
                    InputPurpose::RunDraw(id) => {
                        // The run happens once: the draw's id typed again is the last word.
                        m.asked = m.popup.take();
                        m.popup = Some(Popup::input(
                            s::confirm_run_title(&id),
                            vec![s::CONFIRM_RUN_LABEL],
                            vec![TextArea::default()],
                            InputPurpose::ConfirmRun(id),
                        ));
                        vec![]
                    }
                    InputPurpose::StepOn { id, step } => {
                        let text = texts.first().cloned().unwrap_or_default();
                        let day = match step_day(m, id, step, &text) {
                            Ok(day) => day,
                            Err(why) => {
                                if let Some(Popup::Input { error, .. }) = m.popup.as_mut() {
                                    *error = Some(why);
                                }
                                return vec![];
                            }
                        };
                        let outside = m
                            .visits
                            .list
                            .iter()
                            .find(|v| v.id == id)
                            .and_then(|v| v.outside_on(day));
                        m.asked = m.popup.take();
                        match outside {
                            // Outside the windows: the reason, as the command line asks it;
                            // Esc goes back to the day.
                            Some(tasks) => {
                                m.popup = Some(Popup::input(
                                    s::outside_title(id, day, &tasks),
                                    vec![s::OUTSIDE_REASON],
                                    vec![TextArea::default()],
                                    InputPurpose::StepOutside { id, step, day },
                                ));
                                vec![]
                            }
                            None => vec![step_effect(id, step, day, None)],
                        }
                    }
                    InputPurpose::StepOutside { .. } => {
                        let effect = input_effect(purpose.clone(), texts);
                        // A failure gives back the reason; the day's dialog is dropped.
                        m.asked = m.popup.take();
                        vec![effect]
                    }
                    InputPurpose::ConfirmRun(id) => {
                        if texts.first() != Some(&id) {
                            *error = Some(s::run_id_mismatch(&id));
                            return vec![];
                        }
                        m.popup = None;
                        let seeds = match &m.asked {
                            Some(Popup::Input { fields, .. }) => fields
                                .iter()
                                .map(|f| text_of(f).trim().to_string())
                                .collect(),
                            _ => vec![],
                        };
                        vec![input_effect(InputPurpose::RunDraw(id), seeds)]
                    }
                    purpose => {
                        let effect = input_effect(purpose, texts);
                        m.asked = m.popup.take();
                        vec![effect]
                    }
                }
            }
            Msg::Edit(k) => {
                if fields[*focus].input(k) {
                    *typed = true;
                }
                vec![]
            }
            _ => vec![],
        },
    }
}

/// The purpose of a dialog, if it is an input dialog.
fn purpose_of(p: &Option<Popup>) -> Option<&InputPurpose> {
    match p {
        Some(Popup::Input { purpose, .. }) => Some(purpose),
        _ => None,
    }
}
