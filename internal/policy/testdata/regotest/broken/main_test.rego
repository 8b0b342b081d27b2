package main

test_broken if {
	input.x ==
}
