// Package localcloud assembles localcloud: it opens the store in the data
// directory, builds each service on the shared clock, store and credentials,
// registers them with the front door and serves. cmd/localcloud is a thin
// wrapper around Open and Serve; tests use Open with a manual clock.
package localcloud
