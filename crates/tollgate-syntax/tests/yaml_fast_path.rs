//! The YAML fast path against the event path: wherever the fast path returns a document, the
//! event path must return the very same one (values, spans, tags, repeated keys), and the fast
//! path must leave every text the event path refuses to it. Checked on every YAML file of the
//! repository, the YAML test suite, the CloudFormation layouts, and seeded random mutations.

use std::path::{Path, PathBuf};

mod common;

use common::{files_ending, first_difference, mutations_agree, repo_root};
use serde_json::Value as Json;
use tollgate_syntax::{parse_yaml_events, parse_yaml_fast, Limits};

/// `Err` describes a disagreement. Returns whether the fast path took the text.
fn agree(text: &str, limits: &Limits) -> Result<bool, String> {
    let Some(fast) = parse_yaml_fast(text, limits) else {
        return Ok(false);
    };
    match parse_yaml_events(text, limits) {
        Ok(events) if events == fast => Ok(true),
        Ok(events) => Err(first_difference(&fast, "events", &events)),
        Err(e) => Err(format!(
            "the fast path accepts what the event path refuses: {} at {:?}",
            e.message, e.pos
        )),
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    files_ending(dir, &[".yaml", ".yml"], out);
}

#[test]
fn every_yaml_file_of_the_repository_gives_the_same_document() {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in [
        "examples",
        "crates",
        "tests",
        "fuzz",
        "workflows",
        ".github",
        "docs",
    ] {
        yaml_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 300, "only {} YAML files found", files.len());
    let mut taken = 0;
    let mut problems = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        match agree(&text, &Limits::default()) {
            Ok(true) => taken += 1,
            Ok(false) => {}
            Err(why) => problems.push(format!("{}: {why}", path.display())),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    // Most templates are plain block YAML: a fast path that gives up on them is no fast path.
    assert!(
        taken * 2 > files.len(),
        "the fast path took only {taken} of {} files",
        files.len()
    );
}

#[test]
fn the_yaml_test_suite_gives_the_same_documents_and_invalid_cases_are_left_alone() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/yaml_suite/cases.json"),
    )
    .expect("cases.json");
    let cases: Vec<Json> = serde_json::from_str(&text).expect("cases.json is JSON");
    let mut problems = Vec::new();
    let mut taken = 0;
    for case in &cases {
        let id = case["id"].as_str().unwrap_or_default();
        let yaml = case["yaml"].as_str().unwrap_or_default();
        match agree(yaml, &Limits::default()) {
            Ok(true) => taken += 1,
            Ok(false) => {}
            Err(why) => problems.push(format!("{id}: {why}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(taken > 20, "the fast path took only {taken} suite cases");
}

#[test]
fn depth_limits_are_left_to_the_event_path() {
    let limits = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    for text in [
        "a:\n  b:\n    c:\n      d: 1\n",
        "a:\n  b: [[1]]\n",
        "- - - - x\n",
        "a: [[[1]]]\n",
    ] {
        assert!(parse_yaml_fast(text, &limits).is_none(), "{text:?}");
        assert!(parse_yaml_events(text, &limits).is_err(), "{text:?}");
    }
    assert!(parse_yaml_fast("a:\n  b: 1\n", &limits).is_some());
}

const PIECES: &[&str] = &[
    " ",
    "  ",
    "\n",
    "\n  ",
    "- ",
    ": ",
    ":",
    "#",
    " # c",
    "!Ref ",
    "!Sub ",
    "!If ",
    "!",
    "!!str ",
    "'",
    "''",
    "\"",
    "\\",
    "[",
    "]",
    "{",
    "}",
    ",",
    ", ",
    "&a ",
    "*a",
    "<<: ",
    "? ",
    "|",
    ">-",
    "---\n",
    "...",
    "%",
    "@",
    "`",
    "\t",
    "\r\n",
    "~",
    "null",
    "true",
    "1",
    "-1",
    "0x1F",
    "1.5",
    "é",
    "名前",
    "\u{a0}",
    "a: b",
    "Key:",
    "Type: AWS::S3::Bucket",
    "- a\n",
    "  - b\n",
    "x y",
    "s3:GetObject",
    "arn:aws:s3:::b/*",
    "${AWS::Region}",
];

const SEEDS: &[&str] = &[
    "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Role: !GetAtt Role.Arn\n      Tags: [a, 'b', {k: v}]\n      Env:\n        Variables:\n          A: !Ref X\n          B: !Sub 'arn:${AWS::Partition}:s3:::${B}/*'\n      Empty:\n      List:\n      - x\n      - !If [C, 1, !Ref 'AWS::NoValue']\n",
    "Statement:\n  - Effect: Allow\n    Action:\n      - s3:GetObject\n      - \"s3:PutObject\"\n    Resource: '*'\n    Condition: {Bool: {aws:SecureTransport: 'false'}}\n  - Sid: x # note\n    Principal: {AWS: [1, 2]}\n",
    "functions:\n  hello:\n    handler: handler.hello\n    events:\n      - http:\n          path: /hi\n          method: get\n    environment: !Custom\n      A: 1\n  - odd\n",
    "- a\n- - b\n  - c\n- !Join\n  - ','\n  - [x, y]\n- k: v\n  k: w\n",
    "a: 1\nb: 'x''y'\nc: \"q\"\nd: -3\ne: ~\nf: TRUE\ng: 2012-10-17\nh: a#b\ni: a b  c\n",
    "Code:\n  ZipFile: |\n    import os\n\n    def handler(event, context):\n        return 1\n  Description: >-\n    folded\n    text\n\n    more\nSteps:\n  - run: |\n      cargo test\n  - run: >\n      a\n      b\n",
];

/// `TOLLGATE_FUZZ_ITERS` and `TOLLGATE_FUZZ_SEED` run it longer or differently, as they do
/// the fuzz crate's seeded targets.
#[test]
fn random_mutations_give_the_same_document_or_are_left_alone() {
    let mut seeds: Vec<String> = SEEDS.iter().map(|s| (*s).to_owned()).collect();
    let mut files = Vec::new();
    yaml_files(&repo_root().join("examples"), &mut files);
    seeds.extend(
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter(|t| t.len() < 8 * 1024)
            .take(40),
    );
    mutations_agree(&seeds, PIECES, 4, |text| agree(text, &Limits::default()));
}
