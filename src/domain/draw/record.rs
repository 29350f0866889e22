//! 抽取记录 (the draw record): what is committed before the seed exists, and what the run
//! produced. `draw show --json` prints it; `draw verify` re-computes it from itself alone.

use serde::{Deserialize, Serialize};

use crate::domain::audit::Checkpoint;

/// The record format and algorithm this build writes.
pub const FORMAT: &str = "ssj-draw-record-v2";
pub const ALGORITHM: &str = "ssj-draw-v2";
/// The first year's format and algorithm: records written under them keep verifying.
pub const FORMAT_V1: &str = "ssj-draw-record-v1";
pub const ALGORITHM_V1: &str = "ssj-draw-v1";

/// Whether the algorithm is one this build can replay.
pub fn known_algorithm(a: &str) -> bool {
    a == ALGORITHM || a == ALGORITHM_V1
}

/// The record format that goes with an algorithm.
pub fn format_of(algorithm: &str) -> &'static str {
    if algorithm == ALGORITHM_V1 {
        FORMAT_V1
    } else {
        FORMAT
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}
/// The seed source the system always adds, last in `prepared.sources` and `seed_sources`.
pub const SYSTEM_SOURCE: &str = "系统随机数：操作系统熵源（OsRng）20位";

/// The source of the `n`-th (1-based) seed part people gave.
pub fn person_source(n: usize) -> String {
    format!("现场种子{n}")
}

/// Everything frozen and hashed before the randomness exists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prepared {
    pub period: String,
    pub algorithm: String,
    /// The date the population was frozen (YYYY-MM-DD).
    pub prepared_on: String,
    /// Declared randomness sources, e.g. "现场掷骰（两人各20位）".
    pub sources: Vec<String>,
    pub tasks: Vec<TaskSpec>,
    pub strata: Vec<StratumSpec>,
    pub excluded: Vec<Exclusion>,
    /// Facts about every entity in any population that the team matching reads.
    pub entities: Vec<EntityFacts>,
    /// The eligible inspectors and what the team matching reads of them.
    pub inspectors: Vec<InspectorFacts>,
    /// Inspectors left out, and why (v1; v2 keeps them in the private part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ineligible: Option<Vec<Ineligible>>,
    /// The department whose officers lead every team (the bureau).
    pub lead_department: String,
    /// At most this many visits per inspector in this draw.
    pub workload_cap: u32,
    /// v2: the draw the commitment is for, who prepared it and when (RFC 3339), so that no
    /// two draws share a commitment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draw_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepared_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepared_at: Option<String>,
    /// v2: SHA-256 of the system's seed part, drawn at preparation and revealed at the run, so
    /// a rollback and re-run with the same dice gives the same list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_part_sha256: Option<String>,
    /// v2: SHA-256 of the canonical JSON of the private part (officers' personal data and the
    /// entities' previous teams).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_sha256: Option<String>,
}

impl Prepared {
    /// Whether this is a v2 preparation (its private part is apart).
    pub fn is_v2(&self) -> bool {
        self.algorithm == ALGORITHM
    }

    /// The officers left out and why: from `prepared` (v1) or the private part (v2).
    pub fn ineligible<'a>(&'a self, private: Option<&'a PrivatePart>) -> &'a [Ineligible] {
        match (&self.ineligible, private) {
            (Some(v), _) => v,
            (None, Some(p)) => &p.ineligible,
            (None, None) => &[],
        }
    }

    /// What the team matching reads of the preparation for the visits to `drawn`, with the
    /// private part put back ([`Prepared::merged`]), copied without the strata's populations,
    /// the exclusions and the facts of other entities ([`Prepared::narrow_to_drawn`]): a
    /// re-computation or a substitution at a million entities copied all of them. Never
    /// committed to.
    pub fn merged_for(
        &self,
        drawn: &std::collections::HashSet<&str>,
        private: Option<&PrivatePart>,
    ) -> Prepared {
        let mut p = Prepared {
            period: self.period.clone(),
            algorithm: self.algorithm.clone(),
            prepared_on: self.prepared_on.clone(),
            sources: self.sources.clone(),
            tasks: self.tasks.clone(),
            strata: Vec::new(),
            excluded: Vec::new(),
            entities: self
                .entities
                .iter()
                .filter(|e| drawn.contains(e.id.as_str()))
                .cloned()
                .collect(),
            inspectors: self.inspectors.clone(),
            ineligible: self.ineligible.clone(),
            lead_department: self.lead_department.clone(),
            workload_cap: self.workload_cap,
            draw_id: self.draw_id.clone(),
            prepared_by: self.prepared_by.clone(),
            prepared_at: self.prepared_at.clone(),
            system_part_sha256: self.system_part_sha256.clone(),
            private_sha256: self.private_sha256.clone(),
        };
        p.merge(private);
        p
    }

