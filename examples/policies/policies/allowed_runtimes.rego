# METADATA
# title: Functions use an approved runtime
# description: Only the runtimes the platform team supports and patches may run in production.
# related_resources:
# - https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
# custom:
#   code: TG9001
#   severity: high
package main

import rego.v1

approved_runtimes := {"python3.12", "python3.13", "nodejs22.x", "nodejs24.x", "java21"}

# The model normalizes the runtime for every format (SAM Globals and Serverless provider
# defaults applied).
deny contains result if {
	runtime := input.resource.model.runtime
	is_string(runtime)
	not runtime in approved_runtimes
	result := {
		"msg": sprintf("%s runs %s, which is not an approved runtime (%s)", [input.resource.address, runtime, concat(", ", sort(approved_runtimes))]),
		"path": "properties.runtime",
	}
}
