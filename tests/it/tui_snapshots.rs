//! Snapshots of every dashboard screen and dialog with the Chinese demo data, rendered with
//! ratatui's `TestBackend` at 80x24 and 120x40, in colour and in `--ascii` (no colour), plus
//! direct checks of what must hold on every frame: no half wide characters (a popup's edge
//! over Chinese text), no line wider than the terminal, no box-drawing characters in ASCII
//! mode, no colour without colour, and no ambiguous-width glyphs in our own strings.
//!
//! Everything runs on copies of the shared demo database as of 2026-05-20. What varies from
//! run to run (wall-clock times in the audit log, the audit chain's hashes, the login of the
//! account that built the demo, a process id in a file name) is replaced before rendering.
//!
//! Accept new snapshots with `INSTA_UPDATE=always cargo test --test it tui_snapshots::`.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Color;
use shuangsuiji::domain::classification::SupervisionClass;
use shuangsuiji::domain::result::FollowUpKind;
use shuangsuiji::domain::visit::VisitState;
use shuangsuiji::domain::vocab::CreditTier;
use shuangsuiji::services::visits::VisitFilter;
use shuangsuiji::services::{Session, identity};
use shuangsuiji::tui::model::{FormFocus, Model, Popup, ScreenId};
use shuangsuiji::tui::theme::Theme;
use shuangsuiji::tui::{self, load, views};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::support::{self, SEEDS, demo_day, login_of, open};

const COLOR: Theme = Theme {
    color: true,
    ascii: false,
};
const ASCII: Theme = Theme {
    color: false,
    ascii: true,
};
const THEMES: [(&str, Theme); 2] = [("color", COLOR), ("ascii", ASCII)];
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// What the account that built the demo is shown as (its real login differs per machine).
const CREATOR: &str = "creator";

/// Ambiguous-width glyphs known to reach the screen, per snapshot: (snapshot name, glyph,
/// where it comes from). Reported as bugs; listed here so the suite stays green meanwhile.
/// Remove an entry once the source is fixed.
const KNOWN_AMBIGUOUS: &[(&str, char, &str)] = &[
    (
        "result_form",
        '“',
        "data/check_items.csv: check item 1-1 reads “三同时”",
    ),
    (
        "result_form",
        '”',
        "data/check_items.csv: check item 1-1 reads “三同时”",
    ),
    (
        "help_form",
        '“',
        "src/tui/strings.rs FORM_HELP_SUBMIT: 在“提交”上确认提交 (and item 1-1 under the popup)",
    ),
    (
        "help_form",
        '”',
        "src/tui/strings.rs FORM_HELP_SUBMIT: 在“提交”上确认提交 (and item 1-1 under the popup)",
    ),
];

// ---------------------------------------------------------------------------------------------
// The demo, a model over it, keys.

struct Demo {
    _dir: tempfile::TempDir,
    session: Session,
    m: Model,
}

fn os_login() -> String {
    identity::os_login().unwrap()
}

impl Demo {
    /// The demo as `login` (None: the account that built it, admin and lead), with the
    /// overview loaded as the dashboard does on start.
    fn open(login: Option<&str>) -> Demo {
        Demo::open_at(login, demo_day())
    }

    /// [`Demo::open`] on the demo as of `day`.
    fn open_at(login: Option<&str>, day: chrono::NaiveDate) -> Demo {
        let dir = tempfile::tempdir().unwrap();
        let path = support::demo_copy_at(&dir, "demo.db", day);
        let session = support::open_on(&path, login, day);
        let mut m = tui::model_for(&session, false);
        assert_eq!(m.today, day);
        m.db = "demo.db".to_string();
        if m.viewer.login == os_login() {
            m.viewer.login = CREATOR.to_string();
        }
        load::overview(&session, &mut m).unwrap();
        load::key_coverage(&session, &mut m).unwrap();
        Demo {
            _dir: dir,
            session,
            m,
        }
    }

    fn press(&mut self, code: KeyCode) {
        self.press_with(code, KeyModifiers::NONE);
    }

    fn press_with(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        let redraw = tui::handle(
            &mut self.session,
            &mut self.m,
            Event::Key(KeyEvent::new(code, modifiers)),
        );
        assert!(redraw, "a key press must redraw");
        if let Some(Popup::Message {
            title,
            lines,
            error: true,
        }) = &self.m.popup
        {
            panic!("{code:?} failed: {title}: {lines:?}");
        }
    }

