package demo

import paved "github.com/paved-dev/paved"

// Teams returns the demo teams, parents before children. Each call returns
// fresh values, so callers may change them.
func Teams() []*paved.Team {
	team := func(name, title string, kind paved.TeamKind, typ, parent, desc string) *paved.Team {
		t := &paved.Team{
			Name:        name,
			Title:       title,
			Kind:        kind,
			Type:        typ,
			Parent:      parent,
			Description: desc,
			Email:       name + "@" + Domain,
			Tags:        []string{},
			Annotations: map[string]string{},
		}
		if typ == "team" {
			t.Links = []paved.Link{
				{URL: "https://chat." + Domain + "/channels/team-" + name, Title: "Team channel", Type: "chat"},
				{URL: "https://oncall." + Domain + "/schedules/" + name, Title: "On-call schedule", Type: "on-call"},
			}
		}
		return t
	}
	return []*paved.Team{
		// Business units group the product teams, as Backstage groups do.
		team("commerce", "Commerce", paved.KindProduct, "business-unit", "", "Everything between a shopper finding a product and paying for it."),
		team("customer", "Customer", paved.KindProduct, "business-unit", "", "Accounts, sign-in, search and the messages customers receive."),

		// The five enablement teams of DESIGN.md.
		team("devprod", "Developer Productivity", paved.KindDeveloperProductivity, "team", "", "Owns the paved path itself: CI runners, templates, paved."),
		team("platform", "Platform Engineering", paved.KindInfrastructure, "team", "", "Kubernetes clusters, networking and the infrastructure modules product teams build on."),
		team("cloud", "Cloud Engineering", paved.KindCloud, "team", "", "Cloud accounts, landing zones, billing and cost allocation."),
		team("sre", "Site Reliability", paved.KindReliability, "team", "", "Production readiness, incident response, SLOs and the status page."),
		team("security", "Security Engineering", paved.KindSecurity, "team", "", "Threat models, pen tests, secrets management and security sign-off."),

		// Product teams.
		team("payments", "Payments", paved.KindProduct, "team", "commerce", "Card and wallet payments, refunds and the ledger."),
		team("checkout", "Checkout", paved.KindProduct, "team", "commerce", "Basket, checkout flow and promotions."),
		team("catalogue", "Catalogue", paved.KindProduct, "team", "commerce", "Product data, prices, stock and images."),
		team("identity", "Identity", paved.KindProduct, "team", "customer", "Customer accounts, sign-in and multi-factor authentication."),
		team("search", "Search", paved.KindProduct, "team", "customer", "Product search, suggestions and recommendations."),
		team("notifications", "Notifications", paved.KindProduct, "team", "customer", "E-mail, SMS and push messages to customers."),
		team("data-platform", "Data Platform", paved.KindProduct, "team", "", "Event pipeline, warehouse and analytics for the whole company."),
	}
}

// Users returns the demo users: an admin, a viewer, developers in several
// product teams, reviewers in enablement teams, an architect and a
// security engineer.
func Users() []*paved.User {
	user := func(name, display string, teams []string, roles ...paved.Role) *paved.User {
		return &paved.User{
			Name:        name,
			DisplayName: display,
			Email:       name + "@" + Domain,
			Roles:       roles,
			Teams:       teams,
		}
	}
	t := func(names ...string) []string { return names }
	return []*paved.User{
		user("morgan.lee", "Morgan Lee", t("devprod"), paved.RoleAdmin),
		user("viv.patel", "Viv Patel", t("data-platform"), paved.RoleViewer),
		user("priya.shah", "Priya Shah", t("payments"), paved.RoleDeveloper),
		user("tom.becker", "Tom Becker", t("checkout"), paved.RoleDeveloper),
		user("nina.kowalski", "Nina Kowalski", t("catalogue"), paved.RoleDeveloper),
		user("sam.okafor", "Sam Okafor", t("identity"), paved.RoleDeveloper),
		user("li.wei", "Li Wei", t("search", "data-platform"), paved.RoleDeveloper),
		user("ella.martin", "Ella Martin", t("notifications"), paved.RoleDeveloper),
		user("hana.sato", "Hana Sato", t("devprod"), paved.RoleReviewer),
		user("jonas.berg", "Jonas Berg", t("platform"), paved.RoleReviewer),
		user("marco.rossi", "Marco Rossi", t("cloud"), paved.RoleReviewer),
		user("aisha.khan", "Aisha Khan", t("sre"), paved.RoleReviewer, paved.RoleDeveloper),
		user("david.cohen", "David Cohen", t("platform"), paved.RoleArchitect),
		user("fatima.ali", "Fatima Ali", t("security"), paved.RoleSecurity, paved.RoleReviewer),
	}
}

// svc describes one demo service compactly; Services expands it.
type svc struct {
	name, owner, system, typ string
	tier                     paved.Tier
	class                    paved.DataClass
	phase                    paved.Phase
	grandfathered            bool
	title, desc              string
	dependsOn                []string
	tags                     []string
}

