//! Keys to state changes and effects. Pure: the loop runs the effects with the services.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::full;
use super::keymap;
use super::load::{filter_entities, search_audit, search_entities, search_visits, towns};
use super::model::{Effect, FormFocus, InputPurpose, Model, Popup, ScreenId, field, text_of};
use super::strings as s;
use crate::domain::draw::period::Period;
use crate::domain::result::{Category, Outcome};
use crate::domain::role::{Action, Subject};
use crate::domain::visit::{Step, VisitState};
use crate::domain::vocab::{CreditTier, TargetType};

mod form;

use form::form_key;
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

/// Handles one key; returns what needs the services.
pub fn key(m: &mut Model, k: KeyEvent) -> Vec<Effect> {
    if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
        m.quit = true;
        return vec![];
    }
    if m.too_small() {
        // Nothing is visible: a key must not act on what the user cannot see.
        if k.code == KeyCode::Char('q') {
            m.quit = true;
        }
        return vec![];
    }
    if m.popup.is_some() {
        return popup_key(m, k);
    }
    if m.form.is_some() {
        return form_key(m, k);
    }
    if m.screen == ScreenId::Entities && m.entities.searching {
        return search_key(m, k);
    }
    if (m.screen == ScreenId::Visits && m.visits.searching)
        || (m.screen == ScreenId::Audit && m.audit.searching)
    {
        list_search_key(m, k);
        return vec![];
    }
    if m.go_prefix {
        m.go_prefix = false;
        let to = match k.code {
            KeyCode::Char('o') => Some(ScreenId::Overview),
            KeyCode::Char('e') => Some(ScreenId::Entities),
            KeyCode::Char('d') => Some(ScreenId::Draws),
            KeyCode::Char('v') => Some(ScreenId::Visits),
            KeyCode::Char('a') => Some(ScreenId::Approvals),
            KeyCode::Char('l') => Some(ScreenId::Audit),
            _ => None,
        };
        return to.map(|s| switch(m, s)).unwrap_or_default();
    }
    match k.code {
        // `q` goes back from an opened record or detail; it quits only from a screen itself.
        KeyCode::Char('q') if m.screen == ScreenId::Draws && m.draws.detail.is_some() => {
            m.draws.detail = None;
            m.draws.scroll = 0;
            vec![]
        }
        KeyCode::Char('q') if m.screen == ScreenId::Entities && m.entities.detail => {
            m.entities.detail = false;
            m.entities.history = None;
            vec![]
        }
        KeyCode::Char('q') => {
            m.quit = true;
            vec![]
        }
        KeyCode::Char('?') => {
            let keys = keymap::help(m.screen, |action| m.may(action, Subject::Any));
            m.popup = Some(Popup::Help(keys));
            vec![]
        }
        KeyCode::Char('g') => {
            m.go_prefix = true;
            vec![]
        }
        KeyCode::Char(c @ '1'..='6') => switch(m, ScreenId::ALL[(c as u8 - b'1') as usize]),
        _ => screen_key(m, k),
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

/// Moves a cursor within `len` rows.
fn step(sel: &mut usize, len: usize, k: KeyCode) -> bool {
    let last = len.saturating_sub(1);
    let new = match k {
        KeyCode::Down | KeyCode::Char('j') => (*sel + 1).min(last),
        KeyCode::Up | KeyCode::Char('k') => sel.saturating_sub(1),
        KeyCode::PageDown => (*sel + PAGE).min(last),
        KeyCode::PageUp => sel.saturating_sub(PAGE),
        KeyCode::Home => 0,
        KeyCode::End => last,
        _ => return false,
    };
    *sel = new;
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

fn screen_key(m: &mut Model, k: KeyEvent) -> Vec<Effect> {
    // A key the viewer's roles do not allow says why, from the role table, and does nothing.
    if let Some(why) = keymap::refusal(m, m.screen, k.code) {
        m.status = Some((why, true));
        return vec![];
    }
    match m.screen {
        ScreenId::Overview => overview_key(m, k),
        ScreenId::Entities => entities_key(m, k),
        ScreenId::Draws => draws_key(m, k),
        ScreenId::Visits => visits_key(m, k),
        ScreenId::Approvals => approvals_key(m, k),
        ScreenId::Audit => {
            if step(&mut m.audit.selected, m.audit.events.len(), k.code) {
                return vec![];
            }
            match k.code {
                KeyCode::Char('V') => vec![Effect::VerifyAudit],
                KeyCode::Char('v') => {
                    if let Some(e) = m.audit.events.get(m.audit.selected) {
                        let title = format!("{} {}", s::AUDIT_HEADERS[0], e.seq);
                        show_full(m, title, full::event(e));
                    }
                    vec![]
                }
                KeyCode::Char('/') => {
                    m.audit.searching = true;
                    vec![]
                }
                KeyCode::Esc if !m.audit.search.is_empty() => {
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
fn entities_key(m: &mut Model, k: KeyEvent) -> Vec<Effect> {
    let mut out = entities_list_key(m, k);
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

fn entities_list_key(m: &mut Model, k: KeyEvent) -> Vec<Effect> {
    if k.code == KeyCode::Char('n')
        && m.entities.detail
        && m.may(Action::RecordTargeted, Subject::Any)
    {
        ask_targeted(m);
        return vec![];
    }
    let e = &mut m.entities;
    if step(&mut e.selected, e.shown.len(), k.code) {
        return vec![];
    }
    match k.code {
        KeyCode::Tab | KeyCode::Right | KeyCode::Char('l') => {
            e.tab = (e.tab + 1) % s::CLASS_TABS.len();
            filter_entities(m);
        }
        KeyCode::BackTab | KeyCode::Left | KeyCode::Char('h') => {
            e.tab = (e.tab + s::CLASS_TABS.len() - 1) % s::CLASS_TABS.len();
            filter_entities(m);
        }
        KeyCode::Char('t') => {
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
        KeyCode::Char('z') => {
            let towns = towns(m);
            let e = &mut m.entities;
            e.town = next_filter(e.town.as_ref(), &towns);
            filter_entities(m);
        }
        KeyCode::Char('y') => {
            e.target = next_filter(e.target.as_ref(), TargetType::ALL);
            filter_entities(m);
        }
        KeyCode::Char('/') => e.searching = true,
        KeyCode::Char('v') => {
            if let Some(c) = e.shown.get(e.selected).map(|&i| &e.all[i]) {
                let (title, lines) = (c.entity.name.clone(), full::entity(c));
                show_full(m, title, lines);
            }
        }
        KeyCode::Enter => e.detail = true,
        KeyCode::Esc if e.detail => e.detail = false,
        KeyCode::Esc => {
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
fn list_search_key(m: &mut Model, k: KeyEvent) {
    let (search, searching) = match m.screen {
        ScreenId::Audit => (&mut m.audit.search, &mut m.audit.searching),
        _ => (&mut m.visits.search, &mut m.visits.searching),
    };
    match k.code {
        KeyCode::Enter | KeyCode::Down => *searching = false,
        KeyCode::Esc => {
            *searching = false;
            search.clear();
        }
        KeyCode::Backspace => {
            search.pop();
        }
        KeyCode::Char(c) if !c.is_control() => search.push(c),
        _ => return,
    }
    match m.screen {
        ScreenId::Audit => search_audit(m),
        _ => search_visits(m),
    }
}

fn search_key(m: &mut Model, k: KeyEvent) -> Vec<Effect> {
    let e = &mut m.entities;
    match k.code {
        KeyCode::Enter | KeyCode::Down => e.searching = false,
        KeyCode::Esc => {
            e.searching = false;
            e.search.clear();
        }
        KeyCode::Backspace => {
            e.search.pop();
        }
        KeyCode::Char(c) if !c.is_control() => e.search.push(c),
        _ => return vec![],
    }
    search_entities(m);
    vec![]
}

/// 总览: Tab moves between the deadlines and my visits, the arrows within, Enter opens one.
fn overview_key(m: &mut Model, k: KeyEvent) -> Vec<Effect> {
    let Some(o) = m.overview.as_ref() else {
        return vec![];
    };
    let list = m.overview_pane.list(o);
    match k.code {
        KeyCode::Char('v') => {
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
        KeyCode::Tab | KeyCode::BackTab => {
            m.overview_pane = m.overview_pane.other();
            m.overview_selected = 0;
            vec![]
        }
        KeyCode::Enter => {
            let Some(v) = list.get(m.overview_selected) else {
                return vec![];
            };
            // The form opens over the overview, so Esc comes back here.
            vec![Effect::OpenForm(v.id)]
        }
        KeyCode::Char('n') if m.may(Action::EditPlans, Subject::Any) => {
            vec![Effect::WritePlanNotice]
        }
        KeyCode::Char('N') if m.may(Action::EditPlans, Subject::Any) => {
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
        code => {
            let len = list.len();
            step(&mut m.overview_selected, len, code);
            vec![]
        }
    }
}

fn draws_key(m: &mut Model, k: KeyEvent) -> Vec<Effect> {
    let d = &mut m.draws;
    if let Some((id, lines)) = &d.detail {
        let len = lines.len();
        if step(&mut d.scroll, len, k.code) {
            return vec![];
        }
        if k.code == KeyCode::Esc {
            d.detail = None;
            d.scroll = 0;
            return vec![];
        }
        if k.code == KeyCode::Char('v') {
            // The line under the cursor in full: a row as header：cell lines.
            let (title, lines) = (id.clone(), super::record::in_full(lines, d.scroll));
            show_full(m, title, lines);
            return vec![];
        }
    } else if step(&mut d.selected, d.list.len(), k.code) {
        return vec![];
    }
    let current = d.list.get(d.selected).map(|x| x.id.clone());
    match (k.code, current) {
        (KeyCode::Enter, Some(id)) => vec![Effect::OpenDraw(id)],
        (KeyCode::Char('p'), _) if m.may(Action::PrepareDraw, Subject::Any) => {
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
        (KeyCode::Char('w'), Some(id)) => vec![Effect::WriteRecord(id)],
        (KeyCode::Char('r'), Some(id)) if m.may(Action::RunDraw, Subject::Any) => {
            let labels = [s::SEED_1, s::SEED_2, s::WITNESSES];
            ask(
                m,
                format!("{} {id}", s::RUN_TITLE),
                &labels,
                InputPurpose::RunDraw(id),
            );
            vec![]
        }
        (KeyCode::Char('V'), Some(id)) => vec![Effect::VerifyDraw(id)],
        (KeyCode::Char('v'), Some(id)) => {
            if let Some(d) = m.draws.list.get(m.draws.selected) {
                show_full(m, id, full::draw(d));
            }
            vec![]
        }
        (KeyCode::Char('x'), Some(id)) if m.may(Action::RequestVoid, Subject::Any) => {
            let title = format!("{} {id}", s::VOID_TITLE);
            ask(m, title, &[s::VOID_TITLE], InputPurpose::VoidDraw(id));
            vec![]
        }
        (KeyCode::Char('a'), Some(id)) if m.may(Action::ApproveVoid, Subject::Any) => {
            confirm(m, &s::approve_void(&id), Effect::ApproveVoid(id));
            vec![]
        }
        _ => vec![],
    }
}

fn visits_key(m: &mut Model, k: KeyEvent) -> Vec<Effect> {
    let v = &mut m.visits;
    if step(&mut v.selected, v.list.len(), k.code) {
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
    if let Some(why) = visit_refusal(m, k.code) {
        m.status = Some((why, true));
        return vec![];
    }
    let v = &mut m.visits;
    match (k.code, current) {
        (KeyCode::Char('m'), _) => {
            v.mine = !v.mine;
            vec![Effect::Reload]
        }
        (KeyCode::Char('/'), _) => {
            v.searching = true;
            vec![]
        }
        (KeyCode::Char('v'), Some((id, _))) => {
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
        (KeyCode::Esc, _) if !v.search.is_empty() => {
            v.search.clear();
            search_visits(m);
            vec![]
        }
        (KeyCode::Enter, Some((id, _))) => vec![Effect::OpenForm(id)],
        (KeyCode::Char('s'), Some((id, VisitState::Assigned))) if may_record => {
            ask_day(m, id, Step::Start);
            vec![]
        }
        (KeyCode::Char('u'), Some((_, VisitState::Assigned)))
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
        (KeyCode::Char('U'), Some((_, VisitState::Assigned)))
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
        (KeyCode::Char('x'), Some((id, VisitState::Assigned)))
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
        (KeyCode::Char('c'), Some((id, VisitState::Started))) if may_record => {
            ask_day(m, id, Step::Complete);
            vec![]
        }
        (KeyCode::Char('p'), Some((id, VisitState::Entered))) if may_publish => {
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
fn visit_refusal(m: &Model, code: KeyCode) -> Option<String> {
    use crate::domain::role::may;
    let x = m.visits.list.get(m.visits.selected)?;
    let (action, subject, state) = match code {
        KeyCode::Char('s') => (
            Action::EnterResult,
            Subject::VisitWork(&x.team),
            Some(VisitState::Assigned),
        ),
        KeyCode::Char('c') => (
            Action::EnterResult,
            Subject::VisitWork(&x.team),
            Some(VisitState::Started),
        ),
        KeyCode::Char('p') => (
            Action::PublishResult,
            Subject::VisitPublication(&x.team),
            Some(VisitState::Entered),
        ),
        _ => return None,
    };
    if let Err(r) = may(&m.viewer, action, subject) {
        return Some(keymap::why(m, action, r, x.id));
    }
    let what = match code {
        KeyCode::Char('s') => s::STEP_START,
        KeyCode::Char('c') => s::STEP_COMPLETE,
        _ => s::STEP_PUBLISH,
    };
    match state {
        Some(want) if x.state != want => Some(s::wrong_state(x.id, x.status_label(), what)),
        _ if code == KeyCode::Char('p') && m.visits.marked.contains(&x.id) => {
            Some(s::already_marked(x.id))
        }
        _ => None,
    }
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

fn approvals_key(m: &mut Model, k: KeyEvent) -> Vec<Effect> {
    let a = &mut m.approvals;
    let n = a.corrections.len() + a.voids.len() + a.substitutions.len();
    if step(&mut a.selected, n, k.code) {
        return vec![];
    }
    // Only those who may decide (a principal, never on their own request) are offered the
    // keys; others see the list.
    if k.code == KeyCode::Char('v') {
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
    let mine = a
        .corrections
        .get(sel)
        .map(|c| c.filed_by == m.viewer.login)
        .or_else(|| {
            sel.checked_sub(a.corrections.len())
                .and_then(|i| a.voids.get(i))
                .and_then(|d| d.void_request.as_ref())
                .map(|r| r.by == m.viewer.login)
        })
        .or_else(|| request.map(|r| r.requested_by == m.viewer.login))
        .unwrap_or(false);
    if mine && matches!(k.code, KeyCode::Char('a') | KeyCode::Char('r')) {
        m.status = Some((s::REFUSED_OWN_REQUEST.to_string(), true));
        return vec![];
    }
    match (k.code, correction, void) {
        (KeyCode::Char('a'), Some((id, visit)), _) => {
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
        (KeyCode::Char('r'), Some((id, visit)), _) => {
            let purpose = InputPurpose::RejectCorrection(id);
            ask(m, s::reject_title(id, visit), &[s::REJECT_LABEL], purpose);
            vec![]
        }
        (KeyCode::Char('a'), None, Some(id)) => {
            confirm(m, &s::approve_void(&id), Effect::ApproveVoid(id));
            vec![]
        }
        (KeyCode::Char('a'), None, None) => {
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

fn popup_key(m: &mut Model, k: KeyEvent) -> Vec<Effect> {
    let Some(popup) = m.popup.as_mut() else {
        return vec![];
    };
    match popup {
        Popup::Confirm { effect, .. } => match k.code {
            KeyCode::Enter | KeyCode::Char('y') => {
                let e = effect.clone();
                m.popup = None;
                vec![e]
            }
            KeyCode::Esc | KeyCode::Char('n') => {
                m.popup = None;
                vec![]
            }
            _ => vec![],
        },
        Popup::Message { .. } | Popup::Help(_) => {
            m.popup = None;
            if matches!(
                k.code,
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') | KeyCode::Char('?')
            ) {
                vec![]
            } else {
                // Nothing to answer: the key closes it and is not lost.
                key(m, k)
            }
        }
        Popup::Discard(_) => {
            match k.code {
                KeyCode::Enter | KeyCode::Char('y') => {
                    m.popup = None;
                    m.asked = None;
                }
                KeyCode::Esc | KeyCode::Char('n') => {
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
        } => match k.code {
            KeyCode::Esc => {
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
            KeyCode::Tab | KeyCode::Down => {
                *focus = (*focus + 1) % fields.len();
                vec![]
            }
            KeyCode::BackTab | KeyCode::Up => {
                *focus = (*focus + fields.len() - 1) % fields.len();
                vec![]
            }
            KeyCode::Enter => {
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
            _ => {
                if fields[*focus].input(k) {
                    *typed = true;
                }
                vec![]
            }
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
