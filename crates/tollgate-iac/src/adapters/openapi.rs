//! Routes of an inline OpenAPI (3.x) or Swagger (2.0) definition: SAM `DefinitionBody`,
//! CloudFormation `Body`. Each operation under `paths` becomes an [`ApiRoute`] of the API whose
//! authorization is what API Gateway imports from the definition's `security` and its
//! `x-amazon-apigateway-*` extensions.

use tollgate_core::Notification;
use tollgate_syntax::Span;

use crate::adapters::cloudformation::{Cv, CvKind};
use crate::adapters::unsupported;
use crate::model::{ApiProtocol, ApiRoute, CloudModel, Ref, ResourceMeta, Val};

/// Operations read from one definition at most; a larger one is hostile or generated, and the
/// rest are reported as left out rather than analysed.
pub const MAX_OPERATIONS: usize = 2_000;

/// The operation keys of a path item API Gateway imports, and the model method of each.
const METHODS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("put", "PUT"),
    ("post", "POST"),
    ("delete", "DELETE"),
    ("options", "OPTIONS"),
    ("head", "HEAD"),
    ("patch", "PATCH"),
    ("x-amazon-apigateway-any-method", "ANY"),
];

/// The routes of a definition, and how many operations were left out beyond
/// [`MAX_OPERATIONS`].
#[derive(Debug, Default)]
pub struct Routes {
    pub routes: Vec<ApiRoute>,
    pub left_out: usize,
}

/// Add the routes of the inline definition `body` of the API `api` to the model. Returns the
/// note to record when they are not analysed (`not_analysed` says so, at the body) or only
/// partly (beyond [`MAX_OPERATIONS`]).
pub fn add_routes(
    body: &Cv,
    api: &ResourceMeta,
    protocol: ApiProtocol,
    not_analysed: &str,
    model: &mut CloudModel,
) -> Option<Notification> {
    match routes(body, api, protocol) {
        Ok(found) => {
            model.api_routes.extend(found.routes);
            (found.left_out > 0).then(|| {
                unsupported(
                    &api.file,
                    body.span,
                    format!(
                        "{} operations of the OpenAPI definition beyond the first {MAX_OPERATIONS} are not analysed",
                        found.left_out
                    ),
                )
            })
        }
        Err(_) => Some(unsupported(&api.file, body.span, not_analysed)),
    }
}

/// The routes of `body`, an inline definition of the API `api`. `Err` with the span of the
/// first value that cannot be known statically (an intrinsic, an `AWS::Include` transform)
/// where it decides which routes exist or how they are protected: then no route is made, so
/// nothing is reported on a guess.
pub fn routes(body: &Cv, api: &ResourceMeta, protocol: ApiProtocol) -> Result<Routes, Span> {
    let CvKind::Map(_) = &body.kind else {
        return Err(body.span);
    };
    let schemes = Schemes::of(body)?;
    let top = match body.get("security") {
        Some(s) => Some(security(s, &schemes)?),
        None => None,
    };
    let Some(paths) = body.get("paths") else {
        return Ok(Routes::default());
    };
    let CvKind::Map(paths) = &paths.kind else {
        return Err(paths.span);
    };
    let reference = |span| {
        Val::known(
            Ref::resource(api.address.clone(), None, Some(api.type_name.clone())),
            span,
        )
    };
    let mut out = Routes::default();
    for (path, path_span, item) in paths {
        if item.is_unknown() {
            return Err(item.span);
        }
        for (key, method_span, op) in item.entries() {
            let Some((_, method)) = METHODS.iter().find(|(k, _)| key.eq_ignore_ascii_case(k))
            else {
                continue;
            };
            if op.is_unknown() {
                return Err(op.span);
            }
            if out.routes.len() == MAX_OPERATIONS {
                out.left_out += 1;
                continue;
            }
            let mut meta = api.clone();
            meta.header = *method_span;
            let mut route = ApiRoute::new(meta, protocol);
            route.api = reference(*method_span);
            route.method = Val::known((*method).to_string(), *method_span);
            route.path = Val::known(path.clone(), *path_span);
            let auth = match op.get("security") {
                Some(s) => Some(security(s, &schemes)?),
                None => top.clone(),
            };
            if let Some(auth) = auth {
                // Inherited from the top level, the finding still belongs on the operation.
                let span = if op.get("security").is_some() {
                    auth.span
                } else {
                    *method_span
                };
                route.authorization = respan(auth.authorization, span);
                route.api_key_required = respan(auth.api_key, span);
            }
            out.routes.push(route);
        }
    }
    Ok(out)
}

/// What a `security` list grants: the authorization type and whether an API key is needed.
/// Absent authorization means only the API key (or nothing).
#[derive(Debug, Clone)]
struct Security {
    span: Span,
    authorization: Val<String>,
    api_key: Val<bool>,
}

