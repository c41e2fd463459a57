//! The Guard language against small documents: each construct where it holds and where it
//! does not.

use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};

use super::*;

/// The usual step budget and five seconds.
fn limits() -> Limits {
    Limits {
        max_steps: MAX_STEPS,
        deadline: Instant::now() + Duration::from_secs(5),
    }
}

fn run(rules: &str, doc: &Json) -> Vec<(String, Status)> {
    let file = parse("r.guard", rules).unwrap_or_else(|e| panic!("{e}"));
    let limits = limits();
    evaluate(&file, doc, limits)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| (r.name, r.status))
        .collect()
}

fn status(rules: &str, doc: &Json, rule: &str) -> Status {
    run(rules, doc)
        .into_iter()
        .find(|(n, _)| n == rule)
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("no rule {rule}"))
}

fn template() -> Json {
    json!({
        "Resources": {
            "Good": {"Type": "AWS::S3::Bucket", "Properties": {
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
                "Tags": [{"Key": "CostCenter", "Value": "42"}, {"Key": "Stage", "Value": "prod"}]
            }},
            "Bad": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": []}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.8", "Timeout": 900, "MemorySize": 512}}
        }
    })
}

const ENCRYPTED: &str = "
let buckets = Resources.*[ Type == 'AWS::S3::Bucket' ]

rule buckets_encrypted when %buckets !empty {
    %buckets.Properties.BucketEncryption exists <<buckets are encrypted>>
}
";

#[test]
fn filters_variables_and_when_give_pass_fail_and_skip() {
    assert_eq!(
        status(ENCRYPTED, &template(), "buckets_encrypted"),
        Status::Fail
    );
    let only_good = json!({"Resources": {"Good": template()["Resources"]["Good"].clone()}});
    assert_eq!(
        status(ENCRYPTED, &only_good, "buckets_encrypted"),
        Status::Pass
    );
    let no_bucket = json!({"Resources": {"Fn": template()["Resources"]["Fn"].clone()}});
    assert_eq!(
        status(ENCRYPTED, &no_bucket, "buckets_encrypted"),
        Status::Skip
    );
}

#[test]
fn failures_say_where_and_carry_the_message() {
    let file = parse("r.guard", ENCRYPTED).unwrap();
    let limits = limits();
    let results = evaluate(&file, &template(), limits).unwrap();
    let f = &results[0].failures;
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        f[0].path,
        ["Resources", "Bad", "Properties", "BucketEncryption"]
            .map(|k| Seg::Key(k.into()))
            .to_vec()
    );
    assert_eq!(f[0].message.as_deref(), Some("buckets are encrypted"));
    assert_eq!(f[0].line, 5);
}

#[test]
fn type_blocks_skip_without_resources_of_their_type() {
    let rules = "rule runtimes {\n  AWS::Lambda::Function {\n    Properties.Runtime IN ['python3.12', 'nodejs20.x']\n  }\n}\n";
    assert_eq!(status(rules, &template(), "runtimes"), Status::Fail);
    let fixed = json!({"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12"}}}});
    assert_eq!(status(rules, &fixed, "runtimes"), Status::Pass);
    let none = json!({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}});
    assert_eq!(status(rules, &none, "runtimes"), Status::Skip);
}

#[test]
fn comparison_operators_ranges_and_regexes() {
    let doc = template();
    let check = |clause: &str| {
        status(
            &format!("rule r {{\n Resources.Fn.Properties {{ {clause} }}\n}}\n"),
            &doc,
            "r",
        )
    };
    assert_eq!(check("Timeout <= 900"), Status::Pass);
    assert_eq!(check("Timeout < 900"), Status::Fail);
    assert_eq!(check("MemorySize > 128\n MemorySize >= 512"), Status::Pass);
    assert_eq!(check("MemorySize IN r[128, 512]"), Status::Pass);
    assert_eq!(check("MemorySize IN r[128, 512)"), Status::Fail);
    assert_eq!(check("Runtime == /^python3\\.\\d+$/"), Status::Pass);
    assert_eq!(check("Runtime != /python/"), Status::Fail);
    assert_eq!(check("Runtime not in ['python3.8']"), Status::Fail);
    assert_eq!(
        check("Runtime is_string\n Timeout is_int\n this is_struct"),
        Status::Pass
    );
    assert_eq!(check("Runtime is_list"), Status::Fail);
    assert_eq!(check("Handler exists"), Status::Fail);
    assert_eq!(check("Handler !exists\n Handler empty"), Status::Pass);
    assert_eq!(check("Runtime == 'go1.x' or Timeout == 900"), Status::Pass);
    assert_eq!(check("Runtime == 'go1.x' OR Timeout == 30"), Status::Fail);
}

