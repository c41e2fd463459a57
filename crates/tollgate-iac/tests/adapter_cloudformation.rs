//! CloudFormation adapter: intrinsic functions, parameters, conditions, mappings, references
//! and the mapping of resources into the model.

mod cfn_support;
mod tf_support;

use cfn_support::{model_in, model_of, notes};
use tollgate_iac::model::{Effect, Ref, Val};
use tollgate_syntax::Format;

fn line<T>(v: &Val<T>) -> u32 {
    v.span().expect("value has a span").start.line
}

#[test]
fn ref_to_parameter_with_default_is_known_and_without_default_unknown() {
    let m = model_of(
        "t.yaml",
        r#"
Parameters:
  Runtime:
    Type: String
    Default: python3.12
  Concurrency:
    Type: Number
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: !Ref Runtime
      ReservedConcurrentExecutions: !Ref Concurrency
"#,
    );
    let f = &m.lambdas[0];
    assert_eq!(f.runtime.as_str(), Some("python3.12"));
    assert_eq!(
        line(&f.runtime),
        12,
        "span of the usage, where the user wrote the Ref"
    );
    assert!(f.reserved_concurrency.is_unknown());
    assert!(
        matches!(&f.reserved_concurrency, Val::Unknown { reason, .. } if reason.contains("Concurrency"))
    );
    assert_eq!(f.meta.address, "Fn");
    assert_eq!(f.meta.header.start.line, 9);
}

#[test]
fn ref_and_getatt_to_resources_keep_the_reference_and_its_type() {
    let m = model_of(
        "t.yaml",
        r#"
Resources:
  Key:
    Type: AWS::KMS::Key
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      KmsMasterKeyId: !GetAtt Key.Arn
  Managed:
    Type: AWS::SQS::Queue
    Properties:
      KmsMasterKeyId: alias/aws/sqs
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: !Ref Key
  Long:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: { "Fn::GetAtt": ["Key", "Arn"] }
"#,
    );
    let q = &m.queues[0].kms_key;
    assert_eq!(
        q.get(),
        Some(&Ref::resource(
            "Key",
            Some("Arn".into()),
            Some("AWS::KMS::Key".into())
        ))
    );
    assert!(q.get().unwrap().is_customer_managed_key());
    assert!(!m.queues[1].kms_key.get().unwrap().is_customer_managed_key());
    assert_eq!(
        m.topics[0].kms_key.get().and_then(Ref::address),
        Some("Key")
    );
    assert_eq!(m.topics[1].kms_key.get(), q.get());
}

#[test]
fn sub_resolves_known_parts_and_keeps_placeholders() {
    let m = model_of(
        "t.yaml",
        r#"
Parameters:
  Env: { Type: String, Default: prod }
  Secret: { Type: String }
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "app-${Env}-${AWS::AccountId}"
  Other:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub ["${Prefix}-${!Literal}", { Prefix: !Ref Env }]
  Unknown:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "x-${Secret}"
  Key:
    Type: AWS::KMS::Key
  Log:
    Type: AWS::Logs::LogGroup
    Properties:
      KmsKeyId: !Sub "${Key.Arn}"
      LogGroupName: !Sub "/aws/${Bucket}"
"#,
    );
    assert_eq!(
        m.buckets[0].name.as_str(),
        Some("app-prod-${AWS::AccountId}")
    );
    assert_eq!(m.buckets[1].name.as_str(), Some("prod-${Literal}"));
    assert!(m.buckets[2].name.is_unknown());
    let log = &m.log_groups[0];
    assert_eq!(
        log.kms_key.get().and_then(Ref::address),
        Some("Key"),
        "a lone reference stays a reference"
    );
    assert_eq!(log.name.as_str(), Some("/aws/${Bucket}"));
}

