//! SAM policy templates expanded to the statements SAM itself generates, so the permissions
//! stage sees what the function really gets.
//!
//! The templates are SAM's own `policy_templates.json` (aws-sam-translator, Apache-2.0),
//! compacted by `data/generate_sam_templates.py` into `data/sam-policy-templates.json` and
//! compiled in. Statements stay in SAM's intrinsic form (`Fn::Sub` with a variable map, `Ref`
//! of a template parameter), which is evaluated here against the user's parameter values.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value as Json};
use tollgate_syntax::Span;

use crate::adapters::cloudformation::Cv;
use crate::model::{Condition, Effect, PolicyDocument, Statement, Val};

/// The generated data file; regenerate with `data/generate_sam_templates.py`.
const RAW: &str = include_str!("../../../data/sam-policy-templates.json");

#[derive(Default, Deserialize)]
struct Data {
    templates: BTreeMap<String, Def>,
}

/// One template's statements as SAM writes them (the file also lists each template's
/// `parameters`, which the tests use; expansion needs only the `Ref`s in the statements).
#[derive(Deserialize)]
struct Def {
    statements: Vec<Json>,
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        // The file is generated and checked by a unit test; should it ever be broken, every
        // template degrades to "not expanded" (a note and unknown permissions), never a panic.
        serde_json::from_str(RAW).unwrap_or_else(|e| {
            tracing::error!("data/sam-policy-templates.json does not parse: {e}");
            Data::default()
        })
    })
}

/// Expand template `name` with `params` (the evaluated `{Param: value}` map) into a policy
/// document spanned at `span` (the template's name as written). `None` for unknown templates.
pub fn expand(file: &str, name: &str, params: &Cv, span: Span) -> Option<PolicyDocument> {
    let def = data().templates.get(name)?;
    let eval = Eval { params, span };
    Some(PolicyDocument {
        file: file.to_string(),
        span,
        version: Val::known("2012-10-17".to_string(), span),
        statements: def.statements.iter().map(|s| eval.statement(s)).collect(),
    })
}

/// Evaluation of one template use: the user's parameters and the span of the template name,
/// which every statement, action and literal keeps.
struct Eval<'a> {
    params: &'a Cv,
    span: Span,
}

impl Eval<'_> {
    fn statement(&self, st: &Json) -> Statement {
        let span = self.span;
        let mut s = Statement::new(span);
        s.effect = match st.get("Effect").and_then(Json::as_str) {
            Some("Allow") => Val::known(Effect::Allow, span),
            Some("Deny") => Val::known(Effect::Deny, span),
            _ => Val::unknown(span, "policy template statement has no Allow/Deny effect"),
        };
        s.actions = self.strings(st.get("Action"));
        s.resources = self.strings(st.get("Resource"));
        if let Some(Json::Object(operators)) = st.get("Condition") {
            for (operator, entries) in operators {
                let Json::Object(entries) = entries else {
                    s.conditions_unknown = true;
                    continue;
                };
                for (key, values) in entries {
                    s.conditions.push(Condition {
                        span,
                        operator: operator.clone(),
                        key: key.clone(),
                        values: self.strings(Some(values)),
                    });
                }
            }
        }
        s
    }

    /// A string or a list of them (IAM accepts both).
    fn strings(&self, v: Option<&Json>) -> Vec<Val<String>> {
        match v {
            None => Vec::new(),
            Some(Json::Array(items)) => items.iter().map(|i| self.value(i)).collect(),
            Some(v) => vec![self.value(v)],
        }
    }

    fn value(&self, v: &Json) -> Val<String> {
        match v {
            Json::String(s) => Val::known(s.clone(), self.span),
            Json::Object(m) if m.len() == 1 => match m.iter().next() {
                Some((k, Json::String(p))) if k == "Ref" => self.param(p),
                Some((k, Json::String(pattern))) if k == "Fn::Sub" => {
                    self.sub(pattern, &Map::new())
                }
                Some((k, Json::Array(args))) if k == "Fn::Sub" => match args.as_slice() {
                    [Json::String(pattern), Json::Object(vars)] => self.sub(pattern, vars),
                    _ => self.unsupported(v),
                },
                _ => self.unsupported(v),
            },
            _ => self.unsupported(v),
        }
    }

    fn unsupported(&self, v: &Json) -> Val<String> {
        let mut text = v.to_string();
        text.truncate(80);
        Val::unknown(
            self.span,
            format!("policy template value `{text}` is not a string, Ref or Fn::Sub"),
        )
    }

    /// The user's value of template parameter `name`, spanned where the user wrote it.
    fn param(&self, name: &str) -> Val<String> {
        match self.params.get(name) {
            Some(v) if v.is_unknown() => v.to_str(),
            Some(v) => match v.text() {
                Some(text) => Val::known(text, v.span),
                None => Val::unknown(
                    v.span,
                    format!("policy template parameter `{name}` is not a string"),
                ),
            },
            None => Val::unknown(
                self.span,
                format!("policy template parameter `{name}` is missing"),
            ),
        }
    }

    /// `Fn::Sub`: `${var}` from `vars`, pseudo parameters kept as the `${AWS::Region}`
    /// placeholders the CloudFormation adapter also leaves, `${!x}` is a literal `${x}`. The
    /// result is spanned at the last substituted user value (the part worth pointing at), or
    /// at the template name when nothing came from the user. Any unknown part makes it unknown.
    fn sub(&self, pattern: &str, vars: &Map<String, Json>) -> Val<String> {
        let mut out = String::new();
        let mut rest = pattern;
        let mut value_span = self.span;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                // An unterminated `${` is literal text in Fn::Sub.
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            rest = &after[end + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str(&format!("${{{literal}}}"));
            } else if name.starts_with("AWS::") {
                out.push_str(&format!("${{{name}}}"));
            } else if let Some(var) = vars.get(name) {
                match self.value(var) {
                    Val::Known { value, span } => {
                        if span != self.span {
                            value_span = span;
                        }
                        out.push_str(&value);
                    }
                    other => return other,
                }
            } else {
                return Val::unknown(
                    self.span,
                    format!("policy template refers to `${{{name}}}`, which it does not define"),
                );
            }
        }
        out.push_str(rest);
        Val::known(out, value_span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_data_parses_and_holds_every_template() {
        let data: Data = serde_json::from_str(RAW).expect("sam-policy-templates.json parses");
        assert_eq!(data.templates.len(), 81);
        assert!(data.templates["S3FullAccessPolicy"].statements.len() >= 2);
    }
}
