//! External plugin stages: any command that writes SARIF 2.1.0 (`[[stage.external]]`).
//!
//! The command runs directly (no shell), with stdin closed, in the scanned root (or a `workdir`
//! inside it), with `TOLLGATE_ROOT` set and variables that look like credentials removed (the
//! config may come from an untrusted pull request). Output is capped; the process is killed on
//! timeout. Whatever happens, the outcome is data: a run to merge, findings to gate on, and
//! notifications; never a crash.

use std::path::{Component, Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncRead, AsyncReadExt};
use tollgate_core::config::{ExternalStage, SarifSource, SarifSourceSpec};
use tollgate_core::{Finding, Notification};
use tollgate_sarif::sarif::Run;

/// Largest SARIF accepted from a plugin.
pub const MAX_STDOUT_BYTES: u64 = 100 * 1024 * 1024;
/// How much of the end of a plugin's stderr is kept for messages.
pub const STDERR_TAIL_BYTES: usize = 4 * 1024;

/// Finding property naming the plugin that reported it.
pub const PLUGIN_PROPERTY: &str = "tollgate/plugin";

/// Notification id for every way a plugin can fail.
pub const PLUGIN_FAILED: &str = "plugin-failed";

/// What one plugin produced.
#[derive(Debug, Default)]
pub struct ExternalOutcome {
    /// Runs to merge into the log, each with `automationDetails.id = tollgate/ext/<name>/`.
    pub runs: Vec<Run>,
    /// The runs' results as findings, for the gate and the report.
    pub findings: Vec<Finding>,
    pub notifications: Vec<Notification>,
    /// Whether the plugin failed (exit code 2).
    pub failed: bool,
}

impl ExternalOutcome {
    fn failure(name: &str, message: String) -> Self {
        Self {
            notifications: vec![Notification::error(PLUGIN_FAILED, message).stage(name)],
            failed: true,
            ..Self::default()
        }
    }
}

/// The automation id of a plugin's run.
pub fn automation_id(name: &str) -> String {
    format!("tollgate/ext/{name}/")
}

/// Environment variables never passed to a plugin: a plugin named in a pull request's config
/// must not receive the workflow's credentials.
fn is_credential_var(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "CREDENTIAL",
        "PRIVATE_KEY",
        "API_KEY",
    ]
    .iter()
    .any(|w| upper.contains(w))
        || upper.starts_with("AWS_SESSION")
        || upper.starts_with("AWS_ACCESS_KEY")
}

/// A path from config, relative to the root, with no way out of it.
fn inside_root(root: &Path, relative: &str, what: &str) -> Result<PathBuf, String> {
    let rel = Path::new(relative);
    if rel.is_absolute() {
        return Err(format!(
            "{what} `{relative}` must be relative to the scanned root"
        ));
    }
    if rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(format!(
            "{what} `{relative}` must stay inside the scanned root (no `..`)"
        ));
    }
    Ok(root.join(rel))
}