#[test]
fn join_select_split_and_base64() {
    let m = model_of(
        "t.yaml",
        r#"
Parameters:
  Parts: { Type: CommaDelimitedList, Default: "a,b,c" }
Resources:
  P1:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Join ["-", [svc, !Ref "AWS::Region", !Select [1, !Ref Parts]]]
      Value: !Base64 plain-text
      Type: !Select [0, !Split [",", "String,SecureString"]]
  P2:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Join ["", [!ImportValue shared-name, "-x"]]
"#,
    );
    let p = &m.ssm_parameters[0];
    assert_eq!(p.name.as_str(), Some("svc-${AWS::Region}-b"));
    assert_eq!(p.value.as_str(), Some("plain-text"));
    assert_eq!(p.param_type.as_str(), Some("String"));
    assert!(m.ssm_parameters[1].name.is_unknown());
}

#[test]
fn conditions_decide_if_and_resource_creation() {
    let m = model_of(
        "t.yaml",
        r#"
Parameters:
  Stage: { Type: String, Default: prod }
  Free: { Type: String }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, { "Fn::Equals": ["a", "a"] }]
  Either: !Or [!Condition IsDev, !Equals [!Ref Free, x]]
  Undecided: !Equals [!Ref Free, x]
  InRegion: !Equals [!Ref "AWS::Region", eu-west-1]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      PointInTimeRecoverySpecification:
        PointInTimeRecoveryEnabled: !If [Both, true, false]
      SSESpecification:
        SSEEnabled: !If [Undecided, true, false]
  Dax:
    Type: AWS::DAX::Cluster
    Properties:
      SSESpecification:
        SSEEnabled: !If [InRegion, true, false]
  DevOnly:
    Type: AWS::SQS::Queue
    Condition: IsDev
  Maybe:
    Type: AWS::SQS::Queue
    Condition: Either
"#,
    );
    let t = &m.dynamo_tables[0];
    assert!(t.pitr.is_true());
    assert!(
        t.sse_enabled.is_unknown(),
        "condition on a parameter without default is undecidable"
    );
    assert!(
        m.dax_clusters[0].sse_enabled.is_unknown(),
        "pseudo parameters are not decided"
    );
    let queues: Vec<_> = m.queues.iter().map(|q| q.meta.address.as_str()).collect();
    assert_eq!(
        queues,
        Vec::<&str>::new(),
        "a resource whose condition is false is not created, and one whose condition is \
         undecidable is not judged"
    );
    let maybe: Vec<_> = m
        .notifications
        .iter()
        .filter(|n| n.message.contains("`Maybe` is not checked"))
        .collect();
    assert_eq!(maybe.len(), 1, "{}", notes(&m));
    assert!(
        maybe[0].message.starts_with("t.yaml:28:3:"),
        "{}",
        maybe[0].message
    );
    assert!(maybe[0].message.contains("condition `Either`"));
    assert!(
        !notes(&m).contains("`DevOnly`"),
        "a false condition is not noted"
    );
}

#[test]
fn find_in_map_with_known_keys() {
    let m = model_of(
        "t.yaml",
        r#"
Parameters:
  Env: { Type: String, Default: prod }
  Free: { Type: String }
Mappings:
  Retention:
    prod: { Days: 365 }
    dev: { Days: 7 }
Resources:
  Known:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: !FindInMap [Retention, !Ref Env, Days]
  Unknown:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: !FindInMap [Retention, !Ref Free, Days]
"#,
    );
    assert_eq!(m.log_groups[0].retention_days.get(), Some(&365));
    assert!(m.log_groups[1].retention_days.is_unknown());
}