#[test]
fn some_and_every_value_of_a_list() {
    let rules = "
rule has_cost_center {
    Resources.Good.Properties {
        some Tags[*].Key == 'CostCenter'
    }
}
rule all_cost_center {
    Resources.Good.Properties.Tags[*].Key == 'CostCenter'
}
rule tag_filter {
    Resources.Good.Properties.Tags[ Key == 'Stage' ].Value == 'prod'
}
rule empty_tags_fail_when_indexed {
    Resources.Bad.Properties.Tags[*].Key exists
}
";
    let got = run(rules, &template());
    assert_eq!(
        got,
        [
            ("has_cost_center".to_string(), Status::Pass),
            ("all_cost_center".to_string(), Status::Fail),
            ("tag_filter".to_string(), Status::Pass),
            ("empty_tags_fail_when_indexed".to_string(), Status::Fail),
        ]
    );
}

#[test]
fn named_rules_compose_and_cycles_are_refused() {
    let rules = "
rule is_function { Resources.Fn.Type == 'AWS::Lambda::Function' }
rule short when is_function { Resources.Fn.Properties.Timeout <= 300 }
rule not_function when not is_function { Resources.Fn exists }
rule both { is_function\n short }
";
    let got = run(rules, &template());
    assert_eq!(got[1], ("short".to_string(), Status::Fail));
    assert_eq!(got[2], ("not_function".to_string(), Status::Skip));
    assert_eq!(got[3], ("both".to_string(), Status::Fail));

    let cyclic = parse("c.guard", "rule a { b }\nrule b { a }\n").unwrap();
    let limits = limits();
    let err = evaluate(&cyclic, &template(), limits).unwrap_err();
    assert!(matches!(err, Stop::Error { .. }), "{err:?}");
}

#[test]
fn keys_filters_functions_and_default_rule() {
    let rules = "
let fns = Resources[ keys == /^Fn/ ]
let n = count(Resources.*)
rule one_function { %fns.Type == 'AWS::Lambda::Function' }
rule three { %n == 3 }
rule lower {
    let r = to_lower(Resources.Fn.Properties.Runtime)
    %r == 'python3.8'
}
Resources.Fn.Properties.Timeout == 900
";
    let got = run(rules, &template());
    assert_eq!(
        got.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        [Status::Pass, Status::Pass, Status::Pass, Status::Pass]
    );
    assert_eq!(got[3].0, "default");
}

