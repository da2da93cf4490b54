// Command fn is a bootstrap for the rie package's test: MODE=exit exits at
// init, MODE=error answers with an error, otherwise it echoes its event
// with the variable GREETING.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	if os.Getenv("MODE") == "exit" {
		fmt.Fprintln(os.Stderr, "configuration: GREETING: not set")
		os.Exit(1)
	}
	lambda.Start(func(ctx context.Context, ev json.RawMessage) (map[string]any, error) {
		if os.Getenv("MODE") == "error" {
			return nil, errors.New("no such agreement")
		}
		return map[string]any{"greeting": os.Getenv("GREETING"), "event": ev}, nil
	})
}
