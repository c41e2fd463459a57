//! TG1101: an API method or route that anyone can call without credentials.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{ApiProtocol, ApiRoute, CloudModel, Val};

pub struct ApiRouteWithoutAuthorization;

/// What the route's effective authorization is.
enum Auth {
    Open,
    Protected,
    Unknowable,
}

fn route_auth(model: &CloudModel, route: &ApiRoute) -> Auth {
    if route.api_key_required.is_true() || route.authorizer.is_present() {
        return Auth::Protected;
    }
    if route.api_key_required.is_unknown() {
        return Auth::Unknowable;
    }
    match &route.authorization {
        Val::Unknown { .. } => return Auth::Unknowable,
        Val::Known { value, .. } if !value.eq_ignore_ascii_case("NONE") => return Auth::Protected,
        Val::Known { .. } => return Auth::Open,
        Val::Absent => {}
    }
    // Not written on the route: the API's default authorizer and API-key setting apply.
    let api = match &route.api {
        Val::Known { .. } => model.api_of(&route.meta, &route.api),
        Val::Unknown { .. } => return Auth::Unknowable,
        Val::Absent => None,
    };
    let Some(api) = api else {
        return Auth::Open;
    };
    if api.api_key_required.is_true() {
        return Auth::Protected;
    }
    match &api.default_authorizer {
        Val::Known { value, .. } if !value.eq_ignore_ascii_case("NONE") => Auth::Protected,
        Val::Unknown { .. } => Auth::Unknowable,
        _ if api.api_key_required.is_unknown() => Auth::Unknowable,
        _ => Auth::Open,
    }
}

/// A WebSocket API authorizes a client once, when it connects: its other routes are reached
/// only through an authorized `$connect`, so with a `$connect` route on the same API they are
/// judged by it and not on their own.
fn behind_connect(model: &CloudModel, route: &ApiRoute) -> bool {
    let Some(key) = route.path.as_str() else {
        return false;
    };
    if key.eq_ignore_ascii_case("$connect") {
        return false;
    }
    let websocket = match model.api_of(&route.meta, &route.api) {
        Some(api) => api.protocol == ApiProtocol::WebSocket,
        // HTTP route keys are `METHOD /path` or `$default`; anything else is a WebSocket key.
        None => !key.starts_with('/') && !key.eq_ignore_ascii_case("$default"),
    };
    websocket
        && route.api.get().is_some()
        && model.api_routes.iter().any(|r| {
            r.path
                .as_str()
                .is_some_and(|k| k.eq_ignore_ascii_case("$connect"))
                && r.api.get() == route.api.get()
                && r.meta.file == route.meta.file
                && r.meta.scope == route.meta.scope
        })
}

/// Whether anyone on the internet can call `route` without credentials: what TG1101 reports.
/// A CORS preflight (`OPTIONS`) never counts, and an authorization that cannot be resolved is
/// not open.
pub fn route_is_open(model: &CloudModel, route: &ApiRoute) -> bool {
    !route.method.eq_ignore_case("OPTIONS") && matches!(route_auth(model, route), Auth::Open)
}

impl IacRule for ApiRouteWithoutAuthorization {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1101",
                "api-route-without-authorization",
                Severity::Medium,
                "API Gateway method or route has no authorization",
                "apigateway",
            )
        .equivalents(["CKV_AWS_59", "CKV_AWS_309"])
        .description(
            "A REST API method with `AuthorizationType: NONE` or an HTTP API route without an \
             authorizer can be called by anyone on the internet. Routes implied by SAM `Api` / \
             `HttpApi` events, Serverless `http` / `httpApi` events and the operations of an inline \
             OpenAPI definition (`DefinitionBody`, `Body`, Terraform `body`; their `security` and \
             `x-amazon-apigateway-*` schemes) are checked too, with the API's default authorizer \
             applied. An operation with `security: []` is open. `OPTIONS` methods (CORS preflight) are exempt, and \
             a method that requires an API key is counted as protected. A WebSocket API authorizes \
             clients only when they connect: its `$connect` route is judged, and its other routes \
             are not reported on their own when the API has a `$connect` route. A `PRIVATE` REST API \
             whose resource policy admits callers only from named VPCs or VPC endpoints \
             (`aws:SourceVpc`, `aws:SourceVpce`, SAM `Auth.ResourcePolicy` VPC lists) is \
             reachable only from inside them: its open routes are reported at low severity, \
             naming those networks. Checkov's CKV2_AWS_70 is not an equivalent: despite its \
             title it passes every method other than `OPTIONS`, and fails only an `OPTIONS` \
             method without authorization on an API whose resource policy lets anyone invoke \
             it, which this rule exempts as CORS preflight.",
        )
        .remediation(
            Fix {
                summary: "Attach an authorizer (IAM, Cognito, JWT or Lambda) to the route or as the API's default.",
                cloudformation: "Api:\n  Type: AWS::Serverless::Api\n  Properties:\n    StageName: prod\n    Auth:\n      DefaultAuthorizer: CognitoAuth\n      Authorizers:\n        CognitoAuth:\n          UserPoolArn: !GetAtt UserPool.Arn",
                serverless: Some("functions:\n  orders:\n    handler: orders.handler\n    events:\n      - http:\n          path: orders\n          method: post\n          authorizer: aws_iam"),
                terraform: "resource \"aws_api_gateway_method\" \"post_orders\" {\n  rest_api_id   = aws_api_gateway_rest_api.api.id\n  resource_id   = aws_api_gateway_resource.orders.id\n  http_method   = \"POST\"\n  authorization = \"COGNITO_USER_POOLS\"\n  authorizer_id = aws_api_gateway_authorizer.cognito.id\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for route in &model.api_routes {
            // CORS preflight is answered without authorization by design.
            if route.method.eq_ignore_case("OPTIONS") {
                out.not_applicable(&route.meta);
                continue;
            }
            out.evaluated(&route.meta);
            match route_auth(model, route) {
                Auth::Open if !behind_connect(model, route) => {}
                Auth::Unknowable => {
                    out.unknown(&route.meta);
                    continue;
                }
                _ => continue,
            }
            let method = route.method.as_str().unwrap_or("ANY");
            // A REST method names its resource by id (`!Ref OrdersResource`), not by path.
            let path = match route.path.as_str() {
                Some(p) if p.starts_with("${") => {
                    format!(
                        "on resource `{}`",
                        p.trim_start_matches("${").trim_end_matches('}')
                    )
                }
                Some(p) => p.to_string(),
                None => "/".to_string(),
            };
            let method = method.to_ascii_uppercase();
            let evidence = format!("{method} {path} NONE");
            let private = model
                .api_of(&route.meta, &route.api)
                .and_then(|api| api.private_to_vpcs());
            if let Some(vpcs) = private {
                // Not the internet: only callers inside these networks reach a private API.
                let message = format!(
                    "{method} {path} of `{}` can be called without authorization from inside {}: \
                     the API is private and its resource policy admits callers only from there.",
                    route.meta.address,
                    vpcs.iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                out.at_severity(
                    Severity::Low,
                    &route.meta,
                    route.authorization.span(),
                    &evidence,
                    message,
                );
                continue;
            }
            let message = format!(
                "{method} {path} of `{}` can be called without authorization.",
                route.meta.address
            );
            match route.authorization.span() {
                Some(span) => out.at(&route.meta, span, &evidence, message),
                None => out.missing_about(&route.meta, &evidence, message),
            }
        }
    }
}
