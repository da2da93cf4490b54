// Command initbench measures each function's cold-start init (make initbench):
// the time from exec to the bootstrap's first GET of
// /2018-06-01/runtime/invocation/next, against a Lambda Runtime API stub it
// serves itself, as a ratio to a do-nothing aws-lambda-go handler (./hello)
// built the same way.
//
//	initbench [-n runs] [-inittrace] hello=path name=path ...
//
// The first binary is the yardstick. A binary named by a function's logical
// ID (AgreementsFunction=path) runs with the environment template.yaml
// gives that function, resolved as for the local stack (what make invoke
// gives it), but with every local address in it (the AWS endpoints, the
// sign-in issuer) the stub's: so each starts as it would in AWS, and any
// call at init reaches the stub. The stub answers Secrets Manager's
// GetSecretValue (the reply-token key and the web client, read at init)
// with stand-ins and counts any other request as network I/O at init; the
// table shows both counts per run.
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
	"github.com/partnership-grants/backend/pkg/dev/stack"
)

const nextPath = "/2018-06-01/runtime/invocation/next"

func main() {
	runs := flag.Int("n", 11, "runs of each binary; the table shows the median")
	trace := flag.Bool("inittrace", false, "also run each binary once with GODEBUG=inittrace=1 and print its slowest package inits")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: initbench [-n runs] [-inittrace] hello=path name=path ...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() < 2 || *runs < 1 {
		flag.Usage()
		os.Exit(2)
	}
	var bins []binary
	for _, a := range flag.Args() {
		name, path, ok := strings.Cut(a, "=")
		if !ok {
			flag.Usage()
			os.Exit(2)
		}
		bins = append(bins, binary{name: name, path: path})
	}
	if err := functionEnvs(bins); err != nil {
		fmt.Fprintln(os.Stderr, "initbench:", err)
		os.Exit(1)
	}
	if err := bench(bins, *runs, *trace); err != nil {
		fmt.Fprintln(os.Stderr, "initbench:", err)
		os.Exit(1)
	}
}

type binary struct {
	name, path string
	env        map[string]string // the function's (functionEnv), or nil
	inits      []time.Duration
	secrets    int // GetSecretValue calls, summed over the runs
	other      int // any other AWS request at init, summed over the runs
}

func bench(bins []binary, runs int, trace bool) error {
	// The secrets read at init, under the names the binaries are given.
	// 32 bytes: token.MinKeyLen.
	secrets := map[string]string{"initbench/reply-token-key": strings.Repeat("k", 32)}
	for _, b := range bins {
		if name := b.env["REPLY_TOKEN_SECRET"]; name != "" {
			secrets[name] = strings.Repeat("k", 32)
		}
		if name := b.env["WEB_CLIENT_SECRET"]; name != "" {
			secrets[name] = `{"clientId":"initbench","clientSecret":"initbench"}`
		}
	}
	st, err := newStub(secrets)
	if err != nil {
		return err
	}
	defer st.close()
	// One untimed run each first: the first exec of a file pays for reading
	// it into the page cache. Then round-robin, so that a noisy moment on
	// the machine falls on every binary alike.
	for i := range bins {
		if _, err := st.run(&bins[i], nil); err != nil {
			return err
		}
		bins[i].secrets, bins[i].other = 0, 0
	}
	for range runs {
		for i := range bins {
			d, err := st.run(&bins[i], nil)
			if err != nil {
				return err
			}
			bins[i].inits = append(bins[i].inits, d)
		}
	}
	base := median(bins[0].inits)
	fmt.Printf("%-22s %10s %8s %10s %10s %8s %6s\n", "function", "median", "ratio", "min", "max", "secrets", "other")
	for _, b := range bins {
		m := median(b.inits)
		verdict := ""
		if float64(m) > 2*float64(base) {
			verdict = "  over 2x"
		}
		fmt.Printf("%-22s %10s %7.2fx %10s %10s %8s %6s%s\n", b.name, ms(m), float64(m)/float64(base),
			ms(slices.Min(b.inits)), ms(slices.Max(b.inits)), perRun(b.secrets, runs), perRun(b.other, runs), verdict)
	}
	fmt.Printf("(%d runs each; secrets and other: AWS requests per run before the first %s)\n", runs, nextPath)
	if trace {
		for i := range bins {
			var stderr bytes.Buffer
			if _, err := st.run(&bins[i], &stderr); err != nil {
				return err
			}
			printInits(bins[i].name, &stderr)
		}
	}
	return nil
}

