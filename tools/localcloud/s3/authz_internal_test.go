package s3

import "testing"

// Every routed operation names its IAM action (DeleteObjects checks per key).
func TestEveryOperationHasAnAction(t *testing.T) {
	d := (&Service{}).Descriptor()
	for name := range d.Operations {
		if actions[name] == "" && name != "DeleteObjects" {
			t.Errorf("%s has no IAM action", name)
		}
	}
	for _, rt := range d.Routes {
		if d.Operations[rt.Operation] == nil {
			t.Errorf("route %s %s names unknown operation %s", rt.Method, rt.Path, rt.Operation)
		}
	}
}
