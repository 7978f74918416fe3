package sns

import "testing"

func TestFilterPolicies(t *testing.T) {
	str := func(s string) *string { return &s }
	attrs := map[string]MessageAttributeValue{
		"event":    {DataType: "String", StringValue: str("order_placed")},
		"quantity": {DataType: "Number", StringValue: str("5")},
		"tags":     {DataType: "String.Array", StringValue: str(`["gloves","latex"]`)},
		"ip":       {DataType: "String", StringValue: str("10.0.0.7")},
	}
	tests := []struct {
		policy string
		want   bool
	}{
		{`{"event":["order_placed"]}`, true},
		{`{"event":["order_cancelled"]}`, false},
		{`{"event":[{"prefix":"order_"}]}`, true},
		{`{"event":[{"suffix":"_placed"}]}`, true},
		{`{"event":[{"equals-ignore-case":"ORDER_PLACED"}]}`, true},
		{`{"event":[{"anything-but":["order_placed"]}]}`, false},
		{`{"event":[{"anything-but":{"prefix":"x"}}]}`, true},
		{`{"quantity":[{"numeric":[">",1,"<=",5]}]}`, true},
		{`{"quantity":[{"numeric":[">",5]}]}`, false},
		{`{"quantity":[5]}`, true},
		{`{"tags":["latex"]}`, true},
		{`{"missing":[{"exists":false}]}`, true},
		{`{"missing":[{"exists":true}]}`, false},
		{`{"event":["order_placed"],"quantity":[{"numeric":["<",2]}]}`, false},
		{`{"$or":[{"event":["x"]},{"quantity":[5]}]}`, true},
		{`{"ip":[{"cidr":"10.0.0.0/24"}]}`, true},
	}
	for _, tt := range tests {
		p, err := parseFilterPolicy(tt.policy)
		if err != nil {
			t.Fatalf("%s: %v", tt.policy, err)
		}
		if got := p.matchAttributes(attrs); got != tt.want {
			t.Errorf("%s: got %v want %v", tt.policy, got, tt.want)
		}
	}
	body := `{"order":{"item":"latex gloves","quantity":3},"status":"NEW"}`
	for policy, want := range map[string]bool{
		`{"order":{"quantity":[{"numeric":[">=",3]}]}}`:         true,
		`{"order":{"item":[{"prefix":"nitrile"}]}}`:             false,
		`{"status":["NEW"],"order":{"item":[{"exists":true}]}}`: true,
	} {
		p, err := parseFilterPolicy(policy)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.matchBody(body); got != want {
			t.Errorf("body %s: got %v want %v", policy, got, want)
		}
	}
	for _, bad := range []string{`[]`, `{"a":"b"}`, `{"a":[]}`, `{"a":[{"nope":1}]}`, `{"a":[{"numeric":["~",1]}]}`} {
		if _, err := parseFilterPolicy(bad); err == nil {
			t.Errorf("policy %s accepted", bad)
		}
	}
}