/// Run one plugin within its timeout.
pub async fn run(stage: &ExternalStage, root: &Path, default_timeout: Duration) -> ExternalOutcome {
    let name = stage.name.as_str();
    let timeout = stage.timeout.map_or(default_timeout, Duration::from_secs);
    let workdir = match stage.workdir.as_deref() {
        None => root.to_path_buf(),
        Some(dir) => match inside_root(root, dir, "workdir") {
            Ok(dir) => dir,
            Err(e) => return ExternalOutcome::failure(name, format!("plugin `{name}`: {e}")),
        },
    };
    // Canonical form: a symlinked workdir must not lead out of the root either.
    let (Ok(canon_root), Ok(canon_workdir)) = (root.canonicalize(), workdir.canonicalize()) else {
        return ExternalOutcome::failure(
            name,
            format!(
                "plugin `{name}`: working directory {} does not exist",
                workdir.display()
            ),
        );
    };
    if !canon_workdir.starts_with(&canon_root) {
        return ExternalOutcome::failure(
            name,
            format!("plugin `{name}`: working directory leads outside the scanned root"),
        );
    }
    let sarif_file = match &stage.sarif {
        SarifSource::Stdout | SarifSource::Named(SarifSourceSpec::Stdout) => None,
        SarifSource::Named(SarifSourceSpec::File(file)) => {
            match inside_root(root, file, "sarif file") {
                Ok(path) => Some(path),
                Err(e) => return ExternalOutcome::failure(name, format!("plugin `{name}`: {e}")),
            }
        }
    };
    // A program named with a path is found relative to the root, like every path in the
    // config; a bare name is looked up on PATH.
    let program = if stage.command.contains('/') && !Path::new(&stage.command).is_absolute() {
        canon_root.join(&stage.command)
    } else {
        PathBuf::from(&stage.command)
    };
    let before = sarif_file.as_deref().and_then(modified);

    let mut command = tokio::process::Command::new(&program);
    command
        .args(&stage.args)
        .current_dir(&canon_workdir)
        .env("TOLLGATE_ROOT", &canon_root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (key, _) in std::env::vars_os() {
        if is_credential_var(&key.to_string_lossy()) {
            command.env_remove(key);
        }
    }
    tracing::debug!(plugin = name, program = %program.display(), "starting plugin");
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return ExternalOutcome::failure(
                name,
                format!("plugin `{name}`: program `{}` not found", stage.command),
            );
        }
        Err(e) => {
            return ExternalOutcome::failure(
                name,
                format!("plugin `{name}`: cannot start `{}`: {e}", stage.command),
            );
        }
    };
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    // Dropping this future on timeout drops the child, which kills it (`kill_on_drop`).
    let finished = tokio::time::timeout(timeout, async {
        let out = async {
            let out = read_capped(stdout, MAX_STDOUT_BYTES).await;
            // A plugin past the cap would block on a full pipe until the timeout: stop it now.
            if out.is_err() {
                let _ = child.start_kill();
            }
            out
        };
        let (out, err) = tokio::join!(out, read_tail(stderr));
        let status = child.wait().await;
        (out, err, status)
    })
    .await;
    let Ok((stdout, stderr_tail, status)) = finished else {
        return ExternalOutcome::failure(
            name,
            format!(
                "plugin `{name}` did not finish within {} s and was stopped",
                timeout.as_secs()
            ),
        );
    };
    let tail = |message: String| {
        if stderr_tail.trim().is_empty() {
            message
        } else {
            format!("{message}; stderr ends with: {}", stderr_tail.trim())
        }
    };
    let status = match status {
        Ok(status) => status,
        Err(e) => return ExternalOutcome::failure(name, tail(format!("plugin `{name}`: {e}"))),
    };
    let exit = match status.code() {
        Some(code) => format!("exit code {code}"),
        None => "a signal".to_string(),
    };
    let text = match (&sarif_file, stdout) {
        (None, Ok(bytes)) => Ok(bytes),
        (None, Err(e)) => Err(e),
        (Some(path), _) => read_sarif_file(path, before),
    };
    let sarif = text.and_then(|bytes| {
        let text = String::from_utf8(bytes).map_err(|_| "its SARIF is not UTF-8".to_string())?;
        if text.trim().is_empty() {
            return Err("it wrote no SARIF".to_string());
        }
        tollgate_sarif::parse_log(&text, &format!("plugin `{name}` output"))
            .map_err(|e| format!("invalid SARIF: {e}"))
    });
    let log = match sarif {
        Ok(log) => log,
        Err(reason) => {
            let message = if status.success() {
                format!("plugin `{name}` exited successfully but {reason}")
            } else {
                format!("plugin `{name}` ended with {exit} and {reason}")
            };
            return ExternalOutcome::failure(name, tail(message));
        }
    };

    let mut outcome = ExternalOutcome::default();
    for mut run in log.runs {
        for note in tollgate_sarif::rebase_uris(&mut run, &canon_workdir, &canon_root) {
            outcome.notifications.push(note.stage(name));
        }
        set_automation_id(&mut run, name);
        // What the schema refuses is dropped or re-encoded, not copied into tollgate's log.
        for repair in tollgate_sarif::escape_control_characters(&mut run).messages() {
            outcome.notifications.push(
                Notification::warning(
                    "plugin-sarif-repaired",
                    format!("plugin `{name}`: {repair}; the SARIF schema refuses them"),
                )
                .stage(name),
            );
        }
        tollgate_sarif::set_root_uri(&mut run, &tollgate_sarif::uri::dir_uri(&canon_root));
        // Marked so reports can say where a finding came from (its rule is the plugin's, not
        // one `tollgate explain` knows).
        outcome.findings.extend(
            tollgate_sarif::findings_from_run(&run)
                .into_iter()
                .map(|f| f.property(PLUGIN_PROPERTY, name)),
        );
        outcome.runs.push(run);
    }
    if !status.success() {
        // Many scanners exit 1 exactly when they found something; the SARIF is what counts.
        outcome.notifications.push(
            Notification::note(
                "plugin-exit",
                format!(
                    "plugin `{name}` ended with {exit} but wrote valid SARIF; its {} results count",
                    outcome.findings.len()
                ),
            )
            .stage(name),
        );
    }
    tracing::debug!(
        plugin = name,
        results = outcome.findings.len(),
        "plugin finished"
    );
    outcome
}

