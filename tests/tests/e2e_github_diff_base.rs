//! End-to-end: `tollgate run --diff-base REF` scans the base revision from git's object store
//! and only findings the change introduced are `new` and fail the build.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tollgate_e2e::{git, tollgate_bin};

fn function(name: &str) -> String {
    format!("  {name}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Role: arn:aws:iam::123456789012:role/app\n      Code:\n        ZipFile: \"def handler(event, context): return event\"\n")
}

fn template(functions: &[&str]) -> String {
    let mut text = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n".to_string();
    for f in functions {
        text.push_str(&function(f));
    }
    text
}

fn commit(dir: &Path, files: &[(&str, &str)], message: &str) -> String {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

/// A repository whose base has one problem function; returns it and the base commit.
fn repo() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    let base = commit(
        dir.path(),
        &[("template.yaml", &template(&["ChargeFunction"]))],
        "base",
    );
    (dir, base)
}

/// The binary run in `dir`, outside any GitHub Actions context.
fn tollgate(dir: &Path) -> Command {
    let mut cmd = Command::new(tollgate_bin());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("GITHUB_") {
            cmd.env_remove(key);
        }
    }
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn run(dir: &Path, base: &str) -> (Option<i32>, Value, String) {
    let out = tollgate(dir)
        .args([
            "run",
            ".",
            "--offline",
            "--stages",
            "iac",
            "--format",
            "json",
        ])
        .args(["--fail-on", "low", "--diff-base", base])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {stderr}"));
    (out.status.code(), report, stderr)
}

/// (resource, baseline state) of every finding of `rule`.
fn states(report: &Value, rule: &str) -> Vec<(String, String)> {
    let mut v: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["resource"].as_str().unwrap_or_default().to_string(),
                f["baseline_state"].as_str().unwrap_or("none").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn only_the_problem_the_change_added_is_new_and_gates() {
    let (dir, base) = repo();
    // The head adds a second function with the same problem and moves the first one down:
    // fingerprints do not depend on lines.
    commit(
        dir.path(),
        &[(
            "template.yaml",
            &template(&["RefundFunction", "ChargeFunction"]),
        )],
        "head",
    );
    let (code, report, stderr) = run(dir.path(), &base);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        states(&report, "TG1001"),
        vec![
            ("ChargeFunction".to_string(), "unchanged".to_string()),
            ("RefundFunction".to_string(), "new".to_string()),
        ]
    );
    // The work tree is untouched: the base was never checked out over it.
    let text = std::fs::read_to_string(dir.path().join("template.yaml")).unwrap();
    assert!(text.contains("RefundFunction"));
    assert_eq!(git(dir.path(), &["status", "--porcelain"]), "");
}

#[test]
fn a_change_that_adds_no_problem_passes_and_a_fixed_one_is_absent() {
    let (dir, base) = repo();
    commit(dir.path(), &[("README.md", "docs\n")], "docs only");
    let (code, report, stderr) = run(dir.path(), &base);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        states(&report, "TG1001"),
        vec![("ChargeFunction".to_string(), "unchanged".to_string())]
    );

    // Replacing the function fixes the old finding and adds a new one.
    commit(
        dir.path(),
        &[("template.yaml", &template(&["OrdersFunction"]))],
        "rename",
    );
    let (code, report, stderr) = run(dir.path(), &base);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        states(&report, "TG1001"),
        vec![
            ("ChargeFunction".to_string(), "absent".to_string()),
            ("OrdersFunction".to_string(), "new".to_string()),
        ]
    );
}

#[test]
fn a_missing_base_commit_is_said_once_and_everything_counts() {
    let (dir, _) = repo();
    let (code, report, stderr) = run(dir.path(), "0123456789abcdef0123456789abcdef01234567");
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stderr.matches("not in the local repository").count(),
        1,
        "{stderr}"
    );
    assert_eq!(
        states(&report, "TG1001"),
        vec![("ChargeFunction".to_string(), "none".to_string())]
    );
}

