// Command withdynamodb runs a command (a whole `go test ./...`) beside one
// DynamoDB Local that every test binary it starts shares, instead of each
// starting its own JVM: make test-go runs the suite through it.
//
//	go run ./pkg/dev/testenv/cmd/withdynamodb -- go test ./...
//
// The command sees the endpoint in TESTENV_DYNAMODB_ENDPOINT (testenv reads
// it); every test makes its own table, so sharing changes no test. The
// emulator stops when the command ends, and dies with this process if it is
// killed.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/testenv"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: withdynamodb -- command [args...]")
		os.Exit(2)
	}
	os.Exit(run(args))
}

func run(args []string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	root, err := emulator.RepoRoot()
	if err == nil {
		err = emulator.EnsureNodeModules(ctx, root)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "withdynamodb:", err)
		return 1
	}
	proc, endpoint, err := emulator.StartDynamoDB(ctx, emulator.Options{JavaOptions: testenv.JavaOptions})
	if err != nil {
		fmt.Fprintln(os.Stderr, "withdynamodb: start DynamoDB Local:", err)
		return 1
	}
	defer proc.Stop()

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), testenv.SharedDynamoDBVar+"="+endpoint)
	// Ctrl-C reaches the command through the terminal's process group; wait
	// for it to finish so that the emulator outlives the tests.
	signal.Ignore(syscall.SIGINT)
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode()
	case err != nil:
		fmt.Fprintln(os.Stderr, "withdynamodb:", err)
		return 1
	}
	return 0
}
