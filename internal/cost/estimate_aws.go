package cost

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/paved-dev/paved"
)

// How each AWS resource type is priced. A pricer reads the attributes of
// one state (view), adds components for what runs by the hour or month,
// lists what depends on usage, and says why anything could not be priced.

// TypeServices maps the Terraform resource types paved prices to the price
// book services they use (paved prices show aws_db_instance).
var TypeServices = map[string][]string{
	"aws_instance":                      {"ec2", "ebs"},
	"aws_ebs_volume":                    {"ebs"},
	"aws_db_instance":                   {"rds", "rds-storage"},
	"aws_rds_cluster":                   {"rds-storage"},
	"aws_rds_cluster_instance":          {"rds"},
	"aws_s3_bucket":                     {"s3"},
	"aws_nat_gateway":                   {"nat-gateway"},
	"aws_lb":                            {"elb"},
	"aws_alb":                           {"elb"},
	"aws_elasticache_cluster":           {"elasticache"},
	"aws_elasticache_replication_group": {"elasticache"},
	"aws_dynamodb_table":                {"dynamodb"},
	"aws_lambda_function":               {"lambda"},
	"aws_eks_cluster":                   {"eks"},
	"aws_eks_node_group":                {"ec2"},
	"aws_eip":                           {"vpc"},
	"aws_kms_key":                       {"kms"},
	"aws_secretsmanager_secret":         {"secretsmanager"},
	"aws_route53_zone":                  {"route53"},
	"aws_route53_health_check":          {"route53"},
	"aws_cloudwatch_metric_alarm":       {"cloudwatch"},
}

var awsPricers = map[string]func(*side){
	"aws_instance":                      priceInstance,
	"aws_ebs_volume":                    priceVolume,
	"aws_db_instance":                   priceDBInstance,
	"aws_rds_cluster":                   priceRDSCluster,
	"aws_rds_cluster_instance":          priceClusterInstance,
	"aws_s3_bucket":                     priceBucket,
	"aws_nat_gateway":                   priceNAT,
	"aws_lb":                            priceLB,
	"aws_alb":                           priceLB,
	"aws_elasticache_cluster":           priceCacheCluster,
	"aws_elasticache_replication_group": priceReplicationGroup,
	"aws_dynamodb_table":                priceDynamoDB,
	"aws_lambda_function":               priceLambda,
	"aws_eks_cluster":                   priceEKS,
	"aws_eks_node_group":                priceNodeGroup,
	"aws_eip":                           priceEIP,
	"aws_kms_key":                       func(ps *side) { ps.monthly("key", PriceKey{Service: "kms", Product: "key", Unit: "month"}) },
	"aws_secretsmanager_secret": func(ps *side) {
		ps.monthly("secret", PriceKey{Service: "secretsmanager", Product: "secret", Unit: "month"})
	},
	"aws_route53_zone": func(ps *side) {
		ps.monthly("hosted zone", PriceKey{Service: "route53", Region: "global", Product: "hosted-zone", Unit: "month"})
	},
	"aws_route53_health_check":    priceHealthCheck,
	"aws_cloudwatch_metric_alarm": priceAlarm,
}

// freePrefixes and freeTypes are AWS resource types that cost nothing by
// themselves (what they configure is priced on the resource it belongs
// to): they are counted as free, not listed as unpriced.
var freePrefixes = []string{
	"aws_iam_", "aws_security_group", "aws_vpc_security_group_", "aws_default_", "aws_route_table", "aws_network_acl",
	"aws_s3_bucket_", "aws_s3_account_public_access_block", "aws_lb_listener", "aws_lb_target_group", "aws_alb_listener", "aws_alb_target_group",
	"aws_db_subnet_group", "aws_db_parameter_group", "aws_db_option_group", "aws_rds_cluster_parameter_group",
	"aws_elasticache_subnet_group", "aws_elasticache_parameter_group", "aws_elasticache_user",
	"aws_lambda_permission", "aws_lambda_alias", "aws_lambda_event_source_mapping", "aws_kms_alias", "aws_kms_grant",
	"aws_secretsmanager_secret_version", "aws_secretsmanager_secret_policy", "aws_secretsmanager_secret_rotation",
	"aws_eks_addon", "aws_eks_access_", "aws_eks_identity_provider_config", "aws_eks_pod_identity_association",
	"aws_cloudwatch_log_resource_policy", "aws_sns_topic_policy", "aws_sns_topic_subscription", "aws_sqs_queue_policy",
	"aws_ecr_lifecycle_policy", "aws_ecr_repository_policy", "aws_appautoscaling_", "aws_autoscaling_policy",
	"aws_autoscaling_schedule", "aws_acm_certificate", "aws_ssm_parameter", "aws_launch_template", "aws_launch_configuration",
	"aws_placement_group", "aws_key_pair", "aws_dynamodb_table_item", "aws_dynamodb_tag", "aws_ec2_tag",
	"aws_eip_association", "aws_volume_attachment", "aws_route53_record", "aws_route53_zone_association",
}

