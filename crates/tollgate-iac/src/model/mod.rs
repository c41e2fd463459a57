//! The typed cloud model every IaC format is turned into. Rules are written once against it;
//! the permissions and policy stages read it too (through [`model`], memoized per scan).
//!
//! Every value is a [`Val`]: known with the span it was written at, unknown (not decidable
//! statically: rules must not report on it as if it were bad), or absent (the service default
//! applies; findings then point at [`ResourceMeta::header`]).

mod apigateway;
mod arn;
mod data;
mod edge;
mod iam;
mod lambda;
mod logging;
mod lookup;
mod messaging;
mod meta;
mod policy;
mod principal;
mod security;
mod stepfunctions;
mod streaming;
mod units;
#[cfg(test)]
mod units_tests;
mod val;

use std::collections::BTreeSet;
use std::sync::Arc;

use tollgate_core::{Notification, ScanContext};

pub use apigateway::{
    source_vpcs, Api, ApiDeployment, ApiProtocol, ApiRoute, ApiStage, DomainName, MethodSetting,
};
pub use arn::{split_arn, ArnParts};
pub use data::{
    AclGrant, DaxCluster, DynamoReplica, DynamoTable, Lifecycle, ObjectOwnership,
    PublicAccessBlock, S3Bucket, S3Object, TableReplica,
};
pub use edge::{
    AppsyncCache, Distribution, GraphQlApi, Hsts, IdentityPool, ManagedRuleGroup, Origin,
    OriginGroup, ResponseHeadersPolicy, ViewerCertificate, WafAssociation, WafLogging, WebAcl,
};
pub use iam::{
    IamAccessKey, IamPolicy, IamRole, IamUser, PasswordPolicy, PolicyDocumentSource,
    UserPolicyAttachment,
};
pub use lambda::{EnvVar, FunctionUrl, LambdaFunction, LambdaPermission, VpcConfig};
pub use logging::{EventDataStore, LogGroup, Trail};
pub use lookup::Lookups;
pub use messaging::{Queue, ResourcePolicy, Schedule, Topic};
pub use meta::{
    Classification, DataClass, ResourceMeta, SourceFormat, Tag, DEFAULT_CLASSIFICATION_KEY,
};
pub use policy::{
    action_matches, wildcard_matches, Condition, Effect, NamedPolicy, PolicyDocument, Principal,
    Statement,
};
pub use principal::{
    binding_of, bound_by, classify, classify_value, names_whole_account, unrelated_conditions,
    who_conditions, Binding, PrincipalClass, ANY_BINDING,
};
pub use security::{
    non_empty, KmsKey, RotationSchedule, Secret, SessionInputs, SsmDocument, SsmParameter,
};
pub use stepfunctions::StateMachine;
pub use streaming::{DeliveryStream, EcrRepository, KinesisStream};
pub(crate) use units::head_model;
pub use units::{Marks, Units};
pub use val::{is_aws_managed_alias, Ref, Val};

