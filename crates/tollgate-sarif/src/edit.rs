//! A log written compactly with a change made to it run by run and result by result, for a
//! reader that wants it a little different (GitHub's code scanning): only the run or result at
//! hand is ever a JSON value, never the whole log.

use std::io::Write;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// A change made to a log as it is written (see [`write_log_text_edited`] and
/// [`crate::StreamedLog::write_edited`]).
pub trait LogEdit: Sync {
    /// Whether a result of this `kind` (the result's own `kind` member, when a string) is
    /// written at all.
    fn keeps(&self, kind: Option<&str>) -> bool;
    /// Whether [`Self::edit_run`] and [`Self::edit_result`] change anything: when not, results
    /// are written as they are, without becoming JSON values.
    fn edits(&self) -> bool;
    /// A run's members, its `results` (if it has them) an empty list here.
    fn edit_run(&self, run: &mut Map<String, Value>);
    fn edit_result(&self, result: &mut Value);
}

/// A result's text, as [`LogEdit`] wants it written, or nothing when it is left out.
pub(crate) fn edited_result(
    result: impl serde::Serialize,
    kind: Option<&str>,
    edit: &impl LogEdit,
) -> std::io::Result<Option<Vec<u8>>> {
    if !edit.keeps(kind) {
        return Ok(None);
    }
    let text = if edit.edits() {
        let mut value = serde_json::to_value(result)?;
        edit.edit_result(&mut value);
        serde_json::to_vec(&value)?
    } else {
        serde_json::to_vec(&result)?
    };
    Ok(Some(text))
}

/// Writes `texts` as a JSON list.
pub(crate) fn write_list(
    out: &mut impl Write,
    texts: impl IntoIterator<Item = std::io::Result<Vec<u8>>>,
) -> std::io::Result<()> {
    out.write_all(b"[")?;
    for (i, text) in texts.into_iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(&text?)?;
    }
    out.write_all(b"]")
}

/// Writes `members` as a JSON object, with `write_list` writing the value of `list` when it is
/// an empty list (a run's `results`, a log's `runs`).
pub(crate) fn write_members<W: Write>(
    out: &mut W,
    members: &Map<String, Value>,
    list: &str,
    write_list: impl FnOnce(&mut W) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut write_results = Some(write_list);
    out.write_all(b"{")?;
    for (i, (key, value)) in members.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, key)?;
        out.write_all(b":")?;
        if key == list && value.as_array().is_some_and(Vec::is_empty) {
            if let Some(write_results) = write_results.take() {
                write_results(out)?;
                continue;
            }
        }
        serde_json::to_writer(&mut *out, value)?;
    }
    out.write_all(b"}")
}

/// An object's members in their order, each left as text.
struct Members<'t>(Vec<(String, &'t RawValue)>);

impl<'de: 't, 't> Deserialize<'de> for Members<'t> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<'t>(std::marker::PhantomData<&'t ()>);
        impl<'de: 't, 't> serde::de::Visitor<'de> for Visit<'t> {
            type Value = Members<'t>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// A result's `kind`, read without reading the rest.
#[derive(Deserialize)]
struct KindOf<'t> {
    #[serde(borrow, default)]
    kind: Option<&'t RawValue>,
}

fn kind_of(result: &RawValue) -> Option<String> {
    let kind = serde_json::from_str::<KindOf>(result.get()).ok()?.kind?;
    serde_json::from_str(kind.get()).ok()
}

/// `text`, a SARIF log, written compactly into `out` with `edit` made to each run and result:
/// the log's runs are read one member at a time and its results one at a time. Members other
/// than the runs are copied as they are. `text` must be JSON (a log [`crate::read_log_lazily`]
/// accepted); an error otherwise.
pub fn write_log_text_edited(
    text: &str,
    edit: &impl LogEdit,
    mut out: impl Write,
) -> std::io::Result<()> {
    let log: Members = serde_json::from_str(text)?;
    out.write_all(b"{")?;
    for (i, (key, value)) in log.0.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut out, key)?;
        out.write_all(b":")?;
        match serde_json::from_str::<Vec<Members>>(value.get()) {
            Ok(runs) if key == "runs" => {
                out.write_all(b"[")?;
                for (i, run) in runs.into_iter().enumerate() {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    write_run_text(run, edit, &mut out)?;
                }
                out.write_all(b"]")?;
            }
            _ => out.write_all(value.get().as_bytes())?,
        }
    }
    out.write_all(b"}")
}

