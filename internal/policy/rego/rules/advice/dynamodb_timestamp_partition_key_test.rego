package paved.rules.dynamodb_timestamp_partition_key_test

import data.paved.rules.dynamodb_timestamp_partition_key as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_time_like_keys if {
	fs := rule.warn with input as plan([
		named("aws_dynamodb_table", "a", {"hash_key": "created_at"}),
		named("aws_dynamodb_table", "b", {"hash_key": "ts"}),
		named("aws_dynamodb_table", "c", {"hash_key": "eventDate"}),
		named("aws_dynamodb_table", "d", {"hash_key": "Timestamp"}),
	])
	count(fs) == 4
}

test_fail_gsi if {
	fs := rule.warn with input as plan([res("aws_dynamodb_table", {"hash_key": "id", "global_secondary_index": [{"name": "by_day", "hash_key": "day"}]})])
	some f in fs
	f.path == "global_secondary_index[0].hash_key"
}

test_pass_entity_keys if {
	count(rule.warn) == 0 with input as plan([
		named("aws_dynamodb_table", "a", {"hash_key": "device_id", "range_key": "created_at"}),
		named("aws_dynamodb_table", "b", {"hash_key": "pk"}),
		named("aws_dynamodb_table", "c", {"hash_key": "category"}),
		named("aws_dynamodb_table", "d", {"hash_key": "format"}),
		named("aws_dynamodb_table", "e", {"hash_key": "customerId"}),
	])
}

test_fail_computed_is_undetermined if {
	fs := rule.warn with input as plan([unknown(res("aws_dynamodb_table", {"name": "t"}), {"hash_key": true})])
	[f.undetermined | some f in fs] == [true]
}
