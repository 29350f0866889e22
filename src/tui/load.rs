//! Loading what the screens show from the services. Only what is on screen is loaded.

use std::collections::HashMap;

use chrono::Datelike;

use super::model::{Model, ScreenId};
use crate::domain::audit::EventFilter;
use crate::domain::classification::SupervisionClass;
use crate::services::registry::EntityFilter;
use crate::services::visits::VisitFilter;
use crate::services::{Result, Session};

pub fn viewer(session: &Session) -> super::model::Viewer {
    session.user().clone()
}

pub fn overview(session: &Session, m: &mut Model) -> Result<()> {
    let o = session.overview()?;
    // The cursor stays on the list it was on, within its new length.
    let len = m.overview_pane.list(&o).len();
    m.overview_selected = m.overview_selected.min(len.saturating_sub(1));
    m.overview = Some(o);
    Ok(())
}

/// Key-entity coverage needs every entity classified: done after the first frame.
pub fn key_coverage(session: &Session, m: &mut Model) -> Result<()> {
    m.key_coverage = Some(session.key_coverage(m.today.year())?);
    Ok(())
}

pub fn entities(session: &Session, m: &mut Model) -> Result<()> {
    m.entities.all = session.list_entities(&EntityFilter::default())?;
    m.entities.loaded = true;
    filter_entities(m);
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

pub fn filter_entities(m: &mut Model) {
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
    e.selected = e.selected.min(e.shown.len().saturating_sub(1));
}

pub fn draws(session: &Session, m: &mut Model) -> Result<()> {
    let mut list = session.list_draws()?;
    list.reverse();
    m.draws.list = list;
    m.draws.selected = m.draws.selected.min(m.draws.list.len().saturating_sub(1));
    Ok(())
}

pub fn visits(session: &Session, m: &mut Model) -> Result<()> {
    m.visits.list = session.list_visits(&VisitFilter {
        mine: m.visits.mine,
        ..Default::default()
    })?;
    m.visits.marked = session.publication_marks()?.into_keys().collect();
    m.visits.selected = m.visits.selected.min(m.visits.list.len().saturating_sub(1));
    Ok(())
}

pub fn approvals(session: &Session, m: &mut Model) -> Result<()> {
    let corrections = session.pending_corrections()?;
    let mut originals = HashMap::new();
    for c in &corrections {
        if let Ok(v) = session.result_view(c.visit_id)
            && let Some(sub) = v.submitted
        {
            originals.insert(c.visit_id, sub.result);
        }
    }
    m.approvals.corrections = corrections;
    m.approvals.originals = originals;
    m.approvals.voids = session
        .list_draws()?
        .into_iter()
        .filter(|d| d.void_request.is_some() && d.void_approved.is_none())
        .collect();
    let n = m.approvals.corrections.len() + m.approvals.voids.len();
    m.approvals.selected = m.approvals.selected.min(n.saturating_sub(1));
    Ok(())
}

pub fn audit(session: &Session, m: &mut Model) -> Result<()> {
    m.audit.events = session.audit_events(&EventFilter {
        limit: Some(500),
        ..Default::default()
    })?;
    m.audit.checkpoint = session.audit_checkpoint()?.to_string();
    m.audit.selected = m.audit.selected.min(m.audit.events.len().saturating_sub(1));
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