fn set_automation_id(run: &mut Run, name: &str) {
    let id = automation_id(name);
    match run.automation_details.as_mut() {
        Some(details) => details.id = Some(id),
        None => {
            run.automation_details = Some(
                tollgate_sarif::sarif::RunAutomationDetails::builder()
                    .id(id)
                    .build(),
            );
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// A plugin's SARIF file, which must have been written by this run (a stale file from an
/// earlier run is not its result).
fn read_sarif_file(path: &Path, before: Option<SystemTime>) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path)
        .map_err(|_| format!("it did not write its SARIF file {}", path.display()))?;
    if before.is_some() && meta.modified().ok() == before {
        return Err(format!(
            "it did not update its SARIF file {}",
            path.display()
        ));
    }
    if meta.len() > MAX_STDOUT_BYTES {
        return Err(format!(
            "its SARIF file is larger than {MAX_STDOUT_BYTES} bytes"
        ));
    }
    std::fs::read(path).map_err(|e| format!("cannot read its SARIF file {}: {e}", path.display()))
}

/// Read all of a stream up to `cap` bytes; more is an error.
async fn read_capped(stream: Option<impl AsyncRead + Unpin>, cap: u64) -> Result<Vec<u8>, String> {
    let Some(stream) = stream else {
        return Ok(Vec::new());
    };
    let mut bytes = Vec::new();
    stream
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| format!("cannot read its output: {e}"))?;
    if bytes.len() as u64 > cap {
        return Err(format!("it wrote more than {cap} bytes"));
    }
    Ok(bytes)
}

