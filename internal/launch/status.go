package launch

import (
	"fmt"
	"sort"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// itemStatus decides where one item stands: settled (answered, or n/a
// accepted) beats evidence; evidence beats an n/a that waits for review.
func itemStatus(l *paved.Launch, kind paved.TemplateKind, a *paved.TemplateArea, it *paved.TemplateItem, comments int, now time.Time) *ItemStatus {
	st := &ItemStatus{
		Kind:     kind,
		Area:     a.ID,
		Item:     it,
		Required: it.Required(l.Service.Tier),
		Answer:   l.Answers[it.ID],
		Comments: comments,
	}
	if st.Answer != nil && st.Answer.Item != it.ID {
		st.Answer = nil // a map entry under the wrong key: do not trust it
	}
	st.Evidence = EvidenceFor(it.Evidence, l, now)
	st.Flagged = st.Answer != nil && st.Answer.Flag != ""
	switch {
	case st.Answer.Settled():
		st.State = StateSettled
	case st.Evidence != nil && st.Evidence.Satisfied:
		st.State = StateEvidenced
	case st.Answer != nil && st.Answer.Status == paved.AnswerNA:
		st.State = StateNAPending
	default:
		st.State = StateMissing
	}
	return st
}

// done reports whether an item counts towards readiness.
func (s *ItemStatus) done() bool { return s.State == StateSettled || s.State == StateEvidenced }

func score(done, required int) float64 {
	if required == 0 {
		return 1
	}
	return float64(done) / float64(required)
}

// areaKey is the key of an area in Score.Areas: its id, or kind/id when
// the questionnaire and the checklist both have an area of that id.
func areaKeys(t map[paved.TemplateKind]*paved.Template) map[*paved.TemplateArea]string {
	keys := map[*paved.TemplateArea]string{}
	seen := map[string]bool{}
	for _, k := range paved.TemplateKinds {
		if t[k] == nil {
			continue
		}
		for _, a := range t[k].Areas {
			if a == nil {
				continue
			}
			key := a.ID
			if seen[key] {
				key = string(k) + "/" + a.ID
			}
			seen[key] = true
			keys[a] = key
		}
	}
	return keys
}

// Evaluate computes a service's launch status from its facts: item states
// with evidence, progress per area and overall, the next gate and the next
// step. t holds the templates by kind (pinned, or configured when the
// service has not pinned yet); comments counts comments by item id (nil for
// none). Upgrades is left for the caller, who knows the configuration.
func Evaluate(l *paved.Launch, t map[paved.TemplateKind]*paved.Template, comments map[string]int, now time.Time) *Status {
	if l == nil || l.Service == nil {
		return &Status{NextStep: "The service is unknown."}
	}
	st := &Status{Service: l.Service}
	l = GateView(l)
	svc := l.Service
	*st = Status{
		Service:       st.Service,
		GateClass:     paved.ClassOf(svc),
		Grandfathered: svc.Grandfathered,
		Contact:       l.Contact,
		Templates:     t,
		Versions:      map[paved.TemplateKind]int{},
		Score:         Score{Areas: map[string]float64{}},
		Security:      l.LatestAssessment(paved.AssessSecurity),
		Load:          l.LatestAssessment(paved.AssessLoad),
		Phases:        l.Phases,
		LatestCheck:   l.LatestCheck,
	}
	keys := areaKeys(t)
	var done, required int
	for _, k := range paved.TemplateKinds {
		tpl := t[k]
		if tpl == nil {
			continue
		}
		st.Versions[k] = tpl.Version
		for _, a := range tpl.Areas {
			if a == nil {
				continue
			}
			as := &AreaStatus{Kind: k, ID: a.ID, Title: a.Title}
			for _, it := range a.Items {
				if it == nil {
					continue
				}
				is := itemStatus(l, k, a, it, comments[it.ID], now)
				as.Items = append(as.Items, is)
				if is.Required {
					as.Required++
					if is.done() {
						as.Done++
					}
				}
			}
			as.Score = score(as.Done, as.Required)
			st.Score.Areas[keys[a]] = as.Score
			done += as.Done
			required += as.Required
			st.Areas = append(st.Areas, as)
		}
	}
	st.Score.Overall = score(done, required)
	if w := NewestWalkthrough(l); w != nil {
		st.Walkthrough = walkthroughStatus(w, svc, st.Security)
	}
	if !svc.Grandfathered {
		if to := nextPhase(svc.Phase); to != "" {
			st.Next = CheckGate(l, t, to, now)
		}
	}
	st.NextStep = nextStep(st)
	return st
}

// walkthroughStatus adds what the sign-offs of w add up to.
func walkthroughStatus(w *paved.Walkthrough, svc *paved.Service, security *paved.Assessment) *WalkthroughStatus {
	req := RequiredSignoffs(svc.Tier, svc.DataClass)
	return &WalkthroughStatus{
		Walkthrough: w,
		Required:    req,
		Current:     CurrentSignoffs(w),
		Outcome:     Outcome(w, req),
		VetoAllowed: VetoAllowed(svc, security),
	}
}

// nextStep is one sentence: the most useful thing to do now.
func nextStep(st *Status) string {
	svc := st.Service
	switch {
	case svc.Grandfathered && svc.Phase != paved.PhaseRetired:
		return "Grandfathered: " + svc.Name + " was in production before paved, so no launch gate applies."
	case svc.Phase == paved.PhaseRetired:
		return "Retired: nothing left to do."
	case svc.Phase == paved.PhaseProduction:
		return "In production: keep the checklist answers current as the service changes."
	case st.Next == nil:
		return ""
	case st.Next.Open():
		return fmt.Sprintf("Ready: move to %s with `paved launch advance %s`.", st.Next.To, svc.Name)
	}
	byKind := map[string][]Gap{}
	for _, g := range st.Next.Gaps {
		byKind[g.Kind] = append(byKind[g.Kind], g)
	}
	if gs := byKind["phase"]; len(gs) > 0 {
		return capitalise(gs[0].Message) + "."
	}
	if gs := byKind["item"]; len(gs) > 0 {
		kind := paved.KindQuestionnaire
		if svc.Phase == paved.PhaseGreenLight {
			kind = paved.KindChecklist
		}
		if gs[0].Item == "" {
			return capitalise(gs[0].Message) + "."
		}
		if len(gs) == 1 {
			return fmt.Sprintf("Answer the required %s item %s.", kind, gs[0].Item)
		}
		return fmt.Sprintf("Answer %d required %s items, starting with %s.", len(gs), kind, gs[0].Item)
	}
	if len(byKind["contact"]) > 0 {
		return "Assign an enablement contact."
	}
	if len(byKind["assessment"]) > 0 {
		switch {
		case st.Security == nil:
			return "Record the security assessment."
		case st.Load == nil:
			return "Record the load profile."
		}
		return "Complete the assessments: " + byKind["assessment"][0].Message + "."
	}
	if len(byKind["walkthrough"]) > 0 {
		w := st.Walkthrough
		if w == nil {
			return "Schedule the walkthrough."
		}
		switch w.Outcome {
		case paved.OutcomeVetoed:
			return fmt.Sprintf("Walkthrough #%d was vetoed: address the objection and schedule a new walkthrough.", w.ID)
		case paved.OutcomeChangesRequested:
			var who []string
			for _, r := range paved.SignRoles {
				if s := w.Current[r]; s != nil && s.Decision == paved.DecisionRequestChanges {
					who = append(who, s.Signer)
				}
			}
			return fmt.Sprintf("Address the changes %s asked for at walkthrough #%d, then ask for a new sign-off.", strings.Join(who, " and "), w.ID)
		}
		var missing []string
		for _, r := range w.Required {
			if s := w.Current[r]; s == nil || s.Decision != paved.DecisionApprove {
				missing = append(missing, possessive[r])
			}
		}
		if len(missing) == 1 {
			return fmt.Sprintf("Waiting for %s sign-off on walkthrough #%d.", missing[0], w.ID)
		}
		return fmt.Sprintf("Waiting for %s sign-offs on walkthrough #%d.", joinAnd(missing), w.ID)
	}
	if gs := byKind["follow-up"]; len(gs) > 0 {
		if len(gs) == 1 {
			return "Complete the overdue walkthrough follow-up."
		}
		return fmt.Sprintf("Complete %d overdue walkthrough follow-ups.", len(gs))
	}
	if gs := byKind["na-review"]; len(gs) > 0 {
		if len(gs) == 1 {
			return fmt.Sprintf("Waiting for a reviewer to accept the n/a on %s.", gs[0].Item)
		}
		return fmt.Sprintf("Waiting for a reviewer to accept %d n/a answers, starting with %s.", len(gs), gs[0].Item)
	}
	return capitalise(st.Next.Gaps[0].Message) + "."
}

var possessive = map[paved.SignRole]string{
	paved.SignPeer:      "the peer's",
	paved.SignArchitect: "the architect's",
	paved.SignSecurity:  "security's",
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ReplayReadiness replays the answer history (any order; it is sorted by
// time) against the templates and returns the score after each moment at
// which an answer changed, oldest first. Only answers are replayed:
// automatic evidence has no history and does not count here. An n/a counts
// from the moment a reviewer accepted it, and only while it is the current
// answer (revisions keep no acceptance).
func ReplayReadiness(l *paved.Launch, t map[paved.TemplateKind]*paved.Template, history []*paved.AnswerRevision) []ReadinessPoint {
	if l == nil || l.Service == nil {
		return nil
	}
	l = GateView(l)
	type event struct {
		at  time.Time
		rev *paved.AnswerRevision // nil: an acceptance of the current n/a
		ans *paved.Answer
	}
	var events []event
	for _, r := range history {
		if r != nil {
			events = append(events, event{at: r.At, rev: r})
		}
	}
	for _, a := range l.Answers {
		if a != nil && a.Status == paved.AnswerNA && a.NAAcceptedAt != nil {
			events = append(events, event{at: *a.NAAcceptedAt, ans: a})
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].at.Before(events[j].at) })

	keys := areaKeys(t)
	latest := map[string]*paved.AnswerRevision{}
	accepted := map[string]bool{}
	var points []ReadinessPoint
	changed := false
	for i, e := range events {
		if e.rev != nil {
			if cur := latest[e.rev.Item]; cur == nil || e.rev.Revision >= cur.Revision {
				latest[e.rev.Item] = e.rev
				accepted[e.rev.Item] = false
				changed = true
			}
		} else if cur := latest[e.ans.Item]; cur != nil && cur.Revision == e.ans.Revision {
			accepted[e.ans.Item] = true
			changed = true
		}
		if i+1 < len(events) && events[i+1].at.Equal(e.at) {
			continue // one point per moment
		}
		if !changed {
			continue
		}
		changed = false
		sc := Score{Areas: map[string]float64{}}
		var done, required int
		for _, k := range paved.TemplateKinds {
			if t[k] == nil {
				continue
			}
			for _, a := range t[k].Areas {
				if a == nil {
					continue
				}
				var ad, ar int
				for _, it := range a.Items {
					if it == nil || !it.Required(l.Service.Tier) {
						continue
					}
					ar++
					if r := latest[it.ID]; r != nil && (r.Status == paved.AnswerGiven || (r.Status == paved.AnswerNA && accepted[it.ID])) {
						ad++
					}
				}
				sc.Areas[keys[a]] = score(ad, ar)
				done += ad
				required += ar
			}
		}
		sc.Overall = score(done, required)
		points = append(points, ReadinessPoint{At: e.at, Score: sc})
	}
	return points
}
