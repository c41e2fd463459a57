//! TG1807: an AppSync API cache reached without encryption in transit.

use tollgate_core::{Rule, Severity};

use super::appsync_cache_not_encrypted::{CACHE_CFN, CACHE_TF};
use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct AppsyncCacheWithoutTls;

impl IacRule for AppsyncCacheWithoutTls {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1807",
            "appsync-cache-without-tls",
            Severity::Medium,
            "AppSync API cache is not encrypted in transit",
            "appsync",
        )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_215"])
        .description(
            "Unless `TransitEncryptionEnabled` (`transit_encryption_enabled`) is true, resolver \
             results travel between AppSync and its cache cluster in plain text. The setting \
             can only be chosen when the cache is created.",
        )
        .remediation(
            Fix {
                summary: "Create the cache with encryption in transit (and at rest: TG1806).",
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
                &cache.transit_encryption,
                "AppSync API cache",
                "encryption in transit",
            );
        }
    }
}
