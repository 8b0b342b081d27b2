package launch

import (
	"slices"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

var (
	t0  = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	now = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
)

// ciRecorder is a CI identity as the CI token exchange names it: guard-rail
// evidence of tiers 1-2 counts only checks it recorded.
const ciRecorder = "ci:token.actions.githubusercontent.com/acme/payments-api@abc123def456"

func tiers(ts ...paved.Tier) []paved.Tier { return ts }

// testTemplates is a small questionnaire and checklist covering each
// evidence source.
func testTemplates() map[paved.TemplateKind]*paved.Template {
	q := &paved.Template{Kind: paved.KindQuestionnaire, Version: 1, Title: "Green-light questionnaire", Areas: []*paved.TemplateArea{
		{ID: "overview", Title: "Overview", Items: []*paved.TemplateItem{
			{ID: "ha-approach", Title: "How is high availability achieved?", Form: paved.FormText, RequiredFor: tiers(1, 2, 3, 4)},
			{ID: "data-protection", Title: "How is data protected in transit and at rest?", Form: paved.FormText, RequiredFor: tiers(1, 2, 3)},
			{ID: "support", Title: "Who supports it in production?", Form: paved.FormLink, RequiredFor: tiers(1, 2),
				Evidence: &paved.EvidenceRule{Source: SourceCatalogLink, Value: "on-call"}},
		}},
	}}
	c := &paved.Template{Kind: paved.KindChecklist, Version: 1, Title: "Operational readiness", Areas: []*paved.TemplateArea{
		{ID: "deployment", Title: "Deployment", Items: []*paved.TemplateItem{
			{ID: "deploy-rollback", Title: "Deploy and rollback procedure", Form: paved.FormText, RequiredFor: tiers(1, 2, 3, 4)},
			{ID: "config-management", Title: "Configuration management", Form: paved.FormText, RequiredFor: tiers(1, 2)},
		}},
		{ID: "security", Title: "Security", Items: []*paved.TemplateItem{
			{ID: "encryption-at-rest", Title: "Data encrypted at rest", Form: paved.FormText, RequiredFor: tiers(1, 2, 3),
				Evidence: &paved.EvidenceRule{Source: SourceCheckRules, Rules: []string{"rds-encryption-at-rest"}}},
			{ID: "runbooks", Title: "Runbooks", Form: paved.FormLink, RequiredFor: tiers(1, 2, 3, 4),
				Evidence: &paved.EvidenceRule{Source: SourceCatalogLink, Value: "runbook"}},
		}},
		{ID: "capacity", Title: "Capacity", Items: []*paved.TemplateItem{
			{ID: "load-test", Title: "Load tested at the expected peak", Form: paved.FormText, RequiredFor: tiers(1, 2),
				Evidence: &paved.EvidenceRule{Source: SourceAssessment, Value: "load"}},
		}},
	}}
	return map[paved.TemplateKind]*paved.Template{paved.KindQuestionnaire: q, paved.KindChecklist: c}
}

func answered(item string) *paved.Answer {
	return &paved.Answer{Item: item, Status: paved.AnswerGiven, Text: "yes", Revision: 1, Author: "dev", UpdatedAt: t0}
}

// readyLaunch is a tier-2 confidential service in green-light with every
// fact the production gate asks for.
func readyLaunch() *paved.Launch {
	svc := &paved.Service{Name: "payments-api", Owner: "payments", Tier: 2, DataClass: paved.DataConfidential, Phase: paved.PhaseGreenLight, UpdatedAt: t0,
		Links: []paved.Link{{URL: "https://runbooks.example.com/payments", Type: "runbook"}, {URL: "https://oncall.example.com/payments", Title: "On-call rota", Type: "pager"}}}
	l := &paved.Launch{
		Service:  svc,
		Versions: map[paved.TemplateKind]int{paved.KindQuestionnaire: 1, paved.KindChecklist: 1},
		Contact:  "erin",
		Answers:  map[string]*paved.Answer{},
		Assessments: []*paved.Assessment{
			{ID: 2, Kind: paved.AssessLoad, ExpectedPeakRPS: 200, TestedRPS: 300, P99Millis: 120, RecordedBy: "dev", RecordedAt: t0},
			{ID: 1, Kind: paved.AssessSecurity, ThreatModel: "https://docs.example.com/tm", RiskRating: paved.RiskMedium, PenTest: "https://docs.example.com/pentest", RecordedBy: "sam", RecordedAt: t0},
		},
		Walkthroughs: []*paved.Walkthrough{{ID: 7, Service: "payments-api", CreatedBy: "dev", CreatedAt: t0, ScheduledAt: t0, Signoffs: []*paved.Signoff{
			{Signer: "pat", Role: paved.SignPeer, Decision: paved.DecisionApprove, At: t0},
			{Signer: "ari", Role: paved.SignArchitect, Decision: paved.DecisionApprove, At: t0},
			{Signer: "sam", Role: paved.SignSecurity, Decision: paved.DecisionApprove, At: t0},
		}}},
		LatestCheck: &paved.CheckRecord{ID: 12, Commit: "abc123def456", At: t0, RecordedBy: ciRecorder, ResourceTypes: map[string]int{"aws_db_instance": 2}, Rules: []string{"rds-encryption-at-rest", "rds-multi-az"}},
	}
	for _, id := range []string{"ha-approach", "data-protection", "deploy-rollback", "config-management"} {
		l.Answers[id] = answered(id)
	}
	return l
}

func TestRequiredSignoffs(t *testing.T) {
	const (
		P = paved.SignPeer
		A = paved.SignArchitect
		S = paved.SignSecurity
	)
	tests := []struct {
		tier paved.Tier
		dc   paved.DataClass
		want []paved.SignRole
	}{
		{1, paved.DataPublic, []paved.SignRole{P, A, S}},
		{1, paved.DataInternal, []paved.SignRole{P, A, S}},
		{1, paved.DataConfidential, []paved.SignRole{P, A, S}},
		{1, paved.DataRestricted, []paved.SignRole{P, A, S}},
		{2, paved.DataPublic, []paved.SignRole{P, A}},
		{2, paved.DataInternal, []paved.SignRole{P, A}},
		{2, paved.DataConfidential, []paved.SignRole{P, A, S}},
		{2, paved.DataRestricted, []paved.SignRole{P, A, S}},
		{3, paved.DataPublic, []paved.SignRole{P, A}},
		{3, paved.DataInternal, []paved.SignRole{P, A}},
		{3, paved.DataConfidential, []paved.SignRole{P, A, S}},
		{3, paved.DataRestricted, []paved.SignRole{P, A, S}},
		{4, paved.DataPublic, []paved.SignRole{P}},
		{4, paved.DataInternal, []paved.SignRole{P}},
		{4, paved.DataConfidential, []paved.SignRole{P, S}},
		{4, paved.DataRestricted, []paved.SignRole{P, A, S}},
		{0, "", []paved.SignRole{P, A}}, // out of range: like the default tier
	}
	for _, tt := range tests {
		if got := RequiredSignoffs(tt.tier, tt.dc); !slices.Equal(got, tt.want) {
			t.Errorf("RequiredSignoffs(%d, %s) = %v, want %v", tt.tier, tt.dc, got, tt.want)
		}
	}
}

func TestVetoAllowed(t *testing.T) {
	sec := func(r paved.RiskRating) *paved.Assessment {
		return &paved.Assessment{Kind: paved.AssessSecurity, RiskRating: r}
	}
	tests := []struct {
		name string
		tier paved.Tier
		dc   paved.DataClass
		sec  *paved.Assessment
		want bool
	}{
		{"tier 1", 1, paved.DataPublic, nil, true},
		{"restricted data", 4, paved.DataRestricted, nil, true},
		{"tier 2 confidential, no assessment", 2, paved.DataConfidential, nil, false},
		{"tier 3 internal, low risk", 3, paved.DataInternal, sec(paved.RiskLow), false},
		{"tier 3 internal, medium risk", 3, paved.DataInternal, sec(paved.RiskMedium), false},
		{"tier 3 internal, high risk", 3, paved.DataInternal, sec(paved.RiskHigh), true},
		{"tier 4 public, critical risk", 4, paved.DataPublic, sec(paved.RiskCritical), true},
		{"a load profile is not a risk rating", 3, paved.DataInternal, &paved.Assessment{Kind: paved.AssessLoad, RiskRating: paved.RiskHigh}, false},
	}
	for _, tt := range tests {
		svc := &paved.Service{Name: "s", Tier: tt.tier, DataClass: tt.dc}
		if got := VetoAllowed(svc, tt.sec); got != tt.want {
			t.Errorf("%s: VetoAllowed = %v, want %v", tt.name, got, tt.want)
		}
	}
	if VetoAllowed(nil, nil) {
		t.Error("VetoAllowed(nil) = true")
	}
}

func so(signer string, r paved.SignRole, d paved.Decision) *paved.Signoff {
	return &paved.Signoff{Signer: signer, Role: r, Decision: d, Comment: "because"}
}

func TestOutcome(t *testing.T) {
	const (
		P       = paved.SignPeer
		A       = paved.SignArchitect
		S       = paved.SignSecurity
		approve = paved.DecisionApprove
		changes = paved.DecisionRequestChanges
		veto    = paved.DecisionVeto
	)
	req := []paved.SignRole{P, A}
	tests := []struct {
		name string
		sos  []*paved.Signoff
		req  []paved.SignRole
		want paved.WalkthroughOutcome
	}{
		{"no sign-offs", nil, req, paved.OutcomePending},
		{"one of two approved", []*paved.Signoff{so("pat", P, approve)}, req, paved.OutcomePending},
		{"all approved", []*paved.Signoff{so("pat", P, approve), so("ari", A, approve)}, req, paved.OutcomeApproved},
		{"approved in a role not required does not fill another", []*paved.Signoff{so("pat", P, approve), so("sam", S, approve)}, req, paved.OutcomePending},
		{"changes requested", []*paved.Signoff{so("pat", P, approve), so("ari", A, changes)}, req, paved.OutcomeChangesRequested},
		{"changes then approve: newest counts", []*paved.Signoff{so("pat", P, approve), so("ari", A, changes), so("ari", A, approve)}, req, paved.OutcomeApproved},
		{"approve then changes: newest counts", []*paved.Signoff{so("pat", P, approve), so("ari", A, approve), so("pat", P, changes)}, req, paved.OutcomeChangesRequested},
		{"veto beats approvals", []*paved.Signoff{so("pat", P, approve), so("ari", A, veto)}, req, paved.OutcomeVetoed},
		{"veto beats changes", []*paved.Signoff{so("pat", P, changes), so("ari", A, veto)}, req, paved.OutcomeVetoed},
		{"an objection in a role no longer required still counts", []*paved.Signoff{so("pat", P, approve), so("ari", A, approve), so("sam", S, changes)}, req, paved.OutcomeChangesRequested},
		{"no required roles is never approved", []*paved.Signoff{so("pat", P, approve)}, nil, paved.OutcomePending},
	}
	for _, tt := range tests {
		w := &paved.Walkthrough{ID: 1, Signoffs: tt.sos}
		if got := Outcome(w, tt.req); got != tt.want {
			t.Errorf("%s: Outcome = %s, want %s", tt.name, got, tt.want)
		}
	}
	if got := Outcome(nil, req); got != paved.OutcomePending {
		t.Errorf("Outcome(nil) = %s", got)
	}
}

func TestCanSign(t *testing.T) {
	user := func(name string, roles []paved.Role, teams ...string) *paved.User {
		return &paved.User{Name: name, Roles: roles, Teams: teams}
	}
	var (
		devIn     = user("dev", []paved.Role{paved.RoleDeveloper}, "payments")         // scheduled the walkthrough
		peerIn    = user("pat", []paved.Role{paved.RoleDeveloper}, "payments")         // a teammate
		peerOut   = user("olu", []paved.Role{paved.RoleDeveloper}, "search")           // another team's developer
		reviewer  = user("rey", []paved.Role{paved.RoleReviewer}, "platform")          // enablement reviewer
		archOut   = user("ari", []paved.Role{paved.RoleArchitect}, "architecture")     // architect outside
		archIn    = user("ann", []paved.Role{paved.RoleArchitect}, "payments")         // architect in the owning team
		secOut    = user("sam", []paved.Role{paved.RoleSecurity}, "security")          // security outside
		secIn     = user("sid", []paved.Role{paved.RoleSecurity}, "payments")          // security in the owning team
		admin     = user("ada", []paved.Role{paved.RoleAdmin})                         // admin only
		viewer    = user("vic", []paved.Role{paved.RoleViewer}, "payments")            // viewer
		archAndSe = user("max", []paved.Role{paved.RoleArchitect, paved.RoleSecurity}) // two roles
	)
	tier1 := &paved.Service{Name: "payments-api", Owner: "payments", Tier: 1, DataClass: paved.DataInternal}
	tier3 := &paved.Service{Name: "payments-api", Owner: "payments", Tier: 3, DataClass: paved.DataInternal}
	tier3Conf := &paved.Service{Name: "payments-api", Owner: "payments", Tier: 3, DataClass: paved.DataConfidential}
	tier4 := &paved.Service{Name: "payments-api", Owner: "payments", Tier: 4, DataClass: paved.DataPublic}
	highRisk := &paved.Assessment{Kind: paved.AssessSecurity, RiskRating: paved.RiskHigh}

	const (
		P       = paved.SignPeer
		A       = paved.SignArchitect
		S       = paved.SignSecurity
		approve = paved.DecisionApprove
		changes = paved.DecisionRequestChanges
		veto    = paved.DecisionVeto
	)
	tests := []struct {
		name   string
		u      *paved.User
		svc    *paved.Service
		prior  []*paved.Signoff
		role   paved.SignRole
		d      paved.Decision
		sec    *paved.Assessment
		cancel bool
		want   string // error code, "" allowed
		msg    string // a part of the message
	}{
		{"teammate signs as peer", peerIn, tier3, nil, P, approve, nil, false, "", ""},
		{"other team's developer as peer", peerOut, tier3, nil, P, approve, nil, false, "", ""},
		{"reviewer as peer", reviewer, tier3, nil, P, approve, nil, false, "", ""},
		{"architect as peer from the owning team", archIn, tier3, nil, P, approve, nil, false, "", ""},
		{"the scheduler is not the peer", devIn, tier3, nil, P, approve, nil, false, paved.EFORBIDDEN, "second pair of eyes"},
		{"security cannot be the peer", secOut, tier3Conf, nil, P, approve, nil, false, paved.EFORBIDDEN, "developer, reviewer or architect"},
		{"viewer cannot sign", viewer, tier3, nil, P, approve, nil, false, paved.EFORBIDDEN, ""},
		{"architect from outside", archOut, tier3, nil, A, approve, nil, false, "", ""},
		{"architect from the owning team", archIn, tier3, nil, A, approve, nil, false, paved.EFORBIDDEN, "owning team"},
		{"developer cannot sign as architect", peerOut, tier3, nil, A, approve, nil, false, paved.EFORBIDDEN, "architect role"},
		{"admin does not stand in for the architect", admin, tier3, nil, A, approve, nil, false, paved.EFORBIDDEN, "admin"},
		{"admin is not a peer either", admin, tier3, nil, P, approve, nil, false, paved.EFORBIDDEN, ""},
		{"security from outside", secOut, tier1, nil, S, approve, nil, false, "", ""},
		{"security from the owning team", secIn, tier1, nil, S, approve, nil, false, paved.EFORBIDDEN, "owning team"},
		{"security not required for tier 3 internal", secOut, tier3, nil, S, approve, nil, false, paved.EUNPROCESSABLE, "peer, architect"},
		{"security required for confidential data", secOut, tier3Conf, nil, S, approve, nil, false, "", ""},
		{"architect not required for tier 4", archOut, tier4, nil, A, approve, nil, false, paved.EUNPROCESSABLE, ""},
		{"unknown role", archOut, tier3, nil, "boss", approve, nil, false, paved.EINVALID, ""},
		{"unknown decision", archOut, tier3, nil, A, "maybe", nil, false, paved.EINVALID, ""},
		{"request changes needs a comment", archOut, tier3, nil, A, changes, nil, false, paved.EINVALID, "comment"},
		{"approving twice", archOut, tier3, []*paved.Signoff{so("ari", A, approve)}, A, approve, nil, false, paved.ECONFLICT, "already approved"},
		{"asking for changes after approving", archOut, tier3, []*paved.Signoff{so("ari", A, approve)}, A, changes, nil, false, paved.ECONFLICT, "already approved"},
		{"approving after asking for changes", archOut, tier3, []*paved.Signoff{so("ari", A, changes)}, A, approve, nil, false, "", ""},
		{"asking again", archOut, tier3, []*paved.Signoff{so("ari", A, changes)}, A, changes, nil, false, "", ""},
		{"one person, one role", archAndSe, tier1, []*paved.Signoff{so("max", A, approve)}, S, approve, nil, false, paved.ECONFLICT, "one person fills one role"},
		{"a role is signed by one person", archOut, tier3, []*paved.Signoff{so("ann2", A, changes)}, A, approve, nil, false, paved.ECONFLICT, "only they can change"},
		{"veto on tier 1 by the architect", archOut, tier1, nil, A, veto, nil, false, "", ""},
		{"veto on tier 1 by security", secOut, tier1, nil, S, veto, nil, false, "", ""},
		{"veto on tier 1 by the peer", peerIn, tier1, nil, P, veto, nil, false, paved.EFORBIDDEN, "only the architect or security"},
		{"veto on tier 3", archOut, tier3, nil, A, veto, nil, false, paved.EFORBIDDEN, "request changes instead"},
		{"veto on tier 3 rated high risk", archOut, tier3, nil, A, veto, highRisk, false, "", ""},
		{"veto after asking for changes", archOut, tier1, []*paved.Signoff{so("ari", A, changes)}, A, veto, nil, false, "", ""},
		{"signing after one's own veto", archOut, tier1, []*paved.Signoff{so("ari", A, veto)}, A, approve, nil, false, paved.ECONFLICT, "a veto stands"},
		{"signing after another's veto", peerIn, tier1, []*paved.Signoff{so("sam", S, veto)}, P, approve, nil, false, paved.ECONFLICT, "vetoed by sam"},
		{"cancelled walkthrough", peerIn, tier3, nil, P, approve, nil, true, paved.ECONFLICT, "cancelled"},
		{"no user", nil, tier3, nil, P, approve, nil, false, paved.EUNAUTHORIZED, ""},
	}
	for _, tt := range tests {
		w := &paved.Walkthrough{ID: 3, Service: "payments-api", CreatedBy: "dev", Signoffs: tt.prior, Cancelled: tt.cancel}
		s := &paved.Signoff{Role: tt.role, Decision: tt.d}
		if tt.d != approve {
			s.Comment = "the rollback plan is missing"
		}
		if tt.name == "request changes needs a comment" {
			s.Comment = "  "
		}
		if tt.u != nil {
			s.Signer = tt.u.Name
		}
		err := CanSign(tt.u, tt.svc, w, s, tt.sec)
		if got := paved.ErrorCode(err); got != tt.want {
			t.Errorf("%s: CanSign = %v (code %q), want %q", tt.name, err, got, tt.want)
			continue
		}
		if tt.msg != "" && (err == nil || !strings.Contains(err.Error(), tt.msg)) {
			t.Errorf("%s: CanSign = %v, want a message containing %q", tt.name, err, tt.msg)
		}
	}
	// A walkthrough of another service is refused outright.
	w := &paved.Walkthrough{ID: 3, Service: "search-api"}
	if err := CanSign(peerIn, tier3, w, &paved.Signoff{Role: P, Decision: approve}, nil); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("walkthrough of another service: %v", err)
	}
}

