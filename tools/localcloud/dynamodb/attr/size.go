package attr

// MaxItemSize is DynamoDB's limit on an item's size in bytes (400 KB),
// counted as ItemSize counts.
const MaxItemSize = 400 * 1024

// CheckSize rejects an item larger than MaxItemSize with PutItem's message.
// (UpdateItem words it "Item size to update has exceeded the maximum allowed
// size"; see CheckUpdatedSize.)
func CheckSize(item Item) error {
	if ItemSize(item) > MaxItemSize {
		return Validation("Item size has exceeded the maximum allowed size")
	}
	return nil
}

// CheckUpdatedSize rejects an updated item larger than MaxItemSize with
// UpdateItem's message.
func CheckUpdatedSize(item Item) error {
	if ItemSize(item) > MaxItemSize {
		return Validation("Item size to update has exceeded the maximum allowed size")
	}
	return nil
}

// ItemSize returns the size DynamoDB charges for item: for each attribute,
// the UTF-8 length of its name plus the size of its value.
func ItemSize(item Item) int {
	n := 0
	for k, v := range item {
		n += len(k) + Size(v)
	}
	return n
}

// Size returns the size of one value as DynamoDB counts it:
//   - S: UTF-8 bytes; B: raw bytes;
//   - N: 1 byte per two significant digits, plus 1;
//   - BOOL and NULL: 1 byte;
//   - L and M: 3 bytes of overhead plus 1 byte per element, plus the
//     elements (and, for M, the member names);
//   - sets: the sum of their members.
func Size(v Value) int {
	switch v.t {
	case TypeS, TypeB:
		return len(v.s)
	case TypeN:
		return numberSize(v.n)
	case TypeBOOL, TypeNULL:
		return 1
	case TypeL:
		n := 3
		for _, e := range v.l {
			n += 1 + Size(e)
		}
		return n
	case TypeM:
		n := 3
		for k, e := range v.m {
			n += 1 + len(k) + Size(e)
		}
		return n
	case TypeSS, TypeBS:
		n := 0
		for _, s := range v.ss {
			n += len(s)
		}
		return n
	case TypeNS:
		n := 0
		for _, x := range v.ns {
			n += numberSize(x)
		}
		return n
	}
	return 0
}

func numberSize(n Number) int {
	return (n.Digits()+1)/2 + 1
}

// Len returns what DynamoDB's size() function reports for v: the bytes of
// a string (UTF-8; the developer guide's PartiQL size page says "size in
// bytes") or binary, the members of a set, the elements of a list or map.
// ok is false for types without a size (N, BOOL, NULL).
func (v Value) Len() (n int, ok bool) {
	switch v.t {
	case TypeS, TypeB:
		return len(v.s), true
	case TypeL:
		return len(v.l), true
	case TypeM:
		return len(v.m), true
	case TypeSS, TypeBS:
		return len(v.ss), true
	case TypeNS:
		return len(v.ns), true
	}
	return 0, false
}

// MaxDepth is how many levels of lists and maps DynamoDB allows inside an
// attribute value.
const MaxDepth = 32

// CheckDepth rejects an item whose lists and maps nest deeper than
// MaxDepth, with DynamoDB's message.
func CheckDepth(item Item) error {
	for _, v := range item {
		if depth(v) > MaxDepth {
			return Validation("Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit")
		}
	}
	return nil
}

func depth(v Value) int {
	d := 0
	switch v.t {
	case TypeL:
		for _, e := range v.l {
			d = max(d, depth(e))
		}
		return d + 1
	case TypeM:
		for _, e := range v.m {
			d = max(d, depth(e))
		}
		return d + 1
	}
	return 0
}