    /// The preparation with the private part put back where v1 kept it: what the team
    /// matching reads. Never committed to.
    pub fn merged(&self, private: Option<&PrivatePart>) -> Prepared {
        let mut p = self.clone();
        p.merge(private);
        p
    }

    /// [`Prepared::merged`] in place, without copying the entities: what it filled in is
    /// returned for [`Prepared::unmerge`] to take out again.
    pub fn merge(&mut self, private: Option<&PrivatePart>) -> Merged {
        let mut filled = Merged::default();
        let Some(private) = private else {
            return filled;
        };
        for (n, i) in self.inspectors.iter_mut().enumerate() {
            if i.conflicts.is_none() {
                i.conflicts = Some(private.conflicts_of(&i.id).to_vec());
                filled.inspectors.push(n);
            }
        }
        // Looked up by id once, not searched for each of (up to a million) entities.
        // The first entry of an entity, as `last_team_of` finds it.
        let mut last: std::collections::HashMap<&str, &[String]> = std::collections::HashMap::new();
        for t in &private.last_teams {
            last.entry(t.entity.as_str())
                .or_insert(t.inspectors.as_slice());
        }
        for (n, e) in self.entities.iter_mut().enumerate() {
            if e.last_team.is_none() {
                e.last_team = Some(last.get(e.id.as_str()).map_or(Vec::new(), |t| t.to_vec()));
                filled.entities.push(n);
            }
        }
        if self.ineligible.is_none() {
            self.ineligible = Some(private.ineligible.clone());
            filled.ineligible = true;
        }
        filled
    }

    /// Takes out what [`Prepared::merge`] filled in: the preparation is as it was committed.
    pub fn unmerge(&mut self, filled: Merged) {
        for n in filled.inspectors {
            self.inspectors[n].conflicts = None;
        }
        for n in filled.entities {
            self.entities[n].last_team = None;
        }
        if filled.ineligible {
            self.ineligible = None;
        }
    }
}

/// What [`Prepared::merge`] filled in, by position.
#[derive(Debug, Default)]
pub struct Merged {
    inspectors: Vec<usize>,
    entities: Vec<usize>,
    ineligible: bool,
}

/// A stratum's counts: what anyone may see of a preparation before the year's earlier visits
/// have started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StratumCount {
    pub task: String,
    pub label: String,
    pub rule: String,
    pub population: usize,
    pub priority: usize,
    pub quota: u32,
}

impl Prepared {
    /// Each stratum's counts, in order.
    pub fn counts(&self) -> Vec<StratumCount> {
        self.strata
            .iter()
            .map(|s| StratumCount {
                task: s.task.clone(),
                label: s.label.clone(),
                rule: s.rule.clone(),
                population: s.population.len(),
                priority: s.priority.len(),
                quota: s.quota,
            })
            .collect()
    }

    /// What the team matching reads of the preparation once the visits are planned, and no
    /// more: the strata's populations, priority lists and cap exclusions let go, the exclusions
    /// dropped, and the facts of entities kept only for those `drawn`. The matching looks an
    /// entity up only for its own visit ([`super::team::match_teams`]), so the teams are the
    /// same; the preparation no longer is, and its commitment no longer matches. For a run
    /// that does not hand its preparation back (issue 12: a million-entity county's run
    /// held every entity's facts while it formed the teams).
    pub fn narrow_to_drawn(&mut self, drawn: &std::collections::HashSet<&str>) {
        for s in &mut self.strata {
            s.population = Vec::new();
            s.priority = Vec::new();
            s.over_cap = Vec::new();
        }
        self.excluded = Vec::new();
        self.entities.retain(|e| drawn.contains(e.id.as_str()));
        self.entities.shrink_to_fit();
    }

