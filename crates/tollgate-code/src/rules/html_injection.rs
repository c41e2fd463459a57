//! TG6008: event data is echoed into an HTML response.

use tollgate_core::{Rule, Severity};

use super::{code_rule, Call, Response, SinkMatch, SinkRule, SANITIZER_NOTE};
use crate::taint::SinkClass;

pub struct HtmlInjection;

impl SinkRule for HtmlInjection {
    fn meta(&self) -> Rule {
        code_rule(
            "TG6008",
            "code-html-injection",
            Severity::Medium,
            "Event data echoed into an HTML response",
            "CWE-79",
            "OWASP-SAS-1",
        )
        .description(
            "The handler returns an API Gateway response whose `body` is HTML (a `Content-Type` \
             of `text/html`, or markup in the text it is built from) and holds event data that \
             was not escaped. A link that carries a script runs it in the browser of whoever \
             opens it, with that user's session.",
        )
        .remediation(format!(
            "Escape values before putting them in markup (`html.escape`, `markupsafe.escape`, \
             `escape-html`, `he.encode`), or return JSON with \
             `Content-Type: application/json`. {SANITIZER_NOTE}"
        ))
    }

    fn class(&self) -> SinkClass {
        SinkClass::Html
    }

    fn check_call(&self, _call: &Call) -> Option<SinkMatch> {
        None
    }

    fn check_response(&self, response: &Response) -> Option<SinkMatch> {
        let html = match response.content_type.as_deref() {
            Some(ct) => ct.to_ascii_lowercase().contains("html"),
            None => response.has_markup,
        };
        if !html {
            return None;
        }
        let t = response.body.tainted_for(SinkClass::Html)?;
        SinkMatch::new(t, "the HTML response body")
    }
}
