//! CloudFormation (YAML and JSON) into the cloud model. Templates with the SAM transform are
//! handed to [`crate::adapters::sam`] for their `AWS::Serverless::*` resources and Globals;
//! every other resource goes through [`map_resource`], shared with SAM and with the Serverless
//! Framework's `resources.Resources`.

mod map_api;
mod map_compute;
mod map_data;
mod map_edge;
mod map_security;
mod map_streaming;
pub mod policy;
pub mod template;
pub mod value;

use tollgate_core::{FileKind, ScanContext};
use tollgate_syntax::{Node, Span};

pub use template::Template;
pub use value::{Cv, CvKind, Props};

pub(crate) use map_api::{endpoint_type, method_settings, route_settings};
pub(crate) use map_compute::{lambda_function, state_machine};
pub(crate) use map_data::dynamo_table;

use crate::adapters::sam;
use crate::model::{CloudModel, ResourceMeta, SourceFormat, Tag};

/// The adapter: every CloudFormation and SAM template of the scan.
pub fn adapt(ctx: &ScanContext, model: &mut CloudModel) {
    let included = crate::adapters::serverless::included_templates(ctx);
    let files: Vec<_> = ctx
        .files_where(|k| matches!(k, FileKind::CloudFormation { .. } | FileKind::Sam { .. }))
        .filter(|file| !included.contains(&file.path))
        .collect();
    crate::adapters::map_templates(ctx, "cloudformation", &files, model, |file, doc, model| {
        for root in &doc.roots {
            // Each template is mapped on its own, so that a bug tripped by one hostile template
            // costs that template only: the rest of the scan is still checked.
            crate::adapters::isolated(ctx, &file.path, "CloudFormation", model, |part| {
                adapt_template(&file.path, root, SourceFormat::CloudFormation, part)
            });
        }
    });
}

/// One template (or a Serverless `resources` section, with `format` Serverless). A template
/// with the SAM transform is read as SAM whatever `format` says.
pub fn adapt_template(file: &str, root: &Node, format: SourceFormat, model: &mut CloudModel) {
    adapt_template_with(file, root, format, &[], model);
}

/// [`adapt_template`] with resources created outside the template (the Serverless
/// Framework's generated logical ids), so references to them resolve.
pub fn adapt_template_with(
    file: &str,
    root: &Node,
    format: SourceFormat,
    generated: &[(String, &str)],
    model: &mut CloudModel,
) {
    let serverless_resource = root
        .get("Resources")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .find(|e| {
            e.value
                .get("Type")
                .and_then(Node::as_str)
                .is_some_and(|t| t.starts_with("AWS::Serverless::"))
        });
    let has_transform = sam::has_transform(root);
    // `AWS::Serverless::*` resources without the transform: CloudFormation would refuse the
    // template, but what it means is plain; check it as SAM and say so.
    let missing_transform = (!has_transform).then_some(serverless_resource).flatten();
    let is_sam = has_transform || missing_transform.is_some();
    let format = if is_sam { SourceFormat::Sam } else { format };
    let mut tpl = Template::new(file, root);
    for (id, type_name) in generated {
        tpl.add_implicit(id.clone(), type_name);
    }
    if let Some(entry) = missing_transform {
        tpl.notes.push(crate::adapters::unsupported(
            file,
            entry.key_span,
            format!(
                "`{}` is a SAM resource but the template has no `Transform: {}`; it is checked \
                 as SAM, though CloudFormation would reject the template as written",
                entry.key,
                sam::TRANSFORM
            ),
        ));
    }
    let mut state = sam::SamState::default();
    if is_sam {
        sam::register_implicit(&mut tpl);
        state.globals = sam::Globals::read(root);
    }
    let mut invoke_configs = Vec::new();
    let empty = Cv::new(root.span, CvKind::Map(Vec::new()));
    for entry in root.get("Resources").map(Node::entries).unwrap_or_default() {
        let res = &entry.value;
        if let Some(cond) = res.get("Condition").and_then(Node::as_str) {
            match tpl.condition(cond) {
                Some(true) => {}
                // A resource whose condition is known false is not created.
                Some(false) => continue,
                // Whether it is created is not known: judging it could report a resource that
                // never exists, so it is left out, and the note says so.
                None => {
                    tpl.notes.push(crate::adapters::unsupported(
                        file,
                        entry.key_span,
                        format!(
                            "`{}` is not checked: it is created only when condition `{cond}` \
                             holds, which cannot be decided statically (a parameter without a \
                             default, an import or a pseudo parameter decides it)",
                            entry.key
                        ),
                    ));
                    continue;
                }
            }
        }
        let Some(type_name) = res.get("Type").and_then(Node::as_str) else {
            let what = if entry.key.starts_with("Fn::ForEach") {
                "`Fn::ForEach` resources are not expanded; the resources it makes are not checked"
            } else {
                "resource without a string `Type` is skipped"
            };
            tpl.notes
                .push(crate::adapters::unsupported(file, entry.key_span, what));
            continue;
        };
        let meta = ResourceMeta::new(&entry.key, type_name, file, entry.key_span, format);
        if is_sam && type_name.starts_with("AWS::Serverless::") {
            sam::map_resource(&mut tpl, &mut state, meta, res, model);
            continue;
        }
        let props = res.get("Properties").map(|p| tpl.eval(p));
        let props = props.as_ref().unwrap_or(&empty);
        let mut meta = meta;
        meta.tags = tags(props.get("Tags"));
        if type_name == "AWS::Lambda::EventInvokeConfig" {
            invoke_configs.push((meta, props.clone()));
            continue;
        }
        let is_method = type_name == "AWS::ApiGateway::Method";
        map_resource(meta, props, model);
        if is_method {
            // A method's path is spread over the resource tree: resolve it for messages.
            if let (Some(route), Some(id)) = (model.api_routes.last_mut(), props.get("ResourceId"))
            {
                if let Some(path) = map_api::rest_path(&mut tpl, id) {
                    route.path = crate::model::Val::known(path, id.span);
                }
            }
        }
    }
    // Event invoke configs join their function, wherever it was declared in the template.
    for (meta, props) in invoke_configs {
        map_compute::event_invoke_config(&meta, &props, model);
    }
    if is_sam {
        sam::finish(&mut tpl, &state, file, model);
    }
    // The same construct may be evaluated twice (a method's path walks resources evaluated
    // on their own too): say it once.
    let mut seen = std::collections::HashSet::new();
    tpl.notes.retain(|n| seen.insert(n.message.clone()));
    model.notifications.append(&mut tpl.notes);
}