    /// The preparation without what reveals earlier draws (populations shrunk by them,
    /// priority lists, cap exclusions, the entities drawn from): what an observer sees until
    /// every visit of the year's earlier draws has started or is 未实施. Its commitment no
    /// longer matches; the counts ([`Prepared::counts`]) and the commitment are shown instead.
    pub fn withheld(&self) -> Prepared {
        let mut p = self.clone();
        for s in &mut p.strata {
            s.population.clear();
            s.priority.clear();
            s.over_cap.clear();
        }
        p.excluded.clear();
        p.entities.clear();
        p.ineligible = None;
        for i in &mut p.inspectors {
            i.conflicts = None;
        }
        p
    }
}

/// v2: what the team matching reads that is personal (declared conflicts, why an officer may
/// not be sent) or would reveal earlier draws (each entity's previous team). Shown only to
/// those who may see the draw's teams; its SHA-256 is in `prepared.private_sha256`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivatePart {
    /// Officers with declared conflicts: the entities each declared, by officer id.
    pub conflicts: Vec<OfficerConflicts>,
    pub ineligible: Vec<Ineligible>,
    /// The previous random-inspection team of each entity in a population that had one.
    pub last_teams: Vec<LastTeam>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficerConflicts {
    pub inspector: String,
    pub entities: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LastTeam {
    pub entity: String,
    pub inspectors: Vec<String>,
}

impl PrivatePart {
    pub fn conflicts_of(&self, inspector: &str) -> &[String] {
        self.conflicts
            .iter()
            .find(|c| c.inspector == inspector)
            .map(|c| c.entities.as_slice())
            .unwrap_or(&[])
    }

    pub fn last_team_of(&self, entity: &str) -> &[String] {
        self.last_teams
            .iter()
            .find(|t| t.entity == entity)
            .map(|t| t.inspectors.as_slice())
            .unwrap_or(&[])
    }

    /// Hex SHA-256 of its canonical JSON, as `prepared.private_sha256` holds it.
    pub fn digest(&self) -> String {
        super::commit::commitment(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSpec {
    pub code: String,
    pub name: String,
    pub plan: String,
    /// 配合部门: each seats one officer of its own.
    pub departments: Vec<String>,
    /// At least one bureau officer on the team holds one of these.
    pub expertise: Vec<String>,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StratumSpec {
    pub task: String,
    pub label: String,
    /// How the quota was reached, in words.
    pub rule: String,
    /// The effective ratio in basis points (after the credit-tier multiplier).
    pub ratio_bp: u32,
    pub population: Vec<String>,
    /// Ids drawn first (key entities not yet covered this year).
    pub priority: Vec<String>,
    pub quota: u32,
    /// v2: the count the ratio applies to when it is larger than the population (units at
    /// the yearly cap are not eligible but count for the ratio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio_base: Option<u32>,
    /// v2: a yearly target spread over the quarters left in the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual: Option<Annual>,
    /// v2: the on-duty officers with a valid certificate on the day of preparation that a
    /// 1:N rule counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officers: Option<u32>,
    /// v2: the window's last quarter: every priority id is taken, beyond the ratio if need be.
    #[serde(default, skip_serializing_if = "is_false")]
    pub take_all_priority: bool,
    /// v2: a full-coverage (100 %) task: a unit of the population that another stratum of the
    /// draw selects is joined to that visit before the rest are drawn.
    #[serde(default, skip_serializing_if = "is_false")]
    pub full_coverage: bool,
    /// v2: units of a full-coverage population already at the yearly cap; if drawn, their
    /// visit is marked as over the cap.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub over_cap: Vec<String>,
}

impl StratumSpec {
    /// What the rule asked for this quarter before the population's size limited it: the
    /// ratio of `ratio_base` (or of the population), or the yearly target's share.
    pub fn wanted(&self) -> u32 {
        let n = self.population.len();
        match self.annual {
            Some(a) => a.wanted(),
            None => {
                let base = self.ratio_base.map(|b| b as usize).unwrap_or(n);
                super::quota::ceil_share(base, self.ratio_bp)
            }
        }
    }

    /// The units the rule asked for that could not be drawn because too few were eligible
    /// (the yearly cap): 0 when the quota met the rule. v1 strata never record one.
    pub fn shortfall(&self) -> u32 {
        if self.ratio_base.is_none() && self.annual.is_none() {
            return 0;
        }
        self.wanted().saturating_sub(self.quota)
    }
}

/// A yearly target spread over quarters: `quota = min(population, max(0, ⌈(target −
/// drawn) / quarters_left⌉))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Annual {
    pub target: u32,
    pub drawn: u32,
    pub quarters_left: u32,
}

impl Annual {
    /// What the target asks of this quarter: `⌈(target − drawn) / quarters_left⌉`.
    pub fn wanted(&self) -> u32 {
        self.target
            .saturating_sub(self.drawn)
            .div_ceil(self.quarters_left.max(1))
    }

    pub fn quota(&self, population: usize) -> u32 {
        self.wanted().min(population as u32)
    }
}

/// The mark of a visit to a unit already at the yearly cap, made for a full-coverage task.
pub const OVER_CAP_NOTE: &str = "超出年度抽查上限（全覆盖任务）";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    pub id: String,
    pub task: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityFacts {
    pub id: String,
    pub name: String,
    pub town: String,
    /// The inspectors of the entity's previous random-inspection team (回避); v1 only, v2
    /// keeps them in the private part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_team: Option<Vec<String>>,
    /// v2: the supervision class on the day of preparation (重点/特殊/一般): a visit to a
    /// unit that was special when drawn does not count toward the yearly cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectorFacts {
    pub id: String,
    pub name: String,
    pub department: String,
    pub areas: Vec<String>,
    pub expertise: Vec<String>,
    /// Entities the officer declared a conflict with (v1; v2 keeps them in the private part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ineligible {
    pub id: String,
    pub reason: String,
}

/// A selected entity with its ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selected {
    pub id: String,
    pub ticket: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StratumResult {
    pub task: String,
    pub label: String,
    pub quota: u32,
    pub selected: Vec<Selected>,
}

/// One seat of a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seat {
    pub inspector: String,
    pub department: String,
    pub lead: bool,
    pub ticket: String,
}

/// 检查组 (a team): the seats of one visit, in the order drawn (the lead first), with any
/// substitutions applied where the holder says so.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Team(pub Vec<Seat>);

impl Team {
    /// Whether the officer with this inspector code sits on the team.
    pub fn includes(&self, inspector: &str) -> bool {
        self.0.iter().any(|s| s.inspector == inspector)
    }

    /// The seat the officer holds, if any.
    pub fn seat_of(&self, inspector: &str) -> Option<&Seat> {
        self.0.iter().find(|s| s.inspector == inspector)
    }

    /// The inspector codes, the lead marked with `*`: "*YC-001 YC-004 SL-002".
    pub fn codes(&self) -> String {
        self.0
            .iter()
            .map(|s| format!("{}{}", if s.lead { "*" } else { "" }, s.inspector))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Puts `replacement` in the seat `out` holds; no change if `out` holds none.
    pub fn replace(&mut self, out: &str, replacement: &str) {
        if let Some(seat) = self.0.iter_mut().find(|s| s.inspector == out) {
            seat.inspector = replacement.to_string();
        }
    }
}

impl std::ops::Deref for Team {
    type Target = [Seat];

    fn deref(&self) -> &[Seat] {
        &self.0
    }
}

impl FromIterator<Seat> for Team {
    fn from_iter<I: IntoIterator<Item = Seat>>(seats: I) -> Team {
        Team(seats.into_iter().collect())
    }
}

impl From<Vec<Seat>> for Team {
    fn from(seats: Vec<Seat>) -> Team {
        Team(seats)
    }
}

/// 检查任务 (a visit): one entity, all the tasks that drew it, one team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitResult {
    pub entity: String,
    pub tasks: Vec<String>,
    pub ticket: String,
    pub team: Vec<Seat>,
    /// Why a valid team could not be formed, if it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// v2: a mark the rules put on the visit ([`OVER_CAP_NOTE`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A later change of one officer on one visit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Substitution {
    pub entity: String,
    pub out: String,
    #[serde(rename = "in")]
    pub replacement: String,
    /// Why `out` left: one of [`SUBSTITUTION_REASONS`], perhaps with a note (required for
    /// 其他), as [`substitution_reason`] accepts it. Records of the first year's build may hold
    /// free text. Empty when [`Substitution::withheld`].
    pub reason: String,
    /// Candidates ranked before the replacement that were passed over, with why (the why is
    /// empty when withheld).
    pub skipped: Vec<Ineligible>,
    /// When and by whom: for an approved substitution, the principal's approval.
    pub at: String,
    pub by: String,
    /// v2: a further substitution of a seat already substituted: who asked, and when. The
    /// substitution itself (`at`, `by`) is the principal's approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<SubstitutionApproval>,
    /// The reasons (this one's and the passed-over candidates') are held back from this
    /// reader: they are personal (病假). The ids, which the replay needs, are kept.
    #[serde(default, skip_serializing_if = "is_false")]
    pub withheld: bool,
}

impl Substitution {
    /// Holds back the reasons: the substitution's and those of the candidates passed over.
    pub fn withhold(&mut self) {
        self.reason.clear();
        for s in &mut self.skipped {
            s.reason.clear();
        }
        self.withheld = true;
    }
}

/// The request for a further substitution of one seat, which a principal approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubstitutionApproval {
    /// The lead who asked.
    pub requested_by: String,
    /// When (RFC 3339).
    pub requested_at: String,
}

/// The reasons a substitution may give. 其他 needs a note ("其他：外出培训").
pub const SUBSTITUTION_REASONS: [&str; 5] = ["病假", "公差", "回避", "离岗", "其他"];

/// The reason that needs a note.
pub const OTHER_REASON: &str = "其他";

/// A substitution's reason as records keep it: as given ("病假", "病假，医院证明已交",
/// "其他：外出培训"), trimmed, provided it starts with one of [`SUBSTITUTION_REASONS`] and any
/// note is set off from the kind by punctuation or a space; 其他 needs a note. `Err` says, in
/// words, what is wrong.
pub fn substitution_reason(text: &str) -> Result<String, String> {
    let text = text.trim();
    let listed = || SUBSTITUTION_REASONS.join("、");
    let Some(kind) = SUBSTITUTION_REASONS
        .iter()
        .find(|k| text.starts_with(**k))
        .copied()
    else {
        return Err(if text.is_empty() {
            format!("替换须写明理由：{}，或“其他：说明”", listed())
        } else {
            format!(
                "替换理由“{text}”不在规定的类别中：应为{}之一，其他情况写作“其他：说明”",
                listed()
            )
        });
    };
    let rest = &text[kind.len()..];
    let apart = |c: char| c.is_whitespace() || "：:，,、；;（(".contains(c);
    if !rest.is_empty() && !rest.starts_with(apart) {
        return Err(format!(
            "替换理由“{text}”不在规定的类别中：应为{}之一，说明与类别用“：”隔开（如“{kind}：说明”）",
            listed()
        ));
    }
    let note = rest.trim_start_matches(apart).trim();
    if kind == OTHER_REASON && note.is_empty() {
        return Err("理由为“其他”时须写明说明，如“其他：外出培训”".to_string());
    }
    Ok(text.to_string())
}

/// The kind of a reason as records keep it, if it is one of [`SUBSTITUTION_REASONS`] (with
/// the note 其他 requires).
pub fn reason_kind(reason: &str) -> Option<&'static str> {
    let kind = SUBSTITUTION_REASONS
        .iter()
        .find(|k| reason.starts_with(**k))
        .copied()?;
    (substitution_reason(reason).as_deref() == Ok(reason)).then_some(kind)
}

/// The whole record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawRecord {
    pub format: String,
    pub draw_id: String,
    pub period: String,
    pub algorithm: String,
    pub prepared: Prepared,
    /// v2: the private part, for those who may see the draw's teams; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<PrivatePart>,
    pub commitment: String,
    pub seed_parts: Vec<String>,
    /// Who or what gave each seed part, in the same order.
    pub seed_sources: Vec<String>,
    pub seed: String,
    /// The day the draw was run (YYYY-MM-DD).
    #[serde(default)]
    pub run_on: String,
    pub witnesses: Vec<String>,
    pub strata: Vec<StratumResult>,
    pub visits: Vec<VisitResult>,
    #[serde(default)]
    pub substitutions: Vec<Substitution>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict_checkpoint"
    )]
    pub checkpoint: Option<Checkpoint>,
}

