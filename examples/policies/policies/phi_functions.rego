# METADATA
# title: Functions handling PHI run in a VPC and encrypt their environment with a customer-managed key
# description: HIPAA workloads keep PHI traffic on private networks and under keys the team controls.
# custom:
#   code: TG9004
#   severity: critical
package main

import rego.v1

phi_function if {
	input.resource.model.kind == "lambda-function"
	input.resource.classification == "PHI"
}

deny contains result if {
	phi_function
	not input.resource.model.vpc
	result := {"msg": sprintf("%s handles PHI but is not in a VPC", [input.resource.address]), "path": "properties.VpcConfig"}
}

deny contains result if {
	phi_function
	not input.resource.model.kms_key
	result := {"msg": sprintf("%s handles PHI but its environment is not encrypted with a customer-managed key", [input.resource.address]), "path": "properties.KmsKeyArn"}
}
