package main

import rego.v1

deny.x if {
	input.kind == "Deployment"
}