/// Every resource of every template of the scan, plus what the adapters had to say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CloudModel {
    pub lambdas: Vec<LambdaFunction>,
    pub function_urls: Vec<FunctionUrl>,
    pub lambda_permissions: Vec<LambdaPermission>,
    pub apis: Vec<Api>,
    pub api_stages: Vec<ApiStage>,
    pub api_routes: Vec<ApiRoute>,
    pub domain_names: Vec<DomainName>,
    pub dynamo_tables: Vec<DynamoTable>,
    pub dynamo_replicas: Vec<DynamoReplica>,
    pub dax_clusters: Vec<DaxCluster>,
    pub buckets: Vec<S3Bucket>,
    pub bucket_policies: Vec<ResourcePolicy>,
    pub s3_objects: Vec<S3Object>,
    pub queues: Vec<Queue>,
    pub queue_policies: Vec<ResourcePolicy>,
    pub topics: Vec<Topic>,
    pub topic_policies: Vec<ResourcePolicy>,
    pub schedules: Vec<Schedule>,
    pub kms_keys: Vec<KmsKey>,
    pub secrets: Vec<Secret>,
    pub rotation_schedules: Vec<RotationSchedule>,
    pub ssm_parameters: Vec<SsmParameter>,
    pub ssm_documents: Vec<SsmDocument>,
    pub log_groups: Vec<LogGroup>,
    pub trails: Vec<Trail>,
    pub event_data_stores: Vec<EventDataStore>,
    pub state_machines: Vec<StateMachine>,
    pub iam_roles: Vec<IamRole>,
    pub iam_policies: Vec<IamPolicy>,
    pub iam_users: Vec<IamUser>,
    pub iam_access_keys: Vec<IamAccessKey>,
    pub user_policy_attachments: Vec<UserPolicyAttachment>,
    pub policy_documents: Vec<PolicyDocumentSource>,
    pub api_deployments: Vec<ApiDeployment>,
    pub password_policies: Vec<PasswordPolicy>,
    pub kinesis_streams: Vec<KinesisStream>,
    pub delivery_streams: Vec<DeliveryStream>,
    pub ecr_repositories: Vec<EcrRepository>,
    pub repository_policies: Vec<ResourcePolicy>,
    pub distributions: Vec<Distribution>,
    pub response_headers_policies: Vec<ResponseHeadersPolicy>,
    pub web_acls: Vec<WebAcl>,
    pub graphql_apis: Vec<GraphQlApi>,
    pub appsync_caches: Vec<AppsyncCache>,
    pub identity_pools: Vec<IdentityPool>,
    pub waf_associations: Vec<WafAssociation>,
    pub waf_logging: Vec<WafLogging>,
    /// Parse errors (`parse-error`, warning) and constructs the adapters did not understand
    /// (`unsupported-construct`, note), each with file and line.
    pub notifications: Vec<Notification>,
    /// Template files an adapter got to (checked, or reported as unparsable).
    pub reached: BTreeSet<String>,
    /// Template files no adapter got to because the scan was cancelled (its `stage-timeout`
    /// passed); empty when the model is complete.
    pub not_checked: Vec<String>,
    /// Indexes for resolving references to APIs and roles, built on first use once the model
    /// is complete.
    pub lookups: Lookups,
    /// The units the model was built from, when the scan is kept for reuse.
    pub units: Units,
}

/// Build the model from every template of the scan. Prefer [`model`], which builds it once.
pub fn build_model(ctx: &ScanContext) -> CloudModel {
    build_model_with(ctx, DEFAULT_CLASSIFICATION_KEY)
}

/// [`build_model`] with a configured data-classification tag key.
pub fn build_model_with(ctx: &ScanContext, classification_key: &str) -> CloudModel {
    let mut model = CloudModel::default();
    // Every template is parsed up front on all cores; the adapters then find them cached.
    ctx.parse_all(tollgate_core::FileKind::is_template);
    // After a cancel (the stage ran out of time) each adapter still maps the files already
    // parsed, which is quick, so their results are reported; it parses nothing more.
    for adapter in crate::adapters::ALL {
        adapter(ctx, &mut model);
    }
    if ctx.is_cancelled() {
        model.not_checked = ctx
            .files_where(crate::adapters::adapted)
            .filter(|f| !model.reached.contains(&f.path))
            .map(|f| f.path.clone())
            .collect();
    }
    model.classify(classification_key);
    for p in &mut model.lambda_permissions {
        p.policy = Val::known(p.policy_document(), p.meta.header);
    }
    model
}

/// The scan's cloud model, built on first use and shared by every stage that asks. Resources
/// are classified by the tag key configured in `[stage.iac] classification-key`.
pub fn model(ctx: &ScanContext) -> Arc<CloudModel> {
    ctx.memo(|ctx| {
        let key = ctx.config().stage.iac.classification_key.as_deref();
        build_model_with(ctx, key.unwrap_or(DEFAULT_CLASSIFICATION_KEY))
    })
}

/// Calls `$mac!` with the name of every resource list of [`CloudModel`], so that code which
/// must visit each list is written once.
macro_rules! resource_lists {
    ($mac:ident) => {
        $mac!(
            lambdas,
            function_urls,
            lambda_permissions,
            apis,
            api_stages,
            api_routes,
            domain_names,
            dynamo_tables,
            dynamo_replicas,
            dax_clusters,
            buckets,
            bucket_policies,
            s3_objects,
            queues,
            queue_policies,
            topics,
            topic_policies,
            schedules,
            kms_keys,
            secrets,
            rotation_schedules,
            ssm_parameters,
            ssm_documents,
            log_groups,
            trails,
            event_data_stores,
            state_machines,
            iam_roles,
            iam_policies,
            iam_users,
            iam_access_keys,
            user_policy_attachments,
            policy_documents,
            api_deployments,
            password_policies,
            kinesis_streams,
            delivery_streams,
            ecr_repositories,
            repository_policies,
            distributions,
            response_headers_policies,
            web_acls,
            graphql_apis,
            appsync_caches,
            identity_pools,
            waf_associations,
            waf_logging
        )
    };
}

