// Package store is localcloud's embedded, crash-safe key-value store. Every
// service keeps its state here through the small Store interface; the bbolt
// implementation applies concurrent writes as one group and makes the group
// durable with one append and fsync of a write-ahead log (group commit), so
// that durability and throughput do not fight. See DECISIONS.md.
package store
