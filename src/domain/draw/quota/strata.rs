//! The strata of one sampling line and their quotas, rule by rule.

use super::*;

/// A stratum before its rule is applied: task, label, population and priority.
fn draft(task: &str, label: String, population: Vec<String>, priority: Vec<String>) -> StratumSpec {
    StratumSpec {
        task: task.to_string(),
        label,
        rule: String::new(),
        ratio_bp: 0,
        population,
        priority,
        ..Default::default()
    }
}

/// The words of a shortfall the yearly cap caused.
fn shortfall(wanted: u32, can: usize) -> String {
    format!("；受年度抽查上限限制，应抽{wanted}个，可抽{can}个")
}

/// A stratum per quarter: ratio of the population and of the units the cap keeps out (the
/// plan's ratio is of the class), key coverage first where it applies.
fn per_quarter(
    mut st: StratumSpec,
    base: u32,
    tier: Option<CreditTier>,
    m: &TierMultipliers,
    capped: usize,
    last_quarter_takes_priority: bool,
) -> StratumSpec {
    let bp = effective_bp(base, tier, m);
    let n = st.population.len();
    let whole = n + capped;
    let by_ratio = ceil_share(whole, bp);
    st.rule = format!(
        "每季度{}（信用风险{}，基准{}），{whole}个向上取整为{by_ratio}",
        pct(bp),
        tier_label(tier),
        pct(base),
    );
    if capped > 0 {
        st.ratio_base = Some(whole as u32);
        if by_ratio as usize > n {
            st.rule.push_str(&shortfall(by_ratio, n));
        }
    }
    st.quota = by_ratio.min(n as u32);
    if last_quarter_takes_priority {
        st.take_all_priority = true;
        if st.priority.len() as u32 > st.quota {
            st.quota = st.priority.len() as u32;
            st.rule.push_str(&format!(
                "；窗口最后一季度，本年尚未检查的重点对象{}个全部抽取",
                st.quota
            ));
        }
    }
    st.ratio_bp = bp;
    st
}

/// A stratum of a yearly target spread over the quarters left.
fn spread(mut st: StratumSpec, rule_head: String, bp: u32, annual: Annual) -> StratumSpec {
    let Annual {
        target,
        drawn,
        quarters_left,
    } = annual;
    let wanted = annual.wanted();
    let quota = annual.quota(st.population.len());
    st.rule = format!(
        "{rule_head}；全年{target}个，已抽{drawn}个，剩余{quarters_left}个季度，本季度{quota}个"
    );
    if wanted > quota {
        st.rule.push_str(&shortfall(wanted, st.population.len()));
    }
    st.ratio_bp = bp;
    st.quota = quota;
    st.annual = Some(annual);
    st
}

pub(super) fn line_strata(
    ctx: &Ctx<'_>,
    plan: &Plan,
    task: &Task,
    line: &SamplingLine,
    prefix: &str,
    pool: &Pool<'_>,
) -> Vec<StratumSpec> {
    let l = Line {
        ctx,
        m: &plan.tier_multipliers,
        code: task.code.as_str(),
        last: ctx.period.is_last_of(line.window),
        left: ctx.period.quarters_left(line.window),
        prefix,
        pool,
    };
    let mut out = Vec::new();
    match line.rule {
        SamplingRule::ByClass {
            key_bp,
            special_bp,
            general_bp,
        } => {
            l.by_class(SupervisionClass::Key, key_bp, &mut out);
            l.by_class(SupervisionClass::Special, special_bp, &mut out);
            l.by_class(SupervisionClass::General, general_bp, &mut out);
        }
        SamplingRule::KeyAndOneInThree {
            key_bp,
            units_per_inspector,
        } => {
            l.by_class(SupervisionClass::Key, key_bp, &mut out);
            l.by_class(SupervisionClass::Special, SPECIAL_DEFAULT_BP, &mut out);
            l.general_per_inspector(units_per_inspector, &mut out);
        }
        SamplingRule::ByEiaClass {
            report_book_bp,
            report_form_bp,
            registration_bp,
        } => {
            for (eia, base) in [
                (EiaClass::ReportBook, report_book_bp),
                (EiaClass::ReportForm, report_form_bp),
                (EiaClass::Registration, registration_bp),
            ] {
                l.by_eia_class(eia, base, &mut out);
            }
        }
        SamplingRule::FixedRatio { ratio_bp } => l.fixed_ratio(ratio_bp, &mut out),
        SamplingRule::Full => l.full(&mut out),
    }
    out
}

/// What the strata of one sampling line share: the task, where the period stands in the
/// line's window, the label prefix and the pool of eligible entities.
struct Line<'a> {
    ctx: &'a Ctx<'a>,
    m: &'a TierMultipliers,
    code: &'a str,
    /// The period is the window's last quarter.
    last: bool,
    /// Quarters left in the window, this one included.
    left: u32,
    prefix: &'a str,
    pool: &'a Pool<'a>,
}

