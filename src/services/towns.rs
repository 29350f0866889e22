//! The town list (乡镇名单, issue 15): an entity's 乡镇 is one of the county's towns the
//! database holds, not free text. Every database starts with 阳城县's townships (schema v11);
//! `settings town-add` / `town-remove` edit the list with a logged reason. Imports and
//! `entities set` refuse a town typed anew that is not listed, offering the close match.

use std::collections::HashMap;

use serde_json::json;

use super::departments::closest;
use super::{Result, ServiceError, Session};
use crate::domain::entity::Entity;
use crate::domain::role::Action;
use crate::domain::text::{TextKind, identifier};
use crate::sheets::Problem;
use crate::store::settings;

/// The column an entity's town is typed in.
const COLUMN: &str = "乡镇";

/// One town as `settings towns` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Town {
    pub name: String,
    /// Entities of the library in it.
    pub entities: usize,
}

/// `settings towns`: the list, and the towns stored entities have that it does not hold (a
/// database from before the list, or a town since removed… which is refused while used).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TownList {
    pub listed: Vec<Town>,
    pub unlisted: Vec<Town>,
}

/// The refusal of a town that is not listed, after the row and column (`“凤城” 不在乡镇名单中，
/// 是否为“凤城镇”？`).
pub fn unknown_message(typed: &str, listed: &[String]) -> String {
    match closest(typed, listed.iter().map(|t| (t.as_str(), t.as_str()))) {
        Some(c) => format!("“{typed}” 不在乡镇名单中，是否为“{c}”？"),
        None => format!(
            "“{typed}” 不在乡镇名单中（settings towns 列出名单；确是本县乡镇的，用 settings town-add 添加）"
        ),
    }
}

/// The problem of one row of an entity import (merged with its stored record, whose town
/// is `stored_town`), as the import checks each row: a town that is not listed,
/// when it is new or differs from the stored one.
pub(crate) fn row_problem(
    listed: &[String],
    stored_town: Option<&str>,
    row: usize,
    e: &Entity,
) -> Option<Problem> {
    (!e.town.is_empty()
        && !listed.contains(&e.town)
        && stored_town.is_none_or(|town| town != e.town))
    .then(|| Problem::new(row, COLUMN, unknown_message(&e.town, listed)))
}

fn need_reason(reason: &str) -> Result<&str> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(ServiceError::invalid(
            "reason",
            "请用 --reason 写明修改理由",
        ));
    }
    Ok(r)
}

fn need_town(name: &str) -> Result<&str> {
    let n = name.trim();
    if n.is_empty() {
        return Err(ServiceError::invalid("town", "乡镇名称不能为空"));
    }
    identifier("乡镇名称", TextKind::Name, n).map_err(|why| ServiceError::invalid("town", why))?;
    Ok(n)
}

impl Session {
    /// `settings towns`: the listed towns with how many entities each has, and the towns in
    /// use that the list does not hold.
    pub fn towns(&self) -> Result<TownList> {
        self.require(Action::ViewRegistry)?;
        let conn = self.store().conn();
        let listed = settings::towns(conn)?;
        let used: HashMap<String, usize> = settings::entities_by_town(conn)?.into_iter().collect();
        let unlisted = settings::entities_by_town(conn)?
            .into_iter()
            .filter(|(t, _)| !listed.contains(t))
            .map(|(name, entities)| Town { name, entities })
            .collect();
        Ok(TownList {
            listed: listed
                .into_iter()
                .map(|name| Town {
                    entities: used.get(&name).copied().unwrap_or(0),
                    name,
                })
                .collect(),
            unlisted,
        })
    }

    /// `settings town-add NAME --reason R`: a town of the county (logged, `settings.town_add`).
    pub fn add_town(&mut self, name: &str, reason: &str) -> Result<()> {
        self.require(Action::ConfigureSystem)?;
        let name = need_town(name)?;
        let reason = need_reason(reason)?;
        self.write(|tx, actor| {
            if !settings::add_town(tx, name)? {
                return Err(ServiceError::invalid(
                    "town",
                    format!("“{name}”已在乡镇名单中"),
                ));
            }
            actor.log(tx, "settings.town_add", name, &json!({ "reason": reason }))?;
            Ok(())
        })
    }

    /// `settings town-remove NAME --reason R` (logged, `settings.town_remove`): refused while
    /// entities are in that town, naming how many.
    pub fn remove_town(&mut self, name: &str, reason: &str) -> Result<()> {
        self.require(Action::ConfigureSystem)?;
        let name = name.trim();
        let reason = need_reason(reason)?;
        self.write(|tx, actor| {
            let listed = settings::towns(tx)?;
            if !listed.iter().any(|t| t == name) {
                return Err(ServiceError::invalid("town", unknown_message(name, &listed)));
            }
            let used = settings::entities_by_town(tx)?
                .into_iter()
                .find(|(t, _)| t == name)
                .map_or(0, |(_, n)| n);
            if used > 0 {
                return Err(ServiceError::invalid(
                    "town",
                    format!(
                        "乡镇“{name}”仍有 {used} 个监管对象，不能从名单中删除；请先改这些监管对象的乡镇（entities list --town {name} 列出它们）"
                    ),
                ));
            }
            settings::remove_town(tx, name)?;
            actor.log(
                tx,
                "settings.town_remove",
                name,
                &json!({ "reason": reason }),
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unlisted_town_offers_the_close_one() {
        let listed: Vec<String> = ["凤城镇", "北留镇", "润城镇"].map(String::from).into();
        assert_eq!(
            unknown_message("凤城", &listed),
            "“凤城” 不在乡镇名单中，是否为“凤城镇”？"
        );
        assert_eq!(
            unknown_message("阳城县北留镇", &listed),
            "“阳城县北留镇” 不在乡镇名单中，是否为“北留镇”？"
        );
        assert!(unknown_message("太原市", &listed).contains("settings town-add"));
    }
}
