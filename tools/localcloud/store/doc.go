// Package store is localcloud's embedded, crash-safe key-value store. Every
// service keeps its state here through the small Store interface; the bbolt
// implementation groups concurrent durable writes into one fsync (group
// commit) so that durability and throughput do not fight.
package store