#[test]
fn import_value_and_unsupported_intrinsics_are_unknown_with_a_note() {
    let m = model_of(
        "stacks/app.yaml",
        r#"
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      KMSKeyId: !ImportValue shared-key
      IsLogging: true
      EnableLogFileValidation: !Length [1, 2]
      IsMultiRegionTrail: !Ref Nowhere
  Fn::ForEach::Queues:
    - Name
    - [A, B]
    - Queue${Name}: { Type: AWS::SQS::Queue }
"#,
    );
    let t = &m.trails[0];
    assert!(t.kms_key.is_unknown());
    assert!(t.logging.is_true());
    assert!(t.log_file_validation.is_unknown());
    assert!(t.multi_region.is_unknown());
    let notes = notes(&m);
    assert!(
        notes.contains("stacks/app.yaml:8:32: intrinsic function `Fn::Length`"),
        "{notes}"
    );
    assert!(
        notes.contains("stacks/app.yaml:9:27: `Ref` to `Nowhere`"),
        "{notes}"
    );
    assert!(
        notes.contains("stacks/app.yaml:10:3: `Fn::ForEach` resources are not expanded"),
        "{notes}"
    );
    assert!(m
        .notifications
        .iter()
        .all(|n| n.id == "unsupported-construct"));
}

#[test]
fn long_form_json_template() {
    let m = model_in(
        "t.json",
        r#"{
  "Parameters": {"Env": {"Type": "String", "Default": "prod"}},
  "Conditions": {
    "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
    "ProdToo": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Not": [{"Condition": "IsDev"}]}]},
    "IsDev": {"Fn::Equals": [{"Ref": "Env"}, "dev"]}
  },
  "Resources": {
    "Fn": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "FunctionName": {"Fn::Sub": "charge-${Env}"},
        "Runtime": {"Fn::If": ["ProdToo", "nodejs20.x", "nodejs18.x"]},
        "TracingConfig": {"Mode": {"Fn::Join": ["", ["Act", "ive"]]}},
        "Environment": {"Variables": {"API_KEY": {"Ref": "Env"}, "GONE": {"Ref": "AWS::NoValue"}}}
      }
    }
  }
}"#,
        Format::Json,
    );
    let f = &m.lambdas[0];
    assert_eq!(f.name.as_str(), Some("charge-prod"));
    assert_eq!(f.runtime.as_str(), Some("nodejs20.x"));
    assert_eq!(f.tracing.as_str(), Some("Active"));
    let names: Vec<_> = f.environment.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["API_KEY"], "AWS::NoValue removes the variable");
    assert_eq!(f.environment[0].name_span.start.line, 15);
}

#[test]
fn resource_policies_join_their_bucket_and_keep_spanned_statements() {
    let m = model_of(
        "t.yaml",
        r#"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      Tags:
        - Key: DataClassification
          Value: PII
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: !Sub "${Bucket.Arn}/*"
          - Effect: Deny
            Principal: { AWS: "*" }
            Action: "s3:*"
            Resource: [!GetAtt Bucket.Arn]
            Condition:
              Bool: { "aws:SecureTransport": "false" }
"#,
    );
    let bucket = &m.buckets[0];
    let policies: Vec<_> = m.policies_of_bucket(bucket).collect();
    assert_eq!(policies.len(), 1);
    let doc = policies[0].document.get().expect("known document");
    assert_eq!(doc.statements.len(), 2);
    let allow = &doc.statements[0];
    assert!(allow.is_allow());
    assert!(allow.wildcard_principal().is_some());
    assert_eq!(allow.resources[0].as_str(), Some("${Bucket.Arn}/*"));
    assert_eq!(allow.actions[0].span().unwrap().start.line, 18);
    let deny = &doc.statements[1];
    assert_eq!(deny.effect.get(), Some(&Effect::Deny));
    let c = deny.condition_on("aws:securetransport").expect("condition");
    assert_eq!(
        (c.operator.as_str(), c.values[0].as_str()),
        ("Bool", Some("false"))
    );
    assert_eq!(
        bucket
            .meta
            .classification
            .as_ref()
            .map(|c| c.class.as_str()),
        None,
        "classified by the model builder"
    );
    assert_eq!(
        bucket
            .meta
            .tag("DataClassification")
            .and_then(|t| t.value.as_str()),
        Some("PII")
    );
}

