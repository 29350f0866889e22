//! `calendar show | deadline | import`.

use super::CliResult;
use shuangsuiji::services::Session;

#[derive(Debug, clap::Subcommand)]
pub enum CalendarCommand {
    /// 显示某年的节假日安排
    Show { year: i32 },
}

pub fn run(_s: &mut Session, _c: &CalendarCommand) -> CliResult {
    Ok(())
}