/// Map one evaluated resource of a type the model knows; other types are left out.
pub fn map_resource(meta: ResourceMeta, p: &Cv, model: &mut CloudModel) {
    match meta.type_name.as_str() {
        "AWS::Lambda::Function" => model.lambdas.push(map_compute::lambda_function(meta, p)),
        "AWS::Lambda::Url" => model.function_urls.push(map_compute::function_url(meta, p)),
        "AWS::Lambda::Permission" => model
            .lambda_permissions
            .push(map_compute::lambda_permission(meta, p)),
        "AWS::Lambda::EventInvokeConfig" => map_compute::event_invoke_config(&meta, p, model),
        "AWS::StepFunctions::StateMachine" => model
            .state_machines
            .push(map_compute::state_machine(meta, p)),
        "AWS::ApiGateway::RestApi" | "AWS::ApiGatewayV2::Api" => {
            map_api::api_with_definition(meta, p, model)
        }
        "AWS::ApiGateway::Stage" => model.api_stages.push(map_api::rest_stage(meta, p)),
        "AWS::ApiGatewayV2::Stage" => model.api_stages.push(map_api::v2_stage(meta, p)),
        "AWS::ApiGateway::Method" => model.api_routes.push(map_api::rest_method(meta, p)),
        "AWS::ApiGateway::Deployment" => {
            model.api_stages.extend(map_api::deployment_stage(meta, p))
        }
        "AWS::ApiGatewayV2::Route" => model.api_routes.push(map_api::v2_route(meta, p)),
        "AWS::ApiGateway::DomainName" | "AWS::ApiGatewayV2::DomainName" => {
            model.domain_names.push(map_api::domain_name(meta, p))
        }
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => {
            model.dynamo_tables.push(map_data::dynamo_table(meta, p))
        }
        "AWS::DAX::Cluster" => model.dax_clusters.push(map_data::dax_cluster(meta, p)),
        "AWS::S3::Bucket" => model.buckets.push(map_data::bucket(meta, p)),
        "AWS::S3::BucketPolicy" => {
            let mut policy = map_data::resource_policy(meta, p, "Bucket");
            // `Bucket` is one bucket; accept a list too rather than lose the target.
            if policy.targets.is_empty() {
                policy.targets = p.get("Buckets").map(Cv::to_ref_list).unwrap_or_default();
            }
            model.bucket_policies.push(policy)
        }
        "AWS::SQS::Queue" => model.queues.push(map_security::queue(meta, p)),
        "AWS::SQS::QueuePolicy" => model
            .queue_policies
            .push(map_data::resource_policy(meta, p, "Queues")),
        "AWS::SNS::Topic" => model.topics.push(map_security::topic(meta, p)),
        "AWS::SNS::TopicPolicy" => model
            .topic_policies
            .push(map_data::resource_policy(meta, p, "Topics")),
        "AWS::Scheduler::Schedule" => model.schedules.push(map_security::schedule(meta, p)),
        "AWS::KMS::Key" => model.kms_keys.push(map_security::kms_key(meta, p)),
        "AWS::SecretsManager::Secret" => model.secrets.push(map_security::secret(meta, p)),
        "AWS::SecretsManager::RotationSchedule" => model
            .rotation_schedules
            .push(map_security::rotation_schedule(meta, p)),
        "AWS::SSM::Parameter" => model
            .ssm_parameters
            .push(map_security::ssm_parameter(meta, p)),
        "AWS::SSM::Document" => model
            .ssm_documents
            .push(map_security::ssm_document(meta, p)),
        "AWS::Logs::LogGroup" => model.log_groups.push(map_security::log_group(meta, p)),
        "AWS::CloudTrail::Trail" => model.trails.push(map_security::trail(meta, p)),
        "AWS::CloudTrail::EventDataStore" => model
            .event_data_stores
            .push(map_security::event_data_store(meta, p)),
        "AWS::IAM::Role" => model.iam_roles.push(map_security::role(meta, p)),
        "AWS::IAM::User" => model.iam_users.push(map_security::user(meta, p)),
        "AWS::IAM::AccessKey" => model
            .iam_access_keys
            .push(map_security::access_key(meta, p)),
        "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
            model.iam_policies.push(map_security::policy(meta, p))
        }
        "AWS::Kinesis::Stream" => model
            .kinesis_streams
            .push(map_streaming::kinesis_stream(meta, p)),
        "AWS::KinesisFirehose::DeliveryStream" => model
            .delivery_streams
            .push(map_streaming::delivery_stream(meta, p)),
        "AWS::ECR::Repository" => map_streaming::ecr_repository(meta, p, model),
        "AWS::CloudFront::Distribution" => {
            model.distributions.push(map_edge::distribution(meta, p))
        }
        "AWS::CloudFront::ResponseHeadersPolicy" => model
            .response_headers_policies
            .push(map_edge::response_headers_policy(meta, p)),
        "AWS::WAFv2::WebACL" => model.web_acls.push(map_edge::web_acl(meta, p)),
        "AWS::WAFv2::LoggingConfiguration" => {
            model.waf_logging.push(map_edge::waf_logging(meta, p))
        }
        "AWS::WAFv2::WebACLAssociation" | "AWS::WAFRegional::WebACLAssociation" => model
            .waf_associations
            .push(map_edge::waf_association(meta, p)),
        "AWS::AppSync::GraphQLApi" => model.graphql_apis.push(map_edge::graphql_api(meta, p)),
        "AWS::AppSync::ApiCache" => model.appsync_caches.push(map_edge::appsync_cache(meta, p)),
        "AWS::Cognito::IdentityPool" => model.identity_pools.push(map_edge::identity_pool(meta, p)),
        _ => {}
    }
}

/// Tags written as CloudFormation's `[{Key, Value}]` list or SAM's `{key: value}` map.
pub fn tags(v: Option<&Cv>) -> Vec<Tag> {
    let Some(v) = v else { return Vec::new() };
    match &v.kind {
        CvKind::List(items) => items
            .iter()
            .filter_map(|item| {
                let key = item.get("Key")?;
                Some(Tag {
                    key: key.text()?,
                    key_span: key.span,
                    value: item.str_at(&["Value"]),
                })
            })
            .collect(),
        CvKind::Map(entries) => entries
            .iter()
            .map(|(key, key_span, value)| Tag {
                key: key.clone(),
                key_span: *key_span,
                value: value.to_str(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The span of a node's key inside `parent`, or the parent's span.
pub(crate) fn key_span(parent: &Node, key: &str) -> Span {
    parent.entry(key).map_or(parent.span, |e| e.key_span)
}
