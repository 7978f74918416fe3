// Package code unpacks Lambda deployment packages and checks that their
// bootstrap can run on this machine.
//
// Unpack extracts a zip as Lambda does (file modes kept, so an executable
// bootstrap stays executable) but refuses what Lambda would and what could
// harm the host: entries or symlinks that escape the target directory,
// archives beyond Lambda's unzipped size limit (counting the bytes actually
// written, not the sizes the archive declares) and too many entries.
// Check then verifies that bootstrap exists, is executable and is built for
// this machine's OS and architecture, and says how to fix it when not.
package code
