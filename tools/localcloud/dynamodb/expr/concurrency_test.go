package expr

import (
	"sync"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

// TestConcurrentUse shares parsed expressions between goroutines, as an API
// layer caching them would; run with -race.
func TestConcurrentUse(t *testing.T) {
	vals := testValues(t)
	c, err := ParseCondition("attribute_exists(a) AND size(l) > :n1", testNames, vals)
	if err != nil {
		t.Fatal(err)
	}
	u, err := ParseUpdate("SET m.kid.z = m.kid.z + :n1, l = list_append(l, :l), nv = :m ADD ss :ssb REMOVE m.lst[0]", testNames, vals)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseProjection("m.kid, l[1]", testNames)
	if err != nil {
		t.Fatal(err)
	}
	base := item(t, fuzzItem)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			it := base
			for i := 0; i < 50; i++ {
				if !c.Eval(it) {
					t.Error("condition false")
					return
				}
				res, err := u.Apply(it)
				if err != nil {
					t.Error(err)
					return
				}
				p.Apply(res.Item)
				it = res.Item
			}
			if got := it["m"].Map()["kid"].Map()["z"].Num().String(); got != "51" {
				t.Errorf("counter = %s, want 51", got)
			}
		}()
	}
	wg.Wait()
	if !attr.EqualItems(base, item(t, fuzzItem)) {
		t.Fatal("shared input item was modified")
	}
}
