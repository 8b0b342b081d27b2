package demo

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
)

// The demo's launches let a newcomer walk journeys 2 (green-light) and 3
// (ready for production) on a fresh machine. Everything goes through
// launch.Service, as the people of the demo organisation, so the answers,
// comments, sign-offs and phase moves carry their names, and every move
// passed its gate (none is forced):
//
//   - gift-cards (checkout, tier 3, playground): half-way through the
//     questionnaire; its contact commented on a weak answer, flagged another
//     and waits to accept an n/a.
//   - fraud-scoring (payments, tier 1, green-light): most of the checklist,
//     both assessments, a recorded guard-rail check, and a walkthrough signed
//     by the peer and the architect, waiting for security.
//   - mfa-gateway (identity, tier 2, restricted, green-light): everything
//     recorded, but the architect asked for changes at the walkthrough; a
//     follow-up is open.
//   - analytics-dashboards (data-platform, tier 4): walked the whole path to
//     production.
//   - the other green-light services answered the questionnaire and started
//     on the checklist; the other production services predate paved and are
//     grandfathered.

// Stories names the services whose launch the demo seeds beyond the
// questionnaire, with what a newcomer finds there.
var Stories = map[string]string{
	"gift-cards":           "half-way through the questionnaire, with comments from its enablement contact",
	"fraud-scoring":        "in green-light with checklist answers, assessments and a walkthrough signed by peer and architect, waiting for security",
	"mfa-gateway":          "in green-light, blocked: the architect requested changes at the walkthrough",
	"analytics-dashboards": "walked the whole path from playground to production",
}

// walkedToProduction are production services that reached production
// through the gate in the demo instead of being grandfathered.
var walkedToProduction = map[string]bool{"analytics-dashboards": true}

// contacts is each product team's enablement contact.
var contacts = map[string]string{
	"payments":      "aisha.khan",
	"checkout":      "hana.sato",
	"catalogue":     "jonas.berg",
	"identity":      "jonas.berg",
	"search":        "hana.sato",
	"notifications": "aisha.khan",
	"data-platform": "marco.rossi",
}

// developers is the developer of each product team who answers.
var developers = map[string]string{
	"payments":      "priya.shah",
	"checkout":      "tom.becker",
	"catalogue":     "nina.kowalski",
	"identity":      "sam.okafor",
	"search":        "li.wei",
	"notifications": "ella.martin",
	"data-platform": "li.wei",
}

// seeder runs the launch stories.
type seeder struct {
	ctx   context.Context
	st    paved.Store
	svc   *launch.Service
	now   time.Time
	users map[string]*paved.User
}

// as is the context of a demo user acting.
func (s *seeder) as(name string) context.Context {
	return paved.WithActor(s.ctx, paved.Actor{User: s.users[name]})
}

// seedLaunches runs the story of every demo service whose launch is still
// untouched (nothing pinned, answered or moved), so a second Seed writes
// nothing.
func seedLaunches(ctx context.Context, st paved.Store, svc *launch.Service) error {
	s := &seeder{ctx: ctx, st: st, svc: svc, now: time.Now().UTC(), users: map[string]*paved.User{}}
	for _, u := range Users() {
		got, err := st.FindUser(ctx, u.Name)
		if err != nil {
			return fmt.Errorf("demo: find user %s: %w", u.Name, err)
		}
		s.users[u.Name] = got
	}
	for _, d := range services {
		if d.phase != greenLight && d.phase != playground && !walkedToProduction[d.name] {
			continue
		}
		l, err := st.FindLaunch(ctx, d.name)
		if err != nil {
			return fmt.Errorf("demo: find launch of %s: %w", d.name, err)
		}
		if !untouched(l) {
			continue
		}
		if err := s.story(d); err != nil {
			return fmt.Errorf("demo: launch of %s: %w", d.name, err)
		}
	}
	return nil
}

func untouched(l *paved.Launch) bool {
	for _, v := range l.Versions {
		if v != 0 {
			return false
		}
	}
	return l.Contact == "" && len(l.Answers) == 0 && len(l.Phases) == 0 && len(l.Walkthroughs) == 0 && len(l.Assessments) == 0
}

