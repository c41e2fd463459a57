package main

import rego.v1

phi_function_input(model) := {"resource": {"address": "F", "classification": "PHI", "model": object.union({"kind": "lambda-function"}, model)}}

test_phi_function_outside_vpc_without_key if {
	count(deny) == 2 with input as phi_function_input({})
}

test_phi_function_in_vpc_with_key if {
	count(deny) == 0 with input as phi_function_input({"vpc": {"subnet_ids": ["subnet-1"]}, "kms_key": {"resource": "Key", "attribute": "Arn"}})
}

test_unclassified_function_is_not_judged if {
	count(deny) == 0 with input as {"resource": {"address": "F", "classification": null, "model": {"kind": "lambda-function"}}}
}