const (
	playground = paved.PhasePlayground
	greenLight = paved.PhaseGreenLight
	production = paved.PhaseProduction
	retired    = paved.PhaseRetired

	public       = paved.DataPublic
	internal     = paved.DataInternal
	confidential = paved.DataConfidential
	restricted   = paved.DataRestricted
)

var services = []svc{
	// payments
	{"payments-api", "payments", "payments", "service", 1, restricted, production, true, "Payments API", "Authorises card and wallet payments for checkout and stores the payment intent.", []string{"component:payment-ledger", "component:fraud-scoring"}, []string{"go", "pci"}},
	{"payment-ledger", "payments", "payments", "service", 1, restricted, production, true, "Payment Ledger", "Double-entry ledger of every payment, refund and payout; the books of record.", nil, []string{"java", "pci"}},
	{"fraud-scoring", "payments", "payments", "service", 1, confidential, greenLight, false, "Fraud Scoring", "Scores each payment for fraud risk in under 50 ms using a gradient-boosted model.", []string{"component:ml-feature-store"}, []string{"python"}},
	{"refunds-worker", "payments", "payments", "service", 2, confidential, production, true, "Refunds Worker", "Processes refund requests from customer service and settles them with the acquirer.", []string{"component:payment-ledger"}, []string{"go"}},
	{"payouts-legacy", "payments", "payments", "service", 2, restricted, retired, false, "Payouts (legacy)", "The old nightly payout batch, replaced by payment-ledger settlements.", nil, []string{"cobol"}},

	// checkout
	{"checkout-web", "checkout", "storefront", "website", 1, confidential, production, true, "Checkout Web", "The checkout pages: address, delivery options, payment and order confirmation.", []string{"component:cart-service", "component:payments-api"}, []string{"typescript"}},
	{"cart-service", "checkout", "storefront", "service", 1, confidential, production, true, "Cart Service", "Keeps shoppers' baskets across devices and prices them with current promotions.", []string{"component:pricing-service", "component:promotions-engine"}, []string{"kotlin"}},
	{"promotions-engine", "checkout", "storefront", "service", 2, internal, greenLight, false, "Promotions Engine", "Evaluates discount rules and voucher codes for a basket.", nil, []string{"go"}},
	{"gift-cards", "checkout", "storefront", "service", 3, confidential, playground, false, "Gift Cards", "Experiment: selling and redeeming digital gift cards.", []string{"component:payment-ledger"}, []string{"go"}},

	// catalogue
	{"product-catalogue-api", "catalogue", "catalogue", "service", 1, public, production, true, "Product Catalogue API", "Serves product data (titles, attributes, media) to the web shop and apps.", nil, []string{"go"}},
	{"pricing-service", "catalogue", "catalogue", "service", 2, internal, production, true, "Pricing Service", "Holds list prices per market and publishes price changes.", nil, []string{"java"}},
	{"image-resizer", "catalogue", "catalogue", "service", 3, public, production, true, "Image Resizer", "Resizes and caches product images on demand for every screen size.", nil, []string{"rust"}},
	{"inventory-sync", "catalogue", "catalogue", "service", 2, internal, greenLight, false, "Inventory Sync", "Mirrors stock levels from the warehouse system every minute.", []string{"component:event-pipeline"}, []string{"go"}},
	{"catalogue-admin", "catalogue", "catalogue", "website", 4, internal, playground, false, "Catalogue Admin", "Internal tool for merchandisers to edit product data.", []string{"component:product-catalogue-api"}, []string{"typescript"}},

	// identity
	{"identity-provider", "identity", "identity", "service", 1, restricted, production, true, "Identity Provider", "OpenID Connect provider for customer sign-in across web and apps.", []string{"component:account-service"}, []string{"java"}},
	{"account-service", "identity", "identity", "service", 1, restricted, production, true, "Account Service", "Customer accounts: profile, addresses, consents and account deletion.", nil, []string{"go", "gdpr"}},
	{"mfa-gateway", "identity", "identity", "service", 2, restricted, greenLight, false, "MFA Gateway", "Second factors for sign-in: TOTP, WebAuthn and SMS fallback.", []string{"component:sms-gateway"}, []string{"go"}},
	{"legacy-sso", "identity", "identity", "service", 2, confidential, retired, false, "Legacy SSO", "The SAML single sign-on replaced by identity-provider.", nil, []string{"php"}},

	// search
	{"search-api", "search", "discovery", "service", 1, public, production, true, "Search API", "Full-text and faceted product search for the shop and apps.", []string{"component:search-indexer"}, []string{"go"}},
	{"search-indexer", "search", "discovery", "service", 2, internal, production, true, "Search Indexer", "Builds the search index from catalogue and price events.", []string{"component:event-pipeline"}, []string{"go"}},
	{"recommendations", "search", "discovery", "service", 3, confidential, playground, false, "Recommendations", "Experiment: \"customers also bought\" from order history.", []string{"component:ml-feature-store"}, []string{"python"}},
	{"query-suggest", "search", "discovery", "service", 3, public, greenLight, false, "Query Suggest", "Type-ahead suggestions for the search box.", []string{"component:search-api"}, []string{"go"}},

	// notifications
	{"notification-hub", "notifications", "messaging", "service", 2, confidential, production, true, "Notification Hub", "Routes customer messages to e-mail, SMS or push by preference.", []string{"component:email-sender", "component:sms-gateway"}, []string{"go"}},
	{"email-sender", "notifications", "messaging", "service", 3, confidential, production, true, "E-mail Sender", "Renders and sends transactional e-mail through the mail provider.", nil, []string{"node"}},
	{"sms-gateway", "notifications", "messaging", "service", 3, confidential, greenLight, false, "SMS Gateway", "Sends SMS through two providers with failover.", nil, []string{"go"}},
	{"sms-gateway-v1", "notifications", "messaging", "service", 3, confidential, retired, false, "SMS Gateway v1", "Single-provider SMS sender, replaced by sms-gateway.", nil, []string{"ruby"}},

	// data-platform
	{"event-pipeline", "data-platform", "data", "service", 2, confidential, production, true, "Event Pipeline", "Kafka topics and stream processors that carry business events between services.", nil, []string{"scala"}},
	{"warehouse-loader", "data-platform", "data", "service", 3, restricted, greenLight, false, "Warehouse Loader", "Loads events and database snapshots into the data warehouse, pseudonymising personal data.", []string{"component:event-pipeline"}, []string{"python", "gdpr"}},
	{"analytics-dashboards", "data-platform", "data", "website", 4, internal, production, false, "Analytics Dashboards", "Self-service dashboards over the warehouse for every team.", []string{"component:warehouse-loader"}, []string{"sql"}},
	{"ml-feature-store", "data-platform", "data", "service", 3, confidential, playground, false, "ML Feature Store", "Experiment: shared features for fraud scoring and recommendations.", []string{"component:event-pipeline"}, []string{"python"}},

	// enablement teams run services too
	{"paved", "devprod", "paved-path", "service", 2, internal, production, true, "paved", "The paved path: catalog, launch gates, guard rails and spend.", nil, []string{"go"}},
	{"ci-runners", "devprod", "paved-path", "service", 2, internal, production, true, "CI Runners", "Autoscaling build runners for every repository.", nil, []string{"terraform"}},
	{"cluster-api", "platform", "kubernetes", "service", 1, internal, production, true, "Cluster API", "Provisions and upgrades the production Kubernetes clusters.", nil, []string{"go", "kubernetes"}},
	{"cost-explorer", "cloud", "finops", "website", 4, internal, playground, false, "Cost Explorer", "Experiment: daily spend per team from the FOCUS export.", nil, []string{"python"}},
	{"status-page", "sre", "reliability", "website", 2, public, production, true, "Status Page", "Public status of the shop, fed by SLO burn alerts.", nil, []string{"go"}},
	{"secrets-broker", "security", "security", "service", 1, restricted, production, true, "Secrets Broker", "Issues short-lived credentials to workloads from the vault.", nil, []string{"go"}},
}

