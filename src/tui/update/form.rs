//! Keys in the result form: moving between parts, outcomes and categories, text fields, and
//! the submit button. Every change saves the draft.

use super::*;

pub(super) fn form_key(m: &mut Model, k: KeyEvent) -> Vec<Effect> {
    let Some(f) = m.form.as_mut() else {
        return vec![];
    };
    let order = FormFocus::ORDER;
    let at = order.iter().position(|x| *x == f.focus).unwrap_or(0);
    match k.code {
        KeyCode::Esc => {
            // Esc never discards: the draft is already saved.
            m.form = None;
            return vec![Effect::Reload];
        }
        KeyCode::Char('?')
            if !matches!(
                f.focus,
                FormFocus::Findings
                    | FormFocus::LegalBasis
                    | FormFocus::Measure
                    | FormFocus::Other
                    | FormFocus::Remark
            ) =>
        {
            m.popup = Some(Popup::Help(s::FORM_HELP.to_vec()));
            return vec![];
        }
        KeyCode::Tab => {
            f.focus = order[(at + 1) % order.len()];
            return vec![];
        }
        KeyCode::BackTab => {
            f.focus = order[(at + order.len() - 1) % order.len()];
            return vec![];
        }
        _ => {}
    }
    if f.read_only {
        return vec![];
    }
    let mut changed = false;
    match f.focus {
        FormFocus::Items => match k.code {
            KeyCode::Up | KeyCode::Down | KeyCode::Char('j') | KeyCode::Char('k') => {
                step(&mut f.item_cursor, f.result.items.len(), k.code);
            }
            KeyCode::Char(' ') | KeyCode::Right | KeyCode::Left => {
                if let Some(item) = f.result.items.get_mut(f.item_cursor) {
                    let all = Outcome::ALL;
                    let pos = all.iter().position(|o| *o == item.outcome).unwrap_or(0);
                    let next = if k.code == KeyCode::Left {
                        pos + all.len() - 1
                    } else {
                        pos + 1
                    };
                    item.outcome = all[next % all.len()];
                    changed = true;
                }
            }
            _ => {}
        },
        FormFocus::Categories => match k.code {
            KeyCode::Up | KeyCode::Down | KeyCode::Char('j') | KeyCode::Char('k') => {
                step(&mut f.category_cursor, Category::ALL.len(), k.code);
            }
            KeyCode::Char(' ') | KeyCode::Enter => {
                let c = Category::ALL[f.category_cursor];
                if !f.result.categories.remove(&c) {
                    f.result.categories.insert(c);
                }
                changed = true;
            }
            _ => {}
        },
        FormFocus::Submit => {
            if k.code == KeyCode::Enter {
                m.popup = Some(Popup::Confirm {
                    text: s::SUBMIT_CONFIRM.to_string(),
                    effect: Effect::SubmitResult,
                });
            }
        }
        text => {
            let area = match text {
                FormFocus::Findings => &mut f.findings,
                FormFocus::LegalBasis => &mut f.legal_basis,
                FormFocus::Measure => &mut f.measure,
                FormFocus::Other => &mut f.other,
                _ => &mut f.remark,
            };
            // One-line fields take Enter as "next field".
            if k.code == KeyCode::Enter && text != FormFocus::Findings {
                f.focus = order[(at + 1) % order.len()];
                return vec![];
            }
            changed = area.input(k);
        }
    }
    if changed {
        f.result.findings = text_of(&f.findings);
        f.result.legal_basis = text_of(&f.legal_basis);
        f.result.measure = text_of(&f.measure);
        f.result.other = text_of(&f.other);
        f.result.remark = text_of(&f.remark);
        vec![Effect::SaveDraft]
    } else {
        vec![]
    }
}

/// Builds the form's text fields from a result.
pub fn fields_of(r: &crate::domain::result::InspectionResult) -> [TextArea<'static>; 5] {
    [
        field(&r.findings),
        field(&r.legal_basis),
        field(&r.measure),
        field(&r.other),
        field(&r.remark),
    ]
}
