//! Merging logs: one run per (tool, category), results deduplicated, indices kept right.
//!
//! [`Merger`] takes runs one at a time and keeps each merged result as compact JSON text
//! with what it sorts by, never as SARIF structures: a log of 200,000 results merges in a
//! small multiple of its own size (see this crate's README). [`merge`] does the same for
//! logs already in memory.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::ser::{SerializeMap, SerializeSeq};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Notification, Result as SarifResult, Run, Sarif, ToolComponent,
};

use crate::access::{message_text, primary_artifact, rule_id, start_line};
use crate::build::build_log;
use crate::limits::MAX_RUNS;
use crate::visit::result_artifact_locations;
use crate::SarifError;
use tollgate_core::fingerprint::PARTIAL_FINGERPRINT_KEY;

/// Merge logs into one. Runs are keyed by (driver name, `automationDetails.id` category — the
/// part up to the last `/`, as GitHub reads it); runs with the same key become one run: rules
/// unioned by id (result `ruleIndex` fixed up), artifacts, logical locations and thread flow
/// locations appended without repeats (indices into them fixed up), taxonomies unioned by name,
/// tool extensions by name, invocations folded into one (`executionSuccessful` only when all
/// were). Other run-level lists (graphs, addresses, web requests, policies, translations) come
/// from the first run that has them; a later run's own copies are dropped, so its results'
/// indices into those (rare) lists are not fixed up.
///
/// Merged runs can exceed GitHub's per-run limits again: call [`crate::enforce_limits`] on each
/// run of the result before publishing. Every run's results are deduplicated by the
/// `tollgate/v1` partial fingerprint or, without one, by (rule id, URI, start line, message),
/// and every result gets a `ruleId` when it only had an index.
/// Run order is the order of first appearance.
///
/// Fails when the result would have more than [`MAX_RUNS`] runs (GitHub refuses such logs).
pub fn merge(logs: Vec<Sarif>) -> Result<Sarif, SarifError> {
    let mut merger = Merger::default();
    for (i, log) in logs.into_iter().enumerate() {
        let name = format!("log {}", i + 1);
        for mut run in log.runs {
            let results = run.results.take();
            let had_results = results.is_some();
            merger.add_run(
                &name,
                run,
                had_results,
                results.into_iter().flatten().map(Ok),
            );
        }
    }
    merger.finish()?.into_sarif()
}

/// Merges runs one at a time (see [`merge`] for what merging does), holding each result as
/// compact JSON.
#[derive(Default)]
pub struct Merger {
    runs: Vec<MergedRun>,
    keys: Vec<(String, String)>,
    /// Results left out because they could not be read, and values dropped or rewritten because
    /// the schema refuses them, as messages naming the input.
    dropped: Vec<String>,
}

struct MergedRun {
    /// The run without its results.
    run: Run,
    /// Whether any of the merged runs had a `results` list (an empty one included).
    had_results: bool,
    results: Vec<MergedResult>,
    seen: HashSet<DedupKey>,
}

/// One merged result: its JSON text, escaped and repaired, and what it sorts by.
struct MergedResult {
    json: Box<RawValue>,
    key: ResultKey,
}

/// Results are ordered as a scan orders its findings: path, line, rule, column, message.
type ResultKey = (String, Option<i64>, String, Option<i64>, String);

/// Where each of a source run's rules, artifacts, logical locations and thread flow locations
/// ended up in the merged run.
#[derive(Default)]
struct Remaps {
    identity: bool,
    rules: Vec<usize>,
    artifacts: Vec<i64>,
    logical: Vec<i64>,
    steps: Vec<i64>,
}

