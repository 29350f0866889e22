//! The site's pages: plain HTML, one stylesheet, the verifier inlined into each draw page.
//! Every text from the database goes through [`esc`]: HTML-escaped, with bidi controls,
//! zero-width and other control characters shown as `<U+202E>` in a marked span.

use std::collections::HashMap;
use std::fmt::Write;

use super::{PublicDraw, Site, Stage, draw_json, draw_page};
use crate::domain::draw::record::{DrawRecord, Prepared};
use crate::domain::plan::pct;
use crate::domain::text::{code_point, is_invisible};

pub const CSS: &str = include_str!("../../../assets/site/style.css");
const SHA256_JS: &str = include_str!("../../../assets/site/sha256.js");
const VERIFY_JS: &str = include_str!("../../../assets/site/verify.js");

/// Whether a character must be shown by its code point: bidi controls and zero-width
/// characters, and every other control character but tab and newline.
fn hidden(c: char) -> bool {
    is_invisible(c)
        || (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{2028}' | '\u{2029}')
}

/// HTML-escaped text, invisible and control characters shown as `<U+XXXX>`.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if hidden(c) => {
                let _ = write!(
                    out,
                    "<span class=\"ctl\" title=\"不可见字符\">{}</span>",
                    code_point(c).replace('<', "&lt;").replace('>', "&gt;")
                );
            }
            c => out.push(c),
        }
    }
    out
}

/// JSON safe inside `<script type="application/json">`: `<`, `>`, `&` and the line
/// separators as `\u` escapes, which JSON.parse reads back unchanged.
pub fn script_json(v: &serde_json::Value) -> String {
    let text = serde_json::to_string(v).expect("json serialises");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        esc(title)
    )
}