/// The security schemes of a definition by name: `securityDefinitions` (2.0),
/// `components.securitySchemes` (3.x).
struct Schemes<'a> {
    entries: Vec<(&'a str, &'a Cv)>,
}

impl<'a> Schemes<'a> {
    fn of(body: &'a Cv) -> Result<Self, Span> {
        let mut entries = Vec::new();
        for container in [
            body.get("securityDefinitions"),
            body.path(&["components", "securitySchemes"]),
        ]
        .into_iter()
        .flatten()
        {
            if container.is_unknown() {
                return Err(container.span);
            }
            entries.extend(container.entries().iter().map(|(k, _, v)| (k.as_str(), v)));
        }
        Ok(Self { entries })
    }

    fn get(&self, name: &str) -> Option<&'a Cv> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    }
}

/// What one scheme means to API Gateway.
enum Scheme {
    Authorizer(String),
    ApiKey,
    /// Nothing API Gateway would enforce that tollgate can tell; the text says why.
    Unclear(String),
}

fn scheme(name: &str, def: Option<&Cv>) -> Result<Scheme, Span> {
    let Some(def) = def else {
        // SAM adds the authorizers of `Auth.Authorizers` to the definition itself, so a name
        // the definition does not declare is one of those.
        return Ok(Scheme::Authorizer(name.to_string()));
    };
    if def.is_unknown() {
        return Err(def.span);
    }
    let text = |keys: &[&str]| -> Result<Option<String>, Span> {
        match def.path(keys) {
            Some(v) if v.is_unknown() => Err(v.span),
            Some(v) => Ok(v.text().map(|t| t.to_ascii_lowercase())),
            None => Ok(None),
        }
    };
    match text(&["x-amazon-apigateway-authtype"])?.as_deref() {
        Some("awssigv4") => return Ok(Scheme::Authorizer("AWS_IAM".into())),
        Some("cognito_user_pools") => return Ok(Scheme::Authorizer("COGNITO_USER_POOLS".into())),
        Some("custom") => return Ok(Scheme::Authorizer("CUSTOM".into())),
        _ => {}
    }
    match text(&["x-amazon-apigateway-authorizer", "type"])?.as_deref() {
        Some("jwt") => return Ok(Scheme::Authorizer("JWT".into())),
        Some("request" | "token") => return Ok(Scheme::Authorizer("CUSTOM".into())),
        Some("cognito_user_pools") => return Ok(Scheme::Authorizer("COGNITO_USER_POOLS".into())),
        _ => {}
    }
    let is_api_key = text(&["type"])?.as_deref() == Some("apikey")
        && text(&["in"])?.as_deref() == Some("header")
        && text(&["name"])?.as_deref() == Some("x-api-key");
    if is_api_key {
        return Ok(Scheme::ApiKey);
    }
    Ok(Scheme::Unclear(format!(
        "security scheme `{name}` has no API Gateway authorizer extension"
    )))
}

/// A `security` list: alternatives, each a map of schemes that all apply. An empty list, or an
/// empty alternative (`{}`), lets anyone call the operation.
fn security(list: &Cv, schemes: &Schemes<'_>) -> Result<Security, Span> {
    if list.is_unknown() {
        return Err(list.span);
    }
    let span = list.span;
    let open = Security {
        span,
        authorization: Val::known("NONE".to_string(), span),
        api_key: Val::known(false, span),
    };
    let CvKind::List(alternatives) = &list.kind else {
        return Ok(Security {
            span,
            authorization: Val::unknown(span, "`security` is not a list"),
            api_key: Val::Absent,
        });
    };
    let mut first: Option<Security> = None;
    for alt in alternatives {
        if alt.is_unknown() {
            return Err(alt.span);
        }
        if alt.entries().is_empty() {
            return Ok(open);
        }
        let mut sec = Security {
            span,
            authorization: Val::Absent,
            api_key: Val::known(false, span),
        };
        for (name, _, _) in alt.entries() {
            match scheme(name, schemes.get(name))? {
                Scheme::Authorizer(kind) => sec.authorization = Val::known(kind, span),
                Scheme::ApiKey => sec.api_key = Val::known(true, span),
                Scheme::Unclear(why) if sec.authorization.is_absent() => {
                    sec.authorization = Val::unknown(span, why)
                }
                Scheme::Unclear(_) => {}
            }
        }
        if sec.authorization.is_absent() && !sec.api_key.is_true() {
            sec.authorization = Val::known("NONE".to_string(), span);
        }
        first.get_or_insert(sec);
    }
    Ok(first.unwrap_or(open))
}

/// The same value, said to be written at `span`.
fn respan<T>(v: Val<T>, span: Span) -> Val<T> {
    match v {
        Val::Known { value, .. } => Val::Known { value, span },
        Val::Unknown { reason, .. } => Val::Unknown { span, reason },
        Val::Absent => Val::Absent,
    }
}
