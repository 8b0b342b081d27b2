package web

import (
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/ownership"
)

// The ownership map in the portal: /ownership shows the concerns x teams
// matrix with each team's RACI letters, the map's problems and the gap
// report; admins reassign a concern by choosing letters in its row (one
// form per row, its fields tied to it with the form attribute, since a
// form cannot wrap a table row), reset it to the config file, and download
// the effective map as ownership.yaml. /ownership/responsibilities lists
// the shared-responsibility tables, one page per resource type.

// roleChoices are the letters a matrix cell offers.
var roleChoices = []string{"", "R", "A", "C", "I"}

// ownershipView is the data of ownership.html.
type ownershipView struct {
	View    *ownership.View
	Gaps    *ownership.GapReport
	CanEdit bool
	Choices []string
	// Err is the refused edit, shown in its row with what was chosen.
	Err *ownershipErr
}

type ownershipErr struct {
	Concern string
	Message string
	Roles   map[string]string // column ref -> chosen letter
	Reason  string
	Status  int
}

// Letter returns the letter to show in a cell: the refused edit's choice
// for its row, else the concern's role.
func (v ownershipView) Letter(c *ownership.Concern, ref string) string {
	if v.Err != nil && v.Err.Concern == c.ID {
		return v.Err.Roles[ref]
	}
	switch r := c.Role(ref); {
	case strings.HasPrefix(r, "R"):
		return "R" // RA: the owner, also accountable
	case r == "":
		return ""
	default:
		return r[:1]
	}
}

// Label is the cell's full RACI text, for people and tests.
func (v ownershipView) Label(c *ownership.Concern, ref string) string { return c.Role(ref) }

// Span is the number of columns a layer's heading spans: the concern, the
// change column for admins, and every team.
func (v ownershipView) Span() int {
	if v.CanEdit {
		return len(v.View.Columns) + 2
	}
	return len(v.View.Columns) + 1
}

// ErrFor returns the refused edit's message when it is concern's.
func (v ownershipView) ErrFor(concern string) string {
	if v.Err != nil && v.Err.Concern == concern {
		return v.Err.Message
	}
	return ""
}

func (s *Server) ownershipPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderOwnership(w, r, nil)
}

func (s *Server) renderOwnership(w http.ResponseWriter, r *http.Request, fe *ownershipErr) error {
	v, err := s.ownership.Show(r.Context(), ownership.Filter{})
	if err != nil {
		return err
	}
	g, err := s.ownership.Gaps(r.Context())
	if err != nil {
		return err
	}
	data := ownershipView{View: v, Gaps: g, CanEdit: s.authorize(r, paved.ActEditOwnership, paved.Resource{}) == nil,
		Choices: roleChoices, Err: fe}
	status := http.StatusOK
	if fe != nil && fe.Status != 0 {
		status = fe.Status
	}
	return s.renderStatus(w, r, status, "ownership.html", data)
}

// ownershipEdit reads a matrix row: one letter per team column. Exactly
// one R is the owner (none leaves the concern without one); at most one A.
func (s *Server) ownershipEdit(w http.ResponseWriter, r *http.Request) error {
	concern := r.PathValue("concern")
	if err := r.ParseForm(); err != nil {
		return paved.Errorf(paved.EINVALID, "the form cannot be read: %v", err)
	}
	e := &paved.OwnershipEdit{Concern: concern, Reason: strings.TrimSpace(r.PostFormValue("reason")), Consulted: []string{}, Informed: []string{}}
	roles := map[string]string{}
	var owners, accountable []string
	for key, vals := range r.PostForm {
		ref, ok := strings.CutPrefix(key, "role-")
		if !ok || len(vals) == 0 {
			continue
		}
		letter := strings.TrimSpace(vals[0])
		roles[ref] = letter
		switch letter {
		case "":
		case "R":
			owners = append(owners, ref)
		case "A":
			accountable = append(accountable, ref)
		case "C":
			e.Consulted = append(e.Consulted, ref)
		case "I":
			e.Informed = append(e.Informed, ref)
		default:
			return s.ownershipRefused(w, r, concern, roles, e.Reason, paved.Errorf(paved.EINVALID, "%q is not a role: choose R, A, C or I", letter))
		}
	}
	for _, l := range [][]string{owners, accountable, e.Consulted, e.Informed} {
		sort.Strings(l)
	}
	var err error
	switch {
	case len(owners) > 1:
		err = paved.Errorf(paved.EINVALID, "%s has %d owners (%s): one owner is required; make the others A, C or I", concern, len(owners), strings.Join(owners, ", "))
	case len(accountable) > 1:
		err = paved.Errorf(paved.EINVALID, "%s has %d accountable teams (%s): one team is accountable", concern, len(accountable), strings.Join(accountable, ", "))
	default:
		if len(owners) == 1 {
			e.Owner = owners[0]
		}
		if len(accountable) == 1 {
			e.Accountable = accountable[0]
		}
		_, err = s.ownership.Edit(r.Context(), e)
	}
	if err != nil {
		return s.ownershipRefused(w, r, concern, roles, e.Reason, err)
	}
	setFlash(w, s.cfg.SecureCookies, flashSaved)
	http.Redirect(w, r, "/ownership#concern-"+url.PathEscape(concern), http.StatusSeeOther)
	return nil
}

