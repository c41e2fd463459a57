//! Fuzz targets for the IaC stage on each template format: CloudFormation and SAM (YAML and
//! JSON, which includes the OpenAPI route reader of `DefinitionBody`/`Body`), Serverless
//! Framework, Terraform (the evaluator: locals, variables, functions, `count`/`for_each`,
//! `jsonencode` bodies) and Terraform plan JSON.
//!
//! Each input is written to a scratch directory, classified and scanned the way `tollgate run`
//! does. Invariants: no panic anywhere (the stage catches an adapter's panic per template and
//! turns it into a notification; the runner's panic hook still sees it), and every finding and
//! notification that points into the file points inside its text.

use std::path::Path;
use std::sync::Arc;

use tollgate_core::inventory::{walk, WalkOptions};
use tollgate_core::{Config, Location, ScanContext, Stage};
use tollgate_fuzz::seeds::{has_ext, seeds};
use tollgate_fuzz::spans::Lines;
use tollgate_fuzz::{run_and_assert, Target};
use tollgate_iac::IacStage;

const MAX_LEN: usize = 64 * 1024;
const FIXTURES: &[&str] = &[
    "examples",
    "crates/tollgate-iac/tests",
    "crates/tollgate-perms/tests",
    "fuzz/seeds/templates",
];

const CFN_TOKENS: &[&str] = &[
    "!Ref ",
    "!Sub ",
    "!GetAtt ",
    "!Join [",
    "!If [",
    "!Select [",
    "!Split [",
    "!FindInMap [",
    "!ImportValue ",
    "!Equals [",
    "!Not [",
    "Fn::Sub",
    "Fn::Join",
    "Fn::If",
    "Ref",
    "${AWS::",
    "${",
    "AWS::NoValue",
    "Condition: ",
    "Conditions:\n",
    "Parameters:\n",
    "Default: ",
    "Mappings:\n",
    "Transform: AWS::Serverless-2016-10-31\n",
    "Globals:\n",
    "Type: ",
    "AWS::Serverless::Function",
    "AWS::Serverless::Api",
    "AWS::S3::Bucket",
    "AWS::IAM::Role",
    "AWS::Lambda::Permission",
    "Properties:\n",
    "Policies:\n",
    "Statement:\n",
    "Effect: Allow\n",
    "Action: '*'\n",
    "Resource: '*'\n",
    "Principal: '*'\n",
    "DefinitionBody:\n",
    "paths:\n",
    "  /orders/{id}:\n",
    "get:\n",
    "post:\n",
    "x-amazon-apigateway-any-method:\n",
    "x-amazon-apigateway-integration:\n",
    "security:\n",
    "securityDefinitions:\n",
    "Auth:\n",
    "Authorizer: NONE\n",
    "Events:\n",
    "Type: Api\n",
    "Method: any\n",
    "Path: /{proxy+}\n",
    "DependsOn: ",
    "&a ",
    "*a",
    "<<: *a\n",
];

const SERVERLESS_TOKENS: &[&str] = &[
    "${self:",
    "${opt:stage}",
    "${env:X}",
    "${file(./x.yml)}",
    "${sls:stage}",
    "${ssm:/a}",
    "${cf:stack.out}",
    ", 'default'}",
    "functions:\n",
    "handler: ",
    "events:\n",
    "- http:\n",
    "- httpApi:\n",
    "path: ",
    "method: ",
    "authorizer: ",
    "provider:\n",
    "iam:\n",
    "role:\n",
    "statements:\n",
    "iamRoleStatements:\n",
    "resources:\n",
    "Resources:\n",
    "custom:\n",
    "environment:\n",
    "tracing: ",
    "vpc:\n",
    "layers:\n",
    "runtime: nodejs12.x\n",
];

const TF_TOKENS: &[&str] = &[
    "${",
    "var.",
    "local.",
    "each.value",
    "each.key",
    "count.index",
    "module.",
    "data.",
    "aws_iam_policy_document.",
    "count = ",
    "for_each = ",
    "toset(",
    "tomap(",
    "range(",
    "range(1000000000)",
    "jsonencode(",
    "jsondecode(",
    "merge(",
    "concat(",
    "flatten(",
    "distinct(",
    "lookup(",
    "format(",
    "join(",
    "replace(",
    "split(",
    "length(",
    "keys(",
    "values(",
    "zipmap(",
    "coalesce(",
    "try(",
    "can(",
    "templatefile(",
    "file(",
    "element(",
    "[for x in ",
    "{for k, v in ",
    " : ",
    " => ",
    " if ",
    "...",
    "[*]",
    " ? ",
    "null",
    "locals {\n",
    "variable \"v\" {\n  default = ",
    "dynamic \"statement\" {\n",
    "content {\n",
    "resource \"aws_lambda_function\" \"f\" {\n",
    "resource \"aws_s3_bucket\" \"b\" {\n",
    "resource \"aws_iam_role_policy\" \"p\" {\n",
    "policy = ",
    "\"Action\": \"*\"",
    "body = jsonencode({ paths = {",
    "<<EOF\n",
    "\nEOF\n",
    "%{ for x in var.l }",
    "%{ endfor }",
    "module \"m\" {\n  source = \"./\"\n",
    "}\n",
];