#[test]
fn resources_map_into_the_model() {
    let m = model_of(
        "t.yaml",
        r#"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicRead
      VersioningConfiguration: { Status: Enabled }
      LoggingConfiguration: { DestinationBucketName: logs-bucket }
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        RestrictPublicBuckets: false
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: alias/aws/s3 }
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      TracingEnabled: true
      MethodSettings:
        - { ResourcePath: "/*", HttpMethod: "*", CachingEnabled: true, DataTraceEnabled: true }
  Api:
    Type: AWS::ApiGateway::RestApi
  Method:
    Type: AWS::ApiGateway::Method
    Properties: { RestApiId: !Ref Api, HttpMethod: GET, AuthorizationType: NONE, ResourceId: !GetAtt Api.RootResourceId }
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: { ApiId: !Ref Http, RouteKey: "POST /orders", AuthorizationType: JWT }
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties: { ProtocolType: HTTP }
  Perm:
    Type: AWS::Lambda::Permission
    Properties: { FunctionName: !Ref Fn, Action: "lambda:InvokeFunction", Principal: s3.amazonaws.com }
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      VpcConfig: { SubnetIds: [subnet-1], SecurityGroupIds: [sg-1] }
      DeadLetterConfig: { TargetArn: !GetAtt Dlq.Arn }
  Dlq:
    Type: AWS::SQS::Queue
    Properties: { SqsManagedSseEnabled: true }
  Invoke:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Fn
      Qualifier: $LATEST
      DestinationConfig: { OnFailure: { Destination: !GetAtt Dlq.Arn } }
  Url:
    Type: AWS::Lambda::Url
    Properties: { TargetFunctionArn: !GetAtt Fn.Arn, AuthType: NONE }
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: false
      KeyPolicy:
        Statement: [{ Effect: Allow, Principal: { AWS: "*" }, Action: "kms:*", Resource: "*" }]
  Secret:
    Type: AWS::SecretsManager::Secret
  Rotation:
    Type: AWS::SecretsManager::RotationSchedule
    Properties: { SecretId: !Ref Secret }
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
      Policies:
        - PolicyName: inline
          PolicyDocument: '{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      LoggingConfiguration:
        Level: ALL
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: !GetAtt Logs.Arn } }]
      TracingConfiguration: { Enabled: true }
  Logs:
    Type: AWS::Logs::LogGroup
"#,
    );
    let b = &m.buckets[0];
    assert_eq!(b.acl.as_str(), Some("PublicRead"));
    assert_eq!(b.versioning.as_str(), Some("Enabled"));
    assert!(b.logging.is_known());
    let pab = b.public_access_block.as_ref().unwrap();
    assert!(pab.block_public_acls.is_true() && pab.restrict_public_buckets.is_false());
    assert!(pab.ignore_public_acls.is_absent());
    assert_eq!(b.sse_algorithm.as_str(), Some("aws:kms"));
    assert!(!b.kms_key.get().unwrap().is_customer_managed_key());

    let stage = &m.api_stages[0];
    assert!(stage.tracing.is_true());
    assert!(stage.method_settings[0].caching_enabled.is_true());
    assert!(stage.method_settings[0].cache_data_encrypted.is_absent());
    assert_eq!(
        m.api_of(&stage.meta, &stage.api)
            .map(|a| a.meta.address.as_str()),
        Some("Api")
    );
    assert_eq!(m.api_routes[0].authorization.as_str(), Some("NONE"));
    let route = &m.api_routes[1];
    assert_eq!(
        (route.method.as_str(), route.path.as_str()),
        (Some("POST"), Some("/orders"))
    );

    let f = &m.lambdas[0];
    assert!(f.vpc.is_known());
    assert_eq!(f.dead_letter.get().and_then(Ref::address), Some("Dlq"));
    assert_eq!(
        f.on_failure.get().and_then(Ref::address),
        Some("Dlq"),
        "joined from EventInvokeConfig"
    );
    assert_eq!(m.urls_of(f).count(), 1);
    assert_eq!(
        m.lambda_permissions[0].principal.as_str(),
        Some("s3.amazonaws.com")
    );
    assert!(m.lambda_permissions[0].source_arn.is_absent());

    let key = &m.kms_keys[0];
    assert!(key.rotation.is_false());
    assert!(key.policy.get().unwrap().statements[0]
        .wildcard_principal()
        .is_some());
    assert_eq!(m.rotations_of(&m.secrets[0]).count(), 1);

    let role = &m.iam_roles[0];
    assert_eq!(role.managed_policy_arns.len(), 1);
    let inline = role.inline_policies[0]
        .document
        .get()
        .expect("JSON string policy parsed");
    assert!(inline.statements[0].allows_action("s3:PutObject"));

    let sm = &m.state_machines[0];
    assert_eq!(sm.log_level.as_str(), Some("ALL"));
    assert_eq!(sm.log_destinations.len(), 1);
    assert!(sm.tracing.is_true());
    assert!(m.notifications.is_empty(), "{}", notes(&m));
}

