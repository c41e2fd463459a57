//! Logs tollgate did not write itself (plugins, `merge` inputs) made safe to pass on: control
//! characters escaped (a message or a rule's help holding terminal escapes must not reach
//! whoever reads the merged log, nor GitHub, as it is), and what the SARIF schema refuses
//! repaired, so a log tollgate writes always validates: regions (a `startLine` of 0, a negative
//! length), URIs (a `helpUri` with a bad escape is dropped, an artifact's URI reference is
//! re-encoded to name the same file), empty location objects, and repeated items in lists the
//! schema wants unique. What was dropped or rewritten is counted in [`Repairs`] so the caller
//! can say so.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use serde_sarif::sarif::Run;

use crate::indexed::{drop_indexed_repeats, drop_result_graph_repeats, IndexRemap};
use crate::uri::{is_valid_uri, is_valid_uri_reference, reencode_reference};

/// Optional members whose value the schema gives the `uri` format (an absolute URI). One that
/// is not a URI points nowhere anyone can follow, so it is dropped. (`repositoryUri` is
/// required in its object: a version control entry without a valid one is dropped whole.)
const ABSOLUTE_URI_KEYS: [&str; 4] = [
    "informationUri",
    "downloadUri",
    "helpUri",
    "hostedViewerUri",
];

/// Lists the schema declares `uniqueItems` wherever they appear (`locations` too, except in a
/// thread flow, where a step may repeat). Lists that other parts point into by index (rules,
/// artifacts, graphs, taxa...) are not among them: dropping a repeat would move every later
/// item, so [`crate::indexed`] drops those together with a remap of the indices.
const UNIQUE_LISTS: [&str; 33] = [
    "analysisToolLogFiles",
    "annotations",
    "artifactChanges",
    "attachments",
    "children",
    "contents",
    "conversionSources",
    "deprecatedGuids",
    "deprecatedIds",
    "deprecatedNames",
    "edges",
    "fixes",
    "graphTraversals",
    "kinds",
    "locations",
    "newlineSequences",
    "nodes",
    "notificationConfigurationOverrides",
    "rectangles",
    "redactionTokens",
    "regions",
    "relatedLocations",
    "relationships",
    "responseFiles",
    "roles",
    "ruleConfigurationOverrides",
    "runAggregates",
    "stacks",
    "supportedTaxonomies",
    "suppressions",
    "tags",
    "versionControlProvenance",
    "workItemUris",
];

/// What making a log safe dropped or rewrote, per kind and member: how many times, and the
/// first value (escaped, shortened), so one line per kind says it however many results held it.
#[derive(Default, Debug)]
pub struct Repairs {
    seen: BTreeMap<(Repair, &'static str), (usize, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum Repair {
    InvalidUriDropped,
    UriReencoded,
    EmptyLocationDropped,
    RepeatDropped,
    NotADateTime,
    NotAllowed,
    SuppressionDropped,
    /// A relationship or configuration override whose reference names nothing.
    ReferenceToNothing,
    /// An external property file reference with neither a location nor a guid.
    ExternalReferenceDropped,
    /// A part whose repairs would no longer read as SARIF: only its text was escaped.
    NotRepaired,
    /// A region's line, column, offset or length out of SARIF's range.
    RegionNumberDropped,
    /// A fix, change or replacement left without what it requires.
    IncompleteDropped,
    /// A value that does not match the schema's pattern for its member (a GUID...).
    NotThePattern,
    /// A region that no longer says where it starts.
    RegionWithoutStart,
    /// A graph traversal that names neither a run's graph nor a result's, or both.
    TraversalDropped,
}

/// Longest value quoted in a repair message.
const QUOTED_CHARS: usize = 120;

impl Repairs {
    pub(crate) fn note(
        &mut self,
        repair: Repair,
        member: &'static str,
        value: impl FnOnce() -> String,
    ) {
        let entry = self.seen.entry((repair, member)).or_insert_with(|| {
            let text = value();
            let mut quoted: String = text.chars().take(QUOTED_CHARS).collect();
            if quoted.len() < text.len() {
                quoted.push('…');
            }
            (0, quoted)
        });
        entry.0 += 1;
    }