var freeTypes = map[string]bool{
	"aws_vpc": true, "aws_subnet": true, "aws_route": true, "aws_internet_gateway": true, "aws_egress_only_internet_gateway": true,
	"aws_main_route_table_association": true, "aws_vpc_dhcp_options": true, "aws_vpc_dhcp_options_association": true,
	"aws_ecs_cluster": true, "aws_ecs_task_definition": true, "aws_cloudwatch_event_rule": true, "aws_cloudwatch_event_target": true,
	"aws_sns_topic": true, "aws_sqs_queue": true, "aws_ecr_repository": true, "aws_cloudwatch_log_group": true,
	"aws_cloudwatch_log_stream": true, "aws_cloudwatch_log_subscription_filter": true,
	"aws_cloudwatch_log_metric_filter": true, "aws_db_instance_role_association": true,
	"aws_api_gateway_rest_api": true, "aws_apigatewayv2_api": true,
}

// isFree reports whether a resource type costs nothing by itself. SNS,
// SQS, ECR, CloudWatch Logs and API Gateway charge only by use, which
// paved does not price: they count as free here, and docs/cost.md says so.
func isFree(typ string) bool {
	if freeTypes[typ] {
		return true
	}
	for _, p := range freePrefixes {
		if strings.HasPrefix(typ, p) {
			return true
		}
	}
	return false
}

// state of an attribute.
type state int

const (
	present   state = iota
	missing         // absent or null: the provider or AWS default applies
	unknown         // known only after apply
	sensitive       // masked
)

// view is a resource's attributes with their after_unknown marks.
type view struct {
	m map[string]any
	u any // the after_unknown value at the same place: true, a map or a list
}

func (v view) get(key string) (any, state) {
	if um, ok := v.u.(map[string]any); ok && um[key] == true {
		return nil, unknown
	}
	if v.u == true {
		return nil, unknown
	}
	x, ok := v.m[key]
	if !ok || x == nil {
		return nil, missing
	}
	if x == paved.SensitiveValue {
		return nil, sensitive
	}
	return x, present
}

// blocks returns the nested blocks of a list attribute (root_block_device).
func (v view) blocks(key string) ([]view, state) {
	x, st := v.get(key)
	if st != present {
		return nil, st
	}
	l, ok := x.([]any)
	if !ok {
		return nil, missing
	}
	var ul []any
	if um, ok := v.u.(map[string]any); ok {
		ul, _ = um[key].([]any)
	}
	out := make([]view, 0, len(l))
	for i, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		var u any
		if i < len(ul) {
			u = ul[i]
		}
		out = append(out, view{m: m, u: u})
	}
	return out, present
}

func (ps *side) view() view {
	var u any
	if ps.unk != nil {
		u = ps.unk
	}
	return view{m: ps.attrs, u: u}
}

// str reads a string attribute; a required one that is unknown, unset or
// sensitive makes what depends on it unpriced, with the reason.
func (ps *side) str(v view, key, what string, required bool) (string, bool) {
	x, st := v.get(key)
	switch st {
	case present:
		if s, ok := x.(string); ok && s != "" {
			return s, true
		}
		if required {
			ps.unpriced("%s: %s is %v, not a name", what, key, x)
		}
		return "", false
	case unknown:
		ps.unpriced("%s: %s is known only after apply, so it cannot be priced before", what, key)
	case sensitive:
		ps.unpriced("%s: %s is sensitive in the plan", what, key)
	case missing:
		if required {
			ps.unpriced("%s: %s is not set", what, key)
		}
	}
	return "", false
}

