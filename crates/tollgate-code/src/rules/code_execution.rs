//! TG6002: untrusted event data is run as code.

use tollgate_core::{Rule, Severity};

use super::{code_rule, Call, SinkMatch, SinkRule, SANITIZER_NOTE};
use crate::taint::SinkClass;

pub struct CodeExecution;

impl SinkRule for CodeExecution {
    fn meta(&self) -> Rule {
        code_rule(
            "TG6002",
            "code-eval-injection",
            Severity::High,
            "Event data is evaluated as code",
            "CWE-94",
            "OWASP-SAS-1",
        )
        .equivalents(["B307", "javascript.lang.security.audit.code-string-concat"])
        .description(
            "A value from the function's event is evaluated as program text: Python `eval`, \
             `exec`, `compile`; JavaScript `eval`, `Function`/`new Function`, `vm.runIn*Context`, \
             `new vm.Script`, or `setTimeout`/`setInterval` given a string. Whoever sends the \
             event runs code inside the function, with its role and its environment's secrets.",
        )
        .remediation(format!(
            "Never evaluate request data. Parse it as data (`json.loads`, `JSON.parse`, \
             `ast.literal_eval` for Python literals) and dispatch on an allow-list of \
             operations. {SANITIZER_NOTE}"
        ))
    }

    fn class(&self) -> SinkClass {
        SinkClass::Code
    }

    fn check_call(&self, call: &Call) -> Option<SinkMatch> {
        let class = SinkClass::Code;
        let first = || call.arg(0).and_then(|a| a.tainted_for(class));
        if call.lang.is_python() {
            if call.is(&["eval", "exec", "compile", "builtins.eval", "builtins.exec"]) {
                return SinkMatch::new(first()?, call.name());
            }
            return None;
        }
        if call.is(&["Function"]) {
            // Every argument is compiled: the parameter names and the body.
            return SinkMatch::new(call.any_tainted(class)?, call.name());
        }
        if call.is(&[
            "eval",
            "vm.runInNewContext",
            "vm.runInThisContext",
            "vm.runInContext",
            "vm.compileFunction",
            "vm.Script",
        ]) {
            return SinkMatch::new(first()?, call.name());
        }
        if call.is(&["setTimeout", "setInterval", "setImmediate"]) {
            // Only a string is compiled; a function is called.
            let arg = call.arg(0)?;
            if matches!(
                arg.kind.as_str(),
                "arrow_function" | "function_expression" | "function"
            ) {
                return None;
            }
            return SinkMatch::new(
                arg.tainted_for(class)?,
                format!("{} with a string", call.name()),
            );
        }
        None
    }
}
