package expr

import (
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

// TestOrderflowExpressions runs the expressions the ingest and notifier
// functions send, against the items they see.
func TestOrderflowExpressions(t *testing.T) {
	vals := item(t, `{":now":{"S":"2026-11-27T09:00:00.000Z"}}`)
	stored := item(t, `{"orderID":{"S":"o-1"},"item":{"S":"latex gloves"},"customerID":{"S":"12345"},"quantity":{"N":"1"}}`)

	// ingest: create the order once.
	put, err := ParseCondition("attribute_not_exists(orderID)", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !put.Eval(nil) || put.Eval(stored) {
		t.Fatal("ingest condition must hold only for a new order")
	}

	// notifier: mark the order notified, once.
	cond, err := ParseCondition("attribute_exists(orderID) AND attribute_not_exists(notifiedAt)", nil, vals)
	if err != nil {
		t.Fatal(err)
	}
	upd, err := ParseUpdate("SET notifiedAt = :now", nil, vals)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckUnused(nil, vals, cond.Placeholders(), upd.Placeholders()); err != nil {
		t.Fatal(err)
	}
	if !cond.Eval(stored) {
		t.Fatal("first notification must be allowed")
	}
	res, err := upd.Apply(stored)
	if err != nil {
		t.Fatal(err)
	}
	if cond.Eval(res.Item) {
		t.Fatal("second notification must be refused")
	}
	proj, err := ParseProjection("orderID, notifiedAt", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := item(t, `{"orderID":{"S":"o-1"},"notifiedAt":{"S":"2026-11-27T09:00:00.000Z"}}`)
	if got := proj.Apply(res.Item); !attr.EqualItems(got, want) {
		t.Fatalf("projection = %v", got)
	}
}
