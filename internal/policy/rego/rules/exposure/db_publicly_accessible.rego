# METADATA
# title: Database reachable from the internet
# description: |
#   A publicly accessible database gets a public IP address and DNS name; one security group
#   mistake then exposes it to the whole internet, where database ports are scanned within
#   minutes. Applications reach databases from inside the VPC; people reach them through a
#   bastion, SSM port forwarding or a VPN.
# custom:
#   id: db-publicly-accessible
#   severity: deny
#   category: exposure
#   security: true
#   remediation: Set publicly_accessible = false and place the database in private subnets; connect through a bastion, SSM or VPN.
#   resource_types: [aws_db_instance, aws_rds_cluster_instance, aws_redshift_cluster, aws_dms_replication_instance]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_db_instance" "main" {
#         instance_class      = "db.t4g.medium"
#         publicly_accessible = true
#       }
#     pass: |
#       resource "aws_db_instance" "main" {
#         instance_class      = "db.t4g.medium"
#         publicly_accessible = false
#       }
package paved.rules.db_publicly_accessible

import data.paved.lib

deny contains f if {
	some r in lib.candidates(["aws_db_instance", "aws_rds_cluster_instance", "aws_redshift_cluster", "aws_dms_replication_instance"])
	lib.get(r, ["publicly_accessible"], false) == true
	lib.judged(r)
	f := lib.finding(r, sprintf("%s is publicly accessible from the internet", [r.address]), "publicly_accessible", true)
}