impl CloudModel {
    /// Every resource's metadata, in model order.
    pub fn resources(&self) -> Vec<&ResourceMeta> {
        let mut out = Vec::new();
        macro_rules! collect {
            ($($list:ident),*) => {$(out.extend(self.$list.iter().map(|r| &r.meta));)*};
        }
        resource_lists!(collect);
        out
    }

    /// Set every resource's classification from its tags.
    pub fn classify(&mut self, key: &str) {
        macro_rules! classify {
            ($($list:ident),*) => {$(for r in &mut self.$list { r.meta.classify(key); })*};
        }
        resource_lists!(classify);
    }

    /// Make room for every list of `parts` at once, before they are appended one by one:
    /// joining thousands of per-file parts otherwise grows, and copies, each list again and
    /// again.
    pub fn reserve_for(&mut self, parts: &[&CloudModel]) {
        macro_rules! reserve {
            ($($list:ident),*) => {$(
                self.$list.reserve(parts.iter().map(|p| p.$list.len()).sum());
            )*};
        }
        resource_lists!(reserve);
        self.notifications
            .reserve(parts.iter().map(|p| p.notifications.len()).sum());
    }

    /// How many entries each list holds now: where the next part appended begins.
    pub fn marks(&self) -> Marks {
        let mut out = Vec::new();
        macro_rules! count {
            ($($list:ident),*) => {$(out.push(self.$list.len());)*};
        }
        resource_lists!(count);
        out.push(self.notifications.len());
        Marks(out)
    }

    /// Append copies of `source`'s entries from `from` up to `to` ([`CloudModel::marks`]
    /// taken before and after a part was appended to it): that part again.
    pub fn extend_from(&mut self, source: &CloudModel, from: &Marks, to: &Marks) {
        let mut i = 0;
        macro_rules! copy {
            ($($list:ident),*) => {$(
                self.$list.extend_from_slice(&source.$list[from.0[i]..to.0[i]]);
                i += 1;
            )*};
        }
        resource_lists!(copy);
        self.notifications
            .extend_from_slice(&source.notifications[from.0[i]..to.0[i]]);
        self.lookups = Lookups::default();
    }

    /// A model of the resources of `self` outside `spans` (each from the marks before a part
    /// to those after it, as [`CloudModel::marks`] took them), in order: the model without
    /// those parts. Notifications and what was reached are not copied. `None` when the spans
    /// overlap or reach past the lists.
    pub(crate) fn without(&self, spans: &[(Marks, Marks)]) -> Option<CloudModel> {
        let mut spans: Vec<&(Marks, Marks)> = spans.iter().collect();
        // Parts are appended one after the other, so their marks grow together.
        spans.sort_by(|a, b| a.0 .0.cmp(&b.0 .0));
        let ends = self.marks();
        let mut at = vec![0; ends.0.len()];
        for (from, to) in &spans {
            for (i, end) in ends.0.iter().enumerate() {
                if !(at[i] <= from.0[i] && from.0[i] <= to.0[i] && to.0[i] <= *end) {
                    return None;
                }
                at[i] = to.0[i];
            }
        }
        let mut out = CloudModel::default();
        let mut i = 0;
        macro_rules! copy {
            ($($list:ident),*) => {$(
                let mut at = 0;
                for (from, to) in &spans {
                    out.$list.extend_from_slice(&self.$list[at..from.0[i]]);
                    at = to.0[i];
                }
                out.$list.extend_from_slice(&self.$list[at..]);
                i += 1;
            )*};
        }
        resource_lists!(copy);
        let _ = i;
        Some(out)
    }

    /// One model per resource, holding that resource alone, list by list in model order.
    #[cfg(test)]
    pub(crate) fn singletons(&self) -> Vec<CloudModel> {
        let mut out = Vec::new();
        macro_rules! split {
            ($($list:ident),*) => {$(
                for r in &self.$list {
                    let mut one = CloudModel::default();
                    one.$list.push(r.clone());
                    out.push(one);
                }
            )*};
        }
        resource_lists!(split);
        out
    }