/// The checkpoint as a record carries it, refusing unknown keys like the rest of the record.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrictCheckpoint {
    size: u64,
    head: String,
}

fn strict_checkpoint<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Checkpoint>, D::Error> {
    Ok(
        Option::<StrictCheckpoint>::deserialize(d)?.map(|c| Checkpoint {
            size: c.size,
            head: c.head,
        }),
    )
}

/// Parses a record (`draw show --json`), refusing unknown keys with a message naming the key.
pub fn parse_record(text: &str) -> Result<DrawRecord, String> {
    serde_json::from_str(text).map_err(|e| {
        let m = e.to_string();
        let at = format!("（第{}行第{}列）", e.line(), e.column());
        if let Some(rest) = m.strip_prefix("unknown field `")
            && let Some((key, _)) = rest.split_once('`')
        {
            format!("记录含有本格式没有的字段“{key}”{at}，可能被改动过")
        } else if let Some(rest) = m.strip_prefix("missing field `")
            && let Some((key, _)) = rest.split_once('`')
        {
            format!("记录缺少字段“{key}”{at}")
        } else {
            format!("{m}{at}")
        }
    })
}

/// The digest the `draw.run` audit event carries: hex SHA-256 of the canonical JSON of the
/// record as run, that is without `checkpoint` (the checkpoint is that very event), without
/// the later `substitutions` (each has its own `draw.substitute` event), and without
/// `prepared`, which the record's `commitment` (inside the digest) already binds: hashing the
/// frozen population again cost a second per 100,000 entities and added nothing.
pub fn record_digest(record: &DrawRecord) -> String {
    use sha2::{Digest, Sha256};
    // Hashed as it is written, a visit at a time: at a million entities the whole text is
    // 200 MB and was the run's peak of memory (issue 12).
    let mut h = Sha256::new();
    let mut out = |b: &[u8]| h.update(b);
    let mut m = crate::domain::canonical::Members::new(&mut out);
    members_as_run(record, None::<RowParts<'_, (), ()>>, &mut m);
    m.end();
    hex::encode(h.finalize())
}

/// What a run row keeps in place of the parts stored elsewhere: `prepared` (by its
/// commitment) and `visits` (by their count: the rows of `visits` and `visit_team`).
pub struct RowParts<'a, P, V> {
    pub prepared: &'a P,
    pub visits: &'a V,
}

