//! Serverless Framework v3/v4 (`serverless.yml`): variables resolved ([`variables`]), `provider`
//! defaults applied to every function, functions with their events and URLs, the implicit
//! APIs, execution role, buckets and topics the framework creates, and `resources.Resources`
//! read by the CloudFormation adapter. Logical ids are the ones the framework generates
//! (`charge` → `ChargeLambdaFunction`), so `resources` can refer to them.

mod domain;
mod events;
mod functions;
mod role;
mod triggers;
pub mod value;
pub mod variables;

use tollgate_core::{FileKind, Location, Notification, ScanContext};
use tollgate_syntax::{Node, Span};

use crate::adapters::terraform::value::{Tv, TvKind};
use crate::model::{CloudModel, Ref, ResourceMeta, SourceFormat, Tag, Val};

/// Names the framework also reads its configuration from, written as a program: what they
/// hold is known only by running them, which a scan never does.
const CONFIGURATION_AS_CODE: &[&str] = &[
    "serverless.js",
    "serverless.ts",
    "serverless.cjs",
    "serverless.mjs",
];

/// The adapter: every `serverless.yml` (`.yaml`, `.json`) of the scan.
pub fn adapter(ctx: &ScanContext, model: &mut CloudModel) {
    for file in ctx.files_where(|k| *k == FileKind::Other) {
        let name = file.path.rsplit('/').next().unwrap_or(&file.path);
        if CONFIGURATION_AS_CODE.contains(&name) {
            model.notifications.push(
                Notification::note(
                    "unsupported-construct",
                    format!(
                        "{}: a Serverless Framework configuration written as a program is not \
                         read, since that would mean running it; write it as serverless.yml, \
                         or scan the CloudFormation template `serverless package` writes to \
                         .serverless/",
                        file.path
                    ),
                )
                .at(Location::file(&file.path)),
            );
        }
    }
    let files: Vec<_> = ctx.files_where(|k| *k == FileKind::Serverless).collect();
    super::map_templates(ctx, "serverless", &files, model, |file, doc, model| {
        let Some(root) = doc.root() else { return };
        let load = |path: &str| -> Result<std::sync::Arc<tollgate_syntax::Document>, String> {
            let f = ctx
                .file(path)
                .ok_or_else(|| format!("`{path}` is not among the scanned files"))?;
            ctx.document(f).map_err(|e| format!("`{path}`: {e}"))
        };
        let dir = file.path.rsplit_once('/').map_or("", |(d, _)| d);
        super::isolated(ctx, &file.path, "Serverless Framework", model, |part| {
            let resolver = variables::Resolver::new(root).with_files(dir, &load);
            adapt_resolved(&file.path, root, &resolver, part)
        });
    });
}

/// The parts of `resources`: one map, or a list of them.
fn parts_of(resources: Option<&Node>) -> Vec<&Node> {
    match resources.map(|r| &r.value) {
        Some(tollgate_syntax::Value::Seq(items)) => items.iter().collect(),
        Some(_) => resources.into_iter().collect(),
        None => Vec::new(),
    }
}

/// Files that a `serverless.yml` of the scan includes whole in its `resources`
/// (`- ${file(./resources/queues.yml)}`): they are read as part of that service, with its
/// generated logical ids, and not as templates of their own.
pub fn included_templates(ctx: &ScanContext) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    for file in ctx.files_where(|k| *k == FileKind::Serverless) {
        // An include is written `${file(...)}`, or spelt with escapes in a double-quoted
        // scalar; a text with neither holds none and need not be parsed here (the adapter
        // parses it again when the context keeps no documents).
        let Ok(text) = ctx.text(file) else { continue };
        if !text.contains("${file(") && !text.contains('\\') {
            continue;
        }
        let Ok(doc) = ctx.document(file) else {
            continue;
        };
        let Some(resources) = doc.root().and_then(|r| r.get("resources")) else {
            continue;
        };
        let dir = file.path.rsplit_once('/').map_or("", |(d, _)| d);
        out.extend(
            parts_of(Some(resources))
                .into_iter()
                .filter_map(|p| variables::whole_include_path(dir, p)),
        );
    }
    out
}

/// One service file; `${file(...)}` includes are not read.
pub fn adapt_service(file: &str, root: &Node, model: &mut CloudModel) {
    adapt_resolved(file, root, &variables::Resolver::new(root), model);
}

