//! TG6003: untrusted event data is deserialized by a format that can build arbitrary objects.

use tollgate_core::{Rule, Severity};

use super::{code_rule, Call, SinkMatch, SinkRule, SANITIZER_NOTE};
use crate::taint::SinkClass;

pub struct Deserialization;

/// Calls that turn bytes into objects with code in them, whatever the arguments.
const ALWAYS: &[&str] = &[
    "pickle.loads",
    "pickle.load",
    "pickle.Unpickler",
    "_pickle.loads",
    "cPickle.loads",
    "dill.loads",
    "dill.load",
    "shelve.open",
    "jsonpickle.decode",
    "jsonpickle.loads",
    "yaml.unsafe_load",
    "yaml.unsafe_load_all",
    "ruamel.yaml.load",
    "ruamel.yaml.unsafe_load",
    "marshal.loads",
    "node-serialize.unserialize",
    "serialize-javascript.deserialize",
    "funcster.deepDeserialize",
];

/// Loaders that make `yaml.load` safe.
const SAFE_LOADERS: &[&str] = &["SafeLoader", "CSafeLoader", "BaseLoader"];

impl SinkRule for Deserialization {
    fn meta(&self) -> Rule {
        code_rule(
            "TG6003",
            "code-insecure-deserialization",
            Severity::High,
            "Event data is deserialized with an unsafe format",
            "CWE-502",
            "OWASP-SAS-4",
        )
        .equivalents(["B301", "B506"])
        .description(
            "A value from the function's event is given to a deserializer that can build \
             arbitrary objects and so run code: `pickle`/`_pickle`/`cPickle`, `dill`, `shelve`, \
             `jsonpickle`, `marshal`, `yaml.load` without a safe loader, `yaml.unsafe_load`, \
             `ruamel.yaml`'s unsafe loading, Node's `node-serialize` `unserialize`.",
        )
        .remediation(format!(
            "Exchange data as JSON (`json.loads`, `JSON.parse`) or load YAML with \
             `yaml.safe_load`. If objects must be signed and restored, verify an HMAC before \
             deserializing. {SANITIZER_NOTE}"
        ))
    }

    fn class(&self) -> SinkClass {
        SinkClass::Deserialization
    }

    fn check_call(&self, call: &Call) -> Option<SinkMatch> {
        let class = SinkClass::Deserialization;
        let first = || call.any_tainted(class);
        if call.is(ALWAYS) {
            return SinkMatch::new(first()?, call.name());
        }
        if call.is(&["yaml.load", "yaml.load_all"]) {
            let loader = call.param(1, "Loader").map(|a| a.text.as_str());
            let safe = loader.is_some_and(|l| SAFE_LOADERS.iter().any(|s| l.ends_with(s)));
            if safe {
                return None;
            }
            let t = call.param(0, "stream")?.tainted_for(class)?;
            return SinkMatch::new(t, format!("{} without a safe loader", call.name()));
        }
        // ruamel: `YAML(typ="unsafe").load(x)`
        if let Some(c) = call.canonical.as_deref() {
            if c.ends_with("YAML().load") && call.receiver.contains("unsafe") {
                let t = call.arg(0)?.tainted_for(class)?;
                return SinkMatch::new(t, "`ruamel.yaml.YAML(typ=\"unsafe\").load()`");
            }
        }
        None
    }
}