// stub is the Runtime API and every AWS endpoint at once.
type stub struct {
	ln      net.Listener
	srv     *http.Server
	secrets http.Handler
	mu      sync.Mutex
	current *run
}

type run struct {
	next    chan struct{}
	once    sync.Once
	secrets atomic.Int32
	other   atomic.Int32
}

func newStub(secrets map[string]string) (*stub, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	st := &stub{ln: ln, secrets: stack.NewSecrets(secrets)}
	st.srv = &http.Server{Handler: st, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = st.srv.Serve(ln) }()
	return st, nil
}

func (st *stub) close() { _ = st.srv.Close() }

func (st *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st.mu.Lock()
	cur := st.current
	st.mu.Unlock()
	switch {
	case cur == nil:
		http.Error(w, "no run", http.StatusServiceUnavailable)
	case r.Method == http.MethodGet && r.URL.Path == nextPath:
		cur.once.Do(func() { close(cur.next) })
		// Hold the poll, as the Runtime API does until an event comes; the
		// process is killed first.
		<-r.Context().Done()
	case strings.HasPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager."):
		cur.secrets.Add(1)
		st.secrets.ServeHTTP(w, r)
	default:
		cur.other.Add(1)
		http.Error(w, "initbench: no AWS call is expected at init", http.StatusInternalServerError)
	}
}

// run execs b once and returns the time to its first poll for an event.
// With stderr set, the process runs with GODEBUG=inittrace=1 into it.
func (st *stub) run(b *binary, stderr *bytes.Buffer) (time.Duration, error) {
	cur := &run{next: make(chan struct{})}
	st.mu.Lock()
	st.current = cur
	st.mu.Unlock()
	defer func() {
		st.mu.Lock()
		st.current = nil
		st.mu.Unlock()
	}()
	addr := st.ln.Addr().String()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.path)
	cmd.Env = env(addr)
	if b.env != nil {
		cmd.Env = append(runtimeEnv(addr, b.name), atStub(b.env, addr)...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if stderr != nil {
		cmd.Env = append(cmd.Env, "GODEBUG=inittrace=1")
		cmd.Stderr = stderr
	}
	exited := make(chan error, 1)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("%s: %w", b.name, err)
	}
	go func() { exited <- cmd.Wait() }()
	select {
	case <-cur.next:
		d := time.Since(start)
		_ = cmd.Process.Kill()
		<-exited
		b.secrets += int(cur.secrets.Load())
		b.other += int(cur.other.Load())
		return d, nil
	case err := <-exited:
		if err == nil {
			err = errors.New("exited")
		}
		return 0, fmt.Errorf("%s exited before polling for an event (%v):\n%s", b.name, err, out.String())
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-exited
		return 0, fmt.Errorf("%s did not poll for an event within 20s:\n%s", b.name, out.String())
	}
}