#[test]
fn unknown_maps_make_their_fields_unknown_not_absent() {
    let m = model_of(
        "t.yaml",
        r#"
Parameters:
  Enc: { Type: String }
Conditions:
  C: !Equals [!Ref Enc, x]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption: !If [C, { ServerSideEncryptionConfiguration: [] }, !Ref "AWS::NoValue"]
"#,
    );
    let b = &m.buckets[0];
    assert!(b.sse_algorithm.is_unknown());
    assert!(b.kms_key.is_unknown());
}

#[test]
fn hostile_templates_neither_loop_nor_overflow() {
    // Conditions that refer to each other, and deeply nested intrinsics within parser limits.
    let mut select = String::from("x");
    for _ in 0..60 {
        select = format!("{{\"Fn::Select\": [0, [{select}]]}}");
    }
    let select = select.replace("[x]", "[\"deep\"]");
    let mut nested = String::from("1");
    for _ in 0..120 {
        nested = format!("{{\"k\": {nested}}}");
    }
    let text = format!(
        r#"{{
  "Conditions": {{
    "A": {{"Fn::Not": [{{"Condition": "B"}}]}},
    "B": {{"Fn::Not": [{{"Condition": "A"}}]}}
  }},
  "Resources": {{
    "P": {{"Type": "AWS::SSM::Parameter", "Properties": {{"Name": {select}, "Value": {{"Fn::If": ["A", "x", "y"]}}, "Deep": {nested}}}}}
  }}
}}"#
    );
    let m = model_in("t.json", &text, Format::Json);
    let p = &m.ssm_parameters[0];
    assert_eq!(p.name.as_str(), Some("deep"));
    assert!(p.value.is_unknown(), "a condition cycle is undecidable");
}

#[test]
fn rest_methods_get_their_path_and_deployments_their_stage() {
    let m = model_of(
        "t.yaml",
        r#"
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
  Orders:
    Type: AWS::ApiGateway::Resource
    Properties: { RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: orders }
  Order:
    Type: AWS::ApiGateway::Resource
    Properties: { RestApiId: !Ref Api, ParentId: !Ref Orders, PathPart: "{id}" }
  GetOrder:
    Type: AWS::ApiGateway::Method
    Properties: { RestApiId: !Ref Api, ResourceId: !Ref Order, HttpMethod: GET, AuthorizationType: AWS_IAM }
  RootGet:
    Type: AWS::ApiGateway::Method
    Properties: { RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: GET }
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Api
      StageName: prod
      StageDescription:
        TracingEnabled: true
        CachingEnabled: true
        DataTraceEnabled: true
  NoStage:
    Type: AWS::ApiGateway::Deployment
    Properties: { RestApiId: !Ref Api }
"#,
    );
    let paths: Vec<_> = m
        .api_routes
        .iter()
        .filter_map(|r| r.path.as_str())
        .collect();
    assert_eq!(paths, ["/orders/{id}", "/"]);
    assert_eq!(
        m.api_stages.len(),
        1,
        "a deployment without StageName creates no stage"
    );
    let stage = &m.api_stages[0];
    assert_eq!(stage.name.as_str(), Some("prod"));
    assert!(stage.tracing.is_true());
    let all = &stage.method_settings[0];
    assert_eq!(all.resource_path.as_str(), Some("/*"));
    assert!(all.caching_enabled.is_true() && all.cache_data_encrypted.is_absent());
    assert!(all.data_trace_enabled.is_true());
}

