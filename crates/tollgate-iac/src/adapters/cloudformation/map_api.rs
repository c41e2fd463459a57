//! CloudFormation API Gateway (v1 and v2) resources into the model.

use super::template::Template;
use super::value::{Cv, CvKind, Props};
use crate::adapters::{openapi, unsupported};
use crate::model::{
    source_vpcs, Api, ApiProtocol, ApiRoute, ApiStage, CloudModel, DomainName, MethodSetting, Ref,
    ResourceMeta, Val,
};

/// `AWS::ApiGateway::RestApi`, `AWS::ApiGatewayV2::Api`.
pub fn api(meta: ResourceMeta, p: &Cv, v2: bool) -> Api {
    let protocol = if !v2 {
        ApiProtocol::Rest
    } else if p.str_at(&["ProtocolType"]).eq_ignore_case("WEBSOCKET") {
        ApiProtocol::WebSocket
    } else {
        ApiProtocol::Http
    };
    let file = meta.file.clone();
    let mut api = Api::new(meta, protocol);
    api.name = p.str_at(&["Name"]);
    api.disable_execute_api_endpoint = p.bool_at(&["DisableExecuteApiEndpoint"]);
    if !v2 {
        api.endpoint_type = endpoint_type(p.get("EndpointConfiguration"));
        if let Some(doc) = p
            .get("Policy")
            .map(|d| super::policy::policy_document(&file, d))
        {
            api.source_vpcs = doc.get().map(source_vpcs).unwrap_or_default();
        }
    }
    api
}

/// A REST API's endpoint type: CloudFormation `EndpointConfiguration.Types: [PRIVATE]`, SAM
/// `EndpointConfiguration: PRIVATE` or `{Type: PRIVATE}`.
pub fn endpoint_type(v: Option<&Cv>) -> Val<String> {
    let Some(v) = v else { return Val::Absent };
    match &v.kind {
        CvKind::Map(_) => match v.get("Types") {
            Some(types) => types.items().first().map_or(Val::Absent, Cv::to_str),
            None => v.str_at(&["Type"]),
        },
        _ => v.to_str(),
    }
}

/// `AWS::ApiGateway::Stage`.
pub fn rest_stage(meta: ResourceMeta, p: &Cv) -> ApiStage {
    let mut stage = ApiStage::new(meta, ApiProtocol::Rest);
    stage.api = p.ref_at(&["RestApiId"]);
    stage.name = p.str_at(&["StageName"]);
    stage.access_log_destination = p.ref_at(&["AccessLogSetting", "DestinationArn"]);
    stage.tracing = p.bool_at(&["TracingEnabled"]);
    stage.cache_cluster_enabled = p.bool_at(&["CacheClusterEnabled"]);
    (stage.method_settings, stage.method_settings_unknown) =
        method_settings(p.get("MethodSettings"));
    stage
}

/// `AWS::ApiGatewayV2::Stage`: its `DefaultRouteSettings` become one method setting for all.
pub fn v2_stage(meta: ResourceMeta, p: &Cv) -> ApiStage {
    let mut stage = ApiStage::new(meta, ApiProtocol::Http);
    stage.api = p.ref_at(&["ApiId"]);
    stage.name = p.str_at(&["StageName"]);
    stage.access_log_destination = p.ref_at(&["AccessLogSettings", "DestinationArn"]);
    if let Some(d) = p.get("DefaultRouteSettings") {
        stage.method_settings.push(route_settings(d));
    }
    stage
}

/// v2 route settings (`DefaultRouteSettings`, SAM HttpApi `DefaultRouteSettings`).
pub fn route_settings(d: &Cv) -> MethodSetting {
    let mut s = MethodSetting::new(d.span);
    s.resource_path = Val::known("/*".to_string(), d.span);
    s.http_method = Val::known("*".to_string(), d.span);
    s.data_trace_enabled = d.bool_at(&["DataTraceEnabled"]);
    s.logging_level = d.str_at(&["LoggingLevel"]);
    s.metrics_enabled = d.bool_at(&["DetailedMetricsEnabled"]);
    s
}

