//! Entry points: the handlers the templates declare, resolved to a file and a function, and
//! handlers found by convention in code no template names.

use tollgate_core::{Location, Notification, ScanContext};
use tollgate_iac::model::{CloudModel, LambdaFunction, SourceFormat};

use crate::lang::Lang;
use crate::paths::{join, parent};
use crate::rules::STAGE;

/// A function to trace from.
#[derive(Debug, Clone)]
pub struct EntryPoint {
    /// Repository path of the handler's file.
    pub file: String,
    /// The handler function's name.
    pub function: String,
    /// The function in the cloud model (its index in `model.lambdas`), when a template
    /// declares it.
    pub lambda: Option<usize>,
}

/// Directories that hold installed or vendored code, never the project's handlers.
const VENDORED: &[&str] = &[
    "node_modules/",
    "site-packages/",
    ".venv/",
    "venv/",
    ".aws-sam/",
    ".serverless/",
    "dist/",
    "build/",
    "__pycache__/",
];

pub fn is_vendored(path: &str) -> bool {
    // A directory of that name anywhere: at the start of the path or right after a `/`.
    VENDORED.iter().any(|v| {
        path.match_indices(v)
            .any(|(at, _)| at == 0 || path.as_bytes()[at - 1] == b'/')
    })
}

/// The handlers the model declares. A handler whose file cannot be found is a note, and the
/// run goes on.
pub fn declared(
    ctx: &ScanContext,
    model: &CloudModel,
    notes: &mut Vec<Notification>,
) -> Vec<EntryPoint> {
    let mut out = Vec::new();
    let by_name = FilesByName::new(ctx);
    for (i, f) in model.lambdas.iter().enumerate() {
        let Some(handler) = f.handler.as_str() else {
            continue;
        };
        if f.package_type.eq_ignore_case("Image") {
            continue;
        }
        if let (Some(runtime), []) = (f.runtime.as_str(), languages(f)) {
            // Java, Go, .NET, Ruby, custom runtimes: the handler is there, in a language this
            // stage does not read; saying its file is missing would be wrong.
            let at = f.runtime.span().map_or_else(
                || f.meta.header_location(),
                |s| Location::at(f.meta.file.clone(), s),
            );
            notes.push(
                Notification::note(
                    "runtime-not-read",
                    format!(
                        "{}: `{}` runs on `{runtime}`, and the code stage reads only Python, \
                         JavaScript and TypeScript handlers; its code is not checked",
                        f.meta.file, f.meta.address
                    ),
                )
                .at(at)
                .stage(STAGE),
            );
            continue;
        }
        match resolve_handler(ctx, &by_name, f, handler) {
            Some((file, function)) => out.push(EntryPoint {
                file,
                function,
                lambda: Some(i),
            }),
            None => {
                let at = f.handler.span().map_or_else(
                    || f.meta.header_location(),
                    |s| Location::at(f.meta.file.clone(), s),
                );
                notes.push(
                    Notification::note(
                        "handler-not-found",
                        format!(
                            "{}: the code of `{}` (handler `{handler}`) is not in the scanned files; its code is not checked",
                            f.meta.file, f.meta.address
                        ),
                    )
                    .at(at)
                    .stage(STAGE),
                );
            }
        }
    }
    out
}

/// Languages a runtime may be written in (unknown runtime: either).
fn languages(f: &LambdaFunction) -> &'static [Lang] {
    match f.runtime.as_str() {
        Some(r) if r.starts_with("python") => &[Lang::Python],
        Some(r) if r.starts_with("nodejs") => &[Lang::JavaScript, Lang::TypeScript],
        Some(_) => &[],
        None => &[Lang::Python, Lang::JavaScript, Lang::TypeScript],
    }
}

/// The file and function a handler string names: `app.handler`, `pkg.mod.fn` (Python),
/// `src/charge.handler` (Node, `.js`/`.mjs`/`.cjs`/`.ts`), under the function's code
/// directory.
fn resolve_handler(
    ctx: &ScanContext,
    by_name: &FilesByName<'_>,
    f: &LambdaFunction,
    handler: &str,
) -> Option<(String, String)> {
    let (module, function) = handler.rsplit_once('.')?;
    if module.is_empty() || function.is_empty() {
        return None;
    }
    let template_dir = parent(&f.meta.file);
    let files = handler_files(f, module);
    for code_dir in code_dirs(f, template_dir) {
        for file in &files {
            if let Some(path) = join(&code_dir, file).filter(|p| ctx.file(p).is_some()) {
                return Some((path, function.to_string()));
            }
        }
    }
    // Code packaged from elsewhere (a build step, an archive we cannot follow): the one file
    // under the template's directory that ends with the module's path.
    let under = if template_dir.is_empty() {
        String::new()
    } else {
        format!("{template_dir}/")
    };
    for file in &files {
        let suffix = format!("/{file}");
        let mut matches = by_name.named_like(file).filter(|path| {
            path.starts_with(&under)
                && (path.ends_with(&suffix) || *path == file.as_str())
                && !is_vendored(path)
        });
        if let (Some(only), None) = (matches.next(), matches.next()) {
            return Some((only.to_string(), function.to_string()));
        }
    }
    None
}

