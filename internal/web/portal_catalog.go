package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	paved "github.com/paved-dev/paved"
)

// portalPageSize is how many rows a portal list shows per page.
const portalPageSize = 25

// pager is the paging state of a list page: which rows are shown and the
// links to the neighbouring pages (which keep every other query parameter).
type pager struct {
	Total, From, To int
	Page, Pages     int
	Prev, Next      string // "" when there is no such page
}

// pageNumber reads the 1-based ?page= parameter. Anything unusable reads as
// the first page: a hand-edited URL should still show something.
func pageNumber(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	// Keep the offset far from overflow whatever the URL says.
	return min(n, 1_000_000)
}

func pageOf(n int) paved.Page {
	return paved.Page{Offset: (n - 1) * portalPageSize, Limit: portalPageSize}
}

func newPager(r *http.Request, page, shown, total int) pager {
	p := pager{Total: total, Page: page, Pages: (total + portalPageSize - 1) / portalPageSize}
	if shown > 0 {
		p.From = (page-1)*portalPageSize + 1
		p.To = p.From + shown - 1
	}
	link := func(n int) string {
		q := r.URL.Query()
		if n <= 1 {
			q.Del("page")
		} else {
			q.Set("page", strconv.Itoa(n))
		}
		if len(q) == 0 {
			return r.URL.Path
		}
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		// Past the end (a stale link), "previous" leads back to the last page.
		p.Prev = link(min(page-1, max(p.Pages, 1)))
	}
	if page*portalPageSize < total {
		p.Next = link(page + 1)
	}
	return p
}

// allTeamNames lists team names for filter menus.
func (s *Server) allTeamNames(r *http.Request) ([]string, error) {
	teams, _, err := s.store.FindTeams(r.Context(), paved.TeamFilter{Page: paved.Page{Limit: paved.MaxLimit}})
	if err != nil {
		return nil, err
	}
	names := make([]string, len(teams))
	for i, t := range teams {
		names[i] = t.Name
	}
	return names, nil
}

// ---- home

type homeView struct {
	PhaseCounts []phaseCount
	Services    int
	Teams       int
	MyTeams     []string
	CanAudit    bool
	Recent      []*paved.AuditEvent
}

type phaseCount struct {
	Phase paved.Phase
	Count int
}

func (s *Server) homePage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	v := homeView{MyTeams: paved.UserFrom(ctx).Teams}
	for _, ph := range paved.Phases {
		_, n, err := s.store.FindServices(ctx, paved.ServiceFilter{Phase: ph, Page: paved.Page{Limit: 1}})
		if err != nil {
			return err
		}
		v.PhaseCounts = append(v.PhaseCounts, phaseCount{Phase: ph, Count: n})
		if ph != paved.PhaseRetired {
			v.Services += n
		}
	}
	_, n, err := s.store.FindTeams(ctx, paved.TeamFilter{Page: paved.Page{Limit: 1}})
	if err != nil {
		return err
	}
	v.Teams = n
	// The change history is the audit log, and the audit log has one rule
	// (paved.ActReadAudit) wherever it shows.
	if s.authorize(r, paved.ActReadAudit, paved.Resource{}) == nil {
		v.CanAudit = true
		v.Recent, _, err = s.store.FindAuditEvents(ctx, paved.AuditFilter{Page: paved.Page{Limit: 10}})
		if err != nil {
			return err
		}
	}
	return s.render(w, r, "home.html", v)
}

// ---- services

type servicesView struct {
	// The filter as submitted, to refill the form.
	Query, Team, Phase, Tier, DataClass string
	Error                               string // an unusable filter value

	Teams       []string
	Phases      []paved.Phase
	Tiers       []paved.Tier
	DataClasses []paved.DataClass

	Services []*paved.Service
	Pager    pager
}

