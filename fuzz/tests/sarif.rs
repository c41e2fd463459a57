//! Fuzz target for the SARIF reader on every path that reads a log written elsewhere: `merge`,
//! `--baseline` and `post` (and plugin output, which is rebased). No panic, and whatever
//! tollgate writes from a log it accepted, it reads back.

use std::path::Path;

use tollgate_fuzz::seeds::{has_ext, seeds};
use tollgate_fuzz::{run_and_assert, Target};
use tollgate_sarif::{
    findings_from_run, mark_baseline, merge, parse_log, rebase_uris, to_json_pretty, Baseline,
};

const MAX_LEN: usize = 64 * 1024;

const TOKENS: &[&str] = &[
    "\"runs\": [",
    "\"results\": [",
    "\"locations\": [",
    "\"region\": {",
    "\"startLine\": ",
    "\"endLine\": ",
    "\"startColumn\": ",
    "\"uri\": \"",
    "\"uriBaseId\": \"%SRCROOT%\"",
    "\"ruleId\": \"",
    "\"ruleIndex\": ",
    "\"level\": \"",
    "\"kind\": \"",
    "\"message\": {",
    "\"text\": \"",
    "\"partialFingerprints\": {",
    "\"baselineState\": \"",
    "\"suppressions\": [",
    "\"properties\": {",
    "\"security-severity\": \"",
    "\"originalUriBaseIds\": {",
    "\"automationDetails\": {\"id\": \"",
    "file:///",
    "../",
    "%2e%2e/",
    "%00",
    "%ZZ",
    "\\u0000",
    "-1",
    "0",
    "4294967296",
    "1e300",
    "\"version\": \"2.1.0\"",
    "\"tool\": {\"driver\": {",
];

#[test]
fn sarif_reader() {
    let target = Target {
        name: "sarif",
        seeds: seeds(&["fuzz/seeds/sarif"], MAX_LEN, &|n| has_ext(n, &["sarif"])),
        tokens: TOKENS,
        default_iters: 500,
        max_len: MAX_LEN,
    };
    run_and_assert(&target, |text| {
        let Ok(log) = parse_log(text, "fuzzed.sarif") else {
            return Ok(());
        };
        // `post` and `--baseline`.
        let mut findings: Vec<_> = log.runs.iter().flat_map(findings_from_run).collect();
        let baseline = Baseline::from_log(&log);
        mark_baseline(&mut findings, &baseline);
        // A plugin's log, rebased from its working directory onto the repository.
        for run in &log.runs {
            let mut run = run.clone();
            rebase_uris(&mut run, Path::new("/src/app/tool"), Path::new("/src/app"));
        }
        // `merge`: what it writes must read back.
        if let Ok(merged) = merge(vec![log.clone(), log]) {
            let out = to_json_pretty(&merged);
            parse_log(&out, "merged.sarif")
                .map_err(|e| format!("merge wrote a log it cannot read: {e}"))?;
        }
        Ok(())
    });
}
