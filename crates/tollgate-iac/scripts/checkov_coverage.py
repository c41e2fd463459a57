#!/usr/bin/env python3
"""Which Checkov checks for the services serverless applications use have a tollgate rule.

    checkov_coverage.py CHECKOV_LIST.md RULES.json

CHECKOV_LIST.md  `checkov --list` (its Markdown table: id, type, entity, policy, IaC)
RULES.json       `tollgate rules --format json` (each rule's `equivalents` name Checkov ids)

A Checkov AWS check (CKV_AWS_*, CKV2_AWS_*) of the CloudFormation, Terraform or Serverless
frameworks is in scope when every resource type it lists belongs to one of the services below
(a graph check that also names a load balancer or an EC2 resource is not about serverless
applications). It is covered when some tollgate rule lists it in `equivalents`. Prints a
Markdown table per service (a check naming two services counts under both names joined) and
the totals, with the uncovered ids.
"""

import json
import re
import sys
from collections import defaultdict

SERVICES = [
    ("Lambda", r"aws_lambda_|AWS::Lambda::|AWS::Serverless::(Function|LayerVersion)$"),
    ("API Gateway", r"aws_api_gateway_|aws_apigatewayv2_|AWS::ApiGateway(V2)?::|AWS::Serverless::(Api|HttpApi)$"),
    ("AppSync", r"aws_appsync_|AWS::AppSync::"),
    ("DynamoDB and DAX", r"aws_dynamodb_|aws_dax_|AWS::DynamoDB::|AWS::DAX::|AWS::Serverless::SimpleTable$"),
    ("S3", r"aws_s3_bucket|AWS::S3::Bucket"),
    ("SQS", r"aws_sqs_|AWS::SQS::"),
    ("SNS", r"aws_sns_|AWS::SNS::"),
    ("Kinesis and Firehose", r"aws_kinesis_stream$|aws_kinesis_firehose_|AWS::Kinesis::Stream$|AWS::KinesisFirehose::"),
    ("EventBridge", r"aws_cloudwatch_event_|aws_scheduler_|aws_pipes_|AWS::Events::|AWS::Scheduler::|AWS::Pipes::"),
    ("Step Functions", r"aws_sfn_|AWS::StepFunctions::|AWS::Serverless::StateMachine$"),
    ("KMS", r"aws_kms_|AWS::KMS::"),
    ("Secrets Manager", r"aws_secretsmanager_|AWS::SecretsManager::"),
    ("SSM", r"aws_ssm_(parameter|document)$|AWS::SSM::(Parameter|Document)$"),
    ("CloudWatch Logs", r"aws_cloudwatch_log_|AWS::Logs::"),
    ("CloudTrail", r"aws_cloudtrail|AWS::CloudTrail::"),
    ("Cognito", r"aws_cognito_|AWS::Cognito::"),
    ("WAF", r"aws_wafv2_|aws_waf_|aws_wafregional_|AWS::WAF(v2|Regional)?::"),
    ("CloudFront", r"aws_cloudfront_|AWS::CloudFront::"),
    ("IAM", r"aws_iam_|AWS::IAM::"),
    ("ECR (function images)", r"aws_ecr_repository|AWS::ECR::Repository$"),
]
FRAMEWORKS = {"Terraform", "Cloudformation", "serverless"}


def service_of(entity):
    for name, pattern in SERVICES:
        if re.match(f"^({pattern})", entity):
            return name
    return None


def checkov_checks(path):
    """Check id -> the resource types it lists, for AWS checks of the IaC frameworks."""
    entities = defaultdict(set)
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = [c.strip() for c in line.split("|")]
            if len(cols) < 7 or not re.match(r"^CKV2?_AWS_\d+$", cols[2]):
                continue
            if cols[6] in FRAMEWORKS:
                entities[cols[2]].add(cols[4])
    return entities


def id_order(check_id):
    return (check_id.startswith("CKV2"), int(check_id.rsplit("_", 1)[1]))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[2], encoding="utf-8") as f:
        covered = {e for rule in json.load(f) for e in rule.get("equivalents", [])}
    by_service = defaultdict(list)
    for check_id, entities in checkov_checks(sys.argv[1]).items():
        services = {service_of(e) for e in entities}
        if None in services:
            continue
        by_service[" + ".join(sorted(services))].append(check_id)
    print("| service | Checkov checks | with a tollgate rule | without |")
    print("|---|---:|---:|---|")
    total = done = 0
    for service in sorted(by_service):
        ids = sorted(by_service[service], key=id_order)
        missing = [i for i in ids if i not in covered]
        total += len(ids)
        done += len(ids) - len(missing)
        print(f"| {service} | {len(ids)} | {len(ids) - len(missing)} | {', '.join(missing)} |")
    print()
    print(f"In scope: {total} Checkov checks; {done} have a tollgate rule, {total - done} do not.")


if __name__ == "__main__":
    main()
