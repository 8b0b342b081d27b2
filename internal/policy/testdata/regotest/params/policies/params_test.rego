package platform.params_test

# The organisation's own test that its configured ceiling is what the
# library sees in a check.
test_ceiling_configured if {
	data.paved.params.db_memory_ceiling.max_memory_gib == 64
}