impl Merger {
    /// Add one run of the input `source_name` (its `results` taken out; `had_results` says
    /// whether it had the list) and its results. A result that could not be read is left out:
    /// its error is kept for [`Merger::dropped`] and said in the merged run's notifications.
    /// So is what the SARIF schema refuses and is dropped or rewritten rather than copied (an
    /// invalid URI, an empty location; see [`crate::escape_control_characters`]).
    pub fn add_run(
        &mut self,
        source_name: &str,
        mut run: Run,
        had_results: bool,
        results: impl IntoIterator<Item = Result<SarifResult, SarifError>>,
    ) {
        run.results = None;
        let mut repairs = crate::safe_text::Repairs::default();
        // Repeats dropped from the run's indexed lists move its results' indices first; merging
        // into an earlier run then moves them again.
        let index_remap = crate::safe_text::make_run_safe(&mut run, &mut repairs);
        let key = run_key(&run);
        let (index, remaps) = match self.keys.iter().position(|k| *k == key) {
            Some(i) => {
                let remaps = combine(&mut self.runs[i].run, run);
                (i, remaps)
            }
            None => {
                self.keys.push(key);
                self.runs.push(MergedRun {
                    run,
                    had_results: false,
                    results: Vec::new(),
                    seen: HashSet::new(),
                });
                (
                    self.runs.len() - 1,
                    Remaps {
                        identity: true,
                        ..Remaps::default()
                    },
                )
            }
        };
        let target = &mut self.runs[index];
        target.had_results |= had_results;
        for result in results {
            match result {
                Ok(mut result) => {
                    if !index_remap.is_identity() {
                        result = remap_result(result, &index_remap);
                    }
                    if !remaps.identity {
                        remaps.apply(&mut result);
                    }
                    target.push(result, &mut repairs);
                }
                Err(e) => {
                    let message =
                        format!("{e}; this result is left out, the rest of the log is merged");
                    note_dropped(&mut target.run, "result-unreadable", &message);
                    self.dropped.push(message);
                }
            }
        }
        let source = tollgate_core::display::visible(source_name);
        for repair in repairs.messages() {
            let message = format!("{source}: {repair}; the SARIF schema refuses them");
            note_dropped(&mut target.run, "invalid-sarif-dropped", &message);
            self.dropped.push(message);
        }
    }

    /// Messages for the results left out because they could not be read, and for what was
    /// dropped or rewritten because the schema refuses it.
    pub fn dropped(&self) -> &[String] {
        &self.dropped
    }

    /// The merged log. Fails when it would have more than [`MAX_RUNS`] runs.
    pub fn finish(self) -> Result<MergedLog, SarifError> {
        if self.runs.len() > MAX_RUNS {
            return Err(SarifError::TooManyRuns {
                count: self.runs.len(),
                max: MAX_RUNS,
            });
        }
        let mut runs = Vec::with_capacity(self.runs.len());
        let mut results = Vec::with_capacity(self.runs.len());
        for mut merged in self.runs {
            drop_repeated_taxa(&mut merged.run);
            let mut repairs = crate::safe_text::Repairs::default();
            let index_remap = crate::safe_text::make_run_safe(&mut merged.run, &mut repairs);
            if !index_remap.is_identity() {
                // Combining runs keeps their lists unique, so this is for safety's sake only.
                for result in &mut merged.results {
                    if let Ok(mut value) = serde_json::from_str::<Value>(result.json.get()) {
                        index_remap.apply(&mut value);
                        if let Ok(json) = serde_json::value::to_raw_value(&value) {
                            result.json = json;
                        }
                    }
                }
            }
            if merged.had_results {
                merged.run.results = Some(Vec::new());
            }
            runs.push(merged.run);
            results.push(merged.results);
        }
        Ok(MergedLog {
            log: build_log(runs),
            results,
        })
    }
}

impl MergedRun {
    /// Name the rule, deduplicate, escape and keep `result` as compact JSON.
    fn push(&mut self, mut result: SarifResult, repairs: &mut crate::safe_text::Repairs) {
        let run = &self.run;
        let rule = rule_id(&result, run).unwrap_or_default();
        // GitHub keys alerts by `ruleId`; spell it out where the tool only gave an index.
        if result.rule_id.is_none() && !rule.is_empty() {
            result.rule_id = Some(rule.clone());
        }
        let fp = result
            .partial_fingerprints
            .as_ref()
            .and_then(|p| p.get(PARTIAL_FINGERPRINT_KEY));
        let dedup = match fp {
            Some(fp) => DedupKey::Fingerprint(rule.clone(), fp.clone()),
            None => DedupKey::Place(
                rule.clone(),
                primary_artifact(&result)
                    .and_then(|a| artifact_uri(a, run))
                    .unwrap_or_default(),
                start_line(&result),
                message_text(&result, run),
            ),
        };
        if !self.seen.insert(dedup) {
            return;
        }
        let Ok(mut value) = serde_json::to_value(&result) else {
            return;
        };
        drop(result);
        crate::safe_text::make_value_safe(&mut value, repairs);
        let key = sort_key(&value, rule);
        // Serialising a `Value` cannot fail.
        let text = serde_json::to_string(&value).unwrap_or_default();
        if let Ok(json) = RawValue::from_string(text) {
            self.results.push(MergedResult { json, key });
        }
    }
}

