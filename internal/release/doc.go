// Package release cuts a release of one module of the workspace, the way each module's own
// team does it: check the tree is clean, check the version is a valid next version for that
// module, run that module's tests, then write its CHANGELOG entry, commit it and tag
// `<module>/vX.Y.Z` (the folder-prefixed tag form the Go toolchain resolves for nested
// modules). Prepare only plans; nothing changes until Apply.
package release