fn adapt_resolved(
    file: &str,
    root: &Node,
    resolver: &variables::Resolver<'_>,
    model: &mut CloudModel,
) {
    let resolved = resolver.resolve(root);
    for (span, why) in resolver.take_notes() {
        model
            .notifications
            .push(crate::adapters::unsupported(file, span, why));
    }
    let svc = Service::new(file, value::to_tv(&resolved));
    if let Some((name, span)) = svc.other_cloud() {
        // Azure, Google, OpenWhisk, Cloudflare... functions are not Lambda functions and
        // their `resources` are not CloudFormation: nothing here describes AWS.
        model.notifications.push(
            Notification::note(
                "other-cloud",
                format!(
                    "{file}:{}:{}: provider `{name}` is not AWS: the service is not checked",
                    span.start.line, span.start.col
                ),
            )
            .at(Location::at(file, span))
            .stage("iac"),
        );
        return;
    }
    functions::map(&svc, model);
    events::map(&svc, model);
    role::map(&svc, model);
    triggers::map(&svc, model);
    domain::map(&svc, model);
    model.notifications.extend(svc.unreadable());
    let written = parts_of(root.get("resources"));
    let parts = parts_of(resolved.get("resources"));
    let generated = svc.generated();
    for (i, part) in parts.into_iter().enumerate() {
        // A whole file of resources is read as itself, so findings point into it (the
        // CloudFormation adapter leaves such files to this one: see `included_templates`).
        if let Some((path, doc)) = written.get(i).and_then(|w| resolver.whole_include(w)) {
            if let Some(included) = doc.root() {
                let included = resolver.resolve(included);
                super::cloudformation::adapt_template_with(
                    &path,
                    &included,
                    SourceFormat::Serverless,
                    &generated,
                    model,
                );
                continue;
            }
        }
        if let tollgate_syntax::Value::Expr(e) = &part.value {
            model.notifications.push(super::unsupported(
                file,
                part.span,
                format!("`resources` are not read: {}", e.text),
            ));
            continue;
        }
        super::cloudformation::adapt_template_with(
            file,
            part,
            SourceFormat::Serverless,
            &generated,
            model,
        );
    }
}

/// A resolved service: the whole file as a value, plus what every mapper needs.
pub struct Service<'a> {
    pub file: &'a str,
    pub root: Tv,
    pub service: String,
    pub stage: String,
    empty: Tv,
}

impl<'a> Service<'a> {
    fn new(file: &'a str, root: Tv) -> Self {
        let service = root
            .get("service")
            .and_then(|s| s.as_str().or_else(|| s.get("name").and_then(Tv::as_str)))
            .unwrap_or("service")
            .to_string();
        let stage = root
            .path(&["provider", "stage"])
            .and_then(Tv::as_str)
            .unwrap_or("dev")
            .to_string();
        let empty = Tv::new(root.span, TvKind::Object(Vec::new()));
        Self {
            file,
            root,
            service,
            stage,
            empty,
        }
    }

    /// The provider's name and span when it is known and not `aws` (the framework's providers
    /// for other clouds: azure, google, openwhisk, cloudflare, knative, tencent, aliyun...).
    /// An unresolved name is taken as AWS, the framework's main provider.
    fn other_cloud(&self) -> Option<(&str, Span)> {
        let provider = self.root.get("provider")?;
        let name = provider.get("name").unwrap_or(provider);
        let text = name.as_str()?;
        (!text.trim().eq_ignore_ascii_case("aws")).then_some((text, name.span))
    }

    /// The logical ids the framework generates, that `resources` may refer to: the deployment
    /// bucket, execution role, APIs, and per function its function and log group, per `s3`
    /// event its bucket, per `sns` event its topic.
    fn generated(&self) -> Vec<(String, &'static str)> {
        let mut out: Vec<(String, &'static str)> = [
            ("ServerlessDeploymentBucket", "AWS::S3::Bucket"),
            ("ServerlessDeploymentBucketPolicy", "AWS::S3::BucketPolicy"),
            ("IamRoleLambdaExecution", "AWS::IAM::Role"),
            ("ApiGatewayRestApi", "AWS::ApiGateway::RestApi"),
            ("ApiGatewayStage", "AWS::ApiGateway::Stage"),
            ("ApiGatewayLogGroup", "AWS::Logs::LogGroup"),
            ("HttpApi", "AWS::ApiGatewayV2::Api"),
            ("HttpApiStage", "AWS::ApiGatewayV2::Stage"),
            ("WebsocketsApi", "AWS::ApiGatewayV2::Api"),
            ("WebsocketsDeploymentStage", "AWS::ApiGatewayV2::Stage"),
        ]
        .into_iter()
        .map(|(id, t)| (id.to_string(), t))
        .collect();
        for (name, _, body) in self.functions() {
            let id = normalize_function(name);
            out.push((format!("{id}LambdaFunction"), "AWS::Lambda::Function"));
            out.push((format!("{id}LogGroup"), "AWS::Logs::LogGroup"));
            for event in body.get("events").and_then(Tv::as_list).unwrap_or_default() {
                let Some([(kind, _, v)]) = event.as_object() else {
                    continue;
                };
                let named = |key: &str| {
                    v.as_str()
                        .or_else(|| v.get(key).and_then(Tv::as_str))
                        .map(normalize_alnum)
                };
                match kind.as_str() {
                    "s3" => out.extend(
                        named("bucket").map(|b| (format!("S3Bucket{b}"), "AWS::S3::Bucket")),
                    ),
                    "sns" => out.extend(
                        named("topicName")
                            .filter(|t| !t.is_empty())
                            .map(|t| (format!("SNSTopic{t}"), "AWS::SNS::Topic")),
                    ),
                    _ => {}
                }
            }
        }
        out
    }

