//! CloudFormation and SAM stacks (as JSON values; `yaml.rs` writes the YAML ones), shaped like
//! `examples/sam-orders*` and the IaC rule fixtures: functions with their roles and log groups,
//! an API in front, a table, a bucket, queues and a KMS key.

use serde_json::{json, Map, Value};

use super::{Dice, RUNTIMES, SERVICES, VERBS};

pub fn r#ref(name: &str) -> Value {
    json!({ "Ref": name })
}

pub fn arn_of(name: &str) -> Value {
    json!({ "Fn::GetAtt": [name, "Arn"] })
}

pub fn sub(text: &str) -> Value {
    json!({ "Fn::Sub": text })
}

fn service_name(i: usize, dice: &mut Dice) -> String {
    format!("{}-{i}", dice.pick(SERVICES))
}

/// Function names of one template (one to three).
pub fn function_names(dice: &mut Dice) -> Vec<&'static str> {
    let count = 1 + dice.below(3) as usize;
    let mut names: Vec<&'static str> = Vec::new();
    while names.len() < count {
        let verb = *dice.pick(VERBS);
        if !names.contains(&verb) {
            names.push(verb);
        }
    }
    names
}

pub fn logical(prefix: &str, suffix: &str) -> String {
    let mut out = String::new();
    for part in [prefix, suffix] {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.extend(chars);
        }
    }
    out
}

fn tags(dice: &mut Dice, service: &str) -> Value {
    let mut tags = vec![json!({ "Key": "Service", "Value": service })];
    if dice.below(4) == 0 {
        let class = dice.pick(&["PII", "PCI", "PHI", "Public"]);
        tags.push(json!({ "Key": "DataClassification", "Value": class }));
    }
    Value::Array(tags)
}

pub fn kms_key(dice: &mut Dice, resources: &mut Map<String, Value>) {
    let principal = if dice.blunder() {
        json!("*")
    } else {
        json!({ "AWS": sub("arn:aws:iam::${AWS::AccountId}:root") })
    };
    let mut props = json!({
        "Description": "data key",
        "KeyPolicy": {
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "AccountAdmin",
                "Effect": "Allow",
                "Principal": principal,
                "Action": "kms:*",
                "Resource": "*"
            }]
        }
    });
    props["EnableKeyRotation"] = json!(dice.careful());
    resources.insert(
        "DataKey".into(),
        json!({ "Type": "AWS::KMS::Key", "Properties": props }),
    );
}

pub fn table(dice: &mut Dice, service: &str, resources: &mut Map<String, Value>) {
    let mut props = json!({
        "TableName": sub(&format!("{service}-${{AWS::StackName}}")),
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            { "AttributeName": "pk", "AttributeType": "S" },
            { "AttributeName": "sk", "AttributeType": "S" }
        ],
        "KeySchema": [
            { "AttributeName": "pk", "KeyType": "HASH" },
            { "AttributeName": "sk", "KeyType": "RANGE" }
        ],
        "Tags": tags(dice, service)
    });
    if dice.careful() {
        props["PointInTimeRecoverySpecification"] = json!({ "PointInTimeRecoveryEnabled": true });
    }
    if dice.careful() {
        props["SSESpecification"] =
            json!({ "SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": r#ref("DataKey") });
    }
    resources.insert(
        "Table".into(),
        json!({ "Type": "AWS::DynamoDB::Table", "Properties": props }),
    );
}

pub fn bucket(dice: &mut Dice, service: &str, resources: &mut Map<String, Value>) {
    let mut props = json!({
        "BucketName": sub(&format!("{service}-exports-${{AWS::AccountId}}")),
        "Tags": tags(dice, service)
    });
    if dice.careful() {
        props["VersioningConfiguration"] = json!({ "Status": "Enabled" });
    }
    if dice.careful() {
        props["BucketEncryption"] = json!({
            "ServerSideEncryptionConfiguration": [{
                "ServerSideEncryptionByDefault": {
                    "SSEAlgorithm": "aws:kms",
                    "KMSMasterKeyID": r#ref("DataKey")
                }
            }]
        });
    }
    if dice.careful() {
        props["PublicAccessBlockConfiguration"] = json!({
            "BlockPublicAcls": true,
            "BlockPublicPolicy": true,
            "IgnorePublicAcls": true,
            "RestrictPublicBuckets": true
        });
    }
    if dice.careful() {
        props["LoggingConfiguration"] = json!({
            "DestinationBucketName": sub(&format!("{service}-access-logs-${{AWS::AccountId}}")),
            "LogFilePrefix": "exports/"
        });
    }
    if dice.blunder() {
        props["AccessControl"] = json!("PublicRead");
    }
    resources.insert(
        "ExportsBucket".into(),
        json!({ "Type": "AWS::S3::Bucket", "Properties": props }),
    );
    if dice.careful() {
        resources.insert(
            "ExportsBucketPolicy".into(),
            json!({
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": r#ref("ExportsBucket"),
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [
                                arn_of("ExportsBucket"),
                                sub("${ExportsBucket.Arn}/*")
                            ],
                            "Condition": { "Bool": { "aws:SecureTransport": "false" } }
                        }]
                    }
                }
            }),
        );
    }
}

