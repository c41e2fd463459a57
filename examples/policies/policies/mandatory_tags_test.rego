package main

test_untagged_table_warns {
	warn["T has no CostCenter tag"] with input as {"resource": {"address": "T", "model": {"kind": "dynamodb-table"}, "tags": {}}}
}

test_tagged_table_passes {
	count(warn) == 0 with input as {"resource": {"address": "T", "model": {"kind": "dynamodb-table"}, "tags": {"CostCenter": "clinical"}}}
}

test_other_kinds_are_not_judged {
	count(warn) == 0 with input as {"resource": {"address": "K", "model": {"kind": "kms-key"}, "tags": {}}}
}
