//! Walking every artifact location a result or run holds, so rebasing and merging treat them
//! all alike instead of only the primary location.

use serde_sarif::sarif::{ArtifactLocation, Location, Result as SarifResult, Run, Stack};

fn in_location(location: &mut Location, f: &mut dyn FnMut(&mut ArtifactLocation)) {
    if let Some(artifact) = location
        .physical_location
        .as_mut()
        .and_then(|p| p.artifact_location.as_mut())
    {
        f(artifact);
    }
}

fn in_stack(stack: &mut Stack, f: &mut dyn FnMut(&mut ArtifactLocation)) {
    for frame in &mut stack.frames {
        if let Some(location) = frame.location.as_mut() {
            in_location(location, f);
        }
    }
}

/// Every artifact location of one result: locations, related locations, code flows, stacks,
/// fixes, attachments and the analysis target.
pub fn result_artifact_locations(
    result: &mut SarifResult,
    f: &mut dyn FnMut(&mut ArtifactLocation),
) {
    for location in result
        .locations
        .iter_mut()
        .flatten()
        .chain(result.related_locations.iter_mut().flatten())
    {
        in_location(location, f);
    }
    for flow in result.code_flows.iter_mut().flatten() {
        for thread in &mut flow.thread_flows {
            for step in &mut thread.locations {
                if let Some(location) = step.location.as_mut() {
                    in_location(location, f);
                }
                if let Some(stack) = step.stack.as_mut() {
                    in_stack(stack, f);
                }
            }
        }
    }
    for stack in result.stacks.iter_mut().flatten() {
        in_stack(stack, f);
    }
    for fix in result.fixes.iter_mut().flatten() {
        for change in &mut fix.artifact_changes {
            f(&mut change.artifact_location);
        }
    }
    for attachment in result.attachments.iter_mut().flatten() {
        f(&mut attachment.artifact_location);
    }
    if let Some(target) = result.analysis_target.as_mut() {
        f(target);
    }
}

/// Every artifact location of a run: its results', its artifacts' and its notifications'.
pub fn run_artifact_locations(run: &mut Run, f: &mut dyn FnMut(&mut ArtifactLocation)) {
    for result in run.results.iter_mut().flatten() {
        result_artifact_locations(result, f);
    }
    for artifact in run.artifacts.iter_mut().flatten() {
        if let Some(location) = artifact.location.as_mut() {
            f(location);
        }
    }
    for invocation in run.invocations.iter_mut().flatten() {
        for note in invocation
            .tool_execution_notifications
            .iter_mut()
            .flatten()
            .chain(
                invocation
                    .tool_configuration_notifications
                    .iter_mut()
                    .flatten(),
            )
        {
            for location in note.locations.iter_mut().flatten() {
                in_location(location, f);
            }
        }
    }
}
