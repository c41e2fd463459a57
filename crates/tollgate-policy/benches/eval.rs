//! Policy stage benchmark (plain binary): `cargo bench -p tollgate-policy --bench eval -- [-n N]
//! [--dump FILE] [--include-passes] [--stage-only RUNS]` (`--dump` writes the stage's report as
//! JSON, to compare two builds' verdicts; the stages record evaluations, pass and not applicable
//! included, only with `--include-passes`, as `tollgate run` does; `--stage-only` runs the IaC
//! stage once and then only the policy stage, RUNS times, for a profiler).
//!
//! Writes a deterministic corpus of N resources (default 5,000: CloudFormation templates and
//! Terraform configurations of ten resources each, functions, tables, buckets, queues and
//! roles), 20 Rego policies (per resource, per deployment unit and per identity) and 10 Guard
//! rules (over the CloudFormation templates), then times, in one process as `tollgate run`
//! would: the IaC stage, building the policy input documents, the Guard rules alone, and the
//! whole policy stage. Prints wall times, document and finding
//! counts, and the number of cores used.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use tollgate_core::{Config, ScanContext, Stage, WalkOptions};

/// The allocator `tollgate` runs with (`crates/tollgate-cli/src/main.rs`): mimalloc, wrapped to
/// count what each policy evaluation holds. The stages' times are those of the binary only
/// under the binary's allocator (glibc's malloc took about a quarter of the samples).
#[global_allocator]
static GLOBAL: tollgate_alloc::Counting<mimalloc::MiMalloc> =
    tollgate_alloc::Counting(mimalloc::MiMalloc);

const RUNTIMES: [&str; 4] = ["python3.8", "python3.12", "nodejs20.x", "nodejs16.x"];

fn cfn_template(i: usize) -> String {
    let mut t = String::from("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n");
    for j in 0..2 {
        let runtime = RUNTIMES[(i + j) % RUNTIMES.len()];
        let timeout = if (i + j) % 3 == 0 { 900 } else { 30 };
        let class = if (i + j) % 5 == 0 { "PHI" } else { "internal" };
        let _ = write!(
            t,
            "  Fn{j}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: {runtime}\n      Handler: app.handler\n      Role: !GetAtt Role.Arn\n      Timeout: {timeout}\n      MemorySize: 512\n      Code: {{ ZipFile: x }}\n      Environment:\n        Variables:\n          TABLE: !Ref Table{j}\n      Tags:\n        - Key: DataClassification\n          Value: {class}\n  Table{j}:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n      KeySchema: [{{ AttributeName: id, KeyType: HASH }}]\n      AttributeDefinitions: [{{ AttributeName: id, AttributeType: S }}]\n      Tags:\n        - Key: DataClassification\n          Value: {class}\n  Bucket{j}:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration: {{ Status: Enabled }}\n  Queue{j}:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: true\n"
        );
    }
    t.push_str("  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal: { Service: lambda.amazonaws.com }\n            Action: sts:AssumeRole\n      Policies:\n        - PolicyName: app\n          PolicyDocument:\n            Statement:\n              - Effect: Allow\n                Action: [dynamodb:GetItem, dynamodb:PutItem]\n                Resource: !GetAtt Table0.Arn\n              - Effect: Allow\n                Action: s3:PutObject\n                Resource: arn:aws:s3:::exports/*\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      EnableKeyRotation: true\n");
    t
}

fn terraform(i: usize) -> String {
    let mut t = String::new();
    for j in 0..3 {
        let runtime = RUNTIMES[(i + j) % RUNTIMES.len()];
        let timeout = if (i + j) % 3 == 0 { 900 } else { 30 };
        let _ = write!(
            t,
            "resource \"aws_lambda_function\" \"f{j}\" {{\n  function_name = \"f{i}-{j}\"\n  role          = aws_iam_role.app.arn\n  runtime       = \"{runtime}\"\n  handler       = \"app.handler\"\n  filename      = \"app.zip\"\n  timeout       = {timeout}\n  memory_size   = 2048\n  tags = {{ CostCenter = \"c{i}\" }}\n}}\n\nresource \"aws_dynamodb_table\" \"t{j}\" {{\n  name     = \"t{i}-{j}\"\n  hash_key = \"id\"\n  attribute {{\n    name = \"id\"\n    type = \"S\"\n  }}\n}}\n\n"
        );
    }
    t.push_str("resource \"aws_iam_role\" \"app\" {\n  name = \"app\"\n  assume_role_policy = jsonencode({ Statement = [{ Effect = \"Allow\", Principal = { Service = \"lambda.amazonaws.com\" }, Action = \"sts:AssumeRole\" }] })\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n\nresource \"aws_sqs_queue\" \"q\" {\n  name = \"q\"\n}\n\nresource \"aws_kms_key\" \"k\" {\n  enable_key_rotation = true\n}\n");
    t
}

