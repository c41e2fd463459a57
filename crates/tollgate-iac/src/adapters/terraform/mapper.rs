//! Shared pieces of the mapping from evaluated Terraform resources (configuration or plan) to
//! the cloud model: metadata and tags, typed values, references, policies, and finding the
//! split resources (`aws_s3_bucket_versioning`, `aws_lambda_function_url`...) that point at a
//! resource.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use tollgate_core::ScanContext;
use tollgate_syntax::Format;

use super::loader::{Mode, TfResource};
use super::value::{Tv, TvKind};
use super::{iam_json, policy_document};
use crate::model::{PolicyDocument, Ref, ResourceMeta, SourceFormat, Tag, Val};

/// The evaluated resources of one scan, indexed by address and by type.
pub struct Mapper<'a> {
    pub resources: &'a [TfResource],
    /// To read files named by `file()` (policies kept in JSON files); none for plans.
    ctx: Option<&'a ScanContext>,
    pub format: SourceFormat,
    by_address: HashMap<&'a str, &'a TfResource>,
    /// Managed resources by type, in order: asking for one type does not walk them all.
    by_type: HashMap<&'a str, Vec<&'a TfResource>>,
    /// For [`Self::attached`]: per (type, key), which resources name which target. Built on
    /// first use, so that finding the split resources of each of n buckets is not n x n.
    attachments: RefCell<HashMap<(&'a str, &'a str), Rc<Attachments<'a>>>>,
}

/// The resources of one type by what their `key` attribute names.
#[derive(Default)]
struct Attachments<'a> {
    /// A reference (`bucket = aws_s3_bucket.logs.id`): by the target's address.
    by_address: HashMap<&'a str, Vec<usize>>,
    /// A string: by the whole string and by every part of it after a `:` or `/` (an ARN or
    /// path ending in the target's name).
    by_name: HashMap<&'a str, Vec<usize>>,
    /// The resources, in order; the maps hold positions in it.
    resources: Vec<&'a TfResource>,
}

impl<'a> Attachments<'a> {
    fn new(resources: &[&'a TfResource], key: &str) -> Self {
        let mut out = Attachments {
            resources: resources.to_vec(),
            ..Attachments::default()
        };
        for (i, r) in resources.iter().enumerate() {
            let Some(v) = r.body.get(key) else { continue };
            match &v.kind {
                TvKind::Ref { address, .. } => {
                    out.by_address.entry(address.as_str()).or_default().push(i)
                }
                _ => {
                    let Some(s) = v.as_str() else { continue };
                    out.by_name.entry(s).or_default().push(i);
                    for (at, _) in s.match_indices([':', '/']) {
                        out.by_name.entry(&s[at + 1..]).or_default().push(i);
                    }
                }
            }
        }
        out
    }
}

impl<'a> Mapper<'a> {
    pub fn new(
        resources: &'a [TfResource],
        format: SourceFormat,
        ctx: Option<&'a ScanContext>,
    ) -> Self {
        let by_address = resources.iter().map(|r| (r.address.as_str(), r)).collect();
        let mut by_type: HashMap<&str, Vec<&TfResource>> = HashMap::new();
        for r in resources.iter().filter(|r| r.mode == Mode::Managed) {
            by_type.entry(r.type_name.as_str()).or_default().push(r);
        }
        Self {
            resources,
            ctx,
            format,
            by_address,
            by_type,
            attachments: RefCell::new(HashMap::new()),
        }
    }

    /// Managed resources of one type.
    pub fn of_type(&self, type_name: &'a str) -> impl Iterator<Item = &'a TfResource> + 'a {
        self.by_type
            .get(type_name)
            .cloned()
            .unwrap_or_default()
            .into_iter()
    }

    /// Data sources of one type (`data "aws_iam_policy_document" "x"`).
    pub fn data_of_type(&self, type_name: &'a str) -> impl Iterator<Item = &'a TfResource> + 'a {
        self.resources
            .iter()
            .filter(move |r| r.mode == Mode::Data && r.type_name == type_name)
    }

