//! The cloud model's normalized fields of each resource as JSON (`input.resource.model`):
//! the same names for every template format, so one policy reads a function's runtime or a
//! bucket's encryption however it was written. Known values are plain JSON; values that
//! cannot be resolved statically are `{"tollgate:unknown": "why"}`; values not written are
//! left out (the service default applies).

use serde_json::{json, Map, Value};
use tollgate_iac::model::{CloudModel, Ref, ResourceMeta, Val};

/// The model's resources by deployment unit and address, borrowed from the model: each
/// resource's JSON is taken once by the resource it describes (copying it and its metadata
/// for every resource, and two strings per lookup, took most of the time of building it).
#[derive(Debug, Default)]
pub struct ModelIndex<'m> {
    by_address: crate::FastMap<&'m str, crate::FastMap<&'m str, (&'m ResourceMeta, Option<Value>)>>,
}

impl<'m> ModelIndex<'m> {
    /// The model's view of the resource at `address` in `unit`, and its JSON unless it was
    /// [taken](ModelIndex::take).
    pub fn get(&self, unit: &str, address: &str) -> Option<&(&'m ResourceMeta, Option<Value>)> {
        self.by_address.get(unit)?.get(address)
    }

    /// The model's own unit and address strings of the resource at `address` in `unit`, when
    /// the model knows it.
    pub fn key(&self, unit: &str, address: &str) -> Option<(&'m str, &'m str)> {
        let (unit, resources) = self.by_address.get_key_value(unit)?;
        let (address, _) = resources.get_key_value(address)?;
        Some((unit, address))
    }

    /// The model's view of the resource at `address` in `unit`, its JSON taken out (`None`
    /// once taken).
    pub fn take(&mut self, unit: &str, address: &str) -> Option<(&'m ResourceMeta, Option<Value>)> {
        let (meta, json) = self.by_address.get_mut(unit)?.get_mut(address)?;
        Some((*meta, json.take()))
    }

    fn put(&mut self, meta: &'m ResourceMeta, kind: &str, fields: Fields) {
        let mut object = fields.0;
        object.insert("kind".into(), Value::String(kind.into()));
        // The first view wins: a resource the model splits (a SAM function and its URL) keeps
        // its own entry, and joined Terraform pieces keep the main resource's.
        self.by_address
            .entry(meta.scope.as_str())
            .or_default()
            .entry(meta.address.as_str())
            .or_insert_with(|| (meta, Some(Value::Object(object))));
    }

