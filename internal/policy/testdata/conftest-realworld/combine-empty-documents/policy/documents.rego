package main

import rego.v1

# conftest gives --combine one element per document of every file, an empty
# (comment-only) document as null contents: policies that count documents
# or look at each of them see those too.
warn contains msg if {
	msg := sprintf("%d documents: %s", [count(input), concat(", ", [sprintf("%s:%s", [x.path, _kind(x.contents)]) | some x in input])])
}

deny contains msg if {
	some x in input
	x.contents == null
	msg := sprintf("%s holds an empty document", [x.path])
}

_kind(c) := c.kind if is_object(c)

_kind(c) := "null" if c == null