    /// The statements an `aws_iam_policy_document` data source writes itself (its
    /// `source_policy_documents` are documents of their own).
    pub fn own_policy_document(&self, d: &TfResource) -> Val<PolicyDocument> {
        iam_json::document(&d.body, &d.file)
    }

    /// The resource's metadata with its tags.
    pub fn meta(&self, r: &TfResource) -> ResourceMeta {
        let mut meta = ResourceMeta::new(
            r.address.clone(),
            r.type_name.clone(),
            r.file.clone(),
            r.header,
            self.format,
        );
        meta.scope = r.scope.clone();
        // Provider default tags (`tags_all`) first, the resource's own `tags` overriding them.
        let written = ["tags_all", "tags"]
            .iter()
            .flat_map(|key| r.body.get(key).and_then(Tv::as_object).unwrap_or_default())
            .map(|(k, key_span, value)| Tag {
                key: k.clone(),
                key_span: *key_span,
                value: string(Some(value)),
            })
            .collect();
        meta.tags = crate::adapters::last_of_each(written, |t| t.key.as_str());
        meta
    }

    /// A value naming another resource: a reference keeps the target's address and type.
    pub fn reference(&self, v: Option<&Tv>) -> Val<Ref> {
        let Some(v) = v else { return Val::Absent };
        match &v.kind {
            TvKind::Null => Val::Absent,
            TvKind::Unknown(r) => Val::unknown(v.span, r.clone()),
            TvKind::Ref { address, attr } => {
                let type_name = self
                    .by_address
                    .get(address.as_str())
                    .map(|t| t.type_name.clone())
                    .or_else(|| type_of_address(address));
                Val::known(
                    Ref::resource(address.clone(), attr.first().cloned(), type_name),
                    v.span,
                )
            }
            _ => match v.as_str() {
                Some("") => Val::Absent,
                Some(s) => Val::known(Ref::literal(s), v.span),
                None => Val::unknown(v.span, "expected a name, id or ARN"),
            },
        }
    }

    /// The code a Lambda's `filename` stands for when it is an `archive_file`'s output
    /// (`filename = data.archive_file.app.output_path`): the archive's `source_dir` or
    /// `source_file`, as written (with `path.module` evaluated). `None` when `filename` is
    /// anything else.
    pub fn archive_source(&self, v: Option<&Tv>) -> Option<Val<String>> {
        let TvKind::Ref { address, .. } = &v?.kind else {
            return None;
        };
        let archive = self.by_address.get(address.as_str())?;
        if archive.type_name != "archive_file" {
            return None;
        }
        let body = &archive.body;
        Some(string(
            body.get("source_dir").or_else(|| body.get("source_file")),
        ))
    }

    /// A policy argument: a JSON string, `jsonencode({...})`, or a reference to an
    /// `aws_iam_policy_document` data source (the document then keeps that file).
    pub fn policy(&self, v: Option<&Tv>, file: &str) -> Val<PolicyDocument> {
        self.policy_depth(v, file, 0)
    }

    fn policy_depth(&self, v: Option<&Tv>, file: &str, depth: usize) -> Val<PolicyDocument> {
        let Some(v) = v else { return Val::Absent };
        match &v.kind {
            TvKind::Null => Val::Absent,
            TvKind::Ref { address, .. } => match self.by_address.get(address.as_str()) {
                Some(d) if d.mode == Mode::Data && d.type_name == "aws_iam_policy_document" => {
                    match iam_json::document(&d.body, &d.file) {
                        Val::Known { value, .. } => {
                            Val::known(self.merge_sources(value, &d.body, &d.file, depth), v.span)
                        }
                        other => other,
                    }
                }
                _ => Val::unknown(
                    v.span,
                    format!("policy comes from `{address}`, not readable statically"),
                ),
            },
            TvKind::File { path, vars } => match self.read_json(path, vars.as_deref()) {
                Ok(doc) => match iam_json::document(&doc, path) {
                    Val::Known { value, .. } => Val::known(value, v.span),
                    other if path != file => moved(other, v.span),
                    other => other,
                },
                Err(why) => Val::unknown(v.span, why),
            },
            _ => iam_json::document(v, file),
        }
    }