/// `result` with its indices pointed where the repeats dropped from its run's lists left their
/// items (unchanged in the unlikely case that the rewritten form does not read back).
fn remap_result(result: SarifResult, remap: &crate::indexed::IndexRemap) -> SarifResult {
    let Ok(mut value) = serde_json::to_value(&result) else {
        return result;
    };
    remap.apply(&mut value);
    serde_json::from_value(value).unwrap_or(result)
}

/// What a merged result sorts by, read from its (escaped) JSON.
fn sort_key(value: &Value, rule: String) -> ResultKey {
    let region = &value["locations"][0]["physicalLocation"]["region"];
    let uri = value["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .map(crate::uri::decode)
        .unwrap_or_default();
    (
        uri,
        region["startLine"].as_i64(),
        value["ruleId"].as_str().map_or(rule, str::to_string),
        region["startColumn"].as_i64(),
        value["message"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

/// Say in `run`'s notifications (as a warning with descriptor `id`) that something was left out.
fn note_dropped(run: &mut Run, id: &str, message: &str) {
    let note: Notification = match serde_json::from_value(serde_json::json!({
        "level": "warning",
        "descriptor": {"id": id},
        "message": {"text": message},
    })) {
        Ok(note) => note,
        Err(_) => return,
    };
    let invocations = run.invocations.get_or_insert_with(Vec::new);
    if invocations.is_empty() {
        match serde_json::from_value(serde_json::json!({"executionSuccessful": true})) {
            Ok(invocation) => invocations.push(invocation),
            Err(_) => return,
        }
    }
    invocations[0]
        .tool_execution_notifications
        .get_or_insert_with(Vec::new)
        .push(note);
}

/// A merged log: its runs without results, and each run's results as compact JSON.
pub struct MergedLog {
    log: Sarif,
    results: Vec<Vec<MergedResult>>,
}

impl MergedLog {
    /// The log without its results, for the caller to adjust (notifications, for example).
    pub fn log_mut(&mut self) -> &mut Sarif {
        &mut self.log
    }

    /// How many results the merged log holds.
    pub fn result_count(&self) -> usize {
        self.results.iter().map(Vec::len).sum()
    }

    /// Put each run's results in the order a single scan reports them: path, line, rule,
    /// column, message (as `tollgate_core::postprocess::sort_findings` orders findings).
    pub fn sort_results(&mut self) {
        for results in &mut self.results {
            results.sort_by(|a, b| a.key.cmp(&b.key));
        }
    }

    /// The log as pretty JSON with a final newline, written as it is produced (the results
    /// as compact JSON, one per line). `out` should be buffered.
    pub fn write_json_pretty(&self, mut out: impl std::io::Write) -> std::io::Result<()> {
        let skeleton = serde_json::to_value(&self.log).map_err(std::io::Error::from)?;
        let view = LogView {
            skeleton: &skeleton,
            results: &self.results,
        };
        serde_json::to_writer_pretty(&mut out, &view).map_err(std::io::Error::from)?;
        out.write_all(b"\n")
    }

    /// The log with its results as SARIF structures (for logs small enough to hold so).
    pub fn into_sarif(self) -> Result<Sarif, SarifError> {
        let MergedLog { mut log, results } = self;
        for (run, results) in log.runs.iter_mut().zip(results) {
            if run.results.is_some() {
                let parsed = results
                    .iter()
                    .map(|r| serde_json::from_str(r.json.get()))
                    .collect::<Result<Vec<SarifResult>, _>>()
                    .map_err(|e| SarifError::Json {
                        source_name: "merged log".to_string(),
                        path: "runs[].results".to_string(),
                        line: e.line(),
                        column: e.column(),
                        message: e.to_string(),
                    })?;
                run.results = Some(parsed);
            }
        }
        Ok(log)
    }
}

/// The log's skeleton with each run's `results` spliced in.
struct LogView<'a> {
    skeleton: &'a Value,
    results: &'a [Vec<MergedResult>],
}

struct RunView<'a> {
    run: &'a Value,
    results: &'a [MergedResult],
}

struct ResultsView<'a>(&'a [MergedResult]);

impl Serialize for LogView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Value::Object(members) = self.skeleton else {
            return self.skeleton.serialize(s);
        };
        let mut map = s.serialize_map(Some(members.len()))?;
        for (key, value) in members {
            match (key.as_str(), value) {
                ("runs", Value::Array(runs)) => {
                    let runs: Vec<RunView> = runs
                        .iter()
                        .zip(self.results)
                        .map(|(run, results)| RunView { run, results })
                        .collect();
                    map.serialize_entry(key, &runs)?;
                }
                _ => map.serialize_entry(key, value)?,
            }
        }
        map.end()
    }
}