// env is what a binary not named by a function (the yardstick) runs with:
// dummy values for what the template sets, and what the runtime adds.
func env(addr string) []string {
	endpoint := "http://" + addr
	return []string{
		"AWS_LAMBDA_RUNTIME_API=" + addr,
		"AWS_LAMBDA_FUNCTION_NAME=initbench",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_REGION=eu-west-2",
		"AWS_ACCESS_KEY_ID=initbench",
		"AWS_SECRET_ACCESS_KEY=initbench",
		"AWS_SESSION_TOKEN=initbench",
		// Every service at the stub: nothing real is called, and any call is counted.
		"AWS_ENDPOINT_URL=" + endpoint,
		"TABLE_NAME=initbench",
		"TIME_ZONE=Europe/London",
		"SENDER_EMAIL=Grants <grants@example.org>",
		"SES_CONFIGURATION_SET=initbench",
		"REPLY_DOMAIN=replies.example.org",
		"REPLY_TOKEN_SECRET=initbench/reply-token-key",
		"PROGRAMME_NAME=Initbench Programme",
		"PROGRAMME_CODE=initbench",
		"OFFICER_EMAILS=officer@example.org",
		"FINANCE_EMAILS=finance@example.org",
		"REMINDER_DAYS=3,7",
		"MAX_REMINDERS=2",
		"EVENT_BUS_NAME=initbench",
		"TWO_PERSON_RULE=true",
		"MAIL_BUCKET=initbench",
		"RAW_PREFIX=raw/",
		"S3_USE_PATH_STYLE=true",
		"SCHEDULE_GROUP=initbench",
		"SCHEDULER_ROLE_ARN=arn:aws:iam::000000000000:role/initbench",
		"SCHEDULE_DLQ_ARN=arn:aws:sqs:eu-west-2:000000000000:initbench",
		"INSTALMENT_DUE_FUNCTION_ARN=arn:aws:lambda:eu-west-2:000000000000:function:initbench",
		"CHECKIN_QUEUE_ARN=arn:aws:sqs:eu-west-2:000000000000:initbench",
		"CHECKIN_QUEUE_URL=http://127.0.0.1:1/000000000000/initbench",
	}
}

// functionEnvs gives each binary named by a function's logical ID the
// environment the template gives that function on make run's stack.
func functionEnvs(bins []binary) error {
	root, err := emulator.RepoRoot()
	if err != nil {
		return err
	}
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return err
	}
	ids := tpl.Functions()
	for i := range bins {
		if !slices.Contains(ids, bins[i].name) {
			continue
		}
		if bins[i].env, err = stack.FunctionEnvironment(stack.DefaultOptions(root), bins[i].name); err != nil {
			return err
		}
	}
	return nil
}

// runtimeEnv is what Lambda's runtime adds to a function's environment.
func runtimeEnv(addr, name string) []string {
	return []string{
		"AWS_LAMBDA_RUNTIME_API=" + addr,
		"AWS_LAMBDA_FUNCTION_NAME=" + name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_SESSION_TOKEN=initbench",
	}
}

// atStub is env with every local address in it (http://127.0.0.1:port, the
// local stack's emulators and sign-in) the stub's, and every other AWS
// service too (AWS_ENDPOINT_URL).
func atStub(env map[string]string, addr string) []string {
	out := []string{"AWS_ENDPOINT_URL=http://" + addr}
	for k, v := range env {
		if rest, ok := strings.CutPrefix(v, "http://127.0.0.1:"); ok {
			_, path, _ := strings.Cut(rest, "/")
			v = "http://" + addr
			if path != "" {
				v += "/" + path
			}
		}
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// printInits prints the package inits that took longest, from
// GODEBUG=inittrace=1 lines: "init <pkg> @<t> ms, <clock> ms clock, ...".
func printInits(name string, trace *bytes.Buffer) {
	type pkgInit struct {
		pkg   string
		clock float64
	}
	var inits []pkgInit
	var total float64
	sc := bufio.NewScanner(trace)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 7 || f[0] != "init" || f[6] != "clock," {
			continue
		}
		clock, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			continue
		}
		inits = append(inits, pkgInit{f[1], clock})
		total += clock
	}
	slices.SortFunc(inits, func(a, b pkgInit) int { return cmp.Compare(b.clock, a.clock) })
	fmt.Printf("\n%s: package inits %.2f ms in all; slowest:\n", name, total)
	for _, in := range inits[:min(5, len(inits))] {
		fmt.Printf("  %7.2f ms  %s\n", in.clock, in.pkg)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func perRun(n, runs int) string {
	if n%runs == 0 {
		return strconv.Itoa(n / runs)
	}
	return fmt.Sprintf("%.1f", float64(n)/float64(runs))
}
