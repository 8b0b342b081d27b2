package main

test_passes if {
	deny["always"] with input as {"bad": true}
}

test_fails if {
	count(deny) == 0 with input as {"bad": true}
}

test_errors if {
	to_number("not a number") == 1
}
