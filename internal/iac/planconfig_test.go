package iac

import (
	"reflect"
	"testing"
)

// A plan whose resources get their attributes from literals, root
// variables, module inputs and other resources, in the shape terraform
// show -json writes (Terraform 1.9, AWS provider 5).
const configPlan = `{
  "format_version": "1.2",
  "terraform_version": "1.9.8",
  "variables": {
    "db_password": {"value": "s3cret"},
    "encrypted": {"value": true},
    "retention": {"value": 14},
    "kms_key": {"value": null}
  },
  "resource_changes": [
    {"address": "aws_kms_key.db", "mode": "managed", "type": "aws_kms_key", "name": "db",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null, "after": {"description": "db"}, "after_unknown": {"arn": true}}},
    {"address": "module.db[\"a\"].aws_db_instance.this[0]", "module_address": "module.db[\"a\"]", "mode": "managed",
     "type": "aws_db_instance", "name": "this", "index": 0, "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"tags": null},
       "after_unknown": {"kms_key_id": true, "snapshot_identifier": true, "tags_all": true, "storage_encrypted": true,
         "backup_retention_period": true, "identifier": true, "multi_az": true, "username": true, "engine": true, "tags": true},
       "after_sensitive": {"password": true}}},
    {"address": "module.db[\"a\"].module.inner.aws_db_parameter_group.p", "module_address": "module.db[\"a\"].module.inner",
     "mode": "managed", "type": "aws_db_parameter_group", "name": "p", "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null, "after": {}, "after_unknown": {"family": true, "name": true}}},
    {"address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null, "after": {"instance_type": "t3.micro"},
       "after_unknown": {"root_block_device": true, "ebs_block_device": [{"encrypted": true}]}}},
    {"address": "aws_sqs_queue.gone", "mode": "managed", "type": "aws_sqs_queue", "name": "gone",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["delete"], "before": {"name": "gone"}, "after": null}}
  ],
  "configuration": {
    "provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
      "expressions": {"region": {"constant_value": "eu-west-1"}, "default_tags": [{"tags": {"references": ["local.tags"]}}]}}},
    "root_module": {
      "variables": {
        "db_password": {"sensitive": true},
        "encrypted": {"default": true},
        "retention": {"default": 7},
        "kms_key": {"default": null}
      },
      "resources": [
        {"address": "aws_kms_key.db", "mode": "managed", "type": "aws_kms_key", "name": "db", "provider_config_key": "aws",
         "expressions": {"description": {"constant_value": "db"}}, "schema_version": 0},
        {"address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web", "provider_config_key": "aws",
         "expressions": {"instance_type": {"constant_value": "t3.micro"},
           "ebs_block_device": [{"device_name": {"constant_value": "/dev/sdf"}, "encrypted": {"references": ["var.encrypted"]}},
                                {"kms_key_id": {"references": ["aws_kms_key.db.arn", "aws_kms_key.db"]}}]},
         "schema_version": 1}
      ],
      "module_calls": {
        "db": {
          "source": "./modules/db",
          "for_each_expression": {"constant_value": {"a": 1}},
          "expressions": {
            "encrypted": {"constant_value": false},
            "password": {"references": ["var.db_password"]},
            "retention": {"references": ["var.retention"]},
            "kms_key_id": {"references": ["var.kms_key"]},
            "identifier": {"references": ["each.key"]}
          },
          "module": {
            "variables": {
              "encrypted": {}, "password": {}, "retention": {}, "kms_key_id": {"default": null},
              "identifier": {}, "multi_az": {"default": false}, "engine": {"default": null}
            },
            "resources": [
              {"address": "aws_db_instance.this", "mode": "managed", "type": "aws_db_instance", "name": "this",
               "provider_config_key": "aws", "count_expression": {"constant_value": 1},
               "expressions": {
                 "storage_encrypted": {"references": ["var.encrypted"]},
                 "password": {"references": ["var.password"]},
                 "backup_retention_period": {"references": ["var.retention"]},
                 "kms_key_id": {"references": ["var.kms_key_id"]},
                 "identifier": {"references": ["var.identifier"]},
                 "multi_az": {"references": ["var.multi_az"]},
                 "engine": {"references": ["var.engine"]},
                 "username": {"constant_value": "app"},
                 "tags": {"constant_value": null}
               }, "schema_version": 2}
            ],
            "module_calls": {
              "inner": {"source": "./inner",
                "expressions": {"family": {"references": ["var.engine"]}},
                "module": {"variables": {"family": {}},
                  "resources": [{"address": "aws_db_parameter_group.p", "provider_config_key": "aws",
                    "expressions": {"family": {"references": ["var.family"]}, "name": {"references": ["var.missing"]}}}]}}
            }
          }
        }
      }
    }
  }
}`

func TestPlanConfig(t *testing.T) {
	docs, err := Read("plan.json", []byte(configPlan), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, r := range docs[0].Resources {
		got[r.Address] = r.Config
	}
	want := map[string]map[string]any{
		// Only attributes whose value the plan does not show (unknown or
		// sensitive) keep their entry: the description is known.
		"aws_kms_key.db": {},
		`module.db["a"].aws_db_instance.this[0]`: {
			"storage_encrypted":       "constant", // module input: a literal false
			"password":                "variable", // a root variable without default
			"backup_retention_period": "variable", // a root variable set to 14, not its default 7
			"identifier":              "computed", // each.key
			"multi_az":                "constant", // the module variable's default
			"username":                "constant",
			// kms_key_id: var.kms_key is null at the root; engine: default
			// null; tags: an explicit null. All unset.
			// tags_all: unknown, and the provider's default_tags are
			// local.tags, which the plan does not resolve.
			"tags_all": "computed",
		},
		// The engine variable is null, so family is unset; var.missing
		// is declared nowhere (not valid Terraform): computed.
		`module.db["a"].module.inner.aws_db_parameter_group.p`: {"name": "computed"},
		"aws_instance.web": {
			"ebs_block_device": []any{
				map[string]any{"device_name": "constant", "encrypted": "constant"}, // var.encrypted = its default
				map[string]any{"kms_key_id": "computed"},
			},
		},
		"aws_sqs_queue.gone": nil, // no longer configured
	}
	if !reflect.DeepEqual(got, want) {
		for addr := range want {
			if !reflect.DeepEqual(got[addr], want[addr]) {
				t.Errorf("%s:\n got %v\nwant %v", addr, got[addr], want[addr])
			}
		}
	}

	// Known values leave no entry, but a sensitive one does.
	for _, r := range docs[0].Resources {
		if r.Type == "aws_db_instance" && r.Config["password"] != "variable" {
			t.Errorf("the masked password lost its configuration entry: %v", r.Config)
		}
	}

	// Without a configuration block nothing is known about it.
	noConfig := []byte(`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","name":"b","change":{"actions":["create"],"after":{},"after_unknown":{"x":true}}}]}`)
	docs, err = Read("plan.json", noConfig, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := docs[0].Resources[0].Config; c != nil {
		t.Errorf("config without a configuration block: %v, want nil", c)
	}

	// The projection applies to the configuration as to the values.
	docs, err = Read("plan.json", []byte(configPlan), Options{Attributes: func() map[string]bool { return map[string]bool{"password": true} }})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range docs[0].Resources {
		if r.Type == "aws_db_instance" && !reflect.DeepEqual(r.Config, map[string]any{"password": "variable", "tags_all": "computed"}) {
			t.Errorf("projected config %v", r.Config)
		}
	}
}
