//! `--baseline OLD.sarif`: findings already in an earlier log are `unchanged` and do not fail the
//! build; ones that disappeared are reported as `absent` (fixed).

use std::path::Path;

use tollgate_sarif::{mark_baseline, read_log_lazily, Baseline, MAX_LOG_BYTES};

use crate::pipeline::ScanResult;

pub fn apply(path: &Path, result: &mut ScanResult) -> Result<(), String> {
    let name = path.display().to_string();
    let text = tollgate_core::read_text(path, MAX_LOG_BYTES as u64)
        .map_err(|e| format!("baseline {name}: {e}"))?;
    // Read lazily: an old log of many results must not take several times its size.
    let log = read_log_lazily(&text, &name).map_err(|e| format!("baseline {e}"))?;
    let baseline = Baseline::from_lazy_log(&log).map_err(|e| format!("baseline {e}"))?;
    drop(log);
    drop(text);
    // Built-in and plugin findings are judged together, so a finding the old log has is
    // `absent` only when neither kind still reports it.
    let builtin = result.findings.len();
    let mut all = std::mem::take(&mut result.findings);
    all.append(&mut result.external_findings);
    let absent = mark_baseline(&mut all, &baseline);
    result.external_findings = all.split_off(builtin);
    result.findings = all;
    result.findings.extend(absent);
    Ok(())
}