pub fn queues(dice: &mut Dice, resources: &mut Map<String, Value>) {
    let encryption = |dice: &mut Dice| {
        if dice.careful() {
            json!({ "KmsMasterKeyId": r#ref("DataKey") })
        } else if dice.careful() {
            json!({ "SqsManagedSseEnabled": true })
        } else {
            json!({ "SqsManagedSseEnabled": false })
        }
    };
    let mut dlq = encryption(dice);
    dlq["MessageRetentionPeriod"] = json!(1_209_600);
    resources.insert(
        "DeadLetterQueue".into(),
        json!({ "Type": "AWS::SQS::Queue", "Properties": dlq }),
    );
    let mut work = encryption(dice);
    work["VisibilityTimeout"] = json!(60);
    work["RedrivePolicy"] =
        json!({ "deadLetterTargetArn": arn_of("DeadLetterQueue"), "maxReceiveCount": 5 });
    resources.insert(
        "WorkQueue".into(),
        json!({ "Type": "AWS::SQS::Queue", "Properties": work }),
    );
    if dice.blunder() {
        resources.insert(
            "WorkQueuePolicy".into(),
            json!({
                "Type": "AWS::SQS::QueuePolicy",
                "Properties": {
                    "Queues": [r#ref("WorkQueue")],
                    "PolicyDocument": {
                        "Statement": [{
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "sqs:SendMessage",
                            "Resource": arn_of("WorkQueue")
                        }]
                    }
                }
            }),
        );
    }
}

pub fn log_group(dice: &mut Dice, function_logical: &str, resources: &mut Map<String, Value>) {
    let mut props = json!({ "LogGroupName": sub(&format!("/aws/lambda/${{{function_logical}}}")) });
    if dice.careful() {
        props["RetentionInDays"] = json!(dice.pick(&[90, 365, 400, 731]));
    } else if dice.below(2) == 0 {
        props["RetentionInDays"] = json!(dice.pick(&[1, 7, 14]));
    }
    if dice.careful() {
        props["KmsKeyId"] = arn_of("DataKey");
    }
    resources.insert(
        format!("{function_logical}Logs"),
        json!({ "Type": "AWS::Logs::LogGroup", "Properties": props }),
    );
}

/// The statements a function's role grants: scoped when careful, wildcards otherwise.
pub fn statements(dice: &mut Dice) -> Value {
    if dice.careful() {
        json!([
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                "Resource": arn_of("Table")
            },
            {
                "Effect": "Allow",
                "Action": ["sqs:SendMessage"],
                "Resource": arn_of("WorkQueue")
            }
        ])
    } else {
        let action = dice.pick(&["dynamodb:*", "s3:*", "*", "sqs:*"]);
        json!([{ "Effect": "Allow", "Action": action, "Resource": "*" }])
    }
}

fn role(dice: &mut Dice, resources: &mut Map<String, Value>) {
    resources.insert(
        "FunctionRole".into(),
        json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": { "Service": "lambda.amazonaws.com" },
                        "Action": "sts:AssumeRole"
                    }]
                },
                "ManagedPolicyArns": [
                    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                ],
                "Policies": [{
                    "PolicyName": "data",
                    "PolicyDocument": { "Version": "2012-10-17", "Statement": statements(dice) }
                }]
            }
        }),
    );
}

