//! The dashboard's key handling (`tui::update::key`, pure) table by table: a model in a given
//! state, who is at the keyboard, the keys, and what must follow: the effects asked of the
//! services, and the screen, popup, cursor or filter. No terminal and no database: the models
//! are built here, the entities from the demo county's generator.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use shuangsuiji::demo::demo_county;
use shuangsuiji::domain::audit::AuditEvent;
use shuangsuiji::domain::classification::{SupervisionClass, classify};
use shuangsuiji::domain::draw::record::Seat;
use shuangsuiji::domain::draw::{Draw, RunInfo, VoidInfo};
use shuangsuiji::domain::result::{InspectionResult, ItemOutcome, Outcome};
use shuangsuiji::domain::result_records::Correction;
use shuangsuiji::domain::role::{Role, allowed};
use shuangsuiji::domain::visit::{Step, VisitDates, VisitState};
use shuangsuiji::domain::vocab::{CreditTier, TargetType};
use shuangsuiji::services::dashboard::Overview;
use shuangsuiji::services::registry::ClassifiedEntity;
use shuangsuiji::services::visits::VisitView;
use shuangsuiji::tui::model::{
    Effect, FormFocus, FormSubject, InputPurpose, Model, OverviewPane, Popup, ResultForm, ScreenId,
    Viewer, text_of,
};
use shuangsuiji::tui::record;
use shuangsuiji::tui::strings;
use shuangsuiji::tui::theme::Theme;
use shuangsuiji::tui::update::{fields_of, key};

use crate::support::demo_day;

/// Who is at the keyboard.
#[derive(Debug, Clone, Copy)]
enum Who {
    Lead,
    Principal,
    Observer,
    /// An inspector on the team of the visits below.
    Member,
    /// An inspector on none of their teams.
    Outsider,
}

const MEMBER: &str = "YC-001";
const OUTSIDER: &str = "YC-099";

/// The one place a viewer and its model are made.
fn model(who: Who) -> Model {
    let (roles, inspector) = match who {
        Who::Lead => (Role::Lead, None),
        Who::Principal => (Role::Principal, None),
        Who::Observer => (Role::Observer, None),
        Who::Member => (Role::Inspector, Some(MEMBER)),
        Who::Outsider => (Role::Inspector, Some(OUTSIDER)),
    };
    let viewer = Viewer {
        login: format!("{who:?}").to_lowercase(),
        name: format!("{who:?}"),
        roles: [roles].into(),
        inspector: inspector.map(str::to_string),
        active: true,
    };
    let theme = Theme {
        color: false,
        ascii: true,
    };
    Model::new(theme, viewer, "test.db".into(), true, demo_day())
}

