//! API Gateway REST (`aws_api_gateway_*`) and HTTP/WebSocket (`aws_apigatewayv2_*`) APIs,
//! their stages (with method settings joined in), methods/routes and custom domain names.

use tollgate_syntax::Span;

use super::loader::TfResource;
use super::mapper::{boolean, moved, string, Mapper};
use super::value::{Tv, TvKind};
use crate::adapters::cloudformation::{Cv, CvKind};
use crate::adapters::openapi;
use crate::model::{
    source_vpcs, Api, ApiDeployment, ApiProtocol, ApiRoute, ApiStage, CloudModel, DomainName,
    MethodSetting, Ref, SourceFormat, Val,
};

pub fn map(m: &Mapper<'_>, model: &mut CloudModel) {
    for r in m.of_type("aws_api_gateway_rest_api") {
        let mut api = Api::new(m.meta(r), ApiProtocol::Rest);
        api.name = string(r.body.get("name"));
        api.disable_execute_api_endpoint = boolean(r.body.get("disable_execute_api_endpoint"));
        api.endpoint_type = r
            .body
            .block("endpoint_configuration")
            .and_then(|c| c.get("types"))
            .map_or(Val::Absent, |t| match t.as_list() {
                Some(types) => string(types.first()),
                None => string(Some(t)),
            });
        // The policy is an argument of the API or a separate `aws_api_gateway_rest_api_policy`.
        let separate = m.of_type("aws_api_gateway_rest_api_policy").find(|p| {
            m.reference(p.body.get("rest_api_id"))
                .get()
                .and_then(Ref::address)
                == Some(r.address.as_str())
        });
        let policy = match separate {
            Some(p) => m.policy(p.body.get("policy"), &p.file),
            None => m.policy(r.body.get("policy"), &r.file),
        };
        api.source_vpcs = policy.get().map(source_vpcs).unwrap_or_default();
        definition_routes(&api, r.body.get("body"), model);
        model.apis.push(api);
    }
    for r in m.of_type("aws_apigatewayv2_api") {
        let protocol = match r.body.get("protocol_type").and_then(Tv::as_str) {
            Some(p) if p.eq_ignore_ascii_case("WEBSOCKET") => ApiProtocol::WebSocket,
            _ => ApiProtocol::Http,
        };
        let mut api = Api::new(m.meta(r), protocol);
        api.name = string(r.body.get("name"));
        api.disable_execute_api_endpoint = boolean(r.body.get("disable_execute_api_endpoint"));
        if let Some(target) = r.body.get("target") {
            quick_create(&api, target.span, r.body.get("route_key"), model);
        }
        if protocol == ApiProtocol::Http {
            definition_routes(&api, r.body.get("body"), model);
        }
        model.apis.push(api);
    }
    for r in m.of_type("aws_api_gateway_method") {
        let b = &r.body;
        let mut route = ApiRoute::new(m.meta(r), ApiProtocol::Rest);
        route.api = m.reference(b.get("rest_api_id"));
        route.method = string(b.get("http_method"));
        route.path = rest_path(m, b.get("resource_id"));
        route.authorization = string(b.get("authorization"));
        route.authorizer = m.reference(b.get("authorizer_id"));
        route.api_key_required = boolean(b.get("api_key_required"));
        route.request_validator = Some(m.reference(b.get("request_validator_id")));
        model.api_routes.push(route);
    }
    for r in m.of_type("aws_apigatewayv2_route") {
        let b = &r.body;
        let mut route = ApiRoute::new(m.meta(r), ApiProtocol::Http);
        route.api = m.reference(b.get("api_id"));
        if let Some(k) = b.get("route_key") {
            match k.as_str() {
                Some(key) => {
                    let (method, path) = match key.split_once(' ') {
                        Some((method, path)) => (method.to_string(), path.to_string()),
                        // `$default`, and WebSocket keys like `$connect`.
                        None => ("ANY".to_string(), key.to_string()),
                    };
                    route.method = Val::known(method, k.span);
                    route.path = Val::known(path, k.span);
                }
                None => {
                    route.method = string(Some(k));
                    route.path = string(Some(k));
                }
            }
        }
        route.authorization = string(b.get("authorization_type"));
        route.authorizer = m.reference(b.get("authorizer_id"));
        route.api_key_required = boolean(b.get("api_key_required"));
        model.api_routes.push(route);
    }
    for r in m.of_type("aws_api_gateway_deployment") {
        let create_before_destroy = if m.format == SourceFormat::TerraformPlan {
            Val::unknown(r.header, "plan JSON does not record lifecycle settings")
        } else {
            boolean(
                r.body
                    .block("lifecycle")
                    .and_then(|l| l.get("create_before_destroy")),
            )
        };
        model.api_deployments.push(ApiDeployment {
            meta: m.meta(r),
            create_before_destroy,
        });
    }
    for r in m.of_type("aws_api_gateway_stage") {
        let b = &r.body;
        let mut stage = ApiStage::new(m.meta(r), ApiProtocol::Rest);
        stage.api = m.reference(b.get("rest_api_id"));
        stage.name = string(b.get("stage_name"));
        stage.access_log_destination = m.reference(
            b.block("access_log_settings")
                .and_then(|a| a.get("destination_arn")),
        );
        stage.tracing = boolean(b.get("xray_tracing_enabled"));
        stage.cache_cluster_enabled = boolean(b.get("cache_cluster_enabled"));
        for s in method_settings_of(m, r) {
            let Some(settings) = s.body.block("settings") else {
                continue;
            };
            let mut ms = MethodSetting::new(settings.span);
            if let Some(path) = s.body.get("method_path") {
                match path.as_str().and_then(|p| p.rsplit_once('/')) {
                    Some((res, method)) => {
                        ms.resource_path =
                            Val::known(format!("/{}", res.trim_start_matches('/')), path.span);
                        ms.http_method = Val::known(method.to_string(), path.span);
                    }
                    None => {
                        ms.resource_path = string(Some(path));
                        ms.http_method = string(Some(path));
                    }
                }
            }
            ms.caching_enabled = boolean(settings.get("caching_enabled"));
            ms.cache_data_encrypted = boolean(settings.get("cache_data_encrypted"));
            ms.data_trace_enabled = boolean(settings.get("data_trace_enabled"));
            ms.logging_level = string(settings.get("logging_level"));
            ms.metrics_enabled = boolean(settings.get("metrics_enabled"));
            if s.file != stage.meta.file {
                ms = relocate(ms, &stage.meta);
            }
            stage.method_settings.push(ms);
        }
        model.api_stages.push(stage);
    }
    for r in m.of_type("aws_apigatewayv2_stage") {
        let b = &r.body;
        let mut stage = ApiStage::new(m.meta(r), ApiProtocol::Http);
        stage.api = m.reference(b.get("api_id"));
        stage.name = string(b.get("name"));
        stage.access_log_destination = m.reference(
            b.block("access_log_settings")
                .and_then(|a| a.get("destination_arn")),
        );
        if let Some(settings) = b.block("default_route_settings") {
            let mut ms = MethodSetting::new(settings.span);
            ms.resource_path = Val::known("/*".into(), settings.span);
            ms.http_method = Val::known("*".into(), settings.span);
            ms.data_trace_enabled = boolean(settings.get("data_trace_enabled"));
            ms.logging_level = string(settings.get("logging_level"));
            ms.metrics_enabled = boolean(settings.get("detailed_metrics_enabled"));
            stage.method_settings.push(ms);
        }
        model.api_stages.push(stage);
    }
    for r in m.of_type("aws_api_gateway_domain_name") {
        model.domain_names.push(DomainName {
            meta: m.meta(r),
            name: string(r.body.get("domain_name")),
            security_policy: string(r.body.get("security_policy")),
        });
    }
    for r in m.of_type("aws_apigatewayv2_domain_name") {
        model.domain_names.push(DomainName {
            meta: m.meta(r),
            name: string(r.body.get("domain_name")),
            security_policy: string(
                r.body
                    .block("domain_name_configuration")
                    .and_then(|c| c.get("security_policy")),
            ),
        });
    }
}