    /// Move everything of `other` (one file's part, built in isolation) into this model.
    pub fn append(&mut self, mut other: CloudModel) {
        // Into an empty list without room for it the other's list moves as it is:
        // `Vec::append` would copy it into a new allocation, and each file's part is appended
        // so into its unit's empty part.
        fn join<T>(into: &mut Vec<T>, from: &mut Vec<T>) {
            if into.is_empty() && into.capacity() < from.len() {
                std::mem::swap(into, from);
            } else {
                into.append(from);
            }
        }
        macro_rules! append {
            ($($list:ident),*) => {$(join(&mut self.$list, &mut other.$list);)*};
        }
        resource_lists!(append);
        join(&mut self.notifications, &mut other.notifications);
        // `BTreeSet::append` rebuilds the whole set, which made joining one part per file
        // quadratic in the number of files; inserting the part's few paths is not.
        if self.reached.is_empty() {
            self.reached = other.reached;
        } else {
            self.reached.extend(other.reached);
        }
        join(&mut self.not_checked, &mut other.not_checked);
        self.lookups = Lookups::default();
    }

    /// [`CloudModel::append`] every part in order, each resource list filled on a thread of its
    /// own: on a large scan the parts hold hundreds of MiB of resources, and copying them in
    /// one thread left the other cores idle. The model is the same as appending the parts
    /// one by one.
    pub fn append_all(&mut self, mut parts: Vec<CloudModel>) {
        rayon::scope(|scope| {
            macro_rules! append_lists {
                ($($list:ident),*) => {$(
                    let into = &mut self.$list;
                    let lists: Vec<_> =
                        parts.iter_mut().map(|p| std::mem::take(&mut p.$list)).collect();
                    if lists.iter().any(|l| !l.is_empty()) {
                        scope.spawn(move |_| {
                            into.reserve(lists.iter().map(Vec::len).sum());
                            for mut list in lists {
                                into.append(&mut list);
                            }
                        });
                    }
                )*};
            }
            resource_lists!(append_lists);
        });
        self.notifications
            .reserve(parts.iter().map(|p| p.notifications.len()).sum());
        for part in parts {
            self.append(part);
        }
    }

    /// Whether `reference`, written in `from`, points at the resource `target` (whose name, if
    /// it has one, is `target_name`). Addresses are scoped as [`ResourceMeta::same_scope`]
    /// says; literals match the target's known name.
    pub fn points_at(
        from: &ResourceMeta,
        reference: &Val<Ref>,
        target: &ResourceMeta,
        target_name: &Val<String>,
    ) -> bool {
        match reference.get() {
            Some(Ref::Resource { address, .. }) => {
                address == &target.address && from.same_scope(target)
            }
            Some(Ref::Literal(text)) => target_name.as_str().is_some_and(|name| {
                // A name, or an ARN ending in it (`...:queue-name`, `...:role/name`).
                text == name
                    || text
                        .strip_suffix(name)
                        .is_some_and(|rest| rest.ends_with([':', '/']))
            }),
            None => false,
        }
    }

