//! What `/` searches in the visits and the log: each row as one lower-case text of the fields
//! a lead filters by, so that every word typed must appear somewhere in it (officer, draw,
//! period, state, town for visits; action and actor for the log).

use std::collections::HashMap;

use crate::domain::audit::AuditEvent;
use crate::services::visits::VisitView;

use super::strings as s;

/// A visit's searchable text: id (as `#7` and `7`), entity code and name, tasks, draw,
/// period, state, town, and each team member's code and name.
pub fn visit_text(v: &VisitView, names: &HashMap<String, String>) -> String {
    let mut out = format!(
        "#{} {} {} {} {} {} {} {}",
        v.id,
        v.entity,
        v.entity_name,
        v.tasks.join(" "),
        v.draw_id,
        v.period,
        v.status_label(),
        v.town
    );
    for seat in v.team.iter() {
        out.push(' ');
        out.push_str(&seat.inspector);
        if let Some(name) = names.get(&seat.inspector) {
            out.push(' ');
            out.push_str(name);
        }
    }
    out.to_lowercase()
}

/// An event's searchable text: its number, action (as written and in Chinese), actor and
/// subject.
pub fn event_text(e: &AuditEvent) -> String {
    format!(
        "#{} {} {} {} {}",
        e.seq,
        e.action,
        s::audit_action(&e.action),
        e.actor,
        e.subject
    )
    .to_lowercase()
}

/// A team as a list shows it: each code with the name next to it when known (`*` marks the
/// team's lead).
pub fn team_with_names(
    team: &crate::domain::draw::record::Team,
    names: &HashMap<String, String>,
) -> String {
    team.iter()
        .map(|seat| {
            let lead = if seat.lead { "*" } else { "" };
            match names.get(&seat.inspector) {
                Some(name) => format!("{lead}{}{name}", seat.inspector),
                None => format!("{lead}{}", seat.inspector),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