/// An HTTP API with `target` ("quick create") gets a route (`route_key`, default `$default`)
/// and a `$default` stage from API Gateway itself, with no authorizer and no access logging.
fn quick_create(api: &Api, target_span: Span, route_key: Option<&Tv>, model: &mut CloudModel) {
    let api_ref = Val::known(
        Ref::resource(
            api.meta.address.clone(),
            Some("id".into()),
            Some(api.meta.type_name.clone()),
        ),
        target_span,
    );
    let mut route = ApiRoute::new(api.meta.clone(), api.protocol);
    route.api = api_ref.clone();
    let (method, path) = match route_key.map(|k| (k, k.as_str())) {
        Some((k, Some(key))) => match key.split_once(' ') {
            Some((m, p)) => (
                Val::known(m.to_string(), k.span),
                Val::known(p.to_string(), k.span),
            ),
            None => (
                Val::known("ANY".into(), k.span),
                Val::known(key.to_string(), k.span),
            ),
        },
        Some((k, None)) => (string(Some(k)), string(Some(k))),
        None => (
            Val::known("ANY".into(), target_span),
            Val::known("$default".into(), target_span),
        ),
    };
    route.method = method;
    route.path = path;
    model.api_routes.push(route);
    let mut stage = ApiStage::new(api.meta.clone(), api.protocol);
    stage.api = api_ref;
    stage.name = Val::known("$default".into(), target_span);
    model.api_stages.push(stage);
}

