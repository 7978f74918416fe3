package expr_test

import (
	"fmt"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/expr"
)

func mustItem(js string) attr.Item {
	item, err := attr.ParseItem([]byte(js))
	if err != nil {
		panic(err)
	}
	return item
}

func ExampleParseCondition() {
	values := mustItem(`{":done":{"S":"DONE"}}`)
	names := map[string]string{"#status": "status"}
	cond, err := expr.ParseCondition("attribute_not_exists(orderID) OR #status <> :done", names, values)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cond.Eval(nil))
	fmt.Println(cond.Eval(mustItem(`{"orderID":{"S":"o-1"},"status":{"S":"DONE"}}`)))
	if err := expr.CheckUnused(names, values, cond.Placeholders()); err != nil {
		fmt.Println(err)
	}

	_, err = expr.ParseCondition("status = :done", nil, values)
	fmt.Println(err)
	// Output:
	// true
	// false
	// ValidationException: Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status
}

func ExampleUpdate_Apply() {
	values := mustItem(`{":one":{"N":"1"},":zero":{"N":"0"},":tags":{"SS":["new"]}}`)
	update, err := expr.ParseUpdate("SET hits = if_not_exists(hits, :zero) + :one ADD tags :tags REMOVE draft", nil, values)
	if err != nil {
		fmt.Println(err)
		return
	}
	old := mustItem(`{"id":{"S":"a"},"hits":{"N":"41"},"draft":{"BOOL":true}}`)
	res, err := update.Apply(old)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Item["hits"].Num(), res.Item["tags"].Strings(), res.Changed)
	updatedOld := expr.Project(old, update.Paths())
	fmt.Println(len(updatedOld), updatedOld["hits"].Num())
	// Output:
	// 42 [new] [hits tags draft]
	// 2 41
}

func ExampleKeyCondition_Bind() {
	values := mustItem(`{":c":{"S":"12345"},":from":{"S":"2026-11-01"}}`)
	kc, err := expr.ParseKeyCondition("customerID = :c AND receivedAt >= :from", nil, values)
	if err != nil {
		fmt.Println(err)
		return
	}
	q, err := kc.Bind(attr.KeySchema{PartitionKey: "customerID", PartitionType: attr.TypeS, SortKey: "receivedAt", SortType: attr.TypeS})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.Partition.Str(), q.Sort.Op, q.Sort.Match(attr.S("2026-11-27")), q.Sort.Match(attr.S("2026-10-31")))

	_, err = kc.Bind(attr.KeySchema{PartitionKey: "orderID", PartitionType: attr.TypeS})
	fmt.Println(err)
	// Output:
	// 12345 >= true false
	// ValidationException: Query condition missed key schema element: orderID
}
