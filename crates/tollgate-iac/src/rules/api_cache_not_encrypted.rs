//! TG1104: API responses cached without encryption sit in plain text in the cache cluster.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct ApiCacheNotEncrypted;

/// `/* *`: which methods a setting covers, to tell two settings of one stage apart.
pub(crate) fn setting_key(setting: &crate::model::MethodSetting) -> String {
    format!(
        "{} {}",
        setting.resource_path.as_str().unwrap_or("?"),
        setting.http_method.as_str().unwrap_or("?")
    )
}

impl IacRule for ApiCacheNotEncrypted {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1104",
                "api-cache-not-encrypted",
                Severity::Medium,
                "API Gateway cache is enabled but not encrypted",
                "apigateway",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_308"])
        .description(
            "When a REST API stage caches responses (`CacheClusterEnabled`, `CachingEnabled` in \
             method settings), the cached responses — often personal data — are stored \
             unencrypted unless `CacheDataEncrypted` is true for the cached methods.",
        )
        .remediation(
            Fix {
                summary: "Encrypt cached data in the stage's method settings.",
                cloudformation: "ProdStage:\n  Type: AWS::ApiGateway::Stage\n  Properties:\n    CacheClusterEnabled: true\n    MethodSettings:\n      - ResourcePath: /*\n        HttpMethod: '*'\n        CachingEnabled: true\n        CacheDataEncrypted: true",
                serverless: None,
                terraform: "resource \"aws_api_gateway_method_settings\" \"all\" {\n  rest_api_id = aws_api_gateway_rest_api.api.id\n  stage_name  = aws_api_gateway_stage.prod.stage_name\n  method_path = \"*/*\"\n  settings {\n    caching_enabled      = true\n    cache_data_encrypted = true\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for stage in &model.api_stages {
            out.evaluated(&stage.meta);
            if stage.method_settings_unknown.is_some()
                || stage
                    .method_settings
                    .iter()
                    .any(|s| s.caching_enabled.is_true() && s.cache_data_encrypted.is_unknown())
            {
                out.unknown(&stage.meta);
            }
            let name = &stage.meta.address;
            let mut reported = false;
            for setting in &stage.method_settings {
                if setting.caching_enabled.is_true()
                    && !setting.cache_data_encrypted.is_true()
                    && !setting.cache_data_encrypted.is_unknown()
                {
                    let span = setting.cache_data_encrypted.span().unwrap_or(setting.span);
                    out.at(
                        &stage.meta,
                        span,
                        &format!(
                            "CachingEnabled without CacheDataEncrypted {}",
                            setting_key(setting)
                        ),
                        format!("API stage `{name}` caches responses without encrypting them."),
                    );
                    reported = true;
                }
            }
            let any_encrypted_or_unknown = stage.method_settings_unknown.is_some()
                || stage.method_settings.iter().any(|s| {
                    s.cache_data_encrypted.is_true() || s.cache_data_encrypted.is_unknown()
                });
            if !reported && stage.cache_cluster_enabled.is_true() && !any_encrypted_or_unknown {
                out.on(
                    &stage.meta,
                    &stage.cache_cluster_enabled,
                    "CacheClusterEnabled without CacheDataEncrypted",
                    format!(
                        "API stage `{name}` has a cache cluster but does not encrypt cached data."
                    ),
                );
            }
        }
    }
}