#[test]
fn unknown_values_skip_instead_of_failing() {
    let doc = json!({"Resources": {"F": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": {"tollgate:unknown": "parameter without default"}}}}});
    let rules = "rule r { AWS::Lambda::Function { Properties.Runtime == 'python3.12' } }";
    assert_eq!(status(rules, &doc, "r"), Status::Skip);
}

#[test]
fn syntax_errors_name_line_and_column() {
    let err = parse(
        "p/bad.guard",
        "rule ok {\n  Properties.X exists\n}\nrule broken {\n  Properties.Y ==\n}\n",
    )
    .unwrap_err();
    assert_eq!(
        (err.file.as_str(), err.line, err.col),
        ("p/bad.guard", 6, 1),
        "{err}"
    );
    assert!(err.message.contains("expected a query, a value"), "{err}");
    let err = parse("x.guard", "rule r {\n  Properties.X == /[/\n}\n").unwrap_err();
    assert_eq!((err.line, err.col), (2, 19), "{err}");
    let err = parse("x.guard", "rule r {\n  missing_rule\n}\n").unwrap_err();
    assert!(
        err.message.contains("`missing_rule` is neither a rule"),
        "{err}"
    );
    let deep = format!("rule r {{ {} }}", "Properties { ".repeat(100));
    assert!(parse("d.guard", &deep)
        .unwrap_err()
        .message
        .contains("nested more than"));
}

/// Rules nested far past the limit in every shape the parser recurses through are refused
/// with a positioned error, without overflowing the test thread's stack: list and map
/// literals, filters, parentheses, `when` blocks and brackets never closed. (Checked because
/// regorus's parser takes exponential time on deep brackets; this parser stops at its depth
/// limit before going further.)
#[test]
fn deep_nesting_of_every_shape_is_refused_quickly() {
    let shapes = [
        format!(
            "let x = {}1{}\nrule r {{ Resources.*.Type == 'x' }}\n",
            "[".repeat(5000),
            "]".repeat(5000)
        ),
        format!(
            "let x = {}1{}\nrule r {{ Resources.*.Type == 'x' }}\n",
            "{a:".repeat(5000),
            "}".repeat(5000)
        ),
        format!(
            "rule r {{ {}Type == 'x'{} !empty }}\n",
            "Resources[ ".repeat(5000),
            " ]".repeat(5000)
        ),
        format!(
            "rule r {{ {}Resources.*.Type == 'x'{} }}\n",
            "(".repeat(5000),
            ")".repeat(5000)
        ),
        format!("rule r {{ {}\n", "[".repeat(100_000)),
        format!(
            "rule r {{ {}\n",
            "when Resources.*.Type == 'x' {".repeat(5000)
        ),
    ];
    for text in &shapes {
        let err = parse("deep.guard", text).unwrap_err();
        assert_eq!(err.line, 1, "{err}");
        assert!(err.col > 1, "{err}");
    }
}

#[test]
fn a_runaway_rule_stops_at_its_budget() {
    // Every resource against every resource against every resource...: a cube of a large
    // template, well past the step budget.
    let mut resources = serde_json::Map::new();
    for i in 0..400 {
        resources.insert(
            format!("R{i}"),
            json!({"Type": "AWS::SQS::Queue", "Properties": {}}),
        );
    }
    let doc = json!({"Resources": resources});
    let rules = "let all = Resources.*\nrule r { %all { %all { %all { Type exists } } } }\n";
    let file = parse("r.guard", rules).unwrap();
    let limits = Limits {
        max_steps: 200_000,
        deadline: Instant::now() + Duration::from_secs(30),
    };
    let started = Instant::now();
    let err = evaluate(&file, &doc, limits).unwrap_err();
    assert_eq!(err, Stop::Steps(200_000));
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn severity_and_code_come_from_comments() {
    let file = parse(
        "r.guard",
        "# severity: low\n\n# code: ACME-7\n# severity: critical\nrule a { this exists }\nrule b { this exists }\n",
    )
    .unwrap();
    assert_eq!(file.rules[0].severity.as_deref(), Some("critical"));
    assert_eq!(file.rules[0].code.as_deref(), Some("ACME-7"));
    assert_eq!(file.rules[1].severity.as_deref(), Some("low"));
}

#[test]
fn unit_test_files_compare_expected_statuses() {
    let rules = parse("p/enc.guard", ENCRYPTED).unwrap();
    let tests = "
- name: encrypted bucket
  input:
    Resources:
      B:
        Type: AWS::S3::Bucket
        Properties:
          BucketEncryption: {}
  expectations:
    rules:
      buckets_encrypted: PASS
- name: nothing to check
  input:
    Resources:
      Q: { Type: AWS::SQS::Queue }
  expectations:
    rules:
      buckets_encrypted: FAIL
";
    let cases = unit_tests::run(&rules, "p/enc_tests.yaml", tests, Duration::from_secs(1)).unwrap();
    assert!(cases[0].mismatches.is_empty(), "{:?}", cases[0]);
    assert_eq!(
        cases[1].mismatches,
        ["rule `buckets_encrypted`: expected FAIL, got SKIP"]
    );
    assert_eq!(
        unit_tests::rule_file_for("p/tests/enc_tests.yaml").unwrap(),
        ["p/tests/enc.guard", "p/enc.guard"]
    );
    assert!(unit_tests::rule_file_for("p/template.yaml").is_none());
}

#[test]
fn rules_say_which_resources_they_judged() {
    let file = parse("r.guard", ENCRYPTED).unwrap();
    let limits = limits();
    let results = evaluate(&file, &template(), limits).unwrap();
    let judged: Vec<(&str, Status)> = results[0]
        .judged
        .iter()
        .map(|(id, s)| (id.as_str(), *s))
        .collect();
    // Both buckets were looked at, the function was not; which one failed is in the failures.
    assert_eq!(judged, [("Bad", Status::Pass), ("Good", Status::Pass)]);
    let blocks = "rule fns {\n  AWS::Lambda::Function {\n    Properties.Timeout <= 300\n  }\n}\n";
    let results = evaluate(&parse("r.guard", blocks).unwrap(), &template(), limits).unwrap();
    assert_eq!(results[0].judged, [("Fn".to_string(), Status::Fail)]);
}

#[test]
fn functions_refuse_to_build_huge_strings() {
    // Each `let` doubles the last: 2^30 times the runtime's length at the end.
    let mut rules = String::from("let s0 = Resources.Fn.Properties.Runtime\n");
    for i in 1..=30 {
        rules.push_str(&format!(
            "let s{i} = regex_replace(%s{}, \"^(.*)$\", \"$1$1\")\n",
            i - 1
        ));
    }
    rules.push_str("rule r { %s30 == 'x' }\n");
    let file = parse("r.guard", &rules).unwrap();
    match evaluate(&file, &template(), limits()) {
        Err(Stop::Error { message, line, .. }) => {
            assert!(message.contains("over tollgate's limit"), "{message}");
            assert!(line > 1, "{line}");
        }
        other => panic!("{other:?}"),
    }
    // The same through join: the last string is the delimiter between three types.
    let mut rules = String::from("let s0 = Resources.Fn.Properties.Runtime\n");
    for i in 1..=30 {
        rules.push_str(&format!("let s{i} = join(Resources.*.Type, %s{})\n", i - 1));
    }
    rules.push_str("rule r { %s30 == 'x' }\n");
    let outcome = parse("r.guard", &rules).map(|file| evaluate(&file, &template(), limits()));
    assert!(
        matches!(&outcome, Ok(Err(Stop::Error { message, .. })) if message.contains("over tollgate's limit")),
        "{outcome:?}"
    );
    // Ordinary replacements are unchanged.
    let rules = "rule r {\n  let v = regex_replace(Resources.Fn.Properties.Runtime, \"^python(\\\\d)\\\\.(\\\\d+)$\", \"py$1$2\")\n  %v == 'py38'\n}\n";
    assert_eq!(status(rules, &template(), "r"), Status::Pass);
}

#[test]
fn filters_capture_the_keys_that_pass_for_what_follows() {
    // The keys captured by a filter right after a key are, after it, the list of those that
    // passed (as in cfn-guard's own `using_resource_names_for_assessment`).
    let rules = "
rule buckets_are_good_or_bad {
    let buckets = Resources[ id | Type == 'AWS::S3::Bucket' ]
    when %buckets !empty {
        %id in ['Good', 'Bad']
    }
}
rule only_good {
    let buckets = Resources[ id | Type == 'AWS::S3::Bucket' ]
    when %buckets !empty {
        %id == 'Good'
    }
}
";
    assert_eq!(
        status(rules, &template(), "buckets_are_good_or_bad"),
        Status::Pass
    );
    assert_eq!(status(rules, &template(), "only_good"), Status::Fail);
    // A filter that selects nothing skips, as any filter does.
    let rules = "rule none { Resources[ id | Type == 'Missing' ].Type == 'x' }";
    assert_eq!(status(rules, &template(), "none"), Status::Skip);
    // The captured name is not a type name.
    assert!(parse(
        "r.guard",
        "rule r { Resources[ AWS::S3::Bucket | Type == 'x' ] exists }"
    )
    .is_err());
}

#[test]
fn a_named_filter_after_a_variable_or_after_star_tests_each_value_as_a_whole() {
    // cfn-guard reads `%buckets[ ... ]` as `%buckets[*][ ... ]` and filters after `*` test
    // each value as a whole: each bucket is tested, not each entry of a bucket (`Type`,
    // `Properties`), and no key is captured.
    let rules = "
let buckets = Resources.*[ Type == 'AWS::S3::Bucket' ]
rule tagged_buckets_encrypted when %buckets !empty {
    %buckets[ id | Properties.Tags !empty ].Properties.BucketEncryption exists
}
rule buckets_tagged {
    Resources.*[ id | Type == 'AWS::S3::Bucket' ].Properties.Tags exists
}
rule untagged_bucket_encrypted {
    Resources.*[ name | Type == 'AWS::S3::Bucket' Properties.Tags empty ].Properties.BucketEncryption exists
}
";
    assert_eq!(
        status(rules, &template(), "tagged_buckets_encrypted"),
        Status::Pass
    );
    assert_eq!(status(rules, &template(), "buckets_tagged"), Status::Pass);
    assert_eq!(
        status(rules, &template(), "untagged_bucket_encrypted"),
        Status::Fail
    );
    // Nothing was captured: `%id` is not defined after such a filter.
    let rules = "rule r {
    Resources.*[ id | Type == 'AWS::S3::Bucket' ].Type exists
    %id exists
}
";
    let file = parse("r.guard", rules).unwrap();
    assert!(
        matches!(evaluate(&file, &template(), limits()), Err(Stop::Error { ref message, .. }) if message.contains("`%id` is not defined")),
    );
    // A list is filtered element by element, without a key either.
    let rules = "rule stage_tag {
    Resources.Good.Properties.Tags[ i | Key == 'Stage' ].Value == 'prod'
}
";
    assert_eq!(status(rules, &template(), "stage_tag"), Status::Pass);
}

#[test]
fn a_filter_on_a_plain_value_is_a_retrieval_error_except_after_all_indices() {
    let rules = "
rule after_key {
    Resources.Fn.Properties.Runtime[ this == 'python3.8' ] exists
}
rule after_key_empty {
    Resources.Fn.Properties.Runtime[ this == 'python3.8' ] empty
}
rule after_star {
    Resources.Fn.Properties.*[ this == 900 ] exists
}
rule after_all_indices {
    Resources.Fn.Properties.Runtime[*][ this == 'python3.8' ] exists
}
rule after_a_variable {
    let runtime = Resources.Fn.Properties.Runtime
    %runtime[ this == 'python3.8' ] exists
}
";
    assert_eq!(status(rules, &template(), "after_key"), Status::Fail);
    assert_eq!(status(rules, &template(), "after_key_empty"), Status::Pass);
    assert_eq!(status(rules, &template(), "after_star"), Status::Fail);
    assert_eq!(
        status(rules, &template(), "after_all_indices"),
        Status::Pass
    );
    assert_eq!(status(rules, &template(), "after_a_variable"), Status::Pass);
}

#[test]
fn a_filter_right_after_a_key_tests_each_value_of_the_map() {
    // `Resources[ ... ]` ranges over the resources, as `Resources.*[ ... ]` does: the map of
    // resources as a whole has no `Type`, and testing it would select nothing.
    let rules = "
let buckets = Resources[ Type == 'AWS::S3::Bucket' ]

rule buckets_encrypted when %buckets !empty {
    %buckets.Properties.BucketEncryption exists
}
";
    assert_eq!(
        status(rules, &template(), "buckets_encrypted"),
        Status::Fail
    );
    let only_good = json!({"Resources": {"Good": template()["Resources"]["Good"].clone()}});
    assert_eq!(status(rules, &only_good, "buckets_encrypted"), Status::Pass);
    let no_bucket = json!({"Resources": {"Fn": template()["Resources"]["Fn"].clone()}});
    assert_eq!(status(rules, &no_bucket, "buckets_encrypted"), Status::Skip);
    // After `*` a map is still one value, tested as a whole.
    let whole = "rule whole {\n    Resources.*[ Type == 'AWS::Lambda::Function' ].Properties.Timeout == 900\n}\n";
    assert_eq!(status(whole, &template(), "whole"), Status::Pass);
}

/// A failure shows the value found, redacted when its key and shape look like a secret's,
/// the same on every template (what is decided for a key and value is remembered), and a
/// plain value as it is.
#[test]
fn failures_show_values_found_and_redact_secrets_every_time() {
    let rules = "rule no_password {\n  Resources.*.Properties.Password == 'x'\n}\n";
    let file = parse("r.guard", rules).unwrap();
    let secret = "hunter2-Very-Secret-Value-9f8e7d";
    for round in 0..3 {
        for (value, shown, hidden) in [
            (secret, "\"hunt****\"", Some(secret)),
            ("plain", "\"plain\"", None),
        ] {
            let doc = json!({"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"Password": value}}}});
            let results = evaluate(&file, &doc, limits()).unwrap();
            let detail = &results[0].failures[0].detail;
            assert!(detail.ends_with(shown), "round {round}: {detail}");
            if let Some(hidden) = hidden {
                assert!(!detail.contains(hidden), "round {round}: {detail}");
            }
        }
    }
}
