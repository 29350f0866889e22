//! The dashboard's state: plain data the views read and `update` changes. No I/O here.

use chrono::NaiveDate;
use ratatui_textarea::TextArea;

use crate::domain::audit::AuditEvent;
use crate::domain::draw::Draw;
use crate::domain::result::InspectionResult;
use crate::domain::result_records::Correction;
use crate::domain::role::{self, Action, Subject};
use crate::domain::user::User;
use crate::domain::visit::Step;
use crate::domain::vocab::{CreditTier, TargetType};
use crate::services::dashboard::{KeyCoverage, Overview};
use crate::services::registry::ClassifiedEntity;
use crate::services::targeted::TargetedEntry;
use crate::services::visits::VisitView;

use super::theme::Theme;

/// The smallest terminal the dashboard draws in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// The screens, in the order of their number keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenId {
    Overview,
    Entities,
    Draws,
    Visits,
    Approvals,
    Audit,
}

impl ScreenId {
    pub const ALL: [ScreenId; 6] = [
        ScreenId::Overview,
        ScreenId::Entities,
        ScreenId::Draws,
        ScreenId::Visits,
        ScreenId::Approvals,
        ScreenId::Audit,
    ];

    pub fn index(self) -> usize {
        ScreenId::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// Who is using the dashboard. What they may do is asked of the role table
/// ([`Model::may`]); the services check again.
pub type Viewer = User;

/// Which overview list has the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverviewPane {
    #[default]
    Deadlines,
    Mine,
}

impl OverviewPane {
    pub fn other(self) -> Self {
        match self {
            OverviewPane::Deadlines => OverviewPane::Mine,
            OverviewPane::Mine => OverviewPane::Deadlines,
        }
    }

    /// The visits of this list.
    pub fn list(self, o: &Overview) -> &[VisitView] {
        match self {
            OverviewPane::Deadlines => &o.deadlines,
            OverviewPane::Mine => &o.mine,
        }
    }
}

#[derive(Debug, Default)]
pub struct EntitiesState {
    pub all: Vec<ClassifiedEntity>,
    /// Indices into `all` that pass the filters.
    pub shown: Vec<usize>,
    pub tab: usize,
    pub tier: Option<Option<CreditTier>>,
    /// The town filter: `None` for every town.
    pub town: Option<String>,
    /// The target-type filter: `None` for every type.
    pub target: Option<TargetType>,
    pub search: String,
    pub searching: bool,
    pub selected: usize,
    pub detail: bool,
    /// The opened entity's id and its visits across years (services::browse::EntityVisit),
    /// loaded when the detail opens.
    pub history: Option<(String, Vec<crate::services::browse::EntityVisit>)>,
    pub loaded: bool,
}

#[derive(Debug, Default)]
pub struct DrawsState {
    pub list: Vec<Draw>,
    pub selected: usize,
    /// The opened draw's record: its text and the rows of its tables.
    pub detail: Option<(String, Vec<super::record::RecordLine>)>,
    /// The line of the record under the cursor (the record scrolls a page at a time).
    pub scroll: usize,
}

#[derive(Debug, Default)]
pub struct VisitsState {
    /// Every visit loaded; `list` holds those the search lets through.
    pub all: Vec<VisitView>,
    /// The visits shown (all of them when nothing is searched for).
    pub list: Vec<VisitView>,
    /// `/`: words that must all appear in a visit (its id, entity, tasks, draw, period,
    /// state, town, or a team member's code or name).
    pub search: String,
    pub searching: bool,
    pub selected: usize,
    pub mine: bool,
    /// Visits whose entered result its team marked for the next publicity export (谁公示).
    pub marked: std::collections::HashSet<i64>,
}

/// Which part of the result form has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormFocus {
    Items,
    Categories,
    Findings,
    LegalBasis,
    Measure,
    Other,
    Remark,
    Submit,
}

impl FormFocus {
    pub const ORDER: [FormFocus; 8] = [
        FormFocus::Items,
        FormFocus::Categories,
        FormFocus::Findings,
        FormFocus::LegalBasis,
        FormFocus::Measure,
        FormFocus::Other,
        FormFocus::Remark,
        FormFocus::Submit,
    ];
}

/// What a result form is for.
#[derive(Debug, Clone)]
pub enum FormSubject {
    /// A drawn visit's result: its draft is saved on every change.
    Visit(Box<VisitView>),
    /// A targeted check being recorded (个案检查, a lead): its reason, team and dates from the
    /// dialog, and the entity's name. Nothing is stored until it is submitted.
    Targeted {
        entry: TargetedEntry,
        entity_name: String,
    },
}

