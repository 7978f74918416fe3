// Package expr parses and evaluates DynamoDB's expression languages:
// ConditionExpression and FilterExpression (Condition), KeyConditionExpression
// (KeyCondition, bound to a key schema as a KeyQuery with an
// order-preserving sort key range), UpdateExpression (Update) and
// ProjectionExpression (Projection).
//
// Parsing resolves #name and :value placeholders, rejects reserved words,
// and checks what DynamoDB checks before touching an item (function names
// and operand counts, literal operand types, overlapping document paths).
// Every error is an *attr.Error ValidationException whose message is worded
// as DynamoDB words it, for example
//
//	Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","
//
// Parsed expressions are immutable and safe for concurrent use. Evaluation
// follows DynamoDB's semantics: comparisons of missing attributes or of
// different types are false, numbers are exact decimals, and an update
// evaluates every operand against the item as it was before the update.
package expr
