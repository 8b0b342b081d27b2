package api

import paved "github.com/paved-dev/paved"

// ReclassifyRequest is the body of POST /api/v1/services/{name}/reclassifications
// (and .../reclassifications/force): the classification asked for (a part
// left out stays as it is) and why.
type ReclassifyRequest struct {
	Tier      paved.Tier      `json:"tier,omitempty"`
	DataClass paved.DataClass `json:"data_class,omitempty"`
	Reason    string          `json:"reason"`
}

// DecideRequest is the body of POST /api/v1/reclassifications/{id}/approve
// and .../reject: the decider's comment (required to reject).
type DecideRequest struct {
	Comment string `json:"comment,omitempty"`
}
