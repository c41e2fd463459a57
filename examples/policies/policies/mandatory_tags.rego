# Written in Rego v0 syntax (no `if`, no `contains`), as many existing conftest policies are.
package main

tagged_kinds := {"lambda-function", "dynamodb-table", "s3-bucket", "sqs-queue"}

# METADATA
# title: Functions, tables, buckets and queues carry a CostCenter tag
# description: Finance allocates spend by the `CostCenter` tag.
# custom:
#   code: TG9003
#   severity: low
warn[msg] {
	tagged_kinds[input.resource.model.kind]
	not input.resource.tags.CostCenter
	msg := sprintf("%s has no CostCenter tag", [input.resource.address])
}
