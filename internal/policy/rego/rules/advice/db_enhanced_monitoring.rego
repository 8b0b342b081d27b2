# METADATA
# title: Database without enhanced monitoring
# description: |
#   Standard CloudWatch metrics for RDS arrive once a minute and show nothing of the operating
#   system. Enhanced monitoring adds per-process CPU, memory, swap and I/O at up to one-second
#   resolution, which is what tells a noisy query from a starved host during an incident.
#   It needs monitoring_interval above 0 and a monitoring role.
#   An interval known only after apply is reported as undetermined.
# custom:
#   id: db-enhanced-monitoring
#   severity: warn
#   category: advice
#   checkov: [CKV_AWS_118]
#   trivy: []
#   security: false
#   remediation: Set monitoring_interval (for example 60, or 15 for busy databases) and monitoring_role_arn to a role with AmazonRDSEnhancedMonitoringRole.
#   resource_types: [aws_db_instance, aws_rds_cluster_instance]
#   scope: resource
#   parameters:
#     max_interval_seconds:
#       default: 60
#       description: Coarsest acceptable enhanced monitoring interval in seconds.
#   examples:
#     fail: |
#       resource "aws_db_instance" "main" {
#         instance_class      = "db.r6g.large"
#         monitoring_interval = 0
#       }
#     pass: |
#       resource "aws_db_instance" "main" {
#         instance_class      = "db.r6g.large"
#         monitoring_interval = 60
#         monitoring_role_arn = aws_iam_role.rds_monitoring.arn
#       }
package paved.rules.db_enhanced_monitoring

import data.paved.lib

params := data.paved.params.db_enhanced_monitoring

warn contains f if {
	some r in lib.candidates(["aws_db_instance", "aws_rds_cluster_instance"])
	interval := lib.get(r, ["monitoring_interval"], 0)
	is_number(interval)
	interval == 0
	lib.judged(r)
	f := lib.finding(r, sprintf("%s has no enhanced monitoring (monitoring_interval = 0)", [r.address]), "monitoring_interval", interval)
}

warn contains f if {
	some r in lib.candidates(["aws_db_instance", "aws_rds_cluster_instance"])
	interval := lib.get(r, ["monitoring_interval"], 0)
	is_number(interval)
	interval > params.max_interval_seconds
	lib.judged(r)
	f := lib.finding(r, sprintf("%s samples enhanced monitoring every %v s, coarser than %v s", [r.address, interval, params.max_interval_seconds]), "monitoring_interval", interval)
}

warn contains f if {
	some r in lib.candidates(["aws_db_instance", "aws_rds_cluster_instance"])
	_ := r.after_unknown.monitoring_interval
	object.get(r.after, "monitoring_interval", null) == null
	lib.computed(r, ["monitoring_interval"])
	lib.judged(r)
	f := lib.undetermined(r, "monitoring_interval", "enhanced monitoring is on")
}
