package policies.extra

violation[msg] {
	msg := sprintf("extra namespace sees %s", [input.metadata.name])
}

warn_[msg] {
	msg := "never"
}
