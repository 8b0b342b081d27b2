package paved.rules.kms_key_rotation_test

import data.paved.rules.kms_key_rotation as rule
import data.paved.test.deleted
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

p := {"max_rotation_days": 365}

test_fail_unrotated if {
	count(rule.warn) == 5 with input as plan([
		res("aws_kms_key", {"description": "unset"}),
		named("aws_kms_key", "off", {"enable_key_rotation": false, "key_usage": "ENCRYPT_DECRYPT", "customer_master_key_spec": "SYMMETRIC_DEFAULT"}),
		named("aws_kms_key", "slow", {"enable_key_rotation": true, "rotation_period_in_days": 2560}),
		res("google_kms_crypto_key", {"name": "k", "rotation_period": null}),
		named("google_kms_crypto_key", "slow", {"name": "k", "rotation_period": "63072000s"}),
	])
		with data.paved.params.kms_key_rotation as p
}

test_pass_rotated_asymmetric_unknown_deleted if {
	count(rule.warn) == 0 with input as plan([
		res("aws_kms_key", {"enable_key_rotation": true}),
		named("aws_kms_key", "sign", {"enable_key_rotation": false, "key_usage": "SIGN_VERIFY", "customer_master_key_spec": "ECC_NIST_P256"}),
		named("aws_kms_key", "rsa", {"customer_master_key_spec": "RSA_2048"}),
		deleted(named("aws_kms_key", "gone", {"enable_key_rotation": false})),
		res("google_kms_crypto_key", {"name": "k", "rotation_period": "7776000s"}),
		named("google_kms_crypto_key", "sign", {"name": "k", "purpose": "ASYMMETRIC_SIGN"}),
	])
		with data.paved.params.kms_key_rotation as p
}

test_fail_computed_is_undetermined if {
	fs := rule.warn with input as plan([unknown(named("aws_kms_key", "var", {}), {"enable_key_rotation": true})])
		with data.paved.params.kms_key_rotation as p
	[f.undetermined | some f in fs] == [true]
}
