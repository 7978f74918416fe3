package attr

// KeySchema names the key attributes of a table or index and their types
// (S, N or B). SortKey is empty when there is only a partition key.
type KeySchema struct {
	PartitionKey  string
	PartitionType Type
	SortKey       string
	SortType      Type
}

type keyAttr struct {
	name string
	t    Type
}

// keyAttrs lists the schema's key attributes with their types.
func (s KeySchema) keyAttrs() []keyAttr {
	if s.SortKey == "" {
		return []keyAttr{{s.PartitionKey, s.PartitionType}}
	}
	return []keyAttr{{s.PartitionKey, s.PartitionType}, {s.SortKey, s.SortType}}
}

// emptyKeyValue words DynamoDB's error for an empty S or B key value.
func emptyKeyValue(v Value, name string) error {
	if (v.t == TypeS || v.t == TypeB) && v.s == "" {
		kind := "string"
		if v.t == TypeB {
			kind = "binary"
		}
		return Validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", kind, name)
	}
	return nil
}

// CheckItem validates the key attributes of an item to be written
// (PutItem), with DynamoDB's messages.
func (s KeySchema) CheckItem(item Item) error {
	for _, k := range s.keyAttrs() {
		v, ok := item[k.name]
		if !ok {
			return invalidParam("Missing the key " + k.name + " in the item")
		}
		if v.t != k.t {
			return invalidParam("Type mismatch for key " + k.name + " expected: " + k.t.String() + " actual: " + v.t.String())
		}
		if err := emptyKeyValue(v, k.name); err != nil {
			return err
		}
	}
	return nil
}

// CheckKey validates a Key parameter (GetItem, DeleteItem, UpdateItem):
// exactly the key attributes, with the schema's types.
func (s KeySchema) CheckKey(key Item) error {
	attrs := s.keyAttrs()
	if len(key) != len(attrs) {
		return Validation("The provided key element does not match the schema")
	}
	for _, k := range attrs {
		v, ok := key[k.name]
		if !ok || v.t != k.t {
			return Validation("The provided key element does not match the schema")
		}
	}
	for _, k := range attrs {
		if err := emptyKeyValue(key[k.name], k.name); err != nil {
			return err
		}
	}
	return nil
}

// Key returns the key attributes of item.
func (s KeySchema) Key(item Item) Item {
	out := Item{}
	for _, k := range s.keyAttrs() {
		if v, ok := item[k.name]; ok {
			out[k.name] = v
		}
	}
	return out
}

// AppendKey appends the order-preserving encoding of item's partition key
// followed by its sort key (if the schema has one), so that a store's byte
// order groups items by partition and sorts them by sort key. The item must
// have passed CheckItem or CheckKey.
func (s KeySchema) AppendKey(dst []byte, item Item) ([]byte, error) {
	for _, k := range s.keyAttrs() {
		var err error
		if dst, err = AppendKey(dst, item[k.name]); err != nil {
			return dst, err
		}
	}
	return dst, nil
}
