//! The Serverless Framework adapter: variables, provider defaults, events, URLs, the implicit
//! role and APIs, and `resources.Resources` through the CloudFormation adapter.

#[macro_use]
mod at_address;
mod tf_support;

use tollgate_iac::model::{ApiProtocol, CloudModel, LambdaFunction, Ref, SourceFormat};

fn model() -> CloudModel {
    tf_support::model_of("serverless/service")
}

fn function<'m>(m: &'m CloudModel, id: &str) -> &'m LambdaFunction {
    m.lambdas
        .iter()
        .find(|f| f.meta.address == id)
        .unwrap_or_else(|| {
            panic!(
                "no function {id}: {:#?}",
                m.lambdas
                    .iter()
                    .map(|f| &f.meta.address)
                    .collect::<Vec<_>>()
            )
        })
}

#[test]
fn provider_defaults_apply_to_every_function_and_functions_override_them() {
    let m = model();
    let create = function(&m, "CreateLambdaFunction");
    assert_eq!(create.meta.format, SourceFormat::Serverless);
    assert_eq!(create.meta.file, "serverless.yml");
    assert_eq!(
        create.meta.header.start.line, 45,
        "header is the function key"
    );
    assert_eq!(create.name.as_str(), Some("orders-prod-create"));
    assert_eq!(create.runtime.as_str(), Some("python3.8"));
    assert_eq!(create.runtime.span().map(|s| s.start.line), Some(47));
    assert_eq!(create.tracing.as_str(), Some("Active"));
    assert_eq!(create.reserved_concurrency.get(), Some(&10));
    assert!(create.vpc.is_known());
    assert!(
        create.kms_key.is_unknown(),
        "ssm: is only known at deploy time"
    );
    let report = function(&m, "ReportLambdaFunction");
    assert_eq!(report.runtime.as_str(), Some("nodejs18.x"));
    assert_eq!(
        report.runtime.span().map(|s| s.start.line),
        Some(6),
        "provider default span"
    );
    assert_eq!(report.tracing.as_str(), Some("PassThrough"));
    assert!(report.reserved_concurrency.is_absent());
    assert_eq!(
        report
            .meta
            .tag("DataClassification")
            .and_then(|t| t.value.as_str()),
        Some("PII")
    );
}

#[test]
fn environment_is_merged_and_variables_resolved() {
    let m = model();
    let create = function(&m, "CreateLambdaFunction");
    let table = create
        .environment
        .iter()
        .find(|e| e.name == "TABLE")
        .expect("TABLE");
    assert_eq!(table.value.as_str(), Some("overridden-prod"));
    let region = create
        .environment
        .iter()
        .find(|e| e.name == "REGION_NAME")
        .expect("REGION_NAME");
    assert!(region.value.is_unknown());
    let report = function(&m, "ReportLambdaFunction");
    let table = report
        .environment
        .iter()
        .find(|e| e.name == "TABLE")
        .expect("TABLE");
    assert_eq!(table.value.as_str(), Some("orders-prod"));
}

#[test]
fn dead_letter_destinations_and_urls() {
    let m = model();
    let create = function(&m, "CreateLambdaFunction");
    match create.dead_letter.get() {
        Some(Ref::Resource {
            address, type_name, ..
        }) => {
            assert_eq!(address, "CreateDlq");
            assert_eq!(type_name.as_deref(), Some("AWS::SQS::Queue"));
        }
        other => panic!("onError should reference the queue, got {other:?}"),
    }
    let report = function(&m, "ReportLambdaFunction");
    assert!(report.on_failure.is_known());
    assert_eq!(m.function_urls.len(), 2);
    let auth = |f: &LambdaFunction| {
        m.urls_of(f)
            .next()
            .and_then(|u| u.auth_type.as_str().map(str::to_string))
    };
    assert_eq!(auth(report).as_deref(), Some("AWS_IAM"));
    assert_eq!(
        auth(function(&m, "OpenLambdaFunction")).as_deref(),
        Some("NONE")
    );
}

