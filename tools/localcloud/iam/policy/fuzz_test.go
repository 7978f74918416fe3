package policy

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParsePolicy checks that no document makes Parse or Evaluate panic.
func FuzzParsePolicy(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(string(b))
		}
	}
	f.Add(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::${aws:username, 'x'}/*","Condition":{"ForAllValues:StringLikeIfExists":{"aws:TagKeys":["a*"]},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"NumericLessThan":{"s3:max-keys":"1e400"}}}}`)
	f.Add(`{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["*"]},"NotAction":"*","NotResource":"arn:*:*:*:*:*\\"}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		for _, kind := range []Kind{Identity, Resource, Trust} {
			d, err := Parse(doc, kind)
			if err != nil {
				continue
			}
			req := Request{
				Principal: Principal{ARN: "arn:aws:sts::000000000000:assumed-role/r/s", PrincipalARN: "arn:aws:iam::000000000000:role/r", Account: "000000000000"},
				Action:    "s3:GetObject", Resource: "arn:aws:s3:::b/k",
				Context: map[string][]string{"aws:TagKeys": {"a", "b"}, "aws:SourceIp": {"10.1.2.3"}, "s3:max-keys": {"5"}},
			}
			p := Policy{Type: IdentityBased, Name: "p", Document: d}
			if kind != Identity {
				p.Type = ResourceBased
			}
			dec := Evaluate(Input{Request: req, Identity: []Policy{p}, Resource: &p})
			_ = dec.Message()
			_ = dec.String()
		}
	})
}
