//! `AWS::Serverless::GraphQLApi`: the AppSync API SAM creates under the same logical id, with
//! the log configuration and cache SAM writes for it (aws-sam-translator's `SamGraphQLApi`).

use crate::adapters::cloudformation::{Cv, CvKind, Props};
use crate::model::{AppsyncCache, CloudModel, GraphQlApi, Ref, ResourceMeta, Val};

/// Map the API and, when its `Cache` is written, the `<Id>ApiCache` SAM adds.
pub fn graphql_api(meta: ResourceMeta, p: &Cv, model: &mut CloudModel) {
    if let Some(cache) = p.get("Cache").filter(|c| !c.is_nothing()) {
        let mut cache_meta = ResourceMeta::new(
            format!("{}ApiCache", meta.address),
            "AWS::AppSync::ApiCache",
            meta.file.clone(),
            cache.span,
            meta.format,
        );
        cache_meta.tags = meta.tags.clone();
        model.appsync_caches.push(AppsyncCache {
            meta: cache_meta,
            at_rest_encryption: cache.bool_at(&["AtRestEncryptionEnabled"]),
            transit_encryption: cache.bool_at(&["TransitEncryptionEnabled"]),
        });
    }
    let (log_role, field_log_level) = logging(&meta, p.get("Logging"));
    model.graphql_apis.push(GraphQlApi {
        name: p
            .str_at(&["Name"])
            .or(Val::known(meta.address.clone(), meta.header)),
        log_role,
        field_log_level,
        meta,
    });
}

/// SAM logs unless `Logging: false`: with the role given or one it generates
/// (`<Id>CloudWatchRole`), at the level given or `ALL`.
fn logging(meta: &ResourceMeta, logging: Option<&Cv>) -> (Val<Ref>, Val<String>) {
    let generated_role = || {
        Val::known(
            Ref::resource(
                format!("{}CloudWatchRole", meta.address),
                Some("Arn".to_string()),
                Some("AWS::IAM::Role".to_string()),
            ),
            meta.header,
        )
    };
    let all = |span| Val::known("ALL".to_string(), span);
    match logging {
        Some(l) if matches!(l.kind, CvKind::Bool(false)) => (Val::Absent, Val::Absent),
        Some(l) if l.is_unknown() => (l.to_ref(), l.to_str()),
        Some(
            l @ Cv {
                kind: CvKind::Map(_),
                ..
            },
        ) => {
            let role = match l.ref_at(&["CloudWatchLogsRoleArn"]) {
                Val::Absent => generated_role(),
                given => given,
            };
            let level = match l.str_at(&["FieldLogLevel"]) {
                Val::Absent => all(l.span),
                given => given,
            };
            (role, level)
        }
        // Absent, `true` or anything else: SAM's defaults.
        _ => (generated_role(), all(meta.header)),
    }
}
