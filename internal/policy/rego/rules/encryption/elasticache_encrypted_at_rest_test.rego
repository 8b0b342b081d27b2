package paved.rules.elasticache_encrypted_at_rest_test

import data.paved.rules.elasticache_encrypted_at_rest as rule
import data.paved.test.created
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_redis_off_or_unset if {
	count(rule.deny) == 2 with input as plan([
		res("aws_elasticache_replication_group", {"engine": "redis", "at_rest_encryption_enabled": false}),
		created("aws_elasticache_replication_group", {"engine": "redis"}, {"at_rest_encryption_enabled": true, "kms_key_id": true}, {"engine": "constant"}),
	])
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([unknown(res("aws_elasticache_replication_group", {"engine": "redis"}), {"at_rest_encryption_enabled": true})])
	[f.undetermined | some f in fs] == [true]
}

test_pass_encrypted_valkey_or_key if {
	count(rule.deny) == 0 with input as plan([
		res("aws_elasticache_replication_group", {"engine": "redis", "at_rest_encryption_enabled": true}),
		created("aws_elasticache_replication_group", {"engine": "valkey"}, {"at_rest_encryption_enabled": true}, {"engine": "constant"}),
		created("aws_elasticache_replication_group", {"engine": "redis"}, {"at_rest_encryption_enabled": true, "kms_key_id": true}, {"engine": "constant", "kms_key_id": "computed"}),
	])
}
