package ownership

import (
	"encoding/json"
	"strings"
	"testing"
)

func attrs(t *testing.T, js string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCondEval(t *testing.T) {
	rds := `{"backup_retention_period": 7, "multi_az": false, "storage_encrypted": null, "engine": "postgres",
		"point_in_time_recovery": [{"enabled": true}], "replica": [], "tags": {"a": "b"},
		"settings": [{"availability_type": "REGIONAL", "backup_configuration": [{"enabled": true, "binary_log_enabled": false}]}],
		"location": "europe-west1", "config": "regional-europe-west1", "count": "3"}`
	for _, tc := range []struct {
		cond string
		want Tri
	}{
		{"backup_retention_period > 0", True},
		{"backup_retention_period >= 7", True},
		{"backup_retention_period > 7", False},
		{"backup_retention_period < 8 and backup_retention_period <= 7", True},
		{"multi_az = true", False},
		{"multi_az == false", True},
		{"multi_az != true", True},
		{"storage_encrypted = true", False}, // null is known: not set
		{"storage_encrypted is set", False},
		{"storage_encrypted is not set", True},
		{"kms_key_id is set", Unknown}, // missing: known only after apply
		{"kms_key_id = \"x\"", Unknown},
		{"kms_key_id != \"x\"", Unknown},
		{"point_in_time_recovery.enabled = true", True},
		{"replica is set", False},
		{"replica.region_name is set", False},
		{"settings.availability_type = \"REGIONAL\"", True},
		{"settings.backup_configuration.enabled = true", True},
		{"settings.backup_configuration.point_in_time_recovery_enabled = true or settings.backup_configuration.binary_log_enabled = true", Unknown},
		{"settings.backup_configuration.enabled = true or kms_key_id is set", True}, // Kleene: true or unknown
		{"multi_az = true and kms_key_id is set", False},                            // false and unknown
		{"multi_az = false and kms_key_id is set", Unknown},                         // true and unknown
		{"not multi_az = true", True},
		{"not kms_key_id is set", Unknown},
		{"(multi_az = true or engine = \"postgres\") and backup_retention_period > 0", True},
		{"engine in [\"mysql\", \"postgres\"]", True},
		{"engine in [\"mysql\"]", False},
		{"engine startswith \"post\"", True},
		{"engine contains \"gres\"", True},
		{"config contains \"regional-\"", True},
		{"not config contains \"regional-\"", False},
		{"location matches \"^[a-z]+-[a-z]+[0-9]+$\"", True},
		{"count = 3", True}, // numbers as strings
		{"count > 2", True},
		{"backup_retention_period = \"7\"", True},
		{"multi_az = \"false\"", True},
		{"tags.a = \"b\"", True},
		{"engine.x is set", False}, // a scalar has no attributes
	} {
		c, err := ParseCond(tc.cond)
		if err != nil {
			t.Errorf("%s: %v", tc.cond, err)
			continue
		}
		if got := c.Eval(attrs(t, rds)); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.cond, got, tc.want)
		}
	}
	c, _ := ParseCond("multi_az = true")
	if c.Eval(nil) != Unknown {
		t.Error("nil attributes must be unknown")
	}
}

func TestCondParseErrors(t *testing.T) {
	for _, tc := range []struct{ cond, want string }{
		{"", "the condition is empty"},
		{"   ", "the condition is empty"},
		{"multi_az", `at 9: expected a comparison after multi_az`},
		{"multi_az =", "at 11: expected a value"},
		{"multi_az = true and", "at 20: expected an attribute name"},
		{"multi_az = true multi_az = false", "at 17: unexpected \"multi_az\" after a complete condition"},
		{"a > \"x\"", "> compares with a number"},
		{"a in \"x\"", "in takes a list"},
		{"a in []", "the list is empty"},
		{"a in [1, 2", "expected , or ] in the list"},
		{"a matches \"(\"", "is not a regular expression"},
		{"a startswith 3", "startswith takes a quoted string"},
		{"a ! b", "! must be followed by ="},
		{"a = \"open", "the string is not closed"},
		{"a is b", `expected "is set" or "is not set"`},
		{"(a = 1", "expected ) to close the ( at 1"},
		{"a..b = 1", "is not an attribute path"},
		{"and = 1", "expected an attribute name"},
		{"a = 1 $", "unexpected character '$'"},
		{"a = 1.2.3", "is not a number"},
		{strings.Repeat("(", 40) + "a = 1" + strings.Repeat(")", 40), "nests deeper than 32 levels"},
		{strings.Repeat("a", 1001), "at most 1000"},
	} {
		_, err := ParseCond(tc.cond)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.cond, err, tc.want)
		}
	}
}

func TestCondPaths(t *testing.T) {
	c, err := ParseCond("a = 1 or (b.c is set and not a = 2)")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Paths(), " "); got != "a b.c" {
		t.Errorf("paths %q", got)
	}
	if c.String() != "a = 1 or (b.c is set and not a = 2)" {
		t.Errorf("string %q", c.String())
	}
}
