package paved.rules.elasticache_encrypted_at_rest_test

import data.paved.rules.elasticache_encrypted_at_rest as rule
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_redis_off_or_unset if {
	count(rule.deny) == 2 with input as plan([
		res("aws_elasticache_replication_group", {"engine": "redis", "at_rest_encryption_enabled": false}),
		unknown(res("aws_elasticache_replication_group", {"engine": "redis"}), {"at_rest_encryption_enabled": true}),
	])
}

test_pass_encrypted_or_valkey if {
	count(rule.deny) == 0 with input as plan([
		res("aws_elasticache_replication_group", {"engine": "redis", "at_rest_encryption_enabled": true}),
		unknown(res("aws_elasticache_replication_group", {"engine": "valkey"}), {"at_rest_encryption_enabled": true}),
		unknown(res("aws_elasticache_replication_group", {"engine": "redis", "at_rest_encryption_enabled": null, "kms_key_id": null}), {"at_rest_encryption_enabled": true, "kms_key_id": true}),
	])
}
