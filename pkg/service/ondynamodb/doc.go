// Package ondynamodb holds the use-case tests that measure DynamoDB itself:
// the read capacity the sweep's next-action query consumes as the table
// grows, read through SDK middleware from DynamoDB Local. The in-memory
// store cannot show that, so these tests run the use cases on pkg/dynamo
// and need Java; every other use-case test is in pkg/service, on
// pkg/memstore, and starts no DynamoDB Local.
package ondynamodb
