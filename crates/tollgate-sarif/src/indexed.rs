//! Lists that other parts of a run point into by position (artifacts, logical locations, thread
//! flow locations, addresses, web requests and responses, graphs, tool extensions, taxonomies,
//! and each tool component's rules, notifications and taxa), without repeats.
//!
//! The SARIF schema wants these lists unique, but dropping an item moves every later one. So a
//! repeat is dropped only together with a map from old positions to new ones, and every index
//! that points into the list is rewritten with it: a reference to a dropped repeat now names the
//! copy that stays (the two were identical, so it means the same), a reference past it moves
//! down with its item. The run is rewritten here; its results, which merging handles one at a
//! time, go through [`IndexRemap::apply`].

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::safe_text::{Repair, Repairs};

/// A tool component, by its position in the run after repeats were dropped.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Component {
    Driver,
    Extension(usize),
    Taxonomy(usize),
}

/// Which list of a tool component a descriptor reference points into.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Descriptors {
    Rules,
    Notifications,
    Taxa,
}

/// Where each item of a run's indexed lists moved when its repeats were dropped. Lists that
/// lost nothing have no entry, and a remap without entries changes nothing.
#[derive(Default, Debug)]
pub(crate) struct IndexRemap {
    lists: BTreeMap<&'static str, Vec<i64>>,
    descriptors: BTreeMap<(Component, Descriptors), Vec<i64>>,
    /// Names and guids of the run's extensions and taxonomies (after dropping repeats), to find
    /// the component a reference names without an index.
    extensions: Vec<(Option<String>, Option<String>)>,
    taxonomies: Vec<(Option<String>, Option<String>)>,
}

/// Run-level lists whose items may point at earlier items of the same list by `parentIndex`.
const RUN_LISTS: [&str; 7] = [
    "artifacts",
    "logicalLocations",
    "threadFlowLocations",
    "addresses",
    "webRequests",
    "webResponses",
    "graphs",
];

/// Run-level lists of tool components that nothing points into by position.
const UNREFERENCED_COMPONENT_LISTS: [&str; 2] = ["policies", "translations"];

impl IndexRemap {
    /// Whether applying the remap would change nothing.
    pub(crate) fn is_identity(&self) -> bool {
        self.lists.is_empty() && self.descriptors.is_empty()
    }

    /// Point the indices of one result of the run at the items that stay.
    pub(crate) fn apply(&self, result: &mut Value) {
        if !self.is_identity() {
            self.rewrite(result, Context::Result);
        }
    }

    fn remap(&self, list: &str, index: &mut Value) {
        if let Some(remap) = self.lists.get(list) {
            remap_value(index, remap);
        }
    }

    /// The component a `toolComponent` reference names (rewriting its index), given the list
    /// it points into when it gives only an index.
    fn component(&self, reference: &mut Map<String, Value>, taxonomy: bool) -> Option<Component> {
        if let Some(i) = reference.get_mut("index") {
            self.remap(if taxonomy { "taxonomies" } else { "extensions" }, i);
            let i = usize::try_from(i.as_i64()?).ok()?;
            return Some(if taxonomy {
                Component::Taxonomy(i)
            } else {
                Component::Extension(i)
            });
        }
        let same = |key: &str, have: &Option<String>| {
            reference
                .get(key)
                .and_then(Value::as_str)
                .is_some_and(|v| have.as_deref() == Some(v))
        };
        let named = |components: &[(Option<String>, Option<String>)]| {
            components
                .iter()
                .position(|(name, guid)| same("name", name) || same("guid", guid))
        };
        if taxonomy {
            if let Some(i) = named(&self.taxonomies) {
                return Some(Component::Taxonomy(i));
            }
        }
        if let Some(i) = named(&self.extensions) {
            return Some(Component::Extension(i));
        }
        named(&self.taxonomies).map(Component::Taxonomy)
    }

    /// Rewrite a reporting descriptor reference: its component's index, then its own.
    fn reference(&self, map: &mut Map<String, Value>, kind: Descriptors, owner: Option<Component>) {
        let component = match map.get_mut("toolComponent") {
            Some(Value::Object(component)) => self.component(component, kind == Descriptors::Taxa),
            _ if kind == Descriptors::Taxa && owner.is_none() => None,
            _ => Some(owner.unwrap_or(Component::Driver)),
        };
        let Some(component) = component else {
            return;
        };
        // A reference into a taxonomy names a taxon, whatever list its owner's descriptor is in.
        let kind = match component {
            Component::Taxonomy(_) => Descriptors::Taxa,
            _ => kind,
        };
        if let (Some(remap), Some(index)) = (
            self.descriptors.get(&(component, kind)),
            map.get_mut("index"),
        ) {
            remap_value(index, remap);
        }
    }