func (s *seeder) story(d svc) error {
	switch d.name {
	case "gift-cards":
		return s.giftCards(d)
	case "fraud-scoring":
		return s.fraudScoring(d)
	case "mfa-gateway":
		return s.mfaGateway(d)
	case "analytics-dashboards":
		return s.analyticsDashboards(d)
	}
	if d.phase != greenLight {
		return nil // playground services that have not started yet
	}
	// Green-light: the questionnaire done, the checklist begun.
	if err := s.greenLight(d); err != nil {
		return err
	}
	return s.answerShare(d, paved.KindChecklist, 0.3, nil)
}

// required returns the items of kind that d's tier must settle.
func (s *seeder) required(d svc, k paved.TemplateKind) []*paved.TemplateItem {
	var out []*paved.TemplateItem
	if t := s.svc.Library.Current(k); t != nil {
		for _, it := range t.Items() {
			if it.Required(d.tier) {
				out = append(out, it)
			}
		}
	}
	return out
}

// answer answers one item as the team's developer.
func (s *seeder) answer(d svc, it *paved.TemplateItem) error {
	in := launch.AnswerInput{Text: answerText(d, it)}
	if it.Form == paved.FormLink {
		in.Links = []string{answerLink(d, it)}
	}
	_, err := s.svc.Answer(s.as(developers[d.owner]), d.name, it.ID, in)
	return err
}

// answerShare answers the first share of kind's required items, skipping
// those in skip and those that automatic evidence may settle.
func (s *seeder) answerShare(d svc, k paved.TemplateKind, share float64, skip map[string]bool) error {
	items := s.required(d, k)
	n := int(float64(len(items))*share + 0.5)
	for _, it := range items {
		if n == 0 {
			break
		}
		if skip[it.ID] || it.Evidence != nil {
			continue
		}
		if err := s.answer(d, it); err != nil {
			return err
		}
		n--
	}
	return nil
}

// fillMissing answers every required item of kind that is still missing
// (not answered, not evidenced), except those in skip: what is left after
// the recorded check, the catalog and the assessments did their part.
func (s *seeder) fillMissing(d svc, k paved.TemplateKind, skip map[string]bool) error {
	st, err := s.svc.Status(s.ctx, d.name)
	if err != nil {
		return err
	}
	for _, ar := range st.Areas {
		if ar.Kind != k {
			continue
		}
		for _, it := range ar.Items {
			if !it.Required || it.State != launch.StateMissing || skip[it.Item.ID] {
				continue
			}
			if err := s.answer(d, it.Item); err != nil {
				return err
			}
		}
	}
	return nil
}

// greenLight answers the whole questionnaire, assigns the team's contact
// and moves d through the green-light gate.
func (s *seeder) greenLight(d svc) error {
	for _, it := range s.required(d, paved.KindQuestionnaire) {
		if err := s.answer(d, it); err != nil {
			return err
		}
	}
	dev := developers[d.owner]
	if err := s.svc.SetContact(s.as(dev), d.name, contacts[d.owner]); err != nil {
		return err
	}
	_, err := s.svc.Advance(s.as(dev), d.name, paved.PhaseGreenLight, false, "")
	return err
}

// recordCheck records a guard-rail check of d from CI that evaluated every
// rule the checklist takes evidence from, with the given deny findings.
func (s *seeder) recordCheck(d svc, commit string, deny ...paved.Finding) error {
	rules := map[string]bool{}
	if t := s.svc.Library.Current(paved.KindChecklist); t != nil {
		for _, it := range t.Items() {
			if it.Evidence != nil && it.Evidence.Source == launch.SourceCheckRules {
				for _, r := range it.Evidence.Rules {
					rules[r] = true
				}
			}
		}
	}
	c := &paved.CheckRecord{
		Service:       d.name,
		Commit:        commit,
		Branch:        "main",
		RunURL:        "https://ci." + Domain + "/" + d.owner + "/" + d.name + "/runs/" + commit[:4],
		ResourceTypes: map[string]int{"aws_db_instance": 1, "aws_security_group": 2, "aws_iam_role": 1, "kubernetes_deployment": 2, "aws_lb_listener": 1},
		Rules:         []string{},
		Findings:      []paved.Finding{},
	}
	withResources(c) // the resources it evaluated (ownership.go)
	for r := range rules {
		c.Rules = append(c.Rules, r)
	}
	sort.Strings(c.Rules)
	for _, f := range deny {
		f.Severity = paved.SeverityDeny
		f.Fingerprint = f.ComputeFingerprint()
		c.Findings = append(c.Findings, f)
	}
	return s.svc.RecordCheck(asCI(s.ctx, d.name, commit), c)
}