/// The scanned files by their last path component, in scan order: a handler whose code
/// directory cannot be followed is looked for by its file name among the few files of that
/// name, not among every file of the repository for every function.
struct FilesByName<'c> {
    paths: std::collections::HashMap<&'c str, Vec<&'c str>>,
}

impl<'c> FilesByName<'c> {
    fn new(ctx: &'c ScanContext) -> Self {
        let mut paths: std::collections::HashMap<&str, Vec<&str>> =
            std::collections::HashMap::new();
        for file in ctx.files() {
            paths
                .entry(last_component(&file.path))
                .or_default()
                .push(&file.path);
        }
        FilesByName { paths }
    }

    /// The paths whose last component is `file`'s.
    fn named_like<'s>(&'s self, file: &str) -> impl Iterator<Item = &'c str> + 's {
        self.paths
            .get(last_component(file))
            .into_iter()
            .flatten()
            .copied()
    }
}

fn last_component(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The file names a handler module may have, relative to the code directory, in the order
/// they are tried: `pkg/mod.py` for Python, `src/app.js` (`.mjs`, `.cjs`, `.ts`) for Node.
fn handler_files(f: &LambdaFunction, module: &str) -> Vec<String> {
    let mut out = Vec::new();
    for lang in languages(f) {
        let stem = if lang.is_python() {
            module.replace('.', "/")
        } else {
            module.to_string()
        };
        let exts: &[&str] = match lang {
            Lang::Python => &[".py"],
            Lang::JavaScript => &[".js", ".mjs", ".cjs"],
            Lang::TypeScript => &[".ts"],
        };
        out.extend(exts.iter().map(|ext| format!("{stem}{ext}")));
    }
    out
}

/// Where a function's code may be, most likely first. Terraform resolves relative paths
/// against the directory it runs in, and `path.module` evaluates to a repository path, so a
/// Terraform path is tried both under the template's directory and from the repository root;
/// a `source_file` names the handler's file, whose directory is the code directory.
fn code_dirs(f: &LambdaFunction, template_dir: &str) -> Vec<String> {
    let local = f.code_uri.as_str().filter(|uri| {
        // Archives and S3 locations are not code to read.
        !uri.contains("://")
            && !uri.ends_with(".zip")
            && !uri.ends_with(".jar")
            && f.meta.format != SourceFormat::Serverless
    });
    let Some(uri) = local else {
        return vec![template_dir.to_string()];
    };
    let uri = uri.trim_end_matches('/');
    let terraform = matches!(
        f.meta.format,
        SourceFormat::Terraform | SourceFormat::TerraformPlan
    );
    let is_source_file = terraform && Lang::of_path(uri).is_some();
    let dir = if is_source_file { parent(uri) } else { uri };
    let mut dirs: Vec<String> = join(template_dir, dir).into_iter().collect();
    if terraform {
        dirs.extend(join("", dir).filter(|d| !dirs.contains(d)));
    }
    if dirs.is_empty() {
        dirs.push(template_dir.to_string());
    }
    dirs
}

/// Function names that are entry points by convention.
pub const CONVENTIONAL: &[&str] = &["lambda_handler", "handler"];

#[cfg(test)]
mod tests {
    use super::is_vendored;

    #[test]
    fn vendored_directories_match_whole_names_only() {
        for path in [
            "node_modules/x/index.js",
            "svc/node_modules/x/index.js",
            ".venv/lib/a.py",
            "fn/venv/lib/a.py",
            "a/b/site-packages/c.py",
            "dist/app.js",
            "svc/.aws-sam/build/F/app.py",
            "pkg/__pycache__/m.py",
        ] {
            assert!(is_vendored(path), "{path}");
        }
        for path in [
            "src/app.py",
            "mynode_modules/x.js",
            "a.venv/b.py",
            "distribution/app.js",
            "src/build.js",
            "rebuild/app.js",
            "svc/my-dist/app.js",
        ] {
            assert!(!is_vendored(path), "{path}");
        }
    }
}