/// Drain a stream, keeping only its last [`STDERR_TAIL_BYTES`], as printable text.
async fn read_tail(stream: Option<impl AsyncRead + Unpin>) -> String {
    let Some(mut stream) = stream else {
        return String::new();
    };
    let mut tail: Vec<u8> = Vec::with_capacity(2 * STDERR_TAIL_BYTES);
    let mut chunk = [0u8; 8192];
    while let Ok(n) = stream.read(&mut chunk).await {
        if n == 0 {
            break;
        }
        tail.extend_from_slice(&chunk[..n]);
        if tail.len() > STDERR_TAIL_BYTES {
            tail.drain(..tail.len() - STDERR_TAIL_BYTES);
        }
    }
    String::from_utf8_lossy(&tail)
        .chars()
        .map(|c| if c.is_control() && c != '\n' { '?' } else { c })
        .collect::<String>()
        .replace('\n', " | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

    const VALID: &str = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"fake"}},"results":[{"ruleId":"X1","level":"error","message":{"text":"found"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/a.py"},"region":{"startLine":2}}}]}]}]}"#;

    fn stage(name: &str, script: &str, timeout: Option<u64>) -> (tempfile::TempDir, ExternalStage) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("plugin.sh"), script).unwrap();
        let stage = ExternalStage {
            name: name.into(),
            command: "sh".into(),
            args: vec!["plugin.sh".into()],
            timeout,
            sarif: SarifSource::Stdout,
            workdir: None,
        };
        (dir, stage)
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn exit_one_with_valid_sarif_counts() {
        let script = format!("cat <<'EOF'\n{VALID}\nEOF\necho 'found 1 issue' >&2\nexit 1\n");
        let (dir, stage) = stage("fake", &script, None);
        let out = block_on(run(&stage, dir.path(), DEFAULT_TIMEOUT));
        assert!(!out.failed, "{:?}", out.notifications);
        assert_eq!(out.runs.len(), 1);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].location.path, "src/a.py");
        assert_eq!(out.findings[0].properties[PLUGIN_PROPERTY], "fake");
        let id = out.runs[0]
            .automation_details
            .as_ref()
            .and_then(|d| d.id.clone());
        assert_eq!(id.as_deref(), Some("tollgate/ext/fake/"));
        assert!(out.notifications.iter().any(|n| n.id == "plugin-exit"));
    }

    #[test]
    fn garbage_fails_with_stderr_tail() {
        let script = "echo 'this is not json'\necho 'boom: bad config' >&2\nexit 3\n";
        let (dir, stage) = stage("garbage", script, None);
        let out = block_on(run(&stage, dir.path(), DEFAULT_TIMEOUT));
        assert!(out.failed);
        assert!(out.runs.is_empty());
        let n = &out.notifications[0];
        assert_eq!(n.id, PLUGIN_FAILED);
        assert!(n.message.contains("exit code 3"), "{}", n.message);
        assert!(n.message.contains("invalid SARIF"), "{}", n.message);
        assert!(n.message.contains("boom: bad config"), "{}", n.message);
    }

    #[test]
    fn sleeping_past_timeout_is_stopped() {
        let (dir, stage) = stage("slow", "sleep 30\n", Some(1));
        let started = std::time::Instant::now();
        let out = block_on(run(&stage, dir.path(), DEFAULT_TIMEOUT));
        assert!(started.elapsed() < Duration::from_secs(20));
        assert!(out.failed);
        assert!(out.notifications[0]
            .message
            .contains("did not finish within 1 s"));
    }

    #[test]
    fn missing_program_and_escaping_paths_fail_cleanly() {
        let (dir, mut stage) = stage("missing", "", None);
        stage.command = "tollgate-no-such-program".into();
        let out = block_on(run(&stage, dir.path(), DEFAULT_TIMEOUT));
        assert!(out.failed);
        assert!(out.notifications[0].message.contains("not found"));

        stage.command = "sh".into();
        stage.workdir = Some("../elsewhere".into());
        let out = block_on(run(&stage, dir.path(), DEFAULT_TIMEOUT));
        assert!(out.failed);
        assert!(out.notifications[0].message.contains("no `..`"));
    }

    #[test]
    fn sarif_from_a_file() {
        let script = format!("cat > out.sarif <<'EOF'\n{VALID}\nEOF\n");
        let (dir, mut stage) = stage("file", &script, None);
        stage.sarif = SarifSource::Named(SarifSourceSpec::File("out.sarif".into()));
        let out = block_on(run(&stage, dir.path(), DEFAULT_TIMEOUT));
        assert!(!out.failed, "{:?}", out.notifications);
        assert_eq!(out.findings.len(), 1);
    }

    #[test]
    fn output_past_the_cap_is_refused() {
        let text: &[u8] = b"0123456789";
        assert_eq!(block_on(read_capped(Some(text), 10)).unwrap().len(), 10);
        let err = block_on(read_capped(Some(text), 9)).unwrap_err();
        assert_eq!(err, "it wrote more than 9 bytes");
    }

    #[test]
    fn stderr_tail_keeps_the_end_only() {
        let long = format!("{}\nthe end\n", "x".repeat(3 * STDERR_TAIL_BYTES));
        let tail = block_on(read_tail(Some(long.as_bytes())));
        assert!(tail.len() <= STDERR_TAIL_BYTES + 8, "{}", tail.len());
        assert!(tail.ends_with("the end | "), "{tail:?}");
    }

    #[test]
    fn credentials_are_not_passed_on() {
        assert!(is_credential_var("GITHUB_TOKEN"));
        assert!(is_credential_var("aws_secret_access_key"));
        assert!(is_credential_var("AWS_SESSION_TOKEN"));
        assert!(!is_credential_var("PATH"));
        assert!(!is_credential_var("HOME"));
    }
}