#[test]
fn deploy_time_functions_are_unknown_without_notes() {
    let m = model_of(
        "t.yaml",
        r#"
Resources:
  P:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Select [0, !GetAZs ""]
      Value: !Select [1, !Cidr ["10.0.0.0/16", 4, 8]]
      Type: { "Fn::Select": [0, { "Fn::GetAZs": { "Ref": "AWS::Region" } }] }
"#,
    );
    let p = &m.ssm_parameters[0];
    assert!(p.name.is_unknown() && p.value.is_unknown() && p.param_type.is_unknown());
    assert!(m.notifications.is_empty(), "{}", notes(&m));
}

#[test]
fn quick_create_http_api_implies_an_open_default_route_and_openapi_bodies_are_noted() {
    let m = model_of(
        "t.yaml",
        r#"
Resources:
  Quick:
    Type: AWS::ApiGatewayV2::Api
    Properties: { Name: quick, ProtocolType: HTTP, Target: !GetAtt Fn.Arn }
  Spec:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body: { "Fn::Transform": { Name: "AWS::Include", Parameters: { Location: s3://b/spec.yaml } } }
  Fn:
    Type: AWS::Lambda::Function
"#,
    );
    let route = &m.api_routes[0];
    assert_eq!(
        (route.method.as_str(), route.path.as_str()),
        (Some("ANY"), Some("$default"))
    );
    assert!(route.authorization.is_absent());
    assert_eq!(route.meta.header.start.line, 5, "points at Target");
    assert_eq!(m.api_stages[0].name.as_str(), Some("$default"));
    assert!(m.api_stages[0].access_log_destination.is_absent());
    assert!(
        notes(&m).contains("t.yaml:9:13: routes defined in an OpenAPI definition"),
        "{}",
        notes(&m)
    );
}

/// A key written twice in one mapping is read as CloudFormation reads it (the later value) and
/// noted, in YAML and JSON templates alike.
#[test]
fn duplicate_keys_keep_the_later_value_and_are_noted() {
    let m = tf_support::model_of("cloudformation/duplicates");
    assert_eq!(m.queues.len(), 1);
    assert_eq!(m.queues[0].kms_key.get(), Some(&Ref::literal("alias/b")));
    let mut notes: Vec<&str> = m
        .notifications
        .iter()
        .filter(|n| n.id == "duplicate-key")
        .map(|n| n.message.as_str())
        .collect();
    notes.sort_unstable();
    assert_eq!(
        notes,
        [
            "dup.json:1:64: `Type` is written again at line 1 of the same mapping; the later value is used",
            "dup.yaml:6:7: `KmsMasterKeyId` is written again at line 7 of the same mapping; the later value is used",
        ]
    );
}

/// A `Fn::Sub` whose template another function computes (`Fn::Transform`, as cfn-lint's own
/// test templates write it) is well formed: the value is unknown and the note names the
/// function that is not evaluated, not a malformed `Fn::Sub`.
#[test]
fn sub_of_a_computed_template_is_unknown_not_malformed() {
    let m = model_of(
        "t.yaml",
        r#"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName:
        Fn::Sub:
          Fn::Transform:
            Name: DynamicName
  Other:
    Type: AWS::S3::Bucket
    Properties:
      BucketName:
        Fn::Sub:
          - Fn::Join: ["-", ["app", "logs"]]
          - {}
"#,
    );
    assert!(m.buckets[0].name.is_unknown());
    assert_eq!(m.buckets[1].name.as_str(), Some("app-logs"));
    let notes = notes(&m);
    assert!(
        notes.contains("`Fn::Transform` is not evaluated"),
        "{notes}"
    );
    assert!(!notes.contains("unexpected intrinsic shape"), "{notes}");
}
