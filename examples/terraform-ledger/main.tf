# Ledger API: Lambda behind an HTTP API, storing entries in DynamoDB and exports in S3.
# Seeded with the mistakes tollgate is built to catch; see expected-results.json.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

locals {
  tags = {
    Service            = var.name
    DataClassification = "PCI"
  }
}

resource "aws_iam_role" "ledger" {
  name = "${var.name}-lambda"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "ledger" {
  role = aws_iam_role.ledger.id
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "*",
          "Resource": "*"
        }
      ]
    }
  POLICY
}

resource "aws_lambda_function" "ledger" {
  function_name = var.name
  role          = aws_iam_role.ledger.arn
  runtime       = "python3.7"
  handler       = "app.handler"
  filename      = "build/ledger.zip"

  environment {
    variables = {
      TABLE_NAME     = aws_dynamodb_table.entries.name
      DB_PASSWORD    = "hunter2-but-longer-Pa55w0rd!"
      AWS_ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
    }
  }

  tags = local.tags
}

resource "aws_lambda_function_url" "ledger" {
  function_name      = aws_lambda_function.ledger.function_name
  authorization_type = "NONE"
}

resource "aws_lambda_permission" "anyone" {
  statement_id  = "AllowAnyone"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.ledger.function_name
  principal     = "*"
}

resource "aws_apigatewayv2_api" "ledger" {
  name          = var.name
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_route" "post_entry" {
  api_id    = aws_apigatewayv2_api.ledger.id
  route_key = "POST /entries"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.ledger.id
  name        = "$default"
  auto_deploy = true
}

resource "aws_dynamodb_table" "entries" {
  name         = "${var.name}-entries"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"

  attribute {
    name = "pk"
    type = "S"
  }

  tags = local.tags
}

resource "aws_s3_bucket" "exports" {
  bucket = "${var.name}-exports"
  tags   = local.tags
}

resource "aws_s3_bucket_acl" "exports" {
  bucket = aws_s3_bucket.exports.id
  acl    = "public-read"
}

resource "aws_cloudwatch_log_group" "ledger" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = 7
}

resource "aws_kms_key" "ledger" {
  description         = "ledger data"
  enable_key_rotation = false
}