    /// Add the repairs of `other` to these.
    pub(crate) fn absorb(&mut self, other: Repairs) {
        for (key, (count, first)) in other.seen {
            self.seen.entry(key).or_insert((0, first)).0 += count;
        }
    }

    /// Whether nothing was repaired.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// One sentence per kind of repair and member, e.g. "dropped 2 `helpUri` values that are
    /// not valid URIs (the first: \"https://x/%ZZ\")".
    pub fn messages(&self) -> Vec<String> {
        self.seen
            .iter()
            .map(|((repair, member), (count, first))| {
                let (one, many) = match repair {
                    Repair::InvalidUriDropped => ("value that is", "values that are"),
                    Repair::UriReencoded => ("value that was", "values that were"),
                    Repair::EmptyLocationDropped => ("empty location", "empty locations"),
                    Repair::RepeatDropped => ("repeated item", "repeated items"),
                    Repair::NotADateTime | Repair::NotAllowed => ("value", "values"),
                    Repair::SuppressionDropped => ("suppression", "suppressions"),
                    Repair::ReferenceToNothing => ("item", "items"),
                    Repair::ExternalReferenceDropped => ("reference", "references"),
                    Repair::NotRepaired => ("part", "parts"),
                    Repair::RegionNumberDropped => ("value", "values"),
                    Repair::IncompleteDropped => ("item", "items"),
                    Repair::NotThePattern => ("value", "values"),
                    Repair::RegionWithoutStart => ("region", "regions"),
                    Repair::TraversalDropped => ("graph traversal", "graph traversals"),
                };
                let what = if *count == 1 { one } else { many };
                match repair {
                    Repair::InvalidUriDropped => format!(
                        "dropped {count} `{member}` {what} not a valid URI (the first: {first})"
                    ),
                    Repair::UriReencoded => format!(
                        "percent-encoded {count} `{member}` {what} not a valid URI reference, \
                         so they name the same file (the first: {first})"
                    ),
                    Repair::EmptyLocationDropped => {
                        format!("dropped {count} {what} (`{{}}`) from `{member}`")
                    }
                    Repair::RepeatDropped => format!(
                        "dropped {count} {what} from `{member}`, which SARIF wants without repeats"
                    ),
                    Repair::NotADateTime => format!(
                        "dropped {count} `{member}` {what} that are not RFC 3339 date-times \
                         (the first: {first})"
                    ),
                    Repair::NotAllowed => format!(
                        "dropped {count} `{member}` {what} that SARIF does not define \
                         (the first: {first})"
                    ),
                    Repair::SuppressionDropped => format!(
                        "dropped {count} {what} whose `kind` is neither \"inSource\" nor \
                         \"external\" (the first: {first}); those results count as unsuppressed"
                    ),
                    Repair::ReferenceToNothing => format!(
                        "dropped {count} `{member}` {what} whose reference gives no index, guid \
                         or id, so names nothing"
                    ),
                    Repair::ExternalReferenceDropped => format!(
                        "dropped {count} `externalPropertyFileReferences.{member}` {what} with \
                         neither a `location` nor a `guid`"
                    ),
                    Repair::RegionNumberDropped => format!(
                        "dropped {count} region `{member}` {what} out of SARIF's range or before \
                         the start (the first: {first}); a region left without a start is dropped"
                    ),
                    Repair::IncompleteDropped => format!(
                        "dropped {count} `{member}` {what} left without the part SARIF requires \
                         in them (a replacement's deleted region, a change's replacements, a \
                         fix's changes)"
                    ),
                    Repair::NotThePattern => format!(
                        "dropped {count} `{member}` {what} that do not match SARIF's pattern for \
                         it (the first: {first})"
                    ),
                    Repair::RegionWithoutStart => format!(
                        "dropped {count} `{member}` {what} without a start (no valid \
                         `startLine`, `charOffset` or `byteOffset`)"
                    ),
                    Repair::TraversalDropped => format!(
                        "dropped {count} {what} from `{member}` giving neither or both of \
                         `runGraphIndex` and `resultGraphIndex`"
                    ),
                    Repair::NotRepaired => format!(
                        "escaped the text of {count} `{member}` {what} but could not repair what \
                         the schema refuses in them, because the repaired form no longer reads as \
                         SARIF ({first})"
                    ),
                }
            })
            .collect()
    }
}

/// Escape the control and bidirectional-override characters of every string in `run` (see
/// [`tollgate_core::display::visible`]) and repair what the schema would refuse (see the
/// module's documentation); keys, other numbers and structure are left alone. Results are
/// handled one at a time, so a run of many results is never held twice over; one that needs
/// nothing is not rebuilt. Returns what was dropped or rewritten.
pub fn escape_control_characters(run: &mut Run) -> Repairs {
    let mut repairs = Repairs::default();
    let results = run.results.take();
    let remap = make_run_safe(run, &mut repairs);
    if let Some(mut results) = results {
        for result in &mut results {
            make_safe(result, "results", &mut repairs, |value, repairs| {
                let changed = walk(value, Place::Result, repairs);
                if remap.is_identity() {
                    return changed;
                }
                remap.apply(value);
                true
            });
        }
        run.results = Some(results);
    }
    repairs
}

/// Make a run without its results safe (see [`escape_control_characters`]), dropping the
/// repeats of its indexed lists; the remap its results' indices need.
pub(crate) fn make_run_safe(run: &mut Run, repairs: &mut Repairs) -> IndexRemap {
    let mut remap = IndexRemap::default();
    let repaired = make_safe(run, "runs", repairs, |value, repairs| {
        let mut changed = walk(value, Place::Top, repairs);
        if let Value::Object(map) = value {
            remap = drop_indexed_repeats(map, repairs);
            changed |= !remap.is_identity();
        }
        changed
    });
    if !repaired {
        remap = IndexRemap::default();
    }
    remap
}

/// Escape and repair `item` (a run or a result, named by `member` in messages) through its JSON
/// form with `repair`, which says whether it changed anything. When the repaired form no longer
/// reads back into the SARIF type, the item is not left as it was: its text is escaped all the
/// same and a repair message says what could not be repaired. Whether the repairs were applied.
fn make_safe<T: Serialize + DeserializeOwned>(
    item: &mut T,
    member: &'static str,
    repairs: &mut Repairs,
    repair: impl FnOnce(&mut Value, &mut Repairs) -> bool,
) -> bool {
    let Ok(mut value) = serde_json::to_value(&*item) else {
        repairs.note(Repair::NotRepaired, member, || {
            "it could not be written as JSON".to_string()
        });
        return false;
    };
    let mut attempt = Repairs::default();
    if !repair(&mut value, &mut attempt) {
        return true;
    }
    let error = match serde_json::from_value(value) {
        Ok(safe) => {
            *item = safe;
            repairs.absorb(attempt);
            return true;
        }
        Err(e) => e.to_string(),
    };
    repairs.note(Repair::NotRepaired, member, || error);
    if let Ok(mut value) = serde_json::to_value(&*item) {
        // Escaping changes only strings that hold control characters, which no member with a
        // closed set of values accepts: the escaped form reads back.
        if escape_strings(&mut value) {
            if let Ok(safe) = serde_json::from_value(value) {
                *item = safe;
            }
        }
    }
    false
}

/// Escape every string under `value`, keys excepted; whether any changed.
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

/// [`escape_control_characters`] for one result already in JSON form (a merged result).
pub(crate) fn make_value_safe(value: &mut Value, repairs: &mut Repairs) {
    walk(value, Place::Result, repairs);
}

/// Where a value sits, as far as the repairs care.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    Top,
    /// An item of a `threadFlows` list: its `locations` may repeat.
    ThreadFlow,
    /// A result (an item of `results`, or a merged result on its own).
    Result,
    /// Inside a property bag (`properties`): the tool's own data, only escaped, except the
    /// bag's `tags`, which the schema wants unique.
    Bag,
    /// The run's `externalPropertyFileReferences`.
    External,
    Other,
}

