//! TG1113: a REST API method that passes requests to its integration unvalidated.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{ApiProtocol, CloudModel, Val};

pub struct ApiMethodWithoutRequestValidation;

impl IacRule for ApiMethodWithoutRequestValidation {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1113",
                "api-method-without-request-validation",
                Severity::Low,
                "API Gateway REST method does not validate requests",
                "apigateway",
            )
        .tags(["input-validation"])
        .equivalents(["CKV2_AWS_53"])
        .description(
            "A request validator (`RequestValidatorId`, `request_validator_id`) makes API \
             Gateway check the required parameters and the body's JSON schema before the \
             integration runs: malformed and oversized-structure payloads are rejected with a \
             400 at the edge instead of reaching the function, which then only sees input of \
             the declared shape (OWASP Serverless Top 10, event injection). The rule judges \
             methods declared as resources (`AWS::ApiGateway::Method`, \
             `aws_api_gateway_method`), as Checkov does; routes implied by SAM or Serverless \
             events and OpenAPI definitions declare validation their own way and are not \
             judged. Unlike Checkov, `OPTIONS` methods (CORS preflight, which carries no \
             input) are not judged.",
        )
        .remediation(
            Fix {
                summary: "Declare a request validator for the API and reference it from each method (with request models or required parameters).",
                cloudformation: "Validator:\n  Type: AWS::ApiGateway::RequestValidator\n  Properties:\n    RestApiId: !Ref Api\n    ValidateRequestBody: true\n    ValidateRequestParameters: true\nPostOrder:\n  Type: AWS::ApiGateway::Method\n  Properties:\n    # ...\n    RequestValidatorId: !Ref Validator",
                serverless: None,
                terraform: "resource \"aws_api_gateway_request_validator\" \"all\" {\n  name                        = \"all\"\n  rest_api_id                 = aws_api_gateway_rest_api.api.id\n  validate_request_body       = true\n  validate_request_parameters = true\n}\n\nresource \"aws_api_gateway_method\" \"post_order\" {\n  # ...\n  request_validator_id = aws_api_gateway_request_validator.all.id\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for route in &model.api_routes {
            let Some(validator) = &route.request_validator else {
                continue;
            };
            if route.protocol != ApiProtocol::Rest || route.method.eq_ignore_case("OPTIONS") {
                out.not_applicable(&route.meta);
                continue;
            }
            if route.method.is_unknown() && validator.is_absent() {
                out.unknown(&route.meta);
                continue;
            }
            match validator {
                Val::Absent => out.missing(
                    &route.meta,
                    format!(
                        "API method `{}` has no request validator: requests reach the integration unvalidated.",
                        route.meta.address
                    ),
                ),
                Val::Unknown { .. } => out.unknown(&route.meta),
                Val::Known { .. } => out.evaluated(&route.meta),
            }
        }
    }
}