/// 结果录入: the form of one visit's result, or of a targeted check's.
pub struct ResultForm {
    pub subject: FormSubject,
    /// (code, text) of the check items.
    pub items: Vec<(String, String)>,
    pub result: InspectionResult,
    pub focus: FormFocus,
    pub item_cursor: usize,
    pub category_cursor: usize,
    pub findings: TextArea<'static>,
    pub legal_basis: TextArea<'static>,
    pub measure: TextArea<'static>,
    pub other: TextArea<'static>,
    pub remark: TextArea<'static>,
    /// Submitted already: the form only shows.
    pub read_only: bool,
    /// Which of the three reasons makes it read only (已提交 / 不在本检查组 / 尚未完成).
    pub read_only_why: Option<ReadOnly>,
    /// No result and no draft, and the form only shows: nothing is shown ticked.
    pub empty: bool,
    pub problems: Vec<String>,
    /// The corrections filed for this result, oldest first (their decisions and notes).
    pub corrections: Vec<Correction>,
    /// The result is submitted, the viewer is on its team and no correction waits: `e`
    /// turns the form into a correction.
    pub may_correct: bool,
    /// The form is a correction being written: nothing is saved until it is filed, with a
    /// reason.
    pub correcting: bool,
    /// The teammates who have their own draft of this result, and when each saved it (names,
    /// not contents).
    pub teammate_drafts: Vec<crate::services::results::TeammateDraft>,
    /// The viewer's own text, kept when the result was submitted by someone else (their
    /// draft, with what they typed last): `d` starts a correction from it.
    pub own_draft: Option<InspectionResult>,
}

/// Why a result form only shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOnly {
    Submitted,
    NotOnTeam,
    NotCompleted,
}

impl ResultForm {
    /// The visit whose result this is, unless it is a targeted check's.
    pub fn visit(&self) -> Option<&VisitView> {
        match &self.subject {
            FormSubject::Visit(v) => Some(v),
            FormSubject::Targeted { .. } => None,
        }
    }
}

#[derive(Debug, Default)]
pub struct ApprovalsState {
    pub corrections: Vec<Correction>,
    /// The submitted result each correction would replace, by visit id.
    pub originals: std::collections::HashMap<i64, InspectionResult>,
    /// The check items (code, text) of each correction's visit, by visit id.
    pub items: std::collections::HashMap<i64, Vec<(String, String)>>,
    pub voids: Vec<Draw>,
    /// Requests for a further substitution of a seat, waiting for the principal.
    pub substitutions: Vec<crate::services::draws::SubstitutionRequest>,
    pub selected: usize,
}

#[derive(Debug, Default)]
pub struct AuditState {
    /// Every event loaded; `events` holds those the search lets through.
    pub all: Vec<AuditEvent>,
    pub events: Vec<AuditEvent>,
    /// `/`: words that must all appear in an event (its action, in Chinese or as written,
    /// its actor, its subject, its number).
    pub search: String,
    pub searching: bool,
    pub selected: usize,
    pub checkpoint: String,
    pub verified: Option<Result<String, String>>,
}

/// Something the user asked for that needs a service (and so the database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Reload,
    PrepareDraw {
        period: String,
        tasks: Vec<String>,
    },
    /// Write the printable record of a run draw to a Markdown file.
    WriteRecord(String),
    /// The same, replacing the file already there (confirmed by the user).
    OverwriteRecord(String),
    RunDraw {
        id: String,
        seeds: Vec<String>,
        witnesses: Vec<String>,
    },
    VerifyDraw(String),
    RequestVoid {
        id: String,
        reason: String,
    },
    ApproveVoid(String),
    /// Ask the principal for a further substitution of a seat already substituted once.
    RequestSubstitution {
        draw: String,
        entity: String,
        out: String,
        reason: String,
    },
    ApproveSubstitution(i64),
    OpenDraw(String),
    /// Replace one officer of a visit's team by the next eligible in the draw's ranking.
    Substitute {
        draw: String,
        entity: String,
        out: String,
        reason: String,
    },
    /// Start or complete a visit on a day (today unless another was typed); the reason when
    /// the day lies outside its windows.
    StartVisit {
        id: i64,
        day: NaiveDate,
        reason: Option<String>,
    },
    CompleteVisit {
        id: i64,
        day: NaiveDate,
        reason: Option<String>,
    },
    /// Mark a visit's entered result for the next publicity export (谁公示).
    PublishVisit(i64),
    /// Mark an earlier quarter's unstarted visit 未实施, with the reason.
    LapseVisit {
        id: i64,
        reason: String,
    },
    /// Write this year's plan-change notice (书面报送) to the export folder.
    WritePlanNotice,
    /// Record that a plan-change notice was sent, on a day (as typed).
    MarkNoticeSent {
        id: String,
        on: String,
    },
    OpenForm(i64),
    SaveDraft,
    SubmitResult,
    /// File the open form as a correction of its visit's submitted result, with the reason.
    FileCorrection {
        visit: i64,
        reason: String,
    },
    DecideCorrection {
        id: i64,
        approve: bool,
        note: String,
    },
    VerifyAudit,
    LoadEntities,
    /// Load the history of the entity whose detail is open.
    OpenEntity(String),
    /// Check what the targeted-check dialog says of `entity` (as typed) and open the result
    /// form for it.
    OpenTargeted {
        entity: String,
        reason: String,
        detail: String,
        team: Vec<String>,
        started: String,
        completed: String,
        items: Vec<String>,
    },
}