func (s *Server) servicesPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := servicesView{
		Query:       strings.TrimSpace(q.Get("q")),
		Team:        strings.TrimSpace(q.Get("team")),
		Phase:       strings.TrimSpace(q.Get("phase")),
		Tier:        strings.TrimSpace(q.Get("tier")),
		DataClass:   strings.TrimSpace(q.Get("data_class")),
		Phases:      paved.Phases,
		Tiers:       []paved.Tier{1, 2, 3, 4},
		DataClasses: paved.DataClasses,
	}
	var err error
	if v.Teams, err = s.allTeamNames(r); err != nil {
		return err
	}
	f := paved.ServiceFilter{Query: v.Query, Team: v.Team}
	if v.Phase != "" {
		if f.Phase, err = paved.ParsePhase(v.Phase); err != nil {
			v.Error = paved.ErrorMessage(err)
		}
	}
	if v.Tier != "" {
		if f.Tier, err = paved.ParseTier(v.Tier); err != nil {
			v.Error = paved.ErrorMessage(err)
		}
	}
	if v.DataClass != "" {
		if f.DataClass, err = paved.ParseDataClass(v.DataClass); err != nil {
			v.Error = paved.ErrorMessage(err)
		}
	}
	if v.Error != "" {
		// Showing every service under a filter the user did not get would
		// mislead; show the form with the problem instead.
		return s.renderStatus(w, r, http.StatusBadRequest, "services.html", v)
	}
	page := pageNumber(r)
	f.Page = pageOf(page)
	svcs, total, err := s.store.FindServices(r.Context(), f)
	if err != nil {
		return err
	}
	v.Services = svcs
	v.Pager = newPager(r, page, len(svcs), total)
	return s.render(w, r, "services.html", v)
}

type serviceView struct {
	Service  *paved.Service
	CanEdit  bool
	CanAudit bool
	// CanSpend: the viewer may read the owner team's spend
	// (spend.visibility); else the page has no spend section.
	CanSpend bool
	History  []*paved.AuditEvent
	// HistoryTotal counts every event of the service; History holds the
	// newest few, and the audit page the rest.
	HistoryTotal int
	HistoryURL   string
	// Launch is the path to production (portal_launch.go).
	Launch *launchPanel
	// Exceptions are the service's sign-offs (portal_exceptions.go).
	Exceptions *exceptionsPanel
	// OwnerUndefined is set when the owner team is a placeholder: the
	// catalog names it, no Group defines it (a dangling reference).
	OwnerUndefined bool
	// Facts are what paved observed of the service (portal_facts.go).
	Facts *factsPanel
	// Reclass is the pending reclassification request and the recent
	// decisions (portal_reclass.go).
	Reclass *reclassPanel
}

func (s *Server) servicePage(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	svc, err := s.store.FindService(r.Context(), name)
	if err != nil {
		return err
	}
	v := serviceView{
		Service:    svc,
		CanEdit:    s.authorize(r, paved.ActUpdateService, paved.Resource{Team: svc.Owner}) == nil,
		CanSpend:   s.spend.CanRead(paved.UserFrom(r.Context()), svc.Owner) == nil,
		HistoryURL: "/audit?" + url.Values{"object_type": {"service"}, "object_id": {svc.Name}}.Encode(),
	}
	if v.OwnerUndefined, err = s.undefinedTeam(r, svc.Owner); err != nil {
		return err
	}
	if s.authorize(r, paved.ActReadAudit, paved.Resource{}) == nil {
		v.CanAudit = true
		v.History, v.HistoryTotal, err = s.store.FindAuditEvents(r.Context(), paved.AuditFilter{
			ObjectType: "service", ObjectID: svc.Name, Page: paved.Page{Limit: 10},
		})
		if err != nil {
			return err
		}
	}
	if v.Launch, err = s.launchPanel(r, svc); err != nil {
		return err
	}
	if v.Exceptions, err = s.exceptionsPanel(r, svc); err != nil {
		return err
	}
	if v.Facts, err = s.factsPanel(r, svc); err != nil {
		return err
	}
	if v.Reclass, err = s.reclassPanel(r, svc); err != nil {
		return err
	}
	return s.renderStatus(w, r, v.Launch.status(), "service.html", v)
}

