//! Amazon API Gateway: REST (v1) and HTTP/WebSocket (v2) APIs, stages, routes/methods and
//! custom domain names.

use tollgate_syntax::Span;

use super::{PolicyDocument, Ref, ResourceMeta, Val};

/// Which API Gateway flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiProtocol {
    /// API Gateway v1 (`AWS::ApiGateway::RestApi`, SAM `Api`, Serverless `http`).
    Rest,
    /// API Gateway v2 HTTP API (`AWS::ApiGatewayV2::Api`, SAM `HttpApi`, Serverless `httpApi`).
    Http,
    WebSocket,
}

/// An API (`AWS::ApiGateway::RestApi`, `AWS::ApiGatewayV2::Api`, `AWS::Serverless::Api`,
/// `AWS::Serverless::HttpApi`, SAM/Serverless implicit APIs, `aws_api_gateway_rest_api`,
/// `aws_apigatewayv2_api`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    pub meta: ResourceMeta,
    pub protocol: ApiProtocol,
    pub name: Val<String>,
    /// The authorizer every route gets unless it says otherwise (SAM `Auth.DefaultAuthorizer`).
    pub default_authorizer: Val<String>,
    /// SAM `Auth.ApiKeyRequired`: every method requires an API key.
    pub api_key_required: Val<bool>,
    pub disable_execute_api_endpoint: Val<bool>,
    /// A REST API's endpoint type: `EDGE`, `REGIONAL` or `PRIVATE` (reachable only through
    /// VPC interface endpoints).
    pub endpoint_type: Val<String>,
    /// The VPCs and VPC endpoints its resource policy admits callers from (`aws:SourceVpc`,
    /// `aws:SourceVpce`, SAM `Auth.ResourcePolicy` VPC allow lists); empty when it names none.
    pub source_vpcs: Vec<String>,
}

impl Api {
    pub fn new(meta: ResourceMeta, protocol: ApiProtocol) -> Self {
        Self {
            meta,
            protocol,
            name: Val::Absent,
            default_authorizer: Val::Absent,
            api_key_required: Val::Absent,
            disable_execute_api_endpoint: Val::Absent,
            endpoint_type: Val::Absent,
            source_vpcs: Vec::new(),
        }
    }

    /// A `PRIVATE` API whose resource policy admits callers only from named VPCs or VPC
    /// endpoints: the VPCs, else `None`.
    pub fn private_to_vpcs(&self) -> Option<&[String]> {
        (self.endpoint_type.eq_ignore_case("PRIVATE") && !self.source_vpcs.is_empty())
            .then_some(self.source_vpcs.as_slice())
    }
}

/// The VPCs and VPC endpoints a resource policy restricts callers to: the values of
/// `aws:SourceVpc` / `aws:SourceVpce` conditions that an `Allow` requires (`StringEquals`,
/// `StringLike`) or a `Deny` enforces (`StringNotEquals`, `StringNotLike`).
pub fn source_vpcs(doc: &PolicyDocument) -> Vec<String> {
    let mut out = Vec::new();
    for st in &doc.statements {
        for c in &st.conditions {
            if !(c.key.eq_ignore_ascii_case("aws:SourceVpc")
                || c.key.eq_ignore_ascii_case("aws:SourceVpce"))
            {
                continue;
            }
            let op = c.operator.rsplit(':').next().unwrap_or_default();
            let negated = op.starts_with("StringNot");
            let restricts = (st.is_allow() && op.starts_with("String") && !negated)
                || (st.is_deny() && negated);
            if restricts {
                out.extend(
                    c.values
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string)),
                );
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `aws_api_gateway_deployment`: a snapshot of a REST API that stages serve. CloudFormation,
/// SAM and the Serverless Framework write a new deployment resource for each change, so only
/// Terraform's replace-in-place needs ordering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiDeployment {
    pub meta: ResourceMeta,
    /// `lifecycle { create_before_destroy }`; unknown in plan JSON, which does not record
    /// lifecycle settings.
    pub create_before_destroy: Val<bool>,
}

/// A deployed stage (`AWS::ApiGateway::Stage`, `AWS::ApiGatewayV2::Stage`, the stage SAM and
/// Serverless create for their APIs, `aws_api_gateway_stage`, `aws_apigatewayv2_stage`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiStage {
    pub meta: ResourceMeta,
    pub protocol: ApiProtocol,
    pub api: Val<Ref>,
    pub name: Val<String>,
    /// `AccessLogSetting(s).DestinationArn`.
    pub access_log_destination: Val<Ref>,
    /// `TracingEnabled` (REST only).
    pub tracing: Val<bool>,
    /// `CacheClusterEnabled`.
    pub cache_cluster_enabled: Val<bool>,
    pub method_settings: Vec<MethodSetting>,
    /// The whole `MethodSettings` list was not resolvable.
    pub method_settings_unknown: Option<Span>,
}

