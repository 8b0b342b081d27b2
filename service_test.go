package paved

import "testing"

func TestPrepareNewService(t *testing.T) {
	dev := &User{Name: "d", Roles: []Role{RoleDeveloper}, Teams: []string{"alpha"}}
	admin := &User{Name: "a", Roles: []Role{RoleAdmin}}
	def := ServiceDefaults{Tier: 3, DataClass: DataInternal}
	tests := []struct {
		name      string
		u         *User
		in        Service
		wantPhase Phase
		wantTier  Tier
		wantClass DataClass
		code      string
		field     string
	}{
		{"defaults", dev, Service{Name: "s", Owner: "alpha"}, PhasePlayground, 3, DataInternal, "", ""},
		{"explicit playground", dev, Service{Name: "s", Owner: "alpha", Phase: PhasePlayground, Tier: 1, DataClass: DataRestricted}, PhasePlayground, 1, DataRestricted, "", ""},
		{"developer sets production", dev, Service{Name: "s", Owner: "alpha", Phase: PhaseProduction}, "", 0, "", EFORBIDDEN, "phase"},
		{"developer grandfathers", dev, Service{Name: "s", Owner: "alpha", Grandfathered: true}, "", 0, "", EFORBIDDEN, "grandfathered"},
		{"admin sets production", admin, Service{Name: "s", Owner: "alpha", Phase: PhaseProduction, Grandfathered: true}, PhaseProduction, 3, DataInternal, "", ""},
		{"admin bad phase", admin, Service{Name: "s", Owner: "alpha", Phase: "live"}, "", 0, "", EINVALID, "phase"},
		{"bad tier", dev, Service{Name: "s", Owner: "alpha", Tier: 7}, "", 0, "", EINVALID, "tier"},
		{"bad class", dev, Service{Name: "s", Owner: "alpha", DataClass: "secret"}, "", 0, "", EINVALID, "data_class"},
		{"no owner", dev, Service{Name: "s"}, "", 0, "", EINVALID, "owner"},
		{"bad name", dev, Service{Name: "my service", Owner: "alpha"}, "", 0, "", EINVALID, "name"},
		{"local database", nil, Service{Name: "s", Owner: "alpha"}, PhasePlayground, 3, DataInternal, "", ""},
		{"local database sets production", nil, Service{Name: "s", Owner: "alpha", Phase: PhaseProduction, Grandfathered: true}, PhaseProduction, 3, DataInternal, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := tt.in
			err := PrepareNewService(&svc, def, tt.u)
			if tt.code != "" {
				pe, ok := err.(*Error)
				if !ok || pe.Code != tt.code || pe.Field != tt.field {
					t.Fatalf("got %v, want %s on %s", err, tt.code, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if svc.Phase != tt.wantPhase || svc.Tier != tt.wantTier || svc.DataClass != tt.wantClass {
				t.Fatalf("got %s/%d/%s", svc.Phase, svc.Tier, svc.DataClass)
			}
		})
	}
	// Defaults that are not valid (a zero catalog mapping) fall back to
	// the built-in ones.
	svc := Service{Name: "s", Owner: "alpha"}
	if err := PrepareNewService(&svc, ServiceDefaults{}, dev); err != nil || svc.Tier != DefaultTier || svc.DataClass != DataInternal {
		t.Fatalf("zero defaults: %v %d/%s", err, svc.Tier, svc.DataClass)
	}
}
