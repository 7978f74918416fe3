package contracts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits of an order request. The JSON Schema in [OrderRequestSchema] states
// the same numbers; a test keeps the two in step.
const (
	// MaxItemLength is the longest accepted item description, in characters.
	MaxItemLength = 200
	// MaxCustomerIDLength is the longest accepted customer ID, in characters.
	MaxCustomerIDLength = 64
	// MinQuantity is the smallest accepted quantity.
	MinQuantity = 1
	// MaxQuantity caps the quantity so a typo cannot order a million boxes.
	MaxQuantity = 1000
	// DefaultQuantity is the quantity of a request that does not state one.
	DefaultQuantity = 1
)

// JSON field names of an order request. The stored order uses the same names
// for its attributes, so a reader sees one vocabulary end to end.
const (
	FieldItem       = "item"
	FieldCustomerID = "customerID"
	FieldQuantity   = "quantity"
)

// OrderRequest is the body a client POSTs to /orders, for example the
// tutorial's {"item": "latex gloves","customerID":"12345"}.
type OrderRequest struct {
	// Item describes what is ordered: 1 to MaxItemLength characters.
	Item string `json:"item"`
	// CustomerID identifies who orders: 1 to MaxCustomerIDLength characters.
	CustomerID string `json:"customerID"`
	// Quantity is how many, MinQuantity to MaxQuantity; DefaultQuantity when
	// the body leaves it out.
	Quantity int `json:"quantity"`
}

// FieldError says what is wrong with one field of a message.
type FieldError struct {
	// Field is the JSON name of the field, or of the attribute for stored items.
	Field string
	// Problem says what is wrong, in words a client can act on.
	Problem string
	// Err is a sentinel such as ErrUnsupportedSchemaVersion when the problem
	// has one, for errors.Is; nil otherwise.
	Err error
}

// Error implements error.
func (e FieldError) Error() string { return e.Field + ": " + e.Problem }

// Unwrap exposes Err to errors.Is and errors.As.
func (e FieldError) Unwrap() error { return e.Err }

// ValidationError lists every problem found in one message, in a stable order
// (known fields first, then unknown ones by name), so a client fixes them all in
// one round trip and logs are comparable across deliveries.
type ValidationError struct {
	Problems []FieldError
}

// Error implements error.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	return "invalid order: " + strings.Join(parts, "; ")
}

// Unwrap exposes each problem to errors.Is and errors.As.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// Fields returns the names of the offending fields, in the error's order.
func (e *ValidationError) Fields() []string {
	names := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		names[i] = p.Field
	}
	return names
}

