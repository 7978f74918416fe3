package dynamodb

import (
	"encoding/binary"

	"github.com/orderflow/orderflow/tools/localcloud/dynamodb/attr"
)

// Key size limits (bytes of the value).
const (
	maxPartitionKeySize = 2048
	maxSortKeySize      = 1024
)

func keyNames(ks attr.KeySchema) []string {
	if ks.SortKey == "" {
		return []string{ks.PartitionKey}
	}
	return []string{ks.PartitionKey, ks.SortKey}
}

func keyType(ks attr.KeySchema, name string) attr.Type {
	if name == ks.PartitionKey {
		return ks.PartitionType
	}
	return ks.SortType
}

func emptyKeyValue(v attr.Value) (string, bool) {
	switch v.Type() {
	case attr.TypeS:
		return "string", v.Str() == ""
	case attr.TypeB:
		n, _ := v.Len()
		return "binary", n == 0
	}
	return "", false
}

// checkKeySizes applies DynamoDB's key size limits.
func checkKeySizes(ks attr.KeySchema, item attr.Item) error {
	if attr.Size(item[ks.PartitionKey]) > maxPartitionKeySize {
		return errInvalid("Size of hashkey has exceeded the maximum size limit of2048 bytes")
	}
	if ks.SortKey != "" && attr.Size(item[ks.SortKey]) > maxSortKeySize {
		return errInvalid("Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
	}
	return nil
}

func (v *view) storeKey(item attr.Item) ([]byte, error) {
	if err := checkKeySizes(v.key, item); err != nil {
		return nil, err
	}
	k, err := v.key.AppendKey(append([]byte(nil), v.prefix...), item)
	if err != nil {
		return nil, wire(err)
	}
	return k, nil
}

// keyFromParam checks a Key parameter against the table's schema and
// returns the item's store key.
func (v *view) keyFromParam(key attr.Item) ([]byte, error) {
	if err := v.key.CheckKey(key); err != nil {
		return nil, wire(err)
	}
	return v.storeKey(key)
}

// keyFromItem checks the key attributes of an item to be written (PutItem)
// and its secondary index keys, and returns its store key.
func (v *view) keyFromItem(item attr.Item) ([]byte, error) {
	if err := v.key.CheckItem(item); err != nil {
		return nil, wire(err)
	}
	if err := v.checkIndexKeys(item); err != nil {
		return nil, err
	}
	return v.storeKey(item)
}

// checkIndexKeys rejects an item whose secondary index key attributes have
// the wrong type or are empty.
func (v *view) checkIndexKeys(item attr.Item) error {
	for _, ix := range v.indexes {
		for _, n := range keyNames(ix.key) {
			val, ok := item[n]
			if !ok {
				continue
			}
			if want := keyType(ix.key, n); val.Type() != want {
				return errInvalid("Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", n, want, val.Type(), ix.name)
			}
			if kind, empty := emptyKeyValue(val); empty {
				return errValidation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s", kind, ix.name, n)
			}
		}
	}
	return nil
}

// entry is the index's store key for item, or nil when the item lacks the
// index's key attributes (indexes are sparse).
func (ix *index) entry(tableKey attr.KeySchema, item attr.Item) []byte {
	if item == nil {
		return nil
	}
	for _, n := range keyNames(ix.key) {
		if item[n].Type() != keyType(ix.key, n) {
			return nil
		}
	}
	k, err := ix.key.AppendKey(append([]byte(nil), ix.prefix...), item)
	if err != nil {
		return nil
	}
	k, err = tableKey.AppendKey(k, item)
	if err != nil {
		return nil
	}
	return k
}

// Stored items are the item's size as a uvarint followed by attr's binary
// storage encoding, so that sizes are known without decoding.

func encodeItem(item attr.Item) []byte {
	b := binary.AppendUvarint(nil, uint64(attr.ItemSize(item)))
	return attr.AppendItemBinary(b, item)
}

func storedSize(v []byte) int {
	n, _ := binary.Uvarint(v)
	return int(n)
}

func decodeItem(v []byte) (attr.Item, error) {
	_, n := binary.Uvarint(v)
	if n <= 0 {
		return nil, errValidation("corrupt stored item")
	}
	item, err := attr.DecodeItemBinary(v[n:])
	if err != nil {
		return nil, err
	}
	return item, nil
}