impl Serialize for RunView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Value::Object(members) = self.run else {
            return self.run.serialize(s);
        };
        let mut map = s.serialize_map(Some(members.len()))?;
        for (key, value) in members {
            if key == "results" {
                map.serialize_entry(key, &ResultsView(self.results))?;
            } else {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

impl Serialize for ResultsView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for result in self.0 {
            seq.serialize_element(&result.json)?;
        }
        seq.end()
    }
}

impl Remaps {
    /// Point `result`'s indices at the merged run's rules, artifacts, logical locations and
    /// thread flow locations.
    fn apply(&self, result: &mut SarifResult) {
        let in_extension = result
            .rule
            .as_ref()
            .is_some_and(|r| r.tool_component.is_some());
        let rule = |i: i64| {
            usize::try_from(i)
                .ok()
                .and_then(|i| self.rules.get(i).copied())
                .map(|i| i as i64)
        };
        result.rule_index = result.rule_index.and_then(rule);
        if let Some(r) = result.rule.as_mut().filter(|_| !in_extension) {
            r.index = r.index.and_then(rule);
        }
        result_artifact_locations(result, &mut |a| remap_index(&mut a.index, &self.artifacts));
        for flow in result.code_flows.iter_mut().flatten() {
            for thread in &mut flow.thread_flows {
                for step in &mut thread.locations {
                    remap_index(&mut step.index, &self.steps);
                }
            }
        }
        for location in result
            .locations
            .iter_mut()
            .flatten()
            .chain(result.related_locations.iter_mut().flatten())
        {
            for l in location.logical_locations.iter_mut().flatten() {
                remap_index(&mut l.index, &self.logical);
            }
        }
    }
}

/// GitHub's category of an automation id: everything up to and including the last `/`.
fn category(id: &str) -> &str {
    id.rfind('/').map_or("", |i| &id[..=i])
}

fn run_key(run: &Run) -> (String, String) {
    let id = run
        .automation_details
        .as_ref()
        .and_then(|a| a.id.as_deref())
        .unwrap_or("");
    (run.tool.driver.name.clone(), category(id).to_string())
}

/// Point a source index at the target's copy of the same element; an index that names
/// nothing in the source (or a forward `parentIndex`) is dropped rather than left dangling.
fn remap_index(index: &mut Option<i64>, remap: &[i64]) {
    if let Some(i) = *index {
        // -1 is SARIF's "not set".
        if i >= 0 {
            *index = usize::try_from(i).ok().and_then(|i| remap.get(i).copied());
        }
    }
}

/// Append the source's elements the target does not already hold (the schema requires
/// `artifacts` and `logicalLocations` to be unique), returning where each source element ended
/// up. `fix` rewrites an element's own back-references with the mapping so far, before it is
/// compared.
fn append_unique<T: serde::Serialize>(
    target: &mut Vec<T>,
    source: Vec<T>,
    mut fix: impl FnMut(&mut T, &[i64]),
) -> Vec<i64> {
    let key = |item: &T| serde_json::to_string(item).unwrap_or_default();
    let mut known: HashMap<String, i64> = target
        .iter()
        .enumerate()
        .map(|(i, item)| (key(item), i as i64))
        .collect();
    let mut remap = Vec::with_capacity(source.len());
    for mut item in source {
        fix(&mut item, &remap);
        let k = key(&item);
        let index = *known.entry(k).or_insert_with(|| {
            target.push(item);
            target.len() as i64 - 1
        });
        remap.push(index);
    }
    remap
}

