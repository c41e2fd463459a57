//! Terraform modules shaped like `examples/terraform-ledger*`: a role with an inline policy,
//! functions with log groups, an HTTP or REST API, a table, a bucket with its split-out settings
//! resources (AWS provider v4+), queues and a KMS key.

use std::fmt::Write as _;

use super::cloudformation::function_names;
use super::{Dice, RUNTIMES, SERVICES};

/// Append formatted text; writing to a `String` cannot fail.
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {
        let _ = write!($out, $($arg)*);
    };
}

fn header(out: &mut String, service: &str, dice: &mut Dice) {
    put!(
        out,
        r#"terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }}
  }}
}}

provider "aws" {{
  region = "{region}"
}}

variable "name" {{
  type    = string
  default = "{service}"
}}

variable "subnet_ids" {{
  type = list(string)
}}

locals {{
  tags = {{
    Service            = var.name
    DataClassification = "{class}"
  }}
}}

"#,
        region = dice.pick(&["eu-west-1", "us-east-1", "eu-central-1"]),
        class = dice.pick(&["Internal", "PII", "PCI", "Public"]),
    );
}

fn role(out: &mut String, dice: &mut Dice) {
    let (actions, resources) = if dice.careful() {
        (
            r#"["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]"#,
            "[aws_dynamodb_table.main.arn]",
        )
    } else {
        (
            *dice.pick(&[r#""dynamodb:*""#, r#""*""#, r#""s3:*""#]),
            r#""*""#,
        )
    };
    put!(
        out,
        r#"resource "aws_iam_role" "lambda" {{
  name = "${{var.name}}-lambda"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Service = "lambda.amazonaws.com" }}
      Action    = "sts:AssumeRole"
    }}]
  }})
}}

resource "aws_iam_role_policy" "lambda" {{
  role = aws_iam_role.lambda.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = {actions}
      Resource = {resources}
    }}]
  }})
}}

"#
    );
}

fn function(out: &mut String, dice: &mut Dice, verb: &str) {
    put!(
        out,
        r#"resource "aws_lambda_function" "{verb}" {{
  function_name = "${{var.name}}-{verb}"
  role          = aws_iam_role.lambda.arn
  runtime       = "{runtime}"
  handler       = "{verb}.handler"
  filename      = "build/{verb}.zip"
  memory_size   = {memory}
  timeout       = {timeout}
"#,
        runtime = dice.pick(RUNTIMES),
        memory = dice.pick(&[128, 256, 512]),
        timeout = dice.pick(&[3, 15, 60]),
    );
    if dice.careful() {
        put!(
            out,
            "  reserved_concurrent_executions = {}\n",
            dice.pick(&[5, 10, 50])
        );
    }
    if dice.careful() {
        out.push_str("  kms_key_arn = aws_kms_key.data.arn\n");
    }
    if dice.careful() {
        out.push_str("  code_signing_config_arn = \"arn:aws:lambda:eu-west-1:123456789012:code-signing-config:csc-0a1b2c3d4e5f67890\"\n");
    }
    out.push_str("\n  environment {\n    variables = {\n      TABLE_NAME = aws_dynamodb_table.main.name\n      QUEUE_URL  = aws_sqs_queue.work.url\n");
    if dice.blunder() {
        put!(
            out,
            "      DB_PASSWORD = \"Pa55w0rd-{:016x}\"\n",
            dice.below(u64::MAX >> 4)
        );
    }
    out.push_str("    }\n  }\n");
    if dice.careful() {
        out.push_str("\n  tracing_config {\n    mode = \"Active\"\n  }\n");
    }
    if dice.careful() {
        out.push_str("\n  dead_letter_config {\n    target_arn = aws_sqs_queue.dlq.arn\n  }\n");
    }
    if dice.careful() {
        out.push_str("\n  vpc_config {\n    subnet_ids         = var.subnet_ids\n    security_group_ids = [\"sg-0123456789abcdef0\"]\n  }\n");
    }
    out.push_str("\n  tags = local.tags\n}\n\n");

    put!(
        out,
        "resource \"aws_cloudwatch_log_group\" \"{verb}\" {{\n  name = \"/aws/lambda/${{aws_lambda_function.{verb}.function_name}}\"\n"
    );
    if dice.careful() {
        put!(
            out,
            "  retention_in_days = {}\n",
            dice.pick(&[90, 365, 731])
        );
    } else if dice.below(2) == 0 {
        put!(out, "  retention_in_days = {}\n", dice.pick(&[1, 7, 14]));
    }
    if dice.careful() {
        out.push_str("  kms_key_id = aws_kms_key.data.arn\n");
    }
    out.push_str("}\n\n");
}