/// 20 policies: 14 per resource, 4 per deployment unit, 2 per identity.
fn policies() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let head = "package main\nimport rego.v1\n\n";
    let per_resource = [
        ("runtime", "approved := {\"python3.12\", \"nodejs20.x\"}\n\ndeny contains {\"msg\": \"runtime\", \"path\": \"properties.runtime\"} if {\n  rt := input.resource.model.runtime\n  is_string(rt)\n  not rt in approved\n}\n"),
        ("timeout", "deny contains {\"msg\": \"timeout\", \"path\": [\"properties\", k]} if {\n  some k in [\"Timeout\", \"timeout\"]\n  input.resource.properties[k] > 300\n}\n"),
        ("memory", "deny contains {\"msg\": \"memory\", \"path\": [\"properties\", k]} if {\n  some k in [\"MemorySize\", \"memory_size\"]\n  input.resource.properties[k] > 1024\n}\n"),
        ("costcenter", "warn contains \"no CostCenter\" if {\n  input.resource.model.kind in {\"lambda-function\", \"dynamodb-table\", \"s3-bucket\"}\n  not input.resource.tags.CostCenter\n}\n"),
        ("phi_vpc", "deny contains \"PHI outside VPC\" if {\n  input.resource.classification == \"PHI\"\n  input.resource.model.kind == \"lambda-function\"\n  not input.resource.model.vpc\n}\n"),
        ("phi_cmk", "deny contains \"PHI without CMK\" if {\n  input.resource.classification == \"PHI\"\n  not input.resource.model.kms_key\n}\n"),
        ("pitr", "warn contains \"no PITR\" if {\n  input.resource.model.kind == \"dynamodb-table\"\n  not input.resource.model.point_in_time_recovery\n}\n"),
        ("bucket_versioning", "warn contains \"unversioned\" if {\n  input.resource.model.kind == \"s3-bucket\"\n  input.resource.model.versioning != \"Enabled\"\n}\n"),
        ("bucket_encryption", "deny contains \"bucket encryption\" if {\n  input.resource.model.kind == \"s3-bucket\"\n  not input.resource.model.sse_algorithm\n}\n"),
        ("queue_encryption", "deny contains \"queue encryption\" if {\n  input.resource.model.kind == \"sqs-queue\"\n  not input.resource.model.sqs_managed_sse\n  not input.resource.model.kms_key\n}\n"),
        ("key_rotation", "deny contains \"rotation\" if {\n  input.resource.model.kind == \"kms-key\"\n  input.resource.model.rotation == false\n}\n"),
        ("env_names", "warn contains sprintf(\"env %s\", [name]) if {\n  some name in input.resource.model.environment_variables\n  regex.match(`(?i)(secret|password|token)`, name)\n}\n"),
        ("tracing", "warn contains \"no tracing\" if {\n  input.resource.model.kind == \"lambda-function\"\n  input.resource.model.tracing != \"Active\"\n}\n"),
        ("type_allowlist", "allowed := {\"AWS::Lambda::Function\", \"AWS::DynamoDB::Table\", \"AWS::S3::Bucket\", \"AWS::SQS::Queue\", \"AWS::IAM::Role\", \"AWS::KMS::Key\", \"aws_lambda_function\", \"aws_dynamodb_table\", \"aws_s3_bucket\", \"aws_sqs_queue\", \"aws_iam_role\", \"aws_kms_key\"}\n\ndeny contains \"type\" if {\n  input.resource\n  not input.resource.type in allowed\n}\n"),
    ];
    let per_unit = [
        ("unit_size", "warn contains \"big unit\" if {\n  count(input.resources) > 50\n}\n"),
        ("unit_refs", "warn contains {\"msg\": \"function without table\", \"resource\": f.address} if {\n  some f in input.resources\n  f.model.kind == \"lambda-function\"\n  not referenced(f.address)\n}\n\nreferenced(a) if {\n  some r in input.references\n  r.from == a\n}\n"),
        ("unit_phi_write", "deny contains {\"msg\": \"PHI exfiltration\", \"resource\": i.address} if {\n  phi := {r.address | some r in input.resources; r.classification == \"PHI\"}\n  some i in input.identities\n  some a in i.data_access\n  \"read\" in a.verbs\n  some t in a.targets\n  t in phi\n  some w in i.data_access\n  \"write\" in w.verbs\n  count(w.targets) == 0\n}\n"),
        ("unit_keys", "warn contains \"no key\" if {\n  input.kind == \"deployment-unit\"\n  count([r | some r in input.resources; r.model.kind == \"kms-key\"]) == 0\n}\n"),
    ];
    let per_identity = [
        (
            "identity_escalation",
            "deny contains \"escalation\" if {\n  count(input.identity.escalation) > 0\n}\n",
        ),
        (
            "identity_public",
            "deny contains \"public role\" if {\n  input.identity.public\n}\n",
        ),
    ];
    for (name, body) in per_resource.iter().chain(&per_unit).chain(&per_identity) {
        out.push((format!("policies/{name}.rego"), format!("{head}{body}")));
    }
    out
}

