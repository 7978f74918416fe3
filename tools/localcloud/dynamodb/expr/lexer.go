package expr

import (
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF     tokKind = iota
	tIdent           // attribute name, function name or keyword
	tName            // #placeholder
	tValue           // :placeholder
	tNumber          // digits (list indexes only)
	tLParen          // (
	tRParen          // )
	tLBrack          // [
	tRBrack          // ]
	tComma           // ,
	tDot             // .
	tEq              // =
	tNe              // <>
	tLt              // <
	tLe              // <=
	tGt              // >
	tGe              // >=
	tPlus            // +
	tMinus           // -
	tIllegal         // any other character
)

type token struct {
	kind       tokKind
	text       string
	start, end int // byte offsets in the source
}

func (t token) isComparator() bool { return t.kind >= tEq && t.kind <= tGe }

// isWord reports whether t is the keyword w (case-insensitive).
func (t token) isWord(w string) bool { return t.kind == tIdent && strings.EqualFold(t.text, w) }

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

// lex splits src into tokens, always ending with tEOF. Characters outside
// the expression alphabet become tIllegal tokens so that the parser reports
// them as DynamoDB does: as a syntax error at that token.
func lex(src string) []token {
	toks := make([]token, 0, len(src)/3+2)
	i := 0
	for i < len(src) {
		c := src[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case isIdentStart(c):
			for i < len(src) && isIdentPart(src[i]) {
				i++
			}
			toks = append(toks, token{tIdent, src[start:i], start, i})
			continue
		case c >= '0' && c <= '9':
			for i < len(src) && src[i] >= '0' && src[i] <= '9' {
				i++
			}
			toks = append(toks, token{tNumber, src[start:i], start, i})
			continue
		case c == '#' || c == ':':
			i++
			for i < len(src) && isIdentPart(src[i]) {
				i++
			}
			kind := tName
			if c == ':' {
				kind = tValue
			}
			if i == start+1 {
				kind = tIllegal
			}
			toks = append(toks, token{kind, src[start:i], start, i})
			continue
		}
		kind := tIllegal
		i++
		switch c {
		case '(':
			kind = tLParen
		case ')':
			kind = tRParen
		case '[':
			kind = tLBrack
		case ']':
			kind = tRBrack
		case ',':
			kind = tComma
		case '.':
			kind = tDot
		case '=':
			kind = tEq
		case '+':
			kind = tPlus
		case '-':
			kind = tMinus
		case '<':
			kind = tLt
			if i < len(src) && src[i] == '=' {
				kind, i = tLe, i+1
			} else if i < len(src) && src[i] == '>' {
				kind, i = tNe, i+1
			}
		case '>':
			kind = tGt
			if i < len(src) && src[i] == '=' {
				kind, i = tGe, i+1
			}
		default:
			if c >= utf8.RuneSelf {
				_, size := utf8.DecodeRuneInString(src[start:])
				i = start + size
			}
		}
		toks = append(toks, token{kind, src[start:i], start, i})
	}
	return append(toks, token{tEOF, "<EOF>", len(src), len(src)})
}