/// A change only in a file the template includes (`${file(...)}` of a Serverless service) is
/// still seen: the service file itself is the same blob in both revisions, but what was built
/// from it is not, so its findings are not taken from the head as they are.
#[test]
fn a_change_only_in_an_included_file_is_new() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    let service = "service: inc\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  hello: ${file(./functions.yml):hello}\n";
    let functions = |runtime: &str| format!("hello:\n  handler: app.main\n  runtime: {runtime}\n");
    let base = commit(
        dir.path(),
        &[
            ("serverless.yml", service),
            ("functions.yml", &functions("python3.12")),
        ],
        "base",
    );
    commit(
        dir.path(),
        &[("functions.yml", &functions("python3.7"))],
        "deprecated runtime",
    );
    let (code, report, stderr) = run(dir.path(), &base);
    assert_eq!(code, Some(1), "{stderr}");
    // The deprecated runtime is the change's; the function's other findings were there before.
    assert_eq!(
        states(&report, "TG1008"),
        vec![("HelloLambdaFunction".to_string(), "new".to_string())]
    );
    assert_eq!(
        states(&report, "TG1001"),
        vec![("HelloLambdaFunction".to_string(), "unchanged".to_string())]
    );
}

/// The application's stack: a role named `role`, a function that runs as it by ARN, and a
/// bucket named `bucket` holding health data.
fn app_stack(role: &str, runtime: &str, bucket: &str) -> String {
    format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: {role}
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
  AppFunction:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: {runtime}
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/{role}
      Code:
        ZipFile: "def handler(event, context): return event"
  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: {bucket}
      Tags:
        - Key: DataClassification
          Value: PHI
"#
    )
}

