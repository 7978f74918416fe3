package sigv4

import (
	"bytes"
	"fmt"
	"testing"
)

func TestSigningKeyCache(t *testing.T) {
	var v Verifier
	a := v.signingKey("secret-a", "20261127", "us-east-1", "sqs")
	if !bytes.Equal(a, SigningKey("secret-a", "20261127", "us-east-1", "sqs")) {
		t.Fatal("cached key differs from the derived one")
	}
	for _, other := range [][4]string{
		{"secret-b", "20261127", "us-east-1", "sqs"},
		{"secret-a", "20261128", "us-east-1", "sqs"},
		{"secret-a", "20261127", "eu-west-1", "sqs"},
		{"secret-a", "20261127", "us-east-1", "sns"},
	} {
		if bytes.Equal(v.signingKey(other[0], other[1], other[2], other[3]), a) {
			t.Errorf("%v got the key of another scope or secret", other)
		}
	}
	// Past its bound the cache starts afresh and keys stay right.
	for i := range maxCachedKeys + 10 {
		v.signingKey(fmt.Sprintf("s%d", i), "20261127", "us-east-1", "sqs")
	}
	if len(v.keys) > maxCachedKeys {
		t.Fatalf("cache holds %d keys, bound %d", len(v.keys), maxCachedKeys)
	}
	if !bytes.Equal(v.signingKey("secret-a", "20261127", "us-east-1", "sqs"), a) {
		t.Fatal("key wrong after the cache was reset")
	}
}