fn table(out: &mut String, id: &str, headers: &[&str], rows: &[Vec<String>]) {
    let _ = write!(
        out,
        "<div class=\"scroll\"><table{}>\n<thead><tr>",
        id_attr(id)
    );
    for h in headers {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for (i, cell) in r.iter().enumerate() {
            let label = headers.get(i).copied().unwrap_or("");
            // Cells are already escaped HTML.
            let _ = write!(out, "<td data-label=\"{}\">{cell}</td>", esc(label));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

fn id_attr(id: &str) -> String {
    if id.is_empty() {
        String::new()
    } else {
        format!(" id=\"{}\"", esc(id))
    }
}

fn date_of(rfc3339: &str) -> &str {
    rfc3339.get(..10).unwrap_or(rfc3339)
}

/// `index.html`.
pub fn index(site: &Site) -> String {
    let title = format!("{}{}年“双随机、一公开”", site.bureau, site.year);
    let mut out = head(&title);
    let _ = write!(
        out,
        "<header><h1>{}</h1><p class=\"sub\">随机抽取检查对象、随机选派执法检查人员，抽查情况及查处结果及时向社会公开。本站为静态页面，可离线打开；每次抽取都能在浏览器中重新计算核验。</p><p class=\"meta\">更新日期：{}</p></header>\n<main>\n",
        esc(&title),
        esc(&site.as_of)
    );
    out.push_str("<nav><a href=\"#plan\">抽查计划</a> · <a href=\"#draws\">抽取</a> · <a href=\"#results\">公示结果</a> · <a href=\"#annual\">年度情况</a></nav>\n");

    // 一单
    out.push_str("<section id=\"plan\"><h2>抽查计划与事项（一单）</h2>\n");
    if site.plans.is_empty() {
        out.push_str("<p>本年度尚无抽查计划。</p>\n");
    }
    for (code, name) in &site.plans {
        let _ = writeln!(
            out,
            "<p class=\"plan\">计划 {}：{}</p>",
            esc(code),
            esc(name)
        );
    }
    let rows: Vec<Vec<String>> = site
        .tasks
        .iter()
        .map(|t| {
            let mut lines = String::new();
            for l in &t.lines {
                let _ = write!(
                    lines,
                    "<div class=\"line\"><b>{}</b>（{}）<ul>",
                    esc(&l.rule),
                    esc(&l.window)
                );
                for i in &l.items {
                    let _ = write!(
                        lines,
                        "<li>{} {}<br><span class=\"basis\">依据：{}</span></li>",
                        esc(&i.code),
                        esc(&i.item),
                        esc(&i.legal_basis)
                    );
                }
                lines.push_str("</ul></div>");
            }
            let mut body = esc(&t.body);
            if !t.departments.is_empty() {
                let _ = write!(body, "；配合：{}", esc(&t.departments.join("、")));
            }
            vec![
                format!("{}<br>{}", esc(&t.code), esc(&t.plan)),
                esc(&t.name),
                esc(&t.scope),
                body,
                lines,
            ]
        })
        .collect();
    table(
        &mut out,
        "tasks",
        &[
            "任务",
            "名称",
            "抽查范围",
            "检查主体",
            "抽取比例、时间与事项（法律依据）",
        ],
        &rows,
    );
    out.push_str("</section>\n");

    // Draws
    out.push_str("<section id=\"draws\"><h2>抽取</h2>\n<p>每次抽取先公布承诺值（全部抽取条件的摘要），再由现场掷骰等来源产生随机种子；检查开始后公布完整记录，任何人可在抽取页面中重新计算核验。</p>\n");
    let rows: Vec<Vec<String>> = site
        .draws
        .iter()
        .map(|d| {
            vec![
                format!("<a href=\"{}\">{}</a>", esc(&draw_page(&d.id)), esc(&d.id)),
                esc(&d.period),
                format!(
                    "{}<br><span class=\"stage\">{}</span>",
                    esc(d.status.label()),
                    esc(d.stage.label())
                ),
                format!("<code class=\"hash\">{}</code>", esc(&d.commitment)),
                esc(date_of(&d.prepared_at)),
                esc(d.run_on.as_deref().unwrap_or("—")),
            ]
        })
        .collect();
    if rows.is_empty() {
        out.push_str("<p>本年度尚无抽取。</p>\n");
    } else {
        table(
            &mut out,
            "draw-list",
            &["抽取编号", "期间", "状态", "承诺值", "准备日期", "运行日期"],
            &rows,
        );
    }
    out.push_str("</section>\n");

    // 公示
    out.push_str("<section id=\"results\"><h2>抽查结果公示</h2>\n");
    if site.published.is_empty() {
        out.push_str("<p>本年度尚无已公示的检查结果。</p>\n");
    } else {
        let rows: Vec<Vec<String>> = site
            .published
            .iter()
            .map(|r| {
                vec![
                    esc(&r.entity_name),
                    esc(&r.uscc),
                    format!(
                        "{}<br><span class=\"code\">{}</span>",
                        esc(&r.task_name),
                        esc(&r.task_code)
                    ),
                    esc(&r.authority),
                    esc(&r.completed),
                    esc(&r.result),
                    esc(&r.remark),
                ]
            })
            .collect();
        table(
            &mut out,
            "published",
            &[
                "检查对象",
                "统一社会信用代码",
                "抽查任务",
                "检查机关",
                "完成日期",
                "检查结果",
                "后续处理与备注",
            ],
            &rows,
        );
    }
    out.push_str("</section>\n");

    // Annual figures
    out.push_str("<section id=\"annual\"><h2>年度抽查情况</h2>\n");
    match &site.annual {
        None => out.push_str("<p>年度报告生成后在此公布。</p>\n"),
        Some(t) => {
            let headers: Vec<&str> = t.headers.iter().map(String::as_str).collect();
            let rows: Vec<Vec<String>> = t
                .rows
                .iter()
                .map(|r| r.iter().map(|c| esc(c)).collect())
                .collect();
            table(&mut out, "annual-figures", &headers, &rows);
        }
    }
    out.push_str("</section>\n</main>\n");
    footer(&mut out);
    out
}

fn footer(out: &mut String) {
    out.push_str("<footer><p>由 shuangsuiji 生成的静态页面：不连接网络，不使用外部字体、脚本或服务。</p></footer>\n</body>\n</html>\n");
}

fn names(p: &Prepared) -> HashMap<&str, &str> {
    p.entities
        .iter()
        .map(|e| (e.id.as_str(), e.name.as_str()))
        .collect()
}

/// A stratum's rule data in words.
fn strata_rows(p: &Prepared) -> Vec<Vec<String>> {
    p.strata
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut data = format!("比例 {}", pct(s.ratio_bp));
            if let Some(b) = s.ratio_base {
                let _ = write!(data, "；比例基数 {b}");
            }
            if let Some(a) = s.annual {
                let _ = write!(
                    data,
                    "；年度目标 {}，已抽 {}，剩余季度 {}",
                    a.target, a.drawn, a.quarters_left
                );
            }
            if s.take_all_priority {
                data.push_str("；末季度优先对象全抽");
            }
            if s.full_coverage {
                data.push_str("；全覆盖");
            }
            vec![
                (i + 1).to_string(),
                esc(&s.task),
                esc(&s.label),
                esc(&s.rule),
                esc(&data),
                s.population.len().to_string(),
                s.priority.len().to_string(),
                s.quota.to_string(),
            ]
        })
        .collect()
}

/// `draw-ID.html`.
pub fn draw(site: &Site, d: &PublicDraw) -> String {
    let title = format!("抽取 {}（{}）", d.id, d.period);
    let mut out = head(&format!("{title} - {}", site.bureau));
    let _ = write!(
        out,
        "<header><p class=\"crumb\"><a href=\"index.html\">{}{}年“双随机、一公开”</a></p><h1>{}</h1><p class=\"stage-line\">状态：{}；公开程度：{}</p></header>\n<main>\n",
        esc(&site.bureau),
        site.year,
        esc(&title),
        esc(d.status.label()),
        esc(d.stage.label())
    );
    let _ = writeln!(
        out,
        "<section id=\"how\"><h2>怎样抽取，怎样核验</h2><p>抽取前先把全部抽取条件（各层对象名单、名额及其规则、随机来源）冻结并计算出承诺值公布；之后由现场至少两人掷骰的数字和系统随机数合成种子，每个对象的签号由种子和对象代码用 SHA-256 算出，每层取签号最小的名额个对象（先取优先对象）。本页的脚本在你的浏览器中按同样方法重新计算全部结果；也可以下载<a href=\"{json}\" download>记录文件（JSON）</a>，用 <code>shuangsuiji draw verify --file {json}</code> 或 Python 的 consistent-sampler 包另行核验。</p></section>",
        json = esc(&draw_json(&d.id))
    );

    // The facts as stated.
    out.push_str("<section id=\"facts\"><h2>抽取概况</h2><dl class=\"facts\">");
    let mut fact = |k: &str, v: String| {
        let _ = write!(out, "<dt>{}</dt><dd>{v}</dd>", esc(k));
    };
    fact("抽取编号", esc(&d.id));
    fact("期间", esc(&d.period));
    fact("任务", esc(&d.tasks.join("、")));
    fact(
        "承诺值",
        format!(
            "<code class=\"hash\" id=\"commitment\">{}</code>",
            esc(&d.commitment)
        ),
    );
    fact("准备时间", esc(&d.prepared_at));
    if let Some(run_on) = &d.run_on {
        fact(
            "运行日期",
            format!(
                "{}<span class=\"unverified\">（按记录显示，本页不核验）</span>",
                esc(run_on)
            ),
        );
        let w = if d.witnesses.is_empty() {
            "（无）".to_string()
        } else {
            d.witnesses.join("、")
        };
        fact(
            "见证人",
            format!(
                "{}<span class=\"unverified\">（按记录显示，本页不核验）</span>",
                esc(&w)
            ),
        );
    }
    if let Some(r) = &d.record
        && let Some(c) = &r.checkpoint
    {
        fact(
            "审计检查点",
            format!(
                "{} : <code class=\"hash\">{}</code><span class=\"unverified\">（按记录显示，须与本局审计日志核对）</span>",
                c.size,
                esc(&c.head)
            ),
        );
    }
    out.push_str("</dl>\n");
    let note = match d.stage {
        Stage::Committed => {
            "本次抽取之前的抽取还有检查任务尚未开始：承诺内容会透露这些抽取，暂只公布承诺值和各层数量。承诺值在掷骰之前公布，抽取条件不能再改；之前的检查都开始后，承诺内容将在本页公开，届时可核对承诺值。"
        }
        Stage::Prepared => {
            "承诺内容已公开：请保存本页或记录文件，摇号后可核对抽取结果是否由这份承诺内容算出。"
        }
        Stage::Run => {
            "抽取已运行。抽中名单、种子及其各部分在全部检查任务开始（或标为未实施）之前保密，届时在本页公布完整记录。"
        }
        Stage::Complete => {
            "全部检查任务已开始或标为未实施：完整记录（不含执法人员个人信息的保密部分）在此公开。"
        }
    };
    let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(note));
    if d.redacted {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(super::REDACTED_NOTE));
    }
    out.push_str("</section>\n");

    // The verifier.
    out.push_str("<section id=\"verify\"><h2>在浏览器中核验</h2>\n");
    out.push_str("<div id=\"verdict\" data-verdict=\"pending\">正在核验……（需要启用 JavaScript）</div>\n<p id=\"progress\"></p>\n");
    out.push_str("<div class=\"scroll\"><table id=\"checks\"><thead><tr><th>核验项</th><th>结果</th><th>说明</th></tr></thead><tbody></tbody></table></div>\n");
    out.push_str("<ul id=\"not-verified\"></ul>\n</section>\n");
    // Strata: counts, or the public preparation.
    let prepared = d
        .record
        .as_ref()
        .map(|r| &r.prepared)
        .or(d.prepared.as_ref());
    out.push_str("<section id=\"strata\"><h2>分层与名额</h2>\n");
    match prepared {
        Some(p) => table(
            &mut out,
            "strata-table",
            &[
                "层",
                "任务",
                "分层",
                "规则",
                "规则数据",
                "总体",
                "优先",
                "名额",
            ],
            &strata_rows(p),
        ),
        None => {
            let rows: Vec<Vec<String>> = d
                .counts
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    vec![
                        (i + 1).to_string(),
                        esc(&c.task),
                        esc(&c.label),
                        esc(&c.rule),
                        c.population.to_string(),
                        c.priority.to_string(),
                        c.quota.to_string(),
                    ]
                })
                .collect();
            table(
                &mut out,
                "strata-table",
                &["层", "任务", "分层", "规则", "总体", "优先", "名额"],
                &rows,
            );
        }
    }
    out.push_str("</section>\n");

    if let Some(r) = &d.record {
        selection(&mut out, r);
    }

    let _ = writeln!(
        out,
        "<script type=\"application/json\" id=\"record\">{}</script>",
        script_json(&d.public_json())
    );
    let _ = writeln!(out, "<script>\n{SHA256_JS}\n{VERIFY_JS}\n</script>");
    out.push_str("</main>\n");
    footer(&mut out);
    out
}

