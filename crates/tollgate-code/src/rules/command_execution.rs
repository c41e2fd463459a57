//! TG6001: untrusted event data reaches a shell.

use tollgate_core::{Rule, Severity};

use super::{code_rule, Call, SinkMatch, SinkRule, SANITIZER_NOTE};
use crate::taint::SinkClass;

pub struct CommandExecution;

/// Python calls that always run their command through a shell.
const PY_SHELL: &[&str] = &[
    "os.system",
    "os.popen",
    "os.popen2",
    "os.popen3",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
    "commands.getoutput",
    "asyncio.create_subprocess_shell",
];
/// Python calls that use a shell only with `shell=True`.
const PY_MAYBE_SHELL: &[&str] = &[
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.Popen",
];

impl SinkRule for CommandExecution {
    fn meta(&self) -> Rule {
        code_rule(
            "TG6001",
            "code-command-injection",
            Severity::High,
            "Event data reaches a shell command",
            "CWE-78",
            "OWASP-SAS-1",
        )
        .equivalents(["python.lang.security.audit.subprocess-shell-true", "B602", "B605"])
        .description(
            "A value taken from the function's event (request body, query string, message body, \
             object key) is part of a command that a shell runs: `os.system`, `os.popen`, \
             `subprocess` with `shell=True`, `asyncio.create_subprocess_shell`, Node's \
             `child_process.exec`/`execSync`, or `spawn`/`execFile` with `shell: true`. \
             Anyone who can send the event can run any command with the function's role.",
        )
        .remediation(format!(
            "Pass the program and its arguments as a list without a shell \
             (`subprocess.run([\"convert\", name])`, `execFile(\"convert\", [name])`), or quote \
             with `shlex.quote`. Better, check the value against an allow-list first. {SANITIZER_NOTE}"
        ))
    }

    fn class(&self) -> SinkClass {
        SinkClass::Command
    }

    fn check_call(&self, call: &Call) -> Option<SinkMatch> {
        let class = SinkClass::Command;
        if call.lang.is_python() {
            if call.is(PY_SHELL) {
                let t = call.param(0, "cmd").and_then(|a| a.tainted_for(class))?;
                return SinkMatch::new(t, call.name());
            }
            if call.is(PY_MAYBE_SHELL) {
                let shell = call.kw("shell").is_some_and(|a| a.text != "False");
                let command = call.param(0, "args")?;
                let t = command.tainted_for(class)?;
                // A list without a shell runs the program directly: arguments cannot inject.
                if shell {
                    return SinkMatch::new(t, format!("{} with `shell=True`", call.name()));
                }
                return None;
            }
            return None;
        }
        let cp = |m: &str| call.is(&[&format!("child_process.{m}")]);
        if cp("exec") || cp("execSync") {
            let t = call.arg(0).and_then(|a| a.tainted_for(class))?;
            return SinkMatch::new(t, call.name());
        }
        if cp("spawn") || cp("spawnSync") || cp("execFile") || cp("execFileSync") {
            let shell = call
                .args
                .iter()
                .any(|a| a.prop("shell").is_some_and(|p| p.text != "false"));
            if !shell {
                return None;
            }
            let t = call
                .args
                .iter()
                .take(2)
                .find_map(|a| a.tainted_for(class))?;
            return SinkMatch::new(t, format!("{} with `shell: true`", call.name()));
        }
        None
    }
}
