//! TG6005: a DynamoDB request is built from untrusted event data.

use tollgate_core::{Rule, Severity};

use super::{code_rule, Call, SinkMatch, SinkRule, SANITIZER_NOTE};
use crate::taint::{Shape, SinkClass};

pub struct NoSqlInjection;

/// Expression parameters of DynamoDB requests: data belongs in `ExpressionAttributeValues`.
const EXPRESSIONS: &[&str] = &[
    "FilterExpression",
    "KeyConditionExpression",
    "ConditionExpression",
    "ProjectionExpression",
    "UpdateExpression",
];
/// DynamoDB operations (boto3 client and resource, DocumentClient, SDK v3 commands).
const OPERATIONS: &[&str] = &[
    "scan",
    "query",
    "get_item",
    "put_item",
    "update_item",
    "delete_item",
    "get",
    "put",
    "update",
    "delete",
    "ScanCommand",
    "QueryCommand",
    "GetItemCommand",
    "PutItemCommand",
    "UpdateItemCommand",
    "DeleteItemCommand",
    "ScanCommandInput",
    "ExecuteStatementCommand",
];

impl SinkRule for NoSqlInjection {
    fn meta(&self) -> Rule {
        code_rule(
            "TG6005",
            "code-nosql-injection",
            Severity::Medium,
            "DynamoDB request built from event data",
            "CWE-943",
            "OWASP-SAS-1",
        )
        .description(
            "A DynamoDB `FilterExpression`, `KeyConditionExpression`, `ConditionExpression`, \
             `ProjectionExpression` or `UpdateExpression` is built from event data, or the \
             parsed request itself is passed as the call's parameters. The sender chooses which \
             items are read or changed, or which table and index are used.",
        )
        .remediation(format!(
            "Write expressions as constants with placeholders and pass the values in \
             `ExpressionAttributeValues` (or use boto3's `Key(...).eq(...)` conditions); \
             build the request's parameters yourself from checked fields. {SANITIZER_NOTE}"
        ))
    }

    fn class(&self) -> SinkClass {
        SinkClass::NoSql
    }

    fn check_call(&self, call: &Call) -> Option<SinkMatch> {
        let class = SinkClass::NoSql;
        let op = call.method.as_deref()?;
        if !OPERATIONS.contains(&op) {
            return None;
        }
        // A built expression: concatenated, formatted or interpolated text, or an event field
        // itself. Condition objects (`Key("id").eq(x)`) and `ExpressionAttributeValues` are
        // how values are meant to be passed.
        let built = |t: &&crate::taint::Taint| t.shape == Shape::Text || t.pure;
        for (name, arg) in &call.kwargs {
            if EXPRESSIONS.contains(&name.as_str()) {
                if let Some(t) = arg.tainted_for(class).filter(built) {
                    return SinkMatch::new(t, format!("`{name}` of `{op}()`"));
                }
            }
        }
        for arg in &call.args {
            if arg.props.is_empty() {
                // The parsed request as the parameters: `table.scan(**body)`,
                // `docClient.query(body)`, `new ScanCommand(body)`.
                if let Some(t) = arg.tainted_for(class).filter(|t| t.pure) {
                    if arg.splat || !call.lang.is_python() {
                        return SinkMatch::new(t, format!("the parameters of `{op}()`"));
                    }
                }
                continue;
            }
            for prop in &arg.props {
                if !EXPRESSIONS.contains(&prop.key.as_str()) {
                    continue;
                }
                let t = prop.taint.as_ref().filter(|t| !t.is_cleared(class));
                if let Some(t) = t.filter(|t| built(t)) {
                    return SinkMatch::new(t, format!("`{}` of `{op}()`", prop.key));
                }
            }
        }
        None
    }
}