func gapKinds(g *Gate) []string {
	var out []string
	for _, gap := range g.Gaps {
		k := gap.Kind
		if gap.Item != "" {
			k += ":" + gap.Item
		}
		out = append(out, k)
	}
	return out
}

func TestCheckGate(t *testing.T) {
	tpl := testTemplates()
	tests := []struct {
		name   string
		change func(l *paved.Launch)
		to     paved.Phase
		want   []string // gap kinds (kind:item) in order
		msg    string   // a part of one gap's message
	}{
		{"production: all there", nil, paved.PhaseProduction, nil, ""},
		{"green-light to production ignores the questionnaire", func(l *paved.Launch) { delete(l.Answers, "ha-approach") }, paved.PhaseProduction, nil, ""},
		{"missing checklist item", func(l *paved.Launch) { delete(l.Answers, "deploy-rollback") }, paved.PhaseProduction,
			[]string{"item:deploy-rollback"}, "answer checklist item deploy-rollback (Deployment): Deploy and rollback procedure"},
		{"item not required for the tier", func(l *paved.Launch) { delete(l.Answers, "config-management"); l.Service.Tier = 3 }, paved.PhaseProduction, nil, ""},
		{"n/a waiting for review", func(l *paved.Launch) {
			l.Answers["deploy-rollback"] = &paved.Answer{Item: "deploy-rollback", Status: paved.AnswerNA, NAReason: "batch job"}
		}, paved.PhaseProduction, []string{"na-review:deploy-rollback"}, "waits for a reviewer"},
		{"n/a accepted", func(l *paved.Launch) {
			l.Answers["deploy-rollback"] = &paved.Answer{Item: "deploy-rollback", Status: paved.AnswerNA, NAReason: "batch job", NAAcceptedBy: "rey"}
		}, paved.PhaseProduction, nil, ""},
		{"evidence missing: runbook link removed", func(l *paved.Launch) { l.Service.Links = nil }, paved.PhaseProduction,
			[]string{"item:runbooks"}, "no runbook link in the catalog"},
		{"evidence denied by the check", func(l *paved.Launch) {
			l.LatestCheck.Findings = []paved.Finding{{Rule: "rds-encryption-at-rest", Severity: paved.SeverityDeny, Resource: "aws_db_instance.main"}}
		}, paved.PhaseProduction, []string{"item:encryption-at-rest"}, "rds-encryption-at-rest denied aws_db_instance.main"},
		{"a warning does not deny evidence", func(l *paved.Launch) {
			l.LatestCheck.Findings = []paved.Finding{{Rule: "rds-encryption-at-rest", Severity: paved.SeverityWarn, Resource: "aws_db_instance.main"}}
		}, paved.PhaseProduction, nil, ""},
		{"no check recorded", func(l *paved.Launch) { l.LatestCheck = nil }, paved.PhaseProduction, []string{"item:encryption-at-rest"}, "paved check --server"},
		{"answer beats missing evidence", func(l *paved.Launch) {
			l.LatestCheck = nil
			l.Answers["encryption-at-rest"] = answered("encryption-at-rest")
		}, paved.PhaseProduction, nil, ""},
		{"no assessments", func(l *paved.Launch) { l.Assessments = nil }, paved.PhaseProduction,
			[]string{"item:load-test", "assessment", "assessment"}, "pen-test"},
		{"security assessment without threat model, rating or pen test", func(l *paved.Launch) {
			l.Assessments[1] = &paved.Assessment{Kind: paved.AssessSecurity}
		}, paved.PhaseProduction, []string{"assessment", "assessment", "assessment"}, "threat model"},
		{"tier 3 needs no pen test", func(l *paved.Launch) {
			l.Service.Tier = 3
			l.Assessments[1].PenTest = ""
		}, paved.PhaseProduction, nil, ""},
		{"the newest security assessment counts", func(l *paved.Launch) {
			l.Assessments = append([]*paved.Assessment{{Kind: paved.AssessSecurity, RiskRating: paved.RiskLow, PenTest: "https://x"}}, l.Assessments...)
		}, paved.PhaseProduction, []string{"assessment"}, "threat model"},
		{"load tested below the peak", func(l *paved.Launch) { l.Assessments[0].TestedRPS = 150 }, paved.PhaseProduction, []string{"assessment"}, "below the expected peak"},
		{"load profile without p99", func(l *paved.Launch) { l.Assessments[0].P99Millis = 0 }, paved.PhaseProduction, []string{"assessment"}, "p99"},
		{"load profile without a peak", func(l *paved.Launch) {
			l.Assessments[0].ExpectedPeakRPS, l.Assessments[0].TestedRPS = 0, 0
		}, paved.PhaseProduction, []string{"assessment", "assessment"}, "expected peak"},
		{"no walkthrough", func(l *paved.Launch) { l.Walkthroughs = nil }, paved.PhaseProduction, []string{"walkthrough"}, "schedule the walkthrough"},
		{"walkthrough pending", func(l *paved.Launch) { l.Walkthroughs[0].Signoffs = l.Walkthroughs[0].Signoffs[:1] }, paved.PhaseProduction,
			[]string{"walkthrough"}, "sign-off of architect, security"},
		{"changes requested", func(l *paved.Launch) {
			l.Walkthroughs[0].Signoffs = append(l.Walkthroughs[0].Signoffs, so("ari", paved.SignArchitect, paved.DecisionRequestChanges))
		}, paved.PhaseProduction, []string{"walkthrough"}, "ari (architect) asked for changes"},
		{"vetoed", func(l *paved.Launch) {
			l.Walkthroughs[0].Signoffs = append(l.Walkthroughs[0].Signoffs, so("sam", paved.SignSecurity, paved.DecisionVeto))
		}, paved.PhaseProduction, []string{"walkthrough"}, "vetoed by sam"},
		{"cancelled newer walkthrough is ignored", func(l *paved.Launch) {
			l.Walkthroughs = append([]*paved.Walkthrough{{ID: 8, CreatedAt: t0.Add(time.Hour), Cancelled: true}}, l.Walkthroughs...)
		}, paved.PhaseProduction, nil, ""},
		{"a newer pending walkthrough replaces the approved one", func(l *paved.Launch) {
			l.Walkthroughs = append([]*paved.Walkthrough{{ID: 8, CreatedAt: t0.Add(time.Hour)}}, l.Walkthroughs...)
		}, paved.PhaseProduction, []string{"walkthrough"}, "#8"},
		{"data class raised after approval needs security", func(l *paved.Launch) {
			l.Service.DataClass = paved.DataRestricted
			l.Walkthroughs[0].Signoffs = l.Walkthroughs[0].Signoffs[:2]
		}, paved.PhaseProduction, []string{"walkthrough"}, "sign-off of security"},
		{"follow-up open but not due", func(l *paved.Launch) {
			l.Walkthroughs[0].FollowUps = []*paved.FollowUp{{ID: 1, Description: "add alerts", Owner: "dev", Due: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)}}
		}, paved.PhaseProduction, nil, ""},
		{"follow-up overdue", func(l *paved.Launch) {
			l.Walkthroughs[0].FollowUps = []*paved.FollowUp{{ID: 1, Description: "add alerts", Owner: "dev", Due: time.Date(2026, 3, 13, 0, 0, 0, 0, time.UTC)}}
		}, paved.PhaseProduction, []string{"follow-up"}, "was due 2026-03-13"},
		{"follow-up overdue but done", func(l *paved.Launch) {
			done := t0
			l.Walkthroughs[0].FollowUps = []*paved.FollowUp{{ID: 1, Description: "add alerts", Owner: "dev", Due: t0, DoneAt: &done}}
		}, paved.PhaseProduction, nil, ""},
		{"green-light: questionnaire and contact", func(l *paved.Launch) {
			l.Service.Phase = paved.PhasePlayground
			l.Contact = ""
			delete(l.Answers, "data-protection")
		}, paved.PhaseGreenLight, []string{"item:data-protection", "contact"}, "enablement contact"},
		{"green-light: evidence from an on-call link title", func(l *paved.Launch) { l.Service.Phase = paved.PhasePlayground }, paved.PhaseGreenLight, nil, ""},
		{"green-light: on-call missing", func(l *paved.Launch) {
			l.Service.Phase = paved.PhasePlayground
			l.Service.Links = nil
		}, paved.PhaseGreenLight, []string{"item:support"}, "no on-call link"},
		{"playground straight to production lists both gates", func(l *paved.Launch) {
			l.Service.Phase = paved.PhasePlayground
			l.Contact = ""
			l.Walkthroughs = nil
			delete(l.Answers, "ha-approach")
			delete(l.Answers, "deploy-rollback")
		}, paved.PhaseProduction, []string{"phase", "item:ha-approach", "contact", "item:deploy-rollback", "walkthrough"}, "green-light first"},
		{"playground straight to production is refused even when complete", func(l *paved.Launch) { l.Service.Phase = paved.PhasePlayground }, paved.PhaseProduction, []string{"phase"}, ""},
		{"backwards", func(l *paved.Launch) { l.Service.Phase = paved.PhaseProduction }, paved.PhaseGreenLight, []string{"phase"}, "force"},
		{"same phase", nil, paved.PhaseGreenLight, []string{"phase"}, "already in green-light"},
		{"retire from playground", func(l *paved.Launch) { l.Service.Phase = paved.PhasePlayground; l.Answers = nil }, paved.PhaseRetired, nil, ""},
		{"retire from production", func(l *paved.Launch) { l.Service.Phase = paved.PhaseProduction }, paved.PhaseRetired, nil, ""},
		{"retired does not move", func(l *paved.Launch) { l.Service.Phase = paved.PhaseRetired }, paved.PhasePlayground, []string{"phase"}, "retired"},
		{"grandfathered: no gate, only retire", func(l *paved.Launch) {
			l.Service.Phase, l.Service.Grandfathered = paved.PhaseGreenLight, true
		}, paved.PhaseProduction, []string{"phase"}, "grandfathered"},
		{"grandfathered may retire", func(l *paved.Launch) {
			l.Service.Phase, l.Service.Grandfathered = paved.PhaseProduction, true
		}, paved.PhaseRetired, nil, ""},
		{"unknown phase", nil, "staging", []string{"phase"}, "unknown phase"},
	}
	for _, tt := range tests {
		l := readyLaunch()
		if tt.change != nil {
			tt.change(l)
		}
		g := CheckGate(l, tpl, tt.to, now)
		if got := gapKinds(g); !slices.Equal(got, tt.want) {
			t.Errorf("%s: gaps %v, want %v\n%v", tt.name, got, tt.want, GateError("s", g))
			continue
		}
		if g.Open() != (len(tt.want) == 0) {
			t.Errorf("%s: Open = %v", tt.name, g.Open())
		}
		if tt.msg != "" {
			found := false
			for _, gap := range g.Gaps {
				found = found || strings.Contains(gap.Message, tt.msg)
			}
			if !found {
				t.Errorf("%s: no gap message contains %q: %v", tt.name, tt.msg, g.Gaps)
			}
		}
	}
	// No templates at all: a gap, not a panic.
	l := readyLaunch()
	if g := CheckGate(l, nil, paved.PhaseProduction, now); g.Open() {
		t.Error("gate open without templates")
	}
	if g := CheckGate(nil, tpl, paved.PhaseProduction, now); g.Open() {
		t.Error("gate open without a launch")
	}
}

