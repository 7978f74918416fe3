// Package s3 is localcloud's Amazon S3: buckets (with their policy,
// encryption, versioning, public-access-block, tagging, ownership and
// lifecycle configurations kept as documents), objects with ETags, checksums,
// user metadata, ranges and conditional requests, ListObjectsV2, CopyObject,
// DeleteObjects and multipart uploads, all over the restXml protocol the
// front door routes by method, path and query.
//
// Storage: an object's bytes live in a file under the data directory,
// written to a temporary name, fsynced and renamed before its metadata is
// committed to the store, so a crash never leaves metadata without data (at
// worst an unreferenced file, removed when the service opens). Metadata,
// buckets and multipart state are in the store.
//
// Calls made with non-root credentials are authorized through the injected
// Authorizer against the caller's policies and the bucket policy (with
// aws:SecureTransport from the request's scheme); root and in-process
// callers are allowed.
//
// Differences from AWS: one region and one owner; no versions (a versioned
// bucket keeps only the latest object), no ACLs, no server-side encryption
// beyond reporting AES256, no lifecycle expiry (the configuration is kept),
// no UploadPartCopy, presigned POST, website or notification features.
package s3
