package paved.rules.elasticache_encrypted_in_transit_test

import data.paved.rules.elasticache_encrypted_in_transit as rule
import data.paved.test.created
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_group_memcached_and_standalone_redis if {
	fs := rule.deny with input as plan([
		created("aws_elasticache_replication_group", {"engine": "redis"}, {"transit_encryption_enabled": true}, {"engine": "constant"}),
		named("aws_elasticache_cluster", "mc", {"engine": "memcached", "transit_encryption_enabled": false}),
		named("aws_elasticache_cluster", "rd", {"engine": "redis", "replication_group_id": null}),
	])
	{f.address | some f in fs} == {"aws_elasticache_replication_group.main", "aws_elasticache_cluster.mc", "aws_elasticache_cluster.rd"}
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([unknown(res("aws_elasticache_replication_group", {"engine": "redis"}), {"transit_encryption_enabled": true})])
	[f.undetermined | some f in fs] == [true]
}

test_pass_tls_and_group_members if {
	count(rule.deny) == 0 with input as plan([
		res("aws_elasticache_replication_group", {"transit_encryption_enabled": true}),
		named("aws_elasticache_cluster", "mc", {"engine": "memcached", "transit_encryption_enabled": true}),
		named("aws_elasticache_cluster", "member", {"engine": "redis", "replication_group_id": "cache"}),
		unknown(named("aws_elasticache_cluster", "member2", {"engine": "redis"}), {"replication_group_id": true}),
	])
}
