// Package attr is DynamoDB's item model: AttributeValues exactly as they
// travel on the awsJson 1.0 wire ({"S":"x"}, {"N":"1.5"}, {"SS":[…]}, …),
// decoded in one pass and validated with DynamoDB's ValidationException
// messages (Parse, ParseItem, Value.UnmarshalJSON), and encoded back
// (Value.AppendJSON, Item.AppendJSON).
//
// Numbers are exact decimals (Number) with DynamoDB's limits: 38 significant
// digits, magnitudes from 1E-130 to 9.99…E+125, canonical form so that
// "1.50", "1.5" and "15E-1" are one value; Add and Sub are exact.
//
// The package also holds DynamoDB's rules on values: ordering and equality
// (Compare, Equal, Contains, HasPrefix), set algebra for ADD and DELETE
// (Union, Difference), item size accounting (ItemSize, CheckSize,
// MaxItemSize), nesting depth (CheckDepth), key schemas (KeySchema: key
// validation with DynamoDB's messages and composite key encoding) and an
// order-preserving byte encoding of S, N and B key values (AppendKey,
// DecodeKey, AppendKeyPrefix, PrefixEnd) for stores that range-scan sort
// keys. AppendItemBinary and DecodeItemBinary are a compact storage encoding
// of items (not a wire format).
//
// Errors are *Error values carrying the DynamoDB error code and message.
package attr
