# METADATA
# title: No public function URL in production
# description: >-
#   A function URL without authentication (auth type NONE) is callable by anyone on the
#   internet; production functions sit behind IAM auth or an API with an authorizer.
# custom:
#   code: TG9005
#   severity: high
package main

import rego.v1

production := {"prod", "production"}

# Read from the deployment unit: the URL and the tags of the function it belongs to.
deny contains result if {
	input.kind == "deployment-unit"
	some url in input.resources
	url.model.kind == "function-url"
	url.model.auth_type == "NONE"
	some fn in input.resources
	fn.address == url.model.function.resource
	lower(fn.tags.Environment) in production
	result := {
		"msg": sprintf("function URL %s of production function %s allows unauthenticated calls", [url.address, fn.address]),
		"resource": url.address,
	}
}