    fn rewrite(&self, value: &mut Value, context: Context) {
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let context = match context {
                        Context::Components(taxonomy) => Context::Component(if taxonomy {
                            Component::Taxonomy(i)
                        } else {
                            Component::Extension(i)
                        }),
                        other => other,
                    };
                    self.rewrite(item, context);
                }
            }
            Value::Object(map) => self.rewrite_object(map, context),
            _ => {}
        }
    }

    fn rewrite_object(&self, map: &mut Map<String, Value>, context: Context) {
        let own = |list: &'static str, keys: &[&str], map: &mut Map<String, Value>| {
            for key in keys {
                if let Some(index) = map.get_mut(*key) {
                    self.remap(list, index);
                }
            }
        };
        match context {
            Context::ArtifactLocation => own("artifacts", &["index"], map),
            Context::Artifact => own("artifacts", &["parentIndex"], map),
            Context::Logical => own("logicalLocations", &["index", "parentIndex"], map),
            Context::Address => own("addresses", &["index", "parentIndex"], map),
            Context::WebRequest => own("webRequests", &["index"], map),
            Context::WebResponse => own("webResponses", &["index"], map),
            Context::Step => own("threadFlowLocations", &["index"], map),
            Context::GraphTraversal => own("graphs", &["runGraphIndex"], map),
            Context::Reference(kind, owner) => self.reference(map, kind, owner),
            Context::ComponentReference(taxonomy) => {
                self.component(map, taxonomy);
            }
            Context::Result => {
                let mut rule = Map::new();
                if let Some(index) = map.get("ruleIndex").cloned() {
                    rule.insert("index".to_string(), index);
                    if let Some(component) = map.get("rule").and_then(|r| r.get("toolComponent")) {
                        rule.insert("toolComponent".to_string(), component.clone());
                    }
                    self.reference(&mut rule, Descriptors::Rules, None);
                    if let Some(index) = rule.remove("index") {
                        map.insert("ruleIndex".to_string(), index);
                    }
                }
            }
            _ => {}
        }
        for (key, child) in map.iter_mut() {
            let child_context = match (context, key.as_str()) {
                (_, "properties") => continue,
                (
                    _,
                    "artifactLocation"
                    | "analysisTarget"
                    | "executableLocation"
                    | "workingDirectory"
                    | "stdin"
                    | "stdout"
                    | "stderr"
                    | "stdoutStderr"
                    | "responseFiles"
                    | "analysisToolLogFiles"
                    | "mappedTo"
                    | "location",
                ) => Context::ArtifactLocation,
                (_, "artifacts") => Context::Artifact,
                (_, "logicalLocations") => Context::Logical,
                (_, "address" | "addresses") => Context::Address,
                (_, "webRequest" | "webRequests") => Context::WebRequest,
                (_, "webResponse" | "webResponses") => Context::WebResponse,
                (_, "threadFlowLocations") | (Context::ThreadFlow, "locations") => Context::Step,
                (_, "threadFlows") => Context::ThreadFlow,
                (_, "graphTraversals") => Context::GraphTraversal,
                (_, "rule" | "associatedRule") => Context::Reference(Descriptors::Rules, None),
                (Context::RuleOverride, "descriptor") => {
                    Context::Reference(Descriptors::Rules, None)
                }
                (_, "descriptor") => Context::Reference(Descriptors::Notifications, None),
                (_, "ruleConfigurationOverrides") => Context::RuleOverride,
                (_, "supportedTaxonomies") => Context::ComponentReference(true),
                (_, "associatedComponent") => Context::ComponentReference(false),
                (_, "driver") => Context::Component(Component::Driver),
                (_, "extensions") => Context::Components(false),
                (_, "taxonomies") => Context::Components(true),
                (Context::Component(c), "rules") => Context::Descriptor(c, Descriptors::Rules),
                (Context::Component(c), "notifications") => {
                    Context::Descriptor(c, Descriptors::Notifications)
                }
                (Context::Component(c), "taxa") => Context::Descriptor(c, Descriptors::Taxa),
                (_, "taxa") => Context::Reference(Descriptors::Taxa, None),
                (Context::Descriptor(c, kind), "relationships") => Context::Relationship(c, kind),
                (Context::Relationship(c, kind), "target") => Context::Reference(kind, Some(c)),
                _ => Context::Plain,
            };
            self.rewrite(child, child_context);
        }
    }
}

