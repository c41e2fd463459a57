//! Function events: `http` (REST API methods, the implicit `ApiGatewayRestApi` and its stage
//! with `provider.logs.restApi` and `provider.tracing.apiGateway`), `httpApi` (HTTP API routes,
//! the implicit `HttpApi` and its stage), `websocket` (WebSocket routes, the implicit
//! `WebsocketsApi` and its stage with `provider.logs.websocket`), and the buckets (`s3`) and topics (`sns`) the
//! framework creates for events. `sqs` and `schedule` events create no resource the model holds.

use tollgate_syntax::Span;

use super::Service;
use crate::adapters::terraform::mapper::{boolean, string};
use crate::adapters::terraform::value::{Tv, TvKind};
use crate::model::{
    Api, ApiProtocol, ApiRoute, ApiStage, CloudModel, MethodSetting, Ref, S3Bucket, Topic, Val,
};

const REST_API: &str = "ApiGatewayRestApi";
const HTTP_API: &str = "HttpApi";
const WEBSOCKET_API: &str = "WebsocketsApi";

pub fn map(svc: &Service<'_>, model: &mut CloudModel) {
    let mut first_rest: Option<Span> = None;
    let mut first_http: Option<Span> = None;
    let mut first_websocket: Option<Span> = None;
    for (key, _, f) in svc.functions() {
        let logical = format!("{}LambdaFunction", super::normalize_function(key));
        for event in f.get("events").and_then(Tv::as_list).unwrap_or_default() {
            let Some([(kind, kind_span, body)]) = event.as_object() else {
                continue;
            };
            match kind.as_str() {
                "http" => {
                    first_rest.get_or_insert(*kind_span);
                    model
                        .api_routes
                        .push(rest_route(svc, &logical, *kind_span, body));
                }
                "httpApi" => {
                    first_http.get_or_insert(*kind_span);
                    model
                        .api_routes
                        .push(http_route(svc, &logical, *kind_span, body));
                }
                "websocket" => {
                    first_websocket.get_or_insert(*kind_span);
                    model
                        .api_routes
                        .push(websocket_route(svc, &logical, *kind_span, body));
                }
                "s3" => s3_bucket(svc, *kind_span, body, model),
                "sns" => sns_topic(svc, *kind_span, body, model),
                _ => {}
            }
        }
    }
    if let Some(header) =
        first_rest.filter(|_| svc.provider(&["apiGateway", "restApiId"]).is_none())
    {
        rest_api(svc, header, model);
    }
    if let Some(header) = first_http.filter(|_| svc.provider(&["httpApi", "id"]).is_none()) {
        let mut api = Api::new(
            svc.meta(HTTP_API, "AWS::ApiGatewayV2::Api", header),
            ApiProtocol::Http,
        );
        api.name = Val::known(format!("{}-{}", svc.stage, svc.service), header);
        model.apis.push(api);
        let mut stage = ApiStage::new(
            svc.meta("HttpApiStage", "AWS::ApiGatewayV2::Stage", header),
            ApiProtocol::Http,
        );
        stage.api = implicit_ref(HTTP_API, "AWS::ApiGatewayV2::Api", header);
        stage.name = Val::known("$default".into(), header);
        stage.access_log_destination =
            access_log(svc.provider(&["logs", "httpApi"]), "ApiGatewayLogGroup");
        model.api_stages.push(stage);
    }
    if let Some(header) = first_websocket.filter(|_| svc.provider(&["websocketsApiId"]).is_none()) {
        let mut api = Api::new(
            svc.meta(WEBSOCKET_API, "AWS::ApiGatewayV2::Api", header),
            ApiProtocol::WebSocket,
        );
        api.name = Val::known(format!("{}-{}-websockets", svc.stage, svc.service), header);
        model.apis.push(api);
        let mut stage = ApiStage::new(
            svc.meta(
                "WebsocketsDeploymentStage",
                "AWS::ApiGatewayV2::Stage",
                header,
            ),
            ApiProtocol::WebSocket,
        );
        stage.api = implicit_ref(WEBSOCKET_API, "AWS::ApiGatewayV2::Api", header);
        stage.name = Val::known(svc.stage.clone(), header);
        stage.access_log_destination =
            access_log(svc.provider(&["logs", "websocket"]), "WebsocketsLogGroup");
        model.api_stages.push(stage);
    }
}

