//! Paths as GitHub knows them. A scan of a subdirectory (`tollgate run services/api`) reports
//! paths relative to that directory, while check-run annotations, review comments, workflow
//! commands, links and code-scanning alerts are placed by their path from the repository's
//! root. Publishing rebases everything it sends in one place, here, with the scanned
//! directory's place in the repository (`services/api/`, see [`crate::subdirectory_in_repo`]).

use serde_json::{Map, Value};
use tollgate_core::{Finding, Location, Notification};

use crate::diff::DiffMap;

/// The SARIF base id tollgate's own locations are relative to.
const SRCROOT: &str = "%SRCROOT%";

/// `prefix` as a directory path: no leading `./` or `/`, `/` separators, a trailing `/` unless
/// empty. `.` and `""` both mean the repository's root, and so does a prefix with `..`, which
/// would name something outside it.
pub fn normalize_prefix(prefix: &str) -> String {
    let parts: Vec<&str> = prefix
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() || parts.contains(&"..") {
        String::new()
    } else {
        format!("{}/", parts.join("/"))
    }
}

fn rebase_location(location: &mut Location, prefix: &str) {
    location.path = format!("{prefix}{}", location.path);
}

/// The finding with every location relative to the repository's root.
pub fn rebase_finding(finding: &mut Finding, prefix: &str) {
    if prefix.is_empty() {
        return;
    }
    rebase_location(&mut finding.location, prefix);
    for related in finding
        .related
        .iter_mut()
        .chain(finding.code_flow.iter_mut())
    {
        rebase_location(&mut related.location, prefix);
    }
}

pub fn rebase_notification(notification: &mut Notification, prefix: &str) {
    if let (Some(location), false) = (&mut notification.location, prefix.is_empty()) {
        rebase_location(location, prefix);
    }
}

/// A diff map relative to the scanned directory (as [`DiffMap::from_git`] gives it for a
/// subdirectory) made relative to the repository's root, as the pull request files API is.
pub fn rebase_diff(diff: DiffMap, prefix: &str) -> DiffMap {
    if prefix.is_empty() {
        return diff;
    }
    DiffMap {
        files: diff
            .files
            .into_iter()
            .map(|(path, file)| (format!("{prefix}{path}"), file))
            .collect(),
    }
}

/// A SARIF run's members (its results aside, see [`rebase_sarif_value`]) with tollgate's
/// relative URIs (those under `%SRCROOT%`, the scanned directory) made relative to the
/// repository's root, and `%SRCROOT%` pointed at that root: code scanning reads a relative URI
/// as a path from the repository's root and does not resolve `originalUriBaseIds`. URIs under
/// another base (a plugin's) are left as they are. `encoded_prefix` is the scanned directory's
/// place in the repository as a URI path (`services/my%20api/`); empty, nothing changes.
pub fn rebase_sarif_run(run: &mut Map<String, Value>, encoded_prefix: &str) {
    if encoded_prefix.is_empty() {
        return;
    }
    let bases = run
        .get_mut("originalUriBaseIds")
        .and_then(|b| b.as_object_mut())
        .map(std::mem::take);
    for member in run.values_mut() {
        rebase_sarif_value(member, encoded_prefix);
    }
    if let Some(mut bases) = bases {
        if let Some(Value::String(root)) = bases.get_mut(SRCROOT).and_then(|b| b.get_mut("uri")) {
            if let Some(repo_root) = root.strip_suffix(encoded_prefix) {
                *root = repo_root.to_string();
            }
        }
        run.insert("originalUriBaseIds".to_string(), Value::Object(bases));
    }
}

/// Prefix every relative `uri` whose `uriBaseId` is `%SRCROOT%`, at any depth (a result, its
/// related locations and code flows, a run's artifacts and notifications).
pub fn rebase_sarif_value(value: &mut Value, encoded_prefix: &str) {
    match value {
        Value::Object(map) => {
            if map.get("uriBaseId").and_then(Value::as_str) == Some(SRCROOT) {
                // SARIF requires a URI with a base id to be a relative reference.
                if let Some(Value::String(uri)) = map.get_mut("uri") {
                    *uri = format!("{encoded_prefix}{uri}");
                }
            }
            for child in map.values_mut() {
                rebase_sarif_value(child, encoded_prefix);
            }
        }
        Value::Array(items) => {
            for item in items {
                rebase_sarif_value(item, encoded_prefix);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prefixes_are_normalized() {
        assert_eq!(normalize_prefix(""), "");
        assert_eq!(normalize_prefix("."), "");
        assert_eq!(normalize_prefix("./services/api"), "services/api/");
        assert_eq!(normalize_prefix("services\\api\\"), "services/api/");
        assert_eq!(normalize_prefix("services/../../etc"), "");
    }

    #[test]
    fn sarif_uris_under_srcroot_gain_the_prefix() {
        let mut run = json!({
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "file:///w/app/services/my%20api/"}},
            "results": [],
            "artifacts": [{"location": {"uri": "other.tf", "uriBaseId": "BUILD"}},
                          {"location": {"uri": "t.yaml", "uriBaseId": "%SRCROOT%"}}]
        });
        let mut result = json!({
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "template.yaml", "uriBaseId": "%SRCROOT%"}}}],
            "relatedLocations": [{"physicalLocation": {"artifactLocation": {"uri": "x.py", "uriBaseId": "%SRCROOT%"}}}]
        });
        let prefix = "services/my%20api/";
        rebase_sarif_run(run.as_object_mut().unwrap(), prefix);
        rebase_sarif_value(&mut result, prefix);
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "services/my%20api/template.yaml"
        );
        assert_eq!(
            result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "services/my%20api/x.py"
        );
        assert_eq!(run["artifacts"][0]["location"]["uri"], "other.tf");
        assert_eq!(
            run["artifacts"][1]["location"]["uri"],
            "services/my%20api/t.yaml"
        );
        assert_eq!(
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///w/app/"
        );
        // The members keep their order.
        let keys: Vec<&String> = run.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["originalUriBaseIds", "results", "artifacts"]);
    }
}