fn api(out: &mut String, dice: &mut Dice, verbs: &[&str]) {
    let first = verbs[0];
    if dice.below(2) == 0 {
        out.push_str("resource \"aws_apigatewayv2_api\" \"http\" {\n  name          = var.name\n  protocol_type = \"HTTP\"\n}\n\n");
        for verb in verbs {
            let auth = if dice.careful() { "AWS_IAM" } else { "NONE" };
            put!(
                out,
                "resource \"aws_apigatewayv2_route\" \"{verb}\" {{\n  api_id             = aws_apigatewayv2_api.http.id\n  route_key          = \"POST /{verb}\"\n  authorization_type = \"{auth}\"\n}}\n\n"
            );
        }
        out.push_str("resource \"aws_apigatewayv2_stage\" \"default\" {\n  api_id      = aws_apigatewayv2_api.http.id\n  name        = \"$default\"\n  auto_deploy = true\n");
        if dice.careful() {
            put!(out, "\n  access_log_settings {{\n    destination_arn = aws_cloudwatch_log_group.{first}.arn\n    format          = \"$context.requestId\"\n  }}\n");
        }
        out.push_str("}\n\n");
    } else {
        out.push_str("resource \"aws_api_gateway_rest_api\" \"rest\" {\n  name = var.name\n}\n\n");
        for verb in verbs {
            let auth = if dice.careful() { "AWS_IAM" } else { "NONE" };
            put!(
                out,
                r#"resource "aws_api_gateway_resource" "{verb}" {{
  rest_api_id = aws_api_gateway_rest_api.rest.id
  parent_id   = aws_api_gateway_rest_api.rest.root_resource_id
  path_part   = "{verb}"
}}

resource "aws_api_gateway_method" "{verb}" {{
  rest_api_id   = aws_api_gateway_rest_api.rest.id
  resource_id   = aws_api_gateway_resource.{verb}.id
  http_method   = "POST"
  authorization = "{auth}"
}}

"#
            );
        }
        out.push_str("resource \"aws_api_gateway_deployment\" \"rest\" {\n  rest_api_id = aws_api_gateway_rest_api.rest.id\n}\n\n");
        out.push_str("resource \"aws_api_gateway_stage\" \"prod\" {\n  rest_api_id   = aws_api_gateway_rest_api.rest.id\n  deployment_id = aws_api_gateway_deployment.rest.id\n  stage_name    = \"prod\"\n");
        if dice.careful() {
            out.push_str("  xray_tracing_enabled = true\n");
        }
        if dice.careful() {
            put!(out, "\n  access_log_settings {{\n    destination_arn = aws_cloudwatch_log_group.{first}.arn\n    format          = \"$context.requestId\"\n  }}\n");
        }
        out.push_str("}\n\n");
        put!(
            out,
            "resource \"aws_api_gateway_method_settings\" \"all\" {{\n  rest_api_id = aws_api_gateway_rest_api.rest.id\n  stage_name  = aws_api_gateway_stage.prod.stage_name\n  method_path = \"*/*\"\n\n  settings {{\n    logging_level          = \"ERROR\"\n    data_trace_enabled     = {trace}\n    caching_enabled        = true\n    cache_data_encrypted   = {enc}\n  }}\n}}\n\n",
            trace = !dice.careful(),
            enc = dice.careful(),
        );
    }
    let principal = if dice.blunder() {
        "*"
    } else {
        "apigateway.amazonaws.com"
    };
    put!(
        out,
        "resource \"aws_lambda_permission\" \"api\" {{\n  statement_id  = \"AllowApi\"\n  action        = \"lambda:InvokeFunction\"\n  function_name = aws_lambda_function.{first}.function_name\n  principal     = \"{principal}\"\n"
    );
    if dice.careful() {
        out.push_str("  source_arn    = \"arn:aws:execute-api:eu-west-1:123456789012:*\"\n");
    }
    out.push_str("}\n\n");
}

