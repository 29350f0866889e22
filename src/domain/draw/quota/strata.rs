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
        quota: 0,
    }
}

/// A stratum per quarter: ratio of the population, key coverage first where it applies.
fn per_quarter(
    mut st: StratumSpec,
    base: u32,
    tier: Option<CreditTier>,
    m: &TierMultipliers,
    last_quarter_takes_priority: bool,
) -> StratumSpec {
    let bp = effective_bp(base, tier, m);
    let n = st.population.len();
    let by_ratio = ceil_share(n, bp);
    st.rule = format!(
        "每季度{}（信用风险{}，基准{}），{n}个向上取整为{by_ratio}",
        pct(bp),
        tier_label(tier),
        pct(base),
    );
    st.quota = by_ratio;
    if last_quarter_takes_priority && st.priority.len() as u32 > st.quota {
        st.quota = st.priority.len() as u32;
        st.rule.push_str(&format!(
            "；窗口最后一季度，本年尚未检查的重点对象{}个全部抽取",
            st.quota
        ));
    }
    st.ratio_bp = bp;
    st
}

/// A stratum of an annual share spread over the quarters left.
fn spread(
    mut st: StratumSpec,
    rule_head: String,
    bp: u32,
    annual: u32,
    drawn: usize,
    quarters_left: u32,
) -> StratumSpec {
    let remaining = (annual as usize).saturating_sub(drawn) as u32;
    let quota = remaining
        .div_ceil(quarters_left.max(1))
        .min(st.population.len() as u32);
    st.rule = format!(
        "{rule_head}；全年{annual}个，已抽{drawn}个，剩余{quarters_left}个季度，本季度{quota}个"
    );
    st.ratio_bp = bp;
    st.quota = quota;
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
    /// The entities of `all` this task has not drawn yet this year.
    fn undrawn(&self, all: &[String]) -> Vec<String> {
        all.iter()
            .filter(|id| !self.ctx.drawn(self.code, id))
            .cloned()
            .collect()
    }

    /// One stratum per credit tier of a supervision class, a share per quarter; key and special
    /// strata put the key entities not yet inspected this year first.
    fn by_class(&self, class: SupervisionClass, base: u32, out: &mut Vec<StratumSpec>) {
        let (ctx, pool) = (self.ctx, self.pool);
        for tier in TIERS {
            let pop = pool.ids(|e, c| c.class == class && e.credit_tier == tier);
            if pop.is_empty() {
                continue;
            }
            let coverage = matches!(class, SupervisionClass::Key | SupervisionClass::Special);
            let priority: Vec<String> = if coverage {
                pool.ids(|e, c| {
                    c.class == class && e.credit_tier == tier && c.also_key && ctx.uncovered(e.id())
                })
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
                coverage && self.last,
            ));
        }
    }

    /// General units at 1:N: N per on-duty bureau officer a year (at most the general units of
    /// the scope), spread over the quarters left among those not drawn yet.
    fn general_per_inspector(&self, units_per_inspector: u32, out: &mut Vec<StratumSpec>) {
        let (ctx, pool) = (self.ctx, self.pool);
        let general = pool.ids(|_, c| c.class == SupervisionClass::General);
        let drawn = pool.drawn_general;
        let annual = ((units_per_inspector as usize) * ctx.on_duty_lead)
            .min(general.len() + pool.drawn_general_out) as u32;
        let pop = self.undrawn(&general);
        if !pop.is_empty() {
            let head = format!(
                "一般监管对象按1:{units_per_inspector}：在岗执法人员{}名",
                ctx.on_duty_lead
            );
            let label = format!("{}一般/1:{units_per_inspector}", self.prefix);
            out.push(spread(
                draft(self.code, label, pop, vec![]),
                head,
                0,
                annual,
                drawn,
                self.left,
            ));
        }
    }

    /// One stratum per credit tier of the units holding an EIA class, a share per quarter.
    fn by_eia_class(&self, eia: EiaClass, base: u32, out: &mut Vec<StratumSpec>) {
        for tier in TIERS {
            let pop = self
                .pool
                .ids(|e, _| e.eia_classes.contains(&eia) && e.credit_tier == tier);
            if !pop.is_empty() {
                let label = format!("{}{}/{}", self.prefix, eia.label(), tier_label(tier));
                out.push(per_quarter(
                    draft(self.code, label, pop, vec![]),
                    base,
                    tier,
                    self.m,
                    false,
                ));
            }
        }
    }

    /// One stratum per credit tier, a share of the year spread over the quarters left among
    /// the units not drawn yet.
    fn fixed_ratio(&self, ratio_bp: u32, out: &mut Vec<StratumSpec>) {
        for tier in TIERS {
            let all = self.pool.ids(|e, _| e.credit_tier == tier);
            if all.is_empty() {
                continue;
            }
            let bp = effective_bp(ratio_bp, tier, self.m);
            let annual = ceil_share(all.len(), bp);
            let pop = self.undrawn(&all);
            if pop.is_empty() {
                continue;
            }
            let head = format!(
                "全年{}（信用风险{}，基准{}），{}个向上取整",
                pct(bp),
                tier_label(tier),
                pct(ratio_bp),
                all.len()
            );
            let label = format!("{}{}", self.prefix, tier_label(tier));
            let drawn = all.len() - pop.len();
            out.push(spread(
                draft(self.code, label, pop, vec![]),
                head,
                bp,
                annual,
                drawn,
                self.left,
            ));
        }
    }

    /// Every unit once a year, spread over the quarters left among those not drawn yet.
    fn full(&self, out: &mut Vec<StratumSpec>) {
        let all = self.pool.ids(|_, _| true);
        let pop = self.undrawn(&all);
        if !pop.is_empty() {
            let drawn = all.len() - pop.len();
            out.push(spread(
                draft(self.code, format!("{}全部", self.prefix), pop, vec![]),
                "全年100%".to_string(),
                10_000,
                all.len() as u32,
                drawn,
                self.left,
            ));
        }
    }
}
