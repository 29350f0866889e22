//! Loading what the screens show from the services. Only what is on screen is loaded.

use std::collections::HashMap;

use chrono::Datelike;

use super::model::{Model, ScreenId};
use super::select::{Kept, reselect};
use super::strings as s;
use crate::domain::audit::EventFilter;
use crate::domain::classification::SupervisionClass;
use crate::services::registry::EntityFilter;
use crate::services::visits::VisitFilter;
use crate::services::{Result, Session};

pub fn viewer(session: &Session) -> super::model::Viewer {
    session.user().clone()
}

/// Puts a list's cursor back on its row after the list was replaced, by the row's key; when
/// the row is gone, on the nearest one, and the status line says so if `say` (the list is on
/// screen).
pub fn follow<K: PartialEq>(
    m: &mut Model,
    say: bool,
    old: &[K],
    sel: usize,
    new: &[K],
    label: impl Fn(&K) -> String,
) -> usize {
    let kept = reselect(old, sel, new);
    if let Kept::Nearest { index, lost } = kept
        && say
    {
        let now = new.get(index).map(&label);
        m.status = Some((
            s::selection_moved(&label(&old[lost]), now.as_deref()),
            false,
        ));
    }
    kept.index()
}

/// The keys of a list of visits.
fn visit_ids(list: &[crate::services::visits::VisitView]) -> Vec<i64> {
    list.iter().map(|v| v.id).collect()
}

fn visit_label(id: &i64) -> String {
    format!("#{id}")
}

pub fn overview(session: &Session, m: &mut Model) -> Result<()> {
    let o = session.overview()?;
    names(session, m);
    // The cursor stays on the list it was on, on the same visit.
    let old = m
        .overview
        .as_ref()
        .map(|old| visit_ids(m.overview_pane.list(old)))
        .unwrap_or_default();
    let new = visit_ids(m.overview_pane.list(&o));
    let say = m.screen == ScreenId::Overview && m.form.is_none();
    m.overview_selected = follow(m, say, &old, m.overview_selected, &new, visit_label);
    m.overview = Some(o);
    Ok(())
}

/// Key-entity coverage, counted in SQLite by the dashboard service; loaded after the first frame.
/// The key entities not yet inspected that the overview names (a line of them: more than
/// the widest terminal shows); the count is always whole.
pub const KEY_MISSING_SHOWN: usize = 64;

pub fn key_coverage(session: &Session, m: &mut Model) -> Result<()> {
    m.key_coverage = Some(session.key_coverage_head(m.today.year(), KEY_MISSING_SHOWN)?);
    Ok(())
}

pub fn entities(session: &Session, m: &mut Model) -> Result<()> {
    let old = shown_ids(m);
    m.entities.all = session.list_entities(&EntityFilter::default())?;
    m.entities.loaded = true;
    refilter(m, old);
    if let Some((code, _)) = m.entities.history.take() {
        entity_history(session, m, &code)?;
    }
    Ok(())
}

/// The visits of one entity across years, for its detail; as `entities show` lists them.
pub fn entity_history(session: &Session, m: &mut Model, code: &str) -> Result<()> {
    let d = session.show_entity(code)?;
    m.entities.history = Some((code.to_string(), d.history));
    Ok(())
}