    fn keys(&mut self, keys: &str) {
        for c in keys.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    fn times(&mut self, code: KeyCode, n: usize) {
        for _ in 0..n {
            self.press(code);
        }
    }
}

/// The first completed visit waiting for its result (by id), and the login of its lead
/// officer.
fn completed_visit_and_officer() -> (i64, String) {
    let (id, login, _) = completed_visit();
    (id, login)
}

/// The first completed visit waiting for its result (by id) whose lead officer is an
/// inspector only (no lead's keys), that officer's login and the name of its entity.
fn completed_visit() -> (i64, String, String) {
    let d = Demo::open(Some("lead.liu"));
    let users = d.session.list_users().unwrap();
    let inspector_only = |code: &str| {
        users
            .iter()
            .find(|u| u.inspector.as_deref() == Some(code))
            .is_some_and(|u| {
                u.roles
                    .iter()
                    .all(|r| *r == shuangsuiji::domain::role::Role::Inspector)
            })
    };
    let visit = d
        .session
        .list_visits(&VisitFilter::default())
        .unwrap()
        .into_iter()
        .filter(|v| v.state == VisitState::Completed && inspector_only(&v.team[0].inspector))
        .min_by_key(|v| v.id)
        .expect("the demo has completed visits awaiting results");
    let login = login_of(&d.session, &visit.team[0].inspector);
    (visit.id, login, visit.entity_name)
}

/// Replaces `word` in `s` where it stands alone (not inside a longer login or word).
fn replace_word(s: &str, word: &str, with: &str) -> String {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-';
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + word.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(is_word) || after.is_some_and(is_word) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

/// Hex runs of 32 or more digits (the audit chain's hashes) become `#`s of the same length.
fn redact_hashes(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_hexdigit())
            .count();
        if run >= 32 {
            out.extend(std::iter::repeat_n('#', run));
            i += run;
        } else if run > 0 {
            out.extend(&chars[i..i + run]);
            i += run;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Fixes what differs between runs in the audit screen.
fn normalise_audit(m: &mut Model) {
    let os = os_login();
    let pid = std::process::id().to_string();
    for e in &mut m.audit.events {
        e.at = "0000-00-00T00:00:00+00:00".to_string();
        e.actor = replace_word(&e.actor, &os, CREATOR);
        // The demo's publicity export is named after the process that built it and a counter.
        let mark = format!("-{pid}-");
        if let Some(at) = e.subject.find(&mark)
            && e.subject.ends_with(".csv")
        {
            e.subject = format!("{}-PID.csv", &e.subject[..at]);
        }
    }
    m.audit.checkpoint = redact_hashes(&m.audit.checkpoint);
    if let Some(Ok(t)) = &mut m.audit.verified {
        *t = redact_hashes(t);
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering and reading the buffer.

fn render(m: &Model, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| views::render(f, m)).unwrap();
    t
}

/// The screen as text, one line per row, the blank cells hidden under wide characters
/// skipped so Chinese reads naturally; trailing spaces trimmed.
fn text_lines(buf: &Buffer) -> Vec<String> {
    buf.content
        .chunks(buf.area.width as usize)
        .map(|row| {
            let mut line = String::new();
            let mut skip = 0;
            for c in row {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                line.push_str(c.symbol());
                skip = c.symbol().width().saturating_sub(1);
            }
            line.trim_end().to_string()
        })
        .collect()
}

fn style_of(c: &ratatui::buffer::Cell) -> String {
    let mut parts = Vec::new();
    if c.fg != Color::Reset {
        parts.push(format!("fg:{:?}", c.fg));
    }
    if c.bg != Color::Reset {
        parts.push(format!("bg:{:?}", c.bg));
    }
    for (name, _) in c.modifier.iter_names() {
        parts.push(name.to_string());
    }
    parts.join(" ")
}

/// The styled runs of the screen, one per line: `row col..col style "text"`. Cells hidden
/// under a wide character belong to its run; unstyled runs are left out.
fn style_runs(buf: &Buffer) -> Vec<String> {
    let w = buf.area.width as usize;
    let mut out = Vec::new();
    for (y, row) in buf.content.chunks(w).enumerate() {
        let mut runs: Vec<(usize, usize, String, String)> = Vec::new();
        let mut x = 0;
        while x < row.len() {
            let c = &row[x];
            let cw = c.symbol().width().max(1);
            let style = style_of(c);
            match runs.last_mut() {
                Some((_, end, s, text)) if *s == style => {
                    *end = x + cw;
                    text.push_str(c.symbol());
                }
                _ => runs.push((x, x + cw, style, c.symbol().to_string())),
            }
            x += cw;
        }
        for (start, end, style, text) in runs {
            if !style.is_empty() {
                out.push(format!(
                    "{y:>2} {start:>3}..{end:<3} {style} {:?}",
                    text.trim_end()
                ));
            }
        }
    }
    out
}

/// Where a wide character is broken: its hidden cell overwritten by something visible, or
/// the character sticking out of the right edge. Ratatui 0.30 resets the cell under the
/// second half of a wide character to a blank (" "); anything else there is never drawn
/// (the diff skips it) and the terminal shows half a character or a broken border.
fn broken_wide_chars(buf: &Buffer) -> Vec<String> {
    let w = buf.area.width as usize;
    let mut problems = Vec::new();
    for (y, row) in buf.content.chunks(w).enumerate() {
        for (x, c) in row.iter().enumerate() {
            let cw = c.symbol().width();
            if cw < 2 {
                continue;
            }
            if x + cw > w {
                problems.push(format!(
                    "({x},{y}) {:?} sticks out of the right edge",
                    c.symbol()
                ));
                continue;
            }
            for (dx, hidden) in row[x + 1..x + cw].iter().enumerate() {
                if !hidden.symbol().trim().is_empty() {
                    problems.push(format!(
                        "({x},{y}) {:?} has {:?} under its second half at column {}",
                        c.symbol(),
                        hidden.symbol(),
                        x + 1 + dx
                    ));
                }
            }
        }
    }
    problems
}

fn is_box_drawing(c: char) -> bool {
    ('\u{2500}'..='\u{257f}').contains(&c)
}

/// Glyphs a Chinese-locale terminal may draw two columns wide though they count as one.
fn ambiguous_glyphs(buf: &Buffer, allow_box: bool) -> Vec<char> {
    let mut found: Vec<char> = buf
        .content
        .iter()
        .flat_map(|c| c.symbol().chars())
        .filter(|c| c.width() != c.width_cjk())
        .filter(|c| !(allow_box && is_box_drawing(*c)))
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// What must hold on every frame.
fn check_frame(name: &str, theme: Theme, buf: &Buffer) {
    let broken = broken_wide_chars(buf);
    assert!(
        broken.is_empty(),
        "{name}: broken wide characters {broken:?}"
    );
    let cols = buf.area.width as usize;
    for (y, line) in text_lines(buf).iter().enumerate() {
        assert!(
            line.width() <= cols,
            "{name}: row {y} is {} columns wide: {line}",
            line.width()
        );
    }
    if theme.ascii {
        let boxes: Vec<_> = buf
            .content
            .iter()
            .filter(|c| c.symbol().chars().any(is_box_drawing))
            .map(|c| c.symbol().to_string())
            .collect();
        assert!(
            boxes.is_empty(),
            "{name}: box drawing in --ascii: {boxes:?}"
        );
    }
    if !theme.color {
        let coloured: Vec<_> = buf
            .content
            .iter()
            .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
            .map(|c| format!("{:?} {:?}/{:?}", c.symbol(), c.fg, c.bg))
            .collect();
        assert!(
            coloured.is_empty(),
            "{name}: colour without colour: {coloured:?}"
        );
    }
    let unknown: Vec<char> = ambiguous_glyphs(buf, !theme.ascii)
        .into_iter()
        .filter(|g| {
            !KNOWN_AMBIGUOUS
                .iter()
                .any(|(n, k, _)| name.starts_with(n) && k == g)
        })
        .collect();
    assert!(
        unknown.is_empty(),
        "{name}: ambiguous-width glyphs on screen: {unknown:?}"
    );
}

/// The snapshot text of a rendered terminal.
fn dump(t: &Terminal<TestBackend>) -> String {
    let b = t.backend();
    let buf = b.buffer();
    let mut s = format!("{}x{}\n", buf.area.width, buf.area.height);
    s.push_str("--- screen\n");
    for l in text_lines(buf) {
        s.push_str(&l);
        s.push('\n');
    }
    s.push_str("--- styles\n");
    for l in style_runs(buf) {
        s.push_str(&l);
        s.push('\n');
    }
    if b.cursor_visible() {
        let p = b.cursor_position();
        s.push_str(&format!("--- cursor at column {}, row {}\n", p.x, p.y));
    } else {
        s.push_str("--- cursor hidden\n");
    }
    let ambiguous = ambiguous_glyphs(buf, true);
    if !ambiguous.is_empty() {
        s.push_str(&format!("--- ambiguous-width glyphs {ambiguous:?}\n"));
    }
    s
}

/// Renders `m` at both sizes in both themes, checks every frame and snapshots it.
fn snap_all(name: &str, m: &mut Model) {
    let original = m.theme;
    for (theme_name, theme) in THEMES {
        m.theme = theme;
        for (w, h) in SIZES {
            let t = render(m, w, h);
            let snap = format!("{name}__{w}x{h}_{theme_name}");
            check_frame(&snap, theme, t.backend().buffer());
            insta::assert_snapshot!(snap, dump(&t));
        }
    }
    m.theme = original;
}

/// The text of one render, for direct assertions.
fn screen(m: &Model, w: u16, h: u16) -> Vec<String> {
    text_lines(render(m, w, h).backend().buffer())
}

/// The list row that carries the selection marker, after the left border.
fn selected_rows(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| {
            let rest = l.strip_prefix('│').or_else(|| l.strip_prefix('|'))?;
            rest.strip_prefix("> ").map(str::to_string)
        })
        .collect()
}

/// `shown/all` at the end of the entities bar.
fn entity_count(lines: &[String]) -> (usize, usize) {
    let last = lines[1].split_whitespace().last().unwrap();
    let (a, b) = last.split_once('/').unwrap();
    (a.parse().unwrap(), b.parse().unwrap())
}

// ---------------------------------------------------------------------------------------------
// 1. 总览

#[test]
fn overview_as_admin_and_lead() {
    let mut d = Demo::open(None);
    assert!(
        d.m.viewer
            .roles
            .contains(&shuangsuiji::domain::role::Role::Lead)
    );
    let o = d.m.overview.as_ref().unwrap();
    assert!(d.m.key_coverage.is_some());
    assert!(!o.deadlines.is_empty());
    snap_all("overview_admin", &mut d.m);

    let lines = screen(&d.m, 80, 24);
    assert!(lines[0].contains("双随机抽查") && lines[0].contains("1总览"));
    assert!(lines[23].contains("creator") && lines[23].contains("demo.db"));
    // The longest roles still leave the keys and the demo mark whole at 80 columns.
    d.m.viewer.login = "shangguan.xiaoming".to_string();
    let lines = screen(&d.m, 80, 24);
    assert!(lines[23].contains("q退出"), "{}", lines[23]);
    assert!(
        lines[23].trim_end().ends_with("[示例数据]"),
        "{}",
        lines[23]
    );
    d.m.viewer.login = CREATOR.to_string();

    // 帮助 over the overview.
    d.keys("?");
    assert!(matches!(d.m.popup, Some(Popup::Help(_))));
    snap_all("help_overview", &mut d.m);
    d.press(KeyCode::Esc);
    assert!(d.m.popup.is_none());
}

#[test]
fn overview_as_an_inspector_with_visits() {
    let (_, officer) = completed_visit_and_officer();
    let mut d = Demo::open(Some(&officer));
    assert!(d.m.viewer.inspector.is_some());
    assert!(!d.m.overview.as_ref().unwrap().mine.is_empty());
    snap_all("overview_inspector", &mut d.m);
    let lines = screen(&d.m, 120, 40);
    assert!(lines.iter().any(|l| l.contains("我的检查任务")));

    // The cursor starts on the most urgent deadline; Tab takes it to my visits, j moves it,
    // Enter opens the visit under it.
    let o = d.m.overview.as_ref().unwrap();
    let mine: Vec<i64> = o.mine.iter().map(|v| v.id).collect();
    assert!(mine.len() >= 2, "{mine:?}");
    // Rows with the marker, in either pane (the right pane's rows follow its own border).
    let marked = |m: &Model| -> Vec<String> {
        screen(m, 120, 40)
            .iter()
            .flat_map(|l| {
                l.match_indices("│> ")
                    .map(|(i, _)| l[i + "│> ".len()..].to_string())
            })
            .collect()
    };
    assert_eq!(marked(&d.m).len(), 1, "one cursor on the overview");
    d.press(KeyCode::Tab);
    d.keys("j");
    assert_eq!(
        (d.m.overview_pane, d.m.overview_selected),
        (shuangsuiji::tui::model::OverviewPane::Mine, 1)
    );
    let sel = marked(&d.m);
    assert_eq!(sel.len(), 1, "one cursor on the overview");
    assert!(sel[0].starts_with(&mine[1].to_string()), "{sel:?}");
    d.press(KeyCode::Enter);
    // The form opens over the overview (issue 11: Esc goes back where it was opened from).
    assert_eq!(d.m.screen, ScreenId::Overview);
    assert_eq!(
        d.m.form
            .as_ref()
            .and_then(|f| f.visit())
            .expect("the form")
            .id,
        mine[1]
    );
    snap_all("result_form_from_overview", &mut d.m);
    d.press(KeyCode::Esc);
    assert!(d.m.form.is_none());
    assert_eq!(
        d.m.screen,
        ScreenId::Overview,
        "Esc goes back to the overview"
    );
}

// ---------------------------------------------------------------------------------------------
// 2. 监管对象

#[test]
fn entities_tabs_filter_search_detail() {
    let mut d = Demo::open(Some("lead.liu"));
    d.keys("2");
    assert_eq!(d.m.screen, ScreenId::Entities);
    assert!(d.m.entities.loaded);
    snap_all("entities_list", &mut d.m);
    // v: the selected entity in full (name, code, town and address, reasons), nothing cut.
    d.keys("v");
    let first = &d.m.entities.all[d.m.entities.shown[0]];
    match &d.m.popup {
        Some(Popup::Message { title, lines, .. }) => {
            assert_eq!(title, &first.entity.name);
            assert!(lines.contains(&format!("代码：{}", first.id)), "{lines:?}");
        }
        _ => panic!("v opens the entity in full"),
    }
    snap_all("entities_in_full", &mut d.m);
    d.press(KeyCode::Esc);
    assert!(d.m.popup.is_none());

    // The selection marker moves with j.
    let lines = screen(&d.m, 80, 24);
    let first = &d.m.entities.all[d.m.entities.shown[0]].entity.name;
    let sel = selected_rows(&lines);
    assert_eq!(sel.len(), 1, "one selected row: {lines:#?}");
    assert!(lines[4].starts_with("│> "), "{}", lines[4]);
    assert!(sel[0].starts_with(&first.chars().take(4).collect::<String>()));
    d.keys("j");
    let lines = screen(&d.m, 80, 24);
    assert!(lines[4].starts_with("│  ") && lines[5].starts_with("│> "));
    d.keys("k");
    let (all_shown, all) = entity_count(&lines);
    assert_eq!(all_shown, all);

    // 重点 tab (l and h move between tabs too).
    d.keys("l");
    assert_eq!(d.m.entities.tab, 1, "l: the next tab");
    d.keys("h");
    assert_eq!(d.m.entities.tab, 0);
    d.press(KeyCode::Tab);
    d.press(KeyCode::Tab);
    assert_eq!(d.m.entities.tab, 2);
    assert!(!d.m.entities.shown.is_empty());
    assert!(
        d.m.entities
            .shown
            .iter()
            .all(|i| { d.m.entities.all[*i].classification.class == SupervisionClass::Key })
    );
    snap_all("entities_key_tab", &mut d.m);
    let (key_shown, _) = entity_count(&screen(&d.m, 80, 24));
    assert!(key_shown < all);

    // By town (z) and by target type (y), on top of the tab; back to every town and type.
    let e = &d.m.entities;
    let towns: std::collections::BTreeSet<String> =
        e.all.iter().map(|c| c.entity.town.clone()).collect();
    let first_town = towns.iter().next().unwrap().clone();
    d.keys("z");
    let e = &d.m.entities;
    assert_eq!(e.town.as_deref(), Some(first_town.as_str()));
    assert!(!e.shown.is_empty() && e.shown.len() < key_shown);
    assert!(e.shown.iter().all(|i| e.all[*i].entity.town == first_town
        && e.all[*i].classification.class == SupervisionClass::Key));
    assert!(screen(&d.m, 80, 24)[1].contains(&format!("[z]{first_town}")));
    d.press(KeyCode::Tab);
    d.press(KeyCode::Tab);
    assert_eq!(d.m.entities.tab, 0);
    d.keys("y");
    let e = &d.m.entities;
    let kind = e.target.expect("a target type");
    assert!(!e.shown.is_empty());
    assert!(
        e.shown
            .iter()
            .all(|i| e.all[*i].entity.target_types.contains(&kind)
                && e.all[*i].entity.town == first_town)
    );
    let distinct_towns = towns.len();
    d.times(KeyCode::Char('z'), distinct_towns);
    assert_eq!(
        d.m.entities.town, None,
        "past the last town: every town again"
    );
    while d.m.entities.target.is_some() {
        d.keys("y");
    }
    d.press(KeyCode::Tab);
    d.press(KeyCode::Tab);
    assert_eq!(entity_count(&screen(&d.m, 80, 24)).0, key_shown);
    d.press(KeyCode::BackTab);
    d.press(KeyCode::BackTab);
    assert_eq!(d.m.entities.tab, 0);

    // A tier filter: t once is 高风险.
    d.keys("t");
    assert_eq!(d.m.entities.tier, Some(Some(CreditTier::High)));
    assert!(
        d.m.entities
            .shown
            .iter()
            .all(|i| { d.m.entities.all[*i].entity.credit_tier == Some(CreditTier::High) })
    );
    snap_all("entities_tier", &mut d.m);
    d.keys("ttttt");
    assert_eq!(d.m.entities.tier, None);

    // Search, typed in Chinese, still in the search field (the cursor shows where).
    d.keys("/");
    d.keys("煤业");
    assert!(d.m.entities.searching);
    snap_all("entities_search", &mut d.m);
    let t = render(&d.m, 80, 24);
    let lines = text_lines(t.backend().buffer());
    let (shown, all2) = entity_count(&lines);
    assert_eq!(all2, all);
    assert!(shown > 0 && shown < all, "search narrows {shown}/{all}");
    assert_eq!(shown, d.m.entities.shown.len());
    for i in &d.m.entities.shown {
        let e = &d.m.entities.all[*i];
        assert!(e.entity.name.contains("煤业") || e.id.contains("煤业"));
    }
    // The cursor sits right after the typed text, by display width.
    assert!(t.backend().cursor_visible());
    let p = t.backend().cursor_position();
    assert_eq!(p.y, 1);
    let bar = &lines[1];
    let upto = &bar[..bar.find("煤业").unwrap() + "煤业".len()];
    assert_eq!(p.x as usize, upto.width(), "cursor after {upto:?}");

    // Narrow to the entity of a completed visit (so it has a visit this year), open its
    // detail.
    d.press(KeyCode::Esc);
    assert!(d.m.entities.search.is_empty());
    // Its result (a problem, awaiting follow-up) and a follow-up, entered by its officer, show
    // in the history.
    let (id, officer, name) = completed_visit();
    let mut s = open(&d._dir.path().join("demo.db"), officer.as_str());
    let result = support::problem_result(&s, id);
    s.submit_result(id, &result).unwrap();
    s.add_followup(id, FollowUpKind::Penalty, "阳环罚〔2026〕12号", "")
        .unwrap();
    drop(s);
    d.keys("/");
    d.keys(&name);
    d.press(KeyCode::Enter);
    assert!(!d.m.entities.searching);
    let e = &d.m.entities;
    assert_eq!(e.all[e.shown[e.selected]].entity.name, name);
    d.press(KeyCode::Enter);
    assert!(d.m.entities.detail);
    snap_all("entities_detail", &mut d.m);
    let lines = screen(&d.m, 120, 40);
    assert!(
        lines.iter().any(|l| l.contains("本年随机抽查：1 次")),
        "{lines:#?}"
    );
    for size in [(80, 24), (120, 40)] {
        let lines = screen(&d.m, size.0, size.1);
        assert!(
            lines
                .iter()
                .any(|l| l.contains("2026Q1 NB-1") && l.contains("已录入")),
            "{lines:#?}"
        );
        for want in ["检查记录：1 次", "发现问题待后续处理", "后续：立案处罚"]
        {
            assert!(lines.iter().any(|l| l.contains(want)), "{want}: {lines:#?}");
        }
    }

    // 帮助 over the Chinese list: a popup over wide characters.
    d.press(KeyCode::Esc);
    d.press(KeyCode::Esc);
    assert!(!d.m.entities.detail && d.m.entities.search.is_empty());
    d.keys("?");
    snap_all("help_entities", &mut d.m);
}

// ---------------------------------------------------------------------------------------------
// 3. 抽查

#[test]
fn draws_list_run_dialog_and_records() {
    let mut d = Demo::open(Some("lead.liu"));
    d.keys("3");
    assert_eq!(d.m.screen, ScreenId::Draws);
    assert_eq!(d.m.draws.list.len(), 2);
    snap_all("draws_list", &mut d.m);
    let lines = screen(&d.m, 80, 24);
    let sel = selected_rows(&lines);
    assert_eq!(sel.len(), 1);
    assert!(sel[0].starts_with("2026Q2-01"), "{sel:?}");

    // The run dialog on the prepared draw, seeds and Chinese witnesses typed.
    assert!(d.m.draws.list[0].run.is_none());
    d.keys("r");
    assert!(matches!(d.m.popup, Some(Popup::Input { .. })));
    d.keys("20260520");
    d.press(KeyCode::Tab);
    d.keys("8731");
    d.press(KeyCode::Tab);
    d.keys("张伟、王芳（县人大代表）");
    snap_all("draws_run_dialog", &mut d.m);
    let t = render(&d.m, 80, 24);
    let lines = text_lines(t.backend().buffer());
    let row = lines
        .iter()
        .position(|l| l.contains("张伟、王芳（县人大代表）"))
        .unwrap();
    let p = t.backend().cursor_position();
    assert!(t.backend().cursor_visible());
    assert_eq!(p.y as usize, row, "the cursor is on the witness field");
    let line = &lines[row];
    let upto = &line[..line.find('）').unwrap() + '）'.len_utf8()];
    assert_eq!(p.x as usize, upto.width(), "the cursor follows the text");
    // Enter asks for the draw's id, the last word before a run that happens once.
    d.press(KeyCode::Enter);
    d.keys("2026Q2");
    snap_all("draws_run_confirm_id", &mut d.m);
    // Esc there goes back to the seeds as typed; Esc on them asks before throwing them away.
    d.press(KeyCode::Esc);
    assert!(matches!(d.m.popup, Some(Popup::Input { .. })));
    d.press(KeyCode::Esc);
    assert!(matches!(d.m.popup, Some(Popup::Discard(_))));
    snap_all("draws_discard_question", &mut d.m);
    d.keys("y");
    assert!(d.m.popup.is_none());
    assert!(
        d.session.list_draws().unwrap()[1].run.is_none(),
        "Esc runs nothing"
    );

    // The record of the run draw.
    d.keys("j");
    d.press(KeyCode::Enter);
    let os = os_login();
    let (id, lines) = d.m.draws.detail.as_mut().expect("a draw record");
    assert_eq!(id, "2026Q1-01");
    for l in lines.iter_mut() {
        l.map_text(|x| replace_word(x, &os, CREATOR));
    }
    snap_all("draws_record_run", &mut d.m);
    // The visits and their teams, a table: codes whole at 80 columns, names beside them
    // where there is room; j moves the cursor within the page.
    let at = {
        let (_, lines) = d.m.draws.detail.as_ref().unwrap();
        lines
            .iter()
            .position(|l| l.text().starts_with("## 检查任务与检查组"))
            .expect("the teams' table")
    };
    // The next page is rows of the table only (a page is the 20 lines between the borders).
    d.m.draws.scroll = (at / 20 + 1) * 20;
    d.keys("j");
    assert_eq!(d.m.draws.scroll, (at / 20 + 1) * 20 + 1);
    snap_all("draws_record_teams", &mut d.m);
    let lines = screen(&d.m, 80, 24);
    let rows: Vec<&String> = lines.iter().filter(|l| l.contains("YC-")).collect();
    assert!(rows.len() > 10, "{lines:#?}");
    for l in &rows {
        assert!(!l.contains('|'), "no Markdown source: {l}");
        for word in l.split_whitespace() {
            assert!(
                !(word.contains("YC-") && word.ends_with("..")),
                "a code cut: {l}"
            );
        }
    }
    let wide = screen(&d.m, 120, 40);
    assert!(
        wide.iter()
            .any(|l| l.contains("*YC-") && l.contains("YC-0") && l.contains('、')),
        "{wide:#?}"
    );
    // v: the row under the cursor in full, each cell under its header.
    d.keys("v");
    match &d.m.popup {
        Some(Popup::Message { lines, .. }) => {
            assert!(
                lines.iter().any(|l| l.starts_with("检查组（*组长）：*")),
                "{lines:?}"
            );
        }
        _ => panic!("v opens the row in full"),
    }
    d.press(KeyCode::Esc);
    d.press(KeyCode::Esc);
    assert!(d.m.draws.detail.is_none());

    // The prepared draw: strata and quotas.
    d.keys("k");
    d.press(KeyCode::Enter);
    assert_eq!(d.m.draws.detail.as_ref().unwrap().0, "2026Q2-01");
    snap_all("draws_record_prepared", &mut d.m);
    d.press(KeyCode::Esc);

    // 复算核验 of the run draw: a message popup.
    d.keys("j");
    d.keys("V");
    assert!(matches!(
        d.m.popup,
        Some(Popup::Message { error: false, .. })
    ));
    snap_all("draws_verify_message", &mut d.m);
    d.press(KeyCode::Esc);

    // 准备: the dialog asks for the period (this quarter, ready) and the tasks. The quarter is
    // prepared already, so preparing it again is refused with the draw named.
    d.press(KeyCode::Home);
    d.keys("p");
    snap_all("draws_prepare_dialog", &mut d.m);
    match &d.m.popup {
        Some(Popup::Input { fields, .. }) => assert_eq!(fields[0].lines(), ["2026Q2"]),
        _ => panic!("the prepare dialog"),
    }
    // (Not `press`: that treats an error popup as a failure of the test.)
    tui::handle(
        &mut d.session,
        &mut d.m,
        Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    // The dialog comes back as typed, the refusal under its fields.
    match &d.m.popup {
        Some(Popup::Input {
            error: Some(error),
            fields,
            ..
        }) => {
            assert!(error.contains("2026Q2-01"), "{error}");
            assert_eq!(fields[0].lines(), ["2026Q2"]);
        }
        _ => panic!("a refusal naming the draw, in the dialog"),
    }
    snap_all("draws_prepare_refused", &mut d.m);
    d.press(KeyCode::Esc);
    assert!(d.m.popup.is_none(), "nothing was typed: Esc closes at once");
    assert_eq!(d.session.list_draws().unwrap().len(), 2, "nothing prepared");

    // 运行 from the dialog: the record of the run is shown at once, and w writes it to a file.
    d.keys("r");
    d.keys(SEEDS[0]);
    d.press(KeyCode::Tab);
    d.keys(SEEDS[1]);
    d.press(KeyCode::Enter);
    d.keys("2026Q2-01");
    d.press(KeyCode::Enter);
    assert!(matches!(
        d.m.popup,
        Some(Popup::Message { error: false, .. })
    ));
    snap_all("draws_run_done", &mut d.m);
    d.press(KeyCode::Esc);
    let (id, lines) = d.m.draws.detail.as_ref().expect("the record of the run");
    assert_eq!(id, "2026Q2-01");
    assert_eq!(lines[0].text(), "# 双随机抽查抽取记录 2026Q2-01");
    let out = tempfile::tempdir().unwrap();
    d.m.export_dir = out.path().to_path_buf();
    d.keys("w");
    let file = out.path().join("抽取记录-2026Q2-01.md");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        d.session.printable_record("2026Q2-01").unwrap()
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the drawn list is confidential");
    match &d.m.popup {
        Some(Popup::Message { lines, .. }) => {
            assert!(
                lines.iter().any(|l| l.ends_with("抽取记录-2026Q2-01.md")),
                "{lines:?}"
            )
        }
        _ => panic!("where the record went"),
    }
}

// An inspector sees no prepare, run or substitute keys; the keys do nothing for them.
#[test]
fn draw_and_team_keys_are_not_offered_to_an_inspector() {
    let (_, officer) = completed_visit_and_officer();
    let mut d = Demo::open(Some(&officer));
    d.keys("3p");
    assert!(d.m.popup.is_none(), "no prepare dialog");
    d.keys("r");
    assert!(d.m.popup.is_none(), "no run dialog");
    d.keys("4u");
    assert!(d.m.popup.is_none(), "no substitution dialog");
}

// ---------------------------------------------------------------------------------------------
// 4. 检查任务 and 结果录入

/// At 80 columns (and 120) the team column of 检查任务, after the 期间 column, shows every
/// member's code whole: no row ends a code with "..".
fn team_codes_are_whole(m: &Model) {
    for (w, h) in [(80, 24), (120, 40)] {
        let lines = screen(m, w, h);
        let rows = (h as usize - 5).min(m.visits.list.len());
        let mut bigger = 0;
        for (x, line) in m.visits.list.iter().take(rows).zip(&lines[3..]) {
            let shown = x
                .team
                .iter()
                .filter(|seat| line.contains(&seat.inspector))
                .count();
            // A team of two shows both; a bigger one at least its lead, the rest counted.
            let size = x.team.iter().count();
            assert!(
                shown >= if size <= 2 { size } else { 1 },
                "{w}x{h}: {line:?}"
            );
            let rest = x.team.iter().count() - shown;
            if rest > 0 {
                bigger += 1;
                assert!(line.contains(&format!("+{rest}")), "{w}x{h}: {line:?}");
            }
            // No code is cut: nothing in the team column ends in "..".
            for word in line.split_whitespace() {
                assert!(
                    !(word.contains("YC-") && word.ends_with("..")),
                    "{w}x{h}: a code cut in {line:?}"
                );
            }
        }
        if w == 80 {
            assert!(
                bigger > 0,
                "the demo has a team of more than two on the first page"
            );
        }
    }
}

#[test]
fn visits_list_result_form_and_confirmations() {
    let (visit, officer) = completed_visit_and_officer();
    let mut d = Demo::open(Some(&officer));
    d.keys("4");
    assert_eq!(d.m.screen, ScreenId::Visits);
    snap_all("visits_list", &mut d.m);
    assert_eq!(selected_rows(&screen(&d.m, 80, 24)).len(), 1);
    team_codes_are_whole(&d.m);

    // `/` narrows the list as words are typed (every word must match); the position readout
    // counts what is shown.
    d.keys("/2026Q1 已公示 李文");
    assert!(d.m.visits.searching);
    assert!(
        d.m.visits.list.len() < d.m.visits.all.len() && !d.m.visits.list.is_empty(),
        "{} of {}",
        d.m.visits.list.len(),
        d.m.visits.all.len()
    );
    snap_all("visits_search", &mut d.m);
    d.times(KeyCode::Esc, 1);
    assert!(d.m.visits.search.is_empty() && !d.m.visits.searching);
    d.times(KeyCode::Home, 1);

    // The confirmation popup over the Chinese list (start an assigned visit).
    let assigned =
        d.m.visits
            .list
            .iter()
            .position(|v| v.state == VisitState::Assigned)
            .expect("an assigned visit");
    d.times(KeyCode::Char('j'), assigned);
    // The day it starts, today to begin with, the visit named: Enter confirms.
    d.keys("s");
    assert!(matches!(d.m.popup, Some(Popup::Input { .. })));
    snap_all("visits_start_day", &mut d.m);
    d.times(KeyCode::Esc, 1);
    assert!(d.m.popup.is_none());
    // Only a lead is offered a substitution.
    d.keys("u");
    assert!(d.m.popup.is_none(), "no substitution for an officer");

    // The result form of a completed visit, as an officer of its team.
    d.press(KeyCode::Home);
    let at = d.m.visits.list.iter().position(|v| v.id == visit).unwrap();
    d.times(KeyCode::Char('j'), at);
    d.press(KeyCode::Enter);
    let form = d.m.form.as_ref().expect("the result form");
    assert!(!form.read_only, "the officer may enter the result");
    snap_all("result_form", &mut d.m);

    // Findings typed in Chinese (longer than the field: cut with .., cursor kept inside).
    d.press(KeyCode::Tab);
    d.press(KeyCode::Tab);
    assert_eq!(d.m.form.as_ref().unwrap().focus, FormFocus::Findings);
    d.keys("现场检查时废气收集设施未正常运行，车间内有明显异味；已当场责令立即整改，并于三日内报送整改情况。");
    assert!(
        d.m.form
            .as_ref()
            .unwrap()
            .result
            .findings
            .starts_with("现场检查时")
    );
    snap_all("result_form_findings", &mut d.m);
    for (w, h) in SIZES {
        let t = render(&d.m, w, h);
        assert!(t.backend().cursor_visible());
        assert!(t.backend().cursor_position().x < w);
    }
    // The draft was saved on the way.
    let view = d.session.result_view(visit).unwrap();
    assert!(view.draft.unwrap().result.findings.contains("责令立即整改"));

    // 提交: the confirmation popup over the form.
    d.times(KeyCode::Tab, 5);
    assert_eq!(d.m.form.as_ref().unwrap().focus, FormFocus::Submit);
    d.press(KeyCode::Enter);
    assert!(matches!(d.m.popup, Some(Popup::Confirm { .. })));
    snap_all("result_form_submit_confirm", &mut d.m);
    d.press(KeyCode::Esc);
    assert!(d.m.popup.is_none());

    // 帮助 of the form.
    d.keys("?");
    assert!(matches!(d.m.popup, Some(Popup::Help(_))));
    snap_all("help_form", &mut d.m);
    d.press(KeyCode::Esc);

    // A published visit's result: read only.
    d.press(KeyCode::Esc);
    assert!(d.m.form.is_none());
    let published =
        d.m.visits
            .list
            .iter()
            .position(|v| v.state == VisitState::Published)
            .expect("a published visit");
    d.press(KeyCode::Home);
    d.times(KeyCode::Char('j'), published);
    d.press(KeyCode::Enter);
    assert!(d.m.form.as_ref().unwrap().read_only);
    snap_all("result_form_read_only", &mut d.m);
}

/// 替换: a lead replaces an officer of an assigned visit by the next eligible in the ranking.
#[test]
fn a_lead_substitutes_an_officer_from_the_visits_screen() {
    let mut d = Demo::open(Some("lead.liu"));
    d.keys("4");
    let at =
        d.m.visits
            .list
            .iter()
            .position(|v| v.state == VisitState::Assigned)
            .expect("an assigned visit");
    d.times(KeyCode::Char('j'), at);
    let visit = d.m.visits.list[at].clone();
    let out = visit.team[1].inspector.clone();
    d.keys("u");
    assert!(matches!(d.m.popup, Some(Popup::Input { .. })));
    d.keys(&out);
    d.press(KeyCode::Tab);
    d.keys("病假，医院证明已交");
    snap_all("visits_substitute_dialog", &mut d.m);
    d.press(KeyCode::Enter);
    let said = match &d.m.popup {
        Some(Popup::Message {
            error: false,
            lines,
            ..
        }) => lines.join(""),
        _ => panic!("the substitution is reported"),
    };
    assert!(said.starts_with(&format!("{out} 由 ")), "{said}");
    let now = d.m.visits.list.iter().find(|v| v.id == visit.id).unwrap();
    assert!(
        !now.team.iter().any(|t| t.inspector == out),
        "{:?}",
        now.team
    );
    assert_eq!(now.team.len(), visit.team.len());
    let record = d.session.draw_record(&visit.draw_id).unwrap();
    let sub = record
        .substitutions
        .iter()
        .find(|s| s.entity == visit.entity)
        .unwrap();
    assert_eq!(
        (sub.out.as_str(), sub.reason.as_str()),
        (out.as_str(), "病假，医院证明已交")
    );
}

/// A seat substituted once: `u` again is refused in the dialog with the way to ask (`U`); the
/// lead asks, and the principal approves on 更正审批.
#[test]
fn a_second_substitution_of_a_seat_is_asked_for_and_approved_in_the_dashboard() {
    let mut d = Demo::open(Some("lead.liu"));
    d.keys("4");
    let at =
        d.m.visits
            .list
            .iter()
            .position(|v| v.state == VisitState::Assigned)
            .expect("an assigned visit");
    d.times(KeyCode::Char('j'), at);
    let visit = d.m.visits.list[at].clone();
    let out = visit.team[1].inspector.clone();
    d.keys("u");
    d.keys(&out);
    d.press(KeyCode::Tab);
    d.keys("病假");
    d.press(KeyCode::Enter);
    d.press(KeyCode::Esc);
    let came = |d: &Demo| {
        let now = d.m.visits.list.iter().find(|v| v.id == visit.id).unwrap();
        now.team
            .iter()
            .map(|t| t.inspector.clone())
            .find(|t| !visit.team.iter().any(|o| o.inspector == *t))
            .expect("a new officer on the team")
    };
    let replacement = came(&d);
    assert_eq!(d.m.visits.list[d.m.visits.selected].id, visit.id);

    // The same seat again with `u`: the dialog comes back saying how to ask.
    d.keys("u");
    d.keys(&replacement);
    d.press(KeyCode::Tab);
    d.keys("公差");
    d.press(KeyCode::Enter);
    let Some(Popup::Input {
        error: Some(error),
        fields,
        ..
    }) = &d.m.popup
    else {
        panic!("the dialog comes back: {:?}", screen(&d.m, 120, 40))
    };
    assert!(error.contains("按 U 提交申请"), "{error}");
    assert_eq!(fields[1].lines(), ["公差"], "the input is kept");
    d.press(KeyCode::Esc);
    d.keys("y");
    assert!(d.m.popup.is_none(), "{:?}", screen(&d.m, 120, 40));

    // `U` asks the principal.
    d.keys("U");
    d.keys(&replacement);
    d.press(KeyCode::Tab);
    d.keys("其他：借调专项督查");
    d.press(KeyCode::Enter);
    let status = d.m.status.clone().map(|(t, _)| t).unwrap_or_default();
    assert!(
        status.contains("已申请再次替换"),
        "{status} {:?}",
        screen(&d.m, 120, 40)
    );
    assert!(
        d.session.substitution_requests(&visit.draw_id).unwrap()[0].out == replacement,
        "the request is filed"
    );

    // The principal sees it on 更正审批 and approves it.
    let principal = support::only(&d.session, shuangsuiji::domain::role::Role::Principal);
    let path = d._dir.path().join("demo.db");
    let session = support::open_on(&path, principal.as_str(), demo_day());
    let mut p = Demo {
        _dir: tempfile::tempdir().unwrap(),
        m: tui::model_for(&session, false),
        session,
    };
    load::overview(&p.session, &mut p.m).unwrap();
    p.keys("5");
    let a = &p.m.approvals;
    assert_eq!(a.substitutions.len(), 1, "{:?}", a.substitutions);
    let shown = screen(&p.m, 120, 40).join("\n");
    assert!(shown.contains("待批准的再次替换申请"), "{shown}");
    let at = a.corrections.len() + a.voids.len();
    p.times(KeyCode::Char('j'), at);
    p.keys("a");
    let shown = screen(&p.m, 120, 40).join("\n");
    assert!(shown.contains("批准替换申请"), "{shown}");
    p.press(KeyCode::Enter);
    let status = p.m.status.clone().map(|(t, _)| t).unwrap_or_default();
    assert!(
        status.contains("已批准替换申请") && status.contains(&replacement),
        "{status} {:?}",
        screen(&p.m, 120, 40)
    );
    assert!(p.m.approvals.substitutions.is_empty());
    let record = p.session.draw_record(&visit.draw_id).unwrap();
    let last = record.substitutions.last().unwrap();
    assert_eq!(last.out, replacement);
    assert!(last.approval.is_some());
}

// ---------------------------------------------------------------------------------------------
// 5. 更正审批, 6. 日志

#[test]
fn approvals_as_principal() {
    let mut d = Demo::open(Some("principal.wang"));
    assert!(
        d.m.viewer
            .roles
            .contains(&shuangsuiji::domain::role::Role::Principal)
    );
    d.keys("5");
    assert_eq!(d.m.screen, ScreenId::Approvals);
    assert_eq!(d.m.approvals.corrections.len(), 1);
    // Filed when the demo was built: a fixed time for the snapshot.
    for c in &mut d.m.approvals.corrections {
        c.filed_at = "2026-05-19T10:00:00+08:00".into();
    }
    snap_all("approvals", &mut d.m);
    let lines = screen(&d.m, 80, 24);
    // The correction as a labelled before/after of each changed field, with its reason and
    // who filed it (issue 11 item 6: the principal approved blind).
    let text = lines.join("\n");
    let filed = format!(
        "{} 提交于 2026-05-19 10:00",
        d.m.approvals.corrections[0].filed_by
    );
    for want in [
        filed.as_str(),
        "更正理由：录入时漏填备注信息",
        "备注（公示）",
        "原：（无）",
        "新：补充：企业提供了整改前后的监测报告",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
    let sel = selected_rows(&lines);
    assert_eq!(sel.len(), 1);
    assert!(sel[0].starts_with("更正"), "{sel:?}");

    // 驳回: the reason typed in Chinese.
    d.keys("r");
    assert!(matches!(d.m.popup, Some(Popup::Input { .. })));
    d.keys("备注内容与现场记录不一致，请核实后重新提交");
    snap_all("approvals_reject_dialog", &mut d.m);
    let t = render(&d.m, 80, 24);
    assert!(t.backend().cursor_visible());
    assert!(t.backend().cursor_position().x < 80);
    d.press(KeyCode::Esc);
    assert_eq!(
        d.session.pending_corrections().unwrap().len(),
        1,
        "Esc decides nothing"
    );
}

#[test]
fn audit_log_verified() {
    let mut d = Demo::open(Some("lead.liu"));
    d.keys("6");
    assert_eq!(d.m.screen, ScreenId::Audit);
    assert!(!d.m.audit.events.is_empty());
    d.keys("V");
    assert!(matches!(d.m.audit.verified, Some(Ok(_))));
    normalise_audit(&mut d.m);
    snap_all("audit_verified", &mut d.m);
    let lines = screen(&d.m, 80, 24);
    assert!(lines.iter().any(|l| l.contains("审计日志完整")));
    assert_eq!(selected_rows(&lines).len(), 1);
}

/// The log screen's verification checks the record rows too: a user made administrator with
/// sqlite3 is named there.
#[test]
fn audit_verify_on_the_dashboard_names_a_row_written_beside_the_log() {
    let mut d = Demo::open(Some("lead.liu"));
    let conn = rusqlite::Connection::open(d._dir.path().join("demo.db")).unwrap();
    conn.execute(
        "UPDATE users SET roles = '[\"admin\"]' WHERE login = 'observer.chen'",
        [],
    )
    .unwrap();
    drop(conn);
    d.keys("6");
    d.keys("V");
    let Some(Err(said)) = &d.m.audit.verified else {
        panic!("{:?}", d.m.audit.verified)
    };
    assert!(
        said.contains("1 处记录行与审计日志不符") && said.contains("表 users 主键 observer.chen"),
        "{said}"
    );
    assert!(
        screen(&d.m, 80, 24)
            .iter()
            .any(|l| l.contains("1 处记录行与审计日志不符")),
        "{:?}",
        screen(&d.m, 80, 24)
    );
}

// ---------------------------------------------------------------------------------------------
// 8. Popups over Chinese text, at every width.

/// Each popup over Chinese text, at every width from 80 to 120 (both parities of the popup's
/// edges against the wide characters under them): never half a character, never a hidden
/// border cell.
#[test]
fn popups_over_chinese_leave_no_half_characters() {
    let mut d = Demo::open(Some("lead.liu"));
    d.keys("2");
    d.keys("?");
    let mut v = Demo::open(Some("lead.liu"));
    v.keys("4");
    let assigned =
        v.m.visits
            .list
            .iter()
            .position(|x| x.state == VisitState::Assigned)
            .unwrap();
    v.times(KeyCode::Char('j'), assigned);
    v.keys("s");
    assert!(matches!(v.m.popup, Some(Popup::Input { .. })));
    for (name, m) in [("entities+help", &mut d.m), ("visits+confirm", &mut v.m)] {
        for (_, theme) in THEMES {
            m.theme = theme;
            for w in 80..=120 {
                for h in [24, 31] {
                    let t = render(m, w, h);
                    let buf = t.backend().buffer();
                    let broken = broken_wide_chars(buf);
                    assert!(broken.is_empty(), "{name} at {w}x{h}: {broken:?}");
                    for (y, line) in text_lines(buf).iter().enumerate() {
                        assert!(line.width() <= w as usize, "{name} {w}x{h} row {y}");
                    }
                }
            }
        }
    }
}

/// The check above does catch ratatui's plain `Clear` over Chinese (issue #2526).
#[test]
fn the_half_character_check_catches_a_plain_clear() {
    use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};
    let area = Rect::new(0, 0, 20, 3);
    let mut buf = Buffer::empty(area);
    Paragraph::new(vec!["阳城县焦化有限公司".into(); 3]).render(area, &mut buf);
    assert!(broken_wide_chars(&buf).is_empty());
    let popup = Rect::new(3, 0, 10, 3);
    Clear.render(popup, &mut buf);
    Block::default()
        .borders(Borders::ALL)
        .render(popup, &mut buf);
    let broken = broken_wide_chars(&buf);
    // The popup's left border sits under the second half of 县 on every row.
    assert_eq!(broken.len(), 3, "{broken:?}");
    assert!(broken[0].contains("\"┌\""), "{broken:?}");
}

// ---------------------------------------------------------------------------------------------
// 9. Too small, and a resize.

#[test]
fn too_small_and_resize() {
    let mut d = Demo::open(Some("lead.liu"));
    for (w, h) in [(79, 24), (80, 23)] {
        for (theme_name, theme) in THEMES {
            d.m.theme = theme;
            let t = render(&d.m, w, h);
            let snap = format!("too_small__{w}x{h}_{theme_name}");
            check_frame(&snap, theme, t.backend().buffer());
            let lines = text_lines(t.backend().buffer());
            assert!(lines[0].starts_with("终端窗口太小"), "{lines:?}");
            // The size now and the way out are said; below the message nothing is drawn.
            let said = lines.concat().replace(' ', "");
            assert!(said.contains(&format!("现为{w}列x{h}行")), "{lines:?}");
            assert!(said.contains("按q退出"), "{lines:?}");
            assert!(lines[3..].iter().all(|l| l.is_empty()), "{lines:?}");
            insta::assert_snapshot!(snap, dump(&t));
        }
    }
    // Smaller still: the message wraps, nothing panics or overflows.
    for (w, h) in [(1, 1), (10, 3), (30, 10)] {
        let t = render(&d.m, w, h);
        check_frame(
            &format!("too_small {w}x{h}"),
            d.m.theme,
            t.backend().buffer(),
        );
    }

    // 120x40 with Chinese on screen, then down to 80x24 on the same terminal.
    d.keys("2");
    for (theme_name, theme) in THEMES {
        d.m.theme = theme;
        let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
        t.draw(|f| views::render(f, &d.m)).unwrap();
        t.backend_mut().resize(80, 24);
        t.resize(Rect::new(0, 0, 80, 24)).unwrap();
        t.draw(|f| views::render(f, &d.m)).unwrap();
        let snap = format!("resize_120x40_to_80x24_{theme_name}");
        check_frame(&snap, theme, t.backend().buffer());
        let fresh = render(&d.m, 80, 24);
        assert_eq!(
            t.backend().buffer(),
            fresh.backend().buffer(),
            "after a resize the screen is what a fresh 80x24 draw gives"
        );
        insta::assert_snapshot!(snap, dump(&t));
    }
}

/// A step taken outside the windows stays marked in the visits list (时间外), never cut.
#[test]
fn a_step_outside_the_windows_is_marked_in_the_visits_list() {
    let day = support::day("2026-11-20");
    let mut d = Demo::open_at(None, day);
    let path = d._dir.path().join("demo.db");
    let lead = support::open_on(&path, "lead.liu", day);
    let v = lead
        .list_visits(&VisitFilter::default())
        .unwrap()
        .into_iter()
        .find(|v| {
            v.state == VisitState::Assigned && v.problem.is_none() && v.outside_on(day).is_some()
        })
        .unwrap();
    let officer = login_of(&lead, &v.team[0].inspector);
    support::open_on(&path, officer.as_str(), day)
        .start_visit(v.id, day, Some("复产后补查"))
        .unwrap();
    d.keys("4");
    d.m.visits.list.retain(|x| x.id == v.id);
    d.m.visits.selected = 0;
    let lines = screen(&d.m, 80, 24);
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&v.id.to_string()) && l.contains("时间外")),
        "{lines:#?}"
    );
}

/// A lead writes the plan-change notice from the overview (n) and records it sent (N); an
/// inspector is offered neither.
#[test]
fn a_lead_writes_and_records_the_plan_change_notice_from_the_overview() {
    let mut d = Demo::open(Some("lead.liu"));
    d.session
        .edit_plan(
            2026,
            "NB",
            shuangsuiji::services::plans::PlanEdit::RemoveTask("NB-4".into()),
            "该事项由市局统一组织检查",
        )
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    d.m.export_dir = out.path().to_path_buf();
    d.keys("1n");
    let file = out
        .path()
        .join(format!("计划调整报送件-2026-{}.md", demo_day()));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("该事项由市局统一组织检查"), "{text}");
    match &d.m.popup {
        Some(Popup::Message { lines, .. }) => {
            assert!(lines.iter().any(|l| l.contains("2026-1")), "{lines:?}")
        }
        _ => panic!("where the notice went"),
    }
    d.press(KeyCode::Esc);
    d.keys("N2026-1");
    d.press(KeyCode::Enter);
    let status = d.session.plan_change_status(2026).unwrap();
    assert!(
        status
            .notices
            .iter()
            .any(|n| n.id == "2026-1" && n.sent.as_ref().is_some_and(|x| x.on == demo_day())),
        "{:?}",
        status.notices
    );
    // An inspector has neither key.
    let (_, officer) = completed_visit_and_officer();
    let mut i = Demo::open(Some(&officer));
    i.keys("1nN");
    assert!(i.m.popup.is_none());
}
