# METADATA
# title: Technology off the paved road
# description: |
#   Every technology the organisation runs needs people who can operate it at 3 a.m., patch it,
#   back it up and pay for it. The paved road has one approved choice per need (SQS and SNS for
#   messaging, RDS/Aurora and DynamoDB for data, ElastiCache for caching, OpenSearch for search);
#   a second message queue or a niche database is not forbidden, but needs a conversation about
#   who will run it. The parameter maps each resource type that needs sign-off to the reason.
#   The resource type is always in the plan, so unknown values do not change the verdict.
# custom:
#   id: approved-technology
#   severity: deny
#   category: technology
#   checkov: []
#   trivy: []
#   security: false
#   remediation: Use the approved technology named in the message, or ask the enablement team for a sign-off explaining why this one is needed and who will operate it.
#   scope: resource
#   resource_types: ["*"]
#   parameters:
#     needs_signoff:
#       default:
#         aws_mq_broker: SQS and SNS are the approved messaging services
#         aws_msk_cluster: SQS and SNS are the approved messaging services; Kafka needs a platform conversation
#         aws_msk_serverless_cluster: SQS and SNS are the approved messaging services; Kafka needs a platform conversation
#         aws_kinesis_stream: SQS and SNS are the approved messaging services; streams need a platform conversation
#         aws_docdb_cluster: RDS/Aurora PostgreSQL and DynamoDB are the approved databases
#         aws_docdb_elastic_cluster: RDS/Aurora PostgreSQL and DynamoDB are the approved databases
#         aws_neptune_cluster: RDS/Aurora PostgreSQL and DynamoDB are the approved databases
#         aws_keyspaces_table: RDS/Aurora PostgreSQL and DynamoDB are the approved databases
#         aws_timestreamwrite_database: RDS/Aurora PostgreSQL and DynamoDB are the approved databases
#         aws_qldb_ledger: QLDB reached end of support; use RDS/Aurora or DynamoDB
#         aws_memorydb_cluster: ElastiCache is the approved cache
#         aws_elasticsearch_domain: use aws_opensearch_domain; the Elasticsearch resource is legacy
#         aws_cloudsearch_domain: OpenSearch is the approved search service
#         aws_simpledb_domain: SimpleDB is legacy; use DynamoDB
#         aws_lightsail_instance: run workloads on EKS, ECS or EC2 in the landing zone
#         aws_elastic_beanstalk_environment: run workloads on EKS or ECS
#         aws_redshift_cluster: analytics belong on the data platform
#       description: Resource types that need sign-off, each with the reason or the approved alternative.
#   examples:
#     fail: |
#       resource "aws_mq_broker" "events" {
#         broker_name        = "events"
#         engine_type        = "RabbitMQ"
#         host_instance_type = "mq.m5.large"
#       }
#     pass: |
#       resource "aws_sqs_queue" "events" {
#         name = "events"
#       }
package paved.rules.approved_technology

import data.paved.lib

params := data.paved.params.approved_technology

deny contains f if {
	some t, why in params.needs_signoff
	some r in object.get(input.by_type, t, [])
	lib.judged(r)
	f := lib.finding(r, sprintf("%s uses %s, which is off the paved road: %s", [r.address, t, why]), "", t)
}
