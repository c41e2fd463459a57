//! TG1111: a REST API stage without a cache cluster sends every request to its integrations.

use tollgate_core::{Rule, Severity};

use super::api_stage_without_xray::for_rest_stages;
use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct ApiStageWithoutCache;

impl IacRule for ApiStageWithoutCache {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1111",
                "api-stage-without-cache",
                Severity::Low,
                "API Gateway REST stage has no cache cluster",
                "apigateway",
            )
        .tags(["availability"])
        .equivalents(["CKV_AWS_120"])
        .description(
            "Without `CacheClusterEnabled` on a REST API stage every request, repeated or not, \
             reaches the integration: a flood of identical `GET` requests invokes (and bills) \
             the function each time and can exhaust its concurrency. With the cache cluster on, \
             API Gateway answers repeated `GET` requests from the cache for the stage's TTL. \
             HTTP and WebSocket APIs have no cache and are not judged. Serverless Framework \
             REST APIs are judged too (their stage has no cache unless a plugin or \
             `resources:` adds one). Checkov's `CKV_AWS_225` (an \
             `aws_api_gateway_method_settings` resource without `caching_enabled`) is not the \
             same check: it fails every method settings resource, also those written only to \
             set logging, and methods inherit the stage's caching; tollgate does not list it.",
        )
        .remediation(
            Fix {
                summary: "Enable the stage's cache cluster (and encrypt it: TG1104).",
                cloudformation: "Api:\n  Type: AWS::Serverless::Api\n  Properties:\n    StageName: prod\n    CacheClusterEnabled: true\n    CacheClusterSize: '0.5'",
                serverless: None,
                terraform: "resource \"aws_api_gateway_stage\" \"prod\" {\n  # ...\n  cache_cluster_enabled = true\n  cache_cluster_size    = \"0.5\"\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for_rest_stages(model, out, |stage, out| {
            out.expect_enabled(
                &stage.meta,
                &stage.cache_cluster_enabled,
                "API stage",
                "its cache cluster",
            );
        });
    }
}