/// What the value being rewritten is, as far as the indices in it go.
#[derive(Clone, Copy)]
enum Context {
    Plain,
    Result,
    ArtifactLocation,
    Artifact,
    Logical,
    Address,
    WebRequest,
    WebResponse,
    ThreadFlow,
    Step,
    GraphTraversal,
    RuleOverride,
    /// A reporting descriptor reference into a list of its component (the owner's component
    /// when it names none: a relationship's target).
    Reference(Descriptors, Option<Component>),
    /// A `toolComponent` reference: into the taxonomies (true) or the extensions.
    ComponentReference(bool),
    /// A list of extensions (false) or taxonomies (true).
    Components(bool),
    Component(Component),
    Descriptor(Component, Descriptors),
    Relationship(Component, Descriptors),
}

/// Drop the repeats of the run's indexed lists (the run without its results) and point its own
/// references at the items that stay; the remap for its results.
pub(crate) fn drop_indexed_repeats(
    run: &mut Map<String, Value>,
    repairs: &mut Repairs,
) -> IndexRemap {
    let mut remap = IndexRemap::default();
    for key in RUN_LISTS {
        if let Some(list) = dedup_list(run, key, Some("parentIndex"), repairs) {
            remap.lists.insert(key, list);
        }
    }
    for key in UNREFERENCED_COMPONENT_LISTS {
        dedup_list(run, key, None, repairs);
    }
    if let Some(Value::Object(tool)) = run.get_mut("tool") {
        if let Some(list) = dedup_list(tool, "extensions", None, repairs) {
            remap.lists.insert("extensions", list);
        }
    }
    if let Some(list) = dedup_list(run, "taxonomies", None, repairs) {
        remap.lists.insert("taxonomies", list);
    }
    let names = |list: Option<&Value>| -> Vec<(Option<String>, Option<String>)> {
        let text = |c: &Value, key: &str| c.get(key).and_then(Value::as_str).map(str::to_string);
        match list {
            Some(Value::Array(items)) => items
                .iter()
                .map(|c| (text(c, "name"), text(c, "guid")))
                .collect(),
            _ => Vec::new(),
        }
    };
    remap.extensions = names(run.get("tool").and_then(|t| t.get("extensions")));
    remap.taxonomies = names(run.get("taxonomies"));

    let mut dedup_descriptors = |component: Component, map: &mut Map<String, Value>| {
        for (key, kind) in [
            ("rules", Descriptors::Rules),
            ("notifications", Descriptors::Notifications),
            ("taxa", Descriptors::Taxa),
        ] {
            if let Some(list) = dedup_list(map, key, None, repairs) {
                remap.descriptors.insert((component, kind), list);
            }
        }
    };
    if let Some(Value::Object(tool)) = run.get_mut("tool") {
        if let Some(Value::Object(driver)) = tool.get_mut("driver") {
            dedup_descriptors(Component::Driver, driver);
        }
        if let Some(Value::Array(items)) = tool.get_mut("extensions") {
            for (i, item) in items.iter_mut().enumerate() {
                if let Value::Object(c) = item {
                    dedup_descriptors(Component::Extension(i), c);
                }
            }
        }
    }
    if let Some(Value::Array(items)) = run.get_mut("taxonomies") {
        for (i, item) in items.iter_mut().enumerate() {
            if let Value::Object(c) = item {
                dedup_descriptors(Component::Taxonomy(i), c);
            }
        }
    }
    if !remap.is_identity() {
        remap.rewrite_object(run, Context::Plain);
    }
    remap
}

