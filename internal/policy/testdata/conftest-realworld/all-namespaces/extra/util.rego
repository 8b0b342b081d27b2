package util.strings

import rego.v1

trim_all(s) := trim_space(s)
