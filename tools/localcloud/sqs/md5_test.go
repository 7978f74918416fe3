package sqs

import "testing"

func TestMD5OfAttributes(t *testing.T) {
	s := func(v string) *string { return &v }
	tests := []struct {
		name  string
		attrs map[string]MessageAttributeValue
		want  string
	}{
		{"none", nil, ""},
		// Reference value: moto_server answers the same MD5 for the same
		// attributes, and the AWS CLI (botocore) accepts it.
		{"string, number and binary", map[string]MessageAttributeValue{
			"s": {DataType: "String", StringValue: s("v")},
			"n": {DataType: "Number", StringValue: s("1.5")},
			"b": {DataType: "Binary", BinaryValue: []byte("bin")},
		}, "c859cc172f3222b4afba29b75ba79671"},
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
