//! `AWS::Serverless::Api` and `AWS::Serverless::HttpApi` (declared, or implicit from function
//! events): the API, its stage and custom domain.

use crate::adapters::cloudformation::{
    endpoint_type, method_settings, route_settings, Cv, Props, Template,
};
use crate::adapters::{openapi, unsupported};
use crate::model::{Api, ApiProtocol, ApiStage, CloudModel, DomainName, Ref, ResourceMeta, Val};

/// Map an API with its evaluated properties (Globals applied).
pub fn api(
    tpl: &mut Template,
    meta: ResourceMeta,
    p: &Cv,
    protocol: ApiProtocol,
    model: &mut CloudModel,
) {
    let mut api = Api::new(meta.clone(), protocol);
    api.name = p.str_at(&["Name"]);
    api.default_authorizer = p.str_at(&["Auth", "DefaultAuthorizer"]);
    api.api_key_required = p.bool_at(&["Auth", "ApiKeyRequired"]);
    api.disable_execute_api_endpoint = p.bool_at(&["DisableExecuteApiEndpoint"]);
    if protocol == ApiProtocol::Rest {
        api.endpoint_type = endpoint_type(p.get("EndpointConfiguration"));
        api.source_vpcs = resource_policy_vpcs(p.path(&["Auth", "ResourcePolicy"]));
    }
    const NOT_ANALYSED: &str =
        "routes defined in an OpenAPI definition are not analysed; only routes from function events are";
    if let Some(body) = p.get("DefinitionBody").filter(|b| !b.is_nothing()) {
        // Operations without `security` get the API's `Auth.DefaultAuthorizer` in
        // `sam::finish`, as event routes do.
        tpl.notes.extend(openapi::add_routes(
            body,
            &meta,
            protocol,
            NOT_ANALYSED,
            model,
        ));
    } else if let Some(uri) = p.get("DefinitionUri").filter(|u| !u.is_nothing()) {
        tpl.notes
            .push(unsupported(&meta.file, uri.span, NOT_ANALYSED));
    }

    let mut stage = ApiStage::new(meta.clone(), protocol);
    stage.api = Val::known(
        Ref::resource(meta.address.clone(), None, Some(meta.type_name.clone())),
        meta.header,
    );
    match protocol {
        ApiProtocol::Rest => {
            stage.name = p.str_at(&["StageName"]);
            stage.access_log_destination = p.ref_at(&["AccessLogSetting", "DestinationArn"]);
            stage.tracing = p.bool_at(&["TracingEnabled"]);
            stage.cache_cluster_enabled = p.bool_at(&["CacheClusterEnabled"]);
            (stage.method_settings, stage.method_settings_unknown) =
                method_settings(p.get("MethodSettings"));
        }
        _ => {
            stage.name = p.str_at(&["StageName"]);
            stage.access_log_destination = p.ref_at(&["AccessLogSettings", "DestinationArn"]);
            if let Some(d) = p.get("DefaultRouteSettings") {
                stage.method_settings.push(route_settings(d));
            }
        }
    }
    if let Some(domain) = p.get("Domain").filter(|d| !d.is_nothing()) {
        let mut dmeta = meta.clone();
        dmeta.header = domain.span;
        model.domain_names.push(DomainName {
            meta: dmeta,
            name: domain.str_at(&["DomainName"]),
            security_policy: domain.str_at(&["SecurityPolicy"]),
        });
    }
    model.apis.push(api);
    model.api_stages.push(stage);
}

/// The VPCs and VPC endpoints of SAM's `Auth.ResourcePolicy` allow lists (`SourceVpcWhitelist`,
/// `IntrinsicVpcWhitelist`, `IntrinsicVpceWhitelist`) and of its `CustomStatements`: SAM writes
/// them into the API's resource policy as `aws:SourceVpc` / `aws:SourceVpce` conditions.
fn resource_policy_vpcs(policy: Option<&Cv>) -> Vec<String> {
    let Some(policy) = policy else {
        return Vec::new();
    };
    let mut out: Vec<String> = [
        "SourceVpcWhitelist",
        "IntrinsicVpcWhitelist",
        "IntrinsicVpceWhitelist",
    ]
    .iter()
    .filter_map(|k| policy.get(k))
    .flat_map(|list| list.items().iter().filter_map(Cv::text))
    .collect();
    if let Some(custom) = policy.get("CustomStatements") {
        let doc = Cv::new(
            custom.span,
            crate::adapters::cloudformation::CvKind::Map(vec![(
                "Statement".into(),
                custom.span,
                custom.clone(),
            )]),
        );
        if let Some(doc) = crate::adapters::cloudformation::policy::policy_document("", &doc).get()
        {
            out.extend(crate::model::source_vpcs(doc));
        }
    }
    out.sort();
    out.dedup();
    out
}
