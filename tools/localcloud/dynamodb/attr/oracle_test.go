package attr

// The reference decoder: a straightforward decoding through encoding/json,
// kept as a test oracle for the hand-written decoder in decode.go.

import (
	"bytes"
	"encoding/json"
	"strconv"
)

func oracleParse(data []byte) (Value, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return Value{}, oracleSerializationError()
	}
	return oracleDecodeValue(raw)
}

func oracleSerializationError() error {
	return &Error{Code: CodeSerialization, Message: "Start of structure or map found where not expected"}
}

func oracleWrongShape(rv json.RawMessage, want string) error {
	var c byte
	if b := bytes.TrimSpace(rv); len(b) > 0 {
		c = b[0]
	}
	return wrongShape(c, want)
}

func oracleDecodeItem(raw map[string]json.RawMessage) (Item, error) {
	out := make(Item, len(raw))
	for k, rv := range raw {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(rv, &m); err != nil {
			return nil, oracleSerializationError()
		}
		v, err := oracleDecodeValue(m)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// decodeValue validates like DynamoDB: each type present is checked (so a
// bad member wins over "more than one datatype"), in a fixed order so the
// message is deterministic, then the count.
func oracleDecodeValue(raw map[string]json.RawMessage) (Value, error) {
	var out Value
	count := 0
	for t := TypeS; t <= TypeBS; t++ {
		rv, ok := raw[typeKeys[t]]
		if !ok || oracleIsJSONNull(rv) {
			continue // unknown members are ignored, null means unset
		}
		count++
		v, err := oracleDecodeTyped(t, rv)
		if err != nil {
			return Value{}, err
		}
		out = v
	}
	switch {
	case count == 0:
		return Value{}, Validation("%s", msgEmptyValue)
	case count > 1:
		return Value{}, Validation("%s", msgMultipleType)
	}
	return out, nil
}

func oracleIsJSONNull(rv json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(rv), []byte("null"))
}

func oracleDecodeTyped(t Type, rv json.RawMessage) (Value, error) {
	switch t {
	case TypeS:
		var s string
		if err := json.Unmarshal(rv, &s); err != nil {
			return Value{}, oracleWrongShape(rv, "String")
		}
		return S(s), nil
	case TypeN:
		var s string
		if err := json.Unmarshal(rv, &s); err != nil {
			return Value{}, oracleWrongShape(rv, "String")
		}
		return ParseN(s)
	case TypeB:
		b, err := oracleDecodeBase64(rv)
		if err != nil {
			return Value{}, err
		}
		return Value{t: TypeB, s: string(b)}, nil
	case TypeBOOL:
		var b bool
		if err := json.Unmarshal(rv, &b); err != nil {
			return Value{}, oracleWrongShape(rv, "Boolean")
		}
		return Bool(b), nil
	case TypeNULL:
		var b bool
		if err := json.Unmarshal(rv, &b); err != nil {
			return Value{}, oracleWrongShape(rv, "Boolean")
		}
		if !b {
			return Value{}, invalidParam("Null attribute value types must have the value of true")
		}
		return Null(), nil
	case TypeL:
		var raws []map[string]json.RawMessage
		if err := json.Unmarshal(rv, &raws); err != nil {
			return Value{}, oracleSerializationError()
		}
		l := make([]Value, len(raws))
		for i, r := range raws {
			e, err := oracleDecodeValue(r)
			if err != nil {
				return Value{}, err
			}
			l[i] = e
		}
		return L(l...), nil
	case TypeM:
		var raws map[string]json.RawMessage
		if err := json.Unmarshal(rv, &raws); err != nil {
			return Value{}, oracleSerializationError()
		}
		m, err := oracleDecodeItem(raws)
		if err != nil {
			return Value{}, err
		}
		return M(m), nil
	case TypeSS:
		var ss []string
		if err := json.Unmarshal(rv, &ss); err != nil {
			return Value{}, oracleSerializationError()
		}
		return SS(ss...)
	case TypeNS:
		var ss []string
		if err := json.Unmarshal(rv, &ss); err != nil {
			return Value{}, oracleSerializationError()
		}
		return NS(ss...)
	case TypeBS:
		var raws []json.RawMessage
		if err := json.Unmarshal(rv, &raws); err != nil {
			return Value{}, oracleSerializationError()
		}
		bs := make([][]byte, len(raws))
		for i, r := range raws {
			b, err := oracleDecodeBase64(r)
			if err != nil {
				return Value{}, err
			}
			bs[i] = b
		}
		return BS(bs...)
	}
	return Value{}, oracleSerializationError()
}

func oracleDecodeBase64(rv json.RawMessage) ([]byte, error) {
	var s string
	if err := json.Unmarshal(rv, &s); err != nil {
		return nil, oracleWrongShape(rv, "Blob")
	}
	b, err := b64.DecodeString(s)
	if err != nil {
		return nil, &Error{Code: CodeSerialization, Message: "Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(len(s))}
	}
	return b, nil
}