// Services returns the demo services. Retired ones have phase retired
// here; Seed creates them in production and retires them. Each call
// returns fresh values.
func Services() []*paved.Service {
	out := make([]*paved.Service, 0, len(services))
	for _, s := range services {
		links := []paved.Link{
			{URL: "https://git." + Domain + "/" + s.owner + "/" + s.name, Title: "Repository", Type: "repo"},
			{URL: "https://docs." + Domain + "/services/" + s.name, Title: "Docs", Type: "docs"},
		}
		// Playground services have not written a runbook or built a
		// dashboard yet: the launch checklist will ask for them.
		if s.phase != playground {
			links = append(links,
				paved.Link{URL: "https://runbooks." + Domain + "/" + s.name, Title: "Runbook", Type: "runbook"},
				paved.Link{URL: "https://grafana." + Domain + "/d/" + s.name, Title: "Dashboard", Type: "dashboard"},
				paved.Link{URL: "https://oncall." + Domain + "/schedules/" + s.owner, Title: "On-call", Type: "on-call"},
			)
		}
		out = append(out, &paved.Service{
			Name:          s.name,
			Title:         s.title,
			Description:   s.desc,
			Owner:         s.owner,
			Type:          s.typ,
			System:        s.system,
			Tier:          s.tier,
			DataClass:     s.class,
			Phase:         s.phase,
			Grandfathered: s.grandfathered,
			Tags:          append([]string{}, s.tags...),
			Links:         links,
			Annotations:   map[string]string{},
			DependsOn:     append([]string{}, s.dependsOn...),
			ProvidesAPIs:  []string{},
			ConsumesAPIs:  []string{},
		})
	}
	return out
}