// num reads a non-negative number attribute as an exact rational. Only a
// required one records why it is missing: an optional one that is unset
// or unknown until apply (iops, throughput: the provider fills them in)
// is left to the caller.
func (ps *side) num(v view, key, what string, required bool) (*big.Rat, bool) {
	x, st := v.get(key)
	switch st {
	case present:
		if r := toRat(x); r != nil && r.Sign() >= 0 {
			return r, true
		}
		ps.unpriced("%s: %s = %v is not a usable number", what, key, x)
		return nil, false
	case unknown:
		if required {
			ps.unpriced("%s: %s is known only after apply, so it cannot be priced before", what, key)
		}
	case sensitive:
		if required {
			ps.unpriced("%s: %s is sensitive in the plan", what, key)
		}
	case missing:
		if required {
			ps.unpriced("%s: %s is not set", what, key)
		}
	}
	return nil, false
}

// provisioned reads an optional IOPS or throughput figure; when it is
// known only after apply the included baseline is assumed and said.
func (ps *side) provisioned(v view, key, what string) *big.Rat {
	r, _ := ps.num(v, key, what, false)
	if _, st := v.get(key); st == unknown {
		ps.note("%s: %s is known only after apply; priced at what the volume type includes", what, key)
	}
	return r
}

// boolean reads a bool attribute; unset means def.
func (ps *side) boolean(v view, key, what string, def bool) (bool, bool) {
	x, st := v.get(key)
	switch st {
	case present:
		b, ok := x.(bool)
		if !ok {
			ps.unpriced("%s: %s = %v is not true or false", what, key, x)
		}
		return b, ok
	case missing:
		return def, true
	case unknown:
		ps.unpriced("%s: %s is known only after apply, so it cannot be priced before", what, key)
	case sensitive:
		ps.unpriced("%s: %s is sensitive in the plan", what, key)
	}
	return false, false
}

// maxQuantity bounds a quantity read from a plan (GiB, IOPS, nodes): far
// above anything AWS sells, low enough that no product overflows Money.
var maxQuantity = big.NewRat(1_000_000_000, 1)

func toRat(x any) *big.Rat {
	var r *big.Rat
	switch n := x.(type) {
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return nil
		}
		r, _ = new(big.Rat).SetString(strconv.FormatFloat(n, 'g', -1, 64))
	case json.Number:
		r, _ = new(big.Rat).SetString(string(n))
	case int:
		r = big.NewRat(int64(n), 1)
	case int64:
		r = big.NewRat(n, 1)
	case string: // some providers quote numbers
		m, err := ParseMoney(n)
		if err != nil {
			return nil
		}
		r = m.Rat()
	}
	if r == nil || r.Cmp(maxQuantity) > 0 {
		return nil
	}
	return r
}

func one() *big.Rat { return big.NewRat(1, 1) }

func (ps *side) monthly(name string, k PriceKey) {
	ps.add(name, k, one())
}

// --- EC2 ---

func priceInstance(ps *side) {
	v := ps.view()
	// tenancy is unknown until apply when unset: it follows the VPC's,
	// which is shared unless the VPC says otherwise.
	if t, _ := v.m["tenancy"].(string); t != "" && t != "default" {
		ps.unpriced("instance hours: tenancy %q is not priced (the price book holds shared-tenancy prices)", t)
	} else if typ, ok := ps.str(v, "instance_type", "instance hours", true); ok {
		if spot(v) {
			ps.unpriced("instance hours: spot instances are not priced (the spot price moves with demand)")
		} else {
			ps.hours("instance hours ("+typ+", Linux)", PriceKey{Service: "ec2", Product: typ, Option: "linux", Unit: "hour"}, one())
			ps.note("Linux on-demand prices: a Windows, RHEL or SUSE AMI, a Savings Plan or a reservation changes the bill")
		}
	}
	if bs, st := v.blocks("root_block_device"); st == present && len(bs) > 0 {
		ps.blockVolume("root volume", bs[0])
	} else if st == unknown || st == missing {
		ps.unpriced("root volume: its size comes from the AMI and is known only after apply (set root_block_device { volume_size, volume_type } to price it)")
	}
	if bs, st := v.blocks("ebs_block_device"); st == present {
		for _, b := range bs {
			name := "EBS volume"
			if d, ok := b.m["device_name"].(string); ok && d != "" {
				name += " " + d
			}
			ps.blockVolume(name, b)
		}
	}
}

