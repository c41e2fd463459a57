//! TG6004: a SQL statement is built from untrusted event data.

use tollgate_core::{Rule, Severity};

use super::{code_rule, Call, SinkMatch, SinkRule, SANITIZER_NOTE};
use crate::taint::{Shape, SinkClass};

pub struct SqlInjection;

/// Methods of DB-API cursors and connections, and of Node clients, that run a statement given
/// as their first argument.
const PY_METHODS: &[&str] = &["execute", "executemany", "executescript", "mogrify", "raw"];
const JS_METHODS: &[&str] = &[
    "query",
    "execute",
    "raw",
    "unsafe",
    "$queryRawUnsafe",
    "$executeRawUnsafe",
];
/// Functions that wrap a statement as text.
const TEXT_WRAPPERS: &[&str] = &["sqlalchemy.text", "sqlalchemy.sql.text", "text"];

/// Receivers that are DynamoDB clients: their `query` takes request parameters, not SQL.
fn is_dynamo(receiver: &str) -> bool {
    let r = receiver.to_ascii_lowercase();
    ["dynamo", "ddb", "docclient", "documentclient", "table"]
        .iter()
        .any(|d| r.contains(d))
}

impl SinkRule for SqlInjection {
    fn meta(&self) -> Rule {
        code_rule(
            "TG6004",
            "code-sql-injection",
            Severity::High,
            "SQL statement built from event data",
            "CWE-89",
            "OWASP-SAS-1",
        )
        .equivalents(["B608", "python.lang.security.audit.formatted-sql-query"])
        .description(
            "A SQL statement run through a DB-API cursor (`psycopg`, `pymysql`, `pymssql`, \
             `sqlite3`), SQLAlchemy `text`, or a Node client (`mysql`, `mysql2`, `pg`, \
             `knex.raw`, `sequelize.query`) is built from event data by concatenation, \
             formatting or interpolation. The sender can change the statement: read other \
             rows, change or drop data.",
        )
        .remediation(format!(
            "Keep the statement constant and pass values as parameters: \
             `cur.execute(\"SELECT * FROM orders WHERE id = %s\", (order_id,))`, \
             `client.query(\"SELECT * FROM orders WHERE id = $1\", [orderId])`. {SANITIZER_NOTE}"
        ))
    }

    fn class(&self) -> SinkClass {
        SinkClass::Sql
    }

    fn check_call(&self, call: &Call) -> Option<SinkMatch> {
        let class = SinkClass::Sql;
        if call.is(TEXT_WRAPPERS) && call.lang.is_python() {
            let t = call.arg(0)?.tainted_for(class)?;
            return SinkMatch::new(t, "`sqlalchemy.text()`");
        }
        let method = call.method.as_deref()?;
        let methods = if call.lang.is_python() {
            PY_METHODS
        } else {
            JS_METHODS
        };
        if !methods.contains(&method) || call.canonical.is_some() && call.receiver.is_empty() {
            return None;
        }
        if is_dynamo(&call.receiver) {
            return None;
        }
        let statement = call.arg(0)?;
        if !matches!(
            statement.kind.as_str(),
            "string"
                | "template_string"
                | "identifier"
                | "binary_operator"
                | "binary_expression"
                | "call"
                | "call_expression"
                | "concatenated_string"
                | "subscript"
                | "attribute"
                | "member_expression"
                | "subscript_expression"
        ) {
            return None;
        }
        let t = statement.tainted_for(class)?;
        // A parsed JSON object is an options object (`{ sql, values }`), not a statement.
        if t.shape == Shape::Object {
            return None;
        }
        SinkMatch::new(t, format!("`{}.{method}()`", call.receiver))
    }
}