/// Escape every string under `value` and repair what the schema refuses; whether anything
/// changed.
fn walk(value: &mut Value, place: Place, repairs: &mut Repairs) -> bool {
    match value {
        Value::String(_) => escape_strings(value),
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |c, v| walk(v, place, repairs) | c),
        Value::Object(map) => {
            let mut changed = false;
            if place != Place::Bag {
                changed |= repair_places(map, repairs);
            }
            for (key, child) in map.iter_mut() {
                let child_place = match (place, key.as_str()) {
                    (Place::Bag, _) => Place::Bag,
                    (_, "properties") => Place::Bag,
                    (_, "threadFlows") => Place::ThreadFlow,
                    (_, "results") => Place::Result,
                    (_, "externalPropertyFileReferences") => Place::External,
                    _ => Place::Other,
                };
                changed |= walk(child, child_place, repairs);
            }
            match place {
                // A bag's members are the tool's own; only its tags are the schema's.
                Place::Bag => changed |= drop_repeats(map, "tags", repairs),
                Place::External => changed |= repair_external_references(map, repairs),
                _ => {
                    changed |= repair_messages_and_references(map);
                    changed |= repair_uris(map, repairs);
                    changed |= repair_enums_and_times(map, place, repairs);
                    changed |= drop_empty_locations(map, place, repairs);
                    for key in UNIQUE_LISTS {
                        if key == "locations" && place == Place::ThreadFlow {
                            continue;
                        }
                        changed |= drop_repeats(map, key, repairs);
                    }
                    // A location's logical locations and a result's or step's taxa are plain
                    // lists; the run's and a tool component's (which has a `name`) are indexed.
                    if place != Place::Top {
                        changed |= drop_repeats(map, "logicalLocations", repairs);
                    }
                    if !map.contains_key("name") {
                        changed |= drop_repeats(map, "taxa", repairs);
                    }
                    if place == Place::Result {
                        changed |= drop_result_graph_repeats(map, repairs);
                    }
                    changed |= drop_references_to_nothing(map, repairs);
                    changed |= drop_incomplete_fixes(map, repairs);
                }
            }
            changed
        }
        _ => false,
    }
}

