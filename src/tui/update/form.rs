//! Keys in the result form: moving between parts, outcomes and categories, text fields, and
//! the submit button. Every change saves the draft.

use super::*;
use crate::domain::result::{InspectionResult, TEXT_FIELDS};
use crate::services::results::ResultView;
use crate::services::targeted::TargetedEntry;
use crate::tui::model::{FormSubject, ReadOnly, ResultForm};

pub(super) fn form_update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    let Some(f) = m.form.as_mut() else {
        return vec![];
    };
    // `q` goes back like Esc, except where it is a character typed (the keymap's `FORM_CHOICE`).
    match msg {
        Msg::Back => {
            // Esc never discards a visit's result: the draft is already saved. A targeted
            // check is stored only when submitted: Esc leaves it unrecorded, and says so.
            if f.visit().is_none() {
                m.status = Some((s::TARGETED_DROPPED.to_string(), false));
            } else if f.correcting {
                m.status = Some((s::CORRECTION_DROPPED.to_string(), false));
            }
            m.form = None;
            return vec![Effect::Reload];
        }
        Msg::Help => {
            let help = keymap::form_help(f.visit().is_some());
            m.popup = Some(Popup::Help(help));
            return vec![];
        }
        // Tab, and Enter in a one-line text field.
        Msg::NextField => {
            f.focus = next(f.focus, 1);
            return vec![];
        }
        Msg::PrevField => {
            f.focus = next(f.focus, FormFocus::ORDER.len() - 1);
            return vec![];
        }
        _ => {}
    }
    if f.read_only {
        // A submitted result its team may correct: `e` makes the form a correction of it; `d`
        // one starting from the viewer's own draft (kept when a teammate submitted first).
        let from_draft = msg == Msg::CorrectFromDraft && f.own_draft.is_some();
        if (msg == Msg::Correct || from_draft) && f.may_correct {
            if from_draft && let Some(own) = f.own_draft.clone() {
                let [findings, legal_basis, measure, other, remark] = fields_of(&own);
                (f.findings, f.legal_basis, f.measure, f.other, f.remark) =
                    (findings, legal_basis, measure, other, remark);
                f.problems = own.problems(&codes(&f.items));
                f.result = own;
            }
            f.read_only = false;
            f.read_only_why = None;
            f.correcting = true;
            f.empty = false;
            m.status = Some((s::CORRECTING.to_string(), false));
        } else if from_draft {
            m.status = Some((s::CORRECTION_WAITING.to_string(), true));
        }
        return vec![];
    }
    let changed = match f.focus {
        FormFocus::Items => item_update(f, msg),
        FormFocus::Categories => category_update(f, msg),
        FormFocus::Submit => {
            if msg == Msg::Submit && f.correcting {
                // A correction is filed with its reason; the principal decides.
                if let Some(v) = f.visit() {
                    m.popup = Some(Popup::input(
                        s::correction_title(v.id, &v.entity_name),
                        vec![s::CORRECTION_REASON_FIELD],
                        vec![TextArea::default()],
                        InputPurpose::Correction(v.id),
                    ));
                }
            } else if msg == Msg::Submit {
                let text = match f.visit() {
                    Some(v) => s::submit_confirm(v.id, &v.entity_name),
                    None => s::TARGETED_SUBMIT_CONFIRM.to_string(),
                };
                m.popup = Some(Popup::Confirm {
                    text,
                    effect: Effect::SubmitResult,
                });
            }
            false
        }
        text => text_update(f, text, msg),
    };
    if changed { save(f) } else { vec![] }
}

/// The part `by` steps after `focus`, round the form.
fn next(focus: FormFocus, by: usize) -> FormFocus {
    let order = FormFocus::ORDER;
    let at = order.iter().position(|x| *x == focus).unwrap_or(0);
    order[(at + by) % order.len()]
}

/// The check items: the arrows move, space and left/right turn the outcome. True if changed.
fn item_update(f: &mut ResultForm, msg: Msg) -> bool {
    match msg {
        Msg::Move(_) => {
            step(&mut f.item_cursor, f.result.items.len(), msg);
            false
        }
        Msg::Toggle | Msg::ToggleBack => {
            let Some(item) = f.result.items.get_mut(f.item_cursor) else {
                return false;
            };
            let all = Outcome::ALL;
            let pos = all.iter().position(|o| *o == item.outcome).unwrap_or(0);
            let next = if msg == Msg::ToggleBack {
                pos + all.len() - 1
            } else {
                pos + 1
            };
            item.outcome = all[next % all.len()];
            true
        }
        _ => false,
    }
}

/// The result categories: the arrows move, space and Enter tick. True if changed.
fn category_update(f: &mut ResultForm, msg: Msg) -> bool {
    match msg {
        Msg::Move(_) => {
            step(&mut f.category_cursor, Category::ALL.len(), msg);
            false
        }
        Msg::Toggle => {
            let c = Category::ALL[f.category_cursor];
            if !f.result.categories.remove(&c) {
                f.result.categories.insert(c);
            }
            true
        }
        _ => false,
    }
}

/// A text field takes the editing key (Enter in a one-line field is `Msg::NextField`). True if
/// changed.
fn text_update(f: &mut ResultForm, focus: FormFocus, msg: Msg) -> bool {
    let Msg::Edit(k) = msg else {
        return false;
    };
    let area = match focus {
        FormFocus::Findings => &mut f.findings,
        FormFocus::LegalBasis => &mut f.legal_basis,
        FormFocus::Measure => &mut f.measure,
        FormFocus::Other => &mut f.other,
        _ => &mut f.remark,
    };
    area.input(k)
}

