package sqs

import "testing"

func TestMD5OfAttributes(t *testing.T) {
	s := func(v string) *string { return &v }
	// Reference values computed by botocore's SQS MD5 algorithm
	// (testdata-free: the algorithm is the documented one).
	tests := []struct {
		name  string
		attrs map[string]MessageAttributeValue
		want  string
	}{
		{"none", nil, ""},
		{"one string", map[string]MessageAttributeValue{"a": {DataType: "String", StringValue: s("b")}}, md5OfAttributesReference("a", "String", 1, "b")},
	}
	for _, tt := range tests {
		if got := md5OfAttributes(tt.attrs); got != tt.want {
			t.Errorf("%s: got %q want %q", tt.name, got, tt.want)
		}
	}
	if md5Hex("hello") != "5d41402abc4b2a76b9719d911017c592" {
		t.Fatal("md5 of body wrong")
	}
}

func md5OfAttributesReference(name, typ string, transport byte, value string) string {
	b := []byte{}
	add := func(s string) {
		n := len(s)
		b = append(b, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		b = append(b, s...)
	}
	add(name)
	add(typ)
	b = append(b, transport)
	add(value)
	return md5Hex(string(b))
}
