// Size floor: a Lambda handler that does nothing (aws-lambda-go alone).
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context) error { return nil })
}