fn press(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// One key per character.
fn typed(text: &str) -> Vec<KeyEvent> {
    text.chars().map(|c| press(KeyCode::Char(c))).collect()
}

/// One row of a table: in the state `given` makes, `who` presses `keys`; together they ask for
/// `effects`, and `then` holds afterwards.
struct Row {
    what: &'static str,
    who: Who,
    given: fn(&mut Model),
    keys: Vec<KeyEvent>,
    effects: Vec<Effect>,
    then: fn(&Model) -> bool,
}

fn row(
    what: &'static str,
    who: Who,
    given: fn(&mut Model),
    keys: Vec<KeyEvent>,
    effects: Vec<Effect>,
    then: fn(&Model) -> bool,
) -> Row {
    Row {
        what,
        who,
        given,
        keys,
        effects,
        then,
    }
}

fn check(rows: Vec<Row>) {
    for r in rows {
        let mut m = model(r.who);
        (r.given)(&mut m);
        let effects: Vec<Effect> = r.keys.iter().flat_map(|k| key(&mut m, *k)).collect();
        assert_eq!(effects, r.effects, "{} ({:?}): effects", r.what, r.who);
        assert!((r.then)(&m), "{} ({:?}): {}", r.what, r.who, state(&m));
    }
}

/// What a failed row shows of the model.
fn state(m: &Model) -> String {
    let popup = match &m.popup {
        None => "none".to_string(),
        Some(Popup::Confirm { effect, .. }) => format!("confirm {effect:?}"),
        Some(Popup::Message { title, .. }) => format!("message {title}"),
        Some(Popup::Input {
            purpose,
            fields,
            focus,
            ..
        }) => format!(
            "input {purpose:?} focus {focus} {:?}",
            fields.iter().map(text_of).collect::<Vec<_>>()
        ),
        Some(Popup::Help(_)) => "help".to_string(),
        Some(Popup::Discard(_)) => "discard?".to_string(),
    };
    format!(
        "screen {:?}, popup {popup}, quit {}, go {}, draws {}/{} scroll {} detail {}, visits {} \
         mine {}, approvals {}, entities {} of {} tab {} search {:?} searching {} detail {}, \
         overview {:?} {}, form {:?}, status {:?}",
        m.screen,
        m.quit,
        m.go_prefix,
        m.draws.selected,
        m.draws.list.len(),
        m.draws.scroll,
        m.draws.detail.is_some(),
        m.visits.selected,
        m.visits.mine,
        m.approvals.selected,
        m.entities.shown.len(),
        m.entities.all.len(),
        m.entities.tab,
        m.entities.search,
        m.entities.searching,
        m.entities.detail,
        m.overview_pane,
        m.overview_selected,
        m.form
            .as_ref()
            .map(|f| (f.focus, f.result.items[0].outcome)),
        m.status,
    )
}

/// A run's seeds dialog with `seed` in its first field.
fn seeds_kept(p: Option<&Popup>, seed: &str) -> bool {
    matches!(p, Some(Popup::Input { purpose: InputPurpose::RunDraw(_), fields, .. })
        if text_of(&fields[0]) == seed)
}

fn input_is(m: &Model, want: &InputPurpose) -> bool {
    matches!(&m.popup, Some(Popup::Input { purpose, .. }) if purpose == want)
}

/// The day field emptied and `day` typed in.
fn day_typed(day: &str) -> Vec<KeyEvent> {
    [vec![press(KeyCode::Backspace); 10], typed(day)].concat()
}

/// The day's dialog is still open with `day` as typed, and its error names the field and says
/// `why`.
fn day_refused(m: &Model, day: &str, why: &str) -> bool {
    matches!(&m.popup, Some(Popup::Input { purpose: InputPurpose::StepOn { .. }, fields, error: Some(e), .. })
        if text_of(&fields[0]) == day && e.contains("开始日期") && e.contains(why))
}

/// The dialog of the day visit `id` takes `step` on is open, today in it.
fn asks_day(m: &Model, id: i64, step: Step) -> bool {
    matches!(&m.popup, Some(Popup::Input { purpose, fields, .. })
        if *purpose == InputPurpose::StepOn { id, step }
            && text_of(&fields[0]) == demo_day().to_string())
}

fn confirms(m: &Model, want: &Effect) -> bool {
    matches!(&m.popup, Some(Popup::Confirm { effect, .. }) if effect == want)
}

// ---------------------------------------------------------------------------------------------
// What the tables work on.

fn draw(id: &str, run: bool, void_requested: bool) -> Draw {
    let info = || VoidInfo {
        seq: 9,
        by: "lead.liu".into(),
        at: "2026-05-20T09:00:00+08:00".into(),
        reason: "种子录入有误".into(),
    };
    Draw {
        id: id.into(),
        period: id[..6].into(),
        tasks: vec!["NB-1".into()],
        commitment: "0".repeat(64),
        prepared_seq: 1,
        prepared_by: "lead.liu".into(),
        prepared_at: "2026-04-01T09:00:00+08:00".into(),
        run: run.then(|| RunInfo {
            seq: 2,
            by: "lead.liu".into(),
            at: "2026-04-02T09:00:00+08:00".into(),
        }),
        void_request: void_requested.then(info),
        void_approved: None,
    }
}

fn visit(id: i64, state: VisitState, team: &[&str]) -> VisitView {
    VisitView {
        id,
        draw_id: "2026Q2-01".into(),
        period: "2026Q2".into(),
        entity: format!("E{id}"),
        tasks: vec!["NB-1".into()],
        ticket: "0.5".into(),
        problem: None,
        team: team
            .iter()
            .enumerate()
            .map(|(i, code)| Seat {
                inspector: code.to_string(),
                department: "县生态环境局".into(),
                lead: i == 0,
                ticket: "0.5".into(),
            })
            .collect(),
        drawn_on: "2026-05-20".into(),
        entity_name: format!("对象{id}"),
        town: "凤城镇".into(),
        // Drawn ten days before the demo day; started then, if it is.
        dates: {
            let drawn = demo_day() - chrono::Days::new(10);
            VisitDates {
                drawn: Some(drawn),
                started: (state != VisitState::Assigned).then_some(drawn),
                completed: matches!(state, VisitState::Completed | VisitState::Entered)
                    .then_some(drawn),
                entered: (state == VisitState::Entered).then_some(drawn),
                ..VisitDates::default()
            }
        },
        state,
        due: None,
        days_left: None,
        countdown: None,
        late: false,
        pending_correction: false,
        note: None,
        windows: vec![],
    }
}

/// Screen 3 with the prepared second quarter on top and the run first quarter below.
fn draws_screen(m: &mut Model) {
    m.screen = ScreenId::Draws;
    m.draws.list = vec![
        draw("2026Q2-01", false, false),
        draw("2026Q1-01", true, false),
    ];
}

/// Screen 4: visit 7 not started (team: the member and another), 8 started (the member's),
/// 9 not started (another team).
fn visits_screen(m: &mut Model) {
    m.screen = ScreenId::Visits;
    m.visits.list = vec![
        visit(7, VisitState::Assigned, &[MEMBER, "YC-002"]),
        visit(8, VisitState::Started, &[MEMBER]),
        visit(9, VisitState::Assigned, &["YC-003"]),
    ];
    m.visits.all = m.visits.list.clone();
    m.names = [(MEMBER, "张三"), ("YC-002", "李四"), ("YC-003", "王五")]
        .map(|(c, n)| (c.to_string(), n.to_string()))
        .into();
}

/// Screen 6: three events, newest first.
fn audit_screen(m: &mut Model) {
    m.screen = ScreenId::Audit;
    let event = |seq: u64, actor: &str, action: &str, subject: &str| AuditEvent {
        seq,
        at: "2026-05-20T09:00:00+08:00".into(),
        actor: actor.into(),
        action: action.into(),
        subject: subject.into(),
        detail: "{}".into(),
        hash: String::new(),
    };
    m.audit.all = vec![
        event(3, "officer", "visit.start", "7"),
        event(2, "lead.liu", "draw.run", "2026Q2-01"),
        event(1, "lead.liu", "draw.prepare", "2026Q2-01"),
    ];
    m.audit.events = m.audit.all.clone();
}

fn shown_visits(m: &Model) -> Vec<i64> {
    m.visits.list.iter().map(|v| v.id).collect()
}

fn shown_events(m: &Model) -> Vec<u64> {
    m.audit.events.iter().map(|e| e.seq).collect()
}

#[test]
fn search_on_visits_and_the_log() {
    use KeyCode::*;
    use Who::*;
    check(vec![
        row(
            "/ and an officer's code: only their visits; Enter keeps the search",
            Lead,
            visits_screen,
            [typed("/yc-003"), vec![press(Enter)]].concat(),
            vec![],
            |m| shown_visits(m) == [9] && !m.visits.searching && m.visits.search == "yc-003",
        ),
        row(
            "an officer's name finds their visits too",
            Lead,
            visits_screen,
            typed("/李四"),
            vec![],
            |m| shown_visits(m) == [7] && m.visits.searching,
        ),
        row(
            "every word must match: period and state",
            Lead,
            visits_screen,
            typed("/2026Q2 检查中"),
            vec![],
            |m| shown_visits(m) == [8],
        ),
        row(
            "draw and town match every visit of that draw",
            Observer,
            visits_screen,
            typed("/2026Q2-01 凤城镇"),
            vec![],
            |m| shown_visits(m) == [7, 8, 9],
        ),
        row(
            "the cursor stays on its visit as the list narrows",
            Lead,
            visits_screen,
            typed("j/检查中"),
            vec![],
            |m| m.visits.list.get(m.visits.selected).map(|v| v.id) == Some(8),
        ),
        row(
            "keys typed into the search do not act (s starts nothing)",
            Member,
            visits_screen,
            typed("/s"),
            vec![],
            |m| m.popup.is_none() && m.visits.search == "s",
        ),
        row(
            "Esc while typing drops the search",
            Lead,
            visits_screen,
            [typed("/yc-003"), vec![press(Esc)]].concat(),
            vec![],
            |m| shown_visits(m) == [7, 8, 9] && m.visits.search.is_empty(),
        ),
        row(
            "Esc on the list clears a kept search",
            Lead,
            visits_screen,
            [typed("/yc-003"), vec![press(Enter), press(Esc)]].concat(),
            vec![],
            |m| shown_visits(m) == [7, 8, 9] && !m.visits.searching,
        ),
        row(
            "the log: by action in Chinese",
            Observer,
            audit_screen,
            typed("/运行"),
            vec![],
            |m| shown_events(m) == [2],
        ),
        row(
            "the log: by actor and action as written",
            Observer,
            audit_screen,
            typed("/lead.liu draw.prepare"),
            vec![],
            |m| shown_events(m) == [1],
        ),
        row(
            "the log: v typed into the search does not verify",
            Observer,
            audit_screen,
            [typed("/v"), vec![press(Backspace), press(Enter)]].concat(),
            vec![],
            |m| shown_events(m) == [3, 2, 1] && !m.audit.searching,
        ),
    ]);
}

/// Screen 5: correction 21 first, then the first quarter's void request.
fn approvals_screen(m: &mut Model) {
    m.screen = ScreenId::Approvals;
    m.approvals.corrections = vec![Correction {
        id: 21,
        visit_id: 7,
        result: InspectionResult::default(),
        reason: "录入有误".into(),
        filed_by: "officer".into(),
        filed_at: "2026-05-21T09:00:00+08:00".into(),
        seq: 30,
        decision: None,
    }];
    m.approvals.voids = vec![draw("2026Q1-01", true, true)];
}

/// Screen 2 over the demo county's first 80 entities, none filtered out yet.
fn entities_screen(m: &mut Model) {
    let today = m.today;
    m.screen = ScreenId::Entities;
    m.entities.all = demo_county(today)
        .entities
        .into_iter()
        .take(80)
        .map(|entity| ClassifiedEntity {
            id: entity.id().to_string(),
            classification: classify(&entity, today),
            entity,
        })
        .collect();
    m.entities.shown = (0..m.entities.all.len()).collect();
    m.entities.loaded = true;
}

/// The id of the second entity of [`entities_screen`].
fn m1_id() -> String {
    let mut m = model(Who::Observer);
    entities_screen(&mut m);
    m.entities.all[1].id.clone()
}

/// The entities shown.
fn shown(m: &Model) -> Vec<&ClassifiedEntity> {
    m.entities
        .shown
        .iter()
        .map(|&i| &m.entities.all[i])
        .collect()
}

/// How many of all the entities meet `f`: what a filter must show.
fn count(m: &Model, f: impl Fn(&ClassifiedEntity) -> bool) -> usize {
    m.entities.all.iter().filter(|c| f(c)).count()
}

/// The overview with visits 7 and 8 due, and visit 9 mine.
fn overview(m: &mut Model) {
    m.overview = Some(Overview {
        deadlines: vec![
            visit(7, VisitState::Completed, &[MEMBER]),
            visit(8, VisitState::Completed, &[MEMBER]),
        ],
        mine: vec![visit(9, VisitState::Assigned, &[MEMBER])],
        ..Default::default()
    });
}

/// Visit 8's result form on its first check item (of two, both compliant).
fn form(m: &mut Model) {
    m.screen = ScreenId::Visits;
    let result = InspectionResult {
        items: ["1-1", "1-2"]
            .map(|code| ItemOutcome {
                item: code.into(),
                outcome: Outcome::Compliant,
                note: String::new(),
            })
            .to_vec(),
        ..Default::default()
    };
    let [findings, legal_basis, measure, other, remark] = fields_of(&result);
    m.form = Some(ResultForm {
        subject: FormSubject::Visit(Box::new(visit(8, VisitState::Completed, &[MEMBER]))),
        items: vec![
            ("1-1".into(), "环评".into()),
            ("1-2".into(), "排污许可".into()),
        ],
        result,
        focus: FormFocus::Items,
        item_cursor: 0,
        category_cursor: 0,
        findings,
        legal_basis,
        measure,
        other,
        remark,
        read_only: false,
        read_only_why: None,
        empty: false,
        problems: vec![],
        corrections: vec![],
        may_correct: false,
        correcting: false,
        teammate_drafts: vec![],
        own_draft: None,
    });
}

/// Visit 8's result as submitted, its team member at the keyboard: `e` may correct it.
fn submitted_form(m: &mut Model) {
    form(m);
    if let Some(f) = m.form.as_mut() {
        f.read_only = true;
        f.read_only_why = Some(shuangsuiji::tui::model::ReadOnly::Submitted);
        f.may_correct = true;
    }
}

/// The same, for someone who may not correct it (off the team, or a correction waits).
fn submitted_form_not_mine(m: &mut Model) {
    submitted_form(m);
    if let Some(f) = m.form.as_mut() {
        f.may_correct = false;
    }
}

#[test]
fn a_submitted_result_is_corrected_from_its_form() {
    use KeyCode::*;
    use Who::*;
    let correcting = |m: &Model| {
        m.form
            .as_ref()
            .is_some_and(|f| f.correcting && !f.read_only)
    };
    check(vec![
        row(
            "e makes the submitted result a correction",
            Member,
            submitted_form,
            typed("e"),
            vec![],
            correcting,
        ),
        row(
            "e does nothing for those who may not correct",
            Member,
            submitted_form_not_mine,
            typed("e"),
            vec![],
            |m| {
                m.form
                    .as_ref()
                    .is_some_and(|f| f.read_only && !f.correcting)
            },
        ),
        row(
            "a change to a correction saves no draft",
            Member,
            submitted_form,
            typed("e "),
            vec![],
            |m| {
                m.form
                    .as_ref()
                    .is_some_and(|f| f.result.items[0].outcome != Outcome::Compliant)
            },
        ),
        row(
            "Enter on 提交 asks the reason; Enter files the correction",
            Member,
            submitted_form,
            [
                typed("e"),
                vec![press(BackTab), press(Enter)],
                typed("录入有误"),
                vec![press(Enter)],
            ]
            .concat(),
            vec![Effect::FileCorrection {
                visit: 8,
                reason: "录入有误".into(),
            }],
            |m| m.popup.is_none() && m.asked.is_some(),
        ),
        row(
            "Esc drops the correction and says so",
            Member,
            submitted_form,
            [typed("e"), vec![press(Esc)]].concat(),
            vec![Effect::Reload],
            |m| {
                m.form.is_none()
                    && m.status.as_ref().map(|(t, _)| t.as_str())
                        == Some(strings::CORRECTION_DROPPED)
            },
        ),
    ]);
}

/// Visit 8's result submitted by a teammate while the member at the keyboard had a draft.
fn submitted_with_my_draft(m: &mut Model) {
    submitted_form(m);
    if let Some(f) = m.form.as_mut() {
        let mut mine = f.result.clone();
        mine.findings = "我的草稿".into();
        f.own_draft = Some(mine);
    }
}

#[test]
fn my_draft_starts_a_correction_once_a_teammate_submitted() {
    use Who::*;
    check(vec![
        row(
            "d makes a correction of my own draft's text",
            Member,
            submitted_with_my_draft,
            typed("d"),
            vec![],
            |m| {
                m.form.as_ref().is_some_and(|f| {
                    f.correcting
                        && !f.read_only
                        && f.result.findings == "我的草稿"
                        && text_of(&f.findings) == "我的草稿"
                })
            },
        ),
        row(
            "d without a draft of mine does nothing",
            Member,
            submitted_form,
            typed("d"),
            vec![],
            |m| {
                m.form
                    .as_ref()
                    .is_some_and(|f| f.read_only && !f.correcting)
            },
        ),
        row(
            "d while a correction waits says why, on the status line",
            Member,
            |m| {
                submitted_with_my_draft(m);
                m.form.as_mut().unwrap().may_correct = false;
            },
            typed("d"),
            vec![],
            |m| {
                m.popup.is_none()
                    && m.form.as_ref().is_some_and(|f| f.read_only)
                    && m.status.as_ref().map(|(t, _)| t.as_str())
                        == Some(strings::CORRECTION_WAITING)
            },
        ),
    ]);
}

/// A paste's case: what, the state, how many 法 to paste (0: the text), the text, the
/// effects asked for and what must hold afterwards.
type PasteCase = (
    &'static str,
    fn(&mut Model),
    usize,
    &'static str,
    Vec<Effect>,
    fn(&Model) -> bool,
);

#[test]
fn a_paste_is_one_insert_and_one_save() {
    use shuangsuiji::tui::update::paste;
    let cases: Vec<PasteCase> = vec![
        (
            "into 检查发现: one insert, one save",
            |m| {
                form(m);
                m.form.as_mut().unwrap().focus = FormFocus::Findings;
            },
            0,
            "现场检查未见异常",
            vec![Effect::SaveDraft],
            |m| m.form.as_ref().unwrap().result.findings == "现场检查未见异常",
        ),
        (
            "line breaks become spaces in a one-line field",
            |m| {
                form(m);
                m.form.as_mut().unwrap().focus = FormFocus::Measure;
            },
            0,
            "责令改正\r\n限期整改",
            vec![Effect::SaveDraft],
            |m| m.form.as_ref().unwrap().result.measure == "责令改正 限期整改",
        ),
        (
            "cut at 违法依据's 500, and said",
            |m| {
                form(m);
                m.form.as_mut().unwrap().focus = FormFocus::LegalBasis;
            },
            520,
            "",
            vec![Effect::SaveDraft],
            |m| {
                m.form.as_ref().unwrap().result.legal_basis.chars().count() == 500
                    && m.status.as_ref().is_some_and(|(t, e)| {
                        *e && t.contains("违法依据最多500个字符") && t.contains("20个字符")
                    })
            },
        ),
        (
            "on the items: nothing, and said",
            form,
            0,
            " ",
            vec![],
            |m| {
                m.form.as_ref().unwrap().result.items[0].outcome == Outcome::Compliant
                    && m.status
                        .as_ref()
                        .is_some_and(|(t, _)| t == strings::PASTE_NOWHERE)
            },
        ),
        (
            "a read-only form takes nothing",
            |m| {
                submitted_form(m);
                m.form.as_mut().unwrap().focus = FormFocus::Findings;
            },
            0,
            "文字",
            vec![],
            |m| m.form.as_ref().unwrap().result.findings.is_empty(),
        ),
        (
            "into a dialog's field, as one line",
            |m| {
                submitted_form(m);
                m.popup = Some(Popup::input(
                    "t".into(),
                    vec!["理由"],
                    vec![Default::default()],
                    InputPurpose::Correction(8),
                ));
            },
            0,
            "录入\n有误",
            vec![],
            |m| matches!(&m.popup, Some(Popup::Input { fields, typed: true, .. }) if text_of(&fields[0]) == "录入 有误"),
        ),
    ];
    for (what, given, repeat, text, effects, then) in cases {
        let mut m = model(Who::Member);
        given(&mut m);
        let text = if repeat > 0 {
            "法".repeat(repeat)
        } else {
            text.to_string()
        };
        assert_eq!(paste(&mut m, &text), effects, "{what}: effects");
        assert!(then(&m), "{what}: {}", state(&m));
    }
}

/// A message is open and its lines hold each of `want`.
fn message_has(m: &Model, want: &[&str]) -> bool {
    match &m.popup {
        Some(Popup::Message { lines, .. }) => {
            let all = lines.join("\n");
            want.iter().all(|w| all.contains(w))
        }
        _ => false,
    }
}

#[test]
fn v_shows_a_visit_and_the_reminders_in_full() {
    use Who::*;
    check(vec![
        row(
            "v on a visit: every field, the team with names",
            Observer,
            visits_screen,
            typed("jjv"),
            vec![],
            |m| {
                message_has(
                    m,
                    &[
                        "对象：对象9（E9）",
                        "乡镇：凤城镇",
                        "*YC-003王五",
                        "2026Q2-01（2026Q2）",
                    ],
                )
            },
        ),
        row(
            "v on the overview: the selected visit in full",
            Member,
            overview,
            typed("v"),
            vec![],
            |m| message_has(m, &["对象：对象7（E7）", "任务：NB-1"]),
        ),
        row(
            "any key closes it and acts (j moves on the list behind)",
            Observer,
            visits_screen,
            typed("vj"),
            vec![],
            |m| m.popup.is_none() && m.visits.selected == 1,
        ),
    ]);
}

#[test]
fn v_shows_the_selected_row_in_full_on_draws_entities_approvals_and_the_log() {
    use Who::*;
    check(vec![
        row(
            "v on a draw: the whole commitment, its tasks and stamps, not a verification",
            Observer,
            draws_screen,
            typed("jv"),
            vec![],
            |m| {
                message_has(
                    m,
                    &[
                        "编号：2026Q1-01",
                        "任务：NB-1",
                        &format!("承诺值：{}", "0".repeat(64)),
                        "运行：lead.liu，2026-04-02 09:00:00",
                    ],
                )
            },
        ),
        row(
            "v on a void waiting: the reason in full",
            Principal,
            approvals_screen,
            typed("jv"),
            vec![],
            |m| {
                message_has(
                    m,
                    &["申请作废：lead.liu，2026-05-20 09:00:00，种子录入有误"],
                )
            },
        ),
        row(
            "v on a correction: who filed it, when and why",
            Observer,
            approvals_screen,
            typed("v"),
            vec![],
            |m| {
                message_has(
                    m,
                    &[
                        "更正 #21",
                        "officer 提交于 2026-05-21",
                        "更正理由：录入有误",
                    ],
                )
            },
        ),
        row(
            "v on the log: the action in Chinese and as written, the particulars",
            Observer,
            audit_screen,
            typed("jv"),
            vec![],
            |m| {
                message_has(
                    m,
                    &["序号：2", "（draw.run）", "对象：2026Q2-01", "详情：{}"],
                )
            },
        ),
        row(
            "v on an entity: its name, code and reasons uncut",
            Observer,
            entities_screen,
            typed("jv"),
            vec![],
            |m| {
                let c = &m.entities.all[m.entities.shown[1]];
                let name = format!("名称：{}", c.entity.name);
                let code = format!("代码：{}", c.id);
                match &m.popup {
                    Some(Popup::Message { title, lines, .. }) => {
                        title == &c.entity.name && lines.contains(&name) && lines.contains(&code)
                    }
                    _ => false,
                }
            },
        ),
    ]);
}

fn nothing(_: &mut Model) {}

fn outcome(m: &Model) -> Outcome {
    m.form.as_ref().unwrap().result.items[0].outcome
}

// ---------------------------------------------------------------------------------------------
// The tables.

#[test]
fn keys_of_every_screen() {
    use KeyCode::*;
    use Who::*;
    let ctrl_c = KeyEvent::new(Char('c'), KeyModifiers::CONTROL);
    check(vec![
        row("q quits", Observer, nothing, typed("q"), vec![], |m| m.quit),
        row(
            "Ctrl+C quits, even from a dialog",
            Lead,
            |m| m.popup = Some(Popup::Help(vec![])),
            vec![ctrl_c],
            vec![],
            |m| m.quit,
        ),
        row(
            "? opens the help of the screen, without the keys the viewer may not use",
            Observer,
            draws_screen,
            typed("?"),
            vec![],
            |m| {
                let observer = [Role::Observer].into();
                let want = strings::help(ScreenId::Draws.index(), |a| allowed(&observer, a));
                matches!(&m.popup, Some(Popup::Help(h))
                    if *h == want && !h.iter().any(|(k, _)| *k == "p" || *k == "r"))
            },
        ),
        row(
            "a number switches the screen, reloads and clears the status",
            Observer,
            |m| m.status = Some(("已保存".into(), false)),
            typed("3"),
            vec![Effect::Reload],
            |m| m.screen == ScreenId::Draws && m.status.is_none(),
        ),
        row(
            "2 loads the entities the first time",
            Observer,
            nothing,
            typed("2"),
            vec![Effect::LoadEntities],
            |m| m.screen == ScreenId::Entities,
        ),
        row(
            "2 reloads once they are loaded",
            Observer,
            |m| m.entities.loaded = true,
            typed("2"),
            vec![Effect::Reload],
            |m| m.screen == ScreenId::Entities,
        ),
        row(
            "7 is no screen",
            Observer,
            nothing,
            typed("7"),
            vec![],
            |m| m.screen == ScreenId::Overview,
        ),
        row(
            "g then a letter picks a screen",
            Observer,
            nothing,
            typed("ga"),
            vec![Effect::Reload],
            |m| m.screen == ScreenId::Approvals && !m.go_prefix,
        ),
        row(
            "g then l is the audit log",
            Observer,
            nothing,
            typed("gl"),
            vec![Effect::Reload],
            |m| m.screen == ScreenId::Audit,
        ),
        row(
            "g then a letter of no screen goes nowhere, and takes the letter",
            Observer,
            nothing,
            typed("gq"),
            vec![],
            |m| m.screen == ScreenId::Overview && !m.go_prefix && !m.quit,
        ),
        row(
            "V on the audit log verifies the chain",
            Observer,
            |m| m.screen = ScreenId::Audit,
            typed("V"),
            vec![Effect::VerifyAudit],
            |m| m.audit.selected == 0,
        ),
        row(
            "no overview loaded yet: Enter does nothing",
            Member,
            nothing,
            vec![press(Enter)],
            vec![],
            |m| m.screen == ScreenId::Overview,
        ),
        row(
            "the overview: Enter opens the most urgent visit, over the overview",
            Member,
            overview,
            vec![press(Enter)],
            vec![Effect::OpenForm(7)],
            |m| m.screen == ScreenId::Overview,
        ),
        row(
            "the overview: j then Enter opens the next",
            Member,
            overview,
            vec![press(Char('j')), press(Enter)],
            vec![Effect::OpenForm(8)],
            |m| m.overview_selected == 1,
        ),
        row(
            "a form opened from the overview: Esc goes back to the overview",
            Member,
            |m| {
                overview(m);
                form(m);
                m.screen = ScreenId::Overview;
            },
            vec![press(Esc)],
            vec![Effect::Reload],
            |m| m.form.is_none() && m.screen == ScreenId::Overview && !m.quit,
        ),
        row(
            "a form: q goes back too, and does not quit",
            Member,
            form,
            typed("q"),
            vec![Effect::Reload],
            |m| m.form.is_none() && m.screen == ScreenId::Visits && !m.quit,
        ),
        row(
            "a form: q in a text field is a character",
            Member,
            |m| {
                form(m);
                m.form.as_mut().unwrap().focus = FormFocus::Findings;
            },
            typed("q"),
            vec![Effect::SaveDraft],
            |m| m.form.as_ref().is_some_and(|f| f.result.findings == "q") && !m.quit,
        ),
        row(
            "a draw's record: q closes it and does not quit",
            Lead,
            |m| {
                draws_screen(m);
                m.draws.detail = Some(("2026Q1-01".into(), record::text_lines("# 记录")));
            },
            typed("q"),
            vec![],
            |m| m.draws.detail.is_none() && !m.quit,
        ),
        row(
            "an entity's detail: q closes it and does not quit",
            Observer,
            |m| {
                entities_screen(m);
                m.entities.detail = true;
            },
            typed("q"),
            vec![],
            |m| !m.entities.detail && !m.quit,
        ),
        row(
            "the overview: Tab moves to my visits, from their top",
            Member,
            |m| {
                overview(m);
                m.overview_selected = 1;
            },
            vec![press(Tab)],
            vec![],
            |m| m.overview_pane == OverviewPane::Mine && m.overview_selected == 0,
        ),
        row(
            "the overview: in my visits, j stays on the only one and Enter opens it",
            Member,
            overview,
            vec![press(Tab), press(Char('j')), press(Enter)],
            vec![Effect::OpenForm(9)],
            |m| m.overview_selected == 0,
        ),
    ]);
}

#[test]
fn draws_keys_by_role() {
    use KeyCode::*;
    use Who::*;
    let q2 = || "2026Q2-01".to_string();
    check(vec![
        row(
            "j moves down",
            Observer,
            draws_screen,
            typed("j"),
            vec![],
            |m| m.draws.selected == 1,
        ),
        row(
            "j stops at the last row",
            Observer,
            draws_screen,
            typed("jjj"),
            vec![],
            |m| m.draws.selected == 1,
        ),
        row(
            "k stops at the top",
            Observer,
            draws_screen,
            typed("k"),
            vec![],
            |m| m.draws.selected == 0,
        ),
        row(
            "End then Home",
            Observer,
            draws_screen,
            vec![press(End), press(Home)],
            vec![],
            |m| m.draws.selected == 0,
        ),
        row(
            "Enter opens the selected draw",
            Observer,
            draws_screen,
            vec![press(Char('j')), press(Enter)],
            vec![Effect::OpenDraw("2026Q1-01".into())],
            |m| m.popup.is_none(),
        ),
        row(
            "V verifies the selected draw",
            Observer,
            draws_screen,
            typed("V"),
            vec![Effect::VerifyDraw(q2())],
            |m| m.popup.is_none(),
        ),
        row(
            "w writes its record",
            Observer,
            draws_screen,
            typed("w"),
            vec![Effect::WriteRecord(q2())],
            |m| m.popup.is_none(),
        ),
        row(
            "r: the lead is asked for the seeds and witnesses",
            Lead,
            draws_screen,
            typed("r"),
            vec![],
            |m| {
                input_is(m, &InputPurpose::RunDraw("2026Q2-01".into()))
                    && matches!(&m.popup, Some(Popup::Input { fields, focus: 0, .. }) if fields.len() == 3)
            },
        ),
        row(
            "r: an observer is not",
            Observer,
            draws_screen,
            typed("r"),
            vec![],
            |m| m.popup.is_none(),
        ),
        row(
            "x: the lead asks for a reason to void",
            Lead,
            draws_screen,
            typed("x"),
            vec![],
            |m| input_is(m, &InputPurpose::VoidDraw("2026Q2-01".into())),
        ),
        row(
            "x: a principal does not ask",
            Principal,
            draws_screen,
            typed("x"),
            vec![],
            |m| m.popup.is_none(),
        ),
        row(
            "a: the principal approves a void, once confirmed",
            Principal,
            draws_screen,
            typed("a"),
            vec![],
            |m| confirms(m, &Effect::ApproveVoid("2026Q2-01".into())),
        ),
        row(
            "a: the lead does not",
            Lead,
            draws_screen,
            typed("a"),
            vec![],
            |m| m.popup.is_none(),
        ),
        row(
            "p: the lead prepares, this quarter filled in",
            Lead,
            draws_screen,
            typed("p"),
            vec![],
            |m| {
                input_is(m, &InputPurpose::PrepareDraw)
                    && matches!(&m.popup, Some(Popup::Input { fields, .. }) if text_of(&fields[0]) == "2026Q2")
            },
        ),
        row(
            "p: an inspector does not",
            Member,
            draws_screen,
            typed("p"),
            vec![],
            |m| m.popup.is_none(),
        ),
        row(
            "an empty list: Enter, v and r do nothing",
            Lead,
            |m| m.screen = ScreenId::Draws,
            vec![press(Enter), press(Char('v')), press(Char('r'))],
            vec![],
            |m| m.popup.is_none(),
        ),
        row(
            "in an open record, j scrolls it and the selection stays",
            Observer,
            |m| {
                draws_screen(m);
                m.draws.detail = Some(("2026Q2-01".into(), record::text_lines(&"\n".repeat(30))));
            },
            typed("jj"),
            vec![],
            |m| m.draws.scroll == 2 && m.draws.selected == 0,
        ),
        row(
            "Esc closes the record and forgets the scroll",
            Observer,
            |m| {
                draws_screen(m);
                m.draws.detail = Some(("2026Q2-01".into(), record::text_lines(&"\n".repeat(30))));
                m.draws.scroll = 3;
            },
            vec![press(Esc)],
            vec![],
            |m| m.draws.detail.is_none() && m.draws.scroll == 0,
        ),
    ]);
}

#[test]
fn dialogs_give_back_what_was_typed() {
    use KeyCode::*;
    use Who::*;
    fn confirm_start(m: &mut Model) {
        m.popup = Some(Popup::Confirm {
            text: "开始检查 #7 对象7？".into(),
            effect: Effect::StartVisit {
                id: 7,
                day: demo_day(),
                reason: None,
            },
        });
    }
    check(vec![
        row(
            "a confirmation: Enter runs the effect",
            Member,
            confirm_start,
            vec![press(Enter)],
            vec![Effect::StartVisit {
                id: 7,
                day: demo_day(),
                reason: None,
            }],
            |m| m.popup.is_none(),
        ),
        row(
            "a confirmation: y runs it too",
            Member,
            confirm_start,
            typed("y"),
            vec![Effect::StartVisit {
                id: 7,
                day: demo_day(),
                reason: None,
            }],
            |m| m.popup.is_none(),
        ),
        row(
            "a confirmation: n drops it",
            Member,
            confirm_start,
            typed("n"),
            vec![],
            |m| m.popup.is_none(),
        ),
        row(
            "a confirmation: Esc drops it",
            Member,
            confirm_start,
            vec![press(Esc)],
            vec![],
            |m| m.popup.is_none(),
        ),
        row(
            "a confirmation: another key waits, and reaches nothing behind it",
            Member,
            |m| {
                visits_screen(m);
                confirm_start(m);
            },
            typed("jm"),
            vec![],
            |m| {
                confirms(
                    m,
                    &Effect::StartVisit {
                        id: 7,
                        day: demo_day(),
                        reason: None,
                    },
                ) && m.visits.selected == 0
                    && !m.visits.mine
            },
        ),
        row(
            "the help: q closes it without quitting",
            Member,
            |m| m.popup = Some(Popup::Help(vec![])),
            typed("q"),
            vec![],
            |m| m.popup.is_none() && !m.quit,
        ),
        row(
            "the help: another key closes it and is not lost (no popup swallows keys)",
            Member,
            |m| {
                visits_screen(m);
                m.popup = Some(Popup::Help(vec![]));
            },
            typed("j"),
            vec![],
            |m| m.popup.is_none() && m.visits.selected == 1,
        ),
        row(
            "a message: another key closes it and acts",
            Member,
            |m| {
                m.popup = Some(Popup::Message {
                    title: strings::DONE.into(),
                    lines: vec![],
                    error: false,
                })
            },
            typed("3"),
            vec![Effect::Reload],
            |m| m.popup.is_none() && m.screen == ScreenId::Draws,
        ),
        row(
            "the seeds: an empty seed is left out, witnesses are split on 、 and ，",
            Lead,
            draws_screen,
            [
                typed("r11111111111111111111"),
                vec![press(Tab), press(Tab)],
                typed("张三、李四，王五"),
                vec![press(Enter)],
                typed("2026Q2-01"),
                vec![press(Enter)],
            ]
            .concat(),
            vec![Effect::RunDraw {
                id: "2026Q2-01".into(),
                seeds: vec!["11111111111111111111".into()],
                witnesses: vec!["张三".into(), "李四".into(), "王五".into()],
            }],
            // The seeds dialog waits aside, to be given back if the run fails.
            |m| m.popup.is_none() && seeds_kept(m.asked.as_ref(), "11111111111111111111"),
        ),
        row(
            "the run: Enter on the seeds asks for the draw's id, naming it",
            Lead,
            draws_screen,
            [typed("r123"), vec![press(Enter)]].concat(),
            vec![],
            |m| {
                matches!(&m.popup, Some(Popup::Input { title, purpose: InputPurpose::ConfirmRun(id), .. })
                    if id == "2026Q2-01" && title.contains("2026Q2-01"))
            },
        ),
        row(
            "the run: another id typed runs nothing, says so, and keeps the dialog",
            Lead,
            draws_screen,
            [
                typed("r123"),
                vec![press(Enter)],
                typed("2026Q1-01"),
                vec![press(Enter)],
            ]
            .concat(),
            vec![],
            |m| {
                matches!(&m.popup, Some(Popup::Input { purpose: InputPurpose::ConfirmRun(_), error: Some(e), fields, .. })
                    if e.contains("2026Q2-01") && text_of(&fields[0]) == "2026Q1-01")
            },
        ),
        row(
            "the run: Esc on the last confirmation goes back to the seeds as typed",
            Lead,
            draws_screen,
            [typed("r123"), vec![press(Enter), press(Esc)]].concat(),
            vec![],
            |m| seeds_kept(m.popup.as_ref(), "123"),
        ),
        row(
            "the seeds: BackTab from the first field goes to the last",
            Lead,
            draws_screen,
            vec![press(Char('r')), press(BackTab)],
            vec![],
            |m| matches!(m.popup, Some(Popup::Input { focus: 2, .. })),
        ),
        row(
            "the seeds: Esc with something typed asks before throwing it away",
            Lead,
            draws_screen,
            [typed("r123"), vec![press(Esc)]].concat(),
            vec![],
            |m| matches!(&m.popup, Some(Popup::Discard(d)) if seeds_kept(Some(d), "123")),
        ),
        row(
            "the seeds: Esc then n goes back to the dialog, input kept",
            Lead,
            draws_screen,
            [typed("r123"), vec![press(Esc)], typed("n")].concat(),
            vec![],
            |m| seeds_kept(m.popup.as_ref(), "123"),
        ),
        row(
            "the seeds: Esc then y throws it away",
            Lead,
            draws_screen,
            [typed("r123"), vec![press(Esc)], typed("y")].concat(),
            vec![],
            |m| m.popup.is_none() && m.asked.is_none(),
        ),
        row(
            "the seeds: Esc with nothing typed closes at once",
            Lead,
            draws_screen,
            vec![press(Char('r')), press(Esc)],
            vec![],
            |m| m.popup.is_none(),
        ),
        row(
            "prepare: the tasks may be separated by spaces",
            Lead,
            draws_screen,
            [
                vec![press(Char('p')), press(Tab)],
                typed("NB-1 NB-2"),
                vec![press(Enter)],
            ]
            .concat(),
            vec![Effect::PrepareDraw {
                period: "2026Q2".into(),
                tasks: vec!["NB-1".into(), "NB-2".into()],
            }],
            |m| m.popup.is_none(),
        ),
        row(
            "void: the reason is trimmed",
            Lead,
            draws_screen,
            [typed("x 种子录入有误 "), vec![press(Enter)]].concat(),
            vec![Effect::RequestVoid {
                id: "2026Q2-01".into(),
                reason: "种子录入有误".into(),
            }],
            |m| m.popup.is_none(),
        ),
        row(
            "reject a correction: the note typed goes with it",
            Principal,
            approvals_screen,
            [typed("r依据不足"), vec![press(Enter)]].concat(),
            vec![Effect::DecideCorrection {
                id: 21,
                approve: false,
                note: "依据不足".into(),
            }],
            |m| m.popup.is_none(),
        ),
    ]);
}

#[test]
fn visits_keys_by_team_and_state() {
    use KeyCode::*;
    use Who::*;
    let start_7 = |m: &Model| asks_day(m, 7, Step::Start);
    check(vec![
        row(
            "m shows only mine, and again everyone's",
            Observer,
            visits_screen,
            typed("mm"),
            vec![Effect::Reload, Effect::Reload],
            |m| !m.visits.mine,
        ),
        row(
            "m once: only mine",
            Member,
            visits_screen,
            typed("m"),
            vec![Effect::Reload],
            |m| m.visits.mine,
        ),
        row(
            "Enter opens the result form of the selected visit",
            Observer,
            visits_screen,
            vec![press(Enter)],
            vec![Effect::OpenForm(7)],
            |m| m.popup.is_none(),
        ),
        row(
            "s: the team starts its visit",
            Member,
            visits_screen,
            typed("s"),
            vec![],
            start_7,
        ),
        row(
            "s: a lead may start any",
            Lead,
            visits_screen,
            typed("s"),
            vec![],
            start_7,
        ),
        row(
            "s: an inspector of another team may not",
            Outsider,
            visits_screen,
            typed("s"),
            vec![],
            |m| m.popup.is_none(),
        ),
        row(
            "s: an observer may not",
            Observer,
            visits_screen,
            typed("s"),
            vec![],
            |m| m.popup.is_none(),
        ),
        row(
            "s: not a visit already started",
            Member,
            visits_screen,
            typed("js"),
            vec![],
            |m| m.popup.is_none() && m.visits.selected == 1,
        ),
        row(
            "c: the team completes its started visit",
            Member,
            visits_screen,
            typed("jc"),
            vec![],
            |m| asks_day(m, 8, Step::Complete),
        ),
        row(
            "c: not a visit not yet started",
            Member,
            visits_screen,
            typed("c"),
            vec![],
            |m| m.popup.is_none(),
        ),
        row(
            "u: the lead replaces an officer of a visit not started",
            Lead,
            visits_screen,
            typed("u"),
            vec![],
            |m| {
                input_is(
                    m,
                    &InputPurpose::Substitute {
                        draw: "2026Q2-01".into(),
                        entity: "E7".into(),
                    },
                )
            },
        ),
        row(
            "u: an officer of the team may not",
            Member,
            visits_screen,
            typed("u"),
            vec![],
            |m| m.popup.is_none(),
        ),
        row(
            "End goes to the last visit",
            Observer,
            visits_screen,
            vec![press(End)],
            vec![],
            |m| m.visits.selected == 2,
        ),
    ]);
}

#[test]
fn approvals_keys_are_the_principals() {
    use Who::*;
    check(vec![
        row(
            "a on a correction: approve it, once confirmed",
            Principal,
            approvals_screen,
            typed("a"),
            vec![],
            |m| {
                confirms(
                    m,
                    &Effect::DecideCorrection {
                        id: 21,
                        approve: true,
                        note: String::new(),
                    },
                )
            },
        ),
        row(
            "r on a correction: the reason is asked for",
            Principal,
            approvals_screen,
            typed("r"),
            vec![],
            |m| input_is(m, &InputPurpose::RejectCorrection(21)),
        ),
        row(
            "a on a void request below the corrections: approve the void",
            Principal,
            approvals_screen,
            typed("ja"),
            vec![],
            |m| confirms(m, &Effect::ApproveVoid("2026Q1-01".into())),
        ),
        row(
            "r on a void request: nothing (a void is approved or left)",
            Principal,
            approvals_screen,
            typed("jr"),
            vec![],
            |m| m.popup.is_none(),
        ),
        row(
            "a lead moves through the list but decides nothing",
            Lead,
            approvals_screen,
            typed("ja"),
            vec![],
            |m| m.popup.is_none() && m.approvals.selected == 1,
        ),
        row(
            "j stops at the last of both lists",
            Principal,
            approvals_screen,
            typed("jjj"),
            vec![],
            |m| m.approvals.selected == 1,
        ),
    ]);
}

#[test]
fn entities_search_and_filters() {
    use KeyCode::*;
    use Who::*;
    // The entity the cursor is on, with and without the search 有限.
    let first = |search: &str| {
        let mut m = model(Observer);
        entities_screen(&mut m);
        m.entities.search = search.into();
        shuangsuiji::tui::load::filter_entities(&mut m);
        m.entities.all[m.entities.shown[0]].id.clone()
    };
    let (first_limited, first_of_all) = (first("有限"), first(""));
    check(vec![
        row(
            "/ starts a search",
            Observer,
            entities_screen,
            typed("/"),
            vec![],
            |m| m.entities.searching,
        ),
        row(
            "the search narrows as it is typed, Enter keeps it",
            Observer,
            entities_screen,
            [typed("/有限"), vec![press(Enter)]].concat(),
            vec![],
            |m| {
                !m.entities.searching
                    && m.entities.search == "有限"
                    && shown(m).len() == count(m, |c| c.entity.name.contains("有限"))
                    && shown(m).len() < m.entities.all.len()
            },
        ),
        row(
            "Backspace takes back a character",
            Observer,
            entities_screen,
            [typed("/有限"), vec![press(Backspace)]].concat(),
            vec![],
            |m| m.entities.search == "有" && m.entities.searching,
        ),
        row(
            "Esc in the search clears it",
            Observer,
            entities_screen,
            [typed("/有限"), vec![press(Esc)]].concat(),
            vec![],
            |m| !m.entities.searching && m.entities.search.is_empty(),
        ),
        row(
            "in the search, letters are text, not keys",
            Observer,
            entities_screen,
            typed("/q2"),
            vec![],
            |m| !m.quit && m.screen == ScreenId::Entities && m.entities.search == "q2",
        ),
        row(
            "Tab: special supervision only",
            Observer,
            entities_screen,
            vec![press(Tab)],
            vec![],
            |m| {
                let special =
                    |c: &ClassifiedEntity| c.classification.class == SupervisionClass::Special;
                m.entities.tab == 1
                    && shown(m).iter().all(|c| special(c))
                    && shown(m).len() == count(m, special)
            },
        ),
        row(
            "BackTab from all: general supervision",
            Observer,
            entities_screen,
            vec![press(BackTab)],
            vec![],
            |m| {
                let general =
                    |c: &ClassifiedEntity| c.classification.class == SupervisionClass::General;
                m.entities.tab == 3 && shown(m).len() == count(m, general)
            },
        ),
        row(
            "t: the highest credit risk first",
            Observer,
            entities_screen,
            typed("t"),
            vec![],
            |m| {
                let high = |c: &ClassifiedEntity| c.entity.credit_tier == Some(CreditTier::High);
                m.entities.tier == Some(Some(CreditTier::High)) && shown(m).len() == count(m, high)
            },
        ),
        row(
            "z: the first town, in order",
            Observer,
            entities_screen,
            typed("z"),
            vec![],
            |m| {
                let first = m.entities.all.iter().map(|c| &c.entity.town).min().unwrap();
                m.entities.town.as_ref() == Some(first)
                    && shown(m).len() == count(m, |c| &c.entity.town == first)
            },
        ),
        row(
            "y: the first target type",
            Observer,
            entities_screen,
            typed("y"),
            vec![],
            |m| {
                let first = TargetType::ALL[0];
                m.entities.target == Some(first)
                    && shown(m).len() == count(m, |c| c.entity.target_types.contains(&first))
            },
        ),
        row(
            "Enter opens the detail, Esc closes it and keeps the search",
            Observer,
            |m| {
                entities_screen(m);
                m.entities.search = "有限".into();
            },
            vec![press(Enter), press(Esc)],
            vec![Effect::OpenEntity(first_limited)],
            |m| !m.entities.detail && m.entities.search == "有限",
        ),
        row(
            "Enter opens the detail and asks for the entity's history",
            Observer,
            entities_screen,
            vec![press(Enter)],
            vec![Effect::OpenEntity(first_of_all.clone())],
            |m| m.entities.detail,
        ),
        row(
            "a history already loaded is not asked for again",
            Observer,
            |m| {
                entities_screen(m);
                let id = m.entities.all[0].id.clone();
                m.entities.history = Some((id, vec![]));
            },
            vec![press(Enter)],
            vec![],
            |m| m.entities.detail,
        ),
        row(
            "moving with the detail open asks for the next entity's history",
            Observer,
            |m| {
                entities_screen(m);
                let id = m.entities.all[0].id.clone();
                m.entities.history = Some((id, vec![]));
                m.entities.detail = true;
            },
            vec![press(Down)],
            vec![Effect::OpenEntity(m1_id())],
            |m| m.entities.detail && m.entities.selected == 1,
        ),
        row(
            "Esc closes the detail and forgets the history",
            Observer,
            |m| {
                entities_screen(m);
                let id = m.entities.all[0].id.clone();
                m.entities.history = Some((id, vec![]));
                m.entities.detail = true;
            },
            vec![press(Esc)],
            vec![],
            |m| !m.entities.detail && m.entities.history.is_none(),
        ),
        row(
            "Esc without the detail clears the search",
            Observer,
            |m| {
                entities_screen(m);
                m.entities.search = "有限".into();
            },
            vec![press(Esc)],
            vec![],
            |m| m.entities.search.is_empty() && shown(m).len() == m.entities.all.len(),
        ),
        row(
            "PageDown moves ten rows",
            Observer,
            entities_screen,
            vec![press(PageDown)],
            vec![],
            |m| m.entities.selected == 10,
        ),
    ]);
}

#[test]
fn the_result_form_saves_every_change() {
    use KeyCode::*;
    use Who::*;
    check(vec![
        row(
            "Space changes the outcome of the item and saves the draft",
            Member,
            form,
            typed(" "),
            vec![Effect::SaveDraft],
            |m| {
                let all = Outcome::ALL;
                let next = all
                    [(all.iter().position(|o| *o == Outcome::Compliant).unwrap() + 1) % all.len()];
                outcome(m) == next
            },
        ),
        row(
            "a read-only form changes nothing",
            Member,
            |m| {
                form(m);
                m.form.as_mut().unwrap().read_only = true;
            },
            typed(" "),
            vec![],
            |m| outcome(m) == Outcome::Compliant,
        ),
        row(
            "Tab moves to the next part, BackTab from the first to Submit",
            Member,
            form,
            vec![press(BackTab)],
            vec![],
            |m| m.form.as_ref().unwrap().focus == FormFocus::Submit,
        ),
        row(
            "Tab then typing fills the findings",
            Member,
            form,
            [vec![press(Tab), press(Tab)], typed("未见")].concat(),
            vec![Effect::SaveDraft, Effect::SaveDraft],
            |m| m.form.as_ref().unwrap().result.findings == "未见",
        ),
        row(
            "? in a text field is text",
            Member,
            form,
            [vec![press(Tab), press(Tab)], typed("?")].concat(),
            vec![Effect::SaveDraft],
            |m| m.popup.is_none() && m.form.as_ref().unwrap().result.findings == "?",
        ),
        row(
            "? on the items is the form's help",
            Member,
            form,
            typed("?"),
            vec![],
            |m| {
                matches!(&m.popup, Some(Popup::Help(h))
                    if h.contains(&strings::FORM_HELP_CORRECT)
                        && h.contains(&strings::FORM_HELP_BACK))
            },
        ),
        row(
            "Enter on Submit asks to confirm",
            Member,
            form,
            vec![press(BackTab), press(Enter)],
            vec![],
            |m| confirms(m, &Effect::SubmitResult),
        ),
        row(
            "Esc leaves the form (the draft is saved) and reloads",
            Member,
            form,
            vec![press(Esc)],
            vec![Effect::Reload],
            |m| m.form.is_none(),
        ),
    ]);
}

#[test]
fn keys_typed_at_a_too_small_terminal_do_nothing_but_q() {
    // At 60x20, `4 j j s Enter` once started a visit nobody could see.
    let mut m = model(Who::Member);
    visits_screen(&mut m);
    m.size = Some((60, 20));
    let mut keys = typed("4jjs");
    keys.push(press(KeyCode::Enter));
    let effects: Vec<Effect> = keys.iter().flat_map(|k| key(&mut m, *k)).collect();
    assert_eq!(effects, vec![]);
    assert!(
        m.popup.is_none() && m.visits.selected == 0 && !m.quit,
        "{}",
        state(&m)
    );
    key(&mut m, press(KeyCode::Char('q')));
    assert!(m.quit, "q leaves even when the terminal is too small");
    // The same keys at 80x24 do act: `s` asks to start the selected visit.
    let mut m = model(Who::Member);
    visits_screen(&mut m);
    m.size = Some((80, 24));
    for k in typed("s") {
        key(&mut m, k);
    }
    assert!(m.popup.is_some(), "{}", state(&m));
}

/// Visit 7 with a window (LH-1, 3月–10月 of the model's year) that today (`m.today`) misses.
fn outside_today(m: &mut Model) {
    use chrono::Datelike;
    visits_screen(m);
    let year = m.today.year();
    let month = m.today.month();
    // A window of the months before this one, or after it in January.
    let (start, end) = if month > 1 { (1, month - 1) } else { (2, 12) };
    m.visits.list[0].windows = vec![shuangsuiji::domain::window::TaskWindow {
        task: "LH-1".into(),
        year,
        windows: vec![shuangsuiji::domain::plan::Window {
            start_month: start,
            end_month: end,
        }],
    }];
}

#[test]
fn steps_outside_the_windows_ask_a_reason_and_leads_mark_lapses() {
    use KeyCode::*;
    use Who::*;
    check(vec![
        row(
            "start inside the windows: the day's dialog, today in it",
            Member,
            visits_screen,
            typed("s"),
            vec![],
            |m| asks_day(m, 7, Step::Start),
        ),
        row(
            "Enter starts it today; the dialog waits to be given back if the service refuses",
            Member,
            visits_screen,
            [typed("s"), vec![press(Enter)]].concat(),
            vec![Effect::StartVisit {
                id: 7,
                day: demo_day(),
                reason: None,
            }],
            |m| m.popup.is_none() && m.asked.is_some(),
        ),
        row(
            "an earlier day typed: the visit starts that day",
            Member,
            visits_screen,
            [typed("s"), day_typed("2026-05-15"), vec![press(Enter)]].concat(),
            vec![Effect::StartVisit {
                id: 7,
                day: shuangsuiji::domain::parse_date("2026-05-15").unwrap(),
                reason: None,
            }],
            |m| m.popup.is_none(),
        ),
        row(
            "a day after today: refused, the field named, the day kept",
            Member,
            visits_screen,
            [typed("s"), day_typed("2026-05-21"), vec![press(Enter)]].concat(),
            vec![],
            |m| day_refused(m, "2026-05-21", "不能晚于今天"),
        ),
        row(
            "a day before the draw ran: refused",
            Member,
            visits_screen,
            [typed("s"), day_typed("2026-05-01"), vec![press(Enter)]].concat(),
            vec![],
            |m| day_refused(m, "2026-05-01", "不能早于抽取日期"),
        ),
        row(
            "a day that is no date: refused",
            Member,
            visits_screen,
            [typed("s"), day_typed("明天"), vec![press(Enter)]].concat(),
            vec![],
            |m| day_refused(m, "明天", "无法识别"),
        ),
        row(
            "complete: Enter completes the started visit today",
            Member,
            visits_screen,
            [typed("jc"), vec![press(Enter)]].concat(),
            vec![Effect::CompleteVisit {
                id: 8,
                day: demo_day(),
                reason: None,
            }],
            |m| m.popup.is_none(),
        ),
        row(
            "start outside the windows: the reason is asked after the day",
            Member,
            outside_today,
            [typed("s"), vec![press(Enter)]].concat(),
            vec![],
            |m| {
                input_is(
                    m,
                    &InputPurpose::StepOutside {
                        id: 7,
                        step: Step::Start,
                        day: demo_day(),
                    },
                )
            },
        ),
        row(
            "the reason goes with the start, on the day typed",
            Member,
            outside_today,
            [
                typed("s"),
                vec![press(Enter)],
                typed("复产后补查"),
                vec![press(Enter)],
            ]
            .concat(),
            vec![Effect::StartVisit {
                id: 7,
                day: demo_day(),
                reason: Some("复产后补查".into()),
            }],
            |m| m.popup.is_none(),
        ),
        row(
            "Esc on the reason goes back to the day",
            Member,
            outside_today,
            [typed("s"), vec![press(Enter), press(Esc)]].concat(),
            vec![],
            |m| asks_day(m, 7, Step::Start),
        ),
        row(
            "a lead marks 未实施 with a reason",
            Lead,
            visits_screen,
            [typed("x企业搬迁"), vec![press(Enter)]].concat(),
            vec![Effect::LapseVisit {
                id: 7,
                reason: "企业搬迁".into(),
            }],
            |m| m.popup.is_none(),
        ),
        row(
            "an inspector has no 未实施 key",
            Member,
            visits_screen,
            typed("x"),
            vec![],
            |m| m.popup.is_none(),
        ),
    ]);
}

/// The status line says `want`, as an error.
fn says(m: &Model, want: &str) -> bool {
    matches!(&m.status, Some((text, true)) if text == want)
}

#[test]
fn forbidden_keys_say_why_in_one_line_from_the_role_table() {
    use Who::*;
    check(vec![
        row(
            "an observer presses p on the draws: told, nothing opens",
            Observer,
            draws_screen,
            typed("p"),
            vec![],
            |m| m.popup.is_none() && says(m, "监督员不能准备抽取"),
        ),
        row(
            "an inspector presses r on the draws",
            Member,
            draws_screen,
            typed("r"),
            vec![],
            |m| m.popup.is_none() && says(m, "执法人员不能运行抽取和替换检查人员"),
        ),
        row(
            "an inspector presses a on the approvals",
            Member,
            approvals_screen,
            typed("a"),
            vec![],
            |m| m.popup.is_none() && says(m, "执法人员不能审批检查结果更正"),
        ),
        row(
            "an officer of another team presses s",
            Outsider,
            visits_screen,
            typed("s"),
            vec![],
            |m| {
                m.popup.is_none()
                    && says(
                        m,
                        "你不在检查任务 #7 的检查组，不能记录检查进度和录入检查结果",
                    )
            },
        ),
        row(
            "s on a visit already started says its state",
            Member,
            visits_screen,
            typed("js"),
            vec![],
            // (The state's word comes from the visit's dates, which this fixture leaves empty.)
            |m| {
                m.popup.is_none()
                    && matches!(&m.status, Some((t, true))
                        if t.starts_with("检查任务 #8 现为") && t.ends_with("不能开始检查"))
            },
        ),
        row(
            "a principal may not approve their own request",
            Principal,
            |m| {
                approvals_screen(m);
                m.approvals.corrections[0].filed_by = m.viewer.login.clone();
            },
            typed("a"),
            vec![],
            |m| m.popup.is_none() && says(m, strings::REFUSED_OWN_REQUEST),
        ),
        row(
            "a key the role allows opens as before, with nothing said",
            Member,
            visits_screen,
            typed("s"),
            vec![],
            |m| m.popup.is_some() && m.status.is_none(),
        ),
    ]);
}

#[test]
fn help_and_key_bar_come_from_one_table_filtered_by_the_role() {
    use shuangsuiji::tui::keymap;
    for screen in ScreenId::ALL {
        for role in [Role::Observer, Role::Inspector, Role::Lead, Role::Principal] {
            let roles = [role].into();
            let may = |a| allowed(&roles, a);
            let help = keymap::help(screen, may);
            let bar = keymap::bar(screen, may, 200);
            for k in keymap::keys(screen) {
                let ok = k.action.is_none_or(may);
                assert_eq!(
                    help.iter()
                        .any(|(key, what)| *key == k.keys && *what == k.what),
                    ok,
                    "{role:?} {screen:?} help {}",
                    k.keys
                );
                if let Some(name) = k.bar {
                    assert_eq!(bar.contains(name), ok, "{role:?} {screen:?} bar {name}");
                }
            }
        }
    }
}

/// Every message a screen's key table names is acted on: fed to `update` on that screen (with
/// the state it needs: an open record or detail for Back), it asks an effect, changes what is
/// shown, or refuses with a reason on the status line, for every role.
#[test]
fn every_message_of_a_screen_table_is_handled() {
    use shuangsuiji::tui::keymap;
    use shuangsuiji::tui::msg::Msg;
    use shuangsuiji::tui::update::update;
    type Given = fn(&mut Model);
    let screens: [(ScreenId, Given); 6] = [
        (ScreenId::Overview, overview),
        (ScreenId::Entities, entities_screen),
        (ScreenId::Draws, draws_screen),
        (ScreenId::Visits, visits_screen),
        (ScreenId::Approvals, approvals_screen),
        (ScreenId::Audit, audit_screen),
    ];
    let seen = |m: &Model| {
        format!(
            "{} {} {} {:?} {:?} {:?} {:?} {:?}",
            state(m),
            m.visits.searching,
            m.audit.searching,
            m.visits.search,
            m.audit.search,
            m.entities.tier,
            m.entities.town,
            m.entities.target,
        )
    };
    for (screen, given) in screens {
        for who in [Who::Lead, Who::Principal, Who::Observer, Who::Member] {
            for k in keymap::keys(screen) {
                let Some(msg) = k.msg else { continue };
                let mut m = model(who);
                given(&mut m);
                m.screen = screen;
                if msg == Msg::Back || msg == Msg::Targeted {
                    m.draws.detail = Some(("2026Q1-01".into(), vec![]));
                    m.entities.detail = true;
                    m.visits.search = "对象".into();
                    m.audit.search = "x".into();
                }
                let before = seen(&m);
                let effects = update(&mut m, msg);
                assert!(
                    !effects.is_empty() || seen(&m) != before || m.status.is_some(),
                    "{who:?} {screen:?} {} ({msg:?}) did nothing and said nothing",
                    k.keys
                );
            }
        }
    }
}

#[test]
fn a_refusal_is_shown_whole_on_an_80_column_status_bar() {
    // It was cut at half the width ("你不在检查任务 #7 的检查组，不能记录检..").
    let mut m = model(Who::Outsider);
    visits_screen(&mut m);
    m.size = Some((80, 24));
    key(&mut m, press(KeyCode::Char('s')));
    let (said, error) = m.status.clone().expect("the key says why");
    assert!(error && said.contains("#7"), "{said}");
    let drawn = crate::support::drawn(&m, 80, 24);
    let last = drawn.lines().nth(23).unwrap();
    assert!(last.contains(&said), "{last}");
    assert!(last.contains("[示例数据]"), "{last}");
}