/// Repair the regions of `map` and drop a physical location that names no place.
fn repair_places(map: &mut Map<String, Value>, repairs: &mut Repairs) -> bool {
    let mut changed = false;
    for key in ["region", "contextRegion", "deletedRegion"] {
        if let Some(Value::Object(region)) = map.get_mut(key) {
            let starts = |region: &Map<String, Value>| {
                ["startLine", "charOffset", "byteOffset"]
                    .iter()
                    .any(|k| region.contains_key(*k))
            };
            let had_start = starts(region);
            changed |= repair_region(region, repairs);
            // A region with nothing left to say where it starts says nothing (and the schema
            // refuses it). A replacement without its `deletedRegion` goes too, in
            // [`drop_incomplete_fixes`].
            if !starts(region) {
                // One whose start was just dropped is already said, with the number.
                if !had_start {
                    repairs.note(Repair::RegionWithoutStart, key, String::new);
                }
                map.remove(key);
                changed = true;
            }
        }
    }
    // A physical location must name an artifact or an address; one that names neither (a
    // region alone) cannot be placed anywhere and is dropped, the rest of its location kept.
    let placeless = map
        .get("physicalLocation")
        .is_some_and(|p| p.get("artifactLocation").is_none() && p.get("address").is_none());
    if placeless {
        map.remove("physicalLocation");
        changed = true;
    }
    changed
}

/// A message (`message`, `description`, `label`) must have `text` or `id`: one with only
/// `markdown` gets it as its text, one with nothing gets an empty text (a notification or a
/// result cannot go without its message). A reference to a rule or a notification descriptor
/// (`rule`, `descriptor`, `associatedRule`) must give an index, a guid or an id: one that gives
/// none refers to nothing and is dropped.
fn repair_messages_and_references(map: &mut Map<String, Value>) -> bool {
    let mut changed = false;
    for key in ["message", "description", "label"] {
        let Some(Value::Object(message)) = map.get_mut(key) else {
            continue;
        };
        if message.contains_key("text") || message.contains_key("id") {
            continue;
        }
        let text = match message.get("markdown") {
            Some(Value::String(markdown)) => markdown.clone(),
            _ => String::new(),
        };
        message.insert("text".to_string(), Value::String(text));
        changed = true;
    }
    for key in ["rule", "descriptor", "associatedRule"] {
        let refers = |reference: &Map<String, Value>| {
            ["index", "guid", "id"]
                .iter()
                .any(|k| reference.contains_key(*k))
        };
        if let Some(Value::Object(reference)) = map.get(key) {
            if !refers(reference) {
                map.remove(key);
                changed = true;
            }
        }
    }
    changed
}

