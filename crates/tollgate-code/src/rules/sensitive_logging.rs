//! TG6009: the whole event, or the request of a function that handles classified data, is
//! written to the logs.

use tollgate_core::{Rule, Severity};

use super::{code_rule, Call, SinkMatch, SinkRule};
use crate::taint::SinkClass;

pub struct SensitiveLogging;

const PY_LOG_METHODS: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "log",
];
const JS_LOG_METHODS: &[&str] = &["log", "info", "warn", "error", "debug", "trace"];

/// Event fields that carry what a caller sent: credentials in headers, personal data in the
/// body.
const REQUEST_FIELDS: &[&str] = &[
    "body",
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
];

impl SinkRule for SensitiveLogging {
    fn meta(&self) -> Rule {
        code_rule(
            "TG6009",
            "code-sensitive-data-logged",
            Severity::Low,
            "Event or request data written to logs",
            "CWE-532",
            "OWASP-SAS-8",
        )
        .description(
            "The handler logs its whole event (`print(event)`, `logger.info(event)`, \
             `console.log(event)`), or, when its role can reach PHI- or PCI-classified data, \
             the request's body, headers or query string. Events carry authorization headers, \
             tokens and personal data; CloudWatch Logs keep them readable by everyone with log \
             access, for as long as the retention says.",
        )
        .remediation(
            "Log the fields you need to trace a request (request id, route, status), not the \
             event. Redact tokens and personal data before logging.",
        )
    }

    fn class(&self) -> SinkClass {
        SinkClass::Logging
    }

    fn check_call(&self, call: &Call) -> Option<SinkMatch> {
        let is_log = if call.lang.is_python() {
            call.is(&[
                "print",
                "logging.info",
                "logging.debug",
                "logging.warning",
                "logging.error",
                "logging.exception",
                "logging.critical",
            ]) || call
                .method
                .as_deref()
                .is_some_and(|m| PY_LOG_METHODS.contains(&m))
                && call.receiver.to_ascii_lowercase().contains("log")
        } else {
            call.in_module("console")
                || call
                    .method
                    .as_deref()
                    .is_some_and(|m| JS_LOG_METHODS.contains(&m))
                    && call.receiver.to_ascii_lowercase().contains("log")
        };
        if !is_log {
            return None;
        }
        for arg in call.args.iter().chain(call.kwargs.iter().map(|(_, a)| a)) {
            let Some(t) = arg.tainted_for(SinkClass::Logging) else {
                continue;
            };
            if t.whole_event {
                return SinkMatch::new(t, format!("{} (the whole event)", call.name()));
            }
            let request = t
                .field
                .first()
                .is_some_and(|f| REQUEST_FIELDS.contains(&f.as_str()));
            if call.classified_flow && request && t.field.len() == 1 {
                return SinkMatch::new(
                    t,
                    format!(
                        "{} (the request of a function that handles classified data)",
                        call.name()
                    ),
                );
            }
        }
        None
    }
}