/// Long work running on the worker thread (a draw prepared or run, a record written): the
/// progress line shows it, and a second one is refused until it is done.
#[derive(Debug)]
pub struct Busy {
    /// The long effect, until the event loop hands it to the worker thread.
    pub effect: Option<Effect>,
    /// What is being done ("准备抽取 2026Q3").
    pub what: String,
    /// Whole seconds since it started, as the progress line shows them.
    pub secs: u64,
}

impl Effect {
    /// Whether this effect may take seconds on a big county and so runs on the worker
    /// thread: preparing or running a draw, writing its record.
    pub fn is_long(&self) -> bool {
        matches!(
            self,
            Effect::PrepareDraw { .. }
                | Effect::RunDraw { .. }
                | Effect::WriteRecord(_)
                | Effect::OverwriteRecord(_)
        )
    }
}

/// What an input dialog is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputPurpose {
    PrepareDraw,
    RunDraw(String),
    VoidDraw(String),
    /// The draw and entity of the visit whose officer is replaced.
    Substitute {
        draw: String,
        entity: String,
    },
    /// The same, as a request for the principal's approval (a seat substituted before).
    RequestSubstitution {
        draw: String,
        entity: String,
    },
    RejectCorrection(i64),
    /// A targeted check (个案检查) of this entity: reason, detail, team, dates and check items.
    Targeted {
        entity: String,
    },
    /// The day a visit is started or completed (today to begin with): the dialog is the
    /// confirmation, naming the visit.
    StepOn {
        id: i64,
        step: Step,
    },
    /// The reason for starting (or completing) a visit on a day outside its windows (the day
    /// dialog waits in [`Model::asked`]).
    StepOutside {
        id: i64,
        step: Step,
        day: NaiveDate,
    },
    /// The reason an earlier quarter's visit was never carried out.
    Lapse(i64),
    /// A plan-change notice's number and the day it was sent.
    NoticeSent,
    /// The reason for a correction of this visit's result (the corrected result is the form).
    Correction(i64),
    /// The final confirmation of a run: the draw's id typed again (the seeds and witnesses
    /// wait in [`Model::asked`]).
    ConfirmRun(String),
}

impl InputPurpose {
    /// Which field of this dialog a service's field name (`ServiceError::InvalidField`) is.
    pub fn field_index(&self, field: &str) -> Option<usize> {
        match (self, field) {
            (InputPurpose::RunDraw(_), "seed") => Some(0),
            (InputPurpose::RunDraw(_), "witness") => Some(2),
            (
                InputPurpose::Substitute { .. } | InputPurpose::RequestSubstitution { .. },
                "reason",
            ) => Some(1),
            (InputPurpose::Substitute { .. } | InputPurpose::RequestSubstitution { .. }, _) => {
                Some(0)
            }
            (InputPurpose::PrepareDraw, "period") => Some(0),
            (InputPurpose::PrepareDraw, "task") => Some(1),
            (InputPurpose::Targeted { .. }, "reason") => Some(0),
            (InputPurpose::NoticeSent, "on") => Some(1),
            (InputPurpose::NoticeSent, _) => Some(0),
            (
                InputPurpose::VoidDraw(_)
                | InputPurpose::Correction(_)
                | InputPurpose::RejectCorrection(_)
                | InputPurpose::Lapse(_)
                | InputPurpose::StepOutside { .. },
                "reason" | "note",
            ) => Some(0),
            (InputPurpose::StepOn { .. }, _) => Some(0),
            _ => None,
        }
    }
}