/// Environment variables; a careless author sometimes pastes a secret.
pub fn environment(dice: &mut Dice) -> Value {
    let mut vars = json!({ "TABLE_NAME": r#ref("Table"), "QUEUE_URL": r#ref("WorkQueue") });
    if dice.blunder() {
        vars["API_KEY"] = json!(format!("sk_live_{:024x}", dice.below(u64::MAX >> 8)));
    }
    vars
}

fn function(dice: &mut Dice, service: &str, verb: &str, resources: &mut Map<String, Value>) {
    let name = logical(verb, "Function");
    let mut props = json!({
        "FunctionName": sub(&format!("{service}-{verb}-${{AWS::StackName}}")),
        "Runtime": dice.pick(RUNTIMES),
        "Handler": format!("{verb}.handler"),
        "Role": arn_of("FunctionRole"),
        "Code": { "S3Bucket": "artifacts-bucket", "S3Key": format!("{service}/{verb}.zip") },
        "MemorySize": dice.pick(&[128, 256, 512, 1024]),
        "Timeout": dice.pick(&[3, 10, 30, 60]),
        "Environment": { "Variables": environment(dice) }
    });
    if dice.careful() {
        props["TracingConfig"] = json!({ "Mode": "Active" });
    }
    if dice.careful() {
        props["DeadLetterConfig"] = json!({ "TargetArn": arn_of("DeadLetterQueue") });
    }
    if dice.careful() {
        props["ReservedConcurrentExecutions"] = json!(dice.pick(&[5, 10, 50]));
    }
    if dice.careful() {
        props["KmsKeyArn"] = arn_of("DataKey");
    }
    if dice.careful() {
        props["VpcConfig"] = json!({
            "SecurityGroupIds": [r#ref("FunctionSecurityGroup")],
            "SubnetIds": [r#ref("SubnetA"), r#ref("SubnetB")]
        });
    }
    if dice.careful() {
        props["CodeSigningConfigArn"] = json!(
            "arn:aws:lambda:eu-west-1:123456789012:code-signing-config:csc-0a1b2c3d4e5f67890"
        );
    }
    resources.insert(
        name.clone(),
        json!({ "Type": "AWS::Lambda::Function", "Properties": props }),
    );
    log_group(dice, &name, resources);
}

/// A REST API with one method per function, or an HTTP API with one route per function.
fn api(dice: &mut Dice, functions: &[&str], resources: &mut Map<String, Value>) {
    let target = logical(functions[0], "Function");
    if dice.below(2) == 0 {
        resources.insert(
            "RestApi".into(),
            json!({ "Type": "AWS::ApiGateway::RestApi", "Properties": { "Name": sub("${AWS::StackName}-api") } }),
        );
        let mut methods = Vec::new();
        for verb in functions {
            let res = logical(verb, "Resource");
            resources.insert(
                res.clone(),
                json!({
                    "Type": "AWS::ApiGateway::Resource",
                    "Properties": {
                        "RestApiId": r#ref("RestApi"),
                        "ParentId": { "Fn::GetAtt": ["RestApi", "RootResourceId"] },
                        "PathPart": verb
                    }
                }),
            );
            let auth = if dice.careful() { "AWS_IAM" } else { "NONE" };
            let method = logical(verb, "Method");
            resources.insert(
                method.clone(),
                json!({
                    "Type": "AWS::ApiGateway::Method",
                    "Properties": {
                        "RestApiId": r#ref("RestApi"),
                        "ResourceId": r#ref(&res),
                        "HttpMethod": "POST",
                        "AuthorizationType": auth,
                        "Integration": {
                            "Type": "AWS_PROXY",
                            "IntegrationHttpMethod": "POST",
                            "Uri": sub(&format!("arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{}.Arn}}/invocations", logical(verb, "Function")))
                        }
                    }
                }),
            );
            methods.push(Value::String(method));
        }
        resources.insert(
            "Deployment".into(),
            json!({
                "Type": "AWS::ApiGateway::Deployment",
                "DependsOn": methods,
                "Properties": { "RestApiId": r#ref("RestApi") }
            }),
        );
        let mut stage = json!({
            "RestApiId": r#ref("RestApi"),
            "DeploymentId": r#ref("Deployment"),
            "StageName": "prod"
        });
        if dice.careful() {
            stage["TracingEnabled"] = json!(true);
        }
        if dice.careful() {
            stage["AccessLogSetting"] = json!({
                "DestinationArn": arn_of(&format!("{target}Logs")),
                "Format": "$context.requestId $context.status"
            });
        }
        stage["MethodSettings"] = json!([{
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "LoggingLevel": "ERROR",
            "DataTraceEnabled": !dice.careful(),
            "CachingEnabled": true,
            "CacheDataEncrypted": dice.careful()
        }]);
        resources.insert(
            "ProdStage".into(),
            json!({ "Type": "AWS::ApiGateway::Stage", "Properties": stage }),
        );
    } else {
        resources.insert(
            "HttpApi".into(),
            json!({
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": { "Name": sub("${AWS::StackName}-http"), "ProtocolType": "HTTP" }
            }),
        );
        for verb in functions {
            let mut route = json!({
                "ApiId": r#ref("HttpApi"),
                "RouteKey": format!("POST /{verb}")
            });
            if dice.careful() {
                route["AuthorizationType"] = json!("AWS_IAM");
            }
            resources.insert(
                logical(verb, "Route"),
                json!({ "Type": "AWS::ApiGatewayV2::Route", "Properties": route }),
            );
        }
        let mut stage =
            json!({ "ApiId": r#ref("HttpApi"), "StageName": "$default", "AutoDeploy": true });
        if dice.careful() {
            stage["AccessLogSettings"] = json!({
                "DestinationArn": arn_of(&format!("{target}Logs")),
                "Format": "$context.requestId"
            });
        }
        resources.insert(
            "DefaultStage".into(),
            json!({ "Type": "AWS::ApiGatewayV2::Stage", "Properties": stage }),
        );
    }
    let mut permission = json!({
        "Action": "lambda:InvokeFunction",
        "FunctionName": r#ref(&target),
        "Principal": "apigateway.amazonaws.com"
    });
    if dice.blunder() {
        permission["Principal"] = json!("*");
    } else if dice.careful() {
        permission["SourceArn"] = sub("arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:*");
    }
    resources.insert(
        "ApiInvokePermission".into(),
        json!({ "Type": "AWS::Lambda::Permission", "Properties": permission }),
    );
}

/// A plain CloudFormation stack.
pub fn stack(i: usize, dice: &mut Dice) -> Value {
    let service = service_name(i, dice);
    let functions = function_names(dice);
    let mut resources = Map::new();
    kms_key(dice, &mut resources);
    role(dice, &mut resources);
    for verb in &functions {
        function(dice, &service, verb, &mut resources);
    }
    api(dice, &functions, &mut resources);
    table(dice, &service, &mut resources);
    bucket(dice, &service, &mut resources);
    queues(dice, &mut resources);
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("{service}: generated benchmark stack {i}"),
        "Parameters": {
            "FunctionSecurityGroup": { "Type": "AWS::EC2::SecurityGroup::Id" },
            "SubnetA": { "Type": "AWS::EC2::Subnet::Id" },
            "SubnetB": { "Type": "AWS::EC2::Subnet::Id" }
        },
        "Resources": resources,
        "Outputs": {
            "TableName": { "Value": r#ref("Table") },
            "BucketArn": { "Value": arn_of("ExportsBucket") }
        }
    })
}

/// An AWS SAM application: serverless functions with events and policy templates, a SAM API.
pub fn sam(i: usize, dice: &mut Dice) -> Value {
    let service = service_name(i, dice);
    let functions = function_names(dice);
    let mut resources = Map::new();
    kms_key(dice, &mut resources);

    let mut api = json!({ "StageName": "prod" });
    if dice.careful() {
        api["TracingEnabled"] = json!(true);
    }
    if dice.careful() {
        api["Auth"] = json!({ "DefaultAuthorizer": "AWS_IAM" });
    }
    if dice.careful() {
        api["AccessLogSetting"] = json!({
            "DestinationArn": arn_of("ApiLogs"),
            "Format": "$context.requestId $context.status"
        });
    }
    resources.insert(
        "Api".into(),
        json!({ "Type": "AWS::Serverless::Api", "Properties": api }),
    );
    log_group(dice, "Api", &mut resources);

    for verb in &functions {
        let name = logical(verb, "Function");
        let policies = if dice.careful() {
            json!([{ "DynamoDBCrudPolicy": { "TableName": r#ref("Table") } }, { "SQSSendMessagePolicy": { "QueueName": { "Fn::GetAtt": ["WorkQueue", "QueueName"] } } }])
        } else {
            json!([{ "Statement": statements(dice) }])
        };
        let mut props = json!({
            "Handler": format!("{verb}.handler"),
            "CodeUri": format!("src/{verb}/"),
            "Environment": { "Variables": environment(dice) },
            "Policies": policies,
            "Events": {
                "Invoke": {
                    "Type": "Api",
                    "Properties": { "RestApiId": r#ref("Api"), "Path": format!("/{verb}"), "Method": "post" }
                }
            }
        });
        if dice.careful() {
            props["DeadLetterQueue"] =
                json!({ "Type": "SQS", "TargetArn": arn_of("DeadLetterQueue") });
        }
        if dice.careful() {
            props["ReservedConcurrentExecutions"] = json!(dice.pick(&[5, 20]));
        }
        if dice.careful() {
            props["KmsKeyArn"] = arn_of("DataKey");
        }
        if dice.blunder() {
            props["FunctionUrlConfig"] = json!({ "AuthType": "NONE" });
        }
        resources.insert(
            name.clone(),
            json!({ "Type": "AWS::Serverless::Function", "Properties": props }),
        );
        log_group(dice, &name, &mut resources);
    }
    table(dice, &service, &mut resources);
    bucket(dice, &service, &mut resources);
    queues(dice, &mut resources);

    let mut globals = json!({
        "Runtime": dice.pick(RUNTIMES),
        "Timeout": dice.pick(&[10, 30]),
        "MemorySize": dice.pick(&[256, 512])
    });
    if dice.careful() {
        globals["Tracing"] = json!("Active");
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": format!("{service}: generated benchmark application {i}"),
        "Parameters": { "Stage": { "Type": "String", "Default": "dev" } },
        "Globals": { "Function": globals },
        "Resources": resources
    })
}
