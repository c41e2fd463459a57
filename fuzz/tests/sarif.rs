//! Fuzz target for the SARIF reader on every path that reads a log written elsewhere: `merge`,
//! `--baseline` and `post` (and plugin output, which is rebased). No panic, and whatever
//! tollgate writes from a log it accepted, it reads back.

use tollgate_fuzz::checks;
use tollgate_fuzz::seeds::{has_ext, seeds};
use tollgate_fuzz::{run_and_assert, Target};

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
    "\"informationUri\": \"https://",
    "\"helpUri\": \"",
    "\"hostedViewerUri\": \"",
    "\u{feff}",
    "{}, ",
    "\\u0000",
    "-1",
    "0",
    "4294967296",
    "1e300",
    "\"version\": \"2.1.0\"",
    "\"tool\": {\"driver\": {",
    "\"index\": ",
    "\"parentIndex\": ",
    "\"artifacts\": [",
    "\"rules\": [",
    "\"relationships\": [",
    "\"toolComponent\": {",
    "\"externalPropertyFileReferences\": {",
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
    run_and_assert(&target, checks::sarif);
}