/// Fold `source`'s run-level parts (not its results) into `target`; where its rules and
/// lists ended up.
fn combine(target: &mut Run, mut source: Run) -> Remaps {
    // Rules: union by id.
    let target_rules = target.tool.driver.rules.get_or_insert_with(Vec::new);
    let mut by_id: HashMap<String, usize> = target_rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect();
    let source_rules = source.tool.driver.rules.take().unwrap_or_default();
    let mut remap: Vec<usize> = Vec::with_capacity(source_rules.len());
    for rule in source_rules {
        let index = *by_id.entry(rule.id.clone()).or_insert_with(|| {
            target_rules.push(rule);
            target_rules.len() - 1
        });
        remap.push(index);
    }

    // Artifacts and logical locations are appended, so the source's indices into them move.
    let artifact_remap = append_unique(
        target.artifacts.get_or_insert_with(Vec::new),
        source.artifacts.take().unwrap_or_default(),
        |artifact, remap| {
            remap_index(&mut artifact.parent_index, remap);
            if let Some(location) = artifact.location.as_mut() {
                location.index = None;
            }
        },
    );
    let logical_remap = append_unique(
        target.logical_locations.get_or_insert_with(Vec::new),
        source.logical_locations.take().unwrap_or_default(),
        |logical, remap| remap_index(&mut logical.parent_index, remap),
    );
    let step_remap = append_unique(
        target.thread_flow_locations.get_or_insert_with(Vec::new),
        source.thread_flow_locations.take().unwrap_or_default(),
        |_, _| {},
    );
    if target
        .thread_flow_locations
        .as_ref()
        .is_some_and(Vec::is_empty)
    {
        target.thread_flow_locations = None;
    }
    if let Some(provenance) = source.version_control_provenance.take() {
        let list = target
            .version_control_provenance
            .get_or_insert_with(Vec::new);
        for p in provenance {
            if !list.contains(&p) {
                list.push(p);
            }
        }
    }
    // Run-level facts tollgate does not combine: the first run's stand, a later run's fill
    // only what the first lacks.
    target.properties = target.properties.take().or(source.properties.take());
    target.special_locations = target
        .special_locations
        .take()
        .or(source.special_locations.take());
    target.default_encoding = target
        .default_encoding
        .take()
        .or(source.default_encoding.take());
    target.default_source_language = target
        .default_source_language
        .take()
        .or(source.default_source_language.take());
    target.addresses = target.addresses.take().or(source.addresses.take());
    target.graphs = target.graphs.take().or(source.graphs.take());
    target.web_requests = target.web_requests.take().or(source.web_requests.take());
    target.web_responses = target.web_responses.take().or(source.web_responses.take());
    target.policies = target.policies.take().or(source.policies.take());
    target.translations = target.translations.take().or(source.translations.take());

    // Empty lists stay out of the log rather than appear as `[]`.
    if target.artifacts.as_ref().is_some_and(Vec::is_empty) {
        target.artifacts = None;
    }
    if target.logical_locations.as_ref().is_some_and(Vec::is_empty) {
        target.logical_locations = None;
    }

    merge_taxonomies(target, source.taxonomies.take().unwrap_or_default());
    merge_extensions(target, source.tool.extensions.take().unwrap_or_default());

    if let Some(bases) = source.original_uri_base_ids.take() {
        let target_bases = target
            .original_uri_base_ids
            .get_or_insert_with(BTreeMap::new);
        for (id, location) in bases {
            target_bases.entry(id).or_insert(location);
        }
    }
    let invocations: Vec<Invocation> = target
        .invocations
        .take()
        .into_iter()
        .flatten()
        .chain(source.invocations.take().into_iter().flatten())
        .collect();
    target.invocations = fold_invocations(invocations);
    Remaps {
        identity: false,
        rules: remap,
        artifacts: artifact_remap,
        logical: logical_remap,
        steps: step_remap,
    }
}

fn merge_extensions(target: &mut Run, extensions: Vec<ToolComponent>) {
    if extensions.is_empty() {
        return;
    }
    let list = target.tool.extensions.get_or_insert_with(Vec::new);
    for extension in extensions {
        if !list.iter().any(|e| e.name == extension.name) {
            list.push(extension);
        }
    }
}

fn merge_taxonomies(target: &mut Run, taxonomies: Vec<ToolComponent>) {
    if taxonomies.is_empty() {
        return;
    }
    let list = target.taxonomies.get_or_insert_with(Vec::new);
    for taxonomy in taxonomies {
        match list.iter_mut().find(|t| t.name == taxonomy.name) {
            Some(existing) => {
                let taxa = existing.taxa.get_or_insert_with(Vec::new);
                for taxon in taxonomy.taxa.unwrap_or_default() {
                    if !taxa.iter().any(|t| t.id == taxon.id) {
                        taxa.push(taxon);
                    }
                }
            }
            None => list.push(taxonomy),
        }
    }
    fix_taxonomy_references(target);
}

