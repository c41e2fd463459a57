//! TG6007: a file path is taken from untrusted event data.

use tollgate_core::{Rule, Severity};

use super::{code_rule, Call, SinkMatch, SinkRule, SANITIZER_NOTE};
use crate::taint::SinkClass;

pub struct PathTraversal;

/// Python calls whose first argument is a path.
const PY_PATH_FIRST: &[&str] = &[
    "open",
    "io.open",
    "codecs.open",
    "os.remove",
    "os.unlink",
    "os.rmdir",
    "os.open",
    "os.listdir",
    "os.makedirs",
    "shutil.rmtree",
    "shutil.copy",
    "shutil.copyfile",
    "shutil.copy2",
    "shutil.move",
    "send_file",
    "flask.send_file",
    "pathlib.Path",
    "tarfile.open",
    "zipfile.ZipFile",
];

/// Node `fs` calls whose first argument is a path.
fn is_fs_path_call(call: &Call) -> bool {
    call.in_module("fs") || call.in_module("fs-extra") || call.in_module("fs.promises")
}

impl SinkRule for PathTraversal {
    fn meta(&self) -> Rule {
        code_rule(
            "TG6007",
            "code-path-traversal",
            Severity::Medium,
            "File path taken from event data",
            "CWE-22",
            "OWASP-SAS-1",
        )
        .description(
            "A file is opened, read, written, copied or deleted (`open`, `os.remove`, `shutil`, \
             `send_file`, Node's `fs.*`, `res.sendFile`) at a path that comes from the event. \
             `../` in it reaches files outside the intended directory: `/proc/self/environ` \
             holds the function's credentials, `/var/task` its code.",
        )
        .remediation(format!(
            "Keep only the file name (`os.path.basename`, `path.basename`) and join it to a fixed \
             directory, or look the name up in an allow-list. {SANITIZER_NOTE}"
        ))
    }

    fn class(&self) -> SinkClass {
        SinkClass::Path
    }

    fn check_call(&self, call: &Call) -> Option<SinkMatch> {
        let class = SinkClass::Path;
        let hit = if call.lang.is_python() {
            call.is(PY_PATH_FIRST)
                || call.canonical.as_deref().is_some_and(|c| {
                    c.starts_with("shutil.") || c.starts_with("os.path.") && c.ends_with("getsize")
                })
        } else {
            is_fs_path_call(call)
                || matches!(call.method.as_deref(), Some("sendFile" | "download"))
                    && call.canonical.is_none()
        };
        if !hit {
            return None;
        }
        let t = if call.lang.is_python() {
            call.param(0, "file").and_then(|a| a.tainted_for(class))
        } else {
            call.arg(0).and_then(|a| a.tainted_for(class))
        }?;
        SinkMatch::new(t, call.name())
    }
}