// serviceEditView is the data of service_edit.html: the form values as
// submitted (so a failed save keeps what was typed) and an error per field.
type serviceEditView struct {
	Service     *paved.Service
	Description string
	Tier        string
	DataClass   string
	// Reason is why, when the edit lowers the tier or data class of a
	// launch under way (it then becomes a reclassification request).
	Reason      string
	Errors      map[string]string // form field -> message
	Tiers       []paved.Tier
	DataClasses []paved.DataClass
}

func (s *Server) serviceEditPage(w http.ResponseWriter, r *http.Request) error {
	svc := targetOf(r).Service
	return s.render(w, r, "service_edit.html", serviceEditView{
		Service:     svc,
		Description: svc.Description,
		Tier:        strconv.Itoa(int(svc.Tier)),
		DataClass:   string(svc.DataClass),
		Tiers:       []paved.Tier{1, 2, 3, 4},
		DataClasses: paved.DataClasses,
	})
}

// maxDescription bounds the description a form may submit; the request
// body limit would stop a larger one anyway, but with a worse message.
const maxDescription = 4000

func (s *Server) serviceEdit(w http.ResponseWriter, r *http.Request) error {
	svc := targetOf(r).Service
	v := serviceEditView{
		Service: svc,
		// Browsers send CRLF line ends from a textarea; store what was typed.
		Description: strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("description")), "\r\n", "\n"),
		Tier:        strings.TrimSpace(r.PostFormValue("tier")),
		DataClass:   strings.TrimSpace(r.PostFormValue("data_class")),
		Reason:      strings.TrimSpace(r.PostFormValue("reason")),
		Errors:      map[string]string{},
		Tiers:       []paved.Tier{1, 2, 3, 4},
		DataClasses: paved.DataClasses,
	}
	var u paved.ServiceUpdate
	if n := len([]rune(v.Description)); n > maxDescription {
		v.Errors["description"] = "The description is " + strconv.Itoa(n) + " characters long; at most " + strconv.Itoa(maxDescription) + " are allowed."
	} else if v.Description != svc.Description {
		u.Description = &v.Description
	}
	if tier, err := paved.ParseTier(v.Tier); err != nil {
		v.Errors["tier"] = paved.ErrorMessage(err)
	} else if tier != svc.Tier {
		u.Tier = &tier
	}
	if dc, err := paved.ParseDataClass(v.DataClass); err != nil {
		v.Errors["data_class"] = paved.ErrorMessage(err)
	} else if dc != svc.DataClass {
		u.DataClass = &dc
	}
	if len(v.Errors) > 0 {
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, "service_edit.html", v)
	}
	if u.Description == nil && u.Tier == nil && u.DataClass == nil {
		// Nothing changed: no write, so no empty audit event.
		setFlash(w, s.cfg.SecureCookies, flashUnchanged)
		http.Redirect(w, r, "/services/"+url.PathEscape(svc.Name), http.StatusSeeOther)
		return nil
	}
	// Through the launch rules: lowering the tier or data class of a
	// launch under way becomes a reclassification request.
	res, err := s.launch.UpdateService(r.Context(), svc.Name, u, v.Reason)
	if err != nil {
		// A field the store refused is shown next to that field.
		var pe *paved.Error
		if errors.As(err, &pe) && (pe.Code == paved.EINVALID || pe.Code == paved.EUNPROCESSABLE || pe.Code == paved.ECONFLICT) {
			switch pe.Field {
			case "description", "tier", "data_class", "reason":
				v.Errors[pe.Field] = pe.Message
				return s.renderStatus(w, r, StatusFor(err), "service_edit.html", v)
			case "":
				if pe.Code == paved.ECONFLICT {
					v.Errors["reason"] = pe.Message
					return s.renderStatus(w, r, StatusFor(err), "service_edit.html", v)
				}
			}
		}
		return err
	}
	if res.Reclassification != nil {
		setFlash(w, s.cfg.SecureCookies, flashReclassRequested)
		http.Redirect(w, r, "/services/"+url.PathEscape(svc.Name)+"#reclassification", http.StatusSeeOther)
		return nil
	}
	setFlash(w, s.cfg.SecureCookies, flashSaved)
	http.Redirect(w, r, "/services/"+url.PathEscape(svc.Name), http.StatusSeeOther)
	return nil
}

