//! Control characters out of logs tollgate did not write itself (plugins, `merge` inputs):
//! a message or a rule's help holding terminal escapes must not reach whoever reads the
//! merged log, nor GitHub, as it is.

use serde_json::Value;
use serde_sarif::sarif::Run;

/// Escape the control and bidirectional-override characters of every string in `run` (see
/// [`tollgate_core::display::visible`]); keys, numbers and structure are left alone. A run
/// that holds none is not rebuilt.
pub fn escape_control_characters(run: &mut Run) {
    let Ok(mut value) = serde_json::to_value(&*run) else {
        return;
    };
    if !escape_strings(&mut value) {
        return;
    }
    if let Ok(safe) = serde_json::from_value(value) {
        *run = safe;
    }
}

/// Escape every string under `value`; whether any changed.
fn escape_strings(value: &mut Value) -> bool {
    match value {
        Value::String(text) => match tollgate_core::display::visible(text) {
            std::borrow::Cow::Owned(safe) => {
                *text = safe;
                true
            }
            std::borrow::Cow::Borrowed(_) => false,
        },
        Value::Array(items) => items.iter_mut().fold(false, |c, v| escape_strings(v) | c),
        Value::Object(map) => map.values_mut().fold(false, |c, v| escape_strings(v) | c),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_anywhere_in_a_run_are_escaped() {
        let mut run: Run = serde_json::from_str(
            r#"{"tool":{"driver":{"name":"t\u001b[2J","rules":[{"id":"R","help":{"text":"x\u009b"}}]}},
                "results":[{"ruleId":"R","message":{"text":"bad\u001b]8;;http://e\u0007"}}]}"#,
        )
        .unwrap();
        escape_control_characters(&mut run);
        let text = serde_json::to_string(&run).unwrap();
        assert!(
            !text.contains("\\u001b") && !text.contains("\\u0007"),
            "{text}"
        );
        assert!(text.contains(r"bad\\u{1b}]8;;http://e\\u{7}"), "{text}");
        assert!(text.contains(r"x\\u{9b}"), "{text}");
    }
}