func (e *ValidationError) add(field, format string, args ...any) {
	e.Problems = append(e.Problems, FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// orNil lets callers return a *ValidationError only when there is something in
// it, avoiding the typed-nil-in-interface trap.
func (e *ValidationError) orNil() error {
	if len(e.Problems) == 0 {
		return nil
	}
	return e
}

// Validate checks r against the limits above. It is for requests built in Go;
// bodies from the wire go through [DecodeOrderRequest], which also checks JSON
// types and unknown fields.
func (r OrderRequest) Validate() error {
	var verr ValidationError
	r.validateInto(&verr)
	return verr.orNil()
}

func (r OrderRequest) validateInto(verr *ValidationError) {
	checkLength(verr, FieldItem, r.Item, MaxItemLength)
	checkLength(verr, FieldCustomerID, r.CustomerID, MaxCustomerIDLength)
	if r.Quantity < MinQuantity || r.Quantity > MaxQuantity {
		verr.add(FieldQuantity, "must be an integer from %d to %d, got %d", MinQuantity, MaxQuantity, r.Quantity)
	}
}

// checkLength counts characters (code points), as JSON Schema's minLength and
// maxLength do, not bytes.
func checkLength(verr *ValidationError, field, value string, maxLen int) {
	n := utf8.RuneCountInString(value)
	switch {
	case n == 0:
		verr.add(field, "must not be empty")
	case n > maxLen:
		verr.add(field, "must be at most %d characters, got %d", maxLen, n)
	}
}

// numberLiteral is JSON's number grammar. encoding/json would also accept a
// quoted number ("2") into a json.Number, which the schema rejects.
var numberLiteral = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// jsonInteger parses a JSON number whose value is an integer. Like common
// draft-04 validators it accepts 2.0 and 1e2 as integers: refusing them here
// while the API's validator lets them through would turn a valid request into
// a poison message.
func jsonInteger(raw json.RawMessage) (*big.Int, bool) {
	if !numberLiteral.Match(raw) {
		return nil, false
	}
	// Refuse absurd exponents before big.Rat tries to expand them.
	if i := bytes.IndexAny(raw, "eE"); i >= 0 && len(raw)-i > 4 {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(string(raw))
	if !ok || !r.IsInt() {
		return nil, false
	}
	return r.Num(), true
}

// DecodeOrderRequest parses and validates an API body exactly as the JSON
// Schema does: a single JSON object, no fields other than item, customerID and
// quantity (matched case-sensitively, unlike encoding/json), strings that are
// JSON strings and a quantity that is a JSON integer. A missing quantity
// becomes DefaultQuantity. The error is a *ValidationError naming each bad
// field, or a plain error when the body is not a JSON object at all.
func DecodeOrderRequest(body []byte) (OrderRequest, error) {
	fields, err := decodeObject(body)
	if err != nil {
		return OrderRequest{}, fmt.Errorf("order request: %w", err)
	}
	return orderRequestFromFields(fields)
}

func orderRequestFromFields(fields map[string]json.RawMessage) (OrderRequest, error) {
	var verr ValidationError
	req := OrderRequest{Quantity: DefaultQuantity}
	req.Item = stringField(&verr, fields, FieldItem)
	req.CustomerID = stringField(&verr, fields, FieldCustomerID)
	if raw, ok := fields[FieldQuantity]; ok {
		req.Quantity = 0
		if q, ok := jsonInteger(raw); ok {
			req.Quantity = saturatedInt(q, MinQuantity-1, MaxQuantity+1)
		} else {
			verr.add(FieldQuantity, "must be a JSON integer, got %s", abbreviate(raw))
		}
	}
	// Report range problems only for fields whose type was right, so each
	// field gets one clear message.
	bad := verr.Fields()
	var rangeErr ValidationError
	req.validateInto(&rangeErr)
	for _, p := range rangeErr.Problems {
		if !slices.Contains(bad, p.Field) {
			verr.Problems = append(verr.Problems, p)
		}
	}
	sortProblems(verr.Problems)

	var unknown []string
	for name := range fields {
		if name != FieldItem && name != FieldCustomerID && name != FieldQuantity {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	for _, name := range unknown {
		verr.add(name, "unknown field (allowed: %s, %s, %s)", FieldItem, FieldCustomerID, FieldQuantity)
	}
	if err := verr.orNil(); err != nil {
		return OrderRequest{}, err
	}
	return req, nil
}

// sortProblems orders problems on known fields as the struct declares them.
func sortProblems(ps []FieldError) {
	rank := map[string]int{FieldItem: 0, FieldCustomerID: 1, FieldQuantity: 2}
	slices.SortStableFunc(ps, func(a, b FieldError) int { return rank[a.Field] - rank[b.Field] })
}

// stringField reads a required JSON string. encoding/json would turn null into
// "" silently, so the raw token is checked first.
func stringField(verr *ValidationError, fields map[string]json.RawMessage, name string) string {
	raw, ok := fields[name]
	if !ok {
		verr.add(name, "is required")
		return ""
	}
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		verr.add(name, "must be a JSON string, got %s", abbreviate(raw))
		return ""
	}
	return s
}

// saturatedInt clamps n into [lo, hi] so a huge quantity is reported as out
// of range rather than overflowing.
func saturatedInt(n *big.Int, lo, hi int) int {
	switch {
	case n.Cmp(big.NewInt(int64(lo))) < 0:
		return lo
	case n.Cmp(big.NewInt(int64(hi))) > 0:
		return hi
	default:
		return int(n.Int64())
	}
}

// errNotObject is returned when a message is not a single JSON object.
var errNotObject = errors.New("body must be a single JSON object")

// decodeObject splits a JSON object into its members, rejecting anything else
// (arrays, null, trailing data). Duplicate keys keep the last value, as most
// JSON Schema validators do.
func decodeObject(body []byte) (map[string]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errNotObject
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		return nil, fmt.Errorf("%w: %w", errNotObject, err)
	}
	if dec.InputOffset() != int64(len(trimmed)) {
		return nil, fmt.Errorf("%w: trailing data after the object", errNotObject)
	}
	return fields, nil
}

// abbreviate keeps log lines and error messages short when a client sends a
// large wrong value.
func abbreviate(raw json.RawMessage) string {
	const maxShown = 40
	if len(raw) == 0 {
		return "nothing"
	}
	if len(raw) > maxShown {
		return strings.ToValidUTF8(string(raw[:maxShown]), "") + "…"
	}
	return string(raw)
}