/// Another stack that reaches into the application's by name only: a policy attached to the
/// role `role` and a bucket policy on the bucket `bucket`, both open wide.
fn access_stack(role: &str, bucket: &str) -> String {
    format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AppPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: app
      Roles:
        - {role}
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: ["iam:PassRole", "s3:*"]
            Resource: "*"
  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: {bucket}
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: arn:aws:s3:::{bucket}/*
"#
    )
}

/// A Terraform module holding one bucket, versioned or not.
fn bucket_module(versioned: bool) -> String {
    let mut text =
        "variable \"name\" {}\n\nresource \"aws_s3_bucket\" \"this\" {\n  bucket = var.name\n}\n"
            .to_string();
    if versioned {
        text.push_str("\nresource \"aws_s3_bucket_versioning\" \"this\" {\n  bucket = aws_s3_bucket.this.id\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n");
    }
    text
}

/// A Terraform root calling the bucket module.
fn bucket_root(name: &str) -> String {
    format!("module \"data\" {{\n  source = \"../modules/bucket\"\n  name   = \"{name}\"\n}}\n")
}

/// (rule, path, resource, severity, state) of every finding of a JSON report.
fn classification(report: &Value) -> Vec<[String; 5]> {
    let text = |v: &Value| v.as_str().unwrap_or("none").to_string();
    let mut v: Vec<[String; 5]> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            [
                text(&f["rule"]),
                text(&f["location"]["path"]),
                text(&f["resource"]),
                text(&f["severity"]),
                text(&f["baseline_state"]),
            ]
        })
        .collect();
    v.sort();
    v
}

/// `tollgate run . --stages iac,permissions` in `dir` with `args`: the JSON report and stderr.
fn run_stages(dir: &Path, args: &[&str]) -> (Value, String) {
    let out = tollgate(dir)
        .env_remove("RUST_LOG")
        .args(["run", ".", "--offline", "--stages", "iac,permissions"])
        .args(["--format", "json", "--fail-on", "none"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {stderr}"));
    (report, stderr)
}

/// The base revision takes the head's results for the stages whose inputs are the same in
/// both (the IaC rules when the cloud models are equal, the permission analysis when the
/// policies, roles and keys are), and every finding still gets the state a full scan of the
/// base gives: the base checked out on its own, scanned with nothing shared into a SARIF log,
/// and that log given as `--baseline`. The changes include ones to names another, untouched
/// template reaches by (a role its policy attaches to, a bucket its bucket policy opens), and
/// one to a Terraform module two roots call, and files renamed and deleted (a file no template
/// reads, a Terraform root, a stack). The base's model takes the head's part of every
/// deployment unit (a template; all Terraform configurations together) whose files are the
/// same blobs in both revisions, and maps the others again.
#[test]
fn adopted_results_classify_findings_as_a_full_scan_of_the_base_does() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    let app = "app.yaml";
    let access = "access.yaml";
    commit(
        &repo,
        &[
            (app, &app_stack("app-role", "python3.12", "data-bucket")),
            (access, &access_stack("app-role", "data-bucket")),
            ("tf/modules/bucket/main.tf", &bucket_module(false)),
            ("tf/dev/main.tf", &bucket_root("dev-data")),
            ("tf/prod/main.tf", &bucket_root("prod-data")),
            ("README.md", "# the application\n"),
        ],
        "base",
    );
    // Each change is a commit on the previous one; `adopted` is what the base's scan should
    // take from the head's.
    let mut commented = app_stack("app-role", "python3.12", "data-bucket");
    commented.push_str("# the stack of the application\n");
    // (what changed, the files written, what the base's scan adopts and how many of its three
    // units, app.yaml, access.yaml and the Terraform configurations, it takes from the head)
    type Change<'a> = (&'a str, Vec<(&'a str, String)>, &'a str, usize);
    let changes: Vec<Change> = vec![
        (
            "comment",
            vec![(app, commented)],
            r#"adopted=["iac", "permissions"]"#,
            2,
        ),
        (
            "runtime",
            vec![(app, app_stack("app-role", "python3.7", "data-bucket"))],
            r#"adopted=["permissions"]"#,
            2,
        ),
        (
            "role renamed",
            vec![(app, app_stack("ops-role", "python3.7", "data-bucket"))],
            "adopted=[]",
            2,
        ),
        (
            "bucket renamed",
            // The policies are the same: the permission analysis does not read buckets.
            vec![(app, app_stack("ops-role", "python3.7", "logs-bucket"))],
            r#"adopted=["permissions"]"#,
            2,
        ),
        (
            "the other stack follows",
            vec![(access, access_stack("ops-role", "logs-bucket"))],
            "adopted=[]",
            2,
        ),
        (
            "the other stack commented",
            vec![(
                access,
                format!("{}# access\n", access_stack("ops-role", "logs-bucket")),
            )],
            r#"adopted=["iac", "permissions"]"#,
            2,
        ),
        (
            "the module two roots call",
            vec![("tf/modules/bucket/main.tf", bucket_module(true))],
            r#"adopted=["permissions"]"#,
            2,
        ),
        (
            "both stacks",
            vec![
                (app, app_stack("app-role", "python3.12", "data-bucket")),
                (access, access_stack("app-role", "data-bucket")),
            ],
            "adopted=[]",
            1,
        ),
        (
            "a file no template reads",
            vec![("README.md", "# the application, renamed\n".to_string())],
            r#"adopted=["iac", "permissions"]"#,
            3,
        ),
    ];
    // Changes that delete or rename files: (what changed, `git` arguments, what the base's scan
    // adopts, how many units it takes from the head).
    let moves: Vec<(&str, Vec<&str>, &str, usize)> = vec![
        (
            "a file no template reads renamed",
            vec!["mv", "README.md", "NOTES.md"],
            r#"adopted=["iac", "permissions"]"#,
            2,
        ),
        (
            "a root configuration deleted",
            vec!["rm", "-q", "tf/prod/main.tf"],
            r#"adopted=["permissions"]"#,
            2,
        ),
        (
            "the other stack renamed",
            vec!["mv", access, "policies.yaml"],
            "adopted=[]",
            1,
        ),
    ];
    let changes: Vec<(Change, Option<Vec<&str>>)> = changes
        .into_iter()
        .map(|c| (c, None))
        .chain(
            moves
                .into_iter()
                .map(|(name, args, adopted, taken)| ((name, vec![], adopted, taken), Some(args))),
        )
        .collect();
    let mut states_seen = std::collections::BTreeSet::new();
    for (i, ((name, files, adopted, taken), git_args)) in changes.into_iter().enumerate() {
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        if let Some(args) = git_args {
            git(&repo, &args);
        }
        commit(&repo, &files, name);

        // The full two-scan way: the base revision on its own, then a baseline of its log.
        let base_dir = dir.path().join(format!("base-{i}"));
        git(
            dir.path(),
            &[
                "clone",
                "-q",
                repo.to_str().unwrap(),
                base_dir.to_str().unwrap(),
            ],
        );
        git(&base_dir, &["checkout", "-q", "HEAD~1"]);
        let base_log = dir.path().join(format!("base-{i}.sarif"));
        run_stages(&base_dir, &["--sarif", base_log.to_str().unwrap()]);
        let (full, _) = run_stages(&repo, &["--baseline", base_log.to_str().unwrap()]);

        let (diff_base, stderr) = run_stages(&repo, &["--diff-base", "HEAD~1", "-v"]);
        assert!(
            stderr.contains(adopted),
            "{name}: expected {adopted}\n{stderr}"
        );
        // The IaC results of a base whose model differs are computed from the head's unit by
        // unit, whenever it took a unit from the head.
        let by_unit = stderr.contains("IaC rule results taken unit by unit");
        assert_eq!(
            by_unit,
            !adopted.contains("iac") && taken > 0,
            "{name}\n{stderr}"
        );
        let taken = format!("units_taken={taken} ");
        assert!(
            stderr.contains(&taken),
            "{name}: expected {taken}\n{stderr}"
        );
        let classified = classification(&diff_base);
        assert_eq!(classified, classification(&full), "{name}");
        states_seen.extend(classified.into_iter().map(|[.., state]| state));
    }
    // The changes made findings appear and disappear, not only stay.
    for state in ["new", "unchanged", "absent"] {
        assert!(states_seen.contains(state), "no finding was {state}");
    }
}

/// One stack changes and the other does not: the changed stack's new problem is `new`, the
/// problem it fixed is `absent`, everything else (the untouched stack's findings, whose results
/// the base takes from the head unit by unit) is `unchanged`, as a full scan of the base says.
#[test]
fn one_stack_changes_and_the_other_keeps_its_findings() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    let (changed, untouched) = ("changed.yaml", "untouched.yaml");
    let same = app_stack("other-role", "python3.7", "other-bucket");
    commit(
        &repo,
        &[
            (changed, &app_stack("app-role", "python3.12", "data-bucket")),
            (untouched, &same),
        ],
        "base",
    );
    // The function's runtime is now deprecated and its bucket holds no classified data.
    let now = app_stack("app-role", "python3.7", "data-bucket").replace(
        "      Tags:\n        - Key: DataClassification\n          Value: PHI\n",
        "",
    );
    commit(&repo, &[(changed, &now)], "change");

    let base_dir = dir.path().join("base");
    let (repo_path, base_path) = (repo.to_str().unwrap(), base_dir.to_str().unwrap());
    git(dir.path(), &["clone", "-q", repo_path, base_path]);
    git(&base_dir, &["checkout", "-q", "HEAD~1"]);
    let base_log = dir.path().join("base.sarif");
    run_stages(&base_dir, &["--sarif", base_log.to_str().unwrap()]);
    let (full, _) = run_stages(&repo, &["--baseline", base_log.to_str().unwrap()]);

    let (report, stderr) = run_stages(&repo, &["--diff-base", "HEAD~1", "-v"]);
    // The untouched stack, and the Terraform configurations (none).
    assert!(stderr.contains("units_taken=2 "), "{stderr}");
    assert!(
        stderr.contains("IaC rule results taken unit by unit"),
        "{stderr}"
    );
    let classified = classification(&report);
    assert_eq!(classified, classification(&full));
    let of = |path: &str, state: &str| {
        classified
            .iter()
            .filter(|[_, p, .., s]| p == path && s == state)
            .map(|[rule, ..]| rule.as_str())
            .collect::<Vec<_>>()
    };
    // The deprecated runtime is new; the bucket's findings raised for PHI data are gone, and
    // come back at their own severity.
    assert!(of(changed, "new").contains(&"TG1008"), "{classified:?}");
    assert!(!of(changed, "absent").is_empty(), "{classified:?}");
    assert!(!of(changed, "unchanged").is_empty(), "{classified:?}");
    // The untouched stack's findings, its deprecated runtime among them, stay as they were.
    assert!(
        of(untouched, "unchanged").contains(&"TG1008"),
        "{classified:?}"
    );
    for state in ["new", "absent", "updated"] {
        assert!(of(untouched, state).is_empty(), "{state}: {classified:?}");
    }
}
