package main

deny contains "always" if {
	input.bad
}
