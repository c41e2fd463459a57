//! The invoke permissions the framework creates for `s3`, `sns` and `schedule` events: a
//! service principal limited to the triggering bucket, topic or rule by `SourceArn`. `sqs`
//! events poll the queue with the execution role and need no permission.

use tollgate_syntax::Span;

use super::Service;
use crate::adapters::terraform::value::Tv;
use crate::model::{CloudModel, LambdaPermission, Ref, Val};

pub fn map(svc: &Service<'_>, model: &mut CloudModel) {
    for (key, _, f) in svc.functions() {
        let logical = format!("{}LambdaFunction", super::normalize_function(key));
        let events = f.get("events").and_then(Tv::as_list).unwrap_or_default();
        for (n, event) in events.iter().enumerate() {
            let Some([(kind, kind_span, body)]) = event.as_object() else {
                continue;
            };
            let (principal, source_arn) = match kind.as_str() {
                "s3" => ("s3.amazonaws.com", s3_arn(body)),
                "sns" => ("sns.amazonaws.com", sns_arn(body)),
                "schedule" => (
                    "events.amazonaws.com",
                    Some(format!(
                        "${{{}EventsRuleSchedule{}.Arn}}",
                        super::normalize_function(key),
                        n + 1
                    )),
                ),
                _ => continue,
            };
            let id = format!(
                "{}LambdaPermission{}{}",
                super::normalize_function(key),
                super::normalize_alnum(kind),
                n + 1
            );
            model.lambda_permissions.push(permission(
                svc, &id, &logical, *kind_span, principal, source_arn,
            ));
        }
    }
}

fn permission(
    svc: &Service<'_>,
    id: &str,
    function: &str,
    at: Span,
    principal: &str,
    source_arn: Option<String>,
) -> LambdaPermission {
    let mut p = LambdaPermission::new(svc.meta(id, "AWS::Lambda::Permission", at));
    p.function = Val::known(
        Ref::resource(
            function,
            Some("Arn".into()),
            Some("AWS::Lambda::Function".into()),
        ),
        at,
    );
    p.action = Val::known("lambda:InvokeFunction".into(), at);
    p.principal = Val::known(principal.into(), at);
    p.source_arn = match source_arn {
        Some(arn) => Val::known(arn, at),
        None => Val::unknown(at, "the triggering resource is not known statically"),
    };
    p
}

/// `s3: bucket` / `s3: {bucket}`: the bucket's ARN.
fn s3_arn(body: &Tv) -> Option<String> {
    let bucket = if body.as_object().is_some() {
        body.get("bucket")?
    } else {
        body
    };
    let name = bucket.render()?;
    Some(format!("arn:aws:s3:::{name}"))
}

/// `sns: name-or-arn` / `sns: {arn, topicName}`: the topic's ARN.
fn sns_arn(body: &Tv) -> Option<String> {
    let topic = if body.as_object().is_some() {
        body.get("arn").or(body.get("topicName"))?
    } else {
        body
    };
    let text = topic.render()?;
    Some(if text.starts_with("arn:") || text.starts_with("${") {
        text
    } else {
        format!("arn:aws:sns:${{AWS::Region}}:${{AWS::AccountId}}:{text}")
    })
}