#[test]
fn http_and_http_api_events_become_routes_on_implicit_apis() {
    let m = model();
    let rest: Vec<_> = m
        .api_routes
        .iter()
        .filter(|r| r.protocol == ApiProtocol::Rest)
        .collect();
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[0].method.as_str(), Some("POST"));
    assert_eq!(rest[0].path.as_str(), Some("/orders"));
    assert_eq!(rest[0].authorization.as_str(), Some("AWS_IAM"));
    assert_eq!(rest[1].method.as_str(), Some("GET"));
    assert!(rest[1].authorization.is_absent());
    assert!(
        m.api_of(&rest[0].meta, &rest[0].api).is_some(),
        "implicit REST API"
    );
    let http: Vec<_> = m
        .api_routes
        .iter()
        .filter(|r| r.protocol == ApiProtocol::Http)
        .collect();
    assert_eq!(http.len(), 2);
    assert_eq!(http[0].authorization.as_str(), Some("JWT"));
    assert!(http[1].authorization.is_absent());
    let stage = m
        .api_stages
        .iter()
        .find(|s| s.protocol == ApiProtocol::Rest)
        .expect("REST stage");
    assert!(stage.access_log_destination.is_known());
    assert!(stage.tracing.is_true());
    assert!(
        stage.method_settings[0].data_trace_enabled.is_true(),
        "restApi: true logs full data"
    );
}

#[test]
fn s3_sns_and_schedule_events_get_invoke_permissions_limited_to_their_source() {
    let m = model();
    let perms: Vec<_> = m
        .lambda_permissions
        .iter()
        .filter(|p| p.meta.address.starts_with("CreateLambdaPermission"))
        .collect();
    assert_eq!(perms.len(), 2, "s3 and sns events");
    let s3 = perms
        .iter()
        .find(|p| p.principal.as_str() == Some("s3.amazonaws.com"))
        .expect("s3 permission");
    assert_eq!(s3.source_arn.as_str(), Some("arn:aws:s3:::acme-uploads"));
    assert_eq!(s3.action.as_str(), Some("lambda:InvokeFunction"));
    let create = function(&m, "CreateLambdaFunction");
    assert!(CloudModel::points_at(
        &s3.meta,
        &s3.function,
        &create.meta,
        &create.name
    ));
    let sns = perms
        .iter()
        .find(|p| p.principal.as_str() == Some("sns.amazonaws.com"))
        .expect("sns permission");
    assert!(sns
        .source_arn
        .as_str()
        .is_some_and(|a| a.ends_with(":order-events")));
}

#[test]
fn implicit_role_bucket_topic_and_resources_section() {
    let m = model();
    let role = at!(m.iam_roles, "IamRoleLambdaExecution");
    let doc = role.inline_policies[0].document.get().expect("statements");
    assert!(doc.statements[0].allows_action("dynamodb:PutItem"));
    assert!(m
        .buckets
        .iter()
        .any(|b| b.name.as_str() == Some("acme-uploads")));
    assert!(m
        .topics
        .iter()
        .any(|t| t.name.as_str() == Some("order-events")));
    let table = at!(m.dynamo_tables, "OrdersTable");
    assert_eq!(table.meta.format, SourceFormat::Serverless);
    assert_eq!(table.name.as_str(), Some("orders-prod"));
    assert!(table.pitr.is_true());
    assert_eq!(m.queues.len(), 1);
    let domain = &m.domain_names[0];
    assert_eq!(domain.name.as_str(), Some("api.orders.example.com"));
    assert_eq!(domain.security_policy.as_str(), Some("TLS_1_0"));
}

