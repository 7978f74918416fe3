// Package attr is DynamoDB's item model: AttributeValues exactly as they
// travel on the awsJson 1.0 wire ({"S":"x"}, {"N":"1.5"}, {"SS":[…]}, …),
// validated on decode with DynamoDB's ValidationException messages.
//
// Numbers are exact decimals (Number) with DynamoDB's limits: 38 significant
// digits, magnitudes from 1E-130 to 9.99…E+125, canonical form so that
// "1.50", "1.5" and "15E-1" are one value. The package also provides
// DynamoDB's comparison and equality rules, item size accounting (ItemSize,
// MaxItemSize) and an order-preserving byte encoding of key values
// (AppendKey, DecodeKey) for stores that range-scan sort keys.
package attr
