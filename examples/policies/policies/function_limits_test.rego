package main

test_long_timeout_is_denied {
	count(deny) == 1 with input as {"resource": {"address": "F", "model": {"kind": "lambda-function"}, "properties": {"Timeout": 900}}}
}

test_terraform_memory_is_denied {
	count(deny) == 1 with input as {"resource": {"address": "F", "model": {"kind": "lambda-function"}, "properties": {"memory_size": 3008}}}
}

test_within_limits_passes {
	count(deny) == 0 with input as {"resource": {"address": "F", "model": {"kind": "lambda-function"}, "properties": {"timeout": 30, "memorySize": 512}}}
}