    /// `source_policy_documents` first, then the document's own statements, then
    /// `override_policy_documents`; a later statement replaces an earlier one with its `Sid`.
    fn merge_sources(
        &self,
        own: PolicyDocument,
        body: &Tv,
        file: &str,
        depth: usize,
    ) -> PolicyDocument {
        const MAX_DEPTH: usize = 4;
        let sources = body.get(policy_document::SOURCES);
        let overrides = body.get(policy_document::OVERRIDES);
        if depth >= MAX_DEPTH || (sources.is_none() && overrides.is_none()) {
            return own;
        }
        let docs = |list: Option<&Tv>| -> Vec<PolicyDocument> {
            list.map(Tv::one_or_many)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|src| self.policy_depth(Some(src), file, depth + 1).get().cloned())
                .map(|mut d| {
                    // Statements written in another file are reported at this document.
                    if d.file != own.file {
                        d.statements = d
                            .statements
                            .into_iter()
                            .map(|st| iam_json::relocate(st, own.span))
                            .collect();
                    }
                    d
                })
                .collect()
        };
        let mut statements = Vec::new();
        let layers = docs(sources)
            .into_iter()
            .map(|d| d.statements)
            .chain(std::iter::once(own.statements.clone()))
            .chain(docs(overrides).into_iter().map(|d| d.statements));
        for layer in layers {
            for st in layer {
                match st.sid.as_str().filter(|s| !s.is_empty()) {
                    Some(sid) => {
                        if let Some(slot) = statements
                            .iter_mut()
                            .find(|e: &&mut crate::model::Statement| e.sid.as_str() == Some(sid))
                        {
                            *slot = st;
                        } else {
                            statements.push(st);
                        }
                    }
                    None => statements.push(st),
                }
            }
        }
        PolicyDocument { statements, ..own }
    }

    /// A JSON file of the scan, parsed with the scan's limits.
    /// A `templatefile()` is rendered with its variables first.
    fn read_json(&self, path: &str, vars: Option<&Tv>) -> Result<Tv, String> {
        let ctx = self.ctx.ok_or("file contents are not available here")?;
        let f = ctx
            .file(path)
            .ok_or_else(|| format!("`{path}` is not among the scanned files"))?;
        let mut text = ctx.text(f).map_err(|e| format!("`{path}`: {e}"))?;
        if let Some(vars) = vars {
            text = super::eval::render_template(&text, vars)
                .map_err(|e| format!("`{path}`: {e}"))?
                .into();
        }
        let doc = tollgate_syntax::parse(&text, Format::Json, ctx.limits())
            .map_err(|e| format!("`{path}` is not JSON: {}", e.message))?;
        doc.root()
            .map(Tv::from_node)
            .ok_or_else(|| format!("`{path}` is empty"))
    }

    /// Resources of `type_name` whose `key` argument points at `target` (by reference or by the
    /// target's literal name, as in plan JSON).
    pub fn attached(
        &self,
        type_name: &'a str,
        key: &'a str,
        target: &'a TfResource,
        names: &[&str],
    ) -> Vec<&'a TfResource> {
        let index = self
            .attachments
            .borrow_mut()
            .entry((type_name, key))
            .or_insert_with(|| {
                let of_type = self.by_type.get(type_name).map_or(&[][..], Vec::as_slice);
                Rc::new(Attachments::new(of_type, key))
            })
            .clone();
        // A string naming the target: the whole of it, or what follows its last `:` or `/`
        // (the index holds every such ending).
        let mut found: BTreeSet<usize> = index
            .by_address
            .get(target.address.as_str())
            .into_iter()
            .flatten()
            .copied()
            .collect();
        for name in names
            .iter()
            .filter_map(|n| target.body.get(n).and_then(Tv::as_str))
            .filter(|n| !n.is_empty())
        {
            found.extend(index.by_name.get(name).into_iter().flatten().copied());
        }
        found.into_iter().map(|i| index.resources[i]).collect()
    }
}

