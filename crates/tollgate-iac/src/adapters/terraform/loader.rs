//! Reads the Terraform configurations of a scan: every directory of `*.tf`/`*.tf.json` files is
//! a module; directories called by another one through a local `source = "./..."` are evaluated
//! as child modules with their inputs, the rest as root modules with `terraform.tfvars` and
//! `*.auto.tfvars`. Remote modules are never fetched and paths never leave the scanned root.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use tollgate_core::{FileKind, Location, Notification, ParseError, ScanContext, SourceFile};
use tollgate_syntax::{Document, Format, Span};

use super::blocks::{self, attr, body_entries, RawBlock};
use super::eval::{At, Def, Scope};
use super::policy_document;
use super::value::{Tv, TvKind};

/// Deepest chain of module calls followed.
const MAX_MODULE_DEPTH: usize = 8;

/// Most module instances evaluated in one scan (each call of a module is an instance; a
/// module calling another many times at every level would otherwise multiply).
const MAX_MODULE_INSTANCES: usize = 512;

/// Managed resource or data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Managed,
    Data,
}

/// One evaluated resource (or data source) of a configuration or a plan.
#[derive(Debug, Clone)]
pub struct TfResource {
    pub mode: Mode,
    /// `aws_s3_bucket`.
    pub type_name: String,
    pub name: String,
    /// `aws_s3_bucket.logs`, `module.api.aws_lambda_function.handler`, `data.aws_iam_policy_document.x`.
    pub address: String,
    /// Repository-relative file the resource is written in.
    pub file: String,
    /// The configuration it belongs to: the root module's directory (module instances belong
    /// to the root that calls them), or the plan file. Addresses are unique only within it.
    pub scope: String,
    /// The block header (or, in a plan, the resource's entry).
    pub header: Span,
    /// The evaluated body: attributes, nested blocks as objects (lists when repeated). For
    /// `aws_iam_policy_document` data sources, the policy in IAM JSON shape.
    pub body: Tv,
}

/// What the loader produced.
#[derive(Debug, Default)]
pub struct Loaded {
    pub resources: Vec<TfResource>,
    pub notifications: Vec<Notification>,
    /// Files read: unparsable ones, and those of every directory evaluated.
    pub reached: Vec<String>,
    /// The evaluator notes already turned into notifications (file, span, message), so that
    /// a module called several times says each once, without searching the list.
    noted: HashSet<(String, Span, String)>,
}

struct ParsedFile {
    path: String,
    json: bool,
    blocks: Vec<RawBlock>,
}

/// [`load`] once per run, shared by every stage that reads the evaluated modules (the IaC
/// stage's model and the policy stage's resources): evaluating them is a tenth of a policy
/// run over many Terraform configurations.
pub fn load_shared(ctx: &ScanContext) -> Arc<Loaded> {
    ctx.memo(load)
}