func (s *Server) ownershipRefused(w http.ResponseWriter, r *http.Request, concern string, roles map[string]string, reason string, err error) error {
	if !inlineError(err) {
		return err
	}
	return s.renderOwnership(w, r, &ownershipErr{Concern: concern, Message: paved.ErrorMessage(err), Roles: roles, Reason: reason, Status: StatusFor(err)})
}

func (s *Server) ownershipResetForm(w http.ResponseWriter, r *http.Request) error {
	concern := r.PathValue("concern")
	if _, err := s.ownership.Reset(r.Context(), concern); err != nil {
		return s.ownershipRefused(w, r, concern, nil, "", err)
	}
	setFlash(w, s.cfg.SecureCookies, flashSaved)
	http.Redirect(w, r, "/ownership#concern-"+url.PathEscape(concern), http.StatusSeeOther)
	return nil
}

func (s *Server) ownershipExportPage(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	return s.writeOwnershipExport(w, r)
}

// responsibilitiesView is the data of ownership_responsibilities.html: the
// index of types, or one type's table.
type responsibilitiesView struct {
	Tables []*ownership.Table
	Table  *ownership.Table
	// Owners names, per concern, the owner in the ownership map, for the
	// rows a team must handle.
	Owners map[string]string
}

func (s *Server) responsibilitiesPage(w http.ResponseWriter, r *http.Request) error {
	ts, err := ownership.Tables()
	if err != nil {
		return err
	}
	v := responsibilitiesView{Tables: ts, Owners: map[string]string{}}
	if typ := r.PathValue("type"); typ != "" {
		if v.Table, err = ownership.Responsibilities(typ); err != nil {
			return err
		}
		m, _, err := s.ownership.Effective(r.Context())
		if err != nil {
			return err
		}
		for _, row := range v.Table.Rows {
			if c := m.Concern(row.Concern); c != nil {
				v.Owners[row.Concern] = c.Owner
			}
		}
	}
	return s.render(w, r, "ownership_responsibilities.html", v)
}

// ownershipFuncs are the template helpers of the ownership pages and of
// the considerations on the service and launch pages.
func (s *Server) ownershipFuncs() template.FuncMap {
	return template.FuncMap{
		"concernLabel": ownership.ConcernLabel,
		"coverageText": func(cov paved.Coverage, cond string) string {
			switch cov {
			case paved.CoverVendor:
				return "the vendor"
			case paved.CoverVendorOnceEnabled:
				return "the vendor once " + cond
			case paved.CoverTeam:
				return "the team"
			}
			return "does not apply"
		},
		"considerationState": func(st paved.ConsiderationState) string {
			switch st {
			case paved.StateVendor:
				return "vendor"
			case paved.StateEnabled:
				return "enabled"
			case paved.StateNotEnabled:
				return "not enabled"
			case paved.StateUnknown:
				return "plan does not say"
			case paved.StateTeam:
				return "team to handle"
			}
			return string(st)
		},
	}
}
