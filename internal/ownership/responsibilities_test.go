package ownership

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// TestTables holds the embedded tables to what the issue asks: the types,
// every concern per type, a source per row, parsing conditions.
func TestTables(t *testing.T) {
	ts, err := Tables()
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{
		"aws_db_instance", "aws_rds_cluster", "aws_dynamodb_table", "aws_s3_bucket", "aws_elasticache_replication_group",
		"aws_sqs_queue", "aws_sns_topic", "aws_eks_cluster", "aws_lambda_function", "aws_efs_file_system", "aws_opensearch_domain",
		"google_sql_database_instance", "google_spanner_instance", "google_firestore_database", "google_storage_bucket",
		"google_pubsub_topic", "google_container_cluster",
	} {
		if TableFor(typ) == nil {
			t.Errorf("no table for %s", typ)
		}
	}
	for _, tb := range ts {
		var concerns []string
		for _, r := range tb.Rows {
			concerns = append(concerns, r.Concern)
			u, err := url.Parse(r.Source)
			if err != nil || u.Scheme != "https" || u.Host == "" {
				t.Errorf("%s %s: source %q", tb.Type, r.Concern, r.Source)
			}
			host := map[string]string{"aws": "aws.amazon.com", "google": "cloud.google.com"}[tb.Provider]
			if !strings.HasSuffix(u.Host, host) {
				t.Errorf("%s %s: source %s is not the provider's documentation (%s)", tb.Type, r.Concern, r.Source, host)
			}
			if r.CoveredBy == paved.CoverVendorOnceEnabled {
				if r.Cond() == nil {
					t.Errorf("%s %s: vendor-once-enabled without a parsed condition", tb.Type, r.Concern)
					continue
				}
				// The condition reads the resource type's attributes:
				// evaluated on nothing it is unknown, never true.
				if r.Cond().Eval(map[string]any{}) == True {
					t.Errorf("%s %s: %q is true on an empty resource", tb.Type, r.Concern, r.EnabledWhen)
				}
				if _, err := ParseCond(r.EnabledWhen); err != nil {
					t.Errorf("%s %s: %v", tb.Type, r.Concern, err)
				}
			}
		}
		if !slices.Equal(concerns, TableConcerns) {
			t.Errorf("%s: concerns %v", tb.Type, concerns)
		}
	}
	keys := AttributeKeys()
	for _, k := range []string{"backup_retention_period", "multi_az", "storage_encrypted", "point_in_time_recovery", "settings", "max_allocated_storage"} {
		if !keys[k] {
			t.Errorf("AttributeKeys lacks %s", k)
		}
	}
}

func TestParseTablesRefuses(t *testing.T) {
	row := func(extra string) string {
		return "version: 1\ntypes:\n  - type: x\n    title: X\n    provider: aws\n    rows:\n      - concern: high-availability\n" + extra
	}
	for _, tc := range []struct{ src, want string }{
		{"version: 2\n", "version 2"},
		{"version: 1\nkinds: []\n", "field kinds not found"},
		{row("        covered_by: maybe\n        note: n\n        source: https://docs.aws.amazon.com/x\n"), `covered_by "maybe"`},
		{row("        covered_by: vendor-once-enabled\n        note: n\n        source: https://docs.aws.amazon.com/x\n"), "need one"},
		{row("        covered_by: vendor\n        enabled_when: a = 1\n        note: n\n        source: https://docs.aws.amazon.com/x\n"), "enabled_when is for"},
		{row("        covered_by: vendor-once-enabled\n        enabled_when: a =\n        note: n\n        source: https://docs.aws.amazon.com/x\n"), "expected a value"},
		{row("        covered_by: vendor\n        note: n\n        source: http://docs.aws.amazon.com/x\n"), "not an https link"},
		{row("        covered_by: vendor\n        note: n\n"), "not an https link"},
		{row("        covered_by: vendor\n        source: https://docs.aws.amazon.com/x\n"), "no note"},
		{row("        covered_by: vendor\n        detail: \"{a b}\"\n        note: n\n        source: https://docs.aws.amazon.com/x\n"), "not an attribute path"},
		{row("        covered_by: vendor\n        note: n\n        source: https://docs.aws.amazon.com/x\n"), "want exactly"},
	} {
		_, err := parseTables([]byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.src, err, tc.want)
		}
	}
}

func TestResponsibilities(t *testing.T) {
	if tb, err := Responsibilities(" aws_db_instance "); err != nil || tb.Title != "Amazon RDS DB instance" {
		t.Errorf("%v %v", tb, err)
	}
	_, err := Responsibilities("aws_db_instanse")
	if paved.ErrorCode(err) != paved.ENOTFOUND || !strings.Contains(err.Error(), `did you mean "aws_db_instance"?`) {
		t.Errorf("typo: %v", err)
	}
}
