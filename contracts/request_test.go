package contracts

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDecodeOrderRequestValues(t *testing.T) {
	tests := []struct {
		name string
		body string
		want OrderRequest
	}{
		{"tutorial body defaults quantity", readFixture(t, "order-tutorial.json"), OrderRequest{Item: "latex gloves", CustomerID: "12345", Quantity: 1}},
		{"explicit quantity", `{"item":"mask","customerID":"c1","quantity":42}`, OrderRequest{Item: "mask", CustomerID: "c1", Quantity: 42}},
		{"integral exponent quantity", `{"item":"mask","customerID":"c1","quantity":1e2}`, OrderRequest{Item: "mask", CustomerID: "c1", Quantity: 100}},
		{"escaped characters kept", `{"item":"gloves \"XL\"\n","customerID":"c\u00e9"}`, OrderRequest{Item: "gloves \"XL\"\n", CustomerID: "cé", Quantity: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeOrderRequest([]byte(tc.body))
			if err != nil {
				t.Fatalf("DecodeOrderRequest: %v", err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestDecodeOrderRequestRejectsNonObjects(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"empty", ``},
		{"null", `null`},
		{"array", `[{"item":"a","customerID":"b"}]`},
		{"string", `"latex gloves"`},
		{"truncated", `{"item":"a","customerID":"b"`},
		{"trailing object", `{"item":"a","customerID":"b"}{}`},
		{"trailing garbage", `{"item":"a","customerID":"b"} x`},
		{"form encoded", `item=latex+gloves&customerID=12345`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeOrderRequest([]byte(tc.body))
			if !errors.Is(err, errNotObject) {
				t.Errorf("err = %v, want errNotObject", err)
			}
		})
	}
}

func TestOrderRequestValidate(t *testing.T) {
	tests := []struct {
		name       string
		req        OrderRequest
		wantFields string
	}{
		{"valid", OrderRequest{Item: "a", CustomerID: "b", Quantity: 1}, ""},
		{"zero value names every field", OrderRequest{}, "item,customerID,quantity"},
		{"too many", OrderRequest{Item: "a", CustomerID: "b", Quantity: MaxQuantity + 1}, "quantity"},
		{"long customer", OrderRequest{Item: "a", CustomerID: strings.Repeat("c", MaxCustomerIDLength+1), Quantity: 1}, "customerID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.req.Validate()
			if tc.wantFields == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("err = %v, want *ValidationError", err)
			}
			if got := strings.Join(verr.Fields(), ","); got != tc.wantFields {
				t.Errorf("fields = %s, want %s", got, tc.wantFields)
			}
			for _, f := range verr.Fields() {
				if !strings.Contains(err.Error(), f+": ") {
					t.Errorf("message %q does not name %s", err, f)
				}
			}
		})
	}
}

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// assertFields fails the test unless err is a *ValidationError naming exactly
// the fields want, in that order.
func assertFields(t *testing.T, err error, want []string) {
	t.Helper()
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v, want *ValidationError", err)
	}
	if got := verr.Fields(); !slices.Equal(got, want) {
		t.Errorf("fields = %v, want %v (%v)", got, want, err)
	}
}
