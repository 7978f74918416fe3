// Package ids makes the identifiers localcloud hands out (request IDs,
// message IDs, receipt-handle nonces, tokens) from one injected randomness
// source, so tests can make them reproducible.
package ids
