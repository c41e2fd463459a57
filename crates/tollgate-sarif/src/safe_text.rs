//! Logs tollgate did not write itself (plugins, `merge` inputs) made safe to pass on: control
//! characters escaped (a message or a rule's help holding terminal escapes must not reach
//! whoever reads the merged log, nor GitHub, as it is), and regions the SARIF schema refuses
//! (a `startLine` of 0, a negative length) repaired, so a log tollgate writes always validates.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use serde_sarif::sarif::Run;

/// Escape the control and bidirectional-override characters of every string in `run` (see
/// [`tollgate_core::display::visible`]) and repair every region the schema would refuse (see
/// [`repair_region`]); keys, other numbers and structure are left alone. Results are handled
/// one at a time, so a run of many results is never held twice over; one that needs nothing
/// is not rebuilt.
pub fn escape_control_characters(run: &mut Run) {
    let results = run.results.take();
    make_safe(run);
    if let Some(mut results) = results {
        for result in &mut results {
            make_safe(result);
        }
        run.results = Some(results);
    }
}

fn make_safe<T: Serialize + DeserializeOwned>(item: &mut T) {
    let Ok(mut value) = serde_json::to_value(&*item) else {
        return;
    };
    if !walk(&mut value) {
        return;
    }
    if let Ok(safe) = serde_json::from_value(value) {
        *item = safe;
    }
}

/// [`escape_control_characters`] for one value already in JSON form (a merged result).
pub(crate) fn make_value_safe(value: &mut Value) {
    walk(value);
}

/// Escape every string under `value` and repair every region; whether anything changed.
fn walk(value: &mut Value) -> bool {
    match value {
        Value::String(text) => match tollgate_core::display::visible(text) {
            std::borrow::Cow::Owned(safe) => {
                *text = safe;
                true
            }
            std::borrow::Cow::Borrowed(_) => false,
        },
        Value::Array(items) => items.iter_mut().fold(false, |c, v| walk(v) | c),
        Value::Object(map) => {
            let mut changed = false;
            for key in ["region", "contextRegion"] {
                if let Some(Value::Object(region)) = map.get_mut(key) {
                    changed |= repair_region(region);
                    // A region with nothing left to say where it starts says nothing.
                    if !["startLine", "charOffset", "byteOffset"]
                        .iter()
                        .any(|k| region.contains_key(*k))
                    {
                        map.remove(key);
                    }
                }
            }
            // A physical location must name an artifact or an address; one that names neither
            // (a region alone) cannot be placed anywhere and is dropped, the rest of its
            // location kept.
            let placeless = map
                .get("physicalLocation")
                .is_some_and(|p| p.get("artifactLocation").is_none() && p.get("address").is_none());
            if placeless {
                map.remove("physicalLocation");
                changed = true;
            }
            map.values_mut().fold(changed, |c, v| walk(v) | c)
        }
        _ => false,
    }
}

/// Drop the numbers of a region the schema refuses: lines and columns below 1, offsets below
/// -1, lengths below 0, and an end before the start. Whether anything was dropped.
fn repair_region(region: &mut Map<String, Value>) -> bool {
    let mut changed = false;
    for (key, least) in [
        ("startLine", 1),
        ("startColumn", 1),
        ("endLine", 1),
        ("endColumn", 1),
        ("charOffset", -1),
        ("byteOffset", -1),
        ("charLength", 0),
        ("byteLength", 0),
    ] {
        let bad = region
            .get(key)
            .is_some_and(|v| v.as_i64().is_none_or(|n| n < least));
        if bad {
            region.remove(key);
            changed = true;
        }
    }
    let start = region.get("startLine").and_then(Value::as_i64);
    let end = region.get("endLine").and_then(Value::as_i64);
    if let (Some(start), Some(end)) = (start, end) {
        if end < start {
            region.remove("endLine");
            region.remove("endColumn");
            changed = true;
        }
    }
    if start.is_none() && region.contains_key("endLine") {
        region.remove("endLine");
        region.remove("endColumn");
        changed = true;
    }
    changed
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

    #[test]
    fn regions_the_schema_refuses_are_repaired() {
        let mut run: Run = serde_json::from_str(
            r#"{"tool":{"driver":{"name":"t"}},"results":[
                {"ruleId":"R","message":{"text":"m"},"locations":[{"physicalLocation":{
                    "artifactLocation":{"uri":"a"},"region":{"startLine":0,"endLine":0}}}]},
                {"ruleId":"R","message":{"text":"m"},"locations":[{"physicalLocation":{
                    "artifactLocation":{"uri":"a"},
                    "region":{"startLine":5,"startColumn":0,"endLine":3,"charLength":-2},
                    "contextRegion":{"startLine":4}}}]}]}"#,
        )
        .unwrap();
        escape_control_characters(&mut run);
        let value = serde_json::to_value(&run).unwrap();
        let first = &value["results"][0]["locations"][0]["physicalLocation"];
        assert!(first.get("region").is_none(), "{first}");
        let second = &value["results"][1]["locations"][0]["physicalLocation"];
        assert_eq!(second["region"], serde_json::json!({"startLine": 5}));
        assert_eq!(second["contextRegion"], serde_json::json!({"startLine": 4}));
    }

    #[test]
    fn a_physical_location_without_artifact_or_address_is_dropped() {
        let mut value = serde_json::json!({"locations": [
            {"physicalLocation": {"region": {"startLine": 52}}, "message": {"text": "kept"}},
            {"physicalLocation": {"artifactLocation": {"uri": "a"}, "region": {"startLine": 1}}},
            {"physicalLocation": {"address": {"absoluteAddress": 16}}}
        ]});
        make_value_safe(&mut value);
        let locations = value["locations"].as_array().unwrap();
        assert_eq!(
            locations[0],
            serde_json::json!({"message": {"text": "kept"}})
        );
        assert_eq!(
            locations[1]["physicalLocation"]["artifactLocation"]["uri"],
            "a"
        );
        assert_eq!(
            locations[2]["physicalLocation"]["address"]["absoluteAddress"],
            16
        );
    }
}
