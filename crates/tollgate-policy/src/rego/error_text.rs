//! Runtime errors without the document's values. regorus writes values into some of its
//! error messages: an unsafe variable's message carries every local scope (whole resources,
//! their properties and environment variables), a builtin's type error the argument it got.
//! Those values come from the scanned templates and may hold secrets, and a whole resource
//! makes a notification of several kilobytes. The message keeps what went wrong and what kind
//! of value was there; a short scalar stays, unless it looks like a secret.

/// Longest string value kept in a message, in characters.
const MAX_SHOWN: usize = 60;

/// `message` (one of regorus's runtime errors, already cut to its `error:` lines) without the
/// values of the documents it may carry.
pub fn without_document_values(message: &str) -> String {
    // "var x is unsafe (path [...], scopes [...])": the scopes are the evaluation's locals.
    if let Some(at) = message.find(" is unsafe (path ") {
        return message[..at + " is unsafe".len()].to_string();
    }
    // "`upper` expects string argument. Got `{...}` instead", "`count` requires ... Got `..`.",
    // "walk expected array result, got `...`": one value, between the first backtick after
    // "got " and the last backtick of the message (the value may hold backticks itself).
    let lower = message.to_ascii_lowercase();
    let Some(got) = lower.find("got `") else {
        return message.to_string();
    };
    let start = got + "got `".len();
    let Some(end) = message.rfind('`').filter(|&end| end >= start) else {
        return message.to_string();
    };
    let shown = describe(&message[start..end]);
    format!(
        "{}{shown}{}",
        &message[..got + "got ".len()],
        &message[end + 1..]
    )
}

/// What a value written as JSON is, told without its contents where they could be large or
/// secret.
fn describe(value: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(serde_json::Value::Object(map)) => format!("an object of {} keys", map.len()),
        Ok(serde_json::Value::Array(items)) => {
            format!("a collection of {} elements", items.len())
        }
        Ok(serde_json::Value::String(s)) => {
            if tollgate_iac::secrets::secret_value_kind(&s).is_some() {
                format!("`\"{}\"`", tollgate_iac::secrets::redact(&s))
            } else if s.chars().count() > MAX_SHOWN {
                format!("a string of {} characters", s.chars().count())
            } else {
                format!("`{value}`")
            }
        }
        Ok(_) => format!("`{value}`"),
        // Not JSON (regorus wrote something else): its length only.
        Err(_) => format!("a value of {} characters", value.chars().count()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unsafe_variable_is_named_without_the_scopes() {
        let message = "var resuinput is unsafe (path [\"main\", \"resuinput\"], scopes [{\"fn\": Object({String(\"DB_PASSWORD\"): String(\"hunter2hunter2\")})}])";
        assert_eq!(without_document_values(message), "var resuinput is unsafe");
    }

    #[test]
    fn a_type_error_says_what_kind_of_value_it_got() {
        assert_eq!(
            without_document_values(
                "`upper` expects string argument. Got `{\"Variables\":{\"TOKEN\":\"x\"}}` instead"
            ),
            "`upper` expects string argument. Got an object of 1 keys instead"
        );
        assert_eq!(
            without_document_values("`count` requires array/object/set/string argument. Got `3`."),
            "`count` requires array/object/set/string argument. Got `3`."
        );
        assert_eq!(
            without_document_values("`sum` requires array/set argument. Got `\"a`b\"`."),
            "`sum` requires array/set argument. Got `\"a`b\"`."
        );
        assert_eq!(
            without_document_values("walk expected array result, got `[1,2,3]`"),
            "walk expected array result, got a collection of 3 elements"
        );
    }

    #[test]
    fn a_secret_or_long_string_is_not_repeated() {
        let key = "AKIAIOSFODNN7EXAMPLE";
        let out = without_document_values(&format!(
            "`upper` expects string argument. Got `\"{key}\"` instead"
        ));
        assert!(!out.contains(key), "{out}");
        assert!(out.contains("****"), "{out}");
        let long = "x".repeat(500);
        let out = without_document_values(&format!(
            "`to_number` expects numeric argument. Got `\"{long}\"` instead"
        ));
        assert_eq!(
            out,
            "`to_number` expects numeric argument. Got a string of 500 characters instead"
        );
    }

    #[test]
    fn other_messages_are_kept() {
        for message in [
            "complete rules should not produce multiple outputs",
            "`numbers.range` would produce more than 100000 numbers",
        ] {
            assert_eq!(without_document_values(message), message);
        }
    }
}