/// Load and evaluate every Terraform module in the scan.
pub fn load(ctx: &ScanContext) -> Loaded {
    let mut loaded = Loaded::default();
    let mut dirs: HashMap<String, Vec<ParsedFile>> = HashMap::new();
    // Files are parsed and their blocks collected on all cores, each document dropped once
    // its blocks are taken; the outcomes are then gathered in inventory order.
    let files: Vec<&SourceFile> = ctx
        .files_where(|k| matches!(k, FileKind::Terraform | FileKind::TerraformJson))
        .collect();
    let outcomes: Vec<Option<Result<std::thread::Result<Vec<RawBlock>>, ParseError>>> = {
        use rayon::prelude::*;
        files
            .par_iter()
            .map(|file| {
                if ctx.is_cancelled() {
                    return None;
                }
                let json = file.kind == FileKind::TerraformJson;
                Some(ctx.document(file).map(|doc| {
                    std::panic::catch_unwind(|| {
                        // A document no cache shares is taken apart rather than copied.
                        let root = match Arc::try_unwrap(doc) {
                            Ok(doc) => doc.roots.into_iter().next(),
                            Err(shared) => shared.root().cloned(),
                        };
                        root.map(|r| blocks::collect(r, json)).unwrap_or_default()
                    })
                }))
            })
            .collect()
    };
    for (file, outcome) in files.into_iter().zip(outcomes) {
        let Some(outcome) = outcome else {
            return loaded;
        };
        let json = file.kind == FileKind::TerraformJson;
        match outcome {
            Ok(collected) => {
                let Ok(blocks) = collected else {
                    // A bug tripped by this file costs this file only.
                    loaded
                        .notifications
                        .push(crate::adapters::adapter_failed(&file.path, "Terraform"));
                    continue;
                };
                dirs.entry(parent(&file.path))
                    .or_default()
                    .push(ParsedFile {
                        path: file.path.clone(),
                        json,
                        blocks,
                    });
            }
            Err(e) => {
                loaded.reached.push(file.path.clone());
                loaded
                    .notifications
                    .push(crate::adapters::parse_error(file, &e));
            }
        }
    }
    for files in dirs.values_mut() {
        files.sort_by(|a, b| a.path.cmp(&b.path));
    }
    // Directories called as local modules are evaluated through their callers.
    let mut called = BTreeSet::new();
    for (dir, files) in &dirs {
        for f in files {
            for b in f.blocks.iter().filter(|b| b.kind == "module") {
                if let Some(Ok(child)) = module_source(b).map(|s| resolve_dir(dir, &s)) {
                    if child != *dir {
                        called.insert(child);
                    }
                }
            }
        }
    }
    let mut roots: Vec<&String> = dirs.keys().filter(|d| !called.contains(*d)).collect();
    roots.sort();
    let loader = Loader {
        dirs: &dirs,
        tfvars: tfvars_by_dir(ctx),
        instances: std::cell::Cell::new(0),
        visited: std::cell::RefCell::new(BTreeSet::new()),
    };
    for dir in roots {
        if ctx.is_cancelled() {
            loaded.reached.extend(loader.reached_files());
            return loaded;
        }
        loader.isolated_root(ctx, dir, &mut loaded);
    }
    // Directories only called from a cycle of modules (or past the instance cap) were never
    // reached: check them on their own rather than not at all.
    let mut unreached: Vec<&String> = dirs
        .keys()
        .filter(|d| !loader.visited.borrow().contains(*d))
        .collect();
    unreached.sort();
    for dir in unreached {
        if ctx.is_cancelled() {
            break;
        }
        if !loader.visited.borrow().contains(dir) {
            loader.isolated_root(ctx, dir, &mut loaded);
        }
    }
    loaded.reached.extend(loader.reached_files());
    drop(loader);
    // The parsed blocks, a large part of a big scan's memory, freed on all cores rather than
    // on this thread alone while the other waits for the model.
    {
        use rayon::prelude::*;
        dirs.into_par_iter().for_each(drop);
    }
    loaded
}

/// One instance of a module: its address prefix, input values, and the AWS provider's
/// `default_tags` it inherits (file where written, tags).
struct Instance {
    prefix: String,
    root_dir: String,
    inputs: HashMap<String, (Option<String>, Tv)>,
    default_tags: Option<(String, Tv)>,
}

struct Loader<'a> {
    dirs: &'a HashMap<String, Vec<ParsedFile>>,
    /// Each directory's variable files ([`tfvars_by_dir`]), found in one pass over the
    /// inventory rather than one pass per root module.
    tfvars: HashMap<&'a str, Vec<&'a SourceFile>>,
    instances: std::cell::Cell<usize>,
    /// Directories evaluated at least once.
    visited: std::cell::RefCell<BTreeSet<String>>,
}

