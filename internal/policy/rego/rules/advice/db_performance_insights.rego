# METADATA
# title: Database without Performance Insights
# description: |
#   When a database is slow, the first question is which queries and which waits use it up.
#   Performance Insights (now part of CloudWatch Database Insights) answers that with
#   seven days of history free of charge; without it, the evidence of yesterday's incident is
#   gone. Some small burstable classes do not support it and are skipped.
#   A setting known only after apply is reported as undetermined.
# custom:
#   id: db-performance-insights
#   severity: warn
#   category: advice
#   checkov: [CKV_AWS_353]
#   trivy: [AWS-0133]
#   security: false
#   remediation: Set performance_insights_enabled = true (retention 7 days is free), or database_insights_mode = "advanced".
#   resource_types: [aws_db_instance, aws_rds_cluster_instance]
#   scope: resource
#   parameters:
#     unsupported_classes:
#       default: [db.t2.micro, db.t2.small, db.t3.micro, db.t3.small, db.t4g.micro, db.t4g.small]
#       description: Instance classes on which Performance Insights is not available.
#   examples:
#     fail: |
#       resource "aws_db_instance" "main" {
#         instance_class = "db.r6g.large"
#       }
#     pass: |
#       resource "aws_db_instance" "main" {
#         instance_class               = "db.r6g.large"
#         performance_insights_enabled = true
#       }
package paved.rules.db_performance_insights

import data.paved.lib

params := data.paved.params.db_performance_insights

warn contains f if {
	some r in lib.candidates(["aws_db_instance", "aws_rds_cluster_instance"])
	not lib.get(r, ["instance_class"], "") in params.unsupported_classes
	lib.get(r, ["performance_insights_enabled"], false) == false
	lib.get(r, ["database_insights_mode"], "standard") != "advanced"
	lib.judged(r)
	f := lib.finding(r, sprintf("%s has no Performance Insights, so slow queries cannot be traced after the fact", [r.address]), "performance_insights_enabled", object.get(r.after, "performance_insights_enabled", null))
}

warn contains f if {
	some r in lib.candidates(["aws_db_instance", "aws_rds_cluster_instance"])
	_ := r.after_unknown.performance_insights_enabled
	object.get(r.after, "performance_insights_enabled", null) == null
	lib.computed(r, ["performance_insights_enabled"])
	lib.judged(r)
	f := lib.undetermined(r, "performance_insights_enabled", "Performance Insights is on")
}
