package launch

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

// testPacket is a packet with a bit of everything, including text that
// tries to break out of Markdown and HTML.
func testPacket() *Packet {
	l := readyLaunch()
	l.Service.Title = "Payments API"
	l.Service.Description = "Takes card payments | *fast* <b>and</b> safe."
	accepted := t0.Add(26 * time.Hour)
	l.Answers["ha-approach"].Text = "Two AZs behind an ALB.\n\n- RDS multi-AZ\n- <script>alert(1)</script>\n# not a heading"
	l.Answers["ha-approach"].Revision = 2
	l.Answers["deploy-rollback"].Links = []string{"https://docs.example.com/deploy?a=1&b=2"}
	l.Answers["deploy-rollback"].Flag = "rollback untested | really?"
	l.Answers["deploy-rollback"].FlaggedBy = "rey"
	l.Answers["config-management"] = &paved.Answer{Item: "config-management", Status: paved.AnswerNA, NAReason: "no configuration: a static site",
		NAAcceptedBy: "rey", NAAcceptedAt: &accepted, Revision: 1, Author: "dev", UpdatedAt: t0}
	l.Answers["load-test"] = &paved.Answer{Item: "load-test", Status: paved.AnswerNA, NAReason: "see the load profile", Revision: 1, Author: "dev", UpdatedAt: t0}
	l.Assessments[1].VulnScan = "0 critical, 2 high (accepted)"
	l.Assessments[1].Notes = "Reviewed with the security team."
	l.Assessments = append(l.Assessments, &paved.Assessment{ID: 3, Kind: paved.AssessLoad, ExpectedPeakRPS: 100, TestedRPS: 50, P99Millis: 300, RecordedBy: "dev", RecordedAt: t0.Add(-48 * time.Hour)})
	w := l.Walkthroughs[0]
	w.ScheduledAt = time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	w.Participants = []string{"pat", "ari", "sam"}
	w.Signoffs = []*paved.Signoff{
		{ID: 1, Signer: "ari", Role: paved.SignArchitect, Decision: paved.DecisionRequestChanges, Comment: "document the rollback", At: w.ScheduledAt},
		{ID: 2, Signer: "pat", Role: paved.SignPeer, Decision: paved.DecisionApprove, At: w.ScheduledAt.Add(time.Hour)},
		{ID: 3, Signer: "ari", Role: paved.SignArchitect, Decision: paved.DecisionApprove, Comment: "thanks", At: w.ScheduledAt.Add(24 * time.Hour)},
	}
	done := w.ScheduledAt.Add(48 * time.Hour)
	w.FollowUps = []*paved.FollowUp{
		{ID: 1, Description: "Add an alert on p99 > 500 ms", Owner: "dev", Due: time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)},
		{ID: 2, Description: "Link the runbook from the dashboard", Owner: "pat", Due: time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC), DoneBy: "pat", DoneAt: &done},
	}
	l.Phases = []*paved.PhaseChange{
		{Service: "payments-api", To: paved.PhasePlayground, Actor: "dev", At: t0.Add(-240 * time.Hour)},
		{Service: "payments-api", From: paved.PhasePlayground, To: paved.PhaseGreenLight, Actor: "ada", At: t0.Add(-24 * time.Hour), Forced: true, Reason: "pilot customer <deadline>"},
	}
	l.LatestCheck.Branch = "main"
	l.LatestCheck.RunURL = "https://ci.example.com/runs/42"
	l.LatestCheck.At = now.Add(-75 * time.Hour)
	l.LatestCheck.Findings = []paved.Finding{
		{Rule: "rds-instance-size", Severity: paved.SeverityDeny, Resource: "aws_db_instance.main", Message: "db.x2iedn.32xlarge has 4096 GiB of memory: more than 512", Remediation: "pick a smaller class or ask for an exception"},
		{Rule: "required-tags", Severity: paved.SeverityWarn, Resource: "aws_s3_bucket.logs", Message: "missing tag cost-center"},
		{Rule: "s3-public", Severity: paved.SeverityException, Resource: "aws_s3_bucket.site", Message: "public bucket | silenced"},
	}
	comments := []*paved.Comment{
		{ID: 1, Item: "ha-approach", Author: "erin", Body: "What happens when an AZ fails?", At: t0.Add(time.Hour)},
		{ID: 2, Item: "ha-approach", Author: "dev", Body: "Traffic shifts; see *the* [runbook](x)", At: t0.Add(2 * time.Hour)},
	}
	hist := []*paved.AnswerRevision{
		{Item: "ha-approach", Revision: 1, Status: paved.AnswerGiven, Author: "pat", At: t0.Add(-72 * time.Hour)},
		{Item: "ha-approach", Revision: 2, Status: paved.AnswerGiven, Author: "dev", At: t0},
	}
	return buildPacket(l, testTemplates(), comments, hist, now, func(st *Status) {
		st.Upgrades = map[paved.TemplateKind]int{paved.KindChecklist: 2}
	})
}

