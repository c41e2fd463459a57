package main

import rego.v1

url_unit(auth, env) := doc if {
	function := {"address": "Fn", "tags": {"Environment": env}, "model": {"kind": "lambda-function"}}
	url := {"address": "FnUrl", "tags": {}, "model": {"kind": "function-url", "auth_type": auth, "function": {"resource": "Fn"}}}
	doc := {"kind": "deployment-unit", "resources": [function, url]}
}


test_public_url_in_prod_is_denied if {
	count(deny) == 1 with input as url_unit("NONE", "prod")
}

test_iam_url_in_prod_passes if {
	count(deny) == 0 with input as url_unit("AWS_IAM", "prod")
}

test_public_url_in_dev_passes if {
	count(deny) == 0 with input as url_unit("NONE", "dev")
}
