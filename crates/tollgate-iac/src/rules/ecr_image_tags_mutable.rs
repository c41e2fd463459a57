//! TG1013: an ECR repository whose image tags can be overwritten.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct EcrImageTagsMutable;

impl IacRule for EcrImageTagsMutable {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1013",
                "ecr-image-tags-mutable",
                Severity::Low,
                "ECR repository allows image tags to be overwritten",
                "ecr",
            )
        .tags(["supply-chain"])
        .equivalents(["CKV_AWS_51"])
        .description(
            "With mutable tags (the default), anyone who can push to the repository can move a \
             tag such as `prod` or `v1.4.2` to another image, and the functions and \
             deployments that name the tag run the new image without any change of their own. \
             Immutable tags make a tag mean one image for good. `IMMUTABLE_WITH_EXCLUSION` \
             counts as immutable.",
        )
        .remediation(
            Fix {
                summary: "Make the repository's tags immutable, and publish each build under a new tag.",
                cloudformation: "FunctionImages:\n  Type: AWS::ECR::Repository\n  Properties:\n    ImageTagMutability: IMMUTABLE",
                serverless: None,
                terraform: "resource \"aws_ecr_repository\" \"functions\" {\n  name                 = \"functions\"\n  image_tag_mutability = \"IMMUTABLE\"\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for repo in &model.ecr_repositories {
            let name = &repo.meta.address;
            out.expect(
                &repo.meta,
                &repo.tag_mutability,
                |m| m.to_ascii_uppercase().starts_with("IMMUTABLE"),
                format!("ECR repository `{name}` lets image tags be overwritten (tags are mutable by default)."),
                |m| format!("ECR repository `{name}` sets image tags `{m}`, so a tag can be moved to another image."),
            );
        }
    }
}