/// REST `MethodSettings` (also SAM Api's).
pub fn method_settings(v: Option<&Cv>) -> (Vec<MethodSetting>, Option<tollgate_syntax::Span>) {
    let Some(v) = v else {
        return (Vec::new(), None);
    };
    match &v.kind {
        CvKind::List(items) => (
            items
                .iter()
                .map(|i| {
                    let mut s = MethodSetting::new(i.span);
                    s.resource_path = i.str_at(&["ResourcePath"]);
                    s.http_method = i.str_at(&["HttpMethod"]);
                    s.caching_enabled = i.bool_at(&["CachingEnabled"]);
                    s.cache_data_encrypted = i.bool_at(&["CacheDataEncrypted"]);
                    s.data_trace_enabled = i.bool_at(&["DataTraceEnabled"]);
                    s.logging_level = i.str_at(&["LoggingLevel"]);
                    s.metrics_enabled = i.bool_at(&["MetricsEnabled"]);
                    s
                })
                .collect(),
            None,
        ),
        _ if v.is_nothing() => (Vec::new(), None),
        _ => (Vec::new(), Some(v.span)),
    }
}

/// `AWS::ApiGateway::Method`. The path is the referenced `AWS::ApiGateway::Resource`'s
/// address when not resolvable further.
pub fn rest_method(meta: ResourceMeta, p: &Cv) -> ApiRoute {
    let mut route = ApiRoute::new(meta, ApiProtocol::Rest);
    route.api = p.ref_at(&["RestApiId"]);
    route.method = p.str_at(&["HttpMethod"]);
    route.path = p.str_at(&["ResourceId"]);
    route.authorization = p.str_at(&["AuthorizationType"]);
    route.authorizer = p.ref_at(&["AuthorizerId"]);
    route.api_key_required = p.bool_at(&["ApiKeyRequired"]);
    route.request_validator = Some(p.ref_at(&["RequestValidatorId"]));
    route
}

/// `AWS::ApiGatewayV2::Route`: `RouteKey` is `"GET /items"` or `$default`.
pub fn v2_route(meta: ResourceMeta, p: &Cv) -> ApiRoute {
    let mut route = ApiRoute::new(meta, ApiProtocol::Http);
    route.api = p.ref_at(&["ApiId"]);
    match p.str_at(&["RouteKey"]) {
        Val::Known { value, span } => {
            let (method, path) = value
                .split_once(' ')
                .map_or(("ANY", value.as_str()), |(m, p)| (m, p));
            route.method = Val::known(method.to_string(), span);
            route.path = Val::known(path.to_string(), span);
        }
        other => {
            route.method = other.clone();
            route.path = other;
        }
    }
    route.authorization = p.str_at(&["AuthorizationType"]);
    route.authorizer = p.ref_at(&["AuthorizerId"]);
    route.api_key_required = p.bool_at(&["ApiKeyRequired"]);
    route
}

/// `AWS::ApiGateway::DomainName`, `AWS::ApiGatewayV2::DomainName`.
pub fn domain_name(meta: ResourceMeta, p: &Cv) -> DomainName {
    let v2_policy = p
        .get("DomainNameConfigurations")
        .and_then(|c| c.items().first())
        .map_or(Val::Absent, |c| c.str_at(&["SecurityPolicy"]));
    DomainName {
        meta,
        name: p.str_at(&["DomainName"]),
        security_policy: p.str_at(&["SecurityPolicy"]).or(v2_policy),
    }
}