// ---- teams

type teamsView struct {
	Query, Kind string
	Error       string
	Kinds       []paved.TeamKind
	Teams       []*paved.Team
	Pager       pager
}

func (s *Server) teamsPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := teamsView{Query: strings.TrimSpace(q.Get("q")), Kind: strings.TrimSpace(q.Get("kind")), Kinds: paved.TeamKinds}
	f := paved.TeamFilter{Query: v.Query}
	if v.Kind != "" {
		k, err := paved.ParseTeamKind(v.Kind)
		if err != nil {
			v.Error = paved.ErrorMessage(err)
			return s.renderStatus(w, r, http.StatusBadRequest, "teams.html", v)
		}
		f.Kind = k
	}
	page := pageNumber(r)
	f.Page = pageOf(page)
	teams, total, err := s.store.FindTeams(r.Context(), f)
	if err != nil {
		return err
	}
	v.Teams = teams
	v.Pager = newPager(r, page, len(teams), total)
	return s.render(w, r, "teams.html", v)
}

type teamView struct {
	Team *paved.Team
	// Services of the team, retired ones included; ServicesTotal may be
	// larger than what is listed, and the catalog page lists them all.
	Services      []*paved.Service
	ServicesTotal int
	ServicesURL   string
	// ParentUndefined is set when the parent team is a placeholder.
	ParentUndefined bool
}

// undefinedTeam reports whether a referenced team is only a placeholder
// (paved.Team.Placeholder): the pages say so rather than present it as a
// team.
func (s *Server) undefinedTeam(r *http.Request, name string) (bool, error) {
	if name == "" {
		return false, nil
	}
	t, err := s.store.FindTeam(r.Context(), name)
	if paved.ErrorCode(err) == paved.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return t.Placeholder, nil
}

// teamServicesShown caps the services listed on a team page.
const teamServicesShown = 100

func (s *Server) teamPage(w http.ResponseWriter, r *http.Request) error {
	t, err := s.store.FindTeam(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	svcs, total, err := s.store.FindServices(r.Context(), paved.ServiceFilter{
		Team: t.Name, IncludeRetired: true, Page: paved.Page{Limit: teamServicesShown},
	})
	if err != nil {
		return err
	}
	v := teamView{
		Team: t, Services: svcs, ServicesTotal: total,
		ServicesURL: "/services?" + url.Values{"team": {t.Name}}.Encode(),
	}
	if v.ParentUndefined, err = s.undefinedTeam(r, t.Parent); err != nil {
		return err
	}
	return s.render(w, r, "team.html", v)
}

// ---- users

type usersView struct {
	Query, Team, Role string
	Error             string
	Roles             []paved.Role
	Users             []*paved.User
	Pager             pager
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := usersView{
		Query: strings.TrimSpace(q.Get("q")), Team: strings.TrimSpace(q.Get("team")),
		Role: strings.TrimSpace(q.Get("role")), Roles: paved.Roles,
	}
	f := paved.UserFilter{Query: v.Query, Team: v.Team}
	if v.Role != "" {
		role, err := paved.ParseRole(v.Role)
		if err != nil {
			v.Error = paved.ErrorMessage(err)
			return s.renderStatus(w, r, http.StatusBadRequest, "users.html", v)
		}
		f.Role = role
	}
	page := pageNumber(r)
	f.Page = pageOf(page)
	users, total, err := s.store.FindUsers(r.Context(), f)
	if err != nil {
		return err
	}
	v.Users = users
	v.Pager = newPager(r, page, len(users), total)
	return s.render(w, r, "users.html", v)
}

func (s *Server) userPage(w http.ResponseWriter, r *http.Request) error {
	u, err := s.store.FindUser(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	return s.render(w, r, "user.html", u)
}