/// The value, known or unknown, now spanned at `at`; absent stays absent.
pub fn moved<T>(v: Val<T>, at: tollgate_syntax::Span) -> Val<T> {
    match v {
        Val::Known { value, .. } => Val::known(value, at),
        Val::Unknown { reason, .. } => Val::unknown(at, reason),
        Val::Absent => Val::Absent,
    }
}

/// A value written in `from` and joined to a resource declared in `to.file`: reported at the
/// resource's header when the files differ, so a finding never points at a line of the wrong
/// file.
pub fn in_file<T>(v: Val<T>, from: &str, to: &ResourceMeta) -> Val<T> {
    if from == to.file {
        v
    } else {
        moved(v, to.header)
    }
}

/// `aws_kms_key.main` → `aws_kms_key`; `data.aws_kms_key.x` → `aws_kms_key`;
/// `module.m.aws_kms_key.k` → `aws_kms_key`.
fn type_of_address(address: &str) -> Option<String> {
    let parts: Vec<&str> = address.split('.').collect();
    (parts.len() >= 2).then(|| parts[parts.len() - 2].to_string())
}

/// A string value (numbers and booleans as written). References are resolved at apply time,
/// so they are unknown here.
pub fn string(v: Option<&Tv>) -> Val<String> {
    let Some(v) = v else { return Val::Absent };
    match &v.kind {
        TvKind::Null => Val::Absent,
        TvKind::Unknown(r) => Val::unknown(v.span, r.clone()),
        TvKind::Ref { .. } => Val::unknown(
            v.span,
            format!(
                "{} is known only after apply",
                v.render().unwrap_or_default()
            ),
        ),
        _ => match v.as_str() {
            Some(s) => Val::known(s.to_string(), v.span),
            None => Val::unknown(v.span, "expected a string"),
        },
    }
}

pub fn boolean(v: Option<&Tv>) -> Val<bool> {
    scalar(v, Tv::as_bool, "expected a boolean")
}

pub fn integer(v: Option<&Tv>) -> Val<i64> {
    scalar(v, Tv::as_i64, "expected an integer")
}

/// A scalar read with `read`; null is absent, anything `read` refuses is unknown.
fn scalar<T>(v: Option<&Tv>, read: impl Fn(&Tv) -> Option<T>, expected: &str) -> Val<T> {
    let Some(v) = v else { return Val::Absent };
    match &v.kind {
        TvKind::Null => Val::Absent,
        TvKind::Unknown(r) => Val::unknown(v.span, r.clone()),
        _ => match read(v) {
            Some(x) => Val::known(x, v.span),
            None => Val::unknown(v.span, expected),
        },
    }
}

/// An inline `policy` argument: a resource policy carrying its owner's metadata.
pub fn inline_policy(
    m: &Mapper<'_>,
    meta: &ResourceMeta,
    v: &Tv,
    file: &str,
) -> crate::model::ResourcePolicy {
    crate::model::ResourcePolicy {
        meta: meta.clone(),
        targets: Vec::new(),
        document: m.policy(Some(v), file),
    }
}

/// A list of strings, one entry per element; an unknown list is one unknown entry.
pub fn strings(v: Option<&Tv>) -> Vec<Val<String>> {
    match v {
        None => Vec::new(),
        Some(v) => match &v.kind {
            TvKind::Unknown(r) => vec![Val::unknown(v.span, r.clone())],
            TvKind::List(items) => items.iter().map(|i| string(Some(i))).collect(),
            TvKind::Null => Vec::new(),
            _ => vec![string(Some(v))],
        },
    }
}
