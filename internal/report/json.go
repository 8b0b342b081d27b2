package report

import (
	"bytes"
	"encoding/json"
	"io"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
)

// SchemaVersion of the json format; bumped only on incompatible changes.
const SchemaVersion = 1

type jsonReport struct {
	SchemaVersion int                   `json:"schema_version"`
	Tool          Tool                  `json:"tool"`
	Service       *paved.ServiceContext `json:"service,omitempty"`
	Inputs        []string              `json:"inputs"`
	Summary       jsonSummary           `json:"summary"`
	Findings      []paved.Finding       `json:"findings"`
	Exceptions    *Exceptions           `json:"exceptions,omitempty"`
	// Cost is the plan's monthly cost estimate (docs/cost.md).
	Cost *cost.PlanCost `json:"cost,omitempty"`
}

type jsonSummary struct {
	Passed    bool `json:"passed"`
	Resources int  `json:"resources"`
	Deny      int  `json:"deny"`
	Warn      int  `json:"warn"`
}

func writeJSON(w io.Writer, r *Result) error {
	d, wn := paved.Summarize(r.Findings)
	fs := r.Findings
	if fs == nil {
		fs = []paved.Finding{}
	}
	in := r.Inputs
	if in == nil {
		in = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(jsonReport{
		SchemaVersion: SchemaVersion, Tool: r.Tool, Service: r.Service, Inputs: in,
		Summary:  jsonSummary{Passed: d == 0, Resources: len(r.Resources), Deny: d, Warn: wn},
		Findings: fs, Exceptions: r.Exceptions, Cost: r.Cost,
	})
}

func jsonCompact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
