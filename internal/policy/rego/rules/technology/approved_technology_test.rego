package paved.rules.approved_technology_test

import data.paved.rules.approved_technology as rule
import data.paved.test.deleted
import data.paved.test.plan
import data.paved.test.res

test_fail_second_queue_technology if {
	fs := rule.deny with input as plan([res("aws_sqs_queue", {}), res("aws_mq_broker", {"engine_type": "RabbitMQ"})])
	some f in fs
	f.address == "aws_mq_broker.main"
	f.value == "aws_mq_broker"
	contains(f.msg, "SQS")
}

test_fail_type_added_by_params if {
	count(rule.deny) == 1 with input as plan([res("aws_sqs_queue", {})])
		with data.paved.params.approved_technology as {"needs_signoff": {"aws_sqs_queue": "we use Kafka"}}
}

test_pass_paved_road_and_removal if {
	count(rule.deny) == 0 with input as plan([res("aws_sqs_queue", {}), res("aws_db_instance", {}), deleted(res("aws_mq_broker", {}))])
}
