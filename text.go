package paved

import (
	"fmt"
	"reflect"
	"strconv"
	"unicode/utf8"
)

// Texts paved stores (names, titles, descriptions, answers, comments,
// tags, annotations, links) are printable UTF-8: tabs and line breaks are
// allowed, other control characters are not. PostgreSQL refuses NUL in
// text (a 500 where SQLite stored it), and control characters in a title
// rewrite terminals and logs; both are refused as bad input on every
// engine and every face.

// ValidateText fails when s is not valid UTF-8 or holds a control
// character other than tab, line feed and carriage return (C0, DEL, C1).
func ValidateText(field, s string) error {
	if !utf8.ValidString(s) {
		return FieldErrorf(EINVALID, field, "the text is not valid UTF-8")
	}
	for i, r := range s {
		if isControl(r) {
			return FieldErrorf(EINVALID, field, "the text holds the control character %U at byte %d: only printable characters, tabs and line breaks are allowed", r, i)
		}
	}
	return nil
}

func isControl(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	}
	return false
}

// ValidateTexts checks every string of v (a struct, or a pointer to one,
// walked through nested structs, pointers, slices and maps, map keys
// included) with ValidateText, naming the field by its JSON path
// ("links[2].title"). The Validate methods of the domain types call it, so
// every create and update of them is checked in one place.
func ValidateTexts(v any) error {
	return walkTexts(reflect.ValueOf(v), "")
}

func walkTexts(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkTexts(v.Elem(), path)
	case reflect.String:
		return ValidateText(path, v.String())
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := jsonName(f)
			if name == "" {
				name = f.Name
			}
			if err := walkTexts(v.Field(i), join(path, name)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // raw bytes (JSON values), not text
		}
		for i := 0; i < v.Len(); i++ {
			if err := walkTexts(v.Index(i), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			k := it.Key()
			key := fmt.Sprint(k.Interface())
			if k.Kind() == reflect.String {
				if err := ValidateText(join(path, "(key)"), key); err != nil {
					return err
				}
			}
			if err := walkTexts(it.Value(), join(path, key)); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