/// 10 Guard rules over the CloudFormation templates, in two files.
fn guard_rules() -> Vec<(String, String)> {
    let functions = "rule runtime {\n  AWS::Lambda::Function {\n    Properties.Runtime IN ['python3.12', 'nodejs20.x'] <<approved runtime>>\n  }\n}\n\nrule timeout {\n  AWS::Lambda::Function {\n    Properties.Timeout <= 300 or Properties.Timeout !exists\n  }\n}\n\nrule memory {\n  AWS::Lambda::Function {\n    Properties.MemorySize <= 1024 or Properties.MemorySize !exists\n  }\n}\n\nrule phi_in_vpc {\n  AWS::Lambda::Function when some Properties.Tags[*].Value == 'PHI' {\n    Properties.VpcConfig exists\n  }\n}\n\nlet tagged = Resources.*[ Type IN ['AWS::Lambda::Function', 'AWS::DynamoDB::Table', 'AWS::S3::Bucket'] ]\n\nrule cost_center when %tagged !empty {\n  %tagged {\n    some Properties.Tags[*].Key == 'CostCenter'\n  }\n}\n";
    let data = "rule pitr {\n  AWS::DynamoDB::Table {\n    Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled == true\n  }\n}\n\nrule bucket_versioning {\n  AWS::S3::Bucket {\n    Properties.VersioningConfiguration.Status == 'Enabled'\n  }\n}\n\nrule bucket_encryption {\n  AWS::S3::Bucket {\n    Properties.BucketEncryption exists\n  }\n}\n\nrule queue_encryption {\n  AWS::SQS::Queue {\n    Properties.SqsManagedSseEnabled == true or Properties.KmsMasterKeyId exists\n  }\n}\n\nrule no_wildcard_actions {\n  AWS::IAM::Role {\n    Properties.Policies[*].PolicyDocument.Statement[*].Action[*] != '*'\n  }\n}\n";
    vec![
        (
            "policies/functions.guard".to_string(),
            functions.to_string(),
        ),
        ("policies/data.guard".to_string(), data.to_string()),
    ]
}

