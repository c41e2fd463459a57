//! `tollgate post RESULTS.sarif`: publish a SARIF log written by an earlier job (typically a
//! read-only `pull_request` job, posting from a trusted `workflow_run` job) and gate on it.

use std::path::{Component, Path};

use tollgate_core::{Finding, Rule, Severity};
use tollgate_sarif::sarif::Run;
use tollgate_sarif::{notifications_from_run, read_log_lazily, MAX_LOG_BYTES, SRCROOT};

use crate::args::PostArgs;
use crate::commands::run::DEFAULT_FAIL_ON;
use crate::gate::judge;
use crate::publish::{GithubRun, Results};

pub fn run(args: &PostArgs) -> anyhow::Result<u8> {
    let name = args.sarif.display().to_string();
    let text = tollgate_core::read_text(&args.sarif, MAX_LOG_BYTES as u64)
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    // Read lazily: the log's results become findings one at a time, so a large log is not
    // also held as SARIF structures.
    let log = read_log_lazily(&text, &name).map_err(|e| anyhow::anyhow!("{e}"))?;
    let findings: Vec<Finding> = log.findings().map_err(|e| anyhow::anyhow!("{e}"))?;
    let notifications = log.runs.iter().flat_map(notifications_from_run).collect();
    let rules = rules_of(&log.runs);
    // A log whose own run says it failed cannot pass: the scan behind it is incomplete.
    let tool_failed = log.runs.iter().any(|run| {
        run.invocations
            .iter()
            .flatten()
            .any(|i| !i.execution_successful)
    });

    // `post` always publishes; `--dry-run` still only prints the requests.
    let mut github_args = args.github.clone();
    github_args.post = true;
    let context = crate::publish::context(&github_args)
        .map_err(anyhow::Error::msg)?
        .ok_or_else(|| anyhow::anyhow!("no GitHub context"))?;
    let has_baseline = findings.iter().any(|f| f.baseline_state.is_some());
    // The log's paths are relative to the directory `tollgate run` scanned; the changed lines
    // are read from the same directory of the checkout so the two agree. Without it there,
    // the pull request files API is asked.
    let workspace = std::env::var_os("GITHUB_WORKSPACE").map(std::path::PathBuf::from);
    let path_prefix = scanned_subdirectory(&log.runs, workspace.as_deref());
    let scanned = args.checkout.join(&path_prefix);
    let github = GithubRun {
        diff: scanned
            .is_dir()
            .then(|| crate::publish::local_diff(&scanned, &context))
            .flatten(),
        args: github_args,
        context,
        has_baseline,
        path_prefix,
    };
    let threshold = args.fail_on.unwrap_or(DEFAULT_FAIL_ON).threshold();
    let verdict = judge(github.gate_scope(&findings), threshold, tool_failed);
    // The upload is encoded from the log's text, run by run and result by result; the text
    // is then let go before publishing.
    let code_scanning_sarif =
        github.encode_sarif(|edit, out| tollgate_sarif::write_log_text_edited(&text, edit, out));
    drop(log);
    drop(text);
    let results = Results {
        findings,
        rules,
        notifications,
        code_scanning_sarif,
        sarif_path: Some(args.sarif.clone()),
        verdict,
    };
    let code = verdict.exit_code();
    Ok(match github.publish(results) {
        Some(override_code) => code.max(override_code),
        None => code,
    })
}

/// Where the directory `tollgate run` scanned sits in its repository (`services/api/`, empty
/// at the root or when unknown), from tollgate's run's `%SRCROOT%`: its place in the git work
/// tree holding it when this machine has that directory (a later job on the same runner
/// layout), else its path under `workspace` (`$GITHUB_WORKSPACE`, where Actions checks
/// repositories out). The log may come from an untrusted job: a path that leaves the
/// workspace (`..`) gives no prefix.
fn scanned_subdirectory(runs: &[Run], workspace: Option<&Path>) -> String {
    let root = runs
        .iter()
        .filter(|run| run.tool.driver.name == "tollgate")
        .find_map(|run| {
            run.original_uri_base_ids
                .as_ref()?
                .get(SRCROOT)?
                .uri
                .clone()
        })
        .and_then(|uri| tollgate_sarif::uri::file_uri_to_path(&uri));
    let Some(root) = root else {
        return String::new();
    };
    if let Some(prefix) = tollgate_github::subdirectory_in_repo(&root) {
        return prefix;
    }
    let Some(rel) = workspace.and_then(|w| root.strip_prefix(w).ok()) else {
        return String::new();
    };
    let mut prefix = String::new();
    for component in rel.components() {
        match component {
            Component::Normal(name) => {
                prefix.push_str(&name.to_string_lossy());
                prefix.push('/');
            }
            Component::CurDir => {}
            _ => return String::new(),
        }
    }
    prefix
}

/// Rules for the summary's titles and per-stage counts: tollgate's own from the registry,
/// a plugin's from its driver (its stage is the tool's name).
fn rules_of(runs: &[Run]) -> Vec<Rule> {
    let mut rules = crate::pipeline::all_rules();
    for run in runs {
        let driver = &run.tool.driver;
        if driver.name == "tollgate" {
            continue;
        }
        for descriptor in driver.rules.iter().flatten() {
            if rules.iter().any(|r| r.code == descriptor.id) {
                continue;
            }
            let title = descriptor
                .short_description
                .as_ref()
                .map(|d| d.text.clone())
                .unwrap_or_else(|| descriptor.id.clone());
            let name = descriptor
                .name
                .clone()
                .unwrap_or_else(|| descriptor.id.clone());
            rules.push(Rule::new(
                descriptor.id.clone(),
                name,
                driver.name.clone(),
                Severity::Medium,
                title,
            ));
        }
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs_with_root(uri: &str) -> Vec<Run> {
        let log = serde_json::json!({"version": "2.1.0", "runs": [{
            "tool": {"driver": {"name": "tollgate"}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": uri}},
            "results": []
        }]});
        let log: tollgate_sarif::sarif::Sarif = serde_json::from_value(log).unwrap();
        log.runs
    }

    /// A job without the checkout: the scanned directory's place under the workspace.
    #[test]
    fn subdirectory_from_the_workspace() {
        let workspace = Path::new("/nonexistent-runner/work/app/app");
        let runs = runs_with_root("file:///nonexistent-runner/work/app/app/services/my%20api/");
        assert_eq!(
            scanned_subdirectory(&runs, Some(workspace)),
            "services/my api/"
        );
        assert_eq!(scanned_subdirectory(&runs, None), "");
        let root = runs_with_root("file:///nonexistent-runner/work/app/app/");
        assert_eq!(scanned_subdirectory(&root, Some(workspace)), "");
        // The log comes from an untrusted job: nothing outside the workspace.
        let escape = runs_with_root("file:///nonexistent-runner/work/app/app/../../../etc/");
        assert_eq!(scanned_subdirectory(&escape, Some(workspace)), "");
        let elsewhere = runs_with_root("file:///elsewhere/services/api/");
        assert_eq!(scanned_subdirectory(&elsewhere, Some(workspace)), "");
    }
}
