//! Mistakes on the command line, told in Chinese: which argument, what was given, what would do.
//! Help and version requests are printed as clap writes them.

use clap::error::{ContextKind, ContextValue, Error, ErrorKind};
use shuangsuiji::domain::vocab::join_list;

/// How a mistake on the command line is shown and with which exit code; `None` for help and
/// version output, which clap prints itself.
pub fn explain(e: &Error) -> Option<String> {
    let mut message = mistake(e)?;
    let suggested = [ContextKind::SuggestedSubcommand, ContextKind::SuggestedArg]
        .into_iter()
        .map(|kind| context(e, kind))
        .find(|s| !s.is_empty());
    if let Some(s) = suggested {
        message.push_str(&format!("（是否要用 {s}？）"));
    }
    let usage = context(e, ContextKind::Usage);
    let usage = usage.trim().trim_start_matches("Usage:").trim();
    if !usage.is_empty() {
        message.push_str(&format!(
            "\n用法：{}\n加 --help 查看说明",
            super::chinese_words(usage)
        ));
    }
    Some(message)
}

/// One piece of what clap knows about the mistake, as text; lists joined with “、”.
fn context(e: &Error, kind: ContextKind) -> String {
    match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => join_list(v),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => join_list(v.iter().map(|s| s.to_string())),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// What is wrong, in one sentence; `None` for help and version output.
fn mistake(e: &Error) -> Option<String> {
    let text = |kind: ContextKind| context(e, kind);
    let arg = text(ContextKind::InvalidArg);
    let value = text(ContextKind::InvalidValue);
    let message = match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => return None,
        ErrorKind::InvalidValue => {
            let valid = text(ContextKind::ValidValue);
            if value.is_empty() {
                format!("参数 {arg} 需要一个值")
            } else if valid.is_empty() {
                format!("参数 {arg} 的值“{value}”无效")
            } else {
                format!("参数 {arg} 的值“{value}”无效，可选的值：{valid}")
            }
        }
        ErrorKind::ValueValidation => {
            format!("参数 {arg} 的值“{value}”无效：{}", why_invalid(e, &value))
        }
        ErrorKind::UnknownArgument if looks_like_dice(&arg) => format!(
            "无法识别的参数“{arg}”：种子的骰子数字中间有空格时请加引号（--seed \"1234 {arg}\"），或每部分各写一个 --seed（--seed 1234 --seed {arg}）"
        ),
        ErrorKind::UnknownArgument => format!("无法识别的参数“{arg}”"),
        ErrorKind::InvalidSubcommand => {
            format!("没有子命令“{}”", text(ContextKind::InvalidSubcommand))
        }
        ErrorKind::MissingRequiredArgument => {
            format!("缺少必需的参数：{arg}")
        }
        ErrorKind::MissingSubcommand => "缺少子命令".to_string(),
        ErrorKind::ArgumentConflict => {
            format!("参数 {arg} 不能与 {} 同时使用", text(ContextKind::PriorArg))
        }
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("参数 {arg} 的值的个数不对")
        }
        ErrorKind::NoEquals => format!("参数 {arg} 须写作 {arg}=值"),
        _ => "命令行参数有误".to_string(),
    };
    Some(message)
}

/// A stray argument of digits only: most likely the second half of a seed typed unquoted.
fn looks_like_dice(arg: &str) -> bool {
    !arg.is_empty() && arg.chars().all(|c| c.is_ascii_digit())
}

/// Why a value did not parse: our own parsers already say it in Chinese; for dates and numbers
/// the parser's English is replaced by what is expected.
fn why_invalid(e: &Error, value: &str) -> String {
    let source = std::error::Error::source(e)
        .map(|s| s.to_string())
        .unwrap_or_default();
    if !source.is_ascii() {
        return source;
    }
    let looks_like_date = value.contains('-') && value.chars().any(|c| c.is_ascii_digit());
    if looks_like_date || source.contains("input") || source.contains("premature end") {
        "应为存在的日期，写作 YYYY-MM-DD，如 2026-05-20".to_string()
    } else if source.contains("digit") || source.contains("number") {
        "应为整数".to_string()
    } else {
        format!("格式不对（{source}）")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn said(args: &[&str]) -> String {
        let e = crate::cli::Cli::try_parse_from(args).unwrap_err();
        explain(&e).expect("a mistake, not help")
    }

    #[test]
    fn mistakes_are_told_in_chinese() {
        let m = said(&[
            "shuangsuiji",
            "visit",
            "start",
            "35",
            "--date",
            "2026-02-30",
        ]);
        assert!(
            m.starts_with("参数 --date <DATE> 的值“2026-02-30”无效：应为存在的日期"),
            "{m}"
        );
        let m = said(&["shuangsuiji", "entities", "list", "--class", "foo"]);
        assert!(m.contains("“foo”无效"), "{m}");
        assert!(m.contains("key"), "{m}");
        let m = said(&[
            "shuangsuiji",
            "plan",
            "remove-task",
            "--plan",
            "NB",
            "--task",
            "NB-4",
        ]);
        assert!(m.starts_with("缺少必需的参数：--reason"), "{m}");
        let m = said(&["shuangsuiji", "stats", "--bogus"]);
        assert!(m.starts_with("无法识别的参数“--bogus”"), "{m}");
        let m = said(&["shuangsuiji", "stat"]);
        assert!(m.contains("没有子命令“stat”"), "{m}");
        assert!(m.contains("stats"), "the near miss is suggested: {m}");
        let m = said(&["shuangsuiji", "draw", "prepare", "--period", "2026Q5"]);
        assert!(
            m.contains("应写作 YYYYQn"),
            "our own parser's words stay: {m}"
        );
        assert!(!m.contains("error:"), "{m}");
        let help = crate::cli::Cli::try_parse_from(["shuangsuiji", "--help"]).unwrap_err();
        assert!(explain(&help).is_none());
    }
}
