package esm

import (
	"fmt"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

func TestFilterPatterns(t *testing.T) {
	cases := []struct {
		name    string
		pattern string
		record  string
		want    bool
	}{
		{"exact string in json body", `{"body":{"kind":["order"]}}`, `{"body":"{\"kind\":\"order\"}"}`, true},
		{"exact string mismatch", `{"body":{"kind":["order"]}}`, `{"body":"{\"kind\":\"refund\"}"}`, false},
		{"plain body", `{"body":["hello"]}`, `{"body":"hello"}`, true},
		{"plain body against json pattern", `{"body":{"kind":["order"]}}`, `{"body":"kind=order"}`, false},
		{"prefix", `{"body":{"id":[{"prefix":"ord-"}]}}`, `{"body":"{\"id\":\"ord-1\"}"}`, true},
		{"suffix", `{"body":{"id":[{"suffix":"-eu"}]}}`, `{"body":"{\"id\":\"ord-us\"}"}`, false},
		{"equals-ignore-case", `{"body":{"s":[{"equals-ignore-case":"NEW"}]}}`, `{"body":"{\"s\":\"new\"}"}`, true},
		{"anything-but list", `{"body":{"s":[{"anything-but":["a","b"]}]}}`, `{"body":"{\"s\":\"c\"}"}`, true},
		{"anything-but hit", `{"body":{"s":[{"anything-but":["a","b"]}]}}`, `{"body":"{\"s\":\"b\"}"}`, false},
		{"anything-but prefix", `{"body":{"s":[{"anything-but":{"prefix":"test"}}]}}`, `{"body":"{\"s\":\"testing\"}"}`, false},
		{"numeric range in", `{"body":{"q":[{"numeric":[">",0,"<=",5]}]}}`, `{"body":"{\"q\":5}"}`, true},
		{"numeric range out", `{"body":{"q":[{"numeric":[">",0,"<=",5]}]}}`, `{"body":"{\"q\":6}"}`, false},
		{"numeric equals", `{"body":{"q":[{"numeric":["=",1.5]}]}}`, `{"body":"{\"q\":1.5}"}`, true},
		{"number exact", `{"body":{"q":[3]}}`, `{"body":"{\"q\":3.0}"}`, true},
		{"exists true", `{"body":{"q":[{"exists":true}]}}`, `{"body":"{\"q\":null}"}`, true},
		{"exists false", `{"body":{"q":[{"exists":false}]}}`, `{"body":"{\"r\":1}"}`, true},
		{"exists false but present", `{"body":{"q":[{"exists":false}]}}`, `{"body":"{\"q\":1}"}`, false},
		{"null", `{"body":{"q":[null]}}`, `{"body":"{\"q\":null}"}`, true},
		{"array value any element", `{"body":{"tags":["b"]}}`, `{"body":"{\"tags\":[\"a\",\"b\"]}"}`, true},
		{"or within a field", `{"eventName":["INSERT","MODIFY"]}`, `{"eventName":"MODIFY"}`, true},
		{"and across fields", `{"eventName":["INSERT"],"dynamodb":{"NewImage":{"s":{"S":["x"]}}}}`,
			`{"eventName":"INSERT","dynamodb":{"NewImage":{"s":{"S":"y"}}}}`, false},
		{"nested dynamodb image", `{"dynamodb":{"NewImage":{"s":{"S":[{"prefix":"ke"}]}}}}`,
			`{"eventName":"INSERT","dynamodb":{"NewImage":{"s":{"S":"keep"}}}}`, true},
		{"missing nested object", `{"dynamodb":{"OldImage":{"s":{"S":["x"]}}}}`, `{"dynamodb":{}}`, false},
		{"sqs attribute", `{"attributes":{"ApproximateReceiveCount":["1"]}}`, `{"attributes":{"ApproximateReceiveCount":"1"}}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := parsePattern(c.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got := (filters{p}).pass([]byte(c.record)); got != c.want {
				t.Fatalf("pass = %v, want %v", got, c.want)
			}
		})
	}
}

func TestFilterPatternErrors(t *testing.T) {
	for _, p := range []string{`not json`, `[]`, `{}`, `{"body":"x"}`, `{"body":[]}`, `{"body":[{"numeric":[">"]}]}`,
		`{"body":[{"prefix":1}]}`, `{"body":[{"wildcard":"*"}]}`, `{"body":[{"exists":"yes"}]}`, `{"$or":[]}`} {
		if _, err := parsePattern(p); err == nil {
			t.Errorf("%s: accepted", p)
		}
	}
}

func TestBatchItemFailures(t *testing.T) {
	cases := []struct {
		name    string
		payload string
		ids     []string
		ok      bool
	}{
		{"empty response", ``, nil, true},
		{"null response", `null`, nil, true},
		{"empty list", `{"batchItemFailures":[]}`, nil, true},
		{"null list", `{"batchItemFailures":null}`, nil, true},
		{"not an object", `"done"`, nil, true},
		{"two items", `{"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"b"}]}`, []string{"a", "b"}, true},
		{"invalid json", `{"batchItemFailures":`, nil, false},
		{"empty identifier", `{"batchItemFailures":[{"itemIdentifier":""}]}`, nil, false},
		{"null identifier", `{"batchItemFailures":[{"itemIdentifier":null}]}`, nil, false},
		{"bad key", `{"batchItemFailures":[{"id":"a"}]}`, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ids, ok := batchItemFailures([]byte(c.payload))
			if ok != c.ok || len(ids) != len(c.ids) {
				t.Fatalf("= %v, %v; want %v, %v", ids, ok, c.ids, c.ok)
			}
			for i := range ids {
				if ids[i] != c.ids[i] {
					t.Fatalf("ids %v, want %v", ids, c.ids)
				}
			}
		})
	}
}

func TestPartitionKeepsKeyOrder(t *testing.T) {
	var recs []DynamoDBRecord
	for i := range 60 {
		var r DynamoDBRecord
		r.Dynamodb.Keys = attr.Item{"orderID": attr.S(fmt.Sprintf("o-%d", i%20))}
		r.Dynamodb.SequenceNumber = fmt.Sprint(i)
		recs = append(recs, r)
	}
	lanes := partition(recs, 3)
	if len(lanes) != 3 {
		t.Fatalf("%d lanes for 20 keys", len(lanes))
	}
	laneOf := map[string]int{}
	total := 0
	for i, lane := range lanes {
		prev := -1
		for _, r := range lane {
			k, _ := r.Dynamodb.Keys["orderID"].MarshalJSON()
			key := string(k)
			if l, seen := laneOf[key]; seen && l != i {
				t.Fatalf("key %s in lanes %d and %d", key, l, i)
			}
			laneOf[key] = i
			var seq int
			if _, err := fmt.Sscan(r.Dynamodb.SequenceNumber, &seq); err != nil {
				t.Fatalf("sequence number %q: %v", r.Dynamodb.SequenceNumber, err)
			}
			if seq <= prev {
				t.Fatalf("lane %d out of order", i)
			}
			prev = seq
			total++
		}
	}
	if total != 60 {
		t.Fatalf("%d records in lanes", total)
	}
	if got := partition(recs, 1); len(got) != 1 || len(got[0]) != 60 {
		t.Fatal("factor 1 split the batch")
	}
}