/// Drop the repeats of `map[key]`, keeping the first of each; the new position of every old
/// one when something was dropped. With `parent` (the key by which an item names another item
/// of the same list), two items are repeats when they are equal once each parent is named by
/// what it is rather than where it is, so that items that become equal only when their parents
/// are merged (a parent listed after its child included) are merged too: the kept ones still
/// differ once their parents are renumbered, as the schema's unique lists require.
fn dedup_list(
    map: &mut Map<String, Value>,
    key: &'static str,
    parent: Option<&str>,
    repairs: &mut Repairs,
) -> Option<Vec<i64>> {
    let Some(Value::Array(items)) = map.get_mut(key) else {
        return None;
    };
    if items.len() < 2 {
        return None;
    }
    let classes = match parent {
        Some(parent) => classes_in_tree(items, parent),
        None => classes(items),
    };
    let mut position_of: HashMap<usize, i64> = HashMap::with_capacity(items.len());
    let mut remap: Vec<i64> = Vec::with_capacity(items.len());
    let mut kept = Vec::with_capacity(items.len());
    for (item, class) in std::mem::take(items).into_iter().zip(classes) {
        let next = kept.len() as i64;
        let position = *position_of.entry(class).or_insert(next);
        if position == next {
            kept.push(item);
        } else {
            repairs.note(Repair::RepeatDropped, key, String::new);
        }
        remap.push(position);
    }
    let dropped = remap.len() != kept.len();
    *items = kept;
    dropped.then_some(remap)
}

/// A class per item: equal items (as JSON text) share one.
fn classes(items: &[Value]) -> Vec<usize> {
    let mut known: HashMap<String, usize> = HashMap::with_capacity(items.len());
    items
        .iter()
        .map(|item| {
            let next = known.len();
            *known
                .entry(serde_json::to_string(item).unwrap_or_default())
                .or_insert(next)
        })
        .collect()
}

/// A class per item of a list whose items name a parent in it by `parent`: items share a class
/// when they are equal with each parent replaced by its class. Parents are classed before their
/// children, following each chain up once, so this is linear in the list; a parent on a cycle
/// (which the schema does not forbid) is compared by its number as written.
fn classes_in_tree(items: &mut [Value], parent: &str) -> Vec<usize> {
    const UNCLASSED: usize = usize::MAX;
    const ON_PATH: usize = usize::MAX - 1;
    let count = items.len();
    let parent_of = |item: &Value| {
        item.get(parent)
            .and_then(Value::as_i64)
            .and_then(|p| usize::try_from(p).ok())
            .filter(|&p| p < count)
    };
    let mut class = vec![UNCLASSED; count];
    let mut known: HashMap<String, usize> = HashMap::with_capacity(count);
    let mut path = Vec::new();
    for start in 0..count {
        let mut at = start;
        while class[at] == UNCLASSED {
            class[at] = ON_PATH;
            path.push(at);
            match parent_of(&items[at]) {
                Some(up) => at = up,
                None => break,
            }
        }
        // From the top of the chain down: each parent is classed before its child.
        while let Some(i) = path.pop() {
            let up = parent_of(&items[i]);
            let written = items[i].get_mut(parent).map(std::mem::take);
            let named = match (up, &written) {
                (Some(up), _) if class[up] < ON_PATH => format!("class {}", class[up]),
                (_, Some(value)) => format!("as written {value}"),
                (_, None) => String::new(),
            };
            let mut text = serde_json::to_string(&items[i]).unwrap_or_default();
            // A NUL never appears in JSON text: the parent's name cannot run into the item's.
            text.push('\0');
            text.push_str(&named);
            if let (Some(slot), Some(value)) = (items[i].get_mut(parent), written) {
                *slot = value;
            }
            let next = known.len();
            class[i] = *known.entry(text).or_insert(next);
        }
    }
    class
}

/// Point `index` at where its item went; an index that named no item is left out of range as it
/// was (-1, SARIF's "not set", included).
fn remap_value(index: &mut Value, remap: &[i64]) {
    if let Some(i) = index.as_i64() {
        if let Some(new) = usize::try_from(i).ok().and_then(|i| remap.get(i)) {
            *index = Value::from(*new);
        }
    }
}

/// Drop a result's repeated graphs, pointing its graph traversals' `resultGraphIndex` at the
/// graphs that stay; whether any was dropped.
pub(crate) fn drop_result_graph_repeats(
    result: &mut Map<String, Value>,
    repairs: &mut Repairs,
) -> bool {
    let Some(remap) = dedup_list(result, "graphs", None, repairs) else {
        return false;
    };
    if let Some(Value::Array(traversals)) = result.get_mut("graphTraversals") {
        for traversal in traversals {
            if let Some(index) = traversal.get_mut("resultGraphIndex") {
                remap_value(index, &remap);
            }
        }
    }
    true
}
