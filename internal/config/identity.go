package config

import (
	paved "github.com/paved-dev/paved"
)

// validateIdentity checks server.oidc, server.token_signin,
// server.session and ci (internal/identity holds the sections' own
// checks; these span sections).
func (c *Config) validateIdentity() error {
	if err := c.Server.OIDC.Validate(c.Where); err != nil {
		return err
	}
	if err := c.Server.Session.Validate(c.Where); err != nil {
		return err
	}
	if err := c.CI.Validate(c.Where); err != nil {
		return err
	}
	if !c.Server.TokenSignin && !c.Server.OIDC.Enabled() {
		return paved.FieldErrorf(paved.EINVALID, c.Where("server.token_signin"),
			"server.token_signin is false but server.oidc is not configured: nobody could sign in to the portal; configure single sign-on first")
	}
	for i, r := range c.CI.Trust {
		if c.Server.OIDC.Enabled() && r.Issuer == c.Server.OIDC.Issuer && r.Audience == c.Server.OIDC.ClientID {
			// A person's ID token from the sign-in provider would then be
			// a CI token: keep the two audiences apart.
			return paved.FieldErrorf(paved.EINVALID, c.Where("ci.trust"),
				"ci.trust[%d] trusts the sign-in provider %s with audience %q, paved's own client id: people's ID tokens would be accepted as CI tokens; give CI jobs another audience", i, r.Issuer, r.Audience)
		}
	}
	return nil
}
