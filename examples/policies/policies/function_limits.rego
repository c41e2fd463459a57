# METADATA
# title: Function timeout and memory stay within limits
# description: Long timeouts and large memory hide runaway invocations and cost; 300 s and 1024 MB are the ceiling.
# custom:
#   code: TG9002
#   severity: medium
package main

max_timeout := 300

max_memory := 1024

# The property as each format spells it: CloudFormation/SAM, Serverless, Terraform.
setting(props, names) := [name, props[name]] {
	name := names[_]
	props[name]
}

deny[result] {
	is_function
	[name, timeout] := setting(input.resource.properties, ["Timeout", "timeout"])
	is_number(timeout)
	timeout > max_timeout
	result := {"msg": sprintf("%s has a timeout of %d s, over the %d s limit", [input.resource.address, timeout, max_timeout]), "path": ["properties", name]}
}

deny[result] {
	is_function
	[name, memory] := setting(input.resource.properties, ["MemorySize", "memorySize", "memory_size"])
	is_number(memory)
	memory > max_memory
	result := {"msg": sprintf("%s has %d MB of memory, over the %d MB limit", [input.resource.address, memory, max_memory]), "path": ["properties", name]}
}

is_function {
	input.resource.model.kind == "lambda-function"
}