fn write_corpus(dir: &Path, resources: usize) -> usize {
    // A CloudFormation template holds 10 resources, a Terraform configuration 10 too.
    let units = resources.div_ceil(10);
    for i in 0..units {
        if i % 2 == 0 {
            std::fs::write(dir.join(format!("t{i:05}.yaml")), cfn_template(i)).unwrap();
        } else {
            let d = dir.join(format!("tf{i:05}"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("main.tf"), terraform(i)).unwrap();
        }
    }
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    for (path, text) in policies().into_iter().chain(guard_rules()) {
        std::fs::write(dir.join(path), text).unwrap();
    }
    units
}

fn main() {
    let mut resources = 5_000;
    let mut dump = None;
    let mut include_passes = false;
    let mut stage_only = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-n" {
            resources = args.next().and_then(|n| n.parse().ok()).expect("-n N");
        } else if arg == "--include-passes" {
            include_passes = true;
        } else if arg == "--stage-only" {
            stage_only = Some(
                args.next()
                    .and_then(|n| n.parse::<usize>().ok())
                    .expect("--stage-only RUNS"),
            );
        } else if arg == "--dump" {
            dump = Some(args.next().expect("--dump FILE"));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let units = write_corpus(dir.path(), resources);
    let config = Arc::new(Config::default());
    let files = tollgate_core::walk(dir.path(), &WalkOptions::from_config(&config)).files;
    let ctx = ScanContext::new(
        dir.path().to_path_buf(),
        files,
        config,
        time::macros::date!(2026 - 12 - 01),
    );
    // `tollgate run` records evaluations only when an output shows them.
    let ctx = if include_passes {
        ctx
    } else {
        ctx.without_evaluations()
    };
    // The IaC stage runs first, as in `tollgate run`: it parses the templates and builds the
    // model, which the policy stage then reuses. The machine this runs on is shared, so the
    // policy stage runs three times and its fastest wall time and smallest CPU time (user +
    // system, all threads) are kept.
    let (iac, iac_wall, iac_cpu) = measure(|| tollgate_iac::IacStage::new().run(&ctx).unwrap());
    let iac_findings = iac.findings.len();
    if let Some(runs) = stage_only {
        let mut cpu = 0.0;
        for _ in 0..runs {
            let (_, _, c) = measure(|| tollgate_policy::PolicyStage::new().run(&ctx).unwrap());
            cpu += c;
        }
        println!("iac stage {iac_cpu:.2} s cpu; policy stage, {runs} runs: {cpu:.2} s cpu in all");
        return;
    }
    let mut stage_best = (f64::MAX, f64::MAX);
    let mut report = tollgate_core::StageReport::default();
    for _ in 0..3 {
        let (r, wall, cpu) = measure(|| tollgate_policy::PolicyStage::new().run(&ctx).unwrap());
        report = r;
        stage_best = (stage_best.0.min(wall), stage_best.1.min(cpu));
    }
    assert!(
        report.notifications.is_empty(),
        "{:?}",
        report.notifications
    );
    // The stage's whole report (findings, evaluations, rules), to compare two builds' verdicts.
    if let Some(path) = dump {
        std::fs::write(path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    }
    let phases = phases(&ctx);
    let (inputs, input_wall, input_cpu) = measure(|| tollgate_policy::inputs(&ctx));
    let (guard_report, guard_wall, guard_cpu) = measure(|| {
        let mut guard_report = tollgate_core::StageReport::default();
        let guard_files = tollgate_policy::guard::stage::load(guard_rules(), &mut guard_report);
        let budgets = tollgate_policy::evaluate::Budgets {
            document: tollgate_policy::budget(&ctx),
            policy: tollgate_policy::policy_budget(&ctx),
        };
        tollgate_policy::guard::stage::evaluate_all(
            &ctx,
            &guard_files,
            &inputs,
            budgets,
            &mut guard_report,
        );
        guard_report
    });
    assert!(
        guard_report.notifications.is_empty(),
        "{:?}",
        guard_report.notifications
    );
    // How many (entry rule, document) pairs rule indexing leaves to the interpreter.
    let set = tollgate_policy::rego::load_policies(policies());
    let (mut pairs, mut admitted) = (0, 0);
    for file in &set.files {
        for rule in file.entries.keys() {
            for (input, _) in &inputs.documents {
                pairs += 1;
                admitted += usize::from(file.admits(rule, input));
            }
        }
    }
    println!("rule indexing: {admitted} of {pairs} (entry rule, document) pairs evaluated");
    // The resources' values built whole and with only what the policies read (input
    // projection), on one thread, freed after each build.
    let need = set
        .needs()
        .expect("the benchmark's policies can be projected");
    let values = |projected: bool| {
        let mut total = 0.0;
        for _ in 0..PHASE_RUNS {
            let ((), _, cpu) = measure(|| {
                let mut b = tollgate_policy::rego_value::Builder::default();
                let built: Vec<regorus::Value> = inputs
                    .resources
                    .iter()
                    .map(|r| {
                        if projected {
                            b.projected(&r.doc, &need)
                        } else {
                            b.value(&r.doc)
                        }
                    })
                    .collect();
                drop(built);
            });
            total += cpu;
        }
        total / PHASE_RUNS as f64
    };
    println!(
        "resource values alone (one thread, built and freed, cpu, mean of {PHASE_RUNS}): whole {:.4} s, projected {:.4} s",
        values(false),
        values(true)
    );
    println!(
        "corpus: {units} units, {} resources, {} identities, {} documents; 20 Rego policies, 10 Guard rules",
        inputs.resources.len(),
        inputs.identities.len(),
        inputs.documents.len()
    );
    println!(
        "iac stage (parsing, model, rules): {iac_wall:.2} s wall, {iac_cpu:.2} s cpu, {iac_findings} findings"
    );
    println!("policy input documents alone: {input_wall:.2} s wall, {input_cpu:.2} s cpu");
    println!(
        "guard rules alone (templates, evaluation; documents built before): {guard_wall:.2} s wall, {guard_cpu:.2} s cpu, {} findings",
        guard_report.findings.len()
    );
    println!(
        "policy stage (load, documents, Rego and Guard evaluation): {:.2} s wall, {:.2} s cpu, {} findings, {} evaluations, {} threads",
        stage_best.0,
        stage_best.1,
        report.findings.len(),
        report.evaluations.len(),
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    println!(
        "policy stage phases (cpu, mean of {PHASE_RUNS} runs): load policies {:.3} s, input documents {:.3} s, Rego {:.3} s, Guard {:.3} s, freeing the documents {:.3} s",
        phases[0], phases[1], phases[2], phases[3], phases[4]
    );
}

/// Runs of the stage's phases averaged: each takes a few hundredths of a second, the clock
/// counts hundredths.
const PHASE_RUNS: usize = 10;

/// The CPU seconds of the policy stage's phases, as `PolicyStage::run` goes through them:
/// loading the policies, building the input documents, evaluating the Rego policies, the
/// Guard rules, and freeing the documents.
fn phases(ctx: &ScanContext) -> [f64; 5] {
    let mut total = [0.0; 5];
    for _ in 0..PHASE_RUNS {
        let mut report = tollgate_core::StageReport::default();
        let ((set, guard), _, load) = measure(|| tollgate_policy::load_from_scan(ctx, &mut report));
        let (mut inputs, _, documents) = measure(|| tollgate_policy::inputs_for(ctx, &set));
        let budgets = tollgate_policy::evaluate::Budgets {
            document: tollgate_policy::budget(ctx),
            policy: tollgate_policy::policy_budget(ctx),
        };
        let namespaces = tollgate_policy::namespaces(ctx);
        let ((), _, rego) = measure(|| {
            tollgate_policy::evaluate::evaluate(
                ctx,
                &set,
                &namespaces,
                budgets,
                &inputs,
                &mut report,
            )
        });
        let ((), _, guard_cpu) = measure(|| {
            tollgate_policy::guard::stage::evaluate_all_taking(
                ctx,
                &guard,
                &mut inputs,
                budgets,
                &mut report,
            )
        });
        let ((), _, free) = measure(|| drop(inputs));
        for (t, x) in total
            .iter_mut()
            .zip([load, documents, rego, guard_cpu, free])
        {
            *t += x;
        }
    }
    total.map(|t| t / PHASE_RUNS as f64)
}

/// Run `f`: its result, wall seconds and CPU seconds of the whole process (Linux
/// `/proc/self/stat`; 0 elsewhere).
fn measure<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let cpu = cpu_seconds();
    let started = Instant::now();
    let out = f();
    (out, started.elapsed().as_secs_f64(), cpu_seconds() - cpu)
}

fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses): utime is the 14th field of
    // the line, stime the 15th, in clock ticks (100 per second on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}