pub enum Popup {
    Confirm {
        text: String,
        effect: Effect,
    },
    Message {
        title: String,
        lines: Vec<String>,
        error: bool,
    },
    Input {
        title: String,
        labels: Vec<&'static str>,
        fields: Vec<TextArea<'static>>,
        focus: usize,
        purpose: InputPurpose,
        /// What was wrong the last time it was confirmed, the field named; the input is kept.
        error: Option<String>,
        /// Something was typed: `Esc` asks before throwing it away.
        typed: bool,
    },
    Help(Vec<(&'static str, &'static str)>),
    /// `Esc` on a dialog with typed input: throw it away (`y`), or go back to it (`n`, `Esc`).
    Discard(Box<Popup>),
}

impl Popup {
    /// An input dialog with these fields, nothing typed yet.
    pub fn input(
        title: String,
        labels: Vec<&'static str>,
        fields: Vec<TextArea<'static>>,
        purpose: InputPurpose,
    ) -> Popup {
        Popup::Input {
            title,
            labels,
            fields,
            focus: 0,
            purpose,
            error: None,
            typed: false,
        }
    }
}

/// The whole dashboard.
pub struct Model {
    pub screen: ScreenId,
    pub theme: Theme,
    pub viewer: Viewer,
    pub db: String,
    pub demo: bool,
    pub today: NaiveDate,
    pub overview: Option<Overview>,
    /// Key-entity coverage this year, once computed (after the first frame).
    pub key_coverage: Option<KeyCoverage>,
    /// Which overview list has the cursor, and the cursor in it.
    pub overview_pane: OverviewPane,
    pub overview_selected: usize,
    pub entities: EntitiesState,
    pub draws: DrawsState,
    pub visits: VisitsState,
    /// Inspectors' names by code, for teams shown with names next to codes.
    pub names: std::collections::HashMap<String, String>,
    pub form: Option<ResultForm>,
    pub approvals: ApprovalsState,
    pub audit: AuditState,
    pub popup: Option<Popup>,
    /// The dialog whose effect is running: given back, with the error, if the effect fails.
    pub asked: Option<Popup>,
    pub status: Option<(String, bool)>,
    /// Where files the dashboard writes (a draw's printable record) go: the working directory.
    pub export_dir: std::path::PathBuf,
    /// The terminal's size (columns, rows), once known; below 80x24 nothing is drawn but a
    /// message, so no key but `q` may act.
    pub size: Option<(u16, u16)>,
    /// `g` was pressed: the next letter picks a screen.
    pub go_prefix: bool,
    pub quit: bool,
    /// Long effects go to the worker thread (the terminal's event loop) instead of running
    /// before the next key is read (tests that drive `handle` directly).
    pub background: bool,
    /// The long effect running on the worker thread, if any.
    pub busy: Option<Busy>,
    /// The dialog whose long effect is running: given back, with the error, if it fails.
    pub busy_asked: Option<Popup>,
}

impl Model {
    pub fn new(theme: Theme, viewer: Viewer, db: String, demo: bool, today: NaiveDate) -> Model {
        Model {
            screen: ScreenId::Overview,
            theme,
            viewer,
            db,
            demo,
            today,
            overview: None,
            key_coverage: None,
            overview_pane: OverviewPane::Deadlines,
            overview_selected: 0,
            entities: EntitiesState::default(),
            draws: DrawsState::default(),
            visits: VisitsState::default(),
            names: Default::default(),
            form: None,
            approvals: ApprovalsState::default(),
            audit: AuditState::default(),
            popup: None,
            asked: None,
            status: None,
            export_dir: std::path::PathBuf::from("."),
            size: None,
            go_prefix: false,
            quit: false,
            background: false,
            busy: None,
            busy_asked: None,
        }
    }
}

impl Model {
    /// The terminal is smaller than the dashboard needs: only the size message is shown.
    pub fn too_small(&self) -> bool {
        self.size
            .is_some_and(|(w, h)| w < MIN_WIDTH || h < MIN_HEIGHT)
    }

    /// Whether the viewer may do `action` to `subject`: the keys offered follow this.
    pub fn may(&self, action: Action, subject: Subject<'_>) -> bool {
        role::may(&self.viewer, action, subject).is_ok()
    }
}

/// A one-line text field.
pub fn field(text: &str) -> TextArea<'static> {
    let mut t = TextArea::from(text.lines().map(str::to_string).collect::<Vec<_>>());
    t.move_cursor(ratatui_textarea::CursorMove::End);
    t
}

/// The text of a field.
pub fn text_of(t: &TextArea<'_>) -> String {
    t.lines().join("\n")
}