/// `aws_api_gateway_method_settings` of a stage: same API, and the stage by reference or name.
fn method_settings_of<'a>(m: &Mapper<'a>, stage: &'a TfResource) -> Vec<&'a TfResource> {
    let api = stage.body.get("rest_api_id");
    m.attached(
        "aws_api_gateway_method_settings",
        "stage_name",
        stage,
        &["stage_name"],
    )
    .into_iter()
    .filter(|s| match (api, s.body.get("rest_api_id")) {
        (Some(a), Some(b)) => {
            super::eval::same_value(a, b)
                || a.ref_address().is_some() && a.ref_address() == b.ref_address()
        }
        _ => true,
    })
    .collect()
}

/// Method settings written in another file than their stage, reported at the stage header.
fn relocate(mut ms: MethodSetting, meta: &crate::model::ResourceMeta) -> MethodSetting {
    ms.span = meta.header;
    ms.resource_path = moved(ms.resource_path, meta.header);
    ms.http_method = moved(ms.http_method, meta.header);
    ms.caching_enabled = moved(ms.caching_enabled, meta.header);
    ms.cache_data_encrypted = moved(ms.cache_data_encrypted, meta.header);
    ms.data_trace_enabled = moved(ms.data_trace_enabled, meta.header);
    ms.logging_level = moved(ms.logging_level, meta.header);
    ms.metrics_enabled = moved(ms.metrics_enabled, meta.header);
    ms
}

/// The path of a REST method: `aws_api_gateway_resource.path_part` (with its parents), or `/`
/// for the API's root resource.
fn rest_path(m: &Mapper<'_>, v: Option<&Tv>) -> Val<String> {
    let Some(v) = v else { return Val::Absent };
    let mut parts = Vec::new();
    let mut cur = v.clone();
    for _ in 0..16 {
        match &cur.kind {
            TvKind::Ref { attr, .. }
                if attr.first().map(String::as_str) == Some("root_resource_id") =>
            {
                parts.reverse();
                return Val::known(format!("/{}", parts.join("/")), v.span);
            }
            TvKind::Ref { address, .. } => {
                let Some(res) = m
                    .resources
                    .iter()
                    .find(|r| r.address == *address && r.type_name == "aws_api_gateway_resource")
                else {
                    break;
                };
                match res.body.get("path_part").and_then(Tv::as_str) {
                    Some(p) => parts.push(p.to_string()),
                    None => break,
                }
                match res.body.get("parent_id") {
                    Some(p) => cur = p.clone(),
                    None => break,
                }
            }
            _ => break,
        }
    }
    Val::unknown(v.span, "resource path is not known statically")
}

/// The routes of an OpenAPI `body` written in the configuration (`jsonencode({...})` keeps its
/// structure); a `file()` / `templatefile()` body, a JSON string or one built from unknown
/// values is only noted.
fn definition_routes(api: &Api, body: Option<&Tv>, model: &mut CloudModel) {
    let Some(body) = body.filter(|b| !matches!(b.kind, TvKind::Null)) else {
        return;
    };
    let note = openapi::add_routes(
        &as_cv(body, 0),
        &api.meta,
        api.protocol,
        "routes defined in an OpenAPI body are not analysed unless written with jsonencode() in the configuration",
        model,
    );
    model.notifications.extend(note);
}

/// A Terraform value as the evaluated-value tree the OpenAPI reader walks. Deeper than any
/// definition needs is cut off as unknown rather than recursed into.
fn as_cv(v: &Tv, depth: usize) -> Cv {
    const MAX_DEPTH: usize = 64;
    if depth > MAX_DEPTH {
        return Cv::unknown(v.span, "value nested too deeply");
    }
    let kind = match &v.kind {
        TvKind::Null => CvKind::Null,
        TvKind::Bool(b) => CvKind::Bool(*b),
        TvKind::Number(n) => CvKind::Number(n.clone()),
        TvKind::String(s) => CvKind::Str(s.clone()),
        TvKind::List(items) => CvKind::List(items.iter().map(|i| as_cv(i, depth + 1)).collect()),
        TvKind::Object(entries) => CvKind::Map(
            entries
                .iter()
                .map(|(k, span, e)| (k.clone(), *span, as_cv(e, depth + 1)))
                .collect(),
        ),
        TvKind::Ref { address, attr } => {
            CvKind::Ref(Ref::resource(address.clone(), attr.first().cloned(), None))
        }
        TvKind::Unknown(reason) => CvKind::Unknown(reason.clone()),
        TvKind::File { path, .. } => {
            CvKind::Unknown(format!("read from `{path}`, which is not analysed"))
        }
    };
    Cv::new(v.span, kind)
}