/// The schema wants a taxonomy's taxa without repeats. Rules point at taxa by index, so after
/// dropping a repeat their references are recomputed from names and ids.
fn drop_repeated_taxa(run: &mut Run) {
    let mut dropped = false;
    for taxonomy in run.taxonomies.iter_mut().flatten() {
        if let Some(taxa) = taxonomy.taxa.as_mut() {
            let mut seen = HashSet::with_capacity(taxa.len());
            let before = taxa.len();
            taxa.retain(|taxon| seen.insert(serde_json::to_string(taxon).unwrap_or_default()));
            dropped |= taxa.len() != before;
        }
    }
    if dropped {
        fix_taxonomy_references(run);
    }
}

/// Recompute taxonomy and taxon indices of rule relationships and supported taxonomies from
/// their names and ids, after taxonomies were unioned.
fn fix_taxonomy_references(run: &mut Run) {
    let Some(taxonomies) = run.taxonomies.as_ref() else {
        return;
    };
    let position = |name: &str| taxonomies.iter().position(|t| t.name == name);
    if let Some(supported) = run.tool.driver.supported_taxonomies.as_mut() {
        let mut seen = HashSet::new();
        supported.retain(|s| s.name.as_ref().is_none_or(|n| seen.insert(n.clone())));
        for s in supported.iter_mut() {
            if let Some(i) = s.name.as_deref().and_then(position) {
                s.index = Some(i as i64);
            }
        }
    }
    for rule in run.tool.driver.rules.iter_mut().flatten() {
        for relationship in rule.relationships.iter_mut().flatten() {
            let target = &mut relationship.target;
            let Some(component) = target.tool_component.as_mut() else {
                continue;
            };
            let Some(ti) = component.name.as_deref().and_then(position) else {
                continue;
            };
            component.index = Some(ti as i64);
            if let Some(id) = target.id.as_deref() {
                target.index = taxonomies[ti]
                    .taxa
                    .iter()
                    .flatten()
                    .position(|t| t.id == id)
                    .map(|i| i as i64);
            }
        }
    }
}

fn fold_invocations(invocations: Vec<Invocation>) -> Option<Vec<Invocation>> {
    let mut iter = invocations.into_iter();
    let mut merged = iter.next()?;
    for other in iter {
        merged.execution_successful &= other.execution_successful;
        // RFC 3339 UTC times in one format compare as text.
        merged.start_time_utc = match (merged.start_time_utc.take(), other.start_time_utc) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        merged.end_time_utc = match (merged.end_time_utc.take(), other.end_time_utc) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        for (into, from) in [
            (
                &mut merged.tool_execution_notifications,
                other.tool_execution_notifications,
            ),
            (
                &mut merged.tool_configuration_notifications,
                other.tool_configuration_notifications,
            ),
        ] {
            if let Some(from) = from {
                let into = into.get_or_insert_with(Vec::new);
                // Shards of one scan repeat run-wide notes ("advisories from ..."): keep one.
                let mut seen: HashSet<String> = into.iter().filter_map(notification_key).collect();
                into.extend(
                    from.into_iter()
                        .filter(|n| notification_key(n).is_none_or(|k| seen.insert(k))),
                );
            }
        }
    }
    Some(vec![merged])
}

/// Two notifications with the same serialized form say the same thing.
fn notification_key(n: &Notification) -> Option<String> {
    serde_json::to_string(n).ok()
}

#[derive(PartialEq, Eq, Hash)]
enum DedupKey {
    Fingerprint(String, String),
    Place(String, String, Option<i64>, String),
}

/// An artifact location's URI, looked up in `run.artifacts` when it only gives an index.
fn artifact_uri(artifact: &ArtifactLocation, run: &Run) -> Option<String> {
    if let Some(uri) = &artifact.uri {
        return Some(uri.clone());
    }
    let index = usize::try_from(artifact.index?).ok()?;
    run.artifacts
        .as_ref()?
        .get(index)?
        .location
        .as_ref()?
        .uri
        .clone()
}
