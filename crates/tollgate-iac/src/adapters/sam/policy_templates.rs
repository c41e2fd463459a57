//! SAM policy templates expanded to the statements SAM itself generates (from SAM's
//! `policy_templates.json`), so the permissions stage sees what the function really gets.

use tollgate_syntax::Span;

use crate::adapters::cloudformation::Cv;
use crate::model::{Condition, Effect, PolicyDocument, Statement, Val};

/// One statement of a template: actions, resources (with `${Param}` and pseudo-parameter
/// placeholders) and an optional `StringEquals` condition.
struct Tmpl {
    actions: &'static [&'static str],
    resources: &'static [&'static str],
    condition: Option<(&'static str, &'static str)>,
}

const fn st(actions: &'static [&'static str], resources: &'static [&'static str]) -> Tmpl {
    Tmpl {
        actions,
        resources,
        condition: None,
    }
}

const S3_RESOURCES: &[&str] = &[
    "arn:${AWS::Partition}:s3:::${BucketName}",
    "arn:${AWS::Partition}:s3:::${BucketName}/*",
];
const TABLE_RESOURCES: &[&str] = &[
    "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}",
    "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}/index/*",
];
const QUEUE_RESOURCE: &[&str] =
    &["arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${QueueName}"];

/// The statements of template `name`, or `None` when the template is not known.
fn statements(name: &str) -> Option<Vec<Tmpl>> {
    Some(match name {
        "S3ReadPolicy" => vec![st(
            &[
                "s3:GetObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetObjectVersion",
                "s3:GetLifecycleConfiguration",
            ],
            S3_RESOURCES,
        )],
        "S3WritePolicy" => vec![st(
            &[
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:PutLifecycleConfiguration",
            ],
            S3_RESOURCES,
        )],
        "S3CrudPolicy" => vec![st(
            &[
                "s3:GetObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
                "s3:GetObjectVersion",
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:GetLifecycleConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:DeleteObject",
            ],
            S3_RESOURCES,
        )],
        "DynamoDBCrudPolicy" => vec![st(
            &[
                "dynamodb:GetItem",
                "dynamodb:DeleteItem",
                "dynamodb:PutItem",
                "dynamodb:Scan",
                "dynamodb:Query",
                "dynamodb:UpdateItem",
                "dynamodb:BatchWriteItem",
                "dynamodb:BatchGetItem",
                "dynamodb:DescribeTable",
                "dynamodb:ConditionCheckItem",
            ],
            TABLE_RESOURCES,
        )],
        "DynamoDBReadPolicy" => vec![st(
            &[
                "dynamodb:GetItem",
                "dynamodb:Scan",
                "dynamodb:Query",
                "dynamodb:BatchGetItem",
                "dynamodb:DescribeTable",
            ],
            TABLE_RESOURCES,
        )],
        "DynamoDBWritePolicy" => vec![st(
            &[
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:BatchWriteItem",
            ],
            TABLE_RESOURCES,
        )],
        "SQSPollerPolicy" => vec![st(
            &[
                "sqs:ChangeMessageVisibility",
                "sqs:ChangeMessageVisibilityBatch",
                "sqs:DeleteMessage",
                "sqs:DeleteMessageBatch",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
            QUEUE_RESOURCE,
        )],
        "SQSSendMessagePolicy" => vec![st(&["sqs:SendMessage*"], QUEUE_RESOURCE)],
        "SNSPublishMessagePolicy" => vec![st(
            &["sns:Publish"],
            &["arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${TopicName}"],
        )],
        "LambdaInvokePolicy" => vec![st(
            &["lambda:InvokeFunction"],
            &["arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${FunctionName}*"],
        )],
        "KMSDecryptPolicy" => vec![st(
            &["kms:Decrypt"],
            &["arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${KeyId}"],
        )],
        "KMSEncryptPolicy" => vec![st(
            &["kms:Encrypt"],
            &["arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${KeyId}"],
        )],
        "SecretsManagerGetSecretValuePolicy" | "AWSSecretsManagerGetSecretValuePolicy" => {
            vec![st(&["secretsmanager:GetSecretValue"], &["${SecretArn}"])]
        }
        "SSMParameterReadPolicy" => vec![
            st(&["ssm:DescribeParameters"], &["*"]),
            st(
                &[
                    "ssm:GetParameters",
                    "ssm:GetParameter",
                    "ssm:GetParametersByPath",
                ],
                &["arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${ParameterName}"],
            ),
        ],
        "StepFunctionsExecutionPolicy" => vec![st(
            &["states:StartExecution"],
            &["arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${StateMachineName}"],
        )],
        "AWSSecretsManagerRotationPolicy" => vec![
            Tmpl {
                actions: &[
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage",
                ],
                resources: &["arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:*"],
                condition: Some((
                    "secretsmanager:resource/AllowRotationLambdaArn",
                    "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${FunctionName}",
                )),
            },
            st(&["secretsmanager:GetRandomPassword"], &["*"]),
        ],
        "CloudWatchPutMetricPolicy" => vec![st(&["cloudwatch:PutMetricData"], &["*"])],
        "VPCAccessPolicy" => vec![st(
            &[
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DetachNetworkInterface",
            ],
            &["*"],
        )],
        "EventBridgePutEventsPolicy" => vec![st(
            &["events:PutEvents"],
            &["arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${EventBusName}"],
        )],
        "DynamoDBStreamReadPolicy" => vec![
            st(
                &[
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                ],
                &["arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}/stream/${StreamName}"],
            ),
            st(
                &["dynamodb:ListStreams"],
                &["arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}/stream/*"],
            ),
        ],
        "AWSXrayWriteOnlyAccessPolicy" | "AWSXRayDaemonWriteAccess" => vec![st(
            &[
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
                "xray:GetSamplingStatisticSummaries",
            ],
            &["*"],
        )],
        _ => return None,
    })
}

/// Expand template `name` with `params` (the evaluated `{Param: value}` map) into a policy
/// document spanned at `span` (the template's name as written). `None` for unknown templates.
pub fn expand(file: &str, name: &str, params: &Cv, span: Span) -> Option<PolicyDocument> {
    let templates = statements(name)?;
    let statements = templates
        .iter()
        .map(|t| {
            let mut s = Statement::new(span);
            s.effect = Val::known(Effect::Allow, span);
            s.actions = t
                .actions
                .iter()
                .map(|a| Val::known((*a).to_string(), span))
                .collect();
            s.resources = t.resources.iter().map(|r| fill(r, params, span)).collect();
            if let Some((key, value)) = t.condition {
                s.conditions.push(Condition {
                    span,
                    operator: "StringEquals".to_string(),
                    key: key.to_string(),
                    values: vec![fill(value, params, span)],
                });
            }
            s
        })
        .collect();
    Some(PolicyDocument {
        file: file.to_string(),
        span,
        version: Val::known("2012-10-17".to_string(), span),
        statements,
    })
}

/// Substitute `${Param}` from the template parameters; pseudo parameters stay placeholders.
/// A parameter that is unknown makes the string unknown, spanned where the user wrote it.
fn fill(pattern: &str, params: &Cv, span: Span) -> Val<String> {
    let mut out = String::new();
    let mut rest = pattern;
    let mut value_span = span;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}').unwrap_or(after.len());
        let name = &after[..end];
        rest = after.get(end + 1..).unwrap_or("");
        if name.starts_with("AWS::") {
            out.push_str(&format!("${{{name}}}"));
            continue;
        }
        match params.get(name) {
            Some(v) if v.is_unknown() => return v.to_str(),
            Some(v) => match v.text() {
                Some(text) => {
                    value_span = v.span;
                    out.push_str(&text);
                }
                None => {
                    return Val::unknown(
                        v.span,
                        format!("policy template parameter `{name}` is not a string"),
                    )
                }
            },
            None => {
                return Val::unknown(
                    span,
                    format!("policy template parameter `{name}` is missing"),
                )
            }
        }
    }
    out.push_str(rest);
    Val::known(out, value_span)
}
