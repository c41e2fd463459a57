//! SAM adapter: transform detection, Globals merge, implicit roles from `Policies` (with
//! policy templates), implicit APIs from events, function URLs and the serverless resources.

#[macro_use]
mod at_address;
mod cfn_support;

use cfn_support::{model_of, notes};
use tollgate_iac::model::{ApiProtocol, Ref, SourceFormat, Val};

fn line<T>(v: &Val<T>) -> u32 {
    v.span().expect("value has a span").start.line
}

#[test]
fn without_the_transform_serverless_types_are_read_as_sam_with_a_note() {
    let m = model_of(
        "t.yaml",
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { Runtime: python3.12 }\n",
    );
    assert_eq!(m.lambdas.len(), 1);
    assert_eq!(m.lambdas[0].meta.format, SourceFormat::Sam);
    assert_eq!(m.lambdas[0].runtime.as_str(), Some("python3.12"));
    assert!(
        notes(&m).contains("t.yaml:2:3: `Fn` is a SAM resource but the template has no `Transform: AWS::Serverless-2016-10-31`"),
        "{}",
        notes(&m)
    );
    let plain = model_of(
        "t.yaml",
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: { Runtime: python3.12 }\n",
    );
    assert!(plain.notifications.is_empty(), "{}", notes(&plain));
    let m = model_of(
        "t.yaml",
        "Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { Runtime: python3.12 }\n",
    );
    assert_eq!(m.lambdas.len(), 1);
    assert_eq!(m.lambdas[0].meta.format, SourceFormat::Sam);
}

#[test]
fn globals_merge_maps_append_lists_and_override_scalars() {
    let m = model_of(
        "template.yaml",
        r#"Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.9
    Tracing: Active
    Environment:
      Variables:
        STAGE: prod
        SHARED: from-globals
    VpcConfig:
      SubnetIds: [subnet-global]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Environment:
        Variables:
          SHARED: from-function
          TABLE: orders
      VpcConfig:
        SubnetIds: [subnet-local]
  Plain:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
"#,
    );
    let f = &m.lambdas[0];
    assert_eq!(f.runtime.as_str(), Some("python3.12"), "scalars overridden");
    assert_eq!(line(&f.runtime), 16);
    assert_eq!(f.tracing.as_str(), Some("Active"));
    assert_eq!(line(&f.tracing), 5, "a global setting points into Globals");
    let env: Vec<_> = f
        .environment
        .iter()
        .map(|e| (e.name.as_str(), e.value.as_str().unwrap_or("?")))
        .collect();
    assert_eq!(
        env,
        [
            ("STAGE", "prod"),
            ("SHARED", "from-function"),
            ("TABLE", "orders")
        ],
        "maps merged key by key"
    );
    let subnets: Vec<_> = f
        .vpc
        .get()
        .unwrap()
        .subnet_ids
        .iter()
        .filter_map(Val::as_str)
        .collect();
    assert_eq!(subnets, ["subnet-global", "subnet-local"], "lists appended");
    let plain = &m.lambdas[1];
    assert_eq!(plain.runtime.as_str(), Some("python3.9"));
    assert_eq!(plain.environment.len(), 2);
}

