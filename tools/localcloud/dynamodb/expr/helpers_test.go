package expr

import (
	"errors"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

// item decodes an item from its wire JSON.
func item(t testing.TB, js string) attr.Item {
	t.Helper()
	if js == "" {
		return nil
	}
	it, err := attr.ParseItem([]byte(js))
	if err != nil {
		t.Fatalf("bad test item %s: %v", js, err)
	}
	return it
}

// testValues are the ExpressionAttributeValues most tests share.
func testValues(t testing.TB) map[string]attr.Value {
	return item(t, `{
		":s": {"S": "abc"}, ":s2": {"S": "abd"}, ":pre": {"S": "ab"}, ":empty": {"S": ""},
		":n": {"N": "5"}, ":n1": {"N": "1"}, ":n10": {"N": "10"}, ":dec": {"N": "0.1"},
		":b": {"B": "AAE="}, ":bpre": {"B": "AA=="},
		":t": {"BOOL": true}, ":null": {"NULL": true},
		":ss": {"SS": ["a", "b"]}, ":ssb": {"SS": ["b"]}, ":ns": {"NS": ["1", "2"]}, ":bs": {"BS": ["AA=="]},
		":l": {"L": [{"S": "x"}]}, ":m": {"M": {"k": {"S": "v"}}},
		":typeS": {"S": "S"}, ":typeX": {"S": "X"}, ":typeN": {"S": "N"}, ":typeL": {"S": "L"}
	}`)
}

var testNames = map[string]string{"#s": "status", "#a": "a", "#dot": "a.b", "#idx": "[3]"}

// message returns the ValidationException message of err, or "" for nil.
func message(t testing.TB, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *attr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *attr.Error", err)
	}
	if e.Code != attr.CodeValidation {
		t.Fatalf("error code %s, want ValidationException", e.Code)
	}
	return e.Message
}
