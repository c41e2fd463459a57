//! AWS SAM: the `AWS::Serverless-2016-10-31` transform. `Globals` are merged into each
//! resource, and the resources SAM creates implicitly (function roles from `Policies`, APIs
//! from `Api`/`HttpApi` events, function URLs) are added with spans on what the user wrote.
//! Plain CloudFormation resources of a SAM template go through the CloudFormation adapter.

mod api;
mod function;
mod globals;
mod graphql;
mod policy_templates;
mod role;

use tollgate_syntax::{Node, Span, Value};

pub use globals::{merge, Globals};
pub use policy_templates::expand as expand_policy_template;

use crate::adapters::cloudformation::{dynamo_table, state_machine, tags, Cv, CvKind, Template};
use crate::model::{ApiProtocol, CloudModel, ResourceMeta, SourceFormat, Val};

/// The logical id SAM gives the REST API it creates for `Api` events without `RestApiId`.
pub const IMPLICIT_REST_API: &str = "ServerlessRestApi";
/// The logical id SAM gives the HTTP API it creates for `HttpApi` events without `ApiId`.
pub const IMPLICIT_HTTP_API: &str = "ServerlessHttpApi";

pub(crate) const TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// What a SAM template accumulates while its resources are mapped.
#[derive(Debug, Default)]
pub struct SamState {
    pub globals: Globals,
    /// The first event that implies the implicit REST / HTTP API.
    pub implicit_rest: Option<Span>,
    pub implicit_http: Option<Span>,
}

/// Whether the template declares the SAM transform (alone or in a list).
pub fn has_transform(root: &Node) -> bool {
    match root.get("Transform").map(|t| &t.value) {
        Some(Value::String(s)) => s == TRANSFORM,
        Some(Value::Seq(items)) => items.iter().any(|i| i.as_str() == Some(TRANSFORM)),
        _ => false,
    }
}

/// Make references to SAM's implicit resources resolve like declared ones.
pub fn register_implicit(tpl: &mut Template) {
    let root = tpl.root();
    for entry in root.get("Resources").map(Node::entries).unwrap_or_default() {
        let t = entry.value.get("Type").and_then(Node::as_str);
        let props = entry.value.get("Properties");
        let has = |k: &str| props.and_then(|p| p.get(k)).is_some();
        if matches!(
            t,
            Some("AWS::Serverless::Function" | "AWS::Serverless::StateMachine")
        ) && !has("Role")
        {
            tpl.add_implicit(format!("{}Role", entry.key), "AWS::IAM::Role");
        }
        if t == Some("AWS::Serverless::Function") && has("FunctionUrlConfig") {
            tpl.add_implicit(format!("{}Url", entry.key), "AWS::Lambda::Url");
        }
    }
    // What SAM generates and templates refer to: `!Ref Fn.Alias` / `Fn.Version` with
    // `AutoPublishAlias`, `!Ref Api.Stage` / `Api.Deployment`, the implicit API's stage.
    for entry in root.get("Resources").map(Node::entries).unwrap_or_default() {
        let t = entry.value.get("Type").and_then(Node::as_str);
        let id = &entry.key;
        match t {
            Some("AWS::Serverless::Function") => {
                tpl.add_implicit(format!("{id}.Alias"), "AWS::Lambda::Alias");
                tpl.add_implicit(format!("{id}.Version"), "AWS::Lambda::Version");
            }
            Some("AWS::Serverless::Api") => {
                tpl.add_implicit(format!("{id}.Stage"), "AWS::ApiGateway::Stage");
                tpl.add_implicit(format!("{id}.Deployment"), "AWS::ApiGateway::Deployment");
            }
            Some("AWS::Serverless::HttpApi") => {
                tpl.add_implicit(format!("{id}.Stage"), "AWS::ApiGatewayV2::Stage");
            }
            _ => {}
        }
    }
    tpl.add_implicit(
        format!("{IMPLICIT_REST_API}ProdStage"),
        "AWS::ApiGateway::Stage",
    );
    tpl.add_implicit(
        format!("{IMPLICIT_REST_API}Deployment"),
        "AWS::ApiGateway::Deployment",
    );
    tpl.add_implicit(
        format!("{IMPLICIT_HTTP_API}ApiGatewayDefaultStage"),
        "AWS::ApiGatewayV2::Stage",
    );
    tpl.add_implicit(IMPLICIT_REST_API.to_string(), "AWS::Serverless::Api");
    tpl.add_implicit(IMPLICIT_HTTP_API.to_string(), "AWS::Serverless::HttpApi");
}