#[test]
fn policies_become_the_implicit_role_with_templates_expanded() {
    let m = model_of(
        "template.yaml",
        r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Tracing: Active
      Policies:
        - AmazonDynamoDBReadOnlyAccess
        - arn:aws:iam::aws:policy/AWSXrayReadOnlyAccess
        - S3ReadPolicy:
            BucketName: !Ref Bucket
        - DynamoDBCrudPolicy: { TableName: orders }
        - SQSSendMessagePolicy: { QueueName: !GetAtt Queue.QueueName }
        - SSMParameterReadPolicy: { ParameterName: app/* }
        - AWSSecretsManagerRotationPolicy: { FunctionName: rotator }
        - CloudWatchPutMetricPolicy: {}
        - AWSSecretsManagerGetSecretValuePolicy: { SecretArn: !Ref DbSecret }
        - EventBridgePutEventsPolicy: { EventBusName: orders }
        - Statement:
            - Effect: Allow
              Action: ["sns:Publish"]
              Resource: "*"
        - NoSuchTemplatePolicy: { X: y }
  Queue:
    Type: AWS::SQS::Queue
  DbSecret:
    Type: AWS::SecretsManager::Secret
"#,
    );
    let f = &m.lambdas[0];
    assert_eq!(f.role.get().and_then(Ref::address), Some("FnRole"));
    let role = m
        .role_of(&f.meta, &f.role)
        .expect("implicit role in the model");
    assert_eq!(
        role.meta.header.start.line, 9,
        "the implicit role points at Policies"
    );
    let trust = role.trust_policy.get().unwrap();
    assert_eq!(
        trust.statements[0].principals[0].value.as_str(),
        Some("lambda.amazonaws.com")
    );
    let managed: Vec<_> = role
        .managed_policy_arns
        .iter()
        .filter_map(Val::as_str)
        .collect();
    assert_eq!(
        managed,
        [
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
            "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",
            "arn:aws:iam::aws:policy/AWSXrayReadOnlyAccess",
        ]
    );
    let doc = |name: &str| {
        role.inline_policies
            .iter()
            .find(|p| p.name.as_str() == Some(name))
            .unwrap_or_else(|| panic!("{name} expanded"))
            .document
            .clone()
    };
    let s3 = doc("S3ReadPolicy");
    let s3 = s3.get().unwrap();
    let st = &s3.statements[0];
    assert!(st.allows_action("s3:GetObject") && !st.allows_action("s3:PutObject"));
    let resources: Vec<_> = st.resources.iter().filter_map(Val::as_str).collect();
    assert_eq!(
        resources,
        [
            "arn:${AWS::Partition}:s3:::${Bucket}",
            "arn:${AWS::Partition}:s3:::${Bucket}/*"
        ]
    );
    assert_eq!(
        line(&st.resources[0]),
        13,
        "the substituted resource points at the parameter"
    );
    let crud = doc("DynamoDBCrudPolicy");
    let crud = &crud.get().unwrap().statements[0];
    assert!(crud.allows_action("dynamodb:PutItem"));
    assert_eq!(
        crud.resources[0].as_str(),
        Some("arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders")
    );
    let sqs = doc("SQSSendMessagePolicy");
    assert!(sqs.get().unwrap().statements[0].resources[0]
        .as_str()
        .unwrap()
        .ends_with(":${Queue.QueueName}"));
    assert_eq!(
        doc("SSMParameterReadPolicy")
            .get()
            .unwrap()
            .statements
            .len(),
        2
    );
    let rotation = doc("AWSSecretsManagerRotationPolicy");
    let cond = &rotation.get().unwrap().statements[0].conditions[0];
    assert!(cond.values[0]
        .as_str()
        .unwrap()
        .ends_with(":function:rotator"));
    assert!(
        doc("CloudWatchPutMetricPolicy").get().unwrap().statements[0]
            .allows_action("cloudwatch:PutMetricData")
    );
    let inline = role
        .inline_policies
        .iter()
        .find(|p| p.name.as_str() == Some("FnRolePolicy10"))
        .expect("inline statement");
    assert!(inline.document.get().unwrap().statements[0].allows_action("sns:Publish"));
    let secret = doc("AWSSecretsManagerGetSecretValuePolicy");
    assert_eq!(
        secret.get().unwrap().statements[0].resources[0].as_str(),
        Some("${DbSecret}")
    );
    assert!(
        doc("EventBridgePutEventsPolicy").get().unwrap().statements[0].resources[0]
            .as_str()
            .unwrap()
            .ends_with(":event-bus/orders")
    );
    assert!(doc("NoSuchTemplatePolicy").is_unknown());
    assert!(
        notes(&m).contains("template.yaml:25:11: SAM policy template `NoSuchTemplatePolicy`"),
        "{}",
        notes(&m)
    );
}

#[test]
fn api_events_make_routes_on_the_implicit_api_with_global_auth() {
    let m = model_of(
        "template.yaml",
        r#"Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    TracingEnabled: true
    Auth:
      DefaultAuthorizer: MyCognito
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        List:
          Type: Api
          Properties: { Path: /items, Method: get }
        Open:
          Type: Api
          Properties:
            Path: /health
            Method: GET
            Auth: { Authorizer: NONE }
        Keyed:
          Type: Api
          Properties: { Path: /admin, Method: post, RestApiId: !Ref Admin, Auth: { ApiKeyRequired: true } }
        Http:
          Type: HttpApi
        Queue:
          Type: SQS
          Properties: { Queue: arn:aws:sqs:eu-west-1:1:q }
  Admin:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      AccessLogSetting: { DestinationArn: !GetAtt Logs.Arn, Format: "$context.requestId" }
      MethodSettings:
        - { ResourcePath: "/*", HttpMethod: "*", CachingEnabled: true, CacheDataEncrypted: false }
      Domain: { DomainName: api.example.com, CertificateArn: arn:aws:acm:x, SecurityPolicy: TLS_1_0 }
  Logs:
    Type: AWS::Logs::LogGroup
"#,
    );
    let routes: Vec<_> = m
        .api_routes
        .iter()
        .map(|r| {
            (
                r.method.as_str().unwrap_or("?"),
                r.path.as_str().unwrap_or("?"),
                r.authorization.as_str().unwrap_or("-"),
                r.api.get().and_then(Ref::address).unwrap_or("?"),
            )
        })
        .collect();
    assert_eq!(
        routes,
        [
            ("GET", "/items", "MyCognito", "ServerlessRestApi"),
            ("GET", "/health", "NONE", "ServerlessRestApi"),
            ("POST", "/admin", "MyCognito", "Admin"),
            ("ANY", "$default", "-", "ServerlessHttpApi"),
        ]
    );
    let list = &m.api_routes[0];
    assert_eq!(list.meta.address, "Fn");
    assert_eq!(
        list.meta.header.start.line, 12,
        "an implied route points at its event"
    );
    assert_eq!(
        line(&list.authorization),
        6,
        "the default authorizer as written in Globals"
    );
    assert!(m.api_routes[2].api_key_required.is_true());
    assert_eq!(
        line(&m.api_routes[2].authorization),
        6,
        "Globals.Api apply to declared APIs too"
    );

    let implicit = at!(m.apis, "ServerlessRestApi");
    assert_eq!(implicit.meta.header.start.line, 12);
    let stage = m
        .api_stages
        .iter()
        .find(|s| s.meta.address == "ServerlessRestApi")
        .unwrap();
    assert!(
        stage.tracing.is_true(),
        "Globals.Api apply to the implicit API"
    );
    assert!(stage.access_log_destination.is_absent());
    assert_eq!(
        stage.name.as_str(),
        Some("Prod"),
        "SAM's name for the implicit stage"
    );
    let http = m
        .apis
        .iter()
        .find(|a| a.meta.address == "ServerlessHttpApi")
        .unwrap();
    assert_eq!(http.protocol, ApiProtocol::Http);

    let admin = m
        .api_stages
        .iter()
        .find(|s| s.meta.address == "Admin")
        .unwrap();
    assert_eq!(
        admin.access_log_destination.get().and_then(Ref::address),
        Some("Logs")
    );
    assert!(admin.method_settings[0].cache_data_encrypted.is_false());
    assert_eq!(m.domain_names[0].security_policy.as_str(), Some("TLS_1_0"));
}

#[test]
fn function_settings_url_dlq_destinations_and_alias() {
    let m = model_of(
        "template.yaml",
        r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Role: !GetAtt Custom.Arn
      AutoPublishAlias: live
      DeadLetterQueue: { Type: SQS, TargetArn: !GetAtt Dlq.Arn }
      EventInvokeConfig:
        DestinationConfig:
          OnFailure: { Type: SNS }
      FunctionUrlConfig:
        AuthType: NONE
      Tags: { DataClassification: PHI }
  Dlq:
    Type: AWS::SQS::Queue
  Custom:
    Type: AWS::IAM::Role
  Table:
    Type: AWS::Serverless::SimpleTable
    Properties:
      SSESpecification: { SSEEnabled: true }
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Logging: { Level: ERROR, Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: arn:aws:logs:x } }] }
      Tracing: { Enabled: false }
      Policies: [StepFunctionsExecutionPolicy: { StateMachineName: child }]
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      AccessLogSettings: { DestinationArn: arn:aws:logs:x, Format: "$context.requestId" }
      DefaultRouteSettings: { DataTraceEnabled: true }
      Auth: { DefaultAuthorizer: OAuth }
"#,
    );
    let f = &m.lambdas[0];
    assert_eq!(f.role.get().and_then(Ref::address), Some("Custom"));
    assert!(
        m.iam_roles.iter().all(|r| r.meta.address != "FnRole"),
        "no implicit role with Role"
    );
    assert_eq!(f.alias.as_str(), Some("live"));
    assert_eq!(f.dead_letter.get().and_then(Ref::address), Some("Dlq"));
    assert_eq!(
        f.on_failure.get().and_then(Ref::address),
        Some("FnEventInvokeConfigOnFailureTopic"),
        "SAM creates the SNS topic for a Type-only destination"
    );
    let url = m.urls_of(f).next().expect("function URL");
    assert_eq!(url.auth_type.as_str(), Some("NONE"));
    assert_eq!(url.meta.address, "FnUrl");
    assert_eq!(url.meta.header.start.line, 12);
    assert_eq!(
        f.meta
            .tag("DataClassification")
            .and_then(|t| t.value.as_str()),
        Some("PHI")
    );

    let t = &m.dynamo_tables[0];
    assert!(t.sse_enabled.is_true() && t.pitr.is_absent());

    let sm = &m.state_machines[0];
    assert_eq!(sm.log_level.as_str(), Some("ERROR"));
    assert!(sm.tracing.is_false());
    let role = m.role_of(&sm.meta, &sm.role).expect("state machine role");
    assert_eq!(
        role.trust_policy.get().unwrap().statements[0].principals[0]
            .value
            .as_str(),
        Some("states.amazonaws.com")
    );

    let http_stage = m
        .api_stages
        .iter()
        .find(|s| s.meta.address == "HttpApi")
        .unwrap();
    assert!(http_stage.access_log_destination.is_known());
    assert!(http_stage.method_settings[0].data_trace_enabled.is_true());
    assert_eq!(
        m.apis
            .iter()
            .find(|a| a.meta.address == "HttpApi")
            .unwrap()
            .default_authorizer
            .as_str(),
        Some("OAuth")
    );
}

/// References to what SAM generates resolve, and `Fn::Select` over a split of a value only
/// known at deploy time is unknown without a note.
#[test]
fn generated_resources_resolve_and_split_placeholders_are_unknown() {
    let m = model_of(
        "t.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      AutoPublishAlias: live\n      Events:\n        Get:\n          Type: Api\n          Properties: { Path: /x, Method: get }\n  Api:\n    Type: AWS::Serverless::Api\n    Properties: { StageName: prod }\n  Perm:\n    Type: AWS::Lambda::Permission\n    Properties:\n      FunctionName: !Ref Fn.Alias\n      Action: lambda:InvokeFunction\n      Principal: apigateway.amazonaws.com\n      SourceArn: !Sub 'arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${ServerlessRestApi}/*'\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Select [2, !Split ['/', !Ref AWS::StackId]]\n      Tags:\n        - { Key: version, Value: !Ref Fn.Version }\n        - { Key: stage, Value: !Ref Api.Stage }\n        - { Key: implicit, Value: !Ref ServerlessRestApiProdStage }\n",
    );
    assert_eq!(notes(&m), "", "every reference resolves");
    assert!(m.queues[0].name.is_unknown(), "{:?}", m.queues[0].name);
}