// asCI is the context of a CI job of the service's repository that
// exchanged its ID token (the CI token exchange): guard-rail evidence of
// tiers 1-2 counts only checks recorded by CI.
func asCI(ctx context.Context, service, commit string) context.Context {
	return paved.WithActor(ctx, paved.Actor{User: &paved.User{Name: paved.CIUser, Scope: &paved.TokenScope{
		Access: paved.ScopeChecks, Services: []string{service},
		CI: paved.CIRecorder("https://token.actions.githubusercontent.com", "example/"+service, commit)}}})
}

// day is a time n days from now at hour:00 UTC.
func (s *seeder) day(n, hour int) time.Time {
	y, m, dd := s.now.AddDate(0, 0, n).Date()
	return time.Date(y, m, dd, hour, 0, 0, 0, time.UTC)
}

// giftCards: half-way through the questionnaire, with the dialogue.
func (s *seeder) giftCards(d svc) error {
	dev, contact := developers[d.owner], contacts[d.owner]
	if err := s.svc.SetContact(s.as(dev), d.name, contact); err != nil {
		return err
	}
	items := s.required(d, paved.KindQuestionnaire)
	half := items[:len(items)/2]
	for _, it := range half {
		if err := s.answer(d, it); err != nil {
			return err
		}
	}
	if len(half) < 2 {
		return nil
	}
	weak, flagged := half[0], half[1]
	// A weak first answer, the contact's question, a better second one.
	if _, err := s.svc.Answer(s.as(dev), d.name, weak.ID, launch.AnswerInput{Text: "Customers buy gift cards."}); err != nil {
		return err
	}
	if _, err := s.svc.Comment(s.as(contact), d.name, weak.ID, "Could you say who buys them, how many you expect in the first quarter, and what breaks for a customer if redemption is down for an hour? That decides the tier."); err != nil {
		return err
	}
	if _, err := s.svc.Comment(s.as(dev), d.name, weak.ID, "Good point: redemption at checkout is the critical path. I've rewritten the answer; we think tier 3 is right while it is an experiment in one market."); err != nil {
		return err
	}
	if err := s.answer(d, weak); err != nil {
		return err
	}
	note := "Gift card balances are money owed to customers: please describe how balances are protected and who may change them."
	if _, err := s.svc.Review(s.as(contact), d.name, flagged.ID, paved.AnswerReview{Flag: &note}); err != nil {
		return err
	}
	// An n/a waiting for the contact.
	if len(items) > len(half) {
		na := items[len(half)]
		_, err := s.svc.Answer(s.as(dev), d.name, na.ID, launch.AnswerInput{Status: paved.AnswerNA,
			NAReason: "Not decided yet: we reuse the payments-api integration and will answer once the design review with payments is done."})
		return err
	}
	return nil
}