func spot(v view) bool {
	x, st := v.get("instance_market_options")
	if st != present {
		return false
	}
	l, _ := x.([]any)
	for _, e := range l {
		if m, ok := e.(map[string]any); ok && m["market_type"] == "spot" {
			return true
		}
	}
	return false
}

// blockVolume prices an instance's root or EBS block device.
func (ps *side) blockVolume(name string, v view) {
	size, ok := ps.num(v, "volume_size", name, true)
	if !ok {
		return
	}
	typ, ok := ps.str(v, "volume_type", name, true)
	if !ok {
		return
	}
	ps.ebs(name, typ, size, ps.provisioned(v, "iops", name), ps.provisioned(v, "throughput", name))
}

func priceVolume(ps *side) {
	v := ps.view()
	size, ok := ps.num(v, "size", "volume", true)
	if !ok {
		return
	}
	typ, ok := ps.str(v, "type", "volume", true)
	if !ok {
		return
	}
	ps.ebs("volume", typ, size, ps.provisioned(v, "iops", "volume"), ps.provisioned(v, "throughput", "volume"))
}

// ebs prices an EBS volume: storage, and IOPS and throughput beyond what
// the volume type includes (gp3: 3,000 IOPS and 125 MiB/s).
func (ps *side) ebs(name, typ string, size, iops, tput *big.Rat) {
	ps.add(name+" storage ("+typ+")", PriceKey{Service: "ebs", Product: typ, Unit: "GB-month"}, size)
	switch typ {
	case "gp3":
		if extra := above(iops, 3000); extra != nil {
			ps.add(name+" IOPS above 3,000", PriceKey{Service: "ebs", Product: "gp3", Unit: "IOPS-month"}, extra)
		}
		if extra := above(tput, 125); extra != nil {
			ps.add(name+" throughput above 125 MiB/s", PriceKey{Service: "ebs", Product: "gp3", Unit: "MiBps-month"}, extra)
		}
	case "io1":
		if iops != nil {
			ps.add(name+" provisioned IOPS", PriceKey{Service: "ebs", Product: "io1", Unit: "IOPS-month"}, iops)
		} else {
			ps.unpriced("%s provisioned IOPS: iops is not set or known only after apply", name)
		}
	case "io2":
		if iops == nil {
			ps.unpriced("%s provisioned IOPS: iops is not set or known only after apply", name)
			break
		}
		// io2 IOPS are priced in tiers: the first 32,000, the next
		// 32,000, and the rest.
		tiers := []struct {
			option string
			upTo   int64
		}{{"first-32000", 32000}, {"next-32000", 64000}, {"over-64000", 0}}
		low := big.NewRat(0, 1)
		for _, t := range tiers {
			q := new(big.Rat).Sub(iops, low)
			if t.upTo > 0 {
				cap := new(big.Rat).Sub(big.NewRat(t.upTo, 1), low)
				if q.Cmp(cap) > 0 {
					q = cap
				}
				low = big.NewRat(t.upTo, 1)
			}
			if q.Sign() > 0 {
				ps.add(name+" provisioned IOPS ("+t.option+")", PriceKey{Service: "ebs", Product: "io2", Option: t.option, Unit: "IOPS-month"}, q)
			}
		}
	}
}

// above returns x - base when x is larger, else nil.
func above(x *big.Rat, base int64) *big.Rat {
	if x == nil {
		return nil
	}
	d := new(big.Rat).Sub(x, big.NewRat(base, 1))
	if d.Sign() <= 0 {
		return nil
	}
	return d
}

// --- RDS ---

// rdsEngine maps an RDS engine to the price book's engine option.
func rdsEngine(engine string) string {
	switch e := strings.ToLower(engine); e {
	case "postgres", "postgresql":
		return "postgres"
	default:
		return e
	}
}

