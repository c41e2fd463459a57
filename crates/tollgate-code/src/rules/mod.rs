//! The sink rules, one file per class of dangerous call. A rule is its metadata plus a check
//! that looks at one call (or one returned response) whose arguments the analysis has already
//! judged, and says whether untrusted data reaches the dangerous part of it.

use tollgate_core::{Rule, Severity};

use crate::lang::Lang;
use crate::taint::{SinkClass, Taint};

mod code_execution;
mod command_execution;
mod deserialization;
mod html_injection;
mod nosql_injection;
mod path_traversal;
mod sensitive_logging;
mod sql_injection;
mod ssrf;

/// Name of the stage, as `--stages` and rules know it.
pub const STAGE: &str = "code";

/// One argument as the rules see it.
#[derive(Debug, Clone)]
pub struct Arg {
    pub taint: Option<Taint>,
    /// tree-sitter node kind: `string`, `list`, `object`, `identifier`...
    pub kind: String,
    /// Source text, for constant flags (`shell=True`, `Loader=yaml.SafeLoader`).
    pub text: String,
    /// The entries of an object or dict literal (`{ shell: true }`), each judged.
    pub props: Vec<Prop>,
    /// Passed as `*args` / `**kwargs` / `...spread`.
    pub splat: bool,
}

impl Arg {
    /// The argument's taint, unless a sanitizer cleared it for `class`.
    pub fn tainted_for(&self, class: SinkClass) -> Option<&Taint> {
        self.taint.as_ref().filter(|t| !t.is_cleared(class))
    }

    pub fn prop(&self, key: &str) -> Option<&Prop> {
        self.props.iter().find(|p| p.key == key)
    }
}

/// One entry of an object literal argument.
#[derive(Debug, Clone)]
pub struct Prop {
    pub key: String,
    pub text: String,
    pub taint: Option<Taint>,
}

/// One call with its arguments judged.
#[derive(Debug, Clone)]
pub struct Call {
    pub lang: Lang,
    /// The callee as a library name when it is one: `subprocess.run`, `child_process.exec`,
    /// `eval`, `yaml.YAML().load`. None for methods of local objects.
    pub canonical: Option<String>,
    /// The last name of the callee: `execute` for `cur.execute(...)`.
    pub method: Option<String>,
    /// The callee as written.
    pub callee: String,
    /// The receiver as written (`cur` for `cur.execute`).
    pub receiver: String,
    pub is_new: bool,
    pub args: Vec<Arg>,
    pub kwargs: Vec<(String, Arg)>,
    /// The function's role can reach PHI- or PCI-classified data.
    pub classified_flow: bool,
}

impl Call {
    pub fn arg(&self, i: usize) -> Option<&Arg> {
        self.args.iter().filter(|a| !a.splat).nth(i)
    }

    pub fn kw(&self, name: &str) -> Option<&Arg> {
        self.kwargs.iter().find(|(k, _)| k == name).map(|(_, a)| a)
    }

    /// Positional argument `i`, or the keyword `name`.
    pub fn param(&self, i: usize, name: &str) -> Option<&Arg> {
        self.kw(name).or_else(|| self.arg(i))
    }

    /// Whether the callee is one of `names` (canonical names).
    pub fn is(&self, names: &[&str]) -> bool {
        self.canonical
            .as_deref()
            .is_some_and(|c| names.contains(&c))
    }

    /// The callee's canonical name starts with `module.` (or is `module`).
    pub fn in_module(&self, module: &str) -> bool {
        self.canonical.as_deref().is_some_and(|c| {
            c.strip_prefix(module)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
    }

    /// The first argument (positional or splatted) carrying untrusted data for `class`.
    pub fn any_tainted(&self, class: SinkClass) -> Option<&Taint> {
        self.args
            .iter()
            .chain(self.kwargs.iter().map(|(_, a)| a))
            .find_map(|a| a.tainted_for(class))
    }

    /// Words for the sink: `subprocess.run()`.
    pub fn name(&self) -> String {
        let name = self.canonical.as_deref().unwrap_or(&self.callee);
        format!("`{}()`", name.replace("()", ""))
    }
}

/// What a handler returns as an HTTP response.
#[derive(Debug, Clone)]
pub struct Response {
    pub body: Arg,
    /// The `Content-Type` header, when written as a literal.
    pub content_type: Option<String>,
    /// The body is built from text that holds HTML markup (`"<p>" + name`).
    pub has_markup: bool,
}

/// A rule matched: which value reached the sink, and words for the sink.
#[derive(Debug, Clone)]
pub struct SinkMatch {
    pub taint: Taint,
    pub what: String,
}

impl SinkMatch {
    pub fn new(taint: &Taint, what: impl Into<String>) -> Option<SinkMatch> {
        Some(SinkMatch {
            taint: taint.clone(),
            what: what.into(),
        })
    }
}

pub trait SinkRule: Sync {
    fn meta(&self) -> Rule;
    fn class(&self) -> SinkClass;
    fn check_call(&self, call: &Call) -> Option<SinkMatch>;
    fn check_response(&self, _response: &Response) -> Option<SinkMatch> {
        None
    }
}

/// Every rule, in code order: the registration table.
pub fn all() -> &'static [&'static dyn SinkRule] {
    &[
        &command_execution::CommandExecution,
        &code_execution::CodeExecution,
        &deserialization::Deserialization,
        &sql_injection::SqlInjection,
        &nosql_injection::NoSqlInjection,
        &ssrf::Ssrf,
        &path_traversal::PathTraversal,
        &html_injection::HtmlInjection,
        &sensitive_logging::SensitiveLogging,
    ]
}

/// A rule of this stage with its common parts.
pub fn code_rule(
    code: &str,
    name: &str,
    severity: Severity,
    title: &str,
    cwe: &str,
    owasp: &str,
) -> Rule {
    Rule::new(code, name, STAGE, severity, title)
        .help_uri(format!(
            "https://github.com/tollgate-dev/tollgate/blob/main/docs/rules/{code}.md"
        ))
        .tags(["code", "lambda", cwe, owasp])
        .precision(tollgate_core::Precision::Medium)
}

/// The remediation text every rule ends with: how to tell tollgate a value is safe.
pub const SANITIZER_NOTE: &str = "tollgate stops a trace at casts to a number or boolean, at an \
    allow-list check against constants (`if x not in ALLOWED: return`, `ALLOWED.includes(x)`), \
    and at the sanitizers named for each rule.";