/// Map one `AWS::Serverless::*` resource.
pub fn map_resource(
    tpl: &mut Template,
    state: &mut SamState,
    mut meta: ResourceMeta,
    node: &Node,
    model: &mut CloudModel,
) {
    let merged = merge(
        state.globals.for_type(&meta.type_name),
        node.get("Properties"),
    );
    let p = match &merged {
        Some(n) => tpl.eval(n),
        None => Cv::new(node.span, CvKind::Map(Vec::new())),
    };
    meta.tags = tags(p.get("Tags"));
    match meta.type_name.as_str() {
        "AWS::Serverless::Function" => function::function(tpl, state, meta, node, &p, model),
        "AWS::Serverless::Api" => api::api(tpl, meta, &p, ApiProtocol::Rest, model),
        "AWS::Serverless::HttpApi" => api::api(tpl, meta, &p, ApiProtocol::Http, model),
        "AWS::Serverless::SimpleTable" => model.dynamo_tables.push(dynamo_table(meta, &p)),
        "AWS::Serverless::GraphQLApi" => graphql::graphql_api(meta, &p, model),
        "AWS::Serverless::StateMachine" => {
            let mut sm = state_machine(meta, &p);
            if sm.role.is_absent() {
                let anchor = node
                    .get("Properties")
                    .and_then(|n| n.entry("Policies"))
                    .map_or(sm.meta.header, |e| e.key_span);
                let role = role::implicit_role(
                    tpl,
                    &sm.meta,
                    "states.amazonaws.com",
                    &[],
                    p.get("Policies"),
                    anchor,
                );
                sm.role = Val::known(
                    crate::model::Ref::resource(
                        role.meta.address.clone(),
                        Some("Arn".into()),
                        Some(role.meta.type_name.clone()),
                    ),
                    anchor,
                );
                model.iam_roles.push(role);
            }
            model.state_machines.push(sm);
        }
        // Layers, applications, connectors: nothing the model holds.
        _ => {}
    }
}

/// After all resources: create the implicit APIs (with `Globals.Api`/`Globals.HttpApi`) and
/// give routes without their own `Auth.Authorizer` / `ApiKeyRequired` their API's defaults.
pub fn finish(tpl: &mut Template, state: &SamState, file: &str, model: &mut CloudModel) {
    let implicit = [
        (
            state.implicit_rest,
            IMPLICIT_REST_API,
            "AWS::Serverless::Api",
            ApiProtocol::Rest,
        ),
        (
            state.implicit_http,
            IMPLICIT_HTTP_API,
            "AWS::Serverless::HttpApi",
            ApiProtocol::Http,
        ),
    ];
    for (first_event, id, type_name, protocol) in implicit {
        let Some(span) = first_event else { continue };
        if model
            .apis
            .iter()
            .any(|a| a.meta.file == file && a.meta.address == id)
        {
            continue;
        }
        let meta = ResourceMeta::new(id, type_name, file, span, SourceFormat::Sam);
        let globals = state.globals.for_type(type_name).cloned();
        let p = match &globals {
            Some(g) => tpl.eval(g),
            None => Cv::new(span, CvKind::Map(Vec::new())),
        };
        api::api(tpl, meta, &p, protocol, model);
        // SAM names the implicit REST API's stage `Prod`; HTTP APIs deploy to `$default`.
        if let Some(stage) = model.api_stages.last_mut().filter(|s| s.name.is_absent()) {
            let name = match protocol {
                ApiProtocol::Rest => "Prod",
                _ => "$default",
            };
            stage.name = Val::known(name.to_string(), span);
        }
    }
    merge_event_routes(file, model);
    let defaults: Vec<(String, Val<String>, Val<bool>)> = model
        .apis
        .iter()
        .filter(|a| a.meta.file == file)
        .map(|a| {
            (
                a.meta.address.clone(),
                a.default_authorizer.clone(),
                a.api_key_required.clone(),
            )
        })
        .collect();
    for route in model
        .api_routes
        .iter_mut()
        .filter(|r| r.meta.file == file && r.meta.format == SourceFormat::Sam)
    {
        let Some(api) = route
            .api
            .get()
            .and_then(|r| r.address().map(str::to_string))
        else {
            continue;
        };
        if let Some((_, authorizer, key)) = defaults.iter().find(|(a, _, _)| *a == api) {
            route.authorization = route.authorization.clone().or(authorizer.clone());
            route.api_key_required = route.api_key_required.clone().or(key.clone());
        }
    }
}

/// A function's `Api` event and the API's `DefinitionBody` describing the same method and
/// path are one route: SAM writes the event into that operation of the definition. The
/// definition's route stays (it is what API Gateway imports), with the event's authorization
/// when the event sets one, and the event's route is dropped.
fn merge_event_routes(file: &str, model: &mut CloudModel) {
    let key = |r: &crate::model::ApiRoute| -> Option<(String, String, String)> {
        let api = r.api.get()?.address()?.to_string();
        let method = r.method.as_str()?.to_ascii_uppercase();
        let path = r.path.as_str()?.trim_end_matches('/').to_string();
        Some((api, method, path))
    };
    let is_event = |r: &crate::model::ApiRoute| r.meta.type_name == "AWS::Serverless::Function";
    let in_file =
        |r: &crate::model::ApiRoute| r.meta.file == file && r.meta.format == SourceFormat::Sam;
    let mut drop = Vec::new();
    for (i, event) in model.api_routes.iter().enumerate() {
        if !(in_file(event) && is_event(event)) {
            continue;
        }
        let Some(k) = key(event) else { continue };
        let definition = model.api_routes.iter().position(|r| {
            in_file(r)
                && !is_event(r)
                && r.meta.type_name.starts_with("AWS::Serverless::")
                && key(r).as_ref() == Some(&k)
        });
        if let Some(j) = definition {
            drop.push((i, j));
        }
    }
    for &(i, j) in &drop {
        let event = model.api_routes[i].clone();
        let kept = &mut model.api_routes[j];
        if event.authorization.is_present() {
            kept.authorization = event.authorization;
        }
        if event.authorizer.is_present() {
            kept.authorizer = event.authorizer;
        }
        if event.api_key_required.is_present() {
            kept.api_key_required = event.api_key_required;
        }
    }
    let mut index = 0;
    model.api_routes.retain(|_| {
        index += 1;
        !drop.iter().any(|&(i, _)| i == index - 1)
    });
}
