# METADATA
# title: No role that reads PHI may write to a bucket outside the stack
# description: |
#   A role that can read a PHI-classified table or bucket and also write to an S3 bucket
#   this deployment does not declare can move PHI out of the account. This uses what the
#   permissions stage concluded about the role (effective actions after denies, per resource).
# custom:
#   code: TG9006
#   severity: critical
package main

import rego.v1

phi_resources contains r.address if {
	some r in input.resources
	r.classification == "PHI"
}

reads_phi(identity) := target if {
	some access in identity.data_access
	"read" in access.verbs
	some target in access.targets
	target in phi_resources
}

writes_outside(identity) := access.resource if {
	some access in identity.data_access
	"write" in access.verbs
	count(access.targets) == 0
	s3_arn(access.resource)
}

s3_arn(arn) if startswith(arn, "arn:aws:s3:::")

s3_arn(arn) if startswith(arn, "arn:${AWS::Partition}:s3:::")

s3_arn(arn) if arn == "*"

deny contains result if {
	input.kind == "deployment-unit"
	some identity in input.identities
	table := reads_phi(identity)
	bucket := writes_outside(identity)
	result := {
		"msg": sprintf("%s can read PHI from %s and write to %s, a bucket this stack does not declare", [identity.address, table, bucket]),
		"resource": identity.address,
	}
}