/// Drop the absolute URIs that are not URIs, and re-encode a URI reference (`uri`) that is not
/// one so it still names the same file. Runs after the strings were escaped, so what is checked
/// is what would be written.
fn repair_uris(map: &mut Map<String, Value>, repairs: &mut Repairs) -> bool {
    let mut changed = false;
    for key in ABSOLUTE_URI_KEYS {
        if let Some(Value::String(text)) = map.get(key) {
            if !is_valid_uri(text) {
                repairs.note(Repair::InvalidUriDropped, key, || format!("{text:?}"));
                map.remove(key);
                changed = true;
            }
        }
    }
    changed |= retain_items(map, "workItemUris", |item| match item {
        Value::String(text) if !is_valid_uri(text) => {
            repairs.note(Repair::InvalidUriDropped, "workItemUris", || {
                format!("{text:?}")
            });
            false
        }
        _ => true,
    });
    changed |= retain_items(map, "versionControlProvenance", |item| {
        match item.get("repositoryUri") {
            Some(Value::String(text)) if !is_valid_uri(text) => {
                repairs.note(Repair::InvalidUriDropped, "repositoryUri", || {
                    format!("{text:?}, with its `versionControlProvenance` entry")
                });
                false
            }
            _ => true,
        }
    });
    if let Some(Value::String(text)) = map.get_mut("uri") {
        if !is_valid_uri_reference(text) {
            let encoded = reencode_reference(text);
            repairs.note(Repair::UriReencoded, "uri", || {
                format!("{text:?} -> {encoded:?}")
            });
            *text = encoded;
            changed = true;
        }
    }
    changed
}

/// Members with a closed set of values, wherever they appear outside a property bag.
const ENUMS: [(&str, &[&str]); 6] = [
    ("level", &["none", "note", "warning", "error"]),
    ("baselineState", &["new", "unchanged", "updated", "absent"]),
    ("status", &["accepted", "underReview", "rejected"]),
    ("importance", &["important", "essential", "unimportant"]),
    ("columnKind", &["utf16CodeUnits", "unicodeCodePoints"]),
    ("contents", &["localizedData", "nonLocalizedData"]),
];

const RESULT_KINDS: [&str; 6] = [
    "notApplicable",
    "pass",
    "fail",
    "review",
    "open",
    "informational",
];

const ARTIFACT_ROLES: [&str; 23] = [
    "analysisTarget",
    "attachment",
    "responseFile",
    "resultFile",
    "standardStream",
    "tracedFile",
    "unmodified",
    "modified",
    "added",
    "deleted",
    "renamed",
    "uncontrolled",
    "driver",
    "extension",
    "translation",
    "taxonomy",
    "policy",
    "referencedOnCommandLine",
    "memoryContents",
    "directory",
    "userSpecifiedConfiguration",
    "toolSpecifiedConfiguration",
    "debugOutputFile",
];

/// Members the schema gives the `date-time` format; all are optional.
const DATE_TIMES: [&str; 8] = [
    "lastModifiedTimeUtc",
    "startTimeUtc",
    "endTimeUtc",
    "timeUtc",
    "firstDetectionTimeUtc",
    "lastDetectionTimeUtc",
    "executionTimeUtc",
    "asOfTimeUtc",
];

/// Members the schema gives a pattern; all are optional (`deprecatedGuids` is a list of GUIDs).
/// A reference that named something by its `guid` alone names nothing once the GUID is dropped,
/// and goes with it (see [`drop_references_to_nothing`]).
#[allow(clippy::type_complexity)]
const PATTERNS: [(&str, fn(&str) -> bool); 10] = [
    ("guid", crate::patterns::is_guid),
    ("correlationGuid", crate::patterns::is_guid),
    ("baselineGuid", crate::patterns::is_guid),
    ("runGuid", crate::patterns::is_guid),
    ("firstDetectionRunGuid", crate::patterns::is_guid),
    ("lastDetectionRunGuid", crate::patterns::is_guid),
    ("deprecatedGuids", crate::patterns::is_guid),
    ("language", crate::patterns::is_language),
    ("mimeType", crate::patterns::is_mime_type),
    ("dottedQuadFileVersion", crate::patterns::is_dotted_quad),
];