fn implicit_ref(id: &str, type_name: &str, span: Span) -> Val<Ref> {
    Val::known(Ref::resource(id, None, Some(type_name.into())), span)
}

/// `logs.restApi` / `logs.httpApi` / `logs.websocket`: `true` or a settings map turns access
/// logging on (unless `accessLogging: false`); the framework then writes to the log group
/// `log_group` it creates.
fn access_log(v: Option<&Tv>, log_group: &str) -> Val<Ref> {
    let Some(v) = v else { return Val::Absent };
    let on = match &v.kind {
        TvKind::Unknown(r) => return Val::unknown(v.span, r.clone()),
        TvKind::Object(_) => v.get("accessLogging").and_then(Tv::as_bool).unwrap_or(true),
        _ => v.as_bool().unwrap_or(false),
    };
    if on {
        Val::known(
            Ref::resource(
                log_group,
                Some("Arn".into()),
                Some("AWS::Logs::LogGroup".into()),
            ),
            v.span,
        )
    } else {
        Val::Absent
    }
}

fn rest_api(svc: &Service<'_>, header: Span, model: &mut CloudModel) {
    let mut api = Api::new(
        svc.meta(REST_API, "AWS::ApiGateway::RestApi", header),
        ApiProtocol::Rest,
    );
    api.name = Val::known(format!("{}-{}", svc.stage, svc.service), header);
    api.endpoint_type = crate::adapters::terraform::mapper::string(svc.provider(&["endpointType"]));
    if let Some(statements) = svc.provider(&["apiGateway", "resourcePolicy"]) {
        let doc = Tv::new(
            statements.span,
            TvKind::Object(vec![(
                "Statement".into(),
                statements.span,
                statements.clone(),
            )]),
        );
        if let Some(doc) = crate::adapters::terraform::iam_json::document(&doc, svc.file).get() {
            api.source_vpcs = crate::model::source_vpcs(doc);
        }
    }
    model.apis.push(api);
    let logs = svc.provider(&["logs", "restApi"]);
    let stage_header = svc
        .root
        .get("provider")
        .and_then(|p| p.entry("logs"))
        .map_or(header, |(s, _)| s);
    let mut stage = ApiStage::new(
        svc.meta("ApiGatewayStage", "AWS::ApiGateway::Stage", stage_header),
        ApiProtocol::Rest,
    );
    stage.api = implicit_ref(REST_API, "AWS::ApiGateway::RestApi", header);
    stage.name = Val::known(svc.stage.clone(), stage_header);
    stage.access_log_destination = access_log(logs, "ApiGatewayLogGroup");
    stage.tracing = boolean(svc.provider(&["tracing", "apiGateway"]));
    // `apiGateway.metrics` turns on detailed CloudWatch metrics for every method.
    let metrics = boolean(svc.provider(&["apiGateway", "metrics"]));
    if let Some(logs) = logs.filter(|l| l.as_bool() != Some(false) && !l.is_unknown()) {
        // Execution logging defaults to on, with full request/response data, at INFO.
        let mut ms = MethodSetting::new(logs.span);
        ms.resource_path = Val::known("/*".into(), logs.span);
        ms.http_method = Val::known("*".into(), logs.span);
        let execution = logs
            .get("executionLogging")
            .and_then(Tv::as_bool)
            .unwrap_or(true);
        let at = |key: &str| logs.get(key).map_or(logs.span, |v| v.span);
        if execution {
            ms.logging_level = string(logs.get("level")).or(Val::known("INFO".into(), logs.span));
            ms.data_trace_enabled =
                boolean(logs.get("fullExecutionData")).or(Val::known(true, logs.span));
        } else {
            ms.logging_level = Val::known("OFF".into(), at("executionLogging"));
            ms.data_trace_enabled = Val::known(false, at("executionLogging"));
        }
        ms.metrics_enabled = metrics;
        stage.method_settings.push(ms);
    } else if let Some(span) = metrics.span() {
        let mut ms = MethodSetting::new(span);
        ms.resource_path = Val::known("/*".into(), span);
        ms.http_method = Val::known("*".into(), span);
        ms.metrics_enabled = metrics;
        stage.method_settings.push(ms);
    }
    model.api_stages.push(stage);
}