    /// Every resource of `model`.
    pub fn build(model: &'m CloudModel) -> ModelIndex<'m> {
        Self::build_kept(model, &Keep::All)
    }

    /// Every resource of `model`, each with only the fields `keep` keeps (and its `kind`):
    /// the documents are built with only what the loaded policies can observe of them, so a
    /// field no policy reads would be built here and left out there.
    pub fn build_kept(model: &'m CloudModel, keep: &Keep) -> ModelIndex<'m> {
        let mut index = ModelIndex::default();
        for f in &model.lambdas {
            let mut m = Fields::new(keep);
            m.s("name", &f.name)
                .s("runtime", &f.runtime)
                .s("package_type", &f.package_type)
                .s("handler", &f.handler)
                .s("tracing", &f.tracing)
                .i("reserved_concurrency", &f.reserved_concurrency)
                .r("dead_letter", &f.dead_letter)
                .r("on_failure", &f.on_failure)
                .r("kms_key", &f.kms_key)
                .r("code_signing", &f.code_signing)
                .r("role", &f.role)
                .s("alias", &f.alias);
            match &f.vpc {
                Val::Known { value, .. } => {
                    m.with("vpc", || json!({
                            "subnet_ids": value.subnet_ids.iter().map(val_str).collect::<Vec<_>>(),
                            "security_group_ids": value.security_group_ids.iter().map(val_str).collect::<Vec<_>>(),
                        }));
                }
                Val::Unknown { reason, .. } => {
                    m.with("vpc", || unknown(reason));
                }
                Val::Absent => {}
            }
            // Names only: values may be secrets, and policies about them read `properties`.
            m.with("environment_variables", || {
                Value::Array(
                    f.environment
                        .iter()
                        .map(|e| Value::String(e.name.clone()))
                        .collect(),
                )
            });
            index.put(&f.meta, "lambda-function", m);
        }
        for u in &model.function_urls {
            let mut m = Fields::new(keep);
            m.r("function", &u.function).s("auth_type", &u.auth_type);
            index.put(&u.meta, "function-url", m);
        }
        for p in &model.lambda_permissions {
            let mut m = Fields::new(keep);
            m.r("function", &p.function)
                .s("action", &p.action)
                .s("principal", &p.principal)
                .s("source_arn", &p.source_arn)
                .s("source_account", &p.source_account)
                .s("function_url_auth_type", &p.function_url_auth_type);
            index.put(&p.meta, "lambda-permission", m);
        }
        for a in &model.apis {
            let mut m = Fields::new(keep);
            m.s("name", &a.name)
                .s("default_authorizer", &a.default_authorizer)
                .b("api_key_required", &a.api_key_required)
                .b(
                    "disable_execute_api_endpoint",
                    &a.disable_execute_api_endpoint,
                );
            m.with("protocol", || {
                Value::String(format!("{:?}", a.protocol).to_ascii_lowercase())
            });
            index.put(&a.meta, "api", m);
        }
        for s in &model.api_stages {
            let mut m = Fields::new(keep);
            m.r("api", &s.api)
                .s("name", &s.name)
                .r("access_log_destination", &s.access_log_destination)
                .b("tracing", &s.tracing)
                .b("cache_cluster_enabled", &s.cache_cluster_enabled);
            index.put(&s.meta, "api-stage", m);
        }
        for t in &model.dynamo_tables {
            let mut m = Fields::new(keep);
            m.s("name", &t.name)
                .b("point_in_time_recovery", &t.pitr)
                .b("sse_enabled", &t.sse_enabled)
                .r("kms_key", &t.kms_key);
            index.put(&t.meta, "dynamodb-table", m);
        }
        for b in &model.buckets {
            let mut m = Fields::new(keep);
            m.s("name", &b.name)
                .s("acl", &b.acl)
                .s("versioning", &b.versioning)
                .r("logging", &b.logging)
                .s("sse_algorithm", &b.sse_algorithm)
                .r("kms_key", &b.kms_key);
            if let Some(block) = &b.public_access_block {
                let mut pab = Fields::new(&Keep::All);
                pab.b("block_public_acls", &block.block_public_acls)
                    .b("block_public_policy", &block.block_public_policy)
                    .b("ignore_public_acls", &block.ignore_public_acls)
                    .b("restrict_public_buckets", &block.restrict_public_buckets);
                m.with("public_access_block", || Value::Object(pab.0));
            }
            index.put(&b.meta, "s3-bucket", m);
        }
        for o in &model.s3_objects {
            let mut m = Fields::new(keep);
            m.r("bucket", &o.bucket)
                .s("sse_algorithm", &o.sse_algorithm)
                .r("kms_key", &o.kms_key);
            index.put(&o.meta, "s3-object", m);
        }
        for q in &model.queues {
            let mut m = Fields::new(keep);
            m.s("name", &q.name)
                .b("sqs_managed_sse", &q.sqs_managed_sse)
                .r("kms_key", &q.kms_key);
            index.put(&q.meta, "sqs-queue", m);
        }
        for t in &model.topics {
            let mut m = Fields::new(keep);
            m.s("name", &t.name).r("kms_key", &t.kms_key);
            index.put(&t.meta, "sns-topic", m);
        }
        for k in &model.kms_keys {
            let mut m = Fields::new(keep);
            m.b("rotation", &k.rotation).s("key_spec", &k.key_spec);
            index.put(&k.meta, "kms-key", m);
        }
        for s in &model.secrets {
            let mut m = Fields::new(keep);
            m.s("name", &s.name);
            index.put(&s.meta, "secret", m);
        }
        for r in &model.rotation_schedules {
            let mut m = Fields::new(keep);
            m.r("secret", &r.secret)
                .r("rotation_lambda", &r.rotation_lambda)
                .i("after_days", &r.after_days)
                .s("schedule_expression", &r.schedule_expression);
            index.put(&r.meta, "secret-rotation", m);
        }
        for l in &model.log_groups {
            let mut m = Fields::new(keep);
            m.s("name", &l.name)
                .i("retention_days", &l.retention_days)
                .r("kms_key", &l.kms_key);
            index.put(&l.meta, "log-group", m);
        }
        for r in &model.iam_roles {
            let mut m = Fields::new(keep);
            m.s("name", &r.name)
                .s("permissions_boundary", &r.permissions_boundary);
            m.with("managed_policy_arns", || {
                Value::Array(r.managed_policy_arns.iter().map(val_str).collect())
            });
            m.with("inline_policies", || {
                Value::Array(r.inline_policies.iter().map(|p| val_str(&p.name)).collect())
            });
            index.put(&r.meta, "iam-role", m);
        }
        for d in &model.api_deployments {
            let mut m = Fields::new(keep);
            m.b("create_before_destroy", &d.create_before_destroy);
            index.put(&d.meta, "api-deployment", m);
        }
        for u in &model.iam_users {
            let mut m = Fields::new(keep);
            m.s("name", &u.name)
                .b("console_password", &u.console_password);
            m.with("managed_policy_arns", || {
                Value::Array(u.managed_policy_arns.iter().map(val_str).collect())
            });
            m.with("inline_policies", || {
                Value::Array(u.inline_policies.iter().map(|p| val_str(&p.name)).collect())
            });
            index.put(&u.meta, "iam-user", m);
        }
        for k in &model.iam_access_keys {
            let mut m = Fields::new(keep);
            m.r("user", &k.user).s("status", &k.status);
            index.put(&k.meta, "iam-access-key", m);
        }
        for a in &model.user_policy_attachments {
            let mut m = Fields::new(keep);
            m.r("user", &a.user).s("policy_arn", &a.policy_arn);
            index.put(&a.meta, "iam-user-policy-attachment", m);
        }
        for p in &model.iam_policies {
            let mut m = Fields::new(keep);
            m.s("name", &p.name);
            m.with("roles", || {
                Value::Array(p.roles.iter().map(val_ref).collect())
            });
            index.put(&p.meta, "iam-policy", m);
        }
        for s in &model.state_machines {
            index.put(&s.meta, "state-machine", Fields::new(keep));
        }
        for t in &model.trails {
            index.put(&t.meta, "cloudtrail", Fields::new(keep));
        }
        for d in &model.policy_documents {
            index.put(&d.meta, "iam-policy-document", Fields::new(keep));
        }
        index
    }
}

/// Which fields of `input.resource.model` are built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    All,
    /// Only these (and `kind`, always).
    Only(std::collections::BTreeSet<String>),
}

impl Keep {
    fn keeps(&self, key: &str) -> bool {
        match self {
            Keep::All => true,
            Keep::Only(keys) => keys.contains(key),
        }
    }
}

/// One resource's fields, each built only when kept.
struct Fields<'k>(Map<String, Value>, &'k Keep);