/// Drop values outside SARIF's closed sets (a `level` of "#note", a result `kind` of "bad")
/// and times that are not RFC 3339. A suppression must have a `kind` SARIF defines; one that
/// has not is dropped, so its result counts as unsuppressed rather than passing unchecked.
fn repair_enums_and_times(
    map: &mut Map<String, Value>,
    place: Place,
    repairs: &mut Repairs,
) -> bool {
    let mut changed = false;
    let mut check = |map: &mut Map<String, Value>,
                     key: &'static str,
                     allowed: &dyn Fn(&str) -> bool,
                     repair: Repair| {
        match map.get_mut(key) {
            Some(Value::String(text)) if !allowed(text) => {
                repairs.note(repair, key, || format!("{text:?}"));
                map.remove(key);
                changed = true;
            }
            Some(Value::Array(items)) if key != "level" => {
                let before = items.len();
                items.retain(|item| match item {
                    Value::String(text) if !allowed(text) => {
                        repairs.note(repair, key, || format!("{text:?}"));
                        false
                    }
                    _ => true,
                });
                changed |= items.len() != before;
            }
            _ => {}
        }
    };
    for (key, values) in ENUMS {
        check(map, key, &|v: &str| values.contains(&v), Repair::NotAllowed);
    }
    if place == Place::Result {
        check(
            map,
            "kind",
            &|v: &str| RESULT_KINDS.contains(&v),
            Repair::NotAllowed,
        );
    }
    check(
        map,
        "roles",
        &|v: &str| ARTIFACT_ROLES.contains(&v),
        Repair::NotAllowed,
    );
    for (key, pattern) in PATTERNS {
        check(map, key, &pattern, Repair::NotThePattern);
    }
    for key in DATE_TIMES {
        check(
            map,
            key,
            &crate::uri::is_rfc3339_date_time,
            Repair::NotADateTime,
        );
    }
    if let Some(Value::Array(suppressions)) = map.get_mut("suppressions") {
        let before = suppressions.len();
        suppressions.retain(|item| match item.get("kind") {
            Some(Value::String(kind)) if kind == "inSource" || kind == "external" => true,
            other => {
                repairs.note(Repair::SuppressionDropped, "suppressions", || {
                    other.map_or_else(|| "no kind".to_string(), Value::to_string)
                });
                false
            }
        });
        changed |= suppressions.len() != before;
    }
    changed
}

/// Keep the items of the list `map[key]` that `keep` accepts, and drop the list if that leaves
/// it empty; whether any item was dropped.
fn retain_items(map: &mut Map<String, Value>, key: &str, keep: impl FnMut(&Value) -> bool) -> bool {
    let Some(Value::Array(items)) = map.get_mut(key) else {
        return false;
    };
    let before = items.len();
    items.retain(keep);
    if items.len() == before {
        return false;
    }
    if items.is_empty() {
        map.remove(key);
    }
    true
}

/// Drop `{}` from lists of locations: a location that says nothing about where.
fn drop_empty_locations(map: &mut Map<String, Value>, place: Place, repairs: &mut Repairs) -> bool {
    let mut changed = false;
    for key in ["locations", "relatedLocations"] {
        // A thread flow's steps are not locations.
        if key == "locations" && place == Place::ThreadFlow {
            continue;
        }
        changed |= retain_items(map, key, |item| {
            let empty = item.as_object().is_some_and(Map::is_empty);
            if empty {
                repairs.note(Repair::EmptyLocationDropped, key, String::new);
            }
            !empty
        });
    }
    changed
}

/// Drop the items of `map[key]` that repeat an earlier one (compared as JSON).
fn drop_repeats(map: &mut Map<String, Value>, key: &'static str, repairs: &mut Repairs) -> bool {
    let Some(Value::Array(items)) = map.get_mut(key) else {
        return false;
    };
    if items.len() < 2 {
        return false;
    }
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    let before = items.len();
    items.retain(|item| seen.insert(serde_json::to_string(item).unwrap_or_default()));
    let dropped = before - items.len();
    if dropped == 0 {
        return false;
    }
    for _ in 0..dropped {
        repairs.note(Repair::RepeatDropped, key, String::new);
    }
    true
}

