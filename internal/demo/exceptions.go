package demo

import (
	"context"
	"fmt"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/exception"
)

// The demo's exceptions let a newcomer walk journey 4 (an out-of-bounds
// change) on a fresh machine. Each starts from a guard-rail check recorded
// from CI, and goes through exception.Service as the people of the demo:
//
//   - ml-feature-store (data-platform, playground): a database with 1 TB of
//     RAM waits for a sign-off; Marco Rossi (cloud engineering) asked why in
//     the thread and Li Wei answered. Approve or reject it from /exceptions
//     as hana.sato, jonas.berg or marco.rossi.
//   - search-api (search, production): a large indexer instance, approved
//     by Jonas Berg for 90 days with a condition.
//   - event-pipeline (data-platform, production): local-NVMe stream
//     processors, approved by Marco Rossi and expiring in ten days, so it is
//     announced as expiring (paved exception list --expiring).

// ExceptionStories names the services whose exceptions the demo seeds.
var ExceptionStories = map[string]string{
	"ml-feature-store": "a database with 1 TB of RAM waiting for a sign-off, with a question in its thread",
	"search-api":       "an approved exception for a large indexer instance, valid for 90 days",
	"event-pipeline":   "an approved exception that expires in ten days",
}

type exceptionStory struct {
	service, developer, commit string
	finding                    paved.Finding
	reason                     string
	expires                    string // asked for ("" the default)
	thread                     [][2]string
	reviewer                   string // "" leaves it pending
	approveFor, conditions     string
}

var exceptionStories = []exceptionStory{
	{
		service: "ml-feature-store", developer: "li.wei", commit: "8c1f2e9a",
		finding: paved.Finding{Rule: "db-memory-ceiling", Resource: "aws_db_instance.features", ResourceType: "aws_db_instance", Action: "update",
			Path: "instance_class", Value: "db.x2iedn.8xlarge",
			Message:     "aws_db_instance.features uses db.x2iedn.8xlarge with 1024 GiB of memory, above the 256 GiB ceiling",
			Remediation: "Pick a smaller instance class, or ask for a sign-off with the load profile that needs this much memory.", Input: "plan.json"},
		reason: "Online fraud scoring reads about 900 GiB of features per hour and needs them in memory for p99 < 20 ms. " +
			"Sharding the store by tenant is planned for Q3; until then the working set has to fit one instance.",
		thread: [][2]string{
			{"marco.rossi", "Have you measured the working set? An r6g.8xlarge (256 GiB) with Redis in front often carries this kind of read load at a fifth of the cost."},
			{"li.wei", "Yes: the hot set is 870 GiB (dashboard linked in the runbook). With Redis we measured p99 at 65 ms, three times the budget."},
		},
	},
	{
		service: "search-api", developer: "li.wei", commit: "41d7b0c3",
		finding: paved.Finding{Rule: "instance-size-limit", Resource: "aws_instance.indexer", ResourceType: "aws_instance", Action: "update",
			Path: "instance_type", Value: "c7g.16xlarge",
			Message: "aws_instance.indexer is c7g.16xlarge with 64 vCPU, above the limit of 16 vCPU", Input: "plan.json"},
		reason:   "The nightly full re-index of 40 million products must finish inside the two-hour window; it takes 1 h 40 on c7g.16xlarge and over four hours on c7g.4xlarge.",
		reviewer: "jonas.berg", approveFor: "90d",
		conditions: "Scale the indexer down outside the re-index window (scheduled scaling) within the quarter.",
	},
	{
		service: "event-pipeline", developer: "li.wei", commit: "b3a9e5f1",
		finding: paved.Finding{Rule: "instance-family-allowed", Resource: "aws_instance.stream_processor", ResourceType: "aws_instance", Action: "create",
			Path: "instance_type", Value: "i4i.4xlarge",
			Message: "aws_instance.stream_processor uses the i4i family, which is not on the allowed list (m7g, c7g, r7g, t4g)", Input: "plan.json"},
		reason:   "The stream processors keep their RocksDB state on local NVMe: i4i is the only family with the local IOPS we need.",
		reviewer: "marco.rossi", approveFor: "10d",
		conditions: "Move the state to the managed Flink service before the exception runs out.",
	},
}

// seedExceptions runs the exception stories of services that have none yet,
// so a second Seed writes nothing.
func seedExceptions(ctx context.Context, st paved.Store, svc *exception.Service) error {
	users := map[string]*paved.User{}
	as := func(name string) (context.Context, error) {
		if users[name] == nil {
			u, err := st.FindUser(ctx, name)
			if err != nil {
				return nil, fmt.Errorf("demo: find user %s: %w", name, err)
			}
			users[name] = u
		}
		return paved.WithActor(ctx, paved.Actor{User: users[name]}), nil
	}
	for _, s := range exceptionStories {
		_, n, err := st.FindExceptions(ctx, paved.ExceptionFilter{Service: s.service, Page: paved.Page{Limit: 1}})
		if err != nil {
			return fmt.Errorf("demo: exceptions of %s: %w", s.service, err)
		}
		if n > 0 {
			continue
		}
		if err := s.run(st, svc, as); err != nil {
			return fmt.Errorf("demo: exception of %s: %w", s.service, err)
		}
	}
	return nil
}

func (s exceptionStory) run(st paved.Store, svc *exception.Service, as func(string) (context.Context, error)) error {
	dev, err := as(s.developer)
	if err != nil {
		return err
	}
	f := s.finding
	f.Severity = paved.SeverityDeny
	f.Fingerprint = f.ComputeFingerprint()
	c := &paved.CheckRecord{Service: s.service, Commit: s.commit, Branch: "main",
		RunURL:        "https://ci." + Domain + "/" + s.service + "/runs/" + s.commit[:4],
		ResourceTypes: map[string]int{f.ResourceType: 1}, Rules: []string{f.Rule}, Findings: []paved.Finding{f}}
	if err := st.RecordCheck(dev, c); err != nil {
		return err
	}
	res, err := svc.Request(dev, exception.RequestInput{Check: c.ID, Reason: s.reason, Expires: s.expires})
	if err != nil {
		return err
	}
	if len(res.Exceptions) != 1 {
		return fmt.Errorf("%d requests opened, want 1", len(res.Exceptions))
	}
	id := res.Exceptions[0].ID
	for _, m := range s.thread {
		who, err := as(m[0])
		if err != nil {
			return err
		}
		if _, err := svc.Comment(who, id, m[1]); err != nil {
			return err
		}
	}
	if s.reviewer == "" {
		return nil
	}
	rev, err := as(s.reviewer)
	if err != nil {
		return err
	}
	_, err = svc.Approve(rev, id, s.approveFor, s.conditions)
	return err
}