impl<'k> Fields<'k> {
    fn new(keep: &'k Keep) -> Self {
        Fields(Map::new(), keep)
    }

    /// Field `key`, built by `value` when it is kept.
    fn with(&mut self, key: &str, value: impl FnOnce() -> Value) -> &mut Self {
        if self.1.keeps(key) {
            self.0.insert(key.to_string(), value());
        }
        self
    }

    /// Field `key` when kept and `value` gives one (a value not written gives none).
    fn put(&mut self, key: &str, value: impl FnOnce() -> Option<Value>) -> &mut Self {
        if self.1.keeps(key) {
            if let Some(value) = value() {
                self.0.insert(key.to_string(), value);
            }
        }
        self
    }

    fn s(&mut self, key: &str, v: &Val<String>) -> &mut Self {
        self.put(key, || present(v, |s| Value::String(s.clone())))
    }

    fn b(&mut self, key: &str, v: &Val<bool>) -> &mut Self {
        self.put(key, || present(v, |b| Value::Bool(*b)))
    }

    fn i(&mut self, key: &str, v: &Val<i64>) -> &mut Self {
        self.put(key, || present(v, |i| json!(i)))
    }

    fn r(&mut self, key: &str, v: &Val<Ref>) -> &mut Self {
        self.put(key, || present(v, ref_json))
    }
}

fn unknown(reason: &str) -> Value {
    json!({ "tollgate:unknown": reason })
}

fn present<T>(v: &Val<T>, known: impl FnOnce(&T) -> Value) -> Option<Value> {
    match v {
        Val::Known { value, .. } => Some(known(value)),
        Val::Unknown { reason, .. } => Some(unknown(reason)),
        Val::Absent => None,
    }
}

fn val_str(v: &Val<String>) -> Value {
    present(v, |s| Value::String(s.clone())).unwrap_or(Value::Null)
}

fn val_ref(v: &Val<Ref>) -> Value {
    present(v, ref_json).unwrap_or(Value::Null)
}

/// A reference: `{"resource": address, "attribute": ...}` for a resource of the scan, the text
/// for a literal (an ARN, a name, an alias).
fn ref_json(r: &Ref) -> Value {
    match r {
        Ref::Resource { address, attr, .. } => {
            json!({ "resource": address, "attribute": attr })
        }
        Ref::Literal(text) => Value::String(text.clone()),
    }
}
