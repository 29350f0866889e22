//! `v` (or `Enter` where it opens nothing else): the selected row of a list in full, one field
//! a line, for the cells a list cuts (issue 11: "a reminder, a name or any cut cell opens in
//! full"). The overview's and the visits' are in `update` (`visit_in_full`); these are the
//! other lists'. Pure: the model's rows in, lines of text out.

use super::model::Model;
use super::strings as s;
use crate::domain::audit::AuditEvent;
use crate::domain::calendar::china_time;
use crate::domain::draw::Draw;
use crate::domain::vocab::join_list;
use crate::services::registry::ClassifiedEntity;

/// A time as the lists show it: UTC+8, to the second, without the offset.
fn when(at: &str) -> String {
    china_time(at)
        .chars()
        .take(19)
        .collect::<String>()
        .replace('T', " ")
}

/// A draw in full: its stamps, every task, the whole commitment, and any void with its reason.
pub fn draw(d: &Draw) -> Vec<String> {
    let h = s::DRAW_HEADERS;
    let mut out = vec![
        s::labelled(h[0], &d.id),
        s::labelled(h[1], &d.period),
        s::labelled(h[2], d.status().label()),
        s::labelled(h[3], join_list(&d.tasks)),
        s::labelled(h[4], &d.commitment),
        s::labelled(
            s::FULL_PREPARED,
            s::by_at(&d.prepared_by, &when(&d.prepared_at)),
        ),
    ];
    if let Some(r) = &d.run {
        out.push(s::labelled(s::FULL_RUN, s::by_at(&r.by, &when(&r.at))));
    }
    for (label, v) in [
        (s::FULL_VOID_ASKED, &d.void_request),
        (s::FULL_VOID_APPROVED, &d.void_approved),
    ] {
        if let Some(v) = v {
            let said = format!("{}，{}", s::by_at(&v.by, &when(&v.at)), v.reason);
            out.push(s::labelled(label, said));
        }
    }
    out
}

/// An entity of the list in full: name, code, town and address, class and its reasons.
pub fn entity(c: &ClassifiedEntity) -> Vec<String> {
    let mut out = vec![
        s::labelled(s::NAME, &c.entity.name),
        s::labelled(s::CODE, &c.id),
        s::labelled(
            s::TOWN,
            format!("{} {}", c.entity.town, c.entity.address).trim(),
        ),
        s::labelled(s::CLASS, c.classification.class.label()),
        s::labelled(s::REASONS, s::reasons(&c.classification.reasons)),
        s::labelled(
            s::TARGET_TYPES,
            join_list(c.entity.target_types.iter().map(|t| t.label())),
        ),
        s::labelled(
            s::CREDIT_TIER,
            c.entity
                .credit_tier
                .map(|t| t.label())
                .unwrap_or(s::UNRATED),
        ),
    ];
    if let Some(x) = &c.entity.exclusion {
        out.push(s::labelled(s::EXCLUDED, x));
    }
    out
}

/// The selected item of 更正审批 in full (a correction, a void, a substitution request) and
/// its title.
pub fn approval(m: &Model) -> Option<(String, Vec<String>)> {
    let a = &m.approvals;
    let mut i = a.selected;
    if let Some(c) = a.corrections.get(i) {
        let head = s::correction_head(c.id, c.visit_id, &c.filed_by, &when(&c.filed_at));
        let lines = vec![head, s::labelled(s::CORRECTION_REASON, &c.reason)];
        return Some((s::visit_title(c.visit_id), lines));
    }
    i -= a.corrections.len();
    if let Some(d) = a.voids.get(i) {
        return Some((s::void_waiting(&d.id), draw(d)));
    }
    i -= a.voids.len();
    let r = a.substitutions.get(i)?;
    let lines = vec![
        s::labelled(s::FULL_DRAW_ID, &r.draw_id),
        s::labelled(s::FULL_VISIT, r.visit_id.to_string()),
        s::labelled(s::FULL_ENTITY, &r.entity),
        s::labelled(s::FULL_OUT, &r.out),
        s::labelled(s::FULL_REASON, &r.reason),
        s::labelled(
            s::FULL_REQUESTED,
            s::by_at(&r.requested_by, &when(&r.requested_at)),
        ),
    ];
    Some((s::substitution_title(r.id), lines))
}

/// An audit event in full: its action in Chinese and as written, the whole subject and the
/// particulars it recorded.
pub fn event(e: &AuditEvent) -> Vec<String> {
    let h = s::AUDIT_HEADERS;
    let action = s::audit_action(&e.action);
    let action = if action == e.action {
        action.to_string()
    } else {
        format!("{action}（{}）", e.action)
    };
    vec![
        s::labelled(h[0], e.seq.to_string()),
        s::labelled(h[1], when(&e.at)),
        s::labelled(h[2], &e.actor),
        s::labelled(h[3], action),
        s::labelled(h[4], &e.subject),
        s::labelled(s::FULL_DETAIL, &e.detail),
    ]
}