func priceDBInstance(ps *side) {
	v := ps.view()
	class, okc := ps.str(v, "instance_class", "instance hours", true)
	engine, oke := ps.str(v, "engine", "instance hours", true)
	// multi_az is known only after apply when unset; AWS then creates a
	// single-AZ instance.
	multiAZ, okm := false, true
	if _, st := v.get("multi_az"); st == unknown {
		ps.note("multi_az is known only after apply: priced as single-AZ, the default")
	} else {
		multiAZ, okm = ps.boolean(v, "multi_az", "instance hours", false)
	}
	dep := "single-az"
	if multiAZ {
		dep = "multi-az"
	}
	if okc && oke && okm {
		e := rdsEngine(engine)
		if strings.HasPrefix(e, "aurora") {
			ps.hours("instance hours ("+class+", "+e+")", PriceKey{Service: "rds", Product: class, Option: e, Unit: "hour"}, one())
			return
		}
		ps.hours("instance hours ("+class+", "+e+", "+dep+")", PriceKey{Service: "rds", Product: class, Option: e + "/" + dep, Unit: "hour"}, one())
	}
	if !okm {
		return
	}
	size, ok := ps.num(v, "allocated_storage", "storage", true)
	if !ok {
		return
	}
	typ, ok := ps.str(v, "storage_type", "storage", true)
	if !ok {
		return
	}
	iops := ps.provisioned(v, "iops", "storage")
	tput := ps.provisioned(v, "storage_throughput", "storage")
	ps.add("storage ("+typ+", "+dep+")", PriceKey{Service: "rds-storage", Product: typ, Option: dep, Unit: "GB-month"}, size)
	switch typ {
	case "gp3":
		// gp3 includes 3,000 IOPS and 125 MiB/s below 400 GiB, and
		// 12,000 IOPS and 500 MiB/s from 400 GiB (MySQL, MariaDB,
		// PostgreSQL).
		baseIOPS, baseTput, label := int64(3000), int64(125), "3,000"
		if size.Cmp(big.NewRat(400, 1)) >= 0 {
			baseIOPS, baseTput, label = 12000, 500, "12,000"
		}
		if extra := above(iops, baseIOPS); extra != nil {
			ps.add("storage IOPS above "+label, PriceKey{Service: "rds-storage", Product: "gp3", Option: dep, Unit: "IOPS-month"}, extra)
		}
		if extra := above(tput, baseTput); extra != nil {
			ps.add(fmt.Sprintf("storage throughput above %d MiB/s", baseTput), PriceKey{Service: "rds-storage", Product: "gp3", Option: dep, Unit: "MiBps-month"}, extra)
		}
	case "io1", "io2":
		if iops != nil {
			ps.add("provisioned IOPS", PriceKey{Service: "rds-storage", Product: typ, Option: dep, Unit: "IOPS-month"}, iops)
		} else {
			ps.unpriced("provisioned IOPS: iops is not set or known only after apply")
		}
	}
	ps.note("backup storage beyond the database's size and data transfer are billed by use and not estimated")
}

func priceClusterInstance(ps *side) {
	v := ps.view()
	class, okc := ps.str(v, "instance_class", "instance hours", true)
	engine, oke := ps.str(v, "engine", "instance hours", true)
	if !okc || !oke {
		return
	}
	if class == "db.serverless" {
		ps.usageUnpriced("Aurora Serverless v2 capacity (ACU-hours)", "ACU-hours are not in the price book")
		return
	}
	e := rdsEngine(engine)
	ps.hours("instance hours ("+class+", "+e+")", PriceKey{Service: "rds", Product: class, Option: e, Unit: "hour"}, one())
}

func priceRDSCluster(ps *side) {
	v := ps.view()
	engine, ok := ps.str(v, "engine", "cluster storage", true)
	if !ok {
		return
	}
	if !strings.HasPrefix(engine, "aurora") {
		ps.unpriced("cluster: Multi-AZ DB clusters (engine %s) are not in the price book", engine)
		return
	}
	// Aurora storage grows with the data: by use, like its I/O.
	ps.usage("storage", PriceKey{Service: "rds-storage", Product: "aurora", Unit: "GB-month"})
	if st, _ := v.m["storage_type"].(string); st != "aurora-iopt1" {
		ps.usage("I/O requests", PriceKey{Service: "rds-storage", Product: "aurora", Unit: "1M I/O requests"})
	}
	if mode, _ := v.m["engine_mode"].(string); mode == "serverless" {
		ps.usageUnpriced("Aurora Serverless v1 capacity (ACU-hours)", "ACU-hours are not in the price book")
	}
}

