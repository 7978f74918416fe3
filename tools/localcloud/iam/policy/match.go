package policy

import (
	"strings"
	"unicode/utf8"
)

// A pattern is policy text after variable expansion, in which `*` and `?`
// are wildcards and a backslash makes the next rune literal (variable values
// and ${*}, ${?}, ${$} are escaped so that they match only themselves).

// globMatch reports whether s matches pattern. It runs in O(len(pattern) ×
// len(s)) at worst: one backtrack point (the last `*`) is enough for globs.
func globMatch(pattern, s string, foldCase bool) bool {
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pattern) {
			pr, pw := utf8.DecodeRuneInString(pattern[p:])
			sr, sw := utf8.DecodeRuneInString(s[i:])
			switch {
			case pr == '*':
				starP, starI = p+pw, i
				p += pw
				continue
			case pr == '?':
				p += pw
				i += sw
				continue
			case pr == '\\' && p+pw < len(pattern):
				lr, lw := utf8.DecodeRuneInString(pattern[p+pw:])
				if runeEq(lr, sr, foldCase) {
					p += pw + lw
					i += sw
					continue
				}
			default:
				if runeEq(pr, sr, foldCase) {
					p += pw
					i += sw
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, sw := utf8.DecodeRuneInString(s[starI:])
		starI += sw
		p, i = starP, starI
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func runeEq(a, b rune, fold bool) bool {
	if a == b {
		return true
	}
	return fold && strings.EqualFold(string(a), string(b))
}

// literal removes the escapes of a pattern.
func literal(pattern string) string {
	if !strings.Contains(pattern, `\`) {
		return pattern
	}
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == '\\' && i+1 < len(pattern) {
			i++
		}
		b.WriteByte(pattern[i])
	}
	return b.String()
}

func escapePattern(s string) string {
	if !strings.ContainsAny(s, `*?\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == '*' || r == '?' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// expand turns policy text into a pattern, replacing policy variables
// (${aws:username}, ${key, 'default'}, ${*}, ${?}, ${$}) with values from the
// request context when the document's version supports variables. ok is false
// when a variable has no value and no default: the text then matches nothing,
// as AWS documents.
func expand(text string, vars bool, ctx *requestContext) (pattern string, ok bool) {
	if !vars || !strings.Contains(text, "${") {
		return escapeBackslash(text), true
	}
	var b strings.Builder
	rest := text
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(escapeBackslash(rest))
			return b.String(), true
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			b.WriteString(escapeBackslash(rest))
			return b.String(), true
		}
		b.WriteString(escapeBackslash(rest[:i]))
		name := strings.TrimSpace(rest[i+2 : i+j])
		rest = rest[i+j+1:]
		switch name {
		case "*", "?", "$":
			b.WriteString(escapePattern(name))
			continue
		}
		def, hasDefault := "", false
		if k, d, found := strings.Cut(name, ","); found {
			d = strings.TrimSpace(d)
			if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
				name, def, hasDefault = strings.TrimSpace(k), d[1:len(d)-1], true
			}
		}
		vals, present := ctx.get(name)
		switch {
		case present && len(vals) == 1:
			b.WriteString(escapePattern(vals[0]))
		case hasDefault:
			b.WriteString(escapePattern(def))
		default:
			return "", false
		}
	}
}

func escapeBackslash(s string) string {
	return strings.ReplaceAll(s, `\`, `\\`)
}

// arnMatch matches an ARN against a pattern as IAM does for Resource and the
// Arn* condition operators: each of the six colon-separated parts separately
// (the last part, the resource, may itself contain colons), case-sensitively.
// A pattern with another number of parts than the ARN matches nothing.
func arnMatch(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	pp := splitARN(pattern)
	ap := splitARN(arn)
	if len(pp) != len(ap) {
		return false
	}
	for i := range pp {
		if !globMatch(pp[i], ap[i], false) {
			return false
		}
	}
	return true
}

// splitARN splits at the first five unescaped colons.
func splitARN(s string) []string {
	parts := make([]string, 0, 6)
	start := 0
	for i := 0; i < len(s) && len(parts) < 5; i++ {
		switch s[i] {
		case '\\':
			i++
		case ':':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// actionMatch matches "service:Action" against an Action element entry:
// case-insensitive, with wildcards.
func actionMatch(pattern, action string) bool {
	return pattern == "*" || globMatch(escapeBackslash(pattern), action, true)
}