impl Loader<'_> {
    /// The files of every directory evaluated so far.
    fn reached_files(&self) -> Vec<String> {
        let visited = self.visited.borrow();
        visited
            .iter()
            .filter_map(|dir| self.dirs.get(dir))
            .flat_map(|files| files.iter().map(|f| f.path.clone()))
            .collect()
    }

    /// [`Self::root`], so that a bug tripped by one configuration costs that configuration
    /// only: its resources join `out` when evaluation finished; a panic is an error naming it.
    fn isolated_root(&self, ctx: &ScanContext, dir: &str, out: &mut Loaded) {
        let mut part = Loaded::default();
        let budget = crate::adapters::file_budget(ctx);
        let evaluated = tollgate_core::budget::run(budget, || self.root(ctx, dir, &mut part));
        match evaluated {
            Ok(()) => {
                out.resources.append(&mut part.resources);
                out.notifications.append(&mut part.notifications);
            }
            Err(stopped) => {
                let name = if dir.is_empty() { "." } else { dir };
                out.notifications
                    .push(crate::adapters::stopped_notification(
                        name,
                        "Terraform",
                        budget,
                        stopped,
                    ));
            }
        }
    }

    /// Evaluate `dir` as a root module, with its tfvars.
    fn root(&self, ctx: &ScanContext, dir: &str, out: &mut Loaded) {
        let files = self.tfvars.get(dir).map_or(&[][..], Vec::as_slice);
        let vars = tfvars(ctx, files, &mut out.notifications);
        let instance = Instance {
            prefix: String::new(),
            root_dir: dir.to_string(),
            inputs: vars,
            default_tags: None,
        };
        self.module(dir, &instance, &mut vec![dir.to_string()], out);
    }

    fn module(&self, dir: &str, instance: &Instance, stack: &mut Vec<String>, out: &mut Loaded) {
        let Some(files) = self.dirs.get(dir) else {
            return;
        };
        self.visited.borrow_mut().insert(dir.to_string());
        let prefix = instance.prefix.as_str();
        let inputs = &instance.inputs;
        let mut scope = Scope::new(prefix);
        scope.module_dir = dir.to_string();
        scope.root_dir = instance.root_dir.clone();
        let empty = Scope::new(prefix);
        for f in files {
            for b in &f.blocks {
                let at = At {
                    file: &f.path,
                    json: f.json,
                };
                match b.kind.as_str() {
                    "variable" => {
                        let Some(name) = b.labels.first() else {
                            continue;
                        };
                        if let Some(v) = inputs.get(name) {
                            scope.vars.insert(name.clone(), v.clone());
                        } else if let Some(d) = attr(&b.body, "default") {
                            scope
                                .vars
                                .insert(name.clone(), (Some(f.path.clone()), empty.eval(d, at)));
                        }
                    }
                    "locals" => {
                        for e in body_entries(&b.body) {
                            scope.locals.insert(
                                e.key.clone(),
                                Def {
                                    file: f.path.clone(),
                                    node: e.value.clone(),
                                    json: f.json,
                                },
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
        let default_tags = self
            .default_tags(files, &scope)
            .or_else(|| instance.default_tags.clone());
        for f in files {
            let at = At {
                file: &f.path,
                json: f.json,
            };
            for b in &f.blocks {
                match (b.kind.as_str(), b.labels.as_slice()) {
                    (kind @ ("resource" | "data"), [ty, name, ..]) => {
                        let mode = if kind == "data" {
                            Mode::Data
                        } else {
                            Mode::Managed
                        };
                        let local = if mode == Mode::Data {
                            format!("data.{ty}.{name}")
                        } else {
                            format!("{ty}.{name}")
                        };
                        match instances(&scope, &b.body, at) {
                            Instances::Some => {}
                            Instances::None => continue,
                            Instances::Unknown(span, why) => {
                                out.notifications.push(crate::adapters::unsupported(
                                    &f.path,
                                    span,
                                    format!("`{prefix}{local}` is not checked: {why}"),
                                ));
                                continue;
                            }
                        }
                        let mut body = scope.eval(&b.body, at);
                        if mode == Mode::Data && ty == "aws_iam_policy_document" {
                            body = policy_document::to_iam_json(&body);
                        }
                        if let (Mode::Managed, Some((file, tags))) = (mode, &default_tags) {
                            add_default_tags(&mut body, file, tags, &f.path, b.header);
                        }
                        out.resources.push(TfResource {
                            mode,
                            type_name: ty.clone(),
                            name: name.clone(),
                            address: format!("{prefix}{local}"),
                            file: f.path.clone(),
                            scope: instance.root_dir.clone(),
                            header: b.header,
                            body,
                        });
                    }
                    ("module", [name, ..]) => {
                        let call = Call {
                            dir,
                            root_dir: &instance.root_dir,
                            prefix,
                            name,
                            block: b,
                            default_tags: &default_tags,
                        };
                        self.call(&call, &scope, at, stack, out)
                    }
                    _ => {}
                }
            }
        }
        for n in scope.take_notes() {
            // A module called several times says the same thing once.
            if out
                .noted
                .insert((n.file.clone(), n.span, n.message.clone()))
            {
                let note = crate::adapters::unsupported(&n.file, n.span, n.message);
                out.notifications.push(note);
            }
        }
    }

    /// `provider "aws" { default_tags { tags = {...} } }` of this module (the unaliased one).
    fn default_tags(&self, files: &[ParsedFile], scope: &Scope) -> Option<(String, Tv)> {
        for f in files {
            for b in &f.blocks {
                if b.kind != "provider" || b.labels.first().map(String::as_str) != Some("aws") {
                    continue;
                }
                if attr(&b.body, "alias").is_some() {
                    continue;
                }
                let at = At {
                    file: &f.path,
                    json: f.json,
                };
                let body = scope.eval(&b.body, at);
                if let Some(tags) = body.block("default_tags").and_then(|d| d.get("tags")) {
                    return Some((f.path.clone(), tags.clone()));
                }
            }
        }
        None
    }

    fn call(
        &self,
        c: &Call<'_>,
        scope: &Scope,
        at: At<'_>,
        stack: &mut Vec<String>,
        out: &mut Loaded,
    ) {
        let (dir, prefix, name, b) = (c.dir, c.prefix, c.name, c.block);
        let note = |msg: String| {
            crate::adapters::unsupported(at.file, b.header, format!("module `{name}`: {msg}"))
        };
        match instances(scope, &b.body, at) {
            Instances::Some => {}
            // A module instantiated zero times creates nothing.
            Instances::None => return,
            Instances::Unknown(_, why) => {
                out.notifications
                    .push(note(format!("its resources are not checked: {why}")));
                return;
            }
        }
        let Some(source) = module_source(b) else {
            out.notifications.push(note(
                "`source` is not a literal string; its resources are not checked".into(),
            ));
            return;
        };
        let child = match resolve_dir(dir, &source) {
            Ok(c) => c,
            Err(why) => {
                out.notifications.push(note(why));
                return;
            }
        };
        if !self.dirs.contains_key(&child) {
            out.notifications
                .push(note(format!("no Terraform files found in `{child}`")));
            return;
        }
        if self.instances.get() >= MAX_MODULE_INSTANCES {
            out.notifications.push(note(format!(
                "more than {MAX_MODULE_INSTANCES} module instances in this scan; not followed"
            )));
            return;
        }
        self.instances.set(self.instances.get() + 1);
        if stack.len() >= MAX_MODULE_DEPTH || stack.contains(&child) {
            out.notifications.push(note(format!(
                "module calls nest deeper than {MAX_MODULE_DEPTH} or form a cycle through `{child}`; not followed"
            )));
            return;
        }
        let mut inputs = HashMap::new();
        for e in body_entries(&b.body) {
            if matches!(
                e.key.as_str(),
                "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
            ) {
                continue;
            }
            inputs.insert(e.key.clone(), (None, scope.eval(&e.value, at)));
        }
        stack.push(child.clone());
        let instance = Instance {
            prefix: format!("{prefix}module.{name}."),
            root_dir: c.root_dir.to_string(),
            inputs,
            default_tags: c.default_tags.clone(),
        };
        self.module(&child, &instance, stack, out);
        stack.pop();
    }
}

/// How many instances a resource or module block's `count` or `for_each` asks for.
enum Instances {
    /// At least one (or no meta-argument).
    Some,
    /// `count = 0`, `for_each` over an empty collection: nothing is created.
    None,
    /// Not known statically: where and why. Checking one instance would be guessing.
    Unknown(Span, String),
}

fn instances(scope: &Scope, body: &tollgate_syntax::Node, at: At<'_>) -> Instances {
    if let Some(count) = attr(body, "count") {
        let v = scope.eval(count, at);
        return match (&v.kind, v.as_i64()) {
            (_, Some(n)) if n <= 0 => Instances::None,
            (_, Some(_)) => Instances::Some,
            (TvKind::Unknown(why), _) => Instances::Unknown(
                count.span,
                format!("its `count` is not known statically ({why})"),
            ),
            _ => Instances::Unknown(count.span, "its `count` is not a number".into()),
        };
    }
    if let Some(for_each) = attr(body, "for_each") {
        let v = scope.eval(for_each, at);
        return match &v.kind {
            TvKind::Null => Instances::None,
            TvKind::List(items) if items.is_empty() => Instances::None,
            TvKind::Object(entries) if entries.is_empty() => Instances::None,
            TvKind::List(_) | TvKind::Object(_) => Instances::Some,
            TvKind::Unknown(why) => Instances::Unknown(
                for_each.span,
                format!("its `for_each` is not known statically ({why})"),
            ),
            _ => Instances::Unknown(
                for_each.span,
                "its `for_each` is not known statically".into(),
            ),
        };
    }
    Instances::Some
}

/// A `module` block being followed.
struct Call<'a> {
    dir: &'a str,
    root_dir: &'a str,
    prefix: &'a str,
    name: &'a str,
    block: &'a RawBlock,
    default_tags: &'a Option<(String, Tv)>,
}

/// The provider's default tags as the resource's `tags_all` (what the plan shows too); spans
/// from another file are moved to the resource header.
fn add_default_tags(body: &mut Tv, tags_file: &str, tags: &Tv, file: &str, header: Span) {
    let TvKind::Object(fields) = &mut body.kind else {
        return;
    };
    if fields.iter().any(|(k, _, _)| k == "tags_all") {
        return;
    }
    let mut tags = tags.clone();
    let key_span = if tags_file == file { tags.span } else { header };
    if tags_file != file {
        super::eval::respan(&mut tags, header);
    }
    fields.push(("tags_all".into(), key_span, tags));
}

fn module_source(b: &RawBlock) -> Option<String> {
    match &attr(&b.body, "source")?.value {
        tollgate_syntax::Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// The repository-relative directory of a local module source, or why it is not followed.
pub fn resolve_dir(dir: &str, source: &str) -> Result<String, String> {
    if !(source.starts_with("./") || source.starts_with("../")) {
        return Err(format!(
            "source `{source}` is not a local path; remote modules are never fetched"
        ));
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in source.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!(
                        "source `{source}` points outside the scanned directory"
                    ));
                }
            }
            s => parts.push(s),
        }
    }
    Ok(parts.join("/"))
}

fn parent(path: &str) -> String {
    parent_dir(path).to_string()
}

fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Every file [`load`] reads: the Terraform files and every directory's variable files.
pub fn inputs(ctx: &ScanContext) -> impl Iterator<Item = &SourceFile> {
    ctx.files_where(|k| matches!(k, FileKind::Terraform | FileKind::TerraformJson))
        .chain(tfvars_by_dir(ctx).into_values().flatten())
}

/// Every directory's variable files a root module reads: `terraform.tfvars`, then
/// `*.auto.tfvars` in name order (later files win), JSON forms too.
fn tfvars_by_dir(ctx: &ScanContext) -> HashMap<&str, Vec<&SourceFile>> {
    let mut by_dir: HashMap<&str, Vec<&SourceFile>> = HashMap::new();
    for f in ctx.files() {
        let name = f.path.rsplit('/').next().unwrap_or(&f.path);
        if matches!(name, "terraform.tfvars" | "terraform.tfvars.json")
            || name.ends_with(".auto.tfvars")
            || name.ends_with(".auto.tfvars.json")
        {
            by_dir.entry(parent_dir(&f.path)).or_default().push(f);
        }
    }
    for files in by_dir.values_mut() {
        files.sort_by_key(|f| (!f.path.contains("terraform.tfvars"), f.path.clone()));
    }
    by_dir
}

/// The variables set by a root module's variable `files` ([`tfvars_by_dir`]), later files
/// winning.
fn tfvars(
    ctx: &ScanContext,
    files: &[&SourceFile],
    notes: &mut Vec<Notification>,
) -> HashMap<String, (Option<String>, Tv)> {
    let mut vars = HashMap::new();
    let scope = Scope::new("");
    for f in files {
        let json = f.path.ends_with(".json");
        let doc: Result<Arc<Document>, String> =
            ctx.text(f).map_err(|e| e.to_string()).and_then(|t| {
                tollgate_syntax::parse(
                    &t,
                    if json { Format::Json } else { Format::Hcl },
                    ctx.limits(),
                )
                .map(Arc::new)
                .map_err(|e| match e.pos {
                    Some(p) => format!("{}:{}:{}: {}", f.path, p.line, p.col, e.message),
                    None => format!("{}: {}", f.path, e.message),
                })
            });
        let doc = match doc {
            Ok(d) => d,
            Err(msg) => {
                notes.push(
                    Notification::warning("parse-error", msg).at(Location::file(f.path.clone())),
                );
                continue;
            }
        };
        let Some(root) = doc.root() else { continue };
        for e in body_entries(root) {
            let v = scope.eval(
                &e.value,
                At {
                    file: &f.path,
                    json: false,
                },
            );
            vars.insert(e.key.clone(), (Some(f.path.clone()), v));
        }
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::resolve_dir;

    #[test]
    fn local_module_sources_resolve_inside_the_root_only() {
        assert_eq!(
            resolve_dir("infra", "./modules/api").as_deref(),
            Ok("infra/modules/api")
        );
        assert_eq!(
            resolve_dir("infra/env", "../../shared").as_deref(),
            Ok("shared")
        );
        assert!(resolve_dir("infra", "../../outside").is_err());
        assert!(resolve_dir("", "git::https://example.com/m.git").is_err());
        assert!(resolve_dir("", "terraform-aws-modules/lambda/aws").is_err());
    }
}