/// The selected entities and visits of a complete record.
fn selection(out: &mut String, r: &DrawRecord) {
    let names = names(&r.prepared);
    let name = |id: &str| esc(names.get(id).copied().unwrap_or(""));
    out.push_str("<section id=\"selected\"><h2>抽中对象</h2>\n");
    let _ = write!(
        out,
        "<p>种子：<code class=\"hash\">{}</code>；种子各部分：{}</p>",
        esc(&r.seed),
        r.seed_parts
            .iter()
            .zip(
                r.seed_sources
                    .iter()
                    .chain(std::iter::repeat(&String::new()))
            )
            .map(|(p, s)| format!("<code>{}</code>（{}）", esc(p), esc(s)))
            .collect::<Vec<_>>()
            .join("、")
    );
    for (i, st) in r.strata.iter().enumerate() {
        let _ = write!(
            out,
            "<h3>第{}层：{} {}（名额 {}）</h3>",
            i + 1,
            esc(&st.task),
            esc(&st.label),
            st.quota
        );
        let rows: Vec<Vec<String>> = st
            .selected
            .iter()
            .map(|s| {
                vec![
                    esc(&s.id),
                    name(&s.id),
                    format!("<code class=\"ticket\">{}</code>", esc(&s.ticket)),
                ]
            })
            .collect();
        if rows.is_empty() {
            out.push_str("<p>（本层未抽取对象）</p>\n");
        } else {
            table(out, "", &["代码", "名称", "签号"], &rows);
        }
    }
    out.push_str("<h3>检查任务（进一次门，查多项事）</h3>\n");
    let rows: Vec<Vec<String>> = r
        .visits
        .iter()
        .map(|v| {
            let team = v
                .team
                .iter()
                .map(|s| format!("{}{}", s.inspector, if s.lead { "（组长）" } else { "" }))
                .collect::<Vec<_>>()
                .join("、");
            vec![
                esc(&v.entity),
                name(&v.entity),
                esc(&v.tasks.join("、")),
                esc(&team),
                esc(v.note.as_deref().or(v.problem.as_deref()).unwrap_or("")),
            ]
        })
        .collect();
    table(
        out,
        "visits",
        &["代码", "名称", "任务", "检查组（人员编号）", "备注"],
        &rows,
    );
    if !r.substitutions.is_empty() {
        let _ = writeln!(
            out,
            "<p>人员替换 {} 次（理由涉及个人情况，不公开）。</p>",
            r.substitutions.len()
        );
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_controls_shown() {
        assert_eq!(esc("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
        let e = esc("甲\u{202E}乙\u{7}");
        assert!(
            e.contains("&lt;U+202E&gt;") && e.contains("&lt;U+0007&gt;"),
            "{e}"
        );
        assert!(!e.contains('\u{202E}'));
    }

    #[test]
    fn script_json_cannot_close_the_script() {
        let v = serde_json::json!({"a": "</script><!--&\u{2028}"});
        let s = script_json(&v);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}
