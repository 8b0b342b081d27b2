package demo

import (
	"sort"

	paved "github.com/paved-dev/paved"
)

// The resources the demo's recorded checks evaluated, so that the
// ownership map has something real to say about them: `paved ownership
// service fraud-scoring` shows an RDS instance with backups and
// encryption on, a single-AZ cache with no snapshots and no TLS (the
// finding the check raised), a queue and a bucket; the other checked
// services have their own mix. Values the plan would mark sensitive are
// masked, as the reader masks them. The default ownership map applies.

// withResources sets the check's resources and counts them by type.
func withResources(c *paved.CheckRecord) {
	rs := checkResources(c.Service)
	c.Resources = rs
	c.ResourceTypes = map[string]int{}
	for _, r := range rs {
		c.ResourceTypes[r.Type]++
	}
}

func checkResources(service string) []*paved.CheckResource {
	tags := map[string]string{"service": service, "team": "", "env": "prod"}
	for _, d := range services {
		if d.name == service {
			tags["team"] = d.owner
		}
	}
	res := func(addr, typ string, after map[string]any) *paved.CheckResource {
		return &paved.CheckResource{Address: addr, Type: typ, Action: "create", After: after, Tags: tags, Region: "eu-west-1"}
	}
	// What every checked demo service has: its network, identity, load
	// balancer and workloads.
	rs := []*paved.CheckResource{
		res("aws_security_group.service", "aws_security_group", map[string]any{"name": service, "description": service + " service"}),
		res("aws_security_group.database", "aws_security_group", map[string]any{"name": service + "-db", "description": service + " database"}),
		res("aws_iam_role.service", "aws_iam_role", map[string]any{"name": service}),
		res("aws_lb_listener.https", "aws_lb_listener", map[string]any{"port": 443.0, "protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}),
		res("kubernetes_deployment.api", "kubernetes_deployment", map[string]any{"metadata": []any{map[string]any{"name": service}}}),
		res("kubernetes_deployment.worker", "kubernetes_deployment", map[string]any{"metadata": []any{map[string]any{"name": service + "-worker"}}}),
	}
	db := map[string]any{
		"identifier": service, "engine": "postgres", "engine_version": "16.4", "instance_class": "db.r6g.large",
		"allocated_storage": 100.0, "max_allocated_storage": 500.0, "backup_retention_period": 7.0, "storage_encrypted": true,
		"multi_az": true, "auto_minor_version_upgrade": true, "password": paved.SensitiveValue, "monitoring_interval": 60.0,
	}
	switch service {
	case "fraud-scoring":
		db["identifier"] = "fraud-features"
		rs = append(rs,
			res("aws_db_instance.features", "aws_db_instance", db),
			res("aws_elasticache_replication_group.features", "aws_elasticache_replication_group", map[string]any{
				"replication_group_id": "fraud-features", "node_type": "cache.r6g.large", "num_cache_clusters": 1.0,
				"multi_az_enabled": false, "automatic_failover_enabled": false, "at_rest_encryption_enabled": true,
				"transit_encryption_enabled": false, "snapshot_retention_limit": 0.0, "auto_minor_version_upgrade": true,
				"auth_token": paved.SensitiveValue,
			}),
			res("aws_sqs_queue.score_requests", "aws_sqs_queue", map[string]any{
				"name": "fraud-score-requests", "sqs_managed_sse_enabled": true, "message_retention_seconds": 345600.0,
			}),
			res("aws_s3_bucket.models", "aws_s3_bucket", map[string]any{"bucket": "fraud-scoring-models"}),
		)
	case "mfa-gateway":
		rs = append(rs,
			res("aws_dynamodb_table.enrolments", "aws_dynamodb_table", map[string]any{
				"name": "mfa-enrolments", "billing_mode": "PAY_PER_REQUEST",
				"point_in_time_recovery": []any{map[string]any{"enabled": false}}, "replica": []any{},
				"server_side_encryption": []any{map[string]any{"enabled": true}},
			}),
			res("aws_sns_topic.sms", "aws_sns_topic", map[string]any{"name": "mfa-sms"}),
		)
	default:
		// A smaller database, kept for a single day and not encrypted: the
		// considerations say so.
		db["backup_retention_period"], db["storage_encrypted"], db["multi_az"], db["max_allocated_storage"] = 1.0, false, false, 0.0
		rs = append(rs, res("aws_db_instance.main", "aws_db_instance", db))
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].Address < rs[j].Address })
	return rs
}
