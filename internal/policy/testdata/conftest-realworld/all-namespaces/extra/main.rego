package main

import rego.v1

deny contains "a List is not allowed, apply objects one by one" if input.kind == "List"

warn contains sprintf("%d objects in %s", [count(input.items), data.conftest.file.name]) if input.kind == "List"