/// Recomputes which entities pass the tab, tier and search filters.
/// The towns of the loaded entities, in sorted order, for the town filter.
pub fn towns(m: &Model) -> Vec<String> {
    let set: std::collections::BTreeSet<&str> = m
        .entities
        .all
        .iter()
        .map(|c| c.entity.town.as_str())
        .collect();
    set.into_iter()
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The codes of the entities shown, in order.
fn shown_ids(m: &Model) -> Vec<String> {
    let e = &m.entities;
    e.shown.iter().map(|&i| e.all[i].id.clone()).collect()
}

/// Recomputes which entities pass the filters; the cursor stays on its entity, or goes to the
/// nearest one shown, saying so.
pub fn filter_entities(m: &mut Model) {
    let old = shown_ids(m);
    refilter(m, old);
}

/// Recomputes which entities pass the filters, the cursor on the first one (a new search).
pub fn search_entities(m: &mut Model) {
    m.entities.selected = 0;
    refilter(m, vec![]);
}

fn refilter(m: &mut Model, old: Vec<String>) {
    let e = &mut m.entities;
    let class = match e.tab {
        1 => Some(SupervisionClass::Special),
        2 => Some(SupervisionClass::Key),
        3 => Some(SupervisionClass::General),
        _ => None,
    };
    let needle = e.search.to_lowercase();
    e.shown = e
        .all
        .iter()
        .enumerate()
        .filter(|(_, c)| class.is_none_or(|k| c.classification.class == k))
        .filter(|(_, c)| e.tier.is_none_or(|t| c.entity.credit_tier == t))
        .filter(|(_, c)| e.town.as_ref().is_none_or(|t| &c.entity.town == t))
        .filter(|(_, c)| e.target.is_none_or(|t| c.entity.target_types.contains(&t)))
        .filter(|(_, c)| {
            needle.is_empty()
                || c.entity.name.to_lowercase().contains(&needle)
                || c.id.to_lowercase().contains(&needle)
        })
        .map(|(i, _)| i)
        .collect();
    let new = shown_ids(m);
    let say = m.screen == ScreenId::Entities;
    let name = |code: &String| {
        let e = &m.entities;
        e.all
            .iter()
            .find(|c| &c.id == code)
            .map_or_else(|| code.clone(), |c| c.entity.name.clone())
    };
    let labels: std::collections::HashMap<&String, String> =
        old.iter().chain(&new).map(|c| (c, name(c))).collect();
    let selected = m.entities.selected;
    m.entities.selected = follow(m, say, &old, selected, &new, |c| {
        labels.get(c).cloned().unwrap_or_else(|| c.clone())
    });
}

pub fn draws(session: &Session, m: &mut Model) -> Result<()> {
    let mut list = session.list_draws()?;
    list.reverse();
    let old: Vec<String> = m.draws.list.iter().map(|d| d.id.clone()).collect();
    let new: Vec<String> = list.iter().map(|d| d.id.clone()).collect();
    let say = m.screen == ScreenId::Draws;
    m.draws.selected = follow(m, say, &old, m.draws.selected, &new, String::clone);
    m.draws.list = list;
    Ok(())
}

pub fn visits(session: &Session, m: &mut Model) -> Result<()> {
    let list = session.list_visits(&VisitFilter {
        mine: m.visits.mine,
        ..Default::default()
    })?;
    m.visits.marked = session.publication_marks()?.into_keys().collect();
    names(session, m);
    m.visits.all = list;
    search_visits(m);
    Ok(())
}

/// Inspectors' names by code, once, for teams shown with names next to codes; a role that
/// may not read the registry sees codes only.
fn names(session: &Session, m: &mut Model) {
    if m.names.is_empty()
        && let Ok(all) = session.list_inspectors()
    {
        m.names = all.into_iter().map(|i| (i.code, i.name)).collect();
    }
}

/// The visits the search lets through, the cursor kept on its visit.
pub fn search_visits(m: &mut Model) {
    let terms = terms(&m.visits.search);
    let list: Vec<_> = m
        .visits
        .all
        .iter()
        .filter(|v| {
            let text = super::search::visit_text(v, &m.names);
            terms.iter().all(|t| text.contains(t))
        })
        .cloned()
        .collect();
    let (old, new) = (visit_ids(&m.visits.list), visit_ids(&list));
    let say = m.screen == ScreenId::Visits && m.form.is_none() && !m.visits.searching;
    m.visits.selected = follow(m, say, &old, m.visits.selected, &new, visit_label);
    m.visits.list = list;
}

/// The events the search lets through, the cursor kept on its event.
pub fn search_audit(m: &mut Model) {
    let terms = terms(&m.audit.search);
    let events: Vec<_> = m
        .audit
        .all
        .iter()
        .filter(|e| {
            let text = super::search::event_text(e);
            terms.iter().all(|t| text.contains(t))
        })
        .cloned()
        .collect();
    let old: Vec<u64> = m.audit.events.iter().map(|e| e.seq).collect();
    let new: Vec<u64> = events.iter().map(|e| e.seq).collect();
    let say = m.screen == ScreenId::Audit && !m.audit.searching;
    m.audit.selected = follow(m, say, &old, m.audit.selected, &new, |q| format!("#{q}"));
    m.audit.events = events;
}

/// The words of a search, lower case.
fn terms(search: &str) -> Vec<String> {
    search
        .to_lowercase()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

pub fn approvals(session: &Session, m: &mut Model) -> Result<()> {
    let corrections = session.pending_corrections()?;
    let mut originals = HashMap::new();
    let mut items = HashMap::new();
    for c in &corrections {
        if let Ok(v) = session.result_view(c.visit_id) {
            items.insert(c.visit_id, v.items);
            // The result in force is what an approval would replace.
            if let Some(r) = v.effective {
                originals.insert(c.visit_id, r);
            }
        }
    }
    let voids: Vec<_> = session
        .list_draws()?
        .into_iter()
        .filter(|d| d.void_request.is_some() && d.void_approved.is_none())
        .collect();
    // Further substitutions waiting for the principal, for those who may see drawn lists.
    let mut substitutions = Vec::new();
    for d in session.list_draws()? {
        match session.substitution_requests(&d.id) {
            Ok(requests) => substitutions.extend(requests.into_iter().filter(|r| !r.approved)),
            Err(crate::services::ServiceError::Denied { .. }) => break,
            Err(e) => return Err(e),
        }
    }
    let old = approval_keys(
        &m.approvals.corrections,
        &m.approvals.voids,
        &m.approvals.substitutions,
    );
    let new = approval_keys(&corrections, &voids, &substitutions);
    let say = m.screen == ScreenId::Approvals;
    m.approvals.selected = follow(m, say, &old, m.approvals.selected, &new, String::clone);
    m.approvals.corrections = corrections;
    m.approvals.originals = originals;
    m.approvals.items = items;
    m.approvals.voids = voids;
    m.approvals.substitutions = substitutions;
    Ok(())
}

/// The keys of the approvals list: corrections by number, void requests by draw, then
/// substitution requests by number.
fn approval_keys(
    corrections: &[crate::domain::result_records::Correction],
    voids: &[crate::domain::draw::Draw],
    substitutions: &[crate::services::draws::SubstitutionRequest],
) -> Vec<String> {
    corrections
        .iter()
        .map(|c| s::correction_key(c.id))
        .chain(voids.iter().map(|d| d.id.clone()))
        .chain(substitutions.iter().map(|r| s::substitution_key(r.id)))
        .collect()
}

pub fn audit(session: &Session, m: &mut Model) -> Result<()> {
    let events = session.audit_events(&EventFilter {
        limit: Some(500),
        ..Default::default()
    })?;
    m.audit.checkpoint = session.audit_checkpoint()?.to_string();
    m.audit.all = events;
    search_audit(m);
    Ok(())
}

/// Loads what the current screen shows (and the overview, which the status line uses).
pub fn current(session: &Session, m: &mut Model) -> Result<()> {
    match m.screen {
        ScreenId::Overview => overview(session, m),
        ScreenId::Entities => entities(session, m),
        ScreenId::Draws => draws(session, m),
        ScreenId::Visits => visits(session, m),
        ScreenId::Approvals => approvals(session, m),
        ScreenId::Audit => audit(session, m),
    }
}

/// The open result form after someone else's change: the teammates' drafts again and, when
/// the result was submitted by another meanwhile, the form turned read only at once with a
/// one-line notice in the status line (never a dialog). The viewer's text stays theirs: their
/// saved draft, or what they typed when `typed` (the save that found the result submitted),
/// from which `d` starts a correction. A correction being written is left alone.
pub fn form(session: &Session, m: &mut Model, typed: bool) -> Result<()> {
    use super::model::{Effect, Popup, ReadOnly};
    let Some(f) = m.form.as_ref() else {
        return Ok(());
    };
    let Some(id) = f.visit().map(|v| v.id) else {
        return Ok(());
    };
    if f.correcting {
        return Ok(());
    }
    let view = session.result_view(id)?;
    let was_editable = !f.read_only;
    let submitted_now = view.submitted.is_some() && f.read_only_why != Some(ReadOnly::Submitted);
    if !submitted_now {
        if let Some(f) = m.form.as_mut() {
            f.teammate_drafts = view.teammate_drafts;
        }
        return Ok(());
    }
    let by = view
        .submitted_by_name
        .clone()
        .unwrap_or_else(|| s::SOMEONE.to_string());
    let had_draft = view.draft.is_some();
    let on_team = m.may(
        crate::domain::role::Action::EnterResult,
        crate::domain::role::Subject::VisitResult(&view.visit.team),
    );
    let mut new = super::update::form_of(view, on_team);
    let old = m.form.take().expect("checked above");
    // What was on screen, newer than the saved draft by the keys whose save was refused.
    if was_editable && (had_draft || typed) {
        new.own_draft = Some(old.result.clone());
    }
    new.focus = old.focus;
    new.item_cursor = old
        .item_cursor
        .min(new.result.items.len().saturating_sub(1));
    new.category_cursor = old.category_cursor;
    let own = new.own_draft.is_some() && new.may_correct;
    m.form = Some(new);
    // A confirmation to submit what is already submitted has nothing left to ask.
    if matches!(
        &m.popup,
        Some(Popup::Confirm {
            effect: Effect::SubmitResult,
            ..
        })
    ) {
        m.popup = None;
    }
    m.status = Some((s::submitted_meanwhile(id, &by, own), true));
    Ok(())
}