/// Whether a reporting descriptor reference names something: the schema wants an index, a
/// guid or an id.
fn refers(reference: &Value) -> bool {
    ["index", "guid", "id"]
        .iter()
        .any(|k| reference.get(*k).is_some())
}

/// Drop the relationships and configuration overrides whose reference names nothing (a rule's
/// relationship `target`, an override's `descriptor`). Both require the reference, so dropping
/// the reference alone would leave an item SARIF cannot read. A location's relationship points
/// at a location by number and is kept.
fn drop_references_to_nothing(map: &mut Map<String, Value>, repairs: &mut Repairs) -> bool {
    let mut changed = false;
    // A tool component's `taxa` are descriptors; elsewhere they are references.
    let taxa_are_references = !map.contains_key("name");
    changed |= retain_items(map, "graphTraversals", |item| {
        let keep = item.get("runGraphIndex").is_some() != item.get("resultGraphIndex").is_some();
        if !keep {
            repairs.note(Repair::TraversalDropped, "graphTraversals", String::new);
        }
        keep
    });
    if taxa_are_references {
        changed |= retain_items(map, "taxa", |item| {
            let keep = refers(item);
            if !keep {
                repairs.note(Repair::ReferenceToNothing, "taxa", String::new);
            }
            keep
        });
    }
    for (key, member) in [
        ("relationships", "target"),
        ("ruleConfigurationOverrides", "descriptor"),
        ("notificationConfigurationOverrides", "descriptor"),
    ] {
        changed |= retain_items(map, key, |item| {
            let keep = match item.get(member) {
                Some(Value::Number(_)) => true,
                Some(reference @ Value::Object(_)) => refers(reference),
                _ => false,
            };
            if !keep {
                repairs.note(Repair::ReferenceToNothing, key, String::new);
            }
            keep
        });
    }
    changed
}

/// A replacement requires its `deletedRegion`, an artifact change at least one replacement and a
/// fix at least one change: one whose required part was dropped as invalid goes too. Children
/// are repaired before their parents, so the loss travels up from a replacement to its fix.
fn drop_incomplete_fixes(map: &mut Map<String, Value>, repairs: &mut Repairs) -> bool {
    let mut changed = false;
    for (key, required) in [
        ("replacements", "deletedRegion"),
        ("artifactChanges", "replacements"),
        ("fixes", "artifactChanges"),
    ] {
        changed |= retain_items(map, key, |item| {
            let keep = item.get(required).is_some();
            if !keep {
                repairs.note(Repair::IncompleteDropped, key, String::new);
            }
            keep
        });
    }
    changed
}

/// The members of `externalPropertyFileReferences`: one reference each, or a list of them.
const EXTERNAL_REFERENCES: [&str; 16] = [
    "conversion",
    "graphs",
    "externalizedProperties",
    "artifacts",
    "invocations",
    "logicalLocations",
    "threadFlowLocations",
    "results",
    "taxonomies",
    "addresses",
    "driver",
    "extensions",
    "policies",
    "translations",
    "webRequests",
    "webResponses",
];

/// An external property file reference must give a `location` or a `guid`: one that gives
/// neither points at no file and is dropped. The lists of them must be without repeats; nothing
/// points into them by index.
fn repair_external_references(map: &mut Map<String, Value>, repairs: &mut Repairs) -> bool {
    let mut changed = false;
    let locates =
        |reference: &Value| reference.get("location").is_some() || reference.get("guid").is_some();
    for key in EXTERNAL_REFERENCES {
        match map.get(key) {
            Some(Value::Array(_)) => {
                changed |= retain_items(map, key, |item| {
                    let keep = locates(item);
                    if !keep {
                        repairs.note(Repair::ExternalReferenceDropped, key, String::new);
                    }
                    keep
                });
                changed |= drop_repeats(map, key, repairs);
            }
            Some(reference) if !locates(reference) => {
                repairs.note(Repair::ExternalReferenceDropped, key, String::new);
                map.remove(key);
                changed = true;
            }
            _ => {}
        }
    }
    changed
}

