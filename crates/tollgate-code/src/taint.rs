//! What the analysis carries along a value: that it came from the handler's event, which
//! field of it, what sanitizers it went through, and the steps it took.

use std::sync::Arc;

use tollgate_syntax::Span;

/// A class of dangerous call; a sanitizer clears a value for some classes only (`shlex.quote`
/// makes a shell argument safe, not a file path).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SinkClass {
    Command,
    Code,
    Deserialization,
    Sql,
    NoSql,
    Ssrf,
    Path,
    Html,
    Logging,
}

impl SinkClass {
    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// What a value's shape is known to be: a parsed object (`json.loads`) is not a query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Unknown,
    Text,
    Object,
}

/// Where the untrusted data entered: the handler's event parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub path: String,
    pub span: Span,
    /// The parameter's name (`event`).
    pub param: String,
    /// The handler function's name.
    pub handler: String,
    /// The handler's triggers, in words, for naming event fields (`api`, `sqs`, `s3`...).
    pub triggers: Vec<&'static str>,
}

/// One step of a flow: an assignment, a call into a helper, a return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub path: Arc<str>,
    pub span: Span,
    pub message: String,
}

/// Flows longer than this keep their first steps: enough to follow, bounded in SARIF.
const MAX_STEPS: usize = 24;

/// The steps of a flow as a list shared between the values it branched into: the last step
/// and the steps before it. A taint is copied every time a tainted name is read, and copying
/// a vector of steps (each with its message) made that the trace's most frequent allocation;
/// sharing makes the copy one reference count. At most [`MAX_STEPS`] long, so dropping it
/// link by link stays shallow.
#[derive(Debug)]
struct Steps {
    last: Step,
    before: Option<Arc<Steps>>,
    len: usize,
}

#[derive(Debug, Clone)]
pub struct Taint {
    pub origin: Arc<Origin>,
    /// The event fields taken so far (`body`, `queryStringParameters`, `id`), while the value is
    /// still the field itself.
    pub field: Vec<String>,
    /// Only fields taken (and JSON parsed): the value is the event field itself.
    pub pure: bool,
    pub shape: Shape,
    /// The value holds the whole event (itself, or built from it without taking a field).
    pub whole_event: bool,
    cleared: u16,
    steps: Option<Arc<Steps>>,
}

impl Taint {
    pub fn source(origin: Arc<Origin>) -> Taint {
        Taint {
            origin,
            field: Vec::new(),
            pure: true,
            shape: Shape::Object,
            whole_event: true,
            cleared: 0,
            steps: None,
        }
    }

    /// The value of field `name` of this one.
    pub fn field(mut self, name: &str) -> Taint {
        if self.pure && self.field.len() < 6 {
            self.field.push(name.to_string());
        }
        if self.pure {
            self.whole_event = false;
        }
        self.shape = Shape::Unknown;
        self
    }

    /// A value computed from this one (concatenated, formatted, passed through a call).
    pub fn derived(mut self, shape: Shape) -> Taint {
        self.pure = false;
        self.shape = shape;
        self
    }

    /// The same value seen as another shape (parsed, serialised).
    pub fn shaped(mut self, shape: Shape) -> Taint {
        self.shape = shape;
        self
    }

    pub fn step(mut self, path: &Arc<str>, span: Span, message: impl Into<String>) -> Taint {
        let len = self.steps.as_ref().map_or(0, |s| s.len);
        if len < MAX_STEPS {
            self.steps = Some(Arc::new(Steps {
                last: Step {
                    path: Arc::clone(path),
                    span,
                    message: message.into(),
                },
                before: self.steps.take(),
                len: len + 1,
            }));
        }
        self
    }

    /// The steps the value took, first to last.
    pub fn steps(&self) -> Vec<&Step> {
        let mut out = Vec::with_capacity(self.steps.as_ref().map_or(0, |s| s.len));
        let mut at = self.steps.as_deref();
        while let Some(s) = at {
            out.push(&s.last);
            at = s.before.as_deref();
        }
        out.reverse();
        out
    }

    pub fn clear(mut self, mask: u16) -> Taint {
        self.cleared |= mask;
        self
    }

    pub fn clear_class(self, class: SinkClass) -> Taint {
        self.clear(class.bit())
    }

    /// Whether a sanitizer made this value safe for `class`.
    pub fn is_cleared(&self, class: SinkClass) -> bool {
        self.cleared & class.bit() != 0
    }

    /// `event.queryStringParameters.host`.
    pub fn describe(&self) -> String {
        let mut out = format!("`{}", self.origin.param);
        for f in &self.field {
            if f != "[]" {
                out.push('.');
            }
            out.push_str(f);
        }
        out.push('`');
        if let Some(kind) = self.field_kind() {
            out.push_str(" (");
            out.push_str(kind);
            out.push(')');
        }
        out
    }

    /// What the event field is for the handler's triggers: the request body of an API
    /// Gateway event, an SQS message body...
    pub fn field_kind(&self) -> Option<&'static str> {
        let first = self.field.first().map(String::as_str)?;
        let triggers = &self.origin.triggers;
        let has = |t: &str| triggers.contains(&t);
        Some(match first {
            "body" => "the HTTP request body",
            "queryStringParameters" | "multiValueQueryStringParameters" => {
                "an HTTP query string parameter"
            }
            "pathParameters" => "an HTTP path parameter",
            "headers" | "multiValueHeaders" => "an HTTP request header",
            "rawPath" | "path" | "rawQueryString" => "the HTTP request path",
            "detail" => "the EventBridge event detail",
            "Records" => match self.field.get(2).map(String::as_str) {
                Some("body") => "an SQS message body",
                Some("s3") => "an S3 object key",
                Some("Sns") => "an SNS message",
                Some("dynamodb") => "a DynamoDB stream record",
                Some("kinesis") => "a Kinesis record",
                _ if has("sqs") => "an SQS message",
                _ => "an event record",
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_syntax::Pos;

    fn at(line: u32) -> Span {
        Span::new(Pos::new(line, 1), Pos::new(line, 2))
    }

    fn messages(t: &Taint) -> Vec<String> {
        t.steps().iter().map(|s| s.message.clone()).collect()
    }

    #[test]
    fn steps_are_kept_in_order_per_branch_and_bounded() {
        let path: Arc<str> = Arc::from("app.py");
        let origin = Arc::new(Origin {
            path: "app.py".to_string(),
            span: at(1),
            param: "event".to_string(),
            handler: "handler".to_string(),
            triggers: Vec::new(),
        });
        let base = Taint::source(origin)
            .step(&path, at(2), "first")
            .step(&path, at(3), "second");
        // Two values built from one share its steps and add their own.
        let left = base.clone().step(&path, at(4), "left");
        let right = base.clone().step(&path, at(5), "right");
        assert_eq!(messages(&base), ["first", "second"]);
        assert_eq!(messages(&left), ["first", "second", "left"]);
        assert_eq!(messages(&right), ["first", "second", "right"]);
        assert_eq!(right.steps()[2].span, at(5));
        let mut long = left;
        for i in 0..100 {
            long = long.step(&path, at(10 + i), format!("step {i}"));
        }
        let kept = messages(&long);
        assert_eq!(kept.len(), MAX_STEPS);
        assert_eq!(kept[..3], ["first", "second", "left"]);
        assert_eq!(kept[MAX_STEPS - 1], format!("step {}", MAX_STEPS - 4));
    }
}
