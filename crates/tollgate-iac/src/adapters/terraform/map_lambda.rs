//! `aws_lambda_function` with its event invoke config, plus `aws_lambda_function_url` and
//! `aws_lambda_permission`.

use super::mapper::{in_file, integer, string, strings, Mapper};
use super::value::{Tv, TvKind};
use crate::model::{
    CloudModel, EnvVar, FunctionUrl, LambdaFunction, LambdaPermission, Val, VpcConfig,
};

pub fn map(m: &Mapper<'_>, model: &mut CloudModel) {
    for r in m.of_type("aws_lambda_function") {
        let b = &r.body;
        let mut f = LambdaFunction::new(m.meta(r));
        f.name = string(b.get("function_name"));
        f.runtime = string(b.get("runtime"));
        f.package_type = string(b.get("package_type"));
        f.handler = string(b.get("handler"));
        f.code_uri = m
            .archive_source(b.get("filename"))
            .unwrap_or_else(|| string(b.get("filename")));
        f.tracing = string(b.block("tracing_config").and_then(|t| t.get("mode")));
        f.reserved_concurrency = match integer(b.get("reserved_concurrent_executions")) {
            // -1 is the provider's "no reservation".
            Val::Known { value: -1, .. } => Val::Absent,
            other => other,
        };
        f.dead_letter = m.reference(
            b.block("dead_letter_config")
                .and_then(|d| d.get("target_arn")),
        );
        f.vpc = match b.block("vpc_config") {
            Some(vpc) if vpc.is_unknown() => string(Some(vpc)).map(|_| VpcConfig::default()),
            Some(vpc) => Val::known(
                VpcConfig {
                    subnet_ids: strings(vpc.get("subnet_ids")),
                    security_group_ids: strings(vpc.get("security_group_ids")),
                },
                vpc.span,
            ),
            None => Val::Absent,
        };
        if let Some(vars) = b.block("environment").and_then(|e| e.get("variables")) {
            match &vars.kind {
                TvKind::Object(entries) => {
                    for (name, name_span, value) in entries {
                        f.environment.push(EnvVar {
                            name: name.clone(),
                            name_span: *name_span,
                            value: string(Some(value)),
                        });
                    }
                }
                TvKind::Null => {}
                _ => f.environment_unknown = Some(vars.span),
            }
        }
        f.kms_key = m.reference(b.get("kms_key_arn"));
        f.code_signing = m.reference(b.get("code_signing_config_arn"));
        f.role = m.reference(b.get("role"));
        for cfg in m.attached(
            "aws_lambda_function_event_invoke_config",
            "function_name",
            r,
            &["function_name", "arn"],
        ) {
            let dest = cfg
                .body
                .block("destination_config")
                .and_then(|d| d.block("on_failure"))
                .and_then(|o| o.get("destination"));
            let v = in_file(m.reference(dest), &cfg.file, &f.meta);
            if v.is_present() {
                f.on_failure = v;
            }
        }
        for alias in m.attached(
            "aws_lambda_alias",
            "function_name",
            r,
            &["function_name", "arn"],
        ) {
            f.alias = in_file(string(alias.body.get("name")), &alias.file, &f.meta);
        }
        model.lambdas.push(f);
    }
    for r in m.of_type("aws_lambda_function_url") {
        model.function_urls.push(FunctionUrl {
            meta: m.meta(r),
            function: m.reference(r.body.get("function_name")),
            auth_type: string(r.body.get("authorization_type")),
        });
    }
    for r in m.of_type("aws_lambda_permission") {
        let b = &r.body;
        let mut p = LambdaPermission::new(m.meta(r));
        p.function = m.reference(b.get("function_name"));
        p.action = string(b.get("action"));
        p.principal = string(b.get("principal"));
        p.source_arn = source_string(b.get("source_arn"));
        p.source_account = source_string(b.get("source_account"));
        p.principal_org_id = string(b.get("principal_org_id"));
        p.function_url_auth_type = string(b.get("function_url_auth_type"));
        model.lambda_permissions.push(p);
    }
}

/// `source_arn = aws_s3_bucket.x.arn` is a condition that is certainly set, even if its value
/// is only known after apply: kept as the reference text.
fn source_string(v: Option<&Tv>) -> Val<String> {
    match v {
        Some(t) if matches!(t.kind, TvKind::Ref { .. }) => {
            Val::known(t.render().unwrap_or_default(), t.span)
        }
        other => string(other),
    }
}
