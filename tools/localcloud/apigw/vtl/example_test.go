package vtl_test

import (
	"fmt"

	"github.com/orderflow/orderflow/tools/localcloud/apigw/vtl"
)

func ExampleParse() {
	tmpl, err := vtl.Parse(`#set($key = $input.params('Idempotency-Key'))
#if($key && $key != "")
{"orderID":"$util.escapeJavaScript($key)"}
#else
{"orderID":"$context.requestId"}
#end`)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := tmpl.Render(&vtl.Vars{
		Input:   vtl.Input{Header: map[string]string{"Idempotency-Key": "order-42"}},
		Context: vtl.Context{RequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"},
	})
	fmt.Print(out, err)
	// Output:
	// {"orderID":"order-42"}
	// <nil>
}

func ExampleTemplate_Render_input() {
	tmpl, _ := vtl.Parse(`#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {"description": "Item $elem.id is a $elem.type.", "askingPrice": $elem.price}#if($foreach.hasNext),#end

#end
]`)
	out, _ := tmpl.Render(&vtl.Vars{Input: vtl.Input{
		Body: `[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99}]`,
	}})
	fmt.Print(out)
	// Output:
	// [
	//   {"description": "Item 1 is a dog.", "askingPrice": 249.99},
	//   {"description": "Item 2 is a cat.", "askingPrice": 124.99}
	// ]
}