impl Line<'_> {
    /// How many of `ids` this task drew earlier this year.
    fn drawn_count(&self, ids: &[String]) -> u32 {
        ids.iter()
            .filter(|id| self.ctx.drawn(self.code, id))
            .count() as u32
    }

    /// One stratum per credit tier of a supervision class, a share per quarter; key and special
    /// strata put the key entities not yet inspected this year first.
    fn by_class(&self, class: SupervisionClass, base: u32, out: &mut Vec<StratumSpec>) {
        let (ctx, pool) = (self.ctx, self.pool);
        let tiered = pool.tiered(|e| e.class == class);
        for (t, tier) in TIERS.into_iter().enumerate() {
            let pop = tiered.ids(t, |_| true);
            let capped = tiered.capped[t].len();
            if pop.is_empty() && capped == 0 {
                continue;
            }
            let coverage = matches!(class, SupervisionClass::Key | SupervisionClass::Special);
            let priority: Vec<String> = if coverage {
                tiered.ids(t, |e| e.also_key && ctx.uncovered(&e.id))
            } else {
                vec![]
            };
            let label = format!(
                "{}{}/{}",
                self.prefix,
                class.short_label(),
                tier_label(tier)
            );
            out.push(per_quarter(
                draft(self.code, label, pop, priority),
                base,
                tier,
                self.m,
                capped,
                coverage && self.last,
            ));
        }
    }

    /// General units at 1:N: N per on-duty bureau officer with a valid certificate a year (at
    /// most the general units of the scope), spread over the quarters left among those not
    /// drawn yet; a unit drawn earlier counts as drawn whatever happened to it since.
    fn general_per_inspector(&self, units_per_inspector: u32, out: &mut Vec<StratumSpec>) {
        let (ctx, pool) = (self.ctx, self.pool);
        let general = |e: &Unit| e.class == SupervisionClass::General;
        let members = pool.ids(general);
        let others = [pool.capped_ids(general), pool.drawn_out_ids(general)].concat();
        let drawn = self.drawn_count(&members) + self.drawn_count(&others);
        let target = ((units_per_inspector as usize) * ctx.officers)
            .min(members.len() + others.len()) as u32;
        let pop = self.undrawn(&members);
        if pop.is_empty() && target <= drawn {
            return;
        }
        let head = format!(
            "一般监管对象按1:{units_per_inspector}：在岗且执法证有效的执法人员{}名",
            ctx.officers
        );
        let label = format!("{}一般/1:{units_per_inspector}", self.prefix);
        let mut st = spread(
            draft(self.code, label, pop, vec![]),
            head,
            0,
            Annual {
                target,
                drawn,
                quarters_left: self.left,
            },
        );
        st.officers = Some(ctx.officers as u32);
        out.push(st);
    }

    /// The entities of `all` this task has not drawn yet this year.
    fn undrawn(&self, all: &[String]) -> Vec<String> {
        all.iter()
            .filter(|id| !self.ctx.drawn(self.code, id))
            .cloned()
            .collect()
    }

    /// One stratum per credit tier of the units holding an EIA class, a share per quarter.
    fn by_eia_class(&self, eia: EiaClass, base: u32, out: &mut Vec<StratumSpec>) {
        let tiered = self.pool.tiered(|e| e.has_eia(eia));
        for (t, tier) in TIERS.into_iter().enumerate() {
            let pop = tiered.ids(t, |_| true);
            let capped = tiered.capped[t].len();
            if !pop.is_empty() || capped > 0 {
                let label = format!("{}{}/{}", self.prefix, eia.label(), tier_label(tier));
                out.push(per_quarter(
                    draft(self.code, label, pop, vec![]),
                    base,
                    tier,
                    self.m,
                    capped,
                    false,
                ));
            }
        }
    }

    /// One stratum per credit tier, a share of the year of the whole tier (eligible, at the
    /// cap, or drawn earlier and out now) spread over the quarters left among the eligible
    /// units not drawn yet.
    fn fixed_ratio(&self, ratio_bp: u32, out: &mut Vec<StratumSpec>) {
        let tiered = self.pool.tiered(|_| true);
        for (t, tier) in TIERS.into_iter().enumerate() {
            let members = tiered.ids(t, |_| true);
            let others = [tiered.capped_ids(t), tiered.drawn_out_ids(t)].concat();
            let whole = members.len() + others.len();
            if whole == 0 {
                continue;
            }
            let bp = effective_bp(ratio_bp, tier, self.m);
            let target = ceil_share(whole, bp);
            let drawn = self.drawn_count(&members) + self.drawn_count(&others);
            let pop = self.undrawn(&members);
            if pop.is_empty() && target <= drawn {
                continue;
            }
            let head = format!(
                "全年{}（信用风险{}，基准{}），{whole}个向上取整",
                pct(bp),
                tier_label(tier),
                pct(ratio_bp),
            );
            let label = format!("{}{}", self.prefix, tier_label(tier));
            out.push(spread(
                draft(self.code, label, pop, vec![]),
                head,
                bp,
                Annual {
                    target,
                    drawn,
                    quarters_left: self.left,
                },
            ));
        }
    }

    /// Every unit once a year (mandatory coverage): units at the cap stay in, marked; a unit
    /// is pending until a visit of this task started (or is pending this period). Spread over
    /// the quarters left; a pending unit another stratum draws joins that visit.
    fn full(&self, out: &mut Vec<StratumSpec>) {
        let all = [self.pool.ids(|_| true), self.pool.capped_ids(|_| true)].concat();
        let capped: HashSet<String> = self.pool.capped_ids(|_| true).into_iter().collect();
        let mut pop: Vec<String> = all
            .iter()
            .filter(|id| !self.ctx.done(self.code, id))
            .cloned()
            .collect();
        pop.sort();
        if pop.is_empty() {
            return;
        }
        let drawn = (all.len() - pop.len()) as u32;
        let over_cap: Vec<String> = pop
            .iter()
            .filter(|id| capped.contains(*id))
            .cloned()
            .collect();
        let mut st = spread(
            draft(self.code, format!("{}全部", self.prefix), pop, vec![]),
            "全年100%（全覆盖，不受年度抽查上限限制）".to_string(),
            10_000,
            Annual {
                target: all.len() as u32,
                drawn,
                quarters_left: self.left,
            },
        );
        st.full_coverage = true;
        st.over_cap = over_cap;
        out.push(st);
    }
}
