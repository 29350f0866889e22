//! Reads the subset of the VHS tape language that `demo.tape` uses, as steps to replay.
//!
//! Strings are VHS strings: `"…"`, `'…'` or `` `…` ``, no escapes. Commands may carry a
//! speed (`Tab@100ms`) and a count (`Tab 2`). Comments are ignored except the two markers
//! `# app: NAME` (the next `Type` + `Enter` start the binary) and `# expect: TEXT`.

use super::harness::{BACKSPACE, CTRL_C, DOWN, ENTER, ESC, TAB, UP};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Start the binary with these arguments (the tape's command line, program name dropped).
    Launch {
        name: String,
        args: Vec<String>,
        line: usize,
    },
    /// Bytes for the terminal: one key press, or the text of one `Type`.
    Keys { keys: String, line: usize },
    /// The screen must come to show this text.
    Expect { text: String, line: usize },
}

/// The string argument of a command, if `rest` is one VHS string.
fn string_arg(rest: &str) -> Option<String> {
    let rest = rest.trim();
    let quote = rest.chars().next()?;
    if !matches!(quote, '"' | '\'' | '`') {
        return None;
    }
    let body = &rest[1..];
    let end = body.find(quote)?;
    if !body[end + 1..].trim().is_empty() {
        return None;
    }
    Some(body[..end].to_string())
}

/// Splits `Name@speed rest` into (`Name`, `rest`).
fn command(line: &str) -> (&str, &str) {
    let (head, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let name = head.split('@').next().unwrap_or(head);
    (name, rest.trim())
}

fn key_bytes(name: &str) -> Option<&'static str> {
    Some(match name {
        "Enter" => ENTER,
        "Tab" => TAB,
        "Escape" => ESC,
        "Up" => UP,
        "Down" => DOWN,
        "Space" => " ",
        "Backspace" => BACKSPACE,
        _ => return None,
    })
}

/// Parses a tape into the steps to replay. Panics on anything outside the subset, naming the
/// line, so that the tape cannot quietly use what the replay would skip.
pub fn parse(src: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut started = false;
    // After `# app:`: waiting for the launching `Type`, then for its `Enter`.
    let mut launching: Option<(String, usize, Option<Vec<String>>)> = None;
    for (i, raw) in src.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let comment = comment.trim();
            if let Some(name) = comment.strip_prefix("app:") {
                assert!(
                    launching.is_none(),
                    "demo.tape:{n}: `# app:` inside a launch"
                );
                launching = Some((name.trim().to_string(), n, None));
                started = true;
            } else if let Some(text) = comment.strip_prefix("expect:") {
                assert!(
                    started,
                    "demo.tape:{n}: `# expect:` before the first `# app:`"
                );
                assert!(
                    launching.is_none(),
                    "demo.tape:{n}: `# expect:` inside a launch"
                );
                steps.push(Step::Expect {
                    text: text.trim().to_string(),
                    line: n,
                });
            }
            continue;
        }
        let (name, rest) = command(line);
        let keys: Option<String> = match name {
            "Sleep" | "Hide" | "Show" | "Output" | "Set" | "Require" => continue,
            "Type" => Some(
                string_arg(rest)
                    .unwrap_or_else(|| panic!("demo.tape:{n}: Type needs one string: {line}")),
            ),
            "Ctrl+C" => Some(CTRL_C.to_string()),
            other => match key_bytes(other) {
                Some(k) => {
                    let count: usize = if rest.is_empty() {
                        1
                    } else {
                        rest.parse().unwrap_or_else(|_| {
                            panic!("demo.tape:{n}: a key takes only a count: {line}")
                        })
                    };
                    Some(k.repeat(count))
                }
                None => panic!("demo.tape:{n}: the replay does not know `{other}`: {line}"),
            },
        };
        let Some(keys) = keys else { continue };
        if !started {
            continue;
        }
        if let Some((app, at, args)) = launching.take() {
            match (name, args) {
                ("Type", None) => {
                    let words: Vec<String> = keys.split_whitespace().map(str::to_string).collect();
                    assert_eq!(
                        words.first().map(String::as_str),
                        Some("shuangsuiji"),
                        "demo.tape:{n}: `# app:` must be followed by Type \"shuangsuiji …\""
                    );
                    launching = Some((app, at, Some(words[1..].to_vec())));
                }
                ("Enter", Some(args)) if keys == ENTER => steps.push(Step::Launch {
                    name: app,
                    args,
                    line: at,
                }),
                _ => panic!(
                    "demo.tape:{n}: `# app:` (line {at}) must be followed by one Type and one Enter"
                ),
            }
            continue;
        }
        steps.push(Step::Keys { keys, line: n });
    }
    assert!(
        launching.is_none(),
        "demo.tape: the last `# app:` never starts"
    );
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_parses() {
        let tape = "Output demo.gif\nSet Shell \"bash\"\nHide\nType \"setup\"\nEnter\nShow\n\
                    # app: one\nType `shuangsuiji --as $OFFICER`\nSleep 1s\nEnter\n\
                    # expect: 总览\nTab@100ms 2\nType '你好'\nEscape\nCtrl+C\n";
        let steps = parse(tape);
        assert_eq!(
            steps,
            vec![
                Step::Launch {
                    name: "one".into(),
                    args: vec!["--as".into(), "$OFFICER".into()],
                    line: 7
                },
                Step::Expect {
                    text: "总览".into(),
                    line: 11
                },
                Step::Keys {
                    keys: "\t\t".into(),
                    line: 12
                },
                Step::Keys {
                    keys: "你好".into(),
                    line: 13
                },
                Step::Keys {
                    keys: ESC.into(),
                    line: 14
                },
                Step::Keys {
                    keys: CTRL_C.into(),
                    line: 15
                },
            ]
        );
    }

    #[test]
    #[should_panic(expected = "does not know `Left`")]
    fn unknown_commands_are_refused() {
        parse("# app: x\nType \"shuangsuiji\"\nEnter\nLeft\n");
    }
}