#[test]
fn custom_role_triggers_without_resources_and_unreadable_parts_are_noted() {
    let m = tf_support::model_of("serverless/custom_role");
    assert_eq!(
        m.lambdas.len(),
        1,
        "the unresolvable function is not guessed at"
    );
    let f = &m.lambdas[0];
    assert_eq!(f.name.as_str(), Some("billing-dev-worker"));
    assert_eq!(
        f.role.get(),
        Some(&Ref::literal("arn:aws:iam::111122223333:role/billing"))
    );
    assert!(
        m.iam_roles.is_empty(),
        "no implicit role with a custom role"
    );
    assert!(m.buckets.is_empty() && m.topics.is_empty() && m.queues.is_empty());
    assert!(m.apis.is_empty() && m.api_routes.is_empty());
    let lg = &m.log_groups[0];
    assert_eq!(lg.meta.address, "Audit");
    assert_eq!(lg.name.as_str(), Some("/billing/dev/audit"));
    let notes: Vec<_> = m.notifications.iter().map(|n| n.message.as_str()).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("function `external` is not checked")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("`resources` are not read")),
        "{notes:?}"
    );
}

/// The model of one `serverless.yml` given as text.
fn service_of(yaml: &str) -> CloudModel {
    let doc = tollgate_syntax::parse(
        yaml,
        tollgate_syntax::Format::Yaml,
        &tollgate_syntax::Limits::default(),
    )
    .expect("service parses");
    let mut m = CloudModel::default();
    tollgate_iac::adapters::serverless::adapt_service(
        "serverless.yml",
        doc.root().expect("root"),
        &mut m,
    );
    m
}

#[test]
fn services_for_other_clouds_produce_no_aws_model() {
    for provider in [
        "azure",
        "google",
        "openwhisk",
        "cloudflare",
        "knative",
        "tencent",
    ] {
        let m = service_of(&format!(
            "service: hello\nprovider:\n  name: {provider}\n  runtime: nodejs12\nfunctions:\n  \
             hello:\n    handler: index.hello\n    events:\n      - http:\n          path: hello\n          \
             method: get\nresources:\n  Resources:\n    Bucket:\n      Type: AWS::S3::Bucket\n"
        ));
        assert!(
            m.lambdas.is_empty() && m.apis.is_empty() && m.api_routes.is_empty(),
            "{provider}: {:?}",
            m.lambdas
                .iter()
                .map(|f| &f.meta.address)
                .collect::<Vec<_>>()
        );
        assert!(m.buckets.is_empty() && m.iam_roles.is_empty());
        assert_eq!(m.notifications.len(), 1, "{:?}", m.notifications);
        assert!(m.notifications[0]
            .message
            .contains(&format!("provider `{provider}` is not AWS")));
        assert_eq!(m.notifications[0].id, "other-cloud");
    }
    let aws = service_of(
        "service: hello\nprovider:\n  name: aws\nfunctions:\n  hello:\n    handler: h\n",
    );
    assert_eq!(aws.lambdas.len(), 1);
    let unresolved = service_of(
        "service: hello\nprovider:\n  name: ${opt:cloud}\nfunctions:\n  hello:\n    handler: h\n",
    );
    assert_eq!(
        unresolved.lambdas.len(),
        1,
        "an unknown provider is taken as AWS"
    );
}

/// `resources` may refer to the logical ids the framework generates.
#[test]
fn resources_refer_to_generated_logical_ids() {
    let m = service_of(
        "service: hello\nprovider:\n  name: aws\nfunctions:\n  hello:\n    handler: h\n    events:\n      - http: { path: x, method: get }\n      - s3: photos\nresources:\n  Resources:\n    Alarm:\n      Type: AWS::SNS::Topic\n      Properties:\n        Tags:\n          - { Key: a, Value: !Ref ApiGatewayRestApi }\n          - { Key: b, Value: !GetAtt HelloLambdaFunction.Arn }\n          - { Key: c, Value: !Ref HelloLogGroup }\n          - { Key: d, Value: !GetAtt IamRoleLambdaExecution.Arn }\n          - { Key: e, Value: !Ref S3BucketPhotos }\n          - { Key: f, Value: !Ref ServerlessDeploymentBucket }\n",
    );
    let notes: Vec<&str> = m.notifications.iter().map(|n| n.message.as_str()).collect();
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(m.topics.len(), 1);
}

