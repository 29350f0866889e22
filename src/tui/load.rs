//! Loading what the screens show from the services. Only what is on screen is loaded.

use std::collections::HashMap;

use chrono::Datelike;

use super::model::{Model, Overview, OverviewPane, ScreenId, TaskProgress};
use super::strings as s;
use crate::domain::classification::SupervisionClass;
use crate::domain::role::Role;
use crate::domain::visit::VisitState;
use crate::services::registry::EntityFilter;
use crate::services::visits::VisitFilter;
use crate::services::{Result, Session};
use crate::store::audit::EventFilter;

pub fn viewer(session: &Session) -> super::model::Viewer {
    let u = session.user();
    super::model::Viewer {
        login: u.login.clone(),
        name: u.name.clone(),
        roles: u.role_labels(),
        inspector: u.inspector.clone(),
        lead: u.roles.contains(&Role::Lead),
        principal: u.roles.contains(&Role::Principal),
    }
}

pub fn overview(session: &Session, m: &mut Model) -> Result<()> {
    let year = m.today.year();
    let visits = session.list_visits(&VisitFilter {
        year: Some(year),
        ..Default::default()
    })?;
    let mut tasks: Vec<TaskProgress> = Vec::new();
    for p in session.list_plans(Some(year))? {
        for t in &p.plan.tasks {
            tasks.push(TaskProgress {
                code: t.code.clone(),
                name: t.name.clone(),
                ..Default::default()
            });
        }
    }
    for v in &visits {
        for code in &v.row.tasks {
            if let Some(t) = tasks.iter_mut().find(|t| &t.code == code) {
                t.drawn += 1;
                t.inspected += usize::from(v.state >= VisitState::Completed);
                t.entered += usize::from(v.state >= VisitState::Entered);
                t.published += usize::from(v.state == VisitState::Published);
            }
        }
    }
    let mut deadlines: Vec<_> = visits
        .iter()
        .filter(|v| v.days_left.is_some())
        .cloned()
        .collect();
    deadlines.sort_by_key(|v| (v.days_left, v.row.id));
    let mine: Vec<_> = match &m.viewer.inspector {
        Some(code) => visits
            .iter()
            .filter(|v| {
                v.state < VisitState::Entered && v.row.team.iter().any(|t| &t.inspector == code)
            })
            .cloned()
            .collect(),
        None => vec![],
    };
    let mut alerts = Vec::new();
    for d in session.list_draws()? {
        if d.void_approved.is_none() && d.void_request.is_some() {
            alerts.push((true, format!("{} {}", d.id, s::ALERT_VOID_WAITING)));
        } else if d.run.is_none() && d.void_request.is_none() {
            alerts.push((false, format!("{} {}", d.id, s::ALERT_DRAW_WAITING)));
        }
    }
    let pending = session.pending_corrections()?.len();
    if pending > 0 {
        alerts.push((true, format!("{pending} 项{}", s::ALERT_CORRECTION_WAITING)));
    }
    let overdue = deadlines
        .iter()
        .filter(|v| v.days_left.is_some_and(|d| d < 0))
        .count();
    if overdue > 0 {
        alerts.push((true, format!("{overdue} 项{}", s::ALERT_OVERDUE)));
    }
    for i in session.list_inspectors()? {
        match i.cert_expiry {
            Some(e) if e < m.today => alerts.push((
                true,
                format!("{} {} {}（{e}）", i.code, i.name, s::ALERT_CERT_EXPIRED),
            )),
            Some(e) if (e - m.today).num_days() <= 60 => alerts.push((
                false,
                format!("{} {} {}（{e}）", i.code, i.name, s::ALERT_CERT_EXPIRING),
            )),
            _ => {}
        }
    }
    if !session.calendar()?.known(year + 1) {
        alerts.push((false, format!("{}{}", year + 1, s::ALERT_NEXT_YEAR)));
    }
    let key_coverage = m.overview.as_ref().and_then(|o| o.key_coverage);
    // The cursor stays on the list it was on, within its new length.
    let len = match m.overview_pane {
        OverviewPane::Deadlines => deadlines.len(),
        OverviewPane::Mine => mine.len(),
    };
    m.overview_selected = m.overview_selected.min(len.saturating_sub(1));
    m.overview = Some(Overview {
        tasks,
        deadlines,
        mine,
        alerts,
        key_coverage,
    });
    Ok(())
}

/// Key-entity coverage needs every entity classified: done after the first frame.
pub fn key_coverage(session: &Session, m: &mut Model) -> Result<()> {
    let year = m.today.year();
    let covered: std::collections::HashSet<String> = session
        .list_visits(&VisitFilter {
            year: Some(year),
            ..Default::default()
        })?
        .into_iter()
        .map(|v| v.row.entity)
        .collect();
    let keys: Vec<String> = session
        .list_entities(&EntityFilter::default())?
        .into_iter()
        .filter(|c| c.classification.also_key && c.entity.exclusion.is_none())
        .map(|c| c.id)
        .collect();
    let n = keys.iter().filter(|k| covered.contains(*k)).count();
    if let Some(o) = m.overview.as_mut() {
        o.key_coverage = Some((n, keys.len()));
    }
    Ok(())
}

pub fn entities(session: &Session, m: &mut Model) -> Result<()> {
    m.entities.all = session.list_entities(&EntityFilter::default())?;
    let mut by_entity: HashMap<String, Vec<String>> = HashMap::new();
    for v in session.list_visits(&VisitFilter {
        year: Some(m.today.year()),
        ..Default::default()
    })? {
        by_entity
            .entry(v.row.entity.clone())
            .or_default()
            .push(format!(
                "{} {} {}",
                v.row.draw_id,
                v.row.tasks.join("、"),
                v.state.label()
            ));
    }
    m.entities.visits_this_year = by_entity;
    m.entities.loaded = true;
    filter_entities(m);
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