/// `AWS::ApiGateway::Deployment` with `StageName` creates a stage configured by its
/// `StageDescription`; stage-wide caching and tracing settings become a `/*` method setting.
pub fn deployment_stage(meta: ResourceMeta, p: &Cv) -> Option<ApiStage> {
    let name = p.str_at(&["StageName"]);
    if name.is_absent() {
        return None;
    }
    let d = p.get("StageDescription");
    let mut stage = ApiStage::new(meta, ApiProtocol::Rest);
    stage.api = p.ref_at(&["RestApiId"]);
    stage.name = name;
    stage.access_log_destination = d.ref_at(&["AccessLogSetting", "DestinationArn"]);
    stage.tracing = d.bool_at(&["TracingEnabled"]);
    stage.cache_cluster_enabled = d.bool_at(&["CacheClusterEnabled"]);
    if let Some(d) = d.filter(|d| !d.is_nothing()) {
        (stage.method_settings, stage.method_settings_unknown) =
            method_settings(d.get("MethodSettings"));
        let mut all = MethodSetting::new(d.span);
        all.resource_path = Val::known("/*".to_string(), d.span);
        all.http_method = Val::known("*".to_string(), d.span);
        all.caching_enabled = d.bool_at(&["CachingEnabled"]);
        all.cache_data_encrypted = d.bool_at(&["CacheDataEncrypted"]);
        all.data_trace_enabled = d.bool_at(&["DataTraceEnabled"]);
        all.logging_level = d.str_at(&["LoggingLevel"]);
        all.metrics_enabled = d.bool_at(&["MetricsEnabled"]);
        stage.method_settings.insert(0, all);
    }
    Some(stage)
}

/// The path of a REST method from its `ResourceId`: the `PathPart`s of the
/// `AWS::ApiGateway::Resource` chain up to the API root (`/` for `RootResourceId`). `None`
/// when a link is not resolvable statically.
pub fn rest_path(tpl: &mut Template, resource_id: &Cv) -> Option<String> {
    let mut parts = Vec::new();
    let mut current = resource_id.clone();
    // API Gateway allows deep trees, but a chain longer than this is a cycle or hostile.
    for _ in 0..64 {
        let CvKind::Ref(r) = &current.kind else {
            return None;
        };
        if let Ref::Resource {
            attr: Some(attr), ..
        } = r
        {
            if attr != "RootResourceId" {
                return None;
            }
            parts.reverse();
            return Some(format!("/{}", parts.join("/")));
        }
        let id = r.address()?.to_string();
        if tpl.resource_type(&id) != Some("AWS::ApiGateway::Resource") {
            return None;
        }
        let props = tpl.root().path(&["Resources", &id, "Properties"])?;
        let part = props.get("PathPart").map(|n| tpl.eval(n))?.text()?;
        parts.push(part);
        current = props.get("ParentId").map(|n| tpl.eval(n))?;
    }
    None
}

/// An API resource, plus what its properties imply: the routes of an inline OpenAPI `Body`
/// (a note where they cannot be known: an S3 location, intrinsics), and for an HTTP API
/// created with `Target` ("quick create") the `$default` route and auto-deployed `$default`
/// stage API Gateway makes, neither with authorization or logging.
pub fn api_with_definition(meta: ResourceMeta, p: &Cv, model: &mut CloudModel) {
    let v2 = meta.type_name == "AWS::ApiGatewayV2::Api";
    let api = api(meta, p, v2);
    const NOT_ANALYSED: &str = "routes defined in an OpenAPI definition are not analysed; declare them as resources to have them checked";
    if let Some(body) = p.get("Body").filter(|b| !b.is_nothing()) {
        let note = openapi::add_routes(body, &api.meta, api.protocol, NOT_ANALYSED, model);
        model.notifications.extend(note);
    } else if let Some(s3) = p.get("BodyS3Location").filter(|b| !b.is_nothing()) {
        model
            .notifications
            .push(unsupported(&api.meta.file, s3.span, NOT_ANALYSED));
    }
    if let Some(target) = p.get("Target").filter(|t| !t.is_nothing()) {
        let reference = Val::known(
            Ref::resource(
                api.meta.address.clone(),
                None,
                Some(api.meta.type_name.clone()),
            ),
            target.span,
        );
        let mut implied = api.meta.clone();
        implied.header = target.span;
        let mut route = ApiRoute::new(implied.clone(), api.protocol);
        route.api = reference.clone();
        route.method = Val::known("ANY".to_string(), target.span);
        route.path = Val::known("$default".to_string(), target.span);
        let mut stage = ApiStage::new(implied, api.protocol);
        stage.api = reference;
        stage.name = Val::known("$default".to_string(), target.span);
        model.api_routes.push(route);
        model.api_stages.push(stage);
    }
    model.apis.push(api);
}
