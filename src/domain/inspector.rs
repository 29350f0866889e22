//! 执法人员 (inspector): one officer in the inspector library (执法人员库).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::vocab::Expertise;

/// The default bureau name: the demo county's, and a database's without the `bureau` setting
/// (a production database names its own bureau: `init --empty --bureau`, `settings bureau`).
pub const BUREAU: &str = "晋城市生态环境局阳城分局";

/// A law-enforcement officer who may be drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspector {
    /// 人员编号: a stable code, the inspector's id in draws (ASCII upper case).
    pub code: String,
    /// 姓名
    pub name: String,
    /// 执法证号
    pub cert_no: String,
    /// 执法证有效期至
    pub cert_expiry: Option<NaiveDate>,
    /// 所属部门 (the bureau, 水利局, 住建局 …)
    pub department: String,
    /// 股室/大队
    pub unit: String,
    /// 专业
    pub expertise: BTreeSet<Expertise>,
    /// 负责片区: the towns the officer covers.
    pub areas: BTreeSet<String>,
    /// 在岗
    pub on_duty: bool,
    /// 联系电话
    pub phone: String,
    /// 请假/离岗 periods.
    pub leaves: Vec<Leave>,
    /// 回避: declared conflicts of interest.
    pub conflicts: Vec<Conflict>,
}

/// A period the officer is away (inclusive dates).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Leave {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

/// An entity the officer must never inspect, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Conflict {
    pub entity: String,
    pub reason: String,
}

/// An on-duty officer's certificate is flagged this many days before it expires.
pub const CERT_WARNING_DAYS: i64 = 60;

/// What needs doing about an officer's certificate (执法证).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertAlert {
    /// Expired on this date.
    Expired(NaiveDate),
    /// Expires on this date, within [`CERT_WARNING_DAYS`].
    Expiring(NaiveDate),
}

impl Inspector {
    /// The certificate alert for an officer on duty on `today`, if any. Officers off duty are
    /// not drawn, so their certificates wait until they return.
    pub fn cert_alert(&self, today: NaiveDate) -> Option<CertAlert> {
        let expiry = self.cert_expiry.filter(|_| self.on_duty)?;
        if expiry < today {
            Some(CertAlert::Expired(expiry))
        } else if (expiry - today).num_days() <= CERT_WARNING_DAYS {
            Some(CertAlert::Expiring(expiry))
        } else {
            None
        }
    }

    /// Certified on a date: has a certificate number and it has not expired.
    pub fn certified_on(&self, day: NaiveDate) -> bool {
        !self.cert_no.trim().is_empty() && self.cert_expiry.is_some_and(|e| e >= day)
    }

    /// On leave on a date.
    pub fn on_leave(&self, day: NaiveDate) -> bool {
        self.leaves.iter().any(|l| l.from <= day && day <= l.to)
    }

    /// Has declared a conflict with the entity.
    pub fn conflicts_with(&self, entity_id: &str) -> bool {
        self.conflicts.iter().any(|c| c.entity == entity_id)
    }
}

