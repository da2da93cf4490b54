// Package readcost holds what a store's read consumed, as the store
// measured it: the views that read a whole programme log it, so a read that
// grows expensive shows. It is the store's measurement, not the domain's,
// and imports nothing, so the views' ports can return it and any store
// (pkg/dynamo, pkg/memstore) fill it in.
package readcost

// Cost is what a multi-page read consumed, as DynamoDB reported it.
type Cost struct {
	// Requests is the number of Query calls (pages).
	Requests int
	// Items is the number of items (index entries) DynamoDB read, before any
	// filter: ScannedCount summed over the pages.
	Items int
	// CapacityUnits is the read capacity consumed, table and indexes
	// together. DynamoDB charges a Query by the total size of what it read,
	// rounded up to 4 KB, halved for an eventually consistent read.
	CapacityUnits float64
}
