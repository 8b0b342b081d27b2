# METADATA
# title: DynamoDB partition key looks like a timestamp
# description: |
#   DynamoDB spreads data and throughput over partitions by the hash of the partition key.
#   When the key is a date or a timestamp, all of today's writes land on the same key (or a
#   handful of them): one hot partition throttles while the table's capacity sits idle, and
#   queries "for a day" read one huge item collection. Use a high-cardinality key (a customer
#   or entity id) and put the time in the sort key. Global secondary indexes are checked too.
#   A key known only after apply is reported as undetermined.
# custom:
#   id: dynamodb-timestamp-partition-key
#   severity: warn
#   category: advice
#   checkov: []
#   trivy: []
#   security: false
#   remediation: Partition by a high-cardinality attribute (customer_id, device_id) and use the timestamp as range_key; if time is the only access pattern, add a shard suffix to the key.
#   resource_types: [aws_dynamodb_table]
#   scope: resource
#   parameters:
#     patterns:
#       default: ['(?i)^(ts|date|day|time|timestamp|datetime|hour|minute|month|year|epoch|created|updated|period)$', '(?i)(_at|_on|_date|_day|_time|_ts|_timestamp|_epoch)$', '(At|On|Date|Day|Time|Timestamp|Ts)$']
#       description: Regular expressions (RE2) that mark an attribute name as time-like.
#   examples:
#     fail: |
#       resource "aws_dynamodb_table" "events" {
#         name     = "events"
#         hash_key = "created_at"
#         attribute {
#           name = "created_at"
#           type = "S"
#         }
#       }
#     pass: |
#       resource "aws_dynamodb_table" "events" {
#         name      = "events"
#         hash_key  = "device_id"
#         range_key = "created_at"
#       }
package paved.rules.dynamodb_timestamp_partition_key

import data.paved.lib

params := data.paved.params.dynamodb_timestamp_partition_key

warn contains f if {
	some r in lib.candidates(["aws_dynamodb_table"])
	key := lib.get(r, ["hash_key"], "")
	_time_like(key)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s uses %q as its partition key, which looks like a time value and makes a hot partition", [r.address, key]), "hash_key", key)
}

warn contains f if {
	some r in lib.candidates(["aws_dynamodb_table"])
	some i, gsi in object.get(r.after, "global_secondary_index", [])
	key := object.get(gsi, "hash_key", "")
	_time_like(key)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s index %s uses %q as its partition key, which looks like a time value and makes a hot partition", [r.address, object.get(gsi, "name", i), key]), sprintf("global_secondary_index[%d].hash_key", [i]), key)
}

_time_like(key) if {
	is_string(key)
	some p in params.patterns
	regex.match(p, key)
}

warn contains f if {
	some r in lib.candidates(["aws_dynamodb_table"])
	_ := r.after_unknown.hash_key
	object.get(r.after, "hash_key", null) == null
	lib.computed(r, ["hash_key"])
	lib.judged(r)
	f := lib.undetermined(r, "hash_key", "the partition key is a time value")
}