/// Checks an inspector code: 1–32 characters of `A-Z 0-9 -`, after upper-casing.
pub fn parse_inspector_code(text: &str) -> Result<String, String> {
    let code = text.trim().to_ascii_uppercase();
    if code.is_empty() || code.len() > 32 {
        return Err("人员编号应为1至32位".to_string());
    }
    if code
        .chars()
        .any(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'))
    {
        return Err("人员编号只允许字母、数字和-".to_string());
    }
    Ok(code)
}

/// Parses the entries of one cell, separated by `；`, `;` or a line break (blank ones
/// skipped), each with `entry`; sorted. The first entry that does not parse is the error.
fn parse_entries<T: Ord>(
    cell: &str,
    entry: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let mut out = cell
        .split(['；', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(entry)
        .collect::<Result<Vec<T>, String>>()?;
    out.sort();
    Ok(out)
}

/// Parses leave periods written in one cell: `2026-03-01~2026-03-10 病假；2026-07-01~2026-07-05`.
pub fn parse_leaves(cell: &str) -> Result<Vec<Leave>, String> {
    parse_entries(cell, |part| {
        let (range, reason) = match part.split_once([' ', '　']) {
            Some((r, why)) => (r.trim(), why.trim()),
            None => (part, ""),
        };
        let (a, b) = range
            .split_once(['~', '～', '至'])
            .ok_or_else(|| format!("请假时段“{part}”应写作 起始日期~结束日期 原因"))?;
        let from = super::parse_date(a)?;
        let to = super::parse_date(b)?;
        if to < from {
            return Err(format!("请假时段“{part}”结束日期早于起始日期"));
        }
        Ok(Leave {
            from,
            to,
            reason: reason.to_string(),
        })
    })
}

/// Formats leave periods for one cell (the inverse of [`parse_leaves`]).
pub fn format_leaves(leaves: &[Leave]) -> String {
    leaves
        .iter()
        .map(|l| {
            if l.reason.is_empty() {
                format!("{}~{}", l.from, l.to)
            } else {
                format!("{}~{} {}", l.from, l.to, l.reason)
            }
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// Parses conflicts written in one cell: `CODE:原因；CODE:原因`.
pub fn parse_conflicts(cell: &str) -> Result<Vec<Conflict>, String> {
    parse_entries(cell, |part| {
        let (code, reason) = part
            .split_once([':', '：'])
            .ok_or_else(|| format!("回避“{part}”应写作 对象代码:原因"))?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(format!("回避“{part}”缺少原因"));
        }
        Ok(Conflict {
            entity: code.trim().to_ascii_uppercase(),
            reason: reason.to_string(),
        })
    })
}

/// Formats conflicts for one cell (the inverse of [`parse_conflicts`]).
pub fn format_conflicts(conflicts: &[Conflict]) -> String {
    conflicts
        .iter()
        .map(|c| format!("{}:{}", c.entity, c.reason))
        .collect::<Vec<_>>()
        .join("；")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn officer() -> Inspector {
        Inspector {
            code: "YC-001".into(),
            name: "张三".into(),
            cert_no: "14052200001".into(),
            cert_expiry: Some(day("2026-12-31")),
            department: BUREAU.into(),
            unit: "执法大队".into(),
            expertise: BTreeSet::from([Expertise::Air]),
            areas: BTreeSet::new(),
            on_duty: true,
            phone: String::new(),
            leaves: vec![],
            conflicts: vec![],
        }
    }

    #[test]
    fn certificate_validity_includes_the_expiry_day() {
        let mut o = officer();
        assert!(o.certified_on(day("2026-12-31")));
        assert!(!o.certified_on(day("2027-01-01")));
        o.cert_no.clear();
        assert!(!o.certified_on(day("2026-01-01")));
    }

    #[test]
    fn certificates_of_officers_on_duty_are_flagged_sixty_days_ahead() {
        let mut o = officer();
        assert_eq!(o.cert_alert(day("2026-10-31")), None, "61 days ahead");
        assert_eq!(
            o.cert_alert(day("2026-11-01")),
            Some(CertAlert::Expiring(day("2026-12-31")))
        );
        assert_eq!(
            o.cert_alert(day("2026-12-31")),
            Some(CertAlert::Expiring(day("2026-12-31"))),
            "valid through its last day"
        );
        assert_eq!(
            o.cert_alert(day("2027-01-01")),
            Some(CertAlert::Expired(day("2026-12-31")))
        );
        o.on_duty = false;
        assert_eq!(o.cert_alert(day("2027-01-01")), None, "off duty");
        o.on_duty = true;
        o.cert_expiry = None;
        assert_eq!(o.cert_alert(day("2027-01-01")), None, "no date recorded");
    }

    #[test]
    fn leaves_round_trip_and_are_inclusive() {
        let leaves = parse_leaves("2026-07-01~2026-07-05；2026-03-01~2026-03-10 病假").unwrap();
        assert_eq!(leaves[0].from, day("2026-03-01"));
        assert_eq!(leaves[0].reason, "病假");
        assert_eq!(parse_leaves(&format_leaves(&leaves)).unwrap(), leaves);
        let mut o = officer();
        o.leaves = leaves;
        assert!(o.on_leave(day("2026-07-05")));
        assert!(!o.on_leave(day("2026-07-06")));
    }

    #[test]
    fn bad_leaves_are_explained() {
        assert!(
            parse_leaves("2026-07-05~2026-07-01")
                .unwrap_err()
                .contains("早于")
        );
        assert!(
            parse_leaves("下周")
                .unwrap_err()
                .contains("起始日期~结束日期")
        );
    }

    #[test]
    fn conflicts_round_trip() {
        let c = parse_conflicts("91350100m000100y43：亲属任职").unwrap();
        assert_eq!(c[0].entity, "91350100M000100Y43");
        assert_eq!(parse_conflicts(&format_conflicts(&c)).unwrap(), c);
        let mut o = officer();
        o.conflicts = c;
        assert!(o.conflicts_with("91350100M000100Y43"));
        assert!(parse_conflicts("91350100M000100Y43:").is_err());
    }
}
