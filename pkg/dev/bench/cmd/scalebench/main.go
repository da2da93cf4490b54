// Command scalebench prints one table of what the store's reads cost at
// scale: for each number of agreements it starts from an empty table in a
// DynamoDB Local of its own, seeds it, and measures the read units of the
// summary, the quarantine list, the instalment list, the export and the
// sweep's due-work read, and the creates per second of concurrent creators;
// and, for a morning of up to bench.MorningSize check-ins, the check-in
// queue's messages per check-in (1.0: each queued once, issue 27 item 6).
//
//	go run ./pkg/dev/bench/cmd/scalebench -sizes 100,5000
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partnership-grants/backend/pkg/dev/bench"
	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
)

func main() {
	sizes := flag.String("sizes", "100,5000", "comma-separated numbers of agreements, one table row each")
	creators := flag.Int("creators", 16, "concurrent creators")
	creates := flag.Int("creates", 500, "agreements the creators create between them")
	java := flag.String("java", "-Xmx2g", "options for DynamoDB Local's JVM (space-separated)")
	flag.Parse()
	// The store logs each programme read at Info; the table says it all.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	var ns []int
	for f := range strings.SplitSeq(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fail(fmt.Errorf("-sizes: %q is not a positive number", f))
		}
		ns = append(ns, n)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, ns, *creators, *creates, strings.Fields(*java)); err != nil {
		fail(err)
	}
}

// fail reports err and exits. Not log.Fatal: slog's default handler, set
// above to warnings only, would swallow it.
func fail(err error) {
	fmt.Fprintln(os.Stderr, "scalebench:", err)
	os.Exit(1)
}

func run(ctx context.Context, sizes []int, creators, creates int, javaOptions []string) error {
	root, err := emulator.RepoRoot()
	if err != nil {
		return err
	}
	if err := emulator.EnsureNodeModules(ctx, root); err != nil {
		return err
	}
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return err
	}
	startCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	// In memory, as the tests run it. A bounded heap: left to itself the JVM
	// lets its heap grow to a quarter of the machine's memory with the
	// garbage of decoding items (5.4 GB resident at 40,000 agreements;
	// with -Xmx2g, 3.9 GB at 100,000, the rest being the database).
	proc, endpoint, err := emulator.StartDynamoDB(startCtx, emulator.Options{JavaOptions: javaOptions})
	cancel()
	if err != nil {
		return err
	}
	defer proc.Stop()

	meter := &bench.Meter{}
	db := dynamodb.New(dynamodb.Options{
		Region:       "eu-west-2",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("bench", "bench", ""),
		// DynamoDB Local sends no checksum on error responses.
		DisableValidateResponseChecksum: true,
		RetryMaxAttempts:                10,
	}, meter.Option)

	var rows []bench.Row
	for i, n := range sizes {
		table := fmt.Sprintf("scalebench-%d-%d", n, i)
		if err := tpl.CreateTable(ctx, db, table); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "scalebench: %d agreements: seeding and measuring…\n", n)
		began := time.Now()
		row, err := bench.Scale(ctx, db, meter, table, n, creators, creates)
		if err != nil {
			return fmt.Errorf("%d agreements: %w", n, err)
		}
		fmt.Fprintf(os.Stderr, "scalebench: %d agreements seeded in %v, measured in %v\n", n, row.Seeded.Round(time.Second), (time.Since(began) - row.Seeded).Round(time.Second))
		// Free DynamoDB Local's memory for the next size.
		if _, err := db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &table}); err != nil {
			return err
		}
		if row.Morning, err = morning(ctx, tpl, db, min(n, bench.MorningSize), i); err != nil {
			return fmt.Errorf("%d agreements: morning: %w", n, err)
		}
		rows = append(rows, row)
	}
	printTable(rows)
	return nil
}

// morning measures a morning of n check-ins in a table of its own (its
// sweeps read every item due that day) and deletes it.
func morning(ctx context.Context, tpl *samtemplate.Template, db *dynamodb.Client, n, i int) (bench.MorningResult, error) {
	table := fmt.Sprintf("scalebench-morning-%d-%d", n, i)
	if err := tpl.CreateTable(ctx, db, table); err != nil {
		return bench.MorningResult{}, err
	}
	fmt.Fprintf(os.Stderr, "scalebench: a morning of %d check-ins…\n", n)
	// The sweeps log each refused schedule (one agreement in
	// bench.MorningFailed) as an error; the table says what came of them.
	was := slog.Default()
	slog.SetDefault(slog.New(slog.DiscardHandler))
	res, err := bench.Morning(ctx, db, table, n)
	slog.SetDefault(was)
	if err != nil {
		return res, err
	}
	_, err = db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &table})
	return res, err
}

// printTable writes the table: read units, with the requests made in brackets.
func printTable(rows []bench.Row) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "agreements\tsummary\toverview\tsearch\tquarantine\tinstalment list\texport (whole)\tsweep (items)\tcreates/s (ok of tried)\tmorning: queue msgs per check-in (check-ins)\t")
	for _, r := range rows {
		errs := ""
		keys := make([]string, 0, len(r.CreateErrors))
		for k := range r.CreateErrors {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			errs += fmt.Sprintf(" %s:%d", k, r.CreateErrors[k])
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s (%d)\t%.0f (%d of %d%s)\t%s\t\n", r.Agreements,
			units(r.Summary), units(r.Overview), units(r.Search), units(r.Quarantine), units(r.Instalments), units(r.Export), units(r.Sweep), r.SweepItems,
			r.CreatesPerSecond(), r.Created, r.Creates, errs, morningCell(r.Morning))
	}
	w.Flush()
	fmt.Println("Read units (RCU) as DynamoDB Local reports them (ReturnConsumedCapacity), requests in brackets.")
	fmt.Printf("Morning: the check-in queue's messages per check-in due, from their schedules and the sweep's runs every half hour\n"+
		"from 08:30 to 11:00 (one agreement in %d with its schedules refused, queued by the sweep instead); 1.0 is each once.\n", bench.MorningFailed)
}

func morningCell(m bench.MorningResult) string {
	s := fmt.Sprintf("%.2f (%d: %d by schedule, %d by sweep)", m.PerCheckIn(), m.CheckIns, m.BySchedule, m.BySweep)
	if m.Unqueued > 0 {
		s += fmt.Sprintf(", %d NOT QUEUED", m.Unqueued)
	}
	return s
}

func units(r bench.Reading) string { return fmt.Sprintf("%.1f [%d]", r.Units, r.Requests) }
