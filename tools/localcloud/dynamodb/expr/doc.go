// Package expr parses and evaluates DynamoDB's expression languages:
// ConditionExpression and FilterExpression (ParseCondition, ParseFilter →
// Condition), KeyConditionExpression (ParseKeyCondition → KeyCondition,
// bound to a key schema as a KeyQuery whose SortCondition gives an
// order-preserving key range), UpdateExpression (ParseUpdate → Update) and
// ProjectionExpression (ParseProjection → Projection).
//
// Parsing resolves #name and :value placeholders, rejects reserved words,
// and checks what DynamoDB checks before touching an item (function names
// and operand counts, literal operand types, limits, overlapping document
// paths). Request-level placeholder rules live here too: DecodeValues and
// ValidatePlaceholders check the ExpressionAttributeValues and
// ExpressionAttributeNames maps, and CheckUnused, given the Placeholders of
// every expression in a request, reports unused keys. Every error is an
// *attr.Error whose message is worded as DynamoDB words it, for example
//
//	Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","
//
// Parsed expressions are immutable and safe for concurrent use. Evaluation
// follows DynamoDB's semantics: comparisons of missing attributes or of
// different types are false, numbers are exact decimals, and an update
// evaluates every operand against the item as it was before the update and
// never modifies its input.
package expr