fn table(out: &mut String, dice: &mut Dice) {
    out.push_str("resource \"aws_dynamodb_table\" \"main\" {\n  name         = \"${var.name}-main\"\n  billing_mode = \"PAY_PER_REQUEST\"\n  hash_key     = \"pk\"\n  range_key    = \"sk\"\n\n  attribute {\n    name = \"pk\"\n    type = \"S\"\n  }\n\n  attribute {\n    name = \"sk\"\n    type = \"S\"\n  }\n");
    if dice.careful() {
        out.push_str("\n  point_in_time_recovery {\n    enabled = true\n  }\n");
    }
    if dice.careful() {
        out.push_str("\n  server_side_encryption {\n    enabled     = true\n    kms_key_arn = aws_kms_key.data.arn\n  }\n");
    }
    out.push_str("\n  tags = local.tags\n}\n\n");
}

fn bucket(out: &mut String, dice: &mut Dice) {
    out.push_str("resource \"aws_s3_bucket\" \"exports\" {\n  bucket = \"${var.name}-exports\"\n  tags   = local.tags\n}\n\n");
    if dice.careful() {
        out.push_str("resource \"aws_s3_bucket_versioning\" \"exports\" {\n  bucket = aws_s3_bucket.exports.id\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n\n");
    }
    if dice.careful() {
        out.push_str("resource \"aws_s3_bucket_server_side_encryption_configuration\" \"exports\" {\n  bucket = aws_s3_bucket.exports.id\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm     = \"aws:kms\"\n      kms_master_key_id = aws_kms_key.data.arn\n    }\n  }\n}\n\n");
    }
    if dice.careful() {
        out.push_str("resource \"aws_s3_bucket_public_access_block\" \"exports\" {\n  bucket                  = aws_s3_bucket.exports.id\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n\n");
    }
    if dice.careful() {
        out.push_str("resource \"aws_s3_bucket_logging\" \"exports\" {\n  bucket        = aws_s3_bucket.exports.id\n  target_bucket = \"${var.name}-access-logs\"\n  target_prefix = \"exports/\"\n}\n\n");
    }
    if dice.careful() {
        out.push_str(
            r#"resource "aws_s3_bucket_policy" "exports" {
  bucket = aws_s3_bucket.exports.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.exports.arn, "${aws_s3_bucket.exports.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

"#,
        );
    }
    if dice.blunder() {
        out.push_str("resource \"aws_s3_bucket_acl\" \"exports\" {\n  bucket = aws_s3_bucket.exports.id\n  acl    = \"public-read\"\n}\n\n");
    }
}

fn queues(out: &mut String, dice: &mut Dice) {
    for (name, extra) in [
        ("dlq", "  message_retention_seconds = 1209600\n"),
        ("work", "  visibility_timeout_seconds = 60\n  redrive_policy = jsonencode({\n    deadLetterTargetArn = aws_sqs_queue.dlq.arn\n    maxReceiveCount     = 5\n  })\n"),
    ] {
        put!(out, "resource \"aws_sqs_queue\" \"{name}\" {{\n  name = \"${{var.name}}-{name}\"\n{extra}");
        if dice.careful() {
            out.push_str("  kms_master_key_id = aws_kms_key.data.id\n");
        } else if dice.careful() {
            out.push_str("  sqs_managed_sse_enabled = true\n");
        } else {
            out.push_str("  sqs_managed_sse_enabled = false\n");
        }
        out.push_str("}\n\n");
    }
}

fn kms_key(out: &mut String, dice: &mut Dice) {
    put!(
        out,
        "resource \"aws_kms_key\" \"data\" {{\n  description         = \"${{var.name}} data\"\n  enable_key_rotation = {}\n}}\n",
        dice.careful()
    );
}

pub fn module(i: usize, dice: &mut Dice) -> String {
    let service = format!("{}-{i}", dice.pick(SERVICES));
    let verbs = function_names(dice);
    let mut out = String::with_capacity(8 * 1024);
    put!(out, "# {service}: generated benchmark module {i}\n\n");
    header(&mut out, &service, dice);
    role(&mut out, dice);
    for verb in &verbs {
        function(&mut out, dice, verb);
    }
    api(&mut out, dice, &verbs);
    table(&mut out, dice);
    bucket(&mut out, dice);
    queues(&mut out, dice);
    kms_key(&mut out, dice);
    out
}