/// A paste into the form (bracketed paste): one insert into the text field with the focus,
/// cut at the field's limit with a line saying so, and one draft save. Pasted line breaks stay
/// in 检查发现 and become spaces in the one-line fields; other control characters are dropped.
pub(super) fn paste(m: &mut Model, text: &str) -> Vec<Effect> {
    let Some(f) = m.form.as_mut() else {
        return vec![];
    };
    let index = [
        FormFocus::Findings,
        FormFocus::LegalBasis,
        FormFocus::Measure,
        FormFocus::Other,
        FormFocus::Remark,
    ]
    .iter()
    .position(|x| *x == f.focus);
    let Some(index) = index.filter(|_| !f.read_only) else {
        m.status = Some((s::PASTE_NOWHERE.to_string(), true));
        return vec![];
    };
    let (label, kind) = TEXT_FIELDS[index];
    let multiline = f.focus == FormFocus::Findings;
    let clean: String = text
        .replace("\r\n", "\n")
        .chars()
        .filter_map(|c| match c {
            '\n' | '\r' if multiline => Some('\n'),
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    let area = match f.focus {
        FormFocus::Findings => &mut f.findings,
        FormFocus::LegalBasis => &mut f.legal_basis,
        FormFocus::Measure => &mut f.measure,
        FormFocus::Other => &mut f.other,
        _ => &mut f.remark,
    };
    let room = kind.limit().saturating_sub(text_of(area).chars().count());
    let pasted = clean.chars().count();
    let kept: String = clean.chars().take(room).collect();
    area.insert_str(&kept);
    if pasted > room {
        m.status = Some((s::paste_cut(label, kind.limit(), pasted - room), true));
    }
    save(f)
}

/// After a change: the fields' text into the result, its problems checked, the draft saved.
fn save(f: &mut ResultForm) -> Vec<Effect> {
    f.result.findings = text_of(&f.findings);
    f.result.legal_basis = text_of(&f.legal_basis);
    f.result.measure = text_of(&f.measure);
    f.result.other = text_of(&f.other);
    f.result.remark = text_of(&f.remark);
    f.problems = f.result.problems(&codes(&f.items));
    // Text over its limit is shown among the problems and not saved; the draft keeps the
    // last text within the limits. A targeted check has no draft, nor has a correction.
    if f.visit().is_some() && !f.correcting && f.result.text_problems().is_empty() {
        vec![Effect::SaveDraft]
    } else {
        vec![]
    }
}

fn codes(items: &[(String, String)]) -> Vec<String> {
    items.iter().map(|(c, _)| c.clone()).collect()
}

/// Builds the form's text fields from a result.
pub fn fields_of(r: &InspectionResult) -> [TextArea<'static>; 5] {
    [
        field(&r.findings),
        field(&r.legal_basis),
        field(&r.measure),
        field(&r.other),
        field(&r.remark),
    ]
}

/// The form of a visit's result: the result in force, else the draft, else every item
/// compliant with no problem found. Read only once submitted, for those not on the team
/// (`on_team`), and until the visit is completed.
pub fn form_of(view: ResultView, on_team: bool) -> ResultForm {
    let read_only_why = if view.submitted.is_some() {
        Some(ReadOnly::Submitted)
    } else if !on_team {
        Some(ReadOnly::NotOnTeam)
    } else if view.visit.state != VisitState::Completed {
        Some(ReadOnly::NotCompleted)
    } else {
        None
    };
    let read_only = read_only_why.is_some();
    let pending = view.corrections.iter().any(|c| c.decision.is_none());
    let may_correct = view.submitted.is_some() && on_team && !pending;
    let codes = codes(&view.items);
    let recorded = view
        .effective
        .clone()
        .or_else(|| view.draft.as_ref().map(|d| d.result.clone()));
    // A visit not inspected (or whose result is not yet begun) that the viewer may not fill in
    // shows an empty result, not the defaults a new form starts with.
    let empty = recorded.is_none() && read_only;
    let result = recorded.unwrap_or_else(|| InspectionResult::blank(&codes));
    let [findings, legal_basis, measure, other, remark] = fields_of(&result);
    ResultForm {
        // Nothing to check in a result nobody entered.
        problems: if empty {
            vec![]
        } else {
            result.problems(&codes)
        },
        subject: FormSubject::Visit(Box::new(view.visit)),
        items: view.items,
        result,
        focus: FormFocus::Items,
        item_cursor: 0,
        category_cursor: 0,
        findings,
        legal_basis,
        measure,
        other,
        remark,
        read_only,
        read_only_why,
        empty,
        corrections: view.corrections,
        may_correct,
        correcting: false,
        teammate_drafts: view.teammate_drafts,
        // Submitted by someone else while the viewer had a draft: theirs to correct from.
        own_draft: view
            .draft
            .filter(|_| view.submitted.is_some())
            .map(|d| d.result),
    }
}

/// The form of a targeted check's result (个案检查): every item compliant, no problem found, to
/// start with; `items` are the check items from the dialog with their texts.
pub fn targeted_form(
    entry: TargetedEntry,
    entity_name: String,
    items: Vec<(String, String)>,
) -> ResultForm {
    let codes = codes(&items);
    let result = InspectionResult::blank(&codes);
    let [findings, legal_basis, measure, other, remark] = fields_of(&result);
    ResultForm {
        problems: result.problems(&codes),
        subject: FormSubject::Targeted { entry, entity_name },
        items,
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
        corrections: vec![],
        may_correct: false,
        correcting: false,
        teammate_drafts: vec![],
        own_draft: None,
    }
}
