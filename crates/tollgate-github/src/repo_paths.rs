//! Paths as GitHub knows them. A scan of a subdirectory (`tollgate run services/api`) reports
//! paths relative to that directory, while check-run annotations, review comments, workflow
//! commands, links and code-scanning alerts are placed by their path from the repository's
//! root. Publishing rebases everything it sends in one place, here, with the scanned
//! directory's place in the repository (`services/api/`, see [`crate::subdirectory_in_repo`]).

use serde_json::Value;
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

/// The SARIF log with tollgate's relative URIs (those under `%SRCROOT%`, the scanned
/// directory) made relative to the repository's root, and `%SRCROOT%` pointed at that root:
/// code scanning reads a relative URI as a path from the repository's root and does not
/// resolve `originalUriBaseIds`. URIs under another base (a plugin's) are left as they are.
/// Text that is not JSON is returned unchanged; code scanning names the problem then.
pub fn rebase_sarif(text: String, prefix: &str) -> String {
    if prefix.is_empty() {
        return text;
    }
    let Ok(mut log) = serde_json::from_str::<Value>(&text) else {
        return text;
    };
    let encoded = crate::context::url_path(prefix);
    if let Some(runs) = log.get_mut("runs").and_then(Value::as_array_mut) {
        for run in runs {
            let bases = run
                .get_mut("originalUriBaseIds")
                .and_then(|b| b.as_object_mut())
                .map(std::mem::take);
            rebase_uris(run, &encoded);
            if let Some(mut bases) = bases {
                if let Some(Value::String(root)) =
                    bases.get_mut(SRCROOT).and_then(|b| b.get_mut("uri"))
                {
                    if let Some(repo_root) = root.strip_suffix(encoded.as_str()) {
                        *root = repo_root.to_string();
                    }
                }
                run["originalUriBaseIds"] = Value::Object(bases);
            }
        }
    }
    serde_json::to_string(&log).unwrap_or(text)
}

/// Prefix every relative `uri` whose `uriBaseId` is `%SRCROOT%`, at any depth (results,
/// related locations, code flows, artifacts, notifications).
fn rebase_uris(value: &mut Value, encoded_prefix: &str) {
    match value {
        Value::Object(map) => {
            if map.get("uriBaseId").and_then(Value::as_str) == Some(SRCROOT) {
                // SARIF requires a URI with a base id to be a relative reference.
                if let Some(Value::String(uri)) = map.get_mut("uri") {
                    *uri = format!("{encoded_prefix}{uri}");
                }
            }
            for child in map.values_mut() {
                rebase_uris(child, encoded_prefix);
            }
        }
        Value::Array(items) => {
            for item in items {
                rebase_uris(item, encoded_prefix);
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
        let log = json!({
            "version": "2.1.0",
            "runs": [{
                "originalUriBaseIds": {"%SRCROOT%": {"uri": "file:///w/app/services/my%20api/"}},
                "results": [{
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": "template.yaml", "uriBaseId": "%SRCROOT%"}}}],
                    "relatedLocations": [{"physicalLocation": {"artifactLocation": {"uri": "x.py", "uriBaseId": "%SRCROOT%"}}}]
                }],
                "artifacts": [{"location": {"uri": "other.tf", "uriBaseId": "BUILD"}}]
            }]
        });
        let out: Value =
            serde_json::from_str(&rebase_sarif(log.to_string(), "services/my api/")).unwrap();
        let run = &out["runs"][0];
        assert_eq!(
            run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "services/my%20api/template.yaml"
        );
        assert_eq!(
            run["results"][0]["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "services/my%20api/x.py"
        );
        assert_eq!(run["artifacts"][0]["location"]["uri"], "other.tf");
        assert_eq!(
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///w/app/"
        );
        assert_eq!(rebase_sarif("not json".into(), "a/"), "not json");
    }
}