// --- storage, network, serverless ---

func priceBucket(ps *side) {
	ps.usage("storage", PriceKey{Service: "s3", Product: "STANDARD", Option: "first-50tb", Unit: "GB-month"})
	ps.usage("PUT, COPY, POST and LIST requests", PriceKey{Service: "s3", Product: "STANDARD", Option: "put", Unit: "1K requests"})
	ps.usage("GET and other requests", PriceKey{Service: "s3", Product: "STANDARD", Option: "get", Unit: "1K requests"})
}

func priceNAT(ps *side) {
	ps.hours("NAT gateway hours", PriceKey{Service: "nat-gateway", Product: "nat-gateway", Unit: "hour"}, one())
	ps.usage("data processed", PriceKey{Service: "nat-gateway", Product: "nat-gateway", Unit: "GB"})
}

func priceLB(ps *side) {
	v := ps.view()
	typ := "application"
	if t, ok := ps.str(v, "load_balancer_type", "load balancer hours", false); ok {
		typ = t
	} else if len(ps.s.Unpriced) > 0 {
		return
	}
	ps.hours(typ+" load balancer hours", PriceKey{Service: "elb", Product: typ, Unit: "hour"}, one())
	ps.usage("load balancer capacity units", PriceKey{Service: "elb", Product: typ, Unit: "LCU-hour"})
}

func priceEIP(ps *side) {
	ps.hours("public IPv4 address hours", PriceKey{Service: "vpc", Product: "public-ipv4", Unit: "hour"}, one())
}

func priceCacheCluster(ps *side) {
	v := ps.view()
	if g, _ := v.m["replication_group_id"].(string); g != "" {
		return // a member of a replication group, priced on the group
	}
	nodeType, okt := ps.str(v, "node_type", "node hours", true)
	engine, oke := ps.str(v, "engine", "node hours", true)
	n, okn := ps.num(v, "num_cache_nodes", "node hours", false)
	if !okn {
		if _, st := v.get("num_cache_nodes"); st != missing {
			return
		}
		n = one()
	}
	if okt && oke {
		ps.hours(fmt.Sprintf("node hours (%s × %s, %s)", ratString(n), nodeType, engine), PriceKey{Service: "elasticache", Product: nodeType, Option: engine, Unit: "hour"}, n)
	}
}

func priceReplicationGroup(ps *side) {
	v := ps.view()
	nodeType, okt := ps.str(v, "node_type", "node hours", true)
	engine := "redis"
	if e, ok := ps.str(v, "engine", "node hours", false); ok {
		engine = e
	}
	var n *big.Rat
	if c, ok := ps.num(v, "num_cache_clusters", "node hours", false); ok && c.Sign() > 0 {
		n = c
	} else if g, ok := ps.num(v, "num_node_groups", "node hours", false); ok && g.Sign() > 0 {
		r, ok := ps.num(v, "replicas_per_node_group", "node hours", false)
		if !ok {
			r = big.NewRat(0, 1)
		}
		n = new(big.Rat).Mul(g, new(big.Rat).Add(r, one()))
	} else if len(ps.s.Unpriced) == 0 {
		ps.unpriced("node hours: the number of nodes is not known (set num_cache_clusters, or num_node_groups and replicas_per_node_group)")
	}
	if okt && n != nil && len(ps.s.Unpriced) == 0 {
		ps.hours(fmt.Sprintf("node hours (%s × %s, %s)", ratString(n), nodeType, engine), PriceKey{Service: "elasticache", Product: nodeType, Option: engine, Unit: "hour"}, n)
	}
}

