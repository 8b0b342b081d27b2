package main

// comparedIntro and comparedDifferences are the hand-written parts of the
// section that maps each rule to Checkov's and Trivy's checks (the table
// between them comes from custom.checkov and custom.trivy). They say why
// the verdicts differ where they do on purpose, so that every difference
// bench/checkov-diff.sh reports is either a paved fix or listed here.
const comparedIntro = "\n## Compared with Checkov and Trivy\n\n" +
	"Teams switching from [Checkov](https://github.com/bridgecrewio/checkov) or [Trivy](https://github.com/aquasecurity/trivy-checks) " +
	"can look up, for every guard rail, the checks of those scanners that judge the same concern (from the rule's METADATA, " +
	"`custom.checkov` and `custom.trivy`; *none* means the scanner has no check that judges the same thing). " +
	"The ids were checked against the check sources of bridgecrewio/checkov (3.3 series) and aquasecurity/trivy-checks. " +
	"Trivy ids are given as current Trivy prints them (`AWS-0028`, `KSV-0110`); Trivy releases from before trivy-checks moved its ids " +
	"print the same checks as `AVD-AWS-0028` and `KSV110`, which it still accepts as aliases. " +
	"Checkov's `CKV_AWS_1`, `CKV_AWS_108` and `CKV_AWS_110` judge `aws_iam_policy_document` data sources; " +
	"in a plan paved reads the policy JSON those render into the policy resources, which `CKV_AWS_62`, `CKV_AWS_288` and `CKV_AWS_286` judge.\n\n"

const comparedDifferences = "\n### Differences by design\n\n" +
	"Where paved and its counterparts disagree on the same input, it is one of these (each is a parameter or a documented default, not an oversight):\n\n" +
	"- **Values known only after apply.** Checkov and Trivy read the values a plan knows; paved tells a value the provider fills in " +
	"from one the configuration sets from something unknown, judges the first by the provider's default and reports the second as " +
	"undetermined ([Values known only after apply](#values-known-only-after-apply)). On the corpus's unknown cases Checkov passes or " +
	"fails on the missing value where paved says it cannot judge yet.\n" +
	"- **Ports 80 and 443 may be open to the internet** ([security-group-open-ingress](#security-group-open-ingress), " +
	"[firewall-open-ingress](#firewall-open-ingress), parameter `allowed_ports`): they are what a public service answers on. " +
	"`CKV_AWS_260`, `CKV_GCP_106` and `CKV_AZURE_160` report port 80. In the other direction, Checkov's checks look at particular " +
	"ports (22, 3389 and 80; also 20, 21 and 3306 on Google Cloud; every port at once on AWS and Google Cloud), so a database or other port opened to 0.0.0.0/0 " +
	"(5432, 6379, 9200) is reported by paved and by none of them.\n" +
	"- **Pinned tags without a digest pass** [k8s-image-tag](#k8s-image-tag): a version tag (`web:1.4.2`) is accepted, and " +
	"`CKV_K8S_43` (image should use a digest) is not a counterpart. paved is stricter than `CKV_K8S_14` and `KSV-0013` the other way: a tag " +
	"without a version number (`redis:alpine`, `node:lts`) floats and is reported (parameter `versionless_tags_float`).\n" +
	"- **CPU limits are skipped on purpose** ([k8s-resources](#k8s-resources), parameter `required`): they throttle a container " +
	"while the node has idle CPU. `CKV_K8S_11` and `KSV-0011` are not counterparts. A limit without a request counts as the " +
	"request, as Kubernetes defaults it; `CKV_K8S_10` and `CKV_K8S_12` want the request written.\n" +
	"- **S3 versioning, access logging and multi-AZ are tier-scoped** ([s3-bucket-versioning](#s3-bucket-versioning), " +
	"[s3-access-logging](#s3-access-logging), [multi-az-tier1](#multi-az-tier1)): paved asks for them on business-critical " +
	"(tier 1) services, where losing an object or an availability zone is a real outage; `CKV_AWS_21`, `CKV_AWS_18`, " +
	"`CKV_AWS_157`, `AWS-0090` and `AWS-0089` report every bucket or database. Likewise backup retention and other thresholds " +
	"follow the service's tier and phase.\n" +
	"- **A manifest without a namespace** counts as the default namespace only while `left_out_is_default` is true " +
	"([k8s-default-namespace](#k8s-default-namespace)), the default, as `CKV_K8S_21` and `KSV-0110` assume; teams whose " +
	"deploying tool always sets the namespace turn it off.\n" +
	"- **Mounted service-account tokens** ([k8s-service-account-token](#k8s-service-account-token)): paved also accepts " +
	"`automountServiceAccountToken: false` on the pod's ServiceAccount in the same manifests, and an explicit `true` on the pod " +
	"spec as the statement that the pod calls the API; `CKV_K8S_38` passes only `false` on the pod spec.\n" +
	"- **NetworkPolicy coverage** ([k8s-network-policy](#k8s-network-policy)): paved judges every workload kind, evaluates the " +
	"policies' pod selectors and accepts namespaces the platform covers (parameter `covered_namespaces`); `CKV2_K8S_6` looks only " +
	"at Pod objects connected to a NetworkPolicy. Trivy has no counterpart.\n" +
	"- **Capabilities** ([k8s-drop-capabilities](#k8s-drop-capabilities), [k8s-added-capabilities](#k8s-added-capabilities), " +
	"[k8s-privileged](#k8s-privileged)): by default a container passes when it drops NET_RAW (`CKV_K8S_28`); dropping ALL " +
	"(`CKV_K8S_37`, `KSV-0003`) is required only with `require_drop_all`. Adding NET_BIND_SERVICE is allowed by default, where " +
	"`CKV_K8S_25` and `KSV-0022` report any added capability; the dangerous ones (SYS_ADMIN, NET_ADMIN, SYS_MODULE, ...) are denied " +
	"by k8s-privileged.\n" +
	"- **hostPath** ([k8s-host-path](#k8s-host-path)): paved reports every hostPath volume outside `allowed_paths`; " +
	"`CKV_K8S_27` reports only the Docker socket.\n" +
	"- **Account-wide settings**: [ebs-encrypted](#ebs-encrypted) honours `aws_ebs_encryption_by_default` in the same plan " +
	"(`CKV_AWS_3` and `CKV_AWS_8` judge each volume on its own), and [lb-tls-policy](#lb-tls-policy) judges the policy " +
	"Elastic Load Balancing applies when `ssl_policy` is left out.\n" +
	"- **Passwords in the configuration** ([db-plaintext-password](#db-plaintext-password)) have no Checkov Terraform " +
	"check: Checkov's secrets framework scans file text for credential patterns instead of asking where an attribute's value comes from.\n\n" +
	"### The differential run\n\n" +
	"`bash bench/checkov-diff.sh` (not in CI) runs Checkov, when it is installed, on every file of the guard-rail corpus " +
	"(`internal/policy/testdata/corpus`, written by the project: `--framework terraform_plan` for plans, `--framework kubernetes` for " +
	"manifests) and prints, per file, where Checkov's verdict for the checks a rule names differs from paved's verdict for that rule " +
	"(the corpus expectation `TestCorpus` holds paved to). Without Checkov it prints `checkov not installed` and does nothing else.\n\n" +
	"No run is recorded yet: Checkov was not installed, and could not be installed from PyPI, where this mapping was written " +
	"and checked. Record the first run's summary line here (in `internal/policy/gendocs/compared.go`), with the Checkov version " +
	"and the commit, and resolve every `DIFF` it prints as a paved fix or an entry in the list above.\n"