/// `${file(...)}` includes inside the scanned root are read (functions and resources kept in
/// other files), spanned at the variable; paths leaving the root and JavaScript files are not.
#[test]
fn file_includes_inside_the_root_are_read() {
    let m = tf_support::model_of("serverless/includes");
    let hello = function(&m, "HelloLambdaFunction");
    assert_eq!(hello.runtime.as_str(), Some("python3.12"));
    let stage = hello
        .environment
        .iter()
        .find(|e| e.name == "STAGE")
        .expect("STAGE");
    assert_eq!(
        stage.value.as_str(),
        Some("prod"),
        "self: inside the included file"
    );
    assert_eq!(
        hello.environment[0].value.span().map(|s| s.start.line),
        Some(7),
        "values from the included file point at the include"
    );
    let worker = function(&m, "WorkerLambdaFunction");
    assert_eq!(worker.runtime.as_str(), Some("nodejs18.x"));
    assert_eq!(
        m.lambdas.len(),
        2,
        "the escaping and scripted includes are not read"
    );
    assert_eq!(m.queues.len(), 1);
    assert_eq!(m.queues[0].name.as_str(), Some("inc-jobs"));
    assert_eq!(
        m.queues[0].meta.file, "resources/queues.yml",
        "a whole file of resources is read once, as itself"
    );
    let notes: Vec<&str> = m.notifications.iter().map(|n| n.message.as_str()).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("function `escaped` is not checked")
                && n.contains("outside the scanned directory")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("function `scripted` is not checked")
                && n.contains("not a YAML or JSON file")),
        "{notes:?}"
    );
}

/// `websocket` events are routes of the implicit `WebsocketsApi` (a WebSocket API) with its
/// stage; an authorizer on `$connect` is a Lambda authorizer.
#[test]
fn websocket_events_are_routes_of_the_websocket_api() {
    let m = tf_support::model_of("serverless/websocket");
    let api = m
        .apis
        .iter()
        .find(|a| a.meta.address == "WebsocketsApi")
        .expect("the implicit WebSocket API");
    assert_eq!(api.protocol, ApiProtocol::WebSocket);
    assert_eq!(api.name.as_str(), Some("prod-chat-websockets"));
    let stage = m
        .api_stages
        .iter()
        .find(|s| s.meta.address == "WebsocketsDeploymentStage")
        .expect("its stage");
    assert_eq!(stage.protocol, ApiProtocol::WebSocket);
    assert_eq!(
        stage.access_log_destination.get().and_then(Ref::address),
        Some("WebsocketsLogGroup")
    );
    let routes: Vec<(&str, Option<&str>, Option<&str>)> = m
        .api_routes
        .iter()
        .map(|r| {
            (
                r.meta.address.as_str(),
                r.path.as_str(),
                r.authorization.as_str(),
            )
        })
        .collect();
    assert_eq!(
        routes,
        [
            ("ConnectLambdaFunction", Some("$connect"), Some("CUSTOM")),
            ("MessageLambdaFunction", Some("sendMessage"), None),
        ]
    );
    assert!(m
        .api_routes
        .iter()
        .all(|r| r.protocol == ApiProtocol::WebSocket
            && r.api.get().and_then(Ref::address) == Some("WebsocketsApi")));
}

/// The framework reads `serverless.json` as it reads `serverless.yml`; a configuration written
/// as a program (`serverless.ts`, `.js`, `.cjs`, `.mjs`) is never run, and the scan says so
/// rather than pass over it in silence.
#[test]
fn json_services_are_read_and_programs_are_named_as_unread() {
    let m = tf_support::model_of("serverless/json");
    let create = function(&m, "CreateLambdaFunction");
    assert_eq!(create.runtime.as_str(), Some("python3.12"));
    assert_eq!(create.meta.file, "serverless.json");
    assert_eq!(m.api_routes.len(), 1, "{:#?}", m.api_routes);

    let m = tf_support::model_of("serverless/program");
    assert!(m.lambdas.is_empty());
    let notes: Vec<(&str, &str)> = m
        .notifications
        .iter()
        .map(|n| (n.id.as_str(), n.message.as_str()))
        .collect();
    assert!(
        notes
            .iter()
            .any(|(id, message)| *id == "unsupported-construct"
                && message.starts_with("serverless.ts: ")
                && message.contains("not read")),
        "{notes:?}"
    );
}
