package attr

import (
	"math/big"
	"strings"
)

// Limits of DynamoDB numbers.
const (
	// MaxDigits is the number of significant decimal digits a number may have.
	MaxDigits = 38
	// MaxExponent is the largest power of ten of a number's most significant digit.
	MaxExponent = 125
	// MinExponent is the smallest power of ten of a number's most significant digit.
	MinExponent = -130
)

// Number is an exact decimal as DynamoDB stores it: at most 38 significant
// digits and a magnitude between 1E-130 and 9.99…E+125 (or zero).
//
// It is kept in canonical form (coefficient without leading or trailing
// zeros), so two Numbers that are numerically equal are equal as Go values
// and print the same.
type Number struct {
	neg  bool
	coef string // decimal digits, no leading/trailing zeros; "" means zero
	exp  int    // value = coef × 10^exp
}

// Messages DynamoDB gives for numbers it cannot store.
const (
	msgNumberNotNumeric = "The parameter cannot be converted to a numeric value"
	msgNumberOverflow   = "Number overflow. Attempting to store a number with magnitude larger than supported range"
	msgNumberUnderflow  = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
	msgNumberDigits     = "Attempting to store more than 38 significant digits in a Number"
)

// ParseNumber parses a decimal in the forms DynamoDB accepts ("12", "-1.50",
// ".5", "15E-1", "+3e+2") and returns it in canonical form. Errors are
// ValidationExceptions with DynamoDB's messages.
func ParseNumber(s string) (Number, error) {
	if s == "" {
		return Number{}, Validation("%s", msgNumberNotNumeric)
	}
	bad := func() (Number, error) { return Number{}, Validation("%s: %s", msgNumberNotNumeric, s) }
	i := 0
	var n Number
	if s[0] == '+' || s[0] == '-' {
		n.neg = s[0] == '-'
		i++
	}
	var digits []byte
	fracDigits := 0
	seenDigit, seenPoint := false, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			seenDigit = true
			if len(digits) == 0 && c == '0' {
				// leading zero: only matters for the scale
			} else {
				digits = append(digits, c)
			}
			if seenPoint {
				fracDigits++
			}
			continue
		case c == '.' && !seenPoint:
			seenPoint = true
			continue
		}
		break
	}
	if !seenDigit {
		return bad()
	}
	exp := -fracDigits
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return bad()
		}
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return bad()
		}
		e := 0
		for ; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return bad()
			}
			if e < 1_000_000_000 {
				e = e*10 + int(c-'0')
			}
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	// Trim trailing zeros into the exponent.
	j := len(digits)
	for j > 0 && digits[j-1] == '0' {
		j--
	}
	exp += len(digits) - j
	digits = digits[:j]
	if len(digits) == 0 {
		return Number{}, nil
	}
	n.coef = string(digits)
	n.exp = exp
	if err := n.check(); err != nil {
		return Number{}, err
	}
	return n, nil
}

// check enforces DynamoDB's range and precision limits, in DynamoDB's order.
func (n Number) check() error {
	if n.coef == "" {
		return nil
	}
	msd := n.exp + len(n.coef) - 1
	switch {
	case msd > MaxExponent:
		return Validation("%s", msgNumberOverflow)
	case msd < MinExponent:
		return Validation("%s", msgNumberUnderflow)
	case len(n.coef) > MaxDigits:
		return Validation("%s", msgNumberDigits)
	}
	return nil
}

// IsZero reports whether n is zero.
func (n Number) IsZero() bool { return n.coef == "" }

// Sign returns -1, 0 or +1.
func (n Number) Sign() int {
	switch {
	case n.coef == "":
		return 0
	case n.neg:
		return -1
	}
	return 1
}

// Digits returns the number of significant digits (0 for zero).
func (n Number) Digits() int { return len(n.coef) }

// String returns the canonical text of n in plain notation, as DynamoDB
// returns numbers: no exponent, no leading or trailing zeros ("1.5", "-0.001",
// "1000").
func (n Number) String() string {
	if n.coef == "" {
		return "0"
	}
	var b strings.Builder
	if n.neg {
		b.WriteByte('-')
	}
	switch {
	case n.exp >= 0:
		b.WriteString(n.coef)
		for i := 0; i < n.exp; i++ {
			b.WriteByte('0')
		}
	case -n.exp < len(n.coef):
		p := len(n.coef) + n.exp
		b.WriteString(n.coef[:p])
		b.WriteByte('.')
		b.WriteString(n.coef[p:])
	default:
		b.WriteString("0.")
		for i := 0; i < -n.exp-len(n.coef); i++ {
			b.WriteByte('0')
		}
		b.WriteString(n.coef)
	}
	return b.String()
}

// Cmp compares n and m numerically and returns -1, 0 or +1.
func (n Number) Cmp(m Number) int {
	sn, sm := n.Sign(), m.Sign()
	if sn != sm {
		if sn < sm {
			return -1
		}
		return 1
	}
	if sn == 0 {
		return 0
	}
	c := cmpMagnitude(n, m)
	if sn < 0 {
		return -c
	}
	return c
}

// cmpMagnitude compares |n| and |m|, both non-zero.
func cmpMagnitude(n, m Number) int {
	an, am := n.exp+len(n.coef), m.exp+len(m.coef)
	if an != am {
		if an < am {
			return -1
		}
		return 1
	}
	// Same magnitude: compare digit strings; canonical form has no trailing
	// zeros, so a proper prefix is the smaller number.
	return strings.Compare(n.coef, m.coef)
}

// Neg returns -n.
func (n Number) Neg() Number {
	if n.coef != "" {
		n.neg = !n.neg
	}
	return n
}

// Add returns n+m computed exactly. It fails, as DynamoDB does, when the
// result cannot be stored.
func (n Number) Add(m Number) (Number, error) {
	if n.coef == "" {
		return m, nil
	}
	if m.coef == "" {
		return n, nil
	}
	e := min(n.exp, m.exp)
	sum := new(big.Int).Add(n.scaled(e), m.scaled(e))
	r := fromBig(sum, e)
	if err := r.check(); err != nil {
		return Number{}, err
	}
	return r, nil
}

// Sub returns n-m computed exactly.
func (n Number) Sub(m Number) (Number, error) { return n.Add(m.Neg()) }

// scaled returns n's value times 10^-e as an integer (e <= n.exp).
func (n Number) scaled(e int) *big.Int {
	v, _ := new(big.Int).SetString(n.coef, 10)
	if d := n.exp - e; d > 0 {
		v.Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d)), nil))
	}
	if n.neg {
		v.Neg(v)
	}
	return v
}

// fromBig builds a canonical Number from v × 10^e.
func fromBig(v *big.Int, e int) Number {
	if v.Sign() == 0 {
		return Number{}
	}
	s := v.String()
	var n Number
	if s[0] == '-' {
		n.neg = true
		s = s[1:]
	}
	j := len(s)
	for j > 0 && s[j-1] == '0' {
		j--
	}
	n.coef = s[:j]
	n.exp = e + len(s) - j
	return n
}