/// The members of a record as run, in canonical order: {algorithm, commitment, draw_id,
/// format, period, run_on, seed, seed_parts, seed_sources, strata, visits, witnesses} (what
/// [`record_digest`] hashes), and with `stored` (what a run row stores) also `prepared` and
/// `substitutions`, with `prepared` and `visits` as `stored` has them.
pub fn members_as_run<'k, P: Serialize, V: Serialize>(
    record: &DrawRecord,
    stored: Option<RowParts<'_, P, V>>,
    m: &mut crate::domain::canonical::Members<'k>,
) {
    m.member("algorithm", &record.algorithm);
    m.member("commitment", &record.commitment);
    m.member("draw_id", &record.draw_id);
    m.member("format", &record.format);
    m.member("period", &record.period);
    if let Some(stored) = &stored {
        m.member("prepared", stored.prepared);
    }
    m.member("run_on", &record.run_on);
    m.member("seed", &record.seed);
    m.member("seed_parts", &record.seed_parts);
    m.member("seed_sources", &record.seed_sources);
    m.seq("strata", &record.strata);
    match &stored {
        Some(stored) => {
            m.seq("substitutions", &record.substitutions);
            m.member("visits", stored.visits);
        }
        None => m.seq("visits", &record.visits),
    }
    m.member("witnesses", &record.witnesses);
}