fn write_run_text(run: Members, edit: &impl LogEdit, out: &mut impl Write) -> std::io::Result<()> {
    let mut members = Map::new();
    let mut results = Vec::new();
    for (key, value) in run.0 {
        if key == "results" {
            if let Ok(list) = serde_json::from_str::<Vec<&RawValue>>(value.get()) {
                results = list;
                members.insert(key, Value::Array(Vec::new()));
                continue;
            }
        }
        members.insert(key, serde_json::from_str(value.get())?);
    }
    if edit.edits() {
        edit.edit_run(&mut members);
    }
    write_members(out, &members, "results", |out| {
        let texts = results.into_iter().filter_map(|raw| {
            let kind = kind_of(raw);
            if edit.edits() {
                edited_result(raw, kind.as_deref(), edit).transpose()
            } else {
                // Nothing to change: the text as it is.
                edit.keeps(kind.as_deref())
                    .then(|| Ok(raw.get().as_bytes().to_vec()))
            }
        });
        write_list(out, texts)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Leaves out passes; with `prefix`, puts it before every `uri` and adds `"edited": true` to
    /// each run.
    struct Test {
        prefix: &'static str,
    }

    impl LogEdit for Test {
        fn keeps(&self, kind: Option<&str>) -> bool {
            kind != Some("pass")
        }
        fn edits(&self) -> bool {
            !self.prefix.is_empty()
        }
        fn edit_run(&self, run: &mut Map<String, Value>) {
            run.insert("edited".into(), Value::Bool(true));
        }
        fn edit_result(&self, result: &mut Value) {
            if let Some(Value::String(uri)) = result.pointer_mut("/location/uri") {
                *uri = format!("{}{uri}", self.prefix);
            }
        }
    }

    #[test]
    fn runs_and_results_are_edited_one_at_a_time() {
        let log = json!({
            "version": "2.1.0",
            "runs": [
                {"tool": {"driver": {"name": "a"}}, "results": [
                    {"kind": "pass", "location": {"uri": "p.yaml"}},
                    {"kind": 3, "location": {"uri": "a.yaml"}},
                    {"location": {"uri": "b.yaml"}, "properties": {"kind": "pass"}}
                ], "columnKind": "unicodeCodePoints"},
                {"tool": {"driver": {"name": "b"}}},
                {"tool": {"driver": {"name": "c"}}, "results": null}
            ],
            "properties": {"x": [1, 2.5]}
        });
        let text = serde_json::to_string_pretty(&log).unwrap();
        let mut out = Vec::new();
        write_log_text_edited(&text, &Test { prefix: "" }, &mut out).unwrap();
        let mut expected = log.clone();
        expected["runs"][0]["results"]
            .as_array_mut()
            .unwrap()
            .remove(0);
        assert_eq!(serde_json::from_slice::<Value>(&out).unwrap(), expected);
        out.clear();
        write_log_text_edited(&text, &Test { prefix: "sub/" }, &mut out).unwrap();
        for run in expected["runs"].as_array_mut().unwrap() {
            run["edited"] = Value::Bool(true);
        }
        expected["runs"][0]["results"][0]["location"]["uri"] = json!("sub/a.yaml");
        expected["runs"][0]["results"][1]["location"]["uri"] = json!("sub/b.yaml");
        let written: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(written, expected);
        // Members keep their places.
        let keys: Vec<&String> = written["runs"][0].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["tool", "results", "columnKind", "edited"]);
        assert!(write_log_text_edited("[", &Test { prefix: "" }, &mut out).is_err());
    }
}
