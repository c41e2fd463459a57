//! GitHub's OpenAPI description as a validator: operations matched by method and path
//! template, request and response bodies checked with JSON Schema (OpenAPI 3.0 `nullable`
//! translated), webhook payloads checked against `x-webhooks`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use serde_json::{json, Value};

/// The repository's vendored `tests/schemas/`, found from the crate that compiles this module
/// (this crate, or the workspace's end-to-end tests that include it). A missing file is a
/// broken checkout and fails the test.
pub fn schemas_dir() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .map(|dir| dir.join("tests/schemas"))
        .find(|dir| dir.join("github-rest-openapi-subset.json").is_file())
        .unwrap_or_else(|| {
            panic!(
                "no tests/schemas/github-rest-openapi-subset.json above {}",
                manifest.display()
            )
        })
}

pub struct Operation {
    pub id: String,
    pub method: String,
    segments: Vec<String>,
    op: Value,
}

pub struct OpenApi {
    doc: Value,
    pub ops: Vec<Operation>,
    cache: Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

fn translate_nullable(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                translate_nullable(child);
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                if let Some(Value::String(t)) = map.get("type").cloned() {
                    map.insert("type".into(), json!([t, "null"]));
                    if let Some(Value::Array(e)) = map.get_mut("enum") {
                        e.push(Value::Null);
                    }
                } else {
                    let inner = Value::Object(std::mem::take(map));
                    map.insert("anyOf".into(), json!([{"type": "null"}, inner]));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(translate_nullable),
        _ => {}
    }
}

impl OpenApi {
    pub fn load() -> OpenApi {
        let dir = schemas_dir();
        let text = std::fs::read_to_string(dir.join("github-rest-openapi-subset.json")).unwrap();
        let mut doc: Value = serde_json::from_str(&text).unwrap();
        translate_nullable(&mut doc);
        let mut ops = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                    ops.push(Operation {
                        id: id.to_string(),
                        method: method.to_uppercase(),
                        segments: path
                            .trim_start_matches('/')
                            .split('/')
                            .map(str::to_string)
                            .collect(),
                        op: op.clone(),
                    });
                }
            }
        }
        OpenApi {
            doc,
            ops,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The operation for `method path` and its path parameters, or why none matches.
    pub fn find(
        &self,
        method: &str,
        path: &str,
    ) -> Result<(&Operation, HashMap<String, String>), String> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        for op in &self.ops {
            if op.method != method || op.segments.len() != parts.len() {
                continue;
            }
            let mut params = HashMap::new();
            let ok = op.segments.iter().zip(&parts).all(|(seg, part)| {
                if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    params.insert(name.to_string(), part.to_string());
                    !part.is_empty()
                } else {
                    seg == part
                }
            });
            if ok {
                // Literal segments win over templates (`/pulls/comments/1` vs `/pulls/{n}/...`).
                self.check_params(op, &params)?;
                return Ok((op, params));
            }
        }
        Err(format!(
            "no operation in the OpenAPI description for {method} {path}"
        ))
    }

    fn resolve<'a>(&'a self, v: &'a Value) -> &'a Value {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => self.doc.pointer(r.trim_start_matches('#')).unwrap_or(v),
            None => v,
        }
    }

    fn check_params(&self, op: &Operation, params: &HashMap<String, String>) -> Result<(), String> {
        for p in op
            .op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let p = self.resolve(p);
            if p["in"] != "path" {
                continue;
            }
            let name = p["name"].as_str().unwrap();
            let value = params
                .get(name)
                .ok_or(format!("{}: path parameter {name} missing", op.id))?;
            if p["schema"]["type"] == "integer" && value.parse::<u64>().is_err() {
                return Err(format!(
                    "{}: path parameter {name}=`{value}` is not an integer",
                    op.id
                ));
            }
        }
        Ok(())
    }

    /// Query parameter names the operation declares.
    pub fn check_query(&self, op: &Operation, query: &str) -> Result<(), String> {
        let known: Vec<String> = op
            .op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| self.resolve(p))
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str().map(str::to_string))
            .collect();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let name = pair.split('=').next().unwrap();
            if !known.iter().any(|k| k == name) {
                return Err(format!("{}: unknown query parameter `{name}`", op.id));
            }
        }
        Ok(())
    }

    fn validator(&self, key: &str, schema: &Value) -> std::sync::Arc<jsonschema::Validator> {
        let mut cache = self.cache.lock().unwrap();
        cache
            .entry(key.to_string())
            .or_insert_with(|| {
                let doc = json!({ "allOf": [schema], "components": self.doc["components"] });
                std::sync::Arc::new(jsonschema::draft4::new(&doc).expect("schema compiles"))
            })
            .clone()
    }

    fn check(&self, key: &str, schema: &Value, instance: &Value) -> Result<(), String> {
        let v = self.validator(key, schema);
        let errors: Vec<String> = v
            .iter_errors(instance)
            .take(5)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("{key}: {}", errors.join("; ")))
        }
    }

    pub fn check_request(&self, op: &Operation, body: Option<&Value>) -> Result<(), String> {
        let schema = op
            .op
            .pointer("/requestBody/content/application~1json/schema")
            .map(|s| self.resolve(s));
        match (schema, body) {
            (Some(s), Some(b)) => self.check(&format!("{} request", op.id), s, b),
            (Some(_), None) if op.op.pointer("/requestBody/required") == Some(&json!(true)) => {
                Err(format!("{}: request body required", op.id))
            }
            (None, Some(_)) => Err(format!("{}: takes no request body", op.id)),
            _ => Ok(()),
        }
    }

    pub fn check_response(&self, op: &Operation, status: u16, body: &Value) -> Result<(), String> {
        let Some(resp) = op.op.pointer(&format!("/responses/{status}")) else {
            return Err(format!(
                "{}: status {status} is not a documented response",
                op.id
            ));
        };
        let resp = self.resolve(resp);
        match resp.pointer("/content/application~1json/schema") {
            Some(s) => self.check(
                &format!("{} response {status}", op.id),
                self.resolve(s),
                body,
            ),
            None => Ok(()),
        }
    }

    /// The value of `components.examples[name]`.
    pub fn example(&self, name: &str) -> Value {
        self.doc["components"]["examples"][name]["value"].clone()
    }

    pub fn check_webhook(&self, name: &str, payload: &Value) -> Result<(), String> {
        let schema = self
            .doc
            .pointer(&format!(
                "/x-webhooks/{name}/post/requestBody/content/application~1json/schema"
            ))
            .ok_or(format!("no webhook {name}"))?;
        self.check(&format!("webhook {name}"), self.resolve(schema), payload)
    }
}
