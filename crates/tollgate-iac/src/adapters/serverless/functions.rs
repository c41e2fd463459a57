//! `functions.*` into Lambda functions with the `provider` defaults applied (runtime, tracing,
//! environment, vpc, kmsKeyArn, role), plus function URLs.

use super::Service;
use crate::adapters::terraform::mapper::{integer, string, strings};
use crate::adapters::terraform::value::{Tv, TvKind};
use crate::model::{CloudModel, EnvVar, FunctionUrl, LambdaFunction, Ref, Val, VpcConfig};

pub fn map(svc: &Service<'_>, model: &mut CloudModel) {
    for (key, key_span, f) in svc.functions() {
        let logical = format!("{}LambdaFunction", super::normalize_function(key));
        let mut meta = svc.meta(&logical, "AWS::Lambda::Function", key_span);
        meta.tags = svc.tags(f.get("tags"));
        let mut l = LambdaFunction::new(meta);
        l.name = string(f.get("name")).or(Val::known(
            format!("{}-{}-{key}", svc.service, svc.stage),
            key_span,
        ));
        l.handler = string(f.get("handler"));
        if f.get("image").is_some() {
            l.package_type =
                Val::known("Image".into(), f.get("image").map_or(key_span, |i| i.span));
        } else {
            l.runtime = string(f.get("runtime")).or(string(svc.provider(&["runtime"])));
        }
        l.tracing = tracing(f.get("tracing")).or(tracing(svc.provider(&["tracing", "lambda"])));
        l.reserved_concurrency = integer(f.get("reservedConcurrency"));
        l.dead_letter = svc.reference(f.get("onError"));
        l.on_failure = match f.path(&["destinations", "onFailure"]) {
            Some(d) if d.as_object().is_some() => svc.reference(d.get("arn")),
            other => svc.reference(other),
        };
        l.vpc = vpc(f.get("vpc")).or(vpc(svc.provider(&["vpc"])));
        for source in [svc.provider(&["environment"]), f.get("environment")]
            .into_iter()
            .flatten()
        {
            match &source.kind {
                TvKind::Object(vars) => {
                    l.environment
                        .extend(vars.iter().map(|(name, name_span, value)| EnvVar {
                            name: name.clone(),
                            name_span: *name_span,
                            value: string(Some(value)),
                        }));
                }
                TvKind::Null => {}
                _ => l.environment_unknown = Some(source.span),
            }
        }
        // A function's variable overrides the provider's of the same name.
        l.environment =
            crate::adapters::last_of_each(std::mem::take(&mut l.environment), |e| e.name.as_str());
        l.kms_key = svc
            .reference(f.get("kmsKeyArn"))
            .or(svc.reference(svc.provider(&["kmsKeyArn"])));
        let custom_role = f
            .get("role")
            .or(svc
                .provider(&["iam", "role"])
                .filter(|r| r.as_object().is_none()))
            .or(svc.provider(&["role"]));
        l.role = match custom_role {
            Some(r) => svc.reference(Some(r)),
            None => Val::known(
                Ref::resource(
                    super::role::LOGICAL_ID,
                    Some("Arn".into()),
                    Some("AWS::IAM::Role".into()),
                ),
                key_span,
            ),
        };
        if let Some((url_span, url)) = f.entry("url") {
            let on = url.as_bool().unwrap_or(url.as_object().is_some());
            if on {
                let iam = url
                    .get("authorizer")
                    .and_then(Tv::as_str)
                    .is_some_and(|a| a.eq_ignore_ascii_case("aws_iam"));
                let auth_span = url.get("authorizer").map_or(url.span, |a| a.span);
                model.function_urls.push(FunctionUrl {
                    meta: svc.meta(
                        &format!("{}LambdaFunctionUrl", super::normalize_function(key)),
                        "AWS::Lambda::Url",
                        url_span,
                    ),
                    function: Val::known(
                        Ref::resource(logical.clone(), None, Some("AWS::Lambda::Function".into())),
                        url_span,
                    ),
                    auth_type: Val::known(if iam { "AWS_IAM" } else { "NONE" }.into(), auth_span),
                });
            }
        }
        model.lambdas.push(l);
    }
}

/// `tracing: true` / `Active` / `PassThrough` as the X-Ray mode.
fn tracing(v: Option<&Tv>) -> Val<String> {
    let Some(v) = v else { return Val::Absent };
    match v.as_bool() {
        Some(true) => Val::known("Active".into(), v.span),
        Some(false) => Val::known("PassThrough".into(), v.span),
        None => string(Some(v)),
    }
}

fn vpc(v: Option<&Tv>) -> Val<VpcConfig> {
    let Some(v) = v else { return Val::Absent };
    match &v.kind {
        TvKind::Unknown(r) => Val::unknown(v.span, r.clone()),
        TvKind::Object(_) => Val::known(
            VpcConfig {
                subnet_ids: strings(v.get("subnetIds")),
                security_group_ids: strings(v.get("securityGroupIds")),
            },
            v.span,
        ),
        _ => Val::Absent,
    }
}
