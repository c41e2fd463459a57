//! Merging logs: one run per (tool, category), results deduplicated, indices kept right.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_sarif::sarif::{ArtifactLocation, Invocation, Notification, Run, Sarif, ToolComponent};

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
    let mut runs: Vec<Run> = Vec::new();
    let mut keys: Vec<(String, String)> = Vec::new();
    for run in logs.into_iter().flat_map(|log| log.runs) {
        let key = run_key(&run);
        match keys.iter().position(|k| *k == key) {
            Some(i) => combine(&mut runs[i], run),
            None => {
                keys.push(key);
                runs.push(run);
            }
        }
    }
    if runs.len() > MAX_RUNS {
        return Err(SarifError::TooManyRuns {
            count: runs.len(),
            max: MAX_RUNS,
        });
    }
    for run in &mut runs {
        normalize_results(run);
        crate::escape_control_characters(run);
    }
    Ok(build_log(runs))
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

fn combine(target: &mut Run, mut source: Run) {
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

    let source_rule_ids: Vec<Option<String>> = source
        .results
        .iter()
        .flatten()
        .map(|r| rule_id(r, &source))
        .collect();
    let mut results = source.results.take().unwrap_or_default();
    for (result, id) in results.iter_mut().zip(source_rule_ids) {
        let in_extension = result
            .rule
            .as_ref()
            .is_some_and(|r| r.tool_component.is_some());
        let new_index = result
            .rule_index
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| remap.get(i).copied())
            .map(|i| i as i64);
        result.rule_index = new_index;
        if let Some(rule) = result.rule.as_mut().filter(|_| !in_extension) {
            rule.index = rule
                .index
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| remap.get(i).copied())
                .map(|i| i as i64);
        }
        if result.rule_id.is_none() {
            result.rule_id = id;
        }
        result_artifact_locations(result, &mut |a| remap_index(&mut a.index, &artifact_remap));
        for flow in result.code_flows.iter_mut().flatten() {
            for thread in &mut flow.thread_flows {
                for step in &mut thread.locations {
                    remap_index(&mut step.index, &step_remap);
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
                remap_index(&mut l.index, &logical_remap);
            }
        }
    }
    target.results.get_or_insert_with(Vec::new).extend(results);

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

fn normalize_results(run: &mut Run) {
    let Some(results) = run.results.take() else {
        return;
    };
    let mut seen: HashSet<DedupKey> = HashSet::with_capacity(results.len());
    let mut kept = Vec::with_capacity(results.len());
    for mut result in results {
        let rule = rule_id(&result, run).unwrap_or_default();
        // GitHub keys alerts by `ruleId`; spell it out where the tool only gave an index.
        if result.rule_id.is_none() && !rule.is_empty() {
            result.rule_id = Some(rule.clone());
        }
        let fp = result
            .partial_fingerprints
            .as_ref()
            .and_then(|p| p.get(PARTIAL_FINGERPRINT_KEY));
        let key = match fp {
            Some(fp) => DedupKey::Fingerprint(rule, fp.clone()),
            None => DedupKey::Place(
                rule,
                primary_artifact(&result)
                    .and_then(|a| artifact_uri(a, run))
                    .unwrap_or_default(),
                start_line(&result),
                message_text(&result, run),
            ),
        };
        if seen.insert(key) {
            kept.push(result);
        }
    }
    run.results = Some(kept);
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