func priceDynamoDB(ps *side) {
	v := ps.view()
	class := "standard"
	if c, _ := v.m["table_class"].(string); c != "" && c != "STANDARD" {
		class = strings.ToLower(strings.ReplaceAll(c, "_", "-"))
	}
	mode := "PROVISIONED"
	if m, ok := ps.str(v, "billing_mode", "capacity", false); ok {
		mode = m
	}
	ps.usage("storage", PriceKey{Service: "dynamodb", Product: "storage", Option: class, Unit: "GB-month"})
	if mode == "PAY_PER_REQUEST" {
		ps.usage("read request units", PriceKey{Service: "dynamodb", Product: "on-demand", Option: class, Unit: "1M read request units"})
		ps.usage("write request units", PriceKey{Service: "dynamodb", Product: "on-demand", Option: class, Unit: "1M write request units"})
		return
	}
	rcu, okr := ps.num(v, "read_capacity", "provisioned capacity", true)
	wcu, okw := ps.num(v, "write_capacity", "provisioned capacity", true)
	if gs, st := v.blocks("global_secondary_index"); st == present {
		for _, g := range gs {
			if r, ok := ps.num(g, "read_capacity", "index capacity", false); ok && okr {
				rcu = new(big.Rat).Add(rcu, r)
			}
			if w, ok := ps.num(g, "write_capacity", "index capacity", false); ok && okw {
				wcu = new(big.Rat).Add(wcu, w)
			}
		}
	}
	if okr {
		ps.hours("provisioned read capacity ("+ratString(rcu)+" RCU)", PriceKey{Service: "dynamodb", Product: "provisioned", Option: class, Unit: "RCU-hour"}, rcu)
	}
	if okw {
		ps.hours("provisioned write capacity ("+ratString(wcu)+" WCU)", PriceKey{Service: "dynamodb", Product: "provisioned", Option: class, Unit: "WCU-hour"}, wcu)
	}
	ps.note("provisioned capacity at the table's settings all month: autoscaling moves it")
}

func priceLambda(ps *side) {
	v := ps.view()
	arch := "x86_64"
	if x, st := v.get("architectures"); st == present {
		if l, _ := x.([]any); len(l) > 0 {
			if a, ok := l[0].(string); ok && a != "" {
				arch = a
			}
		}
	}
	ps.usage("requests", PriceKey{Service: "lambda", Product: "requests", Unit: "1M requests"})
	ps.usage("duration ("+arch+")", PriceKey{Service: "lambda", Product: "duration", Option: arch, Unit: "1M GB-seconds"})
}

func priceEKS(ps *side) {
	ps.hours("cluster hours (standard support)", PriceKey{Service: "eks", Product: "cluster", Option: "standard-support", Unit: "hour"}, one())
	ps.note("a Kubernetes version in extended support costs $0.60 an hour instead of $0.10")
}

func priceNodeGroup(ps *side) {
	v := ps.view()
	if c, _ := v.m["capacity_type"].(string); c == "SPOT" {
		ps.unpriced("node hours: spot nodes are not priced (the spot price moves with demand)")
		return
	}
	typ := "t3.medium" // EKS's default when instance_types is unset
	if x, st := v.get("instance_types"); st == unknown {
		ps.unpriced("node hours: instance_types is known only after apply, so it cannot be priced before")
		return
	} else if l, _ := x.([]any); len(l) > 0 {
		s, ok := l[0].(string)
		if !ok || s == "" || s == paved.SensitiveValue {
			ps.unpriced("node hours: instance_types[0] is not a type name")
			return
		}
		typ = s
		if len(l) > 1 {
			ps.note("priced as %s, the first of instance_types", typ)
		}
	} else if _, ok := v.m["launch_template"]; ok {
		ps.unpriced("node hours: the instance type comes from the launch template (set instance_types to price it)")
		return
	}
	var n *big.Rat
	if sc, st := v.blocks("scaling_config"); st == present && len(sc) > 0 {
		n, _ = ps.num(sc[0], "desired_size", "node hours", true)
	} else {
		ps.unpriced("node hours: scaling_config is not known")
	}
	if n != nil {
		ps.hours(fmt.Sprintf("node hours (%s × %s, Linux)", ratString(n), typ), PriceKey{Service: "ec2", Product: typ, Option: "linux", Unit: "hour"}, n)
		ps.note("nodes at the desired size all month: the cluster autoscaler moves it; node volumes are not priced")
	}
}

