//! TG1806: an AppSync API cache that stores resolver results unencrypted.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct AppsyncCacheNotEncrypted;

/// An API cache encrypted at rest and in transit, the fix of TG1806 and TG1807.
pub(crate) const CACHE_CFN: &str = "GraphCache:\n  Type: AWS::AppSync::ApiCache\n  Properties:\n    ApiId: !GetAtt GraphApi.ApiId\n    ApiCachingBehavior: FULL_REQUEST_CACHING\n    Type: SMALL\n    Ttl: 300\n    AtRestEncryptionEnabled: true\n    TransitEncryptionEnabled: true";
pub(crate) const CACHE_TF: &str = "resource \"aws_appsync_api_cache\" \"graph\" {\n  api_id                     = aws_appsync_graphql_api.graph.id\n  api_caching_behavior       = \"FULL_REQUEST_CACHING\"\n  type                       = \"SMALL\"\n  ttl                        = 300\n  at_rest_encryption_enabled = true\n  transit_encryption_enabled = true\n}";

impl IacRule for AppsyncCacheNotEncrypted {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1806",
            "appsync-cache-not-encrypted",
            Severity::Medium,
            "AppSync API cache is not encrypted at rest",
            "appsync",
        )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_214"])
        .description(
            "An AppSync API cache keeps resolver results (often personal data) in an ElastiCache \
             cluster AppSync manages. Unless `AtRestEncryptionEnabled` \
             (`at_rest_encryption_enabled`) is true, the cached data and its backups sit on \
             disk in plain text. The setting can only be chosen when the cache is created.",
        )
        .remediation(
            Fix {
                summary: "Create the cache with encryption at rest (and in transit: TG1807).",
                cloudformation: CACHE_CFN,
                serverless: None,
                terraform: CACHE_TF,
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for cache in &model.appsync_caches {
            out.expect_enabled(
                &cache.meta,
                &cache.at_rest_encryption,
                "AppSync API cache",
                "encryption at rest",
            );
        }
    }
}
