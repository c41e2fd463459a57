//! SAM policy templates: all of SAM's own templates (data/sam-policy-templates.json, generated
//! from aws-sam-translator) expand into statements; spot checks against SAM's JSON; missing
//! parameters stay unknown; the committed data is what the generator writes.

mod cfn_support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use cfn_support::{model_of, notes};
use tollgate_iac::model::{CloudModel, Effect, IamRole, PolicyDocument, Val};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

fn data() -> serde_json::Value {
    let text = std::fs::read_to_string(data_dir().join("sam-policy-templates.json"))
        .expect("committed data file");
    serde_json::from_str(&text).expect("data parses")
}

/// A SAM template whose one function `Fn` lists `policies` (YAML list items, 8 spaces in).
fn sam(policies: &str) -> String {
    format!(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Policies:\n{policies}"
    )
}

fn role(m: &CloudModel) -> &IamRole {
    let f = &m.lambdas[0];
    m.role_of(&f.meta, &f.role).expect("implicit role")
}

fn doc<'a>(role: &'a IamRole, name: &str) -> &'a PolicyDocument {
    role.inline_policies
        .iter()
        .find(|p| p.name.as_str() == Some(name))
        .unwrap_or_else(|| panic!("{name} in the role"))
        .document
        .get()
        .unwrap_or_else(|| panic!("{name} expanded"))
}

fn strs(vals: &[Val<String>]) -> Vec<&str> {
    vals.iter().filter_map(Val::as_str).collect()
}

#[test]
fn every_sam_template_expands_without_a_note_when_given_its_parameters() {
    let data = data();
    let templates = data["templates"].as_object().expect("templates map");
    assert_eq!(
        templates.len(),
        81,
        "SAM 1.115.0 defines 81 policy templates"
    );
    let mut policies = String::new();
    for (name, def) in templates {
        let params: Vec<String> = def["parameters"]
            .as_array()
            .expect("parameters list")
            .iter()
            .map(|p| format!("{0}: value{0}", p.as_str().unwrap()))
            .collect();
        writeln!(policies, "        - {name}: {{ {} }}", params.join(", ")).unwrap();
    }
    let m = model_of("template.yaml", &sam(&policies));
    assert_eq!(notes(&m), "", "no template is left unexpanded");
    let role = role(&m);
    assert_eq!(role.inline_policies.len(), 81);
    for (name, def) in templates {
        let d = doc(role, name);
        let expected = def["statements"].as_array().unwrap().len();
        assert_eq!(
            d.statements.len(),
            expected,
            "{name}: one statement per SAM statement"
        );
        for st in &d.statements {
            assert!(st.effect.is_known(), "{name}: effect");
            assert!(!st.actions.is_empty(), "{name}: actions");
            for v in st.actions.iter().chain(&st.resources) {
                let s = v.as_str().unwrap_or_else(|| panic!("{name}: {v:?} known"));
                // Only pseudo-parameter placeholders may remain; every template variable
                // was replaced by the user's value.
                let leftover = s.replace("${AWS::", "");
                assert!(!leftover.contains("${"), "{name}: `{s}` fully substituted");
            }
            for c in &st.conditions {
                assert!(
                    c.values.iter().all(Val::is_known),
                    "{name}: condition values"
                );
            }
        }
    }
}

#[test]
fn s3_full_access_gives_object_and_bucket_statements_on_the_bucket_arns() {
    let m = model_of(
        "template.yaml",
        &sam("        - S3FullAccessPolicy: { BucketName: uploads }\n"),
    );
    let d = doc(role(&m), "S3FullAccessPolicy");
    assert_eq!(d.statements.len(), 2);
    let objects = &d.statements[0];
    assert_eq!(objects.effect.get(), Some(&Effect::Allow));
    for action in [
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:PutObjectAcl",
    ] {
        assert!(objects.allows_action(action), "{action}");
    }
    assert!(!objects.allows_action("s3:PutBucketPolicy"));
    assert_eq!(
        strs(&objects.resources),
        ["arn:${AWS::Partition}:s3:::uploads/*"]
    );
    let bucket = &d.statements[1];
    assert!(bucket.allows_action("s3:ListBucket"));
    assert_eq!(
        strs(&bucket.resources),
        ["arn:${AWS::Partition}:s3:::uploads"]
    );
    // Actions keep the template name's span; the resource points at the user's value.
    let action_span = objects.actions[0].span().unwrap();
    assert_eq!((action_span.start.line, action_span.start.col), (8, 11));
    let res_span = objects.resources[0].span().unwrap();
    assert_eq!((res_span.start.line, res_span.start.col), (8, 45));
}