// fraudScoring: most of the checklist, both assessments, a check, and a
// walkthrough with peer and architect signed.
func (s *seeder) fraudScoring(d svc) error {
	if err := s.greenLight(d); err != nil {
		return err
	}
	dev, contact := developers[d.owner], contacts[d.owner]
	if err := s.recordCheck(d, "4f1c9e2a7b", paved.Finding{Rule: "multi-az-tier1", Resource: "aws_elasticache_replication_group.features",
		ResourceType: "aws_elasticache_replication_group", Message: "tier 1 cache runs in a single availability zone", Path: "multi_az_enabled", Value: false}); err != nil {
		return err
	}
	if _, err := s.svc.Assess(s.as("fatima.ali"), d.name, &paved.Assessment{Kind: paved.AssessSecurity,
		ThreatModel: "https://docs." + Domain + "/services/fraud-scoring/threat-model", PenTest: "https://docs." + Domain + "/security/pen-tests/2025-fraud-scoring",
		VulnScan: "0 critical, 1 high (base image, fix scheduled)", RiskRating: paved.RiskMedium,
		Notes: "Model inputs are pseudonymised; the scoring API is reachable only from payments-api."}); err != nil {
		return err
	}
	if _, err := s.svc.Assess(s.as(dev), d.name, &paved.Assessment{Kind: paved.AssessLoad, ExpectedPeakRPS: 450, TestedRPS: 900, P99Millis: 38,
		Links: []string{"https://grafana." + Domain + "/d/fraud-scoring-load-test"}, Notes: "Black Friday 2024 peak times 1.5; p99 stays under the 50 ms budget."}); err != nil {
		return err
	}
	// Left open: the check's multi-AZ finding and four items the team
	// has not got to; feature flags are n/a, accepted by the contact.
	skip := map[string]bool{"multi-az": true, "disaster-recovery-plan": true, "resilience-tests": true, "growth-forecast": true, "escalation-contacts": true, "feature-flags": true}
	if err := s.fillMissing(d, paved.KindChecklist, skip); err != nil {
		return err
	}
	if _, err := s.svc.Answer(s.as(dev), d.name, "feature-flags", launch.AnswerInput{Status: paved.AnswerNA,
		NAReason: "The model version is the only switch: a bad model is rolled back by pinning the previous version, which takes a config change, not a deploy."}); err == nil {
		if _, err := s.svc.Review(s.as(contact), d.name, "feature-flags", paved.AnswerReview{AcceptNA: true}); err != nil {
			return err
		}
	} else if paved.ErrorCode(err) != paved.ENOTFOUND {
		return err
	}
	ws, err := s.svc.Schedule(s.as(dev), d.name, s.day(2, 14), []string{dev, "tom.becker", "david.cohen", "fatima.ali", contact})
	if err != nil {
		return err
	}
	if _, err := s.svc.Sign(s.as("tom.becker"), ws.ID, paved.SignPeer, paved.DecisionApprove, "Read the code paths for timeouts: a slow model falls back to the rules engine."); err != nil {
		return err
	}
	_, err = s.svc.Sign(s.as("david.cohen"), ws.ID, paved.SignArchitect, paved.DecisionApprove, "")
	return err
}

// mfaGateway: the architect requested changes at the walkthrough.
func (s *seeder) mfaGateway(d svc) error {
	if err := s.greenLight(d); err != nil {
		return err
	}
	dev := developers[d.owner]
	if err := s.recordCheck(d, "9a0d51c3e8"); err != nil {
		return err
	}
	if _, err := s.svc.Assess(s.as("fatima.ali"), d.name, &paved.Assessment{Kind: paved.AssessSecurity,
		ThreatModel: "https://docs." + Domain + "/services/mfa-gateway/threat-model", PenTest: "https://docs." + Domain + "/security/pen-tests/2025-mfa-gateway",
		VulnScan: "0 critical, 0 high", RiskRating: paved.RiskHigh, Notes: "SMS fallback is open to SIM swapping; accepted only as a last resort."}); err != nil {
		return err
	}
	if _, err := s.svc.Assess(s.as(dev), d.name, &paved.Assessment{Kind: paved.AssessLoad, ExpectedPeakRPS: 120, TestedRPS: 300, P99Millis: 95,
		Links: []string{"https://grafana." + Domain + "/d/mfa-gateway-load-test"}}); err != nil {
		return err
	}
	if err := s.fillMissing(d, paved.KindChecklist, nil); err != nil {
		return err
	}
	ws, err := s.svc.Schedule(s.as(dev), d.name, s.day(-3, 10), []string{dev, "li.wei", "david.cohen", "fatima.ali"})
	if err != nil {
		return err
	}
	if _, err := s.svc.Sign(s.as("li.wei"), ws.ID, paved.SignPeer, paved.DecisionApprove, ""); err != nil {
		return err
	}
	if _, err := s.svc.Sign(s.as("fatima.ali"), ws.ID, paved.SignSecurity, paved.DecisionApprove, "Rate limits per account and per phone number are in place."); err != nil {
		return err
	}
	if _, err := s.svc.Sign(s.as("david.cohen"), ws.ID, paved.SignArchitect, paved.DecisionRequestChanges,
		"The SMS fallback calls sms-gateway synchronously: when it is slow, sign-in is slow. Make the fallback asynchronous with a timeout, and show the failover test."); err != nil {
		return err
	}
	_, err = s.svc.AddFollowUp(s.as("david.cohen"), ws.ID, "Make the SMS fallback asynchronous with a 2 s timeout and rerun the failover test", dev, s.day(11, 0))
	return err
}

