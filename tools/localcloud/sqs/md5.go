package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"sort"
	"strings"
)

// md5Hex is the MD5OfMessageBody of body.
func md5Hex(body string) string {
	sum := md5.Sum([]byte(body))
	return hex.EncodeToString(sum[:])
}

// md5OfAttributes is SQS's MD5OfMessageAttributes: for each attribute in
// name order, length-prefixed name, data type, a transport byte (1 string,
// 2 binary, 3 string list, 4 binary list) and length-prefixed value(s).
// Empty for no attributes.
func md5OfAttributes(attrs map[string]MessageAttributeValue) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := md5.New()
	lp := func(b []byte) {
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(b)))
		h.Write(l[:])
		h.Write(b)
	}
	for _, n := range names {
		v := attrs[n]
		lp([]byte(n))
		lp([]byte(v.DataType))
		switch {
		case strings.HasPrefix(v.DataType, "Binary"):
			h.Write([]byte{2})
			lp(v.BinaryValue)
		default:
			h.Write([]byte{1})
			s := ""
			if v.StringValue != nil {
				s = *v.StringValue
			}
			lp([]byte(s))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
