//! Helpers shared by the spreadsheet tests.

use shuangsuiji::domain::uscc;

/// A valid USCC from a 17-character body.
pub fn code(body: &str) -> String {
    uscc::complete(body).expect("a 17-character body in the code alphabet")
}

/// The same code with a different (wrong) check character.
pub fn with_bad_check_character(code: &str) -> String {
    let (body, check) = code.split_at(17);
    let wrong = if check == "0" { '1' } else { '0' };
    format!("{body}{wrong}")
}
