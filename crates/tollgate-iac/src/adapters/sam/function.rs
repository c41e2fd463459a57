//! `AWS::Serverless::Function`: the function itself, its implicit role, URL and API routes.

use tollgate_syntax::{Node, Span};

use super::role::implicit_role;
use super::{SamState, IMPLICIT_HTTP_API, IMPLICIT_REST_API};
use crate::adapters::cloudformation::{key_span, lambda_function, Cv, CvKind, Props, Template};
use crate::model::{ApiProtocol, ApiRoute, CloudModel, FunctionUrl, Ref, ResourceMeta, Val};

/// Map one SAM function. `node` is the resource as written, `p` its evaluated properties
/// with Globals applied.
pub fn function(
    tpl: &mut Template,
    state: &mut SamState,
    meta: ResourceMeta,
    node: &Node,
    p: &Cv,
    model: &mut CloudModel,
) {
    let props_node = node.get("Properties");
    let mut f = lambda_function(meta, p);
    f.tracing = p.str_at(&["Tracing"]).or(f.tracing);
    f.dead_letter = p
        .ref_at(&["DeadLetterQueue", "TargetArn"])
        .or(f.dead_letter);
    f.alias = p.str_at(&["AutoPublishAlias"]);
    f.code_uri = p.str_at(&["CodeUri"]).or(f.code_uri);
    f.on_failure = on_failure(p, &f.meta);
    if f.role.is_absent() {
        let anchor =
            props_node.map_or(f.meta.header, |n| key_span_or(n, "Policies", f.meta.header));
        let mut managed = vec!["service-role/AWSLambdaBasicExecutionRole"];
        if f.tracing.eq_ignore_case("Active") {
            managed.push("AWSXrayWriteOnlyAccess");
        }
        if f.vpc.is_known() {
            managed.push("service-role/AWSLambdaVPCAccessExecutionRole");
        }
        let role = implicit_role(
            tpl,
            &f.meta,
            "lambda.amazonaws.com",
            &managed,
            p.get("Policies"),
            anchor,
        );
        f.role = Val::known(
            Ref::resource(
                role.meta.address.clone(),
                Some("Arn".into()),
                Some(role.meta.type_name.clone()),
            ),
            anchor,
        );
        model.iam_roles.push(role);
    }
    if let Some(url) = p.get("FunctionUrlConfig").filter(|u| !u.is_nothing()) {
        let header = props_node.map_or(f.meta.header, |n| {
            key_span_or(n, "FunctionUrlConfig", url.span)
        });
        let meta = ResourceMeta::new(
            format!("{}Url", f.meta.address),
            "AWS::Lambda::Url",
            f.meta.file.clone(),
            header,
            f.meta.format,
        );
        model.function_urls.push(FunctionUrl {
            meta,
            function: Val::known(
                Ref::resource(f.meta.address.clone(), None, Some(f.meta.type_name.clone())),
                header,
            ),
            auth_type: url.str_at(&["AuthType"]),
        });
    }
    if let Some(events) = p.get("Events") {
        for (_, name_span, event) in events.entries() {
            event_route(state, &f.meta, *name_span, event, model);
        }
    }
    model.lambdas.push(f);
}

fn key_span_or(n: &Node, key: &str, fallback: Span) -> Span {
    if n.get(key).is_some() {
        key_span(n, key)
    } else {
        fallback
    }
}

/// `EventInvokeConfig.DestinationConfig.OnFailure`: the destination, or (when SAM creates the
/// queue/topic itself because only `Type` is given) a reference to that implicit resource.
fn on_failure(p: &Cv, meta: &ResourceMeta) -> Val<Ref> {
    let Some(on_failure) = p.path(&["EventInvokeConfig", "DestinationConfig", "OnFailure"]) else {
        return Val::Absent;
    };
    if on_failure.is_unknown() {
        return on_failure.to_ref();
    }
    match on_failure.ref_at(&["Destination"]) {
        Val::Absent => match on_failure.str_at(&["Type"]) {
            // SAM creates a queue or topic named after the function; other types need a
            // Destination, so without one nothing receives the failures.
            Val::Known { value, span } => match value.as_str() {
                "SQS" => Val::known(
                    Ref::resource(
                        format!("{}EventInvokeConfigOnFailureQueue", meta.address),
                        Some("Arn".into()),
                        Some("AWS::SQS::Queue".into()),
                    ),
                    span,
                ),
                "SNS" => Val::known(
                    Ref::resource(
                        format!("{}EventInvokeConfigOnFailureTopic", meta.address),
                        None,
                        Some("AWS::SNS::Topic".into()),
                    ),
                    span,
                ),
                _ => Val::Absent,
            },
            other => other.map(Ref::Literal),
        },
        dest => dest,
    }
}

/// An `Api` or `HttpApi` event becomes a route of the API it names, or of the implicit API.
fn event_route(
    state: &mut SamState,
    fmeta: &ResourceMeta,
    name_span: Span,
    event: &Cv,
    model: &mut CloudModel,
) {
    let kind = event.str_at(&["Type"]);
    let (protocol, api_key, implicit) = match kind.as_str() {
        Some("Api") => (ApiProtocol::Rest, "RestApiId", IMPLICIT_REST_API),
        Some("HttpApi") => (ApiProtocol::Http, "ApiId", IMPLICIT_HTTP_API),
        _ => return,
    };
    let ep = event.get("Properties");
    let mut meta = ResourceMeta::new(
        fmeta.address.clone(),
        fmeta.type_name.clone(),
        fmeta.file.clone(),
        name_span,
        fmeta.format,
    );
    meta.tags = fmeta.tags.clone();
    let mut route = ApiRoute::new(meta, protocol);
    route.api = match ep.ref_at(&[api_key]) {
        Val::Absent => {
            let seen = match protocol {
                ApiProtocol::Rest => &mut state.implicit_rest,
                _ => &mut state.implicit_http,
            };
            seen.get_or_insert(name_span);
            let type_name = match protocol {
                ApiProtocol::Rest => "AWS::Serverless::Api",
                _ => "AWS::Serverless::HttpApi",
            };
            Val::known(
                Ref::resource(implicit, None, Some(type_name.into())),
                name_span,
            )
        }
        explicit => explicit,
    };
    let (method, path) = (ep.str_at(&["Method"]), ep.str_at(&["Path"]));
    if protocol == ApiProtocol::Http && method.is_absent() && path.is_absent() {
        // An HttpApi event without path and method is the `$default` route.
        route.method = Val::known("ANY".into(), name_span);
        route.path = Val::known("$default".into(), name_span);
    } else {
        route.method = method.map(|m| m.to_ascii_uppercase());
        route.path = path;
    }
    route.authorization = ep.str_at(&["Auth", "Authorizer"]);
    route.api_key_required = ep.bool_at(&["Auth", "ApiKeyRequired"]);
    if let Some(auth) = ep.and_then(|e| e.get("Auth")) {
        if let CvKind::Unknown(reason) = &auth.kind {
            route.authorization = Val::unknown(auth.span, reason.clone());
        }
    }
    model.api_routes.push(route);
}
