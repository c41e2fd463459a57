package main

import rego.v1

exfiltration_unit(write_resource, write_targets) := doc if {
	write := {"resource": write_resource, "targets": write_targets, "verbs": ["write"]}
	read := {"resource": "${Patients.Arn}", "targets": ["Patients"], "verbs": ["read"]}
	role := {"address": "Role", "data_access": [read, write]}
	resources := [{"address": "Patients", "classification": "PHI"}, {"address": "Exports", "classification": null}]
	doc := {"kind": "deployment-unit", "resources": resources, "identities": [role]}
}

test_write_to_foreign_bucket_is_denied if {
	count(deny) == 1 with input as exfiltration_unit("arn:aws:s3:::partner-exports/*", [])
}

test_write_to_own_bucket_passes if {
	count(deny) == 0 with input as exfiltration_unit("${Exports.Arn}/*", ["Exports"])
}