/// Drop the numbers of a region the schema refuses: lines and columns below 1, offsets below
/// -1, lengths below 0, and an end before the start. Whether anything was dropped.
fn repair_region(region: &mut Map<String, Value>, repairs: &mut Repairs) -> bool {
    let mut changed = false;
    let mut drop = |region: &mut Map<String, Value>, key: &'static str| {
        if let Some(value) = region.remove(key) {
            repairs.note(Repair::RegionNumberDropped, key, || value.to_string());
        }
    };
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
            drop(region, key);
            changed = true;
        }
    }
    let start = region.get("startLine").and_then(Value::as_i64);
    let end = region.get("endLine").and_then(Value::as_i64);
    if let (Some(start), Some(end)) = (start, end) {
        if end < start {
            drop(region, "endLine");
            drop(region, "endColumn");
            changed = true;
        }
    }
    if start.is_none() && region.contains_key("endLine") {
        drop(region, "endLine");
        drop(region, "endColumn");
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
        make_value_safe(&mut value, &mut Repairs::default());
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

    #[test]
    fn repeats_are_dropped_where_the_schema_wants_unique_items_only() {
        let step = serde_json::json!({"location": {"message": {"text": "again"}}});
        let mut value = serde_json::json!({
            "locations": [{"id": 1}, {"id": 1}, {}],
            "codeFlows": [{"threadFlows": [{"locations": [step.clone(), step.clone(), {}]}]}],
            "properties": {"tags": ["a", "a"], "mine": {"helpUri": "not a uri", "locations": [{}]}}
        });
        let mut repairs = Repairs::default();
        make_value_safe(&mut value, &mut repairs);
        assert_eq!(value["locations"], serde_json::json!([{"id": 1}]));
        // A thread flow may pass the same step twice, and its steps are not locations.
        assert_eq!(
            value["codeFlows"][0]["threadFlows"][0]["locations"],
            serde_json::json!([step.clone(), step, {}])
        );
        // A property bag is the tool's own, apart from its tags.
        assert_eq!(value["properties"]["tags"], serde_json::json!(["a"]));
        assert_eq!(
            value["properties"]["mine"],
            serde_json::json!({"helpUri": "not a uri", "locations": [{}]})
        );
        let messages = repairs.messages();
        assert_eq!(messages.len(), 3, "{messages:#?}");
        assert!(messages.contains(&"dropped 1 empty location (`{}`) from `locations`".to_string()));
    }

    #[test]
    fn messages_without_text_and_references_to_nothing_are_repaired() {
        let mut value = serde_json::json!({
            "message": {"teKt": "typo"},
            "descriptor": {"toolComponent": {"name": "x"}},
            "locations": [{"message": {"markdown": "*m*"}}],
            "rule": {"id": "R"}
        });
        make_value_safe(&mut value, &mut Repairs::default());
        assert_eq!(value["message"]["text"], "");
        assert!(value.get("descriptor").is_none(), "{value}");
        assert_eq!(value["locations"][0]["message"]["text"], "*m*");
        assert_eq!(value["rule"], serde_json::json!({"id": "R"}));
    }

    #[test]
    fn a_part_whose_repairs_do_not_read_back_is_still_escaped_and_said() {
        let mut result: serde_sarif::sarif::Result =
            serde_json::from_str(r#"{"ruleId":"R\u001b[2J","message":{"text":"m\u0007"}}"#)
                .unwrap();
        let mut repairs = Repairs::default();
        // A repair that leaves out what the type requires cannot be applied.
        let applied = make_safe(&mut result, "results", &mut repairs, |value, _| {
            value.as_object_mut().unwrap().remove("message");
            true
        });
        assert!(!applied);
        let text = serde_json::to_string(&result).unwrap();
        assert!(
            !text.contains("\\u001b") && !text.contains("\\u0007"),
            "{text}"
        );
        assert!(text.contains(r"R\\u{1b}[2J"), "{text}");
        let messages = repairs.messages();
        assert_eq!(messages.len(), 1, "{messages:#?}");
        assert!(
            messages[0].starts_with("escaped the text of 1 `results` part but could not repair")
                && messages[0].contains("missing field `message`"),
            "{messages:#?}"
        );
    }
}