func TestGateError(t *testing.T) {
	if err := GateError("s", &Gate{To: paved.PhaseProduction}); err != nil {
		t.Fatalf("open gate: %v", err)
	}
	l := readyLaunch()
	l.Walkthroughs = nil
	delete(l.Answers, "deploy-rollback")
	err := GateError("payments-api", CheckGate(l, testTemplates(), paved.PhaseProduction, now))
	if paved.ErrorCode(err) != paved.EUNPROCESSABLE {
		t.Fatalf("code %q", paved.ErrorCode(err))
	}
	want := "payments-api cannot move from green-light to production: 2 things are missing\n" +
		"- answer checklist item deploy-rollback (Deployment): Deploy and rollback procedure\n" +
		"- schedule the walkthrough and get it approved by peer, architect, security"
	if err.Error() != want {
		t.Errorf("message:\n%s\nwant:\n%s", err, want)
	}
}

func TestOverdue(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	done := now
	tests := []struct {
		f    *paved.FollowUp
		want bool
	}{
		{&paved.FollowUp{Due: day(14)}, false}, // due today
		{&paved.FollowUp{Due: day(13)}, true},
		{&paved.FollowUp{Due: day(1), DoneAt: &done}, false},
		{&paved.FollowUp{}, false},
		{nil, false},
	}
	for i, tt := range tests {
		if got := Overdue(tt.f, now); got != tt.want {
			t.Errorf("%d: Overdue = %v, want %v", i, got, tt.want)
		}
	}
}
