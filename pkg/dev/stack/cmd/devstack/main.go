// Command devstack runs the product locally (make run), issues local bearer
// tokens (make token), moves the local clock (make advance) and handles
// stored replies that never were (make reprocess-replies STAGE=local).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/stack"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	root, err := emulator.RepoRoot()
	if err != nil {
		return err
	}
	opts := stack.DefaultOptions(root)
	cmd := "run"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		// As the template's PublishGrantsData parameter: off unless asked.
		opts.PublishGrantsData = os.Getenv("PUBLISH_GRANTS_DATA") == "true"
		return runStack(opts)
	case "token":
		fs := flag.NewFlagSet("token", flag.ExitOnError)
		role := fs.String("role", "programme", "programme, finance, viewer or admin")
		user := fs.String("user", "", "user name (default: the role)")
		kind := fs.String("token-use", stack.IDToken, "id (what the API takes) or access (what it refuses, to try)")
		programmes := fs.String("programmes", "", "comma-separated programme codes the role holds in (default: every programme)")
		_ = fs.Parse(args)
		if *user == "" {
			*user = *role
		}
		groups, err := tokenGroups(*role, *programmes)
		if err != nil {
			return err
		}
		auth, err := stack.LoadAuth(opts.DataDir, opts.SignInAddr)
		if err != nil {
			return err
		}
		tok, err := auth.IssueGroups(*user, groups, *kind, time.Now())
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := stack.EnrolIn(ctx, opts.SignInAddr, *user, groups); err != nil {
			fmt.Fprintf(os.Stderr, "Could not add %s to %s in the local user pool (is make run running?): %v\n"+
				"Until it is, their payments and approvals are refused (403 role_removed); demo people are in their own groups already.\n", *user, strings.Join(groups, ", "), err)
		}
		fmt.Fprintf(os.Stderr, "Bearer %s token for %s (groups %s), valid 12 hours:\n", *kind, *user, strings.Join(groups, ", "))
		fmt.Println(tok)
		return nil
	case "advance":
		fs := flag.NewFlagSet("advance", flag.ExitOnError)
		days := fs.Int("days", 1, "days to move the local clock on")
		_ = fs.Parse(args)
		resp, err := http.Post(fmt.Sprintf("http://%s/advance?days=%d", opts.ControlAddr, *days), "", nil)
		if err != nil {
			return fmt.Errorf("is make run running? %w", err)
		}
		defer resp.Body.Close()
		_, err = io.Copy(os.Stdout, resp.Body)
		return err
	case "reprocess":
		resp, err := http.Post(fmt.Sprintf("http://%s/reprocess-replies", opts.ControlAddr), "", nil)
		if err != nil {
			return fmt.Errorf("is make run running? %w", err)
		}
		defer resp.Body.Close()
		if _, err := io.Copy(os.Stdout, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("reprocess failed: %s", resp.Status)
		}
		return nil
	}
	return fmt.Errorf("unknown command %q (run, token, advance, reprocess)", cmd)
}

func runStack(opts stack.Options) error {
	// The console redacts as the functions' logs do in AWS.
	slog.SetDefault(slog.New(logs.NewConsoleHandler(os.Stderr, slog.LevelInfo)))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := stack.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer st.Stop()
	fmt.Fprintf(os.Stderr, "\nAPI on http://%s   mail viewer on http://127.0.0.1:%d   data in %s\n", opts.APIAddr, opts.SESPort, filepath.Base(opts.DataDir))
	_, port, _ := net.SplitHostPort(opts.APIAddr)
	fmt.Fprintf(os.Stderr, "Web app: http://localhost:%s/app   (sign in by picking a demo person; the sign-in page is on http://%s)\n", port, opts.SignInAddr)
	if opts.PublishGrantsData {
		fmt.Fprintf(os.Stderr, "Every morning at 06:00 the 360Giving file is published at http://127.0.0.1:%d/%s/%s\n", opts.S3Port, stack.GrantsDataBucket, stack.GrantsDataKey)
	}
	fmt.Fprintln(os.Stderr, "Get a token for the JSON API with: make token ROLE=programme   (Ctrl-C stops everything)")
	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "stopping…")
	return nil
}

// tokenGroups are the groups a token of make token names: role in every
// programme, or with programmes (PROGRAMMES=code1,code2) role in each of
// them only ("finance:code1", issue 25).
func tokenGroups(role, programmes string) ([]string, error) {
	if strings.TrimSpace(programmes) == "" {
		return []string{role}, nil
	}
	var groups []string
	for p := range strings.SplitSeq(programmes, ",") {
		p = strings.TrimSpace(p)
		if !grants.ValidProgramme(p) {
			return nil, fmt.Errorf("PROGRAMMES: %q is not a programme code (1 to 64 letters, digits, '-' or '_')", p)
		}
		groups = append(groups, string(grants.Role(role).In(p)))
	}
	return groups, nil
}