func TestPacketBuild(t *testing.T) {
	p := testPacket()
	if h := p.History["ha-approach"]; h == nil || h.Revisions != 2 || !h.First.Equal(t0.Add(-72*time.Hour)) || strings.Join(h.Authors, ",") != "pat,dev" {
		t.Errorf("history %+v", h)
	}
	if len(p.Comments["ha-approach"]) != 2 || p.Status.Areas[0].Items[0].Comments != 2 {
		t.Errorf("comments not gathered")
	}
	var sev []paved.Severity
	for _, g := range p.Findings {
		sev = append(sev, g.Severity)
	}
	if len(sev) != 3 || sev[0] != paved.SeverityDeny || sev[1] != paved.SeverityWarn || sev[2] != paved.SeverityException {
		t.Errorf("finding groups %v", sev)
	}
	if len(p.Gaps) == 0 {
		t.Errorf("want the open gaps (the n/a on load-test, the security sign-off)")
	}
}

func TestPacketMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := WritePacketMarkdown(&b, testPacket()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script>", "<b>", "| *fast*"} {
		if strings.Contains(out, bad) {
			t.Errorf("markdown contains unescaped %q", bad)
		}
	}
	testutil.Golden(t, filepath.Join("testdata", "packet", "packet.md"), b.Bytes())
}

func TestPacketHTML(t *testing.T) {
	var b bytes.Buffer
	if err := WritePacketHTML(&b, testPacket()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// Self-contained: no scripts, no external stylesheets, images or fonts.
	for _, re := range []string{`(?i)<script`, `(?i)<link`, `(?i)\bsrc=`, `(?i)@import`, `(?i)url\(`, `(?i)\bon[a-z]+=`} {
		if regexp.MustCompile(re).MatchString(out) {
			t.Errorf("html matches %s", re)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "@media print", "pilot customer &lt;deadline&gt;", `href="https://docs.example.com/deploy?a=1&amp;b=2"`} {
		if !strings.Contains(out, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	testutil.Golden(t, filepath.Join("testdata", "packet", "packet.html"), b.Bytes())
}

func TestPacketEmpty(t *testing.T) {
	for _, p := range []*Packet{nil, {}, {Status: &Status{}}} {
		if err := WritePacketMarkdown(&bytes.Buffer{}, p); paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("markdown of %+v: %v", p, err)
		}
		if err := WritePacketHTML(&bytes.Buffer{}, p); paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("html of %+v: %v", p, err)
		}
	}
	// A bare service in playground renders without panicking.
	l := &paved.Launch{Service: &paved.Service{Name: "new", Owner: "t", Tier: 4, DataClass: paved.DataPublic, Phase: paved.PhasePlayground}}
	p := buildPacket(l, testTemplates(), nil, nil, now, nil)
	if err := WritePacketMarkdown(&bytes.Buffer{}, p); err != nil {
		t.Error(err)
	}
	if err := WritePacketHTML(&bytes.Buffer{}, p); err != nil {
		t.Error(err)
	}
	// Holes in the data do not panic the Markdown writer.
	p = testPacket()
	p.Assessments = append(p.Assessments, nil)
	p.Status.Phases = append(p.Status.Phases, nil)
	p.Status.Walkthrough.Signoffs = append(p.Status.Walkthrough.Signoffs, nil)
	p.Status.Walkthrough.FollowUps = append(p.Status.Walkthrough.FollowUps, nil)
	p.Comments["ha-approach"] = append(p.Comments["ha-approach"], nil)
	if err := WritePacketMarkdown(&bytes.Buffer{}, p); err != nil {
		t.Error(err)
	}
	p.Status.Walkthrough = &WalkthroughStatus{}
	if err := WritePacketMarkdown(&bytes.Buffer{}, p); err != nil {
		t.Error(err)
	}
	_ = WritePacketHTML(&bytes.Buffer{}, p) // an error is fine, a panic is not
}