impl ApiStage {
    pub fn new(meta: ResourceMeta, protocol: ApiProtocol) -> Self {
        Self {
            meta,
            protocol,
            api: Val::Absent,
            name: Val::Absent,
            access_log_destination: Val::Absent,
            tracing: Val::Absent,
            cache_cluster_enabled: Val::Absent,
            method_settings: Vec::new(),
            method_settings_unknown: None,
        }
    }
}

/// One `MethodSettings` entry (`aws_api_gateway_method_settings`, v2 `DefaultRouteSettings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodSetting {
    pub span: Span,
    /// `/*` for all resources.
    pub resource_path: Val<String>,
    /// `*` for all methods.
    pub http_method: Val<String>,
    pub caching_enabled: Val<bool>,
    pub cache_data_encrypted: Val<bool>,
    pub data_trace_enabled: Val<bool>,
    /// `OFF`, `ERROR`, `INFO`.
    pub logging_level: Val<String>,
    pub metrics_enabled: Val<bool>,
}

impl MethodSetting {
    pub fn new(span: Span) -> Self {
        Self {
            span,
            resource_path: Val::Absent,
            http_method: Val::Absent,
            caching_enabled: Val::Absent,
            cache_data_encrypted: Val::Absent,
            data_trace_enabled: Val::Absent,
            logging_level: Val::Absent,
            metrics_enabled: Val::Absent,
        }
    }
}

/// A method (REST) or route (HTTP), explicit or implied by a SAM / Serverless event. For an
/// implied route, `meta.address` is the function's and `meta.header` the event's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRoute {
    pub meta: ResourceMeta,
    pub protocol: ApiProtocol,
    pub api: Val<Ref>,
    /// `GET`, `POST`, `ANY`... (`$default` routes of HTTP APIs have method `ANY`).
    pub method: Val<String>,
    pub path: Val<String>,
    /// `NONE`, `AWS_IAM`, `CUSTOM`, `COGNITO_USER_POOLS`, `JWT`, or the name of an authorizer
    /// (SAM `Auth.Authorizer`). Absent means the API default, else none.
    pub authorization: Val<String>,
    pub authorizer: Val<Ref>,
    pub api_key_required: Val<bool>,
    /// `RequestValidatorId`, `request_validator_id` of a method declared as a resource;
    /// `None` for routes implied by function events or an OpenAPI definition, which declare
    /// validation their own way.
    pub request_validator: Option<Val<Ref>>,
}

impl ApiRoute {
    pub fn new(meta: ResourceMeta, protocol: ApiProtocol) -> Self {
        Self {
            meta,
            protocol,
            api: Val::Absent,
            method: Val::Absent,
            path: Val::Absent,
            authorization: Val::Absent,
            authorizer: Val::Absent,
            api_key_required: Val::Absent,
            request_validator: None,
        }
    }
}

/// A custom domain name (`AWS::ApiGateway::DomainName`, `AWS::ApiGatewayV2::DomainName`,
/// SAM `Domain`, `aws_api_gateway_domain_name`, `aws_apigatewayv2_domain_name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainName {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    /// `TLS_1_0` or `TLS_1_2` (absent: REST defaults to TLS 1.0 for edge-optimized names).
    pub security_policy: Val<String>,
}
