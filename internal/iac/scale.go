package iac

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// ScalePlan multiplies a realistic plan to n resource changes for
// benchmarks: copy c of each template resource is renamed name_c (so
// addresses stay unique and keep their module path and instance key), its
// identifying attributes (id, arn, name, bucket, identifier ...) get a -c
// suffix, and its planned_values, prior_state and configuration entries are
// copied alongside so the scaled plan has the shape and proportions of a
// real one. With n below the template's count the first n changes are kept.
// The output is compact JSON, as terraform show -json writes it.
func ScalePlan(template []byte, n int) ([]byte, error) {
	if n < 1 {
		return nil, fmt.Errorf("scale plan: n must be at least 1, got %d", n)
	}
	dec := json.NewDecoder(bytes.NewReader(template))
	dec.UseNumber() // keep numbers exactly as written
	var plan map[string]any
	if err := dec.Decode(&plan); err != nil {
		return nil, fmt.Errorf("scale plan: template: %w", err)
	}
	rcs, _ := plan["resource_changes"].([]any)
	m := len(rcs)
	if m == 0 {
		return nil, fmt.Errorf("scale plan: the template has no resource_changes")
	}
	if n <= m {
		plan["resource_changes"] = rcs[:n]
		return json.Marshal(plan)
	}
	copies := (n + m - 1) / m // including the original

	// Index the state resources by address, with the list they live in.
	type home struct {
		mod map[string]any
		res map[string]any
	}
	index := func(root any) map[string]home {
		out := map[string]home{}
		var walk func(any, int)
		walk = func(v any, depth int) {
			mod, ok := v.(map[string]any)
			if !ok || depth > 100 {
				return
			}
			rs, _ := mod["resources"].([]any)
			for _, r := range rs {
				if rm, ok := r.(map[string]any); ok {
					out[str(rm["address"])] = home{mod, rm}
				}
			}
			cms, _ := mod["child_modules"].([]any)
			for _, c := range cms {
				walk(c, depth+1)
			}
		}
		walk(root, 0)
		return out
	}
	var planned, prior map[string]home
	if pv, ok := plan["planned_values"].(map[string]any); ok {
		planned = index(pv["root_module"])
	}
	if ps, ok := plan["prior_state"].(map[string]any); ok {
		if vals, ok := ps["values"].(map[string]any); ok {
			prior = index(vals["root_module"])
		}
	}

	out := make([]any, 0, n)
	for j := 0; j < n; j++ {
		src, _ := rcs[j%m].(map[string]any)
		c := j / m
		if c == 0 || src == nil {
			out = append(out, src)
			continue
		}
		oldAddr := str(src["address"])
		rc := deepCopy(src).(map[string]any)
		newAddr := renameResource(rc, c)
		if ch, ok := rc["change"].(map[string]any); ok {
			suffixIDs(ch["before"], c)
			suffixIDs(ch["after"], c)
		}
		out = append(out, rc)
		for _, st := range []map[string]home{planned, prior} {
			if h, ok := st[oldAddr]; ok {
				cp := deepCopy(h.res).(map[string]any)
				cp["name"], cp["address"] = rc["name"], newAddr
				suffixIDs(cp["values"], c)
				rs, _ := h.mod["resources"].([]any)
				h.mod["resources"] = append(rs, cp)
			}
		}
	}
	plan["resource_changes"] = out

	// Configuration: one declaration per copy of each declared resource.
	if cfg, ok := plan["configuration"].(map[string]any); ok {
		var walk func(any, int)
		walk = func(v any, depth int) {
			mod, ok := v.(map[string]any)
			if !ok || depth > 100 {
				return
			}
			rs, _ := mod["resources"].([]any)
			grown := rs
			for c := 1; c < copies; c++ {
				for _, r := range rs {
					rm, ok := r.(map[string]any)
					if !ok {
						continue
					}
					cp := deepCopy(rm).(map[string]any)
					name := str(rm["name"]) + "_" + strconv.Itoa(c)
					cp["name"] = name
					addr := str(rm["type"]) + "." + name
					if str(rm["mode"]) == "data" {
						addr = "data." + addr
					}
					cp["address"] = addr
					grown = append(grown, cp)
				}
			}
			if len(rs) > 0 {
				mod["resources"] = grown
			}
			calls, _ := mod["module_calls"].(map[string]any)
			for _, call := range calls {
				if cm, ok := call.(map[string]any); ok {
					walk(cm["module"], depth+1)
				}
			}
		}
		walk(cfg["root_module"], 0)
	}
	return json.Marshal(plan)
}

// renameResource renames copy c of a resource change and returns its new
// address, keeping module path, mode and instance key.
func renameResource(rc map[string]any, c int) string {
	a := parseAddress(str(rc["address"]))
	name := str(rc["name"]) + "_" + strconv.Itoa(c)
	rc["name"] = name
	addr := ""
	if ma := str(rc["module_address"]); ma != "" {
		addr = ma + "."
	}
	if str(rc["mode"]) == "data" {
		addr += "data."
	}
	addr += str(rc["type"]) + "." + name
	if a.Key != "" {
		addr += "[" + a.Key + "]"
	}
	rc["address"] = addr
	return addr
}

var idAttributes = []string{"id", "arn", "name", "bucket", "identifier", "cluster_identifier", "cluster_id", "function_name"}

func suffixIDs(v any, c int) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	for _, k := range idAttributes {
		if s, ok := m[k].(string); ok && s != "" {
			m[k] = s + "-" + strconv.Itoa(c)
		}
	}
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