    /// `provider.<keys>`.
    pub fn provider(&self, keys: &[&str]) -> Option<&Tv> {
        self.root.get("provider").and_then(|p| p.path(keys))
    }

    /// The `functions` map entries: key, key span, body (an empty body for `fn: null`).
    /// Functions whose body cannot be resolved are left out (see [`Service::unreadable`]):
    /// reporting on settings that could not be read would be guessing.
    pub fn functions(&self) -> Vec<(&str, Span, &Tv)> {
        self.root
            .get("functions")
            .and_then(Tv::as_object)
            .unwrap_or_default()
            .iter()
            .filter(|(_, _, v)| v.is_null() || v.as_object().is_some())
            .map(|(k, s, v)| (k.as_str(), *s, if v.is_null() { &self.empty } else { v }))
            .collect()
    }

    /// Notes for `functions` (or single functions) that could not be resolved.
    fn unreadable(&self) -> Vec<tollgate_core::Notification> {
        let note = |span: Span, what: String| super::unsupported(self.file, span, what);
        let Some(functions) = self.root.get("functions") else {
            return Vec::new();
        };
        match &functions.kind {
            TvKind::Object(entries) => entries
                .iter()
                .filter(|(_, _, v)| !(v.is_null() || v.as_object().is_some()))
                .map(|(k, s, v)| {
                    let why = match &v.kind {
                        TvKind::Unknown(r) => r.clone(),
                        _ => "expected a map of settings".into(),
                    };
                    note(*s, format!("function `{k}` is not checked: {why}"))
                })
                .collect(),
            TvKind::Null => Vec::new(),
            TvKind::Unknown(r) => vec![note(
                functions.span,
                format!("`functions` are not checked: {r}"),
            )],
            _ => vec![note(
                functions.span,
                "`functions` are not checked: expected a map of functions".into(),
            )],
        }
    }

    /// Metadata of a resource the framework generates, declared at `header`.
    pub fn meta(&self, logical_id: &str, type_name: &str, header: Span) -> ResourceMeta {
        ResourceMeta::new(
            logical_id,
            type_name,
            self.file,
            header,
            SourceFormat::Serverless,
        )
    }

    /// Provider `tags` (applied to every function) then `extra`, the later winning.
    pub fn tags(&self, extra: Option<&Tv>) -> Vec<Tag> {
        let written = [self.provider(&["tags"]), extra]
            .into_iter()
            .flatten()
            .flat_map(|source| source.as_object().unwrap_or_default())
            .map(|(key, key_span, value)| Tag {
                key: key.clone(),
                key_span: *key_span,
                value: crate::adapters::terraform::mapper::string(Some(value)),
            })
            .collect();
        crate::adapters::last_of_each(written, |t| t.key.as_str())
    }

    /// The type of a logical id declared in `resources.Resources`.
    fn resource_type(&self, id: &str) -> Option<String> {
        self.root
            .path(&["resources", "Resources", id, "Type"])
            .and_then(Tv::as_str)
            .map(str::to_string)
    }

    /// A value naming a resource: `!GetAtt Queue.Arn` / `!Ref Topic` as a reference, a
    /// string as a literal ARN or name.
    pub fn reference(&self, v: Option<&Tv>) -> Val<Ref> {
        let Some(v) = v else { return Val::Absent };
        match &v.kind {
            TvKind::Null => Val::Absent,
            TvKind::Unknown(r) => Val::unknown(v.span, r.clone()),
            TvKind::Ref { address, attr } => Val::known(
                Ref::resource(
                    address.clone(),
                    attr.first().cloned(),
                    self.resource_type(address),
                ),
                v.span,
            ),
            _ => match v.as_str() {
                Some("") | None => Val::unknown(v.span, "expected an ARN or a name"),
                Some(s) => Val::known(Ref::literal(s), v.span),
            },
        }
    }
}

/// The framework's logical-id normalisation of a function name: first letter upper-cased,
/// `-` as `Dash`, `_` as `Underscore`.
pub fn normalize_function(name: &str) -> String {
    capitalize(&name.replace('-', "Dash").replace('_', "Underscore"))
}

/// The framework's normalisation of bucket and topic names: alphanumerics only, capitalised.
pub fn normalize_alnum(name: &str) -> String {
    capitalize(
        &name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>(),
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_follow_the_framework() {
        assert_eq!(normalize_function("charge"), "Charge");
        assert_eq!(normalize_function("get-user_v2"), "GetDashuserUnderscorev2");
        assert_eq!(normalize_alnum("acme-uploads.bucket"), "Acmeuploadsbucket");
    }
}