#[test]
fn a_template_with_a_condition_keeps_it() {
    let m = model_of(
        "template.yaml",
        &sam("        - EFSWriteAccessPolicy: { FileSystem: fs-1, AccessPoint: fsap-2 }\n"),
    );
    let st = &doc(role(&m), "EFSWriteAccessPolicy").statements[0];
    assert!(st.allows_action("elasticfilesystem:ClientWrite"));
    assert_eq!(
        strs(&st.resources),
        ["arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system/fs-1"]
    );
    assert_eq!(st.conditions.len(), 1);
    let c = &st.conditions[0];
    assert_eq!(c.operator, "StringEquals");
    assert_eq!(c.key, "elasticfilesystem:AccessPointArn");
    assert_eq!(
        strs(&c.values),
        ["arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:access-point/fsap-2"]
    );
}

#[test]
fn ses_and_kinesis_templates_take_the_identity_and_stream_names() {
    let m = model_of(
        "template.yaml",
        &sam("        - SESCrudPolicy: { IdentityName: example.com }\n        - KinesisCrudPolicy:\n            StreamName: !Ref Stream\n  Stream:\n    Type: AWS::Kinesis::Stream\n"),
    );
    let role = role(&m);
    let ses = &doc(role, "SESCrudPolicy").statements[0];
    assert!(ses.allows_action("ses:SendEmail") && ses.allows_action("ses:VerifyEmailIdentity"));
    assert_eq!(
        strs(&ses.resources),
        ["arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/example.com"]
    );
    let kinesis = &doc(role, "KinesisCrudPolicy").statements[0];
    assert!(kinesis.allows_action("kinesis:DeleteStream"));
    assert_eq!(
        strs(&kinesis.resources),
        ["arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/${Stream}"]
    );
    assert_eq!(kinesis.resources[0].span().unwrap().start.line, 10);
}

#[test]
fn a_missing_parameter_gives_an_unknown_resource_not_a_guess() {
    let m = model_of(
        "template.yaml",
        &sam("        - SNSCrudPolicy: {}\n        - EcsRunTaskPolicy: { Other: x }\n"),
    );
    assert_eq!(notes(&m), "");
    let role = role(&m);
    for name in ["SNSCrudPolicy", "EcsRunTaskPolicy"] {
        let st = &doc(role, name).statements[0];
        assert!(!st.actions.is_empty() && st.actions.iter().all(Val::is_known));
        assert!(
            st.resources.iter().all(Val::is_unknown),
            "{name}: {:?}",
            st.resources
        );
        let span = st.resources[0].span().expect("spanned");
        assert_eq!(span.start.col, 11, "{name}: at the template name");
        match &st.resources[0] {
            Val::Unknown { reason, .. } => assert!(reason.contains("is missing"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn an_unknown_template_name_is_still_an_unsupported_note() {
    let m = model_of(
        "template.yaml",
        &sam("        - S3FullAccesPolicy: { BucketName: b }\n"),
    );
    assert!(
        notes(&m).contains(
            "template.yaml:8:11: SAM policy template `S3FullAccesPolicy` is not expanded"
        ),
        "{}",
        notes(&m)
    );
    let policy = &role(&m).inline_policies[0];
    assert!(policy.document.is_unknown());
}

/// The wheel the generator reads: `$TOLLGATE_SAM_WHEEL`, else the download cache the
/// README names (`$TMPDIR/samt/`). Tests never download it.
fn wheel(version: &str) -> Option<PathBuf> {
    let path = match std::env::var_os("TOLLGATE_SAM_WHEEL") {
        Some(p) => PathBuf::from(p),
        None => std::env::temp_dir()
            .join("samt")
            .join(format!("aws_sam_translator-{version}-py3-none-any.whl")),
    };
    path.is_file().then_some(path)
}

#[test]
fn the_committed_data_is_what_the_generator_writes() {
    let committed = data();
    let version = committed["source"]["version"]
        .as_str()
        .expect("version recorded");
    let date = committed["generated"].as_str().expect("date recorded");
    let Some(wheel) = wheel(version) else {
        eprintln!("skipped: aws-sam-translator {version} wheel not found (set TOLLGATE_SAM_WHEEL)");
        return;
    };
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("skipped: python3 not available");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let out_file = out.path().join("sam-policy-templates.json");
    let status = Command::new("python3")
        .arg(data_dir().join("generate_sam_templates.py"))
        .arg("--wheel")
        .arg(&wheel)
        .args(["--date", date, "--out"])
        .arg(&out_file)
        .status()
        .expect("generator runs");
    assert!(status.success(), "generator failed");
    let fresh = std::fs::read(&out_file).unwrap();
    let committed = std::fs::read(data_dir().join("sam-policy-templates.json")).unwrap();
    assert!(
        fresh == committed,
        "data/sam-policy-templates.json differs from what generate_sam_templates.py writes; regenerate it"
    );
}
