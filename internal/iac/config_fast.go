package iac

import (
	"encoding/json"
	"errors"
	"strings"
)

// errConfigShape makes fastConfig give up: the configuration is decoded by
// encoding/json instead, whose error names the line and column.
var errConfigShape = errors.New("iac: unexpected configuration shape")

// fastConfig decodes the parts of a plan's (validated) configuration that
// planConfig holds without building the rest: the module tree carries every
// expression of every resource, and on a large plan encoding/json spends
// tens of milliseconds skipping them. Provider configurations, which are
// few, still go through encoding/json and the tfjson types.
func fastConfig(raw []byte) (cfg *planConfig, err error) {
	return fastConfigKeep(raw, nil)
}

// fastConfigKeep is fastConfig skipping the expressions of resource
// attributes not in keep (nil keeps all): planContext.configValue leaves
// them out all the same, so they need not be decoded.
func fastConfigKeep(raw []byte, keep map[string]bool) (cfg *planConfig, err error) {
	defer func() {
		if recover() != nil {
			cfg, err = nil, errConfigShape
		}
	}()
	d := newFastDecoder()
	d.keep = keep
	d.s = raw
	cfg = &planConfig{}
	err = d.object(func(key string) error {
		switch key {
		case "provider_config":
			start := d.pos
			d.skip()
			if err := json.Unmarshal(raw[start:d.pos], &cfg.ProviderConfigs); err != nil {
				return errConfigShape
			}
		case "root_module":
			m, err := d.configModule(0)
			if err != nil {
				return err
			}
			cfg.RootModule = m
		default:
			if foldsTo(key, "provider_config", "root_module") {
				return errConfigShape
			}
			d.skip()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// foldsTo reports whether key matches one of names only case-insensitively,
// as encoding/json would match it to a field: such input is left to
// encoding/json, so that both decoders agree.
func foldsTo(key string, names ...string) bool {
	for _, n := range names {
		if key != n && strings.EqualFold(key, n) {
			return true
		}
	}
	return false
}

// object calls member for each key of the object at d.pos, with d.pos at
// the key's value; member must consume the value. null is an empty object;
// any other non-object is errConfigShape.
func (d *fastDecoder) object(member func(key string) error) error {
	d.ws()
	switch d.s[d.pos] {
	case 'n':
		d.pos += 4
		return nil
	case '{':
	default:
		return errConfigShape
	}
	d.pos++
	d.ws()
	if d.s[d.pos] == '}' {
		d.pos++
		return nil
	}
	for {
		d.ws()
		k := d.key()
		d.ws()
		d.pos++ // ':'
		d.ws()
		if err := member(k); err != nil {
			return err
		}
		d.ws()
		if d.s[d.pos] == ',' {
			d.pos++
			continue
		}
		d.pos++ // '}'
		return nil
	}
}

func (d *fastDecoder) configModule(depth int) (*configModule, error) {
	if depth > 100 {
		return nil, errConfigShape
	}
	if d.s[d.pos] == 'n' {
		d.pos += 4
		return nil, nil
	}
	m := &configModule{}
	err := d.object(func(key string) error {
		switch key {
		case "resources":
			return d.configResources(m)
		case "module_calls":
			m.ModuleCalls = map[string]moduleCall{}
			return d.object(func(name string) error {
				var call moduleCall
				err := d.object(func(k string) error {
					switch k {
					case "module":
						mod, err := d.configModule(depth + 1)
						call.Module = mod
						return err
					case "expressions":
						b, err := d.fastExprBlock()
						call.Expressions = b
						return err
					}
					if foldsTo(k, "module", "expressions") {
						return errConfigShape
					}
					d.skip()
					return nil
				})
				m.ModuleCalls[name] = call
				return err
			})
		case "variables":
			vs, err := d.fastVariables()
			m.Variables = vs
			return err
		default:
			if foldsTo(key, "resources", "module_calls", "variables") {
				return errConfigShape
			}
			d.skip()
		}
		return nil
	})
	return m, err
}

func (d *fastDecoder) configResources(m *configModule) error {
	switch d.s[d.pos] {
	case 'n':
		d.pos += 4
		return nil
	case '[':
	default:
		return errConfigShape
	}
	m.Resources = []configResource{} // [] is an empty list, as encoding/json decodes it
	d.pos++
	d.ws()
	if d.s[d.pos] == ']' {
		d.pos++
		return nil
	}
	for {
		d.ws()
		var r configResource
		err := d.object(func(k string) error {
			var dst *string
			switch k {
			case "address":
				dst = &r.Address
			case "provider_config_key":
				dst = &r.ProviderConfigKey
			case "expressions":
				b, err := d.fastExprBlockKeep(d.keep)
				r.Expressions = b
				return err
			default:
				if foldsTo(k, "address", "provider_config_key", "expressions") {
					return errConfigShape
				}
				d.skip()
				return nil
			}
			switch d.s[d.pos] {
			case '"':
				*dst = d.str()
			case 'n':
				d.pos += 4
			default:
				return errConfigShape
			}
			return nil
		})
		if err != nil {
			return err
		}
		m.Resources = append(m.Resources, r)
		d.ws()
		if d.s[d.pos] == ',' {
			d.pos++
			continue
		}
		d.pos++ // ']'
		return nil
	}
}
