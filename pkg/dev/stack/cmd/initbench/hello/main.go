// Command hello is initbench's yardstick: an aws-lambda-go handler that does
// nothing, built as the functions are, so that a function's init time can be
// read as a ratio to the least any Go function can take.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context) error { return nil })
}