    /// Bucket policies that apply to `bucket`.
    pub fn policies_of_bucket<'a>(
        &'a self,
        bucket: &'a S3Bucket,
    ) -> impl Iterator<Item = &'a ResourcePolicy> + 'a {
        Self::attached(&self.bucket_policies, &bucket.meta, &bucket.name)
    }

    /// Queue policies that apply to `queue`.
    pub fn policies_of_queue<'a>(
        &'a self,
        queue: &'a Queue,
    ) -> impl Iterator<Item = &'a ResourcePolicy> + 'a {
        Self::attached(&self.queue_policies, &queue.meta, &queue.name)
    }

    /// Topic policies that apply to `topic`.
    pub fn policies_of_topic<'a>(
        &'a self,
        topic: &'a Topic,
    ) -> impl Iterator<Item = &'a ResourcePolicy> + 'a {
        Self::attached(&self.topic_policies, &topic.meta, &topic.name)
    }

    fn attached<'a>(
        policies: &'a [ResourcePolicy],
        target: &'a ResourceMeta,
        name: &'a Val<String>,
    ) -> impl Iterator<Item = &'a ResourcePolicy> + 'a {
        policies.iter().filter(move |p| {
            // An inline policy carries its owner's meta.
            (p.meta.address == target.address && p.meta.same_scope(target))
                || p.targets
                    .iter()
                    .any(|t| Self::points_at(&p.meta, t, target, name))
        })
    }

    /// Rotation schedules of `secret`.
    pub fn rotations_of<'a>(
        &'a self,
        secret: &'a Secret,
    ) -> impl Iterator<Item = &'a RotationSchedule> + 'a {
        self.rotation_schedules
            .iter()
            .filter(move |r| Self::points_at(&r.meta, &r.secret, &secret.meta, &secret.name))
    }

    /// URLs of `function`.
    pub fn urls_of<'a>(
        &'a self,
        function: &'a LambdaFunction,
    ) -> impl Iterator<Item = &'a FunctionUrl> + 'a {
        self.function_urls
            .iter()
            .filter(move |u| Self::points_at(&u.meta, &u.function, &function.meta, &function.name))
    }

    /// The API a stage or route belongs to.
    pub fn api_of(&self, from: &ResourceMeta, api: &Val<Ref>) -> Option<&Api> {
        match self.lookups.apis(&self.apis) {
            Some(index) => index.find(from, api).map(|i| &self.apis[i]),
            None => self
                .apis
                .iter()
                .find(|a| Self::points_at(from, api, &a.meta, &a.name)),
        }
    }

    /// The role a function (or state machine) runs as, when declared in the scan.
    pub fn role_of(&self, from: &ResourceMeta, role: &Val<Ref>) -> Option<&IamRole> {
        match self.lookups.roles(&self.iam_roles) {
            Some(index) => index.find(from, role).map(|i| &self.iam_roles[i]),
            None => self
                .iam_roles
                .iter()
                .find(|r| Self::points_at(from, role, &r.meta, &r.name)),
        }
    }

    /// Whether the model holds nothing at all.
    pub fn is_empty(&self) -> bool {
        self.resources().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_syntax::Span;

    fn meta(address: &str, file: &str, format: SourceFormat) -> ResourceMeta {
        ResourceMeta::new(address, "T", file, Span::line(1), format)
    }

    #[test]
    fn references_match_by_address_in_scope_or_by_name() {
        let role = meta("Role", "a.yaml", SourceFormat::CloudFormation);
        let name = Val::known("app-role".to_string(), Span::line(2));
        let from = meta("Fn", "a.yaml", SourceFormat::CloudFormation);
        let other_file = meta("Fn", "b.yaml", SourceFormat::CloudFormation);
        let by_id = Val::known(
            Ref::resource("Role", Some("Arn".into()), None),
            Span::line(3),
        );
        assert!(CloudModel::points_at(&from, &by_id, &role, &name));
        assert!(
            !CloudModel::points_at(&other_file, &by_id, &role, &name),
            "logical ids are per template"
        );
        let arn = Val::known(Ref::literal("arn:aws:iam::1:role/app-role"), Span::line(3));
        assert!(CloudModel::points_at(&other_file, &arn, &role, &name));
        let other = Val::known(
            Ref::literal("arn:aws:iam::1:role/app-role-2"),
            Span::line(3),
        );
        assert!(!CloudModel::points_at(&from, &other, &role, &name));
        let unknown: Val<Ref> = Val::unknown(Span::line(3), "import");
        assert!(!CloudModel::points_at(&from, &unknown, &role, &name));

        // The Terraform loader scopes resources to their root module's directory.
        let tf_meta = |address: &str, file: &str| {
            let mut m = meta(address, file, SourceFormat::Terraform);
            m.scope = file.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
            m
        };
        let tf = tf_meta("aws_iam_role.app", "main.tf");
        let tf_ref = Val::known(
            Ref::resource("aws_iam_role.app", Some("arn".into()), None),
            Span::line(3),
        );
        let module_file = tf_meta("aws_lambda_function.f", "lambda.tf");
        assert!(
            CloudModel::points_at(&module_file, &tf_ref, &tf, &Val::Absent),
            "Terraform addresses span the files of one directory"
        );
        let other_stack = tf_meta("aws_lambda_function.f", "other/lambda.tf");
        assert!(
            !CloudModel::points_at(&other_stack, &tf_ref, &tf, &Val::Absent),
            "another configuration's resource with the same address is not this one"
        );
    }

    #[test]
    fn append_moves_every_list_and_notifications() {
        let mut a = CloudModel::default();
        let mut b = CloudModel::default();
        b.lambdas
            .push(LambdaFunction::new(meta("Fn", "b.yaml", SourceFormat::Sam)));
        b.iam_policies.push(IamPolicy {
            meta: meta("P", "b.yaml", SourceFormat::Sam),
            name: Val::Absent,
            document: Val::Absent,
            roles: Vec::new(),
            users: Vec::new(),
            groups: Vec::new(),
        });
        b.notifications
            .push(Notification::note("unsupported-construct", "x"));
        a.append(b);
        assert_eq!(a.resources().len(), 2);
        assert_eq!(a.notifications.len(), 1);
    }
}