/// `http: POST /charge` or `http: {path, method, authorizer, private}`.
fn rest_route(svc: &Service<'_>, function: &str, header: Span, body: &Tv) -> ApiRoute {
    let mut route = ApiRoute::new(
        svc.meta(function, "AWS::ApiGateway::Method", header),
        ApiProtocol::Rest,
    );
    route.api = match svc.provider(&["apiGateway", "restApiId"]) {
        Some(id) => svc.reference(Some(id)),
        None => implicit_ref(REST_API, "AWS::ApiGateway::RestApi", header),
    };
    let (method, path) = method_and_path(body);
    route.method = method;
    route.path = path;
    if let Some(a) = body.get("authorizer") {
        route.authorization = match (a.as_str(), a.as_object()) {
            (Some(s), _) if s.eq_ignore_ascii_case("aws_iam") => {
                Val::known("AWS_IAM".into(), a.span)
            }
            (Some(_), _) => Val::known("CUSTOM".into(), a.span),
            (None, Some(_)) => {
                let ty = a
                    .get("type")
                    .and_then(Tv::as_str)
                    .map(str::to_ascii_uppercase);
                let cognito = a
                    .get("arn")
                    .and_then(Tv::as_str)
                    .is_some_and(|arn| arn.contains(":cognito-idp:"));
                let kind = match ty.as_deref() {
                    Some("AWS_IAM") => "AWS_IAM",
                    Some("COGNITO_USER_POOLS") => "COGNITO_USER_POOLS",
                    _ if cognito => "COGNITO_USER_POOLS",
                    _ => "CUSTOM",
                };
                Val::known(kind.into(), a.span)
            }
            _ => string(Some(a)),
        };
    }
    route.api_key_required = boolean(body.get("private"));
    route
}

/// `httpApi: 'GET /x'`, `httpApi: '*'` or `httpApi: {method, path, authorizer}`.
fn http_route(svc: &Service<'_>, function: &str, header: Span, body: &Tv) -> ApiRoute {
    let mut route = ApiRoute::new(
        svc.meta(function, "AWS::ApiGatewayV2::Route", header),
        ApiProtocol::Http,
    );
    route.api = match svc.provider(&["httpApi", "id"]) {
        Some(id) => svc.reference(Some(id)),
        None => implicit_ref(HTTP_API, "AWS::ApiGatewayV2::Api", header),
    };
    let (method, path) = method_and_path(body);
    route.method = method;
    route.path = path;
    if let Some(a) = body.get("authorizer") {
        let kind = if a
            .get("type")
            .and_then(Tv::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("aws_iam"))
        {
            "AWS_IAM"
        } else {
            let name = a.get("name").and_then(Tv::as_str).or(a.as_str());
            let declared = name.and_then(|n| svc.provider(&["httpApi", "authorizers", n, "type"]));
            match declared.and_then(Tv::as_str) {
                Some(t) if t.eq_ignore_ascii_case("request") => "CUSTOM",
                _ => "JWT",
            }
        };
        route.authorization = Val::known(kind.into(), a.span);
    }
    route
}

