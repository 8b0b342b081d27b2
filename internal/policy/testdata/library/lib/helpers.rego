# Test helpers, written for the engine tests (not the built-in library).
package paved.lib

managed(types) := [r |
	some t in types
	some r in object.get(input.by_type, t, [])
	r.action != "delete"
	object.get(r, "mode", "managed") != "data"
]
