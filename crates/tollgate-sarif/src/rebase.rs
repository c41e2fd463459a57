//! Making an external tool's URIs repo-relative under `%SRCROOT%`.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use serde_sarif::sarif::{ArtifactLocation, Run};
use tollgate_core::Notification;

use crate::build::SRCROOT;
use crate::uri::{
    decode, encode_path, file_uri_to_path, has_scheme, normalize, path_uri, relative_to,
};
use crate::visit::run_artifact_locations;

/// How many "outside the root" warnings one run may produce before they are summed up.
const MAX_WARNINGS: usize = 20;
/// Base ids may refer to other base ids; a cycle or a deep chain in a hostile log stops here.
const MAX_BASE_DEPTH: usize = 8;

/// Rewrite every URI of `run` that names a file under `repo_root` as a repo-relative,
/// percent-encoded URI with `uriBaseId: %SRCROOT%`. Handled: `file://` URIs, absolute paths,
/// paths relative to another `uriBaseId` (resolved through the run's `originalUriBaseIds`), and
/// relative paths, which are read as relative to `tool_root` (the directory the tool ran in; a
/// base id the log does not define is taken as `tool_root` too). URIs with another scheme
/// (`https:`) are left alone.
///
/// A URI outside `repo_root` is left as it was and reported in the returned `uri-outside-root`
/// warnings. `originalUriBaseIds` loses its `%SRCROOT%` entry (it named the tool's root) and any
/// entry no location uses any more, so no absolute path stays behind needlessly; use
/// [`crate::set_root_uri`] to point `%SRCROOT%` at the repository.
///
/// The run's invocations also lose what describes the machine the tool ran on and may carry
/// secrets: command line, arguments, environment variables, account, machine name, process id,
/// working directory, executable and response files, standard streams. The log is published.
pub fn rebase_uris(run: &mut Run, tool_root: &Path, repo_root: &Path) -> Vec<Notification> {
    let tool_root = absolute(tool_root);
    let repo_root = absolute(repo_root);
    scrub_invocations(run);
    let bases = run.original_uri_base_ids.clone().unwrap_or_default();
    let tool = run.tool.driver.name.clone();
    let mut outside: BTreeSet<String> = BTreeSet::new();

    run_artifact_locations(run, &mut |artifact| {
        let Some(uri) = artifact.uri.clone() else {
            return;
        };
        let Some(path) = resolve(&uri, artifact.uri_base_id.as_deref(), &bases, &tool_root) else {
            return;
        };
        match relative_to(&path, &repo_root) {
            Some(rel) => {
                artifact.uri = Some(encode_path(&rel));
                artifact.uri_base_id = Some(SRCROOT.to_string());
            }
            None => {
                // `%SRCROOT%` is about to mean the repository, so a URI that was relative to
                // the tool's `%SRCROOT%` is pinned to where it pointed.
                if artifact.uri_base_id.as_deref() == Some(SRCROOT) {
                    artifact.uri = Some(path_uri(&path));
                    artifact.uri_base_id = None;
                }
                outside.insert(uri);
            }
        }
    });
    prune_bases(run);

    let mut notes: Vec<Notification> = outside
        .iter()
        .take(MAX_WARNINGS)
        .map(|uri| {
            Notification::warning(
                "uri-outside-root",
                format!(
                    "{tool}: `{uri}` is outside the repository root {}; left as is",
                    repo_root.display()
                ),
            )
        })
        .collect();
    if outside.len() > MAX_WARNINGS {
        notes.push(Notification::warning(
            "uri-outside-root",
            format!(
                "{tool}: {} more URIs are outside the repository root; left as is",
                outside.len() - MAX_WARNINGS
            ),
        ));
    }
    notes
}

fn absolute(path: &Path) -> PathBuf {
    normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// The absolute path a URI names, or `None` for a non-file scheme or an unresolvable base.
fn resolve(
    uri: &str,
    base_id: Option<&str>,
    bases: &BTreeMap<String, ArtifactLocation>,
    tool_root: &Path,
) -> Option<PathBuf> {
    if has_scheme(uri) {
        return file_uri_to_path(uri).map(|p| normalize(&p));
    }
    let decoded = decode(uri);
    let path = Path::new(&decoded);
    if is_absolute_path(&decoded) {
        return Some(normalize(path));
    }
    let base = match base_id {
        Some(id) => resolve_base(id, bases, tool_root, 0)?,
        None => tool_root.to_path_buf(),
    };
    Some(normalize(&base.join(path)))
}

fn is_absolute_path(text: &str) -> bool {
    let b = text.as_bytes();
    // `/x` on any system, `C:/x` or `C:\x` from a Windows tool.
    text.starts_with('/')
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'/' | b'\\'))
}

fn resolve_base(
    id: &str,
    bases: &BTreeMap<String, ArtifactLocation>,
    tool_root: &Path,
    depth: usize,
) -> Option<PathBuf> {
    if depth > MAX_BASE_DEPTH {
        return None;
    }
    let Some(entry) = bases.get(id) else {
        return Some(tool_root.to_path_buf());
    };
    let Some(uri) = entry.uri.as_deref() else {
        return Some(tool_root.to_path_buf());
    };
    match entry.uri_base_id.as_deref() {
        Some(parent) if !has_scheme(uri) => {
            let parent = resolve_base(parent, bases, tool_root, depth + 1)?;
            Some(normalize(&parent.join(decode(uri))))
        }
        _ => resolve(uri, None, bases, tool_root),
    }
}

/// Drop `%SRCROOT%` and every base id no location refers to any more.
fn prune_bases(run: &mut Run) {
    let Some(mut bases) = run.original_uri_base_ids.take() else {
        return;
    };
    let mut used: HashSet<String> = HashSet::new();
    run_artifact_locations(run, &mut |artifact| {
        if let Some(id) = &artifact.uri_base_id {
            used.insert(id.clone());
        }
    });
    // A used base may itself be relative to another.
    let mut frontier: Vec<String> = used.iter().cloned().collect();
    while let Some(id) = frontier.pop() {
        if let Some(parent) = bases.get(&id).and_then(|b| b.uri_base_id.clone()) {
            if used.insert(parent.clone()) {
                frontier.push(parent);
            }
        }
    }
    bases.retain(|id, _| id != SRCROOT && used.contains(id));
    if !bases.is_empty() {
        run.original_uri_base_ids = Some(bases);
    }
}

fn scrub_invocations(run: &mut Run) {
    for invocation in run.invocations.iter_mut().flatten() {
        invocation.command_line = None;
        invocation.arguments = None;
        invocation.environment_variables = None;
        invocation.account = None;
        invocation.machine = None;
        invocation.process_id = None;
        invocation.working_directory = None;
        invocation.executable_location = None;
        invocation.response_files = None;
        invocation.stdin = None;
        invocation.stdout = None;
        invocation.stderr = None;
        invocation.stdout_stderr = None;
    }
}