/// `websocket: $connect` or `websocket: {route, authorizer}`. An authorizer (a function name,
/// an ARN, or `{name | arn, identitySource}`) is a Lambda `REQUEST` authorizer, which API
/// Gateway runs when a client connects: the framework accepts it on `$connect` only.
fn websocket_route(svc: &Service<'_>, function: &str, header: Span, body: &Tv) -> ApiRoute {
    let mut route = ApiRoute::new(
        svc.meta(function, "AWS::ApiGatewayV2::Route", header),
        ApiProtocol::WebSocket,
    );
    route.api = match svc.provider(&["websocketsApiId"]) {
        Some(id) => svc.reference(Some(id)),
        None => implicit_ref(WEBSOCKET_API, "AWS::ApiGatewayV2::Api", header),
    };
    let key = match body.as_str() {
        Some(key) => Val::known(key.trim().to_string(), body.span),
        None => string(body.get("route")),
    };
    route.method = match &key {
        Val::Known { span, .. } => Val::known("ANY".into(), *span),
        other => other.clone(),
    };
    route.path = key;
    if let Some(a) = body.get("authorizer") {
        route.authorization = if a.is_unknown() {
            string(Some(a))
        } else {
            Val::known("CUSTOM".into(), a.span)
        };
    }
    route
}

fn method_and_path(body: &Tv) -> (Val<String>, Val<String>) {
    if let Some(s) = body.as_str() {
        let s = s.trim();
        if s == "*" {
            return (
                Val::known("ANY".into(), body.span),
                Val::known("$default".into(), body.span),
            );
        }
        return match s.split_once(char::is_whitespace) {
            Some((m, p)) => (
                Val::known(normalize_method(m), body.span),
                Val::known(normalize_path(p.trim()), body.span),
            ),
            None => (
                Val::unknown(body.span, "event without a method"),
                Val::known(normalize_path(s), body.span),
            ),
        };
    }
    if body.is_unknown() {
        return (string(Some(body)), string(Some(body)));
    }
    let method = string(body.get("method")).map(|m| normalize_method(&m));
    let path = string(body.get("path")).map(|p| normalize_path(&p));
    (method, path)
}

fn normalize_method(m: &str) -> String {
    if m == "*" {
        "ANY".into()
    } else {
        m.to_ascii_uppercase()
    }
}

fn normalize_path(p: &str) -> String {
    format!("/{}", p.trim_start_matches('/'))
}

/// `s3: bucket-name` or `s3: {bucket, event, existing}`: the framework creates the bucket
/// unless `existing: true`.
fn s3_bucket(svc: &Service<'_>, header: Span, body: &Tv, model: &mut CloudModel) {
    let (name_v, existing) = match body.as_object() {
        Some(_) => (
            body.get("bucket"),
            body.get("existing").and_then(Tv::as_bool) == Some(true),
        ),
        None => (Some(body), false),
    };
    let Some(name) = name_v.filter(|_| !existing).and_then(Tv::as_str) else {
        return;
    };
    let id = format!("S3Bucket{}", super::normalize_alnum(name));
    if model
        .buckets
        .iter()
        .any(|b| b.meta.address == id && b.meta.file == svc.file)
    {
        return;
    }
    let mut bucket = S3Bucket::new(svc.meta(&id, "AWS::S3::Bucket", header));
    bucket.name = Val::known(name.to_string(), name_v.map_or(header, |n| n.span));
    model.buckets.push(bucket);
}

/// `sns: topic-name` or `sns: {topicName}`: created by the framework unless it is an ARN or a
/// reference to an existing topic.
fn sns_topic(svc: &Service<'_>, header: Span, body: &Tv, model: &mut CloudModel) {
    let name_v = match body.as_object() {
        Some(_) if body.get("arn").is_some() => return,
        Some(_) => body.get("topicName"),
        None => Some(body),
    };
    let Some(name) = name_v
        .and_then(Tv::as_str)
        .filter(|n| !n.starts_with("arn:"))
    else {
        return;
    };
    let id = format!("SNSTopic{}", super::normalize_alnum(name));
    if model
        .topics
        .iter()
        .any(|t| t.meta.address == id && t.meta.file == svc.file)
    {
        return;
    }
    model.topics.push(Topic {
        meta: svc.meta(&id, "AWS::SNS::Topic", header),
        name: Val::known(name.to_string(), name_v.map_or(header, |n| n.span)),
        kms_key: Val::Absent,
    });
}
