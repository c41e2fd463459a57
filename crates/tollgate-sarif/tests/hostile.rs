//! Logs from plugins are untrusted: odd but well-formed values and broken text must give
//! errors or sane output, never a panic.

use std::path::Path;

use tollgate_sarif::{enforce_limits, findings_from_run, merge, parse_log, rebase_uris};

const ODD: &str = r#"{"version": "2.1.0", "runs": [{
    "tool": {"driver": {"name": "odd", "rules": [{"id": "R"}]}},
    "originalUriBaseIds": {"A": {"uri": "x/", "uriBaseId": "B"}, "B": {"uri": "y/", "uriBaseId": "A"}},
    "artifacts": [{"location": {"uri": "a"}, "parentIndex": 7}],
    "results": [
        {"ruleIndex": -1, "ruleId": "R", "message": {"text": "m"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "%zz%", "uriBaseId": "A", "index": 99},
             "region": {"startLine": -5, "startColumn": 0, "endLine": -9, "endColumn": 9999999999}}}]},
        {"rule": {"id": "R", "index": 0}, "message": {"text": "m"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file://host/share/x"}}}],
         "codeFlows": [{"threadFlows": [{"locations": [{"index": 42}]}]}]},
        {"ruleId": "R", "message": {"id": "missing", "arguments": ["{0}"]},
         "suppressions": [{"kind": "bogus", "status": 5}], "baselineState": "sideways",
         "properties": {"tollgate/severity": "extreme", "security-severity": "NaN", "tollgate/resource-line": -1}}
    ]
}]}"#;

#[test]
fn odd_values_do_not_panic() {
    let log = parse_log(ODD, "odd.sarif").expect("well-formed");
    let findings = findings_from_run(&log.runs[0]);
    assert_eq!(findings.len(), 3);
    assert_eq!(findings[0].location.region.unwrap().start.line, 1);
    assert_eq!(findings[2].message, "missing");
    assert!(findings[2].suppression.is_none());

    let mut run = log.runs[0].clone();
    let warnings = rebase_uris(&mut run, Path::new("/r"), Path::new("/r"));
    // The base-id cycle resolves to nothing, the remote file URI is not ours.
    assert!(warnings.len() <= 2, "{warnings:?}");
    assert!(enforce_limits(&mut run).is_none());

    let merged = merge(vec![log.clone(), log]).unwrap();
    assert_eq!(merged.runs.len(), 1);
}

#[test]
fn broken_text_gives_errors() {
    for cut in (0..ODD.len()).step_by(7) {
        if !ODD.is_char_boundary(cut) {
            continue;
        }
        assert!(parse_log(&ODD[..cut], "cut.sarif").is_err());
    }
    let mut bytes = ODD.as_bytes().to_vec();
    for i in (0..bytes.len()).step_by(13) {
        let saved = bytes[i];
        bytes[i] = b'"';
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = parse_log(text, "mutated.sarif");
        }
        bytes[i] = saved;
    }
}
