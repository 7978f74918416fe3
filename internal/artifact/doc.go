// Package artifact builds the deployable form of a Lambda function: a zip holding one
// executable named bootstrap, for the provided.al2023 custom runtime.
//
// Zips are reproducible: the same bootstrap bytes always give the same zip bytes, because
// every header field that would otherwise carry the build machine's state (modification
// time, owner, extra fields) is fixed. That lets deploys address artifacts by content and
// skip uploads and updates when nothing changed.
package artifact
