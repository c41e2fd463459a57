package main

import rego.v1

function_input(runtime) := {"resource": {"address": "Fn", "model": {"kind": "lambda-function", "runtime": runtime}}}

test_old_runtime_is_denied if {
	count(deny) == 1 with input as function_input("python3.8")
}

test_approved_runtime_passes if {
	count(deny) == 0 with input as function_input("python3.12")
}

test_unknown_runtime_is_not_judged if {
	count(deny) == 0 with input as function_input({"tollgate:unknown": "parameter without default"})
}

# Node.js 20 was deprecated on April 30, 2026: no longer approved.
test_deprecated_node_runtime_is_denied if {
	count(deny) == 1 with input as function_input("nodejs20.x")
}