const PLAN_TOKENS: &[&str] = &[
    "\"planned_values\": {",
    "\"root_module\": {",
    "\"resources\": [",
    "\"child_modules\": [",
    "\"address\": \"",
    "\"type\": \"aws_s3_bucket\"",
    "\"values\": {",
    "\"resource_changes\": [",
    "\"after\": {",
    "\"after_unknown\": {",
    "\"configuration\": {",
    "\"expressions\": {",
    "\"references\": [",
    "\"constant_value\": ",
    "\"mode\": \"managed\"",
    "\"index\": ",
    "\"provider_name\": \"registry.terraform.io/hashicorp/aws\"",
    "true",
    "null",
];

/// Scans `text` written as `file_name` and checks the invariants.
fn scan(dir: &Path, file_name: &str, text: &str) -> Result<(), String> {
    let path = dir.join(file_name);
    std::fs::write(&path, text).map_err(|e| format!("cannot write the input: {e}"))?;
    let inventory = walk(dir, &WalkOptions::default());
    let ctx = ScanContext::new(
        dir.to_path_buf(),
        inventory.files,
        Arc::new(Config::default()),
        time::macros::date!(2026 - 06 - 01),
    );
    let report = IacStage
        .run(&ctx)
        .map_err(|e| format!("stage failed: {e}"))?;
    let lines = Lines::new(text);
    let in_file = |location: &Location, what: &str| -> Result<(), String> {
        match &location.region {
            Some(span) if location.path == file_name => lines.check_span(*span, what),
            _ => Ok(()),
        }
    };
    for f in &report.findings {
        in_file(&f.location, &format!("{} finding", f.rule))?;
        for related in f.related.iter().chain(&f.code_flow) {
            in_file(&related.location, &format!("{} related location", f.rule))?;
        }
    }
    for n in &report.notifications {
        if let Some(location) = &n.location {
            in_file(location, &format!("{} notification", n.id))?;
        }
    }
    Ok(())
}

fn iac_target(
    name: &'static str,
    file_name: &'static str,
    tokens: &'static [&'static str],
    keep: &dyn Fn(&str, &str) -> bool,
) {
    // Seeds are filtered by name and content, so each target starts from its own format.
    let all = seeds(FIXTURES, MAX_LEN, &|n| {
        has_ext(n, &["yaml", "yml", "json", "tf", "template"])
    });
    let seeds: Vec<_> = all.into_iter().filter(|s| keep(&s.name, &s.text)).collect();
    let target = Target {
        name,
        seeds,
        tokens,
        default_iters: 250,
        max_len: MAX_LEN,
    };
    let dir = tempfile::tempdir().expect("scratch directory");
    run_and_assert(&target, |text| scan(dir.path(), file_name, text));
}

fn is_serverless(name: &str) -> bool {
    name.ends_with("serverless.yml") || name.ends_with("serverless.yaml")
}

#[test]
fn cloudformation_yaml() {
    iac_target(
        "cloudformation_yaml",
        "template.yaml",
        CFN_TOKENS,
        &|name, text| {
            has_ext(name, &["yaml", "yml"]) && !is_serverless(name) && text.contains("Resources")
        },
    );
}

#[test]
fn cloudformation_json() {
    iac_target(
        "cloudformation_json",
        "template.json",
        CFN_TOKENS,
        &|name, text| has_ext(name, &["json"]) && text.contains("\"Resources\""),
    );
}

#[test]
fn openapi_routes() {
    iac_target("openapi", "template.yaml", CFN_TOKENS, &|name, text| {
        has_ext(name, &["yaml", "yml"])
            && !is_serverless(name)
            && (text.contains("DefinitionBody") || text.contains("Body:"))
            && text.contains("paths")
    });
}

#[test]
fn serverless() {
    iac_target(
        "serverless",
        "serverless.yml",
        SERVERLESS_TOKENS,
        &|name, _| is_serverless(name),
    );
}

#[test]
fn terraform() {
    iac_target("terraform", "main.tf", TF_TOKENS, &|name, _| {
        has_ext(name, &["tf"])
    });
}

#[test]
fn terraform_plan() {
    iac_target("terraform_plan", "plan.json", PLAN_TOKENS, &|name, text| {
        has_ext(name, &["json"]) && text.contains("planned_values")
    });
}