// priceHealthCheck prices a Route 53 health check: a monthly price by the
// kind of endpoint, plus one per optional feature (HTTPS, string matching,
// a 10-second interval, latency measurement). Whether an endpoint is one
// AWS runs (cheaper) cannot be told from a domain name or address, so an
// endpoint check is priced as a non-AWS endpoint, the higher price, and
// says so: an estimate a guard rail compares with a threshold must not be
// too low.
func priceHealthCheck(ps *side) {
	v := ps.view()
	typ, ok := ps.str(v, "type", "health check", true)
	if !ok {
		return
	}
	switch typ {
	case "CALCULATED", "CLOUDWATCH_METRIC", "RECOVERY_CONTROL":
		ps.unpriced("health check: a %s health check has no price in the book", typ)
		return
	}
	ps.monthly("health check ("+typ+")", PriceKey{Service: "route53", Region: "global", Product: "health-check", Option: "non-aws-endpoint", Unit: "month"})
	ps.note("priced as a check of an endpoint outside AWS: one AWS runs (a load balancer, an EC2 address) costs less, and the first 50 of those are free")
	var features []string
	if strings.HasPrefix(typ, "HTTPS") {
		features = append(features, "HTTPS")
	}
	if strings.HasSuffix(typ, "_STR_MATCH") {
		features = append(features, "string matching")
	}
	if n, ok := ps.num(v, "request_interval", "health check", false); ok && n.Cmp(big.NewRat(30, 1)) < 0 {
		features = append(features, "fast interval")
	}
	if b, ok := ps.boolean(v, "measure_latency", "health check", false); ok && b {
		features = append(features, "latency measurement")
	}
	for _, f := range features {
		ps.add("optional feature: "+f, PriceKey{Service: "route53", Region: "global", Product: "health-check-feature", Option: "non-aws-endpoint", Unit: "month"}, one())
	}
}

// priceAlarm prices a CloudWatch metric alarm: one alarm metric a month, or
// one per metric a metric-math alarm reads, at the standard or (period
// under 60 seconds) the high-resolution price. An anomaly-detection band
// adds metrics AWS bills too, which the book has no price for.
func priceAlarm(ps *side) {
	v := ps.view()
	n := int64(1)
	if qs, st := v.blocks("metric_query"); st == present && len(qs) > 0 {
		n = 0
		for _, q := range qs {
			if ms, st := q.blocks("metric"); st == present && len(ms) > 0 {
				n++
			}
		}
		n = max(n, 1)
	}
	res := "standard"
	if p, ok := ps.num(v, "period", "alarm", false); ok && p.Sign() > 0 && p.Cmp(big.NewRat(60, 1)) < 0 {
		res = "high-resolution"
	}
	name := "alarm metric (" + res + ")"
	if n > 1 {
		name = fmt.Sprintf("alarm metrics (%d, %s)", n, res)
	}
	ps.add(name, PriceKey{Service: "cloudwatch", Product: "alarm-metric", Option: res, Unit: "month"}, big.NewRat(n, 1))
	if id, _ := v.m["threshold_metric_id"].(string); id != "" {
		ps.unpriced("anomaly detection band: no price in the book")
	}
}

// pricedAttributes are the top-level attributes the pricers read (nested
// blocks come with their attribute).
var pricedAttributes = []string{
	"instance_type", "tenancy", "root_block_device", "ebs_block_device", "instance_market_options",
	"size", "type", "iops", "throughput",
	"instance_class", "engine", "engine_mode", "multi_az", "allocated_storage", "storage_type", "storage_throughput",
	"load_balancer_type",
	"replication_group_id", "node_type", "num_cache_nodes", "num_cache_clusters", "num_node_groups", "replicas_per_node_group",
	"table_class", "billing_mode", "read_capacity", "write_capacity", "global_secondary_index",
	"architectures",
	"capacity_type", "instance_types", "launch_template", "scaling_config",
	"request_interval", "measure_latency", "metric_query", "period", "threshold_metric_id",
}

// AttributeKeys returns the attributes the estimate reads, for a plan
// reader that builds only the attributes its callers need.
func AttributeKeys() map[string]bool {
	m := make(map[string]bool, len(pricedAttributes))
	for _, k := range pricedAttributes {
		m[k] = true
	}
	return m
}