// analyticsDashboards: the whole path, playground to production.
func (s *seeder) analyticsDashboards(d svc) error {
	if err := s.greenLight(d); err != nil {
		return err
	}
	dev, contact := developers[d.owner], contacts[d.owner]
	if err := s.recordCheck(d, "c3b7e01d52"); err != nil {
		return err
	}
	if _, err := s.svc.Assess(s.as("fatima.ali"), d.name, &paved.Assessment{Kind: paved.AssessSecurity,
		ThreatModel: "https://docs." + Domain + "/services/analytics-dashboards/threat-model", RiskRating: paved.RiskLow,
		VulnScan: "0 critical, 0 high", Notes: "Internal only, behind single sign-on; reads the warehouse through a read-only role."}); err != nil {
		return err
	}
	if _, err := s.svc.Assess(s.as(dev), d.name, &paved.Assessment{Kind: paved.AssessLoad, ExpectedPeakRPS: 20, TestedRPS: 60, P99Millis: 850,
		Notes: "Monday-morning dashboard refresh, times three."}); err != nil {
		return err
	}
	if err := s.fillMissing(d, paved.KindChecklist, nil); err != nil {
		return err
	}
	ws, err := s.svc.Schedule(s.as(contact), d.name, s.day(-7, 15), []string{dev, "viv.patel", contact})
	if err != nil {
		return err
	}
	if _, err := s.svc.Sign(s.as(dev), ws.ID, paved.SignPeer, paved.DecisionApprove, "Walked through the runbook together with Marco."); err != nil {
		return err
	}
	for _, r := range ws.Required {
		if r == paved.SignPeer {
			continue
		}
		return fmt.Errorf("the walkthrough needs %s: the demo signs only as peer", strings.Join(roleNames(ws.Required), ", "))
	}
	_, err = s.svc.Advance(s.as(dev), d.name, paved.PhaseProduction, false, "")
	return err
}

func roleNames(rs []paved.SignRole) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// answerText is a plausible answer to it for d: the demo's words for the
// embedded templates, and a pointer to the service's docs otherwise.
func answerText(d svc, it *paved.TemplateItem) string {
	r := strings.NewReplacer("{title}", d.title, "{name}", d.name, "{owner}", d.owner, "{class}", string(d.class),
		"{tier}", fmt.Sprint(int(d.tier)), "{domain}", Domain, "{desc}", d.desc)
	if t, ok := answerTexts[it.ID]; ok {
		return r.Replace(t)
	}
	return r.Replace("Yes: how we do this for {title} is written up in the service docs (https://docs.{domain}/services/{name}#" + it.ID + ").")
}

// answerLink is the link for link-form items.
func answerLink(d svc, it *paved.TemplateItem) string {
	switch it.ID {
	case "architecture-sketch", "architecture-decisions":
		return "https://docs." + Domain + "/services/" + d.name + "/architecture"
	case "runbooks":
		return "https://runbooks." + Domain + "/" + d.name
	case "dashboards":
		return "https://grafana." + Domain + "/d/" + d.name
	case "on-call-rotation":
		return "https://oncall." + Domain + "/schedules/" + d.owner
	case "source-repository":
		return "https://git." + Domain + "/" + d.owner + "/" + d.name
	}
	return "https://docs." + Domain + "/services/" + d.name + "#" + it.ID
}
